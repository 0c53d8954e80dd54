// Runs a RISC-V program on a generated rv32im core under Verilator (sim/rv32im_harness.cpp)
// and compares its retirement trace with the golden model's, row by row.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { verilogSources } from '../gen/design.ts';
import { generateRv32im, parseRv32imParams, perfCauses, stallCauseNames } from '../gen/rv32im.ts';
import { UsageError } from '../base/errors.ts';
import type { RawParams } from '../gen/params.ts';
import { DEFAULT_RAM_BYTES, type FaultCause, type RunOptions, type RunResult, type StopReason } from '../riscv/machine.ts';
import { runModel } from '../model/rv32im.ts';
import { loadElf } from '../riscv/elf.ts';
import { randomProgram } from '../riscv/random-program.ts';
import { segmentsFromTrace } from '../riscv/segments.ts';
import { buildTestPrograms } from '../riscv/toolchain.ts';
import { firstDifference, formatTraceRow, type TraceRow } from '../riscv/trace.ts';
import { REPO_ROOT, SimMismatchError, buildPipelineSim, runSimulator } from './verilator.ts';

export const RV32IM_HARNESS_PATH = join(REPO_ROOT, 'sim', 'rv32im_harness.cpp');

export interface WaitStates {
  seed: number;
  /** Probability that a port (or the environment) waits one more cycle, in [0, 1). */
  probability: number;
}

export interface RtlRunOptions extends RunOptions {
  params: RawParams;
  waitStates?: WaitStates;
  onProgress?: (s: string) => void;
  /** VCD of cycles [from, to] (inclusive) written to path. */
  wave?: { path: string; from: number; to: number };
  /** Verilog of the same top to simulate instead of the generated RTL (a gate-level netlist and its cell models). */
  files?: Record<string, string>;
}

/**
 * The core's cycle accounting (perf_stall): every cycle of the run has one cause, so
 * stats.cycles = stats.instret + the sum of stats.stalls (one entry per cause of the core,
 * src/gen/rv32im.ts PERF_CAUSES, zeros included).
 */
export interface CycleAccounting {
  /** Cycles the core counted as retirement (perf_stall code 0); equals instret when the accounting holds. */
  retire: number;
  /** Cycles with a code that is none of the core's causes (or `halted`): 0 when the accounting holds. */
  unnamed: number;
  /** Cycles where "perf_stall is 0" and rvfi_valid disagree, and the first of them (null: none). */
  mismatches: number;
  firstMismatchCycle: number | null;
}

/** RunResult plus what only the RTL knows: the cycle of each trace row. */
export interface RtlRunResult extends RunResult {
  accounting: CycleAccounting;
  /** rowCycles[i]: the cycle in which trace row i retired (only with opts.trace). */
  rowCycles?: number[];
  /** Wall-clock and CPU seconds of the simulation loop (without start-up and file output). */
  simSeconds: number;
  cpuSeconds: number;
}

/** Builds (or finds in the cache) the simulator of an rv32im configuration. */
export async function buildRv32imSim(params: RawParams, onProgress?: (s: string) => void, files?: Record<string, string>): Promise<{ binary: string; top: string }> {
  const d = generateRv32im(params);
  const binary = await buildPipelineSim({ top: d.top, files: files ?? verilogSources(d), harnessPath: RV32IM_HARNESS_PATH, onProgress });
  return { binary, top: d.top };
}

interface HarnessSummary {
  stop: { kind: 'exit'; code: number } | { kind: 'fault'; cause: FaultCause; pc: number; insn: number; detail: string };
  cycles: number;
  instret: number;
  sim_seconds: number;
  cpu_seconds: number;
  /** cause_cycles[code]: the cycles perf_stall gave that code. */
  cause_cycles: number[];
  partition_errors: number;
  first_partition_error: number;
}

const RECORD_WORDS = 18;

