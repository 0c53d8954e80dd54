// Bounded model checking of one formal check (src/formal/rvfi-harness.ts). Yosys reads the
// harness with `read_verilog -formal`, flattens it, and writes it as an AIGER circuit whose
// bad-state outputs are the asserts and whose constraints are the assumes. ABC's bmc3
// (yosys-abc, shipped with Yosys) unrolls it to the depth and decides whether any assert can
// fail in any cycle. A counterexample is replayed on the word-level design with Yosys `sim`
// into a VCD, where the harness's fail_<i> wires say which assert failed.
//
// Why ABC and not yosys-smtbmc: measured on insn_add of pipeline=5 (m=off), Debian's z3 4.8
// took 61 s to read the model and did not finish step 0 in 4 minutes; Debian's boolector is
// version 1.5, which rejects the SMT-LIB commands yosys-smtbmc sends (set-option); ABC's
// bmc3 unrolled the same check to 12 cycles in 0.8 s and to 25 in 4.3 s (README).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDebianPackages, lastLine, runProcess, which } from '../tools/process.ts';
import { UNKEEP_HIERARCHY, undeclaredNames } from '../synth/yosys.ts';
import type { Harness } from './rvfi-harness.ts';

const INSTALL_HINT = 'install it with `apt-get install yosys` (Debian: the native Yosys, which ships yosys-abc)';

/** Native yosys and yosys-abc: installed from Debian when missing and root, else an Error saying how. */
export function ensureFormalTools(opts: { log?: (s: string) => void } = {}): Promise<void> {
  return ensureDebianPackages({
    packages: [{ pkg: 'yosys', present: () => which('yosys') !== undefined && which('yosys-abc') !== undefined }],
    purpose: 'needed for the formal checks (zkrtl formal)',
    hint: INSTALL_HINT,
    log: opts.log,
  });
}

/**
 * bmc: ABC's bmc3 unrolls the circuit `depth` cycles: a proof holds up to that depth.
 * pdr: ABC's pdr (property-directed reachability, IC3) looks for an inductive invariant: a
 * proof holds at every depth (unbounded); a failure is a counterexample like bmc3's; within
 * the time limit it may find neither (status 'open').
 */
export type FormalEngine = 'bmc' | 'pdr';

/**
 * The SAT solver of bmc3: glucose (Glucose 3.0, bmc3 -g, the default), minisat (bmc3's own,
 * without a flag) or satoko (bmc3 -s). Measured in ABC's CPU time on the clock configuration's
 * insn_lbu to depth 39 (README): glucose 686 s, satoko 853 s, minisat no verdict after 69 CPU minutes.
 */
export type BmcSolver = 'glucose' | 'minisat' | 'satoko';
export const BMC_SOLVERS: readonly BmcSolver[] = ['glucose', 'minisat', 'satoko'];
export const DEFAULT_BMC_SOLVER: BmcSolver = 'glucose';
const SOLVER_FLAG: Record<BmcSolver, string> = { glucose: ' -g', minisat: '', satoko: ' -s' };

export interface BmcOptions {
  /** Cycles unrolled (asserts are checked in every one); unused by pdr. */
  depth: number;
  engine?: FormalEngine;
  /** bmc: the SAT solver (default glucose). */
  solver?: BmcSolver;
  /** pdr: CPU seconds before it gives up without a verdict (ABC's pdr -T counts the process's CPU time). */
  pdrSeconds?: number;
  /** Folder for the Verilog, the models, the logs and a counterexample's VCD. */
  dir: string;
  timeoutMs?: number;
  /** bmc: called as each cycle (frame, 0 = the first reset cycle) is unrolled and holds, so a long check can say how far it is. */
  onFrame?: (frame: number) => void;
}

export interface BmcResult {
  /** open: pdr ran out of time with neither a proof nor a counterexample. */
  status: 'pass' | 'fail' | 'error' | 'open';
  seconds: number;
  depth: number;
  /** pass by pdr: the asserts hold at every depth, not only up to `depth`. */
  unbounded?: boolean;
  /** fail: the cycle (frame, 0 = the first reset cycle) the assert failed in. */
  step?: number;
  /** fail: what failed (the assert's label). */
  label?: string;
  /** fail: the counterexample trace. */
  vcd?: string;
  /** fail: the instruction word and pc of the row at that cycle, when the trace has one. */
  insn?: number;
  pc?: number;
  /** error: the reason, one line. */
  error?: string;
  /** The log of the step that decided. */
  log: string;
  /** The model's digest (harnessDigest): what was checked, for a proof's record. */
  model?: string;
}

