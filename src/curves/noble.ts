// @noble/curves as the independent reference for curve arithmetic: BN254 and BLS12-381 G1
// from noble itself, any other a = 0 curve (BLS12-377, custom curves) through noble's
// generic weierstrass(). Used by the simulators and the benchmark to check whole MSMs.
import { bn254 } from '@noble/curves/bn254.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import type { CurveSpec } from './registry.ts';
import type { Affine } from '../model/curve.ts';

export interface NoblePoint {
  add(o: NoblePoint): NoblePoint;
  negate(): NoblePoint;
  multiply(k: bigint): NoblePoint;
  multiplyUnsafe(k: bigint): NoblePoint;
  is0(): boolean;
  toAffine(): { x: bigint; y: bigint };
  equals(o: NoblePoint): boolean;
}
export interface NobleCurve {
  BASE: NoblePoint;
  ZERO: NoblePoint;
  fromAffine(a: { x: bigint; y: bigint }): NoblePoint;
}

const generic = new Map<string, NobleCurve>();

/** noble's point class for the curve (one class per curve: noble refuses to mix classes). */
export function nobleCurve(c: CurveSpec): NobleCurve {
  if (c.name === 'bn254.g1') return bn254.G1.Point as unknown as NobleCurve;
  if (c.name === 'bls12_381.g1') return bls12_381.G1.Point as unknown as NobleCurve;
  const key = `${c.field.p}:${c.b}:${c.n}:${c.gx}:${c.gy}`;
  let P = generic.get(key);
  if (!P) generic.set(key, (P = weierstrass({ p: c.field.p, n: c.n, h: c.h ?? 1n, a: 0n, b: c.b, Gx: c.gx, Gy: c.gy }) as unknown as NobleCurve));
  return P;
}

export function toNoble(c: CurveSpec, P: Affine): NoblePoint {
  const N = nobleCurve(c);
  return P === null ? N.ZERO : N.fromAffine(P);
}

export function fromNoble(P: NoblePoint): Affine {
  return P.is0() ? null : P.toAffine();
}

/** Σ kᵢ·Pᵢ by noble's own Pippenger (scalars must be below n). */
export function noblePippenger(c: CurveSpec, points: readonly NoblePoint[], scalars: readonly bigint[]): NoblePoint {
  return pippenger(nobleCurve(c) as never, points as never, scalars as never) as unknown as NoblePoint;
}

/** Σ kᵢ·Pᵢ the naive way: one scalar multiplication per term, noble's double-and-add. */
export function nobleNaive(c: CurveSpec, points: readonly NoblePoint[], scalars: readonly bigint[]): NoblePoint {
  let acc = nobleCurve(c).ZERO;
  points.forEach((P, i) => { if (scalars[i]! !== 0n) acc = acc.add(P.multiplyUnsafe(scalars[i]!)); });
  return acc;
}