function decodeTrace(buf: Buffer): { rows: TraceRow[]; cycles: number[] } {
  if (buf.length % (RECORD_WORDS * 4) !== 0) throw new Error(`trace file of ${buf.length} bytes is not a whole number of records`);
  const n = buf.length / (RECORD_WORDS * 4);
  const rows: TraceRow[] = new Array(n);
  const cycles: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * RECORD_WORDS * 4;
    const w = (k: number) => buf.readUInt32LE(o + 4 * k);
    cycles[i] = w(0);
    rows[i] = {
      order: w(1),
      insn: w(2),
      trap: (w(3) & 1) !== 0,
      halt: (w(3) & 2) !== 0,
      pc_rdata: w(4),
      pc_wdata: w(5),
      rs1_addr: w(6),
      rs2_addr: w(7),
      rs1_rdata: w(8),
      rs2_rdata: w(9),
      rd_addr: w(10),
      rd_wdata: w(11),
      mem_addr: w(12),
      mem_rmask: w(13),
      mem_wmask: w(14),
      mem_rdata: w(15),
      mem_wdata: w(16),
    };
  }
  return { rows, cycles };
}

/** Runs `image` (raw bytes loaded at address 0) from `entry` on the RTL core of `opts.params`. */
export async function runOnRtl(image: Uint8Array, entry: number, opts: RtlRunOptions): Promise<RtlRunResult> {
  if (image.length > opts.ramBytes) throw new Error(`image of ${image.length} bytes does not fit in ${opts.ramBytes} bytes of RAM`);
  const { binary } = await buildRv32imSim(opts.params, opts.onProgress, opts.files);
  const dir = await mkdtemp(join(tmpdir(), 'zkrtl-rv32im-'));
  try {
    const imagePath = join(dir, 'image.bin');
    const summaryPath = join(dir, 'summary.json');
    const tracePath = join(dir, 'trace.bin');
    // The harness zero-fills the RAM: trailing zeros need not be written.
    let end = image.length;
    while (end > 0 && image[end - 1] === 0) end--;
    await writeFile(imagePath, image.subarray(0, end));
    const args = [
      '--image', imagePath, '--entry', (entry >>> 0).toString(16), '--ram', String(opts.ramBytes),
      '--summary', summaryPath, '--max-cycles', String(opts.maxCycles),
    ];
    if (opts.trace || opts.segment > 0) args.push('--trace', tracePath);
    if (opts.waitStates && opts.waitStates.probability > 0) {
      args.push('--wait-seed', String(opts.waitStates.seed), '--wait-prob', String(opts.waitStates.probability));
    }
    if (opts.wave) {
      await mkdir(dirname(resolve(opts.wave.path)), { recursive: true });
      args.push('--wave', resolve(opts.wave.path), '--wave-from', String(opts.wave.from), '--wave-to', String(opts.wave.to));
    }
    const dirs = [dir, ...(opts.wave ? [dirname(resolve(opts.wave.path))] : [])];
    const r = await runSimulator(binary, args, dirs, { onData: opts.onOutput, onProgress: opts.onProgress });
    if (r.code !== 0) {
      throw new Error(`rv32im simulator ${binary} failed (${r.code === null ? `signal ${r.signal}` : `exit ${r.code}`}): ${r.stderr.trim()}`);
    }
    const stdout = new Uint8Array(r.stdoutBytes);
    const stderr = new Uint8Array(r.stderrBytes);
    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as HarnessSummary;
    const cfg = parseRv32imParams(opts.params);
    const byName = new Map(perfCauses(cfg).map((c) => [c.name, summary.cause_cycles[c.code] ?? 0]));
    const stalls = Object.fromEntries(stallCauseNames(cfg).map((n) => [n, byName.get(n) ?? 0]));
    const retire = byName.get('retire') ?? 0;
    const named = retire + Object.values(stalls).reduce((a, b) => a + b, 0);
    const result: RtlRunResult = {
      stop: summary.stop as StopReason,
      stats: {
        engine: 'rtl',
        cycles: summary.cycles,
        instret: summary.instret,
        cpi: summary.instret ? summary.cycles / summary.instret : 0,
        stalls,
      },
      accounting: {
        retire,
        unnamed: summary.cause_cycles.reduce((a, b) => a + b, 0) - named,
        mismatches: summary.partition_errors,
        firstMismatchCycle: summary.first_partition_error < 0 ? null : summary.first_partition_error,
      },
      stdout,
      stderr,
      simSeconds: summary.sim_seconds,
      cpuSeconds: summary.cpu_seconds,
    };
    if (opts.trace || opts.segment > 0) {
      const { rows, cycles } = decodeTrace(await readFile(tracePath));
      if (opts.trace) {
        result.trace = rows;
        result.rowCycles = cycles;
      }
      // Segment boundary states come from the rows (registers, pc, memory writes).
      // (and the rows that read the cycle counter keep their retirement cycle, for a replay)
      if (opts.segment > 0) result.segments = segmentsFromTrace(image, entry, opts.ramBytes, rows, opts.segment, { cycleOfRow: (o) => cycles[o] ?? NaN });
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Why the cycles of a run are not a partition into retirement and the core's causes, or
 * undefined when cycles = instret + Σ stalls holds exactly and every cycle's code agrees with
 * rvfi_valid.
 */
export function cycleAccountingError(r: RtlRunResult): string | undefined {
  const { cycles, instret, stalls } = r.stats;
  const sum = Object.values(stalls).reduce((a, b) => a + b, 0);
  const a = r.accounting;
  if (cycles === instret + sum && a.mismatches === 0 && a.unnamed === 0) return undefined;
  return (
    `cycle accounting broken: cycles ${cycles}, instret ${instret} + causes ${sum} = ${instret + sum} ` +
    `(${Object.entries(stalls).map(([k, v]) => `${k} ${v}`).join(', ')}); retire counted in ${a.retire} cycles; ` +
    `${a.mismatches} cycle(s) where perf_stall = 0 and rvfi_valid disagree${a.firstMismatchCycle !== null ? ` (first: cycle ${a.firstMismatchCycle})` : ''}; ` +
    `${a.unnamed} cycle(s) with no named cause`
  );
}

// ---------------------------------------------------------------------------------------
// Comparison with the golden model

export interface TraceDifference {
  /** Index of the first differing row (equal to the shorter length when one trace is a prefix of the other). */
  row: number;
  field: keyof TraceRow | 'length';
  rtl: TraceRow | undefined;
  model: TraceRow | undefined;
}

/** The first row where two traces differ, or undefined when they are equal. */
export function firstTraceDifference(rtl: TraceRow[], model: TraceRow[]): TraceDifference | undefined {
  const n = Math.min(rtl.length, model.length);
  for (let i = 0; i < n; i++) {
    const f = firstDifference(rtl[i]!, model[i]!);
    if (f) return { row: i, field: f, rtl: rtl[i], model: model[i] };
  }
  if (rtl.length !== model.length) return { row: n, field: 'length', rtl: rtl[n], model: model[n] };
  return undefined;
}

const fmtField = (row: TraceRow | undefined, f: keyof TraceRow | 'length') => {
  if (!row) return '(no row)';
  if (f === 'length') return formatTraceRow(row);
  const v = row[f];
  return typeof v === 'boolean' ? String(v ? 1 : 0) : `0x${(v >>> 0).toString(16)} (${v})`;
};

export type ModelRunner = (image: Uint8Array, entry: number, opts: RunOptions) => RunResult | Promise<RunResult>;

export interface CompareOptions {
  params: RawParams;
  ramBytes: number;
  maxCycles: number;
  waitStates?: WaitStates;
  /** Where the waveform of a mismatch goes (default: a temporary folder). */
  waveDir?: string;
  /** A name for the program, used in reports and waveform names. */
  name?: string;
  onProgress?: (s: string) => void;
  /** Simulate this Verilog instead of the generated RTL (see RtlRunOptions.files). */
  files?: Record<string, string>;
}

export interface CompareResult {
  rtl: RtlRunResult;
  model: RunResult;
}

/**
 * Runs the program on the RTL and on the model (runModel from src/model/rv32im.ts) and
 * requires identical traces, stdout, stderr and stop reason (the max-cycles detail aside).
 * On the first difference throws SimMismatchError naming the row, field, both values and
 * the cycle, with a VCD of the cycles around it (path printed in the message).
 */
export async function compareWithModel(image: Uint8Array, entry: number, runModel: ModelRunner, opts: CompareOptions): Promise<CompareResult> {
  const base: RunOptions = { ramBytes: opts.ramBytes, maxCycles: opts.maxCycles, trace: true, segment: 0 };
  const rtl = await runOnRtl(image, entry, { ...base, params: opts.params, waitStates: opts.waitStates, onProgress: opts.onProgress, files: opts.files });
  // The model counts one cycle per instruction: give it the RTL's bound in instructions. Its
  // rdcycle reads the cycle each row retired in on the RTL (the model has no clock), so the
  // core's own counter is checked against the harness's count of cycles.
  const rowCycles = rtl.rowCycles ?? [];
  const model = await runModel(image, entry, {
    ...base, maxCycles: opts.maxCycles, zicntr: parseRv32imParams(opts.params).zicntr, cycleOfRow: (order) => rowCycles[order] ?? NaN,
  });
  const name = opts.name ?? 'program';
  const rtlRows = rtl.trace ?? [];
  const modelRows = model.trace ?? [];
  const diff = firstTraceDifference(rtlRows, modelRows);
  let problem: string | undefined;
  let cycle = 0;
  if (diff) {
    cycle = rtl.rowCycles?.[diff.row] ?? rtl.stats.cycles;
    problem =
      `${name}: RTL and model traces differ at row ${diff.row}, field ${diff.field} (RTL cycle ${cycle})\n` +
      `  rtl:   ${fmtField(diff.rtl, diff.field)}\n  model: ${fmtField(diff.model, diff.field)}\n` +
      `  rtl row:   ${diff.rtl ? formatTraceRow(diff.rtl) : '(none)'}\n  model row: ${diff.model ? formatTraceRow(diff.model) : '(none)'}` +
      (diff.row > 0 && rtlRows[diff.row - 1] ? `\n  previous row: ${formatTraceRow(rtlRows[diff.row - 1]!)}` : '');
  } else if (Buffer.compare(Buffer.from(rtl.stdout), Buffer.from(model.stdout)) !== 0) {
    problem = `${name}: stdout differs: rtl ${JSON.stringify(Buffer.from(rtl.stdout).toString('latin1').slice(0, 200))} model ${JSON.stringify(Buffer.from(model.stdout).toString('latin1').slice(0, 200))}`;
  } else if (Buffer.compare(Buffer.from(rtl.stderr), Buffer.from(model.stderr)) !== 0) {
    problem = `${name}: stderr differs`;
  } else if (!sameStop(rtl.stop, model.stop)) {
    problem = `${name}: stop reason differs: rtl ${JSON.stringify(rtl.stop)} model ${JSON.stringify(model.stop)}`;
  }
  if (problem === undefined) return { rtl, model };

  const waveDir = opts.waveDir ?? (await mkdtemp(join(tmpdir(), 'zkrtl-rv32im-wave-')));
  const wavePath = join(resolve(waveDir), `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${opts.params.pipeline ?? '5'}-row${diff?.row ?? 'end'}.vcd`);
  const from = Math.max(0, cycle - 200);
  try {
    await runOnRtl(image, entry, { ...base, trace: false, params: opts.params, waitStates: opts.waitStates, wave: { path: wavePath, from, to: cycle + 20 }, onProgress: opts.onProgress, files: opts.files });
  } catch {
    /* the report matters more than the waveform */
  }
  throw new SimMismatchError(`${problem}\n  waveform (cycles ${from}..${cycle + 20}): ${wavePath}`, wavePath);
}

function sameStop(a: StopReason, b: StopReason): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'exit' && b.kind === 'exit') return a.code === b.code;
  if (a.kind === 'fault' && b.kind === 'fault') {
    if (a.cause === 'max-cycles' || b.cause === 'max-cycles') return a.cause === b.cause;
    return a.cause === b.cause && a.pc === b.pc && a.insn === b.insn;
  }
  return false;
}


// ---------------------------------------------------------------------------------------
// `zkrtl sim rv32im`: every bundled test program and random programs, RTL against model.

export interface Rv32imCheckRun {
  name: string;
  waitStates: boolean;
  cycles: number;
  instret: number;
  cpi: number;
  stop: string;
}

export interface Rv32imCheckResult {
  top: string;
  runs: Rv32imCheckRun[];
  /** Over the test programs without wait states: total cycles / total instructions. */
  cpi: number;
}

/**
 * Runs riscv/tests/*.c (compiled, cached) and `random` random programs on the RTL core of
 * `params` and on the golden model, without and with random wait states, and requires the
 * same rows, output and stop reason everywhere (throws SimMismatchError, with a waveform in
 * `waveformDir`, on the first difference).
 */
export async function checkRv32im(
  params: RawParams,
  progress: { step(message: string): void },
  opts: { random?: number; seed?: number; waveformDir?: string; ramBytes?: number; maxCycles?: number; files?: Record<string, string> } = {},
): Promise<Rv32imCheckResult> {
  // The bundled programs and the random ones use M; an M-less core would trap on them where
  // the model (which always has M) would not.
  if (!parseRv32imParams(params).m) {
    throw new UsageError('checking an rv32im core runs rv32im programs: give m=on (the M-less cores are checked by the test suite with rv32i programs)');
  }
  const ramBytes = opts.ramBytes ?? DEFAULT_RAM_BYTES;
  const maxCycles = opts.maxCycles ?? 50_000_000;
  const seed = opts.seed ?? 1;
  const { top } = await buildRv32imSim(params, (s) => progress.step(s), opts.files);
  progress.step(`compiling the test programs (riscv/tests/*.c)…`);
  const programs: { name: string; image: Uint8Array; entry: number }[] = [];
  for (const { name, elf } of await buildTestPrograms()) {
    const l = loadElf(await readFile(elf), ramBytes, name);
    programs.push({ name, image: l.image, entry: l.entry });
  }
  const nTests = programs.length;
  for (let i = 0; i < (opts.random ?? 20); i++) {
    const p = randomProgram(seed + i);
    const l = loadElf(p.elf, ramBytes, `random-${seed + i}`);
    programs.push({ name: `random-${seed + i}`, image: l.image, entry: l.entry });
  }
  const runs: Rv32imCheckRun[] = [];
  let cycles = 0;
  let instret = 0;
  for (const [i, p] of programs.entries()) {
    for (const waits of [false, true]) {
      const { rtl } = await compareWithModel(p.image, p.entry, runModel, {
        params, ramBytes, maxCycles, name: p.name, waveDir: opts.waveformDir, files: opts.files,
        waitStates: waits ? { seed: seed + i, probability: 0.25 } : undefined,
      });
      const st = rtl.stats;
      runs.push({ name: p.name, waitStates: waits, cycles: st.cycles, instret: st.instret, cpi: st.cpi, stop: describeStopShort(rtl.stop) });
      if (!waits && i < nTests) {
        cycles += st.cycles;
        instret += st.instret;
      }
    }
    progress.step(`${top}: ${p.name} matches the model (${runs[runs.length - 2]!.instret} rows, CPI ${runs[runs.length - 2]!.cpi.toFixed(3)})`);
  }
  return { top, runs, cpi: instret ? cycles / instret : 0 };
}

function describeStopShort(s: StopReason): string {
  return s.kind === 'exit' ? `exit ${s.code}` : `fault ${s.cause}`;
}
