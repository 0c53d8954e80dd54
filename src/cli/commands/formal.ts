// `zkrtl formal rv32im`: the RVFI checks of a core configuration by bounded model checking
// (src/formal), in parallel on the machine's cores: a line per check as it finishes, then a
// table. A failing check names the assert, the cycle and the instruction, and leaves a VCD.
import { execFileSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookup } from '../../formal/isa-spec.ts';
import { BMC_SOLVERS, DEFAULT_BMC_SOLVER, ensureFormalTools, type FormalEngine } from '../../formal/bmc.ts';
import { addProof, covers, currentModel, formatProofBook, parseProofBook, proofInFolder, proofRecord, provedVerdict, type ProofBook, type ProofRecord, type ProvedVerdict } from '../../formal/proof-record.ts';
import { checkDepth, regDepth, runFormal, selectChecks, statedDepth, type FormalRun } from '../../formal/run.ts';
import type { FormalCheck } from '../../formal/rvfi-harness.ts';
import { parseParamArgs } from '../../gen/params.ts';
import { parseRv32imParams, rv32imTopName } from '../../gen/rv32im.ts';
import { parseArgs, single } from '../args.ts';
import { UsageError } from '../errors.ts';
import { writeFileAtomically } from '../output.ts';
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

/** The zkrtl checkout's commit (`+` when its src/ differs from it), for a proof's record; undefined outside git. */
function sourceCommit(): string | undefined {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return git('rev-parse', '--short', 'HEAD').trim() + (git('status', '--porcelain', '--', 'src').trim() ? '+' : '');
  } catch {
    return undefined;
  }
}

/** The record file's proofs (none when it does not exist yet); an unreadable one is a usage error. */
function readProofBook(path: string): ProofBook {
  if (!existsSync(path)) return { proofs: [] };
  try {
    return parseProofBook(readFileSync(path, 'utf8'), path);
  } catch (e) {
    throw new UsageError(`--record ${(e as Error).message}`);
  }
}

/** --record FILE must be a file this run can write, checked before hours of proofs, not after. */
function checkRecordPath(path: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`--record ${path} is a directory: give the path of a JSON file (e.g. bench/rv32im-proofs.json)`);
  let dir = dirname(resolve(path));
  while (!existsSync(dir)) dir = dirname(dir);
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
  } catch {
    throw new UsageError(`--record ${path} cannot be written here (${dir}): give a file in a folder this user can write`);
  }
  readProofBook(path);
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Adds a proof to the record file: under a lock file (runs of other configurations may record
 * into the same file at once), read again, the proof added, written atomically. A lock left by
 * a process that died is taken over after a minute.
 */
function addToRecordFile(path: string, rec: ProofRecord): void {
  const lock = `${path}.lock`;
  for (let waited = 0; ; waited += 50) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, { force: true });
      else if (waited > 120_000) throw new Error(`${lock} has been held for two minutes: remove it if no zkrtl formal is recording into ${path}`);
      else sleepSync(50);
    }
  }
  try {
    writeFileAtomically(path, formatProofBook(addProof(readProofBook(path), rec)));
  } finally {
    rmSync(lock, { force: true });
  }
}

const onRecord = (rec: ProofRecord) => `on record: ${rec.date}${rec.commit ? ` at ${rec.commit}` : ''}${rec.engine === 'pdr' ? ', pdr' : `, to ${rec.depth}`}`;

