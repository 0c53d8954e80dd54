// Running Yosys: the WebAssembly build from npm by default (nothing to install), or a native
// binary named by $YOSYS when speed matters. Both paths return the same shape: the whole log
// and the output files the caller asked for, as text.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * Clears keep_hierarchy (a Verilog attribute: the rv32im divider's step and count carry it, for
 * the iCE40 flow's LUT mapping) so that the flatten after it inlines every module.
 */
export const UNKEEP_HIERARCHY = 'setattr -mod -unset keep_hierarchy';

export interface YosysRun {
  /** A Yosys script (commands separated by newlines or `;`). */
  script: string;
  /** Input files by relative path. */
  files: Record<string, string>;
  /** Relative paths of files the script writes, returned as text. */
  outputs?: string[];
  /** Each log line as Yosys prints it. */
  onLine?: (line: string) => void;
}

export interface YosysResult {
  log: string;
  files: Record<string, string>;
}

/** Yosys failed. The message is one line (the first ERROR line, or the names used but never declared); the full log is kept on `.log`. */
export class YosysError extends Error {
  readonly log: string;
  constructor(message: string, log: string) {
    super(message);
    this.name = 'YosysError';
    this.log = log;
  }
}

// Not `script.ys`: a design file of that name must not be overwritten by our script.
const SCRIPT_NAME = '__zkrtl_script.ys';

/** The first line of the log mentioning ERROR (parser errors put `file:line:` before it). */
export function firstErrorLine(log: string): string | undefined {
  return log.split('\n').find((l) => l.includes('ERROR:'))?.trim();
}

function failure(log: string, fallback: string): YosysError {
  return new YosysError(firstErrorLine(log) ?? fallback, log);
}

function checkRelativePath(path: string): void {
  if (path === '' || path.startsWith('/') || path.split('/').some((s) => s === '..' || s === '')) {
    throw new Error(`yosys file name ${JSON.stringify(path)} must be a relative path inside the work directory`);
  }
}

/** Splits streamed text into lines for onLine; keeps the whole text for the log. */
class LogCollector {
  private readonly chunks: string[] = [];
  private partial = '';
  constructor(private readonly onLine?: (line: string) => void) {}

  push(text: string): void {
    if (!text) return;
    this.chunks.push(text);
    if (!this.onLine) return;
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    for (const l of lines) this.onLine(l.endsWith('\r') ? l.slice(0, -1) : l);
  }

  finish(): string {
    if (this.onLine && this.partial) this.onLine(this.partial);
    this.partial = '';
    return this.chunks.join('');
  }
}

export async function runYosys(opts: YosysRun): Promise<YosysResult> {
  for (const p of [...Object.keys(opts.files), ...(opts.outputs ?? [])]) checkRelativePath(p);
  if (SCRIPT_NAME in opts.files) throw new Error(`${SCRIPT_NAME} is reserved for the yosys script`);
  const native = process.env.YOSYS;
  let result: YosysResult;
  try {
    // Yosys runs in a temp dir, so a relative path must be made absolute before we go there.
    result = await (native ? runNative(native.includes('/') ? resolve(native) : native, opts) : runWasm(opts));
  } catch (e) {
    const undeclared = e instanceof YosysError ? undeclaredNames(e.log) : [];
    if (e instanceof YosysError && undeclared.length) throw new YosysError(`${undeclared.join('; ')} (then: ${e.message})`, e.log);
    throw e;
  }
  const undeclared = undeclaredNames(result.log);
  if (undeclared.length) throw new YosysError(undeclared.join('; '), result.log);
  return result;
}

/**
 * `file:line: name is used but never declared`, for each name Yosys only warns about as
 * implicitly declared. Yosys tests `default_nettype none` against the nettype in force where the
 * file ends, and ours end with `default_nettype wire`: such a name becomes an undriven 1-bit wire
 * and the synthesis, its figures or a proof are of another design. Every Yosys run of ours
 * (runYosys, the formal flow) fails on one.
 */
