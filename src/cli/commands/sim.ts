import { resolve } from 'node:path';
import { designParams, type GeneratedDesign } from '../../gen/design.ts';
import { checkEquivalence, buildDesignSim, expectedResults } from '../../sim/equivalence.ts';
import { formatResults, makeVectors, readVectorFile } from '../../sim/vectors.ts';
import { SimMismatchError, runPipelineSim } from '../../sim/verilator.ts';
import { butterflyVectors, checkButterfly } from '../../sim/butterfly-sim.ts';
import { checkNtt, modelOf, readNttInput } from '../../sim/ntt-check.ts';
import { checkRv32im } from '../../sim/rv32im-sim.ts';
import { parseNetlistOption, simulateGateLevel } from '../../sim/gate-level.ts';
import { checkRuntimePrime, defaultPrimes, isRuntimeMontmul, parsePrimes, runtimeWidth, type RuntimePrime } from '../../sim/runtime-prime-sim.ts';
import { checkRuntimeButterfly, isRuntimeButterfly, runtimeButterflyWidth } from '../../sim/butterfly-runtime-sim.ts';
import { checkEcadd, ecaddContext, ecaddVectors, readEcaddInput, runEcaddFile } from '../../sim/ecadd-sim.ts';
import { buildNttSim, runNttSim } from '../../sim/ntt-sim.ts';
import { buildMsmSim, checkMsm, formatMsmResults, modelMsm, msmJobs, msmSimContext, readMsmInput, referenceMsm, runMsmSim } from '../../sim/msm-sim.ts';
import { msmResultAffine } from '../../model/msm.ts';
import { affineEqual } from '../../model/curve.ts';
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

function countInRange(value: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name} ${value} is not accepted: give an integer from ${min} to ${max}`);
  return Number(value);
}

interface SimOptions {
  vectorCount: number;
  seed: number;
  inverse: boolean;
  /** msm: pairs per MSM, random MSMs, the adversarial families too. */
  msm: { points: number; msms: number; adversarial: boolean };
  /** montmul prime=runtime: the primes to load (default: defaultPrimes of its width). */
  primes?: RuntimePrime[];
}

async function simulate(design: GeneratedDesign, o: SimOptions): Promise<boolean> {
  try {
    if (isRuntimeMontmul(design) || isRuntimeButterfly(design)) return await simulateRuntimePrime(design, o);
    switch (design.manifest.block) {
      case 'butterfly': {
        const vectors = butterflyVectors(design, o.vectorCount, o.seed);
        const runs = await checkButterfly(design, vectors, { progress: stderrProgress, seed: o.seed, waveformDir: resolve(WAVEFORM_DIR) });
        const modes = runs.map((r) => `${r.mode} ${r.cycles} cycles`).join(', ');
        process.stdout.write(`PASS ${design.top}: ${vectors.length} vectors equal to the golden model (${modes}; latency ${design.manifest.latency}, II 1)\n`);
        return true;
      }
      case 'ntt': {
        const n = Number(design.manifest.params.n);
        const random = Math.max(2, Math.min(16, Math.ceil(o.vectorCount / n)));
        const r = await checkNtt(design, { inverse: o.inverse, random, seed: o.seed, progress: stderrProgress, waveformDir: resolve(WAVEFORM_DIR) });
        const modes = r.runs.map((x) => `${x.mode} ${x.cycles} cycles`).join(', ');
        process.stdout.write(
          `PASS ${design.top}: ${r.transforms} ${o.inverse ? 'inverse' : 'forward'} transforms (zero, p-1, impulses, ${random} random) equal to the golden model, ` +
            `and back through the ${o.inverse ? 'forward' : 'inverse'} transform (${modes}); timing equal to the control model: latency ${r.stats.latency} cycles, ` +
            `a transform every ${r.stats.period} cycles back to back (${(100 * (design.manifest.cycles as { ideal: number }).ideal / r.stats.period).toFixed(1)}% butterfly utilization)\n`,
        );
        return true;
      }
      case 'ecadd': {
        const ctx = ecaddContext(design);
        const ops = ecaddVectors(ctx, o.vectorCount, o.seed);
        const runs = await checkEcadd(design, ctx, ops, { progress: stderrProgress, seed: o.seed, waveformDir: resolve(WAVEFORM_DIR) });
        const modes = runs.map((r) => `${r.mode} ${r.cycles} cycles`).join(', ');
        process.stdout.write(`PASS ${design.top}: ${ops.length} additions (${ops.length - o.vectorCount} edge, ${o.vectorCount} random) equal to the golden model coordinate by coordinate (${modes}; latency ${design.manifest.latency}, II 1)\n`);
        return true;
      }
      case 'msm': {
        const ctx = msmSimContext(design);
        const jobs = msmJobs(ctx, { points: o.msm.points, random: o.msm.msms, adversarial: o.msm.adversarial, seed: o.seed });
        const r = await checkMsm(design, ctx, jobs, { progress: stderrProgress, seed: o.seed, waveformDir: resolve(WAVEFORM_DIR) });
        const acc = r.stats.reduce((n, s) => n + s.acc, 0);
        const adds = r.stats.reduce((n, s) => n + s.addsAcc, 0);
        const first = r.stats[0]!;
        process.stdout.write(
          `PASS ${design.top}: ${jobs.length} MSMs (${[...new Set(jobs.map((j) => j.kind))].join('; ')}) equal to the golden model coordinate by coordinate ` +
            `and to @noble/curves, every phase's cycles as scheduled; back to back, bubbles on every other MSM, output stalls; ` +
            `adder busy ${((100 * adds) / Math.max(1, acc)).toFixed(1)} % of accumulation cycles; MSM 0: accumulate ${first.acc}, reduce ${first.red}, combine ${first.comb} cycles\n`,
        );
        return true;
      }
      case 'rv32im': {
        const random = Math.max(4, Math.min(64, Math.ceil(o.vectorCount / 1000)));
        const params = designParams(design);
        const r = await checkRv32im(params, stderrProgress, { random, seed: o.seed, waveformDir: resolve(WAVEFORM_DIR) });
        // Each program runs twice: without and with random memory wait states.
        const programs = new Set(r.runs.map((x) => x.name)).size;
        process.stdout.write(`PASS ${design.top}: ${programs} programs (${programs - random} test programs and ${random} random), each without and with random wait states (${r.runs.length} runs), retire the same trace rows, output and exit as the golden model; CPI ${r.cpi.toFixed(3)}\n`);
        return true;
      }
      default:
        return await simulatePairs(design, o.vectorCount, o.seed);
    }
  } catch (e) {
    if (!(e instanceof SimMismatchError)) throw e;
    process.stdout.write(`FAIL ${design.top}: ${e.message}\n`);
    return false;
  }
}

