// Point adders through the fixed-latency pipeline harness: a simulation-only wrapper packs
// {tag, mode, Q, P} into the harness' operand and {tag, result} into its output, so the same
// harness checks values, the exact latency, II = 1, bubbles and reset as for every block.
// Each result is compared coordinate by coordinate with the golden model: the same
// projective representative, not merely the same point. A mismatch is reported with the
// operation, its points and mode, the coordinate that differs, the cycle and a waveform.
import { UsageError, readUserFile } from '../base/errors.ts';
import type { Progress } from '../base/progress.ts';
import type { CurveSpec } from '../curves/registry.ts';
import { customField } from '../fields/registry.ts';
import { hex as hx, verilogSources, type GeneratedDesign } from '../gen/design.ts';
import {
  addAffine, adderFormula, curveMontgomery, edwardsExtended, edwardsModelOrThrow, edwardsPrecomputed, generator,
  mulAffine, negAffine, scaleProjective, sqrtMod, toEdwards, weierstrassProjective,
  type Affine, type AdderFormula, type AddMode, type CurveForm, type EdwardsModel,
} from '../model/curve.ts';
import type { MontgomeryField } from '../model/field.ts';
import { runSlp } from '../model/slp.ts';
import { measureIi, runModes, type RunResult } from './equivalence.ts';
import { Rng } from './vectors.ts';
import { MAX_SIM_WIDTH, SimMismatchError, buildPipelineSim, runPipelineSim } from './verilator.ts';

/** One addition as the ports take it: coordinates in Montgomery form. */
export interface EcaddOp {
  p: bigint[];
  q: bigint[];
  /** Full addition (in_mode = 1); mixed when false. Ignored by single-mode adders. */
  full: boolean;
  tag: bigint;
  /** What the vector is, for reports: "random", "P + P", … */
  kind: string;
}

export interface EcaddContext {
  curve: CurveSpec;
  form: CurveForm;
  mode: AddMode;
  tagBits: number;
  mf: MontgomeryField;
  formula: AdderFormula;
  edwards?: EdwardsModel;
}

/** The curve an ecadd manifest states (named or custom). */
export function curveOfManifest(design: GeneratedDesign): CurveSpec {
  const m = design.manifest;
  const c = m.curve as { name: string; b: string; n: string; h?: string; gx: string; gy: string; source: string };
  const field = customField(m.field!.p);
  return {
    name: c.name, tag: c.name.replace(/[^a-z0-9]/gi, '_'), description: c.name, field,
    n: BigInt(c.n), h: c.h === undefined ? undefined : BigInt(c.h), b: BigInt(c.b), gx: BigInt(c.gx), gy: BigInt(c.gy), source: c.source,
  };
}

/** The curve, formula and Montgomery field of an ecadd design (rebuilt from its manifest). */
export function ecaddContext(design: GeneratedDesign, curve: CurveSpec = curveOfManifest(design)): EcaddContext {
  const m = design.manifest;
  if (m.block !== 'ecadd') throw new Error(`internal: ${design.top} is not an ecadd`);
  const form = m.params.form as CurveForm;
  const mode = m.params.mode as AddMode;
  const mf = curveMontgomery(curve, m.montgomery!.k);
  return {
    curve, form, mode, tagBits: Number(m.params.tagbits), mf,
    formula: adderFormula(curve, mf, form, mode),
    edwards: form === 'edwards' ? edwardsModelOrThrow(curve) : undefined,
  };
}

/** The golden model's result coordinates for one operation. */
export function ecaddExpected(ctx: EcaddContext, op: EcaddOp): bigint[] {
  return runSlp(ctx.formula.slp, ctx.mf, [...op.p, ...op.q], ctx.mode === 'mixed' ? false : ctx.mode === 'full' ? true : op.full);
}

// ---------------------------------------------------------------------------------------
// Vectors

/** Points of the prime-order subgroup: a random walk from random multiples of G. */
export function randomPoints(c: CurveSpec, count: number, rng: Rng): Affine[] {
  const G = generator(c);
  const pool: Affine[] = [];
  for (let i = 0; i < 8; i++) pool.push(mulAffine(c, G, 1n + (rng.bits(c.n.toString(2).length) % (c.n - 1n))));
  const out: Affine[] = [];
  let acc: Affine = pool[0]!;
  for (let i = 0; i < count; i++) {
    acc = addAffine(c, acc, pool[rng.int(pool.length)]!);
    if (acc === null) acc = pool[1]!;
    out.push(acc);
  }
  return out;
}

