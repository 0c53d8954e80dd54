// The RV32IM ISA spec (src/formal/isa-table.ts, isa-spec.ts) checked three ways: its table
// against the project's instruction encoder, evalSpec against the ISS (src/model/rv32im.ts)
// on random single-instruction rows, and the generated Verilog (lint, Yosys -formal, one
// Verilator build) against evalSpec on random rows, with M and Zicntr on and off.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/base/rng.ts';
import { ENV_KIND, ISA_TABLE, TRAP_CAUSE } from '../src/formal/isa-table.ts';
import { evalSpec, generateIsaSpecVerilog, immediate, isaSpecAltopsModule, ISA_SPEC_MODULE, ISA_SPEC_PORTS, lookup, type SpecInput, type SpecOutput } from '../src/formal/isa-spec.ts';
import { TRAP_CAUSES } from '../src/gen/rv32im.ts';
import { decode, Rv32imMachine } from '../src/model/rv32im.ts';
import { enc } from '../src/riscv/random-program.ts';
import { firstDifference, type TraceRow } from '../src/riscv/trace.ts';
import { buildPipelineSim, lintVerilog, REPO_ROOT, runSimulator } from '../src/sim/verilator.ts';
import { runYosys } from '../src/synth/yosys.ts';

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
const EBREAK = 0x00100073;

// ---------------------------------------------------------------------------------------
// Random rows

const EDGE_WORDS = [0, 1, 2, 3, 4, 31, 32, 33, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0xfffff800];
/** 12-bit immediate patterns (insn[31:20]): 0, 1, -1, max, min, -2. */
const EDGE_IMM12 = [0x000, 0x001, 0xfff, 0x7ff, 0x800, 0xffe];

function word(rng: Rng): number {
  const r = rng.int(10);
  if (r < 3) return EDGE_WORDS[rng.int(EDGE_WORDS.length)]!;
  if (r < 4) return (rng.int(64) - 32) >>> 0;
  return rng.next();
}

/** Operand pairs the M corner cases and comparisons need: overflow, zero divisor, equal values. */
const EDGE_PAIRS: Array<[number, number]> = [
  [0x80000000, 0xffffffff], [0x80000000, 0], [0, 0], [1, 0], [0xffffffff, 0xffffffff], [0x80000000, 0x80000000], [0x7fffffff, 0x80000000], [0xffffffff, 1],
];

/** Values of rs1 and rs2: an edge pair, or independent words. */
function operands(rng: Rng): [number, number] {
  if (rng.int(4) === 0) return EDGE_PAIRS[rng.int(EDGE_PAIRS.length)]!;
  return [word(rng), word(rng)];
}

/** A table instruction with random free fields (edge immediates, x0, rs1 = rs2 often), a near miss, or any word. */
function randomInsn(rng: Rng): number {
  const r = rng.int(100);
  if (r < 6) return rng.next();
  const e = ISA_TABLE[rng.int(ISA_TABLE.length)]!;
  const free = ~e.mask >>> 0;
  let w = (e.match | (rng.next() & free)) >>> 0;
  const put = (value: number, lo: number, bits: number) => {
    const m = ((2 ** bits - 1) * 2 ** lo) & free;
    w = ((w & ~m) | ((value * 2 ** lo) & m)) >>> 0;
  };
  if (rng.int(3) === 0) put(EDGE_IMM12[rng.int(EDGE_IMM12.length)]!, 20, 12);
  if (rng.int(4) === 0) put(rng.int(2) ? 0x1f : 0, 7, 5); // S/B immediates' low bits
  if (rng.int(5) === 0) put(0, 7, 5); // rd = x0
  if (rng.int(6) === 0) put(0, 15, 5); // rs1 = x0
  if (rng.int(6) === 0) put((w >>> 15) & 31, 20, 5); // rs2 = rs1
  if (r < 14) w = (w ^ (1 << [0, 2, 5, 12, 13, 14, 25, 26, 30, 31][rng.int(10)]!)) >>> 0; // near miss
  return w;
}

// ---------------------------------------------------------------------------------------
// The ISS on one instruction

const RAM = 8192;

