// The lemmas that make up `zkrtl prove montmul`: for one generated design (its own prime, tiles,
// Karatsuba levels and band), from the products to the canonical result.
//
//   ab.product, m.product, mp.tree   symbolic (BigInt): the netlist of each product, traced back
//                                    to its inputs, is exactly the product (every tile once, at
//                                    its weight; no adder truncates) — product.ts's planner is not
//                                    trusted, the emitted netlist is read
//   mp.tiles                         symbolic: each kept tile register of m·p is exactly a chunk of
//                                    m times the true p's bits there, width included (band mode)
//   redc.*                           z3 (linear integer arithmetic, the design's constants): m makes
//                                    T + m·p a multiple of R; u (carry flag or high band) is
//                                    exactly (T + m·p)/R; u < 2p fits its register; u·R ≡ T
//   final.sub                        z3: u ≥ P ? u − P : u with the Verilog's P is canonical and ≡ u
//   rtl.wiring                       text: the template around the products (P, the u width, which
//                                    bits of T travel, the delay line, each product's latency as the
//                                    clock stage of its netlist output, the valid pipeline)
//   e2e.sat (toy primes, on request) the whole Verilog, lowered to gates by Yosys: checked
//                                    feed-forward, evaluated on every pair against a·b·R⁻¹ mod p,
//                                    out_valid by SAT (end-to-end.ts)
import type { FieldSpec } from '../fields/registry.ts';
import { MONTMUL_PARAMS, generateMontmul, planMontmul, type MontmulOptions, type MontmulPlans } from '../gen/montmul.ts';
import { MODMUL_PARAMS, planModmul } from '../gen/modmul.ts';
import type { ZkrtlConfig } from '../config.ts';
import type { RawParams } from '../gen/params.ts';
import { keptTiles, type ProductPlan } from '../gen/product.ts';
import { chunksOf } from '../model/multiplier.ts';
import { LemmaFailure, type Lemma } from './lemma.ts';
import { UsageError } from '../base/errors.ts';
import { redcLemmas, shortHex, type BandDescription } from './redc.ts';
import { Poly, SymbolicFailure, proveProduct } from './symbolic.ts';
import { proveEndToEnd, E2E_MAX_BITS } from './end-to-end.ts';

export interface MontmulProofOptions {
  /** Also prove the whole Verilog by SAT (only for primes up to E2E_MAX_BITS bits). */
  endToEnd?: boolean;
  timeoutMs?: number;
  waveformDir?: string;
  /** Tests: prove these plans (a mutated copy of the generator's) instead of planning afresh. */
  plans?: MontmulPlans;
  /** A montmul inside another block (modmul's second one multiplies by a constant). */
  montmul?: MontmulOptions;
}

export const outName = (pl: ProductPlan) => pl.netlist.stmts[pl.netlist.stmts.length - 1].name;

/** A lemma proved by the symbolic evaluator: its failures become LemmaFailure. */
export function symbolicLemma(name: string, statement: string, run: () => void): Lemma {
  return {
    name,
    statement,
    method: 'symbolic',
    check() {
      try {
        run();
      } catch (e) {
        if (e instanceof SymbolicFailure) throw new LemmaFailure(e.message);
        throw e;
      }
    },
  };
}

/** The tiles a band-mode m·p keeps, on the grid of the true p (not the planner's constant). */
const bandTiles = (pl: ProductPlan, p: bigint) => keptTiles({ ...pl.spec, y: { constant: p } });

/** The kept tiles of a band-mode m·p, as the band lemma reads them. */
function bandDescription(pl: ProductPlan, k: number, p: bigint): BandDescription {
  const cut = pl.band!.cut;
  const mChunks = chunksOf(pl.spec.xBits, pl.spec.tile[0]).map((c) => ({ lo: c.lo, width: c.width }));
  const terms: BandDescription['terms'] = [];
  for (const t of bandTiles(pl, p)) {
    // A power-of-two chunk is wiring: the m chunk itself at the shifted weight.
    const c = t.kind === 'pow2' ? 1n : t.constant!;
    terms.push({ chunk: t.i, c, shift: t.shift, fragLo: Math.max(0, cut - t.shift), fragHi: t.width - 1 });
  }
  return { mChunks, terms, tLo: { lo: cut, hi: k - 1 }, constant: 1n << BigInt(k - 1) };
}

