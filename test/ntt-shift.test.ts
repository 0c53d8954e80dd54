// Butterflies and NTT cores with mult=shift: the twiddles are powers of two, 2^e, given by
// their exponent e, and w·b is a barrel shift followed by modmul's fold reduction. An NTT
// with mult=shift uses ω = 2^(ord_p(2)/N) (on Goldilocks ord = 192, so N ≤ 64), a different
// primitive root than the field generator's: the model's transform must be the naive DFT with
// that ω, forward and inverse, and the standard transform's outputs permuted. The planned
// netlists must compute x·2^e mod p for every e; the RTL must match the model (Verilator); bad
// parameters are one line; the designs lint clean.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customField, namedField, type FieldSpec } from '../src/fields/registry.ts';
import { isProbablePrime, modPow } from '../src/fields/primality.ts';
import { generateBlock } from '../src/gen/index.ts';
import { evaluateShifter, planShiftmul } from '../src/gen/shiftmul.ts';
import { nttModel, nttShape, shiftRootOfUnity, twiddleMultiplierOf } from '../src/model/ntt.ts';
import { orderOfTwo, orderOfTwoExact, shiftMulShape, shiftTrace } from '../src/model/shiftmul.ts';
import { silentProgress } from '../src/cli/progress.ts';
import { lintDesign } from '../src/cli/commands/lint.ts';
import { butterflyModel, butterflyVectors, checkButterfly } from '../src/sim/butterfly-sim.ts';
import { modelOf } from '../src/sim/ntt-check.ts';
import { Rng, edgeValues } from '../src/sim/vectors.ts';
import { zkrtl, scratch } from './support/cli.ts';
import { naiveDft } from './support/naive-dft.ts';
import { nttBothWays } from './support/ntt-both-ways.ts';

const waveformDir = mkdtempSync(join(tmpdir(), 'zkrtl-ntt-shift-wave-'));
const GL = namedField('goldilocks');
const SHIFT = { block: 'shift' } as const;


describe('model: the order of 2 and the shift transform', () => {
  it('ord_p(2): 192 on Goldilocks (2^96 = −1), and the stepping and factoring methods agree on small primes', () => {
    expect(orderOfTwo(GL.p)).toBe(192);
    expect(modPow(2n, 96n, GL.p)).toBe(GL.p - 1n);
    expect(orderOfTwoExact(GL.p)).toBe(192n);
    expect(orderOfTwo(namedField('mersenne31').p)).toBe(31);
    expect(orderOfTwo(namedField('babybear').p)).toBeUndefined();
    const exact = orderOfTwoExact(namedField('babybear').p)!;
    expect(modPow(2n, exact, namedField('babybear').p)).toBe(1n);
    for (let q = 3n; q < 2000n; q += 2n) {
      if (!isProbablePrime(q)) continue;
      expect(BigInt(orderOfTwo(q, 5000)!), `p = ${q}`).toBe(orderOfTwoExact(q));
    }
  });

  it.each([8, 16, 32, 64])('goldilocks N=%i, lanes 1 and 2: the naive DFT with ω = 2^(192/N), forward and inverse; the standard transform permuted', (n) => {
    const rng = new Rng(n);
    const root = shiftRootOfUnity(GL, n);
    expect(root.omega).toBe(modPow(2n, BigInt(192 / n), GL.p));
    expect(modPow(root.omega, BigInt(n / 2), GL.p)).toBe(GL.p - 1n); // primitive: ω^(N/2) = −1
    for (const lanes of [1, 2]) {
      const shape = nttShape(GL, n, lanes);
      const model = nttModel(GL, shape, SHIFT);
      expect(model.omega).toBe(root.omega);
      // The ROM holds exponents m·ord/N, and they are the twiddles' exponents.
      expect(model.rom).toEqual(model.twiddles.map((_, m) => BigInt((m * 192) / n)));
      model.rom.forEach((e, m) => expect(modPow(2n, e, GL.p)).toBe(model.twiddles[m]));
      const standard = nttModel(GL, shape);
      // ω' = ω_std^k for one odd k: X'[j] = X[k·j mod N].
      const k = [...Array(n).keys()].find((x) => modPow(standard.omega, BigInt(x), GL.p) === root.omega)!;
      expect(k % 2).toBe(1);
      for (let t = 0; t < 2; t++) {
        const x = Array.from({ length: n }, () => rng.below(GL.p));
        const fwd = model.run(x, false);
        expect(fwd, `N=${n} lanes=${lanes} forward`).toEqual(naiveDft(GL.p, root.omega, x, false));
        expect(model.run(x, true), `N=${n} lanes=${lanes} inverse`).toEqual(naiveDft(GL.p, root.omega, x, true));
        expect(model.run(fwd, true)).toEqual(x);
        const std = standard.run(x, false);
        expect(fwd).toEqual(std.map((_, j) => std[(k * j) % n]!));
      }
    }
  });

  it('a small prime: p = 257 (ord_p(2) = 16), N = 8 and 16, against the naive DFT', () => {
    const f = customField('257');
    const rng = new Rng(3);
    for (const n of [8, 16]) {
      const model = nttModel(f, nttShape(f, n, 1), SHIFT);
      expect(model.omega).toBe(modPow(2n, BigInt(16 / n), 257n));
      const x = Array.from({ length: n }, () => rng.below(257n));
      for (const inverse of [false, true]) expect(model.run(x, inverse)).toEqual(naiveDft(257n, model.omega, x, inverse));
    }
  });
});

