// The rv32im golden model: an instruction-set simulator producing the retirement trace rows
// of src/riscv/trace.ts, one per retired instruction, exactly as the generated core's trace
// port does. It is itself checked against qemu-riscv32 (test/rv32im-qemu.test.ts).
//
// Machine: RAM of ramBytes bytes (a multiple of 4) at address 0, nothing else; pc = entry,
// x2 = ramBytes, other registers 0. Every access must be naturally aligned and inside RAM.
//
// Environment (ECALL, Linux RISC-V user ABI subset, like qemu-riscv32):
// - a7 = 64 write(a0 = fd, a1 = buf, a2 = len): fd 1 or 2 only, else fault 'unknown-ecall';
//   len = 0 returns 0; else [buf, buf+len) must lie inside RAM, else fault 'load-outside-ram';
//   the bytes go to stdout/stderr and a0 = len (row: rd_addr = 10, rd_wdata = len);
// - a7 = 93 exit / 94 exit_group: the run ends with exit code a0 & 0xff (what a Linux process,
//   and so qemu-riscv32, reports); the row has halt = 1 and no register write;
// - any other a7: fault 'unknown-ecall'. EBREAK: fault 'ebreak'.
//
// Faults end the run with one row with trap = 1, halt = 1, pc_wdata = pc + 4, no register or
// memory write, and these fields:
// - fetch outside RAM / misaligned fetch (pc % 4 != 0; checked first): insn = 0, every
//   rs/rd/mem field 0. A jump or branch to a misaligned target retires normally (pc_wdata =
//   the target); the next row is the misaligned-fetch fault;
// - illegal instruction (any opcode outside RV32IM, bad funct3/funct7, every SYSTEM encoding
//   except exactly ECALL 0x00000073, EBREAK 0x00100073 and the counter reads below): insn =
//   the word, rs/rd/mem fields 0;
// - misaligned or outside-RAM load/store (misalignment checked first): rs1 (and rs2 for a
//   store) address and value as read, mem fields 0;
// - unknown ecall, bad write(), ebreak: rs/rd/mem fields 0.
// FENCE (funct3 0) and FENCE.I (funct3 1) are no-ops whatever their other fields, and read no
// register.
// Counters (Zicntr, unless MachineOptions.zicntr is false): CSRRS/CSRRC with rs1 = x0 and
// CSRRSI/CSRRCI with uimm = 0 (funct3 2, 3, 6, 7: reads that write nothing) of cycle (0xC00),
// time (0xC01), instret (0xC02) and their high halves (0xC80..0xC82) write rd and read no
// register; any other CSR access is illegal (the counters are read-only; there are no other
// CSRs). instret is the row's order (instructions retired before it). cycle is the cycle in
// which the row retires, counted from the first cycle after reset: the model has no clock, so
// MachineOptions.cycleOfRow supplies it (the RTL's row cycles, when the two are compared);
// without it cycle = instret (one cycle per instruction). time reads cycle (no real-time clock). --max-cycles N: at most N rows are retired; a run that has not stopped by then
// ends with fault 'max-cycles' (pc = next pc, insn = the word there or 0), without a row.
//
// Speed: instructions are decoded once into a cache indexed by word address (a store to a
// word drops its entry), registers live in an Int32Array, memory is accessed through typed
// views (all accesses are aligned), and no BigInt is on the hot path.
import { createHash } from 'node:crypto';
import type { FaultCause, MachineState, RunOptions, RunResult, Segment, StopReason } from '../riscv/machine.ts';
import type { TraceRow } from '../riscv/trace.ts';

// Operations (0 = not decoded yet).
const enum Op {
  NONE = 0,
  LUI, AUIPC, JAL, JALR,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  LB, LH, LW, LBU, LHU,
  SB, SH, SW,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
  ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  FENCE, ECALL, EBREAK, ILLEGAL,
  RDCYCLE, RDTIME, RDINSTRET, RDCYCLEH, RDTIMEH, RDINSTRETH,
  COUNT,
}

/** Register index that absorbs writes to x0 and instructions without a destination. */
const NO_RD = 32;

