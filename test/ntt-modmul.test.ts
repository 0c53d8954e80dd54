// Butterflies and NTT cores with mult=modmul: the twiddle multiplier is the plain a·b mod p
// (reduction from the shape of p), so twiddle ports and ROMs hold w itself, not w·R mod p.
// The model's transform must be the montmul core's and the naive DFT's; the RTL must match
// the model (Verilator, as ntt-equivalence.test.ts does for the default designs); bad
// parameters are one line; the new designs lint clean.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namedField } from '../src/fields/registry.ts';
import { generateBlock } from '../src/gen/index.ts';
import { formsOf } from '../src/model/modmul.ts';
import { montgomeryField } from '../src/model/field.ts';
import { nttModel, nttShape, twiddleMultiplierOf } from '../src/model/ntt.ts';
import { silentProgress } from '../src/cli/progress.ts';
import { lintDesign } from '../src/cli/commands/lint.ts';
import { butterflyModel, butterflyVectors, checkButterfly } from '../src/sim/butterfly-sim.ts';
import { modelOf } from '../src/sim/ntt-check.ts';
import { Rng } from '../src/sim/vectors.ts';
import { zkrtl, scratch } from './support/cli.ts';
import { naiveDft } from './support/naive-dft.ts';
import { nttBothWays } from './support/ntt-both-ways.ts';

const waveformDir = mkdtempSync(join(tmpdir(), 'zkrtl-ntt-modmul-wave-'));
const FIELDS = ['goldilocks', 'babybear', 'koalabear'];


describe('model: mult=modmul computes the montmul transform, with plain twiddles', () => {
  it.each(FIELDS)('%s: every reduce form, N = 16 and 64, lanes 1 and 2, forward and inverse', (name) => {
    const f = namedField(name);
    const rng = new Rng(13);
    const forms = formsOf(f.p);
    expect(forms.length).toBeGreaterThan(1);
    for (const n of [16, 64]) {
      for (const lanes of [1, 2]) {
        const shape = nttShape(f, n, lanes);
        const mont = nttModel(f, shape, { block: 'montmul' });
        const x = Array.from({ length: n }, () => rng.below(f.p));
        for (const inverse of [false, true]) {
          const want = mont.run(x, inverse);
          expect(want).toEqual(naiveDft(f.p, mont.omega, x, inverse));
          for (const reduce of forms) {
            const mod = nttModel(f, shape, { block: 'modmul', reduce });
            expect(mod.run(x, inverse), `${reduce} N=${n} lanes=${lanes} inverse=${inverse}`).toEqual(want);
          }
        }
        // The ROMs: ω^m itself for a modmul, ω^m·R mod p for a montmul.
        const mod = nttModel(f, shape, { block: 'modmul', reduce: forms[0]! });
        const mf = montgomeryField(f.p);
        expect(mod.rom).toEqual(mod.twiddles);
        expect(mont.rom).toEqual(mont.twiddles.map((w) => (w * mf.R) % f.p));
      }
    }
  });
});

describe('generated designs: names, manifests, ROM contents', () => {
  it('butterflies: _modmul names, twiddle plain, latency modmul + 1, no Montgomery section', () => {
    for (const name of ['goldilocks', 'babybear']) {
      for (const kind of ['ct', 'gs']) {
        const mm = generateBlock('modmul', namedField(name), {});
        const d = generateBlock('butterfly', namedField(name), { kind, mult: 'modmul' });
        const base = generateBlock('butterfly', namedField(name), { kind });
        expect(d.top).toBe(`butterfly_${kind}_${name}_modmul`);
        expect(base.top).toBe(`butterfly_${kind}_${name}`);
        expect(base.manifest).toMatchObject({ twiddleForm: 'montgomery', params: { mult: 'montmul' } });
        expect(d.manifest).toMatchObject({
          twiddleForm: 'plain',
          params: { kind, mult: 'modmul', reduce: 'auto' },
          multiplier: { block: 'modmul', module: mm.top, reduce: (mm.manifest.reduce as { form: string }).form },
          submodules: { modmul: mm.top },
          latency: mm.manifest.latency! + 1,
        });
        expect(d.manifest.montgomery).toBeUndefined();
        expect(d.manifest.ports.find((p) => p.name === 'w')!.description).toMatch(/plain/);
        expect(d.modules.map((m) => m.name)).toContain(mm.top);
        expect(d.modules.some((m) => m.name.startsWith('montmul_'))).toBe(false);
      }
    }
    // The modmul's own parameters pass through and name the design.
    const t = generateBlock('butterfly', namedField('babybear'), { mult: 'modmul', reduce: 'montgomery-friendly', tile: '18x18' });
    expect(t.top).toBe('butterfly_ct_babybear_montgomeryfriendly_t18x18_modmul');
    expect(twiddleMultiplierOf(t.manifest)).toEqual({ block: 'modmul', reduce: 'montgomery-friendly', k: 31 });
  });

  it('NTT core: the ROM holds ω^m, not ω^m·R; the manifest says so', () => {
    const f = namedField('goldilocks');
    const d = generateBlock('ntt', f, { n: '64', lanes: '2', mult: 'modmul' });
    expect(d.top).toBe('ntt_goldilocks_n64_l2_modmul');
    expect(d.manifest.params).toMatchObject({ mult: 'modmul', kind: 'ct' });
    expect((d.manifest.dataflow as { twiddleRom: object }).twiddleRom).toMatchObject({ form: 'plain', content: 'omega^m mod p' });
    expect(d.manifest.montgomery).toBeUndefined();
    const rom = d.modules.find((m) => m.name === `${d.top}_twiddles`)!.text;
    const model = modelOf(d);
    expect(model.rom).toEqual(model.twiddles);
    const words = [...rom.matchAll(/'d(\d+): q <= 64'h([0-9a-f]+);/g)].map((m) => [Number(m[1]), BigInt(`0x${m[2]}`)]);
    expect(words).toEqual(model.twiddles.map((w, m) => [m, w]));
    expect(words[1]![1]).toBe(BigInt((d.manifest.root as { omega: string }).omega));
    // The default core is unchanged by name and keeps its Montgomery ROM.
    const base = generateBlock('ntt', f, { n: '64', lanes: '2' });
    expect(base.top).toBe('ntt_goldilocks_n64_l2');
    expect((base.manifest.dataflow as { twiddleRom: object }).twiddleRom).toMatchObject({ form: 'montgomery', content: 'omega^m * R mod p' });
  });

  it('the butterfly model: the same x, y as the montmul butterfly given w·R', () => {
    const f = namedField('babybear');
    const mf = montgomeryField(f.p);
    const rng = new Rng(3);
    for (const kind of ['ct', 'gs']) {
      const mod = butterflyModel(generateBlock('butterfly', f, { kind, mult: 'modmul' }));
      const mont = butterflyModel(generateBlock('butterfly', f, { kind }));
      for (let i = 0; i < 200; i++) {
        const [a, b, w] = [rng.below(f.p), rng.below(f.p), rng.below(f.p)];
        expect(mod([a, b, w])).toEqual(mont([a, b, (w * mf.R) % f.p]));
      }
    }
  });
});

