// Driver of the MSM harness (sim/msm_harness.cpp): whole MSMs through a generated core under
// Verilator, each checked three ways — the RTL's result equal to the golden model's
// coordinate for coordinate, the model's equal to @noble/curves' Pippenger as an affine point,
// and every phase's cycle count and addition count equal to the model's schedule. On a
// mismatch the run is repeated with the adder's write-backs traced, the first write-back
// that differs from the model names the MSM, phase, window, bucket and cycle, and a waveform
// around it is left in the waveform folder.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CurveSpec } from '../curves/registry.ts';
import { nobleCurve, noblePippenger, fromNoble, toNoble } from '../curves/noble.ts';
import type { GeneratedDesign } from '../gen/design.ts';
import { verilogSources } from '../gen/design.ts';
import { UsageError, readUserFile } from '../base/errors.ts';
import { affineEqual, negAffine, onCurve, type Affine, type CurveForm } from '../model/curve.ts';
import { msmContext, msmInputPoint, msmResultAffine, runMsm, signedDigits, type MsmContext, type MsmRun } from '../model/msm.ts';
import { curveOfManifest, randomPoints } from './ecadd-sim.ts';
import { Rng } from './vectors.ts';
import { REPO_ROOT, SimMismatchError, buildPipelineSim, checkHarnessExit, runSimulator } from './verilator.ts';

export const MSM_HARNESS_PATH = join(REPO_ROOT, 'sim', 'msm_harness.cpp');

interface Progress {
  step(s: string): void;
}

/** One MSM: plain affine points (not O), scalars below n, input bubbles (see accumulate). */
export interface MsmJob {
  points: Affine[];
  scalars: bigint[];
  /** gaps[i]: idle cycles before pair i is offered (gaps[0]: after the previous result). */
  gaps: number[];
  kind: string;
}

/** The model of a generated MSM core, rebuilt from its manifest. */
export function msmSimContext(design: GeneratedDesign, curve: CurveSpec = curveOfManifest(design)): MsmContext {
  const m = design.manifest;
  if (m.block !== 'msm') throw new Error(`internal: ${design.top} is not an msm core`);
  const adder = m.adder as { latency: number };
  return msmContext(curve, m.params.form as CurveForm, m.montgomery!.k, {
    c: Number(m.params.c), latency: adder.latency, fifoDepth: Number(m.params.fifo),
  });
}

// ---------------------------------------------------------------------------------------
// MSMs to run

const hx = (v: bigint) => `0x${v.toString(16)}`;

/** Random bubbles: mostly none, sometimes a few cycles. */
function randomGaps(n: number, rng: Rng): number[] {
  return Array.from({ length: n }, () => (rng.int(4) === 0 ? 1 + rng.int(6) : 0));
}

/**
 * A scalar whose signed digits are ±d (random signs, the top one positive) in windows 0..t
 * and 0 above, t the highest window that keeps it below n: every such pair lands in bucket
 * d − 1 of each of those windows.
 */
function sameBucketScalar(ctx: MsmContext, d: number, rng: Rng): bigint {
  const { c, windows } = ctx.shape;
  const step = 1n << BigInt(c);
  const D = BigInt(d);
  let t = 0;
  while (t + 1 < windows && (D + 1n) * step ** BigInt(t + 1) < ctx.curve.n) t++;
  // −2^(c−1) is not a digit of the recoding (it is written +2^(c−1)): only + for d = 2^(c−1).
  const signs = Array.from({ length: t + 1 }, (_, w) => (w === t || 2 * d === Number(step) || rng.int(2) ? 1n : -1n));
  let k = 0n;
  for (let w = t; w >= 0; w--) k = k * step + signs[w]! * D;
  const digits = signedDigits(k, c, windows);
  if (k <= 0n || k >= ctx.curve.n || digits.some((x, w) => (w <= t ? Math.abs(x) !== d : x !== 0))) {
    throw new Error(`internal: ${hx(k)} does not have digits ±${d} in windows 0..${t}`);
  }
  return k;
}

