// RV32IM as a table: for each instruction its encoding (match/mask), format and semantics as
// small expressions over named operands. Written from the RISC-V unprivileged ISA manual
// (RV32I base, Zifencei, M, Zicntr), not from the cores' decoder (src/gen/rv32im.ts) nor the ISS
// (src/model/rv32im.ts). src/formal/isa-spec.ts evaluates it (TypeScript) and compiles it
// into the Verilog module rv32im_isa_spec.
//
// Where zkrtl deviates from the ISA manual, the table and the spec follow zkrtl (README,
// manifest `trace`, src/riscv/trace.ts):
// - a trap ends the run: its row has trap = halt = 1, pc_wdata = pc + 4 and no register or
//   memory write (no trap vector, no mepc/mcause); the cause is the 3-bit code of the
//   manifest's trace.trapCauses (TRAP_CAUSE below), not an mcause value;
// - misaligned loads and stores trap (the manual also allows handling them);
// - a jump or taken branch to a misaligned target retires normally (pc_wdata = the target);
//   the next row is the misaligned-fetch trap (the manual raises it on the jump itself);
// - no Zicsr beyond reading the counters: the SYSTEM encodings are ECALL, EBREAK and the reads
//   of cycle, time, instret and their high halves (CSRRS/CSRRC with rs1 = x0, CSRRSI/CSRRCI
//   with uimm = 0: the forms that write nothing); every other one is illegal (the counters are
//   read-only, there are no other CSRs);
// - the counters (Zicntr) count from reset: instret is the row's order (rows before it); cycle
//   is the cycle in which the row retires, the first cycle after reset being 0; time reads
//   cycle (there is no real-time clock). Both are inputs of the spec, like the memory's answer;
// - FENCE and FENCE.I (Zifencei, accepted though not part of RV32IM) are no-ops whatever
//   their other fields, and read no register;
// - ECALL and EBREAK are answered by the environment (the core's env port): return (a0 :=
//   the answer, rd_addr = 10), exit (halt) or fault (trap with cause 0), not an exception;
// - a fetch or data access outside memory is reported by the memory (imem/dmem_fault): the
//   spec takes it as an input, like the environment's answer.

/** The extension an entry belongs to: the core's m and zicntr parameters turn M and Zicntr off. */
export type Ext = 'I' | 'M' | 'Zicntr';

/** The instruction formats of the manual. */
export type Format = 'R' | 'I' | 'S' | 'B' | 'U' | 'J';

/**
 * Named operands: register values (rs1, rs2), the format's immediate (imm), the
 * instruction's address (pc), the aligned memory word read (mem), the byte address of a
 * load or store (addr, the entry's own address expression) and the low and high words of the
 * 64-bit counters cycle and instret as the row retires.
 */
export type Operand = 'rs1' | 'rs2' | 'imm' | 'pc' | 'mem' | 'addr' | 'cycle' | 'cycleh' | 'instret' | 'instreth';

/**
 * 32-bit operations. Shifts take the whole amount (≥ 32: 0, or all sign bits for sra); the
 * table masks register amounts with 31. mulh* are the high word of the 64-bit product with
 * both (mulh), the first (mulhsu) or neither (mulhu) operand signed. div/rem truncate toward
 * zero and are only meaningful for a nonzero divisor without signed overflow: the table
 * selects the manual's results for those cases with ite.
 */
export type WordOp = 'add' | 'sub' | 'and' | 'or' | 'xor' | 'sll' | 'srl' | 'sra' | 'mul' | 'mulh' | 'mulhsu' | 'mulhu' | 'div' | 'divu' | 'rem' | 'remu';
export type CmpOp = 'eq' | 'lt' | 'ltu';

/** A 32-bit value. */
export type Word =
  | { k: 'opd'; name: Operand }
  | { k: 'const'; value: number }
  | { k: 'op'; op: WordOp; a: Word; b: Word }
  | { k: 'ite'; c: Bit; a: Word; b: Word }
  | { k: 'bool'; c: Bit };

