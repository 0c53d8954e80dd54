// Lemmas about the REDC stages of a fixed-prime Montgomery multiplier (src/gen/montmul.ts):
//
//   T = a·b ≤ (p−1)²,  T_lo = T mod R,  T_hi = T div R,  R = 2^k
//   m   = T_lo·p′ mod R
//   u   = (T + m·p)/R                      exact: T_lo + m·p ≡ 0 (mod R)
//   out = u ≥ p ? u − p : u
//
// The hardware forms u either as T_hi + ⌊m·p/R⌋ + [T_lo ≠ 0] (full mode) or as the top of a
// truncated adder tree over some of the m·p tiles (band mode, BandDescription). Each lemma is a
// ∀-statement whose negation goes to z3 (src/prove/z3.ts) over the integers; constants the RTL
// bakes in (p′, p) come from the design so that a wrong constant shows up as a failed lemma.
//
// Where the lemmas use which p: the hardware expressions (m = T_lo·p′, m·p, the final
// subtraction) use the RTL's constants rtlPPrime/rtlP; the claims (T ≤ (p−1)², u < 2p,
// u·R ≡ T (mod p), out < p) use the true p. In every lemma u is ⌊(T + m·p)/R⌋, so that a design
// whose division is not exact fails redc.m, redc.carry/redc.band and redc.congruence rather than
// passing vacuously.
//
// A model z3 returns is re-evaluated in BigInt (redcEval) before it is reported, so a failure
// always names a T (or T_lo) for which the claim is false with the design's constants. T ranges
// over [0, (p−1)²], which includes values that are not a product of two canonical inputs.
//
// Band mode, measured with the 26×17 grid of gridBand (constant 2^(k−1), tiles kept when
// shift + 43 > g, truncated below g): the largest g for which redc.band holds is 248 for bn254
// (k = 254; z3 proves it in 0.5 s) and 374 for bls12-381 (k = 381; 0.9 s). One bit more fails:
// for bn254 g = 249 z3 finds a counterexample in about 100 s (longer than the default timeout),
// for bls12-381 g = 375 z3 gives no answer within 590 s, a counterexample exists (found by
// maximising each m chunk's truncation error separately). z3 proves fast and refutes slowly here:
// near the boundary the false cases are rare.
import { LemmaFailure, type Lemma } from './lemma.ts';
import { proveUnsat, type Counterexample, type Query, type IntTerm, type Z3Options } from './z3.ts';

export interface RedcDesign {
  p: bigint;
  k: number;
  W: number;
  pPrime: bigint;
  /** The constant the RTL uses for p′ (mutations change it); defaults to pPrime. */
  rtlPPrime?: bigint;
  /** The constant the RTL uses for p in m·p and in the final subtraction; defaults to p. */
  rtlP?: bigint;
  band?: BandDescription;
  /** Width of the u register in the RTL (W + 1 today). */
  uBits: number;
}

/**
 * The m·p product of band mode: which tiles the tree keeps and which bits of each.
 * root = Σ_terms frag·2^(shift + fragLo) + T_lo[tLo.hi : tLo.lo]·2^tLo.lo + T_hi·2^k + constant,
 * u = ⌊root / 2^k⌋, frag = ⌊chunk·c / 2^fragLo⌋ mod 2^(fragHi − fragLo + 1).
 */
export interface BandDescription {
  /** Bit slices of m, m = Σ chunk_i·2^lo_i; must tile bits [0, k) in order. */
  mChunks: { lo: number; width: number }[];
  /** One kept tile each: m chunk `chunk` times constant c, weight 2^shift, bits [fragHi:fragLo] kept. */
  terms: { chunk: number; c: bigint; shift: number; fragLo: number; fragHi: number }[];
  /** The bits of T_lo that enter the tree (none when absent). */
  tLo?: { lo: number; hi: number };
  /** Rounding constant added at the root. */
  constant: bigint;
}

export type RedcOptions = Z3Options;

const pow2 = (n: number) => 1n << BigInt(n);
const bitlen = (v: bigint) => (v === 0n ? 0 : v.toString(2).length);

