// Shift multiplier: out = a·2^e mod p, the twiddle multiplier of butterflies and NTT cores
// with mult=shift, whose twiddles are powers of two given by their exponent e (port b).
//
// No multiplier at all: a barrel shifter (with the negation 2^(ord/2) ≡ −1 in front, so it
// shifts by less than ord/2; src/model/shiftmul.ts has the arithmetic), then modmul's fold
// reduction, unchanged: the same fold products (planFoldProducts) and the same final candidate
// select (the modmul_fold template), started from the shifter's bound instead of (p−1)².
// The shifter registers after every SHIFT_LEVELS_PER_STAGE mux levels or fewer (an 8:1 mux
// between registers; the first stage also holds the negation's W-bit subtractor, so it gets
// the fewest levels).
import type { FieldSpec } from '../fields/registry.ts';
import { shiftMulShapeOrThrow, type ShiftMulShape } from '../model/shiftmul.ts';
import { GENERATOR_ID, fieldInfo, hex, mergeModules, renderTemplate, type GeneratedDesign, type Port } from './design.ts';
import { planFoldProducts } from './modmul.ts';
import { parseChoice, parseInteger, parseTile, rejectUnknown, type ParamDoc, type RawParams } from './params.ts';
import type { ProductPlan } from './product.ts';
import { productModule } from './product-module.ts';

export const SHIFTMUL_PARAMS: ParamDoc[] = [
  { name: 'tile', accepted: 'AxB, 1..64 bits each: tiles of the fold products when constmul=dsp', default: '26x17' },
  { name: 'tree', accepted: 'adder-tree levels per pipeline register in the fold products, 1..64, or 0 for none', default: '1' },
  { name: 'constmul', accepted: 'auto, dsp, csd: how the folds multiply by c = 2^k − p', default: 'auto' },
];

/** Barrel-shifter mux levels between pipeline registers, at most. */
export const SHIFT_LEVELS_PER_STAGE = 3;

interface ShiftmulConfig {
  tile: [number, number];
  levelsPerStage: number;
  constmul: 'auto' | 'dsp' | 'csd';
}

function parseConfig(raw: RawParams): ShiftmulConfig {
  rejectUnknown('shift multiplier', raw, SHIFTMUL_PARAMS);
  const tree = raw.tree === undefined ? 1 : parseInteger('tree', raw.tree, 0, 64, 'adder levels per register, 0 for none');
  return {
    tile: parseTile(raw.tile ?? '26x17'),
    levelsPerStage: tree === 0 ? Infinity : tree,
    constmul: parseChoice('constmul', raw.constmul ?? 'auto', ['auto', 'dsp', 'csd'] as const),
  };
}

function moduleName(field: FieldSpec, cfg: ShiftmulConfig): string {
  let name = `shiftmul_${field.tag}`;
  if (cfg.tile[0] !== 26 || cfg.tile[1] !== 17) name += `_t${cfg.tile[0]}x${cfg.tile[1]}`;
  if (cfg.levelsPerStage !== 1) name += `_l${cfg.levelsPerStage === Infinity ? 0 : cfg.levelsPerStage}`;
  if (cfg.constmul !== 'auto') name += `_${cfg.constmul}`;
  return name;
}

export interface ShifterLevel {
  /** Level i shifts by 2^i when bit i of s is set. */
  i: number;
  amount: number;
  inWidth: number;
  outWidth: number;
  /** Bits of the input kept when shifting (the rest are zero whenever bit i is set). */
  keep: number;
  /** Zero bits on top when not shifting. */
  pad: number;
}

export interface ShifterPlan {
  name: string;
  shape: ShiftMulShape;
  levels: ShifterLevel[];
  /** Levels of each register stage; the bits [sHi:sLo] of s that ride along to later stages. */
  stages: Array<{ levels: number[]; sLo?: number; sHi?: number }>;
  latency: number;
  outWidth: number;
}

