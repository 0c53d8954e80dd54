// Speed of the rv32im golden model (src/model/rv32im.ts): retired instructions per second
// without trace (floor of issue 3: >= 20 M/s) and with trace rows, on the bench/riscv C
// programs compiled for rv32im. Each program: one warm-up run, then the best of `repeats`.
// Called by bench/run.ts; `npx tsx bench/rv32im-model.ts` prints the figures alone.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runModel } from '../src/model/rv32im.ts';
import { loadElf } from '../src/riscv/elf.ts';
import { compileProgram, riscvCacheRoot } from '../src/riscv/toolchain.ts';

export interface ModelBenchProgram {
  name: string;
  instret: number;
  seconds: number;
  instructionsPerSecond: number;
}

export interface ModelBench {
  programs: ModelBenchProgram[];
  /** All programs' instructions over their best times, without trace. */
  instructionsPerSecond: number;
  /** The same producing trace rows (handed over in chunks, as `zkrtl run --trace` does). */
  traceInstructionsPerSecond: number;
  floor: number;
}

const RAM = 16 << 20;

export async function benchModel(opts: { repeats?: number } = {}): Promise<ModelBench> {
  const repeats = opts.repeats ?? 3;
  const dir = join(import.meta.dirname, 'riscv');
  const programs: ModelBenchProgram[] = [];
  let traceInstr = 0;
  let traceSeconds = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.c')).sort()) {
    const name = f.slice(0, -2);
    const elf = await compileProgram([join(dir, f)], join(riscvCacheRoot(), 'bench', `${name}.elf`));
    const { entry, image } = loadElf(readFileSync(elf), RAM);
    const once = (trace: boolean) => {
      const t0 = process.hrtime.bigint();
      // With trace, rows are produced in chunks and dropped (as `zkrtl run --trace` streams them).
      const r = runModel(image, entry, { ramBytes: RAM, maxCycles: 1e10, trace, segment: 0 }, trace ? () => {} : undefined);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (r.stop.kind !== 'exit') throw new Error(`${name} did not exit on the model: ${JSON.stringify(r.stop)}`);
      return { instret: r.stats.instret, seconds };
    };
    once(false);
    let best = once(false);
    for (let i = 1; i < repeats; i++) {
      const r = once(false);
      if (r.seconds < best.seconds) best = r;
    }
    programs.push({ name, instret: best.instret, seconds: best.seconds, instructionsPerSecond: best.instret / best.seconds });
    const t = once(true);
    traceInstr += t.instret;
    traceSeconds += t.seconds;
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
