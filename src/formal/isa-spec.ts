// The RV32IM ISA spec of a retirement row, from the table of src/formal/isa-table.ts: what
// one instruction must do given the row's inputs (insn, pc_rdata, rs1_rdata, rs2_rdata,
// mem_rdata) and the answers of the world around the core (fetch fault, data fault,
// environment answer). Two forms of the same table: evalSpec (TypeScript) and the Verilog
// module rv32im_isa_spec (combinational, Verilog-2005, for simulation and formal checks).
// test/isa-spec.test.ts holds them against each other and evalSpec against the ISS.
//
// Order of traps (the first that applies): misaligned fetch (pc[1:0] != 0), fetch fault,
// illegal instruction, misaligned load/store, data fault, environment fault. A trap row
// reports rs1/rs2 only for a load or store (the registers were read to form the address).
import { GENERATOR_ID, type Port } from '../gen/design.ts';
import { altopVerilog, shiftStandInVerilog, type MOp, type ShiftKind } from './altops.ts';
import { ENV_KIND, FIELDS, IMM_LAYOUT, ISA_TABLE, operandsOf, readsOf, TRAP_CAUSE, type Bit, type Format, type IsaEntry, type Operand, type Word } from './isa-table.ts';

export const ISA_SPEC_MODULE = 'rv32im_isa_spec';
/** The spec of formal builds: the M instructions give the stand-ins of src/formal/altops.ts. */
export const ISA_SPEC_ALTOPS_MODULE = 'rv32im_isa_spec_altops';
/** ... of a shift=mul core's formal build: its shifts too are the multiplier's stand-in (shiftStandInVerilog). */
export const ISA_SPEC_ALTOPS_SHMUL_MODULE = 'rv32im_isa_spec_altops_shmul';

/** The shift entries of the table, and which shift each makes (shift=mul's stand-in in formal builds). */
const SHIFT_KIND: Record<string, ShiftKind> = { sll: 'sll', slli: 'sll', srl: 'srl', srli: 'srl', sra: 'sra', srai: 'sra' };

/** Which shift a table entry makes, or undefined. */
export function shiftKindOf(name: string): ShiftKind | undefined {
  return SHIFT_KIND[name];
}

/** The spec module a formal build checks against: stand-ins for M, and with shift=mul for the shifts too. */
export function isaSpecAltopsModule(opts: { shiftMul?: boolean }): string {
  return opts.shiftMul ? ISA_SPEC_ALTOPS_SHMUL_MODULE : ISA_SPEC_ALTOPS_MODULE;
}

export interface SpecInput {
  insn: number;
  pc_rdata: number;
  /** Value of register insn[19:15] (0 for x0), whether or not the instruction reads it. */
  rs1_rdata: number;
  /** Value of register insn[24:20]. */
  rs2_rdata: number;
  /** The aligned word at the load's address (ignored unless the instruction loads). */
  mem_rdata: number;
  /** The instruction fetch was answered with a fault (imem_fault). Default false. */
  fetch_fault?: boolean;
  /** The data access was answered with a fault (dmem_fault). Default false. */
  mem_fault?: boolean;
  /** The environment's answer to ECALL/EBREAK (ENV_KIND; 3 = fault). Default 0 (return). */
  env_kind?: number;
  /** With env_kind 0: the value written to a0. Default 0. */
  env_a0?: number;
  /** The cycle in which the row retires (64 bits; rdcycle, rdtime). Default 0. */
  cycle?: bigint;
  /** The row's order: instructions retired before it (64 bits; rdinstret). Default 0. */
  instret?: bigint;
}

export interface SpecOutput {
  /** insn is an instruction of the table (with M only when enabled), fetched or not. */
  valid_insn: boolean;
  /** Its table entry's name, or undefined. */
  name: string | undefined;
  trap: boolean;
  trap_cause: number;
  halt: boolean;
  rs1_addr: number;
  rs2_addr: number;
  rd_addr: number;
  rd_wdata: number;
  pc_wdata: number;
  mem_addr: number;
  mem_rmask: number;
  mem_wmask: number;
  mem_wdata: number;
}

