// e2e.sat: the whole generated montmul Verilog, read by Yosys, is a·b·R⁻¹ mod p for every
// pair of canonical inputs (toy primes), and a design broken in its text is caught with a
// counterexample that BigInt confirms. Only the top module's name is used; mutations find their
// target by the shape of the text, and fail loudly when the generator's text changes shape.
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { customField } from '../src/fields/registry.ts';
import { generateBlock } from '../src/gen/index.ts';
import type { GeneratedDesign } from '../src/gen/design.ts';
import { LemmaFailure } from '../src/prove/lemma.ts';
import {
  analysePipeline, endToEndSetup, proveEndToEnd, type EndToEndInfo, type EndToEndOptions,
} from '../src/prove/end-to-end.ts';

const montmul = (prime: string, params: Record<string, string> = {}) => generateBlock('montmul', customField(prime), params);

const waveDir = mkdtempSync(join(tmpdir(), 'zkrtl-e2e-'));
afterAll(() => rmSync(waveDir, { recursive: true, force: true }));

/** check() of the lemma; resolves with how it went (the way, the engine, the times). */
async function check(design: GeneratedDesign, opts: EndToEndOptions = {}): Promise<EndToEndInfo> {
  let info: EndToEndInfo | undefined;
  const lemma = await proveEndToEnd(design, { ...opts, onInfo: (i) => { info = i; } });
  await lemma.check();
  return info!;
}

/** check() must fail with a LemmaFailure; returns its message. */
async function refuted(design: GeneratedDesign, opts: EndToEndOptions = {}): Promise<string> {
  const lemma = await proveEndToEnd(design, opts);
  const e = await Promise.resolve(lemma.check()).then(() => undefined, (x: unknown) => x);
  expect(e, `${design.top} was proved`).toBeInstanceOf(LemmaFailure);
  return (e as Error).message;
}

/** A copy of the design with one module's text edited; the edit must apply exactly once. */
function mutate(design: GeneratedDesign, pick: (name: string) => boolean, pattern: RegExp, replace: (...m: string[]) => string): GeneratedDesign {
  let hits = 0;
  const modules = design.modules.map((m) => {
    if (hits > 0 || !pick(m.name) || !pattern.test(m.text)) return m;
    hits++;
    return { ...m, text: m.text.replace(pattern, replace as (s: string, ...a: unknown[]) => string) };
  });
  expect(hits, `no module of ${design.top} matches ${pattern}: the generator's text changed shape`).toBe(1);
  return { ...design, modules };
}

/** a, b and the two outputs of a counterexample, out of a failure message. */
function counterexample(message: string): { a: bigint; b: bigint; out: bigint; expected: bigint } {
  const m = /a = (\d+), b = (\d+) give out = (\d+) \d+ cycles later, expected (\d+)/.exec(message)
    ?? /a = (\d+), b = (\d+), in_valid = 1 at cycle 1; at cycle \d+: out = (\d+), out_valid = 1; expected out = (\d+)/.exec(message);
  expect(m, message).not.toBeNull();
  return { a: BigInt(m![1]), b: BigInt(m![2]), out: BigInt(m![3]), expected: BigInt(m![4]) };
}

describe('e2e.sat proves generated montmuls', () => {
  const cases: [string, Record<string, string>][] = [
    ['251', {}],
    ['251', { tile: '3x3', constmul: 'dsp' }],
    ['1021', { tile: '4x3' }],
    ['97', { rbits: '9' }],
  ];
  for (const [prime, params] of cases) {
    it(`p = ${prime}, ${JSON.stringify(params)}`, async () => {
      const info = await check(montmul(prime, params));
      // Every pair a, b < p evaluated.
      expect(info).toMatchObject({ way: 'balanced', engine: 'exhaustive', pairs: Number(prime) ** 2 });
    });
  }

  it('by SAT alone where the product is one tile (p = 251 default), and with the % reference for a 5-bit prime', async () => {
    expect(await check(montmul('251'), { engine: 'sat' })).toMatchObject({ way: 'balanced', engine: 'sat' });
    expect(await check(montmul('31', { tile: '2x2' }), { engine: 'sat', spec: 'modulo' })).toMatchObject({ way: 'balanced', engine: 'sat' });
  });

  it('the direct way (whole design unrolled from free registers) proves a small one', async () => {
    expect(await check(montmul('13', { tile: '2x2' }), { method: 'direct' })).toMatchObject({ way: 'direct' });
  });

  it('the analysis sees a balanced pipeline of the manifest latency, fed by a and b only', () => {
    // Hand-built netlists: out = a & b, a through two registers, b through `bRegs`, then one more.
    const dff = (d: number, q: number) => ({ type: '$_DFF_P_', port_directions: { C: 'input', D: 'input', Q: 'output' }, connections: { C: [2], D: [d], Q: [q] } });
    const and = (a: number, b: number, y: number) => ({ type: '$_AND_', port_directions: { A: 'input', B: 'input', Y: 'output' }, connections: { A: [a], B: [b], Y: [y] } });
    const ports = { clk: { direction: 'input', bits: [2] }, a: { direction: 'input', bits: [3] }, b: { direction: 'input', bits: [4] }, out: { direction: 'output', bits: [13] } };
    const netlist = (bRegs: number) => ({
      modules: {
        t: {
          ports,
          cells: {
            r0: dff(3, 20), r1: dff(20, 10),
            ...Object.fromEntries(Array.from({ length: bRegs }, (_, i) => [`b${i}`, dff(i === 0 ? 4 : 30 + i - 1, i === bRegs - 1 ? 11 : 30 + i)])),
            g: and(10, 11, 12), ro: dff(12, 13),
          },
        },
      },
    }) as never;
    expect(analysePipeline(netlist(2), 't', 3)).toMatchObject({ balanced: true, registers: 5 });
    expect(analysePipeline(netlist(1), 't', 3).reason).toMatch(/of 2, 3 cycles before/);
    expect(analysePipeline(netlist(2), 't', 4).reason).toMatch(/not exactly 4/);
    // An accumulator: out = r, r <= r & a.
    const loop = { modules: { t: { ports, cells: { g: and(13, 3, 12), ro: dff(12, 13) } } } } as never;
    expect(analysePipeline(loop, 't', 1).reason).toMatch(/loop/);
  });
});

