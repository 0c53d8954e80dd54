// The programmable-prime butterfly (butterfly prime=runtime) through the fixed-latency
// pipeline harness: several primes loaded through the cfg port in one run, each followed by
// its own edge and random (a, b, w) vectors, back to back and with bubbles.
//
// The same simulation-only trick as the montmul twin's (runtime-prime-sim.ts): a wrapper packs
// (a, b, w) into the harness' operand a, with the vector's kind in two bits above them: an
// operation, a load (cfg_valid with cfg_p = a, cfg_pprime = b) or an idle cycle. Loads and
// idle cycles come back as a token after the same latency, so the harness checks every vector
// (values, exact latency, II = 1, bubbles, reset). The stream keeps to the manifest's
// config.rule exactly: latency − 2 idle cycles and the load between the last operation with the
// old prime and the first with the new one.
//
// Expected results come from the fixed-prime butterfly's own model functions (butterflyModel,
// butterflyVectors in butterfly-sim.ts) applied to a per-prime view of the manifest: the field
// p and the Montgomery form with R = 2^W, as if the butterfly had been built for that p.
import { hex, verilogSources, type GeneratedDesign } from '../gen/design.ts';
import { montgomeryField, montmulStages } from '../model/field.ts';
import type { Progress } from '../base/progress.ts';
import { runModes, type RunResult } from './equivalence.ts';
import { butterflyModel, butterflyVectors, type ButterflyVector } from './butterfly-sim.ts';
import type { RuntimePrime } from './runtime-prime-sim.ts';
import { SimMismatchError, buildPipelineSim } from './verilator.ts';

export { defaultPrimes, parsePrimes, type RuntimePrime } from './runtime-prime-sim.ts';

/** The kinds of harness vector, as the wrapper decodes a[3W+1:3W] (the montmul twin's codes). */
const KIND = { op: 0n, idle: 1n, load: 2n } as const;

export function isRuntimeButterfly(design: GeneratedDesign): boolean {
  return design.manifest.block === 'butterfly' && design.manifest.params.prime === 'runtime';
}

export function runtimeButterflyWidth(design: GeneratedDesign): number {
  if (!isRuntimeButterfly(design)) throw new Error(`internal: ${design.top} is not a butterfly with prime=runtime`);
  return Number(design.manifest.params.width);
}

/**
 * The design as if built for the fixed prime p: manifest.field and manifest.montgomery (R = 2^W)
 * filled in, so the fixed-prime butterfly's model and vector functions apply unchanged.
 */
export function viewForPrime(design: GeneratedDesign, prime: RuntimePrime): GeneratedDesign {
  const W = runtimeButterflyWidth(design);
  const mf = montgomeryField(prime.p, W);
  return {
    ...design,
    manifest: {
      ...design.manifest,
      field: { name: prime.name, p: hex(prime.p), bits: W },
      montgomery: { R: hex(mf.R), k: W, pPrime: hex(mf.pPrime), rModP: hex(mf.rModP), r2ModP: hex(mf.r2ModP) },
    },
  };
}

/**
 * Edge and random (a, b, w) for one prime (butterflyVectors), with a vector whose results depend
 * on p in the adder, the subtractor and the multiplier's final subtraction, and on p′, placed
 * first and last when one exists: a load seen too late by the first operation after it (or too
 * early by the last one before it) in any of the three then shows as a wrong result.
 */
