// The formal checks of the rv32im cores, in the style of riscv-formal: each check is one
// Verilog top (`zkrtl_formal_top`) that drives the core from free inputs (every memory and
// environment answer, reset_pc, reset_sp, the register file's initial contents), assumes only
// the protocols of the manifest, and asserts one property of the RVFI rows. Bounded model
// checking shows the asserts hold in every cycle up to a depth (src/formal/bmc.ts).
//
// The core under proof is the generated one with its multiply and divide units replaced by
// stand-ins with the same timing, or for the divider any shorter one (src/formal/altops.ts); the spec (src/formal/isa-spec.ts,
// same table) expects the same stand-ins. The units themselves are proved apart at a small
// width (the unit_mul and unit_div checks).
import { GENERATOR_ID, type VerilogModule } from '../gen/design.ts';
import { divMaxCycles, generateRv32im, iterativeCycles, mulSumsInMem, parseRv32imParams, rv32imPorts, rv32imUnit, serialMulCycles, unitWidthRule, type Rv32imConfig } from '../gen/rv32im.ts';
import type { RawParams } from '../gen/params.ts';
import { ISA_TABLE, TRAP_CAUSE, type IsaEntry } from './isa-table.ts';
import { generateIsaSpecVerilog, isaSpecAltopsModule, shiftKindOf } from './isa-spec.ts';

export const HARNESS_TOP = 'zkrtl_formal_top';

/** Cycles rst is held at the start of every check (the core's control resets in one). */
export const RESET_CYCLES = 1;

/** Liveness: every memory and environment request is answered by its K-th cycle. */
export const LIVENESS_K = 2;

export type CheckKind = 'insn' | 'illegal' | 'reg' | 'pc' | 'order' | 'halt' | 'live' | 'unit_mul' | 'unit_mul32' | 'unit_div' | 'cover';

export interface FormalCheck {
  /** insn_<mnemonic> (dots as underscores), illegal, reg, pc, order, halt, live, unit_mul, unit_mul32, unit_div; cover_<mnemonic>. */
  name: string;
  kind: CheckKind;
  entry?: IsaEntry;
  /** One line: what the check asserts. */
  what: string;
}

/** Width of the divider in its unit proof (the quotient bits per cycle, 1, 2 or 4, divide it). */
export const UNIT_WIDTH = 8;
/**
 * Width of the multiplier in its unit proof: every cycle of the bounded proof is a product
 * equivalence, which SAT finds hard; at 8 bits a 2-cycle proof took 144 s (72 s of CPU), at 6
 * bits a 5-cycle one 3.4 s.
 */
export const MUL_UNIT_WIDTH = 6;

export function insnCheckName(e: IsaEntry): string {
  return `insn_${e.name.replace(/\./g, '_')}`;
}

