// Pippenger MSM core: one pipelined point adder (ecadd, mode=both) behind a bucket scheduler,
// a running-sum reduction and a ROM-driven combination of the windows, all on chip.
// The schedule it implements is the golden model's (src/model/msm.ts); this file sizes the
// core, picks c, fills the combination ROM and documents the interface in the manifest.
import type { CurveSpec } from '../curves/registry.ts';
import {
  MAX_WINDOW_BITS, MIN_WINDOW_BITS, accumulate, msmIdentity, msmShape, reductionCycles, signedDigits, tailProgram, type MsmShape, type TailProgram,
} from '../model/msm.ts';
import { Rng } from '../base/rng.ts';
import { curveMontgomery, type CurveForm } from '../model/curve.ts';
import { GENERATOR_ID, mergeModules, renderTemplate, type GeneratedDesign, type Port } from './design.ts';
import { generateEcadd } from './ecadd.ts';
import { multiplierParams } from './butterfly.ts';
import { MONTMUL_PARAMS } from './montmul.ts';
import { parseChoice, parseInteger, rejectUnknown, type ParamDoc, type RawParams } from './params.ts';
import { UsageError } from '../base/errors.ts';

/** Largest c the default choice takes: 2^(c−1)·W buckets (62 Mbit for BN254 at 13) must fit on chip. */
export const MAX_AUTO_WINDOW_BITS = 13;
const FIFO_DEPTHS = ['2', '4', '8', '16', '32', '64'] as const;

export const MSM_PARAMS: ParamDoc[] = [
  { name: 'form', accepted: 'weierstrass or edwards (the adder\'s coordinates; see ecadd)', default: 'weierstrass' },
  { name: 'c', accepted: `window bits, ${MIN_WINDOW_BITS}..${MAX_WINDOW_BITS}: W = floor(bits(n)/c) + 1 windows of 2^(c-1) buckets`, default: `the c (≤ ${MAX_AUTO_WINDOW_BITS}) with the fewest cycles for 'points'` },
  { name: 'points', accepted: 'MSM size the default c is chosen for, 1..2^30', default: '65536' },
  { name: 'fifo', accepted: `stall FIFO depth: ${FIFO_DEPTHS.join(', ')}`, default: '8' },
  ...MONTMUL_PARAMS.map((d) => ({ ...d, accepted: `montmul: ${d.accepted}` })),
];

interface Config {
  form: CurveForm;
  c?: number;
  points: number;
  fifo: number;
}

function parseConfig(raw: RawParams): Config {
  rejectUnknown('msm', raw, MSM_PARAMS);
  return {
    form: parseChoice('form', raw.form ?? 'weierstrass', ['weierstrass', 'edwards'] as const),
    c: raw.c === undefined ? undefined : parseInteger('c', raw.c, MIN_WINDOW_BITS, MAX_WINDOW_BITS, 'the window size in bits'),
    points: raw.points === undefined ? 65536 : parseInteger('points', raw.points, 1, 2 ** 30, 'the number of points the default c is chosen for'),
    fifo: Number(parseChoice('fifo', raw.fifo ?? '8', FIFO_DEPTHS)),
  };
}

const clog2 = (n: number) => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));
const bitsFor = (maxValue: number) => Math.max(1, clog2(maxValue + 1));

/** Pairs of the random sample the schedule is measured on (model, deterministic). */
const SAMPLE_PAIRS = 2048;

/**
 * The accumulation schedule on uniformly random scalars below n (a fixed pseudo-random
 * sample): additions per cycle, and cycles per pair. A c whose top window holds only a few
 * values (e.g. 254 bits in windows of 11) sends most pairs to the same top buckets, faster
 * than the adder returns them: the measured occupancy shows it.
 */
export function sampledAccumulation(n: bigint, shape: MsmShape, pairs = SAMPLE_PAIRS): { occupancy: number; cyclesPerPair: number; fill: number } {
  const rng = new Rng(0x6d736d);
  const digits = Array.from({ length: pairs }, () => signedDigits(rng.below(n), shape.c, shape.windows));
  const acc = accumulate(shape, digits);
  const fill = shape.latency + 4;
  return { occupancy: acc.issues.length / acc.cycles, cyclesPerPair: (acc.cycles - fill) / pairs, fill };
}

