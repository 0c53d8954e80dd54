// Fixed-prime Montgomery multiplier: out = a·b·R⁻¹ mod p, R = 2^k, one result per cycle.
//
// Algorithm: full product, then single-word Montgomery reduction (REDC) with p and p′ baked
// in as constants, each product a tiled, pipelined multiplier (product.ts):
//   ab stage  T = a·b                              variable × variable, 2W bits
//   m stage   m = (T mod R)·p′ mod R               constant, low half only
//   mp stage  u = T div R + (m·p) div R + [T mod R ≠ 0]
//   final     out = u ≥ p ? u − p : u
// Why full-product REDC rather than word-serial CIOS/FIOS: with II = 1 every word step of
// CIOS becomes its own hardware anyway, and the full-width form lets (1) the m stage drop
// every tile above bit k (about half the DSPs of a full product), (2) constant tiles that are
// zero or a power of two vanish, and (3) sparse primes use shift-and-add instead of DSPs.
// The low k bits of T + m·p are zero by construction, and T mod R + (m·p mod R) is either
// 0 or R, so only the flag T mod R ≠ 0 travels to the last stage instead of k bits of T.
import type { FieldSpec } from '../fields/registry.ts';
import { csdDigits } from '../model/multiplier.ts';
import { montgomeryField, type MontgomeryField } from '../model/field.ts';
import {
  GENERATOR_ID, delayModule, fieldInfo, hex, mergeModules, pipelinePorts, renderTemplate,
  type GeneratedDesign,
} from './design.ts';
import { parseChoice, parseInteger, parseTile, rejectUnknown, type ParamDoc, type RawParams } from './params.ts';
import { KARATSUBA_MAX, bandError, gridTiles, planProduct, planSquareProduct, type ProductPlan } from './product.ts';
import { productModule } from './product-module.ts';
import { UsageError } from '../base/errors.ts';
import { RUNTIME_MAX_WIDTH, RUNTIME_MIN_WIDTH, generateMontmulRuntime } from './montmul-runtime.ts';

export const MONTMUL_PARAMS: ParamDoc[] = [
  { name: 'tile', accepted: 'AxB, 1..64 bits each: 26x17 DSP48E2, 18x18, 16x16 iCE40 MAC16', default: '26x17' },
  { name: 'tree', accepted: 'adder-tree levels per pipeline register, 1..64, or 0 for none', default: '1' },
  { name: 'depth', accepted: 'target latency in cycles (picks the most pipelined tree that fits)', default: '' },
  { name: 'constmul', accepted: 'auto, dsp, csd: how products by p and p′ are built', default: 'auto' },
  { name: 'rbits', accepted: 'k in R = 2^k, from bitlength(p) to 2·bitlength(p) − 1', default: 'bitlength(p)' },
  { name: 'karatsuba', accepted: 'Karatsuba levels on a·b, 0 (plain tile grid) to 4, or auto (the smallest share of a VU9P: DSPs, adder LUTs, register FFs)', default: 'auto' },
  { name: 'mp', accepted: 'full (whole m·p product), high (only its high band: tiles below the cut are not built; proved by zkrtl prove), auto (high when m·p uses DSP tiles)', default: 'auto' },
];

/**
 * The montmul block's own parameters: the multiplier's (which butterfly, ecadd and msm pass on
 * to theirs) plus the programmable-prime twin's (montmul-runtime.ts), which only the block has.
 */
export const MONTMUL_BLOCK_PARAMS: ParamDoc[] = [
  ...MONTMUL_PARAMS,
  { name: 'prime', accepted: 'runtime: p and p′ loaded at run time (cfg_valid, cfg_p, cfg_pprime), no --field/--prime; takes width, tile, tree, karatsuba', default: 'fixed: the --field/--prime' },
  { name: 'width', accepted: `with prime=runtime only: operand width W, ${RUNTIME_MIN_WIDTH}..${RUNTIME_MAX_WIDTH} (any odd p < 2^W can be loaded)`, default: '' },
];

/**
 * Why a montmul with these parameters takes no field (prime=runtime), or undefined when it
 * takes one. Checks prime= and width= first, so a bad value fails before a field is asked for.
 */
