// Random rv32im programs: valid, terminating instruction streams, assembled here (a small
// encoder, no gcc needed) into a static ELF that runs the same way on qemu-riscv32, the model
// and the core. From a seed, deterministically:
//
//   prologue  every register x1..x31 set (li), x31 = data base (never written afterwards)
//   body      random units: every RV32I ALU op and every M op (with edge operands fed in often),
//             LUI/AUIPC, loads/stores of every width at aligned offsets inside the data area
//             (from x31, or from an address computed from a random register into x30),
//             forward branches over simple instructions (taken or not), bounded loops
//             (counter x29), JAL/JALR forward with link values, writes to x0, FENCE
//   epilogue  x1..x31 stored to a save area, a checksum of the data area computed, 32 words
//             printed as hex lines with write(1, …), exit(checksum & 0xff)
//
// Memory map: text at 0x10000; data segment at 0x20000: 3 KiB of random initial data (the
// area loads and stores touch, x31 = 0x20800), then zero-filled (.bss) save area and text
// buffer. formatFinalState/parseFinalState give the printout format.

export const RANDOM_TEXT_BASE = 0x10000;
export const RANDOM_DATA_BASE = 0x20000;
const DATA_AREA_BYTES = 3072; // [DATA_BASE, DATA_BASE + 3072): random initial contents, loads/stores
const BASE = RANDOM_DATA_BASE + 2048; // x31: area = [BASE - 2048, BASE + 1024)
const SAVE = RANDOM_DATA_BASE + 3072; // 32 words: x1..x31, checksum
const OUTBUF = RANDOM_DATA_BASE + 3200; // 32 lines of 9 bytes
const DATA_MEMSZ = 4096;

// ---------------------------------------------------------------------------------------
// Encoder

const R = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number) =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const I = (imm: number, rs1: number, f3: number, rd: number, op: number) =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const S = (imm: number, rs2: number, rs1: number, f3: number, op: number) =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op) >>> 0;
const B = (imm: number, rs2: number, rs1: number, f3: number) =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;
const U = (imm20: number, rd: number, op: number) => (((imm20 & 0xfffff) << 12) | (rd << 7) | op) >>> 0;
const J = (imm: number, rd: number) =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12) |
    (rd << 7) | 0x6f) >>> 0;

/** Encoders of every RV32IM instruction (for the generator and the tests). */
export const enc = {
  lui: (rd: number, imm20: number) => U(imm20, rd, 0x37),
  auipc: (rd: number, imm20: number) => U(imm20, rd, 0x17),
  jal: (rd: number, off: number) => J(off, rd),
  jalr: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x67),
  beq: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 0),
  bne: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 1),
  blt: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 4),
  bge: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 5),
  bltu: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 6),
  bgeu: (rs1: number, rs2: number, off: number) => B(off, rs2, rs1, 7),
  lb: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x03),
  lh: (rd: number, rs1: number, imm: number) => I(imm, rs1, 1, rd, 0x03),
  lw: (rd: number, rs1: number, imm: number) => I(imm, rs1, 2, rd, 0x03),
  lbu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 4, rd, 0x03),
  lhu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 5, rd, 0x03),
  sb: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 0, 0x23),
  sh: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 1, 0x23),
  sw: (rs2: number, rs1: number, imm: number) => S(imm, rs2, rs1, 2, 0x23),
  addi: (rd: number, rs1: number, imm: number) => I(imm, rs1, 0, rd, 0x13),
  slti: (rd: number, rs1: number, imm: number) => I(imm, rs1, 2, rd, 0x13),
  sltiu: (rd: number, rs1: number, imm: number) => I(imm, rs1, 3, rd, 0x13),
  xori: (rd: number, rs1: number, imm: number) => I(imm, rs1, 4, rd, 0x13),
  ori: (rd: number, rs1: number, imm: number) => I(imm, rs1, 6, rd, 0x13),
  andi: (rd: number, rs1: number, imm: number) => I(imm, rs1, 7, rd, 0x13),
  slli: (rd: number, rs1: number, sh: number) => R(0, sh, rs1, 1, rd, 0x13),
  srli: (rd: number, rs1: number, sh: number) => R(0, sh, rs1, 5, rd, 0x13),
  srai: (rd: number, rs1: number, sh: number) => R(0x20, sh, rs1, 5, rd, 0x13),
  add: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 0, rd, 0x33),
  sub: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 0, rd, 0x33),
  sll: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 1, rd, 0x33),
  slt: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 2, rd, 0x33),
  sltu: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 3, rd, 0x33),
  xor: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 4, rd, 0x33),
  srl: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 5, rd, 0x33),
  sra: (rd: number, rs1: number, rs2: number) => R(0x20, rs2, rs1, 5, rd, 0x33),
  or: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 6, rd, 0x33),
  and: (rd: number, rs1: number, rs2: number) => R(0, rs2, rs1, 7, rd, 0x33),
  mul: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 0, rd, 0x33),
  mulh: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 1, rd, 0x33),
  mulhsu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 2, rd, 0x33),
  mulhu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 3, rd, 0x33),
  div: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 4, rd, 0x33),
  divu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 5, rd, 0x33),
  rem: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 6, rd, 0x33),
  remu: (rd: number, rs1: number, rs2: number) => R(1, rs2, rs1, 7, rd, 0x33),
  fence: () => 0x0ff0000f,
  fence_i: () => 0x0000100f,
  ecall: () => 0x00000073,
  ebreak: () => 0x00100073,
};

