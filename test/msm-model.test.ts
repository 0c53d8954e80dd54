// The MSM golden model (src/model/msm.ts) against references nobody here wrote: whole MSMs
// equal to @noble/curves' pippenger and to a naive Σ kᵢ·Pᵢ (noble's scalar multiplication)
// for N from 1 to 4096, on every family the hardware finds hard; and the schedule's own
// invariants: signed digits reconstruct the scalar, no bucket is read while an addition to it
// is in flight, every non-zero digit is added exactly once, the combination program reads
// only values already written.
import { describe, expect, it } from 'vitest';
import { namedCurve, type CurveSpec } from '../src/curves/registry.ts';
import { nobleNaive, toNoble, fromNoble } from '../src/curves/noble.ts';
import { adderFormula, affineEqual, curveMontgomery, type Affine, type CurveForm } from '../src/model/curve.ts';
import { compileSlp, runSlp } from '../src/model/slp.ts';
import { accumulate, msmContext, msmResultAffine, msmShape, reductionCycles, signedDigits, tailProgram, type MsmContext } from '../src/model/msm.ts';
import { modelMsm, msmJobs, referenceMsm, type MsmJob } from '../src/sim/msm-sim.ts';
import { chooseWindowBits, sampledAccumulation } from '../src/gen/msm.ts';
import { Rng } from '../src/sim/vectors.ts';
import { TOY_CURVES } from './support/curves.ts';

const TOY_W = TOY_CURVES[0]!.curve;
const TOY_E = TOY_CURVES[1]!.curve;
const same = affineEqual;

function naive(curve: CurveSpec, job: MsmJob): Affine {
  return fromNoble(nobleNaive(curve, job.points.map((P) => toNoble(curve, P)), job.scalars));
}

/** Every family of jobs: the model's affine result equals noble's Pippenger and the naive sum. */
function checkFamilies(ctx: MsmContext, points: number, random: number, seed: number, withNaive = true): number {
  const jobs = msmJobs(ctx, { points, random, adversarial: true, seed });
  for (const job of jobs) {
    const got = msmResultAffine(ctx, modelMsm(ctx, job).result);
    const ref = referenceMsm(ctx.curve, job);
    expect(same(got, ref), `${ctx.curve.name} c=${ctx.shape.c} N=${job.points.length} ${job.kind}`).toBe(true);
    if (withNaive) expect(same(got, naive(ctx.curve, job)), job.kind).toBe(true);
    if (/result O/.test(job.kind)) expect(got).toBeNull();
  }
  return jobs.length;
}

describe('compiled adder programs', () => {
  it('montgomery and plain domains give the values runSlp gives, for every form and mode', () => {
    const rng = new Rng(5);
    for (const [curve, form] of [[namedCurve('bn254.g1'), 'weierstrass'], [namedCurve('bls12_377.g1'), 'edwards'], [TOY_E, 'edwards']] as const) {
      const mf = curveMontgomery(curve);
      for (const mode of ['mixed', 'full', 'both'] as const) {
        const f = adderFormula(curve, mf, form, mode);
        const mont = compileSlp(f.slp, mf);
        const plain = compileSlp(f.slp, mf, 'plain');
        for (let i = 0; i < 50; i++) {
          const inputs = f.slp.inputs.map(() => rng.below(mf.p));
          const full = mode === 'full' || (mode === 'both' && i % 2 === 0);
          const want = runSlp(f.slp, mf, inputs, full);
          expect(mont(inputs, full)).toEqual(want);
          const toPlain = (v: bigint) => (v * mf.rInv) % mf.p;
          expect(plain(inputs.map(toPlain), full)).toEqual(want.map(toPlain));
        }
      }
    }
  });
});

