// Place and route on a real part: Yosys synth_ice40 (SB_MAC16 multipliers, SPRAM and EBR
// memories) → JSON netlist → nextpnr-ice40 for the iCE40 UltraPlus UP5K → Fmax and utilisation
// as nextpnr reports them after routing. nextpnr is the WebAssembly build from npm by default
// (nothing to install), or the native binary $NEXTPNR names.
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lastLine, runProcess, which } from '../tools/process.ts';
import { classifyCells, parseStatJson, targetFlow } from './synth.ts';
import { YosysError, moduleName, runYosys, verilogFileNames, yosysVersionFrom } from './yosys.ts';

export type Ice40Device = 'up5k';
export type Ice40Package = 'sg48';

export interface PnrOptions {
  top: string;
  /** Verilog sources by file name; the top's ports are the package pins. */
  files: Record<string, string>;
  device?: Ice40Device;
  package?: Ice40Package;
  /** Target clock for timing-driven placement (nextpnr --freq); default 100 MHz. */
  clockMhz?: number;
  /** Placer seed (nextpnr --seed); default 1, so runs are repeatable. */
  seed?: number;
  /** One line per long step (synthesis, packing, placement, routing). */
  onProgress?: (message: string) => void;
  /** Which nextpnr-ice40 runs; default nextpnrEngine() (WebAssembly, or $NEXTPNR). */
  engine?: NextpnrEngine;
}

export interface Utilisation {
  used: number;
  available: number;
}

export interface PnrReport {
  top: string;
  device: Ice40Device;
  package: Ice40Package;
  targetMhz: number;
  seed: number;
  /**
   * Fmax after routing of the (first) clock, bounded by the paths through DSPs nextpnr reports
   * outside every clock (dspBoundedFmax); null when the design has no register-to-register path.
   */
  fmaxMhz: number | null;
  /** nextpnr's own Fmax for that clock, without the paths through DSPs. */
  nextpnrFmaxMhz: number | null;
  /** The register → DSP and DSP → register paths nextpnr 0.4 reports (parseDspPaths). */
  dspPaths: DspPaths;
  /** Every clock nextpnr timed, by net name (`clk`, not `clk$SB_IO_IN_$glb_clk`). */
  clocks: Record<string, number>;
  /** Logic cells (a LUT4 with its carry and flip-flop). */
  lcs: number;
  lcsAvailable: number;
  /** EBR block RAMs (SB_RAM40_4K, 4 kbit). */
  brams: number;
  /** SB_SPRAM256KA, 256 kbit each. */
  sprams: number;
  dsps: number;
  ios: number;
  /** Every BEL type in nextpnr's utilisation table. */
  utilisation: Record<string, Utilisation>;
  /** Counts from Yosys before packing. */
  yosys: { luts: number; ffs: number; carry: number; dsps: number; bram: number; version: string };
  /** The slowest register-to-register path of that clock after routing (nextpnr's report), or the DSP path that bounds fmaxMhz; null when none is reported. */
  criticalPath: CriticalPath | null;
  /** The tool, its version and the engine that ran: `nextpnr-ice40 0.8 (yowasp 0.8.621, WebAssembly)`, `nextpnr-ice40 0.4-1+b1 (native /usr/bin/nextpnr-ice40)`. */
  nextpnrVersion: string;
  /** `wasm`: @yowasp/nextpnr-ice40 from npm (the default); `native`: the binary $NEXTPNR names. */
  nextpnrEngine: NextpnrEngine['kind'];
  seconds: number;
  yosysSeconds: number;
  nextpnrSeconds: number;
}

/** nextpnr's critical path of one clock, read from its report (both the 0.4 and the 0.8 formats). */
export interface CriticalPath {
  /** The register (or cell) the path starts at and the one it ends at, as Yosys named them (`core.div.quo`). */
  from: string;
  to: string;
  /** Total delay, clock-to-out to setup, in ns. */
  ns: number;
  /** LUTs on the path (each a level of logic) and carry cells (SB_CARRY, one per bit of a carry chain). */
  lutLevels: number;
  carryCells: number;
  /**
   * Set on a path nextpnr cut at a combinational DSP: it starts at the DSP's output (`from`),
   * ends at its input (`to`), or is both halves joined through the DSP `dsp` (`via`).
   */
  cutAtDsp?: 'from' | 'to' | 'via';
  dsp?: string;
}

export interface PnrResult {
  report: PnrReport;
  /** The routed design as an IceStorm .asc text bitstream (icepack turns it into a .bin). */
  asc: string;
  yosysLog: string;
  nextpnrLog: string;
}

