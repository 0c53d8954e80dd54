// Symbolic evaluation of a netlist: the exact polynomial (over bit fields of the inputs) that a
// signal equals, or is congruent to modulo a power of two — and, from it, a proof that a
// product module computes x·y (+ addends) without a solver, in BigInt only.
//
// A value is a `Val`: the hardware value V of an expression (0 ≤ V < 2^width) satisfies
// V ≡ poly (mod 2^mod) and min ≤ V ≤ max; mod = Infinity means V = poly. Atoms are bit fields
// S[hi:lo] of inputs and of statements. Every rewrite is an identity on integers given the
// checks it makes, so a passing proof is sound (a random-netlist test checks the claims):
//
//  * concat: V = Σ part·2^offset (each part < 2^its width by construction); a part known
//    modulo 2^m is known modulo 2^(m+offset) in the sum, and a sum modulo the smaller modulus.
//  * add/sub/mul/neg of width w: V = (a op b) mod 2^w. When the operands' bounds (intersected
//    with the bounds of the result polynomial, split to a common partition for a difference)
//    put the true result in [0, 2^w) it is exact; always in [−2^w, 0) or [2^w, 2^(w+1)): exact
//    after ±2^w; otherwise known only modulo 2^w, and the reason (which adder, how far its
//    operands reach) travels with the modulus. Products: (Va·Vb − Pa·Pb) is divisible by
//    2^(mod a + v2 of b's coefficients) and the symmetric bound.
//  * bits [hi:lo] of S: bits above S's highest possibly-set bit are zero; an atom S[hi:lo] lies in
//    [0, min(2^(hi−lo+1)−1, max(S) >> lo)]. When S is exact and its polynomial is wiring
//    (power-of-two-weighted atoms on disjoint bit ranges, a constant on other bits), the bits
//    are read off the layout. Otherwise the atom stays an atom (even when it covers S): values
//    are shallow, and only `flatten` expands them, in an order that keeps tile grids intact.
//  * merge: c·R·S[h1:l] + c·2^(h1+1−l)·R·S[h2:h1+1] = c·R·S[h2:l] for any product R. Modulo
//    2^m a term ≡ 0 may be added or dropped, so the partner may differ by a multiple of 2^m or
//    be missing when its coefficient is one (a truncated tile grid). Coefficients are reduced
//    to (−2^(m−1), 2^(m−1)].
//  * flatten: an atom S[hi:0] with coefficient c equals S (when it covers S's possible bits) or
//    S mod 2^(hi+1), so replacing it by S's polynomial keeps the congruence modulo
//    2^(v2(c) + min(hi+1, mod S)). One sweep down the statements, latest first: when S is
//    reached every fragment of S that can occur is present; the terms holding S are split to a
//    common partition (atoms of disjoint bit ranges; a[hi:lo] = Σ 2^(c−lo)·a[next−1:c]) and
//    merged along S alone, so a grid closes row by row even if greedy merging had left a
//    "pinwheel" of rectangles; then S is replaced one level (its own polynomial, whose atoms
//    are earlier statements, met later in the same sweep). A substitution that would lower
//    the modulus below what is needed is skipped (or, when forced, done and the reason kept).
//  * recovery: V ≡ Q (mod 2^m) with both V's and Q's bounds inside a window narrower than 2^m
//    means V = Q — a Karatsuba middle term zm − z0 − z2 computed modulo 2^w, say, is exact.
//  * comparison: both polynomials are split to a common partition of every signal's bits;
//    atoms on disjoint bit ranges are independent variables, so equal coefficients (mod 2^n)
//    mean equal values (mod 2^n). The converse need not hold, which only costs completeness.
import type { Expr, Netlist, Stmt } from '../gen/netlist.ts';

/** Bits [hi:lo] of a netlist input or of a statement's value. */
export type Atom = { sig: string; hi: number; lo: number };

/** coeff · Π atoms (atoms sorted; repeated atoms allowed; no atoms = the constant term). */
export interface Term {
  atoms: Atom[];
  coeff: bigint;
}

const atomKey = (a: Atom) => `${a.sig}[${a.hi}:${a.lo}]`;
const cmpAtom = (a: Atom, b: Atom) => (a.sig < b.sig ? -1 : a.sig > b.sig ? 1 : a.lo - b.lo || a.hi - b.hi);
const monoKey = (atoms: Atom[]) => atoms.map(atomKey).join('·');

const pow2 = (k: number) => 1n << BigInt(k);
const mask = (w: number) => (w <= 0 ? 0n : (1n << BigInt(w)) - 1n);
const bitLen = (v: bigint) => (v <= 0n ? 0 : v.toString(2).length);
/** 2-adic valuation; Infinity for 0. */
const v2 = (c: bigint): number => {
  if (c === 0n) return Infinity;
  const a = c < 0n ? -c : c;
  return bitLen(a & -a) - 1;
};
const isPow2 = (v: bigint) => v > 0n && (v & (v - 1n)) === 0n;
const minB = (a: bigint, b: bigint) => (a < b ? a : b);
const maxB = (a: bigint, b: bigint) => (a > b ? a : b);

/** Σ coeff·monomial with BigInt coefficients; immutable. */
export class Poly {
  private constructor(private readonly m: Map<string, Term>) {}

  static zero(): Poly {
    return new Poly(new Map());
  }
  static constant(c: bigint): Poly {
    return Poly.fromTerms([{ atoms: [], coeff: c }]);
  }
  static atom(sig: string, hi: number, lo: number): Poly {
    if (hi < lo || lo < 0) throw new Error(`internal: atom ${sig}[${hi}:${lo}]`);
    return Poly.fromTerms([{ atoms: [{ sig, hi, lo }], coeff: 1n }]);
  }
  /** All bits of a `width`-bit input: `name[width-1:0]`. */
  static input(name: string, width: number): Poly {
    return Poly.atom(name, width - 1, 0);
  }
  /** Terms whose atoms are already sorted (internal). */
  static fromSortedTerms(terms: Iterable<Term>): Poly {
    const m = new Map<string, Term>();
    for (const t of terms) accumulate(m, t.atoms, t.coeff);
    return new Poly(m);
  }
  static fromTerms(terms: Iterable<Term>): Poly {
    const m = new Map<string, Term>();
    for (const t of terms) accumulate(m, [...t.atoms].sort(cmpAtom), t.coeff);
    return new Poly(m);
  }

