// Segments (continuations): a run's trace cut into pieces of N instructions, each with the
// machine state at its start and end, so that segments can be proven in parallel.
//
// The states are reconstructed from the trace rows alone — registers from rd writes, pc from
// pc_wdata, memory from mem_wmask/mem_wdata applied to the initial RAM image — so the same
// function serves the golden model and the generated core. replaySegment re-runs one segment
// on the model from its start state and memory; verifySegments does that for every segment
// and reports each row or end state that differs.
import { decode, memoryHash, Rv32imMachine, type MachineOptions } from '../model/rv32im.ts';
import type { MachineState, Segment, StopReason } from './machine.ts';
import { firstDifference, formatTraceRow, type TraceRow } from './trace.ts';

const hex32 = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** The state a run starts from: pc = entry, x2 = ramBytes, other registers 0. */
export function initialRegisters(ramBytes: number): number[] {
  const regs = new Array<number>(32).fill(0);
  regs[2] = ramBytes >>> 0;
  return regs;
}

/** The RAM image padded (or copied) to ramBytes bytes. */
function ramCopy(image: Uint8Array, ramBytes: number): Uint8Array {
  if (image.length > ramBytes) throw new RangeError(`image of ${image.length} bytes exceeds RAM of ${ramBytes}`);
  const mem = new Uint8Array(ramBytes);
  mem.set(image);
  return mem;
}

/** Applies one row's architectural effects (rd write, memory write) to regs and mem. */
function applyRow(row: TraceRow, regs: number[], mem: Uint8Array): void {
  if (row.rd_addr !== 0) regs[row.rd_addr] = row.rd_wdata >>> 0;
  if (row.mem_wmask !== 0) {
    for (let i = 0; i < 4; i++) {
      if (row.mem_wmask & (1 << i)) {
        const a = row.mem_addr + i;
        if (a >= mem.length) throw new Error(`trace row ${row.order}: write to ${hex32(a)} outside RAM 0x0..${hex32(mem.length)}`);
        mem[a] = (row.mem_wdata >>> (8 * i)) & 0xff;
      }
    }
  }
}

export interface SegmentsFromTraceOptions {
  /** Called at the start of each segment with a copy of the RAM image at that point. */
  onSegmentStart?: (index: number, memory: Uint8Array) => void;
  /** The cycle each row retired in (the RTL's): recorded for the rows that read it (Segment.counterCycles). */
  cycleOfRow?: (order: number) => number;
}

const CLOCK_READS = new Set(['rdcycle', 'rdtime', 'rdcycleh', 'rdtimeh']);

/** The row reads the cycle counter (its value depends on the run's timing, not on the state). */
function readsClock(row: TraceRow): boolean {
  return !row.trap && CLOCK_READS.has(decode(row.insn).name);
}

/**
 * Cuts `trace` (rows from order 0, as produced by a run from `image` at `entry`) into
 * segments of `n` rows (the last may be shorter) and reconstructs each one's start and end
 * state from the rows. Throws when the rows are not a continuous run (pc_rdata of a row is
 * not pc_wdata of the previous one, or orders skip).
 */
export function segmentsFromTrace(
  image: Uint8Array, entry: number, ramBytes: number, trace: TraceRow[], n: number, opts: SegmentsFromTraceOptions = {},
): Segment[] {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`segment size ${n}: a positive integer is needed`);
  const mem = ramCopy(image, ramBytes);
  const regs = initialRegisters(ramBytes);
  let pc = entry >>> 0;
  const state = (): MachineState => ({ pc, regs: regs.slice(), memoryHash: memoryHash(mem) });
  const segments: Segment[] = [];
  for (let s = 0; s < trace.length; s += n) {
    const index = segments.length;
    const start = state();
    opts.onSegmentStart?.(index, mem.slice());
    const end = Math.min(s + n, trace.length);
    const counterCycles: Array<[number, number]> = [];
    for (let i = s; i < end; i++) {
      const row = trace[i]!;
      if (row.order !== i) throw new Error(`trace row ${i} has order ${row.order}: rows must be numbered 0, 1, 2, …`);
      if (row.pc_rdata >>> 0 !== pc) {
        throw new Error(`trace row ${i}: pc_rdata ${hex32(row.pc_rdata)} but the previous row's pc_wdata was ${hex32(pc)}`);
      }
      applyRow(row, regs, mem);
      pc = row.pc_wdata >>> 0;
      if (opts.cycleOfRow && readsClock(row)) counterCycles.push([i, opts.cycleOfRow(i)]);
    }
    segments.push({ index, startOrder: s, endOrder: end, start, end: state(), ...(counterCycles.length ? { counterCycles } : {}) });
  }
  return segments;
}

