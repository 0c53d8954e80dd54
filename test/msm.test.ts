// The MSM core: generator contract (ports, names, manifest, determinism, bad parameters),
// lint, and Verilator runs of whole MSMs — every family of the model's contract, back to back,
// with input bubbles and output stalls — equal to the golden model coordinate by coordinate,
// to @noble/curves, and to the model's cycle count in every phase. Toy curves (20-bit primes,
// same generator) run the form × c × FIFO matrix; the real curves run in `make sim` (below).
// A planted bug — the hazard check disabled — must be caught and located.
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namedCurve, type CurveSpec } from '../src/curves/registry.ts';
import { generateBlock } from '../src/gen/index.ts';
import { designFiles, type GeneratedDesign } from '../src/gen/design.ts';
import { lintDesign } from '../src/cli/commands/lint.ts';
import { silentProgress } from '../src/cli/progress.ts';
import { checkMsm, msmJobs, msmSimContext } from '../src/sim/msm-sim.ts';
import { SimMismatchError } from '../src/sim/verilator.ts';
import { TOY_CURVES } from './support/curves.ts';

const waveformDir = mkdtempSync(join(tmpdir(), 'zkrtl-msm-wave-'));
const TOY_W = TOY_CURVES[0]!.curve;
const TOY_E = TOY_CURVES[1]!.curve;

/** Runs `random` random MSMs of N pairs and every adversarial family; returns the MSM count. */
async function equivalent(d: GeneratedDesign, curve: CurveSpec, N: number, random: number, seed = 1): Promise<number> {
  const ctx = msmSimContext(d, curve);
  const jobs = msmJobs(ctx, { points: N, random, adversarial: true, seed });
  // out_ready low half the time: results wait, and the next MSM waits for them.
  const r = await checkMsm(d, ctx, jobs, { progress: silentProgress, seed, waveformDir, stall: 0.5 });
  expect(r.stats).toHaveLength(jobs.length);
  expect(r.stats.some((s) => s.outwait > 0)).toBe(true);
    return jobs.length;
}

describe('msm generator', () => {
  const bn = namedCurve('bn254.g1');

  it('is deterministic, names the core by curve, form, c, FIFO and multiplier, and sizes it in the manifest', () => {
    const a = generateBlock('msm', bn, { c: '8' });
    const b = generateBlock('msm', namedCurve('bn254.g1'), { c: '8' });
    expect([...designFiles(a)]).toEqual([...designFiles(b)]);
    expect(a.top).toBe('msm_bn254_g1_w_c8_f8');
    expect(generateBlock('msm', namedCurve('bls12_377.g1'), { form: 'edwards', c: '4', fifo: '4', tile: '16x16' }).top).toBe('msm_bls12_377_g1_e_c4_f4_t16x16');
    const m = a.manifest as any;
    expect(m.windows).toMatchObject({ c: 8, count: 32, bucketsPerWindow: 128 });
    expect(m.memory.buckets).toMatchObject({ entries: 4096, width: 3 * 254, bits: 4096 * 3 * 254 });
    expect(m.adder.module).toBe(a.modules.find((x) => x.name.startsWith('ecadd_'))!.name);
    expect(m.schedule.reduction.additions).toBe(2 * 32 * 128);
    expect(a.manifest.files).toEqual(a.modules.map((x) => `${x.name}.v`));
  });

  it('declares exactly the ports its manifest lists, in order', () => {
    for (const [curve, params] of [[bn, { c: '6' }], [namedCurve('bls12_377.g1'), { form: 'edwards', c: '3' }], [TOY_E, { form: 'edwards', c: '2', fifo: '2' }]] as const) {
      const d = generateBlock('msm', curve, params);
      const text = d.modules.at(-1)!.text;
      const header = text.slice(text.indexOf(`module ${d.top} (`), text.indexOf(');'));
      const declared = [...header.matchAll(/(input|output)\s+(?:wire|reg)\s+(?:\[(\d+):0\]\s+)?(\w+)/g)].map((x) => ({ name: x[3], dir: x[1] === 'input' ? 'in' : 'out', width: x[2] === undefined ? 1 : Number(x[2]) + 1 }));
      expect(declared).toEqual(d.manifest.ports.map((p) => ({ name: p.name, dir: p.dir, width: p.width })));
    }
  });

  it('chooses c from the points hint when c is not given', () => {
    const small = Number(generateBlock('msm', bn, { points: '1024' }).manifest.params.c);
    const large = Number(generateBlock('msm', bn, { points: '1048576' }).manifest.params.c);
    expect(small).toBeLessThan(large);
  });

  it('rejects bad parameters with one line naming the value and what is accepted', () => {
    expect(() => generateBlock('msm', bn, { c: '1' })).toThrow(/c=1 is not accepted: give the window size in bits \(an integer from 2 to 16\)/);
    expect(() => generateBlock('msm', bn, { fifo: '5' })).toThrow(/fifo=5 is not accepted: give one of 2, 4, 8, 16, 32, 64/);
    expect(() => generateBlock('msm', bn, { form: 'edwards' })).toThrow(/edwards/i);
    expect(() => generateBlock('msm', bn, { window: '8' })).toThrow(/unknown parameter 'window' for msm: accepted are form/);
    expect(() => generateBlock('msm', TOY_E, { form: 'edwards', c: '16' })).toThrow(/c=16 is not accepted: the scalars of .* have 15 bits/);
  });
});

