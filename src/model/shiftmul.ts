// Golden model of the shift multiplier (butterfly and NTT with mult=shift): out = x·2^e mod p
// for a twiddle that is a power of two, given by its exponent e, step for step as the
// hardware (src/gen/shiftmul.ts) computes it:
//   negate   when ord = ord_p(2) is even, 2^(ord/2) ≡ −1 (the only element of order 2), so an
//            exponent e ≥ ord/2 shifts by s = e − ord/2 and negates first: x' = p − x (x' ≤ p,
//            and p·2^s ≡ 0 reduces to 0); else s = e, x' = x. This halves the shifter and, on
//            Goldilocks (ord 192), takes x·2^s below 2^159 instead of 2^255: 3 folds, not 6.
//   shift    z = x'·2^s, a barrel shifter: level i shifts by 2^i when bit i of s is set; each
//            level's result is as wide as its bound x'max·2^min(2^(i+1) − 1, smax), so no bit
//            that can be set is dropped;
//   reduce   modmul's fold reduction (src/model/modmul.ts) from the bound x'max·2^smax instead
//            of (p−1)²: folds X ← (X mod 2^k) + (X div 2^k)·c, then the largest multiple of p.
// ord_p(2) is found by stepping through the powers of 2 (at most SHIFT_MAX_ORDER of them): the
// exponent port is bitlength(ord − 1) bits wide and an NTT's N must divide ord.
import { UsageError } from '../base/errors.ts';
import { isProbablePrime, modPow } from '../fields/primality.ts';
import { foldSchedule, foldTrace, type FoldSchedule } from './modmul.ts';

/** The largest ord_p(2) mult=shift accepts. */
export const SHIFT_MAX_ORDER = 1024;

const bitLength = (v: bigint | number) => (BigInt(v) === 0n ? 0 : BigInt(v).toString(2).length);

/** ord_p(2), the least e ≥ 1 with 2^e ≡ 1 (mod p), when it is at most `limit`; else undefined. */
export function orderOfTwo(p: bigint, limit = SHIFT_MAX_ORDER): number | undefined {
  let x = 2n % p;
  for (let e = 1; e <= limit; e++) {
    if (x === 1n) return e;
    x = (x * 2n) % p;
  }
  return undefined;
}

/**
 * ord_p(2) exactly, for an error message, when p − 1 factors over primes below 2^16 times at
 * most one (probable) prime cofactor; undefined otherwise.
 */
export function orderOfTwoExact(p: bigint): bigint | undefined {
  let rest = p - 1n;
  const primes: bigint[] = [];
  for (let q = 2n; q < 65536n && q * q <= rest; q += q === 2n ? 1n : 2n) {
    if (rest % q !== 0n) continue;
    primes.push(q);
    while (rest % q === 0n) rest /= q;
  }
  if (rest > 1n) {
    if (!isProbablePrime(rest)) return undefined;
    primes.push(rest);
  }
  let order = p - 1n;
  for (const q of primes) while (order % q === 0n && modPow(2n, order / q, p) === 1n) order /= q;
  return order;
}

/** "ord_p(2) = 192", or "ord_p(2) = 1006632960", or "ord_p(2) > 1024" when p − 1 does not factor. */
export function orderText(p: bigint): string {
  const small = orderOfTwo(p);
  if (small !== undefined) return `ord_p(2) = ${small}`;
  const exact = orderOfTwoExact(p);
  return exact !== undefined ? `ord_p(2) = ${exact}` : `ord_p(2) > ${SHIFT_MAX_ORDER}`;
}

export interface ShiftMulShape {
  p: bigint;
  /** ord_p(2): exponents e are 0 ≤ e < order. */
  order: number;
  /** order/2 when the order is even (2^half ≡ −1): e ≥ half negates and shifts by e − half. */
  half?: number;
  /** Bits of the exponent port: bitlength(order − 1). */
  expBits: number;
  /** Largest shift s, and the bits of s (the shifter's levels). */
  maxShift: number;
  shiftBits: number;
  /** Bound of the shifter's input x' (p with the negation: p − 0; else p − 1), and its bits. */
  xMax: bigint;
  xBits: number;
  /** widths[0] = xBits; widths[i + 1]: bits after level i (shift by 2^i), from its bound. */
  widths: number[];
  /** The fold reduction from xMax·2^maxShift. */
  schedule: FoldSchedule;
}