export function montmulLemmas(field: FieldSpec, raw: RawParams, opts: MontmulProofOptions = {}): Lemma[] {
  const planned = planMontmul(field, raw, opts.montmul);
  const { top, mf } = planned;
  const plans = opts.plans ?? planned.plans;
  const W = mf.bits;
  const k = mf.k;
  const { ab, m, mp } = plans;
  const x = (w: number) => Poly.input('x', w);
  const lemmas: Lemma[] = [];
  const abHow = ab.karatsuba ? `${ab.tiles} tiles, Karatsuba ${ab.karatsuba.levels} level(s)` : `${ab.tiles} tiles`;
  const constB = opts.montmul?.constB;
  if (constB !== undefined) {
    lemmas.push(symbolicLemma('ab.product', `${ab.spec.name}: out = x·${shortHex(constB)} exactly (${W} bits by the constant, ${ab.spec.constMode === 'csd' ? 'shift-and-add' : `${ab.tiles} tiles`}; no adder truncates)`, () => {
      proveProduct(ab.netlist, outName(ab), x(W).scale(constB), 2 * W);
    }));
  } else {
    lemmas.push(symbolicLemma('ab.product', `${ab.spec.name}: out = x·y exactly (${W}×${W} bits, ${abHow}; every partial product once, no adder truncates)`, () => {
      proveProduct(ab.netlist, outName(ab), x(W).mul(Poly.input('y', W)), 2 * W);
    }));
  }
  lemmas.push(symbolicLemma('m.product', `${m.spec.name}: out = x·p′ mod 2^${k} (p′ = ${shortHex(mf.pPrime)}, ${m.spec.constMode === 'csd' ? 'shift-and-add' : `${m.tiles} tiles`})`, () => {
    proveProduct(m.netlist, outName(m), x(k).scale(mf.pPrime), k);
  }));
  const n = mp.spec.outBits;
  if (mp.band) {
    const band = bandDescription(mp, k, mf.p);
    const cut = mp.band.cut;
    lemmas.push(symbolicLemma('mp.tiles', `${mp.spec.name}: each of the ${band.terms.length} kept tiles is its register, exactly: the m chunk times p's own bits there, mod 2^(tile width); ${mp.band.droppedTiles} tiles wholly below bit ${cut} are not built`, () => {
      // The band lemma reads the tiles from the planner's grid: each register must hold exactly
      // that (its width, its m bits, its constant), or the two could disagree unseen.
      for (const t of bandTiles(mp, mf.p)) {
        const name = `pp_${t.i}_${t.j}`;
        const st = mp.netlist.stmts.find((x) => x.name === name);
        if (!st) throw new LemmaFailure(`tile ${name} (m[${t.xLo + t.xWidth - 1}:${t.xLo}] at weight 2^${t.shift}) is missing`);
        if (st.width !== t.width) throw new LemmaFailure(`tile ${name} is ${st.width} bits, the band lemma counts ${t.width}`);
        const c = t.kind === 'pow2' ? 1n : (mf.p >> BigInt(t.yLo)) & ((1n << BigInt(t.yWidth)) - 1n);
        proveProduct(mp.netlist, name, Poly.atom('x', t.xLo + t.xWidth - 1, t.xLo).scale(c), t.width);
      }
    }));
    lemmas.push(symbolicLemma('mp.tree', `${mp.spec.name}: out = bits [${n - 1}:${k}] of Σ kept tiles from bit ${cut} up + T_hi·2^${k} + T_lo[${k - 1}:${cut}]·2^${cut} + 2^${k - 1}`, () => {
      let target = Poly.input('t_hi', 2 * W - k).shl(k).add(Poly.input('t_lo_band', k - cut).shl(cut)).add(Poly.constant(1n << BigInt(k - 1)));
      for (const t of bandTiles(mp, mf.p)) {
        const name = `pp_${t.i}_${t.j}`;
        if (t.shift >= cut) {
          const chunk = Poly.atom('x', t.xLo + t.xWidth - 1, t.xLo);
          target = target.add((t.kind === 'pow2' ? chunk : chunk.scale(t.constant!)).shl(t.shift));
        } else target = target.add(Poly.atom(name, t.width - 1, cut - t.shift).shl(cut));
      }
      proveProduct(mp.netlist, outName(mp), target, n, { outLo: k });
    }));
  } else {
    lemmas.push(symbolicLemma('mp.tree', `${mp.spec.name}: out = bits [${n - 1}:${k}] of x·p + T_hi·2^${k} + [T_lo ≠ 0]·2^${k} (${mp.spec.constMode === 'csd' ? 'shift-and-add' : `${mp.tiles} tiles`})`, () => {
      const target = x(k).scale(mf.p).add(Poly.input('t_hi', 2 * W - k).shl(k)).add(Poly.input('t_lo_nz', 1).shl(k));
      proveProduct(mp.netlist, outName(mp), target, n, { outLo: k });
    }));
  }
  // The template around the products: read from the Verilog the generator writes.
  const design = generateMontmul(field, raw, opts.montmul);
  const text = design.modules.find((mod) => mod.name === top)!.text;
  const pFound = /localparam \[(\d+):0\] P = \d+'h([0-9a-f]+);/.exec(text);
  const uFound = /wire \[(\d+):0\] u;/.exec(text);
  lemmas.push(...redcLemmas({
    p: mf.p, k, W, pPrime: mf.pPrime,
    // The u register and the subtracted P as the Verilog has them (a wrong one fails a lemma).
    uBits: uFound ? Number(uFound[1]) + 1 : 0,
    ...(pFound ? { rtlP: BigInt(`0x${pFound[2]}`) } : {}),
    ...(mp.band ? { band: bandDescription(mp, k, mf.p) } : {}),
  }, { timeoutMs: opts.timeoutMs }));
  const side = mp.band ? mp.band.cut : 0;
  lemmas.push({
    name: 'rtl.wiring',
    statement: `${top}.v: P = p (${W + 1} bits); u is ${W + 1} bits; ${side ? `T_lo[${k - 1}:${side}]` : '[T_lo ≠ 0]'} and T_hi wait ${m.latency} cycles for m; each product's output is its netlist's, ${ab.latency}/${m.latency}/${mp.latency} cycles (latency ${plans.latency})`,
    method: 'text',
    check() {
      const fail = (what: string) => { throw new LemmaFailure(`${top}.v: ${what}`); };
      if (!pFound) fail('no localparam P');
      if (Number(pFound![1]) !== W || BigInt(`0x${pFound![2]}`) !== mf.p) fail(`subtracts P = 0x${pFound![2]} (${Number(pFound![1]) + 1} bits), p = ${shortHex(mf.p)}`);
      if (!uFound || Number(uFound[1]) !== W) fail(`u is not ${W + 1} bits`);
      const sideText = side ? `t_lo[${k - 1}:${side}]` : '|t_lo';
      if (!text.includes(`t_side = ${sideText};`)) fail(`t_side is not ${sideText}`);
      const delay = /zkrtl_delay #\(\.WIDTH\((\d+)\), \.DEPTH\((\d+)\)\) u_t_hi_delay \(\.clk\(clk\), \.d\(\{t_hi, t_side\}\)/.exec(text);
      const sideWidth = side ? k - side : 1;
      if (m.latency > 0 && (!delay || Number(delay[1]) !== 2 * W - k + sideWidth || Number(delay[2]) !== m.latency)) fail(`the T_hi delay line is not ${2 * W - k + sideWidth} bits × ${m.latency} cycles`);
      const mpPorts = `.t_hi(t_hi_d[${2 * W - k + sideWidth - 1}:${sideWidth}]), .${side ? 't_lo_band' : 't_lo_nz'}(t_hi_d[${sideWidth - 1}:0])`;
      if (!text.includes(`${mp.spec.name} u_mp (.clk(clk), .x(m), ${mpPorts}, .out(u));`)) fail(`u_mp is not wired ${mpPorts}`);
      // Each product's latency is the clock stage of its output in the netlist it was printed from.
      for (const pl of [ab, m, mp]) {
        const stage = pl.netlist.stage({ k: 'sig', name: outName(pl), width: pl.outWidth });
        if (stage !== pl.latency && !(stage === -1 && pl.latency === 0)) fail(`${pl.spec.name} says latency ${pl.latency}, its output is at stage ${stage}`);
      }
      const valid = /reg \[(\d+):0\] valid_sr;/.exec(text);
      if (!valid || Number(valid[1]) + 1 !== plans.latency || plans.latency !== ab.latency + m.latency + mp.latency + 1) fail(`the valid pipeline is not ${plans.latency} cycles`);
    },
  });
  if (opts.endToEnd) {
    if (W > E2E_MAX_BITS) throw new UsageError(`--end-to-end proves primes up to ${E2E_MAX_BITS} bits by SAT; p has ${W}: leave it out (the other lemmas cover any width)`);
    let inner: Lemma | undefined;
    lemmas.push({
      name: 'e2e.sat',
      statement: `${top}.v, the whole Verilog lowered by Yosys to gates: feed-forward with ${design.manifest.latency} registers on every path from a, b to out (checked), out = a·b·R⁻¹ mod p for all a, b < p (the gate netlist evaluated on all p² pairs), out_valid = in_valid ${design.manifest.latency} cycles later (SAT)`,
      method: 'yosys-sat+exhaustive',
      async check() {
        inner ??= await proveEndToEnd(design, { waveformDir: opts.waveformDir, timeoutSeconds: opts.timeoutMs ? opts.timeoutMs / 1000 : undefined });
        await inner.check();
      },
    });
  }
  return lemmas;
}

