// The NTT golden model against references nobody here wrote (@noble/curves' FFT and roots of
// unity) and against the definition (a naive O(N²) DFT); its banking and schedule against
// the properties the RTL relies on, checked by brute force.
import { describe, expect, it } from 'vitest';
import { FFT, rootsOfUnity } from '@noble/curves/abstract/fft.js';
import { Field } from '@noble/curves/abstract/modular.js';
import { customField, namedField, type FieldSpec } from '../src/fields/registry.ts';
import { modPow } from '../src/fields/primality.ts';
import {
  READ_EDGE, WRITE_EXTRA, addrOf, bankOf, bitReverse, butterflyAt, butterflyCT, butterflyGS, loadPosition,
  nttModel, nttSchedule, nttShape, nttTimeline, rootOfUnity, unloadPosition, type NttShape, type NttTransformTimes,
} from '../src/model/ntt.ts';
import { generateNtt } from '../src/gen/ntt.ts';
import { UsageError } from '../src/cli/errors.ts';
import { Rng } from '../src/sim/vectors.ts';

const NTT_FIELDS = ['bn254.fr', 'bls12_381.fr', 'bls12_377.fr', 'goldilocks', 'babybear', 'koalabear'];
// A 61-bit prime with 2-adicity 20 and no documented generator: 15·2^56 + 1... checked below.
const CUSTOM = customField(String(27n * (1n << 56n) + 1n));

function randomVector(rng: Rng, p: bigint, n: number): bigint[] {
  return Array.from({ length: n }, () => rng.below(p));
}

function naiveDft(p: bigint, omega: bigint, x: readonly bigint[], inverse: boolean): bigint[] {
  const n = x.length;
  const w = inverse ? modPow(omega, p - 2n, p) : omega;
  const out: bigint[] = [];
  for (let j = 0; j < n; j++) {
    let acc = 0n;
    const wj = modPow(w, BigInt(j), p);
    let pow = 1n;
    for (let i = 0; i < n; i++) {
      acc = (acc + x[i]! * pow) % p;
      pow = (pow * wj) % p;
    }
    out.push(inverse ? (acc * modPow(BigInt(n), p - 2n, p)) % p : acc);
  }
  return out;
}

function permute(x: readonly bigint[], order: 'natural' | 'bitrev'): bigint[] {
  const k = Math.log2(x.length);
  return order === 'natural' ? [...x] : x.map((_, i) => x[bitReverse(i, k)]!);
}

describe('roots of unity', () => {
  it.each([...NTT_FIELDS, 'custom'])('%s: ω has order exactly N, from the documented generator', (name) => {
    const f: FieldSpec = name === 'custom' ? CUSTOM : namedField(name);
    for (const k of [1, 3, 10, Math.min(f.twoAdicity, 20)]) {
      const n = 2 ** k;
      const { omega, generator } = rootOfUnity(f, n);
      expect(modPow(omega, BigInt(n), f.p)).toBe(1n);
      expect(modPow(omega, BigInt(n / 2), f.p)).toBe(f.p - 1n);
      // g is a quadratic non-residue, so the 2-power part of its order is the whole 2^s.
      expect(modPow(generator, (f.p - 1n) / 2n, f.p)).toBe(f.p - 1n);
      // The same ω as @noble/curves derives from the same generator.
      expect(rootsOfUnity(Field(f.p), generator).omega(k)).toBe(omega);
    }
  });

  it('custom primes use the smallest quadratic non-residue, as noble does by default', () => {
    expect(CUSTOM.twoAdicity).toBe(56);
    const { generator, omega } = rootOfUnity(CUSTOM, 1024);
    const noble = rootsOfUnity(Field(CUSTOM.p));
    expect(generator).toBe(noble.info.G);
    expect(omega).toBe(noble.omega(10));
  });
});