export async function runFormalCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { options: ['param', 'depth', 'check', 'jobs', 'out', 'engine', 'pdr-timeout', 'solver', 'record', 'from'], flags: ['cover', 'resume'] });
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
  const recordPath = single(args, 'record');
  const from = single(args, 'from');
  const resume = args.flags.has('resume');
  if (recordPath !== undefined && cover) throw new UsageError(`--record ${recordPath} is not accepted with --cover: a reached cover is no proof (give one of them)`);
  if (resume && recordPath === undefined) throw new UsageError('--resume needs --record FILE: the record whose proofs are not run again');
  if (from !== undefined && recordPath === undefined) throw new UsageError(`--from ${from} needs --record FILE: the record the proofs found in ${from} go into`);
  if (from !== undefined && resume) throw new UsageError(`--from ${from} is not accepted with --resume: --from runs nothing, it records what an earlier run proved`);
  if (from !== undefined && (depthText !== undefined || args.options.engine || solverText !== undefined || jobsText !== undefined || pdrText !== undefined || args.options.out)) {
    throw new UsageError(`--from ${from} runs nothing: give no --depth, --engine, --solver, --pdr-timeout, --jobs or --out with it (the depth and engine are those of the run that left ${from})`);
  }
  if (from !== undefined && !(existsSync(from) && statSync(from).isDirectory())) throw new UsageError(`--from ${from} is not a folder: give the --out folder of an earlier zkrtl formal run`);
  if (recordPath !== undefined) checkRecordPath(recordPath);
  const top = rv32imTopName(cfg);
  const dir = single(args, 'out') ?? join('formal-out', top);
  const given = depthText === undefined ? undefined : Number(depthText);
  const depth = given ?? statedDepth(cfg);
  const selected = selectChecks(cfg, only, cover);
  const commit = sourceCommit();
  let recordedNow = 0;
  const record = (v: ProvedVerdict) => {
    addToRecordFile(recordPath!, proofRecord(raw, top, v));
    recordedNow++;
  };
  await ensureFormalTools({ log: (s) => stderrProgress.step(s) });
  if (from !== undefined) return recordFromFolder(raw, top, selected, from, recordPath!, record);

  // --resume: checks whose model the record holds proved, as deep as this run's or by pdr, are not run.
  const onBook = new Map<string, ProofRecord>();
  if (resume) {
    const book = readProofBook(recordPath!);
    for (const c of selected) {
      const rec = book.proofs.find((p) => p.top === top && p.check === c.name);
      if (rec && covers(rec, currentModel(raw, c), engine, engine === 'pdr' ? undefined : checkDepth(cfg, c, given))) onBook.set(c.name, rec);
    }
    for (const [name, rec] of onBook) process.stderr.write(`zkrtl: formal ${top}: ${name} proved (${onRecord(rec)}, ${rec.seconds.toFixed(1)} s in ${recordPath}): not run again\n`);
  }
  const toRun = selected.filter((c) => !onBook.has(c.name)).map((c) => c.name);

  const t0 = Date.now();
  const frames = frameProgress(top);
  const { runs: ran } = await runFormal(raw, {
    depth: given,
    only: toRun,
    commit,
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
      // (the verdict its folder keeps: --from records the same proof from it)
      const proved = recordPath !== undefined && r.verdict && provedVerdict(r.verdict);
      if (proved) record(proved);
    },
  });
  // The table lists the checks on record too, in the order of the checks.
  const runs: FormalRun[] = selected.map((c) => {
    const rec = onBook.get(c.name);
    if (!rec) return ran.find((r) => r.check.name === c.name)!;
    return { check: c, result: { status: 'pass', seconds: rec.seconds, depth: rec.depth ?? 0, unbounded: rec.engine === 'pdr', log: recordPath!, model: rec.model } };
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
      const rec = onBook.get(r.check.name);
      const what = r.result.status !== 'pass' ? describeFailure(r) : cover ? describeCover(r) : rec ? `${r.check.what} (${onRecord(rec)})` : r.check.what;
      return `${r.check.name.padEnd(w)}  ${verdict(r).padEnd(cover ? 11 : 7)}  ${depthCell.padStart(5)}  ${r.result.seconds.toFixed(1).padStart(7)}  ${what}`;
    }),
  ];
  const bad = runs.filter((r) => r.result.status !== 'pass');
  const proved = cover ? 'covers reached within their depth' : engine === 'pdr' ? 'checks proved at every depth' : 'checks proved to their depth';
  const recorded = onBook.size ? ` (${onBook.size} on record in ${recordPath}, not run again)` : '';
  lines.push('', `${runs.length - bad.length} of ${runs.length} ${proved}${recorded} in ${((Date.now() - t0) / 1000).toFixed(1)} s${bad.length ? `; not ${cover ? 'reached' : 'proved'}: ${bad.map((r) => r.check.name).join(', ')}` : ''}`);
  if (recordPath !== undefined) lines.push(recordedNow ? `${recordedNow} proof${recordedNow > 1 ? 's' : ''} recorded in ${recordPath}` : `no proof recorded in ${recordPath} (this run proved none)`);
  process.stdout.write(lines.join('\n') + '\n');
  return bad.length ? 1 : 0;
}

/**
 * --from DIR: the proofs an earlier run left in DIR (each check's verdict file), recorded with
 * that run's time, commit and Yosys when the model they are about is the one the code makes
 * now. Runs nothing; exit 1 when a check is not recorded.
 */
function recordFromFolder(raw: Record<string, string>, top: string, checks: FormalCheck[], from: string, recordPath: string, record: (v: ProvedVerdict) => void): number {
  const missing: string[] = [];
  const w = Math.max(5, ...checks.map((c) => c.name.length));
  const lines = [`formal ${top} (${JSON.stringify(raw)}): proofs found in ${from}`, `${'check'.padEnd(w)}  ${'recorded'.padEnd(8)}  depth  seconds  why not`];
  for (const c of checks) {
    const found = proofInFolder(join(from, c.name));
    const why = 'why' in found ? found.why : found.verdict.model !== currentModel(raw, c) ? `${join(from, c.name)} was about another model than the code makes now (stale)` : '';
    if (!('verdict' in found) || why) {
      missing.push(c.name);
      lines.push(`${c.name.padEnd(w)}  ${'no'.padEnd(8)}  ${'–'.padStart(5)}  ${'–'.padStart(7)}  ${why}`);
      continue;
    }
    const v = found.verdict;
    record(v);
    lines.push(`${c.name.padEnd(w)}  ${'yes'.padEnd(8)}  ${(v.depth === undefined ? 'all' : String(v.depth)).padStart(5)}  ${v.seconds.toFixed(1).padStart(7)}`);
  }
  lines.push('', `${checks.length - missing.length} of ${checks.length} checks recorded in ${recordPath}${missing.length ? `; not recorded: ${missing.join(', ')}` : ''}`);
  process.stdout.write(lines.join('\n') + '\n');
  return missing.length ? 1 : 0;
}
