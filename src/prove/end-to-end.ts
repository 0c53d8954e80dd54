// Lemma `e2e.sat`: the generated Verilog of a montmul, as a whole, computes a·b·R⁻¹ mod p for
// every pair of canonical inputs, proved by SAT (Yosys `sat`) for toy primes (≤ 12 bits).
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
// `spec: 'modulo'` states it as the brief of this lemma first had it: a reference computes
// (a·b mod p)·R⁻¹ mod p with Verilog `%` (module `ref_<top>_f`) and SAT proves out equal to it.
// That is obviously right and slow: SAT has to show a Montgomery reduction equal to a
// restoring divider that shares nothing with it inside, which amounts to enumerating inputs.
//
// `spec: 'divides'` (the default) checks p | D by exact division. p is odd, so it has an
// inverse p⁻¹ modulo 2^N, and with N = max(2W, W + k) + 2 (W = bits of p, R = 2^k):
//     out < p  and  z = D·p⁻¹ mod 2^N, read as a signed N-bit number, lies in (−R, p)
//     ⟺  out < p  and  p | D.
// (⇐) D = p·q with q = (a·b − out·R)/p ∈ (−R, p) because a·b < 2^2W ≤ … and out·R < p·R; then
//     D·p⁻¹ ≡ q (mod 2^N) and q fits in N signed bits, so z = q.
// (⇒) z ∈ (−R, p) ⇒ z·p ≡ D (mod 2^N), and |z·p| < max(p·R, p²) ≤ 2^(N−2), |D| < 2^(N−2), so
//     z·p = D exactly: p | D.
// No division in the circuit: multiplications by constants and a range test, over the same
// a·b the design computes — SAT sees the shared product (Yosys hashes identical expressions)
// where a divider would hide it.
//
// Both specs also require out_valid to equal in_valid delayed by `latency` cycles through a
// line that rst clears (module `ref_<top>`: out = the `%` reference, out_valid = that line),
// and both assume the montmul contract: in_valid → a < p ∧ b < p. The harnesses are plain
// Verilog: the contract is an output `contract` that `sat -set contract 1` holds at every step,
// the claim an output `ok` that `sat -prove ok 1` proves (no `assert`/`assume`: Yosys 0.23 makes
// $assert cells of them, 0.55 $check cells that sat only takes after `chformal -lower`, which
// 0.23 lacks).
//
// ## Two ways to the proof
//
// Pipelines whose data path is a balanced feed-forward circuit (checked first, on Yosys' own
// bit-level netlist of the design, by `analysePipeline`) take the fast way:
//   (1) the netlist has no loop in the cone of `out`; every register there is a plain
//       positive-edge flip-flop on clk; the cone reaches only the inputs a and b; every path
//       from a or b to out passes exactly L = manifest.latency registers; no path from a
//       constant passes more than L. Then, for every run from any power-up state and every
//       cycle t ≥ L+1, out(t) = G(a(t−L), b(t−L)), where G is the design with every register
//       replaced by a wire (proof: by induction along the acyclic cone, every net n with input
//       depth d and longest register path m carries G_n(inputs at t−d) from cycle m+1 on).
//   (2) `sat` proves G(a, b) meets the spec for all a, b < p: one combinational SAT problem.
//   (3) `sat -seq L+1 -prove-skip L` proves out_valid at step L+1 equal to the reference's for
//       every register state at step 1 and every input sequence (Yosys removes the data path,
//       which nothing reads in this harness). With free registers at step 1, step L+1 stands
//       for every cycle t ≥ L+1 of every run: the state at t−L is one of the free states.
// Anything else takes the direct way: design and reference side by side, `sat -seq L+1
// -prove-skip L` from free registers, out and out_valid asserted at step L+1. It is sound for
// every design by the same argument as (3), and exact for feed-forward ones; with register
// feedback a counterexample could start from a state no run reaches (the failure says so).
// The direct way unrolls the whole design L+1 times and loses the shared product across the
// registers, and is 5–40× slower (see the report in test/prove-end-to-end.test.ts).
//
// Neither way relies on registers starting at zero (the data path has no reset).
//
// Not covered: cycles 1..L after power-up (their outputs come from the power-up state, e.g.
// that out_valid stays low for L cycles after rst); primes wider than 12 bits (SAT on a
// multiplier built from tiles is exponential in its width: a 10-bit prime with 4x3 tiles does
// not finish in 15 minutes); whatever Yosys' Verilog frontend and a simulator or synthesizer
// could disagree about (x values, initial blocks: the generated design has neither); timing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GeneratedDesign, Port } from '../gen/design.ts';
import { YosysError, moduleName, runYosys, scriptFileName } from '../synth/yosys.ts';
import { LemmaFailure, LemmaTimeout, type Lemma } from './lemma.ts';

