// Programmable-prime blocks (montmul and butterfly with prime=runtime) through the
// fixed-latency pipeline harness: several primes loaded through the cfg port in one run, each
// followed by its own edge and random vectors, back to back and with bubbles.
//
// The harness drives one operand word and reads one result word, so a simulation-only wrapper
// packs each harness vector as {kind, data}: an operation (data = the block's operands), a load
// (cfg_valid with cfg_p, cfg_pprime packed into data) or an idle cycle. Loads and idle cycles are
// answered by the wrapper's own token line after the same latency, so every vector, whatever its
// kind, comes back exactly `latency` cycles later and the harness checks all of them: values,
// latency, II = 1, bubbles and reset, as for every other pipelined block. The stream keeps to the
// manifest's config.rule exactly: the last operation with the old prime is taken latency − 1
// cycles before the load (the fewest the rule allows), the first with the new prime right after.
// This file holds that stream (checkRuntimeStream) and the montmul twin's use of it;
// butterfly-runtime-sim.ts is the butterfly's.
import { verilogSources, type GeneratedDesign } from '../gen/design.ts';
import { montgomeryField, montmul, montmulStages } from '../model/field.ts';
import { NAMED_PRIMES, namedField } from '../fields/registry.ts';
import { isProbablePrime } from '../fields/primality.ts';
import { UsageError } from '../base/errors.ts';
import type { Progress } from '../base/progress.ts';
import { runModes, type RunResult } from './equivalence.ts';
import { makeVectors } from './vectors.ts';
import { SimMismatchError, buildPipelineSim } from './verilator.ts';

export interface RuntimePrime {
  /** A registry name, or `p = 0x…` for a number. */
  name: string;
  p: bigint;
}

/** The kinds of harness vector, as the wrapper decodes a[W+1:W]. */
const KIND = { op: 0n, idle: 1n, load: 2n } as const;

const hexOf = (v: bigint) => `0x${v.toString(16)}`;

/** The operand width of a runtime montmul, from its manifest. */
export function runtimeWidth(design: GeneratedDesign): number {
  if (design.manifest.block !== 'montmul' || design.manifest.params.prime !== 'runtime') throw new Error(`internal: ${design.top} is not a montmul with prime=runtime`);
  return Number(design.manifest.params.width);
}

export function isRuntimeMontmul(design: GeneratedDesign): boolean {
  return design.manifest.block === 'montmul' && design.manifest.params.prime === 'runtime';
}

/** A modulus the design can take: odd (p′ must exist), 3 ≤ p < 2^width. */
function checkModulus(text: string, p: bigint, width: number): void {
  if (p < 3n || (p & 1n) === 0n) throw new UsageError(`--primes ${text}: p must be odd and at least 3 (p' = -p^-1 mod 2^${width} exists only for odd p)`);
  const bits = p.toString(2).length;
  if (bits > width) throw new UsageError(`--primes ${text} has ${bits} bits: wider than width=${width}`);
}

/**
 * `--primes a,b,…`: registry names or numbers (decimal or 0x-hex). Any odd modulus below
 * 2^width is accepted, as the hardware and the model need nothing more than p odd.
 */
export function parsePrimes(text: string, width: number): RuntimePrime[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`--primes '${text}' has an empty entry: give a comma list of field names or numbers`);
  return items.map((item) => {
    if (/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(item)) {
      const p = BigInt(item);
      checkModulus(item, p, width);
      const named = NAMED_PRIMES.find((f) => f.p === p);
      return { name: named ? named.name : `p = ${hexOf(p)}`, p };
    }
    if (!NAMED_PRIMES.some((f) => f.name === item.toLowerCase())) {
      throw new UsageError(`--primes ${item}: no such field: give field names (${NAMED_PRIMES.map((f) => f.name).join(', ')}) or odd numbers in decimal or 0x-hex`);
    }
    const f = namedField(item);
    checkModulus(item, f.p, width);
    return { name: f.name, p: f.p };
  });
}

/** Largest prime below 2^width (width ≥ 2): the full-width case for the default list. */
function largestPrimeBelow(width: number): bigint {
  for (let p = (1n << BigInt(width)) - 1n; p >= 3n; p -= 2n) if (isProbablePrime(p)) return p;
  return 3n;
}

/** Without --primes: every registered field that fits, the largest prime below 2^width, and 5 (or 3). */
export function defaultPrimes(width: number): RuntimePrime[] {
  const out: RuntimePrime[] = NAMED_PRIMES.filter((f) => f.p.toString(2).length <= width).map((f) => ({ name: f.name, p: f.p }));
  const top = largestPrimeBelow(width);
  for (const p of [top, width >= 3 ? 5n : 3n]) if (!out.some((x) => x.p === p)) out.push({ name: `p = ${hexOf(p)}`, p });
  return out;
}