/**
 * The MSM families of the model's contract: random; scalars 0, 1 and n − 1; all scalars
 * equal; all zero; every pair in one bucket per window; repeated points; a point next to its
 * negation; results that are O. `random` random MSMs of `points` pairs; the adversarial
 * families have `points` pairs too (at least 2).
 */
export function msmJobs(ctx: MsmContext, o: { points: number; random: number; adversarial: boolean; seed: number }): MsmJob[] {
  const c = ctx.curve;
  const n = c.n;
  const rng = new Rng(o.seed ^ 0x5be0cd19);
  const N = Math.max(1, o.points);
  const jobs: MsmJob[] = [];
  const scalar = () => rng.below(n);
  const job = (kind: string, points: Affine[], scalars: bigint[]) => {
    // Every other MSM with input bubbles.
    const gaps = jobs.length % 2 ? randomGaps(points.length, rng) : new Array<number>(points.length).fill(0);
    jobs.push({ kind, points, scalars, gaps });
  };
  for (let i = 0; i < o.random; i++) {
    const pts = randomPoints(c, N, rng);
    job(`random`, pts, pts.map(scalar));
  }
  if (!o.adversarial) return jobs;
  const M = Math.max(2, N);
  const pts = randomPoints(c, M, rng);
  job('one pair', pts.slice(0, 1), [scalar()]);
  job('scalars 0, 1 and n - 1', pts, pts.map((_, i) => [0n, 1n, n - 1n][i % 3]!));
  const k = scalar();
  job('all scalars equal', pts, pts.map(() => k));
  job('all scalars n - 1', pts, pts.map(() => n - 1n));
  job('all scalars zero (result O)', pts, pts.map(() => 0n));
  const d = 1 + rng.int(ctx.shape.buckets);
  job(`every pair in bucket ${d - 1} of each window`, pts, pts.map(() => sameBucketScalar(ctx, d, rng)));
  job('one point repeated', pts.map(() => pts[0]!), pts.map(scalar));
  const pairs: Affine[] = [];
  const ks: bigint[] = [];
  for (let i = 0; pairs.length < M; i++) {
    const kk = scalar();
    pairs.push(pts[i]!, negAffine(c, pts[i]!));
    ks.push(kk, kk);
  }
  job('each point next to its negation, same scalar (result O)', pairs.slice(0, M - (M % 2)), ks.slice(0, M - (M % 2)));
  const opp: bigint[] = [];
  const same: Affine[] = [];
  for (let i = 0; same.length < M - (M % 2); i++) {
    const kk = scalar();
    same.push(pts[i]!, pts[i]!);
    opp.push(kk, kk === 0n ? 0n : n - kk);
  }
  job('k·P + (n - k)·P pairs (result O)', same, opp);
  return jobs;
}

/** The model's result for a job, and noble's (the model's affine result must equal it). */
export function modelMsm(ctx: MsmContext, job: MsmJob, trace = false): MsmRun {
  return runMsm(ctx, job.points.map((P) => msmInputPoint(ctx, P)), job.scalars, { gaps: job.gaps, trace });
}

export function referenceMsm(curve: CurveSpec, job: MsmJob): Affine {
  return fromNoble(noblePippenger(curve, job.points.map((P) => toNoble(curve, P)), job.scalars));
}

const showAffine = (a: Affine) => (a === null ? 'O' : `(${hx(a.x)}, ${hx(a.y)})`);

// ---------------------------------------------------------------------------------------
// The harness

interface Layout {
  NB: number;
  FW: number;
  inCoords: number;
  outCoords: number;
  tagBits: number;
}

function layout(design: GeneratedDesign, ctx: MsmContext): Layout {
  return {
    NB: ctx.shape.scalarBits, FW: ctx.mf.bits, inCoords: ctx.inputCoords, outCoords: ctx.identity.length,
    tagBits: Number(design.manifest.params.tagbits),
  };
}