export function montmulFieldless(raw: RawParams): string | undefined {
  if (raw.prime !== undefined && raw.prime !== 'runtime') throw new UsageError(`prime=${raw.prime} is not accepted: give prime=runtime (p loaded at run time), or leave prime= out and give --field/--prime`);
  if (raw.width !== undefined && raw.prime !== 'runtime') throw new UsageError(`width=${raw.width}: width applies to prime=runtime only (a fixed-prime montmul is as wide as its prime)`);
  return raw.prime === 'runtime' ? 'prime=runtime takes its prime at run time' : undefined;
}

/** The montmul block: the programmable-prime twin for prime=runtime, else the fixed-prime multiplier. */
export function generateMontmulBlock(field: FieldSpec | undefined, raw: RawParams): GeneratedDesign {
  const fieldless = montmulFieldless(raw);
  if (fieldless && field !== undefined) throw new UsageError(`${fieldless}: leave out --field/--prime`);
  if (fieldless) return generateMontmulRuntime(raw);
  if (field === undefined) throw new Error('internal: a fixed-prime montmul needs a field');
  return generateMontmul(field, raw);
}

/** A constant with at most this many signed digits in range is cheaper as shift-and-add. */
export const CSD_AUTO_MAX_DIGITS = 4;

interface MontmulConfig {
  tile: [number, number];
  levelsPerStage: number;
  constmul: 'auto' | 'dsp' | 'csd';
  k: number;
  depth?: number;
  karatsuba: number | 'auto';
  mp: 'auto' | 'full' | 'high';
}

function parseConfig(field: FieldSpec, raw: RawParams): MontmulConfig {
  rejectUnknown('montmul', raw, MONTMUL_BLOCK_PARAMS);
  // The fixed-prime planner is also what zkrtl prove and the blocks built on montmul call.
  if (montmulFieldless(raw)) throw new UsageError('prime=runtime is not a fixed-prime montmul: zkrtl prove and the blocks built on montmul take a fixed prime');
  if (raw.tree !== undefined && raw.depth !== undefined) {
    throw new UsageError('give either tree= or depth= for montmul, not both');
  }
  const tree = raw.tree === undefined ? 1 : parseInteger('tree', raw.tree, 0, 64, 'adder levels per register, 0 for none');
  return {
    tile: parseTile(raw.tile ?? '26x17'),
    levelsPerStage: tree === 0 ? Infinity : tree,
    constmul: parseChoice('constmul', raw.constmul ?? 'auto', ['auto', 'dsp', 'csd'] as const),
    k: raw.rbits === undefined ? field.bits : parseInteger('rbits', raw.rbits, field.bits, 2 * field.bits - 1, 'the Montgomery exponent k'),
    depth: raw.depth === undefined ? undefined : parseInteger('depth', raw.depth, 0, 10_000, 'a latency in cycles'),
    karatsuba: raw.karatsuba === undefined || raw.karatsuba === 'auto' ? 'auto' : parseInteger('karatsuba', raw.karatsuba, 0, KARATSUBA_MAX, 'Karatsuba levels, or auto'),
    mp: parseChoice('mp', raw.mp ?? 'auto', ['auto', 'full', 'high'] as const),
  };
}

function constMode(cfg: MontmulConfig, c: bigint, width: number): 'dsp' | 'csd' {
  if (cfg.constmul !== 'auto') return cfg.constmul;
  return csdDigits(c).filter((d) => d.shift < width).length <= CSD_AUTO_MAX_DIGITS ? 'csd' : 'dsp';
}

function moduleName(field: FieldSpec, cfg: MontmulConfig): string {
  let name = `montmul_${field.tag}`;
  if (cfg.tile[0] !== 26 || cfg.tile[1] !== 17) name += `_t${cfg.tile[0]}x${cfg.tile[1]}`;
  if (cfg.depth !== undefined) name += `_d${cfg.depth}`;
  else if (cfg.levelsPerStage !== 1) name += `_l${cfg.levelsPerStage === Infinity ? 0 : cfg.levelsPerStage}`;
  if (cfg.constmul !== 'auto') name += `_${cfg.constmul}`;
  if (cfg.k !== field.bits) name += `_r${cfg.k}`;
  if (cfg.karatsuba !== 'auto') name += `_k${cfg.karatsuba}`;
  if (cfg.mp !== 'auto') name += `_mp${cfg.mp}`;
  return name;
}

export interface MontmulPlans {
  ab: ProductPlan;
  m: ProductPlan;
  mp: ProductPlan;
  latency: number;
}