/** `li rd, value` as LUI + ADDI (always two words, so sizes are known up front). */
export function li(rd: number, value: number): number[] {
  const v = value | 0;
  const lo = (v << 20) >> 20; // sign-extended low 12 bits
  const hi = ((v - lo) >>> 12) & 0xfffff;
  return [enc.lui(rd, hi), enc.addi(rd, rd, lo)];
}

// ---------------------------------------------------------------------------------------
// ELF writer

/**
 * A static little-endian ELF32 RISC-V executable with one RX (.text) and one RW (.data, then
 * .bss up to dataMemsz) PT_LOAD segment, and a section header table (qemu-riscv32 refuses an
 * executable without one).
 */
export function buildElf(text: Uint32Array | number[], textAddr: number, data: Uint8Array, dataAddr: number, dataMemsz: number, entry = textAddr): Uint8Array {
  const textBytes = text.length * 4;
  const textOff = 0x1000;
  const dataOff = textOff + Math.ceil(textBytes / 0x1000) * 0x1000;
  const names = '\0.text\0.data\0.bss\0.shstrtab\0';
  const strOff = dataOff + data.length;
  const shOff = Math.ceil((strOff + names.length) / 4) * 4;
  const sections = [
    // name offset, type, flags, addr, offset, size
    [0, 0, 0, 0, 0, 0],
    [1, 1, 6, textAddr, textOff, textBytes],
    [7, 1, 3, dataAddr, dataOff, data.length],
    [13, 8, 3, dataAddr + data.length, dataOff + data.length, dataMemsz - data.length],
    [18, 3, 0, 0, strOff, names.length],
  ];
  const out = new Uint8Array(shOff + 40 * sections.length);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]);
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 243, true); // EM_RISCV
  dv.setUint32(20, 1, true);
  dv.setUint32(24, entry >>> 0, true);
  dv.setUint32(28, 52, true); // e_phoff
  dv.setUint32(32, shOff, true);
  dv.setUint32(36, 0, true); // e_flags: soft float, no RVC
  dv.setUint16(40, 52, true);
  dv.setUint16(42, 32, true);
  dv.setUint16(44, 2, true);
  dv.setUint16(46, 40, true);
  dv.setUint16(48, sections.length, true);
  dv.setUint16(50, sections.length - 1, true);
  const ph = (i: number, off: number, vaddr: number, filesz: number, memsz: number, flags: number) => {
    const o = 52 + 32 * i;
    dv.setUint32(o, 1, true); // PT_LOAD
    dv.setUint32(o + 4, off, true);
    dv.setUint32(o + 8, vaddr, true);
    dv.setUint32(o + 12, vaddr, true);
    dv.setUint32(o + 16, filesz, true);
    dv.setUint32(o + 20, memsz, true);
    dv.setUint32(o + 24, flags, true);
    dv.setUint32(o + 28, 0x1000, true);
  };
  ph(0, textOff, textAddr, textBytes, textBytes, 5);
  ph(1, dataOff, dataAddr, data.length, dataMemsz, 6);
  for (let i = 0; i < text.length; i++) dv.setUint32(textOff + 4 * i, text[i]! >>> 0, true);
  out.set(data, dataOff);
  for (let i = 0; i < names.length; i++) out[strOff + i] = names.charCodeAt(i);
  sections.forEach(([name, type, flags, addr, off, size], i) => {
    const o = shOff + 40 * i;
    dv.setUint32(o, name!, true);
    dv.setUint32(o + 4, type!, true);
    dv.setUint32(o + 8, flags!, true);
    dv.setUint32(o + 12, addr!, true);
    dv.setUint32(o + 16, off!, true);
    dv.setUint32(o + 20, size!, true);
    dv.setUint32(o + 32, i === 0 || i === 4 ? 0 : 4, true); // sh_addralign
  });
  return out;
}