function wrapper(design: GeneratedDesign, ctx: MsmContext): { top: string; text: string } {
  const l = layout(design, ctx);
  const top = `sim_${design.top}`;
  const ports = design.manifest.ports;
  const inNames = ports.filter((p) => p.dir === 'in' && p.width === l.FW && p.name.startsWith('in_') && p.name !== 'in_scalar').map((p) => p.name);
  const outNames = ports.filter((p) => p.dir === 'out' && p.width === l.FW && p.name.startsWith('out_')).map((p) => p.name);
  const IW = l.NB + l.inCoords * l.FW;
  const PW = l.outCoords * l.FW;
  const conns = [
    '.clk(clk)', '.rst(rst)', '.in_valid(in_valid)', '.in_ready(in_ready)', '.in_last(in_last)',
    `.in_scalar(in_data[${l.NB - 1}:0])`,
    ...inNames.map((n, i) => `.${n}(in_data[${l.NB + (i + 1) * l.FW - 1}:${l.NB + i * l.FW}])`),
    '.out_valid(out_valid)', '.out_ready(out_ready)',
    ...outNames.map((n, i) => `.${n}(out_data[${(i + 1) * l.FW - 1}:${i * l.FW}])`),
    '.done(done)', '.phase(phase)', '.stat_issue(stat_issue)',
  ];
  const text = `// Simulation-only wrapper: in_data = {point, scalar}, out_data = the result point, and the
// adder's write-back (wb_*) for locating a mismatch.
\`default_nettype none
module ${top} (
    input  wire clk,
    input  wire rst,
    input  wire in_valid,
    output wire in_ready,
    input  wire in_last,
    input  wire [${IW - 1}:0] in_data,
    output wire out_valid,
    input  wire out_ready,
    output wire [${PW - 1}:0] out_data,
    output wire done,
    output wire [2:0] phase,
    output wire stat_issue,
    output wire wb_valid,
    output wire [${l.tagBits - 1}:0] wb_tag,
    output wire [${PW - 1}:0] wb_data
);
    ${design.top} u_dut (
        ${conns.join(',\n        ')}
    );
    assign wb_valid = u_dut.ad_valid;
    assign wb_tag = u_dut.ad_tag;
    assign wb_data = u_dut.ad_out;
endmodule
\`default_nettype wire
`;
  return { top, text };
}

export async function buildMsmSim(design: GeneratedDesign, ctx: MsmContext, progress: Progress): Promise<string> {
  const w = wrapper(design, ctx);
  return buildPipelineSim({
    top: w.top, files: { ...verilogSources(design), [`${w.top}.v`]: w.text },
    harnessPath: MSM_HARNESS_PATH, onProgress: (s) => progress.step(s),
  });
}

/** What the harness counted for one MSM. */
export interface MsmStats {
  first: number;
  acc: number;
  red: number;
  comb: number;
  outwait: number;
  addsAcc: number;
  addsRed: number;
  addsComb: number;
}

export interface MsmSimRun {
  results: bigint[][];
  stats: MsmStats[];
  cycles: number;
  seconds: number;
}

function packPair(l: Layout, scalar: bigint, coords: readonly bigint[]): bigint {
  let v = scalar;
  coords.forEach((x, i) => (v |= x << BigInt(l.NB + i * l.FW)));
  return v;
}

