// Gate-level simulation: the netlist `zkrtl synth BLOCK --target asic` wrote (standard cells,
// with behavioural models of the cells made from the library's Liberty functions) run in
// Verilator through the same harness and vectors as the RTL, against the golden model.
// A netlist is only worth handing on if it computes what the RTL does.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../base/errors.ts';
import type { Progress } from '../base/progress.ts';
import { designParams, verilogSources, type GeneratedDesign } from '../gen/design.ts';
import { CELL_MODELS_FILE, asicNetlistName, asicOutDir, rtlHash } from '../synth/asic.ts';
import { expectedResults, runModes, type RunResult } from './equivalence.ts';
import { checkRv32im, type Rv32imCheckResult } from './rv32im-sim.ts';
import { makeVectors } from './vectors.ts';
import { SimMismatchError, buildPipelineSim } from './verilator.ts';

export interface GateLevelNetlist {
  dir: string;
  /** The netlist and the cell models, by file name, for Verilator. */
  files: Record<string, string>;
  cells: number;
}

/**
 * Reads the ASIC netlist of `design` from `dir` (default synth-out/<top>.asic). Missing, or
 * made from other RTL than the design's (other parameters, another zkrtl): UsageError saying
 * which command makes it.
 */
export function loadGateLevelNetlist(design: GeneratedDesign, opts: { dir?: string; command?: string } = {}): GateLevelNetlist {
  const dir = opts.dir ?? asicOutDir(design.top);
  const netlistPath = join(dir, asicNetlistName(design.top));
  // The caller knows the user's exact options (opts.command); otherwise the block and field, and
  // for the CPU (no field) every parameter, which is what tells its configurations apart.
  const m = design.manifest;
  const subject = m.field ? `--field ${m.field.name} ` : Object.entries(m.params).map(([k, v]) => `--param ${k}=${v} `).join('');
  const make = opts.command ?? `zkrtl synth ${m.block} ${subject}--target asic`;
  const reportPath = join(dir, 'report.json');
  if (!existsSync(netlistPath) || !existsSync(join(dir, CELL_MODELS_FILE)) || !existsSync(reportPath)) {
    throw new UsageError(`--netlist asic: no gate-level netlist ${netlistPath} yet: make it first with \`${make}\``);
  }
  let report: { rtlSha256?: string; totalCells?: number };
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8'));
  } catch (e) {
    throw new UsageError(`--netlist asic: ${reportPath} is not readable JSON (${(e as Error).message}): make the netlist again with \`${make}\``);
  }
  if (report.rtlSha256 !== rtlHash(verilogSources(design))) {
    throw new UsageError(`--netlist asic: ${netlistPath} was made from other RTL than ${design.top} with these parameters: make it again with \`${make}\``);
  }
  return {
    dir,
    files: {
      [asicNetlistName(design.top)]: readFileSync(netlistPath, 'utf8'),
      [CELL_MODELS_FILE]: readFileSync(join(dir, CELL_MODELS_FILE), 'utf8'),
    },
    cells: report.totalCells ?? 0,
  };
}

/** Builds the gate-level simulator of a fixed-latency block (the pipeline harness). */
export async function buildGateLevelSim(design: GeneratedDesign, netlist: GateLevelNetlist, progress: Progress): Promise<string> {
  return buildPipelineSim({ top: design.top, files: netlist.files, onProgress: (s) => progress.step(s) });
}

/**
 * Streams `vectors` through the gate-level netlist back to back and with bubbles, checking
 * every result against the golden model and its cycle against the manifest's latency (the
 * same check as the RTL's). Throws SimMismatchError on the first mismatch.
 */
export async function checkGateLevel(
  design: GeneratedDesign,
  netlist: GateLevelNetlist,
  vectors: Array<[bigint, bigint]>,
  opts: { progress: Progress; seed: number; waveformDir: string },
): Promise<RunResult[]> {
  if (design.manifest.latency === undefined || !design.manifest.field) {
    throw new UsageError(`checkGateLevel runs the fixed-latency field blocks (modadd, modsub, montmul, modmul), not ${design.manifest.block}`);
  }
  const binary = await buildGateLevelSim(design, netlist, opts.progress);
  return runModes(binary, design, design.manifest.field.bits, vectors, expectedResults(design, vectors), opts);
}

