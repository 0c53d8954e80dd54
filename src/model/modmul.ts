// Golden model of `modmul`: out = a·b mod p in plain form, step for step as the hardware
// reduces, so a mismatch in simulation points at one step.
//
// Special forms fold. With k = bitlength(p) and p = 2^k − c, 2^k ≡ c (mod p), so
//   X = H·2^k + L  ≡  L + H·c          (H = X div 2^k, L = X mod 2^k)
// and each fold shrinks X by about k − bitlength(c) bits while it stays ≥ 0 (c > 0: no
// negative intermediate, no offset). The forms only name which p the fold accepts:
//   mersenne         c = 1                                   (2^31 − 1, 2^61 − 1, 2^127 − 1)
//   solinas          c has at most 3 signed digits            (2^64 − 2^32 + 1: c = 2^32 − 1;
//                    (p = 2^a − 2^b ± 1 and the like)           2^31 − 2^24 + 1: c = 2^24 − 1)
//   pseudo-mersenne  c < 2^⌊k/2⌋, any digits                  (2^255 − 19, secp256k1's 2^32 + 977)
// Folding stops once X < 2p (or when a fold no longer shrinks the bound); then
// out = X − j·p for the largest j with X ≥ j·p, all candidates side by side.
//
// Every other odd prime reduces in Montgomery form and converts back:
//   out = REDC(REDC(a·b) · (R² mod p)) = a·b·R⁻¹·R²·R⁻¹ = a·b mod p
// i.e. two montmuls, the second by the constant R² mod p. `montgomery-friendly` is the same
// circuit where p and p′ have at most 3 signed digits (BabyBear, KoalaBear, Goldilocks): its
// constant products are shift-and-add.
import { csdDigits } from './multiplier.ts';
import { montgomeryField, montmul, type MontgomeryField } from './field.ts';

export const REDUCE_FORMS = ['mersenne', 'solinas', 'pseudo-mersenne', 'montgomery-friendly', 'montgomery'] as const;
export type ReduceForm = (typeof REDUCE_FORMS)[number];

/** Most folds a fold form may take; beyond that the form does not fit the prime. */
export const FOLD_MAX = 10;
/** Most multiples of p the last step may subtract (candidates side by side). */
export const FINAL_MULTIPLES_MAX = 3;
/** Signed digits of c (solinas) and of p, p′ (montgomery-friendly) that count as few. */
export const FEW_DIGITS = 3;

const bitLength = (v: bigint) => (v === 0n ? 0 : v.toString(2).length);
const mask = (w: number) => (1n << BigInt(w)) - 1n;

export interface FoldStep {
  /** Bits of the value folded, and its bound. */
  inBits: number;
  inMax: bigint;
  /** H = X div 2^k: bits and bound. */
  hiBits: number;
  hiMax: bigint;
  /** X' = L + H·c: bits and bound. */
  outBits: number;
  outMax: bigint;
}

export interface FoldSchedule {
  p: bigint;
  k: number;
  c: bigint;
  /** Bound of the value the first fold takes: the product a·b, (p−1)², unless a start bound was given. */
  productMax: bigint;
  steps: FoldStep[];
  /** Bound of the value the last step reduces, its width, and how many multiples of p it may hold. */
  finalMax: bigint;
  finalBits: number;
  multiples: number;
}

/**
 * The folds that take a·b (a, b < p) below 2p, with tight bounds (the largest value each fold
 * can produce from any X up to the bound before it), or the reason none does.
 * Folding stops when the bound is below 2p, or no longer shrinks. `startMax` replaces the
 * bound (p−1)² the folds start from (the shift multiplier's x·2^e, src/model/shiftmul.ts).
 */
export function foldSchedule(p: bigint, startMax?: bigint): FoldSchedule | { reason: string } {
  const k = bitLength(p);
  const c = (1n << BigInt(k)) - p;
  const productMax = startMax ?? (p - 1n) * (p - 1n);
  const what = startMax === undefined ? 'a·b' : `a value up to 0x${startMax.toString(16)}`;
  const steps: FoldStep[] = [];
  let max = productMax;
  while (max / p > 1n) {
    const inBits = bitLength(max);
    const hiMax = max >> BigInt(k);
    if (hiMax === 0n) break;
    // The largest (X mod 2^k) + (X div 2^k)·c over X ≤ max: within a block of equal X div 2^k
    // it grows with X, and from one block to the next it drops (c < 2^k), so it is at the top
    // of the last full block or at max itself.
    const atMax = (max & mask(k)) + hiMax * c;
    const lastFull = mask(k) + (hiMax - 1n) * c;
    const outMax = atMax > lastFull ? atMax : lastFull;
    if (outMax >= max) break;
    steps.push({ inBits, inMax: max, hiBits: inBits - k, hiMax, outBits: bitLength(outMax), outMax });
    max = outMax;
    if (steps.length > FOLD_MAX) return { reason: `folding by 2^${k} ≡ 0x${c.toString(16)} takes more than ${FOLD_MAX} folds to bring ${what} below 2p` };
  }
  const multiples = Number(max / p);
  if (multiples > FINAL_MULTIPLES_MAX) {
    return { reason: `folding by 2^${k} ≡ 0x${c.toString(16)} stops at ${multiples} multiples of p (at most ${FINAL_MULTIPLES_MAX} are subtracted at the end)` };
  }
  return { p, k, c, productMax, steps, finalMax: max, finalBits: bitLength(max), multiples };
}

