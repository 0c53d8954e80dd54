// Programmable-prime Montgomery multiplier (`montmul --param prime=runtime --param width=W`):
// the fixed-prime montmul's algorithm with p and p′ loaded at run time, one result per cycle.
//
// Same stages as montmul.ts with R = 2^W (k = W):
//   ab stage  T = a·b                              variable × variable, 2W bits (Karatsuba auto)
//   m stage   m = (T mod R)·p′ mod R               variable × variable, low W bits only
//   mp stage  u = T div R + (m·p) div R + [T mod R ≠ 0]   variable × variable (montmul's mp=full)
//   final     out = u ≥ p ? u − p : u
// Why this works for any odd p < 2^W, however small: T = a·b < p² < p·R and m < R, so
// (T + m·p)/R < 2p and one conditional subtraction suffices (the golden model is montmul
// with montgomeryField(p, W)). Nothing here depends on the value of p, so the constant
// tricks of the fixed-prime block (zero and power-of-two tiles, shift-and-add, the high band
// of m·p) are all gone: that gap is what the fixed-vs-programmable comparison measures.
//
// Reconfiguration: p and p′ live in two registers written on cfg_valid; the pipeline carries
// no copies of them. An operation reads p′ when it enters the m stage, p when it enters the
// mp stage and again in the final subtraction, L − 1 cycles after it was taken. So a load in
// cycle c is seen whole by every operation taken after c, and not at all by one taken in
// c − L + 1 or earlier (its last read is in cycle c); between the two an operation may mix
// old and new values. Hence the rule in the manifest: in_valid low in the L − 1 cycles up to
// and including the load cycle; no wait after it.
import { GENERATOR_ID, delayModule, hex, mergeModules, renderTemplate, type GeneratedDesign, type Port } from './design.ts';
import { parseInteger, parseTile, rejectUnknown, type ParamDoc, type RawParams } from './params.ts';
import { KARATSUBA_MAX, planProduct, planSquareProduct, type ProductPlan, type ProductSpec } from './product.ts';
import { productModule } from './product-module.ts';
import { UsageError } from '../base/errors.ts';

/** Widths accepted for the runtime twin (2 bits: p = 3; 1024: the largest prime zkrtl takes). */
export const RUNTIME_MIN_WIDTH = 2;
export const RUNTIME_MAX_WIDTH = 1024;

export const MONTMUL_RUNTIME_PARAMS: ParamDoc[] = [
  { name: 'prime', accepted: 'runtime', default: '' },
  { name: 'width', accepted: `W in bits, ${RUNTIME_MIN_WIDTH}..${RUNTIME_MAX_WIDTH}: any odd modulus p < 2^W can be loaded`, default: '' },
  { name: 'tile', accepted: 'AxB, 1..64 bits each', default: '26x17' },
  { name: 'tree', accepted: 'adder-tree levels per pipeline register, 1..64, or 0 for none', default: '1' },
  { name: 'karatsuba', accepted: 'Karatsuba levels on a·b, 0 to 4, or auto', default: 'auto' },
];

export interface MontmulRuntimeConfig {
  W: number;
  tile: [number, number];
  levelsPerStage: number;
  karatsuba: number | 'auto';
}

export interface MontmulRuntimePlans {
  ab: ProductPlan;
  m: ProductPlan;
  mp: ProductPlan;
  latency: number;
}

function parseConfig(raw: RawParams): MontmulRuntimeConfig {
  rejectUnknown('montmul prime=runtime', raw, MONTMUL_RUNTIME_PARAMS);
  if (raw.width === undefined) throw new UsageError(`prime=runtime needs width=W (${RUNTIME_MIN_WIDTH}..${RUNTIME_MAX_WIDTH}): the operand width, any odd p < 2^W can then be loaded`);
  const tree = raw.tree === undefined ? 1 : parseInteger('tree', raw.tree, 0, 64, 'adder levels per register, 0 for none');
  return {
    W: parseInteger('width', raw.width, RUNTIME_MIN_WIDTH, RUNTIME_MAX_WIDTH, 'the operand width in bits'),
    tile: parseTile(raw.tile ?? '26x17'),
    levelsPerStage: tree === 0 ? Infinity : tree,
    karatsuba: raw.karatsuba === undefined || raw.karatsuba === 'auto' ? 'auto' : parseInteger('karatsuba', raw.karatsuba, 0, KARATSUBA_MAX, 'Karatsuba levels, or auto'),
  };
}

function moduleName(cfg: MontmulRuntimeConfig): string {
  let name = `montmul_runtime_w${cfg.W}`;
  if (cfg.tile[0] !== 26 || cfg.tile[1] !== 17) name += `_t${cfg.tile[0]}x${cfg.tile[1]}`;
  if (cfg.levelsPerStage !== 1) name += `_l${cfg.levelsPerStage === Infinity ? 0 : cfg.levelsPerStage}`;
  if (cfg.karatsuba !== 'auto') name += `_k${cfg.karatsuba}`;
  return name;
}