describe('the shift multiplier: planned netlists against x·2^e mod p', () => {
  /** The shifter as planned, then each fold's netlist, then the final select, as the Verilog has them. */
  function checkPlanned(field: FieldSpec, xs: bigint[]) {
    const plan = planShiftmul(field, {});
    const s = plan.shape.schedule;
    const p = field.p;
    const mask = (1n << BigInt(s.k)) - 1n;
    for (let e = 0; e < plan.shape.order; e++) {
      for (const x of xs) {
        const want = (x * modPow(2n, BigInt(e), p)) % p;
        const trace = shiftTrace(plan.shape, x, e);
        let v = evaluateShifter(plan.shifter, x, e);
        expect(v, `${field.name} shifter x=${x} e=${e}`).toBe(trace.levels[trace.levels.length - 1]);
        expect(v < 1n << BigInt(plan.shifter.outWidth)).toBe(true);
        plan.folds.forEach((fold, i) => {
          const out = fold.netlist.evaluate({ x: v >> BigInt(s.k), l: v & mask });
          v = out.get(fold.netlist.stmts[fold.netlist.stmts.length - 1]!.name)!;
          expect(v, `${field.name} fold ${i + 1} x=${x} e=${e}`).toBe(trace.folds[i]);
        });
        let j = s.multiples;
        while (j > 0 && v < BigInt(j) * p) j--;
        expect(v - BigInt(j) * p, `${field.name} x=${x} e=${e}`).toBe(want);
        expect(trace.out).toBe(want);
      }
    }
  }
  const values = (p: bigint, seed: number, random: number) => {
    const rng = new Rng(seed);
    return [...edgeValues({ p }), ...Array.from({ length: random }, () => rng.below(p))];
  };

  it('goldilocks: every e < 192, edge and random x (the negation for e ≥ 96, 3 folds from 159 bits)', () => {
    const plan = planShiftmul(GL, {});
    expect(plan.shape).toMatchObject({ order: 192, half: 96, expBits: 8, maxShift: 95, shiftBits: 7 });
    expect(plan.shifter.outWidth).toBe(159);
    expect(plan.folds.every((f) => f.tiles === 0)).toBe(true); // c = 2^32 − 1: shift-and-add
    checkPlanned(GL, values(GL.p, 1, 12));
  });

  it('odd ord_p(2), no negation: mersenne31 (31) and 2^61 − 1 (61); small primes with even orders', () => {
    checkPlanned(namedField('mersenne31'), values(namedField('mersenne31').p, 2, 8));
    checkPlanned(customField((2n ** 61n - 1n).toString()), values(2n ** 61n - 1n, 3, 4));
    for (const q of ['11', '13', '17', '257']) checkPlanned(customField(q), values(BigInt(q), 4, 4));
    // Where the folds do not reach 2p (c = 0xffff for 65537), the shape says why.
    expect(shiftMulShape(65537n)).toMatchObject({ reason: expect.stringMatching(/folds/) });
  });
});

