// Straight-line programs over a prime field in Montgomery form: the point formulas as the
// hardware computes them. One op is one hardware unit of the point adder (a montmul, a
// modadd, a modsub, a mode multiplexer), so the model evaluates exactly the dataflow graph
// the generator schedules and wires, and every intermediate value has the name its wire has.
import { modAdd, modSub, montmul, type MontgomeryField } from './field.ts';

export type SlpOpKind = 'mul' | 'add' | 'sub' | 'select';

export interface SlpOp {
  op: SlpOpKind;
  /** Name of the value this op defines (each name is defined once). */
  dst: string;
  /** Operands: inputs, constants or earlier ops' dst. For `select`: a if the op is full, else b. */
  a: string;
  b: string;
}

export interface Slp {
  /** Port order of the inputs (operand coordinates), each a field element in Montgomery form. */
  inputs: string[];
  /** Constant operands, already in the form the unit takes (Montgomery form for montmul). */
  constants: Record<string, bigint>;
  ops: SlpOp[];
  /** Names of the results, in port order. */
  outputs: string[];
}

/** How many ops of each kind. */
export function slpCounts(slp: Slp): Record<SlpOpKind, number> {
  const c: Record<SlpOpKind, number> = { mul: 0, add: 0, sub: 0, select: 0 };
  for (const o of slp.ops) c[o.op]++;
  return c;
}

/** Builds an SLP op by op, with fresh names for chains (constant multiplications). */
export class SlpBuilder {
  readonly ops: SlpOp[] = [];
  readonly constants: Record<string, bigint> = {};
  private defined = new Set<string>();

  constructor(readonly inputs: string[]) {
    for (const i of inputs) this.defined.add(i);
  }

  constant(name: string, value: bigint): string {
    this.constants[name] = value;
    this.defined.add(name);
    return name;
  }

  private emit(op: SlpOpKind, dst: string, a: string, b: string): string {
    for (const x of [a, b]) if (!this.defined.has(x)) throw new Error(`internal: slp operand ${x} used before it is defined`);
    if (this.defined.has(dst)) throw new Error(`internal: slp value ${dst} defined twice`);
    this.defined.add(dst);
    this.ops.push({ op, dst, a, b });
    return dst;
  }

  mul(dst: string, a: string, b: string): string { return this.emit('mul', dst, a, b); }
  add(dst: string, a: string, b: string): string { return this.emit('add', dst, a, b); }
  sub(dst: string, a: string, b: string): string { return this.emit('sub', dst, a, b); }
  /** a when the operation is a full addition (in_mode = 1), b when it is mixed. */
  select(dst: string, a: string, b: string): string { return this.emit('select', dst, a, b); }

  /**
   * c·x mod p for a small integer c ≥ 1 by a left-to-right double-and-add chain of modadds
   * (shift-and-add: no multiplier). Intermediate names are `${dst}_<step>`.
   */
  mulSmall(dst: string, x: string, c: bigint): string {
    if (c < 1n) throw new Error(`internal: mulSmall by ${c}`);
    const bits = c.toString(2);
    if (bits === '1') throw new Error('internal: mulSmall by 1 needs no unit');
    let acc = x;
    let step = 0;
    for (let i = 1; i < bits.length; i++) {
      const last = i === bits.length - 1;
      acc = this.add(last && bits[i] === '0' ? dst : `${dst}_${step++}`, acc, acc);
      if (bits[i] === '1') acc = this.add(last ? dst : `${dst}_${step++}`, acc, x);
    }
    return acc;
  }

  build(outputs: string[]): Slp {
    for (const o of outputs) if (!this.defined.has(o)) throw new Error(`internal: slp output ${o} undefined`);
    return { inputs: this.inputs, constants: this.constants, ops: this.ops, outputs };
  }
}

/** Modadds in the chain mulSmall builds for c. */
export function smallChainLength(c: bigint): number {
  const bits = c.toString(2);
  return bits.length - 1 + [...bits.slice(1)].filter((x) => x === '1').length;
}

/**
 * Every value of the program for one operation: inputs, constants and each op's result,
 * keyed by name. `full` chooses the select operands (ignored by programs without selects).
 */
export function evalSlp(slp: Slp, f: MontgomeryField, inputs: readonly bigint[], full = true): Map<string, bigint> {
  if (inputs.length !== slp.inputs.length) throw new Error(`internal: ${inputs.length} inputs for ${slp.inputs.length}`);
  const v = new Map<string, bigint>();
  slp.inputs.forEach((name, i) => v.set(name, inputs[i]!));
  for (const [name, c] of Object.entries(slp.constants)) v.set(name, c);
  for (const o of slp.ops) {
    const a = v.get(o.a)!;
    const b = v.get(o.b)!;
    switch (o.op) {
      case 'mul': v.set(o.dst, montmul(f, a, b)); break;
      case 'add': v.set(o.dst, modAdd(f, a, b)); break;
      case 'sub': v.set(o.dst, modSub(f, a, b)); break;
      case 'select': v.set(o.dst, full ? a : b); break;
    }
  }
  return v;
}

/** The program's outputs for one operation. */
export function runSlp(slp: Slp, f: MontgomeryField, inputs: readonly bigint[], full = true): bigint[] {
  const v = evalSlp(slp, f, inputs, full);
  return slp.outputs.map((o) => v.get(o)!);
}
