// modmul: out = a·b mod p in plain form. The model's reductions against plain BigInt for every
// form on named, famous and random primes; the generator's planned products against the model
// fold by fold; the form auto picks; bad input; zkrtl prove modmul and its planted breaks
// (Verilator equivalence of modmuls: equivalence.test.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { NAMED_PRIMES, customField, namedField, type FieldSpec } from '../src/fields/registry.ts';
import { isProbablePrime } from '../src/fields/primality.ts';
import { generateBlock } from '../src/gen/index.ts';
import { planFolds, planModmul } from '../src/gen/modmul.ts';
import { generateMontmul } from '../src/gen/montmul.ts';
import { planProduct } from '../src/gen/product.ts';
import { modmulLemmas } from '../src/prove/modmul.ts';
import { runLemmas } from '../src/prove/lemma.ts';
import { shutdownZ3 } from '../src/prove/z3.ts';
import { FEW_DIGITS, REDUCE_FORMS, foldSchedule, foldTrace, formsOf, modmulModel, montgomeryTrace, type FoldSchedule } from '../src/model/modmul.ts';
import { montgomeryField } from '../src/model/field.ts';
import { csdDigits } from '../src/model/multiplier.ts';
import { edgeValues, Rng } from '../src/sim/vectors.ts';
import { UsageError } from '../src/base/errors.ts';
import type { GeneratedDesign } from '../src/gen/design.ts';

const pow2 = (n: number) => 1n << BigInt(n);

/** The primes the issue names besides the registry's, and random primes of each form. */
const FAMOUS: Array<[string, bigint]> = [
  ['2^255-19', pow2(255) - 19n],
  ['secp256k1', pow2(256) - pow2(32) - 977n],
  ['2^127-1', pow2(127) - 1n],
  ['2^61-1', pow2(61) - 1n],
  ['2^64-59', pow2(64) - 59n],
  ['P-256', pow2(256) - pow2(224) + pow2(192) + pow2(96) - 1n],
];

function randomPrimes(rng: Rng): Array<[string, bigint]> {
  const out: Array<[string, bigint]> = [];
  // Mersenne exponents (2^e − 1 prime), from 7 to 521.
  for (const e of [7, 13, 17, 19, 31, 61, 89, 107, 127, 521]) out.push([`2^${e}-1`, pow2(e) - 1n]);
  // 2^a − 2^b ± 1 and 2^k − c with small c, random sizes.
  const want = (make: () => bigint, name: string, n: number) => {
    for (let found = 0, tries = 0; found < n && tries < 20_000; tries++) {
      const p = make();
      if (p > 3n && isProbablePrime(p)) { out.push([`${name} 0x${p.toString(16)}`, p]); found++; }
    }
  };
  want(() => { const a = 8 + rng.int(300); const b = 1 + rng.int(Math.floor(a * 0.8)); return pow2(a) - pow2(b) + 1n; }, 'solinas −', 8);
  want(() => { const a = 8 + rng.int(300); const b = 1 + rng.int(Math.floor(a * 0.8)); return pow2(a) - pow2(b) - 1n; }, 'solinas +', 8);
  want(() => { const k = 16 + rng.int(400); return pow2(k) - (rng.bits(1 + rng.int(Math.floor(k / 2) - 1)) | 1n); }, 'pseudo-mersenne', 8);
  want(() => { const k = 8 + rng.int(200); return rng.bits(k) | pow2(k - 1) | 1n; }, 'random', 6);
  return out;
}

const ALL_PRIMES: Array<[string, bigint]> = [
  ...NAMED_PRIMES.map((f) => [f.name, f.p] as [string, bigint]),
  ...FAMOUS,
  ...randomPrimes(new Rng(10)),
];

function operands(p: bigint, rng: Rng, n: number): Array<[bigint, bigint]> {
  const edges = edgeValues({ p });
  const pairs: Array<[bigint, bigint]> = [];
  for (const a of edges) for (const b of edges) pairs.push([a, b]);
  for (let i = 0; i < n; i++) pairs.push([rng.below(p), rng.below(p)]);
  return pairs;
}