/** Whether p has the given form, and if not, why (one clause, for the error line). */
export function formCheck(p: bigint, form: ReduceForm): { ok: true; schedule?: FoldSchedule } | { ok: false; reason: string } {
  const k = bitLength(p);
  const c = (1n << BigInt(k)) - p;
  const cText = `p = 2^${k} − 0x${c.toString(16)}`;
  const fold = (): ReturnType<typeof formCheck> => {
    const s = foldSchedule(p);
    return 'reason' in s ? { ok: false, reason: s.reason } : { ok: true, schedule: s };
  };
  switch (form) {
    case 'mersenne':
      return c === 1n ? fold() : { ok: false, reason: `mersenne needs p = 2^k − 1, and ${cText}` };
    case 'solinas': {
      const digits = csdDigits(c).length;
      if (c <= 1n) return { ok: false, reason: `solinas needs p = 2^k − c with c > 1 of at most ${FEW_DIGITS} signed digits, and ${cText}` };
      if (digits > FEW_DIGITS) return { ok: false, reason: `solinas needs c of at most ${FEW_DIGITS} signed digits, and ${cText} has ${digits}` };
      return fold();
    }
    case 'pseudo-mersenne':
      if (c <= 1n || bitLength(c) > Math.floor(k / 2)) {
        return { ok: false, reason: `pseudo-mersenne needs p = 2^k − c with 1 < c < 2^${Math.floor(k / 2)}, and ${cText}` };
      }
      return fold();
    case 'montgomery-friendly': {
      const mf = montgomeryField(p);
      const dp = csdDigits(p).length;
      const dq = csdDigits(mf.pPrime).length;
      if (dp > FEW_DIGITS || dq > FEW_DIGITS) {
        return { ok: false, reason: `montgomery-friendly needs p and p′ = −p⁻¹ mod 2^${k} of at most ${FEW_DIGITS} signed digits each, and they have ${dp} and ${dq}` };
      }
      return { ok: true };
    }
    case 'montgomery':
      return { ok: true };
  }
}

/** Forms p has, most specific first. */
export function formsOf(p: bigint): ReduceForm[] {
  return REDUCE_FORMS.filter((f) => formCheck(p, f).ok);
}

/** The values a fold reduction passes through: the product, each fold's result, the output. */
export function foldTrace(s: FoldSchedule, a: bigint, b: bigint): { product: bigint; folds: bigint[]; out: bigint } {
  const product = a * b;
  const folds: bigint[] = [];
  let x = product;
  for (let i = 0; i < s.steps.length; i++) {
    x = (x & mask(s.k)) + (x >> BigInt(s.k)) * s.c;
    folds.push(x);
  }
  // The last step: the largest multiple of p not above x (at most s.multiples of them).
  let j = s.multiples;
  while (j > 0 && x < BigInt(j) * s.p) j--;
  return { product, folds, out: x - BigInt(j) * s.p };
}

/** The Montgomery route: two REDCs, the second by R² mod p. */
export function montgomeryTrace(mf: MontgomeryField, a: bigint, b: bigint): { redc: bigint; out: bigint } {
  const redc = montmul(mf, a, b);
  return { redc, out: montmul(mf, redc, mf.r2ModP) };
}

/** out = a·b mod p the way the generated modmul computes it (form and k as in its manifest). */
export function modmulModel(p: bigint, form: ReduceForm, k?: number): (a: bigint, b: bigint) => bigint {
  if (form === 'montgomery' || form === 'montgomery-friendly') {
    const mf = montgomeryField(p, k);
    return (a, b) => montgomeryTrace(mf, a, b).out;
  }
  const s = foldSchedule(p);
  if ('reason' in s) throw new Error(`${form} does not fit p = 0x${p.toString(16)}: ${s.reason}`);
  return (a, b) => foldTrace(s, a, b).out;
}
