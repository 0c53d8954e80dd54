// Verilator driver: finds (or installs) Verilator, lints Verilog, builds the generic
// fixed-latency pipeline harness (sim/pipeline_harness.cpp) against a design — cached by
// content hash — and runs vectors through it (checking results and latency, timing results).
//
// The Verilator command is the local binary (Debian package `verilator`; `VERILATOR=/path`
// picks another one) or, with ZKRTL_VERILATOR=docker, the verilator/verilator image.
// Built simulators live in <repo>/.cache/verilator/<sha256>/ (ZKRTL_CACHE moves the root);
// a build happens in a temporary folder next to them and is renamed into place only when
// complete, so a killed build never leaves a half-built entry behind.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { ensureDebianPackages, lastLine, runProcess, which, type ProcessOptions, type ProcessResult } from '../tools/process.ts';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { REPO_ROOT } from '../base/paths.ts';

// ---------------------------------------------------------------------------------------
// Locations

export { REPO_ROOT };

/** The harness every pipeline simulator is built from. */
export const HARNESS_PATH = join(REPO_ROOT, 'sim', 'pipeline_harness.cpp');

/** Root of the simulator cache: $ZKRTL_CACHE, else <repo>/.cache/verilator. */
export function cacheRoot(): string {
  const env = process.env.ZKRTL_CACHE;
  return env ? resolve(env) : join(REPO_ROOT, '.cache', 'verilator');
}

// ---------------------------------------------------------------------------------------
// Invocation

export const DOCKER_IMAGE = 'verilator/verilator:v5.006';

function dockerImage(): string {
  return process.env.ZKRTL_VERILATOR_IMAGE || DOCKER_IMAGE;
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** `docker run` with the current folder and `mounts` visible at the same paths. */
function dockerRun(mounts: string[], entrypoint?: string): string[] {
  const cwd = process.cwd();
  const dirs: string[] = [cwd];
  for (const m of mounts.map((x) => resolve(x))) {
    if (!dirs.some((d) => isInside(m, d))) dirs.push(m);
  }
  const argv = ['docker', 'run', '--rm'];
  // Files written in the container belong to the caller, not to root.
  if (typeof process.getuid === 'function' && typeof process.getgid === 'function') {
    argv.push('--user', `${process.getuid()}:${process.getgid()}`);
  }
  for (const d of dirs) argv.push('-v', `${d}:${d}`);
  argv.push('-w', cwd);
  if (entrypoint) argv.push('--entrypoint', entrypoint);
  argv.push(dockerImage());
  return argv;
}

/**
 * How Verilator is run: argv to which Verilator's own arguments are appended. Local by
 * default (`verilator`, or $VERILATOR); ZKRTL_VERILATOR=docker runs the verilator/verilator
 * image (whose entrypoint is verilator) with the current folder, the cache and `mounts`
 * mounted at the same paths.
 */
export function verilatorInvocation(mounts: string[] = []): { kind: 'local' | 'docker'; argvPrefix: string[] } {
  const mode = (process.env.ZKRTL_VERILATOR ?? '').trim().toLowerCase();
  if (mode === 'docker') return { kind: 'docker', argvPrefix: dockerRun([cacheRoot(), ...mounts]) };
  if (mode !== '' && mode !== 'local') {
    throw new Error(`ZKRTL_VERILATOR='${process.env.ZKRTL_VERILATOR}' is not understood: accepted are 'local' (default) and 'docker'`);
  }
  return { kind: 'local', argvPrefix: [process.env.VERILATOR || 'verilator'] };
}

// ---------------------------------------------------------------------------------------
// Processes

/**
 * The environment for make: a jobserver inherited from an outer make would fight `-j 2`.
 * With ccache on PATH, Verilator's makefile compiles through it (its `OBJCACHE ?=`): every
 * build compiles Verilator's runtime (verilated.cpp, verilated_vcd_c.cpp, verilated_threads.cpp)
 * the same way, about 7 CPU seconds, which ccache serves from its cache after the first build.
 */
function buildEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.MAKEFLAGS;
  delete env.MFLAGS;
  delete env.MAKELEVEL;
  if (env.OBJCACHE === undefined && which('ccache')) env.OBJCACHE = 'ccache';
  return env;
}