describe('signed digits', () => {
  it('reconstruct the scalar, stay in [-2^(c-1) + 1, 2^(c-1)], and the top window never carries out', () => {
    const rng = new Rng(7);
    for (const bits of [15, 20, 253, 254, 255]) {
      for (let c = 2; c <= 16; c++) {
        const W = Math.floor(bits / c) + 1;
        for (let i = 0; i < 40; i++) {
          const k = i === 0 ? (1n << BigInt(bits)) - 1n : i === 1 ? 0n : rng.bits(bits);
          const d = signedDigits(k, c, W);
          let back = 0n;
          for (let w = W - 1; w >= 0; w--) back = (back << BigInt(c)) + BigInt(d[w]!);
          expect(back).toBe(k);
          for (const x of d) expect(x > -(2 ** (c - 1)) && x <= 2 ** (c - 1)).toBe(true);
        }
      }
    }
    // Fewer windows than the scalar needs is an error, not a wrong digit.
    expect(() => signedDigits(1n << 20n, 4, 5)).toThrow(/more than 5 windows/);
  });
});

describe('accumulation schedule', () => {
  it('adds every non-zero digit exactly once and never issues a bucket whose last addition is in flight', () => {
    const rng = new Rng(3);
    for (const [c, L, F, N, equal] of [[4, 20, 8, 300, false], [3, 40, 2, 200, true], [8, 55, 16, 500, false], [2, 7, 4, 100, true]] as const) {
      const s = msmShape({ c, scalarBits: 254, latency: L, fifoDepth: F });
      const k0 = rng.bits(254);
      const digits = Array.from({ length: N }, () => signedDigits(equal ? k0 : rng.bits(254), c, s.windows));
      const gaps = Array.from({ length: N }, (_, i) => (i % 7 === 3 ? 5 : 0));
      const acc = accumulate(s, digits, gaps);
      const want = digits.reduce((n, d) => n + d.filter((x) => x !== 0).length, 0);
      expect(acc.issues.length).toBe(want);
      const seen = new Set(acc.issues.map((o) => `${o.point}/${o.window}`));
      expect(seen.size).toBe(want);
      const lastIssue = new Map<number, number>();
      let prev = -1;
      for (const o of acc.issues) {
        expect(o.cycle).toBeGreaterThan(prev); // one addition per cycle at most
        prev = o.cycle;
        const key = o.window * s.buckets + o.bucket;
        const d = digits[o.point]![o.window]!;
        expect([o.bucket, o.negative]).toEqual([Math.abs(d) - 1, d < 0]);
        const before = lastIssue.get(key);
        if (before !== undefined) expect(o.cycle - before).toBeGreaterThanOrEqual(s.reuse);
        lastIssue.set(key, o.cycle);
      }
      // The phase ends right after the last write-back, and pairs came in order with their gaps.
      expect(acc.cycles).toBe(prev + s.latency + 3);
      for (let i = 1; i < N; i++) expect(acc.handshakes[i]! - acc.handshakes[i - 1]!).toBeGreaterThanOrEqual(gaps[i]! + 1);
      if (equal) {
        // All scalars equal: every window's bucket serialises (one addition per window per
        // adder round trip), and a zero digit still takes its dispatch cycle; the schedule
        // reaches that bound: min(nz / W, nz / REUSE) additions per cycle, nz non-zero digits.
        const nz = digits[0]!.filter((x) => x !== 0).length;
        const bound = Math.min(nz / s.windows, nz / s.reuse);
        expect(acc.issues.length / acc.cycles).toBeGreaterThanOrEqual(bound * 0.97);
      }
    }
  });

  it('keeps the adder ≥ 97 % busy on uniform scalars once the windows are wide enough', () => {
    const rng = new Rng(11);
    const s = msmShape({ c: 10, scalarBits: 254, latency: 55, fifoDepth: 8 });
    const digits = Array.from({ length: 3000 }, () => signedDigits(rng.bits(254), 10, s.windows));
    const acc = accumulate(s, digits);
    expect(acc.issues.length / acc.cycles).toBeGreaterThan(0.97);
  });
});