/** The shift multiplier for p, or why there is none (one clause, for an error line). */
export function shiftMulShape(p: bigint): ShiftMulShape | { reason: string } {
  const order = orderOfTwo(p);
  if (order === undefined) {
    return { reason: `its twiddles are 2^e with e on a port below ord_p(2), which it takes up to ${SHIFT_MAX_ORDER}, and here ${orderText(p)}` };
  }
  const half = order % 2 === 0 ? order / 2 : undefined;
  if (half !== undefined && modPow(2n, BigInt(half), p) !== p - 1n) throw new Error(`internal: 2^(ord/2) is not −1 mod 0x${p.toString(16)}`);
  const maxShift = (half ?? order) - 1;
  const xMax = half !== undefined ? p : p - 1n;
  const xBits = bitLength(xMax);
  const shiftBits = bitLength(maxShift);
  const widths = [xBits];
  for (let i = 0; i < shiftBits; i++) widths.push(bitLength(xMax << BigInt(Math.min(2 ** (i + 1) - 1, maxShift))));
  const schedule = foldSchedule(p, xMax << BigInt(maxShift));
  if ('reason' in schedule) return { reason: `mult=shift reduces x·2^e by modmul's folds, and for this p ${schedule.reason}` };
  return { p, order, half, expBits: bitLength(order - 1), maxShift, shiftBits, xMax, xBits, widths, schedule };
}

/** The shape, or a one-line UsageError naming the field. */
export function shiftMulShapeOrThrow(p: bigint, fieldName: string): ShiftMulShape {
  const s = shiftMulShape(p);
  if ('reason' in s) throw new UsageError(`mult=shift does not fit ${fieldName}: ${s.reason}; give mult=montmul or mult=modmul`);
  return s;
}

/** The values the shift multiplier passes through for x (canonical) and exponent e < order. */
export function shiftTrace(s: ShiftMulShape, x: bigint, e: number): { neg: boolean; shift: number; input: bigint; levels: bigint[]; folds: bigint[]; out: bigint } {
  if (!Number.isInteger(e) || e < 0 || e >= s.order) throw new Error(`internal: exponent ${e} outside 0..${s.order - 1}`);
  const neg = s.half !== undefined && e >= s.half;
  const shift = neg ? e - s.half! : e;
  const input = neg ? s.p - x : x;
  const levels: bigint[] = [];
  let z = input;
  for (let i = 0; i < s.shiftBits; i++) {
    if ((shift >> i) & 1) z <<= BigInt(2 ** i);
    levels.push(z);
  }
  // The folds start from z = x'·2^s: foldTrace multiplies, so hand it x' and 2^s.
  const t = foldTrace(s.schedule, input, 1n << BigInt(shift));
  return { neg, shift, input, levels, folds: t.folds, out: t.out };
}

/** out = x·2^e mod p the way the generated shift multiplier computes it. */
export function shiftMulModel(p: bigint): (x: bigint, e: bigint) => bigint {
  const s = shiftMulShape(p);
  if ('reason' in s) throw new Error(`internal: ${s.reason}`);
  return (x, e) => shiftTrace(s, x, Number(e)).out;
}

/** e with 2^e ≡ w (mod p), e < ord_p(2): the exponent form of a power-of-two twiddle. */
export function exponentOf(p: bigint, order: number): (w: bigint) => bigint {
  const table = new Map<bigint, number>();
  let x = 1n;
  for (let e = 0; e < order; e++) {
    table.set(x, e);
    x = (x * 2n) % p;
  }
  return (w) => {
    const e = table.get(w);
    if (e === undefined) throw new Error(`internal: 0x${w.toString(16)} is not a power of 2 mod p`);
    return BigInt(e);
  };
}
