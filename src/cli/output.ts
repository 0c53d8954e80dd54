// Atomic output: everything is written into a temporary sibling directory and renamed into
// place, so an output directory never holds a half-written set, and a failure leaves the
// previous contents untouched.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';

/** Files that mark a directory as zkrtl output we may replace. */
const MARKERS = ['filelist.f', 'designs.json', 'report.json'];

function checkReplaceable(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} exists and is not a directory`);
  const entries = readdirSync(dir);
  if (entries.length > 0 && !MARKERS.some((m) => entries.includes(m))) {
    throw new UsageError(`--out ${dir} is a non-empty directory not written by zkrtl: choose another or empty it`);
  }
}

/** Writes `files` (relative path → text) as the complete new contents of `outDir`. */
export function writeDirectoryAtomically(outDir: string, files: Map<string, string | Uint8Array>): void {
  const target = resolve(outDir);
  checkReplaceable(target);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${tag}`);
  const old = join(parent, `.${basename(target)}.old-${tag}`);
  try {
    for (const [rel, content] of files) {
      const path = join(tmp, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    }
    mkdirSync(tmp, { recursive: true });
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
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, target);
  } finally {
    rmSync(tmp, { force: true });
  }
}