// ---------------------------------------------------------------------------------------
// Generator

/** mulberry32: small deterministic PRNG. */
function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0);
  };
  return {
    u32: next,
    int: (n: number) => next() % n,
    pick: <T>(xs: readonly T[]): T => xs[next() % xs.length]!,
    chance: (p: number) => next() / 4294967296 < p,
  };
}

const EDGE_VALUES = [0, 1, -1, 2, -2, 0x7fffffff, 0x80000000, 0x80000001, 0xffff, 0x10000, 31, 32, 0x12345678] as const;
const EDGE_IMMS = [0, 1, -1, 2047, -2048, 31, 0x7ff, -0x800, 0x555, -0x556] as const;
const R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'] as const;
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi'] as const;
const SH_OPS = ['slli', 'srli', 'srai'] as const;
const BR_OPS = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'] as const;
const LOADS = [['lb', 1], ['lbu', 1], ['lh', 2], ['lhu', 2], ['lw', 4]] as const;
const STORES = [['sb', 1], ['sh', 2], ['sw', 4]] as const;

const LOOP_REG = 29;
const TMP_REG = 30;
const BASE_REG = 31;

export interface RandomProgramOptions {
  /** Number of random units in the body (default 400). */
  units?: number;
}

export interface RandomProgram {
  seed: number;
  elf: Uint8Array;
  entry: number;
  /** The text words, at RANDOM_TEXT_BASE. */
  text: Uint32Array;
}

