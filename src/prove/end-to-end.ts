// Lemma `e2e.sat`: the generated Verilog of a montmul, as a whole, computes a·b·R⁻¹ mod p for
// every pair of canonical inputs, for toy primes (≤ 12 bits), checked on Yosys' own reading of
// the Verilog: by SAT (Yosys `sat`) and, for the arithmetic, by evaluating every input pair.
//
// The other lemmas reason about the generator's plan (its constants, its tiles, its adder
// tree); this one reads the Verilog text a user gets, elaborated and flattened by Yosys, and
// checks it against a specification written here. It uses no internal module or signal name
// of the design: only the top, its ports and the manifest's p, k and latency.
//
// ## The specification
//
// `out` is a·b·R⁻¹ mod p  ⟺  out < p  and  p divides D = a·b − out·R.
//
// For SAT it is stated in one of two ways (`spec`):
// - `modulo`: a reference computes (a·b mod p)·R⁻¹ mod p with Verilog `%` (module
//   `ref_<top>_f`) and SAT proves out equal to it. Obviously right, and slow: SAT has to show a
//   Montgomery reduction equal to a restoring divider that shares nothing with it inside.
// - `divides` (the default): p | D by exact division. p is odd, so it has an inverse p⁻¹
//   modulo 2^N; with N = max(2W, W + k) + 2 (W = bits of p, R = 2^k):
//     out < p  and  z = D·p⁻¹ mod 2^N, read as a signed N-bit number, lies in (−R, p)
//     ⟺  out < p  and  p | D.
//   (⇐) D = p·q with q = (a·b − out·R)/p ∈ (−R, p), as a·b < p² and out·R < p·R; then
//       D·p⁻¹ ≡ q (mod 2^N), and q fits in N signed bits, so z = q.
//   (⇒) z ∈ (−R, p) ⇒ z·p ≡ D (mod 2^N), and |z·p| < max(p·R, p²) ≤ 2^(N−2), |D| < 2^(N−2),
//       so z·p = D exactly: p | D.
//   No divider in the circuit: multiplications by constants and a range test over the same
//   a·b the design computes, which Yosys' SAT encoder shares when it is built the same way.
// The exhaustive engine compares with a·b·R⁻¹ mod p computed in JavaScript for each pair.
//
// The reference module `ref_<top>` (the `%` value through `latency` registers, and out_valid =
// in_valid through `latency` registers that rst clears, as the contract says rst does) gives
// the valid line to compare with. The montmul contract is assumed: in_valid → a < p ∧ b < p.
// The harnesses are plain Verilog: the contract is an output `contract` that `sat -set
// contract 1` holds at every step, the claim an output `ok` that `sat -prove ok 1` proves (not
// `assert`/`assume`: Yosys 0.55 reads those into $check cells, which sat takes only after
// `chformal -lower`, a pass Yosys 0.23 lacks).
//
// ## The ways to the proof
//
// First, Yosys maps the flattened design to single-bit cells and `analysePipeline` checks that
// the data path is a balanced feed-forward pipeline: no loop in the cone of `out`; every
// register there a plain positive-edge flip-flop on clk; the cone reaching only the inputs a
// and b; every path from a or b to out passing exactly L = manifest.latency registers, and no
// path from a constant more than L. Then, for every run from any power-up state and every
// cycle t ≥ L+1, out(t) = G(a(t−L), b(t−L)), where G is the design with every register
// replaced by a wire (by induction along the acyclic cone: a net whose paths from a, b pass d
// registers and whose longest path from any source passes m carries G_net(a, b at t−d) from
// cycle m+1 on). For such a design (the balanced way):
//   - out: G(a, b) is checked for all a, b < p. `engine: 'exhaustive'` (the default)
//     evaluates G's cells (the same netlist the analysis read) on all p² pairs, 32 pairs per
//     machine word, and compares with a·b·R⁻¹ mod p; `engine: 'sat'` has Yosys `sat` prove G
//     against `spec` (one combinational problem).
//   - out_valid: `sat -seq L+1 -prove-skip L` proves it equal to the reference's at step L+1
//     for every register state at step 1 and every input sequence (nothing reads the design's
//     out in this harness, so Yosys drops the data path). With every register free at step 1,
//     step L+1 stands for every cycle t ≥ L+1 of every run: the state at t−L is one of the
//     free states, the inputs of t−L..t one of the free sequences.
// A wrong out found this way is replayed on the sequential design with the direct harness below
// (registers zero at power-up, the operands alone at cycle 1), for a waveform that also
// confirms it. Any other design takes the direct way: design and reference side by side, `sat -seq L+1
// -prove-skip L` from free registers, out and out_valid checked at step L+1 against `spec`.
// It is sound for every design by the argument above, and exact for feed-forward ones; with
// register feedback a counterexample may start from a state no run reaches (a failure says so).
//
// Why not SAT everywhere: SAT on a multiplier built from tiles (or Karatsuba) against any other
// multiplier is exponential in its width; measured with Yosys 0.23's minisat, p = 251 with 3x3
// tiles takes 60–110 s as one combinational problem, p = 1021 with 4x3 tiles does not finish
// in 15 minutes. Where G builds a·b as one product like the spec does (one tile), SAT shares
// it and takes a second. The exhaustive engine takes p²·(cells of G)/32 word operations: a
// fraction of a second at 10 bits, seconds at 12. It is a proof for these primes all the same
// (every input pair is evaluated), and it trusts the same things SAT does: Yosys' front end
// and its lowering to cells (here `techmap`, for SAT its cell encoder).
//
// Neither way relies on registers starting at zero (the data path has no reset).
//
// Not covered: cycles 1..L after power-up (their outputs come from the power-up state, e.g.
// that out_valid stays low for L cycles after rst); primes wider than 12 bits; whatever Yosys'
// Verilog front end and a simulator or synthesizer could disagree about (x values, initial
// blocks: the generated design has neither); timing.
//
// Timeouts: `timeoutSeconds` becomes `sat -timeout`, which native Yosys ($YOSYS) honours. The
// WebAssembly build has no timer signal: there the SAT calls run to the end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GeneratedDesign, Port } from '../gen/design.ts';
import { YosysError, moduleName, runYosys, scriptFileName } from '../synth/yosys.ts';
import { LemmaFailure, LemmaTimeout, type Lemma } from './lemma.ts';
import { modInverse } from '../model/field.ts';