// Which source registers each operation reads (for the trace rows).
const READS_RS1 = new Uint8Array(Op.COUNT);
const READS_RS2 = new Uint8Array(Op.COUNT);
for (const op of [Op.JALR, Op.BEQ, Op.BNE, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU, Op.LB, Op.LH, Op.LW, Op.LBU, Op.LHU,
  Op.SB, Op.SH, Op.SW, Op.ADDI, Op.SLTI, Op.SLTIU, Op.XORI, Op.ORI, Op.ANDI, Op.SLLI, Op.SRLI, Op.SRAI,
  Op.ADD, Op.SUB, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.SRA, Op.OR, Op.AND,
  Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU]) READS_RS1[op] = 1;
for (const op of [Op.BEQ, Op.BNE, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU, Op.SB, Op.SH, Op.SW,
  Op.ADD, Op.SUB, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.SRA, Op.OR, Op.AND,
  Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU]) READS_RS2[op] = 1;

const OP_NAMES = ['none', 'lui', 'auipc', 'jal', 'jalr', 'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu',
  'lb', 'lh', 'lw', 'lbu', 'lhu', 'sb', 'sh', 'sw', 'addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'slli', 'srli', 'srai',
  'add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'fence', 'ecall', 'ebreak', 'illegal',
  'rdcycle', 'rdtime', 'rdinstret', 'rdcycleh', 'rdtimeh', 'rdinstreth'];

const hex32 = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Decoded form: op | rd << 8 | rs1 << 16 | rs2 << 24 (rd = NO_RD when nothing is written), and the immediate. */
export interface Decoded {
  op: number;
  name: string;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
}

function pack(op: Op, rd: number, rs1: number, rs2: number): number {
  return op | ((rd === 0 ? NO_RD : rd) << 8) | (rs1 << 16) | (rs2 << 24);
}

/** The counter CSRs (low halves 0xC00..0xC02, high halves 0xC80..0xC82) and their read ops. */
const COUNTER_OPS: Record<number, Op> = {
  0xc00: Op.RDCYCLE, 0xc01: Op.RDTIME, 0xc02: Op.RDINSTRET, 0xc80: Op.RDCYCLEH, 0xc81: Op.RDTIMEH, 0xc82: Op.RDINSTRETH,
};

