// Pipelined complete elliptic-curve point adder, one addition accepted every cycle.
//
// The formula is the golden model's straight-line program (src/model/curve.ts): every op
// becomes one instantiated unit — the generated montmul, modadd and modsub, never a copy
// of their arithmetic — and the units are scheduled as soon as their operands are ready
// (ASAP), so the latency is (multiplier levels × montmul latency + the adds on the critical
// path), not (multiplications × montmul latency). Values that wait for a later consumer go
// through shared delay lines (zkrtl_delay, one tapped chain per value). A side-band tag
// and the operation's mode bit travel with the operation; valid bits are the only state
// that rst clears.
import type { CurveSpec } from '../curves/registry.ts';
import {
  adderFormula, curveMontgomery, isCube, edwardsModelOrThrow, type AddMode, type AdderFormula, type CurveForm,
} from '../model/curve.ts';
import { slpCounts, type SlpOp } from '../model/slp.ts';
import { GENERATOR_ID, delayModule, fieldInfo, hex, mergeModules, renderTemplate, type GeneratedDesign, type Port } from './design.ts';
import { generateModadd, generateModsub } from './modadd.ts';
import { MONTMUL_PARAMS, generateMontmul } from './montmul.ts';
import { multiplierParams } from './butterfly.ts';
import { parseChoice, parseInteger, rejectUnknown, type ParamDoc, type RawParams } from './params.ts';

export const MAX_TAG_BITS = 64;

export const ECADD_PARAMS: ParamDoc[] = [
  { name: 'form', accepted: 'weierstrass (complete projective, every a = 0 curve) or edwards (extended twisted Edwards, a = -1, where the curve has such a model)', default: 'weierstrass' },
  { name: 'mode', accepted: 'mixed (Q affine / precomputed), full (Q projective / extended), both (in_mode picks per operation)', default: 'full' },
  { name: 'tagbits', accepted: `0..${MAX_TAG_BITS}: width of a side-band tag that leaves with its result`, default: '0' },
  ...MONTMUL_PARAMS.map((d) => ({ ...d, accepted: `montmul: ${d.accepted}` })),
];

/** One scheduled op: when it starts and when its result is ready (cycles after in_valid). */
export interface ScheduledOp extends SlpOp {
  start: number;
  ready: number;
}

export interface Schedule {
  ops: ScheduledOp[];
  /** Cycle each value is ready at its producer's output (inputs 0; constants absent). */
  ready: Map<string, number>;
  latency: number;
  /** Multiplications on the longest chain of multiplications. */
  multiplierLevels: number;
}

/** ASAP schedule of the formula with these unit latencies. */
export function scheduleFormula(f: AdderFormula, lat: { mul: number; add: number }): Schedule {
  const ready = new Map<string, number>();
  const level = new Map<string, number>();
  for (const i of f.slp.inputs) {
    ready.set(i, 0);
    level.set(i, 0);
  }
  const isConst = (x: string) => x in f.slp.constants;
  const ops: ScheduledOp[] = [];
  for (const o of f.slp.ops) {
    const operands = [o.a, o.b].filter((x) => !isConst(x));
    const start = Math.max(0, ...operands.map((x) => ready.get(x)!));
    const unit = o.op === 'mul' ? lat.mul : o.op === 'select' ? 0 : lat.add;
    ready.set(o.dst, start + unit);
    level.set(o.dst, Math.max(0, ...operands.map((x) => level.get(x)!)) + (o.op === 'mul' ? 1 : 0));
    ops.push({ ...o, start, ready: start + unit });
  }
  const latency = Math.max(...f.slp.outputs.map((o) => ready.get(o)!));
  return { ops, ready, latency, multiplierLevels: Math.max(...f.slp.outputs.map((o) => level.get(o)!)) };
}

interface Config {
  form: CurveForm;
  mode: AddMode;
  tagBits: number;
}

function parseConfig(raw: RawParams): Config {
  rejectUnknown('ecadd', raw, ECADD_PARAMS);
  return {
    form: parseChoice('form', raw.form ?? 'weierstrass', ['weierstrass', 'edwards'] as const),
    mode: parseChoice('mode', raw.mode ?? 'full', ['mixed', 'full', 'both'] as const),
    tagBits: raw.tagbits === undefined ? 0 : parseInteger('tagbits', raw.tagbits, 0, MAX_TAG_BITS, 'the tag width in bits'),
  };
}