/** Widest prime the proof is attempted for. */
export const E2E_MAX_BITS = 12;

export type EndToEndSpec = 'divides' | 'modulo';

export interface EndToEndOptions {
  /** Per SAT call (Yosys `sat -timeout`, native Yosys only): LemmaTimeout when exceeded. */
  timeoutSeconds?: number;
  /** Where a counterexample's waveform is written (`<top>.e2e.vcd`); none when absent. */
  waveformDir?: string;
  /** How SAT is told the result (see the top of this file); `divides` by default. */
  spec?: EndToEndSpec;
  /** Balanced way: how out is checked, `exhaustive` (default) or `sat`. */
  engine?: 'exhaustive' | 'sat';
  /** `direct`: skip the pipeline analysis and unroll the design (for comparison and tests). */
  method?: 'auto' | 'direct';
  /** Each Yosys log line, for progress. */
  onLine?: (line: string) => void;
  /** Called once the lemma knows which way it took. */
  onInfo?: (info: EndToEndInfo) => void;
}

export interface EndToEndInfo {
  way: 'balanced' | 'direct';
  engine?: 'exhaustive' | 'sat';
  /** Why the direct way was taken, when it was not asked for. */
  reason?: string;
  /** Wall time of each Yosys run, and of the exhaustive evaluation. */
  yosysMs: number[];
  evalMs?: number;
  /** Pairs (a, b) the exhaustive engine evaluated. */
  pairs?: number;
}

/** What the proof needs from a montmul manifest, checked. */
export interface EndToEndSetup {
  top: string;
  W: number;
  p: bigint;
  k: number;
  R: bigint;
  rInv: bigint;
  latency: number;
  hasRst: boolean;
  /** Width of the exact-division check: every D = a·b − out·R and every z·p fits signed. */
  N: number;
  /** p⁻¹ mod 2^N. */
  pInvN: bigint;
}

// File and module names of our own; the design's must not collide with them.
const FILES = {
  ref: 'e2e_ref.v',
  check: 'e2e_check.v',
  valid: 'e2e_valid.v',
  data: 'e2e_data.v',
  dff2wire: 'e2e_dff2wire.v',
  netlist: 'e2e_netlist.json',
  vcd: 'e2e_cex.vcd',
};
const MODULES = { check: 'e2e_check', valid: 'e2e_valid', data: 'e2e_data', comb: 'e2e_comb' };

export function endToEndSetup(design: GeneratedDesign): EndToEndSetup {
  const m = design.manifest;
  const top = moduleName(design.top);
  if (m.block !== 'montmul') throw new Error(`e2e.sat proves montmul designs only, not ${m.block} (${top})`);
  if (!m.field || !m.montgomery) throw new Error(`e2e.sat: the manifest of ${top} has no field or montgomery section`);
  const W = m.field.bits;
  if (W > E2E_MAX_BITS) {
    throw new Error(`e2e.sat: ${top} is ${W} bits wide; the whole-Verilog proof is only attempted up to ${E2E_MAX_BITS} bits (use a toy prime, e.g. --prime 251)`);
  }
  const p = BigInt(m.field.p);
  if (p < 3n || p % 2n === 0n || p >> BigInt(W - 1) !== 1n) throw new Error(`e2e.sat: ${top}: p = ${p} is not an odd ${W}-bit number`);
  const k = m.montgomery.k;
  if (!Number.isInteger(k) || k < W) throw new Error(`e2e.sat: ${top}: R = 2^${k} is not above p`);
  const latency = m.latency;
  if (typeof latency !== 'number' || !Number.isInteger(latency) || latency < 1) {
    throw new Error(`e2e.sat: the manifest of ${top} gives no fixed latency ≥ 1`);
  }
  const port = (name: string) => m.ports.find((x) => x.name === name);
  const want: [string, Port['dir'], number][] = [['clk', 'in', 1], ['in_valid', 'in', 1], ['a', 'in', W], ['b', 'in', W], ['out_valid', 'out', 1], ['out', 'out', W]];
  for (const [name, dir, width] of want) {
    const x = port(name);
    if (!x || x.dir !== dir || x.width !== width) throw new Error(`e2e.sat: ${top} has no ${dir}put port ${name}[${width}] in its manifest`);
  }
  const rst = port('rst');
  if (rst && (rst.dir !== 'in' || rst.width !== 1)) throw new Error(`e2e.sat: ${top}: rst is not a 1-bit input`);
  const unknown = m.ports.filter((x) => !['clk', 'rst', 'in_valid', 'a', 'b', 'out_valid', 'out'].includes(x.name));
  if (unknown.length) throw new Error(`e2e.sat: ${top} has ports the proof does not know how to drive: ${unknown.map((x) => x.name).join(', ')}`);
  const R = 1n << BigInt(k);
  const N = Math.max(2 * W, W + k) + 2;
  return { top, W, p, k, R, rInv: modInverse(R, p), latency, hasRst: rst !== undefined, N, pInvN: modInverse(p, 1n << BigInt(N)) };
}

// ---------------------------------------------------------------------------------------------
// Verilog written here: the reference and the harnesses.

const lit = (bits: number, v: bigint) => `${bits}'d${v.toString(10)}`;
const range = (w: number) => `[${w - 1}:0]`;

/** The port list of a harness: the montmul's inputs (rst always), then `outputs` as [name, width]. */
function harnessPorts(W: number, outputs: Array<[string, number]>): string {
  const out = outputs.map(([n, w]) => `    output wire ${w === 1 ? '        ' : range(w)} ${n}`);
  return ['    input  wire         clk', '    input  wire         rst', '    input  wire         in_valid', `    input  wire ${range(W)} a`, `    input  wire ${range(W)} b`, ...out].join(',\n');
}

/** `{reg[..], input}`: one more stage of a shift line of `stages` stages of `width` bits. */
function shiftIn(reg: string, stages: number, width: number, input: string): string {
  return stages === 1 ? input : `{${reg}[${(stages - 1) * width - 1}:0], ${input}}`;
}

function lastStage(reg: string, stages: number, width: number): string {
  return `${reg}[${stages * width - 1}:${(stages - 1) * width}]`;
}