  get size(): number {
    return this.m.size;
  }
  terms(): Term[] {
    return [...this.m.values()];
  }
  isZero(): boolean {
    return this.m.size === 0;
  }
  /** Coefficient of the monomial with exactly these atoms. */
  coeff(atoms: Atom[]): bigint {
    return this.m.get(monoKey([...atoms].sort(cmpAtom)))?.coeff ?? 0n;
  }
  degree(): number {
    let d = 0;
    for (const t of this.m.values()) d = Math.max(d, t.atoms.length);
    return d;
  }

  add(o: Poly): Poly {
    const m = new Map(this.m);
    for (const t of o.m.values()) accumulate(m, t.atoms, t.coeff);
    return new Poly(m);
  }
  sub(o: Poly): Poly {
    const m = new Map(this.m);
    for (const t of o.m.values()) accumulate(m, t.atoms, -t.coeff);
    return new Poly(m);
  }
  neg(): Poly {
    return this.scale(-1n);
  }
  scale(c: bigint): Poly {
    const m = new Map<string, Term>();
    if (c !== 0n) for (const [k, t] of this.m) m.set(k, { atoms: t.atoms, coeff: t.coeff * c });
    return new Poly(m);
  }
  shl(s: number): Poly {
    return s === 0 ? this : this.scale(pow2(s));
  }
  mul(o: Poly): Poly {
    const m = new Map<string, Term>();
    for (const a of this.m.values()) {
      for (const b of o.m.values()) {
        const atoms = a.atoms.length === 0 ? b.atoms : b.atoms.length === 0 ? a.atoms : [...a.atoms, ...b.atoms].sort(cmpAtom);
        accumulate(m, atoms, a.coeff * b.coeff);
      }
    }
    return new Poly(m);
  }
  /** Smallest 2-adic valuation of a coefficient (Infinity for the zero polynomial). */
  minV2(): number {
    let r = Infinity;
    for (const t of this.m.values()) r = Math.min(r, v2(t.coeff));
    return r;
  }
  /** Value for given atom values (`value(sig)` is the whole signal; atoms take its bits). */
  evaluate(value: (sig: string) => bigint): bigint {
    let s = 0n;
    for (const t of this.m.values()) {
      let p = t.coeff;
      for (const a of t.atoms) p *= (value(a.sig) >> BigInt(a.lo)) & mask(a.hi - a.lo + 1);
      s += p;
    }
    return s;
  }
  toString(): string {
    if (this.m.size === 0) return '0';
    return sortTerms(this.terms()).map((t) => fmtTerm(t.atoms, t.coeff)).join(' + ').replace(/\+ -/g, '- ');
  }
}

/** Accumulates terms (atoms already sorted) without copying the map each time. */
class PolyBuilder {
  readonly m = new Map<string, Term>();
  add(p: Poly): this {
    for (const t of p.terms()) accumulate(this.m, t.atoms, t.coeff);
    return this;
  }
  term(t: Term): this {
    accumulate(this.m, t.atoms, t.coeff);
    return this;
  }
  build(): Poly {
    return Poly.fromSortedTerms(this.m.values());
  }
}

function accumulate(m: Map<string, Term>, atoms: Atom[], coeff: bigint) {
  if (coeff === 0n) return;
  const k = monoKey(atoms);
  const old = m.get(k);
  const c = (old?.coeff ?? 0n) + coeff;
  if (c === 0n) m.delete(k);
  else m.set(k, { atoms, coeff: c });
}

/** Bit position of a term's lowest weight: Σ atom.lo + v2(coefficient). */
const termPos = (atoms: Atom[], c: bigint) => atoms.reduce((s, a) => s + a.lo, 0) + (c === 0n ? 0 : v2(c));
const sortTerms = (ts: Term[]) => [...ts].sort((a, b) => termPos(a.atoms, a.coeff) - termPos(b.atoms, b.coeff) || (monoKey(a.atoms) < monoKey(b.atoms) ? -1 : 1));

// ---- formatting ------------------------------------------------------------------------------

function log2Approx(v: bigint): number {
  const s = Math.max(0, bitLen(v) - 53);
  return Math.log2(Number(v >> BigInt(s))) + s;
}

/** A BigInt for a message: small numbers plainly, 2^k, 2^k − 1, odd·2^k, else ≈2^k.kk. */
export function fmtBig(v: bigint): string {
  if (v < 0n) return `-${fmtBig(-v)}`;
  if (v < 65536n) return v.toString();
  if (isPow2(v)) return `2^${bitLen(v) - 1}`;
  if (isPow2(v + 1n)) return `2^${bitLen(v)} - 1`;
  const tz = v2(v);
  if (v >> BigInt(tz) < 65536n) return `${v >> BigInt(tz)}·2^${tz}`;
  return `~2^${log2Approx(v).toFixed(2)}`;
}

/** v ≥ 2^w as "2^w + rest". */
function fmtReach(v: bigint, w: number): string {
  const ex = v - pow2(w);
  if (ex < 0n) return fmtBig(v);
  return ex === 0n ? `2^${w}` : `2^${w} + ${fmtBig(ex)}`;
}

function fmtCoeff(c: bigint): string {
  if (c === 1n) return '1';
  return fmtBig(c);
}

function fmtTerm(atoms: Atom[], c: bigint): string {
  const mono = atoms.map(atomKey).join('·');
  if (!mono) return fmtBig(c);
  if (c === 1n) return mono;
  if (c === -1n) return `-${mono}`;
  return `${mono}·${fmtCoeff(c)}`;
}

// ---- the evaluator ---------------------------------------------------------------------------

export class SymbolicFailure extends Error {
  constructor(message: string, readonly problems: string[] = [message]) {
    super(message);
    this.name = 'SymbolicFailure';
  }
}

/** What a signal equals: poly exactly (modBits = Infinity) or modulo 2^modBits; min ≤ value ≤ max. */
export interface SymResult {
  poly: Poly;
  modBits: number;
  min: bigint;
  max: bigint;
  /** Why the value is only known modulo 2^modBits (the operation that set the modulus). */
  why?: string;
}

