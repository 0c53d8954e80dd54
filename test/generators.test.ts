// Generators as pure functions: the planned datapath computes what the model says (checked
// in BigInt before any simulator runs), output is deterministic, manifests are complete,
// bad parameters are refused with one clear line.
import { describe, expect, it } from 'vitest';
import { namedField, customField } from '../src/fields/registry.ts';
import { generateBlock } from '../src/gen/index.ts';
import { designFiles } from '../src/gen/design.ts';
import { bandError, gridTiles, karatsubaTiles, planProduct, type ProductSpec } from '../src/gen/product.ts';
import { bandCut, planMontmul } from '../src/gen/montmul.ts';
import { chunksOf, csdDigits, tileTerms } from '../src/model/multiplier.ts';
import { montgomeryField, montmulStages } from '../src/model/field.ts';
import { Rng } from '../src/sim/vectors.ts';
import { UsageError } from '../src/cli/errors.ts';

const mask = (w: number) => (1n << BigInt(w)) - 1n;

describe('multiplier decomposition (model)', () => {
  it('tile partial products sum to the product for every tile shape', () => {
    const rng = new Rng(3);
    for (const [tx, ty] of [[26, 17], [17, 26], [16, 16], [18, 18], [1, 64], [64, 64], [7, 3]]) {
      for (let i = 0; i < 50; i++) {
        const [xb, yb] = [1 + rng.int(300), 1 + rng.int(300)];
        const [x, y] = [rng.bits(xb), rng.bits(yb)];
        const terms = tileTerms(x, xb, y, yb, tx, ty);
        expect(terms.length).toBe(chunksOf(xb, tx).length * chunksOf(yb, ty).length);
        expect(terms.reduce((s, t) => s + (t.value << BigInt(t.shift)), 0n)).toBe(x * y);
      }
    }
  });

  it('canonical signed digits rebuild the constant with no two adjacent non-zero digits', () => {
    const rng = new Rng(5);
    const values = [0n, 1n, 3n, 7n, namedField('goldilocks').p, namedField('bn254.fr').p, ...Array.from({ length: 200 }, () => rng.bits(1 + rng.int(400)))];
    for (const c of values) {
      const d = csdDigits(c);
      expect(d.reduce((s, x) => s + BigInt(x.sign) * (1n << BigInt(x.shift)), 0n)).toBe(c);
      for (let i = 1; i < d.length; i++) expect(d[i].shift - d[i - 1].shift).toBeGreaterThanOrEqual(2);
    }
    // Goldilocks p = 2^64 − 2^32 + 1: three digits, which is why its reduction needs no DSPs.
    expect(csdDigits(namedField('goldilocks').p).length).toBe(3);
  });
});