describe('modmul model: every form equals a·b mod p in BigInt', () => {
  it('on the named fields, the issue\'s primes and random primes of each form', () => {
    const rng = new Rng(11);
    const seen = new Set<string>();
    for (const [name, p] of ALL_PRIMES) {
      const forms = formsOf(p);
      expect(forms, name).toContain('montgomery');
      for (const form of forms) {
        seen.add(form);
        const model = modmulModel(p, form);
        for (const [a, b] of operands(p, rng, 60)) expect(model(a, b), `${name} ${form} a=${a} b=${b}`).toBe((a * b) % p);
      }
    }
    expect([...seen].sort()).toEqual([...REDUCE_FORMS].sort());
  });

  it('the forms are what their definitions say', () => {
    expect(formsOf(pow2(31) - 1n)[0]).toBe('mersenne');
    expect(formsOf(namedField('goldilocks').p)).toEqual(['solinas', 'pseudo-mersenne', 'montgomery-friendly', 'montgomery']);
    expect(formsOf(pow2(255) - 19n)).toEqual(['solinas', 'pseudo-mersenne', 'montgomery']);
    expect(formsOf(pow2(256) - pow2(32) - 977n)).toEqual(['pseudo-mersenne', 'montgomery']);
    expect(formsOf(namedField('babybear').p)).toEqual(['solinas', 'montgomery-friendly', 'montgomery']);
    expect(formsOf(namedField('bn254.fr').p)).toEqual(['montgomery']);
    for (const [name, p] of ALL_PRIMES) {
      const k = p.toString(2).length;
      const c = pow2(k) - p;
      const forms = formsOf(p);
      expect(forms.includes('mersenne'), name).toBe(c === 1n);
      if (forms.includes('solinas')) expect(csdDigits(c).length, name).toBeLessThanOrEqual(FEW_DIGITS);
      if (forms.includes('pseudo-mersenne')) expect(c < pow2(Math.floor(k / 2)), name).toBe(true);
      if (forms.includes('montgomery-friendly')) {
        expect(csdDigits(p).length, name).toBeLessThanOrEqual(FEW_DIGITS);
        expect(csdDigits(montgomeryField(p).pPrime).length, name).toBeLessThanOrEqual(FEW_DIGITS);
      }
    }
  });

  it('each fold keeps the residue and stays within its bound; the last step is canonical', () => {
    const rng = new Rng(12);
    for (const [name, p] of ALL_PRIMES) {
      const s = foldSchedule(p);
      if ('reason' in s) continue;
      for (const [a, b] of operands(p, rng, 40)) {
        const t = foldTrace(s, a, b);
        t.folds.forEach((x, i) => {
          expect(x % p, `${name} fold ${i + 1}`).toBe((a * b) % p);
          expect(x <= s.steps[i].outMax, `${name} fold ${i + 1} bound`).toBe(true);
        });
        expect(t.out < p && t.out === (a * b) % p, name).toBe(true);
      }
    }
  });
});

