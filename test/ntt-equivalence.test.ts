// Tier 3 for the NTT: every butterfly and NTT core of the default config in Verilator against
// the golden model (which ntt-model.test.ts checks against @noble/curves and a naive DFT):
// random and edge vectors, zero / p−1 / impulse transforms, forward and inverse, back to back,
// with bubbles and stalls, inverse(forward(x)) = x through the RTL, and the manifest's cycle
// counts. Plus custom primes, bit-reversed orders, external files, bad input, and proof that
// the flow catches a broken schedule or twiddle.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { configDesigns } from '../src/cli/commands/common.ts';
import { customField, namedField } from '../src/fields/registry.ts';
import { generateBlock } from '../src/gen/index.ts';
import type { GeneratedDesign } from '../src/gen/design.ts';
import { silentProgress } from '../src/cli/progress.ts';
import { butterflyVectors, checkButterfly } from '../src/sim/butterfly-sim.ts';
import { checkNtt, modelOf, nttInputs } from '../src/sim/ntt-check.ts';
import { SimMismatchError } from '../src/sim/verilator.ts';
import { nttBothWays } from './support/ntt-both-ways.ts';

const waveformDir = mkdtempSync(join(tmpdir(), 'zkrtl-ntt-wave-'));
const config = loadConfig();
const designs = configDesigns(config);


// Wide fields build slowly in Verilator (minutes each): the suite runs the whole matrix on the
// small fields and each wide field's designs once; `make sim` runs every config design.
const WIDE = 64;
const wide = (d: GeneratedDesign) => d.manifest.field!.bits > WIDE;

describe('butterflies: every kind per field, random and edge vectors', () => {
  // Small fields: both kinds. Wide fields: bn254.fr's CT butterfly (the one inside its NTT
  // cores; bls12_381.fr's is the same generator at 255 bits), with fewer vectors.
  const wideOnce = (x: GeneratedDesign) => x.manifest.field!.name === 'bn254.fr' && x.manifest.params.kind === 'ct';
  for (const d of designs.filter((x) => x.manifest.block === 'butterfly' && (!wide(x) || wideOnce(x)))) {
    it(`${d.top}`, async () => {
      const vectors = butterflyVectors(d, wide(d) ? 500 : 2000, config.sim.seed);
      const runs = await checkButterfly(d, vectors, { progress: silentProgress, seed: config.sim.seed, waveformDir });
      expect(runs.map((r) => r.mode)).toEqual(['back-to-back', 'bubbles']);
      expect(runs[0]!.cycles).toBeLessThan(vectors.length + d.manifest.latency! + 64);
    });
  }
});

describe('NTT cores of the default config: forward and inverse', () => {
  const cores = designs.filter((x) => x.manifest.block === 'ntt');
  it('cover N = 2^8 and 2^10, lanes 1 and 4, for every NTT field', () => {
    const seen = new Set(cores.map((d) => `${d.manifest.field!.name} ${d.manifest.params.n} ${d.manifest.params.lanes}`));
    for (const f of ['bn254.fr', 'bls12_381.fr', 'goldilocks', 'babybear', 'koalabear']) {
      for (const n of [256, 1024]) for (const l of [1, 4]) expect(seen.has(`${f} ${n} ${l}`)).toBe(true);
    }
  });
  // Wide fields: the cores are the small fields' generator with a wider data path (N and the
  // lane count change address widths, ROM depth and banking, which the small fields cover in
  // every combination); the wide butterfly inside them runs above. make sim runs the cores.
  // Goldilocks' N = 2^10 four-lane core is babybear's at 64 bits (its N = 2^8 four-lane and
  // N = 2^10 one-lane cores run here); koalabear's cores are babybear's generator on another
  // 31-bit prime with a sparse Montgomery form (its butterflies run above). make sim runs them.
  const simOnly = (x: GeneratedDesign) =>
    (x.manifest.field!.name === 'goldilocks' && x.manifest.params.n === 1024 && x.manifest.params.lanes === 4) || x.manifest.field!.name === 'koalabear';
  for (const d of cores.filter((x) => !simOnly(x) && !wide(x))) {
    it(`${d.top}`, async () => {
      await nttBothWays(d, waveformDir);
    });
  }
});

describe('NTT cores: custom prime and bit-reversed orders', () => {
  it('a custom 61-bit prime (no documented generator), N=64, 2 lanes', async () => {
    await nttBothWays(generateBlock('ntt', customField('1945555039024054273'), { n: '64', lanes: '2' }), waveformDir);
  });
  it('koalabear N=32, 4 lanes, bit-reversed in and out', async () => {
    await nttBothWays(generateBlock('ntt', namedField('koalabear'), { n: '32', lanes: '4', input: 'bitrev', output: 'bitrev' }), waveformDir);
  });
  it('goldilocks N=64, natural in, bit-reversed out', async () => {
    await nttBothWays(generateBlock('ntt', namedField('goldilocks'), { n: '64', lanes: '1', output: 'bitrev' }), waveformDir);
  });
  it('babybear N=64, 2 lanes, overlap=off (one buffer set)', async () => {
    const d = generateBlock('ntt', namedField('babybear'), { n: '64', lanes: '2', overlap: 'off' });
    expect(d.manifest.memory).toMatchObject({ sets: 1, words: 64 });
    await nttBothWays(d, waveformDir);
  });
});

