// Fixed-prime modular multiplier in plain form: out = a·b mod p, one result per cycle.
//
// The reduction follows the shape of p (src/model/modmul.ts has the arithmetic and the forms):
//   fold forms (mersenne, solinas, pseudo-mersenne): T = a·b, then folds X ← (X mod 2^k) +
//     (X div 2^k)·c with c = 2^k − p, each fold a constant product from the same planner as
//     every multiplier here (shift-and-add on c's signed digits when c is sparse, DSP tiles
//     when not), then the largest multiple of p not above X is subtracted;
//   montgomery (every odd prime) and montgomery-friendly (p, p′ sparse): two montmuls, the
//     second by the constant R² mod p, which takes a·b·R⁻¹ back to a·b mod p.
// `reduce=auto` plans the fold (under the most specific fold form p has) and the Montgomery
// route, and keeps the one with the smallest share of a VU9P,
// the measure `karatsuba=auto` uses.
import type { FieldSpec } from '../fields/registry.ts';
import { csdDigits } from '../model/multiplier.ts';
import { montgomeryField } from '../model/field.ts';
import { REDUCE_FORMS, formCheck, type FoldSchedule, type ReduceForm } from '../model/modmul.ts';
import { UsageError } from '../base/errors.ts';
import {
  GENERATOR_ID, fieldInfo, hex, mergeModules, pipelinePorts, renderTemplate, type GeneratedDesign, type VerilogModule,
} from './design.ts';
import { CSD_AUTO_MAX_DIGITS, generateMontmul, planMontmul } from './montmul.ts';
import { parseChoice, parseInteger, parseTile, rejectUnknown, type ParamDoc, type RawParams } from './params.ts';
import { DEVICE_FOR_AUTO, KARATSUBA_MAX, deviceShare, planProduct, planSquareProduct, type ProductPlan } from './product.ts';
import { productModule } from './product-module.ts';

export const MODMUL_PARAMS: ParamDoc[] = [
  { name: 'reduce', accepted: `auto (the form of p with the smallest VU9P share), ${REDUCE_FORMS.join(', ')}`, default: 'auto' },
  { name: 'tile', accepted: 'AxB, 1..64 bits each: 26x17 DSP48E2, 18x18, 16x16 iCE40 MAC16', default: '26x17' },
  { name: 'tree', accepted: 'adder-tree levels per pipeline register, 1..64, or 0 for none', default: '1' },
  { name: 'karatsuba', accepted: 'Karatsuba levels on a·b, 0 to 4, or auto', default: 'auto' },
  { name: 'constmul', accepted: 'auto, dsp, csd: how products by constants (c of a fold, p, p′, R² mod p) are built', default: 'auto' },
];

export interface ModmulConfig {
  reduce: 'auto' | ReduceForm;
  tile: [number, number];
  levelsPerStage: number;
  karatsuba: number | 'auto';
  constmul: 'auto' | 'dsp' | 'csd';
}

function parseConfig(raw: RawParams): ModmulConfig {
  rejectUnknown('modmul', raw, MODMUL_PARAMS);
  const tree = raw.tree === undefined ? 1 : parseInteger('tree', raw.tree, 0, 64, 'adder levels per register, 0 for none');
  return {
    reduce: parseChoice('reduce', raw.reduce ?? 'auto', ['auto', ...REDUCE_FORMS] as const),
    tile: parseTile(raw.tile ?? '26x17'),
    levelsPerStage: tree === 0 ? Infinity : tree,
    karatsuba: raw.karatsuba === undefined || raw.karatsuba === 'auto' ? 'auto' : parseInteger('karatsuba', raw.karatsuba, 0, KARATSUBA_MAX, 'Karatsuba levels, or auto'),
    constmul: parseChoice('constmul', raw.constmul ?? 'auto', ['auto', 'dsp', 'csd'] as const),
  };
}

