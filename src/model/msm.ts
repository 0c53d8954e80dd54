// Golden model of the Pippenger MSM core: Q = Σ kᵢ·Pᵢ the way the generated hardware
// computes it, cycle for cycle, so that the RTL equals it coordinate for coordinate (same
// projective representative) and a mismatch points at one addition.
//
// The hardware (src/gen/msm.ts) has ONE pipelined point adder (ecadd, mode=both, latency L)
// and three phases per MSM:
//
//  1. Accumulation. Each scalar is cut into W = ⌊bits/c⌋ + 1 signed c-bit digits
//     d ∈ [−2^(c−1), 2^(c−1)] (a digit above 2^(c−1) becomes d − 2^c and carries one into
//     the next window), so a window has B = 2^(c−1) buckets, bucket |d| − 1, and a negative
//     digit adds −P (free for an affine point). A point's W digits are dispatched one window
//     per cycle; an addition to a bucket whose previous addition is still in the adder would
//     read a stale bucket, so such an op waits in a small in-order stall FIFO while later
//     ops go ahead (see `accumulate` for the exact rule). The FIFO head goes first whenever
//     its bucket is free; so every op issues within a bounded time and the MSM finishes for
//     every input, all scalars equal included.
//  2. Reduction. Per window Σ j·B_j by running sums, the B buckets cut into G segments of
//     m = B/G buckets so that K = W·G independent chains keep the adder busy: chain k holds
//     S (running sum) and R (sum of sums). Round r issues, for every chain, S ← S + B_j
//     (bucket j = top of the segment − r, cleared to O as it is read) and R ← R + S_old, two
//     cycles per chain; a round lasts max(2K, L + 2) cycles (idle positions when the chains
//     are too few), so every read sees the previous round's result. m + 1 rounds;
//     R = Σ (j − j₀)·B_j over the segment.
//  3. Combination: each window's Σ_g R_g + m·Σ_g g·S_g, then Horner over the windows
//     (c doublings and one addition per window), as a data-independent program of full
//     additions list-scheduled at generation time (`tailProgram`): the generator puts the
//     same program in a ROM.
//
// Timing rule shared by model and RTL: an addition issued in cycle t reads its operands in
// cycle t (synchronous RAMs), enters the adder in t + 1 and is written back at the end of
// cycle t + 1 + L, so a value written by it is readable from cycle t + L + 2 (REUSE = L + 2).
import type { CurveSpec } from '../curves/registry.ts';
import type { MontgomeryField } from './field.ts';
import { modNeg } from './field.ts';
import {
  adderFormula, curveMontgomery, edwardsAffine, edwardsModelOrThrow, edwardsPrecomputed, fromEdwards, toEdwards,
  weierstrassAffine, type Affine, type AdderFormula, type CurveForm, type EdwardsModel,
} from './curve.ts';
import { compileAdder } from './slp.ts';

export const MIN_WINDOW_BITS = 2;
export const MAX_WINDOW_BITS = 16;

/** The sizes every part of the core is built from. */
export interface MsmShape {
  /** Window bits c. */
  c: number;
  /** Bits of a scalar (bit length of the group order n). */
  scalarBits: number;
  /** W = ⌊scalarBits / c⌋ + 1 windows: the last digit never carries out. */
  windows: number;
  /** B = 2^(c−1) buckets per window. */
  buckets: number;
  /** G segments per window in the reduction, m = B / G buckets each. */
  segments: number;
  segmentLength: number;
  /** K = W·G running-sum chains. */
  chains: number;
  /** Chain positions per reduction round, max(K, ⌈REUSE/2⌉): positions ≥ K are idle cycles. */
  roundChains: number;
  /** The adder's latency L. */
  latency: number;
  /** L + 2: cycles from an issue to the first read that sees its result. */
  reuse: number;
  /** Depth of the stall FIFO. */
  fifoDepth: number;
}

export function windowCount(scalarBits: number, c: number): number {
  return Math.floor(scalarBits / c) + 1;
}

export function msmShape(o: { c: number; scalarBits: number; latency: number; fifoDepth: number }): MsmShape {
  const windows = windowCount(o.scalarBits, o.c);
  const buckets = 2 ** (o.c - 1);
  const reuse = o.latency + 2;
  // The fewest segments (a power of two) whose 2·W·G-cycle rounds cover the adder's reuse distance.
  let segments = 1;
  while (2 * windows * segments < reuse && segments < buckets) segments *= 2;
  return {
    c: o.c, scalarBits: o.scalarBits, windows, buckets, segments, segmentLength: buckets / segments,
    chains: windows * segments, roundChains: Math.max(windows * segments, Math.ceil(reuse / 2)), latency: o.latency, reuse, fifoDepth: o.fifoDepth,
  };
}