// ---------------------------------------------------------------------------------------
// Installation

const INSTALL_HINT =
  'install it with `apt-get install verilator g++ make` (Debian/Ubuntu), set VERILATOR=/path/to/verilator, or set ZKRTL_VERILATOR=docker';

const ensured = new Map<string, Promise<void>>();

/**
 * Makes sure Verilator (and, for builds, a C++ compiler and make) can run. When something
 * is missing and we are root, installs it from Debian (`apt-get install -y`, with
 * `apt-get update` first if the lists are stale), logging progress; otherwise throws an
 * Error whose message is one line saying how to install it.
 */
export function ensureVerilator(opts: { log?: (s: string) => void } = {}): Promise<void> {
  const key = [...verilatorInvocation().argvPrefix, process.env.CXX ?? ''].join('\0');
  let p = ensured.get(key);
  if (!p) {
    p = doEnsure(opts.log ?? ((s) => process.stderr.write(`zkrtl: ${s}\n`)));
    p.catch(() => ensured.delete(key));
    ensured.set(key, p);
  }
  return p;
}

async function doEnsure(log: (s: string) => void): Promise<void> {
  const inv = verilatorInvocation();
  if (inv.kind === 'docker') {
    if (!which('docker')) {
      throw new Error('ZKRTL_VERILATOR=docker but `docker` is not on PATH: install Docker, or unset ZKRTL_VERILATOR to use a local verilator');
    }
    return;
  }
  const bin = inv.argvPrefix[0]!;
  // Set by the user: a wrong path is their mistake to fix, not a package to install.
  if (process.env.VERILATOR && !which(bin)) {
    throw new Error(`VERILATOR=${process.env.VERILATOR} does not exist: point it at a verilator binary, or unset it and ${INSTALL_HINT}`);
  }
  if (process.env.CXX && !which(process.env.CXX)) throw new Error(`CXX=${process.env.CXX} does not exist: point it at a C++ compiler, or unset it`);
  const onPath = (name: string) => () => which(name) !== undefined;
  await ensureDebianPackages({
    packages: [
      { pkg: 'verilator', present: onPath(bin) },
      { pkg: 'make', present: onPath('make') },
      { pkg: 'g++', present: onPath(process.env.CXX || 'g++') },
    ],
    purpose: 'needed to lint and simulate with Verilator',
    hint: INSTALL_HINT,
    log,
  });
  // ccache is optional (buildEnv): installed when we may, else builds go without it.
  const mayInstall = typeof process.getuid === 'function' && process.getuid() === 0 && which('apt-get') !== undefined;
  if (mayInstall && !which('ccache')) {
    await ensureDebianPackages({ packages: [{ pkg: 'ccache', present: onPath('ccache') }], purpose: 'speeds up Verilator builds', hint: 'builds go on without it', log }).catch((e: Error) =>
      log(`ccache not installed (${e.message}); Verilator builds go on without it`),
    );
  }
}

const versions = new Map<string, Promise<string>>();

/** `verilator --version`, e.g. "Verilator 5.006 2023-01-22 rev (Debian 5.006-3)". */
export function verilatorVersion(): Promise<string> {
  const inv = verilatorInvocation();
  const key = inv.argvPrefix.join('\0');
  let v = versions.get(key);
  if (!v) {
    v = (async () => {
      await ensureVerilator();
      const r = await runProcess([...inv.argvPrefix, '--version']);
      if (r.code !== 0) throw new Error(`${inv.argvPrefix.join(' ')} --version failed (exit ${r.code}): ${lastLine(r.stderr)}`);
      return r.stdout.trim();
    })();
    v.catch(() => versions.delete(key));
    versions.set(key, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------
// Sources

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkSources(top: string, files: Record<string, string>): void {
  if (!IDENT.test(top)) throw new Error(`top module '${top}' is not a plain Verilog identifier`);
  const names = Object.keys(files);
  if (names.length === 0) throw new Error('no Verilog files given');
  for (const n of names) {
    if (n !== basename(n) || n.startsWith('.') || !/\.(v|sv|vh|svh)$/.test(n)) {
      throw new Error(`Verilog file name '${n}' must be a plain file name ending in .v, .sv, .vh or .svh`);
    }
  }
}

/** Writes the files into `dir`; returns the paths of those to compile (not headers). */
async function writeSources(dir: string, files: Record<string, string>): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const compiled: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), text);
    if (/\.s?v$/.test(name)) compiled.push(join(dir, name));
  }
  return compiled;
}