/** A non-zero scale λ for a projective representative: edge values and random ones. */
function randomScale(mf: MontgomeryField, rng: Rng): bigint {
  const pick = rng.int(8);
  if (pick === 0) return 1n;
  if (pick === 1) return mf.p - 1n;
  if (pick === 2) return 2n;
  for (;;) {
    const l = rng.below(mf.p);
    if (l !== 0n) return l;
  }
}

/** The P operand: projective / extended coordinates of an affine point, scaled by λ. */
function pOperand(ctx: EcaddContext, P: Affine, lambda: bigint): bigint[] {
  if (ctx.form === 'weierstrass') return scaleProjective(ctx.mf, weierstrassProjective(ctx.mf, P), lambda);
  return scaleProjective(ctx.mf, edwardsExtended(ctx.mf, toEdwards(ctx.curve, ctx.edwards!, P)), lambda);
}

/** The Q operand of a full or mixed operation, in the ports' layout. */
function qOperand(ctx: EcaddContext, Q: Affine, full: boolean, lambda: bigint): bigint[] {
  const { mf } = ctx;
  let q: bigint[];
  if (full) {
    q = pOperand(ctx, Q, lambda);
  } else if (ctx.form === 'weierstrass') {
    if (Q === null) throw new Error('internal: a mixed Weierstrass operand cannot be O');
    q = weierstrassProjective(mf, Q).slice(0, 2);
    if (ctx.mode === 'both') q.push(0n); // the Z port, ignored by mixed operations
  } else {
    q = edwardsPrecomputed(mf, ctx.edwards!, toEdwards(ctx.curve, ctx.edwards!, Q));
    if (ctx.mode === 'both') q.push(0n); // the Z port, ignored by mixed operations
  }
  return q;
}

/** Operations whose mode this adder can run. */
function modesOf(ctx: EcaddContext): boolean[] {
  return ctx.mode === 'mixed' ? [false] : ctx.mode === 'full' ? [true] : [true, false];
}

/**
 * The edge operations of the model's contract — P + P, P + (−P), P + O, O + P, O + O, small
 * multiples of G, points with x = 0 or y = 0 where the curve has them — for every mode the
 * adder runs, then `randomCount` random operations (random points, random representatives,
 * random modes and tags).
 */
export function ecaddVectors(ctx: EcaddContext, randomCount: number, seed: number): EcaddOp[] {
  const c = ctx.curve;
  const rng = new Rng(seed ^ 0x3c6ef372);
  const ops: EcaddOp[] = [];
  const push = (kind: string, P: Affine, Q: Affine, full: boolean, lp = randomScale(ctx.mf, rng), lq = randomScale(ctx.mf, rng)) => {
    // Mixed Weierstrass operands are affine: O cannot be one.
    if (!full && ctx.form === 'weierstrass' && Q === null) return;
    const q = qOperand(ctx, Q, full, lq);
    // A mixed operation of a both-mode adder ignores its last Q port: drive garbage into it.
    if (!full && ctx.mode === 'both') q[q.length - 1] = rng.below(ctx.mf.p);
    // Random tags, so every tag bit toggles.
    ops.push({ p: pOperand(ctx, P, lp), q, full, tag: rng.bits(ctx.tagBits), kind });
  };
  const G = generator(c);
  const multiples: Affine[] = [G];
  for (let i = 2; i <= 6; i++) multiples.push(mulAffine(c, G, BigInt(i)));
  const [P] = randomPoints(c, 1, rng);
  const special: Array<[string, Affine]> = [];
  // x = 0: y² = b; y = 0: x³ = −b (a point of order 2, only on curves of even order).
  const y0 = sqrtMod(c.b, c.field.p);
  if (y0 !== undefined) special.push(['x = 0', { x: 0n, y: y0 }]);
  for (const full of modesOf(ctx)) {
    push('P + P', P!, P!, full);
    push('P + P (same representative)', P!, P!, full, 1n, 1n);
    push('P + (-P)', P!, negAffine(c, P!), full);
    push('P + O', P!, null, full);
    push('O + P', null, P!, full);
    push('O + O', null, null, full);
    push('O + G', null, G, full);
    for (let i = 0; i < multiples.length; i++) {
      for (let j = 0; j < multiples.length; j++) push(`${i + 1}G + ${j + 1}G`, multiples[i]!, multiples[j]!, full);
      push(`${i + 1}G + (-${i + 1}G)`, multiples[i]!, negAffine(c, multiples[i]!), full);
    }
    if (ctx.form === 'weierstrass') {
      for (const [what, S] of special) {
        push(`${what} + itself`, S, S, full);
        push(`${what} + its negation`, S, negAffine(c, S), full);
        push(`P + (${what})`, P!, S, full);
        push(`(${what}) + P`, S, P!, full);
      }
    }
  }
  const points = randomPoints(c, Math.max(2, randomCount + 1), rng);
  const modes = modesOf(ctx);
  for (let i = 0; i < randomCount; i++) {
    const full = modes[rng.int(modes.length)]!;
    // One in 16: a doubling or an inverse pair, the cases incomplete formulas get wrong.
    const r = rng.int(16);
    const Q = r === 0 ? points[i]! : r === 1 ? negAffine(c, points[i]!) : points[i + 1]!;
    push(r === 0 ? 'random doubling' : r === 1 ? 'random P + (-P)' : 'random', points[i]!, Q, full);
  }
  return ops;
}

