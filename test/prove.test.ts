// zkrtl prove: every lemma of a generated montmul holds, and a broken multiplier fails the
// lemma that names what is broken (a wrong constant, a needed tile left out, an adder one bit
// too narrow, a band cut one bit too high).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { customField, namedField } from '../src/fields/registry.ts';
import { planMontmul, type MontmulPlans } from '../src/gen/montmul.ts';
import type { Expr } from '../src/gen/netlist.ts';
import { planProduct, type ProductPlan } from '../src/gen/product.ts';
import { runLemmas, type LemmaResult } from '../src/prove/lemma.ts';
import { shutdownZ3 } from '../src/prove/z3.ts';
import { configMontmuls, montmulLemmas } from '../src/prove/montmul.ts';
import { loadConfig } from '../src/config.ts';

afterAll(() => shutdownZ3());

const notProved = (rs: LemmaResult[]) => rs.filter((r) => r.verdict !== 'proved').map((r) => `${r.name}: ${r.detail}`);

describe('zkrtl prove montmul: every lemma holds', () => {
  it('for every montmul the default config emits (its own, and those inside butterflies, NTTs, adders, MSMs)', async () => {
    const targets = configMontmuls(loadConfig());
    expect(targets.map((t) => t.top)).toEqual(expect.arrayContaining(['montmul_bn254_fr', 'montmul_bls12_381_fp', 'montmul_bls12_377_fp', 'montmul_goldilocks', 'montmul_koalabear']));
    for (const t of targets) {
      const rs = await runLemmas(montmulLemmas(t.field, t.params));
      expect(notProved(rs), t.top).toEqual([]);
      // The wide ones use the high band, so it is that lemma that holds for them.
      if (t.field.bits > 64) expect(rs.map((r) => r.name), t.top).toContain('redc.band');
    }
  });

  it('a toy prime, default parameters and small tiles with Karatsuba and the high band, end to end by SAT too', async () => {
    for (const params of [{}, { tile: '3x4', constmul: 'dsp', karatsuba: '2', mp: 'high' }] as Array<Record<string, string>>) {
      const rs = await runLemmas(montmulLemmas(customField('1021'), params, { endToEnd: true }));
      expect(notProved(rs), JSON.stringify(params)).toEqual([]);
      expect(rs.map((r) => r.name)).toContain('e2e.sat');
      expect(rs.map((r) => r.name)).toContain(params.mp === 'high' ? 'redc.band' : 'redc.carry');
    }
  });

  it('goldilocks and babybear (shift-and-add reductions), and a 128-bit prime with Karatsuba and the band', async () => {
    for (const [f, params] of [[namedField('goldilocks'), {}], [namedField('babybear'), {}], [customField('0xb8c5a3e1f0d27c946a1358e2f0b7c9f7'), { tile: '16x16', karatsuba: '3', mp: 'high' }]] as const) {
      const rs = await runLemmas(montmulLemmas(f, params));
      expect(notProved(rs), f.name).toEqual([]);
    }
  });
});