/** Cycles of an MSM of `points` random pairs: the sampled accumulation rate, the reduction and the combination. */
function estimateMsmCycles(n: bigint, shape: MsmShape, tail: TailProgram, points: number): number {
  const a = sampledAccumulation(n, shape, Math.min(points, SAMPLE_PAIRS));
  return Math.round(points * a.cyclesPerPair + a.fill) + reductionCycles(shape) + tail.cycles;
}

/** c (≤ MAX_AUTO_WINDOW_BITS) with the fewest cycles for `points` random pairs. */
export function chooseWindowBits(n: bigint, latency: number, fifoDepth: number, points: number): number {
  const scalarBits = n.toString(2).length;
  let best = MIN_WINDOW_BITS;
  let bestCycles = Infinity;
  for (let c = MIN_WINDOW_BITS; c <= Math.min(MAX_AUTO_WINDOW_BITS, scalarBits); c++) {
    const s = msmShape({ c, scalarBits, latency, fifoDepth });
    const cycles = estimateMsmCycles(n, s, tailProgram(s), points);
    if (cycles < bestCycles) { best = c; bestCycles = cycles; }
  }
  return best;
}

export function generateMsm(curve: CurveSpec, raw: RawParams): GeneratedDesign {
  const cfg = parseConfig(raw);
  const scalarBits = curve.n.toString(2).length;
  // The adder's tag carries a bucket address or a slot, and the slot count depends on the
  // adder's latency: the core is sized inside the adder's generation, once L is known.
  let sized: { L: number; c: number; shape: MsmShape; tail: TailProgram; KB: number; KCB: number; SB: number; TB: number } | undefined;
  const adder = generateEcadd(curve, { form: cfg.form, mode: 'both', ...multiplierParams(raw) }, (L) => {
    const c = cfg.c ?? chooseWindowBits(curve.n, L, cfg.fifo, cfg.points);
    if (c > scalarBits) throw new UsageError(`c=${c} is not accepted: the scalars of ${curve.name} have ${scalarBits} bits (give c ≤ ${scalarBits})`);
    const shape = msmShape({ c, scalarBits, latency: L, fifoDepth: cfg.fifo });
    const tail = tailProgram(shape);
    const KB = clog2(shape.windows) + c - 1;
    // Chain index bits: bucket address = chain·m + (m − 1 − r).
    const KCB = KB - Math.log2(shape.segmentLength);
    const SB = Math.max(bitsFor(tail.slots - 1), KCB + 1);
    sized = { L, c, shape, tail, KB, KCB, SB, TB: 1 + Math.max(KB, SB) };
    return sized.TB;
  });
  const { L, c, shape, tail, KB, KCB, SB, TB } = sized!;
  const sampled = sampledAccumulation(curve.n, shape);
  const mf = curveMontgomery(curve, adder.manifest.montgomery!.k);
  const FW = curve.field.bits;
  const nCoords = cfg.form === 'weierstrass' ? 3 : 4;
  const coordNames = cfg.form === 'weierstrass' ? ['x', 'y', 'z'] : ['x', 'y', 't', 'z'];
  const inNames = cfg.form === 'weierstrass' ? ['in_x', 'in_y'] : ['in_ymx', 'in_ypx', 'in_kt'];
  const outNames = coordNames.map((n) => `out_${n}`);
  const identity = msmIdentity(cfg.form, mf).reduce((acc, v, i) => acc | (v << BigInt(i * FW)), 0n);
  const PW = nCoords * FW;
  const IW = inNames.length * FW;
  const CB = bitsFor(shape.roundChains - 1);
  const padTo = (width: number, expr: string, exprWidth: number) => (width > exprWidth ? `{${width - exprWidth}'d0, ${expr}}` : expr);
  const TCB = bitsFor(Math.max(tail.cycles, ...tail.ops.map((o) => o.cycle)));
  const PCB = bitsFor(tail.ops.length);
  const suffix = adder.top.slice(`ecadd_${curve.tag}_${cfg.form === 'weierstrass' ? 'w' : 'e'}_both_tag${TB}`.length);
  const top = `msm_${curve.tag}_${cfg.form === 'weierstrass' ? 'w' : 'e'}_c${c}_f${cfg.fifo}${suffix}`;
  const formula = adder.manifest.coordinates as { p: string[]; q: string[]; out: string[] };
  const text = renderTemplate('msm', {
    generator: GENERATOR_ID,
    name: top,
    curveName: curve.name,
    adder: adder.top,
    L, L1: L + 1,
    WN: shape.windows, B: shape.buckets, C: c, G: shape.segments, K: shape.chains, KR: shape.roundChains, M: shape.segmentLength,
    MB: Math.log2(shape.segmentLength),
    NB: scalarBits, FW, PW, IW, KB, SB, TB, CB, TCB, PCB,
    WB: bitsFor(shape.windows - 1),
    RB: bitsFor(shape.segmentLength),
    F: cfg.fifo, FB: Math.log2(cfg.fifo),
    inNames, outNames, coordNames,
    inMeaning: cfg.form === 'weierstrass' ? 'affine x, y' : 'precomputed Edwards y - x, y + x, k*x*y (k = 2d)',
    outMeaning: cfg.form === 'weierstrass' ? 'projective X:Y:Z, O = (0:1:0)' : 'extended Edwards X:Y:T:Z, identity (0:1:0:1)',
    negMeaning: cfg.form === 'weierstrass' ? '(x, -y)' : '(y + x, y - x, -k*x*y)',
    negIndex: cfg.form === 'weierstrass' ? 1 : 2,
    negParts: cfg.form === 'weierstrass' ? ['nxt_negc', 'nxt_c0'] : ['nxt_negc', 'nxt_c0', 'nxt_c1'],
    pW: `${FW}'h${curve.field.p.toString(16)}`,
    identity: `${PW}'h${identity.toString(16)}`,
    identityMeaning: cfg.form === 'weierstrass' ? 'O = (0:1:0)' : 'identity (0:1:0:1)',
    rom: tail.ops,
    combCycles: tail.cycles,
    resultSlot: tail.resultSlot,
    slots: tail.slots,
    KCB,
    redSlotExt: padTo(SB, '{red_kc, red_s}', KCB + 1),
    redSumExt: padTo(SB, "{red_kc, 1'b0}", KCB + 1),
    pPorts: formula.p,
    qPorts: formula.q,
    adOut: formula.out,
  });
  const modules = [...mergeModules(adder.modules), { name: top, text }];
  const bucketBits = shape.windows * shape.buckets * PW;
  return {
    top,
    modules,
    manifest: {
      module: top,
      block: 'msm',
      generator: GENERATOR_ID,
      curve: adder.manifest.curve,
      field: adder.manifest.field,
      montgomery: adder.manifest.montgomery,
      params: { form: cfg.form, c, points: cfg.points, fifo: cfg.fifo, ...(adder.manifest.params as Record<string, string | number>), tagbits: TB },
      function: 'Q = sum of k_i * P_i over the pairs of one MSM (in_last marks the last pair), computed on chip: accumulation, reduction and combination',
      input: {
        scalar: `in_scalar: ${scalarBits} bits (any value; k and k mod n give the same Q)`,
        point: `${inNames.join(', ')}: ${cfg.form === 'weierstrass' ? 'affine x, y of a point of the curve, not O (O contributes nothing: leave its pair out)' : 'the precomputed affine Edwards form (y - x, y + x, k*x*y) of a point of the subgroup of order n (src/model/msm.ts, msmInputPoint)'}; Montgomery form`,
        protocol: 'in_valid/in_ready; in_ready is a register (the core holds one pair ahead); in_last high with the last pair of an MSM. An MSM has at least one pair',
      },
      output: {
        point: `${outNames.join(', ')}: ${cfg.form === 'weierstrass' ? 'projective (X:Y:Z), x = X/Z, y = Y/Z, O = (0:1:0)' : 'extended Edwards (X:Y:T:Z); to Weierstrass affine with src/model/msm.ts, msmResultAffine'}; Montgomery form`,
        protocol: 'out_valid/out_ready; held until taken; done pulses the cycle after; the next MSM\'s pairs are taken from then on',
      },
      adder: { module: adder.top, latency: L, multiplications: adder.manifest.multiplications, multiplierLevels: adder.manifest.multiplierLevels },
      windows: {
        c, count: shape.windows, digits: `signed, in [-2^${c - 1}, 2^${c - 1}]; a digit above 2^${c - 1} becomes d - 2^${c} and carries into the next window`,
        bucketsPerWindow: shape.buckets,
      },
      memory: {
        buckets: { entries: shape.windows * shape.buckets, width: PW, bits: bucketBits, ports: '1 read, 1 write (synchronous read)', banking: 'one bank; address = window * 2^(c-1) + |digit| - 1' },
        slots: { entries: tail.slots, width: PW, bits: tail.slots * PW, ports: '2 read, 1 write (synchronous read)' },
        stallFifo: { entries: cfg.fifo, width: IW + KB },
        inFlight: { entries: L + 1, width: KB, what: 'bucket addresses of the additions issued in the last L + 1 cycles, compared with the FIFO head and the next op' },
      },
      schedule: {
        accumulationOccupancy: { value: Number(sampled.occupancy.toFixed(4)), how: `additions per cycle of the accumulation phase, ${SAMPLE_PAIRS} uniformly random scalars below n, from the golden model's schedule (equal to the RTL's cycle for cycle); a c whose top window holds few values is lower` },
        accumulation: 'one window of one pair per cycle; an op whose bucket is in flight waits in the stall FIFO (the FIFO head goes first once its bucket is free); the pipeline stalls only when the FIFO is full and both the head and the next op are blocked',
        guarantee: `while work is pending at least one addition issues every ${L + 2} cycles (a blocked FIFO head frees within L + 1 cycles), so every MSM finishes; when all scalars are equal each window's bucket serialises and the core sustains min(nz/W, nz/${L + 2}) additions per cycle, nz the scalar's non-zero digits (checked in test/msm-model.test.ts; measured figures in bench/results.md)`,
        reduction: { segments: shape.segments, segmentLength: shape.segmentLength, chains: shape.chains, cycles: reductionCycles(shape), additions: 2 * shape.windows * shape.buckets },
        combination: { additions: tail.ops.length, cycles: tail.cycles },
        cyclesPerMsm: `accumulation (>= N*${shape.windows} + ${L + 3}) + reduction ${reductionCycles(shape)} + combination ${tail.cycles}`,
      },
      submodules: { ecadd: adder.top },
      ports: msmPorts(scalarBits, FW, inNames, outNames),
      files: modules.map((m) => `${m.name}.v`),
    },
  };
}

