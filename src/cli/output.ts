// Atomic output: everything is written into a temporary sibling directory and renamed into
// place, so an output directory never holds a half-written set, and a failure leaves the
// previous contents untouched.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file of that name exists',
  ENOENT: 'the system refuses to create it there',
};

/** A file-system error on `path` as the one line a user reads (exit 2). */
function pathError(path: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return new UsageError(`cannot write ${path}: ${REASONS[code] ?? (e instanceof Error ? e.message : String(e))}${code ? ` (${code})` : ''}`);
}

/**
 * mkdir -p without `recursive: true`: one level at a time, so that a file in the way or a
 * place the OS refuses (/proc) is a clear error, not an EEXIST from deep inside Node or a
 * loop (Node's recursive mkdir retries forever on some pseudo file systems).
 */
function makeDirs(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`cannot write below ${dir}: it is a file, not a directory`);
    return;
  }
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(dir).isDirectory()) return;
    throw pathError(dir, e);
  }
}

/** Files that mark a directory as zkrtl output we may replace. */
const MARKERS = ['filelist.f', 'designs.json', 'report.json', 'results.json'];

/** zkrtl wrote it: a marker at the top, or only design directories that hold one (`zkrtl gen BLOCK` into rtl-out/). */
function writtenByZkrtl(dir: string): boolean {
  const entries = readdirSync(dir);
  if (entries.length === 0 || MARKERS.some((m) => entries.includes(m))) return true;
  return entries.every((e) => {
    const sub = join(dir, e);
    return statSync(sub).isDirectory() && MARKERS.some((m) => existsSync(join(sub, m)));
  });
}

function checkReplaceable(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} exists and is not a directory`);
  if (!writtenByZkrtl(dir)) {
    throw new UsageError(`--out ${dir} is a non-empty directory not written by zkrtl: choose another or empty it`);
  }
}

/** Writes `files` (relative path → text) as the complete new contents of `outDir`. */
export function writeDirectoryAtomically(outDir: string, files: Map<string, string | Uint8Array>): void {
  const target = resolve(outDir);
  checkReplaceable(target);
  const parent = dirname(target);
  makeDirs(parent);
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${tag}`);
  const old = join(parent, `.${basename(target)}.old-${tag}`);
  try {
    try {
      mkdirSync(tmp);
    } catch (e) {
      throw pathError(target, e);
    }
    for (const [rel, content] of files) {
      const path = join(tmp, rel);
      makeDirs(dirname(path));
      try {
        writeFileSync(path, content);
      } catch (e) {
        throw pathError(join(target, rel), e);
      }
    }
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

/** One file, written via a temporary name in the same directory and renamed. */
export function writeFileAtomically(path: string, content: string): void {
  const target = resolve(path);
  if (existsSync(target) && statSync(target).isDirectory()) throw new UsageError(`cannot write ${target}: it is a directory`);
  makeDirs(dirname(target));
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  try {
    try {
      writeFileSync(tmp, content);
    } catch (e) {
      throw pathError(target, e);
    }
    renameSync(tmp, target);
  } finally {
    rmSync(tmp, { force: true });
  }
}
