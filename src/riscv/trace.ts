// The retirement trace shared by the rv32im golden model (src/model/rv32im.ts) and the
// generated core (its RVFI-shaped trace port, read back by sim/rv32im_harness.cpp). One
// row per retired instruction: the witness a zkVM prover commits to.
//
// Conventions (the RTL and the model must both follow them, row for row):
// - all 32-bit values are unsigned numbers (0 .. 2^32-1);
// - rs1_addr/rs2_addr are the instruction's rs1/rs2 fields when the instruction reads that
//   register, else 0; rs1_rdata/rs2_rdata are the values read (0 when the address is 0);
// - rd_addr is the destination when the instruction writes one and it is not x0, else 0;
//   rd_wdata is the value written (0 when rd_addr is 0);
// - memory is described word-aligned: mem_addr = address & ~3, mem_rmask/mem_wmask are the
//   byte lanes (bit i = byte address mem_addr+i), mem_rdata is the whole aligned word read
//   (0 without a read), mem_wdata holds the stored bytes in their lanes and 0 elsewhere;
//   mem_addr is 0 when there is neither a read nor a write;
// - pc_wdata is the address of the next instruction (for a trap or halt row: pc_rdata + 4
//   unless the instruction is a taken jump or branch, which cannot trap here);
// - ECALL with a7 = 64 (write) retires with rd_addr = 10 and rd_wdata = the value the
//   environment returned in a0; ECALL exit (a7 = 93 or 94) retires with halt = 1 and no
//   register write; a fault (illegal instruction, misaligned or out-of-RAM access, fetch
//   outside RAM, unknown ecall, EBREAK) retires with trap = 1, halt = 1, no register or
//   memory write, and rs/mem fields as decoded so far (see faultRow rules in the model).

export interface TraceRow {
  order: number;
  insn: number;
  trap: boolean;
  halt: boolean;
  pc_rdata: number;
  pc_wdata: number;
  rs1_addr: number;
  rs2_addr: number;
  rs1_rdata: number;
  rs2_rdata: number;
  rd_addr: number;
  rd_wdata: number;
  mem_addr: number;
  mem_rmask: number;
  mem_wmask: number;
  mem_rdata: number;
  mem_wdata: number;
}

export const TRACE_FIELDS = [
  'order', 'insn', 'trap', 'halt', 'pc_rdata', 'pc_wdata', 'rs1_addr', 'rs2_addr', 'rs1_rdata', 'rs2_rdata',
  'rd_addr', 'rd_wdata', 'mem_addr', 'mem_rmask', 'mem_wmask', 'mem_rdata', 'mem_wdata',
] as const satisfies ReadonlyArray<keyof TraceRow>;

const hex32 = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/**
 * One JSON line: numbers for order, register addresses and masks, 0x-hex for 32-bit words.
 * Written out by hand (same bytes as JSON.stringify of the object): traces run to millions
 * of rows and this is their hot path.
 */
export function formatTraceRow(r: TraceRow): string {
  return (
    `{"order":${r.order},"insn":"${hex32(r.insn)}","trap":${r.trap ? 1 : 0},"halt":${r.halt ? 1 : 0},` +
    `"pc_rdata":"${hex32(r.pc_rdata)}","pc_wdata":"${hex32(r.pc_wdata)}",` +
    `"rs1_addr":${r.rs1_addr},"rs2_addr":${r.rs2_addr},"rs1_rdata":"${hex32(r.rs1_rdata)}","rs2_rdata":"${hex32(r.rs2_rdata)}",` +
    `"rd_addr":${r.rd_addr},"rd_wdata":"${hex32(r.rd_wdata)}",` +
    `"mem_addr":"${hex32(r.mem_addr)}","mem_rmask":${r.mem_rmask},"mem_wmask":${r.mem_wmask},` +
    `"mem_rdata":"${hex32(r.mem_rdata)}","mem_wdata":"${hex32(r.mem_wdata)}"}`
  );
}

/** The first field in which two rows differ, or undefined when they are equal. */
export function firstDifference(a: TraceRow, b: TraceRow): keyof TraceRow | undefined {
  for (const f of TRACE_FIELDS) {
    if (a[f] !== b[f]) return f;
  }
  return undefined;
}