/** Every check of a core configuration, in a stable order. */
export function formalChecks(cfg: Rv32imConfig): FormalCheck[] {
  const checks: FormalCheck[] = [];
  for (const e of ISA_TABLE) {
    if ((e.ext === 'M' && !cfg.m) || (e.ext === 'Zicntr' && !cfg.zicntr)) continue;
    const result = e.ext === 'M' ? 'stand-in result, ' : cfg.shiftMul && shiftKindOf(e.name) ? 'the stand-in of the multiply it is made as (shift=mul), ' : e.ext === 'Zicntr' ? 'the counter at its retirement cycle or order, ' : '';
    checks.push({ name: insnCheckName(e), kind: 'insn', entry: e, what: `every retired ${e.name} row equals the ISA spec (${result}registers, pc, memory, trap)` });
  }
  checks.push({ name: 'illegal', kind: 'illegal', what: `every row whose word is no ${cfg.m ? 'RV32IM' : 'RV32I'}${cfg.zicntr ? ' (with counter reads)' : ''} instruction (or whose fetch failed) is the spec's trap` });
  checks.push({ name: 'reg', kind: 'reg', what: 'rs1/rs2_rdata equal the last rd_wdata written to that register; x0 reads and writes 0' });
  checks.push({ name: 'pc', kind: 'pc', what: 'the first row is at reset_pc and each row starts where the previous one said (pc_rdata = previous pc_wdata)' });
  checks.push({ name: 'order', kind: 'order', what: 'rvfi_order counts rows from 0 without gaps' });
  checks.push({ name: 'halt', kind: 'halt', what: 'a trap row halts; after a halting row no row retires, halted stays high and no request is made' });
  checks.push({ name: 'live', kind: 'live', what: 'with answers by the K-th cycle of each request, a row retires within the stated bound of the previous one (or of reset)' });
  if (cfg.m && !cfg.mulSerial) {
    checks.push({ name: 'unit_mul', kind: 'unit_mul', what: `the multiplier at ${MUL_UNIT_WIDTH} bits: MUL MULH MULHSU MULHU of the operands ${cfg.mulStages} cycle(s) earlier${mulSumsInMem(cfg) ? ' (funct3 too: it goes through the stages)' : ''}` });
    checks.push({
      name: 'unit_mul32',
      kind: 'unit_mul32',
      what: `the multiplier at 32 bits, by composition: its four 16x16 products checked to multiply the right operand halves, then cut to free values; its adders, sign correction${cfg.mulStages ? ` and ${cfg.mulStages} register stage(s)` : ''} equal the product's formula in them; z3: that formula is the product. MUL MULH MULHSU MULHU for every operand pair (${mulSumsInMem(cfg) ? 'funct3 through the stages with them' : 'funct3 held while the result is awaited'})${cfg.shiftMul ? '; and (shift=mul, z3) the multiplies the core makes of SLL SRL SRA, for every amount, are those shifts' : ''}`,
    });
  }
  if (cfg.m) {
    const what = cfg.mulSerial
      ? `the divider, which multiplies too (mul=serial), at ${UNIT_WIDTH} bits: MUL MULH MULHSU MULHU, and DIV DIVU REM REMU with the manual's corner cases, done within its stated cycles`
      : `the divider at ${UNIT_WIDTH} bits: DIV DIVU REM REMU with the manual's corner cases, done within its stated cycles`;
    checks.push({ name: 'unit_div', kind: 'unit_div', what });
  }
  return checks;
}

/**
 * The cover checks (`zkrtl formal --cover`), one per instruction check: a row of that
 * instruction that does not trap retires within the depth. A bounded proof of insn_X says
 * nothing if no X row can retire that early; its cover shows one does, with the trace.
 */
export function coverChecks(cfg: Rv32imConfig): FormalCheck[] {
  return formalChecks(cfg)
    .filter((c) => c.kind === 'insn')
    .map((c) => ({ name: c.name.replace(/^insn_/, 'cover_'), kind: 'cover' as const, entry: c.entry, what: `a ${c.entry!.name} row that does not trap retires (the proof of ${c.name} is not vacuous to this depth)` }));
}

/**
 * The liveness bound: the most cycles from one retirement (or the release of reset) to the
 * next, when every request is answered by its K-th cycle. Derived from the cores' timing:
 *
 * pipeline=5: the worst case is a divide in EX that itself waited behind a redirect. From a
 * retirement, the next instruction may need: a misprediction flush and refetch (fetch ≤ K
 * cycles, then ID, EX: the 2 flushed slots, 3 with redirect=mem, plus the refill), a divide held in EX (≤ divMax
 * cycles, divMaxCycles + 1: the
 * cycle it reads done), a data access in MEM (≤ K), and WB; an ECALL waits in WB for env_ack (≤ K).
 * (An rdinstret waits in ID only for the older instructions, each of whose retirements starts
 * the count again, and retires 3 cycles after the last of them: within the pipeline depth.)
 * We take the sum of all of them, each at its worst, plus the pipeline depth:
 *   B = 5 + 3K (fetch, data, env) + 2 or 3 (mispredict) + divMax (or mulStages + 1) + 1 (load-use).
 * multicycle: FETCH ≤ K, OPER 1, EXEC ≤ max(divMax + 1, mulStages + 2), MEM or ENV ≤ K, and
 * the registered row 1: B = 2K + divMax + 4.
 */
