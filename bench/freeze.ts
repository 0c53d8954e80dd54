// Section "What freezing the prime buys": per field, the frozen best (montmul, or modmul where
// p has a fold form and the fold is cheaper), the programmable-prime twin at the prime's own
// width, and the twin at width 384 (one chip for every curve), all synthesized in one run with
// Yosys `synth_xilinx -family xcup`. Ratios are programmable : frozen.
import type { Progress } from '../src/base/progress.ts';
import { namedField } from '../src/fields/registry.ts';
import { verilogSources, type GeneratedDesign } from '../src/gen/design.ts';
import { generateBlock } from '../src/gen/index.ts';
import { formsOf } from '../src/model/modmul.ts';
import { DEVICE_FOR_AUTO } from '../src/gen/product.ts';
import { synthesize, type SynthReport } from '../src/synth/synth.ts';

export const FREEZE_FIELDS = ['bn254.fr', 'bn254.fp', 'bls12_381.fp', 'bls12_377.fp', 'goldilocks', 'babybear', 'koalabear', 'mersenne31', 'curve25519', 'secp256k1'];
/** The one-chip-for-every-curve width. */
export const FREEZE_WIDE = 384;

export interface FreezeDesign {
  module: string;
  /** montmul, modmul (with its form) or the runtime twin. */
  kind: string;
  latency: number;
  xilinx: SynthReport;
}

export interface FreezeRow {
  field: string;
  bits: number;
  /** The frozen designs measured (montmul; modmul where its form folds), and which is cheaper. */
  frozen: FreezeDesign[];
  best: string;
  /** The twin at the prime's width and at FREEZE_WIDE (modules; the designs are in `twins`). */
  twinOwn: string;
  twinWide: string;
}

/** The NTT butterfly (kind ct): the frozen ones, each multiplier it takes, against the programmable one. */
export interface FreezeButterflyRow {
  field: string;
  bits: number;
  frozen: FreezeDesign[];
  best: string;
  twin: FreezeDesign;
}

export interface FreezeSection {
  rows: FreezeRow[];
  twins: FreezeDesign[];
  /** Absent in runs before the programmable butterfly existed. */
  butterflies?: FreezeButterflyRow[];
}

export const FREEZE_BUTTERFLY_FIELDS = ['goldilocks', 'babybear'];

/** Share of a VU9P: how "cheaper" is decided (the measure karatsuba=auto and reduce=auto use). */
export const share = (x: SynthReport) => x.dsps / DEVICE_FOR_AUTO.dsp + x.luts / DEVICE_FOR_AUTO.lut + x.ffs / DEVICE_FOR_AUTO.ff;

async function measure(d: GeneratedDesign, kind: string, step: (s: string) => void): Promise<FreezeDesign> {
  step(`yosys xilinx ${d.top}`);
  const xilinx = (await synthesize({ top: d.top, files: verilogSources(d), target: 'xilinx', onStep: (s) => step(`yosys xilinx ${d.top}: ${s}`) })).report;
  return { module: d.top, kind, latency: d.manifest.latency!, xilinx };
}

