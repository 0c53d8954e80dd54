// The lemmas of `zkrtl prove modmul`, for one generated design.
//
// Fold forms (mersenne, solinas, pseudo-mersenne):
//   ab.product        symbolic: the a·b netlist is x·y mod 2^(its width), every partial product once
//   ab.bound          bigint: (p−1)² fits that width, so for a, b < p the product is exact
//   fold<i>.product   symbolic: the fold's netlist is l + x·c exactly (c = 2^k − p)
//   fold<i>.step      z3: ∀ X ≤ the bound before the fold: X' = (X mod 2^k) + (X div 2^k)·c is
//                     ≡ X (mod p), within the next bound, and fits the next width; X fits the
//                     slices the Verilog takes of it
//   final.select      z3: ∀ x ≤ the last bound: the candidate the Verilog keeps (x − j·P_j for
//                     the largest j without borrow, its own constants P_j) is x mod p
//   rtl.wiring        text: fold slices, constants, widths, each product's latency, the valid
//                     pipeline, read from the Verilog
// Montgomery forms: both montmuls' lemmas (`zkrtl prove montmul`'s, the second by the constant
// R² mod p) and route.identity: R² mod p is the constant the second multiplies by, so
// REDC(REDC(a·b)·R² mod p) = a·b·R⁻¹·R²·R⁻¹ = a·b (mod p).
import type { FieldSpec } from '../fields/registry.ts';
import { generateModmul, montmulParams, planModmul, type FoldPlans } from '../gen/modmul.ts';
import type { ProductPlan } from '../gen/product.ts';
import type { RawParams } from '../gen/params.ts';
import type { ZkrtlConfig } from '../config.ts';
import { montgomeryField } from '../model/field.ts';
import { LemmaFailure, type Lemma } from './lemma.ts';
import { montmulLemmas } from './montmul.ts';
import type { GeneratedDesign } from '../gen/design.ts';
import { shortHex, z3Check } from './redc.ts';
import { Poly, SymbolicFailure, proveProduct } from './symbolic.ts';

const outName = (pl: ProductPlan) => pl.netlist.stmts[pl.netlist.stmts.length - 1].name;
const pow2 = (n: number) => 1n << BigInt(n);

