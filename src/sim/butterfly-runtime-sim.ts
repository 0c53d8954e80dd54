// The programmable-prime butterfly (butterfly prime=runtime) through the fixed-latency
// pipeline harness: several primes loaded through the cfg port in one run, each followed by
// its own edge and random (a, b, w) vectors, back to back and with bubbles.
//
// The stream and its wrapper are the montmul twin's (checkRuntimeStream in runtime-prime-sim.ts):
// (a, b, w) packed as the data of an operation, (p, p′) as a load's.
//
// Expected results come from the fixed-prime butterfly's own model functions (butterflyModel,
// butterflyVectors in butterfly-sim.ts) applied to a per-prime view of the manifest: the field
// p and the Montgomery form with R = 2^W, as if the butterfly had been built for that p.
import { hex, type GeneratedDesign } from '../gen/design.ts';
import { montgomeryField, montmulStages } from '../model/field.ts';
import type { Progress } from '../base/progress.ts';
import { butterflyModel, butterflyVectors, type ButterflyVector } from './butterfly-sim.ts';
import { checkRuntimeStream, type RuntimePrime, type RuntimeStreamResult, type RuntimeStreamShape } from './runtime-prime-sim.ts';

export { defaultPrimes, parsePrimes, type RuntimePrime } from './runtime-prime-sim.ts';

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

/** The butterfly in the stream: data = {w, b, a}, a load's data = {0, p′, p}, result {y, x}. */
function butterflyShape(design: GeneratedDesign, W: number): RuntimeStreamShape {
  return {
    dataBits: 3 * W,
    outBits: 2 * W,
    instance: `    ${design.top} u_dut (
        .clk(clk), .rst(rst), .in_valid(op),
        .a(data[${W - 1}:0]), .b(data[${2 * W - 1}:${W}]), .w(data[${3 * W - 1}:${2 * W}]),
        .cfg_valid(load), .cfg_p(data[${W - 1}:0]), .cfg_pprime(data[${2 * W - 1}:${W}]),
        .out_valid(dut_valid), .x(dut_out[${W - 1}:0]), .y(dut_out[${2 * W - 1}:${W}])
    );`,
    load: (p, pPrime) => (pPrime << BigInt(W)) | p,
    packing: 'a = {kind, w, b, a}, out = {load/idle token, out_valid, 0, y, x}',
  };
}

export type RuntimeButterflyResult = RuntimeStreamResult;

/**
 * Loads each prime in turn and streams its vectors (runtimeButterflyVectors), checking every
 * (x, y) against the fixed-prime butterfly's model for that p with R = 2^W.
 */
export async function checkRuntimeButterfly(
  design: GeneratedDesign,
  primes: RuntimePrime[],
  randomPerPrime: number,
  opts: { progress: Progress; seed: number; waveformDir: string; idleBeforeLoad?: number },
): Promise<RuntimeButterflyResult> {
  const W = runtimeButterflyWidth(design);
  const Wn = BigInt(W);
  return checkRuntimeStream(design, butterflyShape(design, W), W, primes, (prime, i) => {
    const model = butterflyModel(viewForPrime(design, prime));
    return runtimeButterflyVectors(design, prime, randomPerPrime, opts.seed + i).map((v) => {
      const [a, b, w] = v;
      const [x, y] = model(v);
      return {
        data: (w << (2n * Wn)) | (b << Wn) | a,
        result: (y << Wn) | x,
        describe: `a = ${hex(a)}, b = ${hex(b)}, w = ${hex(w)}, expected x = ${hex(x)}, y = ${hex(y)}`,
      };
    });
  }, opts);
}
