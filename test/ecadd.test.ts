// The point adder: generator contract (ports, names, manifest, schedule, determinism, bad
// parameters), lint, and Verilator equivalence with the golden model — coordinate by
// coordinate, back to back and with bubbles — for the whole form × mode matrix on toy
// curves (20-bit primes, same generator; the real-curve adders run in `make sim`); plus a
// planted bug that the flow must catch and name.
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namedCurve, type CurveSpec } from '../src/curves/registry.ts';
import { generateBlock } from '../src/gen/index.ts';
import { designFiles, type GeneratedDesign } from '../src/gen/design.ts';
import { scheduleFormula } from '../src/gen/ecadd.ts';
import { lintDesign } from '../src/cli/commands/lint.ts';
import { silentProgress } from '../src/cli/progress.ts';
import { checkEcadd, ecaddContext, ecaddExpected, ecaddVectors } from '../src/sim/ecadd-sim.ts';
import { SimMismatchError } from '../src/sim/verilator.ts';
import { adderFormula, curveMontgomery } from '../src/model/curve.ts';
import { TOY_CURVES } from './support/curves.ts';

const waveformDir = mkdtempSync(join(tmpdir(), 'zkrtl-ecadd-wave-'));
const TOY_W = TOY_CURVES[0]!.curve;
const TOY_E = TOY_CURVES[1]!.curve;

/** Simulates `randomCount` random additions plus every edge case; returns the operation count. */
async function equivalent(d: GeneratedDesign, curve: CurveSpec, randomCount: number, seed = 1): Promise<number> {
  const ctx = ecaddContext(d, curve);
  const ops = ecaddVectors(ctx, randomCount, seed);
  const runs = await checkEcadd(d, ctx, ops, { progress: silentProgress, seed, waveformDir });
  expect(runs.map((r) => r.mode)).toEqual(['back-to-back', 'bubbles']);
  // One addition per cycle back to back (II = 1): the run is the operations plus the harness'
  // preamble (reset, then one latency of idle cycles) and one latency of drain.
  expect(runs[0]!.cycles).toBeGreaterThanOrEqual(ops.length + d.manifest.latency!);
  expect(runs[0]!.cycles).toBeLessThanOrEqual(ops.length + 2 * d.manifest.latency! + 16);
  expect(runs[1]!.cycles).toBeGreaterThan(runs[0]!.cycles + ops.length / 10);
  return ops.length;
}

