// The RISC-V tools the rv32im flow uses: Debian's gcc-riscv64-unknown-elf (compiles the C
// test and benchmark programs for rv32im/ilp32, freestanding, with riscv/crt0.S and
// riscv/link.ld) and qemu-user's qemu-riscv32 (the reference the model and the core are
// compared with). Missing tools are installed with apt-get when running as root, else the
// error says in one line how to install them.
//
// Compiled programs are cached under <repo>/.cache/riscv/<sha256 of compiler, flags and every
// input file>.elf, so a test run compiles each program once.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { access, copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from '../base/paths.ts';
import { ensureDebianPackages, lastLine, runProcess, which } from '../tools/process.ts';

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


/** Makes sure riscv64-unknown-elf-gcc and qemu-riscv32 are on PATH (installing them as root). */
export function ensureRiscvTools(opts: { log?: (s: string) => void } = {}): Promise<void> {
  return ensureDebianPackages({
    packages: [
      { pkg: 'gcc-riscv64-unknown-elf', present: () => which(GCC) !== undefined },
      { pkg: 'qemu-user', present: () => which(QEMU) !== undefined },
    ],
    purpose: 'needed to compile and check RISC-V programs',
    hint: INSTALL_HINT,
    log: opts.log,
  });
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
      const r = await runProcess([GCC, ...args, '-o', tmpElf]);
      if (r.code !== 0) {
        const text = r.stderr;
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
    const r = await runProcess([QEMU, path], { timeoutMs: opts.timeoutMs ?? 60_000 });
    return { stdout: r.stdoutBytes, stderr: r.stderrBytes, exitCode: r.code ?? 128 + 9 };
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