/** Hex for statements and details: long constants keep their first and last 4 digits. */
export function shortHex(v: bigint): string {
  if (v < 0n) return `−${shortHex(-v)}`;
  const h = v.toString(16);
  return h.length <= 16 ? `0x${h}` : `0x${h.slice(0, 4)}…${h.slice(-4)}`;
}

/** A power of two as 2^n, anything else as short hex. */
function num(v: bigint): string {
  if (v > 256n && (v & (v - 1n)) === 0n) return `2^${bitlen(v) - 1}`;
  return shortHex(v);
}

function describe(cex: Counterexample): string {
  return Object.entries(cex)
    .map(([k, v]) => `${k} = ${v < 1024n ? v.toString() : `0x${v.toString(16)}`}`)
    .join(', ');
}

function constants(d: RedcDesign) {
  const k = d.k;
  const R = pow2(k);
  const pr = d.rtlP ?? d.p;
  const pp = d.rtlPPrime ?? d.pPrime;
  if (d.p <= 2n || d.p % 2n === 0n) throw new Error(`redc: p = ${shortHex(d.p)} must be an odd prime`);
  if (d.p >= R) throw new Error(`redc: R = 2^${k} must exceed p`);
  return { k, R, pr, pp, Tmax: (d.p - 1n) * (d.p - 1n) };
}

/**
 * The shared front of the T-lemmas: T ≤ (p−1)², T = T_hi·R + T_lo, m = T_lo·p′ mod R, and
 * uExact = ⌊(T + m·p)/R⌋ with its remainder.
 */
function redcFront(q: Query, d: RedcDesign) {
  const { k, R, pr, pp, Tmax } = constants(d);
  const T = q.int('T', 0n, Tmax + 1n);
  const tHi = q.int('T_hi', 0n, Tmax / R + 1n, false);
  const tLo = q.int('T_lo', 0n, R, false);
  q.add(T.eq(tHi.mul(q.val(R)).add(tLo)));
  const [, m] = q.divMod(tLo.mul(q.val(pp)), R, 'm', pp + 1n);
  q.show('m', m);
  const [u, rem] = q.divMod(T.add(m.mul(q.val(pr))), R, 'u', (Tmax + (R - 1n) * pr) / R + 1n);
  return { k, R, pr, pp, Tmax, T, tHi, tLo, m, u, rem };
}

/**
 * Every value of the REDC stages for one T, in BigInt, with the design's (RTL) constants:
 * u = ⌊(T + m·p)/R⌋ and its remainder, the full-mode u and, with a band, the band's root and u.
 */
export function redcEval(d: RedcDesign, T: bigint) {
  const { k, R, pr, pp } = constants(d);
  const tLo = T % R;
  const tHi = T / R;
  const m = (tLo * pp) % R;
  const sum = T + m * pr;
  const uFull = tHi + (m * pr) / R + (tLo === 0n ? 0n : 1n);
  let root: bigint | undefined;
  if (d.band) {
    const b = d.band;
    const chunk = b.mChunks.map((c) => (m >> BigInt(c.lo)) & (pow2(c.width) - 1n));
    root = tHi * R + b.constant;
    for (const t of b.terms) {
      const frag = ((chunk[t.chunk]! * t.c) >> BigInt(t.fragLo)) & (pow2(t.fragHi - t.fragLo + 1) - 1n);
      root += frag << BigInt(t.shift + t.fragLo);
    }
    if (b.tLo) root += ((tLo >> BigInt(b.tLo.lo)) & (pow2(b.tLo.hi - b.tLo.lo + 1) - 1n)) << BigInt(b.tLo.lo);
  }
  return { T, tLo, tHi, m, u: sum / R, rem: sum % R, uFull, root, uBand: root === undefined ? undefined : root >> BigInt(k) };
}

/**
 * Runs a query; a model becomes a LemmaFailure, after `confirm` has re-checked it in BigInt (a
 * model that BigInt does not reproduce is a bug in the encoding, not a verdict, and throws).
 */
