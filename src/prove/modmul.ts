// The lemmas of `zkrtl prove modmul`, for one generated design.
//
// Fold forms (mersenne, solinas, pseudo-mersenne):
//   ab.product        symbolic: the a·b netlist is x·y mod 2^(its width), every partial product once
//   ab.bound          bigint: (p−1)² fits that width, so for a, b < p the product is exact
//   fold<i>.product   symbolic: the fold's netlist is l + x·c exactly (c = 2^k − p)
//   fold<i>.step      z3: ∀ X ≤ the bound before the fold: X' = (X mod 2^k) + (X div 2^k)·c is
//                     ≡ X (mod p), within the next bound, and fits the next width; X fits the
//                     slices the Verilog takes of it
//   final.select      z3: ∀ x ≤ the last bound: the Verilog's output statement, read as written
//                     (its ?: chain over the borrow bits of its differences, their constants, its
//                     fallback), is x mod p
//   rtl.wiring        text: widths of x0 and every fold's result, fold slices, the candidates and
//                     their order, out = out_r, each product's latency, the valid shift register
//                     and its tap, read from the Verilog
// Montgomery forms: both montmuls' lemmas (`zkrtl prove montmul`'s, the second by the constant
// the manifest names) and route.identity: that constant is R² mod p, so
// REDC(REDC(a·b)·R² mod p) = a·b·R⁻¹·R²·R⁻¹ = a·b (mod p), and the design's two montmuls are,
// text for text, the ones those lemmas prove.
import type { FieldSpec } from '../fields/registry.ts';
import { generateModmul, montmulParams, planModmul, type FoldPlans } from '../gen/modmul.ts';
import { generateMontmul } from '../gen/montmul.ts';
import type { RawParams } from '../gen/params.ts';
import { montgomeryField } from '../model/field.ts';
import { LemmaFailure, type Lemma } from './lemma.ts';
import { montmulLemmas, outName, symbolicLemma } from './montmul.ts';
import type { GeneratedDesign } from '../gen/design.ts';
import { shortHex, z3Check } from './redc.ts';
import { Poly, proveProduct } from './symbolic.ts';

const pow2 = (n: number) => 1n << BigInt(n);

export interface ModmulProofOptions {
  timeoutMs?: number;
  /** Tests: prove these fold plans, or this Verilog, instead of the generator's (planted breaks). */
  folds?: FoldPlans;
  design?: GeneratedDesign;
}

export function modmulLemmas(field: FieldSpec, raw: RawParams, opts: ModmulProofOptions = {}): Lemma[] {
  const { cfg, plan } = planModmul(field, raw);
  if (!plan.folds) return montgomeryRouteLemmas(field, raw, montmulParams(cfg), plan.top, opts);
  return foldLemmas(field, raw, plan.top, opts.folds ?? plan.folds, opts);
}