describe('product planner (netlist evaluated in BigInt)', () => {
  const evalOut = (plan: ReturnType<typeof planProduct>, inputs: Record<string, bigint>) => {
    const values = plan.netlist.evaluate(inputs);
    return values.get(plan.netlist.stmts[plan.netlist.stmts.length - 1].name)!;
  };

  it('variable × variable, constant (dsp and csd), truncated and with addends, any tiling and pipelining', () => {
    const rng = new Rng(9);
    for (let trial = 0; trial < 60; trial++) {
      const xBits = 2 + rng.int(200);
      const tile: [number, number] = [[26, 17], [16, 16], [18, 25], [5, 9]][trial % 4] as [number, number];
      const levelsPerStage = [1, 2, 3, Infinity][rng.int(4)];
      const variable = trial % 3 === 0;
      const yBits = 2 + rng.int(200);
      const c = trial % 6 === 1 ? (1n << BigInt(50 + rng.int(50))) - (1n << BigInt(rng.int(50))) + 1n : rng.bits(yBits) | 1n;
      const full = xBits + (variable ? yBits : c.toString(2).length);
      const outBits = rng.int(2) ? full + 1 : Math.max(1, full - rng.int(full));
      const outLo = rng.int(3) === 0 ? rng.int(outBits) : 0;
      const addends = rng.int(2) ? [{ port: 'w', bits: 1 + rng.int(100), shift: rng.int(outBits) }] : [];
      const spec: ProductSpec = {
        name: 'p', xBits, y: variable ? { bits: yBits } : { constant: c }, tile, constMode: rng.int(2) ? 'dsp' : 'csd',
        outBits, outLo, addends, levelsPerStage, lowBitsReason: 'test',
      };
      const plan = planProduct(spec);
      for (let i = 0; i < 30; i++) {
        const x = rng.bits(xBits);
        const y = variable ? rng.bits(yBits) : c;
        const w = addends.length ? rng.bits(addends[0].bits) : 0n;
        const expected = ((x * y + (addends.length ? w << BigInt(addends[0].shift) : 0n)) & mask(outBits)) >> BigInt(outLo);
        expect(evalOut(plan, { x, y, w }), JSON.stringify({ trial, x: String(x), y: String(y) })).toBe(expected);
      }
    }
  });

  it('montmul stages, as the generator plans them (Karatsuba, high band of m·p), equal the model stage by stage', () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['bn254.fr', {}], ['bls12_381.fp', {}], ['bls12_377.fp', {}], ['goldilocks', {}], ['babybear', {}], ['koalabear', {}], ['mersenne31', {}],
      ['bn254.fr', { karatsuba: '0', mp: 'full' }], ['bn254.fr', { karatsuba: '1', tile: '18x25', tree: '2' }],
      ['goldilocks', { constmul: 'dsp', mp: 'high', tile: '5x9', karatsuba: '3' }], ['babybear', { constmul: 'dsp', tile: '4x3' }],
    ];
    for (const [name, params] of cases) {
      const field = namedField(name);
      const { mf: f, plans } = planMontmul(field, params);
      const cut = plans.mp.band?.cut ?? 0;
      expect(plans.mp.band !== undefined, name).toBe(plans.mp.spec.constMode === 'dsp' && params.mp !== 'full');
      const rng = new Rng(1);
      const edges = [[0n, 0n], [f.p - 1n, f.p - 1n], [1n, f.p - 1n], [f.p - 1n, 1n]];
      for (let i = 0; i < 150; i++) {
        const [a, b] = i < edges.length ? edges[i] : [rng.below(f.p), rng.below(f.p)];
        const s = montmulStages(f, a, b);
        const label = `${name} ${JSON.stringify(params)} a=${a} b=${b}`;
        expect(evalOut(plans.ab, { x: a, y: b }), label).toBe(s.T);
        expect(evalOut(plans.m, { x: s.tLo }), label).toBe(s.m);
        const side: Record<string, bigint> = cut > 0 ? { t_lo_band: s.tLo >> BigInt(cut) } : { t_lo_nz: s.carry };
        expect(evalOut(plans.mp, { x: s.m, t_hi: s.tHi, ...side }), label).toBe(s.u);
      }
    }
  });

  it('Karatsuba: fewer tiles than the grid where it pays, and the manifest says how many adders it adds', () => {
    expect(karatsubaTiles(254, 0, [26, 17])).toBe(150);
    expect(karatsubaTiles(254, 2, [26, 17])).toBe(108);
    expect(karatsubaTiles(381, 3, [26, 17])).toBeLessThanOrEqual(162);
    const m = generateBlock('montmul', namedField('bn254.fr'), { karatsuba: '2' }).manifest as any;
    expect(m.stages.ab).toMatchObject({ tiles: 108, karatsuba: { levels: 2, leaves: 9, preAdders: 8, recombinationAdders: 12 } });
    // auto: the smallest device share; 2 levels at 254 bits, 3 at 381, none at 64 and 31.
    const levels = (name: string) => (generateBlock('montmul', namedField(name), {}).manifest as any).stages.ab.karatsuba?.levels ?? 0;
    expect(['bn254.fr', 'bls12_381.fp', 'goldilocks', 'babybear'].map(levels)).toEqual([2, 3, 0, 0]);
    for (const name of ['bn254.fr', 'bls12_381.fp', 'goldilocks', 'babybear']) {
      const f = namedField(name);
      const auto = generateBlock('montmul', f, {}).manifest as any;
      const grid = generateBlock('montmul', f, { karatsuba: '0' }).manifest as any;
      expect(auto.stages.ab.tiles, name).toBeLessThanOrEqual(grid.stages.ab.tiles);
    }
    expect((generateBlock('montmul', namedField('mersenne31'), { tile: '64x64' }).manifest as any).stages.ab.karatsuba).toBeUndefined();
  });

  it('Karatsuba plans equal x·y at every width, tile shape, depth and pipelining (netlist in BigInt)', () => {
    const rng = new Rng(11);
    let plans = 0;
    for (let W = 4; W <= 90; W += 3) {
      for (const tile of [[3, 5], [4, 4], [26, 17], [2, 2], [7, 1]] as Array<[number, number]>) {
        for (const levels of [1, 2, 3, 4]) {
          if (karatsubaTiles(W, levels, tile) === Infinity) continue;
          const levelsPerStage = [1, 2, Infinity][(W + levels) % 3];
          const plan = planProduct({ name: 'k', xBits: W, y: { bits: W }, tile, constMode: 'dsp', outBits: 2 * W, outLo: 0, addends: [], levelsPerStage, karatsuba: levels });
          plans++;
          for (let i = 0; i < 6; i++) {
            const x = i === 0 ? mask(W) : rng.bits(W);
            const y = i <= 1 ? mask(W) : rng.bits(W);
            expect(evalOut(plan, { x, y }), `W=${W} tile=${tile} L=${levels}`).toBe(x * y);
          }
        }
      }
    }
    expect(plans).toBeGreaterThan(300);
  });

  it('the high band of m·p leaves out the tiles below the cut and keeps the error within 2^(k−1)', () => {
    for (const name of ['bn254.fr', 'bls12_381.fp']) {
      const field = namedField(name);
      const f = montgomeryField(field.p);
      const cut = bandCut(f, [26, 17]);
      const tiles = gridTiles(f.k, { constant: f.p }, [26, 17], f.k + f.bits + 1);
      expect(bandError(tiles, cut, f.k) <= 1n << BigInt(f.k - 1), name).toBe(true);
      expect(bandError(tiles, cut + 1, f.k) > 1n << BigInt(f.k - 1), name).toBe(true);
      const high = generateBlock('montmul', field, {}).manifest as any;
      const full = generateBlock('montmul', field, { mp: 'full' }).manifest as any;
      expect(high.stages.mp.band.cut).toBe(cut);
      expect(high.stages.mp.tiles + high.stages.mp.band.droppedTiles).toBe(full.stages.mp.tiles);
      expect(high.stages.mp.band.droppedTiles).toBeGreaterThan(30);
    }
  });
});

