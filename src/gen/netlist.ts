// A tiny register-transfer netlist: the generators build their datapaths here, and the same
// structure is (1) emitted as Verilog, (2) evaluated in BigInt so a test can check the
// planned arithmetic before Verilator ever runs, and (3) checked for balanced pipelines:
// every operator's operands must come from the same clock stage.

export type Expr =
  | { k: 'sig'; name: string; width: number }
  | { k: 'slice'; name: string; hi: number; lo: number; width: number }
  | { k: 'concat'; parts: Expr[]; width: number } // most significant first
  | { k: 'zero'; width: number }
  | { k: 'const'; value: bigint; width: number }
  | { k: 'add' | 'sub' | 'mul'; a: Expr; b: Expr; width: number } // operands zero-extended, result mod 2^width
  | { k: 'neg'; a: Expr; width: number };

export interface Stmt {
  kind: 'wire' | 'reg';
  name: string;
  width: number;
  expr: Expr;
  /** Set where low bits are left unused on purpose; the reason goes next to the lint waiver. */
  unusedLowBits?: string;
  comment?: string;
}

export interface Signal {
  name: string;
  width: number;
  /** Clock stage the value belongs to: inputs are stage 0, each register adds one. */
  stage: number;
}

const STAGE_ANY = -1;

export class Netlist {
  readonly inputs: Signal[] = [];
  readonly stmts: Stmt[] = [];
  private readonly stages = new Map<string, number>();
  private readonly widths = new Map<string, number>();

  input(name: string, width: number): Expr {
    this.inputs.push({ name, width, stage: 0 });
    this.stages.set(name, 0);
    this.widths.set(name, width);
    return sig(name, width);
  }

  wire(name: string, expr: Expr, extra: Partial<Stmt> = {}): Expr {
    return this.define({ kind: 'wire', name, width: expr.width, expr, ...extra }, this.stageOf(expr));
  }

  reg(name: string, expr: Expr, extra: Partial<Stmt> = {}): Expr {
    const s = this.stageOf(expr);
    return this.define({ kind: 'reg', name, width: expr.width, expr, ...extra }, s === STAGE_ANY ? STAGE_ANY : s + 1);
  }

  stage(e: Expr): number {
    return this.stageOf(e);
  }

  private define(stmt: Stmt, stage: number): Expr {
    if (this.widths.has(stmt.name)) throw new Error(`internal: signal ${stmt.name} defined twice`);
    if (stmt.width < 1) throw new Error(`internal: signal ${stmt.name} has width ${stmt.width}`);
    this.stmts.push(stmt);
    this.stages.set(stmt.name, stage);
    this.widths.set(stmt.name, stmt.width);
    return sig(stmt.name, stmt.width);
  }

  private stageOf(e: Expr): number {
    switch (e.k) {
      case 'sig':
      case 'slice': {
        const s = this.stages.get(e.name);
        if (s === undefined) throw new Error(`internal: signal ${e.name} used before it is defined`);
        return s;
      }
      case 'zero':
      case 'const':
        return STAGE_ANY;
      case 'concat':
        return this.sameStage(e.parts);
      case 'neg':
        return this.stageOf(e.a);
      default:
        return this.sameStage([e.a, e.b]);
    }
  }

  private sameStage(parts: Expr[]): number {
    let stage = STAGE_ANY;
    for (const p of parts) {
      const s = this.stageOf(p);
      if (s === STAGE_ANY) continue;
      if (stage !== STAGE_ANY && s !== stage) {
        throw new Error(`internal: unbalanced pipeline, operands from stages ${stage} and ${s}`);
      }
      stage = s;
    }
    return stage;
  }

  /** Evaluates every signal from input values, ignoring time (the datapath is a DAG). */
  evaluate(inputs: Record<string, bigint>): Map<string, bigint> {
    const values = new Map<string, bigint>();
    for (const i of this.inputs) {
      const v = inputs[i.name];
      if (v === undefined) throw new Error(`missing input ${i.name}`);
      values.set(i.name, BigInt.asUintN(i.width, v));
    }
    for (const s of this.stmts) values.set(s.name, evalExpr(s.expr, values));
    return values;
  }
}

export const sig = (name: string, width: number): Expr => ({ k: 'sig', name, width });
export const zero = (width: number): Expr => ({ k: 'zero', width });
export const constant = (value: bigint, width: number): Expr => ({ k: 'const', value, width });