/** A condition. */
export type Bit =
  | { k: 'cmp'; op: CmpOp; a: Word; b: Word }
  | { k: 'not'; a: Bit }
  | { k: 'both'; a: Bit; b: Bit };

/** A load or store: `size` bytes at byte address `addr`; a store writes `data` (in its byte lanes). */
export interface MemAccess {
  kind: 'load' | 'store';
  size: 1 | 2 | 4;
  addr: Word;
  data?: Word;
}

export interface IsaEntry {
  /** Mnemonic (lower case). */
  name: string;
  /** Verilog-safe form of the name. */
  ident: string;
  ext: Ext;
  format: Format;
  /** insn & mask === match. */
  match: number;
  mask: number;
  /** Value written to rd (none: no register write). */
  rd?: Word;
  /** pc_wdata (none: pc + 4). */
  next?: Word;
  mem?: MemAccess;
  /** ECALL/EBREAK: the environment decides the outcome. */
  env?: boolean;
}

/** The project's trap causes (rvfi_trap_cause; manifest trace.trapCauses). */
export const TRAP_CAUSE = {
  none: 0, // no trap, or a fault answered by the environment (unknown ecall, EBREAK)
  illegalInstruction: 1,
  misalignedFetch: 2,
  fetchOutsideRam: 3,
  misalignedLoad: 4,
  misalignedStore: 5,
  loadOutsideRam: 6,
  storeOutsideRam: 7,
} as const;

/** The environment's answer to ECALL/EBREAK (env_ack_kind); 3 is treated as a fault. */
export const ENV_KIND = { return: 0, exit: 1, fault: 2 } as const;

/**
 * Immediate layouts: [insn hi bit, insn lo bit, imm bit of insn lo]. Signed formats are
 * sign-extended from their top immediate bit (always insn[31]).
 */
export const IMM_LAYOUT: Record<Format, { fields: Array<[number, number, number]>; signed: boolean }> = {
  R: { fields: [], signed: false },
  I: { fields: [[31, 20, 0]], signed: true },
  S: { fields: [[31, 25, 5], [11, 7, 0]], signed: true },
  B: { fields: [[31, 31, 12], [7, 7, 11], [30, 25, 5], [11, 8, 1]], signed: true },
  U: { fields: [[31, 12, 12]], signed: false },
  J: { fields: [[31, 31, 20], [19, 12, 12], [20, 20, 11], [30, 21, 1]], signed: true },
};

/** Register fields (the same place in every format that has them). */
export const FIELDS = { rd: [11, 7], rs1: [19, 15], rs2: [24, 20] } as const;

// ---------------------------------------------------------------------------------------
// Expression builders

const opd = (name: Operand): Word => ({ k: 'opd', name });
const c = (value: number): Word => ({ k: 'const', value: value >>> 0 });
const op = (o: WordOp) => (a: Word, b: Word): Word => ({ k: 'op', op: o, a, b });
const cmp = (o: CmpOp) => (a: Word, b: Word): Bit => ({ k: 'cmp', op: o, a, b });
const ite = (cond: Bit, a: Word, b: Word): Word => ({ k: 'ite', c: cond, a, b });
const bool = (cond: Bit): Word => ({ k: 'bool', c: cond });
const not = (a: Bit): Bit => ({ k: 'not', a });
const both = (a: Bit, b: Bit): Bit => ({ k: 'both', a, b });

const [add, sub, and, or, xor, sll, srl, sra] = (['add', 'sub', 'and', 'or', 'xor', 'sll', 'srl', 'sra'] as const).map(op);
const [mul, mulh, mulhsu, mulhu, div, divu, rem, remu] = (['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'] as const).map(op);
const [eq, lt, ltu] = (['eq', 'lt', 'ltu'] as const).map(cmp);

const rs1 = opd('rs1'), rs2 = opd('rs2'), imm = opd('imm'), pc = opd('pc'), mem = opd('mem'), addr = opd('addr');
const ALL_ONES = c(0xffffffff);
const INT_MIN = c(0x80000000);

