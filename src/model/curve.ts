// Golden model of the point adders: the curve arithmetic of a = 0 short Weierstrass curves,
// their twisted-Edwards models, and the addition formulas exactly as the `ecadd` hardware
// computes them (straight-line programs of montmul/modadd/modsub ops on Montgomery-form
// coordinates, src/model/slp.ts).
//
// Two independent layers, so one can check the other:
//   * reference: textbook affine chord-and-tangent arithmetic with inversions (naive maths),
//     used to validate curves (n·G = O) and, in the tests, beside @noble/curves;
//   * formulas: the projective/extended programs the RTL runs, with no special cases.
import { UsageError } from '../base/errors.ts';
import { isProbablePrime } from '../fields/primality.ts';
import type { CurveSpec } from '../curves/registry.ts';
import { modInverse, montgomeryField, type MontgomeryField } from './field.ts';
import { SlpBuilder, smallChainLength, type Slp } from './slp.ts';

// ---------------------------------------------------------------------------------------
// Field helpers

const mod = (a: bigint, p: bigint) => ((a % p) + p) % p;

export function modPow(b: bigint, e: bigint, p: bigint): bigint {
  let r = 1n;
  let x = mod(b, p);
  while (e > 0n) {
    if (e & 1n) r = (r * x) % p;
    x = (x * x) % p;
    e >>= 1n;
  }
  return r;
}

export function isSquare(a: bigint, p: bigint): boolean {
  const x = mod(a, p);
  return x === 0n || modPow(x, (p - 1n) / 2n, p) === 1n;
}

/** A square root of a mod p (Tonelli–Shanks), the smaller of the two; undefined for a non-square. */
export function sqrtMod(a: bigint, p: bigint): bigint | undefined {
  const x = mod(a, p);
  if (x === 0n) return 0n;
  if (!isSquare(x, p)) return undefined;
  let q = p - 1n;
  let s = 0n;
  while ((q & 1n) === 0n) {
    q >>= 1n;
    s++;
  }
  let z = 2n;
  while (isSquare(z, p)) z++;
  let m = s;
  let c = modPow(z, q, p);
  let t = modPow(x, q, p);
  let r = modPow(x, (q + 1n) / 2n, p);
  while (t !== 1n) {
    let i = 0n;
    let t2 = t;
    while (t2 !== 1n) {
      t2 = (t2 * t2) % p;
      i++;
    }
    const bb = modPow(c, 1n << (m - i - 1n), p);
    m = i;
    c = (bb * bb) % p;
    t = (t * c) % p;
    r = (r * bb) % p;
  }
  if ((r * r) % p !== x) throw new Error('internal: square root check failed');
  return r <= p - r ? r : p - r;
}

/** Is c a cube mod p (does x³ = c have a root)? */
export function isCube(c: bigint, p: bigint): boolean {
  const x = mod(c, p);
  return x === 0n || p % 3n === 2n || modPow(x, (p - 1n) / 3n, p) === 1n;
}

