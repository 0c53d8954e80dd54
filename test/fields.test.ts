import { describe, expect, it } from 'vitest';
import { bn254 } from '@noble/curves/bn254.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { NAMED_PRIMES, customField, namedField, twoAdicity } from '../src/fields/registry.ts';
import { isProbablePrime } from '../src/fields/primality.ts';
import { UsageError } from '../src/cli/errors.ts';

describe('field registry', () => {
  it('pairing-curve fields equal @noble/curves constants', () => {
    expect(namedField('bn254.fr').p).toBe(bn254.fields.Fr.ORDER);
    expect(namedField('bn254.fp').p).toBe(bn254.fields.Fp.ORDER);
    expect(namedField('bls12_381.fr').p).toBe(bls12_381.fields.Fr.ORDER);
    expect(namedField('bls12_381.fp').p).toBe(bls12_381.fields.Fp.ORDER);
  });

  it('every named prime is prime, has its documented 2-adicity and bit length', () => {
    const bits: Record<string, number> = {
      'bn254.fr': 254, 'bn254.fp': 254, 'bls12_381.fr': 255, 'bls12_381.fp': 381, 'bls12_377.fr': 253,
      'bls12_377.fp': 377, goldilocks: 64, babybear: 31, koalabear: 31, mersenne31: 31, curve25519: 255, secp256k1: 256,
    };
    for (const f of NAMED_PRIMES) {
      expect(isProbablePrime(f.p), f.name).toBe(true);
      expect(twoAdicity(f.p), f.name).toBe(f.documentedTwoAdicity);
      expect(namedField(f.name).bits, f.name).toBe(bits[f.name]);
    }
    expect(namedField('goldilocks').p).toBe(18446744069414584321n);
    expect(namedField('babybear').p).toBe(2013265921n);
    expect(namedField('koalabear').p).toBe(2130706433n);
    expect(namedField('mersenne31').p).toBe(2147483647n);
  });

  it('custom primes: decimal or hex, named primes recognised, stable module tag', () => {
    // NIST P-256's prime, not a named field.
    const p256 = customField('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
    expect(p256.bits).toBe(256);
    expect(p256.tag).toMatch(/^p256_[0-9a-f]{8}$/);
    expect(customField('115792089210356248762697446949407573530086143415290314195533631308867097853951').tag).toBe(p256.tag);
    expect(customField('0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f').name).toBe('secp256k1');
    expect(customField('2013265921').name).toBe('babybear');
    // A 768-bit prime (generated with `openssl prime -generate -bits 768`, an independent test).
    const p768 = customField('0xEDBCBAF0A2AA61944535F448998AD86EED5660366812377CDC7B779F0E14DE5E58C2D2F6ED0A140EF1226BC20BB5CBF0DE6F2F64A72A874BB9540252E7D4148C9D6C18A4899AE5482BCC52CC7492CF88FFFC0A84DAAAE0F6EB5767018B605B53');
    expect(p768.bits).toBe(768);
    expect(customField((2n ** 607n - 1n).toString()).bits).toBe(607);
  });

  it('rejects non-primes, even numbers, too-small and malformed values with one clear line', () => {
    for (const bad of ['0x10', '1', '3', '2', '9', '0', '-7', 'abc', '0x', '12.5', (2n ** 607n + 1n).toString(), '3215031751']) {
      expect(() => customField(bad), bad).toThrow(UsageError);
    }
    expect(() => customField('91')).toThrow(/--prime 91 is not an odd prime ≥ 5/);
    expect(() => customField('0x' + 'f'.repeat(300))).toThrow(/at most 1024 bits/);
    expect(() => namedField('bn255.fr')).toThrow(/unknown field 'bn255.fr': accepted are bn254.fr/);
  });
});

describe('primality test', () => {
  it('agrees with trial division below 30000', () => {
    const naive = (n: number) => {
      if (n < 2) return false;
      for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
      return true;
    };
    for (let n = 0; n < 30000; n++) expect(isProbablePrime(BigInt(n)), String(n)).toBe(naive(n));
  });

  it('rejects strong pseudoprimes and Carmichael numbers', () => {
    // Strong pseudoprimes to bases 2..7, to the first 9 and to the first 12 prime bases.
    for (const n of [3215031751n, 3825123056546413051n, 318665857834031151167461n, 561n, 41041n, 825265n]) {
      expect(isProbablePrime(n), String(n)).toBe(false);
    }
    // A product of two large primes.
    expect(isProbablePrime(namedField('bn254.fr').p * namedField('bls12_381.fr').p)).toBe(false);
  });

  it('accepts Mersenne primes and rejects their composite neighbours', () => {
    for (const e of [31n, 61n, 89n, 107n, 127n, 521n, 607n]) expect(isProbablePrime(2n ** e - 1n), `2^${e}-1`).toBe(true);
    for (const e of [67n, 257n, 523n]) expect(isProbablePrime(2n ** e - 1n), `2^${e}-1`).toBe(false);
  });
});
