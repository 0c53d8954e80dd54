// The rv32im golden model against references nobody here wrote the model from: BigInt
// arithmetic for every ALU and M operation, hand-checked trace rows (memory lanes, x0, ecalls,
// every fault), ELF rejections, segment replay, and the random program generator.
// (Differential tests against qemu-riscv32 are in rv32im-qemu.test.ts.)
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/errors.ts';
import { decode, memoryHash, runModel, Rv32imMachine } from '../src/model/rv32im.ts';
import { loadElf } from '../src/riscv/elf.ts';
import type { RunOptions } from '../src/riscv/machine.ts';
import { buildElf, enc, formatFinalState, li, parseFinalState, randomProgram, RANDOM_DATA_BASE } from '../src/riscv/random-program.ts';
import { replaySegment, segmentsFromTrace, verifySegments } from '../src/riscv/segments.ts';
import type { TraceRow } from '../src/riscv/trace.ts';

const RAM = 64 * 1024;
const CODE = 0x1000;
const DATA = 0x8000;

/** Runs `words` placed at CODE (with `data` words at DATA) on a 64 KiB machine, with trace. */
function run(words: number[], opts: { data?: number[]; maxCycles?: number; zicntr?: boolean; cycleOfRow?: (order: number) => number } = {}) {
  const image = new Uint8Array(RAM);
  const dv = new DataView(image.buffer);
  words.forEach((w, i) => dv.setUint32(CODE + 4 * i, w >>> 0, true));
  (opts.data ?? []).forEach((w, i) => dv.setUint32(DATA + 4 * i, w >>> 0, true));
  const r = runModel(image, CODE, { ramBytes: RAM, maxCycles: opts.maxCycles ?? 100_000, trace: true, segment: 0, zicntr: opts.zicntr, cycleOfRow: opts.cycleOfRow });
  return { ...r, rows: r.trace!, last: r.trace![r.trace!.length - 1]! };
}

const EXIT = [enc.addi(17, 0, 93), enc.ecall()];
/** x1 = a, x2 = b, op x3 = x1 op x2, exit; returns x3 from the row. */
function binop(op: (rd: number, rs1: number, rs2: number) => number, a: number, b: number): number {
  const r = run([...li(1, a), ...li(2, b), op(3, 1, 2), ...EXIT]);
  return r.rows[4]!.rd_wdata;
}

const M32 = (1n << 32n) - 1n;
const s32 = (v: number) => BigInt(v | 0);
const u32 = (v: number) => BigInt(v >>> 0);
const toU = (v: bigint) => Number(v & M32);

const EDGES = [0, 1, 2, 3, 7, -1, -2, -7, 0x7fffffff, -0x80000000, -0x7fffffff, 0xffff, 0x10000, 0x12345678, 0x9abcdef0 | 0, 31, 32];