describe('ecadd generator', () => {
  const bn = namedCurve('bn254.g1');

  it('is deterministic and names modules by curve, form, mode, tag and multiplier', () => {
    const a = generateBlock('ecadd', bn, { mode: 'both', tagbits: '12' });
    const b = generateBlock('ecadd', namedCurve('bn254.g1'), { mode: 'both', tagbits: '12' });
    expect([...designFiles(a)]).toEqual([...designFiles(b)]);
    expect(a.top).toBe('ecadd_bn254_g1_w_both_tag12');
    expect(generateBlock('ecadd', bn, { mode: 'mixed', tile: '16x16' }).top).toBe('ecadd_bn254_g1_w_mixed_t16x16');
    expect(generateBlock('ecadd', namedCurve('bls12_377.g1'), { form: 'edwards', mode: 'mixed' }).top).toBe('ecadd_bls12_377_g1_e_mixed');
    expect(a.manifest.files).toEqual(a.modules.map((m) => `${m.name}.v`));
    expect(a.modules.map((m) => m.name)).toContain('montmul_bn254_fp');
  });

  it('declares exactly the ports its manifest lists, in order', () => {
    for (const [curve, params] of [[bn, { mode: 'both', tagbits: '8' }], [bn, { mode: 'mixed' }], [namedCurve('bls12_377.g1'), { form: 'edwards', mode: 'both' }], [TOY_E, { form: 'edwards', mode: 'mixed', tagbits: '3' }]] as const) {
      const d = generateBlock('ecadd', curve, params);
      const text = d.modules.at(-1)!.text;
      const header = text.slice(text.indexOf(`module ${d.top} (`), text.indexOf(');'));
      const declared = [...header.matchAll(/(input|output)\s+wire\s+(?:\[(\d+):0\]\s+)?(\w+)/g)].map((m) => ({ name: m[3], dir: m[1] === 'input' ? 'in' : 'out', width: m[2] === undefined ? 1 : Number(m[2]) + 1 }));
      expect(declared).toEqual(d.manifest.ports.map((p) => ({ name: p.name, dir: p.dir, width: p.width })));
    }
  });

  it('schedules multiplications in levels: latency ≈ levels × montmul + adds, not multiplications × montmul', () => {
    const cases = [
      [bn, 'weierstrass', 'full', 12, 2], [bn, 'weierstrass', 'mixed', 11, 2], [bn, 'weierstrass', 'both', 12, 2],
      [namedCurve('bls12_377.g1'), 'edwards', 'mixed', 7, 2], [namedCurve('bls12_377.g1'), 'edwards', 'full', 9, 3], [namedCurve('bls12_377.g1'), 'edwards', 'both', 9, 3],
    ] as const;
    for (const [curve, form, mode, muls, levels] of cases) {
      const d = generateBlock('ecadd', curve, { form, mode });
      const m = d.manifest as any;
      const L = m.schedule.montmulLatency;
      expect([m.multiplications, m.multiplierLevels]).toEqual([muls, levels]);
      expect(d.manifest.latency).toBeGreaterThanOrEqual(levels * L);
      expect(d.manifest.latency).toBeLessThanOrEqual(levels * L + 8);
      // The manifest's schedule, checked against the formula: every unit starts exactly when
      // its last operand is ready (ASAP) and takes its unit's latency.
      const f = adderFormula(curve, curveMontgomery(curve), form, mode);
      const ready = new Map<string, number>(f.slp.inputs.map((i) => [i, 0]));
      const units = new Map<string, { unit: string; start: number; ready: number }>(m.schedule.units.map((u: any) => [u.result, u]));
      for (const op of f.slp.ops) {
        const at = Math.max(0, ...[op.a, op.b].filter((x) => !(x in f.slp.constants)).map((x) => ready.get(x)!));
        if (op.op === 'select') {
          ready.set(op.dst, at);
          continue;
        }
        const u = units.get(op.dst)!;
        expect([u.unit, u.start, u.ready], op.dst).toEqual([op.op, at, at + (op.op === 'mul' ? L : 1)]);
        ready.set(op.dst, u.ready);
      }
      expect(Math.max(...f.outCoords.map((o) => ready.get(o)!))).toBe(d.manifest.latency);
      expect(scheduleFormula(f, { mul: L, add: 1 }).latency).toBe(d.manifest.latency);
      expect(m.schedule.units.filter((u: any) => u.unit === 'mul')).toHaveLength(muls);
    }
  });

  it('states formats, coordinates and the Edwards model in the manifest', () => {
    const d = generateBlock('ecadd', namedCurve('bls12_377.g1'), { form: 'edwards', mode: 'both', tagbits: '16' });
    const m = d.manifest as any;
    expect(m.coordinates.p).toEqual(['p_x', 'p_y', 'p_t', 'p_z']);
    expect(m.coordinates.qFormat).toMatch(/in_mode = 0: y - x, y \+ x, k\*x\*y/);
    expect(m.montgomeryForm).toMatch(/Montgomery form/);
    expect(m.edwards.d).toMatch(/^0x[0-9a-f]+$/);
    expect(m.params).toMatchObject({ form: 'edwards', mode: 'both', tagbits: 16 });
    expect(generateBlock('ecadd', namedCurve('bls12_377.g1'), {}).manifest.inputs).toMatch(/has points of order 2/);
    expect(generateBlock('ecadd', bn, { mode: 'mixed' }).manifest.inputs).toMatch(/no point of order 2.*cannot be O/);
    expect(generateBlock('ecadd', bn, {}).manifest.inputs).toMatch(/no point of order 2/);
  });

  it('rejects bad parameters with one line naming the value', () => {
    expect(() => generateBlock('ecadd', bn, { form: 'edwards' })).toThrow(/form=edwards is not available for bn254.g1: x\^3 \+ 0x3 has no root mod p/);
    expect(() => generateBlock('ecadd', bn, { mode: 'half' })).toThrow(/mode=half is not accepted: give one of mixed, full, both/);
    expect(() => generateBlock('ecadd', bn, { tagbits: '65' })).toThrow(/tagbits=65 is not accepted/);
    expect(() => generateBlock('ecadd', bn, { tagbits: 'x' })).toThrow(/tagbits=x is not accepted/);
    expect(() => generateBlock('ecadd', bn, { n: '3' })).toThrow(/unknown parameter 'n' for ecadd/);
    expect(() => generateBlock('ecadd', bn, { tile: '99x1' })).toThrow(/tile=99x1 is not accepted/);
    expect(() => generateBlock('ecadd', undefined, {})).toThrow(/works on a curve: give --curve/);
  });
});

describe('ecadd lint: verilator -Wall and yosys check -assert', () => {
  for (const [curve, params] of [
    [TOY_W, { mode: 'mixed' }], [TOY_W, { mode: 'both', tagbits: '1' }], [TOY_E, { form: 'edwards', mode: 'full' }], [TOY_E, { form: 'edwards', mode: 'both', tagbits: '5', tree: '2' }],
  ] as const) {
    const d = generateBlock('ecadd', curve, params);
    it(d.top, async () => {
      expect(await lintDesign(d)).toEqual([]);
    });
  }
});

