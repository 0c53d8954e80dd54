// The generated rv32im cores against the golden model (src/model/rv32im.ts), row by row:
// lint and Yosys check of every configuration; C test programs, random instruction streams
// and hand-assembled fault programs on the pipelined and the multi-cycle core, with and
// without random memory wait states; stdout and exit codes equal; a planted bug is caught.
// Every run's cycles are a partition: cycles = instret + Σ stall causes (perf_stall), exactly.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/errors.ts';
import { verilogSources } from '../src/gen/design.ts';
import type { RawParams } from '../src/gen/params.ts';
import { BTB_SYNC_TAG_BITS, generateRv32im } from '../src/gen/rv32im.ts';
import { runModel } from '../src/model/rv32im.ts';
import { loadElf } from '../src/riscv/elf.ts';
import type { RunResult } from '../src/riscv/machine.ts';
import { enc, randomProgram } from '../src/riscv/random-program.ts';
import { verifySegments } from '../src/riscv/segments.ts';
import { buildTestPrograms, compileProgram } from '../src/riscv/toolchain.ts';
import { compareWithModel, cycleAccountingError, firstTraceDifference, runOnRtl, type RtlRunResult } from '../src/sim/rv32im-sim.ts';
import { SimMismatchError, buildPipelineSim, lintVerilog } from '../src/sim/verilator.ts';
import { RV32IM_HARNESS_PATH } from '../src/sim/rv32im-sim.ts';
import { checkVerilog } from '../src/synth/yosys.ts';

const P5: RawParams = {};
const MC: RawParams = { pipeline: 'multicycle' };
// (the counters are on by default: the rv32i 5-stage core runs without them)
const P5_I: RawParams = { m: 'off', zicntr: 'off' };
const MC_I: RawParams = { pipeline: 'multicycle', m: 'off' };
// The clock-oriented EX stage: the redirect from MEM (3 bubbles) with the forwarding selects
// from ID, with wait states; the redirect from MEM beside a BTB written from MEM and a RAS.
// (and a divide of the last one's operands takes its result from the divider's registers; the
// divider's shift cycle makes no step, div_fold=off, but a capped divide's one step; a
// multiply's result is taken in MEM, and the shifts are multiplies too, shift=mul: held in EX
// for the multiplier's stages)
const P5_SLOW_MUL: RawParams = { mul: '3cycle', div: '2bit', btb: '0', redirect: 'mem', forward: 'reg', div_result: 'mem', decode: 'if', div_reuse: 'on', div_fold: 'off', mul_result: 'mem', shift: 'mul' };
// forward=reg with the multiply's result forwarded from EX (mul_result=ex, the DSP in one cycle):
// the product enters the operand registers through their last LUT, beside the sum.
const P5_REG_MULEX: RawParams = { redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem', div: '2bit' };
// forward=reg with the redirect from EX (no predecoded load-use: EX's registered flags), a
// shift's result taken in MEM, and the one-bit divider whose capped divide steps in the shift cycle.
const P5_REG_REX: RawParams = { forward: 'reg', shift_result: 'mem', div: '1bit', div_fold: 'off', div_reuse: 'on' };
const P5_DIV1: RawParams = { mul: '2cycle', div: '1bit', div_early: 'off', btb: '64', ras: '4', regfile: 'async', redirect: 'mem', div_result: 'mem' };
const MC_MUL2: RawParams = { pipeline: 'multicycle', mul: '2cycle', div: '2bit', div_early: 'on', regfile: 'async' };
// The serial multiply (the multicycle default) beside a divider with prep cycles (early out, and
// at 2bit the cycle that forms 3d from the divisor register the multiply shares), and so with the
// barrel shifter (shift=serial needs the one-bit divider without them).
const MC_DIV2S: RawParams = { pipeline: 'multicycle', div: '2bit', div_early: 'on' };
// The planted bugs: a missing MEM -> EX forward, and (both cores) a cycle-cause encoder that
// tests a stall before retirement (the 5-stage core's ECALLs, the multicycle core's multiplies
// and divides count their retiring cycle twice).
const BROKEN: RawParams = { test_break: 'forward,perf' };
const MC_BROKEN_PERF: RawParams = { pipeline: 'multicycle', test_break: 'perf' };
const CONFIGS = [P5, MC, P5_I, MC_I, P5_SLOW_MUL, P5_DIV1, MC_MUL2, MC_DIV2S, P5_REG_MULEX, P5_REG_REX];
const WAITS = { seed: 7, probability: 0.25 };

const RAM = 16 * 1024 * 1024;
const SMALL_RAM = 64 * 1024;
const MAX_CYCLES = 20_000_000;

// ---------------------------------------------------------------------------------------
// A tiny RV32IM assembler: enough for the fault programs.
const R = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number) =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const I = (imm: number, rs1: number, f3: number, rd: number, op: number) =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const S = (imm: number, rs2: number, rs1: number, f3: number) =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | 0x23) >>> 0;
const asm = {
  addi: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x13),
  lui: (rd: number, imm20: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37) >>> 0,
  add: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 0, rd, 0x33),
  mul: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 0, rd, 0x33),
  div: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 4, rd, 0x33),
  divu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 5, rd, 0x33),
  rem: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 6, rd, 0x33),
  remu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 7, rd, 0x33),
  lw: (rd: number, rs1: number, imm: number) => I(imm, rs1, 2, rd, 0x03),
  lh: (rd: number, rs1: number, imm: number) => I(imm, rs1, 1, rd, 0x03),
  lbu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 4, rd, 0x03),
  sw: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 2),
  sh: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 1),
  sb: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 0),
  jalr: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x67),
  ecall: () => 0x00000073,
  ebreak: () => 0x00100073,
  csrrs: (rd: number, csr: number) => I(csr, 0, 2, rd, 0x73),
  csrrw: (rd: number, csr: number, rs1: number) => I(csr, rs1, 1, rd, 0x73),
  csrrci: (rd: number, csr: number) => I(csr, 0, 7, rd, 0x73),
  sub: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 0, rd, 0x33),
  sll: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 1, rd, 0x33),
  sra: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 5, rd, 0x33),
  srai: (rd: number, rs1: number, shamt: number) => I(0x400 | shamt, rs1, 5, rd, 0x13),
  bne: enc.bne,
  beq: enc.beq,
  jal: enc.jal,
};
const CYCLE = 0xc00, TIME = 0xc01, INSTRET = 0xc02, CYCLEH = 0xc80, INSTRETH = 0xc82;
const A0 = 10, A1 = 11, A2 = 12, A7 = 17, T0 = 5, T1 = 6;

/** Words at address 0x100 (the entry), RAM of SMALL_RAM bytes. */
function program(words: number[]): { image: Uint8Array; entry: number } {
  const image = new Uint8Array(0x100 + 4 * words.length);
  const dv = new DataView(image.buffer);
  words.forEach((w, i) => dv.setUint32(0x100 + 4 * i, w >>> 0, true));
  return { image, entry: 0x100 };
}