interface Val {
  poly: Poly;
  mod: number;
  why: string;
  min: bigint;
  max: bigint;
}

const exact = (poly: Poly, min: bigint, max: bigint): Val => ({ poly, mod: Infinity, why: '', min, max });
const ZERO: Val = exact(Poly.zero(), 0n, 0n);

/** The modulus of `v` lowered to `m` (when smaller), with the reason. */
const lowered = (v: Val, m: number, why: string): Val => (m < v.mod ? { ...v, mod: m, why } : v);

type Layout = { pieces: { at: number; atom: Atom }[]; constant: bigint } | null;

/**
 * Symbolic values of a netlist's signals (memoised; make a new one after editing the netlist).
 * `value` keeps fragments of other signals as atoms when that keeps the value exact; `flatten`
 * traces them back to the inputs.
 */
export class SymbolicEvaluator {
  private readonly stmts = new Map<string, { stmt: Stmt; index: number }>();
  private readonly inputs = new Map<string, number>();
  private readonly vals = new Map<string, Val>();
  private readonly layouts = new Map<string, Layout>();
  private readonly flats = new Map<string, Val>();
  private readonly recoveries = new Map<string, Val | null>();

  constructor(readonly net: Netlist) {
    for (const i of net.inputs) this.inputs.set(i.name, i.width);
    net.stmts.forEach((stmt, index) => this.stmts.set(stmt.name, { stmt, index }));
  }

  /** Value of a signal with fragments of other signals kept as atoms where that stays exact. */
  value(name: string): SymResult {
    return toResult(this.val(name));
  }

  /**
   * Value traced back to the inputs as far as possible: fragments are replaced by their
   * sources when that keeps the value known modulo 2^modBits (default: the signal's width,
   * which determines the signal), and then also when it does not (lowering the modulus,
   * with the reason) — so what remains are inputs' atoms and slices that cannot be traced.
   */
  flatten(name: string, modBits?: number): SymResult {
    const t = modBits ?? this.widthOf(name);
    return toResult(this.flattenSignal(name, t, true));
  }

  /** The top expression of `name` with slices of other signals kept as atoms (no tracing). */
  rawValue(name: string): SymResult {
    const st = this.stmts.get(name);
    if (!st) return this.value(name);
    this.ensure(name);
    return toResult(this.truncate(st.stmt, this.evalExpr(st.stmt.expr, name, true)));
  }

  widthOf(name: string): number {
    const w = this.inputs.get(name) ?? this.stmts.get(name)?.stmt.width;
    if (w === undefined) throw new Error(`symbolic: no signal ${name}`);
    return w;
  }

  isStmt(name: string): boolean {
    return this.stmts.has(name);
  }

  stmtIndex(name: string): number {
    return this.stmts.get(name)?.index ?? -1;
  }

  // -- evaluation ---------------------------------------------------------------------------

  private val(name: string): Val {
    if (this.inputs.has(name)) {
      const w = this.inputs.get(name)!;
      return exact(Poly.input(name, w), 0n, mask(w));
    }
    this.ensure(name);
    return this.vals.get(name)!;
  }

  /** Evaluates the statements `name` depends on, in definition order (no deep recursion). */
  private ensure(name: string) {
    if (this.vals.has(name) || this.inputs.has(name)) return;
    if (!this.stmts.has(name)) throw new Error(`symbolic: no signal ${name}`);
    const cone = new Set<string>();
    const todo = [name];
    while (todo.length) {
      const n = todo.pop()!;
      if (cone.has(n) || this.vals.has(n) || this.inputs.has(n)) continue;
      const st = this.stmts.get(n);
      if (!st) throw new Error(`symbolic: ${n} is used but never defined`);
      cone.add(n);
      refs(st.stmt.expr, todo);
    }
    const sorted = [...cone].sort((a, b) => this.stmts.get(a)!.index - this.stmts.get(b)!.index);
    for (const n of sorted) {
      const { stmt, index } = this.stmts.get(n)!;
      const used: string[] = [];
      refs(stmt.expr, used);
      for (const u of used) {
        if (!this.inputs.has(u) && this.stmts.get(u)!.index >= index) throw new Error(`symbolic: ${n} uses ${u}, defined after it`);
      }
      this.vals.set(n, this.truncate(stmt, this.evalExpr(stmt.expr, n, false)));
    }
  }

  /** The statement's declared width truncates its expression (as a Verilog assignment does). */
  private truncate(stmt: Stmt, r: Val): Val {
    const w = stmt.width;
    if (r.max <= mask(w)) return r;
    const v = lowered({ ...r, min: 0n, max: mask(w) }, w, `signal ${stmt.name} (${w} bits) is assigned a value that can reach ${fmtReach(r.max, w)}: it is truncated`);
    return v;
  }

  private evalExpr(e: Expr, ctx: string, raw: boolean): Val {
    switch (e.k) {
      case 'sig':
        return this.bits(e.name, e.width - 1, 0, raw);
      case 'slice':
        return this.bits(e.name, e.hi, e.lo, raw);
      case 'zero':
        return ZERO;
      case 'const': {
        const v = BigInt.asUintN(e.width, e.value);
        return exact(Poly.constant(v), v, v);
      }
      case 'concat': {
        let poly = Poly.zero();
        let r: Val = ZERO;
        let off = 0;
        let min = 0n;
        let max = 0n;
        for (let i = e.parts.length - 1; i >= 0; i--) {
          const p = e.parts[i];
          const pv = this.evalExpr(p, ctx, raw);
          poly = poly.add(pv.poly.shl(off));
          r = lowered(r, pv.mod + off, pv.why);
          min += pv.min << BigInt(off);
          max += pv.max << BigInt(off);
          off += p.width;
        }
        return this.tighten({ poly: this.normalize(poly, r.mod), mod: r.mod, why: r.why, min, max }, false);
      }
      case 'add':
      case 'sub':
      case 'mul':
        return this.binary(e.k, this.evalExpr(e.a, ctx, false), this.evalExpr(e.b, ctx, false), e.width, ctx);
      case 'neg':
        return this.negate(this.evalExpr(e.a, ctx, false), e.width, ctx);
    }
  }