describe('msm lint: verilator -Wall and yosys check -assert', () => {
  for (const [curve, params] of [[TOY_W, { c: '4' }], [TOY_W, { c: '2', fifo: '2' }], [TOY_E, { form: 'edwards', c: '8', fifo: '16' }]] as const) {
    const d = generateBlock('msm', curve, params);
    it(d.top, async () => {
      expect(await lintDesign(d)).toEqual([]);
    });
  }
});

describe('msm equals the golden model and noble in Verilator: toy curves', () => {
  const matrix: Array<[CurveSpec, Record<string, string>]> = [
    // c = 2: few buckets, hazards everywhere, idle positions in the reduction rounds.
    [TOY_W, { c: '2', fifo: '2' }], [TOY_W, { c: '4' }],
    [TOY_E, { form: 'edwards', c: '3', fifo: '16' }],
  ];
  for (const [curve, params] of matrix) {
    const d = generateBlock('msm', curve, params);
    it(`${d.top}: random MSMs and every adversarial family, N = 1..40`, async () => {
      let n = await equivalent(d, curve, 40, 2, 1);
      n += await equivalent(d, curve, 3, 1, 2);
      expect(n).toBeGreaterThan(20);
    });
  }
});

// Real curves: a full-width core takes two minutes of Verilator build, which the suite's
// budget does not hold. The config has one MSM core per curve (BN254 and BLS12-381
// Weierstrass, BLS12-377 Edwards, c = 8): `make sim` runs each of them through every family
// below against the model and noble, `make test` lints them (test/lint.test.ts), and the
// bench runs BN254 cores from 2^10 to 2^16 pairs.

describe('the msm flow catches broken hardware', () => {
  it('with the hazard check disabled, the first stale bucket read is named with its window, bucket and cycle, and a waveform', async () => {
    const base = generateBlock('msm', TOY_W, { c: '4' });
    const top = base.modules.at(-1)!;
    const broken = top.text.replace(/(head_busy = head_busy \| )\(.*?\);/, "$11'b0;").replace(/(cur_busy = cur_busy \| )\(.*?\);/, "$11'b0;");
    expect(broken).not.toBe(top.text);
    const err = await equivalent({ ...base, modules: [...base.modules.slice(0, -1), { ...top, text: broken }] }, TOY_W, 40, 1).catch((e) => e);
    expect(err).toBeInstanceOf(SimMismatchError);
    expect(err.message).toMatch(/MISMATCH in MSM \d+ \(.*\) of msm_/);
    expect(err.message).toMatch(/first differing write-back: accumulate, window \d+, bucket \d+ \(.*\), expected at cycle \d+/);
    expect(existsSync(err.waveformPath)).toBe(true);
    expect(statSync(err.waveformPath).size).toBeGreaterThan(0);
  });
});