/** Widest prime the SAT proof is attempted for. */
export const E2E_MAX_BITS = 12;

export type EndToEndSpec = 'divides' | 'modulo';

export interface EndToEndOptions {
  /** Per SAT call (Yosys `sat -timeout`): LemmaTimeout when exceeded. */
  timeoutSeconds?: number;
  /** Where a counterexample's waveform is written (`<top>.e2e.vcd`); none when absent. */
  waveformDir?: string;
  /** How the result is specified (see the top of this file); `divides` by default. */
  spec?: EndToEndSpec;
  /** `direct`: skip the pipeline analysis and unroll the design (for comparison and tests). */
  method?: 'auto' | 'direct';
  /** Each Yosys log line, for progress. */
  onLine?: (line: string) => void;
  /** Called once the lemma knows which way it proved (or refuted) the statement. */
  onInfo?: (info: EndToEndInfo) => void;
}

export interface EndToEndInfo {
  way: 'balanced' | 'direct';
  /** Why the direct way was taken, when it was not asked for. */
  reason?: string;
  yosysMs: number[];
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

// File and module names of our own; the design's files must not collide with them.
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

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error(`${a} has no inverse mod ${m}`);
  return ((s0 % m) + m) % m;
}

export function endToEndSetup(design: GeneratedDesign): EndToEndSetup {
  const m = design.manifest;
  const top = moduleName(design.top);
  if (m.block !== 'montmul') throw new Error(`e2e.sat proves montmul designs only, not ${m.block} (${top})`);
  if (!m.field || !m.montgomery) throw new Error(`e2e.sat: the manifest of ${top} has no field or montgomery section`);
  const W = m.field.bits;
  if (W > E2E_MAX_BITS) {
    throw new Error(`e2e.sat: ${top} is ${W} bits wide; the SAT proof of a whole montmul is only attempted up to ${E2E_MAX_BITS} bits (use a toy prime, e.g. --prime 251)`);
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
// Verilog written here: the reference, the harnesses.

const lit = (bits: number, v: bigint) => `${bits}'d${v.toString(10)}`;
const range = (w: number) => `[${w - 1}:0]`;

/** `{reg[..], input}`: one more stage of a shift line of `stages` stages of `width` bits. */
function shiftIn(reg: string, stages: number, width: number, input: string): string {
  return stages === 1 ? input : `{${reg}[${(stages - 1) * width - 1}:0], ${input}}`;
}

function lastStage(reg: string, stages: number, width: number): string {
  return `${reg}[${stages * width - 1}:${(stages - 1) * width}]`;
}

/**
 * `ref_<top>_f`: out = (a·b mod p)·R⁻¹ mod p with `%`, combinational; `ref_<top>`: the same
 * ports as the design, that value through `latency` registers, and out_valid = in_valid
 * through `latency` registers that rst clears.
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
  const text = `// Reference for ${s.top}, written by the e2e.sat lemma (src/prove/end-to-end.ts), not by the generator.
// out = a*b*R^-1 mod p, p = ${s.p}, R = 2^${s.k}, R^-1 mod p = ${s.rInv}; ${L} cycles of latency.
\`default_nettype none

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

/** Verilog lines declaring `z_in_range`: p | (a·b − out·R), for the names given (see the top). */
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

const FORMAL_HEAD = (s: EndToEndSetup, what: string) =>
  `// e2e.sat ${what} for ${s.top} (src/prove/end-to-end.ts).\n\`default_nettype none\n`;

/** Direct way: design and reference side by side, out and out_valid asserted at step L+1. */
export function checkHarness(s: EndToEndSetup, spec: EndToEndSpec): string {
  const { W } = s;
  const L = s.latency;
  const rst = s.hasRst ? '.rst(rst), ' : '';
  const check = spec === 'modulo' ? 'dut_out == ref_out' : `dut_out < P && z_in_range`;
  return `${FORMAL_HEAD(s, 'harness (direct)')}
module ${MODULES.check} (
    input  wire         clk,
    input  wire         rst,
    input  wire         in_valid,
    input  wire ${range(W)} a,
    input  wire ${range(W)} b,
    output wire         dut_valid,
    output wire ${range(W)} dut_out,
    output wire         ref_valid,
    output wire ${range(W)} ref_out,
    output wire         contract,
    output wire         ok
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

    // The montmul contract, assumed at every step (sat -set contract 1): valid operands are canonical.
    assign contract = !in_valid || (a < P && b < P);
    // Proved at step ${L + 1} (sat -prove ok 1 -prove-skip ${L}).
    assign ok = dut_valid == ref_valid && (!ref_valid || (${check}));
endmodule

\`default_nettype wire
`;
}

/** Balanced way, (3): out_valid only; nothing reads the design's out, so Yosys drops it. */
export function validHarness(s: EndToEndSetup): string {
  const { W } = s;
  const rst = s.hasRst ? '.rst(rst), ' : '';
  return `${FORMAL_HEAD(s, 'out_valid harness')}
module ${MODULES.valid} (
    input  wire         clk,
    input  wire         rst,
    input  wire         in_valid,
    input  wire ${range(W)} a,
    input  wire ${range(W)} b,
    output wire         dut_valid,
    output wire         ref_valid,
    output wire         ok
);
    ${s.top} u_dut (.clk(clk), ${rst}.in_valid(in_valid), .a(a), .b(b), .out_valid(dut_valid), .out());
    ref_${s.top} u_ref (.clk(clk), ${rst}.in_valid(in_valid), .a(a), .b(b), .out_valid(ref_valid), .out());
    // Proved at step ${s.latency + 1} (sat -prove ok 1 -prove-skip ${s.latency}).
    assign ok = dut_valid == ref_valid;
endmodule

\`default_nettype wire
`;
}

/** Balanced way, (2): G, the design with registers as wires, against the spec. */
export function dataHarness(s: EndToEndSetup, spec: EndToEndSpec): string {
  const { W } = s;
  const rst = s.hasRst ? `.rst(1'b0), ` : '';
  const check = spec === 'modulo' ? 'out == ref_out' : 'out < P && z_in_range';
  return `${FORMAL_HEAD(s, 'combinational harness')}
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

function satCommand(parts: (string | false | undefined)[]): string {
  return parts.filter((x): x is string => typeof x === 'string').join(' ');
}

const timeoutOpt = (t?: number) => (t !== undefined ? `-timeout ${Math.max(1, Math.ceil(t))}` : undefined);

/** The elaboration every script starts with: flattened, processes and memories lowered. */
function elaborate(s: EndToEndSetup, sources: string): string[] {
  return [
    `read_verilog ${sources}`,
    `hierarchy -check -top ${s.top}`,
    'proc',
    'flatten',
    // zkrtl_delay keeps its stages in an array: memory maps it to registers, which sat models.
    'memory',
    'opt_clean',
  ];
}

/** Run 1: the design as single-bit cells, for analysePipeline. */
export function analysisScript(s: EndToEndSetup, designFiles: string[]): string {
  const sources = designFiles.map(scriptFileName).join(' ');
  return [...elaborate(s, sources), 'techmap', 'opt_clean', `write_json ${FILES.netlist}`].join('\n');
}

/** Balanced way: G built from the design, then (3) out_valid by sat -seq, (2) G by sat. */
export function balancedScript(s: EndToEndSetup, designFiles: string[], opts: { timeoutSeconds?: number } = {}): string {
  const L = s.latency;
  const sources = designFiles.map(scriptFileName).join(' ');
  return [
    ...elaborate(s, sources),
    `copy ${s.top} ${MODULES.comb}`,
    `techmap -map ${FILES.dff2wire} ${MODULES.comb}`,
    `read_verilog ${FILES.ref} ${FILES.valid} ${FILES.data}`,
    // Two harnesses, two tops: without the design's top mark, hierarchy keeps every module.
    'setattr -mod -unset top',
    'hierarchy -check',
    'proc',
    'flatten',
    'memory',
    'opt_clean',
    satCommand(['sat', `-seq ${L + 1}`, `-prove-skip ${L}`, '-prove ok 1', '-show-ports', timeoutOpt(opts.timeoutSeconds), MODULES.valid]),
    satCommand(['sat', '-set contract 1', '-prove ok 1', '-show-ports', timeoutOpt(opts.timeoutSeconds), MODULES.data]),
  ].join('\n');
}

/** Direct way: the whole design unrolled L+1 steps from free registers. */
export function directScript(
  s: EndToEndSetup, designFiles: string[],
  opts: { timeoutSeconds?: number; vcd?: string; pin?: { a: bigint; b: bigint } } = {},
): string {
  const L = s.latency;
  const sources = designFiles.map(scriptFileName).join(' ');
  const pin = opts.pin ? `-set-at 1 a ${opts.pin.a} -set-at 1 b ${opts.pin.b} -set-at 1 in_valid 1 -set rst 0` : undefined;
  return [
    `read_verilog ${sources}`,
    `read_verilog ${FILES.ref} ${FILES.check}`,
    `hierarchy -check -top ${MODULES.check}`,
    'proc',
    'flatten',
    'memory',
    'opt_clean',
    satCommand([
      'sat', `-seq ${L + 1}`, `-prove-skip ${L}`, '-set contract 1', '-prove ok 1', '-show-ports', pin,
      timeoutOpt(opts.timeoutSeconds), opts.vcd ? `-dump_vcd ${scriptFileName(opts.vcd)}` : undefined, MODULES.check,
    ]),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The pipeline analysis (the balanced way's step (1)).

interface JsonCell {
  type: string;
  port_directions: Record<string, 'input' | 'output' | 'inout'>;
  connections: Record<string, (number | string)[]>;
}
interface JsonModule {
  ports: Record<string, { direction: 'input' | 'output' | 'inout'; bits: (number | string)[] }>;
  cells: Record<string, JsonCell>;
}

export interface PipelineAnalysis {
  /** out(t) = G(a(t−L), b(t−L)) for every t ≥ L+1 (see the top of this file). */
  balanced: boolean;
  /** Why not, when not. */
  reason?: string;
  /** Flip-flop bits in the cone of out. */
  registers: number;
}

const PLAIN_DFF = '$_DFF_P_';
const STATE_CELL = /DFF|DLATCH|_SR_|_FF_|\$mem|\$dff|\$latch|\$sr$|\$ff$/i;

/**
 * Checks, on the bit-level netlist of the flattened design (Yosys `techmap`, written as JSON),
 * that the cone of `out` is a balanced feed-forward pipeline of `latency` stages fed by a and b
 * only (conditions in (1) at the top of this file).
 */
export function analysePipeline(netlist: { modules: Record<string, JsonModule> }, top: string, latency: number): PipelineAnalysis {
  const mod = netlist.modules[top];
  if (!mod) return { balanced: false, reason: `module ${top} is not in the netlist`, registers: 0 };
  const inputOf = new Map<number, string>();
  for (const [name, p] of Object.entries(mod.ports)) {
    if (p.direction === 'input') for (const b of p.bits) if (typeof b === 'number') inputOf.set(b, name);
  }
  const clkBits = mod.ports.clk?.bits ?? [];
  const driver = new Map<number, JsonCell>();
  for (const cell of Object.values(mod.cells)) {
    for (const [port, dir] of Object.entries(cell.port_directions)) {
      if (dir !== 'input') for (const b of cell.connections[port] ?? []) if (typeof b === 'number') driver.set(b, cell);
    }
  }
  interface Info { depths: bigint; longest: number }
  const memo = new Map<number, Info>();
  const onPath = new Set<number>();
  const regs = new Set<JsonCell>();
  const sources = new Set<string>();
  let problem: string | undefined;
  const fail = (why: string) => { problem ??= why; };
  const fanIn = (bit: number): (number | string)[] => {
    const cell = driver.get(bit);
    if (!cell) return [];
    if (cell.type === PLAIN_DFF) return cell.connections.D;
    return Object.entries(cell.port_directions).filter(([, d]) => d === 'input').flatMap(([p]) => cell.connections[p] ?? []);
  };
  // Iterative post-order walk: carry chains times pipeline stages are too deep for recursion.
  const visit = (root: number): void => {
    const stack: [number, boolean][] = [[root, false]];
    while (stack.length && problem === undefined) {
      const [bit, expanded] = stack.pop()!;
      if (memo.has(bit)) continue;
      if (!expanded) {
        if (onPath.has(bit)) { fail('a loop runs through the cone of out (register feedback or a combinational loop)'); break; }
        onPath.add(bit);
        stack.push([bit, true]);
        if (inputOf.has(bit)) continue;
        const cell = driver.get(bit);
        if (!cell) { fail(`bit ${bit} in the cone of out has no driver`); break; }
        if (cell.type === PLAIN_DFF) {
          regs.add(cell);
          const c = cell.connections.C?.[0];
          if (c === undefined || !clkBits.includes(c)) { fail(`a register in the cone of out is not clocked by clk`); break; }
        } else if (STATE_CELL.test(cell.type)) {
          fail(`the cone of out holds a ${cell.type}, not a plain register`);
          break;
        }
        for (const b of fanIn(bit)) if (typeof b === 'number' && !memo.has(b)) stack.push([b, false]);
        continue;
      }
      onPath.delete(bit);
      let info: Info;
      const input = inputOf.get(bit);
      if (input !== undefined) {
        sources.add(input);
        info = { depths: 1n, longest: 0 };
      } else {
        const cell = driver.get(bit)!;
        const ins = fanIn(bit).map((b) => (typeof b === 'number' ? memo.get(b)! : { depths: 0n, longest: 0 }));
        const depths = ins.reduce((acc, x) => acc | x.depths, 0n);
        const longest = ins.reduce((acc, x) => Math.max(acc, x.longest), 0);
        info = cell.type === PLAIN_DFF ? { depths: depths << 1n, longest: longest + 1 } : { depths, longest };
      }
      memo.set(bit, info);
    }
  };
  const outBits = mod.ports.out?.bits ?? [];
  for (const b of outBits) if (typeof b === 'number') visit(b);
  if (problem) return { balanced: false, reason: problem, registers: regs.size };
  const extra = [...sources].filter((x) => x !== 'a' && x !== 'b');
  if (extra.length) return { balanced: false, reason: `out depends on ${extra.join(', ')}, not only on a and b`, registers: regs.size };
  for (const b of outBits) {
    if (typeof b !== 'number') continue;
    const { depths, longest } = memo.get(b)!;
    if (depths !== 0n && depths !== 1n << BigInt(latency)) {
      const ds = [...depths.toString(2)].reverse().flatMap((c, i) => (c === '1' ? [i] : []));
      return { balanced: false, reason: `out depends on a, b of ${ds.join(', ')} cycles ago, not exactly ${latency} (the manifest's latency)`, registers: regs.size };
    }
    if (longest > latency) return { balanced: false, reason: `a path of ${longest} registers reaches out, more than the latency ${latency}`, registers: regs.size };
  }
  return { balanced: true, registers: regs.size };
}

// ---------------------------------------------------------------------------------------------
// Reading sat's verdicts and models.

/** One row of sat's model table: `[step] \\<signal> <dec> <hex> <bin>`. */
export interface ModelRow { step: number; signal: string; value: bigint }

export interface SatRun { verdict: 'proved' | 'failed' | 'timeout'; rows: ModelRow[] }

/** The verdict and model of each `sat` command in a log, in order. */
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

  const yosysMs: number[] = [];
  const yosys = async (script: string, outputs: string[] = [], extra: Record<string, string> = {}) => {
    const t0 = performance.now();
    try {
      return await runYosys({ script, files: { ...files, ...extra }, outputs, onLine: opts.onLine });
    } catch (e) {
      if (e instanceof YosysError) throw new Error(`${where}: ${e.message}`);
      throw e;
    } finally {
      yosysMs.push(Math.round(performance.now() - t0));
    }
  };
  const timedOut = () => new LemmaTimeout(`${where}: the SAT solver gave up after ${opts.timeoutSeconds} s (sat -timeout)`);

  /** Direct way; `pin` replays a known counterexample from the balanced way for its waveform. */
  const direct = async (pin?: { a: bigint; b: bigint }) => {
    const dumpVcd = opts.waveformDir !== undefined;
    // sat writes the VCD only when it finds a model; an empty file of that name in the work
    // tree lets runYosys hand it back either way.
    const r = await yosys(
      directScript(s, designFiles, { timeoutSeconds: opts.timeoutSeconds, vcd: dumpVcd ? FILES.vcd : undefined, pin }),
      dumpVcd ? [FILES.vcd] : [], dumpVcd ? { [FILES.vcd]: '' } : {},
    );
    const [run] = parseSatRuns(r.log);
    if (!run) throw new Error(`${where}: yosys sat gave no verdict`);
    return { run, vcd: dumpVcd ? r.files[FILES.vcd] : '' };
  };

  return {
    name: 'e2e.sat',
    method: 'yosys-sat',
    statement,
    async check() {
      let reason: string | undefined = opts.method === 'direct' ? undefined : 'not analysed';
      if (opts.method !== 'direct') {
        const a = await yosys(analysisScript(s, designFiles), [FILES.netlist]);
        const analysis = analysePipeline(JSON.parse(a.files[FILES.netlist]), s.top, s.latency);
        reason = analysis.balanced ? undefined : analysis.reason;
        if (analysis.balanced) {
          const r = await yosys(balancedScript(s, designFiles, { timeoutSeconds: opts.timeoutSeconds }));
          const runs = parseSatRuns(r.log);
          if (runs.length !== 2) throw new Error(`${where}: expected two sat verdicts in the yosys log, found ${runs.length}`);
          const [valid, data] = runs;
          if (valid.verdict === 'timeout' || data.verdict === 'timeout') throw timedOut();
          if (valid.verdict === 'proved' && data.verdict === 'proved') {
            opts.onInfo?.({ way: 'balanced', yosysMs });
            return;
          }
          if (data.verdict === 'failed') {
            const row = (sig: string) => data.rows.find((x) => x.signal === sig)?.value;
            const [av, bv, out] = [row('a'), row('b'), row('out')];
            const lines = [`${s.top}: a = ${av ?? '?'}, b = ${bv ?? '?'} give out = ${out ?? '?'} ${latencyPhrase(s)}, expected ${av !== undefined && bv !== undefined ? (av * bv * s.rInv) % s.p : '?'}`];
            if (opts.waveformDir !== undefined && av !== undefined && bv !== undefined) {
              // Replay it on the sequential design for a waveform, which also confirms it.
              const replay = await direct({ a: av, b: bv });
              if (replay.run.verdict === 'failed') lines.push(describeSeq(s, replay.run, replay.vcd, opts.waveformDir, 'replayed on the sequential design'));
              else lines.push(`(replaying it on the sequential design gave ${replay.run.verdict}: the pipeline analysis is wrong, report this)`);
            }
            opts.onInfo?.({ way: 'balanced', yosysMs });
            throw new LemmaFailure(lines.join('; '));
          }
          const at = (sig: string) => valid.rows.find((x) => x.step === s.latency + 1 && x.signal === sig)?.value;
          opts.onInfo?.({ way: 'balanced', yosysMs });
          throw new LemmaFailure(`${s.top}: out_valid = ${at('dut_valid') ?? '?'} but in_valid and rst of the last ${s.latency} cycles give ${at('ref_valid') ?? '?'} (${describeInputs(s, valid.rows)})`);
        }
      }
      const { run, vcd } = await direct();
      opts.onInfo?.({ way: 'direct', ...(reason ? { reason } : {}), yosysMs });
      if (run.verdict === 'timeout') throw timedOut();
      if (run.verdict === 'proved') return;
      const notes = reason
        ? [`(proved the direct way: ${reason}; a counterexample may start from a register state no run reaches)`]
        : [];
      throw new LemmaFailure([describeSeq(s, run, vcd, opts.waveformDir), ...notes].join('; '));
    },
  };
}

