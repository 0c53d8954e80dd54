import { join } from 'node:path';
import { NAMED_PRIMES, namedField } from '../../fields/registry.ts';
import { NAMED_CURVES, namedCurve } from '../../curves/registry.ts';
import { edwardsModel } from '../../model/curve.ts';
import { formsOf } from '../../model/modmul.ts';
import { designFiles, type GeneratedDesign } from '../../gen/design.ts';
import { parseArgs, single } from '../args.ts';
import { writeDirectoryAtomically } from '../output.ts';
import { DESIGN_OPTIONS, atMostOnePositional, configDesigns, configFromArgs, designFromArgs, noDesignOptions } from './common.ts';

function describe(d: GeneratedDesign): string {
  const m = d.manifest;
  const curve = (m.curve as { name: string } | undefined)?.name;
  const parts = [m.field ? `${curve ? `${curve} over ` : ''}${m.field.name} (${m.field.bits} bits)` : m.block];
  if (m.latency !== undefined) parts.push(`latency ${m.latency}, II ${m.ii}`);
  if (typeof m.summary === 'string') parts.push(m.summary);
  return `${d.top}: ${parts.join(', ')}`;
}

export async function runGen(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { options: [...DESIGN_OPTIONS, 'out', 'config'], flags: [] });
  const block = atMostOnePositional(args, 'gen');
  if (block !== undefined) {
    const design = designFromArgs(block, args);
    const config = configFromArgs(args, false);
    const out = single(args, 'out') ?? join(config?.out ?? 'rtl-out', design.top);
    writeDirectoryAtomically(out, designFiles(design));
    process.stdout.write(`wrote ${out}/ — ${describe(design)}\n`);
    return 0;
  }
  noDesignOptions(args, 'gen');
  const config = configFromArgs(args, true)!;
  const designs = configDesigns(config);
  const files = new Map<string, string>();
  for (const d of designs) for (const [name, text] of designFiles(d)) files.set(`${d.top}/${name}`, text);
  const index = designs.map((d) => ({
    module: d.top, block: d.manifest.block, field: d.manifest.field?.name ?? null,
    ...(d.manifest.curve ? { curve: (d.manifest.curve as { name: string }).name } : {}),
    dir: d.top, latency: d.manifest.latency, ii: d.manifest.ii,
  }));
  files.set('designs.json', JSON.stringify(index, null, 2) + '\n');
  const out = single(args, 'out') ?? config.out;
  writeDirectoryAtomically(out, files);
  process.stdout.write(`wrote ${designs.length} designs to ${out}/\n` + designs.map((d) => `  ${describe(d)}\n`).join(''));
  return 0;
}

/** Columns padded to their widest cell, the last one free. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export async function runFields(argv: string[]): Promise<number> {
  parseArgs(argv, { options: [], flags: [] });
  const rows = NAMED_PRIMES.map((f) => {
    const s = namedField(f.name);
    // The modmul reductions p admits besides the general Montgomery route.
    const forms = formsOf(s.p).filter((x) => x !== 'montgomery');
    return [s.name, String(s.bits), String(s.twoAdicity), forms.length ? forms.join(', ') : '–', s.description];
  });
  process.stdout.write(table(['field', 'bits', '2-adicity', 'special forms (modmul reduce=)', 'description'], rows));
  process.stdout.write('custom: --prime P (decimal or 0x-hex, odd prime >= 5, up to 1024 bits)\n');
  return 0;
}

export async function runCurves(argv: string[]): Promise<number> {
  parseArgs(argv, { options: [], flags: [] });
  const rows = NAMED_CURVES.map((nc) => {
    const c = namedCurve(nc.name);
    const forms = typeof edwardsModel(c) === 'string' ? 'weierstrass' : 'weierstrass, edwards';
    return [c.name, `${c.field.name} (${c.field.bits})`, `${nc.scalarField} (${c.n.toString(2).length})`, c.h === 1n ? '1' : `0x${c.h!.toString(16)}`, forms, c.description];
  });
  process.stdout.write(table(['curve', 'base field (bits)', 'scalar field (bits)', 'cofactor', 'forms', 'description'], rows));
  process.stdout.write('custom: --curve FILE.json with p, n, b, gx, gy (numbers or "0x…" strings), optional h, name; a = 0\n');
  return 0;
}
