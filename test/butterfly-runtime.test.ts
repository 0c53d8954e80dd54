// The programmable-prime NTT butterfly (butterfly prime=runtime): the manifest says the config
// port and its rule; Verilator loads several primes through the cfg port in one run (kind ct and
// gs at width 64, with a prime just below 2^64 to exercise the adder's widths) and checks every
// (x, y) against the fixed-prime butterfly's model for that p with R = 2^W, keeping to the
// rule to the cycle (and one idle cycle less is caught); a planted break in the adder's p
// register (not reloaded) is reported with prime, vector, cycle and waveform; bad input is one
// line, exit 2; the designs are lint-clean.
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateBlock } from '../src/gen/index.ts';
import { designFiles, type GeneratedDesign } from '../src/gen/design.ts';
import { namedField } from '../src/fields/registry.ts';
import { lintDesign } from '../src/cli/commands/lint.ts';
import { checkRuntimeButterfly, type RuntimePrime } from '../src/sim/butterfly-runtime-sim.ts';
import { SimMismatchError } from '../src/sim/verilator.ts';
import { silentProgress } from '../src/cli/progress.ts';
import { scratch, zkrtl } from './support/cli.ts';
import { named, randomPrime } from './support/primes.ts';

const waveformDir = mkdtempSync(join(tmpdir(), 'zkrtl-bfruntime-wave-'));
const runtime = (width: number, params: Record<string, string> = {}) => generateBlock('butterfly', undefined, { prime: 'runtime', width: String(width), ...params });

const primes64: RuntimePrime[] = [
  named('goldilocks'), named('babybear'), named('koalabear'),
  { name: 'random 61-bit', p: randomPrime(61, 3) },
  // a + b of two elements below it overflows 64 bits: the adder's W+1-bit chain must hold it.
  { name: '2^64 - 59', p: (1n << 64n) - 59n },
];

describe('butterfly prime=runtime: the design', () => {
  it('manifest: no field, the config port and its rule, ports described, latency = montmul twin + 1', () => {
    for (const kind of ['ct', 'gs']) {
      const d = runtime(64, { kind });
      const m = d.manifest as Record<string, any>;
      const mm = generateBlock('montmul', undefined, { prime: 'runtime', width: '64' });
      expect(d.top).toBe(`butterfly_${kind}_runtime_w64`);
      expect(m.field).toBeUndefined();
      expect(m).toMatchObject({ block: 'butterfly', ii: 1, twiddleForm: 'montgomery', params: { prime: 'runtime', width: 64, kind, mult: 'montmul', tile: '26x17', tree: 1, karatsuba: 'auto' } });
      expect(m.latency).toBe(mm.manifest.latency! + 1);
      expect(m.submodules).toEqual({ montmul: 'montmul_runtime_w64', modadd: 'modadd_runtime_w64', modsub: 'modsub_runtime_w64' });
      expect(m.ports.map((p: { name: string }) => p.name)).toEqual(['clk', 'rst', 'in_valid', 'a', 'b', 'w', 'cfg_valid', 'cfg_p', 'cfg_pprime', 'out_valid', 'x', 'y']);
      for (const p of m.ports) expect(p.description, p.name).toMatch(/\w/);
      expect(m.config.drainCycles).toBe(m.latency - 1);
      expect(m.config.rule).toContain(`keep in_valid low in the ${m.latency - 1} cycles up to and including the cfg_valid cycle`);
      expect(m.config).toMatchObject({ R: '0x10000000000000000', k: 64, ports: ['cfg_valid', 'cfg_p', 'cfg_pprime'] });
      // Deterministic.
      expect([...designFiles(runtime(64, { kind }))]).toEqual([...designFiles(d)]);
    }
    expect(runtime(32, { tile: '16x16', karatsuba: '1', kind: 'gs' }).top).toBe('butterfly_gs_runtime_w32_t16x16_k1');
  });
});