/** write(1, "hi", 2) from a buffer at 0x80 after storing it there, then `tail`. */
const prologue = [
  asm.addi(T0, 0, 0x68), asm.sb(T0, 0, 0x80), asm.addi(T0, 0, 0x69), asm.sb(T0, 0, 0x81),
  asm.addi(A0, 0, 1), asm.addi(A1, 0, 0x80), asm.addi(A2, 0, 2), asm.addi(A7, 0, 64), asm.ecall(),
  asm.lui(T1, 0x12345), asm.addi(T1, T1, 0x678), asm.sw(T1, 0, 0x84), asm.lh(T0, 0, 0x86), asm.add(T0, T0, T1),
];
const exitWith = (code: number) => [asm.addi(A0, 0, code), asm.addi(A7, 0, 93), asm.ecall()];

const FAULT_PROGRAMS: Record<string, { words: number[]; cause: string; mOnly?: boolean; noCounters?: boolean }> = {
  exit: { words: [...prologue, ...exitWith(42)], cause: 'exit' },
  illegal: { words: [...prologue, 0xffffffff, ...exitWith(1)], cause: 'illegal-instruction' },
  // The counters are read-only: a write (csrrw, even of x0) is an illegal instruction, as is any other CSR.
  'csr-write': { words: [...prologue, asm.csrrw(A0, CYCLE, 0), ...exitWith(1)], cause: 'illegal-instruction' },
  'csr-other': { words: [...prologue, asm.csrrs(A0, 0x300), ...exitWith(1)], cause: 'illegal-instruction' },
  // A counter read on a core without counters (zicntr=off).
  'rdcycle-without-counters': { words: [...prologue, asm.csrrs(A0, CYCLE), ...exitWith(1)], cause: 'illegal-instruction', noCounters: true },
  'misaligned-load': { words: [...prologue, asm.addi(T0, 0, 0x42), asm.lw(A0, T0, 0), ...exitWith(1)], cause: 'misaligned-load' },
  'misaligned-store': { words: [...prologue, asm.addi(T0, 0, 0x41), asm.sh(T1, T0, 0), ...exitWith(1)], cause: 'misaligned-store' },
  'load-outside': { words: [...prologue, asm.lui(T0, 0x10), asm.lbu(A0, T0, 0), ...exitWith(1)], cause: 'load-outside-ram' },
  'store-outside': { words: [...prologue, asm.lui(T0, 0x80000), asm.sw(T1, T0, -4), ...exitWith(1)], cause: 'store-outside-ram' },
  'fetch-outside': { words: [...prologue, asm.lui(T0, 0x20), asm.jalr(1, T0, 0), ...exitWith(1)], cause: 'fetch-outside-ram' },
  'misaligned-fetch': { words: [...prologue, asm.addi(T0, 0, 0x102), asm.jalr(1, T0, 0), ...exitWith(1)], cause: 'misaligned-fetch' },
  ebreak: { words: [...prologue, asm.ebreak(), ...exitWith(1)], cause: 'ebreak' },
  'unknown-ecall': { words: [...prologue, asm.addi(A7, 0, 999), asm.ecall(), ...exitWith(1)], cause: 'unknown-ecall' },
  'write-bad-fd': { words: [...prologue, asm.addi(A0, 0, 3), asm.addi(A7, 0, 64), asm.ecall(), ...exitWith(1)], cause: 'unknown-ecall' },
  'write-outside': {
    words: [...prologue, asm.addi(A0, 0, 1), asm.lui(A1, 0x10), asm.addi(A2, 0, 4), asm.addi(A7, 0, 64), asm.ecall(), ...exitWith(1)],
    cause: 'load-outside-ram',
  },
  muldiv: {
    words: [...prologue, asm.addi(A1, 0, -7), asm.mul(A0, T1, A1), asm.div(A0, A0, A1), asm.div(A2, A0, 0), ...exitWith(3)],
    cause: 'exit',
    mOnly: true,
  },
};

// ---------------------------------------------------------------------------------------

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** Every cycle of the run is a retirement or exactly one stall cause. */
function expectCyclePartition(rtl: RtlRunResult) {
  expect(cycleAccountingError(rtl)).toBeUndefined();
  expect(rtl.stats.cycles).toBe(rtl.stats.instret + sum(rtl.stats.stalls));
}

function expectSameRun(rtl: RtlRunResult, model: RunResult) {
  expectCyclePartition(rtl);
  expect(text(rtl.stdout)).toBe(text(model.stdout));
  expect(text(rtl.stderr)).toBe(text(model.stderr));
  expect(rtl.stop).toEqual(model.stop.kind === 'fault' ? { ...model.stop, detail: expect.any(String) } : model.stop);
}