export function runtimeButterflyVectors(design: GeneratedDesign, prime: RuntimePrime, randomCount: number, seed: number): ButterflyVector[] {
  const W = runtimeButterflyWidth(design);
  const p = prime.p;
  const mf = montgomeryField(p, W);
  const vectors = butterflyVectors(viewForPrime(design, prime), randomCount, seed);
  const gs = design.manifest.params.kind === 'gs';
  const score = ([a, b, w]: ButterflyVector) => {
    // The adder and subtractor's inputs, and the multiplier's.
    const [s, t] = gs ? [a, b] : [a, montmulStages(mf, b, w).out];
    const mul = gs ? montmulStages(mf, (a - b + p) % p, w) : montmulStages(mf, b, w);
    return Number(s + t >= p) + Number(s < t) + Number(mul.tLo !== 0n) + Number(mul.u >= p);
  };
  let best: ButterflyVector | undefined;
  let bestScore = 0;
  for (const v of vectors) {
    const sc = score(v);
    if (sc > bestScore) [best, bestScore] = [v, sc];
    if (sc === 4) break;
  }
  return best ? [best, ...vectors, best] : vectors;
}

/** Simulation-only wrapper: harness a = {kind, w, b, a}, out = {token, out_valid, 0, y, x}. */
function wrapper(design: GeneratedDesign, W: number): { top: string; text: string } {
  const L = design.manifest.latency!;
  const top = `sim_${design.top}`;
  const H = 3 * W + 2;
  const text = `// Simulation-only wrapper for the pipeline harness: a = {kind, w, b, a} with kind in a[${H - 1}:${3 * W}]:
// 0 an operation, 2 a load (cfg_p = a, cfg_pprime = b), otherwise an idle cycle. Loads and idle
// cycles come back after the same ${L} cycles as out = {1, 0, 0}; results as {0, 1, 0, y, x}.
\`default_nettype none
module ${top} (
    input  wire clk,
    input  wire rst,
    input  wire in_valid,
    input  wire [${H - 1}:0] a,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [${H - 1}:0] b,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire out_valid,
    output wire [${H - 1}:0] out
);
    wire [1:0] kind = a[${H - 1}:${3 * W}];
    wire op   = in_valid && kind == 2'd0;
    wire load = in_valid && kind == 2'd2;
    wire dut_valid;
    wire [${W - 1}:0] x, y;
    ${design.top} u_dut (
        .clk(clk), .rst(rst), .in_valid(op),
        .a(a[${W - 1}:0]), .b(a[${2 * W - 1}:${W}]), .w(a[${3 * W - 1}:${2 * W}]),
        .cfg_valid(load), .cfg_p(a[${W - 1}:0]), .cfg_pprime(a[${2 * W - 1}:${W}]),
        .out_valid(dut_valid), .x(x), .y(y)
    );
    reg [${L - 1}:0] token_sr;
    always @(posedge clk) begin
        if (rst) token_sr <= ${L}'d0;
        else     token_sr <= {token_sr[${L - 2}:0], in_valid && !op};
    end
    wire token = token_sr[${L - 1}];
    assign out_valid = dut_valid | token;
    assign out = {token, dut_valid, ${W}'d0, token ? ${2 * W}'d0 : {y, x}};
endmodule
\`default_nettype wire
`;
  return { top, text };
}

export async function buildRuntimeButterflySim(design: GeneratedDesign, progress: Progress): Promise<string> {
  const W = runtimeButterflyWidth(design);
  const w = wrapper(design, W);
  return buildPipelineSim({ top: w.top, files: { ...verilogSources(design), [`${w.top}.v`]: w.text }, onProgress: (s) => progress.step(s) });
}

interface Item {
  kind: keyof typeof KIND;
  prime: number;
  /** Index among its prime's operations (op), else -1. */
  index: number;
  /** op: (a, b, w); load: (p, p′, 0). */
  v: ButterflyVector;
  /** {token, out_valid, 0, y, x} as the wrapper packs it. */
  expected: bigint;
  model?: [bigint, bigint];
}

export interface RuntimeButterflyResult {
  runs: RunResult[];
  batches: Array<{ prime: RuntimePrime; vectors: number }>;
  /** Idle cycles between the last operation of a prime and the next load. */
  idleBeforeLoad: number;
}

