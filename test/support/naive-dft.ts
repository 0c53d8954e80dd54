// The discrete Fourier transform by its definition, O(N²): the reference the NTT models are
// held to (an independent check, nothing shared with the butterfly dataflow).
import { modPow } from '../../src/fields/primality.ts';

export function naiveDft(p: bigint, omega: bigint, x: readonly bigint[], inverse: boolean): bigint[] {
  const n = x.length;
  const w = inverse ? modPow(omega, p - 2n, p) : omega;
  const scale = inverse ? modPow(BigInt(n), p - 2n, p) : 1n;
  return x.map((_, j) => {
    let acc = 0n;
    for (let i = 0; i < n; i++) acc = (acc + x[i]! * modPow(w, BigInt(i * j), p)) % p;
    return (acc * scale) % p;
  });
}