describe('rv32im model: arithmetic against BigInt', () => {
  const refs: Record<string, (a: number, b: number) => number> = {
    add: (a, b) => toU(s32(a) + s32(b)),
    sub: (a, b) => toU(s32(a) - s32(b)),
    sll: (a, b) => toU(u32(a) << BigInt(b & 31)),
    srl: (a, b) => toU(u32(a) >> BigInt(b & 31)),
    sra: (a, b) => toU(s32(a) >> BigInt(b & 31)),
    slt: (a, b) => (s32(a) < s32(b) ? 1 : 0),
    sltu: (a, b) => (u32(a) < u32(b) ? 1 : 0),
    xor: (a, b) => toU(u32(a) ^ u32(b)),
    or: (a, b) => toU(u32(a) | u32(b)),
    and: (a, b) => toU(u32(a) & u32(b)),
    mul: (a, b) => toU(s32(a) * s32(b)),
    mulh: (a, b) => toU((s32(a) * s32(b)) >> 32n),
    mulhsu: (a, b) => toU((s32(a) * u32(b)) >> 32n),
    mulhu: (a, b) => toU((u32(a) * u32(b)) >> 32n),
    div: (a, b) => (b === 0 ? 0xffffffff : (a | 0) === -0x80000000 && (b | 0) === -1 ? 0x80000000 : toU(s32(a) / s32(b))),
    divu: (a, b) => (b === 0 ? 0xffffffff : toU(u32(a) / u32(b))),
    rem: (a, b) => (b === 0 ? a >>> 0 : (a | 0) === -0x80000000 && (b | 0) === -1 ? 0 : toU(s32(a) % s32(b))),
    remu: (a, b) => (b === 0 ? a >>> 0 : toU(u32(a) % u32(b))),
  };

  for (const [name, ref] of Object.entries(refs)) {
    it(`${name} on edge and random operands`, () => {
      // One program per operation: many (a, b) pairs, results stored nowhere but read from the rows.
      let x = 0x2545f491;
      const rnd = () => (x = (Math.imul(x ^ (x >>> 13), 0x5bd1e995) + 0x6b43a9b5) | 0);
      const pairs: [number, number][] = [];
      for (const a of EDGES) for (const b of EDGES) pairs.push([a, b]);
      for (let i = 0; i < 200; i++) pairs.push([rnd(), rnd() >> (i % 32)]);
      const op = (enc as unknown as Record<string, (rd: number, rs1: number, rs2: number) => number>)[name]!;
      const words: number[] = [];
      for (const [a, b] of pairs) words.push(...li(1, a), ...li(2, b), op(3, 1, 2));
      const r = run([...words, ...EXIT], { maxCycles: 1e6 });
      pairs.forEach(([a, b], i) => {
        const row = r.rows[5 * i + 4]!;
        expect(decode(row.insn).name).toBe(name);
        expect({ a, b, got: row.rd_wdata }).toEqual({ a, b, got: ref(a, b) });
        expect([row.rs1_addr, row.rs1_rdata, row.rs2_addr, row.rs2_rdata]).toEqual([1, a >>> 0, 2, b >>> 0]);
      });
    });
  }

  it('immediate forms and shifts by 0, 1 and 31', () => {
    const a = 0x80000001 | 0;
    const cases: [number, number][] = [
      [enc.addi(3, 1, -1), 0x80000000], [enc.addi(3, 1, 2047), 0x80000800], [enc.slti(3, 1, 0), 1], [enc.sltiu(3, 1, -1), 1],
      [enc.xori(3, 1, -1), 0x7ffffffe], [enc.ori(3, 1, 0x7f0), 0x800007f1], [enc.andi(3, 1, -2048), 0x80000000],
      [enc.slli(3, 1, 0), 0x80000001], [enc.slli(3, 1, 1), 2], [enc.slli(3, 1, 31), 0x80000000],
      [enc.srli(3, 1, 0), 0x80000001], [enc.srli(3, 1, 31), 1], [enc.srai(3, 1, 1), 0xc0000000], [enc.srai(3, 1, 31), 0xffffffff],
    ];
    for (const [insn, want] of cases) {
      const r = run([...li(1, a), insn, ...EXIT]);
      expect({ insn: decode(insn).name, got: r.rows[2]!.rd_wdata }).toEqual({ insn: decode(insn).name, got: want });
    }
    expect(binop(enc.sll, 3, 32)).toBe(3); // shift amount is rs2 & 31
  });

  it('LUI, AUIPC, JAL and JALR link values and targets', () => {
    const r = run([enc.lui(5, 0xfffff), enc.auipc(6, 0x1), enc.jal(7, 8), enc.addi(0, 0, 0), ...li(8, CODE + 0x1e), enc.jalr(9, 8, 3), enc.addi(10, 0, 1), enc.addi(10, 0, 2), ...EXIT]);
    expect(r.rows[0]!.rd_wdata).toBe(0xfffff000);
    expect(r.rows[1]!.rd_wdata).toBe(CODE + 4 + 0x1000);
    expect([r.rows[2]!.rd_wdata, r.rows[2]!.pc_wdata]).toEqual([CODE + 12, CODE + 16]);
    // jalr x9, 3(x8): target (CODE + 0x21) & ~1 = CODE + 0x20 (the second addi x10)
    const j = r.rows[5]!;
    expect([j.rs1_addr, j.rs1_rdata, j.rd_addr, j.rd_wdata, j.pc_wdata]).toEqual([8, CODE + 0x1e, 9, CODE + 0x1c, CODE + 0x20]);
    expect(r.rows[6]!.rd_wdata).toBe(2);
  });

  it('branches taken and not taken, signed and unsigned', () => {
    const br = (op: (a: number, b: number, off: number) => number, a: number, b: number) => {
      const r = run([...li(1, a), ...li(2, b), op(1, 2, 8), enc.addi(0, 0, 0), ...EXIT]);
      return r.rows[4]!.pc_wdata === CODE + 16 + 8 - 0 ? 'taken' : r.rows[4]!.pc_wdata === CODE + 20 ? 'not' : 'bad';
    };
    expect(br(enc.beq, 5, 5)).toBe('taken');
    expect(br(enc.beq, 5, 6)).toBe('not');
    expect(br(enc.bne, 5, 6)).toBe('taken');
    expect(br(enc.blt, -1, 0)).toBe('taken');
    expect(br(enc.bltu, -1, 0)).toBe('not');
    expect(br(enc.bge, -0x80000000, 0x7fffffff)).toBe('not');
    expect(br(enc.bgeu, -0x80000000, 0x7fffffff)).toBe('taken');
    expect(br(enc.bge, 3, 3)).toBe('taken');
  });
});

