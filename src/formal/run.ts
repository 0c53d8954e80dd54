// Runs formal checks of an rv32im configuration in parallel (one yosys + yosys-abc pair per
// check, `jobs` at a time) and reports each verdict as it arrives.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawParams } from '../gen/params.ts';
import { iterativeCycles, parseRv32imParams, rv32imTopName, type Rv32imConfig } from '../gen/rv32im.ts';
import { DEFAULT_BMC_SOLVER, formalYosysVersion, runBmc, type BmcResult, type BmcSolver, type FormalEngine } from './bmc.ts';
import { runMulComposition } from './mul-composition.ts';
import { coverChecks, formalChecks, generateHarness, livenessBound, RESET_CYCLES, UNIT_WIDTH, type FormalCheck } from './rvfi-harness.ts';

/**
 * The stated depth of a configuration, in cycles from the first reset cycle: reset, then the
 * longest instruction through the whole core, then a hazard window behind it (so the
 * instructions that depend on it, or are stalled or flushed by it, retire inside the bound).
 * pipeline=5: IF ID EX MEM WB (5) + D, the longest the divider is busy with a divide
 * (divMaxCycles: start, its prep cycles, every step; EX holds the divide D + 1 cycles, the last
 * seeing done, or D with div_result=mem, so 5 + D counts every cycle of it) or a multiply's
 * stages + 1, + a window of 5 (the pipeline refilled behind it;
 * 6 with redirect=mem, whose misprediction flushes one slot more) and half that occupancy
 * again (a second multiply or divide partly through EX).
 * multicycle (one instruction at a time, no hazards): the longest instruction (a divide:
 * D + 4; a multiply: stages + 4, or 37 with mul=serial) + its
 * registered row (1) + one ALU instruction behind it (3: FETCH, OPER, EXEC) and its row (1).
 */
export function statedDepth(cfg: Rv32imConfig): number {
  return depthFor(cfg, cfg.m ? iterativeCycles(cfg) : 0);
}

/** The stated depth's formula with a divide (or serial multiply) that holds EX (EXEC) for `divCycles` cycles. */
function depthFor(cfg: Rv32imConfig, divCycles: number): number {
  if (cfg.pipeline === '5') {
    const ex = cfg.m ? Math.max(divCycles, cfg.mulStages + 1) : 1;
    return RESET_CYCLES + 5 + ex + (cfg.redirectMem ? 6 : 5) + Math.ceil(ex / 2);
  }
  const longest = cfg.m ? Math.max(divCycles + 4, cfg.mulStages + 4) : 4;
  return RESET_CYCLES + longest + 1 + 3 + 1;
}

/**
 * The depth of the row-to-row checks, reg and pc. Register traffic and the pc chain do not
 * depend on how long a divide holds EX once everything older has retired and written: on the
 * 5-stage core that is 3 cycles (the instructions in MEM and WB retire and write, the held
 * ones in ID re-read; a fetch behind them is answered or still waiting, as in any cycle); on
 * the multicycle core (one instruction at a time, its write one cycle after it retires) 1
 * cycle. The formal stand-in divider may finish in any cycle (src/rtl-templates/rv32im_div.v.ejs),
 * so the bounded proof contains every shorter hold; the depth is the stated depth's formula
 * with the divide held that long. (At the full stated depth on the 5-stage core neither check
 * finishes in hours: the solver's time grows about 2.7x per cycle. `--engine pdr` proves both
 * on the multicycle core at every depth.)
 */
export function regDepth(cfg: Rv32imConfig): number {
  return depthFor(cfg, cfg.m ? (cfg.pipeline === '5' ? 3 : 1) : 0);
}

export interface FormalRun {
  check: FormalCheck;
  result: BmcResult;
  /** What the check's folder keeps of it (VERDICT_JSON); absent for a check taken from a record. */
  verdict?: CheckVerdict;
}

/** Each check's folder gets this file when the check is decided: what `zkrtl formal --from` records. */
export const VERDICT_JSON = 'verdict.json';

/** A check's verdict as its folder keeps it: the whole check's (unit_mul32: all three parts), about the model `model`. */
export interface CheckVerdict {
  check: string;
  kind: FormalCheck['kind'];
  status: BmcResult['status'];
  engine: FormalEngine;
  /** bmc: cycles unrolled; absent when pdr proved it at every depth. */
  depth?: number;
  solver?: BmcSolver;
  seconds: number;
  model?: string;
  yosys: string;
  /** When it was decided (ISO, UTC), and the code's commit as the run's caller gave it. */
  date: string;
  commit?: string;
}

function checkVerdict(check: FormalCheck, r: BmcResult, opts: FormalOptions): CheckVerdict {
  const engine = opts.engine ?? 'bmc';
  return {
    check: check.name, kind: check.kind, status: r.status, engine,
    ...(r.unbounded ? {} : { depth: r.depth }), ...(engine === 'bmc' ? { solver: opts.solver ?? DEFAULT_BMC_SOLVER } : {}),
    seconds: Math.round(r.seconds * 10) / 10, ...(r.model ? { model: r.model } : {}), yosys: formalYosysVersion(),
    date: new Date().toISOString(), ...(opts.commit ? { commit: opts.commit } : {}),
  };
}