describe('e2e.sat refutes broken Verilog with a counterexample', () => {
  const base = montmul('61', { tile: '3x3', constmul: 'dsp' });
  const s = endToEndSetup(base);
  const isTop = (n: string) => n === base.top;
  const notTop = (n: string) => n !== base.top;
  const confirm = (message: string) => {
    const cx = counterexample(message);
    expect(cx.a < s.p && cx.b < s.p, message).toBe(true);
    expect(cx.expected).toBe((cx.a * cx.b * s.rInv) % s.p);
    expect(cx.out).not.toBe(cx.expected);
    return cx;
  };

  it('the final subtraction constant off by one, with the waveform of the counterexample', async () => {
    const broken = mutate(base, isTop, /localparam \[(\d+):0\] P = (\d+)'h([0-9a-f]+);/, (_m, hi, w, hex) =>
      `localparam [${hi}:0] P = ${w}'h${(BigInt(`0x${hex}`) - 1n).toString(16)};`);
    const message = await refuted(broken, { waveformDir: waveDir });
    confirm(message);
    const vcd = /waveform: (\S+\.vcd)/.exec(message)?.[1];
    expect(vcd, message).toBeDefined();
    expect(existsSync(vcd!)).toBe(true);
  });

  it('one bit of a constant tile of a product flipped', async () => {
    const broken = mutate(base, notTop, /\{(\d+)'d0, (\d+)'h([0-9a-f]+)\}\)/, (_m, z, w, hex) =>
      `{${z}'d0, ${w}'h${(BigInt(`0x${hex}`) ^ 1n).toString(16)}})`);
    confirm(await refuted(broken));
  });

  it('one term of an adder left out', async () => {
    const broken = mutate(base, notTop, /(s1_0 = \{\()([^()+]+?) \+ [^()]+?(\), )/, (_m, pre, first, post) => `${pre}${first}${post}`);
    confirm(await refuted(broken));
  });

  it('out_valid one cycle early', async () => {
    const broken = mutate(base, isTop, /assign out_valid = valid_sr\[(\d+)\]/, (_m, i) => `assign out_valid = valid_sr[${Number(i) - 1}]`);
    const message = await refuted(broken, { waveformDir: waveDir });
    expect(message).toMatch(/out_valid = ([01]) where in_valid and rst of the \d+ cycles before give (?!\1)[01] \(in_valid high at cycle/);
    expect(existsSync(/waveform: (\S+\.vcd)/.exec(message)?.[1] ?? '')).toBe(true);
  });

  it('a manifest latency that is not the pipeline\'s: the direct way finds the mismatch', async () => {
    const small = montmul('13', { tile: '2x2' });
    const wrong = { ...small, manifest: { ...small.manifest, latency: small.manifest.latency! + 1 } };
    let info: EndToEndInfo | undefined;
    const message = await refuted(wrong, { onInfo: (i) => { info = i; } });
    expect(info).toMatchObject({ way: 'direct' });
    expect(info!.reason).toMatch(/not exactly/);
    expect(message).toMatch(/at cycle \d+: out = \d+/);
  });

  it('by SAT too (engine sat), and the exhaustive engine agrees on the same break', async () => {
    const broken = mutate(base, notTop, /\{(\d+)'d0, (\d+)'h([0-9a-f]+)\}\)/, (_m, z, w, hex) =>
      `{${z}'d0, ${w}'h${(BigInt(`0x${hex}`) ^ 1n).toString(16)}})`);
    confirm(await refuted(broken, { engine: 'sat' }));
  });
});

describe('e2e.sat refuses what it cannot prove', () => {
  it('primes wider than 12 bits', async () => {
    await expect(proveEndToEnd(montmul('8191'))).rejects.toThrow(/13 bits wide.*up to 12 bits/);
  });

  it('blocks other than montmul', async () => {
    await expect(proveEndToEnd(generateBlock('modadd', customField('251')))).rejects.toThrow(/montmul designs only/);
  });
});