const head = (s: EndToEndSetup, what: string) =>
  `// e2e.sat: ${what} for ${s.top}, written by src/prove/end-to-end.ts, not by the generator.\n\`default_nettype none\n`;

/**
 * `ref_<top>_f`: (a·b mod p)·R⁻¹ mod p with `%`, combinational. `ref_<top>`: the same ports as
 * the design; out is that value through `latency` registers, out_valid is in_valid through
 * `latency` registers that rst clears.
 */
export function referenceModule(s: EndToEndSetup): { name: string; text: string } {
  const name = `ref_${s.top}`;
  const { W } = s;
  const L = s.latency;
  // a·b < 2^2W, and (a·b mod p)·R⁻¹ < p²: 2W bits hold every intermediate.
  const W2 = 2 * W;
  const valid = s.hasRst
    ? `        if (rst) valid_sr <= ${L}'d0;\n        else     valid_sr <= ${shiftIn('valid_sr', L, 1, 'in_valid')};`
    : `        valid_sr <= ${shiftIn('valid_sr', L, 1, 'in_valid')};`;
  const text = `${head(s, 'reference')}// out = a*b*R^-1 mod p, p = ${s.p}, R = 2^${s.k}, R^-1 mod p = ${s.rInv}; ${L} cycles of latency.

module ${name}_f (
    input  wire ${range(W)} a,
    input  wire ${range(W)} b,
    output wire ${range(W)} out
);
    localparam ${range(W2)} P = ${lit(W2, s.p)};
    localparam ${range(W2)} RINV = ${lit(W2, s.rInv)};
    wire ${range(W2)} ab = {${W}'d0, a} * {${W}'d0, b};
    wire ${range(W2)} ab_mod_p = ab % P;
    wire ${range(W2)} f = (ab_mod_p * RINV) % P;
    assign out = f[${W - 1}:0];
endmodule

module ${name} (
    input  wire         clk,
${s.hasRst ? '    input  wire         rst,\n' : ''}    input  wire         in_valid,
    input  wire ${range(W)} a,
    input  wire ${range(W)} b,
    output wire         out_valid,
    output wire ${range(W)} out
);
    wire ${range(W)} f;
    ${name}_f u_f (.a(a), .b(b), .out(f));

    reg ${range(L * W)} out_sr;
    reg ${range(L)} valid_sr;
    always @(posedge clk) begin
        out_sr <= ${shiftIn('out_sr', L, W, 'f')};
${valid}
    end
    assign out = ${lastStage('out_sr', L, W)};
    assign out_valid = valid_sr[${L - 1}];
endmodule

\`default_nettype wire
`;
  return { name, text };
}

/** Verilog declaring `z_in_range`: p | (a·b − out·R) for the nets named (see the top). */
function dividesCheck(s: EndToEndSetup, a: string, b: string, out: string): string {
  const { N, W, k } = s;
  const pad = (bits: number) => (N > bits ? `${N - bits}'d0, ` : '');
  return `    // out = a*b*R^-1 mod p  <=>  out < p and p divides D = a*b - out*R. Exact division by p:
    // z = D * p^-1 mod 2^${N} is D/p when p | D, and p | D exactly when z, read as a signed
    // ${N}-bit number, lies in (-R, p), the range of D/p (see src/prove/end-to-end.ts).
    wire ${range(N)} d = {${pad(W)}${a}} * {${pad(W)}${b}} - {${pad(W + k)}${out}, ${k}'d0};
    wire ${range(N)} z = d * ${lit(N, s.pInvN)};
    wire z_in_range = z < ${lit(N, s.p)} || z > ${lit(N, (1n << BigInt(N)) - s.R)};`;
}

/** Direct way: design and reference side by side; `ok` is proved at step L+1. */
export function checkHarness(s: EndToEndSetup, spec: EndToEndSpec): string {
  const { W } = s;
  const L = s.latency;
  const rst = s.hasRst ? '.rst(rst), ' : '';
  const check = spec === 'modulo' ? 'dut_out == ref_out' : 'dut_out < P && z_in_range';
  return `${head(s, 'harness of the direct way')}
module ${MODULES.check} (
${harnessPorts(W, [['dut_valid', 1], ['dut_out', W], ['ref_valid', 1], ['ref_out', W], ['contract', 1], ['ok', 1]])}
);
    localparam ${range(W)} P = ${lit(W, s.p)};
    ${s.top} u_dut (.clk(clk), ${rst}.in_valid(in_valid), .a(a), .b(b), .out_valid(dut_valid), .out(dut_out));
    ref_${s.top} u_ref (.clk(clk), ${rst}.in_valid(in_valid), .a(a), .b(b), .out_valid(ref_valid), .out(ref_out));

    // The operands of ${L} cycles ago, the ones out belongs to.
    reg ${range(L * W)} a_sr, b_sr;
    always @(posedge clk) begin
        a_sr <= ${shiftIn('a_sr', L, W, 'a')};
        b_sr <= ${shiftIn('b_sr', L, W, 'b')};
    end
    wire ${range(W)} a_d = ${lastStage('a_sr', L, W)};
    wire ${range(W)} b_d = ${lastStage('b_sr', L, W)};
${dividesCheck(s, 'a_d', 'b_d', 'dut_out')}

    // The montmul contract, held at every step (sat -set contract 1): valid operands are canonical.
    assign contract = !in_valid || (a < P && b < P);
    // Proved at step ${L + 1} (sat -prove ok 1 -prove-skip ${L}).
    assign ok = dut_valid == ref_valid && (!ref_valid || (${check}));
endmodule

\`default_nettype wire
`;
}

/** Balanced way, out_valid: nothing reads the design's out, so Yosys drops the data path. */
export function validHarness(s: EndToEndSetup): string {
  const { W } = s;
  const rst = s.hasRst ? '.rst(rst), ' : '';
  return `${head(s, 'out_valid harness')}
module ${MODULES.valid} (
${harnessPorts(W, [['dut_valid', 1], ['ref_valid', 1], ['ok', 1]])}
);
    ${s.top} u_dut (.clk(clk), ${rst}.in_valid(in_valid), .a(a), .b(b), .out_valid(dut_valid), .out());
    ref_${s.top} u_ref (.clk(clk), ${rst}.in_valid(in_valid), .a(a), .b(b), .out_valid(ref_valid), .out());
    // Proved at step ${s.latency + 1} (sat -prove ok 1 -prove-skip ${s.latency}).
    assign ok = dut_valid == ref_valid;
endmodule

\`default_nettype wire
`;
}