  private binary(k: 'add' | 'sub' | 'mul', a: Val, b: Val, w: number, ctx: string): Val {
    const top = pow2(w);
    if (k === 'add') {
      const poly = this.normalize(a.poly.add(b.poly), Math.min(a.mod, b.mod));
      const base = this.tighten(lowered({ poly, mod: a.mod, why: a.why, min: a.min + b.min, max: a.max + b.max }, b.mod, b.why), false);
      if (base.max < top) return base;
      if (base.min >= top && base.max < 2n * top) return { ...base, poly: poly.sub(Poly.constant(top)), min: base.min - top, max: base.max - top };
      return lowered({ ...base, min: 0n, max: mask(w) }, w, `adder ${ctx} (${w} bits) can reach ${fmtReach(base.max, w)}: the sum is truncated`);
    }
    if (k === 'sub') {
      const poly = this.canonicalInputs(this.normalize(a.poly.sub(b.poly), Math.min(a.mod, b.mod)), Math.min(a.mod, b.mod));
      const base = this.tighten(lowered({ poly, mod: a.mod, why: a.why, min: a.min - b.max, max: a.max - b.min }, b.mod, b.why), true);
      const { min, max } = base;
      if (min >= 0n && max < top) return base;
      if (max < 0n && min >= -top) return { ...base, poly: poly.add(Poly.constant(top)), min: min + top, max: max + top };
      const why = min < 0n
        ? `subtractor ${ctx} (${w} bits) can go negative (down to ${fmtBig(min)}): the difference wraps modulo 2^${w}`
        : `subtractor ${ctx} (${w} bits) can reach ${fmtReach(max, w)}: the difference is truncated`;
      return lowered({ ...base, min: 0n, max: mask(w) }, w, why);
    }
    // (Va·Vb − Pa·Pb) = (Va − Pa)·Vb + Pa·(Vb − Pb): each part divisible by the modulus of one
    // operand times the common power of two of the other's coefficients (Vb = Pb when exact).
    const ma = a.mod + (b.mod === Infinity ? b.poly.minV2() : 0);
    const mb = b.mod + a.poly.minV2();
    const poly = this.normalize(a.poly.mul(b.poly), Math.min(ma, mb));
    const base = this.tighten(lowered({ poly, mod: ma, why: a.why, min: a.min * b.min, max: a.max * b.max }, mb, b.why), false);
    if (base.max < top) return base;
    return lowered({ ...base, min: 0n, max: mask(w) }, w, `multiplier ${ctx} (${w} bits) can reach ${fmtReach(base.max, w)}: the product is truncated`);
  }

  private negate(a: Val, w: number, ctx: string): Val {
    const top = pow2(w);
    if (a.max === 0n) return ZERO;
    if (a.min >= 1n && a.max <= top) return { ...a, poly: Poly.constant(top).sub(a.poly), min: top - a.max, max: top - a.min };
    return lowered({ ...a, poly: a.poly.neg(), min: 0n, max: mask(w) }, w, `negation in ${ctx} (${w} bits) wraps modulo 2^${w}`);
  }

  /** An exact value also lies within its polynomial's bounds (split to a common partition: `tight`). */
  private tighten(v: Val, tight: boolean): Val {
    if (v.mod !== Infinity) return v;
    const [pl, ph] = tight ? this.tightBounds(v.poly) : this.polyBounds(v.poly);
    return pl > v.min || ph < v.max ? { ...v, min: maxB(v.min, pl), max: minB(v.max, ph) } : v;
  }

  /**
   * A statement known only modulo 2^m may still be exact: V ≡ Q (mod 2^m) with V − Q confined
   * to (−2^m, 2^m) means V = Q (V from the statement's bounds, Q's from its terms). Q is the
   * statement's polynomial traced back as far as that keeps the modulus, split to a common
   * partition with coefficients reduced modulo 2^m. Tried when tracing needs more bits of the
   * statement than its modulus gives (a Karatsuba middle term zm − z0 − z2 computed modulo
   * 2^w, say); memoised.
   */
  private recovered(name: string): Val | null {
    if (this.recoveries.has(name)) return this.recoveries.get(name)!;
    this.recoveries.set(name, null);
    const v = this.val(name);
    let r: Val | null = null;
    if (v.mod !== Infinity) {
      const f = this.flattenPoly(v.poly, v.mod, v.why, v.mod, false);
      const q = reduceMod(refine(f.poly, cutsOf([f.poly])), f.mod);
      const [ql, qh] = this.polyBounds(q);
      const win = pow2(f.mod);
      if (v.max - ql < win && qh - v.min < win) {
        const poly = this.mergeFix(q, (s) => this.inputs.has(s), Infinity) ?? q;
        r = exact(poly, maxB(v.min, ql), minB(v.max, qh));
      }
    }
    this.recoveries.set(name, r);
    return r;
  }

  /** Bits [hi:lo] of a signal, exactly. */
  private bits(name: string, hi: number, lo: number, raw: boolean): Val {
    if (this.inputs.has(name)) {
      const h = Math.min(hi, this.inputs.get(name)! - 1);
      if (lo > h) return ZERO;
      return exact(Poly.atom(name, h, lo), 0n, mask(h - lo + 1));
    }
    const v = this.val(name);
    if (v.max === 0n) return ZERO;
    const top = bitLen(v.max) - 1;
    const h = Math.min(hi, top);
    if (lo > h) return ZERO;
    const covering = lo === 0 && h === top;
    const amin = covering ? v.min : 0n;
    const amax = minB(mask(h - lo + 1), v.max >> BigInt(lo));
    if (!raw && v.mod === Infinity) {
      const layout = this.layout(name, v);
      if (layout) return exact(this.sliceLayout(layout, h, lo), amin, amax);
    }
    return exact(Poly.atom(name, h, lo), amin, amax);
  }

  /** Exact wiring: power-of-two-weighted atoms on disjoint bit ranges, and a constant. */
  private layout(name: string, v: Val): Layout {
    if (this.layouts.has(name)) return this.layouts.get(name)!;
    let result: Layout = { pieces: [], constant: 0n };
    let occ = 0n;
    for (const t of v.poly.terms()) {
      if (t.atoms.length === 0) {
        if (t.coeff < 0n) { result = null; break; }
        result.constant = t.coeff;
        continue;
      }
      if (t.atoms.length !== 1 || !isPow2(t.coeff)) { result = null; break; }
      const a = t.atoms[0];
      const at = bitLen(t.coeff) - 1;
      const m = mask(a.hi - a.lo + 1) << BigInt(at);
      if (occ & m) { result = null; break; }
      occ |= m;
      result.pieces.push({ at, atom: a });
    }
    if (result && result.constant & occ) result = null;
    this.layouts.set(name, result);
    return result;
  }