export async function z3Check(name: string, opts: RedcOptions, build: (q: Query) => void, confirm: (cex: Counterexample) => boolean): Promise<void> {
  const cex = await proveUnsat(build, opts);
  if (!cex) return;
  if (!confirm(cex)) throw new Error(`${name}: z3 model not reproduced by BigInt evaluation: ${describe(cex)}`);
  throw new LemmaFailure(`${name}: counterexample ${describe(cex)}`);
}

function bandShape(d: RedcDesign, band: BandDescription): string | undefined {
  let at = 0;
  for (const [i, c] of band.mChunks.entries()) {
    if (c.lo !== at || c.width <= 0) return `m chunk ${i} is bits [${c.lo + c.width - 1}:${c.lo}], expected to start at bit ${at}`;
    at += c.width;
  }
  if (at < d.k) return `m chunks cover bits [${at - 1}:0], not all k = ${d.k} bits of m`;
  for (const [t, term] of band.terms.entries()) {
    if (!band.mChunks[term.chunk]) return `term ${t} uses m chunk ${term.chunk}, which does not exist`;
    if (term.fragLo < 0 || term.fragHi < term.fragLo || term.c < 0n) return `term ${t} keeps bits [${term.fragHi}:${term.fragLo}] of a tile`;
  }
  if (band.tLo && (band.tLo.lo < 0 || band.tLo.hi < band.tLo.lo || band.tLo.hi >= d.k)) {
    return `T_lo bits [${band.tLo.hi}:${band.tLo.lo}] are outside [${d.k - 1}:0]`;
  }
  return undefined;
}