export interface ReplayResult {
  rows: TraceRow[];
  end: MachineState;
  stop: StopReason | undefined;
}

/**
 * Runs the model from a segment's start state over `memory` (the RAM image at the segment's
 * start, not modified) for the segment's row count; its rows (numbered from startOrder) and
 * end state. The rows that read the cycle counter get the cycles the segment recorded
 * (counterCycles, cut from an RTL run), or `opts.cycleOfRow` when given (the start state does
 * not hold the clock); a core without counters, `opts.zicntr` false.
 */
export function replaySegment(segment: Segment, memory: Uint8Array, opts: Pick<MachineOptions, 'zicntr' | 'cycleOfRow'> = {}): ReplayResult {
  const recorded = segment.counterCycles ? new Map(segment.counterCycles) : undefined;
  const cycleOfRow = opts.cycleOfRow ?? (recorded ? (order: number) => recorded.get(order) ?? NaN : undefined);
  const m = Rv32imMachine.fromState(segment.start, memory, segment.startOrder, { zicntr: opts.zicntr, cycleOfRow });
  const rows: TraceRow[] = [];
  m.run(segment.endOrder - segment.startOrder, rows);
  return { rows, end: m.state(), stop: m.stop };
}

function stateDifference(a: MachineState, b: MachineState): string | undefined {
  if (a.pc >>> 0 !== b.pc >>> 0) return `pc ${hex32(a.pc)} vs ${hex32(b.pc)}`;
  for (let i = 0; i < 32; i++) {
    if ((a.regs[i]! >>> 0) !== (b.regs[i]! >>> 0)) return `x${i} ${hex32(a.regs[i]!)} vs ${hex32(b.regs[i]!)}`;
  }
  if (a.memoryHash !== b.memoryHash) return `memory hash ${a.memoryHash.slice(0, 16)}… vs ${b.memoryHash.slice(0, 16)}…`;
  return undefined;
}

/**
 * Replays every segment on the model from its recorded start state and the memory rebuilt
 * from the trace, and checks it gives the same rows and end state (opts: as replaySegment).
 * Returns one line per problem (empty when all segments hold).
 */
export function verifySegments(image: Uint8Array, entry: number, ramBytes: number, trace: TraceRow[], segments: Segment[], opts: Pick<MachineOptions, 'zicntr' | 'cycleOfRow'> = {}): string[] {
  const problems: string[] = [];
  const n = segments.length > 0 ? segments[0]!.endOrder - segments[0]!.startOrder : 1;
  // Each segment is replayed as soon as the trace walk reaches its start, so only one RAM copy lives at a time.
  const replay = (index: number, mem: Uint8Array) => {
    const seg = segments[index];
    if (!seg) return;
    if (memoryHash(mem) !== seg.start.memoryHash) problems.push(`segment ${index}: start memory does not hash to the recorded memoryHash`);
    const r = replaySegment(seg, mem, opts);
    const want = trace.slice(seg.startOrder, seg.endOrder);
    if (r.rows.length !== want.length) problems.push(`segment ${index}: replay gave ${r.rows.length} rows, the trace has ${want.length}`);
    for (let i = 0; i < Math.min(r.rows.length, want.length); i++) {
      const f = firstDifference(r.rows[i]!, want[i]!);
      if (f) {
        problems.push(`segment ${index}: row ${want[i]!.order} differs in ${f}: replay ${formatTraceRow(r.rows[i]!)} trace ${formatTraceRow(want[i]!)}`);
        break;
      }
    }
    const d = stateDifference(r.end, seg.end);
    if (d) problems.push(`segment ${index}: replay ends in a different state: ${d}`);
  };
  const rebuilt = segmentsFromTrace(image, entry, ramBytes, trace, n, { onSegmentStart: replay });
  if (rebuilt.length !== segments.length) problems.push(`${segments.length} segments recorded, ${rebuilt.length} rebuilt from the trace`);
  segments.forEach((seg, i) => {
    if (seg.index !== i) problems.push(`segment ${i} has index ${seg.index}`);
    const re = rebuilt[i];
    if (!re) return;
    if (re.startOrder !== seg.startOrder || re.endOrder !== seg.endOrder) {
      problems.push(`segment ${i}: rows [${seg.startOrder}, ${seg.endOrder}) recorded, [${re.startOrder}, ${re.endOrder}) rebuilt`);
    }
    const d0 = stateDifference(seg.start, re.start);
    if (d0) problems.push(`segment ${i}: recorded start state differs from the trace's: ${d0}`);
    const d1 = stateDifference(seg.end, re.end);
    if (d1) problems.push(`segment ${i}: recorded end state differs from the trace's: ${d1}`);
  });
  return problems;
}
