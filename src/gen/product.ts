// Pipelined wide multiplier: x·y (or x·constant), plus optional addends, modulo 2^outBits,
// output bits [outLo, outBits).
//
// Why this shape: a W×W product on an FPGA is a grid of DSP-sized tiles (26×17 fits a
// DSP48E2 unsigned, 16×16 an iCE40 SB_MAC16) whose partial products are summed by an adder
// tree. Inputs and tile outputs are registered so the tools pack them into the DSP's A/B and
// M registers. Partial products that do not overlap are concatenated for free before any
// adder is spent on them, and each adder only spans the bits where its operands overlap,
// so the tree costs roughly (operands − 1) carry chains of the product width.
// Products by a constant skip zero tiles and turn power-of-two tiles into wiring; a sparse
// constant (Goldilocks, BabyBear, Mersenne-31 …) is better as shift-and-add on its canonical
// signed digits than in DSPs at all (`csd`).
import { chunksOf, csdDigits } from '../model/multiplier.ts';
import {
  Netlist, binary, concat, constant, negate, slice, zero, type Expr,
} from './netlist.ts';

export interface Addend {
  port: string;
  bits: number;
  /** Weight of the addend's bit 0 in the sum. */
  shift: number;
}

export interface ProductSpec {
  name: string;
  xBits: number;
  /** Variable second operand (port `y`) or a constant baked into the circuit. */
  y: { bits: number } | { constant: bigint };
  tile: [number, number];
  /** How a constant y is multiplied: DSP tiles or canonical-signed-digit shift-and-add. */
  constMode: 'dsp' | 'csd';
  /** Arithmetic is modulo 2^outBits. */
  outBits: number;
  /** The output port carries bits [outLo, outBits) of the sum. */
  outLo: number;
  addends: Addend[];
  /** Adder-tree levels between pipeline registers (Infinity: only the output register). */
  levelsPerStage: number;
  /** Why the bits below outLo may be dropped (required when outLo > 0). */
  lowBitsReason?: string;
}

export interface ProductPlan {
  spec: ProductSpec;
  netlist: Netlist;
  latency: number;
  /** Multiplier tiles (each one DSP slice when the tile fits the target's DSP). */
  tiles: number;
  /** Adder-tree depth in levels of two-input adders. */
  treeLevels: number;
  /** Operands entering the tree after concatenation of non-overlapping terms. */
  treeOperands: number;
  outWidth: number;
}

/** A value in the adder tree: `expr << lo`, with `expr ≤ max`; `neg` means it is subtracted. */
interface Node {
  expr: Expr;
  lo: number;
  max: bigint;
  neg: boolean;
}

const bitLength = (v: bigint) => (v === 0n ? 1 : v.toString(2).length);
const mask = (w: number) => (1n << BigInt(w)) - 1n;