/** The environment of `zkrtl run` (README): write, exit; anything else and EBREAK fault. */
function envAnswer(insn: number, regs: number[]): { kind: number; a0: number } {
  if (insn === EBREAK) return { kind: ENV_KIND.fault, a0: 0 };
  const a7 = regs[17]!;
  if (a7 === 93 || a7 === 94) return { kind: ENV_KIND.exit, a0: 0 };
  if (a7 !== 64) return { kind: ENV_KIND.fault, a0: 0 };
  const [fd, buf, len] = [regs[10]!, regs[11]!, regs[12]!];
  if (fd !== 1 && fd !== 2) return { kind: ENV_KIND.fault, a0: 0 };
  if (len !== 0 && (buf >= RAM || len > RAM - buf)) return { kind: ENV_KIND.fault, a0: 0 };
  return { kind: ENV_KIND.return, a0: len };
}

/** The port's trap cause of an ISS fault: 0 for any fault the environment answers (ECALL/EBREAK). */
const CAUSE_OF = (cause: string, insn: number): number => {
  if (insn === 0x73 || insn === EBREAK) return TRAP_CAUSE.none; // a bad write() stops as load-outside-ram
  const i = (TRAP_CAUSES as readonly string[]).indexOf(cause);
  if (i < 0) throw new Error(`ISS fault ${cause} has no trap cause`);
  return i;
};

interface IssCase {
  input: SpecInput;
  regs: number[];
  spec: SpecOutput;
  row: TraceRow;
  cause: number;
}

/** One random instruction run on the ISS from a random state, and the spec of its row. */
function issCase(rng: Rng): IssCase {
  const insn = randomInsn(rng);
  const regs = Array.from({ length: 32 }, (_, i) => (i === 0 ? 0 : word(rng)));
  const f1 = (insn >>> 15) & 31, f2 = (insn >>> 20) & 31;
  const [a, b] = operands(rng);
  if (f1 !== 0) regs[f1] = a;
  if (f2 !== 0 && f2 !== f1) regs[f2] = b;
  if (f1 !== 0 && (insn & 0x5f) === 0x03 && rng.int(2)) regs[f1] = (rng.int(RAM + 512) - 256) >>> 0; // load/store addresses near RAM
  if (insn === 0x73 || rng.int(8) === 0) {
    regs[17] = [64, 64, 93, 94, word(rng)][rng.int(5)]!;
    regs[10] = [1, 2, 1, word(rng)][rng.int(4)]!;
    regs[11] = rng.int(4) ? rng.int(RAM) : word(rng);
    regs[12] = [0, rng.int(64), rng.int(RAM), word(rng)][rng.int(4)]!;
  }
  const r = rng.int(25);
  const pc = r === 0 ? (rng.int(RAM) | (1 + rng.int(3))) >>> 0 : r === 1 ? (rng.int(2) ? RAM + 4 * rng.int(64) : rng.next() & ~3) >>> 0 : 4 * rng.int(RAM / 4);
  const mem = new Uint8Array(RAM);
  const dv = new DataView(mem.buffer);
  const inRam = (a: number) => a < RAM;
  if (inRam(pc) && (pc & 3) === 0) dv.setUint32(pc, insn, true);
  const env = envAnswer(insn, regs);
  // The counters: the row's order (instructions before it) and its cycle, past 2^32 at times.
  const instret = rng.int(4) === 0 ? 2 ** 32 * rng.int(1000) + rng.next() : rng.int(1000);
  const cycle = instret + (rng.int(4) === 0 ? 2 ** 32 * rng.int(1000) + rng.next() : rng.int(5000));
  const input: SpecInput = {
    insn, pc_rdata: pc, rs1_rdata: regs[f1]!, rs2_rdata: regs[f2]!, mem_rdata: 0,
    fetch_fault: !inRam(pc), mem_fault: false, env_kind: env.kind, env_a0: env.a0, cycle: BigInt(cycle), instret: BigInt(instret),
  };
  // The memory answers the access the spec asks for: a random word there, or a fault outside RAM.
  const probe = evalSpec(input);
  if (probe.mem_rmask | probe.mem_wmask) {
    const a = probe.mem_addr;
    if (!inRam(a)) input.mem_fault = true;
    else {
      if (a !== pc) dv.setUint32(a, word(rng), true);
      input.mem_rdata = dv.getUint32(a, true);
    }
  }
  const spec = evalSpec(input);
  const m = new Rv32imMachine(mem, pc, { cycleOfRow: (order) => (order === instret ? cycle : NaN) });
  m.instret = instret;
  regs.forEach((v, i) => (m.regs[i] = v | 0));
  const row = m.step()!;
  const cause = m.stop?.kind === 'fault' ? CAUSE_OF(m.stop.cause, row.insn) : TRAP_CAUSE.none;
  return { input, regs, spec, row, cause };
}