function moduleName(field: FieldSpec, cfg: ModmulConfig, form: ReduceForm): string {
  let name = `modmul_${field.tag}`;
  if (cfg.reduce !== 'auto') name += `_${form.replace(/-/g, '')}`;
  if (cfg.tile[0] !== 26 || cfg.tile[1] !== 17) name += `_t${cfg.tile[0]}x${cfg.tile[1]}`;
  if (cfg.levelsPerStage !== 1) name += `_l${cfg.levelsPerStage === Infinity ? 0 : cfg.levelsPerStage}`;
  if (cfg.constmul !== 'auto') name += `_${cfg.constmul}`;
  if (cfg.karatsuba !== 'auto') name += `_k${cfg.karatsuba}`;
  return name;
}

/** The montmul parameters a modmul passes on to its two montmuls. */
export function montmulParams(cfg: ModmulConfig): RawParams {
  return {
    tile: cfg.tile.join('x'),
    tree: String(cfg.levelsPerStage === Infinity ? 0 : cfg.levelsPerStage),
    karatsuba: String(cfg.karatsuba),
    constmul: cfg.constmul,
  };
}

export interface FoldPlans {
  schedule: FoldSchedule;
  ab: ProductPlan;
  folds: ProductPlan[];
  latency: number;
}

/** The product a·b and one constant product per fold: X' = (X mod 2^k) + (X div 2^k)·c. */
export function planFolds(top: string, schedule: FoldSchedule, cfg: ModmulConfig): FoldPlans {
  const W = schedule.k;
  const common = { tile: cfg.tile, levelsPerStage: cfg.levelsPerStage, outLo: 0 };
  const ab = planSquareProduct({ ...common, name: `${top}_ab`, xBits: W, y: { bits: W }, constMode: 'dsp', addends: [], outBits: schedule.steps.length ? schedule.steps[0].inBits : 2 * W }, cfg.karatsuba);
  const folds = planFoldProducts(top, schedule, cfg);
  return { schedule, ab, folds, latency: ab.latency + folds.reduce((n, f) => n + f.latency, 0) + 1 };
}

/** One constant product per fold (`${top}_fold<i>`), for the modmul and the shift multiplier (gen/shiftmul.ts). */
export function planFoldProducts(top: string, schedule: FoldSchedule, cfg: Pick<ModmulConfig, 'tile' | 'levelsPerStage' | 'constmul'>): ProductPlan[] {
  const { k, c } = schedule;
  const common = { tile: cfg.tile, levelsPerStage: cfg.levelsPerStage, outLo: 0 };
  const digits = csdDigits(c).length;
  const constMode = cfg.constmul !== 'auto' ? cfg.constmul : digits <= CSD_AUTO_MAX_DIGITS ? 'csd' : 'dsp';
  return schedule.steps.map((s, i) => planProduct({
    ...common,
    name: `${top}_fold${i + 1}`,
    xBits: s.hiBits,
    y: { constant: c },
    constMode,
    addends: [{ port: 'l', bits: k, shift: 0 }],
    outBits: s.outBits,
  }));
}

/** One form's planned hardware and the share of a VU9P it takes (what reduce=auto weighs). */
export interface ModmulPlan {
  form: ReduceForm;
  top: string;
  /** The fold forms' products; absent for the Montgomery forms (two montmuls). */
  folds?: FoldPlans;
  share: number;
}

function planForm(field: FieldSpec, cfg: ModmulConfig, form: ReduceForm, schedule: FoldSchedule | undefined): ModmulPlan {
  const top = moduleName(field, cfg, form);
  const W = field.bits;
  if (schedule) {
    const folds = planFolds(top, schedule, cfg);
    // The last step: one subtractor per multiple of p, the output multiplexer and register.
    const finalLut = schedule.multiples * (schedule.finalBits + 1) + W;
    const share = [folds.ab, ...folds.folds].reduce((s, pl) => s + deviceShare(pl), 0)
      + finalLut / DEVICE_FOR_AUTO.lut + (W + folds.latency) / DEVICE_FOR_AUTO.ff;
    return { form, top, folds, share };
  }
  const raw = montmulParams(cfg);
  const first = planMontmul(field, raw, { name: `${top}_redc` });
  const second = planMontmul(field, raw, { name: `${top}_unmont`, constB: unmontConstant(field) });
  const products = [first, second].flatMap((x) => [x.plans.ab, x.plans.m, x.plans.mp]);
  // Each montmul's last step: a subtractor, the multiplexer, the output and valid registers.
  const share = products.reduce((s, pl) => s + deviceShare(pl), 0)
    + 2 * (2 * W + 1) / DEVICE_FOR_AUTO.lut + (2 * W + first.plans.latency + second.plans.latency) / DEVICE_FOR_AUTO.ff;
  return { form, top, share };
}