describe('zkrtl prove montmul: broken multipliers fail the right lemma', () => {
  const field = customField('0xb8c5a3e1f0d27c946a1358e2f0b7c9f7');
  const params = { tile: '16x16', mp: 'high' };
  const fresh = (): MontmulPlans => planMontmul(field, params).plans;
  const failing = async (plans: MontmulPlans) => {
    const rs = await runLemmas(montmulLemmas(field, params, { plans }));
    return rs.filter((r) => r.verdict !== 'proved');
  };
  /** A copy of a plan whose statement `name` gets a new expression. */
  const edit = (pl: ProductPlan, name: string, f: (e: Expr, width: number) => Expr): ProductPlan => {
    const net = Object.create(Object.getPrototypeOf(pl.netlist));
    Object.assign(net, pl.netlist);
    Object.defineProperty(net, 'stmts', { value: pl.netlist.stmts.map((st) => (st.name === name ? { ...st, expr: f(st.expr, st.width) } : st)) });
    return { ...pl, netlist: net };
  };

  it('a wrong constant in the m stage (p′ with one bit flipped in one tile): m.product', async () => {
    const plans = fresh();
    const tile = plans.m.netlist.stmts.find((s) => s.expr.k === 'mul' && s.expr.b.k === 'const')!;
    plans.m = edit(plans.m, tile.name, (e) => (e.k === 'mul' && e.b.k === 'const' ? { ...e, b: { ...e.b, value: e.b.value ^ 2n } } : e));
    const bad = await failing(plans);
    expect(bad.map((r) => r.name)).toEqual(['m.product']);
    expect(bad[0].detail).toMatch(/pp_|x\[/);
  });

  it('an adder one bit too narrow in a·b: ab.product names the adder', async () => {
    const plans = fresh();
    const adder = plans.ab.netlist.stmts.find((s) => s.kind === 'wire' && s.expr.k === 'concat' && s.expr.parts.some((p) => p.k === 'add'))!;
    plans.ab = edit(plans.ab, adder.name, (e) => {
      if (e.k !== 'concat') return e;
      return { ...e, parts: e.parts.map((p) => (p.k === 'add' ? { ...p, width: p.width - 1 } : p)), width: e.width - 1 };
    });
    const bad = await failing(plans);
    expect(bad.map((r) => r.name)).toEqual(['ab.product']);
  });

  it('a kept tile of m·p that straddles the cut, one bit narrower than the band lemma counts: mp.tiles', async () => {
    const plans = fresh();
    const cut = plans.mp.band!.cut;
    const straddler = plans.mp.netlist.stmts.find((s) => /^pp_/.test(s.name) && s.expr.k === 'mul' && s.unusedLowBits)!;
    expect(straddler, `a tile truncated below bit ${cut}`).toBeDefined();
    const narrowed = edit(plans.mp, straddler.name, (e) => ({ ...e, width: e.width - 1 }));
    const st = narrowed.netlist.stmts.find((s) => s.name === straddler.name)!;
    st.width -= 1;
    plans.mp = narrowed;
    const bad = await failing(plans);
    expect(bad.map((r) => r.name)).toEqual(['mp.tiles']);
    expect(bad[0].detail).toContain(straddler.name);
  });

  it('a needed tile of m·p left out: mp.tiles; a band cut 3 bits higher than the planner chose: redc.band', async () => {
    const plans = fresh();
    const kept = plans.mp.netlist.stmts.filter((s) => /^pp_/.test(s.name) && s.expr.k === 'mul');
    const victim = kept[kept.length - 1];
    plans.mp = edit(plans.mp, victim.name, (_e, w) => ({ k: "zero", width: w }));
    const bad = await failing(plans);
    expect(bad.map((r) => r.name)).toContain('mp.tiles');

    // A cut a few bits above the planner's (whose bound is worst-case, so one bit more may
    // still hold): z3 refutes it quickly at 64 bits (at 128 and more it takes minutes).
    const gl = namedField('goldilocks');
    const glParams = { constmul: 'dsp', mp: 'high', tile: '16x16' };
    const cutHigh = planMontmul(gl, glParams).plans;
    const spec = { ...cutHigh.mp.spec, cut: cutHigh.mp.spec.cut! + 3 };
    spec.addends = spec.addends.map((a) => (a.port === 't_lo_band' ? { ...a, bits: a.bits - 3, shift: a.shift + 3 } : a));
    // The netlist, the tile list and the band lemma all follow the higher cut: the bound breaks.
    cutHigh.mp = planProduct(spec);
    const bad2 = (await runLemmas(montmulLemmas(gl, glParams, { plans: cutHigh }))).filter((r) => r.verdict !== 'proved');
    // (rtl.wiring fails too: the generator's template still routes the planner's band of T.)
    expect(bad2.map((r) => r.name)).toEqual(['redc.band', 'rtl.wiring']);
    expect(bad2[0].detail).toMatch(/T|m/);
  });
});

describe('zkrtl prove (command line)', () => {
  const zkrtl = join(import.meta.dirname, '..', 'bin', 'zkrtl.mjs');
  it('prints a verdict and a time per lemma, and a summary', () => {
    const r = spawnSync(process.execPath, [zkrtl, 'prove', 'montmul', '--prime', '251', '--end-to-end'], { encoding: 'utf8' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^proved +montmul_p8_\w+ ab\.product +symbolic +\d+ ms/m);
    expect(r.stdout).toMatch(/^proved +montmul_p8_\w+ e2e\.sat +yosys-sat\+exhaustive/m);
    expect(r.stdout).toMatch(/(\d+) of \1 lemmas proved for 1 design\(s\)/);
  });

  it('bad input: one line, exit 2', () => {
    for (const [args, msg] of [
      [['prove', 'modadd', '--prime', '251'], /zkrtl prove knows montmul and modmul, not 'modadd'/],
      [['prove', 'modmul', '--prime', '251', '--end-to-end'], /--end-to-end proves montmuls: leave it out for modmul/],
      [['prove', 'modmul', '--field', 'goldilocks', '--param', 'reduce=mersenne'], /reduce=mersenne does not fit goldilocks/],
      [['prove', 'montmul', '--field', 'bn254.fr', '--end-to-end'], /--end-to-end proves primes up to 12 bits/],
      [['prove', 'montmul', '--prime', '251', '--timeout', '0'], /--timeout 0 is not accepted/],
      [['prove', 'montmul', '--prime', '251', '--timeout', '1e-9'], /--timeout 1e-9 is not accepted/],
      [['prove', 'montmul', '--prime', '251', '--waveforms', '/tmp/w'], /--waveforms is where --end-to-end writes/],
      [['prove', 'montmul', '--prime', '251', '--config', 'zkrtl.config.json'], /--config is for zkrtl prove without a block/],
      [['prove', 'montmul', '--prime', '251', '--param', 'mp=low'], /mp=low is not accepted/],
    ] as const) {
      const r = spawnSync(process.execPath, [zkrtl, ...args], { encoding: 'utf8' });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
