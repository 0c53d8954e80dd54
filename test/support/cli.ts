// Running the command line from tests: the CLI as a user meets it, in a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'zkrtl.mjs');

export function zkrtl(args: string[], cwd?: string, env?: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh empty directory under the system's temporary folder. */
export const scratch = (prefix = 'zkrtl-cli-') => mkdtempSync(join(tmpdir(), prefix));