/** The form a modmul uses (reduce= as given, or auto's pick) and its planned hardware. */
export function planModmul(field: FieldSpec, raw: RawParams): { cfg: ModmulConfig; plan: ModmulPlan } {
  const cfg = parseConfig(raw);
  const plan = (form: ReduceForm): ModmulPlan | { reason: string } => {
    const check = formCheck(field.p, form);
    return check.ok ? planForm(field, cfg, form, check.schedule) : { reason: check.reason };
  };
  if (cfg.reduce !== 'auto') {
    const chosen = plan(cfg.reduce);
    if ('reason' in chosen) {
      throw new UsageError(`reduce=${cfg.reduce} does not fit ${field.name === 'custom' ? `p = ${hex(field.p)}` : field.name}: ${chosen.reason}; give reduce=auto, or one of the forms p has: ${REDUCE_FORMS.filter((f) => formCheck(field.p, f).ok).join(', ')}`);
    }
    return { cfg, plan: chosen };
  }
  // The fold forms build the same circuit (they differ in which p they accept): plan it once,
  // under the most specific name; likewise the two Montgomery forms.
  const candidates: ModmulPlan[] = [];
  for (const family of [['mersenne', 'solinas', 'pseudo-mersenne'], ['montgomery-friendly', 'montgomery']] as ReduceForm[][]) {
    for (const form of family) {
      const p = plan(form);
      if (!('reason' in p)) { candidates.push(p); break; }
    }
  }
  return { cfg, plan: candidates.reduce((x, y) => (y.share < x.share ? y : x)) };
}

export function generateModmul(field: FieldSpec, raw: RawParams): GeneratedDesign {
  const { cfg, plan } = planModmul(field, raw);
  return plan.folds ? foldDesign(field, cfg, plan.form, plan.top, plan.folds) : montgomeryDesign(field, cfg, plan.form, plan.top);
}

function foldDesign(field: FieldSpec, cfg: ModmulConfig, form: ReduceForm, top: string, plans: FoldPlans): GeneratedDesign {
  const { schedule, ab, folds } = plans;
  const W = field.bits;
  const k = schedule.k;
  const modules = mergeModules(
    [productModule(ab, `Product of ${top}: T = a*b`)],
    ...folds.map((f, i) => [productModule(f, `Fold ${i + 1} of ${top}: x' = (x mod 2^${k}) + (x div 2^${k})*0x${schedule.c.toString(16)}, as 2^${k} = 0x${schedule.c.toString(16)} mod p`)]),
  );
  // Widths of T and of each fold's result: the value each stage carries.
  const widths = [ab.outWidth, ...folds.map((f) => f.outWidth)];
  const text = renderTemplate('modmul_fold', {
    generator: GENERATOR_ID,
    name: top,
    fieldName: field.name,
    form,
    W,
    k,
    p: field.p.toString(16),
    c: schedule.c.toString(16),
    latency: plans.latency,
    ab: { name: ab.spec.name, latency: ab.latency },
    folds: folds.map((f, i) => ({ name: f.spec.name, latency: f.latency, inWidth: widths[i], outWidth: widths[i + 1] })),
    finalBits: widths[widths.length - 1],
    multiples: Array.from({ length: schedule.multiples }, (_, j) => ({ j: j + 1, value: (BigInt(j + 1) * field.p).toString(16) })),
  });
  return modmulDesign(field, cfg, top, [...modules, { name: top, text }], plans.latency, {
    reduce: {
      form,
      identity: `2^${k} = 0x${schedule.c.toString(16)} (mod p): x = (x mod 2^${k}) + (x div 2^${k})*0x${schedule.c.toString(16)}`,
      folds: schedule.steps.map((s, i) => ({
        module: folds[i].spec.name, latency: folds[i].latency, inBits: s.inBits, outBits: s.outBits, outMax: hex(s.outMax),
        constmul: folds[i].spec.constMode, tiles: folds[i].tiles,
      })),
      final: { multiples: schedule.multiples, op: `out = x - j*p for the largest j <= ${schedule.multiples} with x >= j*p`, latency: 1 },
    },
    stages: { ab: { module: ab.spec.name, latency: ab.latency, tiles: ab.tiles, ...(ab.karatsuba ? { karatsuba: ab.karatsuba } : {}) } },
    multiplierTiles: ab.tiles + folds.reduce((n, f) => n + f.tiles, 0),
  });
}

