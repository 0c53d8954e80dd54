// Test vectors for two-operand field blocks: every pair of edge values, then seeded random
// operands, half uniform below p and half adversarial (sparse, dense, near 0, near p,
// near 2^(W−1)) because carries and the final conditional subtraction break on those.
import { UsageError, readUserFile } from '../base/errors.ts';

import { Rng } from '../base/rng.ts';

export { Rng };

export interface VectorContext {
  p: bigint;
  /** Montgomery exponent when the block works in Montgomery form. */
  k?: number;
}

/** Edge operands: 0, 1, 2, p−1, p−2, R mod p, R² mod p, around 2^(W−1), largest below p, … */
export function edgeValues(ctx: VectorContext): bigint[] {
  const { p } = ctx;
  const W = p.toString(2).length;
  const half = 1n << BigInt(W - 1);
  const k = ctx.k ?? W;
  const R = 1n << BigInt(k);
  const candidates = [
    0n, 1n, 2n, 3n,
    p - 1n, p - 2n, p - 3n,
    R % p, (R * R) % p, (R % p) - 1n, p - (R % p),
    half - 1n, half, half + 1n,
    (p - 1n) / 2n, (p + 1n) / 2n,
    (1n << BigInt(Math.floor(W / 2))) - 1n, 1n << BigInt(Math.floor(W / 2)),
    // Alternating bit patterns below p maximise carry activity in the adder trees.
    BigInt('0b' + '10'.repeat(W)) % half, BigInt('0b' + '01'.repeat(W)) % half,
  ];
  const seen = new Set<bigint>();
  return candidates.filter((v) => v >= 0n && v < p && !seen.has(v) && seen.add(v));
}

function adversarial(rng: Rng, p: bigint, W: number): bigint {
  switch (rng.int(6)) {
    case 0: { // sparse: a few set bits
      let v = 0n;
      for (let i = rng.int(4); i >= 0; i--) v |= 1n << BigInt(rng.int(W));
      return v % p;
    }
    case 1: { // dense: a few clear bits, reduced below p
      let v = (1n << BigInt(W)) - 1n;
      for (let i = rng.int(4); i >= 0; i--) v &= ~(1n << BigInt(rng.int(W)));
      return v % p;
    }
    case 2: return rng.bits(Math.min(W, 1 + rng.int(32))) % p; // small
    case 3: return p - 1n - (rng.bits(Math.min(W, 1 + rng.int(32))) % p); // just below p
    case 4: { // near 2^(W−1)
      const v = (1n << BigInt(W - 1)) + BigInt(rng.int(2048)) - 1024n;
      return v >= 0n && v < p ? v : rng.below(p);
    }
    default: { // long runs of ones and zeros
      let v = 0n;
      let bit = rng.int(2);
      for (let i = 0; i < W; ) {
        const run = 1 + rng.int(24);
        if (bit) v |= ((1n << BigInt(Math.min(run, W - i))) - 1n) << BigInt(i);
        i += run;
        bit ^= 1;
      }
      return v % p;
    }
  }
}

/** All edge pairs followed by `randomCount` seeded random pairs. */
export function makeVectors(ctx: VectorContext, randomCount: number, seed: number): Array<[bigint, bigint]> {
  const edges = edgeValues(ctx);
  const out: Array<[bigint, bigint]> = [];
  for (const a of edges) for (const b of edges) out.push([a, b]);
  const rng = new Rng(seed);
  const W = ctx.p.toString(2).length;
  for (let i = 0; i < randomCount; i++) {
    const pick = () => (rng.int(2) ? rng.below(ctx.p) : adversarial(rng, ctx.p, W));
    out.push([pick(), pick()]);
  }
  return out;
}

const HEX = /^(0x)?[0-9a-fA-F]+$/;

/** Reads `a b` hex pairs, one per line; blank lines and `#` comments are skipped. */
export function readVectorFile(path: string, p: bigint): Array<[bigint, bigint]> {
  const text = readUserFile(path, 'vector file');
  const out: Array<[bigint, bigint]> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const fields = line.split(/[\s,]+/);
    if (fields.length !== 2 || !fields.every((f) => HEX.test(f))) {
      throw new UsageError(`${path}:${i + 1}: '${raw.trim()}' is not an 'a b' pair of hex numbers`);
    }
    const [a, b] = fields.map((f) => BigInt(f.startsWith('0x') ? f : `0x${f}`));
    for (const v of [a, b]) {
      if (v >= p) throw new UsageError(`${path}:${i + 1}: 0x${v.toString(16)} is not below p = 0x${p.toString(16)}: operands must be canonical`);
    }
    out.push([a, b]);
  });
  if (out.length === 0) throw new UsageError(`vector file ${path} holds no 'a b' pairs`);
  return out;
}

/** One result per line, zero-padded hex ($readmemh-compatible). */
export function formatResults(values: bigint[], width: number): string {
  const digits = Math.ceil(width / 4);
  return values.map((v) => v.toString(16).padStart(digits, '0')).join('\n') + '\n';
}
