// An NTT core in Verilator, forward and inverse: back to back, with bubbles and stalls, and
// inverse(forward(x)) through the RTL; checkNtt holds every beat and done pulse of the
// back-to-back run to the control model, and the harness' counts must be the manifest's figures.
import { expect } from 'vitest';
import type { GeneratedDesign } from '../../src/gen/design.ts';
import { checkNtt } from '../../src/sim/ntt-check.ts';
import { silentProgress } from '../../src/cli/progress.ts';

export async function nttBothWays(d: GeneratedDesign, waveformDir: string, random = 3): Promise<void> {
  for (const inverse of [false, true]) {
    const r = await checkNtt(d, { inverse, random, seed: 5, progress: silentProgress, waveformDir });
    expect(r.runs.map((x) => x.mode)).toEqual(['back-to-back', 'bubbles+stalls', 'round-trip']);
    const cycles = d.manifest.cycles as { latency: number; period: number };
    expect(r.stats).toEqual({ latency: cycles.latency, period: cycles.period });
  }
}
