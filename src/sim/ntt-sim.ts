// Driver of the NTT core harness (sim/ntt_harness.cpp): streams whole transforms through a
// Verilated NTT core (valid/ready load -> compute -> unload, `done`, `phase`), back to back
// or with random input bubbles and output stalls, and returns the outputs with the cycles of
// each transform's first and last beat in and out and its done pulse, on the harness' own
// counter. The harness checks the interface contract (out_last, done, no more transforms
// held than the core may hold, no hang) and, when expected
// outputs are given, every element; the first failure becomes a SimMismatchError carrying
// the harness' report and a waveform around the failing cycle.
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Progress } from '../base/progress.ts';
import type { GeneratedDesign } from '../gen/design.ts';
import type { NttTransformTimes } from '../model/ntt.ts';
import { verilogSources } from '../gen/design.ts';
import {
  REPO_ROOT, buildPipelineSim, checkHarnessExit, parseHexLines, runSimulator,
} from './verilator.ts';

/** The harness every NTT core simulator is built from. */
export const NTT_HARNESS_PATH = join(REPO_ROOT, 'sim', 'ntt_harness.cpp');

export interface NttSimOptions {
  /** A simulator from buildNttSim (or buildPipelineSim with NTT_HARNESS_PATH). */
  binary: string;
  /** Elements per transform. */
  n: number;
  /** Elements per beat (the core's lanes). */
  lanes: number;
  /** Bits per element. */
  width: number;
  transforms: Array<{ inverse: boolean; input: bigint[] }>;
  /** Expected outputs, one array of n per transform: each element is checked. */
  expected?: bigint[][];
  /** Probability that in_valid stays low before a beat (default 0: back to back). */
  bubbleProbability?: number;
  /** Probability that out_ready is low in a cycle (default 0). */
  stallProbability?: number;
  seed?: number;
  /** Where the waveform goes on a failure (default: next to the input file in workDir). */
  waveformPath?: string;
  /** Where the input/expected files go (kept on a failure, for the report's rerun line). */
  workDir?: string;
  /** Cycles without a beat in or out that count as a hang (default 100000 + 4·N·log2 N). */
  timeoutCycles?: number;
  /** Transforms the core may hold at once, first beat in to last beat out (manifest `holds`; default 1). */
  maxHeld?: number;
}

export interface NttSimResult {
  /** One array of n elements per transform, in the output order of the core. */
  outputs: bigint[][];
  /** Per transform, cycles counted by the harness from the start of reset. */
  times: NttTransformTimes[];
  /** Cycles simulated in all (reset and a few idle cycles at the end included). */
  cycles: number;
  /** Wall time of the simulation loop. */
  seconds: number;
}

let runCounter = 0;

/**
 * Streams `transforms` through an NTT core simulator. Throws SimMismatchError (report and
 * waveform path) on a wrong element or a broken interface contract; Error on bad options or
 * a simulator that does not run.
 */
