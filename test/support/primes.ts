// Primes for the programmable-prime tests: registry fields as RuntimePrime, and seeded random ones.
import { namedField } from '../../src/fields/registry.ts';
import { isProbablePrime } from '../../src/fields/primality.ts';
import { Rng } from '../../src/sim/vectors.ts';
import type { RuntimePrime } from '../../src/sim/runtime-prime-sim.ts';

export const named = (name: string): RuntimePrime => ({ name, p: namedField(name).p });

/** The first prime at or above a seeded random `bits`-bit odd number. */
export function randomPrime(bits: number, seed: number): bigint {
  let p = new Rng(seed).bits(bits) | (1n << BigInt(bits - 1)) | 1n;
  while (!isProbablePrime(p)) p += 2n;
  return p;
}
