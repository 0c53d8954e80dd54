// Named primes a prover chip freezes into silicon, plus custom primes given on the command
// line. Every consumer takes a `FieldSpec`; nothing downstream knows whether it was named.
import { createHash } from 'node:crypto';
import { isProbablePrime } from './primality.ts';
import { UsageError } from '../base/errors.ts';

export interface FieldSpec {
  /** Registry name (`bn254.fr`) or `custom` for a --prime. */
  name: string;
  /** Verilog-safe tag used in module names: `bn254_fr`, `p254_1a2b3c4d`. */
  tag: string;
  p: bigint;
  bits: number;
  /** Largest s with 2^s | p − 1: bounds the NTT sizes the field supports. */
  twoAdicity: number;
  description: string;
  /**
   * Documented multiplicative generator of F_p* as the field's reference implementations use
   * it (arkworks, Plonky2/3, RISC Zero); roots of unity are derived from it. Absent for custom
   * primes, whose NTT takes the smallest quadratic non-residue instead.
   */
  generator?: bigint;
}

interface NamedPrime {
  name: string;
  p: bigint;
  description: string;
  /** 2-adicity as published for the field; a test checks it against p. */
  documentedTwoAdicity: number;
  generator?: bigint;
}

export const NAMED_PRIMES: readonly NamedPrime[] = [
  { name: 'bn254.fr', p: 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n, description: 'BN254 (alt_bn128) scalar field', documentedTwoAdicity: 28, generator: 5n },
  { name: 'bn254.fp', p: 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n, description: 'BN254 (alt_bn128) base field', documentedTwoAdicity: 1 },
  { name: 'bls12_381.fr', p: 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n, description: 'BLS12-381 scalar field', documentedTwoAdicity: 32, generator: 7n },
  { name: 'bls12_381.fp', p: 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn, description: 'BLS12-381 base field', documentedTwoAdicity: 1 },
  { name: 'bls12_377.fr', p: 0x12ab655e9a2ca55660b44d1e5c37b00159aa76fed00000010a11800000000001n, description: 'BLS12-377 scalar field', documentedTwoAdicity: 47, generator: 22n },
  { name: 'bls12_377.fp', p: 0x01ae3a4617c510eac63b05c06ca1493b1a22d9f300f5138f1ef3622fba094800170b5d44300000008508c00000000001n, description: 'BLS12-377 base field', documentedTwoAdicity: 46 },
  { name: 'goldilocks', p: (1n << 64n) - (1n << 32n) + 1n, description: 'Goldilocks 2^64 - 2^32 + 1 (Plonky2)', documentedTwoAdicity: 32, generator: 7n },
  { name: 'babybear', p: 15n * (1n << 27n) + 1n, description: 'BabyBear 15·2^27 + 1 (RISC Zero, SP1)', documentedTwoAdicity: 27, generator: 31n },
  { name: 'koalabear', p: (1n << 31n) - (1n << 24n) + 1n, description: 'KoalaBear 2^31 - 2^24 + 1 (Plonky3)', documentedTwoAdicity: 24, generator: 3n },
  { name: 'mersenne31', p: (1n << 31n) - 1n, description: 'Mersenne-31 2^31 - 1 (Circle STARKs)', documentedTwoAdicity: 1 },
  { name: 'curve25519', p: (1n << 255n) - 19n, description: 'Curve25519 / Ed25519 base field 2^255 - 19', documentedTwoAdicity: 2 },
  { name: 'secp256k1', p: (1n << 256n) - (1n << 32n) - 977n, description: 'secp256k1 base field 2^256 - 2^32 - 977', documentedTwoAdicity: 1 },
];

/** Largest custom prime accepted; 768-bit is the floor we promise, 1024 leaves headroom. */
export const MAX_PRIME_BITS = 1024;

export function twoAdicity(p: bigint): number {
  let s = 0;
  let x = p - 1n;
  while (x > 0n && (x & 1n) === 0n) {
    x >>= 1n;
    s++;
  }
  return s;
}

function spec(name: string, tag: string, p: bigint, description: string, generator?: bigint): FieldSpec {
  const f: FieldSpec = { name, tag, p, bits: p.toString(2).length, twoAdicity: twoAdicity(p), description };
  if (generator !== undefined) f.generator = generator;
  return f;
}

export function fieldNames(): string[] {
  return NAMED_PRIMES.map((f) => f.name);
}

export function namedField(name: string): FieldSpec {
  const f = NAMED_PRIMES.find((x) => x.name === name.toLowerCase());
  if (!f) throw new UsageError(`unknown field '${name}': accepted are ${fieldNames().join(', ')}, or --prime <odd prime>`);
  return spec(f.name, f.name.replace(/[^a-z0-9]/g, '_'), f.p, f.description, f.generator);
}

/** Parses decimal or 0x-hex text; rejects anything that is not an odd prime ≥ 5. */
export function customField(text: string): FieldSpec {
  const t = text.trim();
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) {
    throw new UsageError(`--prime '${text}' is not a number: give an odd prime ≥ 5 in decimal or 0x-hex`);
  }
  const p = BigInt(t);
  const bits = p.toString(2).length;
  if (bits > MAX_PRIME_BITS) throw new UsageError(`--prime ${t} has ${bits} bits: at most ${MAX_PRIME_BITS} bits are accepted`);
  if (p < 5n || (p & 1n) === 0n || !isProbablePrime(p)) {
    throw new UsageError(`--prime ${t} is not an odd prime ≥ 5: give an odd prime (decimal or 0x-hex)`);
  }
  const named = NAMED_PRIMES.find((f) => f.p === p);
  if (named) return namedField(named.name);
  // Module names must be stable and unique per prime: bit length plus a digest.
  const digest = createHash('sha256').update(p.toString(16)).digest('hex').slice(0, 8);
  return spec('custom', `p${bits}_${digest}`, p, `custom prime 0x${p.toString(16)}`);
}

/** `--field NAME` or `--prime P`, exactly one of them. */
export function resolveField(opts: { field?: string; prime?: string }): FieldSpec {
  if (opts.field !== undefined && opts.prime !== undefined) {
    throw new UsageError('give either --field or --prime, not both');
  }
  if (opts.prime !== undefined) return customField(opts.prime);
  if (opts.field !== undefined) return namedField(opts.field);
  throw new UsageError(`no field given: use --field (${fieldNames().join(', ')}) or --prime <odd prime>`);
}