export async function benchFreeze(progress: Progress): Promise<FreezeSection> {
  const widths = [...new Set(FREEZE_FIELDS.map((f) => namedField(f).bits)), FREEZE_WIDE].sort((a, b) => a - b);
  const total = FREEZE_FIELDS.length + widths.length + FREEZE_BUTTERFLY_FIELDS.length;
  let item = 0;
  const stepOf = (label: string) => { item++; const n = item; return (s: string) => progress.step(`[${n}/${total}] ${label}: ${s}`); };
  const rows: FreezeRow[] = [];
  // Small designs first: a long run shows its figures early.
  for (const name of [...FREEZE_FIELDS].sort((a, b) => namedField(a).bits - namedField(b).bits)) {
    const field = namedField(name);
    const step = stepOf(name);
    const frozen: FreezeDesign[] = [await measure(generateBlock('montmul', field, {}), 'montmul', step)];
    const modmul = generateBlock('modmul', field, {});
    const form = (modmul.manifest.reduce as { form: string }).form;
    // The Montgomery route of modmul is two montmuls: never cheaper than one, not measured.
    if (!form.startsWith('montgomery')) frozen.push(await measure(modmul, `modmul (${form})`, step));
    const best = frozen.reduce((a, b) => (share(b.xilinx) < share(a.xilinx) ? b : a));
    rows.push({ field: name, bits: field.bits, frozen, best: best.module, twinOwn: '', twinWide: '' });
  }
  const twins = new Map<number, FreezeDesign>();
  for (const w of widths) {
    const d = generateBlock('montmul', undefined, { prime: 'runtime', width: String(w) });
    twins.set(w, await measure(d, `programmable, width ${w}`, stepOf(`twin w${w}`)));
  }
  for (const r of rows) {
    r.twinOwn = twins.get(r.bits)!.module;
    r.twinWide = twins.get(FREEZE_WIDE)!.module;
  }
  const butterflies: FreezeButterflyRow[] = [];
  for (const name of FREEZE_BUTTERFLY_FIELDS) {
    const field = namedField(name);
    const step = stepOf(`butterfly ${name}`);
    const frozen: FreezeDesign[] = [];
    // Every multiplier the frozen butterfly takes on this prime (shift only where 2 has a small order).
    for (const mult of ['montmul', 'modmul', 'shift']) {
      let d: GeneratedDesign;
      try { d = generateBlock('butterfly', field, { kind: 'ct', mult }); } catch { continue; }
      frozen.push(await measure(d, `mult=${mult}`, step));
    }
    const twin = await measure(generateBlock('butterfly', undefined, { prime: 'runtime', width: String(field.bits), kind: 'ct' }), `programmable, width ${field.bits}`, step);
    const best = frozen.reduce((a, b) => (share(b.xilinx) < share(a.xilinx) ? b : a));
    butterflies.push({ field: name, bits: field.bits, frozen, best: best.module, twin });
  }
  return { rows: rows.sort((a, b) => FREEZE_FIELDS.indexOf(a.field) - FREEZE_FIELDS.indexOf(b.field)), twins: [...twins.values()], butterflies };
}

const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '–' : '∞') : `${(a / b).toFixed(2)}×`);


