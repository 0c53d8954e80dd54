// The symbolic evaluator proves what a netlist computes — the exact polynomial over bit fields
// of the inputs — and names the first wrong term or the truncating adder when it does not.
// Sound: on random netlists every claimed polynomial (and bound) holds for random inputs.
// Complete enough: every product the planner builds (grid, constant, CSD, truncated, with
// addends, cut outputs, Karatsuba) is proved against x·y (+ addends) from the inputs' atoms.
// Sharp: a deleted tile, a wrong shift, an adder one bit short, a wrong constant all fail, and
// each of those mutants is shown to be really wrong by evaluating it.
import { describe, expect, it } from 'vitest';
import { Netlist, binary, concat, sig, slice, type Expr } from '../src/gen/netlist.ts';
import { planProduct, type ProductSpec } from '../src/gen/product.ts';
import { Poly, SymbolicEvaluator, SymbolicFailure, proveProduct, samePoly, symbolicValue } from '../src/prove/symbolic.ts';
import { Rng } from '../src/base/rng.ts';

const mask = (w: number) => (1n << BigInt(w)) - 1n;
const outName = (net: Netlist) => net.stmts[net.stmts.length - 1].name;

const spec = (o: Partial<ProductSpec>): ProductSpec => ({
  name: 'p', xBits: 64, y: { bits: 64 }, tile: [26, 17], constMode: 'dsp', outBits: 128, outLo: 0, addends: [], levelsPerStage: 1, lowBitsReason: 'test', ...o,
} as ProductSpec);

/** x·y (or x·c) + Σ addend·2^shift (+ offset), over the inputs' atoms. */
function target(s: ProductSpec): Poly {
  let t = 'bits' in s.y ? Poly.input('x', s.xBits).mul(Poly.input('y', s.y.bits)) : Poly.input('x', s.xBits).scale(s.y.constant);
  for (const a of s.addends) t = t.add(Poly.input(a.port, a.bits).shl(a.shift));
  if (s.offset) t = t.add(Poly.constant(s.offset));
  return t;
}

/** Random input values for a plan, extremes first (all ones, then zero). */
function inputsFor(net: Netlist, rng: Rng, i: number): Record<string, bigint> {
  return Object.fromEntries(net.inputs.map((p) => [p.name, i === 0 ? mask(p.width) : i === 1 ? 0n : i % 3 === 2 ? mask(p.width) - rng.bits(p.width >> 1) : rng.bits(p.width)]));
}

/** Does the netlist's output differ from bits [outLo, outBits) of the target for some input? */
function counterexample(net: Netlist, s: ProductSpec, tries = 300): boolean {
  const rng = new Rng(17);
  const t = target(s);
  for (let i = 0; i < tries; i++) {
    const inp = inputsFor(net, rng, i);
    const want = (t.evaluate((n) => inp[n]) & mask(s.outBits)) >> BigInt(s.outLo);
    if (net.evaluate(inp).get(outName(net)) !== want) return true;
  }
  return false;
}

const prove = (net: Netlist, s: ProductSpec) => proveProduct(net, outName(net), target(s), s.outBits, { outLo: s.outLo });

function failure(f: () => void): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SymbolicFailure);
    return (e as Error).message;
  }
  throw new Error('expected the proof to fail');
}

function mapExpr(e: Expr, f: (e: Expr) => Expr | null): Expr {
  const r = f(e);
  if (r) return r;
  switch (e.k) {
    case 'concat': {
      const parts = e.parts.map((p) => mapExpr(p, f));
      return { ...e, parts, width: parts.reduce((s, p) => s + p.width, 0) };
    }
    case 'add':
    case 'sub':
    case 'mul':
      return { ...e, a: mapExpr(e.a, f), b: mapExpr(e.b, f) };
    case 'neg':
      return { ...e, a: mapExpr(e.a, f) };
    default:
      return e;
  }
}

const hasOp = (e: Expr, k: Expr['k']): boolean =>
  e.k === k || (e.k === 'concat' ? e.parts.some((p) => hasOp(p, k)) : 'a' in e ? hasOp(e.a, k) || ('b' in e && hasOp(e.b, k)) : false);

