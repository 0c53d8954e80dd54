// Tier 1: the golden model against references nobody here wrote (@noble/curves) and
// against plain BigInt arithmetic.
import { describe, expect, it } from 'vitest';
import { bn254 } from '@noble/curves/bn254.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { NAMED_PRIMES, namedField } from '../src/fields/registry.ts';
import {
  fromMontgomery, modAdd, modInverse, modNeg, modSub, montgomeryField, montmul, montmulStages, toMontgomery,
} from '../src/model/field.ts';
import { Rng, edgeValues } from '../src/sim/vectors.ts';

const NOBLE = {
  'bn254.fr': bn254.fields.Fr,
  'bn254.fp': bn254.fields.Fp,
  'bls12_381.fr': bls12_381.fields.Fr,
  'bls12_381.fp': bls12_381.fields.Fp,
} as const;

describe('golden model against @noble/curves', () => {
  for (const [name, F] of Object.entries(NOBLE)) {
    it(`${name}: montmul, add, sub, neg in Montgomery form equal noble's field`, () => {
      const f = montgomeryField(namedField(name).p);
      const rng = new Rng(7);
      const values = [...edgeValues({ p: f.p }), ...Array.from({ length: 300 }, () => rng.below(f.p))];
      for (let i = 0; i < values.length; i++) {
        const x = values[i];
        const y = values[(i * 17 + 3) % values.length];
        const [xm, ym] = [toMontgomery(f, x), toMontgomery(f, y)];
        expect(fromMontgomery(f, montmul(f, xm, ym))).toBe(F.mul(x, y));
        expect(fromMontgomery(f, modAdd(f, xm, ym))).toBe(F.add(x, y));
        expect(fromMontgomery(f, modSub(f, xm, ym))).toBe(F.sub(x, y));
        expect(fromMontgomery(f, modNeg(f, xm))).toBe(F.neg(x));
        expect(fromMontgomery(f, xm)).toBe(x);
      }
      expect(f.rInv).toBe(F.inv(f.R % f.p));
    });
  }
});

describe('golden model against plain BigInt, every field', () => {
  const fields = [
    ...NAMED_PRIMES.map((f) => ({ name: f.name, p: f.p, k: undefined as number | undefined })),
    { name: 'bn254.fr k=256', p: namedField('bn254.fr').p, k: 256 },
    { name: 'goldilocks k=96', p: namedField('goldilocks').p, k: 96 },
    { name: 'p=5', p: 5n, k: undefined },
    { name: '2^521-1', p: 2n ** 521n - 1n, k: undefined },
  ];
  for (const { name, p, k } of fields) {
    it(`${name}: every montmul stage is what its definition says`, () => {
      const f = montgomeryField(p, k);
      expect((f.p * f.pPrime + 1n) % f.R).toBe(0n);
      expect((f.R * f.rInv) % p).toBe(1n);
      const rng = new Rng(11);
      const edges = edgeValues({ p, k: f.k });
      const pairs: Array<[bigint, bigint]> = edges.flatMap((a) => edges.map((b) => [a, b] as [bigint, bigint]));
      for (let i = 0; i < 500; i++) pairs.push([rng.below(p), rng.below(p)]);
      for (const [a, b] of pairs) {
        const s = montmulStages(f, a, b);
        expect(s.T).toBe(a * b);
        expect(s.tLo + (s.tHi << BigInt(f.k))).toBe(s.T);
        expect((s.T + s.m * p) % f.R).toBe(0n);
        expect(s.u).toBe((s.T + s.m * p) / f.R);
        expect(s.u < 2n * p).toBe(true);
        expect(s.out).toBe((a * b * f.rInv) % p);
        expect(montmul(f, a, b)).toBe(s.out);
        expect(modAdd(f, a, b)).toBe((a + b) % p);
        expect(modSub(f, a, b)).toBe((((a - b) % p) + p) % p);
      }
    });
  }

  it('modInverse refuses a non-invertible value', () => {
    expect(() => modInverse(6n, 9n)).toThrow();
  });
});
