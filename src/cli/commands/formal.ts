// `zkrtl formal rv32im`: the RVFI checks of a core configuration by bounded model checking
// (src/formal), in parallel on the machine's cores: a line per check as it finishes, then a
// table. A failing check names the assert, the cycle and the instruction, and leaves a VCD.
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { lookup } from '../../formal/isa-spec.ts';
import { BMC_SOLVERS, DEFAULT_BMC_SOLVER, ensureFormalTools, type FormalEngine } from '../../formal/bmc.ts';
import { regDepth, runFormal, selectChecks, statedDepth, type FormalRun } from '../../formal/run.ts';
import { parseParamArgs } from '../../gen/params.ts';
import { parseRv32imParams, rv32imTopName } from '../../gen/rv32im.ts';
import { parseArgs, single } from '../args.ts';
import { UsageError } from '../errors.ts';
import { stderrProgress, type Progress } from '../progress.ts';

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
const verdict = (r: FormalRun) =>
  r.check.kind === 'cover'
    ? ({ pass: 'reached', fail: 'NOT REACHED', error: 'ERROR', open: 'OPEN' })[r.result.status]
    : ({ pass: 'proved', fail: 'FAILED', error: 'ERROR', open: 'OPEN' })[r.result.status];

/** A reached cover: the cycle its row is on the trace port, and the waveform that shows it. */
function describeCover(r: FormalRun): string {
  const x = r.result;
  return `${x.label} in cycle ${x.step}; waveform ${x.vcd ? relative(process.cwd(), x.vcd) : '(not written)'}`;
}

function describeFailure(r: FormalRun): string {
  const x = r.result;
  if (x.status === 'error') return `error: ${x.error} (log: ${relative(process.cwd(), x.log)})`;
  if (x.status === 'open') return `no verdict: ${x.error} (log: ${relative(process.cwd(), x.log)})`;
  if (r.check.kind === 'cover') return `${x.label} (log: ${relative(process.cwd(), x.log)})`;
  // (a failure found outside the model checker, e.g. unit_mul32's structure, has no cycle)
  if (x.step === undefined) return `${x.label} (log: ${relative(process.cwd(), x.log)})`;
  const insn = x.insn === undefined ? '' : `, row of ${hex(x.insn)} (${lookup(x.insn)?.name ?? 'no instruction'}) at pc ${hex(x.pc ?? 0)}`;
  return `${x.label} in cycle ${x.step}${insn}; waveform ${x.vcd ? relative(process.cwd(), x.vcd) : '(not written)'}`;
}

/** A long check's progress: its first line after a minute, then at most one a minute; quick checks stay quiet. */
export const FRAME_PROGRESS_MS = 60_000;

/**
 * Progress lines of the checks' unrolling (bmc3's frames): `insn_lh: no failure up to cycle
 * 24 (of 0 to 38), 1234 s so far`. A frame's line comes when it is solved, so a slow frame holds the next.
 */
export function frameProgress(top: string, progress: Progress = stderrProgress, now = () => Date.now()) {
  const started = new Map<string, number>();
  const said = new Map<string, number>();
  return {
    start: (name: string) => started.set(name, now()),
    frame: (name: string, frame: number, depth: number) => {
      const t = now();
      const t0 = started.get(name) ?? t;
      if (t - (said.get(name) ?? t0) < FRAME_PROGRESS_MS) return;
      said.set(name, t);
      progress.step(`formal ${top}: ${name}: no failure up to cycle ${frame} (of 0 to ${depth - 1}), ${Math.round((t - t0) / 1000)} s so far`);
    },
  };
}