export function redcLemmas(d: RedcDesign, opts: RedcOptions = {}): Lemma[] {
  const { k, R, pr, pp, Tmax } = constants(d);
  const Rs = `2^${k}`;
  const pS = `p = ${shortHex(d.p)}`;
  const lemmas: Lemma[] = [];

  lemmas.push({
    name: 'redc.pprime',
    statement: `p·p′ ≡ −1 (mod ${Rs}), ${pS}, p′ = ${shortHex(pp)}`,
    method: 'bigint',
    check() {
      const r = (d.p * pp) % R;
      if (r !== R - 1n) throw new LemmaFailure(`p·p′ mod ${Rs} = ${shortHex(r)}, expected ${shortHex(R - 1n)} (p′ = ${shortHex(pp)}, correct p′ = ${shortHex(d.pPrime)})`);
    },
  });

  lemmas.push({
    name: 'redc.m',
    statement: `∀ T_lo < ${Rs}: T_lo + (T_lo·p′ mod ${Rs})·p ≡ 0 (mod ${Rs}), p = ${shortHex(pr)}, p′ = ${shortHex(pp)}`,
    method: 'z3',
    check: () =>
      z3Check('redc.m', opts, (q) => {
        const tLo = q.int('T_lo', 0n, R);
        const [, m] = q.divMod(tLo.mul(q.val(pp)), R, 'm', pp + 1n);
        q.show('m', m);
        const lhs = q.show('T_lo + m·p', tLo.add(m.mul(q.val(pr))));
        const [, r] = q.divMod(lhs, R, 'lhs', pr + 1n);
        q.show(`(T_lo + m·p) mod ${Rs}`, r);
        q.add(r.neq(q.val(0n)));
      }, (cex) => (cex.T_lo! + ((cex.T_lo! * pp) % R) * pr) % R !== 0n),
  });

  const ev = (cex: Counterexample) => {
    if (cex.T === undefined || cex.T < 0n || cex.T > Tmax) return undefined;
    return redcEval(d, cex.T);
  };

  if (!d.band) {
    lemmas.push({
      name: 'redc.carry',
      statement: `∀ T ≤ (p−1)²: T div R + (m·p) div R + [T mod R ≠ 0] = (T + m·p)/R, R = ${Rs}, ${pS}`,
      method: 'z3',
      check: () =>
        z3Check('redc.carry', opts, (q) => {
          const f = redcFront(q, d);
          q.show('T_lo', f.tLo);
          const [mpHi] = q.divMod(f.m.mul(q.val(pr)), R, 'mp', pr + 1n);
          const flag = q.If(f.tLo.eq(q.val(0n)), q.val(0n), q.val(1n));
          const hw = q.show('T_hi + (m·p) div R + [T_lo ≠ 0]', f.tHi.add(mpHi).add(flag));
          q.show('(T + m·p) div R', f.u);
          q.show('(T + m·p) mod R', f.rem);
          // Claim: hw·R = T + m·p (exact division and equal quotient).
          q.add(hw.mul(q.val(R)).neq(f.T.add(f.m.mul(q.val(pr)))));
        }, (cex) => {
          const e = ev(cex);
          return !!e && e.uFull * R !== e.T + e.m * pr;
        }),
    });
  } else {
    const band = d.band;
    const nTerms = band.terms.length;
    const tPart = band.tLo ? ` + T_lo[${band.tLo.hi}:${band.tLo.lo}]·2^${band.tLo.lo}` : '';
    lemmas.push({
      name: 'redc.band',
      statement: `∀ T ≤ (p−1)²: ⌊(Σ ${nTerms} tile fragments of m·p${tPart} + T_hi·${Rs} + ${num(band.constant)}) / ${Rs}⌋ = (T + m·p)/R, ${band.mChunks.length} m chunks, ${pS}`,
      method: 'z3',
      check: async () => {
        const bad = bandShape(d, band);
        if (bad) throw new LemmaFailure(`redc.band: malformed band: ${bad}`);
        await z3Check('redc.band', opts, (q) => {
          const f = redcFront(q, d);
          q.show('T_lo', f.tLo);
          const chunks = band.mChunks.map((c, i) => q.int(`m${i}`, 0n, pow2(c.width), false));
          q.add(f.m.eq(q.sum(chunks.map((c, i) => c.mul(q.val(pow2(band.mChunks[i]!.lo)))))));
          const parts: IntTerm[] = [];
          for (const [t, term] of band.terms.entries()) {
            const chunk = chunks[term.chunk]!;
            const prodMax = (pow2(band.mChunks[term.chunk]!.width) - 1n) * term.c;
            const fragBits = term.fragHi - term.fragLo + 1;
            const prod = chunk.mul(q.val(term.c));
            // prod = above·2^(fragHi+1) + frag·2^fragLo + below
            const frag = q.int(`frag${t}`, 0n, pow2(fragBits), false);
            const below = q.int(`frag${t}_lo`, 0n, pow2(term.fragLo), false);
            let rest = frag.mul(q.val(pow2(term.fragLo))).add(below);
            if (prodMax >= pow2(term.fragHi + 1)) {
              const above = q.int(`frag${t}_hi`, 0n, prodMax / pow2(term.fragHi + 1) + 1n, false);
              rest = rest.add(above.mul(q.val(pow2(term.fragHi + 1))));
            }
            q.add(prod.eq(rest));
            parts.push(frag.mul(q.val(pow2(term.shift + term.fragLo))));
          }
          if (band.tLo) {
            const { lo, hi } = band.tLo;
            const bits = q.int('T_lo_band', 0n, pow2(hi - lo + 1), false);
            const below = q.int('T_lo_below', 0n, pow2(lo), false);
            let rest = bits.mul(q.val(pow2(lo))).add(below);
            if (hi + 1 < k) rest = rest.add(q.int('T_lo_above', 0n, pow2(k - hi - 1), false).mul(q.val(pow2(hi + 1))));
            q.add(f.tLo.eq(rest));
            parts.push(bits.mul(q.val(pow2(lo))));
          }
          parts.push(f.tHi.mul(q.val(R)), q.val(band.constant));
          const root = q.show('root', q.sum(parts));
          const [uBand] = q.divMod(root, R, 'root', undefined);
          q.show('⌊root/R⌋', uBand);
          q.show('(T + m·p) div R', f.u);
          q.show('(T + m·p) mod R', f.rem);
          q.add(uBand.mul(q.val(R)).neq(f.T.add(f.m.mul(q.val(pr)))));
        }, (cex) => {
          const e = ev(cex);
          return !!e && e.uBand! * R !== e.T + e.m * pr;
        });
      },
    });
  }

  const uLimit = pow2(d.uBits);
  lemmas.push({
    name: 'redc.bound',
    statement: `∀ T ≤ (p−1)²: u = ⌊(T + m·p)/R⌋ < 2p and u < 2^${d.uBits} (u register), R = ${Rs}, ${pS}`,
    method: 'z3',
    check: () =>
      z3Check('redc.bound', opts, (q) => {
        const f = redcFront(q, d);
        q.show('u', f.u);
        q.add(q.Or(f.u.ge(q.val(2n * d.p)), f.u.ge(q.val(uLimit))));
      }, (cex) => {
        const e = ev(cex);
        return !!e && (e.u >= 2n * d.p || e.u >= uLimit);
      }),
  });

  lemmas.push({
    name: 'redc.congruence',
    statement: `∀ T ≤ (p−1)²: u·R ≡ T (mod p), u = ⌊(T + m·p)/R⌋, R = ${Rs}, ${pS}`,
    method: 'z3',
    check: () =>
      z3Check('redc.congruence', opts, (q) => {
        const f = redcFront(q, d);
        q.show('u', f.u);
        const diff = f.u.mul(q.val(R)).sub(f.T);
        const [, r] = q.divMod(diff, d.p, 'cong');
        q.show('(u·R − T) mod p', r);
        q.add(r.neq(q.val(0n)));
      }, (cex) => {
        const e = ev(cex);
        return !!e && (((e.u * R - e.T) % d.p) + d.p) % d.p !== 0n;
      }),
  });

  lemmas.push({
    name: 'final.sub',
    statement: `∀ u < 2p: out = (u ≥ p ? u − p : u) < p and out ≡ u (mod p), ${pS}`,
    method: 'z3',
    check: () =>
      z3Check('final.sub', opts, (q) => {
        const u = q.int('u', 0n, 2n * d.p);
        const P = q.val(pr);
        const out = q.show('out', q.If(u.ge(P), u.sub(P), u));
        const [, r] = q.divMod(u.sub(out), d.p, 'sub');
        q.add(q.Or(out.ge(q.val(d.p)), out.lt(q.val(0n)), r.neq(q.val(0n))));
      }, (cex) => {
        const u = cex.u!;
        const out = u >= pr ? u - pr : u;
        return u >= 0n && u < 2n * d.p && (out >= d.p || out < 0n || (((u - out) % d.p) + d.p) % d.p !== 0n);
      }),
  });

  return lemmas;
}

