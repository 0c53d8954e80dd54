// A seedable PRNG for vectors, samples and harness inputs: the same seed gives the same
// values on every platform, so runs and generated designs are reproducible.
/** Small, fast, seedable PRNG (SFC32); deterministic across platforms. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 2 ** 32;
  }

  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  bits(w: number): bigint {
    let v = 0n;
    for (let i = 0; i < w; i += 32) v = (v << 32n) | BigInt(this.next());
    return BigInt.asUintN(w, v);
  }

  /** Uniform in [0, p) by rejection on bitlength(p) bits. */
  below(p: bigint): bigint {
    const w = p.toString(2).length;
    for (;;) {
      const v = this.bits(w);
      if (v < p) return v;
    }
  }
}