export function planProduct(spec: ProductSpec): ProductPlan {
  const n = spec.outBits;
  const net = new Netlist();
  const x = net.input('x', spec.xBits);
  const yVar = 'bits' in spec.y ? net.input('y', spec.y.bits) : null;
  const addendInputs = spec.addends.map((a) => ({ a, e: net.input(a.port, a.bits) }));
  const useTiles = yVar !== null || spec.constMode === 'dsp';
  const [tx, ty] = spec.tile;

  const terms: Node[] = [];
  let tiles = 0;
  // Term of value `expr << shift` truncated to the product width; null when it falls outside.
  const addTerm = (expr: Expr, shift: number, max: bigint, neg: boolean) => {
    if (shift >= n) return;
    const width = Math.min(expr.width, n - shift);
    const e = width < expr.width ? slice(expr, width - 1, 0) : expr;
    terms.push({ expr: e, lo: shift, max: max > mask(width) ? mask(width) : max, neg });
  };

  if (useTiles) {
    // Input registers: packed into the DSP's A/B registers.
    const xr = net.reg('x_r', x);
    const yr = yVar ? net.reg('y_r', yVar) : null;
    const addendRegs = addendInputs.map(({ a, e }) => ({ a, e: net.reg(`${a.port}_r`, e) }));
    const yc = 'constant' in spec.y ? spec.y.constant : 0n;
    const yBits = yr ? yr.width : bitLength(yc);
    for (const [i, cx] of chunksOf(spec.xBits, tx).entries()) {
      for (const [j, cy] of chunksOf(yBits, ty).entries()) {
        const shift = cx.lo + cy.lo;
        if (shift >= n) continue;
        // Truncate operands and product to the bits that reach the output width.
        const name = `pp_${i}_${j}`;
        if (yr) {
          const w = Math.min(cx.width + cy.width, n - shift);
          const xw = Math.min(cx.width, w);
          const xs = slice(xr, cx.lo + xw - 1, cx.lo);
          const yw = Math.min(cy.width, w);
          tiles++;
          net.reg(name, binary('mul', xs, slice(yr, cy.lo + yw - 1, cy.lo), w));
          terms.push({ expr: { k: 'sig', name, width: w }, lo: shift, max: mask(w) < mask(xw) * mask(yw) ? mask(w) : mask(xw) * mask(yw), neg: false });
          continue;
        }
        const c = (yc >> BigInt(cy.lo)) & mask(cy.width);
        if (c === 0n) continue;
        // A constant chunk is only as wide as its highest set bit.
        const wc = Math.min(cx.width + bitLength(c), n - shift);
        const xwc = Math.min(cx.width, wc);
        const xsc = slice(xr, cx.lo + xwc - 1, cx.lo);
        const cTrunc = c & mask(wc);
        if ((c & (c - 1n)) === 0n) {
          // Power of two: wiring, registered to stay in step with the DSP tiles.
          const s = bitLength(c) - 1;
          if (shift + s >= n) continue;
          const ww = Math.min(cx.width, n - shift - s);
          net.reg(name, slice(xr, cx.lo + ww - 1, cx.lo));
          terms.push({ expr: { k: 'sig', name, width: ww }, lo: shift + s, max: mask(ww), neg: false });
          continue;
        }
        tiles++;
        const full = mask(xwc) * c;
        net.reg(name, binary('mul', xsc, constant(cTrunc, Math.min(bitLength(cTrunc), wc)), wc));
        terms.push({ expr: { k: 'sig', name, width: wc }, lo: shift, max: full > mask(wc) ? mask(wc) : full, neg: false });
      }
    }
    for (const { a, e } of addendRegs) addTerm(net.reg(`${a.port}_t`, e), a.shift, mask(a.bits), false);
  } else {
    const yc = (spec.y as { constant: bigint }).constant;
    for (const d of csdDigits(yc)) addTerm(x, d.shift, mask(spec.xBits), d.sign < 0);
    for (const { a, e } of addendInputs) addTerm(e, a.shift, mask(a.bits), false);
  }
  if (terms.length === 0) throw new Error(`internal: product ${spec.name} has no terms`);

  const operands = packOperands(net, terms, n);
  const tree = reduceTree(net, operands, n, spec.levelsPerStage);
  const outWidth = n - spec.outLo;
  const root = tree.root;
  let outExpr: Expr;
  if (root.lo >= spec.outLo) {
    outExpr = concat(zero(outWidth - (root.lo - spec.outLo) - root.expr.width), root.expr, zero(root.lo - spec.outLo));
  } else {
    if (!spec.lowBitsReason) throw new Error(`internal: ${spec.name} drops low bits without a reason`);
    const cut = spec.outLo - root.lo;
    const rootStmt = net.stmts.find((st) => root.expr.k === 'sig' && st.name === root.expr.name);
    if (rootStmt) rootStmt.unusedLowBits = `low ${cut} bits unused: ${spec.lowBitsReason}`;
    outExpr = concat(zero(outWidth - (root.expr.width - cut)), slice(root.expr, root.expr.width - 1, cut));
  }
  // The output is registered unless the module is pure wiring and shifting (CSD, one term).
  const registered = tree.levels > 0;
  if (registered) net.reg('out_r', outExpr);
  else net.wire('out_w', outExpr);
  const latency = (useTiles ? 2 : 0) + tree.registers + (registered ? 1 : 0);
  return { spec, netlist: net, latency, tiles, treeLevels: tree.levels, treeOperands: operands.length, outWidth };
}