export function renderFreeze(section: FreezeSection): string[] {
  const L: string[] = [];
  const twin = (m: string) => section.twins.find((t) => t.module === m)!;
  L.push('## What freezing the prime buys', '');
  L.push(`Per field, from one run (Yosys \`synth_xilinx -family xcup\`): the frozen best — the field's \`montmul\`, or its \`modmul\` where p has a fold form (Mersenne, Solinas, pseudo-Mersenne) and the fold takes the smaller share of a VU9P (DSP/6,840 + LUT/1,182,240 + FF/2,364,480); a \`modmul\` by the Montgomery route is two montmuls and is not measured — against the programmable-prime twin (\`montmul --param prime=runtime\`, p and p′ loaded at run time, every product variable × variable) at the prime's own width and at width ${FREEZE_WIDE} (one chip for every curve here). Ratios are programmable : frozen, per resource and for the VU9P share. Longest path: \`ltp\` cells (LUT levels). Both sides compute in Montgomery form where the frozen best is a montmul; the twin is a montmul too.`, '');
  L.push(`| field | bits | frozen best | latency | LUT | FF | DSP48E2 | CARRY4 | longest path | twin (own width) LUT / FF / DSP / CARRY4 / path / latency | twin ${FREEZE_WIDE} LUT / FF / DSP / CARRY4 / path / latency | own width : frozen (LUT, FF, DSP, share) | ${FREEZE_WIDE} : frozen (LUT, FF, DSP, share) |`);
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const own: number[] = [];
  const wide: number[] = [];
  const ownDsp: number[] = [];
  const wideDsp: number[] = [];
  const path = (x: SynthReport) => `${x.longestPath.cells} (${x.longestPath.lutLevels ?? '–'})`;
  const brief = (t: FreezeDesign) => `${t.xilinx.luts} / ${t.xilinx.ffs} / ${t.xilinx.dsps} / ${t.xilinx.carry} / ${path(t.xilinx)} / ${t.latency}`;
  const ratios = (t: SynthReport, f: SynthReport) => `${ratio(t.luts, f.luts)}, ${ratio(t.ffs, f.ffs)}, ${ratio(t.dsps, f.dsps)}, ${ratio(share(t), share(f))}`;
  for (const r of section.rows) {
    const f = r.frozen.find((x) => x.module === r.best)!;
    const o = twin(r.twinOwn);
    const w = twin(r.twinWide);
    own.push(share(o.xilinx) / share(f.xilinx));
    wide.push(share(w.xilinx) / share(f.xilinx));
    if (f.xilinx.dsps > 0) { ownDsp.push(o.xilinx.dsps / f.xilinx.dsps); wideDsp.push(w.xilinx.dsps / f.xilinx.dsps); }
    const other = r.frozen.filter((x) => x !== f).map((x) => `${x.kind}: ${x.xilinx.luts} LUT, ${x.xilinx.dsps} DSP`).join('; ');
    L.push(`| ${r.field} | ${r.bits} | ${f.module} (${f.kind}${other ? `; not: ${other}` : ''}) | ${f.latency} | ${f.xilinx.luts} | ${f.xilinx.ffs} | ${f.xilinx.dsps} | ${f.xilinx.carry} | ${path(f.xilinx)} | ${brief(o)} | ${brief(w)} | ${ratios(o.xilinx, f.xilinx)} | ${ratios(w.xilinx, f.xilinx)} |`);
  }
  L.push('');
  const rng = (xs: number[]) => (xs.length ? `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}×` : '–');
  // Dense primes have no special form: their frozen best is a montmul on constants p and p′.
  // Special ones fold (or have sparse p, p′): freezing also buys the cheap reduction.
  const isSpecial = (r: FreezeRow) => formsOf(namedField(r.field).p).some((f) => f !== 'montgomery');
  const frozenOf = (r: FreezeRow) => r.frozen.find((x) => x.module === r.best)!.xilinx;
  const ownRatio = (r: FreezeRow) => share(twin(r.twinOwn).xilinx) / share(frozenOf(r));
  const wideRatio = (r: FreezeRow) => share(twin(r.twinWide).xilinx) / share(frozenOf(r));
  const dense = section.rows.filter((r) => !isSpecial(r));
  const special = section.rows.filter(isSpecial);
  const big = section.rows.filter((r) => r.bits >= 250);
  const small = section.rows.filter((r) => r.bits < 250);
  const names = (rs: FreezeRow[]) => rs.map((r) => r.field).join(', ');
  const against = (xs: number[], claim: number) => {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    if (hi < claim * 0.85) return `below the claimed ${claim}×`;
    if (lo > claim * 1.15) return `above the claimed ${claim}×`;
    return lo < claim * 0.85 && hi > claim * 1.15 ? `from below the claimed ${claim}× to above it` : `around the claimed ${claim}×`;
  };
  const wideSmall = small.map(wideRatio);
  const extreme = (rs: FreezeRow[], f: (r: FreezeRow) => number, sign: 1 | -1) => rs.reduce((a, b) => (sign * f(b) > sign * f(a) ? b : a)).field;
  L.push(`What it says about the claim "2× for freezing, up to 4× with the width": at the prime's own width the programmable twin takes ${rng(dense.map(ownRatio))} the frozen design's share of the device on the primes with no special form (${names(dense)}), ${against(dense.map(ownRatio), 2)}, and ${rng(special.map(ownRatio))} on the special ones (${names(special)}), ${against(special.map(ownRatio), 2)}${against(dense.map(ownRatio), 2).startsWith('below') && !against(special.map(ownRatio), 2).startsWith('below') ? ', so the 2× holds where freezing also buys a cheap reduction and not for dense curve primes' : ''}.`
    + ` Sized for ${FREEZE_WIDE}-bit primes, one programmable chip costs ${rng(big.map(wideRatio))} the frozen design per ≥ 250-bit prime (${against(big.map(wideRatio), 4)}: least for ${extreme(big, wideRatio, -1)}, most for ${extreme(big, wideRatio, 1)}) and ${rng(wideSmall)} per 31- or 64-bit prime, far beyond 4×, since a frozen small prime needs ${Math.min(...small.map((r) => frozenOf(r).dsps))}–${Math.max(...small.map((r) => frozenOf(r).dsps))} DSPs where the ${FREEZE_WIDE}-bit twin needs ${twin(section.rows[0]!.twinWide).xilinx.dsps}.`, '');
  if (section.butterflies?.length) {
    L.push('NTT butterfly (kind ct), frozen — with each multiplier it takes on the prime (`mult=shift`: twiddles that are powers of two, for N ≤ 64 on Goldilocks) — against the programmable butterfly (`butterfly --param prime=runtime`: the montmul twin, and an adder and subtractor whose p is a register loaded with it) at the prime\'s width:', '');
    L.push('| field | butterfly | multiplier | latency | LUT | FF | DSP48E2 | CARRY4 | longest path | programmable : this (LUT, FF, DSP, share) |');
    L.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const b of section.butterflies) {
      for (const d of [...b.frozen, b.twin]) {
        const x = d.xilinx;
        const mark = d.module === b.best ? ' (frozen best)' : '';
        L.push(`| ${b.field} | ${d.module}${mark} | ${d.kind} | ${d.latency} | ${x.luts} | ${x.ffs} | ${x.dsps} | ${x.carry} | ${path(x)} | ${d === b.twin ? '–' : ratios(b.twin.xilinx, x)} |`);
      }
    }
    L.push('');
  }
  return L;
}
