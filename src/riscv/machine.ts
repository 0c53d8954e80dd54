// What a run of a RISC-V program is, whichever engine runs it (the TypeScript golden model
// or the generated core under Verilator): how it starts, how it stops, what it reports.
import type { TraceRow } from './trace.ts';

/** Default RAM: 16 MiB at address 0; sp starts at its top. */
export const DEFAULT_RAM_BYTES = 16 * 1024 * 1024;

/** Exit code of `zkrtl run` when the run stops on a fault (not a program exit). Documented in the README. */
export const EXIT_FAULT = 125;

export type FaultCause =
  | 'illegal-instruction'
  | 'misaligned-fetch'
  | 'misaligned-load'
  | 'misaligned-store'
  | 'fetch-outside-ram'
  | 'load-outside-ram'
  | 'store-outside-ram'
  | 'unknown-ecall'
  | 'ebreak'
  | 'max-cycles';

export type StopReason =
  | { kind: 'exit'; code: number }
  | { kind: 'fault'; cause: FaultCause; pc: number; insn: number; detail: string };

/** One line naming the cause, pc and instruction, as `zkrtl run` prints it. */
export function describeStop(s: StopReason): string {
  if (s.kind === 'exit') return `program exited with code ${s.code}`;
  const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
  return `${s.cause} at pc ${hex(s.pc)} (insn ${hex(s.insn)}): ${s.detail}`;
}

/** Architectural state at a segment boundary. memoryHash: SHA-256 (hex) of the whole RAM image. */
export interface MachineState {
  pc: number;
  regs: number[]; // 32 entries, x0 = 0
  memoryHash: string;
}

/** Segment i holds trace rows [startOrder, endOrder). */
export interface Segment {
  index: number;
  startOrder: number;
  endOrder: number;
  start: MachineState;
  end: MachineState;
  /**
   * [order, cycle] of each row that reads the cycle counter (rdcycle, rdtime and their high
   * halves), for a segment cut from a run with a clock (the RTL): the start state does not hold
   * the clock, so a replay needs these. Absent when no row reads it, or on the model alone
   * (whose cycle is its instret).
   */
  counterCycles?: Array<[number, number]>;
}

export interface RunStats {
  engine: 'model' | 'rtl';
  cycles: number; // model: one cycle per retired instruction
  instret: number;
  cpi: number;
  stalls: Record<string, number>; // stall cycles by cause (RTL); {} for the model
}

export interface RunOptions {
  ramBytes: number;
  maxCycles: number;
  /** Keep the trace rows (for --trace and the tests). */
  trace: boolean;
  /** Cut the trace into segments of this many instructions (0 = no segments). */
  segment: number;
  /** Called with the program's output as it is written (fd 1 and fd 2). */
  onOutput?: (fd: 1 | 2, bytes: Uint8Array) => void;
  /** The model: the counter reads (Zicntr) are instructions; default true (the core's zicntr=off: false). */
  zicntr?: boolean;
  /** The model: the cycle in which the row of the given order retires (rdcycle); default: the order. */
  cycleOfRow?: (order: number) => number;
}

export interface RunResult {
  stop: StopReason;
  stats: RunStats;
  trace?: TraceRow[];
  segments?: Segment[];
  stdout: Uint8Array;
  stderr: Uint8Array;
}