const shamt = (x: Word) => and(x, c(31));
const pcPlus4 = add(pc, c(4));
const branch = (cond: Bit): Word => ite(cond, add(pc, imm), pcPlus4);
/** The byte lane of `addr` in a word, in bits: 8 × addr[1:0]. */
const laneShift = sll(and(addr, c(3)), c(3));
const loaded = srl(mem, laneShift);
const sext = (bits: number, x: Word) => sra(sll(x, c(32 - bits)), c(32 - bits));
const zext = (bits: number, x: Word) => and(x, c(2 ** bits - 1));
const signedOverflow = both(eq(rs1, INT_MIN), eq(rs2, ALL_ONES));
const divByZero = eq(rs2, c(0));

// ---------------------------------------------------------------------------------------
// Encodings

const OPCODE = {
  LUI: 0b0110111, AUIPC: 0b0010111, JAL: 0b1101111, JALR: 0b1100111, BRANCH: 0b1100011,
  LOAD: 0b0000011, STORE: 0b0100011, OP_IMM: 0b0010011, OP: 0b0110011, MISC_MEM: 0b0001111, SYSTEM: 0b1110011,
} as const;

type Enc = { opcode: number; funct3?: number; funct7?: number } | { word: number } | { match: number; mask: number };

function encoding(e: Enc): { match: number; mask: number } {
  if ('word' in e) return { match: e.word >>> 0, mask: 0xffffffff };
  if ('mask' in e) return { match: e.match >>> 0, mask: e.mask >>> 0 };
  let match = e.opcode, mask = 0x7f;
  if (e.funct3 !== undefined) {
    match |= e.funct3 << 12;
    mask |= 7 << 12;
  }
  if (e.funct7 !== undefined) {
    match |= e.funct7 << 25;
    mask |= 0x7f << 25;
  }
  return { match: match >>> 0, mask: mask >>> 0 };
}

type Sem = Pick<IsaEntry, 'rd' | 'next' | 'mem' | 'env'>;

function insn(name: string, format: Format, enc: Enc, sem: Sem, ext: Ext = 'I'): IsaEntry {
  return { name, ident: name.replace('.', '_'), ext, format, ...encoding(enc), ...sem };
}

const load = (size: 1 | 2 | 4): MemAccess => ({ kind: 'load', size, addr: add(rs1, imm) });
const store = (size: 1 | 2 | 4, data: Word): MemAccess => ({ kind: 'store', size, addr: add(rs1, imm), data });

const { LUI, AUIPC, JAL, JALR, BRANCH, LOAD, STORE, OP_IMM, OP, MISC_MEM, SYSTEM } = OPCODE;

/**
 * A read of counter CSR `csr` that writes nothing: SYSTEM, funct3 bit 1 set (CSRRS, CSRRC,
 * CSRRSI, CSRRCI; the rd forms csrr/rdcycle are CSRRS), rs1/uimm field 0, rd free.
 */
const counterRead = (csr: number): Enc => ({ match: (csr << 20) | (2 << 12) | SYSTEM, mask: (0xfff << 20) | (0x1f << 15) | (2 << 12) | 0x7f });