  private sliceLayout(l: NonNullable<Layout>, hi: number, lo: number): Poly {
    let p = Poly.constant((l.constant >> BigInt(lo)) & mask(hi - lo + 1));
    for (const { at, atom } of l.pieces) {
      const aw = atom.hi - atom.lo + 1;
      const s = Math.max(lo, at);
      const e = Math.min(hi, at + aw - 1);
      if (s > e) continue;
      p = p.add(this.bits(atom.sig, atom.lo + (e - at), atom.lo + (s - at), false).poly.shl(s - lo));
    }
    return p;
  }

  // -- polynomial rewriting -------------------------------------------------------------------

  /**
   * Merges adjacent fragments of every signal (greedy; only bit ranges are rewritten, nothing
   * is expanded, so `flatten` can always split them again). With `mod` finite, terms ≡ 0
   * (mod 2^mod) may be added or dropped freely.
   */
  private normalize(p0: Poly, mod = Infinity): Poly {
    const p = reduceMod(p0, mod);
    return this.mergeFix(p, () => true, mod) ?? p;
  }

  /**
   * Merges the fragments of `S` in the terms that contain S, after splitting those terms to a
   * common partition (so that equal co-factors compare equal, and a grid that greedy merging
   * left as a "pinwheel" of rectangles closes again row by row).
   */
  private resolve(p: Poly, S: string, mod: number): Poly {
    const withS: Term[] = [];
    const others: Term[] = [];
    for (const t of p.terms()) (t.atoms.some((a) => a.sig === S) ? withS : others).push(t);
    if (withS.length === 0) return p;
    const w = Poly.fromTerms(withS);
    const refined = refine(w, cutsOf([w]));
    const merged = this.mergeFix(refined, (s) => s === S, mod) ?? refined;
    const out = new PolyBuilder().add(merged);
    for (const t of others) out.term(t);
    return reduceMod(out.build(), mod);
  }

  /** Merges along the signals `along` accepts to a fixed point; null when nothing merged. */
  private mergeFix(p: Poly, along: (sig: string) => boolean, mod: number): Poly | null {
    let cur = p;
    let any = false;
    for (let guard = 0; guard < 100000; guard++) {
      const next = this.mergePass(cur, along, mod);
      if (!next) return any ? cur : null;
      cur = next;
      any = true;
    }
    throw new Error('internal: symbolic merge does not converge');
  }

  /**
   * One pass of c·R·S[h1:l] + c·2^(h1+1−l)·R·S[h2:h1+1] → c·R·S[h2:l]. Modulo 2^mod the
   * partner may differ by a multiple of 2^mod, or be missing when its coefficient is one
   * (then the fragment extends to S's top bit).
   */
  private mergePass(p: Poly, along: (sig: string) => boolean, mod: number): Poly | null {
    const terms = p.terms();
    if (terms.length === 0) return null;
    const M = mod === Infinity ? 0n : pow2(mod);
    const zeroMod = (c: bigint) => (M === 0n ? c === 0n : c % M === 0n);
    const rests = terms.map((t) => t.atoms.map((_, i) => monoKey(t.atoms.filter((_, j) => j !== i))));
    const index = new Map<string, [number, number][]>();
    terms.forEach((t, ti) => t.atoms.forEach((a, j) => {
      if (!along(a.sig)) return;
      const k = `${rests[ti][j]}|${a.sig}|${a.lo}`;
      const list = index.get(k);
      if (list) list.push([ti, j]);
      else index.set(k, [[ti, j]]);
    }));
    const used = new Uint8Array(terms.length);
    const out = new PolyBuilder();
    let merged = false;
    for (let ti = 0; ti < terms.length; ti++) {
      if (used[ti]) continue;
      const t = terms[ti];
      let done = false;
      for (let j = 0; j < t.atoms.length && !done; j++) {
        const a = t.atoms[j];
        if (!along(a.sig)) continue;
        const want = t.coeff << BigInt(a.hi + 1 - a.lo);
        for (const [uk, jk] of index.get(`${rests[ti][j]}|${a.sig}|${a.hi + 1}`) ?? []) {
          if (uk === ti || used[uk]) continue;
          const u = terms[uk];
          if (!zeroMod(u.coeff - want)) continue;
          used[ti] = 1;
          used[uk] = 1;
          const rest = Poly.fromTerms([{ atoms: t.atoms.filter((_, i) => i !== j), coeff: t.coeff }]);
          out.add(rest.mul(this.bits(a.sig, u.atoms[jk].hi, a.lo, false).poly));
          done = true;
          break;
        }
        if (done || M === 0n || !zeroMod(want) || !this.stmts.has(a.sig)) continue;
        const top = this.topBit(a.sig);
        if (a.hi >= top) continue;
        used[ti] = 1;
        const rest = Poly.fromTerms([{ atoms: t.atoms.filter((_, i) => i !== j), coeff: t.coeff }]);
        out.add(rest.mul(this.bits(a.sig, top, a.lo, false).poly));
        done = true;
      }
      if (done) merged = true;
    }
    if (!merged) return null;
    terms.forEach((t, i) => { if (!used[i]) out.term(t); });
    return reduceMod(out.build(), mod);
  }

  /** Input atoms split to a common partition (so that equal terms cancel), then merged again. */
  private canonicalInputs(p: Poly, mod: number): Poly {
    const all = cutsOf([p]);
    const cuts = new Map([...all].filter(([k]) => this.inputs.has(k)));
    const r = reduceMod(refine(p, cuts), mod);
    return this.mergeFix(r, (s) => this.inputs.has(s), mod) ?? r;
  }

  /**
   * A polynomial given over atoms (a proof target, say) in the form `flatten` gives values:
   * each atom read through its signal (zero bits above the highest that can be set, wiring
   * looked through), then traced as far as that keeps it modulo 2^modBits. Same value.
   */
  canonical(p: Poly, modBits: number): SymResult {
    const b = new PolyBuilder();
    for (const t of p.terms()) {
      let q = Poly.constant(t.coeff);
      for (const a of t.atoms) q = q.mul(this.bits(a.sig, a.hi, a.lo, false).poly);
      b.add(q);
    }
    return toResult(this.flattenPoly(b.build(), Infinity, '', modBits, false));
  }