/** Decodes one instruction word into [packed, imm]; zicntr: the counter reads are instructions. */
function decodeWord(insn: number, zicntr = true): [number, number] {
  const opcode = insn & 0x7f;
  const rd = (insn >>> 7) & 31;
  const f3 = (insn >>> 12) & 7;
  const rs1 = (insn >>> 15) & 31;
  const rs2 = (insn >>> 20) & 31;
  const f7 = insn >>> 25;
  const immI = insn >> 20;
  const ill: [number, number] = [Op.ILLEGAL | (NO_RD << 8), 0];
  switch (opcode) {
    case 0x37: return [pack(Op.LUI, rd, 0, 0), insn & 0xfffff000];
    case 0x17: return [pack(Op.AUIPC, rd, 0, 0), insn & 0xfffff000];
    case 0x6f: {
      const imm = (((insn >> 31) << 20) | (((insn >>> 12) & 0xff) << 12) | (((insn >>> 20) & 1) << 11) | (((insn >>> 21) & 0x3ff) << 1));
      return [pack(Op.JAL, rd, 0, 0), imm];
    }
    case 0x67:
      if (f3 !== 0) return ill;
      return [pack(Op.JALR, rd, rs1, 0), immI];
    case 0x63: {
      const imm = (((insn >> 31) << 12) | (((insn >>> 7) & 1) << 11) | (((insn >>> 25) & 0x3f) << 5) | (((insn >>> 8) & 0xf) << 1));
      const ops = [Op.BEQ, Op.BNE, 0, 0, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
      const op = ops[f3]!;
      if (op === 0) return ill;
      return [pack(op, 0, rs1, rs2), imm];
    }
    case 0x03: {
      const ops = [Op.LB, Op.LH, Op.LW, 0, Op.LBU, Op.LHU, 0, 0];
      const op = ops[f3]!;
      if (op === 0) return ill;
      return [pack(op, rd, rs1, 0), immI];
    }
    case 0x23: {
      const ops = [Op.SB, Op.SH, Op.SW, 0, 0, 0, 0, 0];
      const op = ops[f3]!;
      if (op === 0) return ill;
      return [pack(op, 0, rs1, rs2), ((insn >> 25) << 5) | ((insn >>> 7) & 31)];
    }
    case 0x13: {
      switch (f3) {
        case 0: return [pack(Op.ADDI, rd, rs1, 0), immI];
        case 2: return [pack(Op.SLTI, rd, rs1, 0), immI];
        case 3: return [pack(Op.SLTIU, rd, rs1, 0), immI];
        case 4: return [pack(Op.XORI, rd, rs1, 0), immI];
        case 6: return [pack(Op.ORI, rd, rs1, 0), immI];
        case 7: return [pack(Op.ANDI, rd, rs1, 0), immI];
        case 1: return f7 === 0 ? [pack(Op.SLLI, rd, rs1, 0), rs2] : ill;
        default: // 5
          if (f7 === 0) return [pack(Op.SRLI, rd, rs1, 0), rs2];
          if (f7 === 0x20) return [pack(Op.SRAI, rd, rs1, 0), rs2];
          return ill;
      }
    }
    case 0x33: {
      let op: Op | 0 = 0;
      if (f7 === 0) op = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND][f3]!;
      else if (f7 === 0x20) op = f3 === 0 ? Op.SUB : f3 === 5 ? Op.SRA : 0;
      else if (f7 === 1) op = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU][f3]!;
      if (op === 0) return ill;
      return [pack(op, rd, rs1, rs2), 0];
    }
    case 0x0f:
      if (f3 === 0 || f3 === 1) return [Op.FENCE | (NO_RD << 8), 0];
      return ill;
    case 0x73:
      if (insn === 0x00000073) return [Op.ECALL | (NO_RD << 8), 0];
      if (insn === 0x00100073) return [Op.EBREAK | (NO_RD << 8), 0];
      // A counter read: CSRRS/CSRRC/CSRRSI/CSRRCI (funct3 bit 1 set) that writes nothing (rs1 field 0).
      if (zicntr && (f3 & 2) !== 0 && rs1 === 0) {
        const op = COUNTER_OPS[insn >>> 20];
        if (op !== undefined) return [pack(op, rd, 0, 0), 0];
      }
      return ill;
    default:
      return ill;
  }
}

/** Decodes one instruction word (for tests and messages). */
export function decode(insn: number, zicntr = true): Decoded {
  const [p, imm] = decodeWord(insn | 0, zicntr);
  const rd = (p >>> 8) & 63;
  return { op: p & 0xff, name: OP_NAMES[p & 0xff]!, rd: rd === NO_RD ? 0 : rd, rs1: (p >>> 16) & 31, rs2: p >>> 24, imm };
}