describe('generated designs: names, manifests, ROM contents', () => {
  it('butterflies: _shift names, the exponent on an 8-bit w port, no DSP tiles, deterministic', () => {
    for (const kind of ['ct', 'gs']) {
      const d = generateBlock('butterfly', GL, { kind, mult: 'shift' });
      expect(d.top).toBe(`butterfly_${kind}_goldilocks_shift`);
      expect(d.manifest).toMatchObject({
        twiddleForm: 'exponent',
        params: { kind, mult: 'shift' },
        multiplier: { block: 'shiftmul', module: 'shiftmul_goldilocks', order: 192, half: 96, expBits: 8 },
        submodules: { shiftmul: 'shiftmul_goldilocks' },
      });
      expect(d.manifest.montgomery).toBeUndefined();
      expect(d.manifest.ports.find((p) => p.name === 'w')).toMatchObject({ width: 8, description: expect.stringMatching(/exponent/) });
      expect(twiddleMultiplierOf(d.manifest)).toEqual(SHIFT);
      expect(d.modules.some((m) => /^(montmul|modmul)_/.test(m.name))).toBe(false);
      expect(generateBlock('butterfly', GL, { kind, mult: 'shift' })).toEqual(d);
      // The model: w·b = 2^e·b.
      const model = butterflyModel(d);
      const rng = new Rng(5);
      for (let i = 0; i < 100; i++) {
        const [a, b, e] = [rng.below(GL.p), rng.below(GL.p), rng.below(192n)];
        const t = (b * modPow(2n, e, GL.p)) % GL.p;
        const want = kind === 'ct' ? [(a + t) % GL.p, (a - t + GL.p) % GL.p] : [(a + b) % GL.p, (((a - b + GL.p) % GL.p) * modPow(2n, e, GL.p)) % GL.p];
        expect(model([a, b, e])).toEqual(want);
      }
    }
  });

  it('NTT core: ω = 2^3 for N = 64, the ROM holds exponents m·3, the manifest says so', () => {
    const d = generateBlock('ntt', GL, { n: '64', lanes: '2', mult: 'shift' });
    expect(d.top).toBe('ntt_goldilocks_n64_l2_shift');
    expect(d.manifest.root).toMatchObject({ omega: '0x8', generator: '0x2', twoOrder: 192, omegaExponent: 3 });
    expect((d.manifest.dataflow as { twiddleRom: object }).twiddleRom).toMatchObject({ form: 'exponent', bits: 8, words: 32 });
    const rom = d.modules.find((m) => m.name === `${d.top}_twiddles`)!.text;
    const words = [...rom.matchAll(/'d(\d+): q <= 8'h([0-9a-f]+);/g)].map((m) => [Number(m[1]), BigInt(`0x${m[2]}`)]);
    expect(words).toEqual(modelOf(d).rom.map((e, m) => [m, e]));
    expect(words.map(([, e]) => e)).toEqual(Array.from({ length: 32 }, (_, m) => BigInt(3 * m)));
  });
});

describe('bad input: one line, exit 2', () => {
  const dir = scratch('zkrtl-ntt-shift-');
  it.each([
    [['ntt', '--field', 'goldilocks', '--param', 'n=128', '--param', 'mult=shift'], /^zkrtl: error: n=128 with mult=shift: .*ord_p\(2\) = 192 in goldilocks: give n = 8, 16, 32 or 64 with mult=shift, or mult=montmul or mult=modmul for n=128$/],
    [['ntt', '--field', 'babybear', '--param', 'n=64', '--param', 'mult=shift'], /^zkrtl: error: n=64 with mult=shift: .*ord_p\(2\) = 1006632960 \(mult=shift takes ord_p\(2\) ≤ 1024\): give mult=montmul or mult=modmul$/],
    [['butterfly', '--field', 'bn254.fr', '--param', 'mult=shift'], /^zkrtl: error: mult=shift does not fit bn254\.fr: .*ord_p\(2\) > 1024; give mult=montmul or mult=modmul$/],
    [['butterfly', '--field', 'goldilocks', '--param', 'mult=shift', '--param', 'karatsuba=1'], /^zkrtl: error: karatsuba=1: karatsuba applies to mult=montmul, mult=modmul; mult=shift takes tile, tree, constmul$/],
  ])('zkrtl gen %j', (args, message) => {
    const r = zkrtl(['gen', ...args, '--out', join(dir, 'never')]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l && !/nodedir/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

describe('RTL: mult=shift in Verilator', () => {
  // The GS butterfly puts every exponent e < 192 through the shift multiplier; the CT kind runs
  // inside the NTT core below (the kinds differ only in the template around the multiplier).
  for (const kind of ['gs']) {
    it(`butterfly_${kind}_goldilocks_shift: 2000 vectors, back to back and with bubbles`, async () => {
      const d = generateBlock('butterfly', GL, { kind, mult: 'shift' });
      const vectors = butterflyVectors(d, 2000, 1);
      expect(vectors.every(([, , e]) => e < 192n)).toBe(true);
      const runs = await checkButterfly(d, vectors, { progress: silentProgress, seed: 1, waveformDir });
      expect(runs.map((r) => r.mode)).toEqual(['back-to-back', 'bubbles']);
      expect(runs[0]!.cycles).toBeLessThan(vectors.length + d.manifest.latency! + 64);
    });
  }

  it('ntt_goldilocks_n64_l2_shift: forward and inverse, back to back, bubbles and stalls, round trip, cycle counts', async () => {
    await nttBothWays(generateBlock('ntt', GL, { n: '64', lanes: '2', mult: 'shift' }), waveformDir);
  });
});

describe('lint: verilator -Wall and yosys check -assert', () => {
  const designs = [
    () => generateBlock('butterfly', GL, { kind: 'ct', mult: 'shift' }),
    () => generateBlock('butterfly', GL, { kind: 'gs', mult: 'shift' }),
    // Odd ord_p(2): no negation in front of the shifter.
    () => generateBlock('butterfly', namedField('mersenne31'), { kind: 'ct', mult: 'shift' }),
    () => generateBlock('ntt', GL, { n: '64', lanes: '2', mult: 'shift' }),
  ];
  for (const make of designs) {
    const d = make();
    it(d.top, async () => {
      expect(await lintDesign(d)).toEqual([]);
    });
  }
});
