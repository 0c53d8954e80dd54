// The programmable-prime montmul (montmul prime=runtime): its planned products equal the
// golden model stage by stage for primes far below 2^W too (BigInt, no simulator); Verilator
// loads several primes through the cfg port in one run and checks every result, keeping to
// the manifest's configuration rule to the cycle (and one idle cycle less is caught); planted
// breaks are reported with prime, vector, cycle and waveform; bad input is one line, exit 2;
// every module is lint-clean.
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateBlock } from '../src/gen/index.ts';
import { designFiles, type GeneratedDesign } from '../src/gen/design.ts';
import { planMontmulRuntime } from '../src/gen/montmul-runtime.ts';
import { namedField } from '../src/fields/registry.ts';
import { modInverse, montgomeryField, montmulStages } from '../src/model/field.ts';
import { loadConfig } from '../src/config.ts';
import { configDesigns } from '../src/cli/commands/common.ts';
import { lintDesign } from '../src/cli/commands/lint.ts';
import { checkRuntimePrime, defaultPrimes, parsePrimes } from '../src/sim/runtime-prime-sim.ts';
import { SimMismatchError } from '../src/sim/verilator.ts';
import { silentProgress } from '../src/cli/progress.ts';
import { Rng } from '../src/sim/vectors.ts';
import { scratch, zkrtl } from './support/cli.ts';
import { UsageError } from '../src/base/errors.ts';
import type { RawParams } from '../src/gen/params.ts';
import { named, randomPrime } from './support/primes.ts';

const waveformDir = mkdtempSync(join(tmpdir(), 'zkrtl-runtime-wave-'));
const runtime = (width: number, params: Record<string, string> = {}) => generateBlock('montmul', undefined, { prime: 'runtime', width: String(width), ...params });