/** montmul prime=runtime: every prime loaded in turn through the cfg port, its vectors after it. */
/** The programmable-prime blocks (montmul and butterfly with prime=runtime): every prime loaded in turn. */
async function simulateRuntimePrime(design: GeneratedDesign, o: SimOptions): Promise<boolean> {
  const butterfly = isRuntimeButterfly(design);
  const primes = o.primes ?? defaultPrimes(butterfly ? runtimeButterflyWidth(design) : runtimeWidth(design));
  const opts = { progress: stderrProgress, seed: o.seed, waveformDir: resolve(WAVEFORM_DIR) };
  const r = butterfly ? await checkRuntimeButterfly(design, primes, o.vectorCount, opts) : await checkRuntimePrime(design, primes, o.vectorCount, opts);
  const total = r.batches.reduce((n, b) => n + b.vectors, 0);
  const modes = r.runs.map((x) => `${x.mode} ${x.cycles} cycles`).join(', ');
  process.stdout.write(
    `PASS ${design.top}: ${primes.length} primes loaded in turn through cfg_p/cfg_pprime (${primes.map((x) => x.name).join(', ')}), ` +
      `${total} vectors equal to the golden model (${modes}; latency ${design.manifest.latency}, II 1, ${r.idleBeforeLoad + 1} cycles without in_valid up to each load as config.rule says)\n`,
  );
  return true;
}

async function simulatePairs(design: GeneratedDesign, vectorCount: number, seed: number): Promise<boolean> {
  const p = BigInt(design.manifest.field!.p);
  const vectors = makeVectors({ p, k: design.manifest.montgomery?.k }, vectorCount, seed);
  try {
    const runs = await checkEquivalence(design, vectors, { progress: stderrProgress, seed, waveformDir: resolve(WAVEFORM_DIR) });
    const modes = runs.map((r) => `${r.mode} ${r.cycles} cycles`).join(', ');
    process.stdout.write(`PASS ${design.top}: ${vectors.length} vectors equal to the golden model (${modes}; latency ${design.manifest.latency!}, II 1)\n`);
    return true;
  } catch (e) {
    if (!(e instanceof SimMismatchError)) throw e;
    process.stdout.write(`FAIL ${design.top}: ${e.message}\n`);
    return false;
  }
}