describe('rv32im generator', () => {
  it('is deterministic and documents its ports, memory, environment and trace protocols', () => {
    const a = generateRv32im({});
    const b = generateRv32im({});
    expect(a.modules.map((m) => m.text)).toEqual(b.modules.map((m) => m.text));
    expect(a.top).toBe('rv32im_p5');
    expect(generateRv32im(MC).top).toBe('rv32im_mc');
    expect(generateRv32im(MC_I).top).toBe('rv32i_mc');
    const m = a.manifest as unknown as Record<string, unknown>;
    expect(m.block).toBe('rv32im');
    expect(Object.keys(m.memory as object)).toEqual(expect.arrayContaining(['handshake', 'faults']));
    expect(m.environment).toBeDefined();
    expect(m.trace).toBeDefined();
    const ports = a.manifest.ports.map((p) => p.name);
    for (const f of ['valid', 'order', 'insn', 'trap', 'halt', 'pc_rdata', 'pc_wdata', 'rs1_addr', 'rs2_addr', 'rs1_rdata', 'rs2_rdata',
      'rd_addr', 'rd_wdata', 'mem_addr', 'mem_rmask', 'mem_wmask', 'mem_rdata', 'mem_wdata']) {
      expect(ports).toContain(`rvfi_${f}`);
    }
    expect(a.manifest.ports.every((p) => p.description)).toBe(true);
    // The shared submodules are the same text in both cores.
    const shared = (d: ReturnType<typeof generateRv32im>) => d.modules.filter((x) => x.name !== d.top);
    // (but the ALU: the multicycle core's takes its comparison and shifter operand from OPER)
    const noAlu = (d: ReturnType<typeof generateRv32im>) => shared(d).filter((x) => !x.name.startsWith('rv32im_alu'));
    expect(noAlu(generateRv32im({ mul: '3cycle', div: '1bit', div_early: 'off' }))).toEqual(noAlu(generateRv32im({ ...MC, mul: '3cycle' })));
    // The multicycle core multiplies and shifts in its divider by default (mul=serial,
    // shift=serial): no multiplier module, an ALU without shifter.
    expect(generateRv32im(MC).modules.map((x) => x.name).filter((n) => /_mul_|_div_|_muldiv/.test(n))).toEqual(['rv32im_muldivsh_b1']);
    expect(generateRv32im(MC).modules.map((x) => x.name)).toContain('rv32im_alu_cmpin_nosh');
    expect(generateRv32im(MC).manifest.params.shift).toBe('serial');
    expect(generateRv32im(MC_DIV2S).modules.map((x) => x.name)).toContain('rv32im_alu_cmpin');
    expect(generateRv32im(MC_DIV2S).manifest.params.shift).toBe('barrel');
    expect(generateRv32im({ regfile: 'async' }).modules.map((x) => x.name)).toContain('rv32im_regfile');
    expect(a.modules.map((x) => x.name)).toContain('rv32im_regfile_sync');
  });

  it('rejects bad parameters with one line naming the value', () => {
    expect(() => generateRv32im({ pipeline: '7' })).toThrow(UsageError);
    expect(() => generateRv32im({ pipeline: '7' })).toThrow(/^pipeline=7 is not accepted: give one of 5, multicycle$/);
    expect(() => generateRv32im({ mul: 'fast' })).toThrow(/mul=fast/);
    expect(() => generateRv32im({ cache: 'on' })).toThrow(/unknown parameter 'cache'/);
    expect(() => generateRv32im({ pipeline: 'multicycle', btb: '16' })).toThrow(/btb=16 .*multicycle/);
    expect(() => generateRv32im({ mul: 'serial' })).toThrow(/^mul=serial is not accepted with pipeline=5: give pipeline=multicycle/);
    expect(() => generateRv32im({ pipeline: 'multicycle', mul: '3cycle', test_break: 'mul_sign' })).toThrow(/^test_break=mul_sign is not accepted without mul=serial/);
    expect(() => generateRv32im({ shift: 'serial' })).toThrow(/^shift=serial is not accepted with pipeline=5: .*give pipeline=multicycle m=on mul=serial div=1bit div_early=off, or shift=barrel$/);
    expect(() => generateRv32im({ ...MC_DIV2S, shift: 'serial' })).toThrow(/^shift=serial is not accepted with div=2bit:/);
    expect(() => generateRv32im({ ...MC, shift: 'rotate' })).toThrow(/^shift=rotate is not accepted: give one of barrel, serial, mul$/);
    expect(() => generateRv32im({ ...MC, redirect: 'mem' })).toThrow(/^redirect=mem is not accepted with pipeline=multicycle: /);
    expect(() => generateRv32im({ ...MC, forward: 'id' })).toThrow(/^forward=id is not accepted with pipeline=multicycle: /);
    expect(() => generateRv32im({ ...MC, decode: 'if' })).toThrow(/^decode=if is not accepted with pipeline=multicycle: /);
    expect(() => generateRv32im({ ...MC, div_result: 'mem' })).toThrow(/^div_result=mem is not accepted with pipeline=multicycle: /);
    expect(() => generateRv32im({ m: 'off', div_result: 'ex' })).toThrow(/^div_result=ex is not accepted with m=off: /);
    expect(() => generateRv32im({ redirect: 'wb' })).toThrow(/^redirect=wb is not accepted: give one of ex, mem$/);
    expect(() => generateRv32im({ ...MC, div_reuse: 'on' })).toThrow(/^div_reuse=on is not accepted with pipeline=multicycle: /);
    expect(() => generateRv32im({ m: 'off', div_reuse: 'on' })).toThrow(/^div_reuse=on is not accepted with m=off: /);
    expect(() => generateRv32im({ div_reuse: 'yes' })).toThrow(/^div_reuse=yes is not accepted: give one of on, off$/);
    expect(() => generateRv32im({ test_break: 'div_reuse_sign' })).toThrow(/^test_break=div_reuse_sign is not accepted without div_reuse=on/);
    expect(() => generateRv32im({ div_fold: 'off' })).toThrow(/^div_fold=off is not accepted with forward=ex: /);
    expect(() => generateRv32im({ forward: 'id', mul_result: 'mem' })).toThrow(/^mul_result=mem is not accepted with forward=id: /);
    expect(() => generateRv32im({ forward: 'reg', m: 'off', mul_result: 'mem' })).toThrow(/^mul_result=mem is not accepted with m=off: /);
    expect(() => generateRv32im({ forward: 'reg', div: '4bit', div_fold: 'off' })).toThrow(/^div_fold=off is not accepted with div=4bit: /);
    expect(() => generateRv32im({ ...MC, div_fold: 'on' })).toThrow(/^div_fold=on is not accepted with pipeline=multicycle: /);
    // (the defaults are accepted where they change nothing)
    expect(() => generateRv32im({ forward: 'id', shift_result: 'mem' })).toThrow(/^shift_result=mem is not accepted with forward=id: .*give pipeline=5 forward=reg, or leave shift_result out\)$/);
    expect(() => generateRv32im({ ...MC, shift_result: 'mem' })).toThrow(/^shift_result=mem is not accepted with pipeline=multicycle: /);
    expect(() => generateRv32im({ forward: 'reg', shift_result: 'wb' })).toThrow(/^shift_result=wb is not accepted: give one of ex, mem$/);
    expect(generateRv32im({ div_fold: 'on', mul_result: 'ex', shift_result: 'ex' }).top).toBe(generateRv32im({}).top);
    // shift=mul: the 5-stage core with forward=reg whose multiply's result is taken in MEM
    expect(() => generateRv32im({ shift: 'mul' })).toThrow(/^shift=mul is not accepted with forward=ex: it shifts in the 5-stage core's DSP multiplier, .*give pipeline=5 m=on forward=reg mul_result=mem and leave shift_result out, or shift=barrel\)$/);
    expect(() => generateRv32im({ forward: 'reg', shift: 'mul' })).toThrow(/^shift=mul is not accepted with mul_result=ex: /);
    expect(() => generateRv32im({ forward: 'reg', m: 'off', shift: 'mul' })).toThrow(/^shift=mul is not accepted with m=off: /);
    expect(() => generateRv32im({ ...MC, shift: 'mul' })).toThrow(/^shift=mul is not accepted with pipeline=multicycle: /);
    expect(() => generateRv32im({ forward: 'reg', mul_result: 'mem', shift: 'mul', shift_result: 'ex' })).toThrow(/^shift=mul is not accepted with shift_result=ex: /);
    expect(() => generateRv32im({ forward: 'reg', mul_result: 'mem', test_break: 'shift_mul_sign' })).toThrow(/^test_break=shift_mul_sign is not accepted without shift=mul: /);
    // ... and its parameters generate it again (shift=mul stands in them, shift_result does not)
    const shm = generateRv32im({ forward: 'reg', mul_result: 'mem', shift: 'mul' });
    expect(shm.manifest.params).toMatchObject({ shift: 'mul' });
    expect(shm.manifest.params).not.toHaveProperty('shift_result');
    expect(generateRv32im(shm.manifest.params as RawParams).modules).toEqual(shm.modules);
  });
});