describe('montmul prime=runtime: the planned datapath (BigInt)', () => {
  const evalOut = (plan: { netlist: { evaluate: (i: Record<string, bigint>) => Map<string, bigint>; stmts: Array<{ name: string }> } }, inputs: Record<string, bigint>) =>
    plan.netlist.evaluate(inputs).get(plan.netlist.stmts[plan.netlist.stmts.length - 1]!.name)!;

  it('ab, m and mp equal the model stage by stage, for primes of every size that fit the width', () => {
    const cases: Array<[number, Record<string, string>, bigint[]]> = [
      [2, {}, [3n]],
      [5, { tile: '2x3' }, [3n, 5n, 31n, 29n]],
      [31, {}, [namedField('babybear').p, namedField('koalabear').p, namedField('mersenne31').p, 3n]],
      [32, { tile: '16x16', karatsuba: '1' }, [namedField('babybear').p, 65521n, 4294967291n]],
      [64, {}, [namedField('goldilocks').p, namedField('babybear').p, randomPrime(61, 7), 5n, (1n << 64n) - 59n]],
      [130, { tile: '18x18', tree: '2', karatsuba: '2' }, [randomPrime(130, 1), namedField('goldilocks').p, 7n]],
      [384, {}, [namedField('bls12_381.fp').p, namedField('bn254.fr').p, namedField('goldilocks').p]],
    ];
    for (const [W, params, primes] of cases) {
      const { plans } = planMontmulRuntime({ prime: 'runtime', width: String(W), ...params });
      for (const p of primes) {
        // The model with R = 2^W, whatever the prime's own bit length.
        const f = montgomeryField(p, W);
        expect(f.k).toBe(W);
        const rng = new Rng(W);
        const edges: Array<[bigint, bigint]> = [[0n, 0n], [p - 1n, p - 1n], [1n, p - 1n], [p - 1n, 1n], [p - 2n, p - 1n]];
        for (let i = 0; i < 60; i++) {
          const [a, b] = i < edges.length ? edges[i]! : [rng.below(p), rng.below(p)];
          const s = montmulStages(f, a, b);
          const label = `W=${W} ${JSON.stringify(params)} p=${p} a=${a} b=${b}`;
          expect(evalOut(plans.ab, { x: a, y: b }), label).toBe(s.T);
          expect(evalOut(plans.m, { x: s.tLo, y: f.pPrime }), label).toBe(s.m);
          const u = evalOut(plans.mp, { x: s.m, y: p, t_hi: s.tHi, t_lo_nz: s.carry });
          expect(u, label).toBe(s.u);
          // One conditional subtraction suffices: u < 2p even for p far below 2^W.
          expect(u < 2n * p, label).toBe(true);
          expect(u >= p ? u - p : u, label).toBe((a * b * modInverse(f.R, p)) % p);
        }
      }
    }
  });

  it('manifest: no field, the config port and its rule, ports described, latency = the stages', () => {
    const d = runtime(64);
    const m = d.manifest as Record<string, any>;
    expect(d.top).toBe('montmul_runtime_w64');
    expect(m.field).toBeUndefined();
    expect(m).toMatchObject({ block: 'montmul', ii: 1, params: { prime: 'runtime', width: 64, tile: '26x17', tree: 1, karatsuba: 'auto' } });
    expect(m.latency).toBe(m.stages.ab.latency + m.stages.m.latency + m.stages.mp.latency + 1);
    expect(m.stages.m.tiles).toBeLessThan(m.stages.mp.tiles); // m keeps only its low W bits
    expect(m.ports.map((p: { name: string }) => p.name)).toEqual(['clk', 'rst', 'in_valid', 'a', 'b', 'cfg_valid', 'cfg_p', 'cfg_pprime', 'out_valid', 'out']);
    for (const p of m.ports) expect(p.description, p.name).toMatch(/\w/);
    expect(m.config.drainCycles).toBe(m.latency - 1);
    expect(m.config.rule).toContain(`keep in_valid low in the ${m.latency - 1} cycles up to and including the cfg_valid cycle`);
    expect(m.config.rule).toContain('cycle c + 1 or later use the new values');
    // Deterministic, and module names say the parameters.
    expect([...designFiles(runtime(64))]).toEqual([...designFiles(d)]);
    expect(runtime(32, { tile: '16x16', tree: '0', karatsuba: '1' }).top).toBe('montmul_runtime_w32_t16x16_l0_k1');
  });

  it('the default config emits one runtime design, without a field', () => {
    // Only the config's montmul entries: generating all of it (MSM cores …) takes seconds.
    const config = loadConfig();
    const ds = configDesigns({ ...config, fields: [], designs: config.designs.filter((x) => x.block === 'montmul') });
    expect(ds.map((x) => x.top)).toEqual(['montmul_runtime_w64']);
  });

  it('--primes: names and numbers that fit; default: every registered field that fits, the largest prime below 2^W, and 5', () => {
    expect(parsePrimes('goldilocks, 0x7fffffff,5', 64)).toEqual([named('goldilocks'), { name: 'mersenne31', p: 0x7fffffffn }, { name: 'p = 0x5', p: 5n }]);
    expect(() => parsePrimes('bn254.fr', 64)).toThrow(/--primes bn254.fr has 254 bits: wider than width=64/);
    expect(() => parsePrimes('0x100', 64)).toThrow(/must be odd/);
    const d = defaultPrimes(64).map((x) => x.name);
    expect(d).toEqual(['goldilocks', 'babybear', 'koalabear', 'mersenne31', 'p = 0xffffffffffffffc5', 'p = 0x5']);
    expect(defaultPrimes(2).map((x) => x.p)).toEqual([3n]);
  });
});