/**
 * Edge and random pairs below p (R = 2^width), with a pair whose result depends on both p′ and
 * p first and last (T mod R ≠ 0, so m depends on p′, and u ≥ p, so the final subtraction
 * happens) when some pair has that: a load seen too late by the first operation after it, or
 * too early by the last one before it, then shows as a wrong result.
 */
export function runtimeVectors(p: bigint, width: number, randomCount: number, seed: number): Array<[bigint, bigint]> {
  const vectors = makeVectors({ p, k: width }, randomCount, seed);
  const mf = montgomeryField(p, width);
  const sensitive = vectors.find(([a, b]) => {
    const s = montmulStages(mf, a, b);
    return s.tLo !== 0n && s.u >= p;
  });
  return sensitive ? [sensitive, ...vectors, sensitive] : vectors;
}

/** How a programmable-prime block sits in the stream wrapper. */
export interface RuntimeStreamShape {
  /** Bits of the data part of a harness operand (the kind goes in the 2 bits above). */
  dataBits: number;
  /** Bits of the block's result (`dut_out` in the wrapper). */
  outBits: number;
  /** The block's instance: it reads `op`, `load` and `data`, and drives `dut_valid` and `dut_out`. */
  instance: string;
  /** (p, p′) packed into the data bits of a load. */
  load: (p: bigint, pPrime: bigint) => bigint;
  /** How operands and results are packed, for the mismatch report. */
  packing: string;
}

/** One operation of the stream: its data bits, the expected result bits, and what to say about it. */
export interface RuntimeOp {
  data: bigint;
  result: bigint;
  describe: string;
}

/** Simulation-only wrapper: harness a = {kind, data}, out = {token, out_valid, 0, result}. */
function streamWrapper(design: GeneratedDesign, shape: RuntimeStreamShape): { top: string; text: string } {
  const L = design.manifest.latency!;
  const D = shape.dataBits;
  const top = `sim_${design.top}`;
  const text = `// Simulation-only wrapper for the pipeline harness: a[${D + 1}:${D}] is the kind of the vector,
// 0 an operation, 2 a load (cfg_valid), otherwise an idle cycle. Loads and idle cycles come back
// after the same ${L} cycles as out = {1, 0, 0}; results as {0, 1, 0, result}.
\`default_nettype none
module ${top} (
    input  wire clk,
    input  wire rst,
    input  wire in_valid,
    input  wire [${D + 1}:0] a,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [${D + 1}:0] b,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire out_valid,
    output wire [${D + 1}:0] out
);
    wire [1:0] kind = a[${D + 1}:${D}];
    wire [${D - 1}:0] data = a[${D - 1}:0];
    wire op   = in_valid && kind == 2'd0;
    wire load = in_valid && kind == 2'd2;
    wire dut_valid;
    wire [${shape.outBits - 1}:0] dut_out;
${shape.instance}
    reg [${L - 1}:0] token_sr;
    always @(posedge clk) begin
        if (rst) token_sr <= ${L}'d0;
        else     token_sr <= {token_sr[${L - 2}:0], in_valid && !op};
    end
    wire token = token_sr[${L - 1}];
    assign out_valid = dut_valid | token;
    assign out = {token, dut_valid, ${D > shape.outBits ? `${D - shape.outBits}'d0, ` : ''}token ? ${shape.outBits}'d0 : dut_out};
endmodule
\`default_nettype wire
`;
  return { top, text };
}

/** One harness vector and where it came from. */
interface Item {
  kind: keyof typeof KIND;
  prime: number;
  /** Index among its prime's operations (op), else -1. */
  index: number;
  data: bigint;
  /** What the harness expects: {token, out_valid, 0, result} as the wrapper packs it. */
  expected: bigint;
  describe?: string;
}

export interface RuntimeStreamResult {
  runs: RunResult[];
  batches: Array<{ prime: RuntimePrime; vectors: number }>;
  /** Idle cycles between the last operation of a prime and the next load. */
  idleBeforeLoad: number;
}

/**
 * Loads each prime in turn (p′ = −p⁻¹ mod 2^width) and streams its operations, checking every
 * result. Throws SimMismatchError naming the prime, its vector, the cycle and the waveform on
 * the first mismatch. `idleBeforeLoad` (tests only) overrides the rule's latency − 2 idle cycles.
 */
