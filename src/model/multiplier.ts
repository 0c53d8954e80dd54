// How a wide product is cut into multiplier tiles, and how a constant is written in
// canonical signed digits. The generator builds its hardware from these same functions,
// so the model's decomposition and the RTL's cannot drift apart.

export interface Chunk {
  /** Bit offset of the chunk in its operand. */
  lo: number;
  width: number;
}

/** Splits `bits` into chunks of `width` bits, least significant first (the last may be narrower). */
export function chunksOf(bits: number, width: number): Chunk[] {
  const out: Chunk[] = [];
  for (let lo = 0; lo < bits; lo += width) out.push({ lo, width: Math.min(width, bits - lo) });
  return out;
}

export interface TileTerm {
  /** Chunk index into x and y. */
  i: number;
  j: number;
  shift: number;
  /** Exact value of x_i · y_j (before any truncation to the product's width). */
  value: bigint;
}

const slice = (v: bigint, c: Chunk) => (v >> BigInt(c.lo)) & ((1n << BigInt(c.width)) - 1n);

/** Partial products of x·y on a tileX × tileY grid; Σ value·2^shift = x·y. */
export function tileTerms(x: bigint, xBits: number, y: bigint, yBits: number, tileX: number, tileY: number): TileTerm[] {
  const terms: TileTerm[] = [];
  chunksOf(xBits, tileX).forEach((cx, i) =>
    chunksOf(yBits, tileY).forEach((cy, j) => {
      terms.push({ i, j, shift: cx.lo + cy.lo, value: slice(x, cx) * slice(y, cy) });
    }),
  );
  return terms;
}

export interface SignedDigit {
  shift: number;
  sign: 1 | -1;
}

/** Canonical signed-digit (non-adjacent) form of c ≥ 0: Σ sign·2^shift = c, fewest non-zero digits. */
export function csdDigits(c: bigint): SignedDigit[] {
  const digits: SignedDigit[] = [];
  let v = c;
  let shift = 0;
  while (v > 0n) {
    if (v & 1n) {
      // v ≡ 3 (mod 4): take −1 so the next bits become a run of zeros.
      const sign: 1 | -1 = (v & 3n) === 3n ? -1 : 1;
      digits.push({ shift, sign });
      v -= BigInt(sign);
    }
    v >>= 1n;
    shift++;
  }
  return digits;
}
