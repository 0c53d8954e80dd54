// The Verilator driver and the generic pipeline harness, on a hand-written pipelined adder
// out = (a + b) mod 2^W: equality back to back and with bubbles for every C++ port type
// (CData … VlWide), the build cache, mismatch reports with waveforms (from a traced build
// made for the mismatch), lint, and the docker command line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SimMismatchError, buildPipelineSim, cacheRoot, ensureVerilator, lintVerilog, runPipelineSim,
  tracedSimulator, verilatorInvocation,
} from '../src/sim/verilator.ts';

const LATENCY = 3;

interface AdderOptions {
  /** Registers on the data path (default LATENCY). */
  dataLatency?: number;
  /** Registers on the valid path (default: dataLatency). */
  validLatency?: number;
  /** Flip bit 0 of the result when a equals this value. */
  bugAt?: bigint;
  /** Reset the valid bits (default true). */
  resetValid?: boolean;
  /** Extra lines inside the module (to provoke lint warnings). */
  extra?: string;
}

/** A pipelined adder `name` of width W, as { 'name.v': text }. */
function adder(name: string, W: number, o: AdderOptions = {}): Record<string, string> {
  const L = o.dataLatency ?? LATENCY;
  const VL = o.validLatency ?? L;
  const regs = Array.from({ length: L }, (_, i) => `d${i}`);
  const sum = o.bugAt === undefined ? 'a + b' : `(a == ${W}'h${o.bugAt.toString(16)}) ? ((a + b) ^ ${W}'d1) : (a + b)`;
  const shift = VL === 1 ? 'in_valid' : `{v[${VL - 2}:0], in_valid}`;
  const validUpdate = o.resetValid === false ? `    v <= ${shift};` : `    if (rst) v <= ${VL}'d0;\n    else v <= ${shift};`;
  const text = `\`default_nettype none
// Test DUT: out = (a + b) mod 2^${W}, ${L} register stages; valid bits reset by rst.
module ${name} (
  input  wire         clk,
  input  wire         rst,
  input  wire         in_valid,
  input  wire [${W - 1}:0] a,
  input  wire [${W - 1}:0] b,
  output wire         out_valid,
  output wire [${W - 1}:0] out
);
  reg [${W - 1}:0] ${regs.join(', ')};
  reg [${VL - 1}:0] v;
  always @(posedge clk) begin
    d0 <= ${sum};
${regs.slice(1).map((r, i) => `    ${r} <= ${regs[i]};`).join('\n')}
  end
  always @(posedge clk) begin
${validUpdate}
  end
  assign out = ${regs[L - 1]};
  assign out_valid = v[${VL - 1}];
${o.extra ?? ''}
endmodule
\`default_nettype wire
`;
  return { [`${name}.v`]: text };
}

/** Deterministic operands (xorshift32), W bits each. */
function randomVectors(n: number, W: number, seed: number): Array<[bigint, bigint]> {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const word = () => {
    let v = 0n;
    for (let i = 0; i < W; i += 32) v = (v << 32n) | BigInt(next());
    return BigInt.asUintN(W, v);
  };
  const all1 = (1n << BigInt(W)) - 1n;
  // Edges first: zero, all ones (carry out of the top bit), then random.
  const out: Array<[bigint, bigint]> = [[0n, 0n], [all1, 1n], [all1, all1], [1n, 0n]];
  while (out.length < n) out.push([word(), word()]);
  return out;
}

const sumOf = (W: number) => ([a, b]: [bigint, bigint]) => BigInt.asUintN(W, a + b);

const progressLines: string[] = [];
const onProgress = (s: string) => progressLines.push(s);

let scratch: string;