describe('symbolic rules', () => {
  it('the adder-tree step concat(add(a[top:d], b), a[d-1:0]) is exactly a + b·2^d, with a a product', () => {
    const net = new Netlist();
    const p = net.input('p', 20);
    const q = net.input('q', 15);
    const r = net.input('r', 30);
    const a = net.wire('a', binary('mul', p, q, 35));
    const d = 12;
    net.wire('s', concat(binary('add', slice(a, 34, d), r, 31), slice(a, d - 1, 0)));
    const shallow = symbolicValue(net, 's', { flatten: false });
    expect(shallow.modBits).toBe(Infinity);
    expect(samePoly(shallow.poly, Poly.atom('a', 34, 0).add(Poly.input('r', 30).shl(d)))).toBe(true);
    const v = symbolicValue(net, 's');
    expect(v.modBits).toBe(Infinity);
    expect(samePoly(v.poly, Poly.input('p', 20).mul(Poly.input('q', 15)).add(Poly.input('r', 30).shl(d)))).toBe(true);
    expect(v.max).toBe(mask(20) * mask(15) + (mask(30) << BigInt(d)));

    // One bit short: the sum is only known modulo 2^(30 + d), and the message says which adder.
    const narrow = new Netlist();
    const a2 = narrow.wire('a', binary('mul', narrow.input('p', 20), narrow.input('q', 15), 35));
    narrow.wire('s', concat(binary('add', slice(a2, 34, d), narrow.input('r', 30), 30), slice(a2, d - 1, 0)));
    const n2 = symbolicValue(narrow, 's');
    expect(n2.modBits).toBe(30 + d);
    expect(n2.why).toMatch(/^adder s \(30 bits\) can reach 2\^30 \+ .*: the sum is truncated$/);
  });

  it('a difference known to be non-negative after cancellation is exact (Karatsuba middle term)', () => {
    const net = new Netlist();
    const h = 10;
    const x = net.input('x', 2 * h);
    const y = net.input('y', 2 * h);
    const xs = net.wire('xs', binary('add', slice(x, h - 1, 0), slice(x, 2 * h - 1, h), h + 1));
    const ys = net.wire('ys', binary('add', slice(y, h - 1, 0), slice(y, 2 * h - 1, h), h + 1));
    const zm = net.wire('zm', binary('mul', xs, ys, 2 * h + 2));
    const z0 = net.wire('z0', binary('mul', slice(x, h - 1, 0), slice(y, h - 1, 0), 2 * h));
    const z2 = net.wire('z2', binary('mul', slice(x, 2 * h - 1, h), slice(y, 2 * h - 1, h), 2 * h));
    // Computed modulo 2^(2h+1) (zm − z0 − z2 = x0·y1 + x1·y0 < 2^(2h+1)): zm − z0 may be
    // negative as far as bounds on its own tell, and only its low bits are used.
    const t = net.wire('t', binary('sub', zm, z0, 2 * h + 2));
    const mid = net.wire('mid', binary('sub', slice(t, 2 * h, 0), z2, 2 * h + 1));
    const both = net.wire('both', concat(z2, z0));
    net.wire('out', concat(binary('add', slice(both, 4 * h - 1, h), mid, 3 * h), slice(both, h - 1, 0)));
    const m = symbolicValue(net, 'mid');
    expect(m.modBits).toBe(Infinity);
    expect(m.max).toBe(2n * mask(h) * mask(h));
    expect(() => proveProduct(net, 'out', Poly.input('x', 2 * h).mul(Poly.input('y', 2 * h)), 4 * h)).not.toThrow();
  });

  it('is sound: on random netlists every polynomial, modulus and bound holds for random inputs', () => {
    const rng = new Rng(1);
    let checks = 0;
    for (let trial = 0; trial < 120; trial++) {
      const net = new Netlist();
      const sigs: { name: string; width: number }[] = [];
      for (const n of ['a', 'b']) sigs.push({ name: n, width: net.input(n, 1 + rng.int(12)).width });
      const leaf = (): Expr => {
        const r = rng.int(10);
        if (r === 0) return { k: 'const', value: rng.bits(1 + rng.int(8)), width: 1 + rng.int(8) };
        if (r === 1) return { k: 'zero', width: 1 + rng.int(3) };
        const s = sigs[sigs.length - 1 - rng.int(Math.min(sigs.length, 4))];
        if (rng.int(2)) return sig(s.name, s.width);
        const lo = rng.int(s.width);
        return slice(sig(s.name, s.width), lo + rng.int(s.width - lo), lo);
      };
      const operand = (): Expr => (rng.int(4) === 0 ? concat(leaf(), leaf()) : leaf());
      const expr = (): Expr => {
        const r = rng.int(8);
        if (r === 0) return operand();
        const s = sigs[sigs.length - 1 - rng.int(Math.min(sigs.length, 3))];
        if (r === 7 && s.width >= 2) {
          const d = 1 + rng.int(s.width - 1);
          const b = leaf();
          const w = Math.max(1, Math.max(s.width - d, b.width) + rng.int(3) - (rng.int(4) === 0 ? 1 : 0));
          return concat({ k: 'add', a: slice(sig(s.name, s.width), s.width - 1, d), b, width: w }, slice(sig(s.name, s.width), d - 1, 0));
        }
        const [a, b] = [operand(), operand()];
        const k = (['add', 'sub', 'mul', 'neg', 'add', 'sub'] as const)[rng.int(6)];
        const base = k === 'mul' ? a.width + b.width : Math.max(a.width, b.width) + 1;
        const width = Math.max(1, base - rng.int(4) + (rng.int(3) === 0 ? 2 : 0));
        return k === 'neg' ? { k, a, width } : { k, a, b, width };
      };
      for (let i = 0; i < 12; i++) {
        const e = expr();
        if (e.width > 40) continue;
        sigs.push({ name: `s${i}`, width: net.wire(`s${i}`, e).width });
      }
      const ev = new SymbolicEvaluator(net);
      const claims = net.stmts.flatMap((st) => [ev.value(st.name), ev.flatten(st.name), ev.flatten(st.name, 3 + rng.int(20)), ev.rawValue(st.name)].map((r) => ({ name: st.name, r })));
      for (let k = 0; k < 12; k++) {
        const vals = net.evaluate({ a: rng.bits(sigs[0].width), b: rng.bits(sigs[1].width) });
        for (const { name, r } of claims) {
          const V = vals.get(name)!;
          const P = r.poly.evaluate((n) => vals.get(n)!);
          const ok = r.modBits === Infinity ? P === V : BigInt.asUintN(r.modBits, P - V) === 0n;
          expect(ok && r.min <= V && V <= r.max, `${name} = ${r.poly} (mod 2^${r.modBits}) in [${r.min}, ${r.max}]: value ${V}`).toBe(true);
          checks++;
        }
      }
    }
    expect(checks).toBeGreaterThan(50000);
  });
});