export function ecaddPorts(f: AdderFormula, W: number, tagBits: number): Port[] {
  const ports: Port[] = [
    { name: 'clk', dir: 'in', width: 1 },
    { name: 'rst', dir: 'in', width: 1, description: 'synchronous, active high; clears valid bits only' },
    { name: 'in_valid', dir: 'in', width: 1 },
  ];
  if (f.mode === 'both') ports.push({ name: 'in_mode', dir: 'in', width: 1, description: '1: full addition (Q projective/extended), 0: mixed (Q affine/precomputed)' });
  if (tagBits > 0) ports.push({ name: 'in_tag', dir: 'in', width: tagBits, description: 'leaves unchanged on out_tag with this operation\'s result' });
  for (const c of [...f.pCoords, ...f.qCoords]) ports.push({ name: c, dir: 'in', width: W, description: 'Montgomery form' });
  ports.push({ name: 'out_valid', dir: 'out', width: 1 });
  if (tagBits > 0) ports.push({ name: 'out_tag', dir: 'out', width: tagBits });
  for (const c of f.outCoords) ports.push({ name: c, dir: 'out', width: W, description: 'Montgomery form' });
  return ports;
}

/**
 * `tagBitsFor`: for a block built around the adder whose tag width depends on the adder's
 * latency (the MSM's: its slot count does), the tag width as a function of that latency,
 * instead of the `tagbits` parameter — so the adder is generated once.
 */
export function generateEcadd(curve: CurveSpec, raw: RawParams, tagBitsFor?: (latency: number) => number): GeneratedDesign {
  const parsed = parseConfig(raw);
  // Before any unit is generated: a curve without an Edwards model is a one-line error.
  const edwards = parsed.form === 'edwards' ? edwardsModelOrThrow(curve) : undefined;
  const field = curve.field;
  const mm = generateMontmul(field, multiplierParams(raw));
  const add = generateModadd(field, {});
  const sub = generateModsub(field, {});
  const mf = curveMontgomery(curve, mm.manifest.montgomery!.k);
  const formula = adderFormula(curve, mf, parsed.form, parsed.mode);
  const mmLatency = mm.manifest.latency!;
  const sched = scheduleFormula(formula, { mul: mmLatency, add: add.manifest.latency! });
  const W = field.bits;
  const L = sched.latency;
  const cfg = tagBitsFor ? { ...parsed, tagBits: tagBitsFor(L) } : parsed;
  if (!Number.isInteger(cfg.tagBits) || cfg.tagBits < 0 || cfg.tagBits > MAX_TAG_BITS) throw new Error(`internal: tag width ${cfg.tagBits} outside 0..${MAX_TAG_BITS}`);

  // Delay taps: for each value, the distinct delays its consumers need.
  const taps = new Map<string, Set<number>>();
  const need = (v: string, at: number) => {
    if (v in formula.slp.constants) return;
    const d = at - sched.ready.get(v)!;
    if (d < 0) throw new Error(`internal: ${v} used before it is ready`);
    if (d > 0) {
      let s = taps.get(v);
      if (!s) taps.set(v, (s = new Set()));
      s.add(d);
    }
  };
  for (const o of sched.ops) {
    need(o.a, o.start);
    need(o.b, o.start);
  }
  for (const o of formula.slp.outputs) need(o, L);
  const wireAt = (v: string, at: number) => {
    if (v in formula.slp.constants) return `C_${v.toUpperCase()}`;
    const d = at - sched.ready.get(v)!;
    return d === 0 ? `w_${v}` : `w_${v}_d${d}`;
  };
  const delays: Array<{ name: string; from: string; depth: number; width: number }> = [];
  for (const [v, set] of taps) {
    let prev = 0;
    for (const d of [...set].sort((a, b) => a - b)) {
      delays.push({ name: `w_${v}_d${d}`, from: prev === 0 ? `w_${v}` : `w_${v}_d${prev}`, depth: d - prev, width: W });
      prev = d;
    }
  }
  const selectTimes = [...new Set(sched.ops.filter((o) => o.op === 'select').map((o) => o.start))].sort((a, b) => a - b);
  const units = sched.ops.map((o) => ({
    kind: o.op,
    dst: o.dst,
    start: o.start,
    module: o.op === 'mul' ? mm.top : o.op === 'add' ? add.top : o.op === 'sub' ? sub.top : '',
    a: wireAt(o.a, o.start),
    b: wireAt(o.b, o.start),
    mode: o.op === 'select' ? (o.start === 0 ? 'in_mode' : `mode_at[${o.start}]`) : '',
  }));

  // The multiplier's parameter suffix (tile, tree, …) carries over into the adder's name.
  const suffix = mm.top.slice(`montmul_${field.tag}`.length);
  const top = `ecadd_${curve.tag}_${cfg.form === 'weierstrass' ? 'w' : 'e'}_${cfg.mode}${cfg.tagBits ? `_tag${cfg.tagBits}` : ''}${suffix}`;
  const counts = slpCounts(formula.slp);
  const text = renderTemplate('ecadd', {
    generator: GENERATOR_ID,
    name: top,
    curveName: curve.name,
    form: cfg.form,
    mode: cfg.mode,
    reference: formula.reference,
    validInputs: inputsDoc(curve, cfg),
    p: field.p.toString(16),
    W,
    latency: L,
    levels: sched.multiplierLevels,
    counts,
    mmLatency,
    tagBits: cfg.tagBits,
    inputs: [...formula.pCoords, ...formula.qCoords],
    outputs: formula.outCoords,
    qMixedMeaning: formula.qMixedMeaning,
    constants: Object.entries(formula.slp.constants).map(([n, v]) => ({ name: `C_${n.toUpperCase()}`, value: `${W}'h${v.toString(16)}`, what: n })),
    values: sched.ops.map((o) => o.dst),
    delays,
    units,
    selectTimes,
    outWires: formula.outCoords.map((o) => wireAt(o, L)),
  });
  const modules = [...mergeModules([delayModule()], mm.modules, add.modules, sub.modules), { name: top, text }];
  return {
    top,
    modules,
    manifest: {
      module: top,
      block: 'ecadd',
      generator: GENERATOR_ID,
      curve: {
        name: curve.name, b: hex(curve.b), n: hex(curve.n), ...(curve.h !== undefined ? { h: hex(curve.h) } : {}),
        gx: hex(curve.gx), gy: hex(curve.gy), equation: 'y^2 = x^3 + b', source: curve.source,
      },
      field: fieldInfo(field),
      montgomery: mm.manifest.montgomery,
      params: { form: cfg.form, mode: cfg.mode, tagbits: cfg.tagBits, ...mm.manifest.params },
      latency: L,
      ii: 1,
      function: `out = P + Q on the curve, with no special case on the inputs stated in 'inputs': doubling, P + (-P), ${cfg.mode === 'mixed' && cfg.form === 'weierstrass' ? 'and O + Q' : 'P + O, O + P and O + O'} go through the same formula`,
      formula: formula.reference,
      inputs: inputsDoc(curve, cfg),
      coordinates: coordinatesDoc(formula),
      montgomeryForm: 'every coordinate on every port is in Montgomery form, x*R mod p (R = montgomery.R)',
      multiplications: counts.mul,
      additions: counts.add + counts.sub,
      multiplierLevels: sched.multiplierLevels,
      constantMultiplication: { constant: formula.constant.name, value: hex(formula.constant.value), how: formula.constant.how },
      ...(edwards ? {
        edwards: {
          equation: '-x^2 + y^2 = 1 + d*x^2*y^2',
          d: hex(edwards.d), k: hex(edwards.k),
          completeness: 'd = (A - 2)^2 is a square (as for every a = 0 curve): the addition law has exceptional pairs, whose difference has order 2 or 4; none lies in the subgroup of odd prime order n, so inputs must be in it',
          map: 'Weierstrass (x, y) -> Montgomery (u, v) = (s(x - alpha), s*y) -> Edwards (r*u/v, (u-1)/(u+1)); see src/model/curve.ts',
          alpha: hex(edwards.alpha), s: hex(edwards.s), r: hex(edwards.r),
        },
      } : {}),
      schedule: {
        montmulLatency: mmLatency,
        units: sched.ops.filter((o) => o.op !== 'select').map((o) => ({ unit: o.op, result: o.dst, start: o.start, ready: o.ready })),
        delayRegisters: delays.reduce((n, d) => n + d.depth * d.width, 0),
      },
      submodules: { montmul: mm.top, modadd: add.top, modsub: sub.top },
      ports: ecaddPorts(formula, W, cfg.tagBits),
      files: modules.map((m) => `${m.name}.v`),
    },
  };
}