export interface SpecOptions {
  /** The M extension (default on); off: its encodings are illegal. */
  m?: boolean;
  /** The counter reads of Zicntr (default on); off: their encodings are illegal. */
  zicntr?: boolean;
}

// ---------------------------------------------------------------------------------------
// Evaluation (BigInt, unsigned 32-bit words)

const M32 = 0xffffffffn;
const u = (v: bigint) => v & M32;
const s = (v: bigint) => BigInt.asIntN(32, v);

type Binding = Record<Operand, bigint>;

function evalWord(e: Word, b: Binding): bigint {
  switch (e.k) {
    case 'opd': return b[e.name];
    case 'const': return BigInt(e.value);
    case 'bool': return evalBit(e.c, b) ? 1n : 0n;
    case 'ite': return evalBit(e.c, b) ? evalWord(e.a, b) : evalWord(e.b, b);
    case 'op': {
      const x = evalWord(e.a, b), y = evalWord(e.b, b);
      switch (e.op) {
        case 'add': return u(x + y);
        case 'sub': return u(x - y);
        case 'and': return x & y;
        case 'or': return x | y;
        case 'xor': return x ^ y;
        case 'sll': return y >= 32n ? 0n : u(x << y);
        case 'srl': return y >= 32n ? 0n : x >> y;
        case 'sra': return u(s(x) >> (y >= 32n ? 31n : y));
        case 'mul': return u(x * y);
        case 'mulh': return u((s(x) * s(y)) >> 32n);
        case 'mulhsu': return u((s(x) * y) >> 32n);
        case 'mulhu': return u((x * y) >> 32n);
        // Raw division: the table guards zero divisors and overflow; 0 keeps this total.
        case 'div': return y === 0n ? 0n : u(s(x) / s(y));
        case 'divu': return y === 0n ? 0n : x / y;
        case 'rem': return y === 0n ? 0n : u(s(x) % s(y));
        case 'remu': return y === 0n ? 0n : x % y;
      }
    }
  }
}

function evalBit(e: Bit, b: Binding): boolean {
  switch (e.k) {
    case 'not': return !evalBit(e.a, b);
    case 'both': return evalBit(e.a, b) && evalBit(e.b, b);
    case 'cmp': {
      const x = evalWord(e.a, b), y = evalWord(e.b, b);
      return e.op === 'eq' ? x === y : e.op === 'lt' ? s(x) < s(y) : x < y;
    }
  }
}

const field = (insn: number, [hi, lo]: readonly [number, number]) => (insn >>> lo) & ((1 << (hi - lo + 1)) - 1);

/** The immediate of `format` in `insn` (unsigned 32-bit). */
export function immediate(insn: number, format: Format): number {
  const { fields, signed } = IMM_LAYOUT[format];
  let v = 0, top = 0;
  for (const [hi, lo, at] of fields) {
    v |= field(insn, [hi, lo]) << at;
    top = Math.max(top, at + hi - lo);
  }
  if (signed && top < 31 && ((insn >>> 31) & 1)) v |= ~0 << (top + 1);
  return v >>> 0;
}

const READS = new Map(ISA_TABLE.map((e) => [e, readsOf(e)]));

/** The table entry of `insn`, if any. */
export function lookup(insn: number, opts: SpecOptions = {}): IsaEntry | undefined {
  const on = { I: true, M: opts.m ?? true, Zicntr: opts.zicntr ?? true };
  return ISA_TABLE.find((e) => on[e.ext] && ((insn & e.mask) >>> 0) === e.match);
}