/** Balanced way, out by SAT: G, the design with registers as wires, against the spec. */
export function dataHarness(s: EndToEndSetup, spec: EndToEndSpec): string {
  const { W } = s;
  const rst = s.hasRst ? `.rst(1'b0), ` : '';
  const check = spec === 'modulo' ? 'out == ref_out' : 'out < P && z_in_range';
  return `${head(s, 'combinational harness')}
module ${MODULES.data} (
    input  wire ${range(W)} a,
    input  wire ${range(W)} b,
    output wire ${range(W)} out,
    output wire ${range(W)} ref_out,
    output wire         contract,
    output wire         ok
);
    localparam ${range(W)} P = ${lit(W, s.p)};
    // The cone of out reaches neither clk, rst nor in_valid (analysePipeline checked it).
    ${MODULES.comb} u_g (.clk(1'b0), ${rst}.in_valid(1'b1), .a(a), .b(b), .out_valid(), .out(out));
${spec === 'modulo' ? `    ref_${s.top}_f u_f (.a(a), .b(b), .out(ref_out));` : `    assign ref_out = ${W}'d0;`}
${dividesCheck(s, 'a', 'b', 'out')}

    assign contract = a < P && b < P;
    assign ok = ${check};
endmodule

\`default_nettype wire
`;
}

/** techmap rules turning every $dff (after proc, the design's only register kind) into a wire. */
export const DFF_TO_WIRE = `(* techmap_celltype = "$dff" *)
module e2e_dff_to_wire (CLK, D, Q);
    parameter WIDTH = 1;
    parameter CLK_POLARITY = 1'b1;
    input CLK;
    input [WIDTH-1:0] D;
    output [WIDTH-1:0] Q;
    assign Q = D;
endmodule
`;

// ---------------------------------------------------------------------------------------------
// Yosys scripts.

const timeoutOpt = (t?: number) => (t !== undefined ? `-timeout ${Math.max(1, Math.ceil(t))}` : undefined);
const words = (parts: (string | undefined)[]) => parts.filter((x) => x !== undefined).join(' ');

/** Flattened, processes and memories lowered (zkrtl_delay's array becomes registers). */
function elaborate(s: EndToEndSetup, designFiles: string[]): string[] {
  return [
    `read_verilog ${designFiles.map(scriptFileName).join(' ')}`,
    `hierarchy -check -top ${s.top}`,
    'proc',
    'flatten',
    'memory',
    'opt_clean',
  ];
}

/** Harnesses read after the design: they have tops of their own. */
function addHarnesses(files: string[]): string[] {
  return [
    `read_verilog ${files.join(' ')}`,
    // Without the design's top mark, hierarchy keeps every module.
    'setattr -mod -unset top',
    'hierarchy -check',
    'proc',
    'flatten',
    'memory',
    'opt_clean',
  ];
}

/**
 * Balanced way, run 1: the design as single-bit cells, written for analysePipeline and the
 * exhaustive engine; then out_valid by `sat -seq`.
 */
export function balancedScript(s: EndToEndSetup, designFiles: string[], opts: { timeoutSeconds?: number; vcd?: string } = {}): string {
  const L = s.latency;
  return [
    ...elaborate(s, designFiles),
    'techmap',
    'opt_clean',
    `write_json ${FILES.netlist}`,
    ...addHarnesses([FILES.ref, FILES.valid]),
    words([
      'sat', `-seq ${L + 1}`, `-prove-skip ${L}`, '-prove ok 1', '-show-ports', timeoutOpt(opts.timeoutSeconds),
      opts.vcd ? `-dump_vcd ${scriptFileName(opts.vcd)}` : undefined, MODULES.valid,
    ]),
  ].join('\n');
}

/** Balanced way with `engine: 'sat'`: G (registers as wires, cells word-level) by one sat call. */
export function combinationalScript(s: EndToEndSetup, designFiles: string[], opts: { timeoutSeconds?: number } = {}): string {
  return [
    ...elaborate(s, designFiles),
    `copy ${s.top} ${MODULES.comb}`,
    `techmap -map ${FILES.dff2wire} ${MODULES.comb}`,
    ...addHarnesses([FILES.ref, FILES.data]),
    words(['sat', '-set contract 1', '-prove ok 1', '-show-ports', timeoutOpt(opts.timeoutSeconds), MODULES.data]),
  ].join('\n');
}