/** RV32I (with FENCE.I), M and the counter reads of Zicntr, in the order of the manual's opcode map. */
export const ISA_TABLE: readonly IsaEntry[] = [
  insn('lui', 'U', { opcode: LUI }, { rd: imm }),
  insn('auipc', 'U', { opcode: AUIPC }, { rd: add(pc, imm) }),
  insn('jal', 'J', { opcode: JAL }, { rd: pcPlus4, next: add(pc, imm) }),
  insn('jalr', 'I', { opcode: JALR, funct3: 0 }, { rd: pcPlus4, next: and(add(rs1, imm), c(0xfffffffe)) }),

  insn('beq', 'B', { opcode: BRANCH, funct3: 0 }, { next: branch(eq(rs1, rs2)) }),
  insn('bne', 'B', { opcode: BRANCH, funct3: 1 }, { next: branch(not(eq(rs1, rs2))) }),
  insn('blt', 'B', { opcode: BRANCH, funct3: 4 }, { next: branch(lt(rs1, rs2)) }),
  insn('bge', 'B', { opcode: BRANCH, funct3: 5 }, { next: branch(not(lt(rs1, rs2))) }),
  insn('bltu', 'B', { opcode: BRANCH, funct3: 6 }, { next: branch(ltu(rs1, rs2)) }),
  insn('bgeu', 'B', { opcode: BRANCH, funct3: 7 }, { next: branch(not(ltu(rs1, rs2))) }),

  insn('lb', 'I', { opcode: LOAD, funct3: 0 }, { mem: load(1), rd: sext(8, loaded) }),
  insn('lh', 'I', { opcode: LOAD, funct3: 1 }, { mem: load(2), rd: sext(16, loaded) }),
  insn('lw', 'I', { opcode: LOAD, funct3: 2 }, { mem: load(4), rd: mem }),
  insn('lbu', 'I', { opcode: LOAD, funct3: 4 }, { mem: load(1), rd: zext(8, loaded) }),
  insn('lhu', 'I', { opcode: LOAD, funct3: 5 }, { mem: load(2), rd: zext(16, loaded) }),

  insn('sb', 'S', { opcode: STORE, funct3: 0 }, { mem: store(1, sll(zext(8, rs2), laneShift)) }),
  insn('sh', 'S', { opcode: STORE, funct3: 1 }, { mem: store(2, sll(zext(16, rs2), laneShift)) }),
  insn('sw', 'S', { opcode: STORE, funct3: 2 }, { mem: store(4, rs2) }),

  insn('addi', 'I', { opcode: OP_IMM, funct3: 0 }, { rd: add(rs1, imm) }),
  insn('slti', 'I', { opcode: OP_IMM, funct3: 2 }, { rd: bool(lt(rs1, imm)) }),
  insn('sltiu', 'I', { opcode: OP_IMM, funct3: 3 }, { rd: bool(ltu(rs1, imm)) }),
  insn('xori', 'I', { opcode: OP_IMM, funct3: 4 }, { rd: xor(rs1, imm) }),
  insn('ori', 'I', { opcode: OP_IMM, funct3: 6 }, { rd: or(rs1, imm) }),
  insn('andi', 'I', { opcode: OP_IMM, funct3: 7 }, { rd: and(rs1, imm) }),
  // RV32: shamt is imm[4:0]; imm[11:5] is funct7 (imm[5] = 1 is reserved, so illegal).
  insn('slli', 'I', { opcode: OP_IMM, funct3: 1, funct7: 0x00 }, { rd: sll(rs1, shamt(imm)) }),
  insn('srli', 'I', { opcode: OP_IMM, funct3: 5, funct7: 0x00 }, { rd: srl(rs1, shamt(imm)) }),
  insn('srai', 'I', { opcode: OP_IMM, funct3: 5, funct7: 0x20 }, { rd: sra(rs1, shamt(imm)) }),

  insn('add', 'R', { opcode: OP, funct3: 0, funct7: 0x00 }, { rd: add(rs1, rs2) }),
  insn('sub', 'R', { opcode: OP, funct3: 0, funct7: 0x20 }, { rd: sub(rs1, rs2) }),
  insn('sll', 'R', { opcode: OP, funct3: 1, funct7: 0x00 }, { rd: sll(rs1, shamt(rs2)) }),
  insn('slt', 'R', { opcode: OP, funct3: 2, funct7: 0x00 }, { rd: bool(lt(rs1, rs2)) }),
  insn('sltu', 'R', { opcode: OP, funct3: 3, funct7: 0x00 }, { rd: bool(ltu(rs1, rs2)) }),
  insn('xor', 'R', { opcode: OP, funct3: 4, funct7: 0x00 }, { rd: xor(rs1, rs2) }),
  insn('srl', 'R', { opcode: OP, funct3: 5, funct7: 0x00 }, { rd: srl(rs1, shamt(rs2)) }),
  insn('sra', 'R', { opcode: OP, funct3: 5, funct7: 0x20 }, { rd: sra(rs1, shamt(rs2)) }),
  insn('or', 'R', { opcode: OP, funct3: 6, funct7: 0x00 }, { rd: or(rs1, rs2) }),
  insn('and', 'R', { opcode: OP, funct3: 7, funct7: 0x00 }, { rd: and(rs1, rs2) }),

  // fm, pred, succ, rs1 and rd are ignored (zkrtl: any value; one hart, no caches).
  insn('fence', 'I', { opcode: MISC_MEM, funct3: 0 }, {}),
  insn('fence.i', 'I', { opcode: MISC_MEM, funct3: 1 }, {}),
  // Exact words: imm = 0 (ECALL) or 1 (EBREAK), every other field 0.
  insn('ecall', 'I', { word: SYSTEM }, { env: true }),
  insn('ebreak', 'I', { word: (1 << 20) | SYSTEM }, { env: true }),

  insn('mul', 'R', { opcode: OP, funct3: 0, funct7: 0x01 }, { rd: mul(rs1, rs2) }, 'M'),
  insn('mulh', 'R', { opcode: OP, funct3: 1, funct7: 0x01 }, { rd: mulh(rs1, rs2) }, 'M'),
  insn('mulhsu', 'R', { opcode: OP, funct3: 2, funct7: 0x01 }, { rd: mulhsu(rs1, rs2) }, 'M'),
  insn('mulhu', 'R', { opcode: OP, funct3: 3, funct7: 0x01 }, { rd: mulhu(rs1, rs2) }, 'M'),
  // Division by zero: quotient all ones, remainder the dividend; overflow (-2^31 / -1):
  // quotient -2^31, remainder 0 (the manual's table of division corner cases).
  insn('div', 'R', { opcode: OP, funct3: 4, funct7: 0x01 }, { rd: ite(divByZero, ALL_ONES, ite(signedOverflow, INT_MIN, div(rs1, rs2))) }, 'M'),
  insn('divu', 'R', { opcode: OP, funct3: 5, funct7: 0x01 }, { rd: ite(divByZero, ALL_ONES, divu(rs1, rs2)) }, 'M'),
  insn('rem', 'R', { opcode: OP, funct3: 6, funct7: 0x01 }, { rd: ite(divByZero, rs1, ite(signedOverflow, c(0), rem(rs1, rs2))) }, 'M'),
  insn('remu', 'R', { opcode: OP, funct3: 7, funct7: 0x01 }, { rd: ite(divByZero, rs1, remu(rs1, rs2)) }, 'M'),

  // Zicntr: the pseudo-instructions of the manual name the CSRRS form; the table entry covers all four.
  insn('rdcycle', 'I', counterRead(0xc00), { rd: opd('cycle') }, 'Zicntr'),
  insn('rdtime', 'I', counterRead(0xc01), { rd: opd('cycle') }, 'Zicntr'),
  insn('rdinstret', 'I', counterRead(0xc02), { rd: opd('instret') }, 'Zicntr'),
  insn('rdcycleh', 'I', counterRead(0xc80), { rd: opd('cycleh') }, 'Zicntr'),
  insn('rdtimeh', 'I', counterRead(0xc81), { rd: opd('cycleh') }, 'Zicntr'),
  insn('rdinstreth', 'I', counterRead(0xc82), { rd: opd('instreth') }, 'Zicntr'),
];

/** The operands an expression uses. */
export function operandsOf(e: Word | Bit, into = new Set<Operand>()): Set<Operand> {
  switch (e.k) {
    case 'opd': into.add(e.name); break;
    case 'const': break;
    case 'op': case 'cmp': case 'both': operandsOf(e.a, into); operandsOf(e.b, into); break;
    case 'ite': operandsOf(e.c, into); operandsOf(e.a, into); operandsOf(e.b, into); break;
    case 'bool': operandsOf(e.c, into); break;
    case 'not': operandsOf(e.a, into); break;
  }
  return into;
}

/** Which source registers an entry reads: those its expressions use (rs1 through addr too). */
export function readsOf(e: IsaEntry): { rs1: boolean; rs2: boolean } {
  const used = new Set<Operand>();
  for (const x of [e.rd, e.next, e.mem?.addr, e.mem?.data]) if (x) operandsOf(x, used);
  return { rs1: used.has('rs1'), rs2: used.has('rs2') };
}