/** --input/--output for an NTT core: N hex elements per transform, results in the same layout. */
async function simulateNttFile(design: GeneratedDesign, input: string, output: string, inverse: boolean): Promise<number> {
  const model = modelOf(design);
  const inputs = readNttInput(input, model.p, model.shape.n);
  const binary = await buildNttSim(design, stderrProgress);
  const run = await runNttSim({
    binary, n: model.shape.n, lanes: model.shape.lanes, width: design.manifest.field!.bits,
    transforms: inputs.map((x) => ({ inverse, input: x })), maxHeld: design.manifest.holds as number,
  });
  writeFileAtomically(output, run.outputs.map((y) => formatResults(y, design.manifest.field!.bits)).join(''));
  for (const [t, x] of inputs.entries()) {
    const want = model.run(x, inverse);
    const bad = want.findIndex((v, i) => v !== run.outputs[t]![i]);
    if (bad >= 0) {
      process.stdout.write(`FAIL ${design.top}: transform ${t} element ${bad}: RTL 0x${run.outputs[t]![bad]!.toString(16)}, golden model 0x${want[bad]!.toString(16)}; RTL results written to ${output}\n`);
      return 1;
    }
  }
  process.stdout.write(`wrote ${inputs.length} ${inverse ? 'inverse' : 'forward'} transforms of ${design.top} to ${output} (all equal to the golden model; first beat in to last beat out ${run.times[0]!.lastOut - run.times[0]!.firstIn + 1} cycles for the first)\n`);
  return 0;
}

/** --input/--output for a point adder: one operation per line, one result per line. */
async function simulateEcaddFile(design: GeneratedDesign, input: string, output: string): Promise<number> {
  const ctx = ecaddContext(design);
  const ops = readEcaddInput(input, ctx);
  const { got, want } = await runEcaddFile(design, ctx, ops, stderrProgress);
  const digits = Math.ceil(ctx.mf.bits / 4);
  writeFileAtomically(output, got.map((coords) => coords.map((v) => v.toString(16).padStart(digits, '0')).join(' ') + '\n').join(''));
  for (const [i, g] of got.entries()) {
    const bad = g.findIndex((v, j) => v !== want[i]![j]);
    if (bad >= 0) {
      process.stdout.write(`FAIL ${design.top}: operation ${i} (${ops[i]!.kind}) ${ctx.formula.outCoords[bad]}: RTL 0x${g[bad]!.toString(16)}, golden model 0x${want[i]![bad]!.toString(16)}; RTL results written to ${output}\n`);
      return 1;
    }
  }
  process.stdout.write(`wrote ${ops.length} RTL results of ${design.top} to ${output} (${ctx.formula.outCoords.join(' ')} per line, Montgomery form; all equal to the golden model)\n`);
  return 0;
}

/** --input/--output for an MSM core: `scalar x y` lines, a blank line between MSMs; one affine result per MSM. */
async function simulateMsmFile(design: GeneratedDesign, input: string, output: string): Promise<number> {
  const ctx = msmSimContext(design);
  const jobs = readMsmInput(input, ctx);
  const binary = await buildMsmSim(design, ctx, stderrProgress);
  const run = await runMsmSim(binary, design, ctx, jobs);
  const got = run.results.map((r) => msmResultAffine(ctx, r));
  writeFileAtomically(output, formatMsmResults(got));
  for (const [m, job] of jobs.entries()) {
    const model = modelMsm(ctx, job);
    const bad = model.result.findIndex((v, i) => v !== run.results[m]![i]);
    const ref = referenceMsm(ctx.curve, job);
    const g = got[m]!;
    if (bad >= 0 || !affineEqual(g, ref)) {
      process.stdout.write(`FAIL ${design.top}: MSM ${m} (${job.kind}): ${bad >= 0 ? `RTL coordinate ${bad} 0x${run.results[m]![bad]!.toString(16)}, golden model 0x${model.result[bad]!.toString(16)}` : 'not equal to @noble/curves'}; RTL results written to ${output} (zkrtl sim msm … without --input runs the checks that locate a mismatch)\n`);
      return 1;
    }
  }
  process.stdout.write(`wrote ${jobs.length} MSM results of ${design.top} to ${output} (affine x y per line, O for the point at infinity; all equal to the golden model and @noble/curves)\n`);
  return 0;
}