/** Bits [hi:lo] of a signal or of a slice of one. */
export function slice(e: Expr, hi: number, lo: number): Expr {
  if (e.k !== 'sig' && e.k !== 'slice') throw new Error('internal: slice of an expression');
  if (lo < 0 || hi >= e.width || hi < lo) throw new Error(`internal: slice [${hi}:${lo}] of ${e.name} (${e.width} bits)`);
  if (lo === 0 && hi === e.width - 1) return e;
  const base = e.k === 'slice' ? e.lo : 0;
  return { k: 'slice', name: e.name, hi: base + hi, lo: base + lo, width: hi - lo + 1 };
}

export function concat(...parts: Expr[]): Expr {
  const flat = parts.filter((p) => p.width > 0);
  if (flat.length === 1) return flat[0];
  return { k: 'concat', parts: flat, width: flat.reduce((s, p) => s + p.width, 0) };
}

export function binary(k: 'add' | 'sub' | 'mul', a: Expr, b: Expr, width: number): Expr {
  if (a.width > width || b.width > width) throw new Error(`internal: ${k} operand wider than ${width}`);
  return { k, a, b, width };
}

export function negate(a: Expr, width: number): Expr {
  if (a.width > width) throw new Error('internal: neg operand too wide');
  return { k: 'neg', a, width };
}

function evalExpr(e: Expr, values: Map<string, bigint>): bigint {
  switch (e.k) {
    case 'sig':
      return values.get(e.name)!;
    case 'slice':
      return BigInt.asUintN(e.width, values.get(e.name)! >> BigInt(e.lo));
    case 'zero':
      return 0n;
    case 'const':
      return BigInt.asUintN(e.width, e.value);
    case 'concat':
      return e.parts.reduce((acc, p) => (acc << BigInt(p.width)) | evalExpr(p, values), 0n);
    case 'neg':
      return BigInt.asUintN(e.width, -evalExpr(e.a, values));
    case 'add':
      return BigInt.asUintN(e.width, evalExpr(e.a, values) + evalExpr(e.b, values));
    case 'sub':
      return BigInt.asUintN(e.width, evalExpr(e.a, values) - evalExpr(e.b, values));
    case 'mul':
      return BigInt.asUintN(e.width, evalExpr(e.a, values) * evalExpr(e.b, values));
  }
}

// ---- Verilog emission -------------------------------------------------------------------

function extend(e: Expr, width: number): string {
  const text = verilogExpr(e);
  return e.width < width ? `{${width - e.width}'d0, ${text}}` : text;
}

export function verilogExpr(e: Expr): string {
  switch (e.k) {
    case 'sig':
      return e.name;
    case 'slice':
      return `${e.name}[${e.hi}:${e.lo}]`;
    case 'zero':
      return `${e.width}'d0`;
    case 'const':
      return `${e.width}'h${BigInt.asUintN(e.width, e.value).toString(16)}`;
    case 'concat':
      return `{${e.parts.map(verilogExpr).join(', ')}}`;
    case 'neg':
      return `(${e.width}'d0 - ${extend(e.a, e.width)})`;
    case 'add':
    case 'sub':
    case 'mul': {
      const op = e.k === 'add' ? '+' : e.k === 'sub' ? '-' : '*';
      return `(${extend(e.a, e.width)} ${op} ${extend(e.b, e.width)})`;
    }
  }
}

const range = (w: number) => (w === 1 ? '' : `[${w - 1}:0] `);

/** Declarations and assignments for the template: one entry per line group. */
export function verilogBody(n: Netlist): string[] {
  const lines: string[] = [];
  const regs = n.stmts.filter((s) => s.kind === 'reg');
  for (const s of n.stmts) {
    if (s.comment) lines.push(`// ${s.comment}`);
    if (s.unusedLowBits) lines.push(`// ${s.unusedLowBits}`, '/* verilator lint_off UNUSEDSIGNAL */');
    if (s.kind === 'wire') lines.push(`wire ${range(s.width)}${s.name} = ${verilogExpr(s.expr)};`);
    else lines.push(`reg  ${range(s.width)}${s.name};`);
    if (s.unusedLowBits) lines.push('/* verilator lint_on UNUSEDSIGNAL */');
  }
  if (regs.length) {
    lines.push('', 'always @(posedge clk) begin');
    for (const r of regs) lines.push(`    ${r.name} <= ${verilogExpr(r.expr)};`);
    lines.push('end');
  }
  return lines;
}
