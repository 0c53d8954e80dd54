// Tier 3: Verilator streams golden-model vectors through the generated RTL: every edge pair
// and 10,000 seeded random pairs per block per field, back to back (II = 1) and with bubbles,
// each result checked at exactly its latency. Plus parameter variants, external vector files,
// and proof that the flow catches a broken block.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { configDesigns } from '../src/cli/commands/common.ts';
import { checkEquivalence } from '../src/sim/equivalence.ts';
import { makeVectors } from '../src/sim/vectors.ts';
import { PAIR_BLOCKS } from '../src/model/blocks.ts';
import { SimMismatchError } from '../src/sim/verilator.ts';
import { silentProgress } from '../src/cli/progress.ts';
import { namedField } from '../src/fields/registry.ts';
import { generateBlock } from '../src/gen/index.ts';
import { montgomeryField, montmul } from '../src/model/field.ts';
import type { GeneratedDesign } from '../src/gen/design.ts';
import { VARIANTS } from './support/variants.ts';

const waveformDir = mkdtempSync(join(tmpdir(), 'zkrtl-wave-'));

async function equivalent(d: GeneratedDesign, randomCount: number, seed = 1) {
  const vectors = makeVectors({ p: BigInt(d.manifest.field!.p), k: d.manifest.montgomery?.k }, randomCount, seed);
  const runs = await checkEquivalence(d, vectors, { progress: silentProgress, seed, waveformDir });
  expect(runs.map((r) => r.mode)).toEqual(['back-to-back', 'bubbles']);
  // Back to back, one vector enters per cycle: the run is as long as the vectors plus the
  // pipeline's fill (and the harness' reset preamble); bubbles make it longer.
  expect(runs[0].cycles).toBeGreaterThanOrEqual(vectors.length + d.manifest.latency!);
  expect(runs[0].cycles).toBeLessThan(vectors.length + d.manifest.latency! + 64);
  expect(runs[1].cycles).toBeGreaterThan(runs[0].cycles + vectors.length / 10);
  return vectors.length;
}

describe('equivalence with the golden model: default config', () => {
  const config = loadConfig();
  // Butterflies and NTT cores have their own suite (ntt-equivalence.test.ts). Wide blocks
  // build slowly in Verilator: one per width class here (bn254.fr at 254 bits, bls12_381.fp at
  // 381); bn254.fp and bls12_381.fr differ from them only in constants and run in make sim.
  // A wide modmul is either a fold (curve25519 here; secp256k1's DSP fold is the 32-bit variant
  // 2^32 − 299's at 256 bits) or two montmuls (the 128-bit variant here): make sim runs the rest.
  const simOnly = (d: GeneratedDesign) =>
    (['modadd', 'modsub', 'montmul'].includes(d.manifest.block) && ['bn254.fp', 'bls12_381.fr'].includes(d.manifest.field!.name)) ||
    (d.manifest.block === 'modmul' && d.manifest.field!.bits > 64 && d.manifest.field!.name !== 'curve25519');
  // The programmable-prime twin (no field) has its own harness (montmul-runtime.test.ts).
  for (const d of configDesigns(config).filter((x) => PAIR_BLOCKS.includes(x.manifest.block) && x.manifest.field && !simOnly(x))) {
    it(`${d.top}: ${config.sim.vectors} random + edge vectors`, async () => {
      expect(await equivalent(d, config.sim.vectors, config.sim.seed)).toBeGreaterThan(config.sim.vectors);
    });
  }
});

describe('equivalence with the golden model: parameter variants', () => {
  for (const make of VARIANTS) {
    const d = make();
    it(`${d.top}`, async () => {
      await equivalent(d, 2000, 2);
    });
  }
});

describe('the equivalence flow catches broken hardware', () => {
  const base = generateBlock('montmul', namedField('babybear'), {});
  const mutate = (from: RegExp, to: string): GeneratedDesign => {
    const modules = base.modules.map((m) => (m.name === base.top ? { ...m, text: m.text.replace(from, to) } : m));
    expect(modules.find((m) => m.name === base.top)!.text).not.toBe(base.modules.find((m) => m.name === base.top)!.text);
    return { ...base, modules };
  };

  it('a wrong final subtraction is reported with vector, cycle and a waveform', async () => {
    // Off-by-one in the conditional subtraction: only results with u = p go wrong.
    const broken = mutate(/wire \[31:0\] u_minus_p = u - P;/, "wire [31:0] u_minus_p = u - P - 32'd1;");
    const err = await equivalent(broken, 2000).catch((e) => e);
    expect(err).toBeInstanceOf(SimMismatchError);
    expect(err.message).toMatch(/vector \d+/);
    expect(err.message).toMatch(/cycle \d+/);
    expect(existsSync(err.waveformPath)).toBe(true);
    expect(statSync(err.waveformPath).size).toBeGreaterThan(0);
  });

  it('a pipeline register added inside the generated montmul is reported (results one cycle late)', async () => {
    const broken = mutate(/assign out = out_r;/, 'reg [30:0] out_late;\n    always @(posedge clk) out_late <= out_r;\n    assign out = out_late;');
    const err = await equivalent(broken, 200).catch((e) => e);
    expect(err).toBeInstanceOf(SimMismatchError);
    expect(err.message).toMatch(/vector \d+/);
  });

  it('a latency that differs from the manifest is reported', async () => {
    const late = { ...base, manifest: { ...base.manifest, latency: base.manifest.latency! + 1 } };
    await expect(equivalent(late, 100)).rejects.toBeInstanceOf(SimMismatchError);
  });

  it('valid bits that ignore rst are reported', async () => {
    const broken = mutate(/if \(rst\) valid_sr <= \d+'d0;\n\s*else\s+/, '');
    await expect(equivalent(broken, 100)).rejects.toBeInstanceOf(SimMismatchError);
  });
});

describe('external vectors through the CLI', () => {
  it('zkrtl sim --input/--output writes the RTL results, equal to the model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkrtl-io-'));
    const f = montgomeryField(namedField('bn254.fp').p);
    const pairs = makeVectors({ p: f.p }, 50, 99);
    writeFileSync(join(dir, 'pairs.hex'), '# a b\n' + pairs.map(([a, b]) => `0x${a.toString(16)} ${b.toString(16)}`).join('\n') + '\n');
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'zkrtl.mjs'), 'sim', 'montmul', '--field', 'bn254.fp',
      '--input', join(dir, 'pairs.hex'), '--output', join(dir, 'out.hex')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(join(dir, 'out.hex'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(pairs.length);
    lines.forEach((line, i) => {
      expect(line).toMatch(/^[0-9a-f]{64}$/);
      expect(BigInt(`0x${line}`)).toBe(montmul(f, pairs[i][0], pairs[i][1]));
    });
  });
});