export function livenessBound(cfg: Rv32imConfig): number {
  const k = LIVENESS_K;
  // (with mul=serial a multiply holds the divider too)
  const divMax = cfg.m ? iterativeCycles(cfg) + 1 : 0;
  const ex = cfg.m ? Math.max(divMax, cfg.mulStages + 1) : 1;
  return cfg.pipeline === '5' ? 5 + 3 * k + (cfg.redirectMem ? 3 : 2) + ex + 1 : 2 * k + ex + 4;
}

/** An assert of the harness: the wire that is 1 in a cycle where it fails, and what that means. */
export interface AssertLabel {
  wire: string;
  label: string;
}

export interface Harness {
  /** Every module: the core's (stand-in units), the spec, the harness top. */
  modules: VerilogModule[];
  top: string;
  /** The asserts (wire fail_<i> high = assert i fails). */
  labels: AssertLabel[];
  /** Yosys commands run on the flattened design before the model is written (cut points: src/formal/mul-composition.ts). */
  prepare?: string[];
}

function hex32(v: number): string {
  return `32'h${(v >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * Asserts as wires: A(enable, condition, label) declares fail_<i> = enable && !condition, so a
 * counterexample's trace shows which assert failed; finish() asserts every one.
 */
export function asserts() {
  const labels: AssertLabel[] = [];
  const A = (en: string, cond: string, label: string): string => {
    const wire = `fail_${labels.length}`;
    labels.push({ wire, label });
    return `    wire ${wire} = (${en}) && !(${cond});`;
  };
  const finish = (lines: string[]): { text: string; labels: AssertLabel[] } => {
    lines.splice(lines.length - 3, 0, '    always @* begin', ...labels.map((l) => `        assert(!${l.wire});`), '    end');
    return { text: lines.join('\n') + '\n', labels };
  };
  return { A, finish };
}

/** The core's ports as the harness wires them: inputs free (but clk and rst), outputs observed. */
const CORE_PORTS = rv32imPorts();
const CORE_INPUTS = CORE_PORTS.filter((p) => p.dir === 'in' && p.name !== 'clk' && p.name !== 'rst').map((p) => [p.name, p.width] as const);
const RVFI = CORE_PORTS.filter((p) => p.dir === 'out').map((p) => [p.name, p.width] as const);

const decl = (w: number) => (w > 1 ? `[${w - 1}:0] ` : '');

/** The harness of one check on a core configuration. */
export function generateHarness(raw: RawParams, check: FormalCheck, opts: { unitWidth?: number } = {}): Harness {
  const cfg = parseRv32imParams(raw);
  if (check.kind === 'unit_mul' || check.kind === 'unit_div') return unitHarness(cfg, check.kind, opts.unitWidth);
  if (check.kind === 'unit_mul32') throw new Error('generateHarness: unit_mul32 has its own harness (mulCompositionHarness, src/formal/mul-composition.ts)');
  const core = generateRv32im(raw, { altops: true });
  const { A, finish } = asserts();
  const L: string[] = [];
  L.push(
    `// Generated by ${GENERATOR_ID}. Do not edit.`,
    `// Formal check '${check.name}' of ${core.top} (stand-in multiply/divide): ${check.what}.`,
    '// Every core input is free in every cycle except for the protocol assumptions below.',
    '`default_nettype none',
    '',
    `module ${HARNESS_TOP} (`,
    '    input wire clk,',
    CORE_INPUTS.map(([n, w]) => `    input wire ${decl(w)}${n}`).join(',\n'),
    ');',
    `    reg [7:0] cycle = 8'd0;`,
    "    always @(posedge clk) if (cycle != 8'hff) cycle <= cycle + 8'd1;",
    `    wire rst = cycle < 8'd${RESET_CYCLES};`,
    '',
    ...RVFI.map(([n, w]) => `    wire ${decl(w)}${n};`),
    `    ${core.top} dut (`,
    '        .clk(clk), .rst(rst),',
    [...CORE_INPUTS.map(([n]) => n), ...RVFI.map(([n]) => n)].map((n) => `        .${n}(${n})`).join(',\n'),
    '    );',
    '',
    '    // The protocols of the manifest: answers only to requests; env_ack_kind is 0, 1 or 2.',
    '    always @* begin',
    '        if (!imem_valid) assume(!imem_ready);',
    '        if (!dmem_valid) assume(!dmem_ready);',
    '        if (!env_req) assume(!env_ack);',
    "        assume(env_ack_kind != 2'd3);",
    '    end',
    '',
  );
  const row = '!rst && rvfi_valid';
  switch (check.kind) {
    case 'insn':
    case 'illegal': {
      const e = check.entry;
      L.push(
        '    // What the world answered for the row: the fault of the last completed data access',
        '    // (both cores retire a load or store in a later cycle than its access), the',
        '    // environment answer (same cycle on pipeline=5, latched for the registered rows of',
        '    // multicycle). A fetch fault is taken from the row itself (its word is 0).',
        '    reg mem_fault_q;',
        '    reg [1:0] env_kind_q;',
        '    reg [31:0] env_a0_q;',
        '    always @(posedge clk) begin',
        '        if (dmem_valid && dmem_ready) mem_fault_q <= dmem_fault;',
        '        if (env_ack) begin env_kind_q <= env_ack_kind; env_a0_q <= env_ack_a0; end',
        '    end',
        '    wire mem_fault_seen = mem_fault_q;',
        '    wire [1:0] env_kind_seen = env_ack ? env_ack_kind : env_kind_q;',
        '    wire [31:0] env_a0_seen = env_ack ? env_ack_a0 : env_a0_q;',
        `    wire fetch_fault_row = rvfi_trap && rvfi_trap_cause == 3'd${TRAP_CAUSE.fetchOutsideRam};`,
        `    // The counters as the spec defines them: the row's cycle counted from the first cycle`,
        `    // after reset, in 64 bits (so a proof by pdr holds at every depth), and its order (the`,
        `    // order check proves it counts the earlier rows).`,
        '    reg [63:0] retire_cycle;',
        "    always @(posedge clk) retire_cycle <= rst ? 64'd0 : retire_cycle + 64'd1;",
        '',
        '    wire spec_valid_insn, spec_trap, spec_halt;',
        '    wire [5:0] spec_op;',
        '    wire [2:0] spec_trap_cause;',
        '    wire [4:0] spec_rs1_addr, spec_rs2_addr, spec_rd_addr;',
        '    wire [31:0] spec_rd_wdata, spec_pc_wdata, spec_mem_addr, spec_mem_wdata;',
        '    wire [3:0] spec_mem_rmask, spec_mem_wmask;',
        `    ${isaSpecAltopsModule(cfg)} #(.M_EXT(1'b${cfg.m ? 1 : 0}), .ZICNTR(1'b${cfg.zicntr ? 1 : 0})) spec (`,
        '        .spec_insn(rvfi_insn), .spec_pc_rdata(rvfi_pc_rdata), .spec_rs1_rdata(rvfi_rs1_rdata), .spec_rs2_rdata(rvfi_rs2_rdata),',
        '        .spec_mem_rdata(rvfi_mem_rdata), .spec_fetch_fault(fetch_fault_row), .spec_mem_fault(mem_fault_seen),',
        '        .spec_env_kind(env_kind_seen), .spec_env_a0(env_a0_seen), .spec_cycle(retire_cycle), .spec_instret(rvfi_order),',
        '        .spec_valid_insn(spec_valid_insn), .spec_op(spec_op), .spec_trap(spec_trap), .spec_trap_cause(spec_trap_cause), .spec_halt(spec_halt),',
        '        .spec_rs1_addr(spec_rs1_addr), .spec_rs2_addr(spec_rs2_addr), .spec_rd_addr(spec_rd_addr), .spec_rd_wdata(spec_rd_wdata),',
        '        .spec_pc_wdata(spec_pc_wdata), .spec_mem_addr(spec_mem_addr), .spec_mem_rmask(spec_mem_rmask), .spec_mem_wmask(spec_mem_wmask),',
        '        .spec_mem_wdata(spec_mem_wdata)',
        '    );',
        e
          ? `    wire check_row = ${row} && (rvfi_insn & ${hex32(e.mask)}) == ${hex32(e.match)};`
          : `    wire check_row = ${row} && !spec_valid_insn;`,
        A('check_row', 'rvfi_trap == spec_trap', 'trap'),
        A('check_row', "rvfi_trap_cause == (spec_trap ? spec_trap_cause : 3'd0)", 'trap_cause'),
        A('check_row', 'rvfi_halt == spec_halt', 'halt'),
        ...(['rs1_addr', 'rs2_addr', 'rd_addr', 'rd_wdata', 'pc_wdata', 'mem_addr', 'mem_rmask', 'mem_wmask', 'mem_wdata'] as const).map((f) => A('check_row', `rvfi_${f} == spec_${f}`, f)),
      );
      break;
    }
    case 'cover': {
      // The "assert" fails exactly when such a row retires: a counterexample is the cover's
      // trace (src/formal/run.ts reads it so).
      const e = check.entry!;
      L.push(A(`${row} && !rvfi_trap && (rvfi_insn & ${hex32(e.mask)}) == ${hex32(e.match)}`, "1'b0", `a ${e.name} row retired`));
      break;
    }
    case 'reg':
      L.push(
        '    // One register, chosen by the solver, and the last value the rows wrote to it.',
        '    (* anyconst *) reg [4:0] reg_idx;',
        '    reg known = 1\'b0;',
        '    reg [31:0] shadow;',
        '    always @(posedge clk) if (rst) known <= 1\'b0; else if (rvfi_valid && rvfi_rd_addr == reg_idx) begin known <= 1\'b1; shadow <= rvfi_rd_wdata; end',
        A(`${row} && rvfi_rs1_addr == 5'd0`, "rvfi_rs1_rdata == 32'd0", 'x0 read as rs1 is not 0'),
        A(`${row} && rvfi_rs2_addr == 5'd0`, "rvfi_rs2_rdata == 32'd0", 'x0 read as rs2 is not 0'),
        A(`${row} && rvfi_rd_addr == 5'd0`, "rvfi_rd_wdata == 32'd0", 'a write to x0 is not 0'),
        A(`${row} && known && rvfi_rs1_addr == reg_idx`, 'rvfi_rs1_rdata == shadow', 'rs1_rdata is not the last value written'),
        A(`${row} && known && rvfi_rs2_addr == reg_idx`, 'rvfi_rs2_rdata == shadow', 'rs2_rdata is not the last value written'),
      );
      break;
    case 'pc':
      L.push(
        '    reg [31:0] first_pc;',
        '    reg started = 1\'b0;',
        '    reg [31:0] next_pc;',
        '    always @(posedge clk) begin',
        '        if (rst) begin first_pc <= reset_pc; started <= 1\'b0; end',
        '        else if (rvfi_valid) begin started <= 1\'b1; next_pc <= rvfi_pc_wdata; end',
        '    end',
        A(`${row} && !started`, 'rvfi_pc_rdata == first_pc', 'the first row is not at reset_pc'),
        A(`${row} && started`, 'rvfi_pc_rdata == next_pc', "pc_rdata is not the previous row's pc_wdata"),
      );
      break;
    case 'order':
      L.push(
        '    reg [63:0] rows = 64\'d0;',
        '    always @(posedge clk) if (rst) rows <= 64\'d0; else if (rvfi_valid) rows <= rows + 64\'d1;',
        A(row, 'rvfi_order == rows', 'rvfi_order is not the count of earlier rows'),
      );
      break;
    case 'halt':
      L.push(
        '    reg done = 1\'b0;',
        '    always @(posedge clk) if (rst) done <= 1\'b0; else if (rvfi_valid && rvfi_halt) done <= 1\'b1;',
        A(`${row} && rvfi_trap`, 'rvfi_halt', 'a trap row does not halt'),
        A('!rst && done', '!rvfi_valid', 'a row retired after the halting row'),
        A('!rst && done', 'halted', 'halted is low after the halting row'),
        A('!rst && done', '!dmem_valid', 'a data request after the halting row'),
        A('!rst && done', '!env_req', 'an environment request after the halting row'),
      );
      break;
    case 'live': {
      const bound = livenessBound(cfg);
      L.push(
        `    // Every request is answered by its ${LIVENESS_K}th cycle (wait counters), then a row`,
        `    // retires within ${bound} cycles of the previous one or of reset.`,
        '    reg [7:0] iwait = 8\'d0, dwait = 8\'d0, ewait = 8\'d0, since = 8\'d0;',
        '    always @(posedge clk) begin',
        "        iwait <= (imem_valid && !imem_ready) ? iwait + 8'd1 : 8'd0;",
        "        dwait <= (dmem_valid && !dmem_ready) ? dwait + 8'd1 : 8'd0;",
        "        ewait <= (env_req && !env_ack) ? ewait + 8'd1 : 8'd0;",
        "        since <= (rst || rvfi_valid) ? 8'd0 : since + 8'd1;",
        '    end',
        '    always @* begin',
        `        if (imem_valid && iwait == 8'd${LIVENESS_K - 1}) assume(imem_ready);`,
        `        if (dmem_valid && dwait == 8'd${LIVENESS_K - 1}) assume(dmem_ready);`,
        `        if (env_req && ewait == 8'd${LIVENESS_K - 1}) assume(env_ack);`,
        '    end',
        A('!rst && !halted', `since < 8'd${bound}`, `no row retired within ${bound} cycles`),
      );
      break;
    }
  }
  L.push('endmodule', '', '`default_nettype wire');
  const { text, labels } = finish(L);
  return {
    modules: [...core.modules, { name: isaSpecAltopsModule(cfg), text: generateIsaSpecVerilog({ altops: true, shiftMul: cfg.shiftMul }) }, { name: HARNESS_TOP, text }],
    top: HARNESS_TOP,
    labels,
  };
}

