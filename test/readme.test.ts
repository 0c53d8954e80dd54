// The README's example program, compiled with the README's own compile line and run as the
// README says: what a new user copies must work as written.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureRiscvTools } from '../src/riscv/toolchain.ts';
import { scratch, zkrtl } from './support/cli.ts';

const ROOT = join(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The fenced block that follows `marker` in the README. */
function blockAfter(marker: string, fence: string): string {
  const at = README.indexOf(marker);
  expect(at, marker).toBeGreaterThanOrEqual(0);
  const m = new RegExp('```' + fence + '\\n([\\s\\S]*?)```').exec(README.slice(at));
  expect(m, `a \`\`\`${fence} block after '${marker}'`).not.toBeNull();
  return m![1]!;
}

describe('README', () => {
  it('the example rv32im program compiles with the compile line and runs as the comment says', async () => {
    await ensureRiscvTools({ log: () => {} });
    const dir = scratch('zkrtl-readme-');
    writeFileSync(join(dir, 'prog.c'), blockAfter('A program, `prog.c`', 'c'));
    const commands = blockAfter('Compiling it', '').replace(/\\\n\s*/g, '').trim().split('\n');
    // The compile line, with the repository's paths (riscv/…) relative to the repository.
    const compile = commands[0]!.split(/\s+/).map((a) => (a.startsWith('-Iriscv') ? `-I${join(ROOT, 'riscv')}` : a.startsWith('riscv/') ? join(ROOT, a) : a));
    expect(compile[0]).toBe('riscv64-unknown-elf-gcc');
    execFileSync(compile[0]!, compile.slice(1), { cwd: dir, stdio: 'pipe' });
    // The run line and what its comment promises.
    const run = /^npx zkrtl (run prog\.elf --model)\s+# prints "([^"]+)", exit code (\d+)$/.exec(commands[1]!);
    expect(run, commands[1]).not.toBeNull();
    const r = zkrtl(run![1]!.split(' '), dir);
    expect(r.stdout.trim()).toBe(run![2]);
    expect(r.code).toBe(Number(run![3]));
    // The header names the README lists are the header's.
    const header = readFileSync(join(ROOT, 'riscv', 'zkrtl.h'), 'utf8');
    const listed = /`riscv\/zkrtl\.h` has ([^.]+)\./.exec(README)![1]!;
    const names = [...listed.matchAll(/`(\w+)[(`]/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(5);
    for (const n of names) expect(header, n).toMatch(new RegExp(`\\b${n}\\s*\\(`));
  });

  it('the not-root install line names every Debian package the tools install', () => {
    // Every package an ensureDebianPackages call can install (`pkg: '…'` in src/), read from the
    // sources so that a new one cannot be left out of the line a user without root copies.
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const installed = new Set(sources.flatMap((f) => [...readFileSync(join(ROOT, 'src', f), 'utf8').matchAll(/\bpkg: '([^']+)'/g)].map((m) => m[1]!)));
    expect([...installed]).toEqual(expect.arrayContaining(['gcc-riscv64-unknown-elf', 'verilator', 'yosys']));
    const line = /Not root\? `apt-get install ([^`]+)`\s*\(and `([^`]+)`/.exec(README);
    expect(line, 'the "Not root?" line').not.toBeNull();
    const listed = new Set([...line![1]!.split(/\s+/), line![2]!]);
    for (const pkg of installed) expect(listed.has(pkg), `${pkg} (installed by the tools) is not in the README's not-root apt-get line`).toBe(true);
  });
});
