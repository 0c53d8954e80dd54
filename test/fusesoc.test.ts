// The FuseSoC hand-off: every design directory holds `<top>.core`, a CAPI2 core file that
// names the design `zkrtl:<block>:<top>:<version>`, lists exactly the Verilog files the
// design writes in filelist.f order, and has the targets default, lint (Verilator -Wall) and
// sim (Icarus elaboration). Generation only: FuseSoC itself is not needed here.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { namedField } from '../src/fields/registry.ts';
import { generateBlock } from '../src/gen/index.ts';
import { ZKRTL_VERSION, designFiles, type GeneratedDesign } from '../src/gen/design.ts';
import { fusesocCore } from '../src/gen/fusesoc.ts';
import { TOY_CURVES } from './support/curves.ts';

const TOY_W = TOY_CURVES[0]!.curve;

interface Core {
  name: string;
  description: string;
  filesets: Record<string, { files: string[]; file_type: string }>;
  targets: Record<string, {
    filesets?: string[];
    toplevel: string;
    default_tool?: string;
    tools?: Record<string, Record<string, unknown>>;
  }>;
}

/** What FuseSoC does with a core file: check the preamble, read the rest as YAML. */
function readCore(text: string): Core {
  const [first, ...rest] = text.split('\n');
  expect(first).toBe('CAPI=2:');
  const body = rest.join('\n');
  const core = parse(body, { uniqueKeys: true }) as Core;
  // FuseSoC reads it with PyYAML (YAML 1.1): nothing may read differently there.
  expect(parse(body, { version: '1.1', uniqueKeys: true })).toEqual(core);
  return core;
}

const cases: Array<[string, () => GeneratedDesign, string]> = [
  ['montmul on babybear', () => generateBlock('montmul', namedField('babybear'), {}), 'babybear'],
  ['modadd on goldilocks', () => generateBlock('modadd', namedField('goldilocks'), {}), 'goldilocks'],
  ['a 16-point ntt', () => generateBlock('ntt', namedField('babybear'), { n: '16', lanes: '1' }), 'babybear'],
  ['the rv32im core', () => generateBlock('rv32im', undefined, {}), 'RV32IM'],
  ['ecadd on a toy curve', () => generateBlock('ecadd', TOY_W, { mode: 'both', tagbits: '8' }), TOY_W.name],
];

describe('FuseSoC core files', () => {
  for (const [what, make, subject] of cases) {
    it(`describe ${what}: name, the filelist.f files, targets default/lint/sim`, () => {
      const d = make();
      const files = designFiles(d);
      const text = files.get(`${d.top}.core`);
      expect(text, `${d.top}.core among the design's files`).toBeDefined();
      const core = readCore(text!);

      const block = d.manifest.block;
      expect(core.name).toBe(`zkrtl:${block}:${d.top}:${ZKRTL_VERSION}`);
      expect(core.name.split(':')).toHaveLength(4);
      expect(core.description).toContain(`zkrtl ${block}`);
      expect(core.description).toContain(subject);

      const filelist = files.get('filelist.f')!.trimEnd().split('\n');
      expect(Object.keys(core.filesets)).toEqual(['rtl']);
      expect(core.filesets.rtl!.files).toEqual(filelist);
      expect(core.filesets.rtl!.file_type).toBe('verilogSource');
      expect(new Set(core.filesets.rtl!.files)).toEqual(new Set([...files.keys()].filter((f) => f.endsWith('.v'))));
      expect(core.filesets.rtl!.files.at(-1)).toBe(`${d.top}.v`);

      expect(Object.keys(core.targets)).toEqual(['default', 'lint', 'sim']);
      for (const t of Object.values(core.targets)) {
        expect(t.toplevel).toBe(d.top);
        expect(t.filesets).toEqual(['rtl']);
      }
      expect(core.targets.lint!.default_tool).toBe('verilator');
      expect(core.targets.lint!.tools).toEqual({
        verilator: { mode: 'lint-only', verilator_options: ['-Wall', '--default-language', '1364-2005'] },
      });
      expect(core.targets.sim!.default_tool).toBe('icarus');
      expect(Object.keys(core.targets.sim!.tools!)).toEqual(['icarus']);

      // Deterministic: a second generation gives the same bytes.
      expect(fusesocCore(make())).toBe(text);
    });
  }

  it('refuse a name that cannot go into a VLNV', () => {
    const d = generateBlock('modadd', namedField('babybear'), {});
    expect(() => fusesocCore({ ...d, top: 'modadd:babybear' })).toThrow(/cannot go into a FuseSoC VLNV/);
  });
});