/** What the row of one retired instruction must hold, by the table. */
export function evalSpec(row: SpecInput, opts: SpecOptions = {}): SpecOutput {
  const insn = row.insn >>> 0;
  const pc = row.pc_rdata >>> 0;
  const entry = lookup(insn, opts);
  const fetchMis = (pc & 3) !== 0;
  const fetchFault = row.fetch_fault ?? false;
  const fetchTrap = fetchMis || fetchFault;
  const sel = fetchTrap ? undefined : entry;
  const b: Binding = {
    rs1: BigInt(row.rs1_rdata >>> 0), rs2: BigInt(row.rs2_rdata >>> 0), pc: BigInt(pc), mem: BigInt(row.mem_rdata >>> 0),
    imm: BigInt(sel ? immediate(insn, sel.format) : 0), addr: 0n,
    cycle: u(row.cycle ?? 0n), cycleh: u((row.cycle ?? 0n) >> 32n), instret: u(row.instret ?? 0n), instreth: u((row.instret ?? 0n) >> 32n),
  };
  const mem = sel?.mem;
  if (mem) b.addr = evalWord(mem.addr, b);
  const addr = Number(b.addr);
  const lsMis = mem !== undefined && (addr & (mem.size - 1)) !== 0;
  const lsFault = mem !== undefined && !lsMis && (row.mem_fault ?? false);
  const envKind = (row.env_kind ?? ENV_KIND.return) & 3;
  const env = sel?.env ?? false;
  const envRet = env && envKind === ENV_KIND.return;
  const envExit = env && envKind === ENV_KIND.exit;
  const envFault = env && envKind >= ENV_KIND.fault;
  const illegal = !fetchTrap && entry === undefined;
  const trap = fetchTrap || illegal || lsMis || lsFault || envFault;
  const store = mem?.kind === 'store';
  const trap_cause = fetchMis ? TRAP_CAUSE.misalignedFetch
    : fetchFault ? TRAP_CAUSE.fetchOutsideRam
    : illegal ? TRAP_CAUSE.illegalInstruction
    : lsMis ? (store ? TRAP_CAUSE.misalignedStore : TRAP_CAUSE.misalignedLoad)
    : lsFault ? (store ? TRAP_CAUSE.storeOutsideRam : TRAP_CAUSE.loadOutsideRam)
    : TRAP_CAUSE.none;
  const reads = sel ? READS.get(sel)! : { rs1: false, rs2: false };
  const out: SpecOutput = {
    valid_insn: entry !== undefined,
    name: entry?.name,
    trap, trap_cause, halt: trap || envExit,
    rs1_addr: reads.rs1 ? field(insn, FIELDS.rs1) : 0,
    rs2_addr: reads.rs2 ? field(insn, FIELDS.rs2) : 0,
    rd_addr: 0, rd_wdata: 0,
    pc_wdata: (pc + 4) >>> 0,
    mem_addr: 0, mem_rmask: 0, mem_wmask: 0, mem_wdata: 0,
  };
  if (envRet) {
    out.rd_addr = 10;
    out.rd_wdata = (row.env_a0 ?? 0) >>> 0;
  } else if (sel && !trap && sel.rd && field(insn, FIELDS.rd) !== 0) {
    out.rd_addr = field(insn, FIELDS.rd);
    out.rd_wdata = Number(evalWord(sel.rd, b));
  }
  if (sel && !trap && sel.next) out.pc_wdata = Number(evalWord(sel.next, b));
  if (mem && !trap) {
    const lanes = (((1 << mem.size) - 1) << (addr & 3)) & 15;
    out.mem_addr = (addr & ~3) >>> 0;
    if (store) {
      out.mem_wmask = lanes;
      out.mem_wdata = Number(evalWord(mem.data!, b));
    } else {
      out.mem_rmask = lanes;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Verilog

/** spec_op: 0 = no table entry, else 1 + the entry's index in ISA_TABLE. */
export const SPEC_OP_BITS = 6;
if (ISA_TABLE.length >= 2 ** SPEC_OP_BITS) throw new Error(`ISA_TABLE has ${ISA_TABLE.length} entries: spec_op needs more than ${SPEC_OP_BITS} bits`);

const port = (name: string, dir: 'in' | 'out', width: number, description: string): Port => ({ name, dir, width, description });

export const ISA_SPEC_PORTS: readonly Port[] = [
  port('spec_insn', 'in', 32, 'instruction word'),
  port('spec_pc_rdata', 'in', 32, 'pc of the instruction'),
  port('spec_rs1_rdata', 'in', 32, 'value of register insn[19:15] (0 for x0)'),
  port('spec_rs2_rdata', 'in', 32, 'value of register insn[24:20] (0 for x0)'),
  port('spec_mem_rdata', 'in', 32, 'aligned word read by a load'),
  port('spec_fetch_fault', 'in', 1, 'the fetch was answered with a fault'),
  port('spec_mem_fault', 'in', 1, 'the data access was answered with a fault'),
  port('spec_env_kind', 'in', 2, 'the environment answer to ECALL/EBREAK: 0 return, 1 exit, 2 or 3 fault'),
  port('spec_env_a0', 'in', 32, 'with env kind 0: the value written to a0'),
  port('spec_cycle', 'in', 64, 'the cycle the row retires in, from reset (rdcycle, rdtime)'),
  port('spec_instret', 'in', 64, 'the rows retired before this one (rdinstret)'),
  port('spec_valid_insn', 'out', 1, 'insn is an instruction (M only with M_EXT, counters only with ZICNTR)'),
  port('spec_op', 'out', SPEC_OP_BITS, '0, or 1 + the index of insn in the ISA table'),
  port('spec_trap', 'out', 1, 'the row must be a trap'),
  port('spec_trap_cause', 'out', 3, 'trap cause (manifest trace.trapCauses)'),
  port('spec_halt', 'out', 1, 'the row must halt (trap or exit)'),
  port('spec_rs1_addr', 'out', 5, 'rs1 when read, else 0'),
  port('spec_rs2_addr', 'out', 5, 'rs2 when read, else 0'),
  port('spec_rd_addr', 'out', 5, 'rd when written and not x0, else 0'),
  port('spec_rd_wdata', 'out', 32, 'value written to rd (0 when rd_addr is 0)'),
  port('spec_pc_wdata', 'out', 32, 'next pc'),
  port('spec_mem_addr', 'out', 32, 'word-aligned address of the access (0 without one)'),
  port('spec_mem_rmask', 'out', 4, 'byte lanes read'),
  port('spec_mem_wmask', 'out', 4, 'byte lanes written'),
  port('spec_mem_wdata', 'out', 32, 'stored bytes in their lanes, 0 elsewhere'),
];

const hex32 = (v: number) => `32'h${(v >>> 0).toString(16).padStart(8, '0')}`;
const isLiteral = (x: string) => x.startsWith("32'h");

/** The immediate of `format` as a Verilog concatenation of spec_insn bits. */
function immConcat(format: Format): string {
  const { fields, signed } = IMM_LAYOUT[format];
  // Source of each immediate bit, 31 down to 0: an insn bit, or -1 for 0.
  const src: number[] = [];
  let top = 0;
  for (const [hi, lo, at] of fields) top = Math.max(top, at + hi - lo);
  for (let p = 31; p >= 0; p--) {
    const f = fields.find(([hi, lo, at]) => p >= at && p <= at + hi - lo);
    src.push(f ? f[1] + p - f[2] : signed && p > top ? 31 : -1);
  }
  const parts: string[] = [];
  for (let i = 0; i < 32; ) {
    let j = i + 1;
    if (src[i] === -1) {
      while (j < 32 && src[j] === -1) j++;
      parts.push(`${j - i}'b0`);
    } else if (j < 32 && src[j] === src[i]) {
      while (j < 32 && src[j] === src[i]) j++;
      parts.push(`{${j - i}{spec_insn[${src[i]}]}}`);
    } else {
      while (j < 32 && src[j] === src[j - 1]! - 1) j++;
      parts.push(j - i === 1 ? `spec_insn[${src[i]}]` : `spec_insn[${src[i]}:${src[j - 1]}]`);
    }
    i = j;
  }
  return parts.length === 1 ? parts[0]! : `{${parts.join(', ')}}`;
}

/** Emits expressions as one wire per operation, shared between entries (same text, same wire). */
class Emitter {
  readonly lines: string[] = [];
  private readonly wires = new Map<string, string>();
  private n = 0;

  private wire(width: number, rhs: string, comment = ''): string {
    const key = `${width}:${rhs}`;
    const known = this.wires.get(key);
    if (known) return known;
    const name = `t${++this.n}`;
    const decl = `    wire ${width === 1 ? '      ' : `[${width - 1}:0]`.padEnd(6)} ${name} = ${rhs};${comment}`;
    if (width === 64) {
      // Only the high half of a 64-bit product is a result (mulh*).
      this.lines.push('    /* verilator lint_off UNUSEDSIGNAL */', decl, '    /* verilator lint_on UNUSEDSIGNAL */');
    } else {
      this.lines.push(decl);
    }
    this.wires.set(key, name);
    return name;
  }

  word(e: Word, bind: Record<Operand, string>): string {
    switch (e.k) {
      case 'opd': return bind[e.name];
      case 'const': return hex32(e.value);
      case 'bool': return this.wire(32, `{31'd0, ${this.bit(e.c, bind)}}`);
      case 'ite': return this.wire(32, `${this.bit(e.c, bind)} ? ${this.word(e.a, bind)} : ${this.word(e.b, bind)}`);
      case 'op': {
        const a = this.word(e.a, bind), b = this.word(e.b, bind);
        const sx = (x: string) => (isLiteral(x) ? `{32{1'b${parseInt(x.slice(4, 5), 16) >> 3}}}` : `{32{${x}[31]}}`);
        const product = (sa: boolean, sb: boolean) => `${this.wire(64, `{${sa ? sx(a) : "32'd0"}, ${a}} * {${sb ? sx(b) : "32'd0"}, ${b}}`)}[63:32]`;
        switch (e.op) {
          case 'add': return this.wire(32, `${a} + ${b}`);
          case 'sub': return this.wire(32, `${a} - ${b}`);
          case 'and': return this.wire(32, `${a} & ${b}`);
          case 'or': return this.wire(32, `${a} | ${b}`);
          case 'xor': return this.wire(32, `${a} ^ ${b}`);
          case 'sll': return this.wire(32, `${a} << ${b}`);
          case 'srl': return this.wire(32, `${a} >> ${b}`);
          case 'sra': return this.wire(32, `$signed(${a}) >>> ${b}`);
          case 'mul': return this.wire(32, `${a} * ${b}`);
          case 'mulh': return this.wire(32, product(true, true));
          case 'mulhsu': return this.wire(32, product(true, false));
          case 'mulhu': return this.wire(32, product(false, false));
          case 'div': return this.wire(32, `$signed(${a}) / $signed(${b})`);
          case 'divu': return this.wire(32, `${a} / ${b}`);
          case 'rem': return this.wire(32, `$signed(${a}) % $signed(${b})`);
          case 'remu': return this.wire(32, `${a} % ${b}`);
        }
      }
    }
  }

  bit(e: Bit, bind: Record<Operand, string>): string {
    switch (e.k) {
      case 'not': return this.wire(1, `!${this.bit(e.a, bind)}`);
      case 'both': return this.wire(1, `${this.bit(e.a, bind)} && ${this.bit(e.b, bind)}`);
      case 'cmp': {
        const a = this.word(e.a, bind), b = this.word(e.b, bind);
        if (e.op === 'eq') return this.wire(1, `${a} == ${b}`);
        if (e.op === 'lt') return this.wire(1, `$signed(${a}) < $signed(${b})`);
        return this.wire(1, `${a} < ${b}`);
      }
    }
  }

  /** A named wire for a root value (an alias of the expression's wire). */
  named(name: string, value: string): string {
    this.lines.push(`    wire [31:0] ${name} = ${value};`);
    return name;
  }
}

/** AND-OR selection of one value per selected entry. */
function select(width: number, items: Array<[string, string]>): string {
  if (items.length === 0) return `${width}'d0`;
  return items.map(([sel, v]) => `({${width}{${sel}}} & ${v})`).join(' |\n        ');
}
/** sels joined by ||, eight a line. */
function anyOf(sels: string[]): string {
  if (sels.length === 0) return "1'b0";
  const rows: string[] = [];
  for (let i = 0; i < sels.length; i += 8) rows.push(sels.slice(i, i + 8).join(' || '));
  return rows.join(' ||\n        ');
}

/**
 * The Verilog module rv32im_isa_spec (parameter M_EXT: 1 = RV32IM, 0 = RV32I); with altops,
 * rv32im_isa_spec_altops, whose M instructions write the formal stand-ins instead.
 */
export function generateIsaSpecVerilog(opts: { altops?: boolean; shiftMul?: boolean } = {}): string {
  if (opts.shiftMul && !opts.altops) throw new Error('generateIsaSpecVerilog: shiftMul is a formal build\'s spec (altops)');
  const moduleName = opts.altops ? isaSpecAltopsModule(opts) : ISA_SPEC_MODULE;
  const T = ISA_TABLE;
  const em = new Emitter();
  const sel = (e: IsaEntry) => `s_${e.ident}`;
  const formats = new Set<Format>();
  for (const e of T) {
    const used = new Set<Operand>();
    for (const x of [e.rd, e.next, e.mem?.addr, e.mem?.data]) if (x) operandsOf(x, used);
    if (used.has('imm')) formats.add(e.format);
  }
  const base = {
    rs1: 'spec_rs1_rdata', rs2: 'spec_rs2_rdata', pc: 'spec_pc_rdata', mem: 'spec_mem_rdata',
    cycle: 'spec_cycle[31:0]', cycleh: 'spec_cycle[63:32]', instret: 'spec_instret[31:0]', instreth: 'spec_instret[63:32]',
  };
  const pcPlus4 = em.named('pc_plus4', em.word({ k: 'op', op: 'add', a: { k: 'opd', name: 'pc' }, b: { k: 'const', value: 4 } }, { ...base, imm: '', addr: '' }));
  const rdItems: Array<[string, string]> = [];
  const nextItems: Array<[string, string]> = [];
  const addrItems: Array<[string, string]> = [];
  const dataItems: Array<[string, string]> = [];
  for (const e of T) {
    const bind: Record<Operand, string> = { ...base, imm: `imm_${e.format.toLowerCase()}`, addr: '' };
    if (e.mem) {
      bind.addr = em.word(e.mem.addr, bind);
      addrItems.push([sel(e), em.named(`${e.ident}_addr`, bind.addr)]);
      if (e.mem.data) dataItems.push([sel(e), em.named(`${e.ident}_data`, em.word(e.mem.data, bind))]);
    }
    if (e.rd && opts.altops && e.ext === 'M') rdItems.push([sel(e), em.named(`${e.ident}_rd`, altopVerilog(e.name as MOp, base.rs1, base.rs2))]);
    else if (e.rd && opts.shiftMul && SHIFT_KIND[e.name]) {
      const k = e.format === 'R' ? `${base.rs2}[4:0]` : `${bind.imm}[4:0]`;
      rdItems.push([sel(e), em.named(`${e.ident}_rd`, shiftStandInVerilog(SHIFT_KIND[e.name]!, base.rs1, k))]);
    }
    else if (e.rd) rdItems.push([sel(e), em.named(`${e.ident}_rd`, em.word(e.rd, bind))]);
    if (e.next) nextItems.push([sel(e), em.named(`${e.ident}_next`, em.word(e.next, bind))]);
  }
  const which = (p: (e: IsaEntry) => boolean) => T.filter(p).map(sel);
  const decl = Math.max(...T.map((e) => e.ident.length)) + 2;
  const portLines = ISA_SPEC_PORTS.map((p, i) => {
    const range = p.width > 1 ? `[${p.width - 1}:0]` : '';
    return `    ${p.dir === 'in' ? 'input ' : 'output'} wire ${range.padEnd(6)} ${p.name}${i < ISA_SPEC_PORTS.length - 1 ? ',' : ''}`.padEnd(48) + ` // ${p.description}`;
  });
  const lines = [
    `// Generated by ${GENERATOR_ID} from src/formal/isa-table.ts. Do not edit.`,
    `// ${moduleName}: what one retired RV32IM instruction must put in its retirement row,`,
    ...(opts.altops ? ['// FORMAL: the M instructions write the stand-ins of src/formal/altops.ts.'] : []),
    ...(opts.shiftMul ? ['// FORMAL, shift=mul: so do the shifts, as the multiplies by a power of two the core makes them.'] : []),
    '// given the row inputs and the answers of memory and environment (combinational).',
    '// zkrtl conventions: a trap halts (pc_wdata = pc + 4, no register or memory write);',
    '// misaligned loads/stores trap; ECALL/EBREAK outcomes come from the environment.',
    '`default_nettype none',
    '',
    `module ${moduleName} #(`,
    "    parameter [0:0] M_EXT = 1'b1,  // 0: the M instructions are illegal (RV32I)",
    "    parameter [0:0] ZICNTR = 1'b1  // 0: the counter reads are illegal",
    ') (',
    ...portLines,
    ');',
    '    // Fields and immediates',
    `    wire [4:0]  f_rd  = spec_insn[${FIELDS.rd[0]}:${FIELDS.rd[1]}];`,
    `    wire [4:0]  f_rs1 = spec_insn[${FIELDS.rs1[0]}:${FIELDS.rs1[1]}];`,
    `    wire [4:0]  f_rs2 = spec_insn[${FIELDS.rs2[0]}:${FIELDS.rs2[1]}];`,
    ...(['I', 'S', 'B', 'U', 'J'] as const).filter((f) => formats.has(f)).map((f) => `    wire [31:0] imm_${f.toLowerCase()} = ${immConcat(f)};`),
    '',
    '    // Decode: one match per table entry (the entries are disjoint)',
    ...T.map((e) => {
      const m = e.mask === 0xffffffff ? `spec_insn == ${hex32(e.match)}` : `(spec_insn & ${hex32(e.mask)}) == ${hex32(e.match)}`;
      const gate = { I: '', M: 'M_EXT && ', Zicntr: 'ZICNTR && ' }[e.ext];
      return `    wire ${`d_${e.ident}`.padEnd(decl)} = ${gate ? `${gate}(${m})` : m};`;
    }),
    `    wire legal =\n        ${anyOf(T.map((e) => `d_${e.ident}`))};`,
    "    wire fetch_mis  = spec_pc_rdata[1:0] != 2'b00;",
    '    wire fetch_trap = fetch_mis || spec_fetch_fault;',
    '    wire illegal    = !fetch_trap && !legal;',
    // (no-ops such as FENCE need no select: they only retire)
    ...T.filter((e) => e.rd || e.next || e.mem || e.env).map((e) => `    wire ${sel(e).padEnd(decl)} = d_${e.ident} && !fetch_trap;`),
    '',
    '    // Semantics of each entry',
    ...em.lines,
    '',
    '    // Loads and stores',
    `    wire is_load  = ${anyOf(which((e) => e.mem?.kind === 'load'))};`,
    `    wire is_store = ${anyOf(which((e) => e.mem?.kind === 'store'))};`,
    `    wire ls_h = ${anyOf(which((e) => e.mem?.size === 2))};`,
    `    wire ls_w = ${anyOf(which((e) => e.mem?.size === 4))};`,
    `    wire [31:0] ls_addr =\n        ${select(32, addrItems)};`,
    "    wire ls_mis   = (ls_h && ls_addr[0]) || (ls_w && ls_addr[1:0] != 2'b00);",
    '    wire ls_fault = (is_load || is_store) && !ls_mis && spec_mem_fault;',
    '',
    '    // Environment (ECALL, EBREAK)',
    `    wire is_env    = ${anyOf(which((e) => e.env === true))};`,
    `    wire env_ret   = is_env && spec_env_kind == 2'd${ENV_KIND.return};`,
    `    wire env_exit  = is_env && spec_env_kind == 2'd${ENV_KIND.exit};`,
    '    wire env_fault = is_env && spec_env_kind[1];',
    '',
    '    // Trap and halt',
    '    assign spec_trap = fetch_trap || illegal || ls_mis || ls_fault || env_fault;',
    `    assign spec_trap_cause = fetch_mis ? 3'd${TRAP_CAUSE.misalignedFetch} : spec_fetch_fault ? 3'd${TRAP_CAUSE.fetchOutsideRam} : illegal ? 3'd${TRAP_CAUSE.illegalInstruction} :`,
    `                             ls_mis ? (is_store ? 3'd${TRAP_CAUSE.misalignedStore} : 3'd${TRAP_CAUSE.misalignedLoad}) :`,
    `                             ls_fault ? (is_store ? 3'd${TRAP_CAUSE.storeOutsideRam} : 3'd${TRAP_CAUSE.loadOutsideRam}) : 3'd${TRAP_CAUSE.none};`,
    '    assign spec_halt = spec_trap || env_exit;',
    '    assign spec_valid_insn = legal;',
    `    assign spec_op =\n        ${select(SPEC_OP_BITS, T.map((e, i) => [`d_${e.ident}`, `${SPEC_OP_BITS}'d${i + 1}`]))};`,
    '',
    '    // Registers',
    `    wire reads_rs1 =\n        ${anyOf(T.filter((e) => readsOf(e).rs1).map(sel))};`,
    `    wire reads_rs2 =\n        ${anyOf(T.filter((e) => readsOf(e).rs2).map(sel))};`,
    "    assign spec_rs1_addr = reads_rs1 ? f_rs1 : 5'd0;",
    "    assign spec_rs2_addr = reads_rs2 ? f_rs2 : 5'd0;",
    `    wire writes_rd =\n        ${anyOf(rdItems.map(([s]) => s))};`,
    `    wire [31:0] rd_value =\n        ${select(32, rdItems)};`,
    "    assign spec_rd_addr  = env_ret ? 5'd10 : (writes_rd && !spec_trap) ? f_rd : 5'd0;",
    "    assign spec_rd_wdata = spec_rd_addr == 5'd0 ? 32'd0 : env_ret ? spec_env_a0 : rd_value;",
    '',
    '    // Next pc',
    `    wire jumps = ${anyOf(nextItems.map(([s]) => s))};`,
    `    wire [31:0] next_value =\n        ${select(32, nextItems)};`,
    `    assign spec_pc_wdata = (jumps && !spec_trap) ? next_value : ${pcPlus4};`,
    '',
    '    // Memory',
    '    wire mem_op = (is_load || is_store) && !spec_trap;',
    "    wire [3:0] lanes = (ls_w ? 4'b1111 : ls_h ? 4'b0011 : 4'b0001) << ls_addr[1:0];",
    `    wire [31:0] store_data =\n        ${select(32, dataItems)};`,
    "    assign spec_mem_addr  = mem_op ? {ls_addr[31:2], 2'b00} : 32'd0;",
    "    assign spec_mem_rmask = (mem_op && is_load) ? lanes : 4'd0;",
    "    assign spec_mem_wmask = (mem_op && is_store) ? lanes : 4'd0;",
    "    assign spec_mem_wdata = (mem_op && is_store) ? store_data : 32'd0;",
    'endmodule',
    '',
    '`default_nettype wire',
    '',
  ];
  return lines.join('\n');
}