describe('rv32im model: trace row conventions', () => {
  it('loads: aligned word address, byte lanes, whole word read, sign/zero extension', () => {
    const r = run([...li(1, DATA), enc.lb(2, 1, 3), enc.lbu(3, 1, 3), enc.lh(4, 1, 2), enc.lhu(5, 1, 2), enc.lw(6, 1, 4), ...EXIT], { data: [0x8081827f, 0x11223344] });
    const rows = r.rows.slice(2, 7);
    expect(rows.map((x) => [x.mem_addr, x.mem_rmask, x.mem_rdata, x.rd_wdata, x.mem_wmask])).toEqual([
      [DATA, 0b1000, 0x8081827f, 0xffffff80, 0],
      [DATA, 0b1000, 0x8081827f, 0x80, 0],
      [DATA, 0b1100, 0x8081827f, 0xffff8081, 0],
      [DATA, 0b1100, 0x8081827f, 0x8081, 0],
      [DATA + 4, 0b1111, 0x11223344, 0x11223344, 0],
    ]);
  });

  it('stores: bytes in their lanes, 0 elsewhere; memory updated', () => {
    const r = run([...li(1, DATA), ...li(2, 0xa1b2c3d4), enc.sb(2, 1, 1), enc.sh(2, 1, 6), enc.sw(2, 1, 8), enc.lw(3, 1, 0), enc.lw(4, 1, 4), ...EXIT], { data: [0x11223344, 0x55667788] });
    const rows = r.rows.slice(4, 9);
    expect(rows.slice(0, 3).map((x) => [x.mem_addr, x.mem_wmask, x.mem_wdata, x.mem_rmask, x.rd_addr])).toEqual([
      [DATA, 0b0010, 0x0000d400, 0, 0],
      [DATA + 4, 0b1100, 0xc3d40000, 0, 0],
      [DATA + 8, 0b1111, 0xa1b2c3d4, 0, 0],
    ]);
    expect(rows[3]!.rd_wdata).toBe(0x1122d444);
    expect(rows[4]!.rd_wdata).toBe(0xc3d47788);
  });

  it('writes to x0 are discarded and reported as rd_addr 0', () => {
    const r = run([enc.addi(0, 0, 5), enc.lui(0, 0x12345), enc.jal(0, 4), enc.add(1, 0, 0), ...EXIT]);
    for (const row of r.rows.slice(0, 3)) expect([row.rd_addr, row.rd_wdata]).toEqual([0, 0]);
    expect([r.rows[3]!.rs1_addr, r.rows[3]!.rd_addr, r.rows[3]!.rd_wdata]).toEqual([0, 1, 0]);
  });

  it('ECALL write returns len in a0 (rd 10); exit halts with a0 & 0xff', () => {
    const r = run([...li(11, DATA), enc.addi(10, 0, 2), enc.addi(12, 0, 3), enc.addi(17, 0, 64), enc.ecall(), ...li(10, 0x1234), ...EXIT], { data: [0x0a434241] });
    expect(Buffer.from(r.stderr).toString()).toBe('ABC');
    expect(r.stdout.length).toBe(0);
    const w = r.rows[5]!;
    expect([w.insn, w.rd_addr, w.rd_wdata, w.rs1_addr, w.rs2_addr, w.trap, w.halt, w.mem_addr]).toEqual([0x73, 10, 3, 0, 0, false, false, 0]);
    expect(r.stop).toEqual({ kind: 'exit', code: 0x34 });
    expect([r.last.halt, r.last.trap, r.last.rd_addr, r.last.pc_wdata]).toEqual([true, false, 0, r.last.pc_rdata + 4]);
    const r94 = run([enc.addi(10, 0, 7), enc.addi(17, 0, 94), enc.ecall()]);
    expect(r94.stop).toEqual({ kind: 'exit', code: 7 });
  });

  it('FENCE and FENCE.I are no-ops that read no register', () => {
    const r = run([enc.fence(), enc.fence_i(), 0x8330000f /* fence with odd fields */, ...EXIT]);
    for (const row of r.rows.slice(0, 3)) expect([row.trap, row.rs1_addr, row.rd_addr]).toEqual([false, 0, 0]);
  });

  it('counter reads: instret is the row order, cycle the given retirement cycle (else the order), high halves above 2^32', () => {
    const csr = (c: number, f3: number, rd: number) => ((c << 20) | (f3 << 12) | (rd << 7) | 0x73) >>> 0;
    const words = [enc.addi(5, 0, 1), csr(0xc02, 2, 10), csr(0xc00, 3, 11), csr(0xc01, 6, 12), csr(0xc80, 7, 13), csr(0xc82, 2, 14), csr(0xc81, 2, 0), ...EXIT];
    const plain = run(words);
    expect(plain.rows.slice(1, 7).map((x) => [x.rd_addr, x.rd_wdata, x.rs1_addr, x.trap])).toEqual([[10, 1, 0, false], [11, 2, 0, false], [12, 3, 0, false], [13, 0, 0, false], [14, 0, 0, false], [0, 0, 0, false]]);
    // A clock of its own: row k retires in cycle 2^32 + 7·k.
    const timed = run(words, { cycleOfRow: (k) => 2 ** 32 + 7 * k });
    expect(timed.rows.slice(1, 6).map((x) => x.rd_wdata)).toEqual([1, 14, 21, 1, 0]);
    // zicntr=off: the first counter read is an illegal instruction.
    const off = run(words, { zicntr: false });
    expect(off.stop).toMatchObject({ kind: 'fault', cause: 'illegal-instruction', insn: words[1] });
  });

  it('a store over an instruction is seen when it is fetched (decode cache)', () => {
    // The loop rewrites its own addi x5, x5, 1 into addi x5, x5, 100 after the first pass.
    const words = [...li(6, enc.addi(5, 5, 100)), ...li(7, CODE + 4 * 5), enc.addi(8, 0, 2), enc.addi(5, 5, 1), enc.sw(6, 7, 0), enc.addi(8, 8, -1), enc.bne(8, 0, -12), ...EXIT];
    const r = run(words);
    const adds = r.rows.filter((x) => x.pc_rdata === CODE + 20).map((x) => x.rd_wdata);
    expect(adds).toEqual([1, 101]);
  });
});