/** Cycles of the reduction phase: m + 1 rounds of 2·roundChains cycles. */
export function reductionCycles(s: MsmShape): number {
  return (s.segmentLength + 1) * 2 * s.roundChains;
}

/**
 * The signed digits of k: W of them, each in [−2^(c−1), 2^(c−1)], Σ dᵢ·2^(c·i) = k.
 * Exactly the hardware's recoding: v = (window bits) + carry; v > 2^(c−1) → d = v − 2^c, carry 1.
 */
export function signedDigits(k: bigint, c: number, windows: number): Int32Array {
  const out = new Int32Array(windows);
  const half = 2 ** (c - 1);
  const mask = (1n << BigInt(c)) - 1n;
  let carry = 0;
  let rest = k;
  for (let w = 0; w < windows; w++) {
    const v = Number(rest & mask) + carry;
    rest >>= BigInt(c);
    if (v > half) {
      out[w] = v - 2 * half;
      carry = 1;
    } else {
      out[w] = v;
      carry = 0;
    }
  }
  if (carry !== 0 || rest !== 0n) throw new Error(`scalar 0x${k.toString(16)} needs more than ${windows} windows of ${c} bits`);
  return out;
}

// ---------------------------------------------------------------------------------------
// Combination program

/** One full addition of the combination phase: slots of the operands and of the result. */
export interface TailOp {
  /** Cycle of issue, counted from the first cycle of the combination phase. */
  cycle: number;
  p: number;
  q: number;
  dst: number;
  /** What it computes, for the generated ROM's comments. */
  what: string;
}

export interface TailProgram {
  ops: TailOp[];
  /** Slot holding the MSM result when the program has run. */
  resultSlot: number;
  /** Slots the program and the reduction use: the depth of the slot RAM. */
  slots: number;
  /** Cycles of the combination phase: the result is readable at lastIssue + REUSE, read then. */
  cycles: number;
}

/** Slot of chain k's running sum S and of its sum of sums R. */
export const sumSlot = (k: number) => 2 * k;
export const sumOfSumsSlot = (k: number) => 2 * k + 1;

/**
 * The combination as a DAG of full additions over values, list-scheduled (one issue per cycle,
 * a value readable REUSE cycles after its issue, the op with the longest path to the result
 * first) and register-allocated (a slot is free once its last reader has issued: the reader
 * takes its operands in its issue cycle, long before any later write lands).
 */