/** Runs the jobs back to back through a built simulator (no result check: see checkMsm). */
export async function runMsmSim(
  binary: string, design: GeneratedDesign, ctx: MsmContext, jobs: readonly MsmJob[],
  o: { stall?: number; seed?: number; wb?: { msm: number; path: string }; wave?: { path: string; from: number; to: number } } = {},
): Promise<MsmSimRun> {
  const l = layout(design, ctx);
  const dir = await mkdtemp(join(tmpdir(), 'zkrtl-msm-'));
  try {
    const inPath = join(dir, 'pairs.txt');
    const outPath = join(dir, 'results.hex');
    const lines: string[] = [];
    for (const job of jobs) {
      job.points.forEach((P, i) => {
        const v = packPair(l, job.scalars[i]!, msmInputPoint(ctx, P));
        lines.push(`${job.gaps[i] ?? 0} ${i === job.points.length - 1 ? 1 : 0} ${v.toString(16)}`);
      });
    }
    await writeFile(inPath, lines.join('\n') + '\n');
    const args = [
      '--input', inPath, '--in-width', String(l.NB + l.inCoords * l.FW), '--out', outPath,
      '--stall', String(o.stall ?? 0), '--seed', String(o.seed ?? 1),
    ];
    if (o.wb) args.push('--wb', o.wb.path, '--wb-msm', String(o.wb.msm));
    if (o.wave) args.push('--wave', o.wave.path, '--wave-from', String(o.wave.from), '--wave-to', String(o.wave.to));
    const r = await runSimulator(binary, args, [dir]);
    await checkHarnessExit(binary, r);
    const ok = /^OK msms=(\d+) cycles=(\d+) sim_seconds=([\d.eE+-]+)$/m.exec(r.stdout);
    if (!ok || Number(ok[1]) !== jobs.length) throw new Error(`simulator ${binary} gave no summary for ${jobs.length} MSMs: ${r.stdout.trim()}`);
    const stats: MsmStats[] = [];
    for (const m of r.stdout.matchAll(/^STATS (\d+) first=(\d+) acc=(\d+) red=(\d+) comb=(\d+) outwait=(\d+) adds_acc=(\d+) adds_red=(\d+) adds_comb=(\d+)$/gm)) {
      const [first, acc, red, comb, outwait, addsAcc, addsRed, addsComb] = m.slice(2).map(Number) as number[];
      stats.push({ first: first!, acc: acc!, red: red!, comb: comb!, outwait: outwait!, addsAcc: addsAcc!, addsRed: addsRed!, addsComb: addsComb! });
    }
    const mask = (1n << BigInt(l.FW)) - 1n;
    const results = (await readFile(outPath, 'utf8')).trim().split('\n').map((h) => {
      const v = BigInt(`0x${h}`);
      return Array.from({ length: l.outCoords }, (_, i) => (v >> BigInt(i * l.FW)) & mask);
    });
    return { results, stats, cycles: Number(ok[2]), seconds: Number(ok[3]) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface MsmCheck {
  runs: MsmRun[];
  stats: MsmStats[];
  cycles: number;
  seconds: number;
}

/**
 * Every job through the RTL (back to back, random output stalls), each checked against the
 * model (coordinates, phase cycles, additions per phase) and the model against noble. Throws
 * SimMismatchError naming the first difference.
 */
export async function checkMsm(
  design: GeneratedDesign, ctx: MsmContext, jobs: readonly MsmJob[],
  o: { progress: Progress; seed: number; stall?: number; waveformDir: string; reference?: boolean },
): Promise<MsmCheck> {
  const binary = await buildMsmSim(design, ctx, o.progress);
  o.progress.step(`${design.top}: model of ${jobs.length} MSMs`);
  const runs = jobs.map((j) => modelMsm(ctx, j));
  if (o.reference !== false) {
    jobs.forEach((j, m) => {
      const ref = referenceMsm(ctx.curve, j);
      const got = msmResultAffine(ctx, runs[m]!.result);
      if (!affineEqual(got, ref)) throw new Error(`golden model: MSM ${m} (${j.kind}) gives ${showAffine(got)}, @noble/curves pippenger ${showAffine(ref)}`);
    });
  }
  o.progress.step(`${design.top}: Verilator, ${jobs.length} MSMs`);
  const stall = o.stall ?? 0.25;
  const sim = await runMsmSim(binary, design, ctx, jobs, { stall, seed: o.seed });
  for (let m = 0; m < jobs.length; m++) {
    const want = runs[m]!;
    const st = sim.stats[m]!;
    const got = sim.results[m]!;
    const problems: string[] = [];
    const coordNames = ctx.form === 'weierstrass' ? ['X', 'Y', 'Z'] : ['X', 'Y', 'T', 'Z'];
    got.forEach((v, i) => { if (v !== want.result[i]) problems.push(`result ${coordNames[i]}: expected ${hx(want.result[i]!)}, got ${hx(v)}`); });
    const pairs: Array<[string, number, number]> = [
      ['accumulation cycles', want.phases.accumulate, st.acc], ['reduction cycles', want.phases.reduce, st.red],
      ['combination cycles', want.phases.combine, st.comb], ['accumulation additions', want.additions.accumulate, st.addsAcc],
      ['reduction additions', want.additions.reduce, st.addsRed], ['combination additions', want.additions.combine, st.addsComb],
    ];
    for (const [what, w, g] of pairs) if (w !== g) problems.push(`${what}: model ${w}, RTL ${g}`);
    if (problems.length) throw await diagnose(binary, design, ctx, jobs, m, st, problems, { stall, seed: o.seed, waveformDir: o.waveformDir });
  }
  return { runs, stats: sim.stats, cycles: sim.cycles, seconds: sim.seconds };
}

/** Re-runs with the write-backs of MSM m traced; names the first that differs; leaves a waveform. */
async function diagnose(
  binary: string, design: GeneratedDesign, ctx: MsmContext, jobs: readonly MsmJob[], m: number, st: MsmStats, problems: string[],
  o: { stall: number; seed: number; waveformDir: string },
): Promise<SimMismatchError> {
  const job = jobs[m]!;
  const head = `MISMATCH in MSM ${m} (${job.kind}) of ${design.top}:\n  ${problems.join('\n  ')}`;
  const dir = await mkdtemp(join(tmpdir(), 'zkrtl-msm-wb-'));
  try {
    const wbPath = join(dir, 'wb.txt');
    await runMsmSim(binary, design, ctx, jobs.slice(0, m + 1), { stall: o.stall, seed: o.seed, wb: { msm: m, path: wbPath } });
    const model = modelMsm(ctx, job, true).writes!;
    const got = (await readFile(wbPath, 'utf8')).trim().split('\n').filter(Boolean).map((line) => {
      const [cycle, phase, tag, data] = line.split(' ');
      return { cycle: Number(cycle), phase: Number(phase), tag: BigInt(`0x${tag}`), data: BigInt(`0x${data}`) };
    });
    const tb = Number(design.manifest.params.tagbits);
    const B = ctx.shape.buckets;
    const FW = ctx.mf.bits;
    let where = '';
    let cycle = st.first;
    for (let i = 0; i < Math.max(model.length, got.length); i++) {
      const w = model[i];
      const g = got[i];
      if (!w || !g) {
        where = w ? `the RTL made ${got.length} write-backs, the model ${model.length}: the next expected is ${w.phase}: ${w.what} at cycle ${w.cycle}`
          : `the RTL made more write-backs than the model's ${model.length}: cycle ${g!.cycle}`;
        cycle = st.first + (w?.cycle ?? g!.cycle);
        break;
      }
      const isBucket = (g.tag >> BigInt(tb - 1)) & 1n;
      const addr = Number(g.tag & ((1n << BigInt(tb - 1)) - 1n));
      const value = w.value.reduce((acc, v, j) => acc | (v << BigInt(j * FW)), 0n);
      const wantBucket = w.phase === 'accumulate' ? 1n : 0n;
      if (g.cycle !== w.cycle || isBucket !== wantBucket || addr !== w.addr || g.data !== value) {
        const loc = w.phase === 'accumulate' ? `window ${Math.floor(w.addr / B)}, bucket ${w.addr % B}` : `slot ${w.addr}`;
        where = `first differing write-back: ${w.phase}, ${loc} (${w.what}), expected at cycle ${w.cycle} of the MSM; ` +
          `the RTL wrote ${isBucket ? `window ${Math.floor(addr / B)}, bucket ${addr % B}` : `slot ${addr}`} at cycle ${g.cycle}` +
          (g.data !== value ? `, value 0x${g.data.toString(16)} instead of 0x${value.toString(16)}` : ', same value');
        cycle = st.first + Math.min(g.cycle, w.cycle);
        break;
      }
    }
    if (!where) where = 'every write-back equals the model\'s: the difference is in the phase control or the output';
    await mkdir(o.waveformDir, { recursive: true });
    const wave = join(o.waveformDir, `${design.top}-msm${m}.vcd`);
    const from = Math.max(0, cycle - 400);
    await runMsmSim(binary, design, ctx, jobs.slice(0, m + 1), { stall: o.stall, seed: o.seed, wave: { path: wave, from, to: cycle + 20 } }).catch(() => undefined);
    return new SimMismatchError(`${head}\n  ${where}\n  (absolute cycle ${cycle}; the MSM's first pair was taken in cycle ${st.first})\n  waveform: ${wave} (cycles ${from}..${cycle + 20})`, wave);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// Files: `scalar x y` per line (hex, plain affine coordinates), a blank line between MSMs.

export function readMsmInput(path: string, ctx: MsmContext): MsmJob[] {
  const text = readUserFile(path, 'MSM file');
  const c = ctx.curve;
  const N = nobleCurve(c);
  const jobs: MsmJob[] = [];
  let cur: MsmJob | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    const where = `${path}:${i + 1}`;
    if (line === '') {
      if (cur) jobs.push(cur);
      cur = undefined;
      return;
    }
    const f = line.split(/[\s,]+/);
    if (f.length !== 3 || !f.every((x) => /^(0x)?[0-9a-fA-F]+$/.test(x))) throw new UsageError(`${where}: '${raw.trim()}' is not a pair: give 'scalar x y', three hex numbers (plain affine coordinates)`);
    const [k, x, y] = f.map((x) => BigInt(x.startsWith('0x') ? x : `0x${x}`)) as [bigint, bigint, bigint];
    if (k >= c.n) throw new UsageError(`${where}: scalar ${hx(k)} is not below n = ${hx(c.n)} of ${c.name}`);
    for (const [name, v] of [['x', x], ['y', y]] as const) {
      if (v >= c.field.p) throw new UsageError(`${where}: ${name} = ${hx(v)} is not below p = ${hx(c.field.p)}`);
    }
    const P = { x, y };
    if (!onCurve(c, P)) throw new UsageError(`${where}: (${hx(x)}, ${hx(y)}) is not a point of ${c.name} (y^2 = x^3 + ${c.b})`);
    if ((c.h ?? 1n) !== 1n) {
      // noble refuses to build a point outside the subgroup; where it builds one, ask it.
      let inSubgroup: boolean;
      try {
        inSubgroup = (N.fromAffine(P) as unknown as { isTorsionFree(): boolean }).isTorsionFree();
      } catch {
        inSubgroup = false;
      }
      if (!inSubgroup) throw new UsageError(`${where}: (${hx(x)}, ${hx(y)}) is on ${c.name} but not in its subgroup of order n: the adder is exact only there`);
    }
    cur ??= { points: [], scalars: [], gaps: [], kind: `MSM ${jobs.length} of ${path}` };
    cur.points.push(P);
    cur.scalars.push(k);
    cur.gaps.push(0);
  });
  if (cur) jobs.push(cur);
  if (jobs.length === 0) throw new UsageError(`MSM file ${path} holds no pairs: one 'scalar x y' (hex) per line, a blank line between MSMs`);
  return jobs;
}

/** One affine result per line: `x y` in hex, or `O` for the point at infinity. */
export function formatMsmResults(results: readonly Affine[]): string {
  return results.map((r) => (r === null ? 'O\n' : `${r.x.toString(16)} ${r.y.toString(16)}\n`)).join('');
}
