// bench/results.md states each section's provenance: renderMarkdown on a made-up results
// object whose sections were measured at different commits (and one before provenance was
// recorded). The other sections' renderers are stubbed: this checks run.ts, not their tables.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../bench/ntt.ts', () => ({ benchNtt: vi.fn(), renderNtt: () => ['## NTT cores', '', 'ntt table', ''] }));
vi.mock('../bench/rv32im.ts', async (original) => ({
  ...(await original<typeof import('../bench/rv32im.ts')>()),
  benchRv32im: vi.fn(),
  renderRv32imMarkdown: () => '## rv32im core\n\n### Floors\n\nrv32im table\n',
}));
vi.mock('../bench/asic.ts', () => ({ benchAsic: vi.fn(), renderAsic: () => ['## ASIC (OSU 0.18 µm)', '', 'asic table', ''] }));
vi.mock('../bench/ecadd.ts', () => ({ benchEcadd: vi.fn(), renderEcadd: () => ['## Point adders', '', 'ecadd table', ''] }));
vi.mock('../bench/msm.ts', () => ({ benchMsm: vi.fn(), measureModelVsNoble: vi.fn(), renderMsm: () => ['## MSM', '', 'msm table', ''] }));

const { renderMarkdown, summarizeLoad } = await import('../bench/run.ts');
type Results = Parameters<typeof renderMarkdown>[0];
type Row = Results['rows'][number];

const synth = { luts: 10, ffs: 20, dsps: 3, carry: 4, srl: 0, longestPath: { cells: 5, lutLevels: 1 }, totalCells: 7, cells: { $mul: 3 } };
const row = (module: string, bits: number, ii: number, iiMaxGap: number): Row =>
  ({
    module, block: module.split('_')[0]!, field: 'f', bits, latency: 3, iiManifest: 1, iiMeasured: ii, iiMaxGap, iiDropped: 0,
    tiles: 4, xilinx: synth, generic: synth, verilatorVectorsPerSecond: 1e6, modelOpsPerSecond: 2e6,
  }) as unknown as Row;

const cls = (luts: number, ffs: number) => ({ totalCells: luts + ffs, luts, ffs, dsps: 0, carry: 2, bram: 1 });

const prov = (commit: string, dirty: boolean, date: string) => ({
  commit, dirty, date, machine: { cpu: 'Test CPU', cores: 2 }, tools: { verilator: 'Verilator 5.006', yosys: '0.23', node: 'v20.20.2' },
});

function render(rows: Row[]) {
  const results = {
    tools: {}, rows, bn254Stages: [],
    ntt: {}, rv32im: {}, ecadd: {}, msm: { modelVsNoble: {} }, asic: {},
    rv32imModules: [{ config: 'clock configuration (k=v)', top: 'wrap', flatLuts: 90, rows: [
      { module: 'wrap', depth: 0, instances: 1, self: cls(10, 5), total: cls(100, 60) },
      { module: 'core', depth: 1, instances: 1, self: cls(60, 40), total: cls(90, 55) },
      { module: 'div', depth: 2, instances: 1, self: cls(30, 15), total: cls(30, 15) },
    ], registers: [
      { sink: 'core.x_rs1_val', kind: 'register', bits: 32, luts: 40.5, lutsAlone: 30 },
      { sink: 'dout_r', kind: 'register', bits: 8, luts: 20, lutsAlone: 20 },
      // 25 more of 1 LUT4 each: the last two summed in one row
      ...Array.from({ length: 25 }, (_, i) => ({ sink: `r${String(i).padStart(2, '0')}`, kind: 'register', bits: 1, luts: 1, lutsAlone: i % 2 })),
    ] }],
    rv32imArea: [
      { change: '', config: 'pipeline=5 m=on div=2bit', top: 'p5', luts: 3856, meanCpi: 1.2398 },
      { change: 'div=1bit div_early=off', config: 'pipeline=5 m=on div=1bit div_early=off', top: 'p5s', luts: 2990, meanCpi: 2.4019 },
      { change: 'm=off', config: 'pipeline=5 m=off', top: 'p5i', luts: 2453 },
    ],
    provenance: {
      'rv32im-modules': prov('fff6666', false, '2026-12-06T05:00:00.000Z'),
      'rv32im-area': prov('fff7777', false, '2026-12-06T11:00:00.000Z'),
      fields: prov('aaa1111', false, '2026-12-02T01:23:45.000Z'),
      ecadd: prov('bbb2222', true, '2026-11-30T23:59:01.000Z'),
      // Measured while other work shared the machine: its load goes with the provenance.
      ntt: { ...prov('eee5555', false, '2026-12-04T08:00:00.000Z'), load: summarizeLoad([3.5, 4.25, 5.07]) },
      // Re-measured on its own, later than the MSM section (which has no provenance).
      'msm-model': prov('ddd4444', false, '2026-12-03T10:00:00.000Z'),
    },
  } as unknown as Results;
  const asked: string[] = [];
  const md = renderMarkdown(results, { lastChangedIn: (s) => (asked.push(s), s === 'msm' ? 'ccc3333' : 'unknown') });
  return { lines: md.split('\n'), asked };
}

