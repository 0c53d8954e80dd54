// zkrtl sweep: the plan (every combination, bad values refused before any synthesis), the
// worker pool and its cache (a re-run synthesizes only new designs), failures as rows, and
// the files a user opens.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/base/errors.ts';
import { planSweep } from '../src/sweep/plan.ts';
import { metricsOf } from '../src/sweep/run.ts';
import { scatterSvg } from '../src/report/svg.ts';
import { scratch, zkrtl } from './support/cli.ts';

describe('sweep plan', () => {
  it('is every combination, subjects outermost, axes and values in the order given', () => {
    const plan = planSweep({ block: 'montmul', field: ['babybear,koalabear'], param: ['tile=16x16,8x8', 'tree=1,2,0'] });
    expect(plan.name).toBe('montmul_babybear_koalabear');
    expect(plan.points).toHaveLength(12);
    expect(plan.points.slice(0, 4).map((p) => [p.subject.value, p.params.tile, p.params.tree])).toEqual([
      ['babybear', '16x16', '1'],
      ['babybear', '16x16', '2'],
      ['babybear', '16x16', '0'],
      ['babybear', '8x8', '1'],
    ]);
    expect(plan.points[6]!.subject.value).toBe('koalabear');
    expect(plan.points.every((p) => p.design !== undefined)).toBe(true);
    // Distinct parameters make distinct RTL (the cache key is the RTL).
    expect(new Set(plan.points.map((p) => p.design!.modules.map((m) => m.text).join(''))).size).toBe(12);
  });

  it('keeps a combination the generator refuses as a row, and refuses a value no combination accepts', () => {
    // rbits must lie in [bits, 2·bits − 1]: 9 fits the 8-bit prime only, 16 the 16-bit one only.
    const plan = planSweep({ block: 'montmul', prime: ['251', '65521'], param: ['rbits=9,16'] });
    expect(plan.points.map((p) => p.error === undefined)).toEqual([true, false, false, true]);
    expect(plan.points[1]!.error).toMatch(/rbits=16 is not accepted/);
    expect(() => planSweep({ block: 'montmul', prime: ['251'], param: ['tile=8x8,8y8'] })).toThrow(/--param tile=8y8: tile=8y8 is not accepted/);
    expect(() => planSweep({ block: 'montmul', prime: ['251'], param: ['tiles=8x8'] })).toThrow(/unknown parameter 'tiles'/);
    expect(() => planSweep({ block: 'montmul', prime: ['251'], param: ['tile=8x8', 'tile=4x4'] })).toThrow(/given twice/);
    expect(() => planSweep({ block: 'montmul', prime: ['251'], param: ['tile=8x8,8x8'] })).toThrow(/lists 8x8 twice/);
    expect(() => planSweep({ block: 'montmul', param: ['tile=8x8'] })).toThrow(UsageError);
    expect(() => planSweep({ block: 'rv32im', field: ['babybear'] })).toThrow(/no field/);
    expect(planSweep({ block: 'rv32im', param: ['pipeline=5,multicycle'] }).name).toBe('rv32im');
  });

  it('marks the Pareto front with the better x: lower latency, higher Fmax', () => {
    const series = [{ name: 's', points: [{ x: 100, y: 10, label: 'a' }, { x: 50, y: 5, label: 'b' }, { x: 80, y: 20, label: 'c' }] }];
    const marked = (paretoX: 'min' | 'max') => [...scatterSvg({ title: 't', xLabel: 'x', yLabel: 'y', series, pareto: true, paretoX }).matchAll(/class="point pareto"[^>]*><title>(\w)/g)].map((m) => m[1]).sort();
    expect(marked('min')).toEqual(['b']);
    expect(marked('max')).toEqual(['a', 'b']);
  });

  it('reads the figures of each flow from its report', () => {
    expect(metricsOf({ target: 'xilinx', yosysVersion: 'v', luts: 10, ffs: 20, dsps: 3, carry: 4, bram: 0, longestPath: { lutLevels: 5 } })).toEqual({ lut: 10, ff: 20, dsp: 3, carry: 4, bram: 0, levels: 5, tool: 'Yosys v' });
    expect(metricsOf({ target: 'generic', yosysVersion: 'v', totalCells: 700, ffs: 20, bram: 0, longestPath: { cells: 24, lutLevels: null } })).toEqual({ cells: 700, ff: 20, bram: 0, levels: 24, tool: 'Yosys v' });
    expect(metricsOf({ lcs: 100, dsps: 2, brams: 1, fmaxMhz: 50.5, nextpnrVersion: 'nextpnr-ice40 0.8', yosys: { ffs: 30, carry: 7, version: 'v' } })).toMatchObject({ lut: 100, ff: 30, dsp: 2, bram: 1, fmaxMhz: 50.5 });
    expect(metricsOf({ target: 'asic', areaUm2: 1000, nand2Equivalents: 41.7, ffs: 8, totalCells: 90, sta: { fmaxMhz: 200 }, yosysVersion: 'v', staVersion: 's' })).toMatchObject({ areaUm2: 1000, nand2: 41.7, fmaxMhz: 200 });
  });
});