function symbolic(name: string, statement: string, run: () => void): Lemma {
  return {
    name, statement, method: 'symbolic',
    check() {
      try { run(); } catch (e) {
        if (e instanceof SymbolicFailure) throw new LemmaFailure(e.message);
        throw e;
      }
    },
  };
}

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
  lemmas.push(symbolic('ab.product', `${ab.spec.name}: out = x·y mod 2^${abBits} (${W}×${W} bits, ${ab.tiles} tiles${ab.karatsuba ? `, Karatsuba ${ab.karatsuba.levels} level(s)` : ''})`, () => {
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
    lemmas.push(symbolic(`fold${i + 1}.product`, `${fold.spec.name}: out = l + x·${shortHex(c)} exactly (x ${hi} bits, l ${k} bits, ${fold.spec.constMode === 'csd' ? 'shift-and-add' : `${fold.tiles} tiles`})`, () => {
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
        q.add(q.z.Or(
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
  // The subtracted constants as the Verilog has them (d1 = x − P_1, d2 = x − P_2, …).
  const consts = [...text.matchAll(/wire \[(\d+):0\] d(\d+) = \{1'b0, (x\d+)\} - (\d+)'h([0-9a-f]+);/g)].map((m) => ({ j: Number(m[2]), width: Number(m[1]) + 1, src: m[3], value: BigInt(`0x${m[5]}`) }));
  lemmas.push({
    name: 'final.select', method: 'z3',
    statement: `∀ x ≤ ${shortHex(finalMax)}: the Verilog's pick among x${consts.map((d) => ` − ${shortHex(d.value)}`).join(',')} (the last without borrow) is x mod p`,
    check: () => z3Check('final.select', opts, (q) => {
      const x = q.int('x', 0n, finalMax + 1n);
      let out = x;
      // Priority from the smallest candidate up, as the Verilog's ?: chain reads from the largest j.
      for (const d of [...consts].sort((a, b) => a.j - b.j)) out = q.z.If(x.ge(q.val(d.value)), x.sub(q.val(d.value)), out) as typeof x;
      q.show('out', out);
      const [, r] = q.divMod(out.sub(x), p, 'diff');
      q.add(q.z.Or(r.neq(q.val(0n)), out.lt(q.val(0n)), out.ge(q.val(p))));
    }, (cex) => {
      const x = cex.x!;
      let out = x;
      for (const d of [...consts].sort((a, b) => a.j - b.j)) if (x >= d.value) out = x - d.value;
      return out !== x % p;
    }),
  });
  lemmas.push({
    name: 'rtl.wiring', method: 'text',
    statement: `${top}.v: each fold takes x[width−1:${k}] and x[${k - 1}:0] of the value before it; ${s.multiples} candidate(s) x − j·p of ${finalBits + 1} bits, j = 1..${s.multiples}, chosen by borrow from the largest j; each product's latency is its netlist's; the valid pipeline is ${f.latency} cycles`,
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
      const chain = consts.map((d) => `!d${d.j}[${finalBits}] ? d${d.j}[${W - 1}:0]`).reverse();
      if (!chain.every((c2) => text.includes(c2))) fail('the output does not pick the candidates by their borrow bits');
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
  const mf = montgomeryField(field.p);
  const prefix = (name: string, ls: Lemma[]) => ls.map((l) => ({ ...l, name: `${name}:${l.name}` }));
  const design = opts.design ?? generateModmul(field, raw);
  const text = design.modules.find((m) => m.name === top)!.text;
  return [
    ...prefix('redc', montmulLemmas(field, mm, { timeoutMs: opts.timeoutMs, montmul: { name: `${top}_redc` } })),
    ...prefix('unmont', montmulLemmas(field, mm, { timeoutMs: opts.timeoutMs, montmul: { name: `${top}_unmont`, constB: mf.r2ModP } })),
    {
      name: 'route.identity', method: 'bigint+text',
      statement: `${top}.v: u = REDC(a·b) feeds REDC(u·${shortHex(mf.r2ModP)}) with R² mod p = ${shortHex(mf.r2ModP)}, R = 2^${mf.k}: a·b·R⁻¹·R²·R⁻¹ ≡ a·b (mod p)`,
      check() {
        if ((mf.R * mf.R) % field.p !== mf.r2ModP) throw new LemmaFailure('R² mod p is not the constant');
        if ((mf.rInv * mf.rInv % field.p) * mf.r2ModP % field.p !== 1n) throw new LemmaFailure('R⁻²·R² ≢ 1 (mod p)');
        if (!text.includes(`${top}_redc u_redc (.clk(clk), .rst(rst), .in_valid(in_valid), .a(a), .b(b), .out_valid(u_valid), .out(u));`)) throw new LemmaFailure(`${top}.v: u_redc does not take a, b`);
        if (!text.includes(`${top}_unmont u_unmont (.clk(clk), .rst(rst), .in_valid(u_valid), .a(u), .out_valid(out_valid), .out(out));`)) throw new LemmaFailure(`${top}.v: u_unmont does not take u`);
      },
    },
  ];
}

/** Every modmul a config emits (its own `blocks` and `designs` entries). */
export function configModmuls(config: ZkrtlConfig): Array<{ field: FieldSpec; params: RawParams; top: string }> {
  const out = new Map<string, { field: FieldSpec; params: RawParams; top: string }>();
  const add = (field: FieldSpec, params: RawParams) => {
    const { top } = planModmul(field, params).plan;
    if (!out.has(top)) out.set(top, { field, params, top });
  };
  if (config.blocks.includes('modmul')) for (const f of config.fields) add(f, config.params.modmul ?? {});
  for (const d of config.designs.filter((x) => x.block === 'modmul')) for (const params of d.params.length ? d.params : [{}]) for (const f of d.fields) add(f, params);
  return [...out.values()];
}
