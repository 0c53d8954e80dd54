// The layering the code promises: nothing below the command line imports from src/cli, and
// the pure layers (models, generators, fields, curves, RISC-V runs, synthesis) do not reach
// up into the simulators. Read from the import lines of every source file.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Folders (under src/) each file imports from, by the file's own folder. */
function importsByFolder(): Array<{ file: string; folder: string; imports: string[] }> {
  return sources(SRC).map((f) => {
    const rel = relative(SRC, f);
    const folder = rel.includes('/') ? rel.split('/')[0]! : '.';
    const text = readFileSync(f, 'utf8');
    const imports = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*from\s+'(\.{1,2}\/[^']+)'/gm)].map((m) => {
      const target = relative(SRC, join(f, '..', m[1]!));
      return target.includes('/') ? target.split('/')[0]! : '.';
    });
    return { file: rel, folder, imports };
  });
}

describe('layers', () => {
  it('reads the imports it judges (a parser that found none would pass everything)', () => {
    const all = importsByFolder();
    expect(all.find((x) => x.file === 'gen/msm.ts')!.imports).toEqual(expect.arrayContaining(['model', 'base', 'gen']));
    expect(all.find((x) => x.file === 'cli/commands/sim.ts')!.imports).toEqual(expect.arrayContaining(['sim', 'cli']));
  });

  it('the plots and pages (src/report) are pure: they import nothing but base', () => {
    const bad = importsByFolder().filter((x) => x.folder === 'report' && x.imports.some((i) => i !== 'report' && i !== 'base')).map((x) => x.file);
    expect(bad).toEqual([]);
  });

  it('only the command line imports src/cli', () => {
    const bad = importsByFolder().filter((x) => x.folder !== 'cli' && x.imports.includes('cli')).map((x) => x.file);
    expect(bad).toEqual([]);
  });

  it('models, generators, fields, curves, RISC-V runs, synthesis and base do not import the simulators', () => {
    const pure = ['model', 'gen', 'fields', 'curves', 'riscv', 'synth', 'base', 'report', 'sweep'];
    const bad = importsByFolder().filter((x) => pure.includes(x.folder) && x.imports.includes('sim')).map((x) => x.file);
    expect(bad).toEqual([]);
  });
});