  /** Highest bit of a signal that can be set. */
  private topBit(name: string): number {
    if (this.inputs.has(name)) return this.inputs.get(name)! - 1;
    return bitLen(this.val(name).max) - 1;
  }

  /**
   * Replaces atoms S[hi:0] by S's polynomial, latest statement first — so every fragment of
   * S that can occur is already there — after merging S's fragments (split to a common
   * partition first). One sweep over the whole cone: a partial sum is never expanded on its
   * own (that would commit a half-finished tile grid to one form). Keeps the result known modulo 2^target; with `force`, also substitutes
   * when that lowers the modulus. What remains: inputs' atoms and untraceable slices.
   */
  private flattenPoly(p0: Poly, mod0: number, why0: string, target: number, force: boolean): Val {
    let r: Val = { poly: p0, mod: mod0, why: why0, min: 0n, max: 0n };
    // The polynomial as a mutable map, indexed by the statements its atoms belong to.
    const terms = new Map<string, Term>();
    const bySig: Set<string>[] = [];
    let high = -1;
    const put = (t: Term) => {
      const k = monoKey(t.atoms);
      const old = terms.get(k);
      const c = (old?.coeff ?? 0n) + t.coeff;
      if (c === 0n || (r.mod !== Infinity && c % pow2(r.mod) === 0n)) { if (old) terms.delete(k); return; }
      terms.set(k, { atoms: t.atoms, coeff: c });
      if (old) return;
      for (const a of t.atoms) {
        const i = this.stmts.get(a.sig)?.index;
        if (i === undefined) continue;
        (bySig[i] ??= new Set()).add(k);
        if (i > high) high = i;
      }
    };
    const take = (i: number): Term[] => {
      const out: Term[] = [];
      for (const k of bySig[i] ?? []) {
        const t = terms.get(k);
        if (t && t.atoms.some((a) => this.stmts.get(a.sig)?.index === i)) { out.push(t); terms.delete(k); }
      }
      bySig[i] = new Set();
      return out;
    };
    for (const t of this.normalize(p0, mod0).terms()) put(t);
    // Downwards through the statements: substituting S only brings in earlier ones.
    for (let i = high; i >= 0; i--) {
      if (!bySig[i]?.size) continue;
      const mine = take(i);
      if (mine.length === 0) continue;
      const S = this.net.stmts[i].name;
      let sv = this.val(S);
      const top = bitLen(sv.max) - 1;
      const needExact = () => {
        if (sv.mod === Infinity) return;
        const rec = this.recovered(S);
        if (rec) sv = rec;
      };
      const kept = new Set<string>();
      let todo = this.resolve(Poly.fromSortedTerms(mine), S, r.mod).terms();
      while (todo.length) {
        const next: Term[] = [];
        for (const t of todo) {
          const cv = v2(t.coeff);
          const j = t.atoms.findIndex((a) => a.sig === S && a.lo === 0 && !kept.has(`${atomKey(a)}|${cv}`));
          if (j < 0) { put(t); continue; }
          const a = t.atoms[j];
          const partial = a.hi < top;
          const need = target - cv;
          // One level at a time: S's own polynomial, whose atoms are all of earlier signals
          // and are processed later in this same sweep, together with every other fragment.
          if ((partial ? Math.min(a.hi + 1, sv.mod) : sv.mod) < need) needExact();
          const m = partial ? Math.min(a.hi + 1, sv.mod) : sv.mod;
          if (!force && m < need) {
            kept.add(`${atomKey(a)}|${cv}`);
            next.push(t);
            continue;
          }
          const rest = Poly.fromSortedTerms([{ atoms: t.atoms.filter((_, x) => x !== j), coeff: t.coeff }]);
          // The same atom may occur again in the term (a square): substitute it in the next round.
          next.push(...rest.mul(sv.poly).terms());
          if (partial && a.hi + 1 < sv.mod) {
            r = lowered(r, cv + a.hi + 1, `only bits [${a.hi}:0] of ${S} are used, and ${S} can reach ${fmtReach(sv.max, a.hi + 1)}`);
          } else {
            r = lowered(r, cv + sv.mod, sv.why);
          }
        }
        todo = next;
      }
    }
    let p = reduceMod(Poly.fromSortedTerms(terms.values()), r.mod);
    p = this.mergeFix(p, (s) => this.inputs.has(s), r.mod) ?? p;
    return { ...r, poly: p };
  }

  private flattenSignal(name: string, target: number, force: boolean): Val {
    const v = this.val(name);
    if (!this.stmts.has(name)) return v;
    const key = `${name}|${target}|${force}`;
    const hit = this.flats.get(key);
    if (hit) return hit;
    const w = v.mod === Infinity ? v : this.recovered(name) ?? v;
    const f = this.flattenPoly(w.poly, w.mod, w.why, target, force);
    const r = { ...f, min: w.min, max: w.max };
    this.flats.set(key, r);
    return r;
  }

  // -- bounds ---------------------------------------------------------------------------------

  private atomBounds(a: Atom): [bigint, bigint] {
    if (this.inputs.has(a.sig)) return [0n, mask(a.hi - a.lo + 1)];
    const v = this.val(a.sig);
    const top = bitLen(v.max) - 1;
    const mx = minB(mask(a.hi - a.lo + 1), v.max >> BigInt(a.lo));
    return [a.lo === 0 && a.hi >= top ? v.min : 0n, mx];
  }

  /** Bounds of a polynomial, each monomial bounded on its own (atoms are ≥ 0). */
  polyBounds(p: Poly): [bigint, bigint] {
    let lo = 0n;
    let hi = 0n;
    for (const t of p.terms()) {
      let pl = t.coeff;
      let ph = t.coeff;
      for (const a of t.atoms) {
        const [al, ah] = this.atomBounds(a);
        pl *= al;
        ph *= ah;
      }
      if (t.coeff > 0n) { lo += pl; hi += ph; } else { lo += ph; hi += pl; }
    }
    return [lo, hi];
  }