/**
 * The multiplier harnesses' history (unit_mul, unit_mul32): each signal as it was `stages`
 * cycles ago (held(name)), which the result belongs to (the unit's stages are free-running),
 * the assumption that funct3 is held while the core waits (the output picks its word with the
 * current one; the cores hold a, b and funct3 stable), and the assert's enable: from the first
 * cycle with a result (with no stage, every cycle but the counter's last: the enable keeps one
 * latch, and ABC's bmc3 wants a sequential circuit).
 * `funct3Held` false (mulSumsInMem: the unit registers funct3 with the operands, and the core
 * moves a multiply on to MEM as it does): no such assumption, funct3 changes at will.
 */
export function mulOperandHistory(signals: ReadonlyArray<readonly [string, number]>, stages: number, funct3Held = true): { lines: string[]; held: (name: string) => string; enable: string } {
  const s = stages;
  if (s === 0) return { lines: [], held: (n) => n, enable: "cycle != 8'hff" };
  return {
    lines: [
      `    // The inputs ${s} cycle(s) ago: the result belongs to them.`,
      ...signals.map(([n, w]) => `    reg [${w - 1}:0] ${n}_h [0:${s - 1}];`),
      '    integer i;',
      '    always @(posedge clk) begin',
      ...signals.map(([n]) => `        ${n}_h[0] <= ${n};`),
      `        for (i = 1; i < ${s}; i = i + 1) begin`,
      ...signals.map(([n]) => `            ${n}_h[i] <= ${n}_h[i-1];`),
      '        end',
      '    end',
      ...(funct3Held ? ["    always @* if (cycle != 8'd0) assume(funct3 == funct3_h[0]);"] : []),
    ],
    held: (n) => `${n}_h[${s - 1}]`,
    enable: `cycle >= 8'd${s}`,
  };
}

