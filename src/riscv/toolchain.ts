// The RISC-V tools the rv32im flow uses: Debian's gcc-riscv64-unknown-elf (compiles the C
// test and benchmark programs for rv32im/ilp32, freestanding, with riscv/crt0.S and
// riscv/link.ld) and qemu-user's qemu-riscv32 (the reference the model and the core are
// compared with). Missing tools are installed with apt-get when running as root, else the
// error says in one line how to install them.
//
// Compiled programs are cached under <repo>/.cache/riscv/<sha256 of compiler, flags and every
// input file>.elf, so a test run compiles each program once.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { access, copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from '../sim/verilator.ts';

export const RISCV_DIR = join(REPO_ROOT, 'riscv');
export const RISCV_TESTS_DIR = join(RISCV_DIR, 'tests');
export const CRT0_PATH = join(RISCV_DIR, 'crt0.S');
export const LINKER_SCRIPT_PATH = join(RISCV_DIR, 'link.ld');

export const GCC = 'riscv64-unknown-elf-gcc';
export const QEMU = 'qemu-riscv32';
const INSTALL_HINT = 'install them with `sudo apt-get install gcc-riscv64-unknown-elf qemu-user` (Debian/Ubuntu)';

/** Root of the compiled-program cache: $ZKRTL_RISCV_CACHE, else <repo>/.cache/riscv. */
export function riscvCacheRoot(): string {
  const env = process.env.ZKRTL_RISCV_CACHE;
  return env ? resolve(env) : join(REPO_ROOT, '.cache', 'riscv');
}

function which(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$1"`, 'sh', bin], { stdio: 'ignore' }).status === 0;
}

interface ProcResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