export function tailProgram(s: MsmShape): TailProgram {
  interface Node { a: number; b: number; what: string }
  const nodes: Node[] = [];
  // Values 0 .. 2K−1 are the chains' S and R (value v sits in slot v when the phase starts).
  const base = 2 * s.chains;
  const value = (a: number, b: number, what: string) => { nodes.push({ a, b, what }); return base + nodes.length - 1; };
  const log2m = Math.log2(s.segmentLength);
  const windowSums: number[] = [];
  for (let w = 0; w < s.windows; w++) {
    const k0 = w * s.segments;
    if (s.segments === 1) {
      windowSums.push(sumOfSumsSlot(k0));
      continue;
    }
    // V = Σ_g g·S_g by running sums over the segments, then m·V by doublings.
    const G = s.segments;
    let u = sumSlot(k0 + G - 1);
    let v = u;
    for (let g = G - 2; g >= 1; g--) {
      u = value(u, sumSlot(k0 + g), `window ${w}: U += S[${g}]`);
      v = value(v, u, `window ${w}: V += U`);
    }
    for (let i = 0; i < log2m; i++) v = value(v, v, `window ${w}: V = 2V (${i + 1} of ${log2m})`);
    // T_w = V + Σ_g R_g, a balanced tree.
    let terms = [v, ...Array.from({ length: G }, (_, g) => sumOfSumsSlot(k0 + g))];
    while (terms.length > 1) {
      const next: number[] = [];
      for (let i = 0; i + 1 < terms.length; i += 2) next.push(value(terms[i]!, terms[i + 1]!, `window ${w}: sum`));
      if (terms.length % 2) next.push(terms[terms.length - 1]!);
      terms = next;
    }
    windowSums.push(terms[0]!);
  }
  // Horner: acc = 2^c·acc + T_w from the top window down.
  let acc = windowSums[s.windows - 1]!;
  for (let w = s.windows - 2; w >= 0; w--) {
    for (let i = 0; i < s.c; i++) acc = value(acc, acc, `Horner: 2^${i + 1}·acc before window ${w}`);
    acc = value(acc, windowSums[w]!, `Horner: acc += T[${w}]`);
  }
  const result = acc;
  const total = base + nodes.length;

  // Heights (ops on the longest path to the result), uses, and readiness of the inputs:
  // the reduction's last writes of S and R land during the phase's first cycles.
  const height = new Int32Array(total);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    const h = height[base + i]! + 1;
    for (const x of [n.a, n.b]) height[x] = Math.max(height[x]!, h);
  }
  const uses = new Int32Array(total);
  for (const n of nodes) { uses[n.a]++; if (n.b !== n.a) uses[n.b]++; }
  const ready = new Float64Array(total).fill(Infinity);
  const rounds = 2 * s.roundChains;
  const red = reductionCycles(s);
  for (let k = 0; k < s.chains; k++) {
    // S's last write: op 1 of round m − 1; R's: op 2 of round m.
    ready[sumSlot(k)] = Math.max(0, (s.segmentLength - 1) * rounds + 2 * k + s.reuse - red);
    ready[sumOfSumsSlot(k)] = Math.max(0, s.segmentLength * rounds + 2 * k + 1 + s.reuse - red);
  }
  const slotOf = new Int32Array(total).fill(-1);
  const free: number[] = [];
  let slots = base;
  for (let v = 0; v < base; v++) {
    slotOf[v] = v;
    if (uses[v] === 0 && v !== result) free.push(v);
  }
  const issued = new Uint8Array(nodes.length);
  const ops: TailOp[] = [];
  let pending = nodes.length;
  let t = 0;
  while (pending > 0) {
    let best = -1;
    let nextReady = Infinity;
    for (let i = 0; i < nodes.length; i++) {
      if (issued[i]) continue;
      const n = nodes[i]!;
      const r = Math.max(ready[n.a]!, ready[n.b]!);
      if (r <= t) {
        if (best < 0 || height[base + i]! > height[base + best]!) best = i;
      } else {
        nextReady = Math.min(nextReady, r);
      }
    }
    if (best < 0) {
      if (nextReady === Infinity) throw new Error('internal: combination program has a cycle');
      t = nextReady;
      continue;
    }
    const n = nodes[best]!;
    issued[best] = 1;
    pending--;
    for (const x of n.a === n.b ? [n.a] : [n.a, n.b]) {
      if (--uses[x] === 0 && x !== result) free.push(slotOf[x]!);
    }
    free.sort((a, b) => a - b);
    const dst = free.length ? free.shift()! : slots++;
    const v = base + best;
    slotOf[v] = dst;
    ready[v] = t + s.reuse;
    ops.push({ cycle: t, p: slotOf[n.a]!, q: slotOf[n.b]!, dst, what: n.what });
    t++;
  }
  const last = ops[ops.length - 1]!;
  return { ops, resultSlot: slotOf[result]!, slots, cycles: last.cycle + s.reuse + 1 };
}

// ---------------------------------------------------------------------------------------
// Accumulation schedule

/** One accumulation op as issued: cycle (from the first point's handshake), point, window, bucket. */
export interface AccIssue {
  cycle: number;
  point: number;
  window: number;
  bucket: number;
  negative: boolean;
}

export interface AccSchedule {
  issues: AccIssue[];
  /** Cycles of the accumulation phase: from the first point's handshake to the last write-back (+1, see accumulate). */
  cycles: number;
  /** Cycle of each point's handshake. */
  handshakes: number[];
}

/**
 * Replays the hardware's accumulation scheduler cycle for cycle. Cycle 0 is the handshake of
 * point 0; point i > 0 is offered from `gaps[i]` cycles after point i−1's handshake (and held
 * until taken). The RTL has the same registers: `nxt` (a point accepted, in_ready = !nxt),
 * `cur` (the point being dispatched, window `w`), the stall FIFO, and the in-flight list (the
 * keys issued in the last L + 1 cycles). In each cycle, from the state at its start:
 *
 *   head free (FIFO non-empty, head's bucket not in flight) → issue the head; cur's op, if its
 *        digit is non-zero, goes into the FIFO (which just lost its head), cur advances;
 *   else cur's digit is 0                                   → cur advances (nothing issues);
 *   else cur's bucket is free                               → issue cur's op, cur advances;
 *   else the FIFO has room                                  → cur's op into the FIFO, advance;
 *   else                                                    → cur waits.
 *
 * At the end of the cycle cur takes nxt if it is empty or has dispatched its last window,
 * and nxt takes the input on a handshake. The phase ends in the first cycle that starts with
 * the last point taken, nxt, cur and the FIFO empty and nothing in flight.
 */