describe('rv32im model: faults', () => {
  const fault = (words: number[], data?: number[]) => {
    const r = run(words, { data });
    expect(r.stop.kind).toBe('fault');
    return { ...r, f: r.stop as Extract<typeof r.stop, { kind: 'fault' }> };
  };
  const trapRow = (row: TraceRow) => [row.trap, row.halt, row.rd_addr, row.mem_addr, row.mem_rmask, row.mem_wmask, row.pc_wdata - row.pc_rdata];

  it('illegal instructions: zero word, CSR writes and other CSRs, bad funct3/funct7, non-RV32IM opcodes', () => {
    for (const w of [0x00000000, 0xffffffff, 0xc0001573 /* csrrw a0, cycle, x0 */, 0xc000a573 /* csrrs a0, cycle, ra */, 0x30002573 /* csrr a0, mstatus */, 0x30200073 /* mret */, 0x00002063 /* bad branch funct3 */,
      0x00003003 /* ld */, 0x02001013 /* slli funct7 */, 0x40001033 /* sll f7 0x20 */, 0x00007067 /* jalr f3 */, 0x0000200f, 0x00000007 /* flw */, 0x0000002f /* amo */]) {
      const r = fault([enc.addi(1, 0, 1), w]);
      expect(r.f.cause).toBe('illegal-instruction');
      expect([r.f.pc, r.f.insn]).toEqual([CODE + 4, w >>> 0]);
      expect(r.last.insn).toBe(w >>> 0);
      expect(trapRow(r.last)).toEqual([true, true, 0, 0, 0, 0, 4]);
      expect([r.last.rs1_addr, r.last.rs2_addr]).toEqual([0, 0]);
    }
  });

  it('misaligned and outside-RAM loads and stores keep rs fields, no memory fields', () => {
    const cases: [number[], string][] = [
      [[...li(1, DATA + 1), enc.lw(2, 1, 0)], 'misaligned-load'],
      [[...li(1, DATA + 1), enc.lh(2, 1, 0)], 'misaligned-load'],
      [[...li(1, DATA + 2), enc.sw(3, 1, 0)], 'misaligned-store'],
      [[...li(1, DATA + 3), enc.sh(3, 1, 0)], 'misaligned-store'],
      [[...li(1, RAM), enc.lb(2, 1, 0)], 'load-outside-ram'],
      [[...li(1, -4), enc.lw(2, 1, 0)], 'load-outside-ram'],
      [[...li(1, RAM - 4), enc.sw(3, 1, 4)], 'store-outside-ram'],
      [[...li(1, 0xfffffffe), enc.sb(3, 1, 0)], 'store-outside-ram'],
    ];
    for (const [words, cause] of cases) {
      const r = fault([...li(3, 0x55), ...words]);
      expect(r.f.cause).toBe(cause);
      expect(trapRow(r.last)).toEqual([true, true, 0, 0, 0, 0, 4]);
      expect(r.last.rs1_addr).toBe(1);
      expect(r.last.rs2_addr).toBe(decode(r.last.insn).name.startsWith('s') ? 3 : 0);
      expect(r.last.rs2_rdata).toBe(decode(r.last.insn).name.startsWith('s') ? 0x55 : 0);
    }
  });

  it('a jump to a misaligned or outside-RAM target retires, the fetch then faults with insn 0', () => {
    const m = fault([...li(1, CODE + 0x102), enc.jalr(5, 1, 0)]);
    expect(m.f.cause).toBe('misaligned-fetch');
    expect(m.rows[2]!.pc_wdata).toBe(CODE + 0x102);
    expect([m.last.pc_rdata, m.last.insn, m.last.pc_wdata]).toEqual([CODE + 0x102, 0, CODE + 0x106]);
    expect(trapRow(m.last)).toEqual([true, true, 0, 0, 0, 0, 4]);
    const o = fault([...li(1, RAM + 8), enc.jalr(0, 1, 0)]);
    expect([o.f.cause, o.f.pc, o.f.insn]).toEqual(['fetch-outside-ram', RAM + 8, 0]);
    const b = fault([enc.jal(0, -CODE - 8)]);
    expect([b.f.cause, b.f.pc]).toEqual(['fetch-outside-ram', 0xfffffff8]);
  });

  it('unknown ecalls, bad write() arguments and EBREAK', () => {
    const u = fault([enc.addi(17, 0, 63), enc.ecall()]);
    expect([u.f.cause, u.f.insn]).toEqual(['unknown-ecall', 0x73]);
    expect(trapRow(u.last)).toEqual([true, true, 0, 0, 0, 0, 4]);
    const fd = fault([enc.addi(10, 0, 3), enc.addi(12, 0, 1), enc.addi(17, 0, 64), enc.ecall()]);
    expect(fd.f.cause).toBe('unknown-ecall');
    expect(fd.f.detail).toMatch(/fd 3/);
    const buf = fault([enc.addi(10, 0, 1), ...li(11, RAM - 2), enc.addi(12, 0, 3), enc.addi(17, 0, 64), enc.ecall()]);
    expect(buf.f.cause).toBe('load-outside-ram');
    const ok = run([enc.addi(10, 0, 1), ...li(11, RAM + 100), enc.addi(12, 0, 0), enc.addi(17, 0, 64), enc.ecall(), ...EXIT]);
    expect(ok.stop.kind).toBe('exit'); // len 0: nothing read
    const e = fault([enc.ebreak()]);
    expect([e.f.cause, e.f.insn, e.last.trap]).toEqual(['ebreak', 0x00100073, true]);
  });

  it('--max-cycles stops after N rows without a trap row', () => {
    const r = run([enc.addi(1, 1, 1), enc.jal(0, -4)], { maxCycles: 101 });
    expect(r.stop).toMatchObject({ kind: 'fault', cause: 'max-cycles', pc: CODE + 4, insn: enc.jal(0, -4) });
    expect(r.rows.length).toBe(101);
    expect(r.last.trap).toBe(false);
    expect(r.stats.instret).toBe(101);
  });
});