describe('the NTT flow catches broken hardware', () => {
  const mutate = (d: GeneratedDesign, from: string, to: string): GeneratedDesign => {
    const modules = d.modules.map((m) => (m.name === d.top ? { ...m, text: m.text.replace(from, to) } : m));
    expect(modules.find((m) => m.name === d.top)!.text).not.toBe(d.modules.find((m) => m.name === d.top)!.text);
    return { ...d, modules };
  };

  async function expectMismatch(d: GeneratedDesign, inverse: boolean): Promise<SimMismatchError> {
    let err: unknown;
    try {
      await checkNtt(d, { inverse, random: 2, seed: 9, progress: silentProgress, waveformDir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimMismatchError);
    const e = err as SimMismatchError;
    expect(e.message).toMatch(/transform \d+, element \d+/);
    expect(e.message).toMatch(/cycle \d+/);
    expect(e.waveformPath).toBeDefined();
    expect(statSync(e.waveformPath!).size).toBeGreaterThan(0);
    return e;
  }

  it('one cycle too little gap between two stages (a read-after-write hazard)', async () => {
    const d = generateBlock('ntt', namedField('babybear'), { n: '32', lanes: '1' });
    expect((d.manifest.dataflow as { stageGaps: number[] }).stageGaps).toEqual([0, 1, 3, 7]);
    await expectMismatch(mutate(d, "gap_after = 3'd7;", "gap_after = 3'd6;"), false);
  });

  it('the inverse without the halving stage (no N^-1 scaling)', async () => {
    const d = generateBlock('ntt', namedField('babybear'), { n: '16', lanes: '1' });
    await expectMismatch(mutate(d, 'tag_inv ? half(bf_x_0) : bf_x_0', 'bf_x_0'), true);
  });

  it('compute reading the buffer set being unloaded (overlap)', async () => {
    const d = generateBlock('ntt', namedField('babybear'), { n: '16', lanes: '1' });
    await expectMismatch(mutate(d, 'cs2 ? rdata_1_1 : rdata_0_1', 'us2 ? rdata_1_1 : rdata_0_1'), false);
  });

  it('the inverse twiddle not negated', async () => {
    const d = generateBlock('ntt', namedField('goldilocks'), { n: '64', lanes: '2' });
    await expectMismatch(mutate(d, 'neg2_1 ? P - rom_q_1 : rom_q_1', 'rom_q_1'), true);
  });
});

describe('zkrtl sim ntt --input/--output', () => {
  const cli = (args: string[], cwd?: string) => spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'zkrtl.mjs'), ...args], { encoding: 'utf8', cwd });
  const dir = mkdtempSync(join(tmpdir(), 'zkrtl-ntt-io-'));
  const p = namedField('goldilocks').p;

  it('runs the RTL on external transforms and writes one element per line', () => {
    const d = generateBlock('ntt', namedField('goldilocks'), { n: '64', lanes: '2' });
    const inputs = nttInputs(p, 64, 2, 3);
    const input = join(dir, 'x.hex');
    writeFileSync(input, inputs.flat().map((v) => v.toString(16)).join('\n') + '\n');
    const output = join(dir, 'y.hex');
    const r = cli(['sim', 'ntt', '--field', 'goldilocks', '--param', 'n=64', '--param', 'lanes=2', '--inverse', '--input', input, '--output', output]);
    expect(r.stderr.split('\n').filter((l) => l && !/nodedir|building|built|still/.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    const got = readFileSync(output, 'utf8').trim().split('\n').map((h) => BigInt(`0x${h}`));
    const model = modelOf(d);
    expect(got).toEqual(inputs.flatMap((x) => model.run(x, true)));
  });

  it.each([
    ['a value ≥ p', `${(p + 5n).toString(16)}\n` + '1\n'.repeat(63), /x.hex:1: 0x[0-9a-f]+ is not below p = 0xffffffff00000001: give canonical elements/],
    ['the wrong count', '1\n'.repeat(65), /holds 65 elements: give a multiple of n = 64/],
    ['a word that is not hex', 'zz\n', /'zz' is not a hex number/],
  ])('%s: one line, exit 2, nothing written', (_what, text, message) => {
    const input = join(dir, 'x.hex');
    writeFileSync(input, text);
    const output = join(dir, `never-${Math.random().toString(36).slice(2)}.hex`);
    const r = cli(['sim', 'ntt', '--field', 'goldilocks', '--param', 'n=64', '--param', 'lanes=2', '--input', input, '--output', output]);
    expect(r.status).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l && !/nodedir/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(existsSync(output)).toBe(false);
  });

  it.each([
    [['--param', 'n=1000'], /n=1000 is not accepted: give a power of two/],
    [['--param', 'n=256', '--param', 'lanes=6'], /lanes=6 is not accepted: give a power of two/],
    [['--param', 'n=256', '--param', 'lanes=512'], /lanes=512 is not accepted: give a power of two from 1 to n\/2 = 128/],
    [['--param', 'n=268435456'], /beyond the 2-adicity of babybear/],
  ])('zkrtl gen ntt %j: one line, exit 2, nothing written', (params, message) => {
    const out = join(dir, `gen-${Math.random().toString(36).slice(2)}`);
    const r = cli(['gen', 'ntt', '--field', 'babybear', ...params, '--out', out]);
    expect(r.status).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l && !/nodedir/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});