export async function runNttSim(opts: NttSimOptions): Promise<NttSimResult> {
  const { binary, n, lanes, width, transforms, expected } = opts;
  const bubble = opts.bubbleProbability ?? 0;
  const stall = opts.stallProbability ?? 0;
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new Error(`n ${n} must be a positive integer`);
  if (!Number.isInteger(lanes) || lanes < 1 || n % lanes !== 0) throw new Error(`lanes ${lanes} must be a positive integer dividing n = ${n}`);
  if (!Number.isInteger(width) || width < 1 || width > 4096) throw new Error(`width ${width} must be an integer 1..4096`);
  if (!(bubble >= 0 && bubble < 1)) throw new Error(`bubbleProbability ${bubble} must be in [0, 1)`);
  if (!(stall >= 0 && stall < 1)) throw new Error(`stallProbability ${stall} must be in [0, 1)`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed ${seed} must be a non-negative integer`);
  if (opts.timeoutCycles !== undefined && (!Number.isSafeInteger(opts.timeoutCycles) || opts.timeoutCycles < 1)) {
    throw new Error(`timeoutCycles ${opts.timeoutCycles} must be a positive integer`);
  }
  if (transforms.length === 0) throw new Error('no transforms to run');
  if (expected && expected.length !== transforms.length) {
    throw new Error(`${expected.length} expected outputs for ${transforms.length} transforms`);
  }
  const limit = 1n << BigInt(width);
  const check = (arr: bigint[], what: string, t: number) => {
    if (arr.length !== n) throw new Error(`transform ${t}: ${what} has ${arr.length} elements, not n = ${n}`);
    for (let i = 0; i < n; i++) {
      const v = arr[i]!;
      if (v < 0n || v >= limit) throw new Error(`transform ${t}: ${what} element ${i} = 0x${v.toString(16)} does not fit in ${width} bits`);
    }
  };
  // Check everything before anything is written.
  transforms.forEach((tr, t) => check(tr.input, 'input', t));
  expected?.forEach((e, t) => check(e, 'expected', t));

  const ownDir = opts.workDir === undefined && opts.waveformPath === undefined;
  const workDir = ownDir
    ? await mkdtemp(join(tmpdir(), 'zkrtl-ntt-sim-'))
    : resolve(opts.workDir ?? dirname(resolve(opts.waveformPath!)));
  await mkdir(workDir, { recursive: true });
  const stem = `${basename(binary)}-${process.pid}-${Date.now().toString(36)}-${++runCounter}`;
  const inputPath = join(workDir, `${stem}.input.hex`);
  const expectedPath = join(workDir, `${stem}.expected.hex`);
  const outPath = join(workDir, `${stem}.out.hex`);
  const waveformPath = opts.waveformPath ? resolve(opts.waveformPath) : join(workDir, `${stem}.vcd`);
  await mkdir(dirname(waveformPath), { recursive: true });

  let keep = false;
  try {
    await writeHexFile(inputPath, transforms.map((tr) => tr.input));
    if (expected) await writeHexFile(expectedPath, expected);
    const args = [
      '--input', inputPath, '--n', String(n), '--lanes', String(lanes), '--width', String(width),
      '--inverse', transforms.map((tr) => (tr.inverse ? '1' : '0')).join(''),
      '--out', outPath, '--bubble', String(bubble), '--stall', String(stall), '--seed', String(seed),
      '--wave', waveformPath,
      ...(expected ? ['--expected', expectedPath] : []),
      ...(opts.timeoutCycles !== undefined ? ['--timeout-cycles', String(opts.timeoutCycles)] : []),
      ...(opts.maxHeld !== undefined ? ['--max-held', String(opts.maxHeld)] : []),
    ];
    const r = await runSimulator(binary, args, [workDir, dirname(waveformPath)]);
    keep = r.code === 1; // on a mismatch the waveform and the files to reproduce the run stay
    await checkHarnessExit(binary, r);
    const ok = /^OK transforms=(\d+) cycles=(\d+) sim_seconds=([\d.eE+-]+)$/m.exec(r.stdout);
    if (!ok || Number(ok[1]) !== transforms.length) {
      throw new Error(`simulator ${binary} gave no summary for ${transforms.length} transforms: ${r.stdout.trim().slice(0, 500)}`);
    }
    const times: NttTransformTimes[] = [];
    for (const m of r.stdout.matchAll(/^STATS (\d+) first_in=(\d+) last_in=(\d+) first_out=(\d+) last_out=(\d+) done=(\d+)$/gm)) {
      if (Number(m[1]) !== times.length) throw new Error(`simulator ${binary}: STATS for transform ${m[1]} out of order`);
      times.push({ firstIn: Number(m[2]), lastIn: Number(m[3]), firstOut: Number(m[4]), lastOut: Number(m[5]), done: Number(m[6]) });
    }
    if (times.length !== transforms.length) {
      throw new Error(`simulator ${binary} gave STATS for ${times.length} of ${transforms.length} transforms`);
    }
    const flat = parseHexLines(await readFile(outPath));
    if (flat.length !== n * transforms.length) {
      throw new Error(`simulator ${binary} wrote ${flat.length} elements for ${transforms.length} transforms of ${n}`);
    }
    const outputs = transforms.map((_, t) => flat.slice(t * n, (t + 1) * n));
    return { outputs, times, cycles: Number(ok[2]), seconds: Number(ok[3]) };
  } finally {
    if (!keep) {
      if (ownDir) await rm(workDir, { recursive: true, force: true });
      else await Promise.all([inputPath, expectedPath, outPath].map((p) => rm(p, { force: true })));
    }
  }
}

/** One hex element a line, written in chunks (a big run does not fit in one string). */
async function writeHexFile(path: string, rows: bigint[][]): Promise<void> {
  const fh = await open(path, 'w');
  try {
    let chunk: string[] = [];
    for (const row of rows) {
      for (const v of row) {
        chunk.push(v.toString(16));
        if (chunk.length === 8192) {
          await fh.write(chunk.join('\n') + '\n');
          chunk = [];
        }
      }
    }
    if (chunk.length) await fh.write(chunk.join('\n') + '\n');
  } finally {
    await fh.close();
  }
}

/** Builds (or finds in the cache) the NTT harness simulator of a generated NTT core. */
export async function buildNttSim(design: GeneratedDesign, progress: Progress): Promise<string> {
  return buildPipelineSim({
    top: design.top,
    files: verilogSources(design),
    harnessPath: NTT_HARNESS_PATH,
    onProgress: (s) => progress.step(s),
  });
}