describe('ecadd equals the golden model in Verilator: every form and mode on toy curves', () => {
  const matrix: Array<[CurveSpec, Record<string, string>]> = [
    [TOY_W, { mode: 'full' }], [TOY_W, { mode: 'mixed', tagbits: '4' }], [TOY_W, { mode: 'both', tagbits: '16' }],
    [TOY_E, { form: 'edwards', mode: 'full', tagbits: '2' }], [TOY_E, { form: 'edwards', mode: 'mixed' }], [TOY_E, { form: 'edwards', mode: 'both', tagbits: '16' }],
    // Multiplier parameters pass through: an unpipelined adder tree, DSP constants.
    [TOY_W, { mode: 'both', tree: '0', constmul: 'dsp' }],
  ];
  for (const [curve, params] of matrix) {
    const d = generateBlock('ecadd', curve, params);
    it(`${d.top}: 3000 random additions and every edge case`, async () => {
      expect(await equivalent(d, curve, 3000)).toBeGreaterThan(3000);
    });
  }
});

// A real-curve adder takes minutes of CPU to build in Verilator, which the suite's budget does
// not hold: every real-curve adder of the config, and the MSM cores built around them, are
// simulated by `make sim` and the bench; `make test` lints them.

describe('the ecadd flow catches broken hardware', () => {
  it('a unit fed the wrong operand is reported with the operation, coordinate, cycle and a waveform', async () => {
    const base = generateBlock('ecadd', TOY_W, { mode: 'mixed', tagbits: '4' });
    const top = base.modules.at(-1)!;
    // t3b = t3 - (t0 + t1) becomes t3 - t0: every operation with Y1·Y2 ≠ 0 goes wrong.
    const broken = top.text.replace(/(u_t3b \(.*?\.b\()w_t01(_d\d+)?\)/, '$1w_t0_d1)');
    expect(broken).not.toBe(top.text);
    const design = { ...base, modules: [...base.modules.slice(0, -1), { ...top, text: broken }] };
    const err = await equivalent(design, TOY_W, 200).catch((e) => e);
    expect(err).toBeInstanceOf(SimMismatchError);
    expect(err.message).toMatch(/MISMATCH at vector \d+, cycle \d+/);
    expect(err.message).toMatch(/operation \d+ \(.*\):\n  P = \(/);
    expect(err.message).toMatch(/out_[xyz]: expected 0x[0-9a-f]+, got 0x[0-9a-f]+/);
    expect(existsSync(err.waveformPath)).toBe(true);
    expect(statSync(err.waveformPath).size).toBeGreaterThan(0);
  });

  it('a tag that does not travel with its operation is reported', async () => {
    const base = generateBlock('ecadd', TOY_W, { mode: 'mixed', tagbits: '4' });
    const top = base.modules.at(-1)!;
    const latency = base.manifest.latency!;
    const broken = top.text.replace(`.DEPTH(${latency})) u_tag_delay`, `.DEPTH(${latency - 1})) u_tag_delay`);
    expect(broken).not.toBe(top.text);
    const err = await equivalent({ ...base, modules: [...base.modules.slice(0, -1), { ...top, text: broken }] }, TOY_W, 50).catch((e) => e);
    expect(err).toBeInstanceOf(SimMismatchError);
    expect(err.message).toMatch(/out_tag: expected 0x[0-9a-f]+, got 0x[0-9a-f]+/);
  });

  it('the model vectors hold the edge cases the issue names, for every mode', () => {
    // The Edwards toy curve's b = 1 is a square: it has points with x = 0.
    const d = generateBlock('ecadd', TOY_E, { mode: 'both' });
    const ctx = ecaddContext(d, TOY_E);
    const ops = ecaddVectors(ctx, 10, 1);
    const kinds = new Set(ops.map((o) => `${o.kind}/${o.full}`));
    for (const k of ['P + P', 'P + (-P)', 'P + O', 'O + P', 'O + O', '2G + 3G', 'x = 0 + itself']) expect(kinds.has(`${k}/true`)).toBe(true);
    // Mixed operands are affine: no O as Q, but P + P, P + (-P) and O + P.
    for (const k of ['P + P', 'P + (-P)', 'O + P']) expect(kinds.has(`${k}/false`)).toBe(true);
    expect(kinds.has('P + O/false')).toBe(false);
    // The results of P + (-P) are O: Z = 0.
    const inv = ops.find((o) => o.kind === 'P + (-P)' && o.full)!;
    expect(ecaddExpected(ctx, inv)[2]).toBe(0n);
  });
});