/** What the second montmul of the Montgomery route multiplies by: R² mod p takes a·b·R⁻¹ to a·b. */
export function unmontConstant(field: FieldSpec): bigint {
  return montgomeryField(field.p).r2ModP;
}

function montgomeryDesign(field: FieldSpec, cfg: ModmulConfig, form: ReduceForm, top: string): GeneratedDesign {
  const raw = montmulParams(cfg);
  const mf = montgomeryField(field.p);
  const constant = unmontConstant(field);
  const redc = generateMontmul(field, raw, { name: `${top}_redc` });
  const unmont = generateMontmul(field, raw, { name: `${top}_unmont`, constB: constant });
  const latency = redc.manifest.latency! + unmont.manifest.latency!;
  const text = renderTemplate('modmul_montgomery', {
    generator: GENERATOR_ID,
    name: top,
    fieldName: field.name,
    form,
    W: field.bits,
    k: mf.k,
    p: field.p.toString(16),
    r2: constant.toString(16),
    latency,
    redc: { name: redc.top, latency: redc.manifest.latency },
    unmont: { name: unmont.top, latency: unmont.manifest.latency },
  });
  return modmulDesign(field, cfg, top, [...mergeModules(redc.modules, unmont.modules), { name: top, text }], latency, {
    // Ports are plain; the Montgomery form stays inside, so its constants live under reduce.
    reduce: {
      form,
      identity: `out = REDC(REDC(a*b) * (R^2 mod p)), R = 2^${mf.k}`,
      k: mf.k,
      montgomery: redc.manifest.montgomery,
      redc: { module: redc.top, latency: redc.manifest.latency, stages: redc.manifest.stages },
      unmont: { module: unmont.top, latency: unmont.manifest.latency, constant: hex(constant), stages: unmont.manifest.stages },
    },
    multiplierTiles: (redc.manifest.multiplierTiles as number) + (unmont.manifest.multiplierTiles as number),
  });
}

/** The design and manifest every modmul shares; `extra` says how it reduces. */
function modmulDesign(field: FieldSpec, cfg: ModmulConfig, top: string, used: VerilogModule[], latency: number, extra: Record<string, unknown>): GeneratedDesign {
  return {
    top,
    modules: used,
    manifest: {
      module: top,
      block: 'modmul',
      generator: GENERATOR_ID,
      field: fieldInfo(field),
      params: paramsOf(cfg),
      ...extra,
      latency,
      ii: 1,
      function: 'out = a*b mod p; a, b, out canonical (< p)',
      ports: pipelinePorts(field.bits),
      files: used.map((mod) => `${mod.name}.v`),
    },
  };
}

function paramsOf(cfg: ModmulConfig): Record<string, string | number> {
  return {
    reduce: cfg.reduce,
    tile: cfg.tile.join('x'),
    tree: cfg.levelsPerStage === Infinity ? 0 : cfg.levelsPerStage,
    karatsuba: cfg.karatsuba,
    constmul: cfg.constmul,
  };
}
