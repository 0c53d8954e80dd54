// The programmable-prime montmul (montmul prime=runtime) through the fixed-latency pipeline
// harness: several primes loaded through the cfg port in one run, each followed by its own
// edge and random vectors, back to back and with bubbles.
//
// The harness drives a, b and in_valid only, so a simulation-only wrapper gives each harness
// vector a kind in two bits above the operand: an operation (a, b go to the multiplier), a
// load (cfg_valid with cfg_p = a, cfg_pprime = b) or an idle cycle. Loads and idle cycles are
// answered by the wrapper's own token line after the same latency, so every vector, whatever
// its kind, comes back exactly `latency` cycles later and the harness checks all of them:
// values, latency, II = 1, bubbles and reset, as for every other pair block. The stream keeps
// to the manifest's config.rule exactly: the last operation with the old prime is taken
// latency − 1 cycles before the load (the fewest the rule allows), the first with the new
// prime right after it.
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

/** Simulation-only wrapper: harness a = {kind, a}, b = {2'b0, b}, out = {token, out_valid, out}. */
function wrapper(design: GeneratedDesign, W: number): { top: string; text: string } {
  const L = design.manifest.latency!;
  const top = `sim_${design.top}`;
  const text = `// Simulation-only wrapper for the pipeline harness: a[${W + 1}:${W}] is the kind of the vector,
// 0 an operation (a, b), 2 a load (cfg_p = a, cfg_pprime = b), otherwise an idle cycle. Loads and
// idle cycles come back after the same ${L} cycles as out = {1, 0, 0}; results as {0, 1, out}.
\`default_nettype none
module ${top} (
    input  wire clk,
    input  wire rst,
    input  wire in_valid,
    input  wire [${W + 1}:0] a,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [${W + 1}:0] b,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire out_valid,
    output wire [${W + 1}:0] out
);
    wire [1:0] kind = a[${W + 1}:${W}];
    wire op   = in_valid && kind == 2'd0;
    wire load = in_valid && kind == 2'd2;
    wire dut_valid;
    wire [${W - 1}:0] dut_out;
    ${design.top} u_dut (
        .clk(clk), .rst(rst), .in_valid(op), .a(a[${W - 1}:0]), .b(b[${W - 1}:0]),
        .cfg_valid(load), .cfg_p(a[${W - 1}:0]), .cfg_pprime(b[${W - 1}:0]),
        .out_valid(dut_valid), .out(dut_out)
    );
    reg [${L - 1}:0] token_sr;
    always @(posedge clk) begin
        if (rst) token_sr <= ${L}'d0;
        else     token_sr <= {token_sr[${L - 2}:0], in_valid && !op};
    end
    wire token = token_sr[${L - 1}];
    assign out_valid = dut_valid | token;
    assign out = {token, dut_valid, token ? ${W}'d0 : dut_out};
endmodule
\`default_nettype wire
`;
  return { top, text };
}

export async function buildRuntimePrimeSim(design: GeneratedDesign, progress: Progress): Promise<string> {
  const W = runtimeWidth(design);
  const w = wrapper(design, W);
  return buildPipelineSim({ top: w.top, files: { ...verilogSources(design), [`${w.top}.v`]: w.text }, onProgress: (s) => progress.step(s) });
}

/** One harness vector and where it came from. */
interface Item {
  kind: keyof typeof KIND;
  prime: number;
  /** Index among its prime's operations (op), else -1. */
  index: number;
  a: bigint;
  b: bigint;
  /** What the harness expects: {token, out_valid, out} as the wrapper packs it. */
  expected: bigint;
  /** The golden model's result (op). */
  model?: bigint;
}

export interface RuntimePrimeResult {
  runs: RunResult[];
  batches: Array<{ prime: RuntimePrime; vectors: number }>;
  /** Idle cycles between the last operation of a prime and the next load. */
  idleBeforeLoad: number;
}

/**
 * Loads each prime in turn and streams its vectors (runtimeVectors: edge pairs and
 * `randomPerPrime` random ones between two that depend on p and p′), checking every result against montmul(montgomeryField(p, W), a, b). Throws
 * SimMismatchError naming the prime, its vector, the cycle and the waveform on the first
 * mismatch. `idleBeforeLoad` (tests only) overrides the rule's latency − 2 idle cycles.
 */
export async function checkRuntimePrime(
  design: GeneratedDesign,
  primes: RuntimePrime[],
  randomPerPrime: number,
  opts: { progress: Progress; seed: number; waveformDir: string; idleBeforeLoad?: number },
): Promise<RuntimePrimeResult> {
  const W = runtimeWidth(design);
  const L = design.manifest.latency!;
  if (primes.length === 0) throw new Error('checkRuntimePrime needs at least one prime');
  // The rule: in_valid low in the L − 1 cycles up to and including the load cycle.
  const idleBeforeLoad = opts.idleBeforeLoad ?? L - 2;
  const W1 = 1n << BigInt(W);
  const tokenOut = 1n << BigInt(W + 1);
  const items: Item[] = [];
  const batches: RuntimePrimeResult['batches'] = [];
  primes.forEach((prime, i) => {
    const mf = montgomeryField(prime.p, W);
    if (i > 0) for (let k = 0; k < idleBeforeLoad; k++) items.push({ kind: 'idle', prime: i, index: -1, a: 0n, b: 0n, expected: tokenOut });
    items.push({ kind: 'load', prime: i, index: -1, a: prime.p, b: mf.pPrime, expected: tokenOut });
    const vectors = runtimeVectors(prime.p, W, randomPerPrime, opts.seed + i);
    vectors.forEach(([a, b], index) => {
      const model = montmul(mf, a, b);
      items.push({ kind: 'op', prime: i, index, a, b, expected: W1 | model, model });
    });
    batches.push({ prime, vectors: vectors.length });
  });
  const binary = await buildRuntimePrimeSim(design, opts.progress);
  const packed = items.map((it): [bigint, bigint] => [(KIND[it.kind] << BigInt(W)) | it.a, it.b]);
  try {
    const runs = await runModes(binary, design, W + 2, packed, items.map((it) => it.expected), opts);
    return { runs, batches, idleBeforeLoad };
  } catch (e) {
    if (!(e instanceof SimMismatchError)) throw e;
    throw new SimMismatchError(`${describeMismatch(e.message, items, primes, batches)}\n${e.message}`, e.waveformPath);
  }
}

/** The harness names a stream vector: say which prime, and which of its vectors, that is. */
function describeMismatch(report: string, items: Item[], primes: RuntimePrime[], batches: RuntimePrimeResult['batches']): string {
  const m = /MISMATCH at vector (\d+), cycle (\d+)/.exec(report);
  const packing = "(harness values are packed: a = {kind, a}, out = {load/idle token, out_valid, out})";
  if (!m) return `montmul prime=runtime: ${packing}`;
  const it = items[Number(m[1])]!;
  const prime = primes[it.prime]!;
  const where = `prime ${prime.name} (p = ${hexOf(prime.p)}, loaded ${it.prime === 0 ? 'first' : `after ${primes[it.prime - 1]!.name}`})`;
  const what =
    it.kind === 'op'
      ? `vector ${it.index} of its ${batches[it.prime]!.vectors}: a = ${hexOf(it.a)}, b = ${hexOf(it.b)}, expected ${hexOf(it.model!)}`
      : it.kind === 'load' ? 'its load (cfg_valid)' : 'an idle cycle before its load';
  return `${where}: ${what}; stream vector ${m[1]}, cycle ${m[2]} ${packing}`;
}
