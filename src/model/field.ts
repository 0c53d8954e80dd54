// Golden model of the fixed-prime field blocks. It follows the generated hardware step for
// step (same R = 2^k, same reduction), so a mismatch in simulation points at one stage.
//
// Montgomery multiplication, as the RTL does it (single-word REDC on the full product):
//   T     = a·b                                  (2W bits, tiled multiplier)
//   tLo   = T mod R,  tHi = T div R
//   m     = tLo·p′ mod R                          (low half-product, p′ = −p⁻¹ mod R)
//   mpHi  = (m·p) div R                           (constant product, high part)
//   u     = tHi + mpHi + [tLo ≠ 0]                (= (T + m·p)/R exactly: tLo + (m·p mod R) is 0 or R)
//   out   = u ≥ p ? u − p : u                     (u < 2p since p < R)
// The carry trick means the hardware never adds the low k bits of T, it only needs tLo ≠ 0.

export interface MontgomeryField {
  p: bigint;
  /** Bit length W of p: ports are W bits wide. */
  bits: number;
  /** R = 2^k, k ≥ W. */
  k: number;
  R: bigint;
  /** −p⁻¹ mod R. */
  pPrime: bigint;
  /** R mod p (Montgomery form of 1) and R² mod p (converts into Montgomery form). */
  rModP: bigint;
  r2ModP: bigint;
  /** R⁻¹ mod p. */
  rInv: bigint;
}

export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error(`${a} has no inverse modulo ${m}`);
  return ((oldS % m) + m) % m;
}

export function montgomeryField(p: bigint, k?: number): MontgomeryField {
  const bits = p.toString(2).length;
  const kk = k ?? bits;
  if (kk < bits) throw new Error(`R = 2^${kk} must exceed p (${bits} bits)`);
  const R = 1n << BigInt(kk);
  const pPrime = (R - modInverse(p, R)) % R;
  return { p, bits, k: kk, R, pPrime, rModP: R % p, r2ModP: (R * R) % p, rInv: modInverse(R % p, p) };
}

export function modAdd(f: { p: bigint }, a: bigint, b: bigint): bigint {
  const s = a + b;
  return s >= f.p ? s - f.p : s;
}

export function modSub(f: { p: bigint }, a: bigint, b: bigint): bigint {
  const d = a - b;
  return d < 0n ? d + f.p : d;
}

export function modNeg(f: { p: bigint }, a: bigint): bigint {
  return a === 0n ? 0n : f.p - a;
}

export interface MontmulStages {
  T: bigint;
  tLo: bigint;
  tHi: bigint;
  m: bigint;
  mpHi: bigint;
  carry: bigint;
  u: bigint;
  out: bigint;
}

/** Every intermediate value of the montmul pipeline, named as in the RTL. */
export function montmulStages(f: MontgomeryField, a: bigint, b: bigint): MontmulStages {
  const k = BigInt(f.k);
  const T = a * b;
  const tLo = BigInt.asUintN(f.k, T);
  const tHi = T >> k;
  const m = BigInt.asUintN(f.k, tLo * f.pPrime);
  const mpHi = (m * f.p) >> k;
  const carry = tLo === 0n ? 0n : 1n;
  const u = tHi + mpHi + carry;
  const out = u >= f.p ? u - f.p : u;
  return { T, tLo, tHi, m, mpHi, carry, u, out };
}

/** a·b·R⁻¹ mod p for canonical a, b: the same steps as montmulStages, without the record. */
export function montmul(f: MontgomeryField, a: bigint, b: bigint): bigint {
  const T = a * b;
  const tLo = BigInt.asUintN(f.k, T);
  const m = BigInt.asUintN(f.k, tLo * f.pPrime);
  const u = (T >> BigInt(f.k)) + ((m * f.p) >> BigInt(f.k)) + (tLo === 0n ? 0n : 1n);
  return u >= f.p ? u - f.p : u;
}

export function toMontgomery(f: MontgomeryField, x: bigint): bigint {
  return (x * f.R) % f.p;
}

export function fromMontgomery(f: MontgomeryField, x: bigint): bigint {
  return montmul(f, x, 1n);
}
