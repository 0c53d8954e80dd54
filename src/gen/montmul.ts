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
import { planProduct, type ProductPlan, type ProductSpec } from './product.ts';
import { productModule } from './product-module.ts';
import { UsageError } from '../base/errors.ts';

export const MONTMUL_PARAMS: ParamDoc[] = [
  { name: 'tile', accepted: 'AxB, 1..64 bits each: 26x17 DSP48E2, 18x18, 16x16 iCE40 MAC16', default: '26x17' },
  { name: 'tree', accepted: 'adder-tree levels per pipeline register, 1..64, or 0 for none', default: '1' },
  { name: 'depth', accepted: 'target latency in cycles (picks the most pipelined tree that fits)', default: '' },
  { name: 'constmul', accepted: 'auto, dsp, csd: how products by p and p′ are built', default: 'auto' },
  { name: 'rbits', accepted: 'k in R = 2^k, from bitlength(p) to 2·bitlength(p) − 1', default: 'bitlength(p)' },
];

/** A constant with at most this many signed digits in range is cheaper as shift-and-add. */
export const CSD_AUTO_MAX_DIGITS = 4;

interface MontmulConfig {
  tile: [number, number];
  levelsPerStage: number;
  constmul: 'auto' | 'dsp' | 'csd';
  k: number;
  depth?: number;
}

function parseConfig(field: FieldSpec, raw: RawParams): MontmulConfig {
  rejectUnknown('montmul', raw, MONTMUL_PARAMS);
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
  return name;
}

interface MontmulPlans {
  ab: ProductPlan;
  m: ProductPlan;
  mp: ProductPlan;
  latency: number;
}

function planStages(top: string, mf: MontgomeryField, cfg: MontmulConfig, levelsPerStage: number): MontmulPlans {
  const W = mf.bits;
  const k = mf.k;
  const common = { tile: cfg.tile, levelsPerStage, addends: [], outLo: 0 };
  const ab = planProduct({ ...common, name: `${top}_ab`, xBits: W, y: { bits: W }, constMode: 'dsp', outBits: 2 * W } as ProductSpec);
  const m = planProduct({
    ...common, name: `${top}_m`, xBits: k, y: { constant: mf.pPrime }, constMode: constMode(cfg, mf.pPrime, k), outBits: k,
  });
  const mp = planProduct({
    ...common,
    name: `${top}_mp`,
    xBits: k,
    y: { constant: mf.p },
    constMode: constMode(cfg, mf.p, k + W + 1),
    outBits: k + W + 1,
    outLo: k,
    addends: [
      { port: 't_hi', bits: 2 * W - k, shift: k },
      { port: 't_lo_nz', bits: 1, shift: k },
    ],
    lowBitsReason: 'bits below k only produce the carry into u: T + m*p is a multiple of R',
  });
  return { ab, m, mp, latency: ab.latency + m.latency + mp.latency + 1 };
}

/** The most pipelined tree whose total latency fits the target depth. */
function planForDepth(top: string, mf: MontgomeryField, cfg: MontmulConfig): MontmulPlans {
  const target = cfg.depth!;
  let best: MontmulPlans | undefined;
  for (let lv = 1; lv <= 64; lv++) {
    const plans = planStages(top, mf, cfg, lv);
    if (plans.latency <= target) return plans;
    best = plans;
    if (plans.ab.treeLevels <= lv && plans.m.treeLevels <= lv && plans.mp.treeLevels <= lv) break;
  }
  throw new UsageError(`depth=${target} is below the minimum latency ${best!.latency} of this montmul (tile ${cfg.tile.join('x')}): give depth ≥ ${best!.latency}`);
}

export function generateMontmul(field: FieldSpec, raw: RawParams): GeneratedDesign {
  const cfg = parseConfig(field, raw);
  const mf = montgomeryField(field.p, cfg.k);
  const top = moduleName(field, cfg);
  const plans = cfg.depth !== undefined ? planForDepth(top, mf, cfg) : planStages(top, mf, cfg, cfg.levelsPerStage);
  const W = mf.bits;
  const k = mf.k;
  const modules = mergeModules(
    // The delay line is only instantiated when the m stage has registers.
    plans.m.latency > 0 ? [delayModule()] : [],
    [productModule(plans.ab, `Montgomery stage 1 of ${top}: T = a*b`)],
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
    m: { name: plans.m.spec.name, latency: plans.m.latency },
    mp: { name: plans.mp.spec.name, latency: plans.mp.latency },
  });
  const used = [...modules, { name: top, text }];
  const stage = (pl: ProductPlan) => ({
    module: pl.spec.name,
    latency: pl.latency,
    tiles: pl.tiles,
    constmul: 'constant' in pl.spec.y ? pl.spec.constMode : 'variable',
    treeOperands: pl.treeOperands,
    treeLevels: pl.treeLevels,
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
      },
      latency: plans.latency,
      ii: 1,
      function: 'out = a*b*R^-1 mod p; a, b, out canonical (< p)',
      stages: { ab: stage(plans.ab), m: stage(plans.m), mp: stage(plans.mp), final: { latency: 1, op: 'u >= p ? u - p : u' } },
      multiplierTiles: plans.ab.tiles + plans.m.tiles + plans.mp.tiles,
      ports: pipelinePorts(W),
      files: used.map((mod) => `${mod.name}.v`),
    },
  };
}