/**
 * The band of a tiled m·p product (for tests and experiments): m cut into mTile-bit chunks, p
 * into pTile-bit chunks; a tile is kept when its top bit reaches g (shift + mTile + pTile > g)
 * and truncated below bit g; T_lo contributes bits [k−1 : g]; the constant is 2^(k−1).
 */
export function gridBand(p: bigint, k: number, g: number, mTile = 26, pTile = 17, drop: (chunk: number, pChunk: number) => boolean = () => false): BandDescription {
  const mChunks: BandDescription['mChunks'] = [];
  for (let lo = 0; lo < k; lo += mTile) mChunks.push({ lo, width: Math.min(mTile, k - lo) });
  const terms: BandDescription['terms'] = [];
  const W = bitlen(p);
  for (const [i, mc] of mChunks.entries()) {
    for (let j = 0, plo = 0; plo < W; j++, plo += pTile) {
      const pw = Math.min(pTile, W - plo);
      const c = (p >> BigInt(plo)) & (pow2(pw) - 1n);
      const shift = mc.lo + plo;
      const top = shift + mc.width + pw; // the tile's value is below 2^top
      if (c === 0n || top <= g || drop(i, j)) continue;
      terms.push({ chunk: i, c, shift, fragLo: Math.max(0, g - shift), fragHi: mc.width + pw - 1 });
    }
  }
  return { mChunks, terms, tLo: g < k ? { lo: Math.max(0, g), hi: k - 1 } : undefined, constant: pow2(k - 1) };
}