const PREP = (files: string[], top: string, prepare: string[] = []) => [
  `read_verilog -formal ${files.join(' ')}`,
  UNKEEP_HIERARCHY,
  `prep -top ${top}`,
  'flatten',
  ...prepare,
  // Free values inside the design (formal_any_*, e.g. a register-file read that collides with a
  // write) become top-level inputs, so the witness names them and the replay gets them right.
  'expose -input w:*formal_any_*',
  // The design's own wiring is checked here (nothing undriven, no driver conflicts), before
  // memory_map and the undriven bits it leaves, which are made free below.
  'check -assert',
  'memory_map',
  'opt -fast',
  'async2sync',
  'chformal -assume -early',
  // Undriven bits are free too: memory_map leaves the read of a memory's missing word (the
  // async register file has no x0) undriven behind a mux that never selects it.
  'setundef -undriven -anyseq',
  'opt -keepdc -fast',
  'check -assert',
];

const AIGER = ['write_rtlil model.il', 'delete -output', 'techmap', 'setundef -anyseq', 'dffunmap', 'aigmap', 'write_aiger -I -B -zinit -map model.aim model.aig'];

/** bmc3 -v's line for a solved frame ('+': every output decided in it; '-': some left undecided by a conflict limit). */
const BMC3_FRAME = /^\s*(\d+) [+-] : Var =/;

type Run = { code: number | null; stdout: string; stderr: string };
const failed = (e: Error): Run => ({ code: -1, stdout: '', stderr: e.message });

/** What ABC does to the model before the engine runs: part of what a proof is about (fold makes the assumes constraints). */
const ABC_PREPARE = 'read_aiger model.aig; fold; strash';

/**
 * What a check's verdict is about, as files: the harness's modules, one file each, the script
 * that makes the model (model.ys), and ABC's preparation of it (model.abc). The engine's
 * command adds only the engine, the depth and the solver.
 */
export function bmcModelFiles(h: Harness): { name: string; text: string }[] {
  const files = h.modules.map((m) => ({ name: `${m.name}.v`, text: m.text }));
  return [
    ...files,
    { name: 'model.ys', text: [...PREP(files.map((f) => f.name), h.top, h.prepare), ...AIGER].join('\n') + '\n' },
    { name: 'model.abc', text: `${ABC_PREPARE}\n` },
  ];
}

let yosysVersionLine: string | undefined;
/** The native Yosys's version line (`yosys -V`), which reads every check's model. */
export function formalYosysVersion(): string {
  return (yosysVersionLine ??= execFileSync('yosys', ['-V'], { encoding: 'utf8' }).trim());
}

/**
 * sha256 of a check's model: its files (names and texts, in name order) and the Yosys that
 * reads them. Equal digests, the same model: a proof of one holds for the other.
 */
export function modelDigest(files: readonly { name: string; text: string }[], yosys: string): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) hash.update(`${f.name}\0${f.text.length}\0${f.text}`);
  hash.update(`yosys -V\0${yosys}`);
  return `sha256:${hash.digest('hex')}`;
}

/** The digest of the model a harness makes, read by the native Yosys. */
export const harnessDigest = (h: Harness, yosys = formalYosysVersion()): string => modelDigest(bmcModelFiles(h), yosys);

