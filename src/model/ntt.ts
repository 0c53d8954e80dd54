// Golden model of the NTT core: the same roots of unity, twiddle table, memory banking,
// stage order, issue schedule and unload scaling as the generated RTL (src/gen/ntt.ts).
//
// Dataflow (radix-2 Cooley–Tukey, decimation in time, in place):
//   load     element i of the input goes to position q = bitrev(i) (input=natural) or i
//            (input=bitrev); position q lives in bank bankOf(q), word addrOf(q);
//   compute  stage s = 0 .. k−1 (half-distance h = 2^s); butterfly g = c·L + l (cycle c,
//            lane l) works on positions a = g with a 0 bit inserted at bit s, b = a + h, with
//            twiddle ω^m, m = (g mod h)·N/(2h): a' = a + ω^m·b, b' = a − ω^m·b, the product
//            by the butterflies' multiplier (a montmul with ω^m·R from the ROM, a modmul
//            with ω^m itself, or a shift multiplier with the exponent of ω^m = 2^e:
//            TwiddleMultiplier);
//            the inverse transform uses ω^−m = −ω^(N/2 − m) (m > 0) from the same table;
//   unload   beat t, lane l reads position t·L + l (output=natural) or bitrev(t·L + l), and
//            passes it through the lane's multiplier: ×1 forward, ×N⁻¹ inverse.
// Banking: 2L banks, bankOf(q) = {parity(q >> lgL), (q mod L) xor (q >> (k − lgL))},
// addrOf(q) = q >> (lgL + 1). Every cycle's 2L compute accesses, L load writes (bit-reversed
// or not) and L unload reads hit 2L different banks when N ≥ 2·L² (checked by the tests for
// every stage, not assumed).
import type { FieldSpec } from '../fields/registry.ts';
import { UsageError } from '../base/errors.ts';
import { modPow } from '../fields/primality.ts';
import type { Manifest } from '../gen/design.ts';
import { modInverse, montgomeryField, montmul } from './field.ts';
import { modmulModel, type ReduceForm } from './modmul.ts';
import { SHIFT_MAX_ORDER, exponentOf, orderOfTwo, orderText, shiftMulModel } from './shiftmul.ts';

export interface RootOfUnity {
  /** ω: a primitive N-th root of unity. */
  omega: bigint;
  /** g: the generator it comes from; ω = g^((p−1)/N) (for mult=shift g = 2 and ω = 2^(ord_p(2)/N): shiftRootOfUnity). */
  generator: bigint;
  derivation: string;
}

/**
 * ω_N = 2^(ord/N) with ord = ord_p(2), for mult=shift: 2^(ord/N) has order exactly N, so it
 * is a primitive N-th root of unity (another one than rootOfUnity's, ω_std^k for some odd k,
 * so the transform's outputs are the standard ones permuted), and every power of it is a power
 * of two. N must divide ord (a one-line UsageError names N, ord_p(2) and the N accepted).
 */
export function shiftRootOfUnity(field: FieldSpec, n: number): RootOfUnity & { order: number; step: number } {
  const order = orderOfTwo(field.p);
  if (order === undefined) {
    throw new UsageError(`n=${n} with mult=shift: the twiddles must be powers of 2, and in ${field.name} ${orderText(field.p)} (mult=shift takes ord_p(2) ≤ ${SHIFT_MAX_ORDER}): give mult=montmul or mult=modmul`);
  }
  if (order % n !== 0) {
    const ok: number[] = [];
    for (let m = 8; m <= order && Math.log2(m) <= field.twoAdicity; m *= 2) if (order % m === 0) ok.push(m);
    const list = ok.length > 1 ? `${ok.slice(0, -1).join(', ')} or ${ok[ok.length - 1]}` : String(ok[0]);
    const give = ok.length ? `give n = ${list} with mult=shift, or` : 'no n is accepted with mult=shift: give';
    throw new UsageError(`n=${n} with mult=shift: the twiddles 2^(ord/n) need n to divide ord_p(2) = ${order} in ${field.name}: ${give} mult=montmul or mult=modmul for n=${n}`);
  }
  const step = order / n;
  return {
    omega: modPow(2n, BigInt(step), field.p),
    generator: 2n,
    order,
    step,
    derivation: `omega = 2^(${order}/${n}) = 2^${step} mod p: 2 has order ord_p(2) = ${order}, so 2^(ord/N) is a primitive N-th root of unity whose every power is a power of two`,
  };
}

