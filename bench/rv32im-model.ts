// Speed of the rv32im golden model (src/model/rv32im.ts): retired instructions per second
// without trace (floor of issue 3: >= 20 M/s) and with trace rows, on the bench/riscv C
// programs compiled for rv32im, timed by timeModelRun (below). bench/rv32im.ts reports the
// figure without trace; `npx tsx bench/rv32im-model.ts` prints both alone.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { modelMachine, runMachine } from '../src/model/rv32im.ts';
import type { RunOptions, RunResult } from '../src/riscv/machine.ts';
import type { TraceRow } from '../src/riscv/trace.ts';
import { loadElf } from '../src/riscv/elf.ts';
import { compileProgram, riscvCacheRoot } from '../src/riscv/toolchain.ts';

/**
 * Times the model on a program: `warmups` untimed runs, then `runs` timed ones; the median
 * time. Each run is on a machine built before its clock starts, so only the interpreter is
 * timed: building one allocates its RAM and decode cache (48 MiB at 16 MiB of RAM) and
 * copies the image; timed with the run, that moved one program's rate up to 14x from run to
 * run on a free machine (the cause not isolated further). The run alone moved by under 10 %
 * for most programs (divide and qsort up to 2x), and the medians of all programs together by
 * about 20 % between passes in one process.
 */
export function timeModelRun(image: Uint8Array, entry: number, opts: RunOptions, o: { warmups?: number; runs?: number; onRows?: (rows: TraceRow[]) => void } = {}): { result: RunResult; seconds: number; times: number[] } {
  const warmups = o.warmups ?? 2;
  const runs = o.runs ?? 5;
  if (!(runs >= 1)) throw new RangeError(`timeModelRun: runs ${runs} must be at least 1`);
  const times: number[] = [];
  let result: RunResult | undefined;
  for (let i = 0; i < warmups + runs; i++) {
    const m = modelMachine(image, entry, opts);
    const t0 = process.hrtime.bigint();
    const r = runMachine(m, opts, o.onRows);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (result && (r.stats.instret !== result.stats.instret || r.stop.kind !== result.stop.kind)) {
      throw new Error(`timeModelRun: run ${i + 1} retired ${r.stats.instret} instructions (${r.stop.kind}), run 1 ${result.stats.instret} (${result.stop.kind})`);
    }
    result = r;
    if (i >= warmups) times.push(seconds);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { result: result!, seconds: sorted[(sorted.length - 1) >> 1]!, times };
}

export interface ModelBenchProgram {
  name: string;
  instret: number;
  seconds: number;
  instructionsPerSecond: number;
}

export interface ModelBench {
  programs: ModelBenchProgram[];
  /** All programs' instructions over their median times, without trace. */
  instructionsPerSecond: number;
  /** The same producing trace rows (handed over in chunks, as `zkrtl run --trace` does). */
  traceInstructionsPerSecond: number;
  floor: number;
}

const RAM = 16 << 20;

export async function benchModel(): Promise<ModelBench> {
  const dir = join(import.meta.dirname, 'riscv');
  const programs: ModelBenchProgram[] = [];
  let traceInstr = 0;
  let traceSeconds = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.c')).sort()) {
    const name = f.slice(0, -2);
    const elf = await compileProgram([join(dir, f)], join(riscvCacheRoot(), 'bench', `${name}.elf`));
    const { entry, image } = loadElf(readFileSync(elf), RAM);
    const opts = (trace: boolean): RunOptions => ({ ramBytes: RAM, maxCycles: 1e10, trace, segment: 0 });
    const plain = timeModelRun(image, entry, opts(false));
    if (plain.result.stop.kind !== 'exit') throw new Error(`${name} did not exit on the model: ${JSON.stringify(plain.result.stop)}`);
    const instret = plain.result.stats.instret;
    programs.push({ name, instret, seconds: plain.seconds, instructionsPerSecond: instret / plain.seconds });
    // With trace, rows are produced in chunks and dropped (as `zkrtl run --trace` streams them).
    const traced = timeModelRun(image, entry, opts(true), { onRows: () => {} });
    traceInstr += instret;
    traceSeconds += traced.seconds;
  }
  const instr = programs.reduce((s, p) => s + p.instret, 0);
  const secs = programs.reduce((s, p) => s + p.seconds, 0);
  return { programs, instructionsPerSecond: instr / secs, traceInstructionsPerSecond: traceInstr / traceSeconds, floor: 20e6 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchModel();
  for (const p of r.programs) console.log(`${p.name.padEnd(8)} ${String(p.instret).padStart(9)} instr  ${(p.instructionsPerSecond / 1e6).toFixed(1)} M instr/s`);
  console.log(`model: ${(r.instructionsPerSecond / 1e6).toFixed(1)} M instr/s without trace (floor 20), ${(r.traceInstructionsPerSecond / 1e6).toFixed(1)} M instr/s with trace`);
}
