import { resolve } from 'node:path';
import type { GeneratedDesign } from '../../gen/design.ts';
import { checkEquivalence, buildDesignSim, expectedResults } from '../../sim/equivalence.ts';
import { formatResults, makeVectors, readVectorFile } from '../../sim/vectors.ts';
import { SimMismatchError, runPipelineSim } from '../../sim/verilator.ts';
import { parseArgs, single } from '../args.ts';
import { UsageError } from '../errors.ts';
import { writeFileAtomically } from '../output.ts';
import { stderrProgress } from '../progress.ts';
import { DESIGN_OPTIONS, atMostOnePositional, configDesigns, configFromArgs, designFromArgs, noDesignOptions } from './common.ts';

/** Waveforms of failing runs land here. */
const WAVEFORM_DIR = 'sim-out';

function count(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 100_000_000) throw new UsageError(`--${name} ${value} is not accepted: give an integer from 0 to 100000000`);
  return Number(value);
}

async function simulate(design: GeneratedDesign, vectorCount: number, seed: number): Promise<boolean> {
  const p = BigInt(design.manifest.field.p);
  const vectors = makeVectors({ p, k: design.manifest.montgomery?.k }, vectorCount, seed);
  try {
    const runs = await checkEquivalence(design, vectors, { progress: stderrProgress, seed, waveformDir: resolve(WAVEFORM_DIR) });
    const modes = runs.map((r) => `${r.mode} ${r.cycles} cycles`).join(', ');
    process.stdout.write(`PASS ${design.top}: ${vectors.length} vectors equal to the golden model (${modes}; latency ${design.manifest.latency}, II 1)\n`);
    return true;
  } catch (e) {
    if (!(e instanceof SimMismatchError)) throw e;
    process.stdout.write(`FAIL ${design.top}: ${e.message}\n`);
    return false;
  }
}

/** --input/--output: the RTL's results for external vectors, then a comparison with the model. */
async function simulateFile(design: GeneratedDesign, input: string, output: string): Promise<number> {
  const vectors = readVectorFile(input, BigInt(design.manifest.field.p));
  const binary = await buildDesignSim(design, stderrProgress);
  const run = await runPipelineSim({ binary, latency: design.manifest.latency, width: design.manifest.field.bits, vectors });
  writeFileAtomically(output, formatResults(run.outputs, design.manifest.field.bits));
  const expected = expectedResults(design, vectors);
  const bad = expected.findIndex((v, i) => v !== run.outputs[i]);
  if (bad >= 0) {
    const [a, b] = vectors[bad];
    process.stdout.write(`FAIL ${design.top}: vector ${bad} (line order) a=0x${a.toString(16)} b=0x${b.toString(16)}: RTL 0x${run.outputs[bad].toString(16)}, golden model 0x${expected[bad].toString(16)}; RTL results written to ${output}\n`);
    return 1;
  }
  process.stdout.write(`wrote ${vectors.length} RTL results of ${design.top} to ${output} (all equal to the golden model)\n`);
  return 0;
}

export async function runSim(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { options: [...DESIGN_OPTIONS, 'vectors', 'seed', 'input', 'output', 'config'], flags: [] });
  const block = atMostOnePositional(args, 'sim');
  const config = configFromArgs(args, block === undefined);
  const vectorCount = count(single(args, 'vectors'), 'vectors', config?.sim.vectors ?? 10_000);
  const seed = count(single(args, 'seed'), 'seed', config?.sim.seed ?? 1);
  const input = single(args, 'input');
  const output = single(args, 'output');
  if ((input === undefined) !== (output === undefined)) throw new UsageError('--input and --output go together: --input PAIRS.hex --output RESULTS.hex');

  if (block !== undefined) {
    const design = designFromArgs(block, args);
    if (input !== undefined) return simulateFile(design, input, output!);
    return (await simulate(design, vectorCount, seed)) ? 0 : 1;
  }
  noDesignOptions(args, 'sim');
  if (input !== undefined) throw new UsageError('--input needs a block: zkrtl sim BLOCK --field F --input … --output …');
  const designs = configDesigns(config!);
  let failed = 0;
  for (const [i, d] of designs.entries()) {
    stderrProgress.step(`[${i + 1}/${designs.length}] ${d.top}`);
    if (!(await simulate(d, vectorCount, seed))) failed++;
  }
  process.stdout.write(`${designs.length - failed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;
}