// ---------------------------------------------------------------------------------------
// Lint

const LINT_FLAGS = ['--lint-only', '-Wall', '--default-language', '1364-2005'];

/**
 * `verilator --lint-only -Wall` (Verilog-2005) over `files`; throws an Error listing every
 * warning and error, with file names as given (not the temporary paths).
 */
export async function lintVerilog(top: string, files: Record<string, string>): Promise<void> {
  checkSources(top, files);
  await ensureVerilator();
  const base = verilatorInvocation().kind === 'docker' ? cacheRoot() : tmpdir();
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'zkrtl-lint-'));
  try {
    const sources = await writeSources(dir, files);
    const inv = verilatorInvocation([dir]);
    const r = await runProcess([...inv.argvPrefix, ...LINT_FLAGS, `-I${dir}`, '--top-module', top, ...sources], { cwd: dir });
    const text = (r.stderr + r.stdout).split(dir + sep).join('').trim();
    const problems = text.split('\n').filter((l) => /^%(Warning|Error)/.test(l));
    if (r.code !== 0 || problems.length > 0) {
      const count = problems.filter((l) => !/^%Error: Exiting due to/.test(l)).length;
      throw new Error(`verilator lint of ${top}: ${count} problem${count === 1 ? '' : 's'}\n${text}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// Build

/**
 * C++ optimisation. Measured on this 2-core machine (Verilator 5.006, g++ 12), building a
 * 500-bit Montgomery multiplier (19.5k lines of Verilog → 268k lines of C++) and running
 * 10k vectors through it; CPU seconds (user + sys) are the steadier figure, the machine
 * being shared:
 *                                                        build CPU   build wall   10k vectors
 *   everything -O1 (runtime, eval, trace, init code)       189 s       126 s        0.20 s
 *   eval -O2; trace and init code unoptimised              127 s       102 s        0.18 s
 *   eval -O1; trace and init code unoptimised  ← chosen    106 s        73 s        0.21 s
 *   nothing optimised (-O0)                                 78 s      38-81 s       3.9 s
 *   Verilator's default (-Os everywhere but init code)        —         146 s        0.23 s
 * (A 381-bit multiplier, 2.4k lines of Verilog: 38 / 31 / 37 / 27 CPU s, 0.05 s vs 0.9 s
 * per 10k vectors at -O0.) Trace code only runs in the traced re-run after a mismatch and
 * the "slow" files only at start-up, so they are compiled without optimisation (OPT_SLOW
 * is empty by default; OPTIMISE_MK moves the trace files, which Verilator counts as
 * fast-path, there too). The eval code gets -O1: -O2 simulates ~10% faster but builds
 * ~20% longer; -O0 saves a little build time and simulates 17× slower.
 */
export const CXX_OPT = '-O1';

/** Make rules read after the Verilated makefile (make -C obj -f Vtop.mk -f ../zkrtl_opt.mk). */
const OPTIMISE_MK = `# zkrtl: trace code runs only when a failure is re-run with tracing: no optimisation.
$(addsuffix .o,$(VM_SUPPORT_FAST)): override OPT_FAST :=
`;
const OPTIMISE_MK_NAME = 'zkrtl_opt.mk';

export const BUILD_FLAGS: readonly string[] = [
  '--cc', '--exe', '--build', '-j', '2',
  '-O3', '--x-assign', 'fast', '--x-initial', 'fast', '--noassert',
  '--default-language', '1364-2005',
  // Lint is lintVerilog's job; a simulator build should not stop at a style warning.
  '-Wno-fatal',
  '-MAKEFLAGS', `-f ../${OPTIMISE_MK_NAME} OPT_FAST=${CXX_OPT} OPT_GLOBAL=${CXX_OPT}`,
];

/**
 * Simulators are built without tracing, which measured on this 2-core machine (Verilator
 * 5.006, no ccache) is a quarter of the compile of an RTL model (montmul_bn254_fr: 19.1 →
 * 14.4 CPU s) and half of a gate-level netlist's (the 5-stage core's iCE40 netlist: 132 →
 * 63 CPU s). A run that needs a waveform runs again on a traced build of the same sources
 * (tracedSimulator; sim/vcd_support.h stands in for the VCD writer in untraced builds).
 */
const TRACE_FLAG = '--trace';

function hashInputs(top: string, files: Record<string, string>, harness: string, version: string, flags: readonly string[], kind: string): string {
  const h = createHash('sha256');
  // Length-prefixed fields, so no two different inputs concatenate to the same bytes.
  const put = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    h.update(`${b.length}:`);
    h.update(b);
  };
  put('zkrtl-pipeline-sim-v1');
  put(top);
  put(kind);
  put(version);
  put(JSON.stringify(flags));
  put(OPTIMISE_MK);
  put(harness);
  const names = Object.keys(files).sort();
  put(String(names.length));
  for (const n of names) {
    put(n);
    put(files[n]!);
  }
  return h.digest('hex');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Removes build folders left by processes that no longer run (killed builds). */
async function removeAbandonedBuilds(root: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return;
  }
  for (const e of entries) {
    const m = /^tmp-build-(\d+)-/.exec(e);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
      await rm(join(root, e), { recursive: true, force: true });
    }
  }
}

function fmtSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const building = new Map<string, Promise<string>>();

/**
 * Builds the pipeline harness (or `harnessPath`) against `top` and returns the simulator's
 * path, installing Verilator first when it is missing (ensureVerilator). Cached by the
 * SHA-256 of the Verilog (names and text), the harness source, the Verilator version and the
 * build flags: a second call with the same inputs returns the cached binary at once.
 */
export async function buildPipelineSim(opts: {
  top: string;
  files: Record<string, string>;
  onProgress?: (s: string) => void;
  /** The C++ harness (default sim/pipeline_harness.cpp); it is compiled with -DTOP_CLASS=V<top>. */
  harnessPath?: string;
  /** Build with tracing at once (default: without; a run asking for a waveform gets a traced build then). */
  trace?: boolean;
}): Promise<string> {
  const { top, files } = opts;
  checkSources(top, files);
  const harnessPath = opts.harnessPath ?? HARNESS_PATH;
  const harness = await readFile(harnessPath, 'utf8');
  // The harness' own headers (sim/harness_support.h …) travel with it and into the hash.
  const headers = await readHeaders(dirname(harnessPath));
  return buildSimulator({ top, files, harness, harnessName: basename(harnessPath), headers, trace: opts.trace ?? false, progress: opts.onProgress ?? (() => {}) });
}

/** The C++ headers in `dir`, by name. */
async function readHeaders(dir: string): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const h of (await readdir(dir)).filter((n) => n.endsWith('.h')).sort()) headers[h] = await readFile(join(dir, h), 'utf8');
  return headers;
}

/** What a cached simulator was built from (its build.json, beside the binary). */
interface BuildRecord {
  top: string;
  flags: string[];
  harness?: string;
  files?: string[];
}

/** Whether a simulator can write waveforms: built with --trace, or not one of this cache's builds. */
function isTraced(binary: string): boolean {
  try {
    const record = JSON.parse(readFileSync(join(dirname(binary), 'build.json'), 'utf8')) as BuildRecord;
    return record.flags.includes(TRACE_FLAG);
  } catch {
    return true;
  }
}

/**
 * The traced build of the simulator `binary` (itself when it traces): the same Verilog,
 * harness and headers, read back from its cache folder, built with --trace (cached too).
 */
export async function tracedSimulator(binary: string, onProgress?: (s: string) => void): Promise<string> {
  if (isTraced(binary)) return binary;
  const dir = dirname(resolve(binary));
  const record = JSON.parse(await readFile(join(dir, 'build.json'), 'utf8')) as BuildRecord;
  if (!record.harness || !record.files) throw new Error(`simulator ${binary} does not say what it was built from (build.json): build it again`);
  const src = join(dir, 'src');
  const files: Record<string, string> = {};
  for (const name of record.files) files[name] = await readFile(join(src, name), 'utf8');
  const headers = await readHeaders(src);
  const harness = await readFile(join(src, record.harness), 'utf8');
  return buildSimulator({ top: record.top, files, harness, harnessName: record.harness, headers, trace: true, progress: onProgress ?? (() => {}) });
}

/** What a simulator is built from: the Verilog, and the C++ harness with its headers. */
interface SimSources {
  top: string;
  files: Record<string, string>;
  harness: string;
  harnessName: string;
  headers: Record<string, string>;
}

async function buildSimulator(b: SimSources & {
  trace: boolean;
  progress: (s: string) => void;
}): Promise<string> {
  const { top, files, harness, harnessName, headers, progress } = b;
  await ensureVerilator({ log: progress });
  const version = await verilatorVersion();
  const kind = verilatorInvocation().kind;
  const flags = [...BUILD_FLAGS, ...(b.trace ? [TRACE_FLAG] : []), '--top-module', top];
  const bundle = [harnessName, harness, ...Object.entries(headers).flat()].join('\n\0');
  const hash = hashInputs(top, files, bundle, version, flags, kind);
  const root = cacheRoot();
  const finalDir = join(root, hash);
  const binary = join(finalDir, `V${top}`);
  if (existsSync(binary)) return binary;

  let pending = building.get(hash);
  if (!pending) {
    pending = build({ top, files, harness, harnessName, headers, flags, root, finalDir, binary, progress });
    building.set(hash, pending);
    pending.then(
      () => building.delete(hash),
      () => building.delete(hash),
    );
  }
  return pending;
}

async function build(b: SimSources & {
  flags: string[];
  root: string;
  finalDir: string;
  binary: string;
  progress: (s: string) => void;
}): Promise<string> {
  await mkdir(b.root, { recursive: true });
  await removeAbandonedBuilds(b.root);
  const tmp = await mkdtemp(join(b.root, `tmp-build-${process.pid}-`));
  const lines = Object.values(b.files).reduce((n, t) => n + t.split('\n').length, 0);
  const started = Date.now();
  b.progress(`building V${b.top} with Verilator (${Object.keys(b.files).length} files, ${lines} lines of Verilog)…`);
  let compiled = 0;
  const timer = setInterval(() => {
    const stage = compiled === 0 ? 'verilating' : `compiling C++, ${compiled} files started`;
    b.progress(`  still building V${b.top}… ${fmtSeconds(Date.now() - started)} (${stage})`);
  }, 15_000);
  try {
    const srcDir = join(tmp, 'src');
    const sources = await writeSources(srcDir, b.files);
    const harnessCopy = join(srcDir, b.harnessName);
    await writeFile(harnessCopy, b.harness);
    for (const [name, text] of Object.entries(b.headers)) await writeFile(join(srcDir, name), text);
    await writeFile(join(tmp, OPTIMISE_MK_NAME), OPTIMISE_MK);
    const objDir = join(tmp, 'obj');
    const inv = verilatorInvocation([tmp]);
    const argv = [
      ...inv.argvPrefix,
      ...b.flags,
      '-CFLAGS', `-DTOP_CLASS=V${b.top} -DTOP_HEADER=\\"V${b.top}.h\\"`,
      '-Mdir', objDir,
      `-I${srcDir}`,
      '-o', `V${b.top}`,
      ...sources,
      harnessCopy,
    ];
    const log: string[] = [];
    const onLine = (l: string) => {
      log.push(l);
      if (/ -c -o \S+\.o /.test(l)) compiled++;
    };
    const r = await runProcess(argv, { cwd: tmp, env: buildEnv(), onLine });
    await writeFile(join(tmp, 'build.log'), `${argv.join(' ')}\n\n${log.join('\n')}\n`);
    if (r.code !== 0) {
      const tail = log.filter((l) => l.trim()).slice(-30).join('\n');
      throw new Error(`Verilator build of ${b.top} failed (exit ${r.code ?? r.signal}):\n${tail}`);
    }
    // Keep the simulator, its sources and the log; drop the objects (tens of MB).
    await rename(join(objDir, `V${b.top}`), join(tmp, `V${b.top}`));
    await rm(objDir, { recursive: true, force: true });
    await writeFile(
      join(tmp, 'build.json'),
      JSON.stringify({ top: b.top, flags: b.flags, harness: b.harnessName, files: Object.keys(b.files).sort(), seconds: (Date.now() - started) / 1000, built: new Date().toISOString() }, null, 2) + '\n',
    );
    try {
      await rename(tmp, b.finalDir);
    } catch (e) {
      // Another process finished the same build first: use its copy.
      if (!existsSync(b.binary)) throw e;
      await rm(tmp, { recursive: true, force: true });
    }
    b.progress(`built V${b.top} in ${fmtSeconds(Date.now() - started)}`);
    return b.binary;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------------------------------
// Run

let runCounter = 0;

/** Widest operand the pipeline harness takes (kMaxWidth in sim/pipeline_harness.cpp). */
export const MAX_SIM_WIDTH = 4096;

/** The first mismatch of a simulation: `.message` is the harness' report. */
export class SimMismatchError extends Error {
  override name = 'SimMismatchError';
  constructor(
    message: string,
    /** VCD around the failing cycle, or undefined when the re-run did not reproduce it. */
    readonly waveformPath: string | undefined,
  ) {
    super(message);
  }
}

/**
 * When the results of a pipeline-harness run came out: one beat per out_valid answering a
 * vector, cycles counted from power-up. Back to back (no bubbles), `ii` is the block's
 * initiation interval as measured: 1 for a block that takes a vector every cycle.
 */
export interface OutputTiming {
  beats: number;
  firstOut: number | null;
  lastOut: number | null;
  /** (lastOut − firstOut) / (beats − 1): cycles per result in steady state; null under 2 beats. */
  ii: number | null;
  /** Most cycles between two consecutive beats; null under 2 beats. */
  maxGap: number | null;
  /** Least and most cycles from a vector being taken to its result. */
  latencyMin: number | null;
  latencyMax: number | null;
  /** Vectors taken that got no result (only counted by an `inOrder` run; 0 otherwise). */
  dropped: number;
}

/** The `beats=… first_out=… …` pairs of the harness' OK line ('-' → null). */
export function parseOutputTiming(line: string): OutputTiming {
  const kv = new Map(line.trim().split(/\s+/).map((p) => p.split('=') as [string, string]));
  const num = (k: string): number | null => {
    const v = kv.get(k);
    if (v === undefined) throw new Error(`harness summary has no ${k}=: ${line.trim()}`);
    return v === '-' ? null : Number(v);
  };
  const beats = num('beats') ?? 0;
  const firstOut = num('first_out');
  const lastOut = num('last_out');
  return {
    beats, firstOut, lastOut,
    // From the integers, not the printed ratio: exact when it is whole.
    ii: beats >= 2 ? (lastOut! - firstOut!) / (beats - 1) : null,
    maxGap: num('max_gap'), latencyMin: num('latency_min'), latencyMax: num('latency_max'), dropped: num('dropped') ?? 0,
  };
}

/**
 * Streams `vectors` through a simulator from buildPipelineSim. With `expected`, checks every
 * result (throws SimMismatchError on the first mismatch, with a waveform); always checks the
 * fixed-latency contract (result exactly `latency` cycles after its operands are taken; no
 * out_valid when nothing is due; none from garbage presented during reset) — unless
 * `inOrder`, which matches each out_valid beat to the oldest open vector at any latency (to
 * measure blocks whose results come less often than vectors go in), counts vectors that get
 * no result as `timing.dropped` (skipped by a later vector's result, or still open when
 * nothing more comes out) and leaves their `outputs` 0. A block with an in_ready port is
 * offered vectors as it takes them. Resolves with the results, the cycles simulated and when
 * the results came out (`timing`).
 */
export async function runPipelineSim(opts: {
  binary: string;
  latency: number;
  width: number;
  vectors: Array<[bigint, bigint]>;
  expected?: bigint[];
  bubbleProbability?: number;
  seed?: number;
  waveformPath?: string;
  workDir?: string;
  inOrder?: boolean;
  /** Progress of the traced build a mismatch's waveform needs. */
  onProgress?: (s: string) => void;
}): Promise<{ outputs: bigint[]; cycles: number; seconds: number; timing: OutputTiming }> {
  const { binary, latency, width, vectors, expected } = opts;
  const bubble = opts.bubbleProbability ?? 0;
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(width) || width < 1 || width > MAX_SIM_WIDTH) throw new Error(`width ${width} must be an integer 1..${MAX_SIM_WIDTH}`);
  if (!Number.isInteger(latency) || latency < 0) throw new Error(`latency ${latency} must be a non-negative integer`);
  if (!(bubble >= 0 && bubble < 1)) throw new Error(`bubbleProbability ${bubble} must be in [0, 1)`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed ${seed} must be a non-negative integer`);
  if (expected && expected.length !== vectors.length) {
    throw new Error(`${expected.length} expected results for ${vectors.length} vectors`);
  }
  const limit = 1n << BigInt(width);
  const hexOf = (v: bigint, what: string, i: number) => {
    if (v < 0n || v >= limit) throw new Error(`vector ${i}: ${what} = 0x${v.toString(16)} does not fit in ${width} bits`);
    return v.toString(16);
  };
  const line = (i: number) => {
    const [a, b] = vectors[i]!;
    const l = `${hexOf(a, 'a', i)} ${hexOf(b, 'b', i)}`;
    return expected ? `${l} ${hexOf(expected[i]!, 'expected', i)}\n` : `${l}\n`;
  };
  // Check every operand before anything is written.
  for (let i = 0; i < vectors.length; i++) line(i);

  // The vectors file goes to workDir, else next to the waveform (a mismatch leaves both
  // there, for the rerun line of the report), else to a temporary folder.
  const ownDir = opts.workDir === undefined && opts.waveformPath === undefined;
  const workDir = ownDir
    ? await mkdtemp(join(tmpdir(), 'zkrtl-sim-'))
    : resolve(opts.workDir ?? dirname(resolve(opts.waveformPath!)));
  await mkdir(workDir, { recursive: true });
  const stem = `${basename(binary)}-${process.pid}-${Date.now().toString(36)}-${++runCounter}`;
  const vectorsPath = join(workDir, `${stem}.vectors.hex`);
  const outPath = join(workDir, `${stem}.out.hex`);
  const waveformPath = opts.waveformPath ? resolve(opts.waveformPath) : join(workDir, `${stem}.vcd`);
  await mkdir(dirname(waveformPath), { recursive: true });
  // In chunks: a million 1024-bit vectors would not fit in one JavaScript string.
  const fh = await open(vectorsPath, 'w');
  try {
    for (let i = 0; i < vectors.length; i += 4096) {
      const chunk: string[] = [];
      for (let j = i; j < Math.min(i + 4096, vectors.length); j++) chunk.push(line(j));
      await fh.write(chunk.join(''));
    }
  } finally {
    await fh.close();
  }

  const args = [
    '--vectors', vectorsPath, '--latency', String(latency), '--width', String(width),
    '--out', outPath, '--bubble', String(bubble), '--seed', String(seed), '--wave', waveformPath,
    ...(opts.inOrder ? ['--in-order'] : []),
  ];
  let keep = false;
  try {
    const r = await runSimulator(binary, args, [workDir, dirname(waveformPath)], { onProgress: opts.onProgress });
    keep = r.code === 1; // on a mismatch the waveform, and the vectors to reproduce the run, stay
    await checkHarnessExit(binary, r);
    const ok = /^OK vectors=(\d+) cycles=(\d+) sim_seconds=([\d.eE+-]+) (beats=.*)$/m.exec(r.stdout);
    if (!ok || Number(ok[1]) !== vectors.length) {
      throw new Error(`simulator ${binary} gave no summary for ${vectors.length} vectors: ${r.stdout.trim()}`);
    }
    const outputs = parseHexLines(await readFile(outPath));
    if (outputs.length !== vectors.length) {
      throw new Error(`simulator ${binary} wrote ${outputs.length} results for ${vectors.length} vectors`);
    }
    return { outputs, cycles: Number(ok[2]), seconds: Number(ok[3]), timing: parseOutputTiming(ok[4]!) };
  } finally {
    if (!keep) {
      if (ownDir) await rm(workDir, { recursive: true, force: true });
      else await Promise.all([rm(vectorsPath, { force: true }), rm(outPath, { force: true })]);
    }
  }
}

/**
 * The exit convention of zkrtl's harnesses: 0 ran and checked, 1 a mismatch whose report is
 * on stderr with a `WAVEFORM <path>` line (thrown as SimMismatchError), anything else a
 * failure of the run itself (thrown as Error).
 */
export async function checkHarnessExit(binary: string, r: ProcessResult): Promise<void> {
  if (r.code === 1) {
    const m = /^WAVEFORM (.+)$/m.exec(r.stderr);
    const report = r.stderr.replace(/^WAVEFORM .+$\n?/m, '').trimEnd();
    let wave = m?.[1];
    if (wave && !(await stat(wave).then((st) => st.size > 0, () => false))) wave = undefined;
    throw new SimMismatchError(report, wave);
  }
  if (r.code !== 0) {
    throw new Error(`simulator ${binary} failed (${r.code === null ? `signal ${r.signal}` : `exit ${r.code}`}): ${r.stderr.trim() || r.stdout.trim()}`);
  }
}

/**
 * Runs a simulator built by buildPipelineSim with `args` (locally, or in the Verilator image
 * when ZKRTL_VERILATOR=docker, mounting `dirs`); resolves with the exit code and the
 * captured output. A run that asks for a waveform gets one from the traced build of the same
 * sources (tracedSimulator), which is built then.
 */
export async function runSimulator(
  binary: string,
  args: string[],
  dirs: string[] = [],
  opts: ProcessOptions & { onProgress?: (s: string) => void } = {},
): Promise<ProcessResult> {
  const { onProgress, ...processOpts } = opts;
  // A run for a waveform window (--wave-from) goes to the traced build at once; one that
  // writes a waveform only on a mismatch (--wave, exit 1) runs again there when it has one.
  if (args.includes('--wave-from')) return execSimulator(await tracedSimulator(binary, onProgress), args, dirs, processOpts);
  const r = await execSimulator(binary, args, dirs, processOpts);
  if (r.code === 1 && args.includes('--wave') && !isTraced(binary)) return execSimulator(await tracedSimulator(binary, onProgress), args, dirs, processOpts);
  return r;
}

function execSimulator(binary: string, args: string[], dirs: string[], opts: ProcessOptions): Promise<ProcessResult> {
  const absBinary = isAbsolute(binary) ? binary : resolve(binary);
  const argv =
    verilatorInvocation().kind === 'docker'
      ? [...dockerRun([dirname(absBinary), ...dirs], absBinary), ...args]
      : [absBinary, ...args];
  return runProcess(argv, opts);
}

/** One hex number a line, without building one string of the whole file. */
export function parseHexLines(buf: Buffer): bigint[] {
  const out: bigint[] = [];
  let start = 0;
  for (;;) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    if (end > start) out.push(BigInt(`0x${buf.toString('latin1', start, end)}`));
    if (end >= buf.length) return out;
    start = end + 1;
  }
}