describe('butterfly prime=runtime in Verilator: primes loaded through the cfg port', () => {
  for (const kind of ['ct', 'gs']) {
    it(`width 64, kind ${kind}: goldilocks, babybear, koalabear, a random 61-bit prime and 2^64 - 59 in one run, back to back and with bubbles`, async () => {
      const d = runtime(64, { kind });
      const r = await checkRuntimeButterfly(d, primes64, 300, { progress: silentProgress, seed: 1, waveformDir });
      expect(r.runs.map((x) => x.mode)).toEqual(['back-to-back', 'bubbles']);
      expect(r.idleBeforeLoad).toBe(d.manifest.latency! - 2);
      for (const b of r.batches) expect(b.vectors, b.prime.name).toBeGreaterThanOrEqual(300);
      const stream = r.batches.reduce((n, b) => n + b.vectors + 1, 0) + (primes64.length - 1) * r.idleBeforeLoad;
      expect(r.runs[0]!.ii).toBe(1);
      expect(r.runs[0]!.cycles).toBeLessThan(stream + d.manifest.latency! + 64);
    });
  }

  it('zkrtl sim butterfly --param prime=runtime runs without --field, on the primes given', () => {
    // The same design as the ct run above: its simulator comes from the cache.
    const r = zkrtl(['sim', 'butterfly', '--param', 'prime=runtime', '--param', 'width=64', '--param', 'kind=ct', '--primes', 'goldilocks,babybear', '--vectors', '50']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS butterfly_ct_runtime_w64: 2 primes loaded in turn through cfg_p\/cfg_pprime \(goldilocks, babybear\)/);
  });

  it('one idle cycle short of the rule before a load is caught, at the last operation of the old prime', async () => {
    const d = runtime(64, { kind: 'ct' });
    const err = await checkRuntimeButterfly(d, primes64.slice(0, 3), 100, { progress: silentProgress, seed: 1, waveformDir, idleBeforeLoad: d.manifest.latency! - 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(SimMismatchError);
    expect(err.message).toMatch(/^prime goldilocks \(p = 0xffffffff00000001, loaded first\): vector \d+ of its \d+: a = 0x/);
    const [, index, total] = /vector (\d+) of its (\d+)/.exec(err.message)!;
    expect(Number(index)).toBe(Number(total) - 1);
  });
});

describe('butterfly prime=runtime: a planted break in the adder is caught', () => {
  const primes16: RuntimePrime[] = [{ name: '65521', p: 65521n }, { name: '40961', p: 40961n }, { name: '12289', p: 12289n }];
  const mutate = (base: GeneratedDesign, module: string, ...edits: Array<[string, string]>): GeneratedDesign => {
    const text = base.modules.find((m) => m.name === module)!.text;
    for (const [from] of edits) expect(text).toContain(from);
    return { ...base, modules: base.modules.map((m) => (m.name === module ? { ...m, text: edits.reduce((t, [from, to]) => t.replace(from, to), m.text) } : m)) };
  };
  const expectCaught = (err: unknown, prime: RegExp) => {
    expect(err).toBeInstanceOf(SimMismatchError);
    const e = err as SimMismatchError;
    expect(e.message).toMatch(prime);
    expect(e.message).toMatch(/vector \d+ of its \d+: a = 0x[0-9a-f]+, b = 0x[0-9a-f]+, w = 0x[0-9a-f]+, expected x = 0x[0-9a-f]+, y = 0x[0-9a-f]+; stream vector \d+, cycle \d+/);
    expect(existsSync(e.waveformPath!)).toBe(true);
    expect(statSync(e.waveformPath!).size).toBeGreaterThan(0);
  };

  it("the adder's p register not reloaded (it keeps the first prime): caught at the first operation after the second load", async () => {
    const base = runtime(16, { kind: 'gs' });
    const broken = mutate(base, 'modadd_runtime_w16', [
      '        if (cfg_valid) p_r <= cfg_p;\n',
      "        if (rst) p_loaded <= 1'b0;\n        else if (cfg_valid && !p_loaded) begin\n            p_r <= cfg_p;\n            p_loaded <= 1'b1;\n        end\n",
    ], ['    reg [15:0] p_r;\n', '    reg [15:0] p_r;\n    reg        p_loaded;\n']);
    const err = await checkRuntimeButterfly(broken, primes16, 100, { progress: silentProgress, seed: 2, waveformDir }).catch((e) => e);
    // gs adds in the cycle it takes its operands: the first operation with the new prime (a
    // vector with a + b >= p and a < b for it) reads the adder's stale p.
    expectCaught(err, /^prime 40961 \(p = 0xa001, loaded after 65521\): vector 0 of its \d+: /);
  });
});

describe('butterfly prime=runtime: bad input on the command line (one line, exit 2, nothing written)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no width', ['gen', 'butterfly', '--param', 'prime=runtime'], /^zkrtl: error: prime=runtime needs width=W \(2\.\.1024\)/],
    ['prime=foo', ['gen', 'butterfly', '--param', 'prime=foo', '--param', 'width=64'], /^zkrtl: error: prime=foo is not accepted: give prime=runtime/],
    ['with --field', ['gen', 'butterfly', '--field', 'goldilocks', '--param', 'prime=runtime', '--param', 'width=64'], /^zkrtl: error: prime=runtime takes its prime at run time: leave out --field\/--prime$/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const dir = scratch();
      const r = zkrtl([...args, '--out', join(dir, 'out')], dir);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(readdirSync(dir)).toEqual([]);
    });
  }
  it('mult=modmul and width without prime=runtime (generator, no CLI)', () => {
    expect(() => runtime(64, { mult: 'modmul' })).toThrow(/^mult=modmul with prime=runtime: modmul reduces by the shape of a fixed p/);
    expect(() => generateBlock('butterfly', namedField('goldilocks'), { width: '64' })).toThrow(/^width=64: width applies to prime=runtime only/);
  });
});

describe('butterfly prime=runtime: lint (verilator -Wall, yosys check -assert)', () => {
  for (const make of [() => runtime(64, { kind: 'ct' }), () => runtime(64, { kind: 'gs' }), () => runtime(2, { kind: 'ct' }), () => runtime(31, { kind: 'gs', tile: '16x16', karatsuba: '1' })]) {
    const d = make();
    it(d.top, async () => {
      expect(await lintDesign(d)).toEqual([]);
    });
  }
});
