// Stand-ins for the M instructions in formal builds (riscv-formal's approach): a proof over a
// 32-bit multiplier or divider does not finish, so the core proved by `zkrtl formal` carries
// multiply and divide units whose result is a cheap, distinct function of the operands
// (a + b or a − b, xored with a per-instruction key), with the real units' timing (the
// divider may also finish earlier: src/rtl-templates/rv32im_div.v.ejs), and the spec expects
// the same function. The real units are proved apart at small widths
// (src/formal/units.ts) and simulated at 32 bits (test/rv32im-*.test.ts).

/** The M instructions, in funct3 order: mul* are funct3 0..3, div* 4..7. */
export const M_OPS = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'] as const;
export type MOp = (typeof M_OPS)[number];

/** Per instruction: sum or difference, and the key it is xored with (arbitrary, distinct). */
const ALTOP: Record<MOp, { sub: boolean; key: number }> = {
  mul: { sub: false, key: 0x3b1f6a95 },
  mulh: { sub: false, key: 0xc24e0d17 },
  mulhsu: { sub: true, key: 0x5d83b2e9 },
  mulhu: { sub: false, key: 0xa67c148b },
  div: { sub: true, key: 0x19e5d3c1 },
  divu: { sub: true, key: 0xe0472f5b },
  rem: { sub: true, key: 0x7290ce36 },
  remu: { sub: true, key: 0x8f3b5a4d },
};

/** The stand-in as a Verilog expression over two 32-bit operands. */
export function altopVerilog(op: MOp, a: string, b: string): string {
  const { sub, key } = ALTOP[op];
  return `((${a} ${sub ? '-' : '+'} ${b}) ^ 32'h${key.toString(16).padStart(8, '0')})`;
}

/** The stand-in on numbers (unsigned 32-bit), for tests. */
export function altop(op: MOp, a: number, b: number): number {
  const { sub, key } = ALTOP[op];
  return ((sub ? a - b : a + b) ^ key) >>> 0;
}

/**
 * shift=mul (src/rtl-templates/rv32im_p5.v.ejs): a shift by k is a multiply of rs1 by 2^n. SLL
 * is MUL's low word with n = k; SRL and SRA are the high word with n = 32 − k, MULHU's (rs1
 * unsigned) and MULHSU's (rs1 signed); a right shift by 0 is MUL's low word with n = 0. In
 * formal builds the multiplier is a stand-in, so the spec of such a core expects the stand-in
 * of that multiply (shiftStandInVerilog); unit_mul32 proves the multiplier and (z3) that
 * these multiplies are the shifts (src/formal/mul-composition.ts: shiftIdentity).
 */
export type ShiftKind = 'sll' | 'srl' | 'sra';
export function shiftAsMul(kind: ShiftKind, k: number): { op: 'mul' | 'mulhu' | 'mulhsu'; n: number } {
  if (kind === 'sll' || k === 0) return { op: 'mul', n: k };
  return { op: kind === 'srl' ? 'mulhu' : 'mulhsu', n: 32 - k };
}

/** The stand-in a shift=mul core's shift writes, as Verilog over rs1 and the 5-bit amount k. */
export function shiftStandInVerilog(kind: ShiftKind, a: string, k: string): string {
  if (kind === 'sll') return altopVerilog('mul', a, `(32'd1 << ${k})`);
  const right = shiftAsMul(kind, 1).op;
  return `(${k} == 5'd0 ? ${altopVerilog('mul', a, "32'd1")} : ${altopVerilog(right, a, `(32'd1 << (6'd32 - {1'b0, ${k}}))`)})`;
}