describe('montmul prime=runtime in Verilator: primes loaded through the cfg port', () => {
  const w64 = runtime(64);
  const primes64 = [named('goldilocks'), named('babybear'), named('koalabear'), named('mersenne31'), { name: 'random 61-bit', p: randomPrime(61, 3) }, { name: 'five', p: 5n }];

  it('width 64: goldilocks, babybear, koalabear, mersenne31, a random 61-bit prime and 5 in one run, back to back and with bubbles', async () => {
    const r = await checkRuntimePrime(w64, primes64, 1000, { progress: silentProgress, seed: 1, waveformDir });
    expect(r.runs.map((x) => x.mode)).toEqual(['back-to-back', 'bubbles']);
    expect(r.idleBeforeLoad).toBe(w64.manifest.latency! - 2);
    for (const b of r.batches) expect(b.vectors, b.prime.name).toBeGreaterThanOrEqual(1000);
    // Back to back every cycle carries an operation, an idle cycle of the rule or a load.
    const stream = r.batches.reduce((n, b) => n + b.vectors + 1, 0) + (primes64.length - 1) * r.idleBeforeLoad;
    expect(r.runs[0]!.ii).toBe(1);
    expect(r.runs[0]!.cycles).toBeLessThan(stream + w64.manifest.latency! + 64);
  });

  it('one idle cycle short of the rule before a load is caught, at the last operation of the old prime', async () => {
    const err = await checkRuntimePrime(w64, primes64.slice(0, 3), 300, { progress: silentProgress, seed: 1, waveformDir, idleBeforeLoad: w64.manifest.latency! - 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(SimMismatchError);
    // Its result depends on the final subtraction's p, which the early load changed under it.
    expect(err.message).toMatch(/^prime goldilocks \(p = 0xffffffff00000001, loaded first\): vector \d+ of its \d+: a = 0x/);
    const [, index, total] = /vector (\d+) of its (\d+)/.exec(err.message)!;
    expect(Number(index)).toBe(Number(total) - 1);
  });

  it('width 32 on 16x16 tiles with one Karatsuba level, and primes down to 3', async () => {
    const d = runtime(32, { tile: '16x16', karatsuba: '1' });
    const primes = [named('babybear'), { name: 'three', p: 3n }, named('mersenne31'), { name: '2^32 - 5', p: 4294967291n }, { name: '65521', p: 65521n }];
    const r = await checkRuntimePrime(d, primes, 1000, { progress: silentProgress, seed: 4, waveformDir });
    expect(r.runs[0]!.ii).toBe(1);
  });

  it('zkrtl sim montmul --param prime=runtime runs without --field, on the primes given', () => {
    const r = zkrtl(['sim', 'montmul', '--param', 'prime=runtime', '--param', 'width=64', '--primes', 'goldilocks,5', '--vectors', '50']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASS montmul_runtime_w64: 2 primes loaded in turn through cfg_p\/cfg_pprime \(goldilocks, p = 0x5\)/);
  });
});

describe('montmul prime=runtime: planted breaks are caught', () => {
  const base = runtime(32, { tile: '16x16', karatsuba: '1' });
  const mutate = (...edits: Array<[string, string]>): GeneratedDesign => {
    const modules = base.modules.map((m) => (m.name === base.top ? { ...m, text: edits.reduce((t, [from, to]) => t.replace(from, to), m.text) } : m));
    for (const [from] of edits) expect(base.modules.find((m) => m.name === base.top)!.text).toContain(from);
    return { ...base, modules };
  };
  const primes = [named('babybear'), named('koalabear'), named('mersenne31')];
  const expectCaught = (err: unknown, prime: RegExp) => {
    expect(err).toBeInstanceOf(SimMismatchError);
    const e = err as SimMismatchError;
    expect(e.message).toMatch(prime);
    expect(e.message).toMatch(/vector \d+ of its \d+: a = 0x[0-9a-f]+, b = 0x[0-9a-f]+, expected 0x[0-9a-f]+; stream vector \d+, cycle \d+/);
    expect(existsSync(e.waveformPath!)).toBe(true);
    expect(statSync(e.waveformPath!).size).toBeGreaterThan(0);
  };

  it("p' read later than the rule allows: the first operations after a reload use the old p'", async () => {
    // The m product reads p' (ab latency) cycles after an operation is taken, so the rule has
    // that much slack after a load; one cycle more and the first new operation reads the old p'.
    const late = (base.manifest.stages as { ab: { latency: number } }).ab.latency + 1;
    const broken = mutate(
      ['    wire [31:0] m;\n', `    wire [31:0] pprime_late;\n    zkrtl_delay #(.WIDTH(32), .DEPTH(${late})) u_late (.clk(clk), .d(pprime_r), .q(pprime_late));\n    wire [31:0] m;\n`],
      ['.y(pprime_r)', '.y(pprime_late)'],
    );
    const err = await checkRuntimePrime(broken, primes, 200, { progress: silentProgress, seed: 2, waveformDir }).catch((e) => e);
    // The first operation after a load (a pair that depends on p') catches it.
    expectCaught(err, /^prime \w+ \(p = 0x[0-9a-f]+, loaded [^)]+\): vector 0 of its/);
  });

});

describe('montmul prime=runtime: bad parameters (one line each, from the generator)', () => {
  // The command line turns a UsageError into one line and exit 2 without writing (tested below
  // for the cases the CLI itself decides); these are decided by the generator.
  const cases: Array<[string, RawParams, RegExp]> = [
    ['no width', { prime: 'runtime' }, /prime=runtime needs width=W \(2\.\.1024\)/],
    ['width 1', { prime: 'runtime', width: '1' }, /width=1 is not accepted: give the operand width in bits \(an integer from 2 to 1024\)/],
    ['width 1025', { prime: 'runtime', width: '1025' }, /width=1025 is not accepted/],
    ['another prime= value', { prime: 'fixed' }, /prime=fixed is not accepted: give prime=runtime/],
    ['a fixed-prime parameter', { prime: 'runtime', width: '64', mp: 'high' }, /unknown parameter 'mp' for montmul prime=runtime: accepted are prime/],
  ];
  for (const [what, raw, message] of cases) {
    it(what, () => {
      let err: unknown;
      try { generateBlock('montmul', undefined, raw); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    });
  }
  it('width without prime=runtime', () => {
    expect(() => generateBlock('montmul', namedField('goldilocks'), { width: '64' })).toThrow(/width=64: width applies to prime=runtime only/);
  });
});

describe('montmul prime=runtime: bad input on the command line (one line, exit 2, nothing written)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['with --field', ['gen', 'montmul', '--field', 'goldilocks', '--param', 'prime=runtime', '--param', 'width=64'], /^zkrtl: error: prime=runtime takes its prime at run time: leave out --field\/--prime$/],
    ['with --prime', ['gen', 'montmul', '--prime', '251', '--param', 'prime=runtime', '--param', 'width=64'], /prime=runtime takes its prime at run time: leave out --field\/--prime/],
    ['--primes wider than width', ['sim', 'montmul', '--param', 'prime=runtime', '--param', 'width=64', '--primes', 'goldilocks,bn254.fp'], /--primes bn254.fp has 254 bits: wider than width=64/],
    ['--primes even', ['sim', 'montmul', '--param', 'prime=runtime', '--param', 'width=64', '--primes', '0x10'], /--primes 0x10: p must be odd/],
    ['--primes for a fixed prime', ['sim', 'montmul', '--field', 'goldilocks', '--primes', '5'], /--primes is for montmul and butterfly with --param prime=runtime/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const dir = scratch();
      const out = args[0] === 'gen' ? ['--out', join(dir, 'out')] : [];
      const r = zkrtl([...args, ...out], dir);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('gen without --field writes the design', () => {
    const dir = scratch();
    const r = zkrtl(['gen', 'montmul', '--param', 'prime=runtime', '--param', 'width=48', '--out', join(dir, 'm')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'm')).sort()).toEqual([
      'filelist.f', 'montmul_runtime_w48.core', 'montmul_runtime_w48.json', 'montmul_runtime_w48.v',
      'montmul_runtime_w48_ab.v', 'montmul_runtime_w48_m.v', 'montmul_runtime_w48_mp.v', 'zkrtl_delay.v',
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'm', 'montmul_runtime_w48.json'), 'utf8')).config.rule).toMatch(/cfg_valid high in cycle c/);
  });

  it('a config design without fields', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'zkrtl.config.json'), JSON.stringify({ out: 'rtl', blocks: ['modadd'], fields: ['babybear'], designs: [{ block: 'montmul', params: [{ prime: 'runtime', width: 40 }] }] }));
    const r = zkrtl(['gen'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'rtl')).sort()).toEqual(['designs.json', 'modadd_babybear', 'montmul_runtime_w40']);
  });
});

describe('montmul prime=runtime: lint (verilator -Wall, yosys check -assert)', () => {
  for (const make of [() => runtime(64), () => runtime(2), () => runtime(32, { tile: '16x16', karatsuba: '1' }), () => runtime(130, { tile: '18x18', tree: '0', karatsuba: '2' })]) {
    const d = make();
    it(d.top, async () => {
      expect(await lintDesign(d)).toEqual([]);
    });
  }
});