  /** Bounds as given and after splitting atoms to a common partition (where terms cancel). */
  tightBounds(p: Poly): [bigint, bigint] {
    const [l1, h1] = this.polyBounds(p);
    const [l2, h2] = this.polyBounds(refine(p, cutsOf([p])));
    return [maxB(l1, l2), minB(h1, h2)];
  }
}

/** Coefficients reduced to (−2^(mod−1), 2^(mod−1)]: the same value modulo 2^mod. */
function reduceMod(p: Poly, mod: number): Poly {
  if (mod === Infinity) return p;
  const M = pow2(mod);
  let change = false;
  const terms = p.terms().map((t) => {
    let c = ((t.coeff % M) + M) % M;
    if (c > M / 2n) c -= M;
    if (c !== t.coeff) change = true;
    return { atoms: t.atoms, coeff: c };
  });
  return change ? Poly.fromTerms(terms) : p;
}

function toResult(v: Val): SymResult {
  return { poly: v.poly, modBits: v.mod, min: v.min, max: v.max, ...(v.why ? { why: v.why } : {}) };
}

function refs(e: Expr, out: string[]) {
  switch (e.k) {
    case 'sig':
    case 'slice':
      out.push(e.name);
      return;
    case 'concat':
      for (const p of e.parts) refs(p, out);
      return;
    case 'zero':
    case 'const':
      return;
    case 'neg':
      refs(e.a, out);
      return;
    default:
      refs(e.a, out);
      refs(e.b, out);
  }
}

// ---- common partition --------------------------------------------------------------------------

/** Every bit boundary (lo and hi+1) of every atom, per signal. */
export function cutsOf(polys: Poly[]): Map<string, number[]> {
  const sets = new Map<string, Set<number>>();
  for (const p of polys) {
    for (const t of p.terms()) {
      for (const a of t.atoms) {
        let s = sets.get(a.sig);
        if (!s) sets.set(a.sig, (s = new Set()));
        s.add(a.lo);
        s.add(a.hi + 1);
      }
    }
  }
  const out = new Map<string, number[]>();
  for (const [k, s] of sets) out.set(k, [...s].sort((a, b) => a - b));
  return out;
}

/** Splits every atom at the given boundaries: a[hi:lo] = Σ 2^(c−lo)·a[next−1:c]. */
export function refine(p: Poly, cuts: Map<string, number[]>): Poly {
  const split = (a: Atom): Poly => {
    const cs = (cuts.get(a.sig) ?? []).filter((c) => c > a.lo && c <= a.hi);
    if (cs.length === 0) return Poly.atom(a.sig, a.hi, a.lo);
    const bounds = [a.lo, ...cs, a.hi + 1];
    const terms: Term[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) terms.push({ atoms: [{ sig: a.sig, hi: bounds[i + 1] - 1, lo: bounds[i] }], coeff: pow2(bounds[i] - a.lo) });
    return Poly.fromTerms(terms);
  };
  const out = new PolyBuilder();
  for (const t of p.terms()) {
    if (t.atoms.every((a) => !(cuts.get(a.sig) ?? []).some((c) => c > a.lo && c <= a.hi))) { out.term(t); continue; }
    let q = Poly.constant(t.coeff);
    for (const a of t.atoms) q = q.mul(split(a));
    out.add(q);
  }
  return out.build();
}

/** a ≡ b coefficient by coefficient (mod 2^modBits) once both are split to a common partition. */
export function samePoly(a: Poly, b: Poly, modBits = Infinity): boolean {
  const cuts = cutsOf([a, b]);
  return reduceMod(refine(a.sub(b), cuts), modBits).isZero();
}

// ---- entry points ------------------------------------------------------------------------------

/**
 * The polynomial `signal` equals (modBits = Infinity) or is congruent to modulo 2^modBits,
 * traced back to the inputs (pass `{ flatten: false }` to keep fragments of other signals
 * as atoms; `modBits` sets the modulus worth keeping while tracing, default the signal width).
 */
export function symbolicValue(net: Netlist, signal: string, opts: { flatten?: boolean; modBits?: number } = {}): SymResult {
  const ev = new SymbolicEvaluator(net);
  return opts.flatten === false ? ev.value(signal) : ev.flatten(signal, opts.modBits);
}

/**
 * Proves `outSignal ≡ target (mod 2^modBits)`; with `outLo > 0`, that `outSignal` carries
 * bits [outLo, modBits) of target mod 2^modBits. Throws SymbolicFailure naming the first
 * mismatch (a term missing, counted twice, at the wrong weight, or a truncation).
 */
export function proveProduct(net: Netlist, outSignal: string, target: Poly, modBits: number, opts: { outLo?: number } = {}): void {
  const ev = new SymbolicEvaluator(net);
  const outLo = opts.outLo ?? 0;
  const problems: string[] = [];
  let got: SymResult | null = null;
  let what = outSignal;
  if (outLo > 0) {
    // out = bits [hi:lo] of some signal S: prove S·2^k ≡ target with k = outLo − lo.
    const raw = ev.rawValue(outSignal);
    const ts = raw.poly.terms();
    if (raw.modBits === Infinity && ts.length === 1 && ts[0].coeff === 1n && ts[0].atoms.length === 1 && ts[0].atoms[0].lo > 0) {
      const a = ts[0].atoms[0];
      const k = outLo - a.lo;
      if (k >= 0) {
        const s = ev.flatten(a.sig, modBits - k);
        if (s.max >= pow2(a.hi + 1)) problems.push(`${outSignal} takes bits [${a.hi}:${a.lo}] of ${a.sig}, which can reach ${fmtReach(s.max, a.hi + 1)}: its top bits are dropped`);
        if (s.max << BigInt(k) >= pow2(modBits)) problems.push(`${a.sig}·2^${k} can reach ${fmtReach(s.max << BigInt(k), modBits)}, beyond the ${modBits}-bit result`);
        got = { ...s, poly: s.poly.shl(k), modBits: s.modBits + k };
        what = `${a.sig} (bits [${a.hi}:${a.lo}] of it are ${outSignal})`;
      }
    }
  }
  if (!got) {
    const o = ev.flatten(outSignal, modBits - outLo);
    if (outLo > 0 && o.max >= pow2(modBits - outLo)) problems.push(`${outSignal} can reach ${fmtReach(o.max, modBits - outLo)}, more than bits [${modBits - 1}:${outLo}] hold`);
    got = { ...o, poly: o.poly.shl(outLo), modBits: o.modBits + outLo };
  }

  // Compare on the bits that are known: a wrong term there is the better diagnosis.
  // The target in the same form (its atoms of statements read through wiring and traced).
  const want = ev.canonical(target, modBits);
  const diffs = compare(got.poly, want.poly, Math.min(modBits, got.modBits, want.modBits));
  const modProblem = got.modBits < modBits ? `${what} is only known modulo 2^${got.modBits}, not 2^${modBits}: ${got.why ?? 'truncated'}` : null;
  const all = [...diffs.slice(0, 8).map((d) => describe(ev, d)), ...(modProblem ? [modProblem] : []), ...problems];
  if (all.length === 0) return;
  let msg = all[0];
  if (diffs.length > 1) msg += ` (${diffs.length} terms differ)`;
  const second = diffs.length ? modProblem ?? problems[0] : all[1];
  if (second && second !== all[0]) msg += `; also: ${second}`;
  throw new SymbolicFailure(msg, all);
}