/** High 32 bits of the unsigned 64-bit product of two 32-bit values (unsigned result). */
function mulhu(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const lh = aL * bH, hl = aH * bL;
  const mid = ((aL * bL) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * bH + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
}

function emptyRow(): TraceRow {
  return {
    order: 0, insn: 0, trap: false, halt: false, pc_rdata: 0, pc_wdata: 0, rs1_addr: 0, rs2_addr: 0, rs1_rdata: 0, rs2_rdata: 0,
    rd_addr: 0, rd_wdata: 0, mem_addr: 0, mem_rmask: 0, mem_wmask: 0, mem_rdata: 0, mem_wdata: 0,
  };
}

/** SHA-256 (hex) of a RAM image, as MachineState.memoryHash. */
export function memoryHash(mem: Uint8Array): string {
  return createHash('sha256').update(mem).digest('hex');
}

export interface MachineOptions {
  onOutput?: (fd: 1 | 2, bytes: Uint8Array) => void;
  /** The counter reads (Zicntr) are instructions; default true (false: illegal). */
  zicntr?: boolean;
  /** The cycle in which the row of the given order retires (read by rdcycle); default: the order. */
  cycleOfRow?: (order: number) => number;
}

/**
 * One rv32im hart with its RAM. The memory array passed in is used (and modified) in place.
 * `run(limit, rows)` executes up to `limit` instructions (pushing trace rows when `rows` is an
 * array); `step()` executes one and returns its row. After a stop (exit or fault) `stop` is set
 * and nothing more executes.
 */
export class Rv32imMachine {
  readonly ramBytes: number;
  readonly mem: Uint8Array;
  /** x0..x31 (signed 32-bit storage) plus a sink at index 32 for writes to x0. */
  readonly regs = new Int32Array(33);
  pc: number;
  /** Retired instructions (rows) so far; the next row's order. */
  instret = 0;
  stop: StopReason | undefined;
  readonly stdout: Uint8Array[] = [];
  readonly stderr: Uint8Array[] = [];
  private readonly onOutput?: (fd: 1 | 2, bytes: Uint8Array) => void;
  private readonly zicntr: boolean;
  private readonly cycleOfRow: (order: number) => number;
  private readonly m8: Int8Array;
  private readonly mu8: Uint8Array;
  private readonly m16: Int16Array;
  private readonly mu16: Uint16Array;
  private readonly m32: Int32Array;
  private readonly dec: Int32Array;
  private readonly imms: Int32Array;

  constructor(memory: Uint8Array, entry: number, opts: MachineOptions = {}) {
    const ramBytes = memory.length;
    if (ramBytes % 4 !== 0 || ramBytes < 4 || ramBytes > 0x80000000) {
      throw new RangeError(`RAM of ${ramBytes} bytes: a multiple of 4 between 4 and 2^31 is needed`);
    }
    this.ramBytes = ramBytes;
    this.mem = memory;
    if (memory.byteOffset % 4 !== 0) throw new RangeError('RAM array must start at a 4-byte aligned offset of its buffer');
    const { buffer, byteOffset } = memory;
    this.m8 = new Int8Array(buffer, byteOffset, ramBytes);
    this.mu8 = memory;
    this.m16 = new Int16Array(buffer, byteOffset, ramBytes >>> 1);
    this.mu16 = new Uint16Array(buffer, byteOffset, ramBytes >>> 1);
    this.m32 = new Int32Array(buffer, byteOffset, ramBytes >>> 2);
    this.dec = new Int32Array(ramBytes >>> 2);
    this.imms = new Int32Array(ramBytes >>> 2);
    this.pc = entry >>> 0;
    this.regs[2] = ramBytes | 0;
    this.onOutput = opts.onOutput;
    this.zicntr = opts.zicntr ?? true;
    this.cycleOfRow = opts.cycleOfRow ?? ((order) => order);
  }

  /** A machine resumed from a segment's start state and its memory image (copied). */
  static fromState(state: MachineState, memory: Uint8Array, order: number, opts: MachineOptions = {}): Rv32imMachine {
    const m = new Rv32imMachine(new Uint8Array(memory), state.pc, opts);
    for (let i = 0; i < 32; i++) m.regs[i] = i === 0 ? 0 : state.regs[i]! | 0;
    m.instret = order;
    return m;
  }

  /** x0..x31 as unsigned numbers. */
  registers(): number[] {
    const out: number[] = [];
    for (let i = 0; i < 32; i++) out.push(this.regs[i]! >>> 0);
    return out;
  }

  /** pc, registers and the SHA-256 of RAM. */
  state(): MachineState {
    return { pc: this.pc >>> 0, regs: this.registers(), memoryHash: memoryHash(this.mem) };
  }

  /** Executes one instruction; its row, or undefined when the machine had already stopped. */
  step(): TraceRow | undefined {
    const rows: TraceRow[] = [];
    this.run(1, rows);
    return rows[0];
  }

  private fault(cause: FaultCause, pc: number, insn: number, detail: string): void {
    this.stop = { kind: 'fault', cause, pc: pc >>> 0, insn: insn >>> 0, detail };
  }

  /** The word at `pc` when it is a legal fetch address, else 0 (for messages). */
  wordAt(pc: number): number {
    pc >>>= 0;
    return (pc & 3) === 0 && pc < this.ramBytes ? this.m32[pc >>> 2]! >>> 0 : 0;
  }

  /** Records the fault of a load or store to `addr` (misalignment is checked first). */
  private memFault(op: number, addr: number, pc: number, insn: number): void {
    const store = op === Op.SB || op === Op.SH || op === Op.SW;
    const size = op === Op.LW || op === Op.SW ? 4 : op === Op.LH || op === Op.LHU || op === Op.SH ? 2 : 1;
    const name = OP_NAMES[op]!;
    if ((addr & (size - 1)) !== 0) {
      this.fault(store ? 'misaligned-store' : 'misaligned-load', pc, insn, `${name} ${store ? 'to' : 'from'} ${hex32(addr)}: not a multiple of ${size}`);
    } else {
      this.fault(store ? 'store-outside-ram' : 'load-outside-ram', pc, insn, `${name} ${store ? 'to' : 'from'} ${hex32(addr)}: outside RAM 0x0..${hex32(this.ramBytes)}`);
    }
  }

  /** Handles ECALL: 0 = continue (a0 written), 1 = exit, 2 = fault. */
  private ecall(pc: number): number {
    const regs = this.regs;
    const a7 = regs[17]! >>> 0;
    if (a7 === 64) {
      const fd = regs[10]!;
      const buf = regs[11]! >>> 0;
      const len = regs[12]! >>> 0;
      if (fd !== 1 && fd !== 2) {
        this.fault('unknown-ecall', pc, 0x73, `write to fd ${fd}: only fd 1 (stdout) and 2 (stderr) are supported`);
        return 2;
      }
      if (len !== 0) {
        if (buf >= this.ramBytes || len > this.ramBytes - buf) {
          this.fault('load-outside-ram', pc, 0x73, `write(${fd}, ${hex32(buf)}, ${len}): buffer outside RAM 0x0..${hex32(this.ramBytes)}`);
          return 2;
        }
        const bytes = this.mu8.slice(buf, buf + len);
        (fd === 1 ? this.stdout : this.stderr).push(bytes);
        this.onOutput?.(fd, bytes);
      }
      regs[10] = len | 0;
      return 0;
    }
    if (a7 === 93 || a7 === 94) {
      this.stop = { kind: 'exit', code: regs[10]! & 0xff };
      return 1;
    }
    this.fault('unknown-ecall', pc, 0x73, `a7 = ${a7}: only 64 (write), 93 (exit) and 94 (exit_group) are supported`);
    return 2;
  }

  /**
   * Executes up to `limit` instructions, or until the program exits or faults. With `rows`,
   * one trace row per retired instruction is pushed onto it.
   */
  run(limit: number, rows: TraceRow[] | null = null): void {
    if (this.stop) return;
    const regs = this.regs, dec = this.dec, imms = this.imms;
    const m8 = this.m8, mu8 = this.mu8, m16 = this.m16, mu16 = this.mu16, m32 = this.m32;
    const ram = this.ramBytes;
    let pc = this.pc >>> 0;
    let n = 0;
    // Memory side of the current instruction (for rows).
    let memAddr = 0, rmask = 0, wmask = 0, mrdata = 0, mwdata = 0;
    outer: while (n < limit) {
      if ((pc & 3) !== 0 || pc >= ram) {
        this.fault((pc & 3) !== 0 ? 'misaligned-fetch' : 'fetch-outside-ram', pc, 0,
          (pc & 3) !== 0 ? `pc ${hex32(pc)} is not a multiple of 4` : `pc ${hex32(pc)} is outside RAM 0x0..${hex32(ram)}`);
        n++;
        if (rows !== null) {
          const r = emptyRow();
          r.order = this.instret + n - 1;
          r.trap = r.halt = true;
          r.pc_rdata = pc;
          r.pc_wdata = (pc + 4) >>> 0;
          rows.push(r);
        }
        pc = (pc + 4) >>> 0;
        break;
      }
      const idx = pc >>> 2;
      let d = dec[idx]!;
      if (d === 0) {
        const [p, imm] = decodeWord(m32[idx]!, this.zicntr);
        dec[idx] = d = p;
        imms[idx] = imm;
      }
      const op = d & 0xff;
      let rd = (d >>> 8) & 63;
      const rs1 = (d >>> 16) & 31;
      const rs2 = d >>> 24;
      const imm = imms[idx]!;
      const a = regs[rs1]!;
      const b = regs[rs2]!;
      let next = pc + 4;
      let halt = false;
      let trap = false;
      if (rows !== null) memAddr = rmask = wmask = mrdata = mwdata = 0;
      switch (op) {
        case Op.LUI: regs[rd] = imm; break;
        case Op.AUIPC: regs[rd] = (pc + imm) | 0; break;
        case Op.JAL: regs[rd] = next | 0; next = (pc + imm) >>> 0; break;
        case Op.JALR: regs[rd] = next | 0; next = ((a + imm) & ~1) >>> 0; break;
        case Op.BEQ: if (a === b) next = (pc + imm) >>> 0; break;
        case Op.BNE: if (a !== b) next = (pc + imm) >>> 0; break;
        case Op.BLT: if (a < b) next = (pc + imm) >>> 0; break;
        case Op.BGE: if (a >= b) next = (pc + imm) >>> 0; break;
        case Op.BLTU: if ((a >>> 0) < (b >>> 0)) next = (pc + imm) >>> 0; break;
        case Op.BGEU: if ((a >>> 0) >= (b >>> 0)) next = (pc + imm) >>> 0; break;
        case Op.LW: {
          const addr = (a + imm) >>> 0;
          if ((addr & 3) !== 0 || addr >= ram) {
            this.memFault(op, addr, pc, m32[idx]!);
            trap = true;
            break;
          }
          regs[rd] = m32[addr >>> 2]!;
          if (rows !== null) {
            memAddr = addr;
            rmask = 15;
            mrdata = m32[addr >>> 2]! >>> 0;
          }
          break;
        }
        case Op.LB: case Op.LBU: {
          const addr = (a + imm) >>> 0;
          if (addr >= ram) {
            this.memFault(op, addr, pc, m32[idx]!);
            trap = true;
            break;
          }
          regs[rd] = op === Op.LB ? m8[addr]! : mu8[addr]!;
          if (rows !== null) {
            memAddr = addr & ~3;
            rmask = 1 << (addr & 3);
            mrdata = m32[addr >>> 2]! >>> 0;
          }
          break;
        }
        case Op.LH: case Op.LHU: {
          const addr = (a + imm) >>> 0;
          if ((addr & 1) !== 0 || addr >= ram) {
            this.memFault(op, addr, pc, m32[idx]!);
            trap = true;
            break;
          }
          regs[rd] = op === Op.LH ? m16[addr >>> 1]! : mu16[addr >>> 1]!;
          if (rows !== null) {
            memAddr = addr & ~3;
            rmask = 3 << (addr & 3);
            mrdata = m32[addr >>> 2]! >>> 0;
          }
          break;
        }
        case Op.SW: {
          const addr = (a + imm) >>> 0;
          if ((addr & 3) !== 0 || addr >= ram) {
            this.memFault(op, addr, pc, m32[idx]!);
            trap = true;
            break;
          }
          m32[addr >>> 2] = b;
          dec[addr >>> 2] = 0; // self-modifying code: decode the word again when fetched
          if (rows !== null) {
            memAddr = addr;
            wmask = 15;
            mwdata = b >>> 0;
          }
          break;
        }
        case Op.SH: {
          const addr = (a + imm) >>> 0;
          if ((addr & 1) !== 0 || addr >= ram) {
            this.memFault(op, addr, pc, m32[idx]!);
            trap = true;
            break;
          }
          mu16[addr >>> 1] = b;
          dec[addr >>> 2] = 0;
          if (rows !== null) {
            memAddr = addr & ~3;
            wmask = 3 << (addr & 3);
            mwdata = ((b & 0xffff) << ((addr & 3) * 8)) >>> 0;
          }
          break;
        }
        case Op.SB: {
          const addr = (a + imm) >>> 0;
          if (addr >= ram) {
            this.memFault(op, addr, pc, m32[idx]!);
            trap = true;
            break;
          }
          mu8[addr] = b;
          dec[addr >>> 2] = 0;
          if (rows !== null) {
            memAddr = addr & ~3;
            wmask = 1 << (addr & 3);
            mwdata = ((b & 0xff) << ((addr & 3) * 8)) >>> 0;
          }
          break;
        }
        case Op.ADDI: regs[rd] = (a + imm) | 0; break;
        case Op.SLTI: regs[rd] = a < imm ? 1 : 0; break;
        case Op.SLTIU: regs[rd] = (a >>> 0) < (imm >>> 0) ? 1 : 0; break;
        case Op.XORI: regs[rd] = a ^ imm; break;
        case Op.ORI: regs[rd] = a | imm; break;
        case Op.ANDI: regs[rd] = a & imm; break;
        case Op.SLLI: regs[rd] = a << imm; break;
        case Op.SRLI: regs[rd] = a >>> imm; break;
        case Op.SRAI: regs[rd] = a >> imm; break;
        case Op.ADD: regs[rd] = (a + b) | 0; break;
        case Op.SUB: regs[rd] = (a - b) | 0; break;
        case Op.SLL: regs[rd] = a << (b & 31); break;
        case Op.SLT: regs[rd] = a < b ? 1 : 0; break;
        case Op.SLTU: regs[rd] = (a >>> 0) < (b >>> 0) ? 1 : 0; break;
        case Op.XOR: regs[rd] = a ^ b; break;
        case Op.SRL: regs[rd] = a >>> (b & 31); break;
        case Op.SRA: regs[rd] = a >> (b & 31); break;
        case Op.OR: regs[rd] = a | b; break;
        case Op.AND: regs[rd] = a & b; break;
        case Op.MUL: regs[rd] = Math.imul(a, b); break;
        case Op.MULH: regs[rd] = (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0; break;
        case Op.MULHSU: regs[rd] = (mulhu(a, b) - (a < 0 ? b : 0)) | 0; break;
        case Op.MULHU: regs[rd] = mulhu(a, b); break;
        case Op.DIV: regs[rd] = b === 0 ? -1 : a === -0x80000000 && b === -1 ? a : (a / b) | 0; break;
        case Op.DIVU: regs[rd] = b === 0 ? -1 : ((a >>> 0) / (b >>> 0)) >>> 0; break;
        case Op.REM: regs[rd] = b === 0 ? a : b === -1 ? 0 : a % b; break;
        case Op.REMU: regs[rd] = b === 0 ? a : (a >>> 0) % (b >>> 0); break;
        case Op.FENCE: break;
        case Op.ECALL: {
          const r = this.ecall(pc);
          if (r === 0) rd = 10;
          else if (r === 1) halt = true;
          else trap = true;
          break;
        }
        case Op.EBREAK:
          this.fault('ebreak', pc, m32[idx]!, 'EBREAK: breakpoints are not supported');
          trap = true;
          break;
        // 64-bit counters; their values stay below 2^53.
        case Op.RDCYCLE: case Op.RDTIME: regs[rd] = this.cycleOfRow(this.instret + n) | 0; break;
        case Op.RDCYCLEH: case Op.RDTIMEH: regs[rd] = Math.floor(this.cycleOfRow(this.instret + n) / 2 ** 32) | 0; break;
        case Op.RDINSTRET: regs[rd] = (this.instret + n) | 0; break;
        case Op.RDINSTRETH: regs[rd] = Math.floor((this.instret + n) / 2 ** 32) | 0; break;
        default: {
          const w = m32[idx]! >>> 0;
          this.fault('illegal-instruction', pc, w, `${hex32(w)} is not an RV32IM instruction`);
          trap = true;
        }
      }
      n++;
      if (trap) {
        halt = true;
        next = pc + 4;
        rd = NO_RD;
        memAddr = rmask = wmask = mrdata = mwdata = 0;
      }
      if (rows !== null) {
        const r = emptyRow();
        r.order = this.instret + n - 1;
        r.insn = m32[idx]! >>> 0;
        r.trap = trap;
        r.halt = halt;
        r.pc_rdata = pc;
        r.pc_wdata = next >>> 0;
        if (READS_RS1[op] && rs1 !== 0) {
          r.rs1_addr = rs1;
          r.rs1_rdata = a >>> 0;
        }
        if (READS_RS2[op] && rs2 !== 0) {
          r.rs2_addr = rs2;
          r.rs2_rdata = b >>> 0;
        }
        if (rd !== NO_RD) {
          r.rd_addr = rd;
          r.rd_wdata = regs[rd]! >>> 0;
        }
        r.mem_addr = memAddr >>> 0;
        r.mem_rmask = rmask;
        r.mem_wmask = wmask;
        r.mem_rdata = mrdata;
        r.mem_wdata = mwdata;
        rows.push(r);
      }
      pc = next >>> 0;
      if (halt) break outer;
    }
    this.instret += n;
    this.pc = pc;
  }
}

/**
 * Runs a program on the model: `image` (the RAM image of the ELF, copied, not modified) from
 * pc = entry. `opts.maxCycles` bounds the retired instructions (one model cycle each).
 * With `onRows`, trace rows (opts.trace) are handed over in chunks of at most 4096 as they
 * are produced and not kept in the result (for long runs written to a file).
 */
export function runModel(image: Uint8Array, entry: number, opts: RunOptions, onRows?: (rows: TraceRow[]) => void): RunResult {
  return runMachine(modelMachine(image, entry, opts), opts, onRows);
}

/** The machine runModel runs: RAM of opts.ramBytes holding `image` (copied), pc = entry. */
export function modelMachine(image: Uint8Array, entry: number, opts: RunOptions): Rv32imMachine {
  if (image.length > opts.ramBytes) throw new RangeError(`image of ${image.length} bytes exceeds RAM of ${opts.ramBytes}`);
  const mem = new Uint8Array(opts.ramBytes);
  mem.set(image);
  return new Rv32imMachine(mem, entry, { onOutput: opts.onOutput, zicntr: opts.zicntr, cycleOfRow: opts.cycleOfRow });
}

/** runModel's run, on a machine built by modelMachine (apart, so a benchmark can time the run alone). */
export function runMachine(m: Rv32imMachine, opts: RunOptions, onRows?: (rows: TraceRow[]) => void): RunResult {
  let rows: TraceRow[] | null = opts.trace ? [] : null;
  const kept: TraceRow[] | undefined = opts.trace && !onRows ? rows! : undefined;
  const segments: Segment[] | undefined = opts.segment > 0 ? [] : undefined;
  const maxCycles = opts.maxCycles;
  const CHUNK = 4096; // small enough that handed-over rows die young
  let segStart = 0;
  let start = segments ? m.state() : undefined;
  while (!m.stop && m.instret < maxCycles) {
    let n = maxCycles - m.instret;
    if (segments) n = Math.min(n, segStart + opts.segment - m.instret);
    if (onRows) n = Math.min(n, CHUNK);
    m.run(n, rows);
    if (onRows && rows!.length > 0) {
      onRows(rows!);
      rows = [];
    }
    if (segments && (m.stop || m.instret === segStart + opts.segment || m.instret >= maxCycles) && m.instret > segStart) {
      const end = m.state();
      segments.push({ index: segments.length, startOrder: segStart, endOrder: m.instret, start: start!, end });
      start = end;
      segStart = m.instret;
    }
  }
  let stop = m.stop;
  if (!stop) {
    stop = { kind: 'fault', cause: 'max-cycles', pc: m.pc >>> 0, insn: m.wordAt(m.pc), detail: `no exit after ${maxCycles} instructions (--max-cycles)` };
  }
  const cat = (chunks: Uint8Array[]) => {
    const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  };
  return {
    stop,
    stats: { engine: 'model', cycles: m.instret, instret: m.instret, cpi: 1, stalls: {} },
    trace: kept,
    segments,
    stdout: cat(m.stdout),
    stderr: cat(m.stderr),
  };
}