/** The design does not fit the device; the message names the resources over capacity. */
export class PnrFitError extends Error {
  override name = 'PnrFitError';
  constructor(message: string, readonly utilisation: Record<string, Utilisation>) {
    super(message);
  }
}

/** nextpnr failed for another reason; the message is its first ERROR line, the log is kept. */
export class PnrError extends Error {
  override name = 'PnrError';
  constructor(message: string, readonly log: string) {
    super(message);
  }
}

/** nextpnr placed the design but its router stopped making progress (routerStallWatch); the log is kept. */
export class PnrRouteError extends Error {
  override name = 'PnrRouteError';
  constructor(message: string, readonly log: string) {
    super(message);
  }
}

/**
 * Iterations of nextpnr's router (router1, the default) without a new low in the arcs left to
 * route, after which placeAndRoute stops the run as not routing. Runs that route lower it
 * every few thousand iterations (the clock configuration: 85k iterations in all); the one that
 * stalled (a light-trace variant at 95 % of the logic cells, seed 1) sat at 2131 arcs from
 * iteration 32k, ripping up 1000 arcs every 1000 iterations, for over 2 million until it was
 * killed. Counted in iterations, not seconds, so the verdict is the same on any machine.
 */
export const ROUTER_STALL_ITERATIONS = 200_000;

/**
 * Reads nextpnr's router progress lines (`Info: <iterations> | … | … | <arcs left>| …`) one at a
 * time; returns a description once `limit` iterations pass without a new low in the arcs left,
 * null before (and for every other line).
 */
export function routerStallWatch(limit = ROUTER_STALL_ITERATIONS): (line: string) => string | null {
  let best = Infinity;
  let bestAt = 0;
  return (line) => {
    const m = /^Info:\s+(\d+)\s*\|[^|]*\|[^|]*\|\s*(\d+)\s*\|/.exec(line);
    if (!m) return null;
    const iteration = Number(m[1]);
    const left = Number(m[2]);
    if (left < best) {
      best = left;
      bestAt = iteration;
      return null;
    }
    return iteration - bestAt >= limit ? `nextpnr's router left ${best} arcs unrouted from iteration ${bestAt} to ${iteration} (no fewer in ${limit})` : null;
  };
}

// ---------------------------------------------------------------------------------------
// Tools: the WebAssembly build of nextpnr-ice40 from npm (@yowasp/nextpnr-ice40, nothing to
// install) by default, or a native binary named by $NEXTPNR, as runYosys does with $YOSYS.

export type NextpnrEngine = { kind: 'wasm' } | { kind: 'native'; path: string };

/** The engine placeAndRoute uses: $NEXTPNR when set (it must be an executable file), else yowasp. */
export function nextpnrEngine(): NextpnrEngine {
  const env = process.env.NEXTPNR;
  if (!env) return { kind: 'wasm' };
  const found = which(env);
  const path = found && (found.includes('/') ? resolve(found) : found);
  let executable = false;
  try {
    executable = path !== undefined && statSync(path).isFile() && (accessSync(path, constants.X_OK), true);
  } catch {
    executable = false;
  }
  if (!executable) {
    throw new Error(`NEXTPNR=${env} is not an executable file: point it at a nextpnr-ice40 binary, or unset it to use the WebAssembly build from npm (@yowasp/nextpnr-ice40)`);
  }
  return { kind: 'native', path: path! };
}

/**
 * Makes sure nextpnr-ice40 can run: nothing to do for the WebAssembly build (an npm
 * dependency); with $NEXTPNR set, throws a one-line Error when it does not name an executable.
 */
export async function ensureNextpnr(_opts: { log?: (s: string) => void } = {}): Promise<void> {
  nextpnrEngine();
}

/** How the engine is named after the version: `yowasp 0.8.621, WebAssembly` or `native /usr/bin/nextpnr-ice40`. */
async function engineDescription(engine: NextpnrEngine): Promise<string> {
  if (engine.kind === 'native') return `native ${engine.path}`;
  const { version } = await import('@yowasp/nextpnr-ice40');
  return `yowasp ${version}, WebAssembly`;
}

/** "0.8" from "(Version nextpnr-0.8)", "0.4-1+b1" from "(Version 0.4-1+b1)". */
export function nextpnrVersionFrom(text: string): string | undefined {
  return /\(Version (?:nextpnr-)?([^)]+)\)/.exec(text)?.[1];
}

const versions = new Map<string, Promise<string>>();