/** The barrel shifter's levels (widths from the model's bounds) and register stages. */
export function planShifter(name: string, shape: ShiftMulShape): ShifterPlan {
  const levels: ShifterLevel[] = [];
  for (let i = 0; i < shape.shiftBits; i++) {
    const amount = 2 ** i;
    const [inWidth, outWidth] = [shape.widths[i]!, shape.widths[i + 1]!];
    levels.push({ i, amount, inWidth, outWidth, keep: outWidth - amount, pad: outWidth - inWidth });
    if (outWidth - amount < 1 || outWidth - amount > inWidth) throw new Error(`internal: shifter level ${i}: ${outWidth} bits after shifting ${inWidth} by ${amount}`);
  }
  if (levels.length === 0) throw new Error('internal: a shifter without levels');
  // As many stages as SHIFT_LEVELS_PER_STAGE needs; the later stages take the extra levels.
  const count = Math.ceil(levels.length / SHIFT_LEVELS_PER_STAGE);
  const base = Math.floor(levels.length / count);
  const extra = levels.length % count;
  const stages: ShifterPlan['stages'] = [];
  let next = 0;
  for (let j = 0; j < count; j++) {
    const size = base + (j >= count - extra ? 1 : 0);
    const ls = Array.from({ length: size }, (_, x) => next + x);
    next += size;
    stages.push(next < levels.length ? { levels: ls, sLo: next, sHi: levels.length - 1 } : { levels: ls });
  }
  return { name, shape, levels, stages, latency: count, outWidth: levels[levels.length - 1]!.outWidth };
}

/** The shifter's value as the planned levels compute it (each level truncated to its width). */
export function evaluateShifter(plan: ShifterPlan, x: bigint, e: number): bigint {
  const { shape } = plan;
  const neg = shape.half !== undefined && e >= shape.half;
  const mod = (v: bigint, w: number) => BigInt.asUintN(w, v);
  const s = neg ? Number(mod(BigInt(e - shape.half!), shape.shiftBits)) : e;
  let z = mod(neg ? shape.p - x : x, shape.xBits);
  for (const L of plan.levels) z = (s >> L.i) & 1 ? mod(mod(z, L.keep) << BigInt(L.amount), L.outWidth) : mod(z, L.outWidth);
  return z;
}

export interface ShiftmulPlan {
  top: string;
  cfg: ShiftmulConfig;
  shape: ShiftMulShape;
  shifter: ShifterPlan;
  folds: ProductPlan[];
  latency: number;
}

export function planShiftmul(field: FieldSpec, raw: RawParams): ShiftmulPlan {
  const cfg = parseConfig(raw);
  const shape = shiftMulShapeOrThrow(field.p, field.name === 'custom' ? `p = ${hex(field.p)}` : field.name);
  const top = moduleName(field, cfg);
  const shifter = planShifter(`${top}_shl`, shape);
  const folds = planFoldProducts(top, shape.schedule, cfg);
  return { top, cfg, shape, shifter, folds, latency: shifter.latency + folds.reduce((n, f) => n + f.latency, 0) + 1 };
}

export function shiftmulPorts(width: number, expBits: number): Port[] {
  return [
    { name: 'clk', dir: 'in', width: 1 },
    { name: 'rst', dir: 'in', width: 1, description: 'synchronous, active high; clears valid bits only' },
    { name: 'in_valid', dir: 'in', width: 1 },
    { name: 'a', dir: 'in', width },
    { name: 'b', dir: 'in', width: expBits, description: 'the exponent e, 0 <= e < ord_p(2)' },
    { name: 'out_valid', dir: 'out', width: 1 },
    { name: 'out', dir: 'out', width },
  ];
}