describe('rv32im: lint and yosys check of every configuration', () => {
  // (and the forward=reg planted bug beside a product forwarded late, linted only)
  for (const params of [...CONFIGS, BROKEN, MC_BROKEN_PERF, { ...P5_REG_MULEX, test_break: 'forward' }]) {
    const d = generateRv32im(params);
    it(`${d.top}`, async () => {
      await lintVerilog(d.top, verilogSources(d));
      await checkVerilog(d.top, verilogSources(d));
    });
  }
});

describe('rv32im: RTL trace equals the model trace, row by row', () => {
  let programs: { name: string; image: Uint8Array; entry: number }[] = [];
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'zkrtl-rv32im-test-'));
    // Build the simulators (cached) up front, one at a time: the machine has 2 cores.
    for (const params of [...CONFIGS, BROKEN, MC_BROKEN_PERF]) {
      const d = generateRv32im(params);
      await buildPipelineSim({ top: d.top, files: verilogSources(d), harnessPath: RV32IM_HARNESS_PATH });
    }
    const elfs = await buildTestPrograms();
    programs = elfs.map(({ name, elf }) => {
      const loaded = loadElf(readFileSync(elf), RAM, name);
      return { name, image: loaded.image, entry: loaded.entry };
    });
  }, 900_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('there are test programs', () => {
    expect(programs.length).toBeGreaterThan(0);
  });

  for (const [label, params] of [
    ['5-stage', P5], ['multicycle', MC], ['5-stage mul=3cycle div=2bit btb=0 redirect=mem forward=reg div_result=mem decode=if div_reuse=on div_fold=off mul_result=mem shift=mul', P5_SLOW_MUL],
    ['5-stage mul=2cycle div=1bit div_early=off btb=64 ras=4 regfile=async redirect=mem div_result=mem', P5_DIV1],
    ['multicycle mul=2cycle div=2bit div_early=on regfile=async', MC_MUL2],
    ['multicycle div=2bit div_early=on (mul=serial, shift=barrel)', MC_DIV2S],
    ['5-stage redirect=mem forward=reg decode=if div_result=mem div=2bit (mul_result=ex)', P5_REG_MULEX],
    ['5-stage forward=reg shift_result=mem div=1bit div_fold=off div_reuse=on', P5_REG_REX],
  ] as const) {
    // The variants with the async register file also run random programs with wait states below.
    // (the variants with the async register file run without wait states, the serial multiply
    // beside early out only with them: the test budget)
    for (const waits of params.regfile === 'async' || params === P5_REG_MULEX || params === P5_REG_REX ? [undefined] : params === MC_DIV2S ? [WAITS] : [undefined, WAITS]) {
      it(`riscv/tests on the ${label} core${waits ? ' with random wait states' : ''}`, async () => {
        for (const p of programs) {
          const { rtl, model } = await compareWithModel(p.image, p.entry, runModel, {
            params, ramBytes: RAM, maxCycles: MAX_CYCLES, waitStates: waits, name: p.name, waveDir: work,
          });
          expectSameRun(rtl, model);
          expect(rtl.stop.kind).toBe('exit');
        }
      }, 300_000);
    }
  }

  const RANDOM_SEEDS = Array.from({ length: 12 }, (_, i) => 1000 + i);
  // The default cores with and without wait states; the variants with them only (the test
  // budget is tight; the variants run the riscv/tests programs without wait states above).
  // 12 programs each: every instruction of every state is now also covered by the formal
  // checks (test/formal.test.ts, zkrtl formal).
  for (const [label, params, waitOptions] of [
    ['5-stage', P5, [undefined, WAITS]], ['multicycle', MC, [undefined, WAITS]],
    ['5-stage btb=64 ras=4 regfile=async redirect=mem div_result=mem', P5_DIV1, [WAITS]], ['multicycle regfile=async', MC_MUL2, [WAITS]],
    ['5-stage mul=3cycle div=2bit btb=0 redirect=mem forward=reg div_result=mem decode=if div_reuse=on div_fold=off mul_result=mem shift=mul', P5_SLOW_MUL, [WAITS]],
    ['5-stage redirect=mem forward=reg decode=if div_result=mem div=2bit (mul_result=ex)', P5_REG_MULEX, [WAITS]],
    ['5-stage forward=reg shift_result=mem div=1bit div_fold=off div_reuse=on', P5_REG_REX, [WAITS]],
  ] as const) {
    for (const waits of waitOptions) {
      it(`${RANDOM_SEEDS.length} random programs on the ${label} core${waits ? ' with random wait states' : ''}`, async () => {
        for (const seed of RANDOM_SEEDS) {
          const prog = randomProgram(seed);
          const loaded = loadElf(prog.elf, RAM, `random-${seed}`);
          const { rtl, model } = await compareWithModel(loaded.image, loaded.entry, runModel, {
            params, ramBytes: RAM, maxCycles: MAX_CYCLES, waitStates: waits && { ...waits, seed }, name: `random-${seed}`, waveDir: work,
          });
          expectSameRun(rtl, model);
          expect(rtl.stop.kind).toBe('exit');
        }
      }, 300_000);
    }
  }

  for (const [label, params] of [['5-stage', P5], ['multicycle', MC], ['rv32i 5-stage zicntr=off', P5_I], ['rv32i multicycle', MC_I]] as const) {
    const mOn = params.m !== 'off';
    const counters = params.zicntr !== 'off';
    for (const [name, prog] of Object.entries(FAULT_PROGRAMS)) {
      if ((prog.mOnly && !mOn) || (prog.noCounters && counters)) continue;
      it(`fault program ${name} on the ${label} core gives the model's rows (stop: ${prog.cause})`, async () => {
        const { image, entry } = program(prog.words);
        for (const waits of [undefined, WAITS]) {
          const { rtl, model } = await compareWithModel(image, entry, runModel, {
            params, ramBytes: SMALL_RAM, maxCycles: 10_000, waitStates: waits, name: `fault-${name}`, waveDir: work,
          });
          expectSameRun(rtl, model);
          expect(rtl.stop.kind === 'exit' ? 'exit' : rtl.stop.cause).toBe(prog.cause);
          expect(text(rtl.stdout)).toBe('hi');
          const last = rtl.trace![rtl.trace!.length - 1]!;
          expect(last.halt).toBe(true);
          expect(last.trap).toBe(prog.cause !== 'exit');
        }
      }, 60_000);
    }
    if (!mOn) {
      it(`an M instruction on the ${label} core is an illegal instruction`, async () => {
        const { image, entry } = program(FAULT_PROGRAMS.muldiv!.words);
        const opts = { ramBytes: SMALL_RAM, maxCycles: 10_000, trace: true, segment: 0 };
        const rtl = await runOnRtl(image, entry, { ...opts, params });
        expectCyclePartition(rtl);
        const model = runModel(image, entry, opts);
        const rows = rtl.trace!;
        // Identical up to the MUL, which the model executes and this core refuses.
        expect(firstTraceDifference(rows.slice(0, -1), model.trace!.slice(0, rows.length - 1))).toBeUndefined();
        const last = rows[rows.length - 1]!;
        expect(last.insn).toBe(asm.mul(A0, T1, A1));
        expect(last.trap && last.halt).toBe(true);
        expect(rtl.stop).toMatchObject({ kind: 'fault', cause: 'illegal-instruction', pc: last.pc_rdata });
      });
    }
  }

  // The manifest's divide and multiply figures (cycles an M instruction holds EX) against the
  // core: the spacing of retirements around a DIVU with the fewest steps (1 / 2, no quotient
  // bit) and the most (0xffffffff / 1), and a MUL, with nothing else stalling.
  // (forward=reg div=1bit: the divider's shift cycle makes its first step, and EX sees done a
  // cycle after; P5_SLOW_MUL: div_fold=off at 2bit, leaving EX in the last step, a capped divide
  // in the shift cycle; P5_REG_REX: the same at 1bit, EX seeing done a cycle after.)
  for (const params of [P5, P5_SLOW_MUL, P5_DIV1, { forward: 'reg', div: '1bit' }, P5_REG_REX] as RawParams[]) {
    const label = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ') || 'default 5-stage';
    it(`the ${label} core holds EX for a divide and a multiply as many cycles as its manifest says`, async () => {
      const arch = String(generateRv32im(params).manifest.microarchitecture);
      const div = /divide (\d+)(?: to (\d+))?/.exec(arch)!;
      // (shift=mul: the shifts are multiplies, and the manifest says so)
      const shiftMul = /multiply \(and shift: SLL SRL SRA and their immediate forms are multiplies by a power of two in the DSP multiplier, shift=mul; SLL SRL SRA, whose amount is rs2's, 1 cycle more, to decode it\) holds EX/.test(arch);
      expect(shiftMul).toBe(params.shift === 'mul');
      const mul = /multiply(?: \([^)]*\))? holds EX (\d+) cycle/.exec(arch)!;
      const nop = asm.addi(0, 0, 0);
      const held = async (a: number, b: number, op: number) => {
        const words = [asm.addi(T0, 0, a), asm.addi(T1, 0, b), nop, nop, nop, op, nop, nop, nop, asm.addi(A7, 0, 93), asm.ecall()];
        const { image, entry } = program(words);
        const rtl = await runOnRtl(image, entry, { ramBytes: SMALL_RAM, maxCycles: 10_000, trace: true, segment: 0, params });
        const i = rtl.trace!.findIndex((r) => r.insn === op);
        expect(rtl.rowCycles![i + 1]! - rtl.rowCycles![i]!).toBe(1);
        return rtl.rowCycles![i]! - rtl.rowCycles![i - 1]!;
      };
      expect(await held(1, 2, asm.divu(A0, T0, T1))).toBe(Number(div[1]));
      expect(await held(-1, 1, asm.divu(A0, T0, T1))).toBe(Number(div[2] ?? div[1]));
      // (div_fold=off div_reuse=on: a count at start that lands on the cap without passing it
      // takes the short path too: 3 / 2 at 1bit, skip 31; 12 / 5 at 2bit, skip 30)
      if (params.div_fold === 'off' && params.div_reuse === 'on') {
        const [a, b] = params.div === '1bit' ? [3, 2] : [12, 5];
        expect(await held(a, b, asm.divu(A0, T0, T1))).toBe(Number(div[1]));
      }
      expect(await held(3, 5, asm.mul(A0, T0, T1))).toBe(Number(mul[1]));
      // An instruction right behind a multiply that reads its result: a cycle later with
      // mul_result=mem (the manifest says so), at once without.
      const late = /multiply(?: \([^)]*\))? holds EX \d+ cycle\(s\), its result taken in MEM(?:, its high word added there,)? \(an instruction right behind that reads it waits a cycle/.test(arch);
      expect(late).toBe(params.mul_result === 'mem');
      const behind = async (reads: boolean) => {
        const use = reads ? asm.add(A1, A0, T0) : asm.add(A1, T1, T0);
        const words = [asm.addi(T0, 0, 3), asm.addi(T1, 0, 5), nop, nop, nop, asm.mul(A0, T0, T1), use, nop, nop, nop, asm.addi(A7, 0, 93), asm.ecall()];
        const { image, entry } = program(words);
        const rtl = await runOnRtl(image, entry, { ramBytes: SMALL_RAM, maxCycles: 10_000, trace: true, segment: 0, params });
        const i = rtl.trace!.findIndex((r) => r.insn === use);
        expect(rtl.trace![i]!.rd_wdata).toBe(reads ? 18 : 8);
        return rtl.rowCycles![i]! - rtl.rowCycles![i - 1]!;
      };
      expect(await behind(true)).toBe(late ? 2 : 1);
      expect(await behind(false)).toBe(1);
      // ... and behind a shift: a cycle later with shift_result=mem, or shift=mul (a multiply's
      // result taken in MEM), as the manifest says; with shift=mul a shift holds EX as a multiply.
      const shiftLate = /load-use stall 1 cycle \(a shift's result too: taken in MEM, not forwarded from EX\)/.test(arch) || (shiftMul && late);
      expect(shiftLate).toBe(params.shift_result === 'mem' || params.shift === 'mul');
      expect(await held(3, 5, asm.srai(A0, T1, 1))).toBe(shiftMul ? Number(mul[1]) : 1);
      // (shift=mul: a register shift decodes its amount in a cycle of its own, as the manifest says)
      expect(await held(3, 5, asm.sll(A0, T1, T0))).toBe(shiftMul ? Number(mul[1]) + 1 : 1);
      expect(await held(-8, 33, asm.sra(A0, T0, T1))).toBe(shiftMul ? Number(mul[1]) + 1 : 1);
      const afterShift = async (shift: number, reads: boolean, want: number) => {
        const use = reads ? asm.add(A1, A0, T0) : asm.add(A1, T1, T0);
        const words = [asm.addi(T0, 0, 3), asm.addi(T1, 0, 5), nop, nop, nop, shift, use, nop, nop, nop, asm.addi(A7, 0, 93), asm.ecall()];
        const { image, entry } = program(words);
        const rtl = await runOnRtl(image, entry, { ramBytes: SMALL_RAM, maxCycles: 10_000, trace: true, segment: 0, params });
        const i = rtl.trace!.findIndex((r) => r.insn === use);
        expect(rtl.trace![i]!.rd_wdata).toBe(want);
        return rtl.rowCycles![i]! - rtl.rowCycles![i - 1]!;
      };
      // (SLL and SRAI: both shifters' outputs, the left one through the reversal)
      expect(await afterShift(asm.sll(A0, T1, T0), true, (5 << 3) + 3)).toBe(shiftLate ? 2 : 1);
      expect(await afterShift(asm.srai(A0, T1, 1), true, 2 + 3)).toBe(shiftLate ? 2 : 1);
      expect(await afterShift(asm.sll(A0, T1, T0), false, 8)).toBe(1);
    });
  }

  // div_reuse: a divide of the last finished divide's operand values and signedness (in any
  // registers) takes its result from the divider, in the manifest's cycles; a divide of other
  // values, or of the same values with the other signedness, divides again. The rows are the
  // model's; with test_break=div_reuse_sign (the signedness not compared) they are not.
  it('div_reuse: the other result of the same division in the manifest\'s cycles, every row the model\'s; a planted bug is caught', async () => {
    const arch = String(generateRv32im(P5_SLOW_MUL).manifest.microarchitecture);
    const reuseHold = Number(/takes its result from the divider's registers, (\d+) cycles in EX/.exec(arch)![1]);
    const [S2, S3, T2, A3, A4, A5, A6] = [18, 19, 7, 13, 14, 15, 16];
    const nop = asm.addi(0, 0, 0);
    // Each divide between nops, so the spacing of its row from the one before is its time in EX.
    const divides = [
      ['divu', asm.divu(A0, T0, T2), 'divides'],   // 0x80000001 / 3: 31 quotient bits
      ['remu', asm.remu(A1, T0, T2), 'reused'],    // the same division's remainder
      ['div', asm.div(A2, T0, T2), 'divides'],     // the same values, signed: another quotient
      ['rem', asm.rem(A3, T0, T2), 'reused'],
      ['divu t1', asm.divu(A4, T0, T1), 'divides'],   // another divisor (1)
      ['remu s2', asm.remu(A5, S2, T1), 'reused'],    // a copy of t0 in s2: the values count, not the registers
      ['divu 1/3', asm.divu(S3, T1, T2), 'short'],    // other operands in between (no quotient bit) ...
      ['rem again', asm.rem(A6, T0, T2), 'divides'],  // ... so this one divides again
    ] as const;
    const words = [asm.lui(T0, 0x80000), asm.addi(T0, T0, 1), asm.addi(T1, 0, 1), asm.addi(T2, 0, 3), asm.addi(S2, T0, 0), nop, nop, nop];
    for (const [, op] of divides) words.push(op, nop, nop, nop);
    words.push(asm.add(A0, A0, A1), asm.add(A0, A0, A2), asm.add(A0, A0, A3), asm.add(A0, A0, A4), asm.add(A0, A0, A5), asm.add(A0, A0, A6), asm.add(A0, A0, S3), asm.addi(A7, 0, 93), asm.ecall());
    const { image, entry } = program(words);
    const { rtl, model } = await compareWithModel(image, entry, runModel, { params: P5_SLOW_MUL, ramBytes: SMALL_RAM, maxCycles: 10_000, name: 'div-reuse', waveDir: work });
    expectSameRun(rtl, model);
    for (const [name, op, kind] of divides) {
      const i = rtl.trace!.findIndex((r) => r.insn === op);
      const held = rtl.rowCycles![i]! - rtl.rowCycles![i - 1]!;
      if (kind === 'reused') expect(held, name).toBe(reuseHold);
      if (kind === 'divides') expect(held, name).toBeGreaterThan(reuseHold + 4);
    }
    const broken = { ...P5_SLOW_MUL, test_break: 'div_reuse_sign' };
    const d = generateRv32im(broken);
    await buildPipelineSim({ top: d.top, files: verilogSources(d), harnessPath: RV32IM_HARNESS_PATH });
    await expect(compareWithModel(image, entry, runModel, { params: broken, ramBytes: SMALL_RAM, maxCycles: 10_000, name: 'div-reuse-broken', waveDir: work })).rejects.toThrow(SimMismatchError);
  }, 600_000);

  // The block-RAM BTB of redirect=mem keeps partial tags (rv32im.ts BTB_SYNC_TAG_BITS): code
  // 2^(index + tag + 2 bits) apart aliases. The near loop's JAL to the far block fills an entry
  // (its BNE's entry is removed again by the BNE's last, not-taken turn); the far block runs a
  // plain instruction at the JAL's alias, which the BTB predicts taken, from the second visit
  // on (on the first, the JAL's write lands at the edge that reads the entry: no bypass). The
  // rows must still be the model's, and those three alias hits must cost three bubbles each,
  // against the same program with the far block moved off the alias by 256 bytes.
  it('a BTB tag alias (block-RAM BTB, partial tags) costs mispredictions, never a wrong row', async () => {
    const cfg = generateRv32im(P5_DIV1);
    expect(String(cfg.manifest.microarchitecture)).toMatch(/6-bit partial tags/);
    // rst clears it one entry per cycle, and one more: the manifest asks for 65 cycles, and the harness holds them.
    expect(String(cfg.manifest.reset)).toMatch(/at least 65 cycles/);
    expect(Number(/kResetCycles = (\d+)/.exec(readFileSync(RV32IM_HARNESS_PATH, 'utf8'))![1])).toBeGreaterThanOrEqual(65);
    const aliasBytes = 2 ** (Math.log2(Number(P5_DIV1.btb)) + BTB_SYNC_TAG_BITS + 2);
    const S1 = 9;
    const run = async (far: number) => {
      const near = [
        asm.addi(S1, 0, 4),                        // 0x100: four visits of the far block
        asm.addi(T0, 0, 3),                        // 0x104: OUTER
        asm.addi(T0, T0, -1),                      // 0x108: INNER
        asm.bne(T0, 0, -4),                        // 0x10c: taken twice a visit
        asm.jal(0, far + 0x108 - 0x110),           // 0x110: to the far block
      ];
      const farWords = [
        asm.addi(A0, A0, 1),                       // far + 0x108
        asm.addi(A0, A0, 2),                       // far + 0x10c: the BNE's alias (entry removed)
        asm.addi(S1, S1, -1),                      // far + 0x110: the JAL's alias
        asm.beq(S1, 0, 8),                         // far + 0x114
        asm.jal(0, 0x104 - (far + 0x118)),         // far + 0x118: back to OUTER
        asm.addi(A7, 0, 93), asm.ecall(),          // far + 0x11c: exit(12)
      ];
      const image = new Uint8Array(far + 0x108 + 4 * farWords.length);
      const dv = new DataView(image.buffer);
      near.forEach((w, i) => dv.setUint32(0x100 + 4 * i, w, true));
      farWords.forEach((w, i) => dv.setUint32(far + 0x108 + 4 * i, w, true));
      const { rtl, model } = await compareWithModel(image, 0x100, runModel, {
        params: P5_DIV1, ramBytes: SMALL_RAM, maxCycles: 10_000, name: `btb-alias-${far}`, waveDir: work,
      });
      expectSameRun(rtl, model);
      expect(rtl.stop).toEqual({ kind: 'exit', code: 12 });
      return rtl.stats.stalls.mispredict!;
    };
    const [aliased, apart] = [await run(aliasBytes), await run(aliasBytes + 0x100)];
    expect(aliased).toBeGreaterThan(apart);
    expect(aliased - apart).toBe(3 * 3);
  });

  // Counter reads in every hazard: right after a store, a load, a multiply and a divide, back to
  // back, used at once (forwarding), and the high halves.
  const COUNTERS = program([
    asm.csrrs(A0, CYCLE), asm.csrrs(A1, INSTRET), asm.sw(A0, 0, 0x80), asm.csrrs(A2, CYCLE), asm.lw(T0, 0, 0x80),
    asm.csrrci(T1, INSTRET), asm.add(T1, T1, T0), asm.mul(T0, T1, T1), asm.csrrs(A2, TIME), asm.div(T0, A2, A1),
    asm.csrrs(A2, INSTRET), asm.sub(A2, A2, A1), asm.csrrs(T0, CYCLEH), asm.csrrs(T1, INSTRETH), asm.add(T0, T0, T1),
    asm.csrrs(A1, CYCLE), asm.csrrs(A2, CYCLE), asm.sub(A0, A2, A1), asm.addi(A7, 0, 93), asm.ecall(),
  ]);
  for (const [label, params] of [['multicycle', MC], ['5-stage mul=3cycle div=2bit btb=0 redirect=mem forward=reg div_result=mem decode=if div_reuse=on div_fold=off mul_result=mem shift=mul', P5_SLOW_MUL], ['5-stage div=1bit redirect=mem div_result=mem', P5_DIV1], ['multicycle div=2bit', MC_MUL2]] as const) {
    it(`counter reads on the ${label} core: cycle is the row's retirement cycle, instret its order, as the model has them`, async () => {
      for (const waits of [undefined, WAITS]) {
        const { rtl, model } = await compareWithModel(COUNTERS.image, COUNTERS.entry, runModel, {
          params, ramBytes: SMALL_RAM, maxCycles: 10_000, waitStates: waits, name: 'counters', waveDir: work,
        });
        expectSameRun(rtl, model);
        // Independently of the model: each read against the harness's own cycle and row count.
        const rows = rtl.trace!;
        const reads = rows.map((r, i) => ({ r, i, csr: (r.insn & 0x7f) === 0x73 && r.insn >>> 20 })).filter((x) => x.csr);
        expect(reads.length).toBe(10);
        for (const { r, i, csr } of reads) {
          const want = csr === CYCLE || csr === TIME ? rtl.rowCycles![i]! : csr === INSTRET ? r.order : 0;
          expect(r.rd_wdata, `row ${i} csr ${csr}`).toBe(want);
        }
        // The last two reads, back to back without wait states: 1 cycle apart on the 5-stage
        // core, 3 on the multicycle one (FETCH, OPER, EXEC; the exit code is their difference).
        expect(rtl.stop.kind).toBe('exit');
        if (!waits) expect(rtl.stop).toEqual({ kind: 'exit', code: params.pipeline === 'multicycle' ? 3 : 1 });
        // The 5-stage core's four instret reads each wait two bubbles in ID, for the instruction
        // ahead to leave EX and then MEM (counter-wait); the cycle reads none.
        if (params.pipeline !== 'multicycle' && !waits) expect(rtl.stats.stalls['counter-wait']).toBe(8);
      }
    }, 120_000);
  }

  it('the comparison catches a planted forwarding bug, and names row, field, cycle and waveform', async () => {
    const { image, entry } = program([
      asm.addi(T0, 0, 5), asm.addi(T1, 0, 7), asm.add(A0, T1, T0), asm.add(A0, A0, T0), asm.add(A1, T0, A0), ...exitWith(0),
    ]);
    const opts = { params: P5, ramBytes: SMALL_RAM, maxCycles: 10_000, name: 'mutant', waveDir: work };
    await compareWithModel(image, entry, runModel, opts); // the good core passes
    const err = await compareWithModel(image, entry, runModel, { ...opts, params: BROKEN }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SimMismatchError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/differ at row 4, field rs2_rdata \(RTL cycle \d+\)/);
    expect(msg).toMatch(/waveform/);
    const wave = (err as SimMismatchError).waveformPath!;
    expect(readFileSync(wave, 'utf8')).toMatch(/\$enddefinitions/);
  }, 120_000);

  it('the cycle accounting catches a planted overlap of a stall cause with retirement, on both cores', async () => {
    // write(1, buf, 0), then a multiply and two divides, then exit: 2 ECALLs, 3 M instructions
    // (no operand forwarded MEM -> EX as rs2, which BROKEN also lacks).
    const { image, entry } = program([
      asm.addi(A0, 0, 1), asm.addi(A1, 0, 0x80), asm.addi(A2, 0, 0), asm.addi(A7, 0, 64), asm.ecall(),
      asm.addi(T0, 0, 77), asm.addi(T1, 0, -5), asm.addi(0, 0, 0), asm.mul(A1, T0, T1), asm.div(A2, A1, T0), asm.div(A2, T0, 0), ...exitWith(3),
    ]);
    const opts = { ramBytes: SMALL_RAM, maxCycles: 10_000, trace: false, segment: 0 };
    for (const [good, broken, overlaps] of [[P5, BROKEN, 2], [MC, MC_BROKEN_PERF, 3]] as const) {
      const ok = await runOnRtl(image, entry, { ...opts, params: good });
      expectCyclePartition(ok);
      const bad = await runOnRtl(image, entry, { ...opts, params: broken });
      expect(bad.stop).toEqual(ok.stop);
      expect(bad.stats.instret).toBe(ok.stats.instret);
      // Each overlapping cycle is counted twice: once in instret, once as a stall.
      expect(bad.stats.instret + sum(bad.stats.stalls) - bad.stats.cycles).toBe(overlaps);
      expect(cycleAccountingError(bad)).toMatch(new RegExp(`^cycle accounting broken: .*; ${overlaps} cycle\\(s\\) where perf_stall = 0 and rvfi_valid disagree \\(first: cycle \\d+\\)`));
    }
  }, 60_000);

  it('a trace field mis-wired inside the generated core is caught, by row and field', async () => {
    // The multicycle core's trace port drives rs2_rdata from the rs1 register: a bug in the RTL
    // text, not in the rows after simulation.
    const d = generateRv32im(MC);
    const files = verilogSources(d);
    const good = files[`${d.top}.v`]!;
    const broken = good.replace(/assign rvfi_rs2_rdata\s*=\s*t_rs2_rdata;/, 'assign rvfi_rs2_rdata = t_rs1_rdata;');
    expect(broken).not.toBe(good);
    const { image, entry } = program([asm.addi(T0, 0, 5), asm.addi(T1, 0, 7), asm.add(A0, T1, T0), ...exitWith(0)]);
    const opts = { params: MC, ramBytes: SMALL_RAM, maxCycles: 10_000, name: 'miswired', waveDir: work };
    await compareWithModel(image, entry, runModel, opts);
    const err = await compareWithModel(image, entry, runModel, { ...opts, files: { ...files, [`${d.top}.v`]: broken } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SimMismatchError);
    // Row 0 (addi t0, x0, 5) reads x0 twice; row 2 (add a0, t1, t0) is the first with rs1 ≠ rs2.
    expect((err as Error).message).toMatch(/differ at row 2, field rs2_rdata/);
  }, 120_000);

  it('the trace comparison names the first differing row and field (the comparison function itself)', async () => {
    const { image, entry } = program(FAULT_PROGRAMS.exit!.words);
    const opts = { ramBytes: SMALL_RAM, maxCycles: 10_000, trace: true, segment: 0 };
    const rtl = await runOnRtl(image, entry, { ...opts, params: P5 });
    expectCyclePartition(rtl);
    const model = runModel(image, entry, opts);
    expect(firstTraceDifference(rtl.trace!, model.trace!)).toBeUndefined();
    for (const field of ['rd_wdata', 'mem_wmask', 'pc_wdata'] as const) {
      const bad = rtl.trace!.map((r) => ({ ...r }));
      bad[12]![field] = (bad[12]![field] as number) ^ 1;
      expect(firstTraceDifference(bad, model.trace!)).toMatchObject({ row: 12, field });
    }
    expect(firstTraceDifference(rtl.trace!.slice(0, -1), model.trace!)).toMatchObject({ field: 'length' });
  });

  it('segments cut from the RTL trace equal the model segments', async () => {
    const p = programs.find((x) => x.name === 'sort') ?? programs[0]!;
    const opts = { ramBytes: RAM, maxCycles: MAX_CYCLES, trace: false, segment: 20_000 };
    const rtl = await runOnRtl(p.image, p.entry, { ...opts, params: P5, waitStates: WAITS });
    expectCyclePartition(rtl);
    const model = runModel(p.image, p.entry, opts);
    expect(rtl.segments!.length).toBeGreaterThan(1);
    expect(rtl.segments).toEqual(model.segments);
    expect(rtl.trace).toBeUndefined();
  }, 120_000);

  it('runs past --max-cycles stop with max-cycles', async () => {
    const { image, entry } = program([asm.addi(T0, T0, 1), asm.jalr(0, 0, 0x100)]);
    for (const params of [P5, MC]) {
      const r = await runOnRtl(image, entry, { ramBytes: SMALL_RAM, maxCycles: 500, trace: false, segment: 0, params });
      expect(r.stop).toMatchObject({ kind: 'fault', cause: 'max-cycles' });
      expect(r.stats.cycles).toBe(500);
      expectCyclePartition(r);
    }
  });

  it('a C program times a loop with the counters of riscv/zkrtl.h: model and RTL agree, and the RTL counts its stalls', async () => {
    const src = join(work, 'timed.c');
    await writeFile(
      src,
      '#include "zkrtl.h"\nvolatile u32 v[64];\nint main(void) { u64 c0 = read_cycle64(), i0 = read_instret64(); u32 s = 1;\n' +
        'for (u32 i = 0; i < 64; i++) { v[i] = s; s = s * 3 + v[i / 2] / (i + 1); }\n' +
        'u32 c = (u32)(read_cycle64() - c0), n = (u32)(read_instret64() - i0);\n' +
        'print_udec(c); print_char(\' \'); print_udec(n); print_char(\'\\n\'); return s & 0x7f; }\n',
    );
    const elf = await compileProgram([src], join(work, 'timed.elf'));
    const loaded = loadElf(readFileSync(elf), RAM, 'timed');
    for (const params of [P5_SLOW_MUL, MC]) {
      const { rtl, model } = await compareWithModel(loaded.image, loaded.entry, runModel, {
        params, ramBytes: RAM, maxCycles: MAX_CYCLES, waitStates: WAITS, name: 'timed', waveDir: work,
      });
      expectSameRun(rtl, model);
      // The loop's cycles exceed its instructions on the RTL (divides, wait states). The model
      // alone counts one cycle per instruction: the same instructions, and cycles within the
      // few instructions the two measurements are apart.
      const [cycles, insns] = text(rtl.stdout).trim().split(' ').map(Number);
      expect(insns).toBeGreaterThan(64 * 5);
      expect(cycles).toBeGreaterThan(insns! + 64);
      const m = runModel(loaded.image, loaded.entry, { ramBytes: RAM, maxCycles: MAX_CYCLES, trace: false, segment: 0 });
      const [mc, mi] = text(m.stdout).trim().split(' ').map(Number);
      expect(mi).toBe(insns);
      expect(Math.abs(mc! - mi!)).toBeLessThanOrEqual(4);
    }
    // Segments cut from the RTL run keep the cycles their counter reads returned, so each one
    // replays alone on the model; without them the model's clock (its instret) differs.
    const seg = await runOnRtl(loaded.image, loaded.entry, { params: MC, ramBytes: RAM, maxCycles: MAX_CYCLES, trace: true, segment: 40, waitStates: WAITS });
    const segments = seg.segments!;
    expect(segments.filter((s) => s.counterCycles).length).toBeGreaterThanOrEqual(1);
    expect(verifySegments(loaded.image, loaded.entry, RAM, seg.trace!, segments)).toEqual([]);
    const bare = segments.map(({ counterCycles: _, ...s }) => s);
    expect(verifySegments(loaded.image, loaded.entry, RAM, seg.trace!, bare).join('\n')).toMatch(/differs in rd_wdata/);
  }, 120_000);

  it('a C program on the rv32i cores (compiled for rv32i) matches the model', async () => {
    const src = join(work, 'sum_rv32i.c');
    await writeFile(
      src,
      '#include "zkrtl.h"\nvolatile u32 v[32];\nint main(void) { u32 s = 7; for (u32 i = 0; i < 32; i++) v[i] = s = s * 5 + i; ' +
        'for (u32 i = 0; i < 32; i++) s ^= v[i] >> (i & 7); sys_write(1, "rv32i\\n", 6); return s & 0x7f; }\n',
    );
    const elf = await compileProgram([src], join(work, 'sum_rv32i.elf'), { flags: ['-march=rv32i'] });
    const loaded = loadElf(readFileSync(elf), RAM, 'sum_rv32i');
    for (const params of [P5_I, MC_I]) {
      const { rtl, model } = await compareWithModel(loaded.image, loaded.entry, runModel, {
        params, ramBytes: RAM, maxCycles: MAX_CYCLES, waitStates: WAITS, name: 'sum_rv32i', waveDir: work,
      });
      expectSameRun(rtl, model);
      expect(text(rtl.stdout)).toBe('rv32i\n');
    }
  }, 120_000);
});