/** The roots of x³ = c in F_p, ascending. */
export function cubeRoots(c: bigint, p: bigint): bigint[] {
  const x = mod(c, p);
  if (x === 0n) return [0n];
  if (p % 3n === 2n) return [modPow(x, (2n * p - 1n) / 3n, p)]; // cubing is a bijection
  if (modPow(x, (p - 1n) / 3n, p) !== 1n) return [];
  // p ≡ 1 mod 3 (Adleman–Manders–Miller): p − 1 = 3^s·t with 3 ∤ t. r0 = x^(3⁻¹ mod t) has
  // r0³ = x·(x^t)^j, off by an element of the 3-Sylow subgroup, which c = z^t (z a cubic
  // non-residue) generates: search r = r0·c^e. The 3-Sylow parts of our primes are small.
  let t = p - 1n;
  let s = 0n;
  while (t % 3n === 0n) {
    t /= 3n;
    s++;
  }
  const sylow = 3n ** s;
  if (sylow > 1n << 24n) throw new UsageError(`cube roots mod p = 0x${p.toString(16)} (3^${s} divides p - 1) are not supported: the twisted-Edwards model needs one`);
  let z = 2n;
  while (modPow(z, (p - 1n) / 3n, p) === 1n) z++;
  const cc = modPow(z, t, p);
  const omega = modPow(cc, sylow / 3n, p);
  let r = modPow(x, modInverse(3n, t), p); // t is even (p − 1 is), so t ≥ 2
  for (let e = 0n; e < sylow; e++, r = (r * cc) % p) {
    if (modPow(r, 3n, p) === x) {
      const roots = [r, (r * omega) % p, (((r * omega) % p) * omega) % p];
      return [...new Set(roots)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
  }
  throw new Error(`internal: no cube root of 0x${x.toString(16)} found`);
}

// ---------------------------------------------------------------------------------------
// Reference arithmetic: affine points, textbook formulas (naive maths).

/** An affine point, or null for the point at infinity O. */
export type Affine = { x: bigint; y: bigint } | null;

export function onCurve(c: { field: { p: bigint }; b: bigint }, P: Affine): boolean {
  if (P === null) return true;
  const p = c.field.p;
  return P.x >= 0n && P.x < p && P.y >= 0n && P.y < p && mod(P.y * P.y - P.x * P.x * P.x - c.b, p) === 0n;
}

/** The same affine point (O equals only O). */
export function affineEqual(a: Affine, b: Affine): boolean {
  return a === null ? b === null : b !== null && a.x === b.x && a.y === b.y;
}

export function negAffine(c: { field: { p: bigint } }, P: Affine): Affine {
  return P === null ? null : { x: P.x, y: mod(-P.y, c.field.p) };
}

/** P + Q by chord and tangent (a = 0). */
export function addAffine(c: { field: { p: bigint } }, P: Affine, Q: Affine): Affine {
  const p = c.field.p;
  if (P === null) return Q;
  if (Q === null) return P;
  let lambda: bigint;
  if (P.x === Q.x) {
    if (mod(P.y + Q.y, p) === 0n) return null;
    lambda = mod(3n * P.x * P.x * modInverse(2n * P.y, p), p);
  } else {
    lambda = mod((Q.y - P.y) * modInverse(Q.x - P.x, p), p);
  }
  const x = mod(lambda * lambda - P.x - Q.x, p);
  return { x, y: mod(lambda * (P.x - x) - P.y, p) };
}

/** k·P by double-and-add on affine points. */
export function mulAffine(c: { field: { p: bigint } }, P: Affine, k: bigint): Affine {
  let r: Affine = null;
  let a = P;
  let e = k < 0n ? -k : k;
  while (e > 0n) {
    if (e & 1n) r = addAffine(c, r, a);
    a = addAffine(c, a, a);
    e >>= 1n;
  }
  return k < 0n ? negAffine(c, r) : r;
}

export function generator(c: CurveSpec): Affine {
  return { x: c.gx, y: c.gy };
}

/**
 * Checks what a curve must satisfy for the adder and the MSM: n prime, G on the curve,
 * n·G = O, and (when h is given) #E = h·n within the Hasse bound. Throws a UsageError
 * naming the value.
 */
export function validateCurve(c: CurveSpec): void {
  const where = `curve ${c.name} (${c.source})`;
  if (c.n < 3n || !isProbablePrime(c.n)) throw new UsageError(`${where}: n = 0x${c.n.toString(16)} is not a prime: give the prime order of the generator`);
  const G = generator(c);
  if (!onCurve(c, G)) throw new UsageError(`${where}: the generator (0x${c.gx.toString(16)}, 0x${c.gy.toString(16)}) is not on y^2 = x^3 + 0x${c.b.toString(16)}`);
  if (mulAffine(c, G, c.n) !== null) throw new UsageError(`${where}: n*G is not the point at infinity: n = 0x${c.n.toString(16)} is not the order of the generator`);
  if (c.h !== undefined) {
    // Hasse: |#E − (p + 1)| ≤ 2√p, i.e. (#E − p − 1)² ≤ 4p.
    const t = c.h * c.n - c.field.p - 1n;
    if (t * t > 4n * c.field.p) throw new UsageError(`${where}: h*n = 0x${(c.h * c.n).toString(16)} cannot be the number of points (outside the Hasse bound p + 1 ± 2√p): check h`);
  }
}

// ---------------------------------------------------------------------------------------
// Twisted-Edwards model (a = −1), where the curve has one.
//
// y² = x³ + b  →  Montgomery  B·v² = u³ + A·u² + u  →  twisted Edwards  a·x² + y² = 1 + d·x²y²
// →  scaled to a = −1. The steps (Bernstein, Birkner, Joye, Lange, Peters 2008):
//   α a root of x³ + b, s = 1/√(3α²): A = 3αs, B = s,        (u, v) = (s(x − α), s·y)
//   a_E = (A + 2)/B, d_E = (A − 2)/B,                         (x_E, y_E) = (u/v, (u − 1)/(u + 1))
//   r = √(−a_E):  −x'² + y² = 1 + d·x'²y², d = −d_E/a_E,       x' = r·x_E
// Where two roots exist the smallest is taken, so the model is the same on every machine.

export interface EdwardsModel {
  alpha: bigint;
  s: bigint;
  A: bigint;
  B: bigint;
  r: bigint;
  /** d of −x² + y² = 1 + d·x²y². */
  d: bigint;
  /**
   * k = 2d, the constant of the extended-coordinates addition (Hisil et al. 2008). For every
   * a = 0 curve A² = 3, so d = (A − 2)² is a square: the law has exceptional pairs on the
   * whole curve, none inside the subgroup of odd prime order n.
   */
  k: bigint;
}

/** The a = −1 twisted-Edwards model of the curve, or the reason there is none. */
export function edwardsModel(c: CurveSpec): EdwardsModel | string {
  const p = c.field.p;
  let roots: bigint[];
  try {
    roots = cubeRoots(-c.b, p);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  if (roots.length === 0) return `x^3 + 0x${c.b.toString(16)} has no root mod p (no point of order 2): the curve has no Montgomery or twisted-Edwards model`;
  for (const alpha of roots) {
    const sq = sqrtMod(3n * alpha * alpha, p);
    if (sq === undefined) continue;
    const s = modInverse(sq, p);
    const A = mod(3n * alpha * s, p);
    const B = s;
    const Binv = modInverse(B, p);
    const aE = mod((A + 2n) * Binv, p);
    const dE = mod((A - 2n) * Binv, p);
    if (aE === 0n || dE === 0n || aE === dE) continue;
    const r = sqrtMod(-aE, p);
    if (r === undefined) continue;
    const d = mod(-dE * modInverse(aE, p), p);
    return { alpha, s, A, B, r, d, k: mod(2n * d, p) };
  }
  return `the curve's Montgomery model needs a square root of 3*alpha^2 and of -(A+2)/B mod p, and none exists for any root alpha of x^3 + b: the curve has no a = -1 twisted-Edwards model`;
}

export function edwardsModelOrThrow(c: CurveSpec): EdwardsModel {
  const m = edwardsModel(c);
  if (typeof m === 'string') throw new UsageError(`form=edwards is not available for ${c.name}: ${m}; use form=weierstrass`);
  return m;
}

/** Affine Edwards point (x, y); the identity is (0, 1). */
export interface EdwardsAffine {
  x: bigint;
  y: bigint;
}

export function onEdwards(p: bigint, e: EdwardsModel, P: EdwardsAffine): boolean {
  const x2 = (P.x * P.x) % p;
  const y2 = (P.y * P.y) % p;
  return mod(-x2 + y2 - 1n - e.d * x2 % p * y2, p) === 0n;
}

export function toEdwards(c: CurveSpec, e: EdwardsModel, P: Affine): EdwardsAffine {
  const p = c.field.p;
  if (P === null) return { x: 0n, y: 1n };
  const u = mod(e.s * (P.x - e.alpha), p);
  const v = mod(e.s * P.y, p);
  if (v === 0n || mod(u + 1n, p) === 0n) {
    throw new Error(`point (0x${P.x.toString(16)}, 0x${P.y.toString(16)}) is exceptional for the Edwards map (v = 0 or u = -1): not in the prime-order subgroup`);
  }
  const xE = mod(u * modInverse(v, p), p);
  const yE = mod((u - 1n) * modInverse(u + 1n, p), p);
  return { x: mod(e.r * xE, p), y: yE };
}

export function fromEdwards(c: CurveSpec, e: EdwardsModel, P: EdwardsAffine): Affine {
  const p = c.field.p;
  if (P.x === 0n && P.y === 1n) return null;
  if (P.x === 0n || P.y === 1n) throw new Error(`Edwards point (0x${P.x.toString(16)}, 0x${P.y.toString(16)}) has no Weierstrass image (exceptional)`);
  const xE = mod(P.x * modInverse(e.r, p), p);
  const u = mod((1n + P.y) * modInverse(1n - P.y, p), p);
  const v = mod(u * modInverse(xE, p), p);
  const sInv = modInverse(e.s, p);
  return { x: mod(u * sInv + e.alpha, p), y: mod(v * sInv, p) };
}

// ---------------------------------------------------------------------------------------
// The adder's formulas.

export type CurveForm = 'weierstrass' | 'edwards';
export type AddMode = 'mixed' | 'full' | 'both';

/** Constant multiplications by 3b with at most this many modadds are chains, else a montmul. */
export const SMALL_CHAIN_MAX = 12;

export interface AdderFormula {
  form: CurveForm;
  mode: AddMode;
  slp: Slp;
  /** Port names of P's and Q's coordinates (Q's as they enter for full / for mixed operations). */
  pCoords: string[];
  qCoords: string[];
  outCoords: string[];
  /** What each Q port carries for a mixed operation, when the ports are shared with full ones. */
  qMixedMeaning?: string[];
  /** How the constant multiplication is built (3b for Weierstrass, 2d for Edwards). */
  constant: { name: string; value: bigint; how: string };
  reference: string;
}

/**
 * c·x in Montgomery form: a modadd chain for small c, else a montmul by c·R mod p. Returns
 * the name of the result.
 */
/** A constant small enough for a modadd chain (shift-and-add) rather than a montmul. */
const isSmallConstant = (c: bigint) => c > 1n && smallChainLength(c) <= SMALL_CHAIN_MAX;

function mulConst(s: SlpBuilder, mf: MontgomeryField, dst: string, x: string, c: bigint, constName: string): string {
  if (isSmallConstant(c)) return s.mulSmall(dst, x, c);
  if (!(constName in s.constants)) s.constant(constName, (c * mf.R) % mf.p);
  return s.mul(dst, x, constName);
}

function constHow(mf: MontgomeryField, c: bigint): string {
  return isSmallConstant(c)
    ? `shift-and-add: a chain of ${smallChainLength(c)} modadds`
    : `montmul by the constant c*R mod p = 0x${((c * mf.R) % mf.p).toString(16)}`;
}

/**
 * Renes–Costello–Batina 2015 (ePrint 2015/1060), complete projective addition for a = 0:
 * Algorithm 7 (full, 12M + 2·m_3b) and Algorithm 8 (mixed, Z2 = 1, 11M + 2·m_3b), in SSA form
 * (the paper's reassigned temporaries get fresh names). `both`: Algorithm 7 with Z2 selected
 * between the port and 1 by the operation's mode, which gives Algorithm 8's values exactly.
 */
function weierstrassFormula(c: CurveSpec, mf: MontgomeryField, mode: AddMode): AdderFormula {
  const b3 = mod(3n * c.b, mf.p);
  const one = mf.rModP;
  const pCoords = ['p_x', 'p_y', 'p_z'];
  const qCoords = mode === 'mixed' ? ['q_x', 'q_y'] : ['q_x', 'q_y', 'q_z'];
  const s = new SlpBuilder([...pCoords, ...qCoords]);
  const [X1, Y1, Z1, X2, Y2] = ['p_x', 'p_y', 'p_z', 'q_x', 'q_y'];
  const m3b = (dst: string, x: string) => mulConst(s, mf, dst, x, b3, 'c_3b');
  // The two algorithms differ up to here: what they leave is the same tail (steps 19–33 of
  // Algorithm 7, 12–26 of Algorithm 8) on t0, t1, t3 − t0 − t1, the Y-Z cross term, the X-Z
  // cross term and the value 3b multiplies (Z1 for mixed, t2 = Z1·Z2 for full).
  let t0: string, t1: string, t3b: string, t4: string, y3: string, bz: string;
  if (mode === 'mixed') {
    t0 = s.mul('t0', X1, X2);
    t1 = s.mul('t1', Y1, Y2);
    t3b = s.sub('t3b', s.mul('t3', s.add('s_xy2', X2, Y2), s.add('s_xy1', X1, Y1)), s.add('t01', t0, t1));
    t4 = s.add('t4b', s.mul('t4', Y2, Z1), Y1);
    y3 = s.add('y3b', s.mul('y3a', X2, Z1), X1);
    bz = Z1;
  } else {
    let Z2 = 'q_z';
    if (mode === 'both') Z2 = s.select('z2', 'q_z', s.constant('c_one', one));
    t0 = s.mul('t0', X1, X2);
    t1 = s.mul('t1', Y1, Y2);
    const t2 = s.mul('t2', Z1, Z2);
    t3b = s.sub('t3b', s.mul('t3', s.add('s_xy1', X1, Y1), s.add('s_xy2', X2, Y2)), s.add('t01', t0, t1));
    t4 = s.sub('t4b', s.mul('t4', s.add('s_yz1', Y1, Z1), s.add('s_yz2', Y2, Z2)), s.add('t12', t1, t2));
    y3 = s.sub('y3b', s.mul('x3a', s.add('s_xz1', X1, Z1), s.add('s_xz2', X2, Z2)), s.add('t02', t0, t2));
    bz = t2;
  }
  const t0b = s.add('t0b', s.add('t0x2', t0, t0), t0);
  const t2b = m3b('t2b', bz);
  const z3a = s.add('z3a', t1, t2b);
  const t1b = s.sub('t1b', t1, t2b);
  const y3c = m3b('y3c', y3);
  s.sub('out_x', s.mul('t2c', t3b, t1b), s.mul('x3c', t4, y3c));
  s.add('out_y', s.mul('t1c', t1b, z3a), s.mul('y3d', y3c, t0b));
  s.add('out_z', s.mul('z3b', z3a, t4), s.mul('t0c', t0b, t3b));
  return {
    form: 'weierstrass',
    mode,
    slp: s.build(['out_x', 'out_y', 'out_z']),
    pCoords,
    qCoords,
    outCoords: ['out_x', 'out_y', 'out_z'],
    qMixedMeaning: mode === 'both' ? ['x', 'y', 'ignored (Z2 = 1)'] : undefined,
    constant: { name: '3b', value: b3, how: constHow(mf, b3) },
    reference: mode === 'mixed'
      ? 'Renes, Costello, Batina 2015, Algorithm 8 (complete mixed addition, a = 0)'
      : mode === 'full'
        ? 'Renes, Costello, Batina 2015, Algorithm 7 (complete addition, a = 0)'
        : 'Renes, Costello, Batina 2015, Algorithm 7 with Z2 = 1 for mixed operations (equal to Algorithm 8)',
  };
}

/**
 * Hisil, Wong, Carter, Dawson 2008 ("add-2008-hwcd-3"), extended coordinates (X:Y:T:Z) on
 * −x² + y² = 1 + d·x²y², k = 2d:
 *   A = (Y1−X1)(Y2−X2), B = (Y1+X1)(Y2+X2), C = T1·k·T2, D = 2·Z1·Z2,
 *   E = B−A, F = D−C, G = D+C, H = B+A, X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = F·G.
 * mixed: Q precomputed as (y−x, y+x, k·x·y), Z2 = 1: 7 multiplications, two levels.
 * full: Q extended (X, Y, T, Z): k·T2 by a constant montmul first, 9 multiplications.
 * both: the full datapath, Q's ports carrying the precomputed triple for mixed operations.
 */
function edwardsFormula(c: CurveSpec, mf: MontgomeryField, mode: AddMode): AdderFormula {
  const e = edwardsModelOrThrow(c);
  const pCoords = ['p_x', 'p_y', 'p_t', 'p_z'];
  const qCoords = mode === 'mixed' ? ['q_ymx', 'q_ypx', 'q_kt'] : ['q_x', 'q_y', 'q_t', 'q_z'];
  const s = new SlpBuilder([...pCoords, ...qCoords]);
  const ymx1 = s.sub('ymx1', 'p_y', 'p_x');
  const ypx1 = s.add('ypx1', 'p_y', 'p_x');
  let qa: string, qb: string, qc: string, D: string;
  if (mode === 'mixed') {
    [qa, qb, qc] = ['q_ymx', 'q_ypx', 'q_kt'];
    D = s.add('d', 'p_z', 'p_z');
  } else {
    const ymx2 = s.sub('ymx2', 'q_y', 'q_x');
    const ypx2 = s.add('ypx2', 'q_y', 'q_x');
    const kt2 = mulConst(s, mf, 'kt2', 'q_t', e.k, 'c_k');
    if (mode === 'full') {
      [qa, qb, qc] = [ymx2, ypx2, kt2];
      const zz = s.mul('zz', 'p_z', 'q_z');
      D = s.add('d', zz, zz);
    } else {
      qa = s.select('qa', ymx2, 'q_x');
      qb = s.select('qb', ypx2, 'q_y');
      qc = s.select('qc', kt2, 'q_t');
      const zz = s.mul('zz', 'p_z', s.select('qd', 'q_z', s.constant('c_one', mf.rModP)));
      D = s.add('d', zz, zz);
    }
  }
  const A = s.mul('a', ymx1, qa);
  const B = s.mul('b', ypx1, qb);
  const C = s.mul('c', 'p_t', qc);
  const E = s.sub('e', B, A);
  const F = s.sub('f', D, C);
  const G = s.add('g', D, C);
  const H = s.add('h', B, A);
  s.mul('out_x', E, F);
  s.mul('out_y', G, H);
  s.mul('out_t', E, H);
  s.mul('out_z', F, G);
  return {
    form: 'edwards',
    mode,
    slp: s.build(['out_x', 'out_y', 'out_t', 'out_z']),
    pCoords,
    qCoords,
    outCoords: ['out_x', 'out_y', 'out_t', 'out_z'],
    qMixedMeaning: mode === 'both' ? ['y - x', 'y + x', 'k*x*y (k = 2d)', 'ignored (Z2 = 1)'] : undefined,
    constant: { name: 'k = 2d', value: e.k, how: constHow(mf, e.k) },
    reference: 'Hisil, Wong, Carter, Dawson 2008, extended twisted Edwards coordinates, a = -1 (add-2008-hwcd-3)' +
      (mode === 'mixed' ? ', Q precomputed (y-x, y+x, 2d*x*y)' : ''),
  };
}

export function adderFormula(c: CurveSpec, mf: MontgomeryField, form: CurveForm, mode: AddMode): AdderFormula {
  return form === 'weierstrass' ? weierstrassFormula(c, mf, mode) : edwardsFormula(c, mf, mode);
}

// ---------------------------------------------------------------------------------------
// Operand formats: plain affine points into the coordinates the adder's ports take (all in
// Montgomery form, x·R mod p), and results back to affine.

export function curveMontgomery(c: CurveSpec, k?: number): MontgomeryField {
  return montgomeryField(c.field.p, k);
}

const toM = (mf: MontgomeryField, x: bigint) => (mod(x, mf.p) * mf.R) % mf.p;
const fromM = (mf: MontgomeryField, x: bigint) => (x * mf.rInv) % mf.p;

/** Weierstrass projective (X:Y:Z) of an affine point, Z = 1 (O = (0:1:0)), Montgomery form. */
export function weierstrassProjective(mf: MontgomeryField, P: Affine): bigint[] {
  return P === null ? [0n, toM(mf, 1n), 0n] : [toM(mf, P.x), toM(mf, P.y), toM(mf, 1n)];
}

/** Any representative (X:Y:Z) scaled by a non-zero λ: same point, other coordinates. */
export function scaleProjective(mf: MontgomeryField, coords: bigint[], lambda: bigint): bigint[] {
  const l = toM(mf, lambda);
  return coords.map((x) => (((x * l) % mf.p) * mf.rInv) % mf.p);
}

export function weierstrassAffine(mf: MontgomeryField, coords: readonly bigint[]): Affine {
  const [X, Y, Z] = coords.map((v) => fromM(mf, v)) as [bigint, bigint, bigint];
  if (Z === 0n) return null;
  const zi = modInverse(Z, mf.p);
  return { x: (X * zi) % mf.p, y: (Y * zi) % mf.p };
}

/** Edwards extended (X:Y:T:Z) with Z = 1, Montgomery form. */
export function edwardsExtended(mf: MontgomeryField, P: EdwardsAffine): bigint[] {
  return [toM(mf, P.x), toM(mf, P.y), toM(mf, P.x * P.y), toM(mf, 1n)];
}

/** The precomputed affine operand (y − x, y + x, k·x·y) of a mixed Edwards addition. */
export function edwardsPrecomputed(mf: MontgomeryField, e: EdwardsModel, P: EdwardsAffine): bigint[] {
  return [toM(mf, P.y - P.x), toM(mf, P.y + P.x), toM(mf, e.k * P.x % mf.p * P.y)];
}

export function edwardsAffine(mf: MontgomeryField, coords: readonly bigint[]): EdwardsAffine {
  const [X, Y, , Z] = coords.map((v) => fromM(mf, v)) as [bigint, bigint, bigint, bigint];
  if (Z === 0n) throw new Error('Edwards result with Z = 0 (exceptional addition)');
  const zi = modInverse(Z, mf.p);
  return { x: (X * zi) % mf.p, y: (Y * zi) % mf.p };
}

/** In extended coordinates T·Z = X·Y: the invariant every result must keep. */
export function edwardsConsistent(mf: MontgomeryField, coords: readonly bigint[]): boolean {
  const [X, Y, T, Z] = coords.map((v) => fromM(mf, v)) as [bigint, bigint, bigint, bigint];
  return (T * Z - X * Y) % mf.p === 0n;
}