describe('modmul generator', () => {
  /** Evaluates the planned netlists the Verilog is printed from, fold by fold. */
  function checkPlannedFolds(field: FieldSpec, raw: Record<string, string>, rng: Rng) {
    const { plan } = planModmul(field, raw);
    const f = plan.folds!;
    const s: FoldSchedule = f.schedule;
    for (const [a, b] of operands(field.p, rng, 200)) {
      const trace = foldTrace(s, a, b);
      const t = f.ab.netlist.evaluate({ x: a, y: b });
      let x = t.get(f.ab.netlist.stmts[f.ab.netlist.stmts.length - 1].name)!;
      expect(x, `${field.name} a·b`).toBe(trace.product);
      f.folds.forEach((fold, i) => {
        const v = fold.netlist.evaluate({ x: x >> BigInt(s.k), l: x & (pow2(s.k) - 1n) });
        x = v.get(fold.netlist.stmts[fold.netlist.stmts.length - 1].name)!;
        expect(x, `${field.name} fold ${i + 1}`).toBe(trace.folds[i]);
      });
    }
  }

  it('the planned product and folds equal the model step by step (shift-and-add and DSP constants)', () => {
    const rng = new Rng(13);
    for (const [field, raw] of [
      [namedField('goldilocks'), {}], [namedField('babybear'), { reduce: 'solinas' }], [namedField('koalabear'), {}],
      [namedField('mersenne31'), {}], [namedField('curve25519'), {}], [namedField('secp256k1'), {}],
      [namedField('secp256k1'), { constmul: 'csd' }], [namedField('goldilocks'), { constmul: 'dsp', tile: '16x16' }],
      [customField('4294966997'), {}], [customField('7681'), { tree: '0' }], [customField(String(pow2(127) - 1n)), { karatsuba: '2' }],
    ] as Array<[FieldSpec, Record<string, string>]>) {
      checkPlannedFolds(field, raw, rng);
    }
  });

  it('the Montgomery route is two montmuls, the second by R² mod p, equal to the model', () => {
    const d = generateBlock('modmul', namedField('bn254.fr'), {});
    const m = d.manifest as any;
    expect(m.reduce.form).toBe('montgomery');
    const mf = montgomeryField(namedField('bn254.fr').p);
    expect(m.reduce.unmont.constant).toBe(`0x${mf.r2ModP.toString(16)}`);
    expect(m.latency).toBe(m.reduce.redc.latency + m.reduce.unmont.latency);
    expect(d.modules.map((x) => x.name)).toContain('modmul_bn254_fr_unmont');
    // The second montmul has no b port: its operand is the constant.
    expect(d.modules.find((x) => x.name === 'modmul_bn254_fr_unmont')!.text).not.toMatch(/input\s+wire \[253:0\] b,/);
    const rng = new Rng(14);
    for (const [a, b] of operands(mf.p, rng, 50)) expect(montgomeryTrace(mf, a, b).out).toBe((a * b) % mf.p);
  });

  it('auto picks the form of smallest planned device share, and names it in the manifest', () => {
    const form = (name: string, raw: Record<string, string> = {}) => (generateBlock('modmul', namedField(name), raw).manifest as any).reduce.form;
    expect(form('mersenne31')).toBe('mersenne');
    expect(form('goldilocks')).toBe('solinas');
    expect(form('curve25519')).toBe('solinas');
    expect(form('secp256k1')).toBe('pseudo-mersenne');
    expect(form('bn254.fr')).toBe('montgomery');
    for (const name of ['babybear', 'koalabear', 'goldilocks']) {
      const field = namedField(name);
      const auto = planModmul(field, {}).plan;
      for (const f of formsOf(field.p)) expect(auto.share, `${name} ${f}`).toBeLessThanOrEqual(planModmul(field, { reduce: f }).plan.share);
    }
  });

  it('is deterministic, and a fold design names its identity, folds and final step', () => {
    const a = generateBlock('modmul', namedField('goldilocks'), {});
    const b = generateBlock('modmul', namedField('goldilocks'), {});
    expect(a.modules).toEqual(b.modules);
    expect(a.manifest).toEqual(b.manifest);
    const m = a.manifest as any;
    expect(m.reduce.identity).toBe('2^64 = 0xffffffff (mod p): x = (x mod 2^64) + (x div 2^64)*0xffffffff');
    expect(m.reduce.folds.map((f: any) => [f.inBits, f.outBits])).toEqual([[128, 96], [96, 65]]);
    expect(m.reduce.final.multiples).toBe(1);
    expect(m.latency).toBe(m.stages.ab.latency + m.reduce.folds.reduce((n: number, f: any) => n + f.latency, 0) + 1);
  });

  it('refuses a form p does not have, an unknown form, and unknown parameters, in one line', () => {
    const cases: Array<[FieldSpec, Record<string, string>, RegExp]> = [
      [namedField('goldilocks'), { reduce: 'mersenne' }, /^reduce=mersenne does not fit goldilocks: mersenne needs p = 2\^k − 1, and p = 2\^64 − 0xffffffff; give reduce=auto, or one of the forms p has: solinas, pseudo-mersenne, montgomery-friendly, montgomery$/],
      [namedField('bn254.fr'), { reduce: 'solinas' }, /^reduce=solinas does not fit bn254.fr: solinas needs c of at most 3 signed digits, .* has 73; give reduce=auto, or one of the forms p has: montgomery$/],
      [namedField('secp256k1'), { reduce: 'montgomery-friendly' }, /^reduce=montgomery-friendly does not fit secp256k1: montgomery-friendly needs p and p′/],
      [namedField('babybear'), { reduce: 'pseudo-mersenne' }, /^reduce=pseudo-mersenne does not fit babybear: pseudo-mersenne needs p = 2\^k − c with 1 < c < 2\^15/],
      [namedField('babybear'), { reduce: 'barrett' }, /^reduce=barrett is not accepted: give one of auto, mersenne, solinas, pseudo-mersenne, montgomery-friendly, montgomery$/],
      [namedField('babybear'), { rbits: '32' }, /^unknown parameter 'rbits' for modmul/],
    ];
    for (const [field, raw, re] of cases) {
      let err: unknown;
      try { generateBlock('modmul', field, raw); } catch (e) { err = e; }
      expect(err, JSON.stringify(raw)).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('zkrtl prove modmul: the lemmas hold for generated designs and catch planted breaks', () => {
  afterAll(async () => { await shutdownZ3(); });
  const verdicts = async (lemmas: ReturnType<typeof modmulLemmas>) => Object.fromEntries((await runLemmas(lemmas)).map((r) => [r.name, r.verdict]));

  it('every lemma is proved: Solinas, Mersenne, a DSP pseudo-Mersenne fold, the Montgomery route', async () => {
    for (const [field, raw] of [
      [namedField('goldilocks'), {}], [customField('7681'), {}], [customField('8191'), { constmul: 'dsp' }],
      [customField('4294966997'), {}], [customField('0xb8c5a3e1f0d27c946a1358e2f0b7c9f7'), { reduce: 'montgomery', tile: '16x16' }],
    ] as Array<[FieldSpec, Record<string, string>]>) {
      const v = await verdicts(modmulLemmas(field, raw));
      expect(Object.values(v).every((x) => x === 'proved'), `${field.name} ${JSON.stringify(v)}`).toBe(true);
      expect(Object.keys(v).length).toBeGreaterThan(4);
    }
  });

  const field = customField('7681');
  const { plan } = planModmul(field, {});
  const folds = plan.folds!;

  it('a fold built with the wrong constant fails fold<i>.product', async () => {
    const bad = planProduct({ ...folds.folds[0]!.spec, y: { constant: folds.schedule.c + 2n } });
    const v = await verdicts(modmulLemmas(field, {}, { folds: { ...folds, folds: [bad, ...folds.folds.slice(1)] } }));
    expect(v['fold1.product']).toBe('failed');
  });

  it('a bound too small (half the planner\'s) fails fold<i>.step (z3 finds the X)', async () => {
    const steps = folds.schedule.steps.map((st, i) => (i === 0 ? { ...st, outMax: st.outMax >> 1n } : st));
    const v = await verdicts(modmulLemmas(field, {}, { folds: planFolds(plan.top, { ...folds.schedule, steps }, { reduce: 'auto', tile: [26, 17], levelsPerStage: 1, karatsuba: 'auto', constmul: 'auto' }) }));
    expect(v['fold1.step']).toBe('failed');
  });

  const withTop = (d: GeneratedDesign, from: string | RegExp, to: string): GeneratedDesign => {
    const text = d.modules.find((m) => m.name === d.top)!.text;
    const broken = text.replace(from, to);
    expect(broken).not.toBe(text);
    return { ...d, modules: d.modules.map((m) => (m.name === d.top ? { ...m, text: broken } : m)) };
  };

  it('the last step reading the value before the last fold fails final.select and rtl.wiring', async () => {
    const d = generateBlock('modmul', field, {});
    const v = await verdicts(modmulLemmas(field, {}, { design: withTop(d, /x4\[12:0\];/, 'x3[12:0];') }));
    expect(v['final.select']).toBe('failed');
    expect(v['rtl.wiring']).toBe('failed');
  });

  it('out_valid one register early fails rtl.wiring', async () => {
    const d = generateBlock('modmul', field, {});
    const L = d.manifest.latency!;
    const v = await verdicts(modmulLemmas(field, {}, { design: withTop(d, `assign out_valid = valid_sr[${L - 1}];`, `assign out_valid = valid_sr[${L - 2}];`) }));
    expect(v['rtl.wiring']).toBe('failed');
  });

  it('a Montgomery route whose second montmul multiplies by R mod p, not R² mod p, fails route.identity', async () => {
    const f128 = customField('0xb8c5a3e1f0d27c946a1358e2f0b7c9f7');
    const raw = { reduce: 'montgomery', tile: '16x16' };
    const d = generateBlock('modmul', f128, raw);
    const mm = { tile: '16x16', tree: '1', karatsuba: 'auto', constmul: 'auto' };
    const wrong = generateBlock('montmul', f128, mm); // only to learn the montmul's R
    const rModP = BigInt(wrong.manifest.montgomery!.rModP);
    const bad = generateMontmul(f128, mm, { name: `${d.top}_unmont`, constB: rModP }).modules;
    const design = { ...d, modules: d.modules.map((m) => bad.find((b) => b.name === m.name) ?? m) };
    const v = await verdicts(modmulLemmas(f128, raw, { design }));
    expect(v['route.identity']).toBe('failed');
  });

  it('a final candidate subtracting p + 1 fails final.select and rtl.wiring', async () => {
    const d = generateBlock('modmul', field, {});
    const text = d.modules.find((m) => m.name === d.top)!.text;
    const broken = text.replace(/15'h1e01;/, "15'h1e02;");
    expect(broken).not.toBe(text);
    const design = { ...d, modules: d.modules.map((m) => (m.name === d.top ? { ...m, text: broken } : m)) };
    const v = await verdicts(modmulLemmas(field, {}, { design }));
    expect(v['final.select']).toBe('failed');
    expect(v['rtl.wiring']).toBe('failed');
  });
});