describe('combination program', () => {
  it('reads only written values, one issue per cycle, and the reduction rounds cover the adder latency', () => {
    for (const [c, L] of [[2, 20], [4, 34], [8, 55], [12, 76], [3, 120]] as const) {
      const s = msmShape({ c, scalarBits: 254, latency: L, fifoDepth: 8 });
      expect(2 * s.roundChains).toBeGreaterThanOrEqual(s.reuse);
      expect(reductionCycles(s)).toBe((s.segmentLength + 1) * 2 * s.roundChains);
      const t = tailProgram(s);
      const cycles = t.ops.map((o) => o.cycle);
      expect(new Set(cycles).size).toBe(cycles.length);
      // Slot writes land at issue + L + 1; a read at cycle r must follow the last write of its slot.
      const written = new Map<number, number>();
      for (const o of t.ops) {
        for (const slot of [o.p, o.q]) {
          const w = written.get(slot);
          if (w !== undefined) expect(o.cycle).toBeGreaterThanOrEqual(w + s.reuse);
        }
        written.set(o.dst, o.cycle);
      }
      expect(t.cycles).toBe(t.ops.at(-1)!.cycle + s.reuse + 1);
      // Horner alone is (W - 1)(c + 1) dependent additions.
      expect(t.ops.length).toBeGreaterThanOrEqual((s.windows - 1) * (c + 1));
    }
  });

  it('the default c is the one with the fewest estimated cycles and grows with N', () => {
    const n = namedCurve('bn254.g1').n;
    const small = chooseWindowBits(n, 55, 8, 1 << 10);
    const large = chooseWindowBits(n, 55, 8, 1 << 20);
    expect(small).toBeLessThan(large);
    expect(large).toBeLessThanOrEqual(13);
    // 254-bit scalars in windows of 11 leave a 1-bit top window: its few buckets starve the adder.
    const eleven = msmShape({ c: 11, scalarBits: 254, latency: 55, fifoDepth: 8 });
    expect(sampledAccumulation(n, eleven).occupancy).toBeLessThan(0.9);
    expect(large).not.toBe(11);
  });
});

describe('MSM model equals @noble/curves pippenger and the naive sum', () => {
  for (const [curve, form] of [[TOY_W, 'weierstrass'], [TOY_E, 'edwards']] as const) {
    for (const c of [2, 3, 4, 5, 8]) {
      it(`${curve.name} ${form} c=${c}: N = 1, 2, 3, 17, 100 on every family`, () => {
        const ctx = msmContext(curve, form as CurveForm, curve.field.bits, { c, latency: 21, fifoDepth: 4 });
        let n = 0;
        for (const [N, seed] of [[1, 1], [2, 2], [3, 3], [17, 4], [100, 5]] as const) n += checkFamilies(ctx, N, 2, seed);
        expect(n).toBeGreaterThan(50);
      });
    }
  }

  for (const [name, form, c] of [['bn254.g1', 'weierstrass', 5], ['bls12_381.g1', 'weierstrass', 7], ['bls12_377.g1', 'edwards', 4], ['bls12_377.g1', 'weierstrass', 8]] as const) {
    it(`${name} ${form} c=${c}: N = 1 and 24 on every family`, () => {
      const curve = namedCurve(name);
      const ctx = msmContext(curve, form, curve.field.bits, { c, latency: 60, fifoDepth: 8 });
      expect(checkFamilies(ctx, 1, 1, 9) + checkFamilies(ctx, 24, 1, 10)).toBeGreaterThan(15);
    });
  }

  it('bn254.g1: 4096 random pairs at the c chosen for 4096, equal to noble', () => {
    const curve = namedCurve('bn254.g1');
    const c = chooseWindowBits(curve.n, 55, 8, 4096);
    const ctx = msmContext(curve, 'weierstrass', curve.field.bits, { c, latency: 55, fifoDepth: 8 });
    const [job] = msmJobs(ctx, { points: 4096, random: 1, adversarial: false, seed: 4096 });
    const run = modelMsm(ctx, job!);
    expect(same(msmResultAffine(ctx, run.result), referenceMsm(curve, job!))).toBe(true);
    expect(run.additions.accumulate).toBeGreaterThan(4096 * (ctx.shape.windows - 1));
  });
});
