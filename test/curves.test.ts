// Tier 1 for curves: the registry's constants and the point-adder formulas of the golden
// model against references nobody here wrote — @noble/curves (BN254 and BLS12-381 G1, and
// BLS12-377 through noble's generic `weierstrass()`) — and against textbook affine
// arithmetic. Every formula result is normalised to affine and compared with noble's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bn254 } from '@noble/curves/bn254.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { isProbablePrime } from '../src/fields/primality.ts';
import { curveFromFile, namedCurve, type CurveSpec } from '../src/curves/registry.ts';
import {
  addAffine, adderFormula, cubeRoots, curveMontgomery, isCube, edwardsAffine, edwardsConsistent, edwardsExtended, edwardsModel,
  edwardsPrecomputed, fromEdwards, generator, mulAffine, negAffine, onCurve, onEdwards, scaleProjective, sqrtMod, toEdwards,
  validateCurve, weierstrassAffine, weierstrassProjective, type Affine, type AddMode, type CurveForm, type EdwardsModel,
} from '../src/model/curve.ts';
import { runSlp, slpCounts } from '../src/model/slp.ts';
import { Rng } from '../src/sim/vectors.ts';
import { fromNoble, nobleCurve, type NoblePoint } from '../src/curves/noble.ts';
import { TOY_CURVES } from './support/curves.ts';

const nobleOf = nobleCurve;

const REAL = ['bn254.g1', 'bls12_381.g1', 'bls12_377.g1'].map(namedCurve);

describe('curve registry', () => {
  it('BN254 and BLS12-381 G1 constants equal @noble/curves Point.CURVE()', () => {
    for (const [name, P] of [['bn254.g1', bn254.G1.Point], ['bls12_381.g1', bls12_381.G1.Point]] as const) {
      const c = namedCurve(name);
      const ref = P.CURVE();
      expect({ p: c.field.p, n: c.n, h: c.h, a: 0n, b: c.b, Gx: c.gx, Gy: c.gy }).toEqual({ p: ref.p, n: ref.n, h: ref.h, a: ref.a, b: ref.b, Gx: ref.Gx, Gy: ref.Gy });
    }
  });

  it('BLS12-377 G1: p and n prime, G on the curve, n·G = O, h·n within the Hasse bound, 2-adicities as published', () => {
    const c = namedCurve('bls12_377.g1');
    expect(isProbablePrime(c.field.p)).toBe(true);
    expect(isProbablePrime(c.n)).toBe(true);
    expect(onCurve(c, generator(c))).toBe(true);
    expect(mulAffine(c, generator(c), c.n)).toBeNull();
    expect(mulAffine(c, generator(c), c.n - 1n)).toEqual(negAffine(c, generator(c)));
    // #E(F_p) = h·n; n·(h·P) = O for a point P found from x = 2.
    const x = 2n;
    const y = sqrtMod(x ** 3n + c.b, c.field.p)!;
    expect(mulAffine(c, { x, y }, c.h! * c.n)).toBeNull();
    expect(() => validateCurve(c)).not.toThrow();
    // noble's generic weierstrass() accepts the constants and agrees on G and 2G.
    const P = nobleOf(c);
    expect(P.BASE.toAffine()).toEqual(generator(c));
    expect(P.BASE.add(P.BASE).toAffine()).toEqual(mulAffine(c, generator(c), 2n));
  });

  it('every named and toy curve validates', () => {
    for (const c of [...REAL, ...TOY_CURVES.map((t) => t.curve)]) expect(() => validateCurve(c)).not.toThrow();
  });

  it('textbook affine arithmetic equals noble on random points of every curve', () => {
    const rng = new Rng(11);
    for (const c of REAL) {
      const P = nobleOf(c);
      for (let i = 0; i < 20; i++) {
        const a = 1n + (rng.bits(256) % (c.n - 1n));
        const b = 1n + (rng.bits(256) % (c.n - 1n));
        const A = mulAffine(c, generator(c), a);
        const B = mulAffine(c, generator(c), b);
        expect(A).toEqual(P.BASE.multiply(a).toAffine());
        const sum = P.BASE.multiply(a).add(P.BASE.multiply(b));
        expect(addAffine(c, A, B)).toEqual(sum.is0() ? null : sum.toAffine());
      }
    }
  });

  it('cube and square roots equal brute force on small primes, and work at 377 bits', () => {
    // 109 − 1 = 4·27 and 163 − 1 = 2·81: several rounds of the 3-Sylow search; 1000159 ≡ 1 mod 3.
    for (const q of [7n, 11n, 13n, 109n, 163n, 1009n]) {
      for (let c = 0n; c < q; c++) {
        const want: bigint[] = [];
        for (let x = 0n; x < q; x++) if ((x * x * x) % q === c) want.push(x);
        expect(cubeRoots(c, q), `cube roots of ${c} mod ${q}`).toEqual(want);
        expect(isCube(c, q)).toBe(want.length > 0);
        const roots: bigint[] = [];
        for (let x = 0n; x < q; x++) if ((x * x) % q === c) roots.push(x);
        expect(sqrtMod(c, q), `square root of ${c} mod ${q}`).toBe(roots.length ? roots[0] : undefined);
      }
    }
    const p = namedCurve('bls12_377.g1').field.p;
    expect(cubeRoots(p - 1n, p)).toHaveLength(3);
    for (const r of cubeRoots(p - 1n, p)) expect((r * r * r) % p).toBe(p - 1n);
    expect(sqrtMod(4n, p)).toBe(2n);
  });
});