/**
 * The high band of T + m·p: the highest cut g such that everything left out — the tiles of m·p
 * wholly below g, the bits below g of the others, T mod 2^g — is at most 2^(k−1). T + m·p is a
 * multiple of R = 2^k, so the kept sum X'' lies in (jR − 2^(k−1), jR] and
 * u = floor((X'' + 2^(k−1)) / R) exactly (lemma redc.band of `zkrtl prove`).
 */
export function bandCut(mf: MontgomeryField, tile: [number, number]): number {
  const tiles = gridTiles(mf.k, { constant: mf.p }, tile, mf.k + mf.bits + 1);
  const limit = 1n << BigInt(mf.k - 1);
  for (let g = mf.k - 1; g > 0; g--) if (bandError(tiles, g, mf.k) <= limit) return g;
  return 0;
}

/**
 * Other blocks' uses of the montmul: `constB` bakes the second operand in (the multiplier has
 * no `b` port and a·constB is a constant product), `name` replaces the module name.
 */
export interface MontmulOptions {
  constB?: bigint;
  name?: string;
}

function planStages(top: string, mf: MontgomeryField, cfg: MontmulConfig, levelsPerStage: number, opts: MontmulOptions): MontmulPlans {
  const W = mf.bits;
  const k = mf.k;
  const common = { tile: cfg.tile, levelsPerStage, addends: [], outLo: 0 };
  const ab = opts.constB !== undefined
    ? planProduct({ ...common, name: `${top}_ab`, xBits: W, y: { constant: opts.constB }, constMode: constMode(cfg, opts.constB, W), outBits: 2 * W })
    : planSquareProduct({ ...common, name: `${top}_ab`, xBits: W, y: { bits: W }, constMode: 'dsp', outBits: 2 * W }, cfg.karatsuba);
  const m = planProduct({
    ...common, name: `${top}_m`, xBits: k, y: { constant: mf.pPrime }, constMode: constMode(cfg, mf.pPrime, k), outBits: k,
  });
  const mpMode = constMode(cfg, mf.p, k + W + 1);
  if (cfg.mp === 'high' && mpMode !== 'dsp') {
    throw new UsageError(`mp=high needs m·p in DSP tiles, but p = 0x${mf.p.toString(16)} is built by shift-and-add (constmul=${cfg.constmul}): give constmul=dsp, or mp=full`);
  }
  const cut = (cfg.mp === 'high' || (cfg.mp === 'auto' && mpMode === 'dsp')) ? bandCut(mf, cfg.tile) : 0;
  const mp = planProduct({
    ...common,
    name: `${top}_mp`,
    xBits: k,
    y: { constant: mf.p },
    constMode: mpMode,
    outBits: k + W + 1,
    outLo: k,
    ...(cut > 0
      ? {
        addends: [{ port: 't_hi', bits: 2 * W - k, shift: k }, { port: 't_lo_band', bits: k - cut, shift: cut }],
        offset: 1n << BigInt(k - 1),
        cut,
        lowBitsReason: `bits below k only round: u = floor((band + 2^${k - 1}) / 2^${k}), lemma redc.band`,
      }
      : {
        addends: [{ port: 't_hi', bits: 2 * W - k, shift: k }, { port: 't_lo_nz', bits: 1, shift: k }],
        lowBitsReason: 'bits below k only produce the carry into u: T + m*p is a multiple of R',
      }),
  });
  return { ab, m, mp, latency: ab.latency + m.latency + mp.latency + 1 };
}

/** The most pipelined tree whose total latency fits the target depth. */
function planForDepth(top: string, mf: MontgomeryField, cfg: MontmulConfig, opts: MontmulOptions): MontmulPlans {
  const target = cfg.depth!;
  let best: MontmulPlans | undefined;
  for (let lv = 1; lv <= 64; lv++) {
    const plans = planStages(top, mf, cfg, lv, opts);
    if (plans.latency <= target) return plans;
    best = plans;
    if (plans.ab.treeLevels <= lv && plans.m.treeLevels <= lv && plans.mp.treeLevels <= lv) break;
  }
  throw new UsageError(`depth=${target} is below the minimum latency ${best!.latency} of this montmul (tile ${cfg.tile.join('x')}): give depth ≥ ${best!.latency}`);
}