describe('zkrtl sweep', () => {
  const cache = scratch('zkrtl-sweep-cache-');
  const env = { ZKRTL_SWEEP_CACHE: cache };
  const base = ['sweep', 'montmul', '--prime', '251', '--target', 'generic'];

  it('synthesizes every design in workers, writes csv, json and a page, and re-runs only new designs', () => {
    const out = join(scratch(), 'sw');
    const first = zkrtl([...base, '--jobs', '2', '--param', 'tile=8x8', '--out', out], undefined, env);
    expect(first.stdout).toMatch(/1 design \(1 synthesized, 0 from the cache\)/);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/sweep \[0\/1\] running montmul_p8_\w+ \(tile=8x8\)/);

    // One more value: only it is synthesized, the first comes from the cache.
    const second = zkrtl([...base, '--jobs', '2', '--param', 'tile=8x8,4x4', '--out', out], undefined, env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/2 designs \(1 synthesized, 1 from the cache\)/);
    const rows = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).rows;
    expect(rows.map((r: { cached: boolean }) => r.cached)).toEqual([true, false]);
    for (const r of rows) {
      expect(r.status).toBe('ok');
      expect(r.gates).toBeGreaterThan(0);
      expect(r.latency).toBeGreaterThan(0);
      expect(r.gates_x_latency).toBe(r.gates * r.latency);
    }
    // 4x4 tiles cut the 8-bit products into more pieces than 8x8 ones: different designs, different figures.
    expect(rows[0].design).not.toBe(rows[1].design);
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0]).toMatch(/^#,design,tile,status,latency \(cycles\),gates,FF,gate levels,gates·latency,/);
    const page = readFileSync(join(out, 'index.html'), 'utf8');
    expect(page).not.toMatch(/(src|href)="?https?:/);
    expect(page.match(/<svg class="plot"/g)?.length).toBe(1);
    expect(page).toMatch(/data-points="2"/);
    expect(second.stdout).toMatch(/best gates·latency: tile=\S+ \(\d+ = latency \d+, gates \d+\)/);
  }, 180_000);

  it('keeps going past a design that fails to synthesize: a row with its error', () => {
    const out = join(scratch(), 'sw');
    const r = zkrtl([...base, '--param', 'tile=8x8', '--out', out], undefined, { ...env, YOSYS: '/nonexistent/yosys' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 of 1 design failed/);
    const row = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).rows[0];
    expect(row.status).toBe('error');
    expect(row.error).toMatch(/\/nonexistent\/yosys/);
  }, 60_000);

  it('refuses bad input with one line, exit 2, nothing written', async () => {
    const out = join(scratch(), 'sw');
    const r = zkrtl([...base, '--param', 'tile=8x8,8y8', '--out', out], undefined, env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--param tile=8y8: tile=8y8 is not accepted/)]);
    expect(existsSync(out)).toBe(false);
    // The other checks in process: the same parser, without a Node start each.
    const { main } = await import('../src/cli/main.ts');
    const bad: Array<[string[], RegExp]> = [
      [['--param', 'tile=8x8', '--jobs', '0'], /--jobs 0 is not accepted/],
      [['--param', 'tile=8x8', '--pnr'], /--pnr goes with --target ice40, not generic/],
      [['--param', 'tile=8x8', '--clock', '5'], /--clock goes with --target asic/],
      [['--param', 'tile=8x8', '--jobs', '2', '--jobs', '3'], /--jobs given 2 times/],
    ];
    // (a sweep point is one placement: several seeds are zkrtl synth --pnr's)
    await expect(main(['sweep', 'montmul', '--field', 'bn254_fr', '--param', 'tile=8x8', '--target', 'ice40', '--pnr', '--seed', '1-3', '--out', out]))
      .rejects.toThrow(/^--seed 1-3 is not accepted by a sweep: each point is placed with one seed \(zkrtl synth --pnr --seed 1-3 places one design with each\)$/);
    for (const [extra, message] of bad) await expect(main([...base, ...extra, '--out', out])).rejects.toThrow(message);
    expect(existsSync(out)).toBe(false);
  });
});