describe('custom curve files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zkrtl-curve-'));
  const file = (name: string, body: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
    return path;
  };
  const toy = TOY_CURVES[0]!.json;

  it('a valid file gives a curve with a stable tag', () => {
    const c = curveFromFile(file('ok.json', toy));
    expect(c.field.p).toBe(BigInt(toy.p));
    expect(c.tag).toMatch(/^c\d+_[0-9a-f]{8}$/);
    expect(curveFromFile(file('ok2.json', toy)).tag).toBe(c.tag);
    expect(() => validateCurve(c)).not.toThrow();
  });

  it('bad files are one-line UsageErrors naming the value', () => {
    const bad: Array<[string, unknown, RegExp]> = [
      ['notjson.json', '{', /not valid JSON/],
      ['array.json', '[]', /must hold a JSON object/],
      ['missing.json', { ...toy, gy: undefined }, /'gy' is missing/],
      ['unknown.json', { ...toy, q: '1' }, /unknown key 'q'/],
      ['a.json', { ...toy, a: '2' }, /a = 2 is not accepted/],
      ['pnotprime.json', { ...toy, p: '1000161' }, /p = 1000161 is not an odd prime/],
      ['negative a.json', { ...toy, a: '-3' }, /a = -3 is not accepted: zkrtl's adders are for a = 0 curves/],
      ['negative b.json', { ...toy, b: -1 }, /'b' = -1 is not accepted: give a non-negative integer/],
      ['b0.json', { ...toy, b: '0' }, /b = 0 gives the singular curve/],
      ['big.json', { ...toy, gx: String(BigInt(toy.p) + 1n) }, /gx = 0x[0-9a-f]+ is not below p/],
      ['num.json', { ...toy, n: 'twelve' }, /'n' = "twelve" is not accepted/],
    ];
    for (const [name, body, re] of bad) {
      expect(() => curveFromFile(file(name, body))).toThrow(re);
    }
    expect(() => curveFromFile(join(dir, 'absent.json'))).toThrow(/cannot read curve file .*ENOENT/);
    const notOn = curveFromFile(file('noton.json', { ...toy, gy: String(BigInt(toy.gy) + 1n) }));
    expect(() => validateCurve(notOn)).toThrow(/is not on y\^2 = x\^3/);
    const nNotPrime = curveFromFile(file('nnp.json', { ...toy, n: String(BigInt(toy.n) + 1n) }));
    expect(() => validateCurve(nNotPrime)).toThrow(/n = 0x[0-9a-f]+ is not a prime/);
    // n prime but not the generator's order: the largest prime below n.
    let wrong = BigInt(toy.n) - 2n;
    while (!isProbablePrime(wrong)) wrong -= 2n;
    expect(() => validateCurve(curveFromFile(file('nwrong.json', { ...toy, n: String(wrong) })))).toThrow(/n\*G is not the point at infinity/);
    expect(() => validateCurve(curveFromFile(file('h.json', { ...toy, h: '5' })))).toThrow(/outside the Hasse bound/);
  });
});

