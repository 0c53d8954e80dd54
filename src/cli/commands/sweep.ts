// `zkrtl sweep BLOCK`: every combination of the given values, synthesized in parallel worker
// processes, into sweep-out/<name>/ (results.csv, results.json, index.html).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { planSweep } from '../../sweep/plan.ts';
import { runSweep as synthesizeAll, type SweepFlow, type SweepResult, type SweepTarget } from '../../sweep/run.ts';
import { resultsCsv, resultsJson, sweepPage, sweepSummary } from '../../sweep/page.ts';
import { parseArgs, single } from '../args.ts';
import { UsageError } from '../errors.ts';
import { writeDirectoryAtomically } from '../output.ts';
import { stderrProgress } from '../progress.ts';
import { parsePnrSeeds } from './synth-pnr.ts';
import { parseTarget } from './synth.ts';

/** Options that go through to every `zkrtl synth` of the sweep, with the flows they belong to. */
const FLOW_OPTIONS: Record<string, (f: SweepFlow) => string | undefined> = {
  freq: (f) => (f.pnr ? undefined : '--freq goes with --pnr'),
  seed: (f) => (f.pnr ? undefined : '--seed goes with --pnr'),
  clock: (f) => (f.target === 'asic' ? undefined : '--clock goes with --target asic'),
  liberty: (f) => (f.target === 'asic' ? undefined : '--liberty goes with --target asic'),
  effort: (f) => (f.target === 'asic' ? undefined : '--effort goes with --target asic'),
};

function parseJobs(value: string | undefined): number {
  if (value === undefined) return availableParallelism();
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 256) throw new UsageError(`--jobs ${value} is not accepted: give a number of worker processes from 1 to 256`);
  return Number(value);
}

const minutes = (s: number) => (s < 90 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`);

export async function runSweep(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { options: ['field', 'prime', 'curve', 'param', 'target', 'jobs', 'out', ...Object.keys(FLOW_OPTIONS)], flags: ['pnr'] });
  if (args.positionals.length !== 1) throw new UsageError('zkrtl sweep takes one block: zkrtl sweep BLOCK --field F --param key=v1,v2 --target T');
  const target = parseTarget(single(args, 'target')) as SweepTarget;
  const flow: SweepFlow = { target, pnr: args.flags.has('pnr'), extraArgs: [] };
  if (flow.pnr && target !== 'ice40') throw new UsageError(`--pnr goes with --target ice40, not ${target}`);
  for (const [name, check] of Object.entries(FLOW_OPTIONS)) {
    const v = single(args, name);
    if (v === undefined) continue;
    const wrong = check(flow);
    if (wrong) throw new UsageError(wrong);
    // (each point is one placement, read from its report.json; zkrtl synth --pnr takes several seeds)
    if (name === 'seed' && parsePnrSeeds(v)!.length > 1) throw new UsageError(`--seed ${v} is not accepted by a sweep: each point is placed with one seed (zkrtl synth --pnr --seed ${v} places one design with each)`);
    flow.extraArgs.push(`--${name}`, v);
  }
  const jobs = parseJobs(single(args, 'jobs'));

  const started = Date.now();
  const plan = planSweep(
    { block: args.positionals[0]!, field: args.options.field, prime: args.options.prime, curve: args.options.curve, param: args.options.param },
    (done, total) => {
      if (total > 1 && Date.now() - started > 2000 && done % Math.max(1, Math.floor(total / 10)) === 0) stderrProgress.step(`sweep: generated ${done}/${total} designs`);
    },
  );
  const out = single(args, 'out') ?? join('sweep-out', plan.name);
  const total = plan.points.length;
  stderrProgress.step(`sweep ${plan.name}: ${total} design${total === 1 ? '' : 's'}, ${target}${flow.pnr ? ' place and route' : ''}, ${jobs} worker${jobs === 1 ? '' : 's'}`);

  // Time left: the mean worker time so far, times the designs still queued, over the workers.
  const times: number[] = [];
  const eta = (done: number) => {
    if (!times.length) return '';
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    return `, about ${minutes(mean * Math.ceil((total - done) / jobs))} left`;
  };
  let cachedCount = 0;
  let announced = false;
  const announceCache = () => {
    if (!announced && cachedCount) stderrProgress.step(`sweep: ${cachedCount} of ${total} from the cache`);
    announced = true;
  };
  const results: SweepResult[] = await synthesizeAll(plan, flow, jobs, {
    started(point, done, _total, running) {
      announceCache();
      stderrProgress.step(`sweep [${done}/${total}] running ${point.design!.top} (${Object.entries(point.params).map(([k, v]) => `${k}=${v}`).join(' ') || point.subject.value})${running.length > 1 ? ` and ${running.length - 1} more` : ''}${eta(done)}`);
    },
    finished(r, done) {
      // Cache hits are quick work: counted, not listed.
      if (r.cached) return void cachedCount++;
      if (r.status !== 'invalid') times.push(r.seconds);
      const what = r.status === 'ok' ? `done in ${minutes(r.seconds)}` : `${r.status}: ${r.error}`;
      stderrProgress.step(`sweep [${done}/${total}] ${r.point.design?.top ?? plan.block} #${r.point.index} ${what}${eta(done)}`);
    },
  });

  const command = ['zkrtl', 'sweep', ...argv].map((a) => (/^[\w./=,:-]+$/.test(a) ? a : `'${a}'`)).join(' ');
  writeDirectoryAtomically(
    out,
    new Map([
      ['results.json', resultsJson(plan, flow, results)],
      ['results.csv', resultsCsv(plan, flow, results)],
      ['index.html', sweepPage(plan, flow, results, command)],
    ]),
  );
  const ran = results.filter((r) => r.status !== 'invalid' && !r.cached).length;
  const cached = results.filter((r) => r.cached).length;
  process.stdout.write(
    [
      `${plan.name}: ${total} design${total === 1 ? '' : 's'} (${ran} synthesized, ${cached} from the cache) in ${minutes((Date.now() - started) / 1000)}`,
      ...sweepSummary(plan, flow, results),
      `wrote ${out}/ (index.html, results.csv, results.json)`,
    ].join('\n') + '\n',
  );
  return 0;
}