type Target = { field: FieldSpec; params: RawParams; top: string };

/**
 * The fixed-prime multipliers a config emits, by block: its own montmuls and modmuls, and the
 * ones inside butterflies and NTTs (by their mult=), point adders and MSMs (montmuls). The
 * programmable twin (prime=runtime) and the shift multiplier have no lemmas and are left out.
 */
export function configMultipliers(config: ZkrtlConfig): { montmul: Target[]; modmul: Target[] } {
  const found = { montmul: new Map<string, Target>(), modmul: new Map<string, Target>() };
  const add = (kind: 'montmul' | 'modmul', field: FieldSpec, raw: RawParams) => {
    const names = (kind === 'montmul' ? MONTMUL_PARAMS : MODMUL_PARAMS).map((d) => d.name);
    const params = Object.fromEntries(Object.entries(raw).filter(([key]) => names.includes(key)));
    const top = kind === 'montmul' ? planMontmul(field, params).top : planModmul(field, params).plan.top;
    if (!found[kind].has(top)) found[kind].set(top, { field, params, top });
  };
  const visit = (block: string, field: FieldSpec, raw: RawParams) => {
    if (raw.prime === 'runtime') return;
    if (block === 'modmul') add('modmul', field, raw);
    else if (block === 'montmul' || block === 'ecadd' || block === 'msm') add('montmul', field, raw);
    else if (block === 'butterfly' || block === 'ntt') {
      const mult = raw.mult ?? 'montmul';
      if (mult === 'montmul' || mult === 'modmul') add(mult, field, raw);
    }
  };
  for (const block of config.blocks) for (const f of config.fields) visit(block, f, config.params[block] ?? {});
  for (const d of config.designs) {
    for (const params of d.params.length ? d.params : [{}]) {
      for (const f of d.fields) visit(d.block, f, params);
      for (const c of d.curves) visit(d.block, c.field, params);
    }
  }
  return { montmul: [...found.montmul.values()], modmul: [...found.modmul.values()] };
}

/** Every montmul a config emits: its own, and the ones inside butterflies, NTTs, adders, MSMs. */
export function configMontmuls(config: ZkrtlConfig): Target[] {
  return configMultipliers(config).montmul;
}