describe('twisted-Edwards models', () => {
  it('BLS12-377 has one, BN254 and BLS12-381 do not (no point of order 2)', () => {
    expect(typeof edwardsModel(namedCurve('bls12_377.g1'))).toBe('object');
    expect(edwardsModel(namedCurve('bn254.g1'))).toMatch(/no root mod p/);
    expect(edwardsModel(namedCurve('bls12_381.g1'))).toMatch(/no root mod p/);
  });

  it('maps round-trip and land on the Edwards curve; the identity maps to (0, 1)', () => {
    const rng = new Rng(5);
    for (const c of [namedCurve('bls12_377.g1'), ...TOY_CURVES.filter((t) => t.edwards).map((t) => t.curve)]) {
      const e = edwardsModel(c) as EdwardsModel;
      const p = c.field.p;
      expect(toEdwards(c, e, null)).toEqual({ x: 0n, y: 1n });
      expect(fromEdwards(c, e, { x: 0n, y: 1n })).toBeNull();
      for (let i = 0; i < 50; i++) {
        const P = mulAffine(c, generator(c), 1n + (rng.bits(256) % (c.n - 1n)));
        const E = toEdwards(c, e, P);
        expect(onEdwards(p, e, E)).toBe(true);
        expect(fromEdwards(c, e, E)).toEqual(P);
      }
    }
  });
});

/** Random points of the subgroup, as noble points and affine points. */
function randomPairs(c: CurveSpec, count: number, seed: number): Array<[NoblePoint, NoblePoint]> {
  const P = nobleOf(c);
  const rng = new Rng(seed);
  const G = P.BASE;
  const out: Array<[NoblePoint, NoblePoint]> = [];
  let a = G.multiply(1n + (rng.bits(256) % (c.n - 1n)));
  const steps = [1, 2, 3].map(() => G.multiply(1n + (rng.bits(256) % (c.n - 1n))));
  for (let i = 0; i < count; i++) {
    const b = a.add(steps[i % 3]!);
    out.push([a, b]);
    a = b;
  }
  return out;
}

const affineOf = fromNoble;

/** The model's adder on two affine points (random representatives), normalised to affine. */
function modelAdd(c: CurveSpec, form: CurveForm, mode: AddMode, full: boolean, A: Affine, B: Affine, rng: Rng): Affine {
  const mf = curveMontgomery(c);
  const f = adderFormula(c, mf, form, mode);
  const scale = () => 1n + (rng.bits(c.field.bits) % (c.field.p - 1n));
  if (form === 'weierstrass') {
    const p = scaleProjective(mf, weierstrassProjective(mf, A), scale());
    let q = full ? scaleProjective(mf, weierstrassProjective(mf, B), scale()) : weierstrassProjective(mf, B).slice(0, 2);
    if (mode === 'both' && !full) q = [...q, scale()];
    return weierstrassAffine(mf, runSlp(f.slp, mf, [...p, ...q], full));
  }
  const e = edwardsModel(c) as EdwardsModel;
  const p = scaleProjective(mf, edwardsExtended(mf, toEdwards(c, e, A)), scale());
  let q = full ? scaleProjective(mf, edwardsExtended(mf, toEdwards(c, e, B)), scale()) : edwardsPrecomputed(mf, e, toEdwards(c, e, B));
  if (mode === 'both' && !full) q = [...q, scale()];
  const out = runSlp(f.slp, mf, [...p, ...q], full);
  expect(edwardsConsistent(mf, out)).toBe(true);
  return fromEdwards(c, e, edwardsAffine(mf, out));
}

const CASES: Array<[CurveForm, AddMode, boolean]> = [
  ['weierstrass', 'full', true], ['weierstrass', 'mixed', false], ['weierstrass', 'both', true], ['weierstrass', 'both', false],
  ['edwards', 'full', true], ['edwards', 'mixed', false], ['edwards', 'both', true], ['edwards', 'both', false],
];