/** Which inputs the formulas are exact for, from the curve's 2-torsion and the mode. */
function inputsDoc(curve: CurveSpec, cfg: Config): string {
  const mixedO = cfg.mode !== 'full' && cfg.form === 'weierstrass' ? '; a mixed operation\'s Q is affine, so it cannot be O' : '';
  if (cfg.form === 'edwards') return `points of the subgroup of order n (see edwards.completeness)${mixedO}`;
  return isCube(-curve.b, curve.field.p)
    ? `points of the subgroup of order n: the curve has points of order 2, and the formulas fail for pairs whose difference is one (none lie in that subgroup)${mixedO}`
    : `any points of the curve: it has no point of order 2, so the formulas have no exceptional pairs${mixedO}`;
}

function coordinatesDoc(f: AdderFormula): Record<string, unknown> {
  const system = f.form === 'weierstrass' ? 'projective (X:Y:Z), x = X/Z, y = Y/Z; O = (0:1:0)' : 'extended (X:Y:T:Z), x = X/Z, y = Y/Z, T = XY/Z; identity (0:1:0:1)';
  const q = f.mode === 'mixed'
    ? (f.form === 'weierstrass' ? 'affine (x, y) of a finite point (Z2 = 1; O has no affine form: send it as a full addition or skip it)' : 'precomputed affine (y - x, y + x, k*x*y), k = 2d; the identity is (1, 1, 0)')
    : f.mode === 'full' ? system : `in_mode = 1: ${system}; in_mode = 0: ${f.qMixedMeaning!.join(', ')}`;
  return { system, p: f.pCoords, q: f.qCoords, qFormat: q, out: f.outCoords, order: 'ports in this order; every value in Montgomery form' };
}
