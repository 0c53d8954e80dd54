// Runs a sweep's syntheses: each design in its own worker process (`zkrtl synth`, the same
// flow a user runs by hand), --jobs at a time, each result cached by a hash of the design's
// RTL and of the flow, so a re-run with one more value only synthesizes the new designs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../base/paths.ts';
import { lastLine, runProcess } from '../tools/process.ts';
import { ZKRTL_VERSION, verilogSources } from '../gen/design.ts';
import type { SweepPlan, SweepPoint } from './plan.ts';

export type SweepTarget = 'generic' | 'xilinx' | 'ice40' | 'ecp5' | 'asic';

export interface SweepFlow {
  target: SweepTarget;
  /** iCE40 place and route (Fmax). */
  pnr: boolean;
  /** Further `zkrtl synth` options of the flow (--clock, --liberty, --seed, --freq), in the cache key. */
  extraArgs: string[];
}

/** What one synthesis measured; absent fields do not apply to the target. */
export interface SweepMetrics {
  lut?: number;
  ff?: number;
  dsp?: number;
  carry?: number;
  bram?: number;
  /** Logic levels of the longest path: LUTs (FPGA) or gates (generic). */
  levels?: number;
  fmaxMhz?: number | null;
  areaUm2?: number;
  nand2?: number;
  /** Cells of the netlist: generic gates, standard cells. */
  cells?: number;
  /** The tool that produced the figures (Yosys, nextpnr or OpenSTA version). */
  tool: string;
}

export interface SweepResult {
  point: SweepPoint;
  status: 'ok' | 'error' | 'invalid';
  metrics?: SweepMetrics;
  error?: string;
  /** Wall time of the worker (from the cache: of the run that filled it). */
  seconds: number;
  cached: boolean;
}

export interface SweepEvents {
  /** A worker starts `point`; `done` results are in, `total` in all. */
  started?(point: SweepPoint, done: number, total: number, running: SweepPoint[]): void;
  finished?(result: SweepResult, done: number, total: number, running: SweepPoint[]): void;
}

/** Root of the sweep cache: $ZKRTL_SWEEP_CACHE, else <repo>/.cache/sweep. */
export function sweepCacheDir(): string {
  const env = process.env.ZKRTL_SWEEP_CACHE;
  return env ? resolve(env) : join(REPO_ROOT, '.cache', 'sweep');
}

/** The sources of each flow: a change to one of them re-runs the designs of that flow. */
function flowSources(flow: SweepFlow): string[] {
  const files = ['src/synth/synth.ts', 'src/synth/yosys.ts', 'src/cli/commands/synth.ts'];
  if (flow.pnr) files.push('src/synth/pnr.ts', 'src/synth/wrappers.ts', 'src/cli/commands/synth-pnr.ts');
  if (flow.target === 'asic') files.push('src/synth/asic.ts', 'src/synth/liberty.ts', 'src/cli/commands/synth-asic.ts');
  return files;
}

/** The flow's sources and the tools it would pick, hashed. */
function flowFingerprint(flow: SweepFlow): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ zkrtl: ZKRTL_VERSION, flow, env: ['YOSYS', 'NEXTPNR', 'STA'].map((v) => process.env[v] ?? '') }));
  for (const f of flowSources(flow)) h.update(f).update(readFileSync(join(REPO_ROOT, f)));
  for (const pkg of ['@yowasp/yosys', '@yowasp/nextpnr-ice40']) {
    const path = join(REPO_ROOT, 'node_modules', pkg, 'package.json');
    h.update(existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).version : 'absent');
  }
  return h.digest('hex');
}

function cacheKey(point: SweepPoint, flowHash: string): string {
  const h = createHash('sha256').update(flowHash).update(point.design!.top);
  for (const [name, text] of Object.entries(verilogSources(point.design!)).sort(([a], [b]) => (a < b ? -1 : 1))) h.update(name).update('\0').update(text).update('\0');
  return h.digest('hex');
}