beforeAll(async () => {
  await ensureVerilator({ log: (s) => process.stderr.write(`[verilator] ${s}\n`) });
  scratch = mkdtempSync(join(tmpdir(), 'zkrtl-verilator-test-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('pipeline harness: equality with (a + b) mod 2^W', () => {
  // CData (≤ 8), SData (≤ 16), IData (≤ 32), QData (≤ 64) and VlWide ports (200: a partial top
  // word; whole-word and wider VlWide ports run in the 254/381-bit equivalence tests).
  const widths = [1, 13, 32, 64, 200];
  const N = 3000;

  for (const W of widths) {
    it(`W = ${W}: back to back (II = 1) and with bubbles (p = 0.3)`, async () => {
      const top = `zkrtl_test_add_w${W}`;
      const binary = await buildPipelineSim({ top, files: adder(top, W), onProgress });
      const vectors = randomVectors(W === 1 ? 64 : N, W, W);
      const expected = vectors.map(sumOf(W));

      // Without expected values: the driver returns what came out.
      const plain = await runPipelineSim({ binary, latency: LATENCY, width: W, vectors });
      expect(plain.outputs).toEqual(expected);
      // One vector per cycle: only reset, drain and the pipeline tail on top of N.
      expect(plain.cycles).toBeLessThanOrEqual(vectors.length + 4 + 2 * (LATENCY + 1) + 4);

      // With expected values: the harness checks each one.
      const bubbly = await runPipelineSim({
        binary, latency: LATENCY, width: W, vectors, expected, bubbleProbability: 0.3, seed: 7,
      });
      expect(bubbly.outputs).toEqual(expected);
      expect(bubbly.cycles).toBeGreaterThan(vectors.length * 1.2);
      expect(bubbly.seconds).toBeGreaterThanOrEqual(0);

      // The bubble pattern is a function of the seed.
      const again = await runPipelineSim({
        binary, latency: LATENCY, width: W, vectors, expected, bubbleProbability: 0.3, seed: 7,
      });
      expect(again.cycles).toBe(bubbly.cycles);
    });
  }

  it('rejects operands wider than W and a width the model does not have', async () => {
    const top = 'zkrtl_test_add_w13';
    const binary = await buildPipelineSim({ top, files: adder(top, 13), onProgress });
    await expect(runPipelineSim({ binary, latency: 3, width: 13, vectors: [[1n << 13n, 0n]] })).rejects.toThrow(
      /does not fit in 13 bits/,
    );
    await expect(runPipelineSim({ binary, latency: 3, width: 20, vectors: [[1n, 2n]] })).rejects.toThrow(
      /--width 20 does not match the model/,
    );
  });
});

describe('build cache', () => {
  const saved = process.env.ZKRTL_CACHE;
  let cache: string;
  beforeAll(() => {
    cache = join(scratch, 'cache');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.ZKRTL_CACHE;
    else process.env.ZKRTL_CACHE = saved;
  });

  it('builds once, then returns the same path at once', async () => {
    process.env.ZKRTL_CACHE = cache;
    expect(cacheRoot()).toBe(cache);
    // What a killed build leaves behind (its pid is gone) is swept on the next build.
    const abandoned = join(cache, 'tmp-build-999999999-abcdef');
    mkdirSync(join(abandoned, 'obj'), { recursive: true });

    const top = 'zkrtl_test_add_cache';
    const files = adder(top, 13);
    const lines: string[] = [];
    const first = await buildPipelineSim({ top, files, onProgress: (s) => lines.push(s) });
    expect(first.startsWith(cache)).toBe(true);
    expect(existsSync(first)).toBe(true);
    expect(lines.some((l) => /building Vzkrtl_test_add_cache with Verilator/.test(l))).toBe(true);
    expect(lines.some((l) => /built Vzkrtl_test_add_cache in [\d.]+ s/.test(l))).toBe(true);
    expect(existsSync(abandoned)).toBe(false);
    // Only finished entries (named by their hash) remain.
    expect(readdirSync(cache).every((e) => /^[0-9a-f]{64}$/.test(e))).toBe(true);

    lines.length = 0;
    const t0 = performance.now();
    const second = await buildPipelineSim({ top, files, onProgress: (s) => lines.push(s) });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(second).toBe(first);
    expect(lines).toEqual([]);
  });

  it('a change to the Verilog is a different cache entry', async () => {
    // In the usual cache (afterEach restored it), so that later runs find both built.
    const top = 'zkrtl_test_add_w13';
    const files = adder(top, 13);
    const original = await buildPipelineSim({ top, files, onProgress });
    const changed = await buildPipelineSim({ top, files: { [`${top}.v`]: files[`${top}.v`]! + '// changed\n' }, onProgress });
    expect(changed).not.toBe(original);
    expect(existsSync(changed)).toBe(true);
    expect(existsSync(original)).toBe(true);
    // Same file name, different folder: <cache>/<sha256>/Vtop.
    expect(basename(changed)).toBe(basename(original));
    expect(basename(dirname(changed))).toMatch(/^[0-9a-f]{64}$/);
    expect(basename(dirname(changed))).not.toBe(basename(dirname(original)));
  });
});

describe('mismatch reports', () => {
  async function expectMismatch(
    top: string,
    W: number,
    o: AdderOptions,
    vectors: Array<[bigint, bigint]>,
    bubbleProbability = 0,
  ): Promise<SimMismatchError> {
    const binary = await buildPipelineSim({ top, files: adder(top, W, o), onProgress });
    const waveformPath = join(scratch, `${top}.vcd`);
    const err = await runPipelineSim({
      binary, latency: LATENCY, width: W, vectors, expected: vectors.map(sumOf(W)), bubbleProbability, seed: 3,
      waveformPath,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SimMismatchError);
    const m = err as SimMismatchError;
    expect(m.waveformPath).toBe(waveformPath);
    expect(existsSync(waveformPath)).toBe(true);
    expect(statSync(waveformPath).size).toBeGreaterThan(0);
    expect(m.message).toContain(`waveform: ${waveformPath}`);
    // The vectors stay next to the waveform, for the report's rerun line.
    const vectorsFile = /--vectors (\S+)/.exec(m.message)![1]!;
    expect(dirname(vectorsFile)).toBe(scratch);
    expect(existsSync(vectorsFile)).toBe(true);
    // Built without tracing, the simulator ran the mismatch again on the traced build of the
    // same sources (cached beside it), which wrote the waveform and the rerun line.
    const rerun = /^ {2}rerun: (.+)$/m.exec(m.message)![1]!.split(' ');
    const traced = rerun[0]!;
    expect(traced).not.toBe(binary);
    expect(basename(traced)).toBe(basename(binary));
    const flags = (sim: string) => (JSON.parse(readFileSync(join(dirname(sim), 'build.json'), 'utf8')) as { flags: string[] }).flags;
    expect(flags(binary)).not.toContain('--trace');
    expect(flags(traced)).toContain('--trace');
    expect(await tracedSimulator(binary)).toBe(traced);
    expect(await tracedSimulator(traced)).toBe(traced);
    // The untraced build alone reports the same mismatch, without a re-run, and says why it
    // has no waveform.
    const alone = spawnSync(binary, rerun.slice(1), { encoding: 'utf8' });
    expect(alone.status).toBe(1);
    expect(alone.stderr.split('\n')[0]).toBe(m.message.split('\n')[0]);
    expect(alone.stderr).toContain('waveform: none (built without --trace: zkrtl runs these inputs again on a traced build of the same sources)');
    expect(alone.stderr).not.toMatch(/^WAVEFORM /m);
    return m;
  }

  it('a wrong result for one input value: names the vector, inputs, expected, got and cycle', async () => {
    const W = 64;
    const bad = 0x1234_5678_9abc_def0n;
    const vectors = randomVectors(2000, W, 99);
    vectors[1500] = [bad, 5n];
    const m = await expectMismatch('zkrtl_test_add_bug', W, { bugAt: bad }, vectors, 0.3);
    expect(m.message).toMatch(/^MISMATCH at vector 1500, cycle \d+: wrong result/);
    expect(m.message).toContain(`a        = 0x${bad.toString(16)}`);
    expect(m.message).toContain('b        = 0x5');
    expect(m.message).toContain(`expected = 0x${(bad + 5n).toString(16)}`);
    expect(m.message).toContain(`got      = 0x${((bad + 5n) ^ 1n).toString(16)}`);
    const cycle = Number(/cycle (\d+):/.exec(m.message)![1]);
    const wentIn = Number(/went in at cycle (\d+)/.exec(m.message)![1]);
    expect(cycle - wentIn).toBe(LATENCY);
    // With bubbles, vector 1500 goes in well after cycle 1500.
    expect(wentIn).toBeGreaterThan(1500);
  });

  it('a pipeline one cycle too short: spurious out_valid, with a hint at the real latency', async () => {
    const m = await expectMismatch('zkrtl_test_add_short', 200, { dataLatency: LATENCY - 1 }, randomVectors(500, 200, 5));
    expect(m.message).toMatch(/^MISMATCH at vector 0, cycle \d+: out_valid high when no result was due/);
    expect(m.message).toContain(`the latency looks like ${LATENCY - 1}, not ${LATENCY}`);
  });

  it('a pipeline one cycle too long: missing out_valid, with a hint at the real latency', async () => {
    const m = await expectMismatch('zkrtl_test_add_long', 13, { dataLatency: LATENCY + 1 }, randomVectors(500, 13, 6));
    expect(m.message).toMatch(/^MISMATCH at vector 0, cycle \d+: out_valid low when the result was due/);
    expect(m.message).toContain('got      = nothing (out_valid=0)');
    expect(m.message).toContain(`the latency looks like ${LATENCY + 1}, not ${LATENCY}`);
  });

  it('valid bits not reset: out_valid from the garbage presented during reset', async () => {
    const m = await expectMismatch('zkrtl_test_add_noreset', 32, { resetValid: false }, randomVectors(100, 32, 8));
    expect(m.message).toMatch(/^MISMATCH at cycle \d+ \(no vector due\): out_valid high after reset from garbage/);
  });
});

describe('lintVerilog', () => {
  it('passes the clean adder at every width', async () => {
    for (const W of [1, 13, 64, 200]) await lintVerilog('zkrtl_test_add', adder('zkrtl_test_add', W));
  });

  it('rejects an unused signal, naming the file and the warning', async () => {
    const files = adder('zkrtl_test_add', 64, { extra: '  wire [63:0] spare = a & b;' });
    await expect(lintVerilog('zkrtl_test_add', files)).rejects.toThrow(/UNUSEDSIGNAL: zkrtl_test_add\.v:\d+:\d+: Signal is not used: 'spare'/);
  });

  it('rejects a width mismatch', async () => {
    const files = adder('zkrtl_test_add', 64, { extra: '  wire [7:0] narrow = a;\n  wire unused_ok = &narrow;' });
    await expect(lintVerilog('zkrtl_test_add', files)).rejects.toThrow(/WIDTH(TRUNC)?/);
  });
});

describe('verilator invocation', () => {
  const keys = ['ZKRTL_VERILATOR', 'VERILATOR', 'ZKRTL_CACHE', 'ZKRTL_VERILATOR_IMAGE'] as const;
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  afterEach(() => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('is the local verilator by default, or $VERILATOR', () => {
    delete process.env.ZKRTL_VERILATOR;
    delete process.env.VERILATOR;
    expect(verilatorInvocation()).toEqual({ kind: 'local', argvPrefix: ['verilator'] });
    process.env.VERILATOR = '/opt/verilator/bin/verilator';
    expect(verilatorInvocation()).toEqual({ kind: 'local', argvPrefix: ['/opt/verilator/bin/verilator'] });
  });

  it('ZKRTL_VERILATOR=docker runs the verilator/verilator image with the cwd mounted', () => {
    process.env.ZKRTL_VERILATOR = 'docker';
    const cwd = process.cwd();
    process.env.ZKRTL_CACHE = join(cwd, '.cache', 'verilator'); // inside cwd: no extra mount
    const inv = verilatorInvocation();
    expect(inv.kind).toBe('docker');
    const p = inv.argvPrefix;
    expect(p.slice(0, 3)).toEqual(['docker', 'run', '--rm']);
    expect(p.join(' ')).toContain(`-v ${cwd}:${cwd}`);
    expect(p.join(' ')).toContain(`-w ${cwd}`);
    expect(p[p.length - 1]).toBe('verilator/verilator:v5.006');
    expect(p.filter((x) => x === '-v')).toHaveLength(1);
    if (typeof process.getuid === 'function') expect(p.join(' ')).toContain(`--user ${process.getuid()}:`);

    // A cache outside the cwd is mounted too.
    process.env.ZKRTL_CACHE = '/var/tmp/zkrtl-cache';
    expect(verilatorInvocation().argvPrefix.join(' ')).toContain('-v /var/tmp/zkrtl-cache:/var/tmp/zkrtl-cache');
  });

  it('rejects an unknown ZKRTL_VERILATOR', () => {
    process.env.ZKRTL_VERILATOR = 'podman';
    expect(() => verilatorInvocation()).toThrow(/ZKRTL_VERILATOR='podman' is not understood/);
  });

  it('a missing $VERILATOR is one line saying how to fix it', async () => {
    delete process.env.ZKRTL_VERILATOR;
    process.env.VERILATOR = join(scratch, 'no-such-verilator');
    const err = await ensureVerilator().then(() => undefined, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).not.toContain('\n');
    expect(err!.message).toMatch(/apt-get install verilator/);
    expect(err!.message).toMatch(/ZKRTL_VERILATOR=docker/);
  });
});