/** Says which nextpnr-ice40 is used: `0.8 (yowasp 0.8.621, WebAssembly)` or `0.4-1+b1 (native /usr/bin/nextpnr-ice40)`. */
export function nextpnrVersion(engine: NextpnrEngine = nextpnrEngine()): Promise<string> {
  // Found once per engine and process: nextpnr's --log file does not carry the version.
  const key = engine.kind === 'native' ? engine.path : '';
  let v = versions.get(key);
  if (!v) {
    v = (async () => {
      if (engine.kind === 'wasm') {
        // A release build's package version is the nextpnr version and a build number
        // (0.8.621: nextpnr 0.8, which its --version prints as `nextpnr-0.8`), which saves
        // starting the WebAssembly module (seconds) to ask it.
        const { version } = await import('@yowasp/nextpnr-ice40');
        const release = /^(\d+\.\d+)\.\d+$/.exec(version);
        if (release) return `${release[1]} (${await engineDescription(engine)})`;
      }
      const r = await runNextpnr(engine, ['--version'], {});
      const text = r.log.trim();
      return `${nextpnrVersionFrom(text) ?? lastLine(text)} (${await engineDescription(engine)})`;
    })();
    v.catch(() => versions.delete(key));
    versions.set(key, v);
  }
  return v;
}

interface NextpnrRun {
  /** Exit code (0 on success; -1 after a WebAssembly trap). */
  code: number;
  /** The WebAssembly trap that ended the run (`unreachable` after an ERROR), if any. */
  trap?: string;
  /** stdout and stderr as printed. */
  log: string;
  /** The files asked for that nextpnr wrote, as text. */
  files: Record<string, string>;
}

/** A stream of bytes → text kept in `all`, and complete lines for onLine; finish() flushes. */
function streamSink(all: string[], onLine?: (line: string) => void): { write: (bytes: Uint8Array | null) => void; finish: () => void } {
  // One decoder and one partial line per stream: a UTF-8 sequence or a line split across
  // chunks is reassembled, and stdout and stderr do not cut into each other's lines.
  const decoder = new TextDecoder();
  let partial = '';
  const push = (text: string) => {
    if (!text) return;
    all.push(text);
    if (!onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const l of lines) onLine(l);
  };
  return {
    write: (bytes) => push(bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode()),
    finish: () => {
      push(decoder.decode());
      if (onLine && partial) onLine(partial);
      partial = '';
    },
  };
}