/** Direct way: the whole design unrolled L+1 steps from free registers. */
export function directScript(
  s: EndToEndSetup, designFiles: string[],
  opts: { timeoutSeconds?: number; vcd?: string; pin?: { a: bigint; b: bigint } } = {},
): string {
  const L = s.latency;
  // A replay: registers zero at power-up, the operands enter at cycle 1 alone, nothing else
  // happens; every signal is then determined and sat only propagates.
  const pin = opts.pin
    ? `-set-init-zero -set a 0 -set b 0 -set in_valid 0 -set rst 0 -set-at 1 a ${opts.pin.a} -set-at 1 b ${opts.pin.b} -set-at 1 in_valid 1`
    : undefined;
  return [
    `read_verilog ${[...designFiles.map(scriptFileName), FILES.ref, FILES.check].join(' ')}`,
    `hierarchy -check -top ${MODULES.check}`,
    'proc',
    'flatten',
    'memory',
    'opt_clean',
    words([
      'sat', `-seq ${L + 1}`, `-prove-skip ${L}`, '-set contract 1', '-prove ok 1', '-show-ports', pin,
      timeoutOpt(opts.timeoutSeconds), opts.vcd ? `-dump_vcd ${scriptFileName(opts.vcd)}` : undefined, MODULES.check,
    ]),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The pipeline analysis.

type JsonBit = number | string;
interface JsonCell {
  type: string;
  port_directions: Record<string, 'input' | 'output' | 'inout'>;
  connections: Record<string, JsonBit[]>;
}
interface JsonModule {
  ports: Record<string, { direction: 'input' | 'output' | 'inout'; bits: JsonBit[] }>;
  cells: Record<string, JsonCell>;
}
export interface JsonNetlist { modules: Record<string, JsonModule> }

/** One bit of the cone of out, in an order where every bit comes after the bits it reads. */
export type ConeBit =
  | { bit: number; kind: 'input'; port: 'a' | 'b'; index: number }
  | { bit: number; kind: 'register'; d: JsonBit }
  | { bit: number; kind: 'cell'; type: string; inputs: Record<string, JsonBit> };

export interface PipelineAnalysis {
  /** out(t) = G(a(t−L), b(t−L)) for every t ≥ L+1 (see the top of this file). */
  balanced: boolean;
  /** Why not, when not. */
  reason?: string;
  /** Flip-flop bits in the cone of out. */
  registers: number;
  /** The cone of out (when balanced). */
  cone: ConeBit[];
  /** The bits of out, least significant first. */
  out: JsonBit[];
}

const PLAIN_DFF = '$_DFF_P_';
const STATE_CELL = /DFF|DLATCH|_SR_|_FF_|\$mem|\$dff|\$latch|\$sr$|\$ff$/i;

/**
 * Checks, on the bit-level netlist of the flattened design (Yosys `techmap`, as JSON), that the
 * cone of `out` is a balanced feed-forward pipeline of `latency` stages fed by a and b only.
 */
export function analysePipeline(netlist: JsonNetlist, top: string, latency: number): PipelineAnalysis {
  const mod = netlist.modules[top];
  const out = mod?.ports.out?.bits ?? [];
  const no = (reason: string, registers = 0): PipelineAnalysis => ({ balanced: false, reason, registers, cone: [], out });
  if (!mod) return no(`module ${top} is not in the netlist`);
  const inputOf = new Map<number, { port: string; index: number }>();
  for (const [name, p] of Object.entries(mod.ports)) {
    if (p.direction === 'input') p.bits.forEach((b, index) => { if (typeof b === 'number') inputOf.set(b, { port: name, index }); });
  }
  const clkBits = mod.ports.clk?.bits ?? [];
  const driver = new Map<number, { cell: JsonCell; port: string }>();
  for (const cell of Object.values(mod.cells)) {
    for (const [port, dir] of Object.entries(cell.port_directions)) {
      if (dir !== 'input') for (const b of cell.connections[port] ?? []) if (typeof b === 'number') driver.set(b, { cell, port });
    }
  }
  const inputsOf = (cell: JsonCell): Record<string, JsonBit> => {
    const ins: Record<string, JsonBit> = {};
    for (const [port, dir] of Object.entries(cell.port_directions)) {
      if (dir !== 'input') continue;
      const bits = cell.connections[port] ?? [];
      if (bits.length === 1) ins[port] = bits[0];
      else bits.forEach((b, i) => { ins[`${port}[${i}]`] = b; });
    }
    return ins;
  };
  const fanIn = (bit: number): JsonBit[] => {
    const d = driver.get(bit);
    if (!d || inputOf.has(bit)) return [];
    return d.cell.type === PLAIN_DFF ? d.cell.connections.D : Object.values(inputsOf(d.cell));
  };
  // depths: bit i set when some path from a, b to the bit passes i registers; longest: the
  // most registers on a path from any source (inputs, constants).
  interface Info { depths: bigint; longest: number }
  const memo = new Map<number, Info>();
  const onPath = new Set<number>();
  const cone: ConeBit[] = [];
  const sources = new Set<string>();
  let registers = 0;
  let problem: string | undefined;
  // Iterative post-order walk: carry chains times pipeline stages are too deep for recursion.
  const visit = (root: number): void => {
    const stack: [number, boolean][] = [[root, false]];
    while (stack.length && problem === undefined) {
      const [bit, expanded] = stack.pop()!;
      if (memo.has(bit)) continue;
      if (!expanded) {
        if (onPath.has(bit)) { problem = 'a loop runs through the cone of out (register feedback or a combinational loop)'; break; }
        onPath.add(bit);
        stack.push([bit, true]);
        if (!inputOf.has(bit)) {
          const d = driver.get(bit);
          if (!d) { problem = `bit ${bit} in the cone of out has no driver`; break; }
          if (d.cell.type === PLAIN_DFF) {
            const c = d.cell.connections.C?.[0];
            if (c === undefined || !clkBits.includes(c)) { problem = 'a register in the cone of out is not clocked by clk'; break; }
          } else if (STATE_CELL.test(d.cell.type)) {
            problem = `the cone of out holds a ${d.cell.type}, not a plain register`;
            break;
          }
        }
        for (const b of fanIn(bit)) if (typeof b === 'number' && !memo.has(b)) stack.push([b, false]);
        continue;
      }
      onPath.delete(bit);
      const input = inputOf.get(bit);
      if (input !== undefined) {
        sources.add(input.port);
        memo.set(bit, { depths: 1n, longest: 0 });
        if (input.port === 'a' || input.port === 'b') cone.push({ bit, kind: 'input', port: input.port, index: input.index });
        continue;
      }
      const { cell } = driver.get(bit)!;
      const ins = fanIn(bit).map((b) => (typeof b === 'number' ? memo.get(b)! : { depths: 0n, longest: 0 }));
      const depths = ins.reduce((acc, x) => acc | x.depths, 0n);
      const longest = ins.reduce((acc, x) => Math.max(acc, x.longest), 0);
      if (cell.type === PLAIN_DFF) {
        registers++;
        memo.set(bit, { depths: depths << 1n, longest: longest + 1 });
        cone.push({ bit, kind: 'register', d: cell.connections.D[cell.connections.Q.indexOf(bit)] });
      } else {
        memo.set(bit, { depths, longest });
        cone.push({ bit, kind: 'cell', type: cell.type, inputs: inputsOf(cell) });
      }
    }
  };
  for (const b of out) if (typeof b === 'number') visit(b);
  if (problem) return no(problem, registers);
  const extra = [...sources].filter((x) => x !== 'a' && x !== 'b');
  if (extra.length) return no(`out depends on ${extra.join(', ')}, not only on a and b`, registers);
  for (const b of out) {
    if (typeof b !== 'number') continue;
    const { depths, longest } = memo.get(b)!;
    if (depths !== 0n && depths !== 1n << BigInt(latency)) {
      const ds = [...depths.toString(2)].reverse().flatMap((c, i) => (c === '1' ? [i] : []));
      return no(`out depends on a, b of ${ds.join(', ')} cycles before, not exactly ${latency} (the manifest's latency)`, registers);
    }
    if (longest > latency) return no(`a path of ${longest} registers reaches out, more than the latency ${latency}`, registers);
  }
  return { balanced: true, registers, cone, out };
}

// ---------------------------------------------------------------------------------------------
// The exhaustive engine: G evaluated on every pair (a, b), 32 pairs per 32-bit word.

/** Yosys' single-bit cells (`techmap`), as functions of 32 lanes at once. */
const GATES: Record<string, (i: Record<string, number>) => number> = {
  $_BUF_: (i) => i.A,
  $_NOT_: (i) => ~i.A,
  $_AND_: (i) => i.A & i.B,
  $_NAND_: (i) => ~(i.A & i.B),
  $_OR_: (i) => i.A | i.B,
  $_NOR_: (i) => ~(i.A | i.B),
  $_XOR_: (i) => i.A ^ i.B,
  $_XNOR_: (i) => ~(i.A ^ i.B),
  $_ANDNOT_: (i) => i.A & ~i.B,
  $_ORNOT_: (i) => i.A | ~i.B,
  $_MUX_: (i) => (i.A & ~i.S) | (i.B & i.S),
  $_NMUX_: (i) => ~((i.A & ~i.S) | (i.B & i.S)),
  $_AOI3_: (i) => ~((i.A & i.B) | i.C),
  $_OAI3_: (i) => ~((i.A | i.B) & i.C),
  $_AOI4_: (i) => ~((i.A & i.B) | (i.C & i.D)),
  $_OAI4_: (i) => ~((i.A | i.B) & (i.C | i.D)),
};

// Opcodes for the inner loop (a closure per cell and word would be ten times slower).
const OPS = ['$_BUF_', '$_NOT_', '$_AND_', '$_NAND_', '$_OR_', '$_NOR_', '$_XOR_', '$_XNOR_', '$_ANDNOT_', '$_ORNOT_', '$_MUX_', '$_NMUX_'];

export interface ExhaustiveResult {
  pairs: number;
  /** The first pair (a, b) whose out is wrong, with out and the expected value. */
  counterexample?: { a: bigint; b: bigint; out: bigint; expected: bigint };
}

/** Cell types the exhaustive engine cannot evaluate (then `engine: 'sat'` is used). */
export function unsupportedCells(cone: ConeBit[]): string[] {
  return [...new Set(cone.filter((c) => c.kind === 'cell' && !(c.type in GATES)).map((c) => (c as { type: string }).type))];
}

/**
 * Evaluates the cone of out (registers as wires) for every a, b < p and compares with
 * a·b·R⁻¹ mod p. x and z constants read as 0, as Yosys `sat` reads them.
 */
export function evaluateExhaustively(s: EndToEndSetup, analysis: PipelineAnalysis): ExhaustiveResult {
  const { W } = s;
  const p = Number(s.p);
  const rInv = Number(s.rInv);
  const span = 1 << W; // lanes per a: every b < 2^W, those ≥ p skipped when checking
  const WORDS = 256;
  const lanes = WORDS * 32;
  const aPerChunk = Math.max(1, Math.floor(lanes / span));
  // Slots: 0 = constant 0, 1 = constant 1, then one per bit of the cone (a register shares
  // the slot of its D).
  const slot = new Map<number, number>();
  let nSlots = 2;
  const slotOf = (b: JsonBit): number => (typeof b === 'number' ? slot.get(b)! : b === '1' ? 1 : 0);
  interface Op { y: number; op: number; a: number; b: number; s: number; extra?: { type: string; ins: [string, number][] } }
  const ops: Op[] = [];
  const inputs: { y: number; port: 'a' | 'b'; index: number }[] = [];
  for (const c of analysis.cone) {
    if (c.kind === 'register') { slot.set(c.bit, slotOf(c.d)); continue; }
    const y = nSlots++;
    slot.set(c.bit, y);
    if (c.kind === 'input') { inputs.push({ y, port: c.port, index: c.index }); continue; }
    const i = c.inputs;
    const op = OPS.indexOf(c.type);
    if (op >= 0) ops.push({ y, op, a: slotOf(i.A ?? '0'), b: slotOf(i.B ?? '0'), s: slotOf(i.S ?? '0') });
    else ops.push({ y, op: -1, a: 0, b: 0, s: 0, extra: { type: c.type, ins: Object.entries(i).map(([k, v]) => [k, slotOf(v)]) } });
  }
  const outSlots = analysis.out.map(slotOf);
  const v = new Int32Array(nSlots * WORDS);
  v.fill(-1, WORDS, 2 * WORDS);
  let pairs = 0;
  for (let a0 = 0; a0 < p; a0 += aPerChunk) {
    // Lane l of this chunk: a = a0 + floor(l / span), b = l mod span.
    for (const { y, port, index } of inputs) {
      const base = y * WORDS;
      for (let w = 0; w < WORDS; w++) {
        let word = 0;
        for (let j = 0; j < 32; j++) {
          const l = w * 32 + j;
          const val = port === 'a' ? a0 + Math.floor(l / span) : l % span;
          word |= ((val >> index) & 1) << j;
        }
        v[base + w] = word;
      }
    }
    for (const { y, op, a, b, s: sel, extra } of ops) {
      const Y = y * WORDS, A = a * WORDS, B = b * WORDS, S = sel * WORDS;
      switch (op) {
        case 0: for (let w = 0; w < WORDS; w++) v[Y + w] = v[A + w]; break;
        case 1: for (let w = 0; w < WORDS; w++) v[Y + w] = ~v[A + w]; break;
        case 2: for (let w = 0; w < WORDS; w++) v[Y + w] = v[A + w] & v[B + w]; break;
        case 3: for (let w = 0; w < WORDS; w++) v[Y + w] = ~(v[A + w] & v[B + w]); break;
        case 4: for (let w = 0; w < WORDS; w++) v[Y + w] = v[A + w] | v[B + w]; break;
        case 5: for (let w = 0; w < WORDS; w++) v[Y + w] = ~(v[A + w] | v[B + w]); break;
        case 6: for (let w = 0; w < WORDS; w++) v[Y + w] = v[A + w] ^ v[B + w]; break;
        case 7: for (let w = 0; w < WORDS; w++) v[Y + w] = ~(v[A + w] ^ v[B + w]); break;
        case 8: for (let w = 0; w < WORDS; w++) v[Y + w] = v[A + w] & ~v[B + w]; break;
        case 9: for (let w = 0; w < WORDS; w++) v[Y + w] = v[A + w] | ~v[B + w]; break;
        case 10: for (let w = 0; w < WORDS; w++) v[Y + w] = (v[A + w] & ~v[S + w]) | (v[B + w] & v[S + w]); break;
        case 11: for (let w = 0; w < WORDS; w++) v[Y + w] = ~((v[A + w] & ~v[S + w]) | (v[B + w] & v[S + w])); break;
        default: {
          const f = GATES[extra!.type];
          for (let w = 0; w < WORDS; w++) v[Y + w] = f(Object.fromEntries(extra!.ins.map(([k, sl]) => [k, v[sl * WORDS + w]])));
        }
      }
    }
    // Compare: for a fixed a, expected(b) = (a·R⁻¹ mod p)·b mod p, stepped b by b.
    for (let da = 0; da < aPerChunk && a0 + da < p; da++) {
      const a = a0 + da;
      const c = Number((BigInt(a) * BigInt(rInv)) % s.p);
      let expected = 0;
      for (let b = 0; b < p; b++) {
        const l = da * span + b;
        const w = l >>> 5, j = l & 31;
        let out = 0;
        for (let k = 0; k < outSlots.length; k++) out |= ((v[outSlots[k] * WORDS + w] >>> j) & 1) << k;
        if (out !== expected) {
          return { pairs: pairs + b, counterexample: { a: BigInt(a), b: BigInt(b), out: BigInt(out), expected: BigInt(expected) } };
        }
        expected += c;
        if (expected >= p) expected -= p;
      }
      pairs += p;
    }
  }
  return { pairs };
}

// ---------------------------------------------------------------------------------------------
// Reading sat's verdicts and models.

/** One row of sat's model table: `[step] \\<signal> <dec> <hex> <bin>`. */
export interface ModelRow { step: number; signal: string; value: bigint }

export interface SatRun { verdict: 'proved' | 'failed' | 'timeout'; rows: ModelRow[] }

/** The verdict and model of each `sat` call in a log, in order. */
export function parseSatRuns(log: string): SatRun[] {
  const runs: SatRun[] = [];
  for (const section of log.split(/Executing SAT pass/).slice(1)) {
    let verdict: SatRun['verdict'] | undefined;
    if (/Interrupted SAT solver: TIMEOUT!|solver timed out|\(timeout\)/.test(section)) verdict = 'timeout';
    else if (/SAT proof finished - no model found: SUCCESS!/.test(section)) verdict = 'proved';
    else if (/SAT proof finished - model found: FAIL!/.test(section)) verdict = 'failed';
    if (!verdict) continue;
    const rows: ModelRow[] = [];
    for (const line of section.split('\n')) {
      const m = /^\s+(?:(\d+)\s+)?\\(\S+)\s+\S+\s+\S+\s+([01x]+)\s*$/.exec(line);
      if (!m || /x/.test(m[3])) continue;
      rows.push({ step: m[1] === undefined ? 1 : Number(m[1]), signal: m[2], value: BigInt('0b' + m[3]) });
    }
    runs.push({ verdict, rows });
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// The lemma.

export async function proveEndToEnd(design: GeneratedDesign, opts: EndToEndOptions = {}): Promise<Lemma> {
  const s = endToEndSetup(design);
  const spec = opts.spec ?? 'divides';
  const designFiles = design.modules.map((m) => `${m.name}.v`);
  const ours = new Set(Object.values(FILES));
  for (const f of designFiles) if (ours.has(f)) throw new Error(`e2e.sat: the design has a module file named ${f}`);
  const ref = referenceModule(s);
  for (const m of design.modules) {
    if ([...Object.values(MODULES), ref.name, `${ref.name}_f`].includes(m.name)) throw new Error(`e2e.sat: the design has a module named ${m.name}`);
  }
  const files: Record<string, string> = {
    ...Object.fromEntries(design.modules.map((m) => [`${m.name}.v`, m.text])),
    [FILES.ref]: ref.text,
    [FILES.check]: checkHarness(s, spec),
    [FILES.valid]: validHarness(s),
    [FILES.data]: dataHarness(s, spec),
    [FILES.dff2wire]: DFF_TO_WIRE,
  };
  const statement = `Verilog of ${s.top}: out = a·b·R⁻¹ mod p for all a, b < p (p = ${s.p}, R = 2^${s.k}), after ${s.latency} cycles`;
  const where = `e2e.sat ${s.top}`;
  let info: EndToEndInfo = { way: 'direct', yosysMs: [] };

  const yosys = async (script: string, outputs: string[] = [], extra: Record<string, string> = {}) => {
    const t0 = performance.now();
    try {
      return await runYosys({ script, files: { ...files, ...extra }, outputs, onLine: opts.onLine });
    } catch (e) {
      if (e instanceof YosysError) throw new Error(`${where}: ${e.message}`);
      throw e;
    } finally {
      info.yosysMs.push(Math.round(performance.now() - t0));
    }
  };
  const verdicts = (log: string, n: number): SatRun[] => {
    const runs = parseSatRuns(log);
    if (runs.length !== n) throw new Error(`${where}: expected ${n} sat verdict(s) in the yosys log, found ${runs.length}`);
    if (runs.some((r) => r.verdict === 'timeout')) {
      throw new LemmaTimeout(`${where}: the SAT solver gave up after ${opts.timeoutSeconds} s (sat -timeout)`);
    }
    return runs;
  };

  /** Direct way; `pin` replays a known counterexample of out, for its waveform. */
  const direct = async (pin?: { a: bigint; b: bigint }) => {
    const dumpVcd = opts.waveformDir !== undefined;
    // sat writes the VCD only when it finds a model: an empty file of that name in the work
    // tree lets runYosys hand it back either way (so below for the balanced way too).
    const r = await yosys(
      directScript(s, designFiles, { timeoutSeconds: opts.timeoutSeconds, vcd: dumpVcd ? FILES.vcd : undefined, pin }),
      dumpVcd ? [FILES.vcd] : [], dumpVcd ? { [FILES.vcd]: '' } : {},
    );
    const [run] = verdicts(r.log, 1);
    return { run, vcd: dumpVcd ? r.files[FILES.vcd] : '' };
  };

  /** out is wrong for (a, b): the failure, with a waveform of the sequential design if asked. */
  const wrongOut = async (a: bigint, b: bigint, out: bigint): Promise<LemmaFailure> => {
    const lines = [`${s.top}: a = ${a}, b = ${b} give out = ${out} ${s.latency} cycles later, expected ${(a * b * s.rInv) % s.p}`];
    if (opts.waveformDir !== undefined) {
      const replay = await direct({ a, b });
      if (replay.run.verdict === 'failed') lines.push(describeSequential(s, replay.run, replay.vcd, opts.waveformDir, 'on the sequential design'));
      else lines.push('(the sequential design, replayed with these inputs, did not fail: the pipeline analysis is wrong, report this)');
    }
    return new LemmaFailure(lines.join('; '));
  };

  return {
    name: 'e2e.sat',
    method: opts.method === 'direct' || opts.engine === 'sat' ? 'yosys-sat' : 'yosys-sat+exhaustive',
    statement,
    async check() {
      info = { way: 'direct', yosysMs: [] };
      const dumpVcd = opts.waveformDir !== undefined;
      try {
        if (opts.method !== 'direct') {
          const r = await yosys(
            balancedScript(s, designFiles, { timeoutSeconds: opts.timeoutSeconds, vcd: dumpVcd ? FILES.vcd : undefined }),
            [FILES.netlist, ...(dumpVcd ? [FILES.vcd] : [])], dumpVcd ? { [FILES.vcd]: '' } : {},
          );
          const analysis = analysePipeline(JSON.parse(r.files[FILES.netlist]) as JsonNetlist, s.top, s.latency);
          if (analysis.balanced) {
            info.way = 'balanced';
            const [valid] = verdicts(r.log, 1);
            if (valid.verdict === 'failed') {
              const at = (sig: string) => valid.rows.find((x) => x.step === s.latency + 1 && x.signal === sig)?.value;
              const vcd = dumpVcd ? writeWaveform(s, r.files[FILES.vcd], opts.waveformDir!) : undefined;
              throw new LemmaFailure(`${s.top}: out_valid = ${at('dut_valid') ?? '?'} where in_valid and rst of the ${s.latency} cycles before give ${at('ref_valid') ?? '?'} (${describeControls(s, valid.rows)})${vcd ? `; waveform: ${vcd}` : ''}`);
            }
            const engine = opts.engine === 'sat' || unsupportedCells(analysis.cone).length ? 'sat' : 'exhaustive';
            info.engine = engine;
            if (engine === 'exhaustive') {
              const t0 = performance.now();
              const x = evaluateExhaustively(s, analysis);
              info.evalMs = Math.round(performance.now() - t0);
              info.pairs = x.pairs;
              if (x.counterexample) throw await wrongOut(x.counterexample.a, x.counterexample.b, x.counterexample.out);
              return;
            }
            const c = await yosys(combinationalScript(s, designFiles, { timeoutSeconds: opts.timeoutSeconds }));
            const [data] = verdicts(c.log, 1);
            if (data.verdict === 'proved') return;
            const row = (sig: string) => data.rows.find((x) => x.signal === sig)?.value;
            const [a, b, out] = [row('a'), row('b'), row('out')];
            if (a === undefined || b === undefined || out === undefined) throw new LemmaFailure(`${s.top}: out is wrong for some a, b < p (model not parsed from the yosys log)`);
            throw await wrongOut(a, b, out);
          }
          info.reason = analysis.reason;
        }
        const { run, vcd } = await direct();
        if (run.verdict === 'proved') return;
        const notes = info.reason ? [`(checked the direct way: ${info.reason}; a counterexample may start from a register state no run reaches)`] : [];
        throw new LemmaFailure([describeSequential(s, run, vcd, opts.waveformDir), ...notes].join('; '));
      } finally {
        opts.onInfo?.({ ...info });
      }
    },
  };
}

function describeControls(s: EndToEndSetup, rows: ModelRow[]): string {
  const at = (step: number, sig: string) => rows.find((r) => r.step === step && r.signal === sig)?.value;
  const steps = Array.from({ length: s.latency }, (_, i) => i + 1);
  const valid = steps.filter((t) => at(t, 'in_valid') === 1n);
  const rst = steps.filter((t) => at(t, 'rst') === 1n);
  return `in_valid high at cycle ${valid.join(', ') || 'none'}, rst high at cycle ${rst.join(', ') || 'none'} of 1..${s.latency}`;
}

/** A counterexample of the direct harness, and its waveform when asked for. */
function describeSequential(s: EndToEndSetup, run: SatRun, vcd: string, waveformDir: string | undefined, how?: string): string {
  const L = s.latency;
  const at = (step: number, sig: string) => run.rows.find((r) => r.step === step && r.signal === sig)?.value;
  const q = (v: bigint | undefined) => (v === undefined ? '?' : String(v));
  const a = at(1, 'a');
  const b = at(1, 'b');
  const expected = a !== undefined && b !== undefined ? String((a * b * s.rInv) % s.p) : '?';
  const parts = [
    `${how ?? s.top}: a = ${q(a)}, b = ${q(b)}, in_valid = ${q(at(1, 'in_valid'))} at cycle 1` +
    `; at cycle ${L + 1}: out = ${q(at(L + 1, 'dut_out'))}, out_valid = ${q(at(L + 1, 'dut_valid'))}` +
    `; expected out = ${expected}, out_valid = ${q(at(L + 1, 'ref_valid'))}`,
  ];
  if (waveformDir !== undefined && vcd) parts.push(`waveform: ${writeWaveform(s, vcd, waveformDir)}`);
  return parts.join('; ');
}

/** Writes `<dir>/<top>.e2e.vcd`; returns its absolute path. */
function writeWaveform(s: EndToEndSetup, vcd: string, waveformDir: string): string | undefined {
  if (!vcd) return undefined;
  mkdirSync(waveformDir, { recursive: true });
  const path = resolve(join(waveformDir, `${s.top}.e2e.vcd`));
  writeFileSync(path, vcd);
  return path;
}