/** The multiplier (MUL_UNIT_WIDTH bits) or divider (UNIT_WIDTH; with mul=serial it multiplies too) alone against the manual's definitions. */
function unitHarness(cfg: Rv32imConfig, kind: 'unit_mul' | 'unit_div', width?: number): Harness {
  const W = width ?? (kind === 'unit_mul' ? MUL_UNIT_WIDTH : UNIT_WIDTH);
  const rule = unitWidthRule(cfg, kind === 'unit_mul' ? 'mul' : 'div');
  if (!rule.accepts(W)) throw new Error(`unit width ${W} is not accepted for ${kind}: give ${rule.says}`);
  const unit = rv32imUnit(cfg, kind === 'unit_mul' ? 'mul' : 'div', { width: W });
  const { A, finish } = asserts();
  const L: string[] = [
    `// Generated by ${GENERATOR_ID}. Do not edit.`,
    `// Formal check '${kind}': ${unit.name} at ${W} bits against the RISC-V definitions.`,
    '`default_nettype none',
    '',
    `module ${HARNESS_TOP} (`,
    '    input wire clk,',
    '    input wire start,',
    ...(kind === 'unit_div' && cfg.mulSerial ? ['    input wire mul,'] : []),
    '    input wire [1:0] funct3,',
    `    input wire [${W - 1}:0] a,`,
    `    input wire [${W - 1}:0] b`,
    ');',
    `    reg [7:0] cycle = 8'd0;`,
    "    always @(posedge clk) if (cycle != 8'hff) cycle <= cycle + 8'd1;",
    `    wire [${W - 1}:0] y;`,
  ];
  // The reference: MUL* from the 2W-bit product of the extended operands, DIV* with the
  // manual's corner cases (x / 0 = all ones, x % 0 = x, MIN / -1 = MIN, MIN % -1 = 0).
  const refFunction = (op: 'mul' | 'div') => [
    `    function [${W - 1}:0] ref_${op};`,
    '        input [1:0] f;',
    `        input [${W - 1}:0] x, z;`,
    ...(op === 'mul'
      ? [
          `        reg [${2 * W - 1}:0] xs, zs, p;`,
          '        begin',
          `            xs = (f == 2'd1 || f == 2'd2) ? {{${W}{x[${W - 1}]}}, x} : {{${W}{1'b0}}, x};`,
          `            zs = (f == 2'd1) ? {{${W}{z[${W - 1}]}}, z} : {{${W}{1'b0}}, z};`,
          '            p = xs * zs;',
          `            ref_${op} = f == 2'd0 ? p[${W - 1}:0] : p[${2 * W - 1}:${W}];`,
          '        end',
        ]
      : [
          `        reg signed [${W - 1}:0] sx, sz, sq, sr;`,
          '        reg zero, ovf;',
          '        begin',
          // Signed quotient and remainder on their own: inside the ?: below they would be unsigned.
          '            sx = x; sz = z; sq = sx / sz; sr = sx % sz;',
          `            zero = z == ${W}'d0;`,
          `            ovf = x == {1'b1, {${W - 1}{1'b0}}} && z == {${W}{1'b1}};`,
          '            case (f)',
          `                2'd0: ref_${op} = zero ? {${W}{1'b1}} : ovf ? x : sq;`,
          `                2'd1: ref_${op} = zero ? {${W}{1'b1}} : x / z;`,
          `                2'd2: ref_${op} = zero ? x : ovf ? ${W}'d0 : sr;`,
          `                default: ref_${op} = zero ? x : x % z;`,
          '            endcase',
          '        end',
        ]),
    '    endfunction',
  ];
  const ref = (f: string, x: string, z: string) => [
    ...refFunction(kind === 'unit_mul' ? 'mul' : 'div'),
    `    wire [${W - 1}:0] expected = ref_${kind === 'unit_mul' ? 'mul' : 'div'}(${f}, ${x}, ${z});`,
  ];
  if (kind === 'unit_mul') {
    const s = cfg.mulStages;
    const h = mulOperandHistory([['funct3', 2], ['a', W], ['b', W]], s, !mulSumsInMem(cfg));
    L.push(
      `    ${unit.name} dut (${s > 0 ? '.clk(clk), ' : ''}.funct3(funct3), .a(a), .b(b), .y(y));`,
      ...h.lines,
      ...ref(h.held('funct3'), h.held('a'), h.held('b')),
      A(h.enable, 'y == expected', s === 0 ? "y is not the product's word" : `y is not the product's word of the operands ${s} cycle(s) earlier`),
    );
  } else {
    // With mul=serial the divider multiplies too: a free mul input picks a multiply or a
    // divide at each start, and each has its own latency bound.
    const serial = cfg.mulSerial;
    const divCycles = divMaxCycles(cfg, W);
    const mulCycles = serialMulCycles(W);
    L.push(
      '    wire done;',
      ...(cfg.divLate ? ['    wire last;'] : []),
      // shift=serial: the unit's shifts are proved in the cores' own checks (insn_sll ... at 32
      // bits, through the real shift registers of the formal build), so here it never shifts.
      `    ${unit.name} dut (.clk(clk), ${cfg.divReuse ? ".rst(cycle == 8'd0), " : ''}.start(start), ${serial ? '.mul(mul), ' : ''}${cfg.shiftSerial ? ".shift(1'b0), .shift_right(1'b0), .shift_arith(1'b0), " : ''}.funct3(funct3), .a(a), .b(b), .done(done), ${cfg.divLate ? '.last(last), ' : ''}.y(y));`,
      `    // One ${serial ? 'operation' : 'division'} from start to done. The unit's registers start free, so the start is one from any`,
      `    // state, a start while busy (the 5-stage core restarts the divider after a flush) among them.`,
      '    reg pending = 1\'b0;',
      ...(serial ? ['    reg mul_q;'] : []),
      '    reg [1:0] f_q;',
      `    reg [${W - 1}:0] a_q, b_q;`,
      '    reg [7:0] busy_cycles;',
      '    always @(posedge clk) begin',
      `        if (start) begin pending <= 1'b1; ${serial ? 'mul_q <= mul; ' : ''}f_q <= funct3; a_q <= a; b_q <= b; busy_cycles <= 8'd0; end`,
      "        else if (pending && !done) busy_cycles <= busy_cycles + 8'd1;",
      '    end',
      '    always @* if (pending && !done) assume(!start);',
      // div_reuse: reset in cycle 0 (the core resets the unit before any divide), the first
      // start in cycle 1; a later start may take the finished division's result.
      ...(cfg.divReuse
        ? ["    always @* if (cycle == 8'd0) assume(!start);", "    always @* if (cycle == 8'd1) assume(start);"]
        : ["    always @* if (cycle == 8'd0) assume(start);"]),
      ...(serial
        ? [
            ...refFunction('mul'),
            ...refFunction('div'),
            `    wire [${W - 1}:0] expected = mul_q ? ref_mul(f_q, a_q, b_q) : ref_div(f_q, a_q, b_q);`,
            A('pending && done', 'y == expected', "y is not the product's word, the quotient or the remainder"),
            A('pending', `busy_cycles < (mul_q ? 8'd${mulCycles} : 8'd${divCycles})`, `done later than ${mulCycles} (multiply) or ${divCycles} (divide) cycles after start`),
          ]
        : [
            ...ref('f_q', 'a_q', 'b_q'),
            A('pending && done', 'y == expected', 'y is not the quotient or remainder'),
            A('pending', `busy_cycles < 8'd${divCycles}`, `done later than ${divCycles} cycles after start`),
          ]),
    );
    if (cfg.divLate) {
      // div_result=mem: the core lets the divide leave EX on last, so it must come exactly one
      // cycle before done rises (never earlier: MEM would take a stale y).
      L.push(
        '    reg was_last, was_done;',
        '    always @(posedge clk) begin was_last <= last; was_done <= done; end',
        A("cycle != 8'd0", 'was_last == (done && !was_done)', 'last is not the cycle before done rises'),
      );
    }
  }
  L.push('endmodule', '', '`default_nettype wire');
  const { text, labels } = finish(L);
  return { modules: [unit, { name: HARNESS_TOP, text }], top: HARNESS_TOP, labels };
}

