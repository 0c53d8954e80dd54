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

/**
 * The program as a function of (inputs, full) → outputs, for hot loops (the MSM model runs
 * millions of additions): values live in an array indexed by position instead of a map, and
 * montmul is inlined. Same arithmetic as evalSlp, which the tests compare it with.
 *
 * domain 'plain' runs the same program on the field elements themselves (x instead of
 * x·R mod p): montmul(aR, bR) = abR is the product in Montgomery form, adds and subtracts are
 * linear, so a program fed plain values returns exactly the plain values of what it returns
 * in Montgomery form — with one native multiplication and remainder per product instead of
 * REDC's three multiplications. Inputs, outputs (and the constants, converted here) are then
 * plain; callers convert at their boundaries.
 */
export function compileSlp(slp: Slp, f: MontgomeryField, domain: 'montgomery' | 'plain' = 'montgomery'): (inputs: readonly bigint[], full: boolean) => bigint[] {
  const full = compileVariant(slp, f, domain, true, slp.inputs.length);
  const mixed = compileVariant(slp, f, domain, false, slp.inputs.length);
  const n = slp.inputs.length;
  return (inputs, isFull) => {
    if (inputs.length !== n) throw new Error(`internal: ${inputs.length} inputs for ${n}`);
    return (isFull ? full : mixed)(inputs, inputs.slice(n));
  };
}

/**
 * compileSlp for an adder whose first `nP` inputs are P's coordinates and the rest Q's:
 * (P, Q, full) → outputs, without joining the operands into one array (the MSM model's hot
 * loop). A mixed operation may pass Q without its ignored last coordinate.
 */
export function compileAdder(slp: Slp, f: MontgomeryField, domain: 'montgomery' | 'plain', nP: number): (P: readonly bigint[], Q: readonly bigint[], full: boolean) => bigint[] {
  const full = compileVariant(slp, f, domain, true, nP);
  const mixed = compileVariant(slp, f, domain, false, nP);
  return (P, Q, isFull) => (isFull ? full(P, Q) : mixed(P, Q));
}

/**
 * One variant (full or mixed) of the program: its selects resolved at compile time (a select
 * is an alias of the operand it picks) and the ops no output depends on dropped.
 */
function compileVariant(slp: Slp, f: MontgomeryField, domain: 'montgomery' | 'plain', full: boolean, nP: number): (P: readonly bigint[], Q: readonly bigint[]) => bigint[] {
  const plain = domain === 'plain';
  const alias = new Map<string, string>();
  const resolve = (x: string): string => alias.get(x) ?? x;
  for (const o of slp.ops) if (o.op === 'select') alias.set(o.dst, resolve(full ? o.a : o.b));
  const live = new Set(slp.outputs.map(resolve));
  const kept: SlpOp[] = [];
  for (let i = slp.ops.length - 1; i >= 0; i--) {
    const o = slp.ops[i]!;
    if (o.op === 'select' || !live.has(o.dst)) continue;
    live.add(resolve(o.a));
    live.add(resolve(o.b));
    kept.unshift(o);
  }
  // Straight-line JavaScript (one local per value, no interpreter loop), which V8 compiles
  // like hand-written code: the hot loop of the MSM model.
  const name = new Map<string, string>();
  const consts: bigint[] = [];
  const lines: string[] = [];
  // Only the inputs the variant reads are loaded (a mixed op's Q may lack its ignored Z).
  slp.inputs.forEach((n, i) => {
    name.set(n, `v${i}`);
    if (live.has(n)) lines.push(i < nP ? `const v${i} = P[${i}];` : `const v${i} = Q[${i - nP}];`);
  });
  for (const [n, c] of Object.entries(slp.constants)) { name.set(n, `c${consts.length}`); lines.push(`const c${consts.length} = k[${consts.length}];`); consts.push(plain ? (c * f.rInv) % f.p : c); }
  // Plain values are reduced lazily. A product stays unreduced (twice the width) while only
  // sums and differences consume it; it is reduced once, where a multiplication or an output
  // needs it. Sums and differences of reduced values stay within a few p of 0.
  const wide = new Set<string>();
  const reduced = new Map<string, string>();
  const narrow = (x: string): string => {
    if (!wide.has(x)) return x;
    let r = reduced.get(x);
    if (!r) {
      r = `r_${x}`;
      reduced.set(x, r);
      lines.push(`const ${r} = ${x} % p;`);
    }
    return r;
  };
  kept.forEach((o, i) => {
    const a = name.get(resolve(o.a))!;
    const b = name.get(resolve(o.b))!;
    const d = `t${i}`;
    name.set(o.dst, d);
    if (o.op === 'mul') {
      if (plain) {
        lines.push(`const ${d} = ${narrow(a)} * ${narrow(b)};`);
        wide.add(d);
      } else {
        lines.push(`const ${d} = mm(${a}, ${b});`);
      }
    } else if (plain) {
      lines.push(`const ${d} = ${a} ${o.op === 'add' ? '+' : '-'} ${b};`);
      if (wide.has(a) || wide.has(b)) wide.add(d);
    } else if (o.op === 'add') {
      lines.push(`let ${d} = ${a} + ${b}; if (${d} >= p) ${d} -= p;`);
    } else {
      lines.push(`let ${d} = ${a} - ${b}; if (${d} < 0n) ${d} += p;`);
    }
  });
  const outs = slp.outputs.map((o) => name.get(resolve(o))!);
  lines.push(`return [${outs.map((o) => (plain ? `canon(${narrow(o)})` : o)).join(', ')}];`);
  const { p } = f;
  const mm = (a: bigint, b: bigint) => montmul(f, a, b);
  // Lazily reduced outputs are within a few p of [0, p): one correction usually does.
  const canon = (r: bigint) => {
    if (r < 0n) { r += p; return r < 0n ? ((r % p) + p) % p : r; }
    if (r >= p) { r -= p; return r >= p ? r % p : r; }
    return r;
  };
  // eslint-disable-next-line no-new-func
  const body = new Function('p', 'k', 'mm', 'canon', `return function adder(P, Q) {\n${lines.join('\n')}\n};`) as (
    p: bigint, k: bigint[], mm: (a: bigint, b: bigint) => bigint, canon: (r: bigint) => bigint) => (P: readonly bigint[], Q: readonly bigint[]) => bigint[];
  return body(p, consts, mm, canon);
}