/** Runs nextpnr-ice40 on `files` (by name, in a fresh directory) and returns the `outputs` it wrote. */
async function runNextpnr(
  engine: NextpnrEngine,
  args: string[],
  files: Record<string, string>,
  opts: { outputs?: string[]; onLine?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<NextpnrRun> {
  const outputs = opts.outputs ?? [];
  if (engine.kind === 'native') {
    const dir = mkdtempSync(join(tmpdir(), 'zkrtl-pnr-'));
    try {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      let r;
      try {
        r = await runProcess([engine.path, ...args], { cwd: dir, onLine: opts.onLine, signal: opts.signal });
      } catch (e) {
        throw new Error(`nextpnr-ice40 ${engine.path} could not be run: ${(e as Error).message}`);
      }
      const out: Record<string, string> = {};
      for (const name of outputs) if (existsSync(join(dir, name))) out[name] = readFileSync(join(dir, name), 'utf8');
      return { code: r.code ?? 1, log: r.stderr + r.stdout, files: out };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // Loaded lazily: the module is large and only place and route needs it.
  const yowasp = await import('@yowasp/nextpnr-ice40');
  const chunks: string[] = [];
  // Stopped by the signal: the next output ends the run (thrown out of its write), as nothing
  // else can interrupt the WebAssembly.
  const stopped = new Error('nextpnr stopped');
  let running = true;
  const onLine = opts.onLine && ((line: string) => {
    opts.onLine!(line);
    if (running && opts.signal?.aborted) throw stopped;
  });
  const stdout = streamSink(chunks, onLine);
  const stderr = streamSink(chunks, onLine);
  let tree: Tree;
  let code = 0;
  let trap: string | undefined;
  try {
    tree = ((await yowasp.runNextpnrIce40(args, files, { stdout: stdout.write, stderr: stderr.write })) ?? {}) as Tree;
  } catch (e) {
    if (e === stopped) {
      code = -2;
      tree = {};
    } else if (e instanceof yowasp.Exit) {
      code = e.code;
      tree = e.files ?? {};
    } else if (e instanceof WebAssembly.RuntimeError) {
      // nextpnr's ERROR (a C++ exception, which this build cannot catch) ends in a trap after
      // the message is printed: the streamed log is all there is, the files are lost.
      code = -1;
      trap = e.message;
      tree = {};
    } else {
      throw e;
    }
  }
  running = false;   // (the last lines flushed below may not throw: the run is over)
  stdout.finish();
  stderr.finish();
  const out: Record<string, string> = {};
  for (const name of outputs) {
    const v = tree[name];
    if (typeof v === 'string') out[name] = v;
    else if (v instanceof Uint8Array) out[name] = new TextDecoder().decode(v);
  }
  return { code, trap, log: chunks.join(''), files: out };
}

type Tree = { [name: string]: Tree | string | Uint8Array };

// ---------------------------------------------------------------------------------------
// Synthesis for place and route

const STAT_FILE = '__zkrtl_pnr_stat.json';

/** The Yosys script: the `ice40` flow of synth.ts, then the JSON netlist nextpnr reads. */
export function ice40PnrScript(top: string, sources: string[], netlist: string): string {
  moduleName(top);
  return [
    `read_verilog ${sources.join(' ')}`,
    targetFlow('ice40', top),
    `tee -q -o ${STAT_FILE} stat -json`,
    `hierarchy -purge_lib -top ${top}`,
    `write_json ${netlist}`,
  ].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------
// nextpnr's log

export interface NextpnrLogFacts {
  /** Fmax per clock from the last timing report (after routing), clock names cleaned. */
  clocks: Record<string, number>;
  utilisation: Record<string, Utilisation>;
  /** The first ERROR line, if any. */
  error?: string;
}

/** `clk$SB_IO_IN_$glb_clk` → `clk`: the net name before nextpnr's buffer suffixes. */
export function clockName(net: string): string {
  return net.replace(/_\$glb_clk$/, '').replace(/\$SB_IO_IN$/, '');
}

export function parseNextpnrLog(log: string): NextpnrLogFacts {
  const clocks: Record<string, number> = {};
  const utilisation: Record<string, Utilisation> = {};
  let error: string | undefined;
  for (const raw of log.split('\n')) {
    const line = raw.trim();
    // Printed after placement and again after routing (as Info, Warning or ERROR when it misses
    // the target): the last one wins.
    const f = /Max frequency for clock '([^']+)': ([\d.]+) MHz/.exec(line);
    if (f) clocks[clockName(f[1])] = Number(f[2]);
    const u = /^Info:\s+([A-Z][A-Za-z0-9_]+):\s+(\d+)\/\s*(\d+)\s+\d+%$/.exec(line);
    if (u) utilisation[u[1]] = { used: Number(u[2]), available: Number(u[3]) };
    if (error === undefined && /^ERROR:/.test(line) && !/Max frequency for clock/.test(line)) error = line;
  }
  return { clocks, utilisation, error };
}

/** Resources used beyond what the device has, as `ICESTORM_DSP 9/8`; empty when it fits. */
export function overCapacity(utilisation: Record<string, Utilisation>): string[] {
  return Object.entries(utilisation)
    .filter(([, u]) => u.used > u.available)
    .map(([k, u]) => `${k} ${u.used}/${u.available}`);
}

/**
 * A cell name as the designer wrote it: `core.div.quo_SB_DFFE_Q_29_D_SB_LUT4_O_LC.O` →
 * `core.div.quo` (Yosys appends the mapped cells' names to the net or register it started from).
 */
export function designName(cell: string): string {
  return cell.replace(/\.(O|COUT|CIN|I\d|D|Q|[A-Z]+_?\d*)$/, '').replace(/(_SB_|\$|_DFFLC|_LC$|\[).*$/, '');
}

/**
 * The critical path of clock `clock` (cleaned name, `clk`) from the last report nextpnr printed
 * for it (after routing). nextpnr 0.4 prints rows `curr total Source|Net|Setup name`, 0.8 rows
 * `type curr total Source|Net name`, its setup row naming the end cell as Source.
 */
export function parseCriticalPath(log: string, clock = 'clk'): CriticalPath | null {
  const lines = log.split('\n');
  let start = -1;
  lines.forEach((l, i) => {
    const m = /Critical path report for clock '([^']+)'/.exec(l);
    if (m && clockName(m[1]) === clock) start = i;
  });
  return start < 0 ? null : pathRows(lines, start).path;
}

/** The rows of the path report that starts after line `start`, and the path they make. */
function pathRows(lines: string[], start: number): { cells: string[]; path: CriticalPath | null } {
  const rows: { kind: string; total: number; cell: string }[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (/Critical path report|Max frequency|^Info:\s*$|^\s*$/.test(l)) break;
    const m = /^Info:\s+(?:(clk-to-q|source|logic|routing|setup)\s+)?([\d.]+)\s+([\d.]+)\s+(Source|Setup|Net)\s+(\S+)/.exec(l);
    if (m) rows.push({ kind: m[1] === 'setup' ? 'Setup' : m[4], total: Number(m[3]), cell: m[5] });
  }
  const cells = rows.filter((r) => r.kind !== 'Net');
  if (cells.length < 2) return { cells: cells.map((c) => c.cell), path: null };
  const middle = cells.slice(1, -1);
  return {
    cells: cells.map((c) => c.cell),
    path: {
      from: designName(cells[0].cell),
      to: designName(cells[cells.length - 1].cell),
      ns: rows[rows.length - 1].total,
      lutLevels: middle.filter((r) => /\.O$/.test(r.cell)).length,
      carryCells: middle.filter((r) => /\.COUT$/.test(r.cell)).length,
    },
  };
}

/** The paths nextpnr reports out of (fromDsp) and into (toDsp) a combinational DSP. */
export interface DspPaths {
  fromDsp: CriticalPath | null;
  toDsp: CriticalPath | null;
}

/**
 * The path through DSPs that bounds Fmax: both halves joined (`via`) when they meet at the same
 * DSP (the multiplier's operands reach every DSP it has), else the longer half alone.
 */
export function dspCriticalPath(paths: DspPaths): CriticalPath | null {
  const { fromDsp, toDsp } = paths;
  if (fromDsp && toDsp && fromDsp.from === toDsp.to) {
    return { from: toDsp.from, to: fromDsp.to, ns: Math.round((fromDsp.ns + toDsp.ns) * 100) / 100, lutLevels: toDsp.lutLevels + fromDsp.lutLevels, carryCells: toDsp.carryCells + fromDsp.carryCells, cutAtDsp: 'via', dsp: fromDsp.from };
  }
  if (!fromDsp && !toDsp) return null;
  return (fromDsp?.ns ?? 0) >= (toDsp?.ns ?? 0) ? { ...fromDsp!, cutAtDsp: 'from' } : { ...toDsp!, cutAtDsp: 'to' };
}

/** A pin of a packed SB_MAC16 in nextpnr's report (`core.mul.p_SB_MAC16_O_DSP.O_17`). */
const DSP_PIN = /_DSP\.[A-Z]+_?\d*$/;

/**
 * The paths nextpnr cuts at a DSP. Our flow maps multipliers to combinational SB_MAC16s, and
 * nextpnr does not time through one: a DSP's output starts an `<async>` path and its inputs end
 * one, so a register → DSP → register path is in no clock's Fmax. nextpnr 0.4 reports the
 * slowest `<async>` → clock path and the slowest clock → `<async>` path; when one starts (ends)
 * at a DSP pin it is the slowest DSP → register (register → DSP) path. nextpnr 0.8 leaves these
 * paths out of its cross-domain reports altogether (null then).
 */
export function parseDspPaths(log: string): DspPaths {
  const lines = log.split('\n');
  let fromAt = -1;
  let toAt = -1;
  lines.forEach((l, i) => {
    const m = /Critical path report for cross-domain path '([^']+)' -> '([^']+)'/.exec(l);
    if (m && m[1] === '<async>') fromAt = i;
    if (m && m[2] === '<async>') toAt = i;
  });
  const at = (start: number, end: 'first' | 'last') => {
    if (start < 0) return null;
    const { cells, path } = pathRows(lines, start);
    const pin = end === 'first' ? cells[0] : cells[cells.length - 1];
    return path && pin !== undefined && DSP_PIN.test(pin) ? path : null;
  };
  return { fromDsp: at(fromAt, 'first'), toDsp: at(toAt, 'last') };
}

/**
 * Fmax bounded by the paths through DSPs nextpnr reports. When the slowest path into a DSP and
 * the slowest path out of one meet at the same DSP (the multiplier's operands reach every DSP
 * it has), they are one register → DSP → register path and their sum is its delay without the
 * DSP's own; otherwise each alone is a path at least that long. Any clock period is at least
 * that, so min(Fmax, 1000 / it) is still an upper bound, and a closer one.
 */
export function dspBoundedFmax(fmaxMhz: number | null, paths: DspPaths): number | null {
  const ns = dspPathNs(paths);
  if (fmaxMhz === null || ns === 0) return fmaxMhz;
  return Math.min(fmaxMhz, Math.round(100000 / ns) / 100);
}

/** The delay dspBoundedFmax bounds by: dspCriticalPath's, 0 without one. */
export function dspPathNs(paths: DspPaths): number {
  return dspCriticalPath(paths)?.ns ?? 0;
}

/**
 * `core.div.rem → core.div.quo, 87.3 ns (12 LUT levels, 96 carry cells)`; a path cut at a DSP
 * says which side of the DSP is missing from it.
 */
export function formatCriticalPath(p: CriticalPath): string {
  const cut = p.cutAtDsp === 'from' ? ', from an SB_MAC16 output: its inputs\' path and the DSP\'s delay come on top'
    : p.cutAtDsp === 'to' ? ', to an SB_MAC16 input: the DSP\'s delay and its output\'s path come on top'
    : p.cutAtDsp === 'via' ? `, through the SB_MAC16 ${p.dsp}: its own delay comes on top` : '';
  return `${p.from} → ${p.to}, ${p.ns.toFixed(1)} ns (${p.lutLevels} LUT level${p.lutLevels === 1 ? '' : 's'}, ${p.carryCells} carry cell${p.carryCells === 1 ? '' : 's'}${cut})`;
}

// ---------------------------------------------------------------------------------------
// The flow

/** nextpnr's long phases, as progress lines. */
function nextpnrPhase(line: string): string | null {
  if (/^Info: Packing constants/.test(line)) return 'nextpnr: packing';
  if (/^Info: Running main analytical placer|^Info: Creating initial placement/.test(line)) return 'nextpnr: placing';
  if (/^Info: Running simulated annealing placer/.test(line)) return 'nextpnr: refining placement';
  if (/^Info: Routing\.\.|^Info: Routing globals/.test(line)) return 'nextpnr: routing';
  return null;
}

export async function placeAndRoute(opts: PnrOptions): Promise<PnrResult> {
  const { seed, ...rest } = opts;
  const [result] = await placeAndRouteSeeds({ ...rest, seeds: [seed ?? 1] });
  return result!;
}

/**
 * One synthesis, placed and routed once per seed (nextpnr --seed), in the order given: the
 * spread of Fmax over seeds is placement's, with the netlist fixed (seedSpread sums it up).
 * A design that does not fit fails on the first seed.
 */
export async function placeAndRouteSeeds(opts: Omit<PnrOptions, 'seed'> & { seeds: number[] }): Promise<PnrResult[]> {
  const device = opts.device ?? 'up5k';
  const pkg = opts.package ?? 'sg48';
  if (device !== 'up5k') throw new Error(`placeAndRoute: device ${String(device)} is not supported (up5k only)`);
  if (pkg !== 'sg48') throw new Error(`placeAndRoute: package ${String(pkg)} is not supported (sg48 only)`);
  const targetMhz = opts.clockMhz ?? 100;
  if (!(targetMhz > 0 && targetMhz < 1000)) throw new Error(`placeAndRoute: clockMhz ${targetMhz} must be between 0 and 1000`);
  if (opts.seeds.length === 0) throw new Error('placeAndRoute: no seed given');
  for (const seed of opts.seeds) if (!Number.isInteger(seed) || seed < 0) throw new Error(`placeAndRoute: seed ${seed} must be a non-negative integer`);
  const progress = opts.onProgress ?? (() => {});
  const top = moduleName(opts.top);
  const sources = verilogFileNames(opts.files);
  if (sources.length === 0) throw new Error(`placeAndRoute ${top}: no .v files given`);
  const engine = opts.engine ?? nextpnrEngine();

  const started = Date.now();
  progress(`yosys synth_ice40 ${top}`);
  const netlistName = `${top}.ice40.json`;
  const y = await runYosys({ script: ice40PnrScript(top, sources, netlistName), files: opts.files, outputs: [STAT_FILE, netlistName] });
  const conflict = /^Warning: Driver-driver conflict.*$/m.exec(y.log);
  if (conflict) throw new YosysError(`yosys produced a broken ice40 netlist for ${top}: ${conflict[0].replace(/^Warning: /, '')}`, y.log);
  const { cells, creator } = parseStatJson(y.files[STAT_FILE], top);
  const unmapped = Object.keys(cells).filter((c) => c.startsWith('$'));
  if (unmapped.length) throw new YosysError(`yosys left cells nextpnr cannot place in ${top}: ${unmapped.join(', ')}`, y.log);
  const counts = classifyCells('ice40', cells);
  const yosysSeconds = (Date.now() - started) / 1000;
  const version = `nextpnr-ice40 ${await nextpnrVersion(engine)}`;

  const results: PnrResult[] = [];
  for (const [i, seed] of opts.seeds.entries()) {
    const placeStarted = Date.now();
    const of = opts.seeds.length > 1 ? ` [${i + 1}/${opts.seeds.length}]` : '';
    const argv = [
      `--${device}`, '--package', pkg,
      '--json', netlistName, '--asc', `${top}.asc`,
      '--freq', String(targetMhz), '--seed', String(seed),
      // The wrapper's few pins go wherever the placer likes; timing below the target is a
      // result to report, not a failure.
      '--pcf-allow-unconstrained', '--timing-allow-fail',
      '--log', 'nextpnr.log',
    ];
    progress(`nextpnr-ice40 --${device} --package ${pkg} --freq ${targetMhz} --seed ${seed}${of} (${engine.kind === 'wasm' ? 'WebAssembly' : engine.path})`);
    let phase = '';
    const watch = routerStallWatch();
    const stop = new AbortController();
    let stalled: string | null = null;
    const r = await runNextpnr(engine, argv, { [netlistName]: y.files[netlistName] }, {
      outputs: [`${top}.asc`, 'nextpnr.log'],
      signal: stop.signal,
      onLine: (line) => {
        const p = nextpnrPhase(line);
        if (p && p !== phase) {
          phase = p;
          progress(`${p}${of} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        }
        if (stalled === null) {
          stalled = watch(line);
          if (stalled !== null) stop.abort();
        }
      },
    });
    const nextpnrSeconds = (Date.now() - placeStarted) / 1000;
    const log = r.files['nextpnr.log'] ?? r.log;
    const facts = parseNextpnrLog(log);
    const over = overCapacity(facts.utilisation);
    if (over.length) {
      throw new PnrFitError(`${top} does not fit the iCE40 ${device.toUpperCase()} (${pkg}): ${over.join(', ')} used/available`, facts.utilisation);
    }
    if (stalled !== null) {
      throw new PnrRouteError(`${top} does not route on the iCE40 ${device.toUpperCase()} (${pkg}) at seed ${seed}: ${stalled}; stopped there`, log);
    }
    const asc = r.files[`${top}.asc`];
    if (r.code !== 0 || asc === undefined) {
      throw new PnrError(`nextpnr-ice40 failed on ${top} (${r.trap ? `WebAssembly trap: ${r.trap}` : `exit ${r.code}`}): ${facts.error ?? lastLine(r.log)}`, log);
    }
    const util = (k: string) => facts.utilisation[k]?.used ?? 0;
    const clockNames = Object.keys(facts.clocks);
    const clock = clockNames.includes('clk') ? 'clk' : clockNames[0];
    const nextpnrFmaxMhz = clockNames.length ? facts.clocks[clock] : null;
    const dspPaths = parseDspPaths(log);
    const fmaxMhz = dspBoundedFmax(nextpnrFmaxMhz, dspPaths);
    const longestDsp = dspCriticalPath(dspPaths);
    const report: PnrReport = {
      top,
      device,
      package: pkg,
      targetMhz,
      seed,
      fmaxMhz,
      nextpnrFmaxMhz,
      dspPaths,
      clocks: facts.clocks,
      criticalPath: longestDsp && fmaxMhz !== nextpnrFmaxMhz ? longestDsp : clockNames.length ? parseCriticalPath(log, clock) : null,
      lcs: util('ICESTORM_LC'),
      lcsAvailable: facts.utilisation.ICESTORM_LC?.available ?? 0,
      brams: util('ICESTORM_RAM'),
      sprams: util('ICESTORM_SPRAM'),
      dsps: util('ICESTORM_DSP'),
      ios: util('SB_IO'),
      utilisation: facts.utilisation,
      yosys: { luts: counts.luts, ffs: counts.ffs, carry: counts.carry, dsps: counts.dsps, bram: counts.bram, version: yosysVersionFrom(creator || y.log) },
      nextpnrVersion: version,
      nextpnrEngine: engine.kind,
      // (one synthesis serves every seed: each report counts it)
      seconds: yosysSeconds + nextpnrSeconds,
      yosysSeconds,
      nextpnrSeconds,
    };
    progress(`${top}: Fmax ${report.fmaxMhz ?? '–'} MHz, ${report.lcs} LCs, seed ${seed}${of} (${(Date.now() - started) / 1000} s)`);
    results.push({ report, asc, yosysLog: y.log, nextpnrLog: log });
  }
  return results;
}

/** One seed's placement of the netlist, as the spread lists it. */
export interface SeedPlacement {
  seed: number;
  /** null: no register-to-register path. */
  fmaxMhz: number | null;
  criticalPath: CriticalPath | null;
  lcs: number;
}

/** Fmax over the seeds of one netlist (placeAndRouteSeeds): what placement alone moves. */
export interface SeedSpread {
  /** Each seed's placement, in the order placed. */
  placements: SeedPlacement[];
  min: number;
  median: number;
  mean: number;
  max: number;
  /** The seed of the lowest Fmax and of the highest (the first such). */
  worstSeed: number;
  bestSeed: number;
}

/** The spread of Fmax over seeds; null when no report has a clock figure. */
export function seedSpread(reports: PnrReport[]): SeedSpread | null {
  const timed = reports.filter((r) => r.fmaxMhz !== null);
  if (timed.length === 0) return null;
  const f = timed.map((r) => r.fmaxMhz!);
  const sorted = [...f].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const round = (x: number) => Math.round(x * 100) / 100;
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  return {
    placements: reports.map((r) => ({ seed: r.seed, fmaxMhz: r.fmaxMhz, criticalPath: r.criticalPath, lcs: r.lcs })),
    min,
    median: round(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2),
    mean: round(f.reduce((s, x) => s + x, 0) / f.length),
    max,
    worstSeed: timed[f.indexOf(min)]!.seed,
    bestSeed: timed[f.indexOf(max)]!.seed,
  };
}

/** `seeds 1-5: Fmax 27.50 to 29.01 MHz, median 27.89, mean 28.14 (worst seed 5, best seed 1)`. */
export function formatSeedSpread(s: SeedSpread): string {
  return `seeds ${formatSeeds(s.placements.map((p) => p.seed))}: Fmax ${s.min.toFixed(2)} to ${s.max.toFixed(2)} MHz, median ${s.median.toFixed(2)}, mean ${s.mean.toFixed(2)} (worst seed ${s.worstSeed}, best seed ${s.bestSeed})`;
}

/** 1,2,3,4,5,9 → `1-5,9`. */
export function formatSeeds(seeds: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j]! + 1) j++;
    parts.push(j > i ? `${seeds[i]}-${seeds[j]}` : String(seeds[i]));
    i = j + 1;
  }
  return parts.join(',');
}

/** The report as a short paragraph. */
export function formatPnrReport(r: PnrReport): string {
  const pct = (n: number, of: number) => (of ? ` (${Math.round((100 * n) / of)} %)` : '');
  const u = (k: string) => r.utilisation[k];
  const fmax = r.fmaxMhz === null ? 'no register-to-register path' : `Fmax ${r.fmaxMhz.toFixed(2)} MHz`;
  const bounded = r.fmaxMhz !== null && r.nextpnrFmaxMhz !== null && r.fmaxMhz !== r.nextpnrFmaxMhz;
  const dsps = r.dsps === 0 ? ''
    : bounded ? `; Fmax bounded by that path through a DSP (nextpnr's own ${r.nextpnrFmaxMhz!.toFixed(2)} MHz leaves paths through DSPs out)`
    : `; paths through the ${r.dsps} combinational DSP${r.dsps === 1 ? ' are' : 's are'} not in nextpnr's Fmax${r.dspPaths.fromDsp || r.dspPaths.toDsp ? ' (those it reports are shorter than the critical path)' : ' (and this nextpnr reports none of them)'}`;
  return (
    `${r.top} on iCE40 ${r.device.toUpperCase()}-${r.package.toUpperCase()} (${r.nextpnrVersion}, seed ${r.seed}, target ${r.targetMhz} MHz): ` +
    `${fmax}${r.criticalPath ? ` (critical path ${formatCriticalPath(r.criticalPath)})` : ''}${dsps}; ${r.lcs} of ${r.lcsAvailable} logic cells${pct(r.lcs, r.lcsAvailable)}, ` +
    `${r.dsps} of ${u('ICESTORM_DSP')?.available ?? 8} DSPs, ${r.brams} of ${u('ICESTORM_RAM')?.available ?? 30} EBRs, ` +
    `${r.sprams} of ${u('ICESTORM_SPRAM')?.available ?? 4} SPRAMs, ${r.ios} I/O; ` +
    `Yosys ${r.yosys.version}: ${r.yosys.luts} LUT4, ${r.yosys.ffs} FF, ${r.yosys.carry} carry; ` +
    `${r.seconds.toFixed(1)} s (Yosys ${r.yosysSeconds.toFixed(1)} s, nextpnr ${r.nextpnrSeconds.toFixed(1)} s).\n`
  );
}
