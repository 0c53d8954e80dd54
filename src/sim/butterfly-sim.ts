// Butterflies through the fixed-latency pipeline harness: a simulation-only wrapper packs
// (a, b, w) into the harness' operand `a` and (x, y) into its result, so the same harness
// checks values, exact latency, II = 1, bubbles and reset behaviour as for every field block.
import { verilogSources, type GeneratedDesign } from '../gen/design.ts';
import { butterflyOf, twiddleMultiplierOf } from '../model/ntt.ts';
import type { Progress } from '../base/progress.ts';
import { runModes, type RunResult } from './equivalence.ts';
import { Rng, edgeValues, makeVectors } from './vectors.ts';
import { buildPipelineSim } from './verilator.ts';

/** (a, b, w) with w the twiddle as the butterfly's port takes it (manifest twiddleForm: Montgomery, plain, or the exponent of 2^e). */
export type ButterflyVector = [bigint, bigint, bigint];

/** The harness carries at most 1024-bit operands: three field elements side by side. */
export const MAX_BUTTERFLY_SIM_BITS = Math.floor(1024 / 3);

/** The butterfly as built: its multiplier's steps (montmul or modmul, from the manifest) on the port's twiddle. */
export function butterflyModel(design: GeneratedDesign): (v: ButterflyVector) => [bigint, bigint] {
  const p = BigInt(design.manifest.field!.p);
  const bf = butterflyOf(p, twiddleMultiplierOf(design.manifest), design.manifest.params.kind === 'gs' ? 'gs' : 'ct');
  return ([a, b, w]) => bf(a, b, w);
}

/** Every edge (a, b) pair with edge twiddles, then random and adversarial triples. */
export function butterflyVectors(design: GeneratedDesign, randomCount: number, seed: number): ButterflyVector[] {
  const p = BigInt(design.manifest.field!.p);
  const mont = design.manifest.montgomery;
  const ctx = { p, k: mont?.k };
  const edges = edgeValues(ctx);
  const exponent = design.manifest.twiddleForm === 'exponent';
  // An exponent port (mult=shift) takes 0 <= e < ord_p(2): its ends and both sides of ord/2.
  const order = exponent ? BigInt((design.manifest.multiplier as { order: number }).order) : 0n;
  const half = order / 2n;
  const edgeExponents = [0n, 1n, 2n, half - 1n, half, half + 1n, order - 2n, order - 1n].filter((e) => e >= 0n && e < order);
  // The twiddle 1 as the port takes it: R mod p in Montgomery form; 1/2 stands in for a plain port.
  const twiddles = exponent ? edgeExponents : [0n, 1n, p - 1n, mont ? BigInt(mont.rModP) : (p + 1n) / 2n, ...edges.slice(-4)];
  const out: ButterflyVector[] = [];
  edges.forEach((a, i) => edges.forEach((b, j) => out.push([a, b, twiddles[(i + j) % twiddles.length]! % p])));
  const rng = new Rng(seed ^ 0x5bd1e995);
  for (const [a, b] of makeVectors(ctx, randomCount, seed).slice(edges.length * edges.length)) {
    if (exponent) out.push([a, b, rng.int(4) === 0 ? edgeExponents[rng.int(edgeExponents.length)]! : rng.below(order)]);
    else out.push([a, b, rng.int(4) === 0 ? edges[rng.int(edges.length)]! : rng.below(p)]);
  }
  return out;
}

function wrapper(design: GeneratedDesign): { top: string; text: string } {
  const W = design.manifest.field!.bits;
  // Port w is narrower than an element when it carries an exponent (mult=shift).
  const TW = design.manifest.ports.find((p) => p.name === 'w')!.width;
  const top = `sim_${design.top}`;
  const narrow = TW < W;
  const text = `// Simulation-only wrapper: the pipeline harness' a = {w, b, a}, out = {0, y, x}.
\`default_nettype none
module ${top} (
    input  wire clk,
    input  wire rst,
    input  wire in_valid,${narrow ? '\n    /* verilator lint_off UNUSEDSIGNAL */' : ''}
    input  wire [${3 * W - 1}:0] a,${narrow ? '\n    /* verilator lint_on UNUSEDSIGNAL */' : ''}
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [${3 * W - 1}:0] b,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire out_valid,
    output wire [${3 * W - 1}:0] out
);
    wire [${W - 1}:0] x, y;
    ${design.top} u_dut (
        .clk(clk), .rst(rst), .in_valid(in_valid),
        .a(a[${W - 1}:0]), .b(a[${2 * W - 1}:${W}]), .w(a[${2 * W + TW - 1}:${2 * W}]),
        .out_valid(out_valid), .x(x), .y(y)
    );
    assign out = {${W}'d0, y, x};
endmodule
\`default_nettype wire
`;
  return { top, text };
}

export async function buildButterflySim(design: GeneratedDesign, progress: Progress): Promise<string> {
  const W = design.manifest.field!.bits;
  if (W > MAX_BUTTERFLY_SIM_BITS) {
    throw new Error(`butterfly simulation carries 3 operands in the 1024-bit harness port: at most ${MAX_BUTTERFLY_SIM_BITS}-bit fields, ${design.manifest.field!.name} has ${W}`);
  }
  const w = wrapper(design);
  return buildPipelineSim({
    top: w.top,
    files: { ...verilogSources(design), [`${w.top}.v`]: w.text },
    onProgress: (s) => progress.step(s),
  });
}

/** Throws SimMismatchError on the first mismatch (its report names the vector and cycle). */
export async function checkButterfly(
  design: GeneratedDesign,
  vectors: ButterflyVector[],
  opts: { progress: Progress; seed: number; waveformDir: string },
): Promise<RunResult[]> {
  const W = BigInt(design.manifest.field!.bits);
  const binary = await buildButterflySim(design, opts.progress);
  const model = butterflyModel(design);
  const packed = vectors.map(([a, b, w]): [bigint, bigint] => [a | (b << W) | (w << (2n * W)), 0n]);
  const expected = vectors.map((v) => {
    const [x, y] = model(v);
    return x | (y << W);
  });
  return runModes(binary, design, 3 * Number(W), packed, expected, opts);
}