/** The three planned products of a montmul (what `zkrtl prove` reads), without any Verilog. */
export function planMontmul(field: FieldSpec, raw: RawParams, opts: MontmulOptions = {}): { cfg: MontmulConfig; top: string; mf: MontgomeryField; plans: MontmulPlans } {
  // A montmul by a constant is another circuit: it must not take the plain montmul's name.
  if (opts.constB !== undefined && opts.name === undefined) throw new Error('internal: a montmul with constB needs its own name');
  const cfg = parseConfig(field, raw);
  const mf = montgomeryField(field.p, cfg.k);
  const top = opts.name ?? moduleName(field, cfg);
  const plans = cfg.depth !== undefined ? planForDepth(top, mf, cfg, opts) : planStages(top, mf, cfg, cfg.levelsPerStage, opts);
  return { cfg, top, mf, plans };
}

export function generateMontmul(field: FieldSpec, raw: RawParams, opts: MontmulOptions = {}): GeneratedDesign {
  const { cfg, top, mf, plans } = planMontmul(field, raw, opts);
  const W = mf.bits;
  const k = mf.k;
  const modules = mergeModules(
    // The delay line is only instantiated when the m stage has registers.
    plans.m.latency > 0 ? [delayModule()] : [],
    [productModule(plans.ab, `Montgomery stage 1 of ${top}: T = a*${opts.constB !== undefined ? hex(opts.constB) : 'b'}`)],
    [productModule(plans.m, `Montgomery stage 2 of ${top}: m = (T mod 2^${k}) * p' mod 2^${k}`)],
    [productModule(plans.mp, `Montgomery stage 3 of ${top}: u = (T + m*p) / 2^${k}`)],
  );
  const text = renderTemplate('montmul', {
    generator: GENERATOR_ID,
    name: top,
    fieldName: field.name,
    W,
    k,
    p: mf.p.toString(16),
    R: hex(mf.R),
    latency: plans.latency,
    ab: { name: plans.ab.spec.name, latency: plans.ab.latency },
    constB: opts.constB === undefined ? null : opts.constB.toString(16),
    m: { name: plans.m.spec.name, latency: plans.m.latency },
    mp: { name: plans.mp.spec.name, latency: plans.mp.latency },
    cut: plans.mp.band?.cut ?? 0,
    sideWidth: plans.mp.band ? k - plans.mp.band.cut : 1,
  });
  const used = [...modules, { name: top, text }];
  const stage = (pl: ProductPlan) => ({
    module: pl.spec.name,
    latency: pl.latency,
    tiles: pl.tiles,
    constmul: 'constant' in pl.spec.y ? pl.spec.constMode : 'variable',
    treeOperands: pl.treeOperands,
    treeLevels: pl.treeLevels,
    ...(pl.karatsuba ? { karatsuba: pl.karatsuba } : {}),
    ...(pl.band ? { band: { ...pl.band, offset: `2^${k - 1}`, tLoBits: `[${k - 1}:${pl.band.cut}]` } } : {}),
  });
  return {
    top,
    modules: used,
    manifest: {
      module: top,
      block: 'montmul',
      generator: GENERATOR_ID,
      field: fieldInfo(field),
      montgomery: { R: hex(mf.R), k, pPrime: hex(mf.pPrime), rModP: hex(mf.rModP), r2ModP: hex(mf.r2ModP) },
      params: {
        tile: cfg.tile.join('x'),
        tree: cfg.depth !== undefined ? 'chosen by depth' : cfg.levelsPerStage === Infinity ? 0 : cfg.levelsPerStage,
        ...(cfg.depth !== undefined ? { depth: cfg.depth } : {}),
        constmul: cfg.constmul,
        rbits: k,
        karatsuba: cfg.karatsuba,
        mp: cfg.mp,
      },
      latency: plans.latency,
      ii: 1,
      function: opts.constB === undefined ? 'out = a*b*R^-1 mod p; a, b, out canonical (< p)' : `out = a*${hex(opts.constB)}*R^-1 mod p; a, out canonical (< p)`,
      stages: { ab: stage(plans.ab), m: stage(plans.m), mp: stage(plans.mp), final: { latency: 1, op: 'u >= p ? u - p : u' } },
      multiplierTiles: plans.ab.tiles + plans.m.tiles + plans.mp.tiles,
      ports: opts.constB === undefined ? pipelinePorts(W) : pipelinePorts(W).filter((port) => port.name !== 'b'),
      files: used.map((mod) => `${mod.name}.v`),
    },
  };
}