export function msmPorts(scalarBits: number, FW: number, inNames: string[], outNames: string[]): Port[] {
  return [
    { name: 'clk', dir: 'in', width: 1 },
    { name: 'rst', dir: 'in', width: 1, description: 'synchronous, active high; the buckets are cleared after it (phase 0)' },
    { name: 'in_valid', dir: 'in', width: 1 },
    { name: 'in_ready', dir: 'out', width: 1 },
    { name: 'in_last', dir: 'in', width: 1, description: 'the last pair of an MSM' },
    { name: 'in_scalar', dir: 'in', width: scalarBits },
    ...inNames.map((n): Port => ({ name: n, dir: 'in', width: FW, description: 'Montgomery form' })),
    { name: 'out_valid', dir: 'out', width: 1 },
    { name: 'out_ready', dir: 'in', width: 1 },
    ...outNames.map((n): Port => ({ name: n, dir: 'out', width: FW, description: 'Montgomery form' })),
    { name: 'done', dir: 'out', width: 1, description: 'one cycle, after the result was taken' },
    { name: 'phase', dir: 'out', width: 3, description: '0 clearing buckets, 1 accumulate, 2 reduce, 3 combine, 4 output' },
    { name: 'stat_issue', dir: 'out', width: 1, description: 'an addition is issued this cycle' },
  ];
}