export interface FormalOptions {
  /** The code's commit, for the checks' verdict files (the CLI: the checkout's). */
  commit?: string;
  depth?: number;
  /** Check names to run (default: all). Unknown names are an Error naming the accepted ones. */
  only?: string[];
  jobs: number;
  /** bmc (default): bounded, to the depth; pdr: unbounded proofs, or no verdict in pdrSeconds. */
  engine?: FormalEngine;
  /** bmc: the SAT solver (default glucose). */
  solver?: BmcSolver;
  pdrSeconds?: number;
  /** Run the cover checks (one per instruction check) instead of the proofs. */
  cover?: boolean;
  /** The unit checks' width (default: 6 bits for unit_mul, 8 for unit_div); the tests' fast subset narrows it. */
  unitWidth?: number;
  /** Work folder: one sub-folder per check (Verilog, models, logs, counterexample.vcd). */
  dir: string;
  onStart?: (check: FormalCheck, index: number, total: number) => void;
  onResult?: (run: FormalRun, done: number, total: number) => void;
  /** bmc: a check's cycle `frame` (0-based) of `depth` is unrolled and holds. */
  onFrame?: (check: FormalCheck, frame: number, depth: number) => void;
}

export function selectChecks(cfg: Rv32imConfig, only: string[] | undefined, cover = false): FormalCheck[] {
  const all = cover ? coverChecks(cfg) : formalChecks(cfg);
  if (!only) return all;
  const names = new Set(all.map((c) => c.name));
  const bad = only.filter((n) => !names.has(n));
  if (bad.length) throw new Error(`--check ${bad.join(',')} is not a ${cover ? 'cover' : 'check'} of this core${cover ? ' (--cover)' : ''}: accepted are ${[...names].join(', ')}`);
  return all.filter((c) => only.includes(c.name));
}

export async function runFormal(raw: RawParams, opts: FormalOptions): Promise<{ top: string; depth: number; runs: FormalRun[] }> {
  const cfg = parseRv32imParams(raw);
  const top = rv32imTopName(cfg);
  const checks = selectChecks(cfg, opts.only, opts.cover);
  const depth = opts.depth ?? statedDepth(cfg);
  const runs: FormalRun[] = new Array(checks.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < checks.length) {
      const i = next++;
      const check = checks[i]!;
      opts.onStart?.(check, i, checks.length);
      // Unit checks run their own, shorter, bounded harness (the unit's latency bounds it).
      const dir = join(opts.dir, check.name);
      await rm(join(dir, VERDICT_JSON), { force: true });
      const depth = checkDepth(cfg, check, opts.depth, opts.unitWidth);
      const onFrame = opts.onFrame && ((frame: number) => opts.onFrame!(check, frame, depth));
      const run = { depth, dir, engine: opts.engine, solver: opts.solver, pdrSeconds: opts.pdrSeconds, onFrame };
      let result: BmcResult;
      if (check.kind === 'unit_mul32') result = await runMulComposition(cfg, run);
      else {
        const bmc = await runBmc(generateHarness(raw, check, { unitWidth: opts.unitWidth }), run);
        result = check.kind === 'cover' ? coverVerdict(bmc) : bmc;
      }
      const verdict = checkVerdict(check, result, opts);
      runs[i] = { check, result, verdict };
      await writeFile(join(dir, VERDICT_JSON), JSON.stringify(verdict, null, 2) + '\n');
      opts.onResult?.(runs[i]!, ++done, checks.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, checks.length)) }, worker));
  return { top, depth, runs };
}

/**
 * A cover passes when its row is reached: the model checker's counterexample is the trace
 * (step: the cycle the row is on the trace port; vcd: the waveform). No counterexample within
 * the depth is the cover's failure.
 */
export function coverVerdict(r: BmcResult): BmcResult {
  if (r.status === 'fail') return { ...r, status: 'pass' };
  if (r.status === 'pass') return { ...r, status: 'fail', unbounded: undefined, label: r.unbounded ? 'no such row retires at any depth' : `no such row retires within ${r.depth} cycles` };
  return r;
}

/**
 * The depth a check runs at: unit checks their own; `live` at least long enough for its bound
 * to be exceeded (reset, then B + 1 cycles without a row); the others the given depth, or
 * without one the stated depth (`reg` and `pc`: their own, regDepth).
 */
export function checkDepth(cfg: Rv32imConfig, check: FormalCheck, given?: number, unitWidth?: number): number {
  if (check.kind === 'unit_mul' || check.kind === 'unit_div') return unitDepth(cfg, check.kind, unitWidth);
  // (unit_mul32: the same multiplier at 32 bits, the same state)
  if (check.kind === 'unit_mul32') return unitDepth(cfg, 'unit_mul');
  const depth = given ?? (check.kind === 'reg' || check.kind === 'pc' ? regDepth(cfg) : statedDepth(cfg));
  if (check.kind === 'live') return Math.max(depth, RESET_CYCLES + livenessBound(cfg) + 1);
  return depth;
}

/**
 * Unit proofs. The multiplier's only state is its result stages, so stages + 2 cycles reach
 * every state (deeper adds nothing, and each cycle is a product equivalence for the solver).
 * The divider: its registers have no initial value, so the start assumed in cycle 0 is a start
 * from any state (a restart while busy too), and one whole operation from there covers every
 * operation: start, the prep cycles, UNIT_WIDTH/bits
 * steps (a multiply with mul=serial: UNIT_WIDTH steps, no prep), the cycle done is read, and
 * one more.
 */
export function unitDepth(cfg: Rv32imConfig, unit: 'unit_mul' | 'unit_div', width = UNIT_WIDTH): number {
  if (unit === 'unit_mul') return cfg.mulStages + 2;
  // div_reuse: the reset cycle before that start, then a start that takes the finished
  // division's result (the registers keep nothing else: a start that does not reuse overwrites
  // them all again) and the cycle its result is read: every reuse of every division.
  return iterativeCycles(cfg, width) + (cfg.divReuse ? 4 : 2);
}