/** Runs one check; never throws for a failing or erroring check (status says). */
export async function runBmc(h: Harness, opts: BmcOptions): Promise<BmcResult> {
  const t0 = Date.now();
  const seconds = () => (Date.now() - t0) / 1000;
  const { dir, depth } = opts;
  await mkdir(dir, { recursive: true });
  // (an earlier run's verdict and witness are not this run's)
  for (const f of ['abc.log', 'cex.aiw', 'counterexample.vcd']) await rm(join(dir, f), { force: true });
  const files = bmcModelFiles(h);
  for (const f of files) await writeFile(join(dir, f.name), f.text);
  const model = modelDigest(files, formalYosysVersion());
  const ylog = join(dir, 'yosys.log');
  const y = await runProcess(['yosys', '-q', '-l', 'yosys.log', '-s', 'model.ys'], { cwd: dir, timeoutMs: opts.timeoutMs }).catch(failed);
  // A name used but never declared would be proved about as an undriven 1-bit wire (-q still
  // prints warnings, on stderr).
  const undeclared = undeclaredNames(y.stderr);
  if (undeclared.length) return { status: 'error', seconds: seconds(), depth, model, error: `yosys: ${undeclared.join('; ')}`, log: ylog };
  if (y.code !== 0) return { status: 'error', seconds: seconds(), depth, model, error: `yosys: ${lastLine(y.stderr || y.stdout)}`, log: ylog };

  const alog = join(dir, 'abc.log');
  const pdr = opts.engine === 'pdr';
  // (bmc3 -v prints a line as each frame is solved, `  12 + : Var = …`, flushed: the progress)
  const engine = pdr ? `pdr -T ${opts.pdrSeconds ?? 1800}` : `bmc3${SOLVER_FLAG[opts.solver ?? DEFAULT_BMC_SOLVER]} -v -F ${depth}`;
  const onFrame = opts.onFrame;
  const onLine = onFrame && !pdr ? (l: string) => {
    const f = BMC3_FRAME.exec(l);
    if (f) onFrame(Number(f[1]));
  } : undefined;
  const a = await runProcess(['yosys-abc', '-c', `${ABC_PREPARE}; ${engine}; write_cex -a cex.aiw`], { cwd: dir, timeoutMs: opts.timeoutMs, onLine }).catch(failed);
  await writeFile(alog, a.stdout + a.stderr);
  if (pdr && /Property proved/.test(a.stdout)) return { status: 'pass', seconds: seconds(), depth, model, unbounded: true, log: alog };
  if (pdr && /UNDECIDED/i.test(a.stdout)) {
    const why = /Reached timeout/.test(a.stdout) ? `in ${opts.pdrSeconds ?? 1800} CPU s` : `(ABC: ${lastLine(a.stdout.split('\n').filter((l) => !/UNDECIDED/.test(l)).join('\n'))})`;
    return { status: 'open', seconds: seconds(), depth, model, error: `pdr found no verdict ${why}`, log: alog };
  }
  if (!pdr && new RegExp(`No output asserted in ${depth} frames`).test(a.stdout)) return { status: 'pass', seconds: seconds(), depth, model, log: alog };
  const asserted = /Output (\d+) of miter .* was asserted in frame (\d+)/.exec(a.stdout);
  if (!asserted) return { status: 'error', seconds: seconds(), depth, model, error: `yosys-abc: ${lastLine(a.stderr || a.stdout) || `exit ${a.code}`}`, log: alog };
  const step = Number(asserted[2]);
  const res: BmcResult = { status: 'fail', seconds: seconds(), depth, model, step, label: 'an assert', log: alog };

  // Replay the witness on the word-level design for a readable trace.
  await alignWitness(dir);
  const s = await runProcess(['yosys', '-q', '-l', 'sim.log', '-p', `read_rtlil model.il; sim -r cex.aiw -map model.aim -scope ${h.top} -clock clk -n ${step + 1} -vcd counterexample.vcd`], { cwd: dir, timeoutMs: opts.timeoutMs }).catch(failed);
  const vcd = join(dir, 'counterexample.vcd');
  if (s.code === 0 && existsSync(vcd)) {
    res.vcd = vcd;
    const names = [...h.labels.map((l) => l.wire), 'rvfi_insn', 'rvfi_pc_rdata', 'rvfi_valid'];
    const at = vcdValuesAt(readFileSync(vcd, 'utf8'), names, step);
    const hit = h.labels.find((l) => at[l.wire] === 1);
    if (hit) res.label = hit.label;
    if (at.rvfi_valid === 1) {
      res.insn = at.rvfi_insn;
      res.pc = at.rvfi_pc_rdata;
    }
  }
  return res;
}

/**
 * ABC's `fold` drops latches that drive nothing, so its witness can list fewer initial latch
 * values than model.aig has latches, and Yosys `sim -r` then stops ("too few input data bits").
 * Every latch starts at 0 in the model (write_aiger -zinit) and so in ABC's witness: an
 * all-zero initial line shorter than the model's latch count is replaced by latch count + 1
 * zeros (the length ABC writes when fold drops nothing: the latches and fold's own). Other
 * witnesses are left as they are.
 */
async function alignWitness(dir: string): Promise<void> {
  const header = /^aig \d+ \d+ (\d+) /.exec(readFileSync(join(dir, 'model.aig')).subarray(0, 64).toString('latin1'));
  const path = join(dir, 'cex.aiw');
  if (!header || !existsSync(path)) return;
  const latches = Number(header[1]);
  const lines = readFileSync(path, 'latin1').split('\n');
  const init = lines[0] ?? '';
  if (init.length >= latches || !/^0*$/.test(init)) return;
  lines[0] = '0'.repeat(latches + 1);
  await writeFile(path, lines.join('\n'));
}

/** Time units per cycle in the VCD of Yosys `sim` (the rising edge of cycle k is at k·10, the falling one at k·10 + 5). */
const VCD_STEP = 10;

/** Values of top-level signals in cycle `step` of a Yosys `sim` VCD (the last change up to the cycle's falling edge). */
export function vcdValuesAt(vcd: string, names: string[], step: number | undefined): Record<string, number | undefined> {
  const ids = new Map<string, string>();
  let depth = 0;
  const lines = vcd.split('\n');
  let i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l.startsWith('$scope')) depth++;
    else if (l.startsWith('$upscope')) depth--;
    else if (l.startsWith('$var') && depth === 1) {
      const p = l.split(/\s+/); // $var wire 32 ! name $end
      if (names.includes(p[4]!)) ids.set(p[3]!, p[4]!);
    } else if (l.startsWith('$enddefinitions')) break;
  }
  const values: Record<string, number | undefined> = {};
  for (i++; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l.startsWith('#')) {
      if (step !== undefined && Number(l.slice(1)) > VCD_STEP * step + VCD_STEP / 2) break;
      continue;
    }
    const m = /^b([01xz]+)\s+(\S+)$/.exec(l) ?? /^([01xz])(\S+)$/.exec(l);
    if (!m) continue;
    const name = ids.get(m[2]!);
    if (name && !/[xz]/.test(m[1]!)) values[name] = parseInt(m[1]!, 2) >>> 0;
  }
  return values;
}