export function accumulate(s: MsmShape, digits: readonly Int32Array[], gaps?: readonly number[]): AccSchedule {
  const N = digits.length;
  const W = s.windows;
  const B = s.buckets;
  const L1 = s.latency + 1;
  const ring = new Int32Array(L1 + 1).fill(-1);
  const busy = new Int32Array(W * B);
  let inflight = 0;
  interface Op { point: number; window: number; bucket: number; negative: boolean; key: number }
  const fifo: Op[] = [];
  let fifoHead = 0;
  let nxt = -1;
  let cur = -1;
  let curW = 0;
  let lastSeen = false;
  let nextIn = 0;
  let availAt = 0;
  const issues: AccIssue[] = [];
  const handshakes: number[] = [];
  const opOf = (point: number, w: number): Op | undefined => {
    const d = digits[point]![w]!;
    if (d === 0) return undefined;
    const bucket = Math.abs(d) - 1;
    return { point, window: w, bucket, negative: d < 0, key: w * B + bucket };
  };
  for (let t = 0; ; t++) {
    const slot = t % (L1 + 1);
    const expired = ring[slot]!;
    if (expired >= 0) { busy[expired]--; inflight--; }
    ring[slot] = -1;
    const fifoLen = fifo.length - fifoHead;
    if (lastSeen && nxt < 0 && cur < 0 && fifoLen === 0 && inflight === 0) {
      return { issues, cycles: t + 1, handshakes };
    }
    let issue: Op | undefined;
    let advance = false;
    const curOp = cur >= 0 ? opOf(cur, curW) : undefined;
    if (fifoLen > 0 && busy[fifo[fifoHead]!.key] === 0) {
      issue = fifo[fifoHead++]!;
      if (cur >= 0) {
        if (curOp) fifo.push(curOp);
        advance = true;
      }
    } else if (cur >= 0) {
      if (!curOp) advance = true;
      else if (busy[curOp.key] === 0) { issue = curOp; advance = true; }
      else if (fifoLen < s.fifoDepth) { fifo.push(curOp); advance = true; }
    }
    if (fifoHead > 1024) { fifo.splice(0, fifoHead); fifoHead = 0; }
    if (issue) {
      ring[slot] = issue.key;
      busy[issue.key]++;
      inflight++;
      issues.push({ cycle: t, point: issue.point, window: issue.window, bucket: issue.bucket, negative: issue.negative });
    }
    const inReady = nxt < 0 && !lastSeen;
    const fire = inReady && nextIn < N && t >= availAt;
    let curFree = cur < 0;
    if (advance && ++curW === W) curFree = true;
    if (curFree) {
      cur = nxt;
      curW = 0;
      if (nxt >= 0) nxt = -1;
    }
    if (fire) {
      nxt = nextIn;
      handshakes.push(t);
      lastSeen = nextIn === N - 1;
      nextIn++;
      availAt = t + 1 + (gaps?.[nextIn] ?? 0);
    }
    if (t === 0 && !fire) throw new Error('internal: point 0 must be taken in cycle 0');
  }
}

// ---------------------------------------------------------------------------------------
// Whole MSM on coordinates

export interface MsmContext {
  curve: CurveSpec;
  form: CurveForm;
  mf: MontgomeryField;
  formula: AdderFormula;
  edwards?: EdwardsModel;
  shape: MsmShape;
  tail: TailProgram;
  /**
   * The adder on plain field elements (see compileSlp: the same values as the hardware's, not
   * in Montgomery form): (P coords, Q coords (a mixed op's Q without its ignored Z), full) → result.
   */
  addPlain: (P: readonly bigint[], Q: readonly bigint[], full: boolean) => bigint[];
  /** The identity in the buckets' coordinates (projective / extended), Montgomery form. */
  identity: bigint[];
  /** Coordinates per input point (2 Weierstrass affine, 3 Edwards precomputed). */
  inputCoords: number;
}

/** The identity in the buckets' coordinates, Montgomery form: O = (0:1:0), Edwards (0:1:0:1). */
export function msmIdentity(form: CurveForm, mf: MontgomeryField): bigint[] {
  const one = mf.rModP;
  return form === 'weierstrass' ? [0n, one, 0n] : [0n, one, 0n, one];
}