/** --input/--output: the RTL's results for external vectors, then a comparison with the model. */
async function simulateFile(design: GeneratedDesign, input: string, output: string, inverse: boolean): Promise<number> {
  if (design.manifest.block === 'ntt') return simulateNttFile(design, input, output, inverse);
  if (design.manifest.block === 'msm') return simulateMsmFile(design, input, output);
  if (design.manifest.block === 'ecadd') return simulateEcaddFile(design, input, output);
  if (design.manifest.block === 'butterfly') throw new UsageError('--input/--output runs modadd, modsub, montmul, modmul and ntt: a butterfly takes three operands');
  const vectors = readVectorFile(input, BigInt(design.manifest.field!.p));
  const binary = await buildDesignSim(design, stderrProgress);
  const run = await runPipelineSim({ binary, latency: design.manifest.latency!, width: design.manifest.field!.bits, vectors });
  writeFileAtomically(output, formatResults(run.outputs, design.manifest.field!.bits));
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
  const args = parseArgs(argv, { options: [...DESIGN_OPTIONS, 'vectors', 'seed', 'input', 'output', 'config', 'netlist', 'points', 'msms', 'primes'], flags: ['inverse', 'adversarial'] });
  const netlist = parseNetlistOption(single(args, 'netlist'));
  const inverse = args.flags.has('inverse');
  const block = atMostOnePositional(args, 'sim');
  const config = configFromArgs(args, block === undefined);
  const vectorCount = count(single(args, 'vectors'), 'vectors', config?.sim.vectors ?? 10_000);
  const seed = count(single(args, 'seed'), 'seed', config?.sim.seed ?? 1);
  const input = single(args, 'input');
  const output = single(args, 'output');
  if ((input === undefined) !== (output === undefined)) throw new UsageError('--input and --output go together: --input PAIRS.hex --output RESULTS.hex');
  const points = single(args, 'points');
  const msms = single(args, 'msms');
  const adversarial = args.flags.has('adversarial');
  const msm = {
    points: points === undefined ? 16 : countInRange(points, 'points', 1, 1 << 20),
    msms: msms === undefined ? 2 : countInRange(msms, 'msms', 0, 10_000),
    adversarial: adversarial || (points === undefined && msms === undefined),
  };

  if (block !== undefined) {
    const design = designFromArgs(block, args);
    if (inverse && design.manifest.block !== 'ntt') throw new UsageError('--inverse is for the ntt block only');
    if ((points !== undefined || msms !== undefined || adversarial) && design.manifest.block !== 'msm') throw new UsageError('--points, --msms and --adversarial are for the msm block only');
    if (input !== undefined && (points !== undefined || msms !== undefined || adversarial)) throw new UsageError('--input runs the MSMs of the file: leave out --points, --msms and --adversarial');
    if (netlist && (input !== undefined || inverse)) throw new UsageError('--netlist asic runs the generated vectors and programs: leave out --input/--output and --inverse');
    const primesText = single(args, 'primes');
    const runtime = isRuntimeMontmul(design) || isRuntimeButterfly(design);
    if (primesText !== undefined && !runtime) throw new UsageError('--primes is for montmul and butterfly with --param prime=runtime (the primes they load at run time)');
    if (runtime && (input !== undefined || netlist)) throw new UsageError(`${design.manifest.block} prime=runtime runs its own vectors for each prime it loads: leave out --input/--output and --netlist`);
    const primes = primesText === undefined ? undefined : parsePrimes(primesText, isRuntimeButterfly(design) ? runtimeButterflyWidth(design) : runtimeWidth(design));
    if (netlist) return (await simulateGateLevel(design, { vectorCount, seed, progress: stderrProgress, waveformDir: resolve(WAVEFORM_DIR) })) ? 0 : 1;
    if (input !== undefined) return simulateFile(design, input, output!, inverse);
    return (await simulate(design, { vectorCount, seed, inverse, msm, primes })) ? 0 : 1;
  }
  noDesignOptions(args, 'sim');
  if (single(args, 'primes') !== undefined) throw new UsageError('--primes needs a block: zkrtl sim montmul --param prime=runtime --param width=W --primes …');
  if (netlist) throw new UsageError('--netlist asic needs a block: zkrtl sim BLOCK --field F --netlist asic');
  if (input !== undefined) throw new UsageError('--input needs a block: zkrtl sim BLOCK --field F --input … --output …');
  const designs = configDesigns(config!);
  let failed = 0;
  for (const [i, d] of designs.entries()) {
    stderrProgress.step(`[${i + 1}/${designs.length}] ${d.top}`);
    if (!(await simulate(d, { vectorCount, seed, inverse, msm }))) failed++;
  }
  process.stdout.write(`${designs.length - failed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;
}