/** The line two below a heading (after its blank line). */
const under = (lines: string[], heading: string) => {
  const i = lines.indexOf(heading);
  expect(i, heading).toBeGreaterThanOrEqual(0);
  expect(lines[i + 1]).toBe('');
  return lines[i + 2];
};

describe('bench/results.md provenance', () => {
  it('puts each section its own provenance line under its headings', () => {
    const { lines, asked } = render([row('montmul_bn254_fr', 254, 1, 1)]);
    const fields = 'Measured at commit aaa1111 (clean) on 2026-12-02 01:23 UTC, 2 × Test CPU, with Verilator 5.006, Yosys 0.23, Node v20.20.2.';
    for (const h of ['## Floors', '## Field blocks (default config)', '## What a 254-bit montmul costs, stage by stage (bn254.fr, xilinx)']) expect(under(lines, h)).toBe(fields);
    expect(under(lines, '## Point adders')).toBe('Measured at commit bbb2222 (with uncommitted changes) on 2026-11-30 23:59 UTC, 2 × Test CPU, with Verilator 5.006, Yosys 0.23, Node v20.20.2.');
    expect(under(lines, '## MSM')).toBe(
      'Measured before provenance was recorded; last re-measured in commit ccc3333. The model-against-noble timing: measured at commit ddd4444 (clean) on 2026-12-03 10:00 UTC, 2 × Test CPU, with Verilator 5.006, Yosys 0.23, Node v20.20.2.',
    );
    expect(under(lines, '## rv32im core')).toBe('Measured before provenance was recorded; last re-measured in commit unknown.');
    expect(under(lines, '## ASIC (OSU 0.18 µm)')).toMatch(/^Measured before provenance/);
    // Only '## ' headings get it, and the stubs' own text stays in place after it.
    expect(lines[lines.indexOf('### Floors') + 2]).toBe('rv32im table');
    expect(under(lines, '## NTT cores')).toBe(
      'Measured at commit eee5555 (clean) on 2026-12-04 08:00 UTC, 2 × Test CPU, with Verilator 5.006, Yosys 0.23, Node v20.20.2. ' +
        "Machine load while it ran (1-minute load average every 10 s, the bench's own processes included): mean 4.27, max 5.07, on 2 cores; its timing figures fall when other work shares them.",
    );
    expect(lines[lines.indexOf('## NTT cores') + 4]).toBe('ntt table');
    // The module breakdown: its own provenance, the hierarchical sum beside the flat count, a row per module indented by depth.
    expect(under(lines, '## rv32im: LUT4 by module')).toBe('Measured at commit fff6666 (clean) on 2026-12-06 05:00 UTC, 2 × Test CPU, with Verilator 5.006, Yosys 0.23, Node v20.20.2.');
    expect(lines).toContain('**clock configuration (k=v)**: 100 LUT4 with the hierarchy kept, 90 flat');
    expect(lines).toContain('| · · div | 1 | 30 | 30 | 15 | 2 | 0 | 1 |');
    expect(lines).toContain('| wrap | 1 | 10 | 100 | 60 | 2 | 0 | 1 |');
    // … and by the register they feed: the first 25 sinks, the rest in one row, the total the flat count.
    expect(lines).toContain('### By the register they feed');
    expect(lines).toContain('**clock configuration (k=v)**: 90 LUT4 flat, shared among 27 sinks');
    expect(lines).toContain('| core.x_rs1_val | register | 32 | 40.5 | 30 |');
    expect(lines).toContain('| r22 | register | 1 | 1.0 | 0 |');
    expect(lines).not.toContain('| r23 | register | 1 | 1.0 | 1 |');
    expect(lines).toContain('| (2 other sinks) |  |  | 2.0 | 1 |');
    expect(lines).toContain('| **all** |  |  | 85.5 | 62 |');
    // The area floor against M: a verdict per floor and row, what the core without M leaves for it.
    expect(under(lines, '## rv32im: the area floor against the M extension')).toMatch(/^Measured at commit fff7777 \(clean\)/);
    expect(lines).toContain('| the clock configuration | 3,856 | +856 | 1.240 | NO | yes | – |');
    expect(lines).toContain('| … div=1bit div_early=off | 2,990 | −10 | 2.402 | yes | NO | – |');
    expect(lines).toContain('| … m=off | 2,453 | −547 | – | yes | – | – |');
    expect(lines).toContain('M (multiplier, divider and their place in the pipeline) costs 1,403 LUT4 in the clock configuration; the core without it is 2,453, which leaves 547 of the floor for M. No row meets both floors.');
    // Git is asked only about sections without provenance (here through the stub).
    expect(asked.every((s) => ['rv32im', 'msm', 'asic'].includes(s))).toBe(true);
    // The header no longer claims one run.
    const header = lines.slice(0, 4).join('\n');
    expect(header).not.toMatch(/every figure below was produced by that run/);
    expect(header).toMatch(/each section states its own provenance/);
  });

  it('builds the area table from the clock configuration: each simpler divider, the shifts in the multiplier, and the core without M', async () => {
    const { rv32imAreaConfigs } = await import('../bench/rv32im-area.ts');
    const { rv32imClockConfiguration } = await import('../bench/rv32im.ts');
    const { generateRv32im } = await import('../src/gen/rv32im.ts');
    const configs = rv32imAreaConfigs();
    expect(configs[0]!.params).toEqual(rv32imClockConfiguration().params);
    const tops = configs.map((c) => generateRv32im(c.params).top); // the generator takes every one
    expect(new Set(tops).size).toBe(configs.length);
    // Each row is the clock configuration with exactly its change (div_fold, a choice of the early
    // out's shift cycle, goes with the early out; every M parameter goes with M).
    const clock = configs[0]!.params;
    const drop = (keys: (k: string) => boolean) => Object.fromEntries(Object.entries(clock).filter(([k]) => !keys(k)));
    const change = (c: { change: string }) => Object.fromEntries(c.change.split(' ').map((kv) => kv.split('=') as [string, string]));
    for (const c of configs.slice(1)) {
      const base = c.change === 'm=off' ? drop((k) => k.startsWith('div') || k.startsWith('mul')) : c.change.includes('div_early=off') ? drop((k) => k === 'div_fold') : clock;
      expect(c.params, c.change).toEqual({ ...base, ...change(c) });
    }
    expect(tops.at(-1)).toMatch(/^rv32i_p5/);
  });

  it('says which rows meet both floors, and gives a row on the area floor 0 over it', async () => {
    const { renderRv32imArea } = await import('../bench/rv32im-area.ts');
    const lines = renderRv32imArea([
      { change: '', config: 'c', top: 't', luts: 3200, lutsLight: 3050, meanCpi: 1.25 },
      { change: 'div=1bit', config: 'c div=1bit', top: 't1', luts: 3000, meanCpi: 1.3 },
      { change: 'm=off', config: 'c m=off', top: 't0', luts: 2000, lutsLight: 1900 },
    ]);
    expect(lines).toContain('| … div=1bit | 3,000 | 0 | 1.300 | yes | yes | – |');
    expect(lines).toContain('| the clock configuration | 3,200 | +200 | 1.250 | NO | yes | 3,050 |');
    expect(lines).toContain('| … m=off | 2,000 | −1,000 | – | yes | – | 1,900 |');
    expect(lines.some((l) => l.endsWith('which leaves 1,000 of the floor for M. Meeting both floors: div=1bit.'))).toBe(true);
    // (rows of runs before the causes were measured: no causes table)
    expect(lines.some((l) => l.startsWith('Where the cycles above one'))).toBe(false);
  });

  it('gives each cause that reaches the column minimum in some row a column, sums the rest, and shows mean CPI − 1 beside them', async () => {
    const { renderRv32imArea } = await import('../bench/rv32im-area.ts');
    const lines = renderRv32imArea([
      { change: '', config: 'c', top: 't', luts: 3200, meanCpi: 1.25, meanStalls: { 'load-use': 0.05, muldiv: 0.15, fill: 0.0001, serialize: 0.0002, mispredict: 0.0497 } },
      { change: 'shift=mul', config: 'c shift=mul', top: 't1', luts: 3100, meanCpi: 1.3, meanStalls: { 'load-use': 0.05, muldiv: 0.2, mispredict: 0.0004, fill: 0 } },
      { change: 'm=off', config: 'c m=off', top: 't0', luts: 2000 },
    ]);
    expect(lines).toContain('| configuration | mean CPI − 1 | muldiv | load-use | mispredict | other |');
    expect(lines).toContain('| the clock configuration | 0.2500 | 0.1500 | 0.0500 | 0.0497 | 0.0003 |');
    expect(lines).toContain('| … shift=mul | 0.3000 | 0.2000 | 0.0500 | 0.0004 | 0.0000 |');
    expect(lines.some((l) => l.startsWith('| … m=off | 0.'))).toBe(false);
  });

  it('summarizes the load samples of a section: mean, maximum, count', () => {
    expect(summarizeLoad([1])).toEqual({ mean: 1, max: 1, samples: 1 });
    expect(summarizeLoad([2, 0.5, 4, 1.5])).toEqual({ mean: 2, max: 4, samples: 4 });
    expect(() => summarizeLoad([])).toThrow(/no samples/);
  });

  it('says how II is measured, and fails the floor on a block that measures 2', () => {
    const ok = render([row('montmul_bn254_fr', 254, 1, 1), row('modadd_x', 31, 1, 1)]).lines;
    const floor = (ls: string[]) => ls.find((l) => l.startsWith('| II = 1 for every block'))!;
    expect(floor(ok)).toMatch(/II = \(cycle of the last result − cycle of the first\) \/ \(results − 1\)/);
    expect(floor(ok)).toMatch(/\| II 1; max gap 1 \| yes \|$/);
    const slow = render([row('montmul_bn254_fr', 254, 1, 1), row('modadd_x', 31, 2, 2)]).lines;
    expect(floor(slow)).toMatch(/\| II 1, 2; max gap 1, 2 \| NO \|$/);
    expect(slow.find((l) => l.startsWith('| modadd_x |'))).toMatch(/^\| modadd_x \| f \| 31 \| 3 \| 2 \|/);
  });
});
