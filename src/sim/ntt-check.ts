// Equivalence of a generated NTT core with the golden model in Verilator: structured inputs
// (all zero, all p−1, impulses) and random ones, streamed back to back, then again with
// input bubbles and output stalls; the forward results go back through the core's inverse
// and must give the input; and the back-to-back run's timing, counted by the harness, must be
// the control model's to the cycle (src/model/ntt.ts nttTimeline).
import { join } from 'node:path';
import type { GeneratedDesign } from '../gen/design.ts';
import { namedField, customField, type FieldSpec } from '../fields/registry.ts';
import {
  bitReverse, nttModel, nttSchedule, nttShape, nttTimeline, twiddleMultiplierOf, type NttModel, type NttTransformTimes,
} from '../model/ntt.ts';
import type { Progress } from '../base/progress.ts';
import { UsageError, readUserFile } from '../base/errors.ts';
import { Rng } from './vectors.ts';
import { buildNttSim, runNttSim } from './ntt-sim.ts';

export interface NttCheckResult {
  transforms: number;
  runs: Array<{ mode: string; cycles: number }>;
  /** Measured in the back-to-back run: first beat in to last beat out of the first transform,
   * and cycles between the last two done pulses. */
  stats: { latency: number; period: number };
}

/** Buffer sets of a generated core (manifest memory.sets). */
export function setsOf(design: GeneratedDesign): 1 | 2 {
  return (design.manifest.memory as { sets: 1 | 2 }).sets;
}

/** The harness' timing of a back-to-back run as the control model predicts it. */
export function expectedTimes(design: GeneratedDesign, transforms: number): NttTransformTimes[] {
  const model = modelOf(design);
  const lb = (design.manifest.dataflow as { butterflyLatency: number }).butterflyLatency;
  return nttTimeline(model.shape, nttSchedule(model.shape, lb), lb, setsOf(design), transforms);
}

/** Throws when a measured timing differs from the model's, naming the transform and event. */
export function compareTimes(top: string, got: NttTransformTimes[], want: NttTransformTimes[]): void {
  got.forEach((g, t) => {
    for (const key of ['firstIn', 'lastIn', 'firstOut', 'lastOut', 'done'] as const) {
      if (g[key] !== want[t]![key]) {
        throw new Error(`${top}: transform ${t}: ${key} in cycle ${g[key]} (harness count), the control model says ${want[t]![key]}`);
      }
    }
  });
}

function fieldOf(design: GeneratedDesign): FieldSpec {
  const f = design.manifest.field!;
  return f.name === 'custom' ? customField(f.p) : namedField(f.name);
}

/** The golden model of a core, with its butterflies' multiplier (and so its ROM's twiddle form) from the manifest. */
export function modelOf(design: GeneratedDesign): NttModel {
  const f = fieldOf(design);
  const prm = design.manifest.params;
  const shape = nttShape(f, Number(prm.n), Number(prm.lanes), prm.input as 'natural' | 'bitrev', prm.output as 'natural' | 'bitrev');
  return nttModel(f, shape, twiddleMultiplierOf(design.manifest));
}

/** Zero, all p−1, impulses at 0, 1 and N−1, then `random` seeded random inputs. */
export function nttInputs(p: bigint, n: number, random: number, seed: number): bigint[][] {
  const impulse = (i: number) => Array.from({ length: n }, (_, j) => (j === i ? 1n : 0n));
  const rng = new Rng(seed);
  return [
    new Array<bigint>(n).fill(0n),
    new Array<bigint>(n).fill(p - 1n),
    impulse(0),
    impulse(1),
    impulse(n - 1),
    ...Array.from({ length: random }, () => Array.from({ length: n }, () => rng.below(p))),
  ];
}

/** Reorders a sequence given in `from` order into `to` order. */
function reorder(x: bigint[], from: string, to: string): bigint[] {
  if (from === to) return x;
  const k = Math.log2(x.length);
  return x.map((_, i) => x[bitReverse(i, k)]!);
}

/**
 * Runs the checks; throws SimMismatchError (transform, element, cycle, waveform) on the
 * first difference and Error when a cycle count differs from the manifest.
 */
export async function checkNtt(
  design: GeneratedDesign,
  opts: { inverse: boolean; random: number; seed: number; progress: Progress; waveformDir: string },
): Promise<NttCheckResult> {
  const model = modelOf(design);
  const { n, lanes } = model.shape;
  const width = design.manifest.field!.bits;
  const binary = await buildNttSim(design, opts.progress);
  const inputs = nttInputs(model.p, n, opts.random, opts.seed);
  const transforms = inputs.map((input) => ({ inverse: opts.inverse, input }));
  const expected = inputs.map((x) => model.run(x, opts.inverse));
  const maxHeld = design.manifest.holds as number;
  const runs: NttCheckResult['runs'] = [];
  const wave = (mode: string) => join(opts.waveformDir, `${design.top}.${mode}.vcd`);

  const plain = await runNttSim({ binary, n, lanes, width, transforms, expected, seed: opts.seed, maxHeld, waveformPath: wave('back-to-back') });
  runs.push({ mode: 'back-to-back', cycles: plain.cycles });
  compareTimes(design.top, plain.times, expectedTimes(design, transforms.length));
  const tm = plain.times;
  const stats = {
    latency: tm[0]!.lastOut - tm[0]!.firstIn + 1,
    period: tm.length > 1 ? tm[tm.length - 1]!.done - tm[tm.length - 2]!.done : 0,
  };

  const jittered = await runNttSim({
    binary, n, lanes, width, transforms, expected, seed: opts.seed + 1, maxHeld,
    bubbleProbability: 0.25, stallProbability: 0.25, waveformPath: wave('bubbles-stalls'),
  });
  runs.push({ mode: 'bubbles+stalls', cycles: jittered.cycles });

  // The other direction on the core's own results must give the inputs back.
  const { input: inOrder, output: outOrder } = model.shape;
  const back = plain.outputs.map((y) => ({ inverse: !opts.inverse, input: reorder(y, outOrder, inOrder) }));
  const want = inputs.map((x) => reorder(x, inOrder, outOrder));
  const round = await runNttSim({ binary, n, lanes, width, transforms: back, expected: want, seed: opts.seed, maxHeld, waveformPath: wave('round-trip') });
  runs.push({ mode: 'round-trip', cycles: round.cycles });
  return { transforms: transforms.length, runs, stats };
}

/** One hex element per line; N per transform. Bad values or counts are one-line UsageErrors. */
export function readNttInput(path: string, p: bigint, n: number): bigint[][] {
  const text = readUserFile(path, '--input');
  const values: bigint[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.replace(/#.*/, '').trim();
    if (t === '') continue;
    if (!/^(0x)?[0-9a-fA-F]+$/.test(t)) throw new UsageError(`${path}:${i + 1}: '${t}' is not a hex number: give one element per line, in hex`);
    const v = BigInt(t.startsWith('0x') ? t : `0x${t}`);
    if (v >= p) throw new UsageError(`${path}:${i + 1}: 0x${v.toString(16)} is not below p = 0x${p.toString(16)}: give canonical elements`);
    values.push(v);
  }
  if (values.length === 0 || values.length % n !== 0) {
    throw new UsageError(`${path} holds ${values.length} elements: give a multiple of n = ${n} (one transform per ${n} lines)`);
  }
  const out: bigint[][] = [];
  for (let i = 0; i < values.length; i += n) out.push(values.slice(i, i + n));
  return out;
}