describe('generated designs', () => {
  it('are byte-identical when generated twice', () => {
    for (const block of ['modadd', 'modsub', 'montmul']) {
      const a = designFiles(generateBlock(block, namedField('bn254.fr'), block === 'montmul' ? { tile: '26x17' } : {}));
      const b = designFiles(generateBlock(block, namedField('bn254.fr'), block === 'montmul' ? { tile: '26x17' } : {}));
      expect([...a.entries()]).toEqual([...b.entries()]);
    }
  });

  it('write the block contract: manifest, ports, files in dependency order, filelist', () => {
    const d = generateBlock('montmul', namedField('bn254.fr'), {});
    expect(d.top).toBe('montmul_bn254_fr');
    const files = designFiles(d);
    expect([...files.keys()]).toEqual([
      'zkrtl_delay.v', 'montmul_bn254_fr_ab.v', 'montmul_bn254_fr_m.v', 'montmul_bn254_fr_mp.v', 'montmul_bn254_fr.v',
      'montmul_bn254_fr.json', 'filelist.f', 'montmul_bn254_fr.core',
    ]);
    const m = JSON.parse(files.get('montmul_bn254_fr.json')!);
    expect(m).toMatchObject({
      module: 'montmul_bn254_fr', block: 'montmul', generator: 'zkrtl 0.1.0', ii: 1,
      field: { name: 'bn254.fr', p: '0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001', bits: 254 },
      montgomery: { R: `0x${(1n << 254n).toString(16)}`, k: 254 },
    });
    expect(m.files).toEqual([...files.keys()].filter((f) => f.endsWith('.v')));
    expect(files.get('filelist.f')).toBe(m.files.join('\n') + '\n');
    expect(m.ports.map((p: { name: string; width: number }) => `${p.name}:${p.width}`)).toEqual([
      'clk:1', 'rst:1', 'in_valid:1', 'a:254', 'b:254', 'out_valid:1', 'out:254',
    ]);
    expect(m.latency).toBe(m.stages.ab.latency + m.stages.m.latency + m.stages.mp.latency + 1);
    // The floor: a 254-bit montmul within three 254-bit products' worth of 26x17 tiles.
    expect(m.multiplierTiles).toBeLessThanOrEqual(450);
    for (const v of d.modules) {
      expect(v.text).toContain('`default_nettype none');
      expect(v.text).toMatch(new RegExp(`module ${v.name} `));
      // Plain ASCII: some tools choke on anything else.
      expect(/^[\x09\x0a\x20-\x7e]*$/.test(v.text), v.name).toBe(true);
    }
  });

  it('sparse primes build their reduction without DSP tiles (constmul=auto)', () => {
    for (const name of ['goldilocks', 'babybear', 'koalabear', 'mersenne31']) {
      const m = generateBlock('montmul', namedField(name), {}).manifest as any;
      expect(m.stages.m.tiles + m.stages.mp.tiles, name).toBe(0);
    }
    const dsp = generateBlock('montmul', namedField('goldilocks'), { constmul: 'dsp' }).manifest as any;
    expect(dsp.stages.mp.tiles).toBeGreaterThan(0);
    expect(dsp.module).toBe('montmul_goldilocks_dsp');
  });

  it('pipelining parameters trade latency, and depth= picks the most pipelined tree that fits', () => {
    const f = namedField('bn254.fr');
    const l1 = generateBlock('montmul', f, {}).manifest.latency!;
    const l2 = generateBlock('montmul', f, { tree: '2' }).manifest.latency!;
    const l0 = generateBlock('montmul', f, { tree: '0' }).manifest.latency!;
    expect(l1).toBeGreaterThan(l2);
    expect(l2).toBeGreaterThan(l0);
    const d = generateBlock('montmul', f, { depth: String(l2) });
    expect(d.manifest.latency!).toBeLessThanOrEqual(l2);
    expect(d.top).toBe(`montmul_bn254_fr_d${l2}`);
    expect(() => generateBlock('montmul', f, { depth: String(l0 - 1) })).toThrow(/depth=\d+ is below the minimum latency/);
  });

  it('custom primes up to 768 bits and more generate', () => {
    const p = customField('0xEDBCBAF0A2AA61944535F448998AD86EED5660366812377CDC7B779F0E14DE5E58C2D2F6ED0A140EF1226BC20BB5CBF0DE6F2F64A72A874BB9540252E7D4148C9D6C18A4899AE5482BCC52CC7492CF88FFFC0A84DAAAE0F6EB5767018B605B53');
    const d = generateBlock('montmul', p, { tile: '16x16' });
    expect(d.top).toMatch(/^montmul_p768_[0-9a-f]{8}_t16x16$/);
    expect(d.manifest.field!.bits).toBe(768);
  });

  it('refuses bad parameters with one line naming the value and what is accepted', () => {
    const f = namedField('goldilocks');
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['montmul', { tile: '0x17' }, /tile=0x17 is not accepted: give AxB with A and B from 1 to 64/],
      ['montmul', { tile: '65x17' }, /tile=65x17 is not accepted/],
      ['montmul', { tile: 'big' }, /tile=big is not accepted/],
      ['montmul', { depth: '-1' }, /depth=-1 is not accepted/],
      ['montmul', { tree: '-2' }, /tree=-2 is not accepted/],
      ['montmul', { constmul: 'lut' }, /constmul=lut is not accepted: give one of auto, dsp, csd/],
      ['montmul', { rbits: '10' }, /rbits=10 is not accepted/],
      ['montmul', { karatsuba: '5' }, /karatsuba=5 is not accepted/],
      ['montmul', { karatsuba: 'two' }, /karatsuba=two is not accepted/],
      ['montmul', { mp: 'low' }, /mp=low is not accepted: give one of auto, full, high/],
      ['montmul', { tree: '1', depth: '9' }, /either tree= or depth=/],
      ['montmul', { wibble: '1' }, /unknown parameter 'wibble' for montmul: accepted are tile/],
      ['modadd', { tile: '26x17' }, /unknown parameter 'tile' for modadd: accepted are none/],
      ['mont', {}, /unknown block 'mont': accepted are modadd, modsub, montmul/],
    ];
    for (const [block, params, message] of cases) {
      let err: unknown;
      try {
        generateBlock(block, f, params);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(params)).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('parameter tables (what --help prints) agree with the parsers', () => {
  it('every documented literal default is accepted and gives the design the generator builds without it', async () => {
    const { BLOCKS } = await import('../src/gen/index.ts');
    const { TOY_CURVES } = await import('./support/curves.ts');
    const checked: string[] = [];
    for (const b of BLOCKS) {
      const subject = b.usesCurve ? TOY_CURVES[0]!.curve : b.usesField === false ? undefined : namedField('babybear');
      // msm chooses c by sampling its schedule: give it a small size so the default is cheap.
      const fixed: Record<string, string> = b.name === 'msm' ? { points: '64' } : b.name === 'ntt' ? { n: '64' } : {};
      const plain = designFiles(generateBlock(b.name, subject, fixed));
      for (const p of b.params) {
        // Defaults that are a value (not a rule like 'bitlength(p)' or prose) must be the parser's default.
        if (!/^[\w.]+$/.test(p.default) || p.name in fixed) continue;
        const explicit = designFiles(generateBlock(b.name, subject, { ...fixed, [p.name]: p.default }));
        const strip = (files: Map<string, string>) => [...files].filter(([f]) => f.endsWith('.v')).map(([f, t]) => [f, t.replace(/^\/\/.*$/gm, '')]);
        expect(strip(explicit), `${b.name} ${p.name}=${p.default}`).toEqual(strip(plain));
        checked.push(`${b.name}.${p.name}`);
      }
    }
    expect(checked.length).toBeGreaterThan(15);
  }, 60_000);
});

describe('README documents every parameter', () => {
  it('each block parameter appears in README.md as `name` or `name=…`', async () => {
    const { readFileSync } = await import('node:fs');
    const { BLOCKS } = await import('../src/gen/index.ts');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = BLOCKS.flatMap((b) => b.params.filter((p) => !readme.includes(`\`${p.name}\``) && !readme.includes(`\`${p.name}=`)).map((p) => `${b.name}.${p.name}`));
    expect(missing).toEqual([]);
  });
});