// ---------------------------------------------------------------------------------------
// The harness

interface Packing {
  /** Bits of P and Q coordinates, the mode bit, the tag (low to high) in the packed operand. */
  inBits: number;
  outBits: number;
  width: number;
  nIn: number;
  nOut: number;
}

function packing(ctx: EcaddContext): Packing {
  const W = ctx.mf.bits;
  const nIn = ctx.formula.pCoords.length + ctx.formula.qCoords.length;
  const nOut = ctx.formula.outCoords.length;
  const inBits = nIn * W + (ctx.mode === 'both' ? 1 : 0) + ctx.tagBits;
  const outBits = nOut * W + ctx.tagBits;
  return { inBits, outBits, width: Math.max(inBits, outBits), nIn, nOut };
}

function wrapper(design: GeneratedDesign, ctx: EcaddContext): { top: string; text: string } {
  const W = ctx.mf.bits;
  const pk = packing(ctx);
  const top = `sim_${design.top}`;
  const ins = [...ctx.formula.pCoords, ...ctx.formula.qCoords];
  const conns: string[] = ['.clk(clk)', '.rst(rst)', '.in_valid(in_valid)'];
  ins.forEach((name, i) => conns.push(`.${name}(a[${(i + 1) * W - 1}:${i * W}])`));
  let bit = pk.nIn * W;
  if (ctx.mode === 'both') conns.push(`.in_mode(a[${bit++}])`);
  if (ctx.tagBits > 0) conns.push(`.in_tag(a[${bit + ctx.tagBits - 1}:${bit}])`);
  conns.push('.out_valid(out_valid)');
  ctx.formula.outCoords.forEach((name) => conns.push(`.${name}(r_${name})`));
  if (ctx.tagBits > 0) conns.push('.out_tag(r_tag)');
  const outParts = [...(ctx.tagBits > 0 ? ['r_tag'] : []), ...[...ctx.formula.outCoords].reverse().map((n) => `r_${n}`)];
  const pad = pk.width - pk.outBits;
  const text = `// Simulation-only wrapper: the pipeline harness' a = {0, tag, mode, Q, P}, out = {0, tag, result}.
\`default_nettype none
module ${top} (
    input  wire clk,
    input  wire rst,
    input  wire in_valid,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [${pk.width - 1}:0] a,
    input  wire [${pk.width - 1}:0] b,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire out_valid,
    output wire [${pk.width - 1}:0] out
);
${ctx.formula.outCoords.map((n) => `    wire [${W - 1}:0] r_${n};`).join('\n')}
${ctx.tagBits > 0 ? `    wire [${ctx.tagBits - 1}:0] r_tag;\n` : ''}    ${design.top} u_dut (
        ${conns.join(',\n        ')}
    );
    assign out = {${pad > 0 ? `${pad}'d0, ` : ''}${outParts.join(', ')}};
endmodule
\`default_nettype wire
`;
  return { top, text };
}

export async function buildEcaddSim(design: GeneratedDesign, ctx: EcaddContext, progress: Progress): Promise<string> {
  const pk = packing(ctx);
  if (pk.width > MAX_SIM_WIDTH) {
    throw new Error(`ecadd simulation packs ${pk.width} bits into the harness port, which carries at most ${MAX_SIM_WIDTH}`);
  }
  const w = wrapper(design, ctx);
  return buildPipelineSim({ top: w.top, files: { ...verilogSources(design), [`${w.top}.v`]: w.text }, onProgress: (s) => progress.step(s) });
}

function packOp(ctx: EcaddContext, op: EcaddOp): bigint {
  const W = BigInt(ctx.mf.bits);
  let v = 0n;
  [...op.p, ...op.q].forEach((x, i) => (v |= x << (BigInt(i) * W)));
  let bit = BigInt(op.p.length + op.q.length) * W;
  if (ctx.mode === 'both') v |= (op.full ? 1n : 0n) << bit++;
  if (ctx.tagBits > 0) v |= op.tag << bit;
  return v;
}