describe('ELF loading', () => {
  const good = () => randomProgram(1).elf.slice();
  const rejects = (bytes: Uint8Array, pattern: RegExp, ram = 1 << 20) => {
    let err: unknown;
    try {
      loadElf(bytes, ram, 'p.elf');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as Error).message;
    expect(msg).toMatch(pattern);
    expect(msg).not.toContain('\n');
    expect(msg.startsWith('p.elf: ')).toBe(true);
  };
  const patch = (f: (dv: DataView, b: Uint8Array) => void) => {
    const b = good();
    f(new DataView(b.buffer), b);
    return b;
  };

  it('loads every PT_LOAD and zero-fills bss', () => {
    const p = randomProgram(3);
    const dirty = p.elf.slice();
    const { entry, image, segments } = loadElf(dirty, 1 << 20);
    expect(entry).toBe(0x10000);
    expect(segments.map((s) => [s.vaddr, s.filesz < s.memsz])).toEqual([[0x10000, false], [RANDOM_DATA_BASE, true]]);
    expect(new DataView(image.buffer).getUint32(0x10000, true)).toBe(p.text[0]);
    expect(image.subarray(RANDOM_DATA_BASE + 3072, RANDOM_DATA_BASE + 4096).every((x) => x === 0)).toBe(true);
    expect(image.subarray(RANDOM_DATA_BASE, RANDOM_DATA_BASE + 3072).some((x) => x !== 0)).toBe(true);
  });

  it('rejects what is not a static 32-bit little-endian RISC-V executable', () => {
    rejects(new Uint8Array(10), /too short/);
    rejects(patch((_, b) => (b[0] = 0x7e)), /not an ELF file/);
    rejects(patch((_, b) => (b[4] = 2)), /ELF class 2 \(64-bit\)/);
    rejects(patch((_, b) => (b[5] = 2)), /big-endian/);
    rejects(patch((dv) => dv.setUint16(18, 62, true)), /e_machine 62: only RISC-V/);
    rejects(patch((dv) => dv.setUint16(16, 3, true)), /e_type 3 .*only a static executable/);
    rejects(patch((dv) => dv.setUint16(16, 1, true)), /e_type 1 \(relocatable/);
    rejects(patch((dv) => dv.setUint32(36, 1, true)), /EF_RISCV_RVC/);
    rejects(patch((dv) => dv.setUint32(36, 4, true)), /float ABI/);
    rejects(patch((dv) => dv.setUint32(52 + 32, 3, true)), /PT_INTERP/);
    rejects(patch((dv) => dv.setUint32(52 + 32, 2, true)), /PT_DYNAMIC/);
    rejects(good(), /PT_LOAD 0x20000\.\.0x21000 lies outside RAM 0x0\.\.0x20000/, 0x20000);
    rejects(patch((dv) => dv.setUint16(44, 0, true)), /no program headers/);
    rejects(good().slice(0, 100), /run past the end/);
  });
});

describe('segments', () => {
  const opts = (segment: number, trace = true): RunOptions => ({ ramBytes: 256 * 1024, maxCycles: 1e6, trace, segment });

  it('the model records the same segments as rebuilt from its trace, and every segment replays', () => {
    const p = randomProgram(11);
    const { entry, image } = loadElf(p.elf, 256 * 1024);
    const r = runModel(image, entry, opts(700));
    expect(r.stop.kind).toBe('exit');
    const n = r.trace!.length;
    expect(r.segments!.length).toBe(Math.ceil(n / 700));
    expect(r.segments![r.segments!.length - 1]!.endOrder).toBe(n);
    expect(segmentsFromTrace(image, entry, 256 * 1024, r.trace!, 700)).toEqual(r.segments);
    const noTrace = runModel(image, entry, opts(700, false));
    expect(noTrace.segments).toEqual(r.segments);
    expect(verifySegments(image, entry, 256 * 1024, r.trace!, r.segments!)).toEqual([]);
    // Replay of the last segment ends in the exit.
    const mems: Uint8Array[] = [];
    segmentsFromTrace(image, entry, 256 * 1024, r.trace!, 700, { onSegmentStart: (_, m) => mems.push(m) });
    const last = r.segments![r.segments!.length - 1]!;
    const re = replaySegment(last, mems[last.index]!);
    expect(re.stop?.kind).toBe('exit');
    expect(re.end).toEqual(last.end);
  });

  it('a segment boundary state differs when a register, pc or memory differs (the check can fail)', () => {
    const p = randomProgram(12);
    const { entry, image } = loadElf(p.elf, 256 * 1024);
    const r = runModel(image, entry, opts(500));
    const trace = r.trace!.map((x) => ({ ...x }));
    const store = trace.findIndex((x, i) => i > 600 && x.mem_wmask !== 0);
    trace[store]!.mem_wdata ^= 0xff << (8 * Math.log2(trace[store]!.mem_wmask & -trace[store]!.mem_wmask));
    const problems = verifySegments(image, entry, 256 * 1024, trace, r.segments!);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(/memory hash|differs/);
    const broken = r.trace!.map((x) => ({ ...x }));
    broken[100]!.pc_wdata += 4;
    expect(() => segmentsFromTrace(image, entry, 256 * 1024, broken, 500)).toThrow(/pc_rdata/);
  });

  it('segment states are the initial state, then pc/registers/memory as the trace left them', () => {
    const image = new Uint8Array(RAM);
    const words = [...li(1, DATA), ...li(2, 77), enc.sw(2, 1, 0), ...EXIT];
    words.forEach((w, i) => new DataView(image.buffer).setUint32(CODE + 4 * i, w, true));
    const r = runModel(image, CODE, { ramBytes: RAM, maxCycles: 100, trace: true, segment: 4 });
    expect(r.segments!.map((s) => [s.startOrder, s.endOrder])).toEqual([[0, 4], [4, 7]]);
    const [s0, s1] = r.segments!;
    const regs0 = new Array(32).fill(0);
    regs0[2] = RAM;
    expect(s0!.start).toEqual({ pc: CODE, regs: regs0, memoryHash: memoryHash(image) });
    expect(s0!.end.pc).toBe(CODE + 16);
    expect([s0!.end.regs[1], s0!.end.regs[2]]).toEqual([DATA, 77]);
    expect(s0!.end.memoryHash).toBe(memoryHash(image));
    expect(s1!.start).toEqual(s0!.end);
    const after = image.slice();
    new DataView(after.buffer).setUint32(DATA, 77, true);
    expect(s1!.end.memoryHash).toBe(memoryHash(after));
    expect(s1!.end.pc).toBe(CODE + 28); // after the exit ecall: its pc_wdata
    expect(s1!.end.regs[17]).toBe(93);
  });
});

describe('random programs', () => {
  it('are deterministic per seed and differ between seeds', () => {
    expect(randomProgram(5).elf).toEqual(randomProgram(5).elf);
    expect(randomProgram(5).elf).not.toEqual(randomProgram(6).elf);
  });

  it('terminate, and print the registers and checksum they leave in the save area', () => {
    for (let seed = 100; seed < 110; seed++) {
      const p = randomProgram(seed);
      const { entry, image } = loadElf(p.elf, 1 << 20);
      const m = new Rv32imMachine(image.slice(), entry);
      m.run(1e6);
      expect(m.stop).toMatchObject({ kind: 'exit' });
      const out = Buffer.concat(m.stdout).toString();
      const fs = parseFinalState(out);
      const save = new DataView(m.mem.buffer, RANDOM_DATA_BASE + 3072, 128);
      expect(fs.regs).toEqual(Array.from({ length: 31 }, (_, i) => save.getUint32(4 * i, true)));
      expect(fs.regs[30]).toBe(RANDOM_DATA_BASE + 2048); // x31, the data base
      expect(formatFinalState(fs)).toBe(out);
      expect(m.stop).toEqual({ kind: 'exit', code: fs.checksum & 0xff });
      expect(memoryHash(m.mem)).not.toBe(memoryHash(image)); // stores happened
    }
  });

  it('use every RV32IM operation across a handful of seeds', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const p = randomProgram(seed);
      const { entry, image } = loadElf(p.elf, 1 << 20);
      const r = runModel(image, entry, { ramBytes: 1 << 20, maxCycles: 1e6, trace: true, segment: 0 });
      for (const row of r.trace!) seen.add(decode(row.insn).name);
    }
    for (const name of ['lui', 'auipc', 'jal', 'jalr', 'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'lb', 'lh', 'lw', 'lbu', 'lhu',
      'sb', 'sh', 'sw', 'addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'slli', 'srli', 'srai', 'add', 'sub', 'sll', 'slt', 'sltu',
      'xor', 'srl', 'sra', 'or', 'and', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'fence', 'ecall']) {
      expect(seen.has(name), name).toBe(true);
    }
  });

  it('buildElf output loads at the addresses given', () => {
    const elf = buildElf([enc.addi(10, 0, 9), ...EXIT], 0x2000, new Uint8Array([1, 2, 3, 4]), 0x3000, 16);
    const { entry, image } = loadElf(elf, 0x4000);
    expect(entry).toBe(0x2000);
    expect([...image.subarray(0x3000, 0x3006)]).toEqual([1, 2, 3, 4, 0, 0]);
    expect(runModel(image, entry, { ramBytes: 0x4000, maxCycles: 10, trace: false, segment: 0 }).stop).toEqual({ kind: 'exit', code: 9 });
  });
});