export function undeclaredNames(log: string): string[] {
  // (once per name and place: Yosys warns again for each parameter set it derives a module with)
  const found = [...log.matchAll(/^(.+:\d+): Warning: Identifier `\\(.+)' is implicitly declared\.$/gm)].map((m) => `${m[1]}: ${m[2]} is used but never declared`);
  return [...new Set(found)];
}

type Tree = { [name: string]: Tree | string | Uint8Array };

function treeFrom(files: Record<string, string>): Tree {
  const root: Tree = {};
  for (const [path, text] of Object.entries(files)) {
    const parts = path.split('/');
    let dir = root;
    for (const p of parts.slice(0, -1)) dir = (dir[p] ??= {}) as Tree;
    dir[parts[parts.length - 1]] = text;
  }
  return root;
}

function treeGet(tree: Tree, path: string): string | undefined {
  let node: Tree | string | Uint8Array | undefined = tree;
  for (const p of path.split('/')) {
    if (node === undefined || typeof node === 'string' || node instanceof Uint8Array) return undefined;
    node = node[p];
  }
  if (typeof node === 'string') return node;
  // decodeASCII only yields strings for pure-ASCII files; anything else comes back as bytes.
  if (node instanceof Uint8Array) return new TextDecoder().decode(node);
  return undefined;
}

function collectOutputs(outputs: string[], get: (path: string) => string | undefined, log: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of outputs) {
    const text = get(path);
    if (text === undefined) throw new YosysError(`yosys finished but did not write ${path}`, log);
    files[path] = text;
  }
  return files;
}

async function runWasm(opts: YosysRun): Promise<YosysResult> {
  // Loaded lazily: the module is large and only synthesis and lint need it.
  const yowasp = await import('@yowasp/yosys');
  const collector = new LogCollector(opts.onLine);
  // One decoder per stream so a UTF-8 sequence split across chunks is reassembled.
  const sink = () => {
    const decoder = new TextDecoder();
    return (bytes: Uint8Array | null) => collector.push(bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode());
  };
  const input = treeFrom({ ...opts.files, [SCRIPT_NAME]: opts.script });
  let tree: Tree;
  try {
    tree = ((await yowasp.runYosys(['-s', SCRIPT_NAME], input, { stdout: sink(), stderr: sink() })) ?? {}) as Tree;
  } catch (e) {
    const log = collector.finish();
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') throw failure(log, `yosys exited with status ${code}`);
    // A trap or out-of-memory inside the WebAssembly module rather than a Yosys error.
    throw new YosysError(`yosys (WebAssembly) failed: ${(e as Error).message}`, log);
  }
  const log = collector.finish();
  return { log, files: collectOutputs(opts.outputs ?? [], (p) => treeGet(tree, p), log) };
}

async function runNative(binary: string, opts: YosysRun): Promise<YosysResult> {
  const dir = mkdtempSync(join(tmpdir(), 'zkrtl-yosys-'));
  try {
    for (const [path, text] of Object.entries(opts.files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    writeFileSync(join(dir, SCRIPT_NAME), opts.script);
    const collector = new LogCollector(opts.onLine);
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(binary, ['-s', SCRIPT_NAME], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.setEncoding('utf8').on('data', (s: string) => collector.push(s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => collector.push(s));
      child.on('error', (e) => reject(new YosysError(`YOSYS=${binary} could not be run: ${e.message}`, '')));
      child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
    const log = collector.finish();
    if (code !== 0) throw failure(log, `yosys exited with status ${code}`);
    const read = (p: string) => (existsSync(join(dir, p)) ? readFileSync(join(dir, p), 'utf8') : undefined);
    return { log, files: collectOutputs(opts.outputs ?? [], read, log) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "0.55 (git sha1 60f126cd0)" from "Yosys 0.55 (git sha1 60f126cd0, clang …)". */
export function yosysVersionFrom(text: string): string {
  const m = /Yosys (\S+) \(git sha1 ([0-9a-f]+)/.exec(text);
  if (m) return `${m[1]} (git sha1 ${m[2]})`;
  return /Yosys (\S+)/.exec(text)?.[1] ?? 'unknown';
}

/** The version of the Yosys that runYosys would use (WebAssembly or $YOSYS). */
export async function yosysVersion(): Promise<string> {
  // An empty script still prints the banner with the version, on both paths.
  const { log } = await runYosys({ script: '', files: {} });
  return yosysVersionFrom(log);
}

/** File names go into a script unquoted, so keep them to characters Yosys never splits on. */
export function scriptFileName(name: string): string {
  if (!/^[A-Za-z0-9_.\-/+]+$/.test(name)) throw new Error(`file name ${JSON.stringify(name)} cannot be passed to yosys: use letters, digits and _ . - / + only`);
  return name;
}

/** A module name as a script argument: plain Verilog identifiers only (no escaped names). */
export function moduleName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(name)) throw new Error(`module name ${JSON.stringify(name)} is not a plain Verilog identifier`);
  return name;
}

/** The Verilog sources among `files` (headers stay in the tree for `include). */
export function verilogFileNames(files: Record<string, string>): string[] {
  return Object.keys(files).filter((f) => f.endsWith('.v')).map(scriptFileName);
}

/**
 * Collects the warnings printed by the last CHECK pass, joined into one line.
 * check -assert itself only says how many problems it found; the warnings say which.
 */
export function checkProblems(log: string): string[] {
  const lines = log.split('\n');
  let start = -1;
  for (let i = 0; i < lines.length; i++) if (/Executing CHECK pass/.test(lines[i])) start = i;
  if (start < 0) return [];
  const problems: { head: string; details: string[] }[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('Warning: ')) problems.push({ head: line.slice('Warning: '.length).replace(/:$/, ''), details: [] });
    // Indented lines detail the warning above them (the drivers, the cells of a loop).
    else if (/^\s+\S/.test(line) && problems.length) problems[problems.length - 1].details.push(line.trim());
  }
  return problems.map((p) => (p.details.length ? `${p.head} (${p.details.join(', ')})` : p.head));
}

/**
 * read_verilog (Verilog-2005), hierarchy -check, proc, check -assert. Throws YosysError whose
 * message names the problems: an undriven or multiply driven wire, a missing module, a syntax error.
 */
export async function checkVerilog(top: string, files: Record<string, string>): Promise<void> {
  const sources = verilogFileNames(files);
  if (sources.length === 0) throw new YosysError(`checkVerilog ${top}: no .v files given`, '');
  const script = [
    `read_verilog ${sources.join(' ')}`,
    `hierarchy -check -top ${moduleName(top)}`,
    // -noopt: proc's own opt_expr folds undriven bits to constants and merges conflicting
    // drivers into self-loops, hiding exactly what check is here to find.
    'proc -noopt',
    // opt_clean renames nets after their public wires, so check names `\z`, not `$or$x.v:6$2_Y`.
    'opt_clean',
    'check -assert',
  ].join('\n');
  try {
    await runYosys({ script, files });
  } catch (e) {
    if (!(e instanceof YosysError)) throw e;
    const problems = checkProblems(e.log);
    if (/check -assert/.test(e.message) && problems.length) {
      throw new YosysError(`${top}: ${problems.join('; ')}`, e.log);
    }
    throw new YosysError(`${top}: ${e.message.replace(/^ERROR:\s*/, '')}`, e.log);
  }
}