describe('proveProduct on planned products', () => {
  const cases: [string, Partial<ProductSpec>][] = [
    ['64×64, 26x17, a register per level', {}],
    ['31×31, 16x16, two levels per stage', { xBits: 31, y: { bits: 31 }, tile: [16, 16], outBits: 62, levelsPerStage: 2 }],
    ['100×37, 5x9, one output register', { xBits: 100, y: { bits: 37 }, tile: [5, 9], outBits: 137, levelsPerStage: Infinity }],
    ['100×37, 5x9, truncated to 90 bits', { xBits: 100, y: { bits: 37 }, tile: [5, 9], outBits: 90 }],
    ['64×64 truncated to 64 bits, 18x25', { tile: [18, 25], outBits: 64, levelsPerStage: 3 }],
    ['64×64 into 129 bits', { outBits: 129 }],
    ['64×64 with two addends', { outBits: 130, addends: [{ port: 'u', bits: 70, shift: 40 }, { port: 'v', bits: 1, shift: 64 }] }],
    ['64×64, high half only (outLo = 64)', { outLo: 64 }],
    ['Goldilocks constant, DSP tiles', { y: { constant: 0xffffffff00000001n } }],
    ['Goldilocks constant, CSD', { y: { constant: 0xffffffff00000001n }, constMode: 'csd' }],
    ['dense 80-bit constant, DSP, truncated', { xBits: 90, y: { constant: 0xb5a3_9c21_77f0_4e13_d2c9n }, outBits: 100, tile: [18, 25] }],
    ['dense constant, CSD, with an addend and a cut (montmul-like)', {
      xBits: 64, y: { constant: 0xd2c9_b5a3_9c21_77f0_4e13n }, constMode: 'csd', outBits: 64 + 80 + 1, outLo: 64,
      addends: [{ port: 't_hi', bits: 96, shift: 64 }, { port: 't_lo_nz', bits: 1, shift: 64 }],
    }],
    ['constant with trailing zeros and powers of two', { y: { constant: (1n << 70n) + (1n << 40n) + (0x3n << 90n) } }],
    ['Karatsuba, 1 level', { karatsuba: 1 }],
    ['Karatsuba 254×254, 2 levels', { xBits: 254, y: { bits: 254 }, outBits: 508, karatsuba: 2 }],
    ['Karatsuba 81×81, 3 levels, 5x9, truncated to 131 bits', { xBits: 81, y: { bits: 81 }, tile: [5, 9], outBits: 131, karatsuba: 3, levelsPerStage: 3 }],
  ];
  for (const [name, o] of cases) {
    it(name, () => {
      const s = spec(o);
      const net = planProduct(s).netlist;
      expect(counterexample(net, s, 20)).toBe(false); // the target is what the design is meant to compute
      prove(net, s);
    });
  }

  it('random specs (as the planner test draws them) are all proved', () => {
    const rng = new Rng(9);
    let proved = 0;
    for (let trial = 0; trial < 36; trial++) {
      const xBits = 2 + rng.int(160);
      const variable = trial % 3 === 0;
      const yBits = 2 + rng.int(160);
      const c = trial % 6 === 1 ? (1n << BigInt(50 + rng.int(50))) - (1n << BigInt(rng.int(50))) + 1n : rng.bits(yBits) | 1n;
      const full = xBits + (variable ? yBits : c.toString(2).length);
      const outBits = rng.int(2) ? full + 1 : Math.max(1, full - rng.int(full));
      const s = spec({
        xBits, y: variable ? { bits: yBits } : { constant: c }, tile: ([[26, 17], [16, 16], [18, 25], [5, 9]] as [number, number][])[trial % 4],
        constMode: rng.int(2) ? 'dsp' : 'csd', outBits, outLo: rng.int(3) === 0 ? rng.int(outBits) : 0,
        addends: rng.int(2) ? [{ port: 'w', bits: 1 + rng.int(100), shift: rng.int(outBits) }] : [], levelsPerStage: [1, 2, 3, Infinity][rng.int(4)],
      });
      prove(planProduct(s).netlist, s);
      proved++;
    }
    expect(proved).toBe(36);
  });

  it('a target may name statements: their atoms are read through wiring and traced like the output', () => {
    const s = spec({});
    const net = planProduct(s).netlist;
    proveProduct(net, 'out_r', Poly.atom('x_r', 63, 0).mul(Poly.atom('y_r', 63, 0)), 128);
    // pp_0_0 = x[25:0]·y[16:0] exactly: the target may keep it as one atom.
    const rest = target(s).sub(Poly.atom('x', 25, 0).mul(Poly.atom('y', 16, 0)));
    proveProduct(net, 'out_r', rest.add(Poly.atom('pp_0_0', 42, 0)), 128);
  });

  it('a wrong claim fails: another target, a wrong cut, a smaller modulus than the output needs', () => {
    const s = spec({ xBits: 40, y: { bits: 30 }, outBits: 70 });
    const net = planProduct(s).netlist;
    expect(failure(() => proveProduct(net, 'out_r', target(s).add(Poly.constant(1n)), 70))).toMatch(/^term 1 is missing \(coefficient 0, expected 1\)/);
    expect(failure(() => proveProduct(net, 'out_r', target(s).shl(1), 70))).toMatch(/^term x\[\d+:\d+\]·y\[\d+:\d+\](·\d+)? is shifted 1 bit too low \(coefficient 1, expected 2\)/);
    const cut = spec({ xBits: 40, y: { bits: 30 }, outBits: 70, outLo: 30 });
    expect(failure(() => proveProduct(planProduct(cut).netlist, 'out_r', target(cut), 70, { outLo: 31 }))).toMatch(/missing|shifted|coefficient/);
  });
});