/** The ω an NTT core with this multiplier uses: 2^(ord_p(2)/N) with mult=shift, else rootOfUnity's. */
export function nttRoot(field: FieldSpec, n: number, mult: TwiddleMultiplier = { block: 'montmul' }): RootOfUnity {
  return mult.block === 'shift' ? shiftRootOfUnity(field, n) : rootOfUnity(field, n);
}

/** Smallest quadratic non-residue: g^((p−1)/2^s) then has order exactly 2^s. */
function smallestNonResidue(p: bigint): bigint {
  for (let g = 2n; ; g++) if (modPow(g, (p - 1n) / 2n, p) === p - 1n) return g;
}

/** ω_N = g^((p−1)/N) with g the field's documented generator (else the smallest non-residue). */
export function rootOfUnity(field: FieldSpec, n: number): RootOfUnity {
  const N = BigInt(n);
  if ((field.p - 1n) % N !== 0n) throw new Error(`internal: N=${n} does not divide p − 1`);
  const documented = field.generator !== undefined;
  const generator = field.generator ?? smallestNonResidue(field.p);
  const omega = modPow(generator, (field.p - 1n) / N, field.p);
  const source = documented
    ? `g = ${generator}, the documented multiplicative generator of ${field.name}`
    : `g = ${generator}, the smallest quadratic non-residue mod p`;
  return { omega, generator, derivation: `omega = g^((p-1)/${n}) mod p, ${source}` };
}

export interface NttShape {
  n: number;
  k: number; // log2 n
  lanes: number;
  lgL: number;
  input: 'natural' | 'bitrev';
  output: 'natural' | 'bitrev';
}

export const MAX_NTT_LOG2 = 24;

/** Checks n and lanes against the field and the banking rule; one-line UsageErrors. */
export function nttShape(field: FieldSpec, n: number, lanes: number, input: NttShape['input'] = 'natural', output: NttShape['output'] = 'natural'): NttShape {
  const pow2 = (x: number) => Number.isInteger(x) && x >= 1 && (x & (x - 1)) === 0;
  if (!pow2(n) || n < 8) throw new UsageError(`n=${n} is not accepted: give a power of two from 8 (2^3) to 2^${Math.min(MAX_NTT_LOG2, field.twoAdicity)}`);
  const k = Math.log2(n);
  if (k > field.twoAdicity) {
    throw new UsageError(`n=${n} (2^${k}) is beyond the 2-adicity of ${field.name} (2^${field.twoAdicity} divides p − 1): give n ≤ 2^${field.twoAdicity}`);
  }
  if (k > MAX_NTT_LOG2) throw new UsageError(`n=${n} is not accepted: at most 2^${MAX_NTT_LOG2} points`);
  if (!pow2(lanes) || lanes > n / 2) throw new UsageError(`lanes=${lanes} is not accepted: give a power of two from 1 to n/2 = ${n / 2}`);
  const lgL = Math.log2(lanes);
  if (k < 2 * lgL + 1) {
    const maxLanes = 2 ** Math.floor((k - 1) / 2);
    throw new UsageError(`lanes=${lanes} needs n ≥ 2·lanes² = ${2 * lanes * lanes} for conflict-free memory banks: give lanes ≤ ${maxLanes} for n=${n}`);
  }
  return { n, k, lanes, lgL, input, output };
}