export function msmContext(curve: CurveSpec, form: CurveForm, k: number, o: { c: number; latency: number; fifoDepth: number }): MsmContext {
  const mf = curveMontgomery(curve, k);
  const formula = adderFormula(curve, mf, form, 'both');
  const shape = msmShape({ c: o.c, scalarBits: curve.n.toString(2).length, latency: o.latency, fifoDepth: o.fifoDepth });
  return {
    curve, form, mf, formula,
    edwards: form === 'edwards' ? edwardsModelOrThrow(curve) : undefined,
    shape,
    tail: tailProgram(shape),
    addPlain: compileAdder(formula.slp, mf, 'plain', formula.pCoords.length),
    identity: msmIdentity(form, mf),
    inputCoords: form === 'weierstrass' ? 2 : 3,
  };
}

/** A plain affine point (not O) as the core's input port takes it, Montgomery form. */
export function msmInputPoint(ctx: MsmContext, P: Affine): bigint[] {
  if (P === null) throw new Error('the point at infinity has no affine form: leave it out of the MSM (its term is O)');
  const { mf } = ctx;
  if (ctx.form === 'weierstrass') return [(P.x * mf.R) % mf.p, (P.y * mf.R) % mf.p];
  return edwardsPrecomputed(mf, ctx.edwards!, toEdwards(ctx.curve, ctx.edwards!, P));
}

/** −P in the input format: (x, −y); Edwards precomputed (y−x, y+x, kxy) → (y+x, y−x, −kxy). */
export function negateInput(ctx: MsmContext, q: readonly bigint[]): bigint[] {
  if (ctx.form === 'weierstrass') return [q[0]!, modNeg(ctx.mf, q[1]!)];
  return [q[1]!, q[0]!, modNeg(ctx.mf, q[2]!)];
}

/** The core's result coordinates back to an affine point (null: O). */
export function msmResultAffine(ctx: MsmContext, coords: readonly bigint[]): Affine {
  if (ctx.form === 'weierstrass') return weierstrassAffine(ctx.mf, coords);
  const e = edwardsAffine(ctx.mf, coords);
  return fromEdwards(ctx.curve, ctx.edwards!, e);
}

/** One write into a bucket or slot, as the adder's result lands (for locating a mismatch). */
export interface MsmWrite {
  /** Cycle of the write-back, counted from the MSM's first handshake. */
  cycle: number;
  phase: 'accumulate' | 'reduce' | 'combine';
  /** Bucket address window·B + bucket (accumulate) or slot (reduce, combine). */
  addr: number;
  value: bigint[];
  what: string;
}

export interface MsmRun {
  result: bigint[];
  phases: { accumulate: number; reduce: number; combine: number };
  /** Additions issued in each phase. */
  additions: { accumulate: number; reduce: number; combine: number };
  acc: AccSchedule;
  writes?: MsmWrite[];
}

/**
 * A memory whose writes land at the end of a given cycle: a read in cycle t sees the writes
 * that landed before t (the timing rule at the top of this file).
 */
class DelayedRam {
  private pending: Array<{ at: number; addr: number; value: bigint[] }> = [];
  private head = 0;
  constructor(readonly cells: bigint[][]) {}
  /** Applies the writes that landed before cycle t. */
  sync(t: number): void {
    while (this.head < this.pending.length && this.pending[this.head]!.at < t) {
      const w = this.pending[this.head++]!;
      this.cells[w.addr] = w.value;
    }
    if (this.head > 4096) { this.pending.splice(0, this.head); this.head = 0; }
  }
  read(t: number, addr: number): bigint[] { this.sync(t); return this.cells[addr]!; }
  /** A write landing at the end of cycle `at` (readable from at + 1). */
  write(at: number, addr: number, value: bigint[]): void { this.pending.push({ at, addr, value }); }
  flush(): void { this.sync(Infinity); }
}

/**
 * One MSM through the model: `points` in the input format, `scalars` (any value below
 * 2^scalarBits), `gaps` the input bubbles (see accumulate); the buckets start at O, as the
 * hardware's do (cleared after reset and by every reduction). With `trace`, every
 * write-back is recorded.
 */