function runProc(argv: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; onLine?: (l: string) => void } = {}): Promise<ProcResult> {
  return new Promise((res, rej) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (opts.onLine) for (const l of b.toString().split('\n')) opts.onLine(l);
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      rej(new Error(`cannot run ${argv[0]}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (timedOut) return rej(new Error(`${basename(argv[0]!)} ${argv.slice(1).join(' ')} took longer than ${opts.timeoutMs} ms and was killed`));
      res({ code: code ?? (signal ? 128 + 9 : 1), stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
  });
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return lines[lines.length - 1]?.trim() || '(no output)';
}

let ensured: Promise<void> | undefined;

/**
 * Makes sure riscv64-unknown-elf-gcc and qemu-riscv32 are on PATH: installs
 * gcc-riscv64-unknown-elf / qemu-user with apt-get when missing and root, else throws one line.
 */
export function ensureRiscvTools(opts: { log?: (s: string) => void } = {}): Promise<void> {
  if (!ensured) {
    ensured = doEnsure(opts.log ?? ((s) => process.stderr.write(`zkrtl: ${s}\n`)));
    ensured.catch(() => (ensured = undefined));
  }
  return ensured;
}

async function doEnsure(log: (s: string) => void): Promise<void> {
  const missing: string[] = [];
  if (!which(GCC)) missing.push('gcc-riscv64-unknown-elf');
  if (!which(QEMU)) missing.push('qemu-user');
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get')) {
    throw new Error(`${missing.join(', ')} not found (needed to compile and check RISC-V programs): ${INSTALL_HINT}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const onLine = (l: string) => {
    if (l.trim()) log(`  ${l.trim()}`);
  };
  const install = () => runProc(['apt-get', 'install', '-y', '--no-install-recommends', ...missing], { env, onLine });
  log(`${missing.join(', ')} not found: installing with apt-get install -y ${missing.join(' ')}`);
  let r = await install();
  if (r.code !== 0) {
    log('apt-get install failed; refreshing the package lists (apt-get update) and trying again');
    const u = await runProc(['apt-get', 'update'], { env, onLine });
    if (u.code !== 0) throw new Error(`apt-get update failed (exit ${u.code}): ${lastLine(u.stderr.toString())}; ${INSTALL_HINT}`);
    r = await install();
    if (r.code !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed (exit ${r.code}): ${lastLine(r.stderr.toString())}`);
  }
  if (!which(GCC) || !which(QEMU)) throw new Error(`apt-get installed ${missing.join(', ')} but ${GCC} or ${QEMU} is still not on PATH: ${INSTALL_HINT}`);
  log(`installed ${missing.join(', ')}`);
}

let gccVersionCache: string | undefined;
function gccVersion(): string {
  if (gccVersionCache === undefined) {
    const r = spawnSync(GCC, ['--version'], { encoding: 'utf8' });
    gccVersionCache = r.status === 0 ? r.stdout.split('\n')[0]! : 'unknown';
  }
  return gccVersionCache;
}

export interface CompileOptions {
  /** Optimisation flag, default '-O2'. */
  opt?: string;
  /** More gcc flags (e.g. -D…), placed before the sources. */
  flags?: string[];
}

/** The gcc command line (without -o) for these sources; exposed for documentation and tests. */
export function gccArgs(cSources: string[], opts: CompileOptions = {}): string[] {
  const includeDirs = [RISCV_DIR, ...new Set(cSources.map((s) => dirname(resolve(s))))];
  return [
    '-march=rv32im', '-mabi=ilp32', opts.opt ?? '-O2',
    '-ffreestanding', '-fno-builtin-printf', '-nostdlib', '-nostartfiles', '-static',
    '-fno-asynchronous-unwind-tables', '-Wall',
    ...includeDirs.map((d) => `-I${d}`),
    '-T', LINKER_SCRIPT_PATH, '-Wl,--no-warn-rwx-segments', '-Wl,--build-id=none',
    ...(opts.flags ?? []),
    CRT0_PATH, ...cSources.map((s) => resolve(s)),
    '-lgcc', // 64-bit multiply/divide helpers (the rv32im/ilp32 multilib of Debian's package)
  ];
}

/** Headers a source may include: *.h in riscv/ and in each source's folder. */
function headerFiles(cSources: string[]): string[] {
  const dirs = [RISCV_DIR, ...new Set(cSources.map((s) => dirname(resolve(s))))];
  const out: string[] = [];
  for (const d of new Set(dirs)) {
    for (const f of readdirSync(d).sort()) if (f.endsWith('.h')) out.push(join(d, f));
  }
  return out;
}

/**
 * Compiles C sources (with riscv/crt0.S and riscv/link.ld) into a static rv32im ELF at
 * `outElf` (returned, absolute). Cached by the hash of compiler, flags and inputs.
 * A compile error throws with gcc's first error line.
 */
export async function compileProgram(cSources: string[], outElf: string, opts: CompileOptions = {}): Promise<string> {
  await ensureRiscvTools();
  for (const s of cSources) if (!existsSync(s)) throw new Error(`C source ${s} does not exist`);
  const args = gccArgs(cSources, opts);
  const h = createHash('sha256');
  h.update(gccVersion()).update('\0').update(args.join('\0'));
  for (const f of [CRT0_PATH, LINKER_SCRIPT_PATH, ...cSources.map((s) => resolve(s)), ...headerFiles(cSources)]) {
    h.update('\0').update(f).update('\0').update(readFileSync(f));
  }
  const key = h.digest('hex');
  const root = riscvCacheRoot();
  const cached = join(root, `${key}.elf`);
  const out = resolve(outElf);
  if (!existsSync(cached)) {
    await mkdir(root, { recursive: true });
    const tmp = await mkdtemp(join(tmpdir(), 'zkrtl-gcc-'));
    try {
      const tmpElf = join(tmp, 'a.elf');
      const r = await runProc([GCC, ...args, '-o', tmpElf]);
      if (r.code !== 0) {
        const text = r.stderr.toString();
        const first = text.split('\n').find((l) => /error/.test(l)) ?? lastLine(text);
        throw new Error(`${GCC} failed on ${cSources.map((s) => basename(s)).join(' ')}: ${first.trim()}`);
      }
      const staged = `${cached}.tmp-${process.pid}`;
      await copyFile(tmpElf, staged);
      await rename(staged, cached);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  if (out !== cached) {
    await mkdir(dirname(out), { recursive: true });
    const staged = `${out}.tmp-${process.pid}`;
    await copyFile(cached, staged);
    await rename(staged, out);
  }
  return out;
}

/** Every riscv/tests/*.c program, by name (file name without .c), sorted. */
export function testProgramSources(): { name: string; source: string }[] {
  return readdirSync(RISCV_TESTS_DIR)
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((f) => ({ name: f.slice(0, -2), source: join(RISCV_TESTS_DIR, f) }));
}

/** Compiles every riscv/tests/*.c to <cache>/tests/NAME.elf (cached); returns name → ELF path. */
export async function buildTestPrograms(opts: CompileOptions = {}): Promise<{ name: string; elf: string }[]> {
  const out: { name: string; elf: string }[] = [];
  for (const { name, source } of testProgramSources()) {
    out.push({ name, elf: await compileProgram([source], join(riscvCacheRoot(), 'tests', `${name}.elf`), opts) });
  }
  return out;
}

export interface QemuResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/**
 * Runs an ELF (path, or bytes) under qemu-riscv32. qemu-user refuses a file without execute
 * permission, so bytes, or a path that is not executable, are run from a temporary copy (0755).
 */
export async function runQemu(elf: string | Uint8Array, opts: { timeoutMs?: number } = {}): Promise<QemuResult> {
  await ensureRiscvTools();
  let path: string | undefined = typeof elf === 'string' ? elf : undefined;
  let tmp: string | undefined;
  if (path !== undefined) {
    try {
      await access(path, constants.X_OK);
    } catch {
      path = undefined;
    }
  }
  if (path === undefined) {
    tmp = await mkdtemp(join(tmpdir(), 'zkrtl-qemu-'));
    path = join(tmp, 'prog.elf');
    await writeFile(path, typeof elf === 'string' ? await readFile(elf) : elf, { mode: 0o755 });
  }
  try {
    const r = await runProc([QEMU, path], { timeoutMs: opts.timeoutMs ?? 60_000 });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