interface Diff {
  atoms: Atom[];
  got: bigint;
  expected: bigint;
}

/** Coefficients of got − target (mod 2^modBits) on a common partition, lowest weight first. */
function compare(got: Poly, target: Poly, modBits: number): Diff[] {
  const cuts = cutsOf([got, target]);
  const g = refine(got, cuts);
  const t = refine(target, cuts);
  const M = modBits === Infinity ? 0n : pow2(modBits);
  const red = (c: bigint) => {
    if (M === 0n) return c;
    let r = ((c % M) + M) % M;
    if (r > M / 2n) r -= M;
    return r;
  };
  const keys = new Map<string, Atom[]>();
  for (const p of [g, t]) for (const term of p.terms()) keys.set(monoKey(term.atoms), term.atoms);
  const out: Diff[] = [];
  for (const atoms of keys.values()) {
    const gc = red(g.coeff(atoms));
    const tc = red(t.coeff(atoms));
    if (red(gc - tc) !== 0n) out.push({ atoms, got: gc, expected: tc });
  }
  return out.sort((a, b) => termPos(a.atoms, a.expected || a.got) - termPos(b.atoms, b.expected || b.got));
}

function describe(ev: SymbolicEvaluator, d: Diff): string {
  const untraced = d.atoms.filter((a) => ev.isStmt(a.sig));
  if (untraced.length) {
    const a = untraced[0];
    return `term ${fmtTerm(d.atoms, d.got)} cannot be traced to the inputs: bits [${a.hi}:${a.lo}] of ${a.sig} are used without its bits [${a.lo - 1}:0] at the matching weight`;
  }
  const mono = d.atoms.map(atomKey).join('·') || 'constant';
  const both = `(coefficient ${fmtCoeff(d.got)}, expected ${fmtCoeff(d.expected)})`;
  const hint = tileHint(ev, d.atoms);
  const tail = hint ? `; ${hint}` : '';
  if (d.expected === 0n) return `unexpected term ${fmtTerm(d.atoms, d.got)} ${both}${tail}`;
  if (d.got === 0n) return `term ${fmtTerm(d.atoms, d.expected)} is missing ${both}${tail}`;
  if (d.got % d.expected === 0n && d.got / d.expected > 1n) {
    const r = d.got / d.expected;
    if (r === 2n) return `term ${fmtTerm(d.atoms, d.expected)} counted twice or shifted 1 bit too far up ${both}${tail}`;
    if (isPow2(r)) return `term ${fmtTerm(d.atoms, d.expected)} is shifted ${bitLen(r) - 1} bits too far up ${both}${tail}`;
    if (r < 16n) return `term ${fmtTerm(d.atoms, d.expected)} counted ${r} times ${both}${tail}`;
  }
  if (d.expected % d.got === 0n && isPow2(d.expected / d.got)) {
    const s = bitLen(d.expected / d.got) - 1;
    return `term ${fmtTerm(d.atoms, d.expected)} is shifted ${s} bit${s === 1 ? '' : 's'} too low ${both}${tail}`;
  }
  const vague = (c: bigint) => fmtBig(c).startsWith('~') || fmtBig(c).startsWith('-~');
  const hex = (c: bigint) => (c < 0n ? `-0x${(-c).toString(16)}` : `0x${c.toString(16)}`);
  if (vague(d.got) || vague(d.expected)) {
    return `term ${mono} has coefficient ${hex(d.got)}, expected ${hex(d.expected)} (off by ${fmtBig(d.got - d.expected)})${tail}`;
  }
  return `term ${mono} has coefficient ${fmtCoeff(d.got)}, expected ${fmtCoeff(d.expected)}${tail}`;
}

/** Multiplier statements whose value contains the given monomial of input bits. */
function tileHint(ev: SymbolicEvaluator, atoms: Atom[]): string {
  if (atoms.length === 0) return '';
  const hits: string[] = [];
  for (const st of ev.net.stmts) {
    if (!hasMul(st.expr)) continue;
    let f: SymResult;
    try {
      f = ev.flatten(st.name);
    } catch {
      continue;
    }
    // Only statements whose value is pinned down by the polynomial.
    if (f.modBits < st.width) continue;
    if (f.poly.terms().some((t) => t.atoms.length === atoms.length && t.atoms.every((b, i) => b.sig === atoms[i].sig && b.lo <= atoms[i].lo && b.hi >= atoms[i].hi))) {
      const shallow = ev.value(st.name).poly;
      const shown = shallow.terms().every((t) => t.atoms.every((a) => !ev.isStmt(a.sig))) ? shallow : f.poly;
      hits.push(`${st.name} = ${shown.toString()}`);
    }
    if (hits.length >= 2) break;
  }
  return hits.length ? `computed by ${hits.join(', ')}` : '';
}

function hasMul(e: Expr): boolean {
  switch (e.k) {
    case 'mul':
      return true;
    case 'concat':
      return e.parts.some(hasMul);
    case 'add':
    case 'sub':
      return hasMul(e.a) || hasMul(e.b);
    case 'neg':
      return hasMul(e.a);
    default:
      return false;
  }
}