function packResult(ctx: EcaddContext, coords: bigint[], tag: bigint): bigint {
  const W = BigInt(ctx.mf.bits);
  let v = 0n;
  coords.forEach((x, i) => (v |= x << (BigInt(i) * W)));
  if (ctx.tagBits > 0) v |= tag << (BigInt(coords.length) * W);
  return v;
}

export function unpackResult(ctx: EcaddContext, v: bigint): { coords: bigint[]; tag: bigint } {
  const W = BigInt(ctx.mf.bits);
  const mask = (1n << W) - 1n;
  const coords = ctx.formula.outCoords.map((_, i) => (v >> (BigInt(i) * W)) & mask);
  const tag = ctx.tagBits > 0 ? (v >> (BigInt(coords.length) * W)) & ((1n << BigInt(ctx.tagBits)) - 1n) : 0n;
  return { coords, tag };
}


/** What went wrong in one operation, coordinate by coordinate, for a mismatch report. */
export function describeMismatch(ctx: EcaddContext, op: EcaddOp, index: number, got: { coords: bigint[]; tag: bigint }): string {
  const want = ecaddExpected(ctx, op);
  const lines = [`operation ${index} (${op.kind}${ctx.mode === 'both' ? `, ${op.full ? 'full' : 'mixed'}` : ''}):`];
  lines.push(`  P = (${op.p.map(hx).join(', ')})`, `  Q = (${op.q.map(hx).join(', ')})`);
  ctx.formula.outCoords.forEach((name, i) => {
    if (got.coords[i] !== want[i]) lines.push(`  ${name}: expected ${hx(want[i]!)}, got ${hx(got.coords[i]!)}`);
  });
  if (ctx.tagBits > 0 && got.tag !== op.tag) lines.push(`  out_tag: expected ${hx(op.tag)}, got ${hx(got.tag)}`);
  return lines.join('\n');
}

/** Throws SimMismatchError on the first mismatch; its message names the operation and coordinate. */
export async function checkEcadd(
  design: GeneratedDesign,
  ctx: EcaddContext,
  ops: EcaddOp[],
  opts: { progress: Progress; seed: number; waveformDir: string },
): Promise<RunResult[]> {
  const binary = await buildEcaddSim(design, ctx, opts.progress);
  const packed = ops.map((op): [bigint, bigint] => [packOp(ctx, op), 0n]);
  const expected = ops.map((op) => packResult(ctx, ecaddExpected(ctx, op), op.tag));
  try {
    return await runModes(binary, design, packing(ctx).width, packed, expected, opts);
  } catch (e) {
    if (!(e instanceof SimMismatchError)) throw e;
    // The harness names the vector and cycle; add which coordinate of which operation.
    const m = /vector (\d+)[\s\S]*?got\s+= 0x([0-9a-f]+)/.exec(e.message);
    if (!m) throw e;
    const i = Number(m[1]);
    throw new SimMismatchError(`${e.message}\n${describeMismatch(ctx, ops[i]!, i, unpackResult(ctx, BigInt(`0x${m[2]}`)))}`, e.waveformPath);
  }
}

// ---------------------------------------------------------------------------------------
// External vectors: one operation per line, hex coordinates as the ports take them.

/** The line layout a vector file needs for this adder, for messages and --help. */
export function ecaddLineFormat(ctx: EcaddContext): string {
  return `${ctx.mode === 'both' ? 'MODE (1 full, 0 mixed) ' : ''}${[...ctx.formula.pCoords, ...ctx.formula.qCoords].join(' ')} (hex, Montgomery form)`;
}

/** Is this operand (ports' layout, Montgomery form) a point of the curve? */
function operandOnCurve(ctx: EcaddContext, coords: bigint[], asQ: boolean, full: boolean): boolean {
  const { mf, curve } = ctx;
  const p = mf.p;
  const v = coords.map((x) => (x * mf.rInv) % p);
  if (ctx.form === 'weierstrass') {
    if (asQ && !full) return (v[1]! * v[1]! - v[0]! ** 3n - curve.b) % p === 0n;
    const [X, Y, Z] = v as [bigint, bigint, bigint];
    if (X === 0n && Z === 0n) return Y !== 0n; // O = (0:Y:0)
    return (Y * Y * Z - X ** 3n - curve.b * Z ** 3n) % p === 0n && !(Z === 0n);
  }
  const e = ctx.edwards!;
  if (asQ && !full) {
    // (y − x, y + x, k·x·y): recover x, y and check the curve and the third value.
    const inv2 = (p + 1n) / 2n;
    const y = ((v[0]! + v[1]!) * inv2) % p;
    const x = (((v[1]! - v[0]! + p) % p) * inv2) % p;
    return ((-x * x + y * y - 1n - e.d * x * x % p * y * y) % p + p) % p === 0n && (e.k * x % p * y - v[2]!) % p === 0n;
  }
  const [X, Y, T, Z] = v as [bigint, bigint, bigint, bigint];
  if (Z === 0n) return false;
  const onCurve = ((-X * X + Y * Y - Z * Z - e.d * T % p * T) % p + p) % p === 0n;
  return onCurve && (X * Y - T * Z) % p === 0n;
}