describe('NTT model', () => {
  it.each(['bn254.fr', 'bls12_381.fr'])('%s: equal to @noble/curves FFT, forward and inverse, every order and lane count', (name) => {
    const f = namedField(name);
    const rng = new Rng(7);
    for (const n of [8, 64, 256, 1024]) {
      const { generator } = rootOfUnity(f, n);
      const fft = FFT(rootsOfUnity(Field(f.p), generator), Field(f.p));
      for (const lanes of [1, 2, 4, 8]) {
        if (n < 2 * lanes * lanes) continue;
        for (const input of ['natural', 'bitrev'] as const) {
          for (const output of ['natural', 'bitrev'] as const) {
            const model = nttModel(f, nttShape(f, n, lanes, input, output));
            const x = randomVector(rng, f.p, n);
            const brpIn = input === 'bitrev';
            const brpOut = output === 'bitrev';
            expect(model.run(x, false)).toEqual(fft.direct(x, brpIn, brpOut));
            expect(model.run(x, true)).toEqual(fft.inverse(x, brpIn, brpOut));
          }
        }
      }
    }
  });

  it.each([...NTT_FIELDS, 'custom'])('%s: equal to a naive DFT at small N, and inverse(forward(x)) = x', (name) => {
    const f: FieldSpec = name === 'custom' ? CUSTOM : namedField(name);
    const rng = new Rng(11);
    for (const n of [8, 16, 32, 64]) {
      for (const lanes of [1, 2, 4]) {
        if (n < 2 * lanes * lanes) continue;
        for (const input of ['natural', 'bitrev'] as const) {
          const output = input === 'natural' ? 'bitrev' : 'natural';
          const model = nttModel(f, nttShape(f, n, lanes, input, output));
          for (const x of [randomVector(rng, f.p, n), new Array<bigint>(n).fill(f.p - 1n), [1n, ...new Array<bigint>(n - 1).fill(0n)]]) {
            const natural = permute(x, input); // x as a natural-order sequence
            for (const inverse of [false, true]) {
              const want = permute(naiveDft(f.p, model.omega, natural, inverse), output);
              expect(model.run(x, inverse)).toEqual(want);
            }
          }
          const back = nttModel(f, nttShape(f, n, lanes, output, input));
          const x = randomVector(rng, f.p, n);
          expect(back.run(model.run(x, false), true)).toEqual(x);
        }
      }
    }
  });

  it('butterfly formulas', () => {
    const p = namedField('goldilocks').p;
    expect(butterflyCT(p, 5n, 7n, 3n)).toEqual([26n, p - 16n]);
    expect(butterflyGS(p, 5n, 7n, 3n)).toEqual([12n, p - 6n]);
  });
});

/** Every (n, lanes) the banking rule admits, up to 2^12. */
function shapes(): NttShape[] {
  const f = namedField('goldilocks');
  const out: NttShape[] = [];
  for (let k = 3; k <= 12; k++) {
    for (let lanes = 1; 2 * lanes * lanes <= 2 ** k; lanes *= 2) {
      for (const input of ['natural', 'bitrev'] as const) {
        out.push(nttShape(f, 2 ** k, lanes, input, input === 'natural' ? 'natural' : 'bitrev'));
      }
    }
  }
  return out;
}

describe('NTT banking and schedule', () => {
  it('every cycle of load, compute and unload touches 2·lanes different banks; (bank, word) is a bijection', () => {
    for (const s of shapes()) {
      const seen = new Set<number>();
      for (let q = 0; q < s.n; q++) {
        if (addrOf(s, q) < s.n / (2 * s.lanes) && bankOf(s, q) < 2 * s.lanes) seen.add(bankOf(s, q) * s.n + addrOf(s, q));
      }
      expect(seen.size).toBe(s.n);
      const conflicts: string[] = [];
      const distinct = (qs: number[]) => new Set(qs.map((q) => bankOf(s, q))).size === qs.length;
      for (let t = 0; t < s.n / s.lanes; t++) {
        const beat = Array.from({ length: s.lanes }, (_, l) => t * s.lanes + l);
        if (!distinct(beat.map((i) => loadPosition(s, i)))) conflicts.push(`n=${s.n} lanes=${s.lanes} load beat ${t}`);
        if (!distinct(beat.map((i) => unloadPosition(s, i)))) conflicts.push(`n=${s.n} lanes=${s.lanes} unload beat ${t}`);
      }
      for (let st = 0; st < s.k; st++) {
        const touched = new Set<number>();
        for (let c = 0; c < s.n / 2 / s.lanes; c++) {
          const qs = Array.from({ length: s.lanes }, (_, l) => butterflyAt(s, st, c, l)).flatMap((b) => [b.a, b.b]);
          if (!distinct(qs)) conflicts.push(`n=${s.n} lanes=${s.lanes} stage ${st} cycle ${c}`);
          for (const q of qs) touched.add(q);
        }
        expect(touched.size).toBe(s.n); // each stage covers every element exactly once
      }
      expect(conflicts.slice(0, 3)).toEqual([]);
    }
  });

  it('the schedule never reads an element before the previous stage wrote it, and is tight', () => {
    let withGaps = 0;
    for (const s of shapes()) {
      for (const latency of [1, 11, 30]) {
        const sched = nttSchedule(s, latency);
        const M = s.n / 2 / s.lanes;
        // Replay every access as an event at its clock edge.
        const writeEdge = new Array<number>(s.n).fill(-1);
        const early: string[] = [];
        let slack = Infinity;
        for (let st = 0; st < s.k; st++) {
          const start = sched.stageStart[st]!;
          if (st > 0) expect(start).toBe(sched.stageStart[st - 1]! + M + sched.gaps[st - 1]!);
          for (let c = 0; c < M; c++) {
            for (let l = 0; l < s.lanes; l++) {
              const { a, b } = butterflyAt(s, st, c, l);
              const readEdge = start + c + READ_EDGE;
              for (const q of [a, b]) {
                if (readEdge <= writeEdge[q]!) early.push(`n=${s.n} lanes=${s.lanes} L=${latency} stage ${st} cycle ${c} reads ${q}`);
                if (st > 0) slack = Math.min(slack, readEdge - writeEdge[q]! - 1);
              }
            }
          }
          for (let c = 0; c < M; c++) {
            for (let l = 0; l < s.lanes; l++) {
              const { a, b } = butterflyAt(s, st, c, l);
              writeEdge[a] = writeEdge[b] = start + c + latency + WRITE_EXTRA;
            }
          }
        }
        expect(early.slice(0, 3)).toEqual([]);
        // Tight: where a gap was inserted, some read happens right after its write.
        if (sched.gaps.some((g) => g > 0)) {
          withGaps++;
          expect(slack).toBe(0);
        }
        const lastWrite = Math.max(...writeEdge);
        expect(sched.computeCycles).toBe(lastWrite);
        expect(sched.idealCycles).toBe((s.n / 2) * s.k / s.lanes);
      }
    }
    // The tightness check above ran on schedules that do have gaps.
    expect(withGaps).toBeGreaterThan(10);
  });
});