/** The trace row the spec asks for (the row's read values come from the state). */
function specRow(c: IssCase): TraceRow {
  const { input: i, spec: s, regs } = c;
  const fetchTrap = (i.pc_rdata & 3) !== 0 || i.fetch_fault;
  return {
    order: Number(i.instret), insn: fetchTrap ? 0 : i.insn, trap: s.trap, halt: s.halt, pc_rdata: i.pc_rdata, pc_wdata: s.pc_wdata,
    rs1_addr: s.rs1_addr, rs2_addr: s.rs2_addr, rs1_rdata: regs[s.rs1_addr]!, rs2_rdata: regs[s.rs2_addr]!,
    rd_addr: s.rd_addr, rd_wdata: s.rd_wdata, mem_addr: s.mem_addr, mem_rmask: s.mem_rmask, mem_wmask: s.mem_wmask,
    mem_rdata: s.mem_rmask ? i.mem_rdata : 0, mem_wdata: s.mem_wdata,
  };
}

// ---------------------------------------------------------------------------------------

describe('ISA table', () => {
  it('has disjoint, well-formed encodings for RV32I, FENCE.I, M and the counter reads', () => {
    expect(ISA_TABLE.length).toBe(55);
    expect(new Set(ISA_TABLE.map((e) => e.name)).size).toBe(ISA_TABLE.length);
    expect(ISA_TABLE.filter((e) => e.ext === 'M').map((e) => e.name)).toEqual(['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu']);
    expect(ISA_TABLE.filter((e) => e.ext === 'Zicntr').map((e) => e.name)).toEqual(['rdcycle', 'rdtime', 'rdinstret', 'rdcycleh', 'rdtimeh', 'rdinstreth']);
    for (const e of ISA_TABLE) expect((e.match & ~e.mask) >>> 0, e.name).toBe(0);
    for (const [i, a] of ISA_TABLE.entries()) {
      for (const b of ISA_TABLE.slice(i + 1)) expect(((a.match ^ b.match) & a.mask & b.mask) >>> 0, `${a.name} overlaps ${b.name}`).not.toBe(0);
    }
  });

  it('uses the trap cause codes of the cores (manifest trace.trapCauses)', () => {
    const names: Record<string, string> = {
      none: 'none', illegalInstruction: 'illegal-instruction', misalignedFetch: 'misaligned-fetch', fetchOutsideRam: 'fetch-outside-ram',
      misalignedLoad: 'misaligned-load', misalignedStore: 'misaligned-store', loadOutsideRam: 'load-outside-ram', storeOutsideRam: 'store-outside-ram',
    };
    for (const [k, code] of Object.entries(TRAP_CAUSE)) expect(TRAP_CAUSES[code], k).toBe(names[k]);
  });

  it('decodes what the project encoder writes, immediates included', () => {
    const cases: Array<[string, number, number | undefined]> = [];
    for (const imm of [0, 1, -1, 2047, -2048, -2, 0x555, -0x556]) {
      cases.push(['addi', enc.addi(5, 6, imm), imm], ['lw', enc.lw(5, 6, imm), imm], ['sw', enc.sw(7, 6, imm), imm], ['jalr', enc.jalr(1, 2, imm), imm]);
    }
    for (const off of [0, 2, -2, 4094, -4096, 0x554, -0x556]) cases.push(['bne', enc.bne(1, 2, off), off], ['bgeu', enc.bgeu(3, 4, off), off]);
    for (const off of [0, 2, -2, 0xffffe, -0x100000, 0x55554, -0x55556]) cases.push(['jal', enc.jal(1, off), off]);
    for (const hi of [0, 1, 0xfffff, 0x80000, 0x7ffff]) cases.push(['lui', enc.lui(3, hi), hi << 12], ['auipc', enc.auipc(3, hi), hi << 12]);
    for (const [name, f] of Object.entries(enc)) {
      const w = (f as (...a: number[]) => number)(9, 10, 11);
      cases.push([name.replace('_', '.'), w, undefined]);
    }
    for (const [name, w, imm] of cases) {
      const e = lookup(w);
      expect(e?.name, `${name} ${hex(w)}`).toBe(name);
      if (imm !== undefined) expect(immediate(w, e!.format), `${name} ${hex(w)}`).toBe(imm >>> 0);
    }
    // M encodings are illegal without M; the counter reads without Zicntr.
    expect(lookup(enc.mul(1, 2, 3), { m: false })).toBeUndefined();
    // The counter reads as an assembler writes them: csrrs rd, csr, x0 (rdcycle a0 = 0xc0002573),
    // csrrc, csrrsi/csrrci with uimm 0; csrrw (a write), csrrs with rs1 ≠ x0 and other CSRs are illegal.
    const csr = (c: number, rs1: number, f3: number, rd: number) => ((c << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x73) >>> 0;
    expect(csr(0xc00, 0, 2, 10)).toBe(0xc0002573);
    for (const [c, name] of [[0xc00, 'rdcycle'], [0xc01, 'rdtime'], [0xc02, 'rdinstret'], [0xc80, 'rdcycleh'], [0xc81, 'rdtimeh'], [0xc82, 'rdinstreth']] as const) {
      for (const f3 of [2, 3, 6, 7]) expect(lookup(csr(c, 0, f3, 5))?.name, `${name} funct3 ${f3}`).toBe(name);
      for (const f3 of [2, 3, 6, 7]) expect(lookup(csr(c, 0, f3, 5), { zicntr: false }), `${name} without Zicntr`).toBeUndefined();
      for (const w of [csr(c, 0, 1, 5), csr(c, 0, 5, 5), csr(c, 1, 2, 5), csr(c, 3, 7, 5), csr(c, 0, 0, 5), csr(c, 0, 4, 5)]) expect(lookup(w), hex(w)).toBeUndefined();
    }
    for (const c of [0xc03, 0xc83, 0xb00, 0x300, 0xf11, 0x000]) expect(lookup(csr(c, 0, 2, 5)), hex(c)).toBeUndefined();
    expect(evalSpec({ insn: enc.divu(1, 2, 3), pc_rdata: 0, rs1_rdata: 7, rs2_rdata: 2, mem_rdata: 0 }, { m: false }).trap_cause).toBe(TRAP_CAUSE.illegalInstruction);
  });
});

describe('evalSpec against the ISS', () => {
  it('agrees on 20000 random single-instruction rows, traps and all', () => {
    const rng = new Rng(12);
    const seen = new Map<string, number>();
    const count = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
    const problems: string[] = [];
    for (let n = 0; n < 20_000; n++) {
      const c = issCase(rng);
      const want = specRow(c);
      const field = firstDifference(c.row, want);
      const name = c.spec.name ?? 'illegal';
      count(name);
      count(`cause ${c.spec.trap_cause}${c.spec.trap ? '' : ' (no trap)'}`);
      if (c.spec.rd_addr === 0 && lookup(c.input.insn)?.rd && !c.spec.trap) count('rd = x0');
      if (c.spec.halt && !c.spec.trap) count('exit');
      if (c.spec.rd_addr === 10 && c.spec.name === 'ecall') count('ecall return');
      if (/^rd(cycle|time|instret)h$/.test(name) && c.spec.rd_wdata !== 0) count('counter high half nonzero');
      if (/^(div|rem)/.test(name) && c.spec.rd_addr !== 0) {
        if (c.input.rs2_rdata === 0) count('divide by zero');
        if (c.input.rs1_rdata === 0x80000000 && c.input.rs2_rdata === 0xffffffff) count('signed overflow');
      }
      if (lookup(c.input.insn)?.format === 'B' && !c.spec.trap) count(c.spec.pc_wdata === ((c.input.pc_rdata + 4) >>> 0) ? 'not taken' : 'taken');
      const iss = decode(c.input.insn).name;
      const mismatch =
        field !== undefined ? `${field}: ISS ${hex(Number(c.row[field]))}, spec ${hex(Number(want[field]))}`
        : c.cause !== c.spec.trap_cause ? `trap cause: ISS ${c.cause}, spec ${c.spec.trap_cause}`
        : (iss !== 'illegal') !== c.spec.valid_insn ? `legality: ISS ${iss}, spec ${name}` : undefined;
      if (mismatch && problems.length < 10) {
        problems.push(`row ${n}: insn ${hex(c.input.insn)} (${name}) pc ${hex(c.input.pc_rdata)} rs1 ${hex(c.input.rs1_rdata)} rs2 ${hex(c.input.rs2_rdata)} mem ${hex(c.input.mem_rdata)}: ${mismatch}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
    // The rows reach every instruction, every trap cause and the environment's answers.
    for (const e of ISA_TABLE) expect(seen.get(e.name) ?? 0, e.name).toBeGreaterThan(100);
    for (const k of ['illegal', 'rd = x0', 'counter high half nonzero', 'exit', 'ecall return', 'divide by zero', 'signed overflow', 'taken', 'not taken', 'cause 0 (no trap)', ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `cause ${i}`)]) {
      expect(seen.get(k) ?? 0, k).toBeGreaterThan(k === 'signed overflow' ? 5 : 20);
    }
  });
});

// ---------------------------------------------------------------------------------------
// The Verilog

const INPUTS = ISA_SPEC_PORTS.filter((p) => p.dir === 'in');
const OUTPUTS = ISA_SPEC_PORTS.filter((p) => p.dir === 'out');
const IN_BITS = INPUTS.reduce((n, p) => n + p.width, 0);
const OUT_BITS = OUTPUTS.reduce((n, p) => n + p.width, 0);

/** Three specs (M_EXT, ZICNTR) = (1, 1), (1, 0), (0, 0) behind one packed input and output: the first port at the top. */
function wrapper(): string {
  const conn = (ports: typeof ISA_SPEC_PORTS, vec: string, top: number) =>
    ports.map((p) => {
      const hi = top - 1;
      top -= p.width;
      return `.${p.name}(${vec}[${hi}:${top}])`;
    });
  const inst = ([m, z]: readonly [boolean, boolean], top: number) =>
    `    ${ISA_SPEC_MODULE} #(.M_EXT(1'b${+m}), .ZICNTR(1'b${+z})) u_m${+m}_z${+z} (\n        ${[...conn(INPUTS, 'in', IN_BITS), ...conn(OUTPUTS, 'out', top)].join(',\n        ')}\n    );`;
  return [
    '`default_nettype none',
    `module isa_spec_tb (input wire [${IN_BITS - 1}:0] in, output wire [${EXTS.length * OUT_BITS - 1}:0] out);`,
    ...EXTS.map((e, i) => inst(e, (EXTS.length - i) * OUT_BITS)),
    'endmodule',
    '`default_nettype wire',
    '',
  ].join('\n');
}

/** The (M, Zicntr) settings of the wrapper's specs, first at the top of `out`. */
const EXTS = [[true, true], [true, false], [false, false]] as const;

function packInput(i: SpecInput): bigint {
  const v: Record<string, number | bigint> = {
    spec_insn: i.insn, spec_pc_rdata: i.pc_rdata, spec_rs1_rdata: i.rs1_rdata, spec_rs2_rdata: i.rs2_rdata, spec_mem_rdata: i.mem_rdata,
    spec_fetch_fault: i.fetch_fault ? 1 : 0, spec_mem_fault: i.mem_fault ? 1 : 0, spec_env_kind: i.env_kind ?? 0, spec_env_a0: i.env_a0 ?? 0,
    spec_cycle: i.cycle ?? 0n, spec_instret: i.instret ?? 0n,
  };
  return INPUTS.reduce((acc, p) => {
    const x = v[p.name]!;
    return (acc << BigInt(p.width)) | (typeof x === 'bigint' ? x : BigInt(x >>> 0));
  }, 0n);
}

/** evalSpec's answer as the spec_* output values. */
function outputValues(s: SpecOutput): Record<string, number> {
  const op = s.name === undefined ? 0 : ISA_TABLE.findIndex((e) => e.name === s.name) + 1;
  const v: Record<string, number> = { spec_valid_insn: s.valid_insn ? 1 : 0, spec_op: op, spec_trap: s.trap ? 1 : 0, spec_halt: s.halt ? 1 : 0 };
  for (const p of OUTPUTS) {
    v[p.name] ??= (s as unknown as Record<string, number>)[p.name.slice('spec_'.length)]!;
    if (!Number.isInteger(v[p.name])) throw new Error(`evalSpec gives no ${p.name}`);
  }
  return v;
}

function unpackOutputs(word: bigint): Record<string, number> {
  const v: Record<string, number> = {};
  for (const p of [...OUTPUTS].reverse()) {
    v[p.name] = Number(word & ((1n << BigInt(p.width)) - 1n));
    word >>= BigInt(p.width);
  }
  return v;
}

function randomSpecInput(rng: Rng): SpecInput {
  return {
    insn: randomInsn(rng), pc_rdata: rng.int(8) ? rng.next() & ~3 : rng.next(),
    ...(([rs1_rdata, rs2_rdata]) => ({ rs1_rdata, rs2_rdata }))(operands(rng)), mem_rdata: rng.next(),
    fetch_fault: rng.int(20) === 0, mem_fault: rng.int(8) === 0, env_kind: rng.int(4), env_a0: rng.next(),
    cycle: (BigInt(rng.next()) << 32n) | BigInt(rng.next()), instret: (BigInt(rng.int(4) ? 0 : rng.next()) << 32n) | BigInt(rng.next()),
  };
}

const text = generateIsaSpecVerilog();
const files = { [`${ISA_SPEC_MODULE}.v`]: text };
// The one Verilator build (cached) runs while the other tests do.
let simulator: Promise<string>;
beforeAll(() => {
  simulator = buildPipelineSim({ top: 'isa_spec_tb', files: { ...files, 'isa_spec_tb.v': wrapper() }, harnessPath: join(REPO_ROOT, 'sim', 'comb_harness.cpp') });
  simulator.catch(() => {}); // reported by the test that awaits it
});

describe('rv32im_isa_spec (Verilog)', () => {

  it('is deterministic, lint-clean and combinational for Yosys -formal (M and Zicntr on and off)', async () => {
    expect(generateIsaSpecVerilog()).toBe(text);
    await lintVerilog(ISA_SPEC_MODULE, files);
    const check = [`prep -top ${ISA_SPEC_MODULE}`, 'check -assert', 'select -assert-none t:$*dff* t:$*dlatch* t:$mem* t:$*sr'];
    const script = [
      `read_verilog -formal ${ISA_SPEC_MODULE}.v`, 'design -save src', ...check,
      'design -load src', `chparam -set M_EXT 0 -set ZICNTR 0 ${ISA_SPEC_MODULE}`, ...check,
      'design -load src', `chparam -set ZICNTR 0 ${ISA_SPEC_MODULE}`, ...check,
    ].join('\n');
    const { log } = await runYosys({ script, files });
    expect(log).not.toMatch(/Warning:/);
    // ... and the formal builds' specs: stand-ins for M, and with shift=mul for the shifts too
    for (const shiftMul of [false, true]) {
      const name = isaSpecAltopsModule({ shiftMul });
      const alt = generateIsaSpecVerilog({ altops: true, shiftMul });
      expect(alt).toContain(`module ${name} #(`);
      expect(alt.includes('shift=mul'), name).toBe(shiftMul);
      await lintVerilog(name, { [`${name}.v`]: alt });
    }
  });

  it('equals evalSpec on 4000 random rows under Verilator', async () => {
    const binary = await simulator;
    const rng = new Rng(1212);
    const inputs = Array.from({ length: 4000 }, () => randomSpecInput(rng));
    const dir = await mkdtemp(join(tmpdir(), 'zkrtl-isa-spec-'));
    try {
      await writeFile(join(dir, 'in.hex'), inputs.map((i) => packInput(i).toString(16)).join('\n') + '\n');
      const r = await runSimulator(binary, ['--in', join(dir, 'in.hex'), '--out', join(dir, 'out.hex')], [dir]);
      expect(r.code, r.stderr).toBe(0);
      const lines = (await readFile(join(dir, 'out.hex'), 'utf8')).trim().split('\n');
      expect(lines.length).toBe(inputs.length);
      const problems: string[] = [];
      lines.forEach((l, n) => {
        const w = BigInt(`0x${l}`);
        EXTS.forEach(([m, zicntr], k) => {
          const got = unpackOutputs((w >> BigInt((EXTS.length - 1 - k) * OUT_BITS)) & ((1n << BigInt(OUT_BITS)) - 1n));
          const i = inputs[n]!;
          const want = outputValues(evalSpec(i, { m, zicntr }));
          const bad = OUTPUTS.find((p) => got[p.name] !== want[p.name]);
          if (bad && problems.length < 10) {
            problems.push(`row ${n} (M ${m ? 'on' : 'off'}, Zicntr ${zicntr ? 'on' : 'off'}): insn ${hex(i.insn)} pc ${hex(i.pc_rdata)} rs1 ${hex(i.rs1_rdata)} rs2 ${hex(i.rs2_rdata)}: ${bad.name} Verilog ${hex(got[bad.name]!)}, evalSpec ${hex(want[bad.name]!)}`);
          }
        });
      });
      expect(problems, problems.join('\n')).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