/** The figures of a `zkrtl synth` report.json, whichever flow wrote it. */
export function metricsOf(report: Record<string, any>): SweepMetrics {
  if (report.target === 'asic') {
    return { areaUm2: report.areaUm2, nand2: report.nand2Equivalents, ff: report.ffs, cells: report.totalCells, fmaxMhz: report.sta?.fmaxMhz ?? null, tool: `Yosys ${report.yosysVersion}; OpenSTA ${report.staVersion}` };
  }
  if (typeof report.lcs === 'number') {
    return { lut: report.lcs, ff: report.yosys?.ffs, dsp: report.dsps, carry: report.yosys?.carry, bram: report.brams, fmaxMhz: report.fmaxMhz, tool: `Yosys ${report.yosys?.version}; ${report.nextpnrVersion}` };
  }
  if (report.target === 'generic') {
    return { cells: report.totalCells, ff: report.ffs, bram: report.bram, levels: report.longestPath?.cells, tool: `Yosys ${report.yosysVersion}` };
  }
  return { lut: report.luts, ff: report.ffs, dsp: report.dsps, carry: report.carry, bram: report.bram, levels: report.longestPath?.lutLevels ?? undefined, tool: `Yosys ${report.yosysVersion}` };
}

/** The `zkrtl synth` command line of one point. */
export function synthArgs(plan: SweepPlan, point: SweepPoint, flow: SweepFlow, out: string): string[] {
  const args = ['synth', plan.block];
  if (point.subject.option) args.push(`--${point.subject.option}`, point.subject.value);
  for (const [k, v] of Object.entries(point.params)) args.push('--param', `${k}=${v}`);
  args.push('--target', flow.target);
  if (flow.pnr) args.push('--pnr');
  // A core is swept in its FPGA top (one report.json; `zkrtl synth` alone places it bare too).
  if (flow.pnr && plan.block === 'rv32im') args.push('--wrap', 'top');
  return [...args, ...flow.extraArgs, '--out', out];
}

/** The worker's one-line error: the last line it wrote, without the CLI's prefix. */
const workerError = (stderr: string) => lastLine(stderr).replace(/^zkrtl: (error: )?/, '');

/**
 * Synthesizes every point of `plan` with `jobs` workers. Results come back in the plan's
 * order; a design that fails is a result with its error, the sweep goes on.
 */
export async function runSweep(plan: SweepPlan, flow: SweepFlow, jobs: number, events: SweepEvents = {}): Promise<SweepResult[]> {
  const cacheDir = sweepCacheDir();
  const flowHash = flowFingerprint(flow);
  const results: (SweepResult | undefined)[] = plan.points.map(() => undefined);
  const total = plan.points.length;
  let done = 0;
  const running: SweepPoint[] = [];
  const finish = (r: SweepResult) => {
    results[r.point.index - 1] = r;
    done++;
    events.finished?.(r, done, total, running);
  };

  const queue: SweepPoint[] = [];
  for (const point of plan.points) {
    if (!point.design) {
      finish({ point, status: 'invalid', error: point.error, seconds: 0, cached: false });
      continue;
    }
    const file = join(cacheDir, `${cacheKey(point, flowHash)}.json`);
    if (existsSync(file)) {
      const entry = JSON.parse(readFileSync(file, 'utf8'));
      finish({ point, status: 'ok', metrics: entry.metrics, seconds: entry.seconds ?? 0, cached: true });
      continue;
    }
    queue.push(point);
  }

  const scratch = mkdtempSync(join(tmpdir(), 'zkrtl-sweep-'));
  try {
    const worker = async () => {
      for (let point = queue.shift(); point; point = queue.shift()) {
        running.push(point);
        events.started?.(point, done, total, running);
        const out = join(scratch, `d${point.index}`);
        const started = Date.now();
        const r = await runProcess([process.execPath, join(REPO_ROOT, 'bin', 'zkrtl.mjs'), ...synthArgs(plan, point, flow, out)]);
        const seconds = (Date.now() - started) / 1000;
        running.splice(running.indexOf(point), 1);
        const reportPath = join(out, 'report.json');
        if (r.code === 0 && existsSync(reportPath)) {
          const metrics = metricsOf(JSON.parse(readFileSync(reportPath, 'utf8')));
          mkdirSync(cacheDir, { recursive: true });
          const file = join(cacheDir, `${cacheKey(point, flowHash)}.json`);
          writeFileSync(`${file}.tmp-${process.pid}`, JSON.stringify({ top: point.design!.top, metrics, seconds }) + '\n');
          renameSync(`${file}.tmp-${process.pid}`, file);
          finish({ point, status: 'ok', metrics, seconds, cached: false });
        } else {
          finish({ point, status: 'error', error: r.signal ? `zkrtl synth killed by ${r.signal}` : workerError(r.stderr), seconds, cached: false });
        }
        rmSync(out, { recursive: true, force: true });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, queue.length)) }, worker));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return results as SweepResult[];
}