export function generateShiftmul(field: FieldSpec, raw: RawParams): GeneratedDesign {
  const plan = planShiftmul(field, raw);
  const { top, shape, shifter, folds, cfg } = plan;
  const s = shape.schedule;
  const W = field.bits;
  const k = s.k;
  const shl = {
    name: shifter.name,
    text: renderTemplate('shiftmul_shl', {
      generator: GENERATOR_ID,
      top,
      name: shifter.name,
      p: field.p.toString(16),
      order: shape.order,
      half: shape.half,
      halfLow: shape.half === undefined ? 0 : shape.half % 2 ** shape.shiftBits,
      xBits: shape.xBits,
      expBits: shape.expBits,
      shiftBits: shape.shiftBits,
      outWidth: shifter.outWidth,
      levels: shifter.levels,
      stages: shifter.stages,
      latency: shifter.latency,
    }),
  };
  const modules = mergeModules(
    [shl],
    ...folds.map((f, i) => [productModule(f, `Fold ${i + 1} of ${top}: x' = (x mod 2^${k}) + (x div 2^${k})*0x${s.c.toString(16)}, as 2^${k} = 0x${s.c.toString(16)} mod p`)]),
  );
  const widths = [shifter.outWidth, ...folds.map((f) => f.outWidth)];
  const notes = shape.half !== undefined
    ? [`2^${shape.half} = -1 (mod p): e >= ${shape.half} shifts p - a by e - ${shape.half}, so the shifter spans < ${shape.half} places.`]
    : [`ord_p(2) is odd: the shifter spans all ${shape.order} exponents.`];
  notes.push(`x0 = a*2^e (or (p - a)*2^(e - ${shape.half ?? 0})) < 2^${shifter.outWidth}; then modmul's folds and final select.`);
  const text = renderTemplate('modmul_fold', {
    generator: GENERATOR_ID,
    name: top,
    fieldName: field.name,
    form: 'fold',
    W,
    k,
    p: field.p.toString(16),
    c: s.c.toString(16),
    latency: plan.latency,
    ab: { name: shifter.name, latency: shifter.latency },
    folds: folds.map((f, i) => ({ name: f.spec.name, latency: f.latency, inWidth: widths[i], outWidth: widths[i + 1] })),
    finalBits: widths[widths.length - 1],
    multiples: Array.from({ length: s.multiples }, (_, j) => ({ j: j + 1, value: (BigInt(j + 1) * field.p).toString(16) })),
    shift: { order: shape.order, expBits: shape.expBits, notes, x0: shape.half !== undefined ? `(b >= ${shape.half} ? p - a : a) * 2^(b mod ${shape.half}), the shifter` : 'a*2^b, the shifter' },
  });
  const used = [...modules, { name: top, text }];
  return {
    top,
    modules: used,
    manifest: {
      module: top,
      block: 'shiftmul',
      generator: GENERATOR_ID,
      field: fieldInfo(field),
      params: { tile: cfg.tile.join('x'), tree: cfg.levelsPerStage === Infinity ? 0 : cfg.levelsPerStage, constmul: cfg.constmul },
      order: shape.order,
      ...(shape.half !== undefined ? { half: shape.half } : {}),
      expBits: shape.expBits,
      shifter: {
        module: shifter.name,
        latency: shifter.latency,
        negate: shape.half !== undefined ? `e >= ${shape.half}: x' = p - a, s = e - ${shape.half} (2^${shape.half} = -1 mod p)` : 'none (ord_p(2) odd)',
        levels: shifter.levels.length,
        registeredAfterLevels: shifter.stages.map((st) => st.levels[st.levels.length - 1]!),
        outBits: shifter.outWidth,
        outMax: hex(shape.xMax << BigInt(shape.maxShift)),
      },
      reduce: {
        form: 'fold',
        identity: `2^${k} = 0x${s.c.toString(16)} (mod p): x = (x mod 2^${k}) + (x div 2^${k})*0x${s.c.toString(16)}`,
        folds: s.steps.map((st, i) => ({
          module: folds[i]!.spec.name, latency: folds[i]!.latency, inBits: st.inBits, outBits: st.outBits, outMax: hex(st.outMax),
          constmul: folds[i]!.spec.constMode, tiles: folds[i]!.tiles,
        })),
        final: { multiples: s.multiples, op: `out = x - j*p for the largest j <= ${s.multiples} with x >= j*p`, latency: 1 },
      },
      latency: plan.latency,
      ii: 1,
      function: 'out = a*2^b mod p; a, out canonical (< p); b the exponent, 0 <= b < ord_p(2)',
      multiplierTiles: folds.reduce((n, f) => n + f.tiles, 0),
      ports: shiftmulPorts(W, shape.expBits),
      files: used.map((m) => `${m.name}.v`),
    },
  };
}