/**
 * An rv32im core's gate-level netlist runs the test programs (riscv/tests/*.c) and `random`
 * random programs, with and without memory wait states, and retires the same trace rows,
 * output and exit as the golden model (the RTL check of rv32im-sim.ts, on the netlist).
 */
export async function checkGateLevelRv32im(
  design: GeneratedDesign,
  netlist: GateLevelNetlist,
  opts: { progress: Progress; random: number; seed: number; waveformDir: string },
): Promise<Rv32imCheckResult> {
  const params = designParams(design);
  return checkRv32im(params, opts.progress, { random: opts.random, seed: opts.seed, waveformDir: opts.waveformDir, files: netlist.files });
}

/** `zkrtl sim --netlist VALUE`: only `asic` (the netlist of `zkrtl synth --target asic`). */
export function parseNetlistOption(value: string | undefined): 'asic' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'asic') throw new UsageError(`--netlist ${value} is not accepted: give asic (the gate-level netlist \`zkrtl synth BLOCK --target asic\` wrote)`);
  return 'asic';
}

/**
 * `zkrtl sim BLOCK --netlist asic`: the edge pairs and `vectorCount` seeded random pairs (the
 * RTL simulation's vectors) through the gate-level netlist, back to back and with bubbles.
 * Prints one PASS or FAIL line; returns whether it passed. Bad input (no netlist yet, a
 * netlist of other RTL, a block without a fixed latency) is a UsageError thrown before any
 * simulation.
 */
export async function simulateGateLevel(
  design: GeneratedDesign,
  opts: { vectorCount: number; seed: number; progress: Progress; waveformDir: string; dir?: string; command?: string },
): Promise<boolean> {
  if (design.manifest.block === 'rv32im') {
    const netlist = loadGateLevelNetlist(design, { dir: opts.dir, command: opts.command });
    const random = Math.max(2, Math.min(16, Math.ceil(opts.vectorCount / 1000)));
    try {
      const r = await checkGateLevelRv32im(design, netlist, { progress: opts.progress, random, seed: opts.seed, waveformDir: opts.waveformDir });
      process.stdout.write(`PASS ${design.top} gate-level (${netlist.dir}, ${netlist.cells} cells): ${r.runs.length} runs (test programs and ${random} random, with and without wait states) retire the same trace rows, output and exit as the golden model; CPI ${r.cpi.toFixed(3)}\n`);
      return true;
    } catch (e) {
      if (!(e instanceof SimMismatchError)) throw e;
      process.stdout.write(`FAIL ${design.top} gate-level (${netlist.dir}): ${e.message}\n`);
      return false;
    }
  }
  if (design.manifest.latency === undefined || !design.manifest.field) {
    throw new UsageError(`--netlist asic simulates the fixed-latency field blocks (modadd, modsub, montmul, modmul) and rv32im, not ${design.manifest.block}`);
  }
  const netlist = loadGateLevelNetlist(design, { dir: opts.dir, command: opts.command });
  const vectors = makeVectors({ p: BigInt(design.manifest.field.p), k: design.manifest.montgomery?.k }, opts.vectorCount, opts.seed);
  try {
    const runs = await checkGateLevel(design, netlist, vectors, opts);
    const modes = runs.map((r) => `${r.mode} ${r.cycles} cycles`).join(', ');
    process.stdout.write(`PASS ${design.top} gate-level (${netlist.dir}, ${netlist.cells} cells): ${vectors.length} vectors equal to the golden model (${modes}; latency ${design.manifest.latency}, II 1)\n`);
    return true;
  } catch (e) {
    if (!(e instanceof SimMismatchError)) throw e;
    process.stdout.write(`FAIL ${design.top} gate-level (${netlist.dir}): ${e.message}\n`);
    return false;
  }
}
