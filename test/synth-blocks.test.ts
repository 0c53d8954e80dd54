// Tier 4: synthesis smoke on generated blocks. Each planned multiplier tile must become
// exactly one DSP (the manifest's tile count is the DSP budget a user plans with), and the
// hand-off netlists must come out.
import { describe, expect, it } from 'vitest';
import { namedField } from '../src/fields/registry.ts';
import { generateBlock } from '../src/gen/index.ts';
import { verilogSources } from '../src/gen/design.ts';
import { synthesize } from '../src/synth/synth.ts';

describe('synthesis of generated blocks', () => {
  it('montmul_babybear on xilinx: one DSP48E2 per 26x17 tile, EDIF and JSON netlists', async () => {
    const d = generateBlock('montmul', namedField('babybear'), {});
    const r = await synthesize({ top: d.top, files: verilogSources(d), target: 'xilinx', netlists: ['json', 'edif'] });
    expect(r.report.dsps).toBe(d.manifest.multiplierTiles);
    expect(r.report.luts).toBeGreaterThan(0);
    expect(r.report.longestPath.cells).toBeGreaterThan(0);
    expect(JSON.parse(r.netlists[`${d.top}.xilinx.json`]).modules[d.top]).toBeDefined();
    expect(r.netlists[`${d.top}.xilinx.edif`].startsWith('(edif')).toBe(true);
  });

  it('montmul_goldilocks with 16x16 tiles on ice40: one SB_MAC16 per tile', async () => {
    const d = generateBlock('montmul', namedField('goldilocks'), { tile: '16x16' });
    expect(d.manifest.multiplierTiles).toBe(16);
    const r = await synthesize({ top: d.top, files: verilogSources(d), target: 'ice40', netlists: ['blif'] });
    expect(r.report.dsps).toBe(16);
    expect(r.netlists[`${d.top}.ice40.blif`]).toMatch(/^\.model /m);
  });

  it('modadd_goldilocks on ecp5 and generic: LUTs, carry cells and 65 flip-flops (64 data + valid)', async () => {
    const d = generateBlock('modadd', namedField('goldilocks'), {});
    const ecp5 = await synthesize({ top: d.top, files: verilogSources(d), target: 'ecp5' });
    expect(ecp5.report.ffs).toBe(65);
    expect(ecp5.report.carry).toBeGreaterThan(0);
    expect(ecp5.report.dsps).toBe(0);
    const generic = await synthesize({ top: d.top, files: verilogSources(d), target: 'generic', netlists: ['verilog'] });
    expect(generic.report.ffs).toBe(65);
    expect(generic.netlists[`${d.top}.generic.v`]).toContain(`module ${d.top}`);
  });

  it('word-level generic synthesis keeps one multiplier cell per tile', async () => {
    const d = generateBlock('montmul', namedField('bn254.fr'), { tile: '64x64' });
    const r = await synthesize({ top: d.top, files: verilogSources(d), target: 'generic', wordLevel: true });
    const multipliers = Object.entries(r.report.cells).filter(([t]) => /^\$(mul|macc(_v2)?)$/.test(t)).reduce((a, [, n]) => a + n, 0);
    expect(multipliers).toBe(d.manifest.multiplierTiles);
    await expect(synthesize({ top: d.top, files: verilogSources(d), target: 'xilinx', wordLevel: true })).rejects.toThrow(/only for the generic target/);
  });
});