export async function checkRuntimeStream(
  design: GeneratedDesign,
  shape: RuntimeStreamShape,
  width: number,
  primes: RuntimePrime[],
  opsOf: (prime: RuntimePrime, index: number) => RuntimeOp[],
  opts: { progress: Progress; seed: number; waveformDir: string; idleBeforeLoad?: number },
): Promise<RuntimeStreamResult> {
  const L = design.manifest.latency!;
  if (primes.length === 0) throw new Error(`${design.top}: a programmable-prime run needs at least one prime`);
  // The rule: in_valid low in the L − 1 cycles up to and including the load cycle.
  const idleBeforeLoad = opts.idleBeforeLoad ?? L - 2;
  const D = BigInt(shape.dataBits);
  const valid = 1n << D;
  const token = 1n << (D + 1n);
  const items: Item[] = [];
  const batches: RuntimeStreamResult['batches'] = [];
  primes.forEach((prime, i) => {
    if (i > 0) for (let k = 0; k < idleBeforeLoad; k++) items.push({ kind: 'idle', prime: i, index: -1, data: 0n, expected: token });
    items.push({ kind: 'load', prime: i, index: -1, data: shape.load(prime.p, montgomeryField(prime.p, width).pPrime), expected: token });
    const ops = opsOf(prime, i);
    ops.forEach((op, index) => items.push({ kind: 'op', prime: i, index, data: op.data, expected: valid | op.result, describe: op.describe }));
    batches.push({ prime, vectors: ops.length });
  });
  const w = streamWrapper(design, shape);
  const binary = await buildPipelineSim({ top: w.top, files: { ...verilogSources(design), [`${w.top}.v`]: w.text }, onProgress: (x) => opts.progress.step(x) });
  const packed = items.map((it): [bigint, bigint] => [(KIND[it.kind] << D) | it.data, 0n]);
  try {
    const runs = await runModes(binary, design, shape.dataBits + 2, packed, items.map((it) => it.expected), opts);
    return { runs, batches, idleBeforeLoad };
  } catch (e) {
    if (!(e instanceof SimMismatchError)) throw e;
    throw new SimMismatchError(`${describeMismatch(e.message, items, primes, batches, design, shape)}\n${e.message}`, e.waveformPath);
  }
}

/** The harness names a stream vector: say which prime, and which of its vectors, that is. */
function describeMismatch(report: string, items: Item[], primes: RuntimePrime[], batches: RuntimeStreamResult['batches'], design: GeneratedDesign, shape: RuntimeStreamShape): string {
  const m = /MISMATCH at vector (\d+), cycle (\d+)/.exec(report);
  const packing = `(harness values are packed: ${shape.packing})`;
  if (!m) return `${design.manifest.block} prime=runtime: ${packing}`;
  const it = items[Number(m[1])]!;
  const prime = primes[it.prime]!;
  const where = `prime ${prime.name} (p = ${hexOf(prime.p)}, loaded ${it.prime === 0 ? 'first' : `after ${primes[it.prime - 1]!.name}`})`;
  const what =
    it.kind === 'op' ? `vector ${it.index} of its ${batches[it.prime]!.vectors}: ${it.describe}`
      : it.kind === 'load' ? 'its load (cfg_valid)' : 'an idle cycle before its load';
  return `${where}: ${what}; stream vector ${m[1]}, cycle ${m[2]} ${packing}`;
}

/** The montmul twin in the stream: data = {b, a}, a load's data = {p′, p}. */
function montmulShape(design: GeneratedDesign, W: number): RuntimeStreamShape {
  return {
    dataBits: 2 * W,
    outBits: W,
    instance: `    ${design.top} u_dut (
        .clk(clk), .rst(rst), .in_valid(op), .a(data[${W - 1}:0]), .b(data[${2 * W - 1}:${W}]),
        .cfg_valid(load), .cfg_p(data[${W - 1}:0]), .cfg_pprime(data[${2 * W - 1}:${W}]),
        .out_valid(dut_valid), .out(dut_out)
    );`,
    load: (p, pPrime) => (pPrime << BigInt(W)) | p,
    packing: 'a = {kind, b, a}, out = {load/idle token, out_valid, 0, out}',
  };
}

export type RuntimePrimeResult = RuntimeStreamResult;

/**
 * The montmul twin: each prime's vectors are runtimeVectors (edge pairs and `randomPerPrime`
 * random ones between two that depend on p and p′), each result checked against
 * montmul(montgomeryField(p, W), a, b).
 */
export async function checkRuntimePrime(
  design: GeneratedDesign,
  primes: RuntimePrime[],
  randomPerPrime: number,
  opts: { progress: Progress; seed: number; waveformDir: string; idleBeforeLoad?: number },
): Promise<RuntimePrimeResult> {
  const W = runtimeWidth(design);
  return checkRuntimeStream(design, montmulShape(design, W), W, primes, (prime, i) => {
    const mf = montgomeryField(prime.p, W);
    return runtimeVectors(prime.p, W, randomPerPrime, opts.seed + i).map(([a, b]) => {
      const model = montmul(mf, a, b);
      return { data: (b << BigInt(W)) | a, result: model, describe: `a = ${hexOf(a)}, b = ${hexOf(b)}, expected ${hexOf(model)}` };
    });
  }, opts);
}