/** A random, valid, terminating rv32im program for `seed`, as a static ELF. */
export function randomProgram(seed: number, opts: RandomProgramOptions = {}): RandomProgram {
  const rnd = prng(seed * 0x9e3779b1 + 0x7f4a7c15);
  const units = opts.units ?? 400;
  const code: number[] = [];
  const dest = () => (rnd.chance(0.04) ? 0 : 1 + rnd.int(28)); // x0 sometimes; never x29..x31
  const src = () => rnd.int(32);
  const imm12 = () => (rnd.chance(0.3) ? rnd.pick(EDGE_IMMS) : (rnd.u32() << 20) >> 20);

  /** One instruction that cannot leave the program or the data area (for bodies that may be skipped). */
  const simple = (): number => {
    const k = rnd.int(100);
    if (k < 40) return (enc[rnd.pick(R_OPS)] as (a: number, b: number, c: number) => number)(dest(), src(), src());
    if (k < 58) return (enc[rnd.pick(I_OPS)] as (a: number, b: number, c: number) => number)(dest(), src(), imm12());
    if (k < 66) return (enc[rnd.pick(SH_OPS)] as (a: number, b: number, c: number) => number)(dest(), src(), rnd.pick([0, 1, 31, rnd.int(32)]));
    if (k < 70) return rnd.chance(0.5) ? enc.lui(dest(), rnd.u32() >>> 12) : enc.auipc(dest(), rnd.u32() >>> 12);
    if (k < 85) {
      const [name, size] = rnd.pick(LOADS);
      const off = -2048 + size * rnd.int(3072 / size);
      return enc[name](dest(), BASE_REG, off);
    }
    if (k < 98) {
      const [name, size] = rnd.pick(STORES);
      const off = -2048 + size * rnd.int(3072 / size);
      return enc[name](src(), BASE_REG, off);
    }
    return rnd.chance(0.5) ? enc.fence() : enc.fence_i();
  };

  // Prologue: every register gets a value; x31 the data base.
  for (let r = 1; r < 32; r++) {
    const v = r === BASE_REG ? BASE : rnd.chance(0.35) ? rnd.pick(EDGE_VALUES) : rnd.u32();
    code.push(...li(r, v));
  }

  for (let u = 0; u < units; u++) {
    const k = rnd.int(100);
    if (k < 50) {
      code.push(simple());
    } else if (k < 58) {
      // Edge operand into a register, then an M or ALU op on it.
      const r = 1 + rnd.int(28);
      code.push(...li(r, rnd.pick(EDGE_VALUES)));
      code.push((enc[rnd.pick(R_OPS)] as (a: number, b: number, c: number) => number)(dest(), rnd.chance(0.5) ? r : src(), rnd.chance(0.5) ? r : src()));
    } else if (k < 68) {
      // Load or store through an address computed from a random register.
      const rs = src();
      code.push(enc.andi(TMP_REG, rs, 0x7fc), enc.add(TMP_REG, TMP_REG, BASE_REG));
      // TMP = BASE + [0, 2044]; offsets in [-2048, -1024] keep the address in [BASE-2048, BASE+1020].
      if (rnd.chance(0.5)) {
        const [name, size] = rnd.pick(LOADS);
        code.push(enc[name](dest(), TMP_REG, -2048 + size * rnd.int(1024 / size + 1)));
      } else {
        const [name, size] = rnd.pick(STORES);
        code.push(enc[name](src(), TMP_REG, -2048 + size * rnd.int(1024 / size + 1)));
      }
    } else if (k < 82) {
      // Forward branch over 0..4 simple instructions.
      const skip = rnd.int(5);
      const rs1 = src();
      const rs2 = rnd.chance(0.2) ? rs1 : src();
      code.push(enc[rnd.pick(BR_OPS)](rs1, rs2, 4 * (skip + 1)));
      for (let i = 0; i < skip; i++) code.push(simple());
    } else if (k < 88) {
      // Bounded loop: x29 = n; body; x29 -= 1; bnez x29, body.
      const n = 1 + rnd.int(6);
      code.push(...li(LOOP_REG, n));
      const top = code.length;
      const len = 1 + rnd.int(5);
      for (let i = 0; i < len; i++) code.push(simple());
      code.push(enc.addi(LOOP_REG, LOOP_REG, -1));
      code.push(enc.bne(LOOP_REG, 0, 4 * (top - code.length)));
    } else if (k < 94) {
      // JAL forward over 0..3 simple instructions; the link value lands in rd.
      const skip = rnd.int(4);
      code.push(enc.jal(dest(), 4 * (skip + 1)));
      for (let i = 0; i < skip; i++) code.push(simple());
    } else {
      // JALR: x30 = pc (auipc), jump forward (sometimes with bit 0 set, which JALR clears).
      const skip = rnd.int(3);
      code.push(enc.auipc(TMP_REG, 0));
      code.push(enc.jalr(dest(), TMP_REG, 8 + 4 * skip + (rnd.chance(0.3) ? 1 : 0)));
      for (let i = 0; i < skip; i++) code.push(simple());
    }
  }

  // Epilogue: save x1..x31, checksum the data area, print 32 hex lines, exit(checksum & 0xff).
  code.push(...li(TMP_REG, SAVE));
  for (let r = 1; r < 32; r++) code.push(enc.sw(r, TMP_REG, 4 * (r - 1)));
  // x5 = pointer, x6 = end, x7 = hash, x8 = word, x9 = 0x01000193
  code.push(...li(5, RANDOM_DATA_BASE), ...li(6, RANDOM_DATA_BASE + DATA_AREA_BYTES), ...li(7, 0x811c9dc5), ...li(9, 0x01000193));
  {
    const top = code.length;
    code.push(enc.lw(8, 5, 0), enc.xor(7, 7, 8), enc.mul(7, 7, 9), enc.addi(5, 5, 4));
    code.push(enc.bltu(5, 6, 4 * (top - code.length)));
  }
  code.push(enc.sw(7, TMP_REG, 4 * 31));
  // Hex: x5 = src word pointer, x6 = dst, x10 = words left, x11 = word, x12 = nibble counter, x13 = digit
  code.push(...li(5, SAVE), ...li(6, OUTBUF), ...li(10, 32));
  {
    const outer = code.length;
    code.push(enc.lw(11, 5, 0), enc.addi(12, 0, 8));
    const inner = code.length;
    code.push(enc.srli(13, 11, 28), enc.slli(11, 11, 4), enc.addi(14, 0, 10));
    code.push(enc.bltu(13, 14, 8)); // digit < 10: skip the letter adjustment
    code.push(enc.addi(13, 13, 39)); // 'a' - '0' - 10
    code.push(enc.addi(13, 13, 48), enc.sb(13, 6, 0), enc.addi(6, 6, 1), enc.addi(12, 12, -1));
    code.push(enc.bne(12, 0, 4 * (inner - code.length)));
    code.push(enc.addi(13, 0, 10), enc.sb(13, 6, 0), enc.addi(6, 6, 1), enc.addi(5, 5, 4), enc.addi(10, 10, -1));
    code.push(enc.bne(10, 0, 4 * (outer - code.length)));
  }
  code.push(enc.addi(10, 0, 1), ...li(11, OUTBUF), enc.addi(12, 0, 32 * 9), enc.addi(17, 0, 64), enc.ecall());
  code.push(enc.addi(10, 7, 0), enc.addi(17, 0, 93), enc.ecall());

  const data = new Uint8Array(DATA_AREA_BYTES);
  for (let i = 0; i < data.length; i += 4) {
    const w = rnd.chance(0.2) ? rnd.pick(EDGE_VALUES) : rnd.u32();
    data[i] = w & 0xff;
    data[i + 1] = (w >>> 8) & 0xff;
    data[i + 2] = (w >>> 16) & 0xff;
    data[i + 3] = (w >>> 24) & 0xff;
  }
  const text = Uint32Array.from(code);
  return { seed, elf: buildElf(text, RANDOM_TEXT_BASE, data, RANDOM_DATA_BASE, DATA_MEMSZ), entry: RANDOM_TEXT_BASE, text };
}

export interface FinalState {
  /** x1..x31 (index 0 is x1). */
  regs: number[];
  checksum: number;
}

/** The printout of a random program: x1..x31 then the checksum, one 8-digit hex word per line. */
export function formatFinalState(s: FinalState): string {
  return [...s.regs, s.checksum].map((v) => `${(v >>> 0).toString(16).padStart(8, '0')}\n`).join('');
}

/** Parses a random program's stdout; throws when it is not 32 hex lines. */
export function parseFinalState(stdout: string): FinalState {
  const lines = stdout.split('\n');
  if (lines.length !== 33 || lines[32] !== '' || lines.slice(0, 32).some((l) => !/^[0-9a-f]{8}$/.test(l))) {
    throw new Error(`random program output is not 32 lines of 8 hex digits: ${JSON.stringify(stdout.slice(0, 80))}`);
  }
  const words = lines.slice(0, 32).map((l) => parseInt(l, 16));
  return { regs: words.slice(0, 31), checksum: words[31]! };
}