export function bitReverse(x: number, bits: number): number {
  let r = 0;
  for (let i = 0; i < bits; i++) r = (r << 1) | ((x >>> i) & 1);
  return r;
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

export function bankOf(s: NttShape, q: number): number {
  const low = s.lgL === 0 ? 0 : (q & (s.lanes - 1)) ^ (q >>> (s.k - s.lgL));
  return (parity(q >>> s.lgL) << s.lgL) | low;
}

export function addrOf(s: NttShape, q: number): number {
  return q >>> (s.lgL + 1);
}

/** Position of input element i (stream order) in memory. */
export function loadPosition(s: NttShape, i: number): number {
  return s.input === 'natural' ? bitReverse(i, s.k) : i;
}

/** Memory position read for output element i (stream order). */
export function unloadPosition(s: NttShape, i: number): number {
  return s.output === 'natural' ? i : bitReverse(i, s.k);
}

/** The butterfly lane l runs in cycle c of stage st: positions and twiddle exponent. */
export function butterflyAt(s: NttShape, st: number, c: number, l: number): { a: number; b: number; m: number } {
  const g = c * s.lanes + l;
  const h = 1 << st;
  const a = ((g >>> st) << (st + 1)) | (g & (h - 1));
  return { a, b: a + h, m: (g & (h - 1)) << (s.k - 1 - st) };
}

/**
 * Pipeline timing of the core, in cycles (the RTL is generated from the same numbers):
 * a butterfly issued in cycle t reads memory at edge t + READ_EDGE and writes its results at
 * edge t + butterflyLatency + WRITE_EXTRA (read crossbar, butterfly input register, the
 * butterfly, the halving register, the write register); a later read sees the write only at
 * a later edge.
 */
export const READ_EDGE = 2;
export const WRITE_EXTRA = 6;
/** Output FIFO entries: an unload beat holds one from its issue until it is taken (4 cycles at full rate). */
export const NTT_FIFO_DEPTH = 8;

export interface NttSchedule {
  /** Issue cycle of the first butterfly of each stage, from the first issue of the transform. */
  stageStart: number[];
  /** Idle cycles inserted after stage s so stage s+1 reads only written data. */
  gaps: number[];
  cyclesPerStage: number;
  /** Cycles from the first to the last issue of a transform, plus one: ideal plus the gaps. */
  issueCycles: number;
  /** Cycles from the first issue to the edge the last result is written. */
  computeCycles: number;
  /** N/2 · log2 N / lanes. */
  idealCycles: number;
}

/** The static issue schedule: each stage starts as early as its data dependences allow. */
export function nttSchedule(s: NttShape, butterflyLatency: number): NttSchedule {
  const M = s.n / 2 / s.lanes;
  const minDistance = butterflyLatency + WRITE_EXTRA - READ_EDGE + 1; // issue-to-issue for a RAW pair
  const written = new Int32Array(s.n); // issue cycle of the butterfly that last wrote each position
  const stageStart: number[] = [];
  const gaps: number[] = [];
  let start = 0;
  for (let st = 0; st < s.k; st++) {
    if (st > 0) {
      let earliest = stageStart[st - 1]! + M;
      for (let c = 0; c < M; c++) {
        for (let l = 0; l < s.lanes; l++) {
          const { a, b } = butterflyAt(s, st, c, l);
          earliest = Math.max(earliest, written[a]! + minDistance - c, written[b]! + minDistance - c);
        }
      }
      gaps.push(earliest - (stageStart[st - 1]! + M));
      start = earliest;
    }
    stageStart.push(start);
    for (let c = 0; c < M; c++) {
      for (let l = 0; l < s.lanes; l++) {
        const { a, b } = butterflyAt(s, st, c, l);
        written[a] = start + c;
        written[b] = start + c;
      }
    }
  }
  gaps.push(0);
  const issueCycles = start + M;
  return {
    stageStart,
    gaps,
    cyclesPerStage: M,
    issueCycles,
    computeCycles: issueCycles - 1 + butterflyLatency + WRITE_EXTRA,
    idealCycles: (s.n / 2) * s.k / s.lanes,
  };
}

/** When the harness sees each transform's beats and done pulse (cycles from the start of reset). */
export interface NttTransformTimes {
  firstIn: number;
  lastIn: number;
  firstOut: number;
  lastOut: number;
  done: number;
}

/** Cycles with rst high before the harness offers the first beat (sim/ntt_harness.cpp). */
export const NTT_HARNESS_RESET_CYCLES = 4;

/**
 * The core's control, register for register, driven as the harness drives it back to back
 * (in_valid high from the end of reset until the last beat, out_ready always high): the
 * cycle of every transform's first and last beat in and out and of its done pulse. The
 * equivalence tests require the Verilated core to match this exactly; the benchmark's
 * figures are the harness' own counts, not these.
 */
export function nttTimeline(s: NttShape, sched: NttSchedule, butterflyLatency: number, sets: 1 | 2, transforms: number): NttTransformTimes[] {
  const FREE = 0, FULL = 1, BUSY = 2, DONE = 3;
  const beats = s.n / s.lanes;
  const M = sched.cyclesPerStage;
  const st = [FREE, FREE];
  let ld = 0, cp = 0, ul = 0, lb = 0, ub = 0;
  let issuing = false, stage = 0, group = 0, gap = 0, reserved = 0, doneR = false;
  const fifo: Array<{ visible: number; last: boolean }> = []; // entries in push order
  const writeLast: Array<{ at: number; set: number }> = []; // last write of a transform lands (end of `at`)
  const times: NttTransformTimes[] = Array.from({ length: transforms }, () => ({ firstIn: -1, lastIn: -1, firstOut: -1, lastOut: -1, done: -1 }));
  let inT = 0, inBeat = 0, outT = 0, outBeat = 0, doneT = 0;
  const other = (x: number) => (sets === 2 ? 1 - x : x);
  const limit = NTT_HARNESS_RESET_CYCLES + 64 + transforms * (2 * beats + sched.computeCycles + 64) * 2;
  for (let c = NTT_HARNESS_RESET_CYCLES; doneT < transforms; c++) {
    if (c > limit) throw new Error(`internal: NTT timeline did not finish within ${limit} cycles`);
    // Combinational view of this cycle.
    const loadFire = inT < transforms && st[ld] === FREE;
    const loadLast = loadFire && lb === beats - 1;
    const issue = issuing && gap === 0;
    const issueLast = issue && group === M - 1 && stage === s.k - 1;
    const nxt = issuing ? other(cp) : cp;
    const start = (!issuing || issueLast) && st[nxt] === FULL;
    const unloadIssue = st[ul] === DONE && reserved < NTT_FIFO_DEPTH;
    const unloadLast = unloadIssue && ub === beats - 1;
    const landed = writeLast.length > 0 && writeLast[0]!.at === c ? writeLast.shift()! : undefined;
    const head = fifo.length > 0 && fifo[0]!.visible <= c ? fifo[0] : undefined;
    const pop = head !== undefined;
    if (doneR) times[doneT++]!.done = c;
    if (loadFire) {
      const tm = times[inT]!;
      if (inBeat === 0) tm.firstIn = c;
      tm.lastIn = c;
      if (++inBeat === beats) (inBeat = 0), inT++;
    }
    if (pop) {
      const tm = times[outT]!;
      if (outBeat === 0) tm.firstOut = c;
      tm.lastOut = c;
      if (++outBeat === beats) (outBeat = 0), outT++;
      fifo.shift();
    }
    // The clock edge.
    doneR = pop && head!.last;
    if (loadFire) lb = loadLast ? 0 : lb + 1;
    if (loadLast) (st[ld] = FULL), (ld = other(ld));
    if (gap !== 0) gap--;
    if (issue) {
      group = (group + 1) % M;
      if (group === 0 && stage !== s.k - 1) (gap = sched.gaps[stage]!), stage++;
    }
    if (issueLast) writeLast.push({ at: c + butterflyLatency + 4, set: cp });
    if (start) (issuing = true), (stage = 0), (group = 0), (gap = 0), (st[nxt] = BUSY);
    else if (issueLast) issuing = false;
    if (issueLast) cp = other(cp);
    if (landed) st[landed.set] = DONE;
    if (unloadIssue) {
      fifo.push({ visible: c + 3, last: unloadLast });
      ub = unloadLast ? 0 : ub + 1;
    }
    if (unloadLast) (st[ul] = FREE), (ul = other(ul));
    reserved += (unloadIssue ? 1 : 0) - (pop ? 1 : 0);
  }
  return times;
}

/**
 * The multiplier inside the butterflies, which fixes the form the twiddle enters in:
 * a montmul takes w·R mod p (montmul(b, w·R) = b·w, so data stay plain), a modmul
 * (plain a·b mod p, reduced by the form of p) takes w itself, a shift multiplier takes the
 * exponent e of a twiddle w = 2^e (src/model/shiftmul.ts).
 */
export type TwiddleMultiplier =
  | { block: 'montmul'; k?: number }
  | { block: 'modmul'; reduce: ReduceForm; k?: number }
  | { block: 'shift' };

export type TwiddleForm = 'montgomery' | 'plain' | 'exponent';

export const twiddleFormOf = (mult: TwiddleMultiplier): TwiddleForm => ({ montmul: 'montgomery', modmul: 'plain', shift: 'exponent' } as const)[mult.block];

/**
 * The twiddle product as the butterfly's multiplier computes it, step for step:
 * `toPort` puts a plain twiddle in the form the butterfly's w port (and the NTT's ROM) holds,
 * `fromPort` takes it back, `mul(b, wPort)` = b·w mod p, `neg(wPort)` is −w in port form (the
 * NTT's inverse: p − w for a value, e + ord/2 for an exponent below ord/2, as 2^(ord/2) = −1).
 */
export function twiddleArithmetic(p: bigint, mult: TwiddleMultiplier): {
  toPort: (w: bigint) => bigint;
  fromPort: (w: bigint) => bigint;
  mul: (b: bigint, wPort: bigint) => bigint;
  neg: (wPort: bigint) => bigint;
} {
  const neg = (w: bigint) => p - w;
  if (mult.block === 'montmul') {
    const mf = montgomeryField(p, mult.k);
    return { toPort: (w) => (w * mf.R) % p, fromPort: (w) => (w * mf.rInv) % p, mul: (b, w) => montmul(mf, b, w), neg };
  }
  if (mult.block === 'shift') {
    const order = orderOfTwo(p);
    if (order === undefined || order % 2 !== 0) throw new Error(`internal: mult=shift needs an even ord_p(2) ≤ ${SHIFT_MAX_ORDER} here`);
    const half = BigInt(order / 2);
    return {
      toPort: exponentOf(p, order),
      fromPort: (e) => modPow(2n, e, p),
      mul: shiftMulModel(p),
      neg: (e) => {
        if (e >= half) throw new Error(`internal: the inverse negates ROM exponents below ord/2, not ${e}`);
        return e + half;
      },
    };
  }
  return { toPort: (w) => w, fromPort: (w) => w, mul: modmulModel(p, mult.reduce, mult.k), neg };
}

/** A butterfly as built: the kind's formulas, w·b by the multiplier's steps on w as the port takes it. */
export function butterflyOf(p: bigint, mult: TwiddleMultiplier, kind: 'ct' | 'gs'): (a: bigint, b: bigint, wPort: bigint) => [bigint, bigint] {
  const { mul } = twiddleArithmetic(p, mult);
  if (kind === 'gs') return (a, b, w) => [(a + b) % p, mul((a - b + p) % p, w)];
  return (a, b, w) => {
    const t = mul(b, w);
    return [(a + t) % p, (a - t + p) % p];
  };
}

/**
 * The multiplier of a butterfly or NTT core, from its manifest: params.mult (montmul when
 * absent), montgomery.k for a montmul, `multiplier` (reduce form, k) for a modmul.
 */
export function twiddleMultiplierOf(manifest: Manifest): TwiddleMultiplier {
  if (manifest.params.mult === 'shift') return { block: 'shift' };
  if (manifest.params.mult === 'modmul') {
    const m = manifest.multiplier as { reduce: ReduceForm; k?: number };
    return { block: 'modmul', reduce: m.reduce, ...(m.k !== undefined ? { k: m.k } : {}) };
  }
  return { block: 'montmul', k: manifest.montgomery!.k };
}

export interface NttModel {
  shape: NttShape;
  p: bigint;
  omega: bigint;
  mult: TwiddleMultiplier;
  /** twiddles[m] = ω^m, m < N/2. */
  twiddles: bigint[];
  /** The twiddle ROM as the RTL holds it: twiddles[m] in the multiplier's form (×R mod p for a montmul, the exponent for mult=shift). */
  rom: bigint[];
  nInverse: bigint;
  /** The transform as the core computes it; `inverse` includes the N⁻¹ scaling. */
  run(input: readonly bigint[], inverse: boolean): bigint[];
}

/** The core's dataflow; `mult` (default: a montmul with R = 2^bitlength(p)) as in its butterflies, ω from nttRoot. */
export function nttModel(field: FieldSpec, shape: NttShape, mult: TwiddleMultiplier = { block: 'montmul' }): NttModel {
  const p = field.p;
  const { omega } = nttRoot(field, shape.n, mult);
  const half = shape.n / 2;
  const twiddles: bigint[] = new Array(half);
  let w = 1n;
  for (let m = 0; m < half; m++) {
    twiddles[m] = w;
    w = (w * omega) % p;
  }
  const arith = twiddleArithmetic(p, mult);
  const rom = twiddles.map(arith.toPort);
  const butterfly = butterflyOf(p, mult, 'ct');
  const nInverse = modInverse(BigInt(shape.n), p);
  const lanesPerBank = shape.n / (2 * shape.lanes);
  const run = (input: readonly bigint[], inverse: boolean): bigint[] => {
    if (input.length !== shape.n) throw new Error(`internal: ${input.length} inputs for an N=${shape.n} transform`);
    // Memory as the RTL banks it.
    const banks: bigint[][] = Array.from({ length: 2 * shape.lanes }, () => new Array<bigint>(lanesPerBank).fill(0n));
    const read = (q: number) => banks[bankOf(shape, q)]![addrOf(shape, q)]!;
    const write = (q: number, v: bigint) => {
      banks[bankOf(shape, q)]![addrOf(shape, q)] = v;
    };
    for (let i = 0; i < shape.n; i++) write(loadPosition(shape, i), input[i]!);
    const M = half / shape.lanes;
    for (let st = 0; st < shape.k; st++) {
      for (let c = 0; c < M; c++) {
        for (let l = 0; l < shape.lanes; l++) {
          const { a, b, m } = butterflyAt(shape, st, c, l);
          // The ROM word as the butterfly gets it: negated for the inverse (ω^−m = −ω^(N/2−m)),
          // which commutes with ×R (p − w in either value form; e + ord/2 for an exponent).
          const q = !inverse || m === 0 ? rom[inverse ? 0 : m]! : arith.neg(rom[half - m]!);
          const [u, v] = butterfly(read(a), read(b), q);
          write(a, inverse ? halveMod(u, p) : u);
          write(b, inverse ? halveMod(v, p) : v);
        }
      }
    }
    const out: bigint[] = new Array(shape.n);
    for (let i = 0; i < shape.n; i++) out[i] = read(unloadPosition(shape, i));
    return out;
  };
  return { shape, p, omega, mult, twiddles, rom, nInverse, run };
}

/** u/2 mod p (p odd, u canonical) as the core's halving stage computes it: u even → u/2, odd → (u + p)/2. */
export function halveMod(u: bigint, p: bigint): bigint {
  return (u & 1n) === 0n ? u >> 1n : (u + p) >> 1n;
}

/** The butterflies' results (a, b, w canonical and plain; twiddleArithmetic has the multiplier's steps). */
export function butterflyCT(p: bigint, a: bigint, b: bigint, w: bigint): [bigint, bigint] {
  const t = (b * w) % p;
  return [(a + t) % p, (a - t + p) % p];
}

export function butterflyGS(p: bigint, a: bigint, b: bigint, w: bigint): [bigint, bigint] {
  return [(a + b) % p, (((a - b + p) % p) * w) % p];
}
