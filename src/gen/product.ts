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
import { UsageError } from '../base/errors.ts';
import {
  Netlist, binary, concat, constant, negate, sig, slice, zero, type Expr,
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
  /** A constant added to the sum (a rounding offset). */
  offset?: bigint;
  /** Adder-tree levels between pipeline registers (Infinity: only the output register). */
  levelsPerStage: number;
  /** Why the bits below outLo may be dropped (required when outLo > 0). */
  lowBitsReason?: string;
  /** Karatsuba levels for a square variable × variable product (0 or absent: the plain grid). */
  karatsuba?: number;
  /**
   * High band only: tiles wholly below bit `cut` are not built and every other term loses its
   * bits below `cut`. The caller proves the sum is still good enough (see bandError).
   */
  cut?: number;
}

export interface ProductPlan {
  spec: ProductSpec;
  netlist: Netlist;
  latency: number;
  /** Multiplier tiles (each one DSP slice when the tile fits the target's DSP). */
  tiles: number;
  /** Adder-tree depth in levels of two-input adders (the deepest path, Karatsuba included). */
  treeLevels: number;
  /** Operands entering the tree after concatenation of non-overlapping terms (all leaves). */
  treeOperands: number;
  outWidth: number;
  /** Karatsuba: base products, and the adders the method adds (pre-adders, recombination). */
  karatsuba?: { levels: number; leaves: number; preAdders: number; recombinationAdders: number; splits: number[] };
  /** High band: tiles of the full grid left out, and the cut. */
  band?: { cut: number; droppedTiles: number };
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

/** One partial product of the grid, before any netlist exists. */
export interface TileDesc {
  i: number;
  j: number;
  shift: number;
  xLo: number;
  xWidth: number;
  /** Variable y: the y chunk; constant y: the constant chunk (power of two: wiring, no tile). */
  yLo: number;
  yWidth: number;
  kind: 'var' | 'const' | 'pow2';
  constant?: bigint;
  /** Bits of the term kept (the product truncated to the output width), and its bound. */
  width: number;
  max: bigint;
}

/** The partial products of x·y on the tile grid, truncated to outBits. */
export function gridTiles(xBits: number, y: ProductSpec['y'], tile: [number, number], outBits: number): TileDesc[] {
  const [tx, ty] = tile;
  const n = outBits;
  const out: TileDesc[] = [];
  const yc = 'constant' in y ? y.constant : 0n;
  const yBits = 'bits' in y ? y.bits : bitLength(yc);
  for (const [i, cx] of chunksOf(xBits, tx).entries()) {
    for (const [j, cy] of chunksOf(yBits, ty).entries()) {
      const shift = cx.lo + cy.lo;
      if (shift >= n) continue;
      const base = { i, j, shift, xLo: cx.lo, yLo: cy.lo };
      if ('bits' in y) {
        const w = Math.min(cx.width + cy.width, n - shift);
        const xw = Math.min(cx.width, w);
        const yw = Math.min(cy.width, w);
        const full = mask(xw) * mask(yw);
        out.push({ ...base, xWidth: xw, yWidth: yw, kind: 'var', width: w, max: full > mask(w) ? mask(w) : full });
        continue;
      }
      const c = (yc >> BigInt(cy.lo)) & mask(cy.width);
      if (c === 0n) continue;
      if ((c & (c - 1n)) === 0n) {
        // Power of two: wiring, registered to stay in step with the DSP tiles.
        const s = bitLength(c) - 1;
        if (shift + s >= n) continue;
        const ww = Math.min(cx.width, n - shift - s);
        out.push({ ...base, shift: shift + s, xWidth: ww, yWidth: cy.width, kind: 'pow2', constant: c, width: ww, max: mask(ww) });
        continue;
      }
      // A constant chunk is only as wide as its highest set bit.
      const wc = Math.min(cx.width + bitLength(c), n - shift);
      const xwc = Math.min(cx.width, wc);
      const full = mask(xwc) * c;
      out.push({ ...base, xWidth: xwc, yWidth: cy.width, kind: 'const', constant: c & mask(wc), width: wc, max: full > mask(wc) ? mask(wc) : full });
    }
  }
  return out;
}

/**
 * The most the high band can lose against the exact sum: every tile wholly below `cut`, plus
 * the bits below `cut` of every other term and of the truncated addends.
 */
export function bandError(tiles: TileDesc[], cut: number, truncatedAddendBits: number): bigint {
  let e = 0n;
  for (const t of tiles) {
    const term = t.max << BigInt(t.shift);
    if (t.shift + t.width <= cut) e += term;
    else if (t.shift < cut) {
      const low = mask(cut - t.shift) << BigInt(t.shift);
      e += term < low ? term : low;
    }
  }
  if (truncatedAddendBits > 0) e += mask(Math.min(cut, truncatedAddendBits));
  return e;
}

/** The grid's partial products a product with a high band builds: not those wholly below the cut. */
export function keptTiles(spec: ProductSpec): TileDesc[] {
  const cut = spec.cut ?? 0;
  return gridTiles(spec.xBits, spec.y, spec.tile, spec.outBits).filter((t) => t.shift + t.width > cut);
}

export function planProduct(spec: ProductSpec): ProductPlan {
  if ((spec.karatsuba ?? 0) > 0) return planKaratsuba(spec);
  const n = spec.outBits;
  const net = new Netlist();
  const x = net.input('x', spec.xBits);
  const yVar = 'bits' in spec.y ? net.input('y', spec.y.bits) : null;
  const addendInputs = spec.addends.map((a) => ({ a, e: net.input(a.port, a.bits) }));
  const useTiles = yVar !== null || spec.constMode === 'dsp';
  const cut = spec.cut ?? 0;
  if (cut > 0 && (!useTiles || spec.outLo < cut)) throw new Error(`internal: ${spec.name}: a high band needs DSP tiles and outLo ≥ cut`);

  const terms: Node[] = [];
  let tiles = 0;
  // Term of value `expr << shift` truncated to the product width; null when it falls outside.
  const addTerm = (expr: Expr, shift: number, max: bigint, neg: boolean) => {
    if (shift >= n) return;
    const width = Math.min(expr.width, n - shift);
    const e = width < expr.width ? slice(expr, width - 1, 0) : expr;
    terms.push({ expr: e, lo: shift, max: max > mask(width) ? mask(width) : max, neg });
  };
  // A tile's bits from `cut` up (all of it without a band).
  const addTileTerm = (reg: Expr, t: { shift: number; width: number; max: bigint }) => {
    if (t.shift >= cut) { terms.push({ expr: reg, lo: t.shift, max: t.max, neg: false }); return; }
    const d = cut - t.shift;
    const st = net.stmts.find((x) => reg.k === 'sig' && x.name === reg.name)!;
    st.unusedLowBits = `low ${d} bits unused: below the high band's cut (bit ${cut}), within the rounding error the band lemma bounds`;
    terms.push({ expr: slice(reg, t.width - 1, d), lo: cut, max: t.max >> BigInt(d), neg: false });
  };

  if (useTiles) {
    // Input registers: packed into the DSP's A/B registers.
    const xr = net.reg('x_r', x);
    const yr = yVar ? net.reg('y_r', yVar) : null;
    const addendRegs = addendInputs.map(({ a, e }) => ({ a, e: net.reg(`${a.port}_r`, e) }));
    for (const t of keptTiles(spec)) {
      const name = `pp_${t.i}_${t.j}`;
      const xs = slice(xr, t.xLo + t.xWidth - 1, t.xLo);
      if (t.kind === 'pow2') {
        addTileTerm(net.reg(name, xs), t);
        continue;
      }
      tiles++;
      const ys = t.kind === 'var' ? slice(yr!, t.yLo + t.yWidth - 1, t.yLo) : constant(t.constant!, Math.min(bitLength(t.constant!), t.width));
      addTileTerm(net.reg(name, binary('mul', xs, ys, t.width)), t);
    }
    for (const { a, e } of addendRegs) addTerm(net.reg(`${a.port}_t`, e), a.shift, mask(a.bits), false);
  } else {
    const yc = (spec.y as { constant: bigint }).constant;
    for (const d of csdDigits(yc)) addTerm(x, d.shift, mask(spec.xBits), d.sign < 0);
    for (const { a, e } of addendInputs) addTerm(e, a.shift, mask(a.bits), false);
  }
  if (spec.offset) {
    // From its lowest set bit up; a named wire, as the tree slices its operands.
    const lo = bitLength(spec.offset & -spec.offset) - 1;
    const o = spec.offset >> BigInt(lo);
    addTerm(net.wire('offset', constant(o, bitLength(o))), lo, o, false);
  }
  if (terms.length === 0) throw new Error(`internal: product ${spec.name} has no terms`);

  const operands = packOperands(net, terms, n, '');
  const tree = reduceTree(net, operands, n, spec.levelsPerStage, '');
  const outExpr = outputBits(net, spec, tree.root);
  // The output is registered unless the module is pure wiring and shifting (CSD, one term).
  const registered = tree.levels > 0;
  if (registered) net.reg('out_r', outExpr);
  else net.wire('out_w', outExpr);
  const latency = (useTiles ? 2 : 0) + tree.registers + (registered ? 1 : 0);
  return {
    spec, netlist: net, latency, tiles, treeLevels: tree.levels, treeOperands: operands.length, outWidth: n - spec.outLo,
    ...(cut > 0 ? { band: { cut, droppedTiles: gridTiles(spec.xBits, spec.y, spec.tile, n).filter((t) => t.kind !== 'pow2').length - tiles } } : {}),
  };
}

/** Bits [outLo, outBits) of the tree's root, zero-extended to the output width. */
function outputBits(net: Netlist, spec: ProductSpec, root: Node): Expr {
  const outWidth = spec.outBits - spec.outLo;
  if (root.lo >= spec.outLo) {
    return concat(zero(outWidth - (root.lo - spec.outLo) - root.expr.width), root.expr, zero(root.lo - spec.outLo));
  }
  if (!spec.lowBitsReason) throw new Error(`internal: ${spec.name} drops low bits without a reason`);
  const cut = spec.outLo - root.lo;
  const rootStmt = net.stmts.find((st) => root.expr.k === 'sig' && st.name === root.expr.name);
  if (rootStmt) rootStmt.unusedLowBits = `low ${cut} bits unused: ${spec.lowBitsReason}`;
  return concat(zero(outWidth - (root.expr.width - cut)), slice(root.expr, root.expr.width - 1, cut));
}

/** Tile grid and adder tree of x·y for signals already registered; names get `prefix`. */
function gridSum(net: Netlist, prefix: string, xr: Expr, yr: Expr, tile: [number, number], levelsPerStage: number, n: number) {
  const terms: Node[] = [];
  const tiles = gridTiles(xr.width, { bits: yr.width }, tile, n);
  for (const t of tiles) {
    const xs = slice(xr, t.xLo + t.xWidth - 1, t.xLo);
    const ys = slice(yr, t.yLo + t.yWidth - 1, t.yLo);
    const reg = net.reg(`${prefix}pp_${t.i}_${t.j}`, binary('mul', xs, ys, t.width));
    terms.push({ expr: reg, lo: t.shift, max: t.max, neg: false });
  }
  const operands = packOperands(net, terms, n, prefix);
  const tree = reduceTree(net, operands, n, levelsPerStage, prefix);
  return { root: tree.root, levels: tree.levels, tiles: tiles.length, operands: operands.length };
}

/** Tiles of a w×w product on the grid after `levels` Karatsuba splits at the planner's points. */
function karatsubaCost(w: number, levels: number, tile: [number, number], memo = new Map<string, { tiles: number; h: number }>()): { tiles: number; h: number } {
  const key = `${w}/${levels}`;
  const hit = memo.get(key);
  if (hit) return hit;
  let best = { tiles: Math.ceil(w / tile[0]) * Math.ceil(w / tile[1]), h: 0 };
  // Every node of a level splits (they recombine in lockstep): halves below 2 bits cannot.
  if (levels > 0 && w < 4) best = { tiles: Infinity, h: 0 };
  if (levels > 0 && w >= 4) {
    const mid = Math.ceil(w / 2);
    best = { tiles: Infinity, h: 0 };
    // Split points near the middle: the one whose three sub-products fill the tiles best.
    for (let h = Math.max(1, mid - 8); h <= Math.min(w - 1, mid + 8); h++) {
      const hi = w - h;
      const t = karatsubaCost(h, levels - 1, tile, memo).tiles + karatsubaCost(hi, levels - 1, tile, memo).tiles
        + karatsubaCost(Math.max(h, hi) + 1, levels - 1, tile, memo).tiles;
      if (t < best.tiles || (t === best.tiles && Math.abs(h - w / 2) < Math.abs(best.h - w / 2))) best = { tiles: t, h };
    }
  }
  memo.set(key, best);
  return best;
}

/**
 * What `karatsuba=auto` weighs: the share of an UltraScale+ VU9P (6,840 DSP48E2, 1,182,240
 * LUTs, 2,364,480 FFs) the planned product takes, counting a tile as a DSP, an adder bit as a
 * LUT and a register bit as an FF. A Karatsuba level trades DSPs for pre-adders, recombination
 * adders and their pipeline registers; this picks the level where the trade stops paying.
 */
export const DEVICE_FOR_AUTO = { dsp: 6840, lut: 1_182_240, ff: 2_364_480 };

export function deviceShare(plan: ProductPlan): number {
  const adderBits = (e: Expr): number => {
    switch (e.k) {
      case 'add': case 'sub': return e.width + adderBits(e.a) + adderBits(e.b);
      case 'neg': return e.width + adderBits(e.a);
      case 'mul': return adderBits(e.a) + adderBits(e.b);
      case 'concat': return e.parts.reduce((acc, p) => acc + adderBits(p), 0);
      default: return 0;
    }
  };
  let lut = 0;
  let ff = 0;
  for (const st of plan.netlist.stmts) {
    lut += adderBits(st.expr);
    if (st.kind === 'reg') ff += st.width;
  }
  const d = DEVICE_FOR_AUTO;
  return plan.tiles / d.dsp + lut / d.lut + ff / d.ff;
}

/** Most Karatsuba levels tried. */
export const KARATSUBA_MAX = 4;

/** A square product with Karatsuba levels as given, or (auto) the plan of smallest device share. */
export function planSquareProduct(spec: ProductSpec, setting: number | 'auto'): ProductPlan {
  const W = spec.xBits;
  if (setting !== 'auto') {
    if (karatsubaTiles(W, setting, spec.tile) === Infinity) {
      let most = 0;
      while (most < KARATSUBA_MAX && karatsubaTiles(W, most + 1, spec.tile) !== Infinity) most++;
      throw new UsageError(`karatsuba=${setting} splits ${W}-bit operands into pieces below 2 bits: give karatsuba=0..${most} or auto`);
    }
    return planProduct({ ...spec, karatsuba: setting });
  }
  let best: { plan?: ProductPlan; share: number } = { share: Infinity };
  for (let L = 0; L <= KARATSUBA_MAX && karatsubaTiles(W, L, spec.tile) !== Infinity; L++) {
    const plan = planProduct({ ...spec, karatsuba: L });
    const share = deviceShare(plan);
    if (share < best.share) best = { plan, share };
  }
  return best.plan!;
}

/** Tiles a square w×w product needs with L Karatsuba levels (0: the plain grid). */
export function karatsubaTiles(w: number, levels: number, tile: [number, number]): number {
  return karatsubaCost(w, levels, tile).tiles;
}

interface KNode {
  x: Expr;
  y: Expr;
  /** Bits of the product the parent uses (its value mod 2^need); absent: all of them. */
  need?: number;
  /** Split point (children: lo, hi, mid), or leaf. */
  h?: number;
  /** Internal nodes: bits of x0·y1 + x1·y0 = zm − z0 − z2, and bits of the node's value built. */
  mw?: number;
  bits?: number;
  children?: KNode[];
  path: string;
}

/**
 * Karatsuba–Ofman: x·y = z0 + (zm − z0 − z2)·2^h + z2·2^2h with z0 = x0·y0, z2 = x1·y1 and
 * zm = (x0 + x1)(y0 + y1), recursively. Pre-additions are registered level by level, the
 * base products are ordinary tile grids, and each node recombines in three adders whose
 * widths come from exact bounds (zm − z0 − z2 = x0·y1 + x1·y0 ≥ 0, so the subtraction is
 * exact in its own width, not modulo the product width).
 */
function planKaratsuba(spec: ProductSpec): ProductPlan {
  const levels = spec.karatsuba!;
  if (!('bits' in spec.y) || spec.y.bits !== spec.xBits || spec.addends.length || spec.outLo !== 0 || spec.cut) {
    throw new Error(`internal: ${spec.name}: Karatsuba needs a square variable product without addends`);
  }
  const W = spec.xBits;
  if (karatsubaTiles(W, levels, spec.tile) === Infinity) throw new Error(`internal: ${spec.name}: ${levels} Karatsuba levels split ${W} bits below 2`);
  const net = new Netlist();
  const x = net.input('x', W);
  const y = net.input('y', W);
  const memo = new Map<string, { tiles: number; h: number }>();
  const root: KNode = { x: net.reg('x_r', x), y: net.reg('y_r', y), path: 'k' };
  // Pre-adders, one registered level at a time: every node of a level splits (x0, x1, x0 + x1).
  let frontier: KNode[] = [root];
  let preAdders = 0;
  const splits: number[] = [];
  for (let level = 0; level < levels; level++) {
    const next: KNode[] = [];
    for (const nd of frontier) {
      const w = Math.max(nd.x.width, nd.y.width);
      const { h } = karatsubaCost(w, levels - level, spec.tile, memo);
      if (level === 0) splits.push(h);
      const part = (e: Expr, lo: boolean) => (lo ? slice(e, h - 1, 0) : slice(e, e.width - 1, h));
      const sum = (e: Expr) => binary('add', part(e, true), part(e, false), Math.max(h, e.width - h) + 1);
      const kids: KNode[] = [
        { x: net.reg(`${nd.path}0_x`, part(nd.x, true)), y: net.reg(`${nd.path}0_y`, part(nd.y, true)), path: `${nd.path}0` },
        { x: net.reg(`${nd.path}2_x`, part(nd.x, false)), y: net.reg(`${nd.path}2_y`, part(nd.y, false)), path: `${nd.path}2` },
        { x: net.reg(`${nd.path}m_x`, sum(nd.x)), y: net.reg(`${nd.path}m_y`, sum(nd.y)), path: `${nd.path}m` },
      ];
      preAdders += 2;
      nd.h = h;
      nd.children = kids;
      // zm is only used in zm − z0 − z2 = x0·y1 + x1·y0, which fits its own width mw. z0 and
      // z2 are used mod 2^mw there, and for the bits of this node's product that the parent
      // uses: below 2h (z0) and above it (z2).
      const mw = bitLength(mask(kids[0].x.width) * mask(kids[1].y.width) + mask(kids[1].x.width) * mask(kids[0].y.width));
      const full = (a: KNode) => bitLength(mask(a.x.width) * mask(a.y.width));
      const used = Math.max(Math.min(full(nd), nd.need ?? Infinity), h + 1);
      if (used <= 2 * h) throw new Error(`internal: ${nd.path}: product bits ${used} within z0`);
      nd.mw = mw;
      nd.bits = used;
      kids[2].need = mw;
      kids[0].need = Math.min(full(kids[0]), Math.max(mw, Math.min(2 * h, used)));
      kids[1].need = Math.min(full(kids[1]), Math.max(mw, used - 2 * h));
      next.push(...kids);
    }
    frontier = next;
  }
  // Base products; their results are aligned to the slowest one.
  let tiles = 0;
  let operands = 0;
  let leafLevels = 0;
  const value = new Map<KNode, Expr>();
  const leafOut = frontier.map((nd) => {
    const g = gridSum(net, `${nd.path}_`, nd.x, nd.y, spec.tile, spec.levelsPerStage, Math.min(nd.x.width + nd.y.width, nd.need ?? Infinity));
    tiles += g.tiles;
    operands += g.operands;
    leafLevels = Math.max(leafLevels, g.levels);
    return { nd, expr: net.reg(`${nd.path}_z`, concat(g.root.expr, zero(g.root.lo))) };
  });
  const target = Math.max(...leafOut.map((l) => net.stage(l.expr)));
  for (const l of leafOut) value.set(l.nd, delayTo(net, `${l.nd.path}_z`, l.expr, target));

  // Recombination, deepest nodes first; all nodes of a depth run in lockstep.
  const byDepth: KNode[][] = [];
  const walk = (nd: KNode, d: number) => { if (!nd.children) return; (byDepth[d] ??= []).push(nd); nd.children.forEach((c) => walk(c, d + 1)); };
  walk(root, 0);
  let recombinationAdders = 0;
  let sinceRegister = 0;
  let recombLevels = 0;
  for (let d = byDepth.length - 1; d >= 0; d--) {
    // Each step computes one adder per node; live values are registered together.
    type Live = Map<string, Expr>;
    const lives: Live[] = byDepth[d].map((nd) => {
      const [z0, z2, zm] = nd.children!.map((c) => value.get(c)!);
      return new Map([['z0', z0], ['z2', z2], ['zm', zm]]);
    });
    const step = (compute: (nd: KNode, live: Live) => void, keep: string[]) => {
      byDepth[d].forEach((nd, i) => compute(nd, lives[i]));
      recombinationAdders += byDepth[d].length;
      recombLevels++;
      sinceRegister++;
      // The root's last adder is registered by the output register.
      const last = d === 0 && keep.length === 1;
      if (sinceRegister >= spec.levelsPerStage && !last) {
        sinceRegister = 0;
        byDepth[d].forEach((nd, i) => {
          for (const key of keep) lives[i].set(key, net.reg(`${nd.path}_${key}_r${recombLevels}`, lives[i].get(key)!));
        });
      }
    };
    // zm − z0 − z2 = x0·y1 + x1·y0 < 2^mw: both steps only need their operands mod 2^mw.
    const fit = (e: Expr, w: number) => (e.width > w ? slice(e, w - 1, 0) : e);
    step((nd, live) => {
      const mw = nd.mw!;
      live.set('s', net.wire(`${nd.path}_s`, binary('add', fit(live.get('z0')!, mw), fit(live.get('z2')!, mw), mw)));
      live.set('zm', fit(live.get('zm')!, mw));
      // From here z0 and z2 only fill the node's bits: z0 below 2h, z2 above.
      live.set('z0', fit(live.get('z0')!, Math.min(2 * nd.h!, nd.bits!)));
      live.set('z2', fit(live.get('z2')!, nd.bits! - 2 * nd.h!));
    }, ['z0', 'z2', 'zm', 's']);
    step((nd, live) => {
      live.set('mid', net.wire(`${nd.path}_mid`, binary('sub', live.get('zm')!, live.get('s')!, nd.mw!)));
    }, ['z0', 'z2', 'mid']);
    step((nd, live) => {
      const h = nd.h!;
      const z0 = live.get('z0')!;
      const z2 = live.get('z2')!;
      const mid = live.get('mid')!;
      const width = nd.bits!;
      const z0w = Math.min(z0.width, 2 * h);
      // z0 < 2^2h and z2 sits at 2h: together they are a concatenation, one adder adds mid·2^h.
      const both = net.wire(`${nd.path}_zz`, concat(fit(z2, width - 2 * h), zero(2 * h - z0w), fit(z0, z0w)));
      const hiPart = slice(both, both.width - 1, h);
      const sumWidth = width - h;
      const fitHi = hiPart.width > sumWidth ? slice(both, h + sumWidth - 1, h) : hiPart;
      const fitMid = mid.width > sumWidth ? slice(mid, sumWidth - 1, 0) : mid;
      live.set('v', net.wire(`${nd.path}_v`, concat(binary('add', fitHi, fitMid, sumWidth), slice(both, h - 1, 0))));
    }, ['v']);
    byDepth[d].forEach((nd, i) => value.set(nd, lives[i].get('v')!));
  }
  const v = value.get(root)!;
  const n = spec.outBits;
  const outExpr = v.width >= n ? (v.width === n ? v : slice(v, n - 1, 0)) : concat(zero(n - v.width), v);
  net.reg('out_r', outExpr);
  const latency = net.stage(sig('out_r', n));
  return {
    spec, netlist: net, latency, tiles, treeLevels: leafLevels + recombLevels, treeOperands: operands, outWidth: n,
    karatsuba: { levels, leaves: frontier.length, preAdders, recombinationAdders, splits },
  };
}

/** The value `expr` (named `base`) delayed by registers until it belongs to clock stage `stage`. */
function delayTo(net: Netlist, base: string, expr: Expr, stage: number): Expr {
  let e = expr;
  for (let s = net.stage(e), i = 0; s < stage; s++, i++) e = net.reg(`${base}_d${i}`, e);
  return e;
}

/** Concatenates non-overlapping terms of the same sign (interval colouring, first fit). */
function packOperands(net: Netlist, terms: Node[], n: number, prefix: string): Node[] {
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
      const expr = net.wire(`${prefix}op${out.length}`, concat(...parts));
      if (lo + expr.width > n) throw new Error('internal: packed operand exceeds product width');
      out.push({ expr, lo, max, neg });
    }
  }
  return out;
}

function reduceTree(net: Netlist, operands: Node[], n: number, levelsPerStage: number, prefix: string) {
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
      next.push({ expr: net.wire(`${prefix}s${level}_0`, negate(r.expr, w)), lo: r.lo, max: mask(w), neg: false });
    } else {
      const sorted = [...nodes].sort((a, b) => a.lo - b.lo || Number(a.neg) - Number(b.neg));
      for (let i = 0; i + 1 < sorted.length; i += 2) next.push(combine(net, `${prefix}s${level}_${i / 2}`, sorted[i], sorted[i + 1], n));
      if (sorted.length % 2) next.push(sorted[sorted.length - 1]);
    }
    nodes = next;
    // Register between levels; the last level is registered by the module's output register.
    if (level % levelsPerStage === 0 && needsWork()) {
      registers++;
      nodes = nodes.map((nd, i) => ({ ...nd, expr: net.reg(`${prefix}r${level}_${i}`, nd.expr) }));
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