export function runMsm(
  ctx: MsmContext, points: readonly (readonly bigint[])[], scalars: readonly bigint[],
  o: { gaps?: readonly number[]; trace?: boolean } = {},
): MsmRun {
  const s = ctx.shape;
  if (points.length !== scalars.length || points.length === 0) throw new Error(`an MSM needs as many scalars as points, at least one (got ${scalars.length} and ${points.length})`);
  const digits = scalars.map((k) => signedDigits(k, s.c, s.windows));
  const acc = accumulate(s, digits, o.gaps);
  const writes: MsmWrite[] | undefined = o.trace ? [] : undefined;
  const L = s.latency;
  // The arithmetic runs on plain field elements (compileSlp, domain 'plain'); values enter and
  // leave in Montgomery form, as the ports and memories hold them.
  const { p, R, rInv } = ctx.mf;
  const toPlain = (v: readonly bigint[]) => v.map((x) => (x * rInv) % p);
  const toMont = (v: readonly bigint[]) => v.map((x) => (x * R) % p);
  const identity = toPlain(ctx.identity);
  const add = ctx.addPlain;

  // 1. Accumulation: each bucket op in issue order, reading the bucket memory as it is then.
  // The schedule never reads a bucket whose addition is in flight (accumulate's rule, checked
  // in test/msm-model.test.ts), so a write-back may land at once: the reads see the same values.
  const cells: bigint[][] = Array.from({ length: s.windows * s.buckets }, () => identity);
  const plainPoints = points.map(toPlain);
  const negated = plainPoints.map((q) => negateInput(ctx, q));
  const B = s.buckets;
  for (const op of acc.issues) {
    const addr = op.window * B + op.bucket;
    // Q without its Z port: a mixed operation ignores it.
    const r = add(cells[addr]!, op.negative ? negated[op.point]! : plainPoints[op.point]!, false);
    cells[addr] = r;
    writes?.push({ cycle: op.cycle + 1 + L, phase: 'accumulate', addr, value: toMont(r), what: `window ${op.window} bucket ${op.bucket} += ${op.negative ? '-' : ''}P[${op.point}]` });
  }

  // 2. Reduction: rounds of 2·roundChains cycles (cycle numbers from the phase's start, `t0`
  // before it); every bucket is read once and cleared.
  const t0 = acc.cycles;
  const slots = new DelayedRam(Array.from({ length: ctx.tail.slots }, () => identity));
  const K = s.chains;
  const m = s.segmentLength;
  let reduceAdds = 0;
  for (let r = 0; r <= m; r++) {
    for (let k = 0; k < K; k++) {
      const w = Math.floor(k / s.segments);
      const g = k % s.segments;
      const t1 = r * 2 * s.roundChains + 2 * k;
      if (r < m) {
        const j = (g + 1) * m - r; // digit magnitude: bucket j − 1
        const addr = w * s.buckets + j - 1;
        const Bj = cells[addr]!;
        const S = r === 0 ? identity : slots.read(t1, sumSlot(k));
        const res = add(S, Bj, true);
        slots.write(t1 + 1 + L, sumSlot(k), res);
        reduceAdds++;
        writes?.push({ cycle: t0 + t1 + 1 + L, phase: 'reduce', addr: sumSlot(k), value: toMont(res), what: `window ${w} segment ${g}: S += bucket ${j - 1}` });
      }
      if (r >= 1) {
        const t2 = t1 + 1;
        const Rk = r === 1 ? identity : slots.read(t2, sumOfSumsSlot(k));
        const S = slots.read(t2, sumSlot(k));
        const res = add(Rk, S, true);
        slots.write(t2 + 1 + L, sumOfSumsSlot(k), res);
        reduceAdds++;
        writes?.push({ cycle: t0 + t2 + 1 + L, phase: 'reduce', addr: sumOfSumsSlot(k), value: toMont(res), what: `window ${w} segment ${g}: R += S` });
      }
    }
  }
  const red = reductionCycles(s);

  // 3. Combination: the static program, its cycles counted from the phase's start.
  const t3 = red;
  for (const op of ctx.tail.ops) {
    const t = t3 + op.cycle;
    const P = slots.read(t, op.p);
    const Q = slots.read(t, op.q);
    const res = add(P, Q, true);
    slots.write(t + 1 + L, op.dst, res);
    writes?.push({ cycle: t0 + t + 1 + L, phase: 'combine', addr: op.dst, value: toMont(res), what: op.what });
  }
  slots.flush();
  return {
    result: toMont(slots.cells[ctx.tail.resultSlot]!),
    phases: { accumulate: acc.cycles, reduce: red, combine: ctx.tail.cycles },
    additions: { accumulate: acc.issues.length, reduce: reduceAdds, combine: ctx.tail.ops.length },
    acc,
    writes,
  };
}