export async function runFormalCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { options: ['param', 'depth', 'check', 'jobs', 'out', 'engine', 'pdr-timeout', 'solver'], flags: ['cover'] });
  if (args.positionals.length !== 1 || args.positionals[0] !== 'rv32im') {
    throw new UsageError(`zkrtl formal takes the block rv32im${args.positionals.length ? `, not '${args.positionals.join(' ')}'` : ''}: zkrtl formal rv32im --param pipeline=5`);
  }
  const raw = parseParamArgs(args.options.param ?? []);
  const cfg = parseRv32imParams(raw);
  const depthText = single(args, 'depth');
  if (depthText !== undefined && !(/^\d+$/.test(depthText) && Number(depthText) >= 2 && Number(depthText) <= 200)) {
    throw new UsageError(`--depth ${depthText} is not accepted: give the cycles to unroll, 2 to 200 (default for this core: ${statedDepth(cfg)})`);
  }
  const jobsText = single(args, 'jobs');
  if (jobsText !== undefined && !(/^\d+$/.test(jobsText) && Number(jobsText) >= 1 && Number(jobsText) <= 256)) {
    throw new UsageError(`--jobs ${jobsText} is not accepted: give a number of checks to run at once, 1 to 256`);
  }
  const engineText = single(args, 'engine') ?? 'bmc';
  if (engineText !== 'bmc' && engineText !== 'pdr') {
    throw new UsageError(`--engine ${engineText} is not accepted: give bmc (bounded, to the depth) or pdr (unbounded proofs, or no verdict within --pdr-timeout)`);
  }
  const engine: FormalEngine = engineText;
  const pdrText = single(args, 'pdr-timeout');
  if (pdrText !== undefined && !(/^\d+$/.test(pdrText) && Number(pdrText) >= 1 && Number(pdrText) <= 86400)) {
    throw new UsageError(`--pdr-timeout ${pdrText} is not accepted: give the CPU seconds pdr may spend on each check, 1 to 86400 (default 1800)`);
  }
  if (pdrText !== undefined && engine !== 'pdr') throw new UsageError(`--pdr-timeout ${pdrText} is not accepted with --engine bmc: give --engine pdr`);
  if (depthText !== undefined && engine === 'pdr') throw new UsageError(`--depth ${depthText} is not accepted with --engine pdr: pdr proves at every depth (give --engine bmc for a bounded proof)`);
  const solverText = single(args, 'solver');
  const solver = BMC_SOLVERS.find((x) => x === solverText);
  if (solverText !== undefined && !solver) throw new UsageError(`--solver ${solverText} is not accepted: give ${BMC_SOLVERS.join(', ')} (bmc3's SAT solver; default ${DEFAULT_BMC_SOLVER})`);
  if (solverText !== undefined && engine !== 'bmc') throw new UsageError(`--solver ${solverText} is not accepted with --engine pdr: it picks bmc3's SAT solver (give --engine bmc)`);
  const pdrSeconds = pdrText === undefined ? undefined : Number(pdrText);
  const cover = args.flags.has('cover');
  if (cover && engine === 'pdr') throw new UsageError('--cover is not accepted with --engine pdr: a cover is a bounded search for a trace (give --engine bmc, the default)');
  const checkText = single(args, 'check');
  const only = checkText?.split(',').filter(Boolean);
  try {
    selectChecks(cfg, only, cover);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const top = rv32imTopName(cfg);
  const dir = single(args, 'out') ?? join('formal-out', top);
  const given = depthText === undefined ? undefined : Number(depthText);
  const depth = given ?? statedDepth(cfg);
  await ensureFormalTools({ log: (s) => stderrProgress.step(s) });

  const t0 = Date.now();
  const frames = frameProgress(top);
  const { runs } = await runFormal(raw, {
    depth: given,
    only,
    jobs: jobsText === undefined ? availableParallelism() : Number(jobsText),
    engine,
    solver,
    pdrSeconds,
    cover,
    dir,
    onStart: (c, i, n) => {
      frames.start(c.name);
      process.stderr.write(`zkrtl: formal ${top}: [${i + 1}/${n}] ${c.name} …\n`);
    },
    onFrame: (c, frame, depth) => frames.frame(c.name, frame, depth),
    onResult: (r, done, n) => {
      const detail = r.result.status !== 'pass' ? `: ${describeFailure(r)}` : cover ? `: ${describeCover(r)}` : '';
      process.stderr.write(`zkrtl: formal ${top}: ${done}/${n} done: ${r.check.name} ${verdict(r)} in ${r.result.seconds.toFixed(1)} s${detail}\n`);
    },
  });
  const w = Math.max(5, ...runs.map((r) => r.check.name.length));
  const header =
    engine === 'pdr'
      ? `formal ${top} (${JSON.stringify(raw)}), engine yosys-abc pdr (unbounded: a proof holds at every depth; ${pdrSeconds ?? 1800} CPU s per check)`
      : cover
        ? `formal ${top} (${JSON.stringify(raw)}), covers: a row of each instruction within ${depth} cycles from reset, engine yosys-abc bmc3 (${solver ?? DEFAULT_BMC_SOLVER})`
        : `formal ${top} (${JSON.stringify(raw)}), depth ${depth} cycles from reset (${given === undefined ? `reg and pc: ${regDepth(cfg)}, ` : ''}unit checks: their own depth), engine yosys-abc bmc3 (${solver ?? DEFAULT_BMC_SOLVER})`;
  const lines = [
    header,
    `${'check'.padEnd(w)}  ${'verdict'.padEnd(cover ? 11 : 7)}  depth  seconds  what`,
    ...runs.map((r) => {
      // (pdr unrolls nothing: a proof holds at every depth, a failure names its cycle)
      const depthCell = r.result.unbounded ? 'all' : engine === 'pdr' ? '–' : String(r.result.depth);
      const what = r.result.status !== 'pass' ? describeFailure(r) : cover ? describeCover(r) : r.check.what;
      return `${r.check.name.padEnd(w)}  ${verdict(r).padEnd(cover ? 11 : 7)}  ${depthCell.padStart(5)}  ${r.result.seconds.toFixed(1).padStart(7)}  ${what}`;
    }),
  ];
  const bad = runs.filter((r) => r.result.status !== 'pass');
  const proved = cover ? 'covers reached within their depth' : engine === 'pdr' ? 'checks proved at every depth' : 'checks proved to their depth';
  lines.push('', `${runs.length - bad.length} of ${runs.length} ${proved} in ${((Date.now() - t0) / 1000).toFixed(1)} s${bad.length ? `; not ${cover ? 'reached' : 'proved'}: ${bad.map((r) => r.check.name).join(', ')}` : ''}`);
  process.stdout.write(lines.join('\n') + '\n');
  return bad.length ? 1 : 0;
}