/** Concatenates non-overlapping terms of the same sign (interval colouring, first fit). */
function packOperands(net: Netlist, terms: Node[], n: number): Node[] {
  const out: Node[] = [];
  for (const neg of [false, true]) {
    const bins: Node[][] = [];
    const sorted = terms.filter((t) => t.neg === neg).sort((a, b) => a.lo - b.lo || b.expr.width - a.expr.width);
    for (const t of sorted) {
      const bin = bins.find((b) => { const last = b[b.length - 1]; return last.lo + last.expr.width <= t.lo; });
      if (bin) bin.push(t);
      else bins.push([t]);
    }
    for (const bin of bins) {
      if (bin.length === 1) { out.push(bin[0]); continue; }
      const lo = bin[0].lo;
      const parts: Expr[] = [];
      let max = 0n;
      let pos = lo;
      for (const t of bin) {
        parts.unshift(zero(t.lo - pos));
        parts.unshift(t.expr);
        pos = t.lo + t.expr.width;
        max += t.max << BigInt(t.lo - lo);
      }
      const expr = net.wire(`op${out.length}`, concat(...parts));
      if (lo + expr.width > n) throw new Error('internal: packed operand exceeds product width');
      out.push({ expr, lo, max, neg });
    }
  }
  return out;
}

function reduceTree(net: Netlist, operands: Node[], n: number, levelsPerStage: number) {
  let nodes = operands;
  let level = 0;
  let registers = 0;
  const needsWork = () => nodes.length > 1 || nodes[0].neg;
  while (needsWork()) {
    level++;
    const next: Node[] = [];
    if (nodes.length === 1) {
      const r = nodes[0];
      const w = n - r.lo;
      next.push({ expr: net.wire(`s${level}_0`, negate(r.expr, w)), lo: r.lo, max: mask(w), neg: false });
    } else {
      const sorted = [...nodes].sort((a, b) => a.lo - b.lo || Number(a.neg) - Number(b.neg));
      for (let i = 0; i + 1 < sorted.length; i += 2) next.push(combine(net, `s${level}_${i / 2}`, sorted[i], sorted[i + 1], n));
      if (sorted.length % 2) next.push(sorted[sorted.length - 1]);
    }
    nodes = next;
    // Register between levels; the last level is registered by the module's output register.
    if (level % levelsPerStage === 0 && needsWork()) {
      registers++;
      nodes = nodes.map((nd, i) => ({ ...nd, expr: net.reg(`r${level}_${i}`, nd.expr) }));
    }
  }
  return { root: nodes[0], levels: level, registers };
}

/** a + b (or a − b when exactly one is negative) with explicit bit alignment. */
function combine(net: Netlist, name: string, a0: Node, b0: Node, n: number): Node {
  const [a, b] = a0.lo <= b0.lo ? [a0, b0] : [b0, a0];
  const d = b.lo - a.lo;
  if (a.neg === b.neg) {
    const max = a.max + (b.max << BigInt(d));
    // Never narrower than an operand: an expression may be wider than its value bound.
    const width = Math.min(Math.max(bitLength(max), a.expr.width, d + b.expr.width), n - a.lo);
    let expr: Expr;
    if (a.expr.width <= d) {
      // No overlap: the sum is a concatenation, no adder needed.
      expr = concat(b.expr, zero(d - a.expr.width), a.expr);
    } else {
      const hi = slice(a.expr, a.expr.width - 1, d);
      const low = d > 0 ? slice(a.expr, d - 1, 0) : zero(0);
      expr = concat(binary('add', hi, b.expr, width - d), low);
    }
    if (expr.width !== width) throw new Error(`internal: ${name} width ${expr.width} != ${width}`);
    return { expr: net.wire(name, expr), lo: a.lo, max, neg: a.neg };
  }
  // Mixed signs: the difference is only known modulo 2^n, so it spans the full width.
  const [pos, neg] = a.neg ? [b, a] : [a, b];
  const lo = Math.min(pos.lo, neg.lo);
  const width = n - lo;
  let expr: Expr;
  if (pos.lo <= neg.lo && pos.expr.width <= d) {
    expr = concat(negate(neg.expr, width - d), zero(d - pos.expr.width), pos.expr);
  } else if (pos.lo <= neg.lo) {
    const hi = slice(pos.expr, pos.expr.width - 1, d);
    const low = d > 0 ? slice(pos.expr, d - 1, 0) : zero(0);
    expr = concat(binary('sub', hi, neg.expr, width - d), low);
  } else {
    expr = binary('sub', concat(pos.expr, zero(d)), neg.expr, width);
  }
  return { expr: net.wire(name, expr), lo, max: mask(width), neg: false };
}
