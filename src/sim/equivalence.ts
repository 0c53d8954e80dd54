// Equivalence of a generated block with its golden model in Verilator: the same vectors go
// through back to back (one per cycle: proves II = 1) and again with random bubbles in
// in_valid; the harness checks each result, and that it arrives exactly `latency` cycles
// after its operands. measureIi times the results of a back-to-back run (the benchmark's II).
import { join } from 'node:path';
import type { GeneratedDesign } from '../gen/design.ts';
import { verilogSources } from '../gen/design.ts';
import { blockModel } from '../model/blocks.ts';
import type { Progress } from '../base/progress.ts';
import { buildPipelineSim, runPipelineSim, type OutputTiming } from './verilator.ts';

export interface RunResult {
  mode: string;
  vectors: number;
  cycles: number;
  seconds: number;
  /** From the cycles of the out_valid beats (OutputTiming): cycles per result, largest gap. */
  ii: number | null;
  maxGap: number | null;
}

export const RUN_MODES = [
  { mode: 'back-to-back', bubbleProbability: 0 },
  { mode: 'bubbles', bubbleProbability: 0.3 },
] as const;

export function expectedResults(design: GeneratedDesign, vectors: Array<[bigint, bigint]>): bigint[] {
  const model = blockModel(design.manifest);
  return vectors.map(([a, b]) => model(a, b));
}

export async function buildDesignSim(design: GeneratedDesign, progress: Progress): Promise<string> {
  return buildPipelineSim({ top: design.top, files: verilogSources(design), onProgress: (s) => progress.step(s) });
}

/** Throws SimMismatchError (with the vector, cycle and waveform path) on the first mismatch. */
export async function checkEquivalence(
  design: GeneratedDesign,
  vectors: Array<[bigint, bigint]>,
  opts: { progress: Progress; seed: number; waveformDir: string },
): Promise<RunResult[]> {
  const binary = await buildDesignSim(design, opts.progress);
  return runModes(binary, design, design.manifest.field!.bits, vectors, expectedResults(design, vectors), opts);
}

/**
 * The same vectors through a pipeline-harness simulator in every RUN_MODE, each result
 * checked at the design's latency; `width` is the harness' operand width.
 */
export async function runModes(
  binary: string,
  design: GeneratedDesign,
  width: number,
  vectors: Array<[bigint, bigint]>,
  expected: bigint[],
  opts: { seed: number; waveformDir: string; progress?: Progress },
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const { mode, bubbleProbability } of RUN_MODES) {
    const r = await runPipelineSim({
      binary,
      latency: design.manifest.latency!,
      width,
      vectors,
      expected,
      bubbleProbability,
      seed: opts.seed,
      waveformPath: join(opts.waveformDir, `${design.top}.${mode}.vcd`),
      onProgress: opts.progress ? (s) => opts.progress!.step(s) : undefined,
    });
    results.push({ mode, vectors: vectors.length, cycles: r.cycles, seconds: r.seconds, ii: r.timing.ii, maxGap: r.timing.maxGap });
  }
  return results;
}

/**
 * II as measured: `vectors` go in back to back (in_valid held high, a new vector in every
 * cycle the block takes one: every cycle without in_ready, else when in_ready is high), each
 * result checked in order at whatever latency it comes, and II = (cycle of the last result −
 * cycle of the first) / (results − 1), with the largest gap between consecutive results. A
 * block whose results come less often than vectors go in measures > 1 instead of failing the
 * latency check, and one that loses vectors (no in_ready, busy) says how many in `dropped`;
 * a wrong value still throws SimMismatchError.
 */
export async function measureIi(opts: {
  binary: string;
  latency: number;
  width: number;
  vectors: Array<[bigint, bigint]>;
  expected?: bigint[];
  /** Where a mismatch leaves its waveform (and the vectors to reproduce it). */
  waveformPath?: string;
}): Promise<OutputTiming & { cycles: number; seconds: number; outputs: bigint[] }> {
  if (opts.vectors.length < 2) throw new Error(`measuring II needs at least 2 vectors, got ${opts.vectors.length}`);
  const r = await runPipelineSim({ ...opts, inOrder: true, bubbleProbability: 0 });
  return { ...r.timing, cycles: r.cycles, seconds: r.seconds, outputs: r.outputs };
}