const latencyPhrase = (s: EndToEndSetup) => `${s.latency} cycles later`;

function describeInputs(s: EndToEndSetup, rows: ModelRow[]): string {
  const at = (step: number, sig: string) => rows.find((r) => r.step === step && r.signal === sig)?.value;
  const steps = Array.from({ length: s.latency }, (_, i) => i + 1);
  const valid = steps.filter((t) => at(t, 'in_valid') === 1n);
  const rst = steps.filter((t) => at(t, 'rst') === 1n);
  return `in_valid high at cycle ${valid.join(', ') || 'none'}, rst high at cycle ${rst.join(', ') || 'none'} of 1..${s.latency}`;
}

/** A counterexample of the sequential harness, and its waveform when asked for. */
function describeSeq(s: EndToEndSetup, run: SatRun, vcd: string, waveformDir: string | undefined, how?: string): string {
  const L = s.latency;
  const at = (step: number, sig: string) => run.rows.find((r) => r.step === step && r.signal === sig)?.value;
  const q = (v: bigint | undefined) => (v === undefined ? '?' : String(v));
  const a = at(1, 'a');
  const b = at(1, 'b');
  const expect = a !== undefined && b !== undefined ? String((a * b * s.rInv) % s.p) : '?';
  const parts = [
    `${how ? `${how}: ` : `${s.top}: `}a = ${q(a)}, b = ${q(b)}, in_valid = ${q(at(1, 'in_valid'))} at cycle 1` +
    `; at cycle ${L + 1}: out = ${q(at(L + 1, 'dut_out'))}, out_valid = ${q(at(L + 1, 'dut_valid'))}` +
    `; expected out = ${expect}, out_valid = ${q(at(L + 1, 'ref_valid'))}`,
  ];
  if (waveformDir !== undefined && vcd) {
    mkdirSync(waveformDir, { recursive: true });
    const path = resolve(join(waveformDir, `${s.top}.e2e.vcd`));
    writeFileSync(path, vcd);
    parts.push(`waveform: ${path}`);
  }
  return parts.join('; ');
}
