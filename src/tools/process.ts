// The external programs zkrtl drives (Verilator, the RISC-V toolchain, QEMU, nextpnr):
// finding them, running them, and installing them from Debian when they are missing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Where `name` is on PATH (or the path itself when it contains a slash), else undefined. */
export function which(name: string): string | undefined {
  if (name.includes('/')) return existsSync(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export interface ProcessResult {
  /** Exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The raw output, for programs whose output is compared byte for byte. */
  stdoutBytes: Buffer;
  stderrBytes: Buffer;
}

export interface ProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with each complete line of stdout and stderr as it arrives. */
  onLine?: (line: string) => void;
  /** Called with each chunk of output as it arrives (e.g. to pass a program's output on). */
  onData?: (stream: 1 | 2, chunk: Buffer) => void;
  /** Kill the process after this long and reject. */
  timeoutMs?: number;
  /** Kill the process when this aborts; the result then has code null and signal SIGKILL. */
  signal?: AbortSignal;
}

/** Runs argv to completion; rejects only when it cannot start or runs past timeoutMs. */
export function runProcess(argv: string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const partial = { stdout: '', stderr: '' };
    const feed = (key: 'stdout' | 'stderr', chunk: Buffer) => {
      if (!opts.onLine) return;
      const lines = (partial[key] + chunk.toString('utf8')).split('\n');
      partial[key] = lines.pop() ?? '';
      for (const l of lines) opts.onLine(l);
    };
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    const stop = () => child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', stop, { once: true });
    if (opts.signal?.aborted) stop();
    child.stdout.on('data', (c: Buffer) => {
      out.push(c);
      opts.onData?.(1, c);
      feed('stdout', c);
    });
    child.stderr.on('data', (c: Buffer) => {
      err.push(c);
      opts.onData?.(2, c);
      feed('stderr', c);
    });
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', stop);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', stop);
      if (timedOut) {
        reject(new Error(`${basename(argv[0]!)} ${argv.slice(1).join(' ')} took longer than ${opts.timeoutMs} ms and was killed`));
        return;
      }
      if (opts.onLine) for (const k of ['stdout', 'stderr'] as const) if (partial[k]) opts.onLine(partial[k]);
      const stdoutBytes = Buffer.concat(out);
      const stderrBytes = Buffer.concat(err);
      resolvePromise({ code, signal, stdout: stdoutBytes.toString('utf8'), stderr: stderrBytes.toString('utf8'), stdoutBytes, stderrBytes });
    });
  });
}

export function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return lines[lines.length - 1]?.trim() || '(no output)';
}

export interface DebianPackage {
  /** The Debian package that provides it. */
  pkg: string;
  /** Whether it is usable already (usually: its binary is on PATH). */
  present: () => boolean;
}

const installing = new Map<string, Promise<void>>();

/**
 * Makes sure the packages are there. What is missing is installed with `apt-get install -y`
 * (after `apt-get update` when that fails) when we are root and have apt-get, with progress
 * on `log`; otherwise this throws an Error whose message is one line: what is missing,
 * what for (`purpose`) and how to install it (`hint`).
 */
export function ensureDebianPackages(opts: { packages: DebianPackage[]; purpose: string; hint: string; log?: (s: string) => void }): Promise<void> {
  const missing = opts.packages.filter((p) => !p.present()).map((p) => p.pkg);
  if (missing.length === 0) return Promise.resolve();
  const key = missing.join(' ');
  let p = installing.get(key);
  if (!p) {
    p = install(missing, opts.packages, opts.purpose, opts.hint, opts.log ?? ((s) => process.stderr.write(`zkrtl: ${s}\n`)));
    installing.set(key, p);
    p.then(
      () => installing.delete(key),
      () => installing.delete(key),
    );
  }
  return p;
}

async function install(missing: string[], packages: DebianPackage[], purpose: string, hint: string, log: (s: string) => void): Promise<void> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get')) throw new Error(`${missing.join(', ')} not found (${purpose}): ${hint}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const onLine = (l: string) => {
    if (l.trim()) log(`  ${l.trim()}`);
  };
  const aptInstall = () => runProcess(['apt-get', 'install', '-y', '--no-install-recommends', ...missing], { env, onLine });
  log(`${missing.join(', ')} not found: installing with apt-get install -y ${missing.join(' ')}`);
  let r = await aptInstall();
  if (r.code !== 0) {
    log('apt-get install failed; refreshing the package lists (apt-get update) and trying again');
    const u = await runProcess(['apt-get', 'update'], { env, onLine });
    if (u.code !== 0) throw new Error(`apt-get update failed (exit ${u.code}): ${lastLine(u.stderr)}; ${hint}`);
    r = await aptInstall();
    if (r.code !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed (exit ${r.code}): ${lastLine(r.stderr)}`);
  }
  const still = packages.filter((p) => missing.includes(p.pkg) && !p.present()).map((p) => p.pkg);
  if (still.length) throw new Error(`apt-get installed ${still.join(', ')} but it is still not usable (not on PATH?): ${hint}`);
  log(`installed ${missing.join(', ')}`);
}