/**
 * Loads each prime in turn and streams its vectors (runtimeButterflyVectors), checking every
 * (x, y) against the fixed-prime butterfly's model for that p with R = 2^W. Throws
 * SimMismatchError naming the prime, its vector, the cycle and the waveform on the first
 * mismatch. `idleBeforeLoad` (tests only) overrides the rule's latency − 2 idle cycles.
 */
export async function checkRuntimeButterfly(
  design: GeneratedDesign,
  primes: RuntimePrime[],
  randomPerPrime: number,
  opts: { progress: Progress; seed: number; waveformDir: string; idleBeforeLoad?: number },
): Promise<RuntimeButterflyResult> {
  const W = runtimeButterflyWidth(design);
  const L = design.manifest.latency!;
  if (primes.length === 0) throw new Error('checkRuntimeButterfly needs at least one prime');
  const idleBeforeLoad = opts.idleBeforeLoad ?? L - 2;
  const Wn = BigInt(W);
  const valid = 1n << (3n * Wn);
  const tokenOut = 1n << (3n * Wn + 1n);
  const items: Item[] = [];
  const batches: RuntimeButterflyResult['batches'] = [];
  primes.forEach((prime, i) => {
    const mf = montgomeryField(prime.p, W);
    const model = butterflyModel(viewForPrime(design, prime));
    if (i > 0) for (let k = 0; k < idleBeforeLoad; k++) items.push({ kind: 'idle', prime: i, index: -1, v: [0n, 0n, 0n], expected: tokenOut });
    items.push({ kind: 'load', prime: i, index: -1, v: [prime.p, mf.pPrime, 0n], expected: tokenOut });
    const vectors = runtimeButterflyVectors(design, prime, randomPerPrime, opts.seed + i);
    vectors.forEach((v, index) => {
      const [x, y] = model(v);
      items.push({ kind: 'op', prime: i, index, v, expected: valid | (y << Wn) | x, model: [x, y] });
    });
    batches.push({ prime, vectors: vectors.length });
  });
  const binary = await buildRuntimeButterflySim(design, opts.progress);
  const packed = items.map(({ kind, v: [a, b, w] }): [bigint, bigint] => [(KIND[kind] << (3n * Wn)) | (w << (2n * Wn)) | (b << Wn) | a, 0n]);
  try {
    const runs = await runModes(binary, design, 3 * W + 2, packed, items.map((it) => it.expected), opts);
    return { runs, batches, idleBeforeLoad };
  } catch (e) {
    if (!(e instanceof SimMismatchError)) throw e;
    throw new SimMismatchError(`${describeMismatch(e.message, items, primes, batches)}\n${e.message}`, e.waveformPath);
  }
}

/** The harness names a stream vector: say which prime, and which of its vectors, that is. */
function describeMismatch(report: string, items: Item[], primes: RuntimePrime[], batches: RuntimeButterflyResult['batches']): string {
  const m = /MISMATCH at vector (\d+), cycle (\d+)/.exec(report);
  const packing = '(harness values are packed: a = {kind, w, b, a}, out = {load/idle token, out_valid, 0, y, x})';
  if (!m) return `butterfly prime=runtime: ${packing}`;
  const it = items[Number(m[1])]!;
  const prime = primes[it.prime]!;
  const where = `prime ${prime.name} (p = ${hex(prime.p)}, loaded ${it.prime === 0 ? 'first' : `after ${primes[it.prime - 1]!.name}`})`;
  const [a, b, w] = it.v;
  const what =
    it.kind === 'op'
      ? `vector ${it.index} of its ${batches[it.prime]!.vectors}: a = ${hex(a)}, b = ${hex(b)}, w = ${hex(w)}, expected x = ${hex(it.model![0])}, y = ${hex(it.model![1])}`
      : it.kind === 'load' ? 'its load (cfg_valid)' : 'an idle cycle before its load';
  return `${where}: ${what}; stream vector ${m[1]}, cycle ${m[2]} ${packing}`;
}
