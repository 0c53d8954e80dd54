// Baillie–PSW primality test: a strong Fermat test to base 2 followed by a strong Lucas
// test (Selfridge's parameters). No composite is known to pass it, and it has been
// verified exhaustively below 2^64; on top of that we run Miller–Rabin to the first
// twelve prime bases, which alone is a proof of primality below 3.3·10^24.

const SMALL_PRIMES = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n];

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = ((base % mod) + mod) % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function strongFermat(n: bigint, base: bigint): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  let x = modPow(base, d, n);
  if (x === 1n || x === n - 1n) return true;
  for (let i = 1; i < s; i++) {
    x = (x * x) % n;
    if (x === n - 1n) return true;
  }
  return false;
}

function jacobi(a: bigint, n: bigint): number {
  let x = ((a % n) + n) % n;
  let y = n;
  let result = 1;
  while (x !== 0n) {
    while ((x & 1n) === 0n) {
      x >>= 1n;
      const r = y & 7n;
      if (r === 3n || r === 5n) result = -result;
    }
    [x, y] = [y, x];
    if ((x & 3n) === 3n && (y & 3n) === 3n) result = -result;
    x %= y;
  }
  return y === 1n ? result : 0;
}

function isSquare(n: bigint): boolean {
  if (n < 0n) return false;
  if (n < 2n) return true;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  // Newton iterations from a float estimate; converge to floor(sqrt(n)).
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x * x === n;
}

function strongLucas(n: bigint): boolean {
  // Selfridge method A: first D in 5, -7, 9, -11, … with Jacobi(D/n) = -1.
  let D = 5n;
  for (;;) {
    const j = jacobi(D, n);
    if (j === -1) break;
    if (j === 0 && (D < 0n ? -D : D) !== n) return false;
    D = D > 0n ? -(D + 2n) : -D + 2n;
    if (D === 13n && isSquare(n)) return false;
  }
  const P = 1n;
  const Q = (1n - D) / 4n;
  const mod = (x: bigint) => ((x % n) + n) % n;
  // x/2 mod n for odd n: make the representative even first.
  const half = (x: bigint) => {
    const y = mod(x);
    return ((y & 1n) ? y + n : y) >> 1n;
  };
  let d = n + 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  // Binary Lucas chain for U_d, V_d, Q^d.
  let U = 1n;
  let V = P;
  let Qk = mod(Q);
  const bits = d.toString(2);
  for (let i = 1; i < bits.length; i++) {
    U = mod(U * V);
    V = mod(V * V - 2n * Qk);
    Qk = mod(Qk * Qk);
    if (bits[i] === '1') {
      const U2 = half(P * U + V);
      const V2 = half(D * U + P * V);
      U = U2;
      V = V2;
      Qk = mod(Qk * Q);
    }
  }
  if (U === 0n || V === 0n) return true;
  for (let r = 1; r < s; r++) {
    V = mod(V * V - 2n * Qk);
    if (V === 0n) return true;
    Qk = mod(Qk * Qk);
  }
  return false;
}

export function isProbablePrime(n: bigint): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  for (const base of SMALL_PRIMES.slice(0, 12)) if (!strongFermat(n, base)) return false;
  return strongLucas(n);
}