/** Reads one operation per line; rejects non-hex, coordinates ≥ p and points off the curve. */
export function readEcaddInput(path: string, ctx: EcaddContext): EcaddOp[] {
  const text = readUserFile(path, 'vector file');
  const nP = ctx.formula.pCoords.length;
  const nQ = ctx.formula.qCoords.length;
  const both = ctx.mode === 'both';
  const ops: EcaddOp[] = [];
  const tagMask = (1n << BigInt(ctx.tagBits)) - 1n;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const where = `${path}:${i + 1}`;
    const fields = line.split(/[\s,]+/);
    const want = nP + nQ + (both ? 1 : 0);
    if (fields.length !== want || !fields.every((f) => /^(0x)?[0-9a-fA-F]+$/.test(f))) {
      throw new UsageError(`${where}: '${raw.trim()}' is not an operation: give ${want} hex numbers, ${ecaddLineFormat(ctx)}`);
    }
    const nums = fields.map((f) => BigInt(f.startsWith('0x') ? f : `0x${f}`));
    let full = ctx.mode === 'full';
    if (both) {
      const m = nums.shift()!;
      if (m > 1n) throw new UsageError(`${where}: mode ${m} is not accepted: give 1 (full) or 0 (mixed)`);
      full = m === 1n;
    }
    nums.forEach((v, j) => {
      if (v >= ctx.mf.p) throw new UsageError(`${where}: coordinate ${j + 1} = ${hx(v)} is not below p = ${hx(ctx.mf.p)}: coordinates must be canonical (Montgomery form)`);
    });
    const p = nums.slice(0, nP);
    const q = nums.slice(nP);
    if (!operandOnCurve(ctx, p, false, true)) throw new UsageError(`${where}: P = (${p.map(hx).join(', ')}) is not a point of ${ctx.curve.name} in ${ctx.formula.pCoords.join(', ')} (Montgomery form)`);
    if (!operandOnCurve(ctx, q, true, full)) throw new UsageError(`${where}: Q = (${q.map(hx).join(', ')}) is not a point of ${ctx.curve.name} in the ${full ? 'full' : 'mixed'} operand format`);
    ops.push({ p, q, full, tag: BigInt(ops.length) & tagMask, kind: `line ${i + 1}` });
  });
  if (ops.length === 0) throw new UsageError(`vector file ${path} holds no operations: one per line, ${ecaddLineFormat(ctx)}`);
  return ops;
}

/**
 * Runs `ops` back to back through a built simulator, every result checked against the model;
 * resolves with the cycles and the wall time of the simulation loop (for the benchmark).
 */
/** Back-to-back operations, every result checked; II from the cycles the results came out (measureIi). */
export async function timeEcadd(binary: string, design: GeneratedDesign, ctx: EcaddContext, ops: EcaddOp[]): Promise<{ cycles: number; seconds: number; ii: number; maxGap: number; dropped: number }> {
  const r = await measureIi({
    binary, latency: design.manifest.latency!, width: packing(ctx).width,
    vectors: ops.map((op) => [packOp(ctx, op), 0n]),
    expected: ops.map((op) => packResult(ctx, ecaddExpected(ctx, op), op.tag)),
  });
  return { cycles: r.cycles, seconds: r.seconds, ii: r.ii!, maxGap: r.maxGap!, dropped: r.dropped };
}

/** The RTL's results for external operations (one line of hex coordinates each) and the model's. */
export async function runEcaddFile(design: GeneratedDesign, ctx: EcaddContext, ops: EcaddOp[], progress: Progress): Promise<{ got: bigint[][]; want: bigint[][] }> {
  const binary = await buildEcaddSim(design, ctx, progress);
  const run = await runPipelineSim({ binary, latency: design.manifest.latency!, width: packing(ctx).width, vectors: ops.map((op) => [packOp(ctx, op), 0n]) });
  return { got: run.outputs.map((v) => unpackResult(ctx, v).coords), want: ops.map((op) => ecaddExpected(ctx, op)) };
}