describe('mutants fail with the reason, and are really wrong', () => {
  const grids: [string, Partial<ProductSpec>][] = [
    ['64×64 26x17', {}],
    ['100×37 5x9, one register', { xBits: 100, y: { bits: 37 }, tile: [5, 9], outBits: 137, levelsPerStage: Infinity }],
    ['64×64 truncated to 100 bits', { outBits: 100 }],
  ];

  for (const [name, o] of grids) {
    it(`${name}: a deleted tile is named`, () => {
      const s = spec(o);
      const net = planProduct(s).netlist;
      for (const st of net.stmts) st.expr = mapExpr(st.expr, (e) => ((e.k === 'sig' || e.k === 'slice') && e.name === 'pp_1_1' ? { k: 'zero', width: e.width } : null));
      expect(counterexample(net, s)).toBe(true);
      expect(failure(() => prove(net, s))).toMatch(/^term x\[\d+:\d+\]·y\[\d+:\d+\]·(\d+|2\^\d+) is missing \(coefficient 0, expected .*\); computed by pp_1_1 = x\[\d+:\d+\]·y\[\d+:\d+\]/);
    });

    it(`${name}: a term packed one bit too high is named`, () => {
      const s = spec(o);
      const net = planProduct(s).netlist;
      const st = net.stmts.find((x) => /^op\d+$/.test(x.name) && x.expr.k === 'concat' && x.expr.parts.filter((p) => p.k !== 'zero').length >= 2)!;
      const parts = (st.expr as Extract<Expr, { k: 'concat' }>).parts;
      st.expr = concat(parts[0], { k: 'zero', width: 1 }, ...parts.slice(1));
      st.width = st.expr.width;
      for (const u of net.stmts) u.expr = mapExpr(u.expr, (e) => (e.k === 'sig' && e.name === st.name ? { ...e, width: st.width } : null));
      expect(counterexample(net, s)).toBe(true);
      expect(failure(() => prove(net, s))).toMatch(/^term x\[\d+:\d+\]·y\[\d+:\d+\]·2\^\d+ counted twice or shifted 1 bit too far up \(coefficient 2\^\d+, expected 2\^\d+\); computed by pp_\d+_\d+/);
    });

    it(`${name}: an adder one bit narrower is named`, () => {
      const s = spec(o);
      const net = planProduct(s).netlist;
      const st = [...net.stmts].reverse().find((x) => hasOp(x.expr, 'add'))!;
      let done = false;
      st.expr = mapExpr(st.expr, (e) => (!done && e.k === 'add' ? ((done = true), { ...e, width: e.width - 1 }) : null));
      expect(counterexample(net, s)).toBe(true);
      expect(failure(() => prove(net, s))).toMatch(new RegExp(`^out_r is only known modulo 2\\^${s.outBits - 1}, not 2\\^${s.outBits}: adder ${st.name} \\(\\d+ bits\\) can reach 2\\^\\d+ \\+ .*: the sum is truncated$`));
    });
  }

  it('a constant tile with a wrong constant is named', () => {
    const c = 0xffffffff00000001n * 12345n;
    const s = spec({ y: { constant: c } });
    const net = planProduct(s).netlist;
    const st = net.stmts.find((x) => x.expr.k === 'mul' && x.expr.b.k === 'const')!;
    const e = st.expr as Extract<Expr, { b: Expr }>;
    st.expr = { ...e, b: { ...(e.b as Extract<Expr, { k: 'const' }>), value: (e.b as Extract<Expr, { k: 'const' }>).value ^ 1n } };
    expect(counterexample(net, s)).toBe(true);
    expect(failure(() => prove(net, s))).toMatch(new RegExp(`^term x\\[25:0\\] has coefficient 0x[0-9a-f]+, expected 0x[0-9a-f]+ \\(off by -1\\); computed by ${st.name} = x\\[25:0\\]·12344`));
  });

  it('Karatsuba: a deleted base tile and a middle-term subtractor one bit short are named', () => {
    const s = spec({ xBits: 128, y: { bits: 128 }, outBits: 256, karatsuba: 2 });
    const del = planProduct(s).netlist;
    for (const st of del.stmts) st.expr = mapExpr(st.expr, (e) => ((e.k === 'sig' || e.k === 'slice') && e.name === 'k00_pp_1_1' ? { k: 'zero', width: e.width } : null));
    expect(counterexample(del, s)).toBe(true);
    expect(failure(() => prove(del, s))).toMatch(/^term x\[\d+:\d+\]·y\[\d+:\d+\].*computed by k00_pp_1_1 = /);

    const narrow = planProduct(s).netlist;
    const mid = narrow.stmts.find((x) => x.name === 'k_mid')!;
    const e = mid.expr as Extract<Expr, { b: Expr }>;
    mid.expr = { ...e, width: e.width - 1 };
    expect(counterexample(narrow, s)).toBe(true);
    expect(failure(() => prove(narrow, s))).toMatch(/^out_r is only known modulo 2\^\d+, not 2\^256: subtractor k_mid \(\d+ bits\) can go negative .*: the difference wraps/);
  });
});
