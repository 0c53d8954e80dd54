// Equivalence of a generated block with its golden model in Verilator: the same vectors go
// through back to back (one per cycle: proves II = 1) and again with random bubbles in
// in_valid; the harness checks each result, and that it arrives exactly `latency` cycles
// after its operands.
import { join } from 'node:path';
import type { GeneratedDesign } from '../gen/design.ts';
import { verilogSources } from '../gen/design.ts';
import { blockModel } from '../model/blocks.ts';
import type { Progress } from '../base/progress.ts';
import { buildPipelineSim, runPipelineSim } from './verilator.ts';

export interface RunResult {
  mode: string;
  vectors: number;
  cycles: number;
  seconds: number;
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
  opts: { seed: number; waveformDir: string },
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
    });
    results.push({ mode, vectors: vectors.length, cycles: r.cycles, seconds: r.seconds });
  }
  return results;
}