/** The three products, from the same planner as the fixed-prime montmul. */
export function planMontmulRuntime(raw: RawParams): { cfg: MontmulRuntimeConfig; top: string; plans: MontmulRuntimePlans } {
  const cfg = parseConfig(raw);
  const top = moduleName(cfg);
  const W = cfg.W;
  const common = { tile: cfg.tile, levelsPerStage: cfg.levelsPerStage, addends: [], outLo: 0, constMode: 'dsp' as const };
  const abSpec: ProductSpec = { ...common, name: `${top}_ab`, xBits: W, y: { bits: W }, outBits: 2 * W };
  const ab = planSquareProduct(abSpec, cfg.karatsuba);
  // Truncated to W bits: tiles wholly above bit W are never built (about half the grid).
  const m = planProduct({ ...common, name: `${top}_m`, xBits: W, y: { bits: W }, outBits: W });
  // montmul's mp=full: the band cut of mp=high is computed from the constant p.
  const mp = planProduct({
    ...common,
    name: `${top}_mp`,
    xBits: W,
    y: { bits: W },
    outBits: 2 * W + 1,
    outLo: W,
    addends: [{ port: 't_hi', bits: W, shift: W }, { port: 't_lo_nz', bits: 1, shift: W }],
    lowBitsReason: 'bits below W only produce the carry into u: T + m*p is a multiple of R',
  });
  return { cfg, top, plans: { ab, m, mp, latency: ab.latency + m.latency + mp.latency + 1 } };
}

/** The configuration rule, in the manifest's words (the simulation keeps to exactly this). */
export function configRule(latency: number): string {
  return (
    `cfg_valid high in cycle c writes p and p' at that cycle's clock edge. Operands taken in cycle c + 1 or later ` +
    `use the new values (no wait after a load). Operands taken in cycle c - ${latency - 1} or earlier use the old values ` +
    `and complete normally. The pipeline carries no copies of p and p': an operation taken in cycles c - ${latency - 2} .. c ` +
    `may mix old and new values, so keep in_valid low in the ${latency - 1} cycles up to and including the cfg_valid cycle ` +
    `(drain: the last operation with the old prime enters at least ${latency - 1} cycles before the load).`
  );
}

export function generateMontmulRuntime(raw: RawParams): GeneratedDesign {
  const { cfg, top, plans } = planMontmulRuntime(raw);
  const W = cfg.W;
  const modules = mergeModules(
    // T div R waits for m in a delay line (a product of two variables always has registers).
    [delayModule()],
    [productModule(plans.ab, `Montgomery stage 1 of ${top}: T = a*b`)],
    [productModule(plans.m, `Montgomery stage 2 of ${top}: m = (T mod 2^${W}) * p' mod 2^${W}, p' loaded at run time`)],
    [productModule(plans.mp, `Montgomery stage 3 of ${top}: u = (T + m*p) / 2^${W}, p loaded at run time`)],
  );
  const text = renderTemplate('montmul_runtime', {
    generator: GENERATOR_ID,
    name: top,
    W,
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
    constmul: 'variable',
    treeOperands: pl.treeOperands,
    treeLevels: pl.treeLevels,
    ...(pl.karatsuba ? { karatsuba: pl.karatsuba } : {}),
  });
  const ports: Port[] = [
    { name: 'clk', dir: 'in', width: 1, description: 'clock' },
    { name: 'rst', dir: 'in', width: 1, description: 'synchronous, active high; clears valid bits only (not p and p\')' },
    { name: 'in_valid', dir: 'in', width: 1, description: 'a and b are taken in this cycle' },
    { name: 'a', dir: 'in', width: W, description: 'operand, canonical (< p of the loaded prime)' },
    { name: 'b', dir: 'in', width: W, description: 'operand, canonical (< p of the loaded prime)' },
    { name: 'cfg_valid', dir: 'in', width: 1, description: 'load cfg_p and cfg_pprime into the prime registers at this clock edge (see config.rule)' },
    { name: 'cfg_p', dir: 'in', width: W, description: `the modulus p: odd, 3 <= p < 2^${W}` },
    { name: 'cfg_pprime', dir: 'in', width: W, description: `p' = -p^-1 mod 2^${W}` },
    { name: 'out_valid', dir: 'out', width: 1, description: `high exactly ${plans.latency} cycles after in_valid` },
    { name: 'out', dir: 'out', width: W, description: `a*b*2^-${W} mod p, canonical` },
  ];
  return {
    top,
    modules: used,
    manifest: {
      module: top,
      block: 'montmul',
      generator: GENERATOR_ID,
      params: {
        prime: 'runtime',
        width: W,
        tile: cfg.tile.join('x'),
        tree: cfg.levelsPerStage === Infinity ? 0 : cfg.levelsPerStage,
        karatsuba: cfg.karatsuba,
        rbits: W,
      },
      latency: plans.latency,
      ii: 1,
      function: `out = a*b*R^-1 mod p with R = 2^${W} whatever p is loaded; a, b, out canonical (< p)`,
      summary: `prime loaded at run time (cfg_valid, cfg_p, cfg_pprime), any odd p < 2^${W}`,
      config: {
        ports: ['cfg_valid', 'cfg_p', 'cfg_pprime'],
        pprime: `-p^-1 mod 2^${W}`,
        R: hex(1n << BigInt(W)),
        rule: configRule(plans.latency),
        drainCycles: plans.latency - 1,
        reset: 'p and p\' are not reset (rst clears valid bits only): load a prime before the first operation',
      },
      stages: { ab: stage(plans.ab), m: stage(plans.m), mp: stage(plans.mp), final: { latency: 1, op: 'u >= p ? u - p : u' } },
      multiplierTiles: plans.ab.tiles + plans.m.tiles + plans.mp.tiles,
      ports,
      files: used.map((mod) => `${mod.name}.v`),
    },
  };
}