describe('adder formulas of the golden model equal @noble/curves', () => {
  for (const c of REAL) {
    for (const [form, mode, full] of CASES) {
      if (form === 'edwards' && typeof edwardsModel(c) === 'string') continue;
      const label = `${c.name} ${form} ${mode}${mode === 'both' ? (full ? ' (full op)' : ' (mixed op)') : ''}`;
      // The Edwards round trip through the maps costs inversions: fewer pairs there.
      const count = form === 'edwards' ? 250 : 1000;
      it(`${label}: ${count} random pairs and the edge cases`, () => {
        const rng = new Rng(3);
        const N = nobleOf(c);
        for (const [a, b] of randomPairs(c, count, 17)) {
          expect(modelAdd(c, form, mode, full, affineOf(a), affineOf(b), rng)).toEqual(affineOf(a.add(b)));
        }
        const P = randomPairs(c, 1, 99)[0]![0];
        const G = N.BASE;
        const edges: Array<[NoblePoint, NoblePoint]> = [[P, P], [P, P.negate()], [P, N.ZERO], [N.ZERO, P], [N.ZERO, N.ZERO], [N.ZERO, G]];
        for (let i = 1n; i <= 5n; i++) for (let j = 1n; j <= 5n; j++) edges.push([G.multiply(i), G.multiply(j)]);
        for (let i = 1n; i <= 5n; i++) edges.push([G.multiply(i), G.multiply(i).negate()]);
        for (const [a, b] of edges) {
          // A mixed Weierstrass operand is affine: O has no such form (the manifest says so).
          if (!full && form === 'weierstrass' && b.is0()) continue;
          expect(modelAdd(c, form, mode, full, affineOf(a), affineOf(b), rng)).toEqual(affineOf(a.add(b)));
        }
      });
    }
  }

  it('points with x = 0 (y² = b) add correctly where the curve has them (Weierstrass, full)', () => {
    const rng = new Rng(4);
    let seen = 0;
    for (const c of REAL) {
      const y0 = sqrtMod(c.b, c.field.p);
      if (y0 === undefined) continue;
      const S: Affine = { x: 0n, y: y0 };
      const P = mulAffine(c, generator(c), 123456789n);
      expect(onCurve(c, S)).toBe(true);
      for (const [A, B] of [[S, S], [S, negAffine(c, S)], [S, P], [P, S], [S, null], [null, S]] as Array<[Affine, Affine]>) {
        expect(modelAdd(c, 'weierstrass', 'full', true, A, B, rng)).toEqual(addAffine(c, A, B));
      }
      seen++;
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('a point of order 2 (y = 0, BLS12-377 only) is exactly the documented exception: outside G1, pairs differing by it fail', () => {
    // Renes–Costello–Batina: the formulas are complete on curves without 2-torsion; on an
    // even-order curve they fail exactly for pairs whose difference has order 2. G1 (odd
    // prime order) has no such pairs; the manifest asks for inputs in G1.
    const rng = new Rng(6);
    const c = namedCurve('bls12_377.g1');
    const [x] = cubeRoots(-c.b, c.field.p);
    const T: Affine = { x: x!, y: 0n };
    expect(onCurve(c, T)).toBe(true);
    expect(addAffine(c, T, T)).toBeNull();
    const P = mulAffine(c, generator(c), 987654321n);
    // Differences of order 1 or order 2n: correct.
    expect(modelAdd(c, 'weierstrass', 'full', true, T, T, rng)).toBeNull();
    expect(modelAdd(c, 'weierstrass', 'full', true, T, P, rng)).toEqual(addAffine(c, T, P));
    // Differences of order 2: T + O and P + (P + T) are the exceptions.
    expect(modelAdd(c, 'weierstrass', 'full', true, T, null, rng)).not.toEqual(T);
    expect(modelAdd(c, 'weierstrass', 'full', true, P, addAffine(c, P, T), rng)).not.toEqual(addAffine(c, P, addAffine(c, P, T)));
    for (const other of REAL.filter((o) => o.name !== c.name)) expect(cubeRoots(-other.b, other.field.p)).toEqual([]);
  });

  it('mixed operations of a both-mode adder give the mixed adder\'s coordinates exactly', () => {
    const rng = new Rng(8);
    for (const c of REAL) {
      const mf = curveMontgomery(c);
      for (const form of ['weierstrass', 'edwards'] as const) {
        if (form === 'edwards' && typeof edwardsModel(c) === 'string') continue;
        const mixed = adderFormula(c, mf, form, 'mixed');
        const both = adderFormula(c, mf, form, 'both');
        for (let i = 0; i < 50; i++) {
          const p = Array.from({ length: mixed.pCoords.length }, () => rng.below(c.field.p));
          const q = Array.from({ length: mixed.qCoords.length }, () => rng.below(c.field.p));
          expect(runSlp(both.slp, mf, [...p, ...q, rng.below(c.field.p)], false)).toEqual(runSlp(mixed.slp, mf, [...p, ...q], false));
        }
      }
    }
  });

  it('multiplication counts: Weierstrass 12 full / 11 mixed, Edwards 9 full / 7 mixed', () => {
    const c = namedCurve('bls12_377.g1');
    const mf = curveMontgomery(c);
    const muls = (form: CurveForm, mode: AddMode) => slpCounts(adderFormula(c, mf, form, mode).slp).mul;
    expect([muls('weierstrass', 'full'), muls('weierstrass', 'mixed'), muls('weierstrass', 'both')]).toEqual([12, 11, 12]);
    expect([muls('edwards', 'full'), muls('edwards', 'mixed'), muls('edwards', 'both')]).toEqual([9, 7, 9]);
  });
});