describe('bad input: one line, exit 2', () => {
  const dir = scratch('zkrtl-ntt-modmul-');
  it.each([
    [['butterfly', '--param', 'mult=foo'], /^zkrtl: error: mult=foo is not accepted: give one of montmul, modmul, shift$/],
    [['ntt', '--param', 'n=64', '--param', 'mult=modmul', '--param', 'rbits=64'], /^zkrtl: error: rbits=64: rbits applies to mult=montmul; mult=modmul takes reduce, tile/],
  ])('zkrtl gen %j', (args, message) => {
    const r = zkrtl(['gen', ...args, '--field', 'goldilocks', '--out', join(dir, 'never')]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l && !/nodedir/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
  it('montmul-only parameters with mult=modmul, and reduce with the montmul', () => {
    const f = namedField('babybear');
    for (const [k, v] of [['depth', '12'], ['mp', 'high']]) {
      expect(() => generateBlock('butterfly', f, { mult: 'modmul', [k]: v })).toThrow(new RegExp(`^${k}=${v}: ${k} applies to mult=montmul;`));
    }
    expect(() => generateBlock('ntt', f, { n: '16', reduce: 'solinas' })).toThrow(/^reduce=solinas: reduce applies to mult=modmul; mult=montmul takes/);
  });
});

describe('RTL: mult=modmul in Verilator', () => {
  // GS on babybear here, CT inside the goldilocks NTT core below (the kinds differ in the
  // template around the multiplier, the fields in the modmul, which equivalence.test.ts runs
  // on every small field).
  for (const [name, kind] of [['babybear', 'gs']]) {
    it(`butterfly_${kind}_${name}_modmul: 2000 vectors, back to back and with bubbles`, async () => {
      const d = generateBlock('butterfly', namedField(name), { kind, mult: 'modmul' });
      const vectors = butterflyVectors(d, 2000, 1);
      const runs = await checkButterfly(d, vectors, { progress: silentProgress, seed: 1, waveformDir });
      expect(runs.map((r) => r.mode)).toEqual(['back-to-back', 'bubbles']);
      expect(runs[0]!.cycles).toBeLessThan(vectors.length + d.manifest.latency! + 64);
    });
  }

  it('ntt_goldilocks_n64_l2_modmul: forward and inverse, back to back, bubbles and stalls, round trip, cycle counts', async () => {
    await nttBothWays(generateBlock('ntt', namedField('goldilocks'), { n: '64', lanes: '2', mult: 'modmul' }), waveformDir);
  });
});

describe('lint: verilator -Wall and yosys check -assert', () => {
  const designs = [
    () => generateBlock('butterfly', namedField('babybear'), { kind: 'ct', mult: 'modmul' }),
    () => generateBlock('butterfly', namedField('goldilocks'), { kind: 'gs', mult: 'modmul' }),
    // The Montgomery route inside (two montmuls), with tiles passed through.
    () => generateBlock('butterfly', namedField('koalabear'), { kind: 'gs', mult: 'modmul', reduce: 'montgomery-friendly', tile: '18x18' }),
    () => generateBlock('ntt', namedField('goldilocks'), { n: '64', lanes: '2', mult: 'modmul' }),
  ];
  for (const make of designs) {
    const d = make();
    it(d.top, async () => {
      expect(await lintDesign(d)).toEqual([]);
    });
  }
});