function foldLemmas(field: FieldSpec, raw: RawParams, top: string, f: FoldPlans, opts: ModmulProofOptions): Lemma[] {
  const { schedule: s, ab, folds } = f;
  const { p, k, c } = s;
  const W = field.bits;
  const lemmas: Lemma[] = [];
  const abBits = ab.spec.outBits;
  lemmas.push(symbolicLemma('ab.product', `${ab.spec.name}: out = x·y mod 2^${abBits} (${W}×${W} bits, ${ab.tiles} tiles${ab.karatsuba ? `, Karatsuba ${ab.karatsuba.levels} level(s)` : ''})`, () => {
    proveProduct(ab.netlist, outName(ab), Poly.input('x', W).mul(Poly.input('y', W)), abBits);
  }));
  lemmas.push({
    name: 'ab.bound', method: 'bigint',
    statement: `(p−1)² < 2^${abBits}: for a, b < p the ${abBits}-bit product is a·b exactly`,
    check() { if (s.productMax >= pow2(abBits)) throw new LemmaFailure(`(p−1)² = ${shortHex(s.productMax)} needs more than ${abBits} bits`); },
  });
  // Widths of the values between the stages, as the design carries them.
  const widths = [ab.outWidth, ...folds.map((x) => x.outWidth)];
  const bounds = [s.productMax, ...s.steps.map((x) => x.outMax)];
  folds.forEach((fold, i) => {
    const hi = fold.spec.xBits;
    lemmas.push(symbolicLemma(`fold${i + 1}.product`, `${fold.spec.name}: out = l + x·${shortHex(c)} exactly (x ${hi} bits, l ${k} bits, ${fold.spec.constMode === 'csd' ? 'shift-and-add' : `${fold.tiles} tiles`})`, () => {
      proveProduct(fold.netlist, outName(fold), Poly.input('l', k).add(Poly.input('x', hi).scale(c)), fold.spec.outBits);
    }));
    const inMax = bounds[i];
    const outMax = bounds[i + 1];
    lemmas.push({
      name: `fold${i + 1}.step`, method: 'z3',
      statement: `∀ X ≤ ${shortHex(inMax)}: X' = (X mod 2^${k}) + (X div 2^${k})·${shortHex(c)} ≡ X (mod p), X' ≤ ${shortHex(outMax)} < 2^${widths[i + 1]}, X < 2^${widths[i]} and X div 2^${k} < 2^${hi}`,
      check: () => z3Check(`fold${i + 1}.step`, opts, (q) => {
        const X = q.int('X', 0n, inMax + 1n);
        const [H, L] = q.divMod(X, pow2(k), 'X', (inMax >> BigInt(k)) + 1n);
        q.show('H', H);
        const Xp = q.show("X'", L.add(H.mul(q.val(c))));
        const [, r] = q.divMod(Xp.sub(X), p, 'diff');
        q.add(q.Or(
          r.neq(q.val(0n)),
          Xp.gt(q.val(outMax)),
          Xp.ge(q.val(pow2(widths[i + 1]!))),
          X.ge(q.val(pow2(widths[i]!))),
          H.ge(q.val(pow2(hi))),
        ));
      }, (cex) => {
        const x = cex.X!;
        const xp = (x & (pow2(k) - 1n)) + (x >> BigInt(k)) * c;
        return (xp - x) % p !== 0n || xp > outMax || xp >= pow2(widths[i + 1]!) || x >= pow2(widths[i]!) || x >> BigInt(k) >= pow2(hi);
      }),
    });
  });

  const design = opts.design ?? generateModmul(field, raw);
  const text = design.modules.find((m) => m.name === top)!.text;
  const finalBits = widths[widths.length - 1]!;
  const finalMax = bounds[bounds.length - 1]!;
  const xLast = `x${folds.length}`;
  // The subtracted constants as the Verilog has them (d1 = x − P_1, d2 = x − P_2, …), and the
  // output statement: the ?: chain of borrow tests and the fallback, in the order written.
  const consts = [...text.matchAll(/wire \[(\d+):0\] d(\d+) = \{1'b0, (x\d+)\} - (\d+)'h([0-9a-f]+);/g)].map((m) => ({ j: Number(m[2]), width: Number(m[1]) + 1, src: m[3], value: BigInt(`0x${m[5]}`) }));
  const outStmt = /out_r <= ((?:!d\d+\[\d+\] \? d\d+\[\d+:0\] :\s*)*)(x\d+)\[(\d+):0\];/.exec(text);
  const chain = outStmt ? [...outStmt[1]!.matchAll(/!d(\d+)\[(\d+)\] \? d(\d+)\[(\d+):0\]/g)].map((m) => ({ test: Number(m[1]), bit: Number(m[2]), take: Number(m[3]), hi: Number(m[4]) })) : [];
  lemmas.push({
    name: 'final.select', method: 'z3',
    statement: `∀ x ≤ ${shortHex(finalMax)}: the Verilog's output statement — its ?: chain over the borrow bits of d_j = ({1'b0, x} − P_j) mod 2^${finalBits + 1}, with its own constants${consts.map((d) => ` ${shortHex(d.value)}`).join(',')}, in the order written — gives x mod p`,
    check: async () => {
      if (!outStmt) throw new LemmaFailure(`${top}.v: no output statement out_r <= …`);
      if (outStmt[2] !== xLast || consts.some((d) => d.src !== xLast)) throw new LemmaFailure(`${top}.v: the last step reads ${[outStmt[2], ...consts.map((d) => d.src)].filter((x) => x !== xLast).join(', ')}, not ${xLast}`);
      const dOf = new Map(consts.map((d) => [d.j, d]));
      for (const c2 of chain) if (!dOf.has(c2.test) || !dOf.has(c2.take)) throw new LemmaFailure(`${top}.v: the output tests d${c2.test} or takes d${c2.take}, which is not declared`);
      await z3Check('final.select', opts, (q) => {
        const x = q.int('x', 0n, finalMax + 1n);
        // Each difference as the Verilog's (width)-bit subtraction computes it.
        const dv = new Map(consts.map((d) => [d.j, q.If(x.ge(q.val(d.value)), x.sub(q.val(d.value)), x.sub(q.val(d.value)).add(q.val(pow2(d.width))))]));
        const bits = (v: typeof x, hi: number, name: string) => q.divMod(v, pow2(hi + 1), name)[1];
        const bit = (v: typeof x, b: number, name: string) => q.divMod(q.divMod(v, pow2(b), `${name}_s`)[0], 2n, `${name}_b`)[1];
        let out = bits(x, Number(outStmt[3]), 'fallback');
        for (const [i, c2] of [...chain.entries()].reverse()) {
          out = q.If(bit(dv.get(c2.test)!, c2.bit, `t${i}`).eq(q.val(0n)), bits(dv.get(c2.take)!, c2.hi, `v${i}`), out);
        }
        q.show('out', out);
        const [, r] = q.divMod(out.sub(x), p, 'diff');
        q.add(q.Or(r.neq(q.val(0n)), out.lt(q.val(0n)), out.ge(q.val(p))));
      }, (cex) => {
        const x = cex.x!;
        const d = (j: number) => { const c2 = dOf.get(j)!; return BigInt.asUintN(c2.width, x - c2.value); };
        let out = BigInt.asUintN(Number(outStmt[3]) + 1, x);
        for (const c2 of [...chain].reverse()) if (((d(c2.test) >> BigInt(c2.bit)) & 1n) === 0n) out = BigInt.asUintN(c2.hi + 1, d(c2.take));
        return out !== x % p;
      });
    },
  });
  lemmas.push({
    name: 'rtl.wiring', method: 'text',
    statement: `${top}.v: x0 and each fold's result as wide as planned; each fold takes x[width−1:${k}] and x[${k - 1}:0] of the value before it; ${s.multiples} candidate(s) x − j·p of ${finalBits + 1} bits, j = 1..${s.multiples}, the output the one of largest j without borrow, else x; each product's latency is its netlist's; out = out_r, out_valid = the last of ${f.latency} valid registers shifting in_valid`,
    check() {
      const fail = (what: string) => { throw new LemmaFailure(`${top}.v: ${what}`); };
      if (!text.includes(`${ab.spec.name} u_ab (.clk(clk), .x(a), .y(b), .out(x0));`)) fail('u_ab is not a·b into x0');
      folds.forEach((fold, i) => {
        const ports = `.x(x${i}[${widths[i]! - 1}:${k}]), .l(x${i}[${k - 1}:0]), .out(x${i + 1}));`;
        if (!text.includes(`wire [${widths[i + 1]! - 1}:0] x${i + 1};`)) fail(`x${i + 1} is not ${widths[i + 1]} bits`);
        if (!text.includes(`${fold.spec.name} u_fold${i + 1} (`) || !text.includes(ports)) fail(`u_fold${i + 1} is not ${fold.spec.name} wired ${ports}`);
      });
      if (consts.length !== s.multiples) fail(`${consts.length} candidates, the schedule needs ${s.multiples}`);
      for (const d of consts) {
        if (d.src !== xLast || d.width !== finalBits + 1 || d.value !== BigInt(d.j) * p) fail(`d${d.j} is ${d.src} − ${shortHex(d.value)} in ${d.width} bits, not ${xLast} − ${d.j}·p in ${finalBits + 1}`);
      }
      if (!text.includes(`wire [${widths[0]! - 1}:0] x0;`)) fail(`x0 is not ${widths[0]} bits`);
      const expected = `out_r <= ${consts.map((d) => d.j).sort((a, b) => b - a).map((j) => `!d${j}[${finalBits}] ? d${j}[${W - 1}:0] :\n                 `).join('')}${xLast}[${W - 1}:0];`;
      if (!text.includes(expected)) fail('the output does not pick x − j·p for the largest j without borrow, else x');
      if (!text.includes('assign out = out_r;')) fail('out is not out_r');
      const L = f.latency;
      if (!text.includes(`assign out_valid = valid_sr[${L - 1}];`)) fail(`out_valid is not valid_sr[${L - 1}]`);
      if (!text.includes(L > 1 ? `else     valid_sr <= {valid_sr[${L - 2}:0], in_valid};` : 'else     valid_sr <= in_valid;')) fail('valid_sr does not shift in_valid one place a cycle');
      for (const pl of [ab, ...folds]) {
        const stage = pl.netlist.stage({ k: 'sig', name: outName(pl), width: pl.outWidth });
        if (stage !== pl.latency && !(stage === -1 && pl.latency === 0)) fail(`${pl.spec.name} says latency ${pl.latency}, its output is at stage ${stage}`);
      }
      const valid = /reg \[(\d+):0\] valid_sr;/.exec(text);
      const sum = ab.latency + folds.reduce((n, x) => n + x.latency, 0) + 1;
      if (!valid || Number(valid[1]) + 1 !== f.latency || f.latency !== sum) fail(`the valid pipeline is not ${sum} cycles`);
    },
  });
  return lemmas;
}

function montgomeryRouteLemmas(field: FieldSpec, raw: RawParams, mm: RawParams, top: string, opts: ModmulProofOptions): Lemma[] {
  const design = opts.design ?? generateModmul(field, raw);
  const text = design.modules.find((m) => m.name === top)!.text;
  const reduce = design.manifest.reduce as { k: number; unmont: { constant: string } };
  // The constant the design says its second montmul multiplies by; route.identity ties it to
  // R² mod p and both montmuls' Verilog to the ones these lemmas prove.
  const constant = BigInt(reduce.unmont.constant);
  const parts = [
    { prefix: 'redc', montmul: { name: `${top}_redc` } },
    { prefix: 'unmont', montmul: { name: `${top}_unmont`, constB: constant } },
  ];
  const prefix = (name: string, ls: Lemma[]) => ls.map((l) => ({ ...l, name: `${name}:${l.name}` }));
  return [
    ...parts.flatMap((part) => prefix(part.prefix, montmulLemmas(field, mm, { timeoutMs: opts.timeoutMs, montmul: part.montmul }))),
    {
      name: 'route.identity', method: 'bigint+text',
      statement: `${top}.v: u = REDC(a·b) feeds REDC(u·${shortHex(constant)}), and ${shortHex(constant)} = R² mod p with the montmuls' R = 2^${reduce.k}: a·b·R⁻¹·R²·R⁻¹ ≡ a·b (mod p); both montmuls' Verilog is the Verilog the lemmas above prove`,
      check() {
        const mf = montgomeryField(field.p, reduce.k);
        if (constant !== mf.r2ModP) throw new LemmaFailure(`the second montmul multiplies by ${shortHex(constant)}, R² mod p = ${shortHex(mf.r2ModP)}`);
        for (const part of parts) {
          for (const m of generateMontmul(field, mm, part.montmul).modules) {
            const inDesign = design.modules.find((x) => x.name === m.name);
            if (!inDesign || inDesign.text !== m.text) throw new LemmaFailure(`${m.name}.v in the design is not the montmul the ${part.prefix}: lemmas prove`);
          }
        }
        if (!text.includes(`${top}_redc u_redc (.clk(clk), .rst(rst), .in_valid(in_valid), .a(a), .b(b), .out_valid(u_valid), .out(u));`)) throw new LemmaFailure(`${top}.v: u_redc does not take a, b`);
        if (!text.includes(`${top}_unmont u_unmont (.clk(clk), .rst(rst), .in_valid(u_valid), .a(u), .out_valid(out_valid), .out(out));`)) throw new LemmaFailure(`${top}.v: u_unmont does not take u`);
      },
    },
  ];
}