describe('NTT parameters', () => {
  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['goldilocks', { n: '1000' }, /n=1000 is not accepted: give a power of two/],
    ['goldilocks', { n: '4' }, /n=4 is not accepted: give a power of two from 8/],
    ['babybear', { n: String(2 ** 28) }, /beyond the 2-adicity of babybear .*n ≤ 2\^27/],
    ['bn254.fp', { n: '8' }, /beyond the 2-adicity of bn254.fp/],
    ['goldilocks', { n: '256', lanes: '3' }, /lanes=3 is not accepted: give a power of two/],
    ['goldilocks', { n: '256', lanes: '256' }, /lanes=256 is not accepted: give a power of two from 1 to n\/2 = 128/],
    ['goldilocks', { n: '256', lanes: '16' }, /lanes=16 needs n ≥ 2·lanes² = 512 .*give lanes ≤ 8/],
    ['goldilocks', { n: '256', input: 'reversed' }, /input=reversed is not accepted: give one of natural, bitrev/],
    ['goldilocks', { n: '256', radix: '4' }, /unknown parameter 'radix' for ntt/],
  ];
  it.each(bad)('%s %j → one-line UsageError', (field, params, message) => {
    let err: unknown;
    try {
      generateNtt(namedField(field), params);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('NTT control timeline (overlap)', () => {
  const times = (field: string, n: number, lanes: number, sets: 1 | 2, count: number, lb = 12) => {
    const s = nttShape(namedField(field), n, lanes);
    return { s, sched: nttSchedule(s, lb), t: nttTimeline(s, nttSchedule(s, lb), lb, sets, count) };
  };

  it('every transform: beats in, then out, then done; in order; one transform at a time without overlap', () => {
    for (const sets of [1, 2] as const) {
      for (const [n, lanes] of [[8, 1], [8, 2], [64, 2], [1024, 4]] as const) {
        const { t } = times('babybear', n, lanes, sets, 5);
        // The generator reads a lone transform's latency off the first of a run: later ones do not delay it.
        expect(times('babybear', n, lanes, sets, 1).t[0]).toEqual(t[0]);
        for (const [i, x] of t.entries()) {
          expect(x.lastIn - x.firstIn).toBe(n / lanes - 1); // back to back: one beat a cycle
          expect(x.lastOut - x.firstOut).toBe(n / lanes - 1);
          expect(x.firstOut).toBeGreaterThan(x.lastIn);
          expect(x.done).toBe(x.lastOut + 1);
          if (i > 0) {
            expect(x.firstIn).toBeGreaterThan(t[i - 1]!.lastIn);
            expect(x.firstOut).toBeGreaterThan(t[i - 1]!.lastOut);
            // Without overlap the next transform loads only after the previous one's last read.
            if (sets === 1) expect(x.firstIn).toBeGreaterThan(t[i - 1]!.lastOut - 4);
            else expect(x.firstIn).toBeLessThan(t[i - 1]!.firstOut);
          }
        }
      }
    }
  });

  it('with overlap, back-to-back transforms keep the butterflies busy ≥ 97 % from N = 2^12; without, they do not', () => {
    for (const n of [2 ** 12, 2 ** 14, 2 ** 16]) {
      for (const lanes of [1, 4]) {
        const on = times('goldilocks', n, lanes, 2, 4);
        const off = times('goldilocks', n, lanes, 1, 4);
        const period = (t: NttTransformTimes[]) => t[3]!.done - t[2]!.done;
        expect(period(on.t)).toBeGreaterThanOrEqual(on.sched.idealCycles);
        expect(on.sched.idealCycles / period(on.t)).toBeGreaterThanOrEqual(0.97);
        // Sequential: load and unload (N/lanes each) add to the issue cycles.
        expect(period(off.t)).toBeGreaterThan(off.sched.issueCycles + 2 * (n / lanes));
      }
    }
  });
});
