// rv32im: the RISC-V execution core of a zkVM prover (RV32I + optional M), as a generator.
//
// Two cores share one decoder, register file, multiplier and divider (the multicycle core's
// default, mul=serial, multiplies in the divider):
//   pipeline=5          in-order IF ID EX MEM WB with full forwarding, a one-cycle load-use
//                       stall, branches resolved in EX and a static predictor in ID (JAL and
//                       backward branches taken);
//   pipeline=multicycle one instruction at a time (FETCH, OPER, EXEC, MEM/ENV): the small one.
// Both retire through an RVFI-shaped trace port that produces exactly the rows of
// src/riscv/trace.ts, and talk to the world through an instruction port, a data port and an
// environment (ECALL/EBREAK) port, all documented in the manifest.
import { GENERATOR_ID, renderTemplate, type GeneratedDesign, type Port, type VerilogModule } from './design.ts';
import { UsageError } from '../base/errors.ts';
import { parseChoice, rejectUnknown, type ParamDoc, type RawParams } from './params.ts';
import { altopVerilog } from '../formal/altops.ts';

export const RV32IM_PARAMS: ParamDoc[] = [
  { name: 'pipeline', accepted: '5 (in-order 5-stage, fast) or multicycle (small)', default: '5' },
  { name: 'm', accepted: 'on or off: the M extension (off: its opcodes are illegal instructions)', default: 'on' },
  {
    name: 'mul',
    accepted:
      '1cycle, 2cycle, 3cycle: multiplier latency (1 + its register stages, DSP-mappable; with stages the partial products are registered as they leave the DSPs; with mul_result=mem the last stage follows the first adders instead, at 2cycle the only one); serial (pipeline=multicycle only): shift and add in the divider, one bit per cycle, no DSP',
    default: '1cycle for pipeline=5, serial for multicycle',
  },
  { name: 'div', accepted: '1bit, 2bit, 4bit: quotient bits per cycle of the iterative divider (1bit, 4bit: restoring steps, one carry chain each; 2bit: one radix-4 step, one carry chain)', default: '4bit for pipeline=5, 1bit for multicycle' },
  { name: 'btb', accepted: '0, 8, 16, 32, 64: branch target buffer entries of the 5-stage core (0: static prediction only)', default: '16' },
  { name: 'ras', accepted: '0, 2, 4, 8: return address stack entries of the 5-stage core (0: none)', default: '0' },
  {
    name: 'redirect',
    accepted:
      'ex or mem (pipeline=5): a misprediction found in EX redirects fetch in the same cycle (ex: 2 bubbles), or is registered and redirects it from MEM a cycle later, the BTB written from MEM too and read from block RAM at the edge that loads the fetch address, with 6-bit partial tags (mem: 3 bubbles, the branch compare and the BTB\'s array read off the fetch address\'s path, its hit a 7-bit compare)',
    default: 'ex',
  },
  {
    name: 'forward',
    accepted:
      'ex, id or reg (pipeline=5): EX compares register numbers for its forwarding muxes (ex), or ID decides them and registers the selects (id: the same cycles, EX\'s operands a comparator sooner), or ID picks the forwarded result as the operand enters EX, into its register (reg: no forwarding mux in EX, and the divider\'s early out counts at start, from flip-flops: one cycle less a divide, two at div=1bit and 2bit, whose shift cycle then makes the first step too; with id\'s one-hot ALU and registered immediates)',
    default: 'ex',
  },
  {
    name: 'decode',
    accepted:
      'id or if (pipeline=5): the decoder reads the word in ID (id), or as it is fetched, its outputs registered with the word (if: the same cycles, the decoder off ID\'s paths)',
    default: 'id',
  },
  {
    name: 'div_result',
    accepted:
      'ex or mem (pipeline=5, m=on): a divide leaves EX when its result is ready (ex), or in its last step, its result taken in MEM as a load\'s data is (mem: one cycle less a divide; an instruction right behind that reads it waits a cycle, as after a load)',
    default: 'ex',
  },
  {
    name: 'mul_result',
    accepted:
      'ex or mem (pipeline=5 forward=reg, m=on): a multiply\'s result is forwarded from EX to the instruction entering it (ex), or taken in MEM only (mem: with mul=1cycle the product\'s adders end at MEM\'s result register, not in EX\'s forwarding; with mul=2cycle or 3cycle the multiply leaves EX a cycle sooner, as the multiplier\'s last stage takes it, and MEM adds the high word; either way an instruction right behind that reads it waits a cycle, as after a load)',
    default: 'ex',
  },
  {
    name: 'shift_result',
    accepted:
      'ex or mem (pipeline=5 forward=reg): a shift\'s result (SLL SRL SRA and their immediate forms) is forwarded from EX to the instruction entering it (ex), or taken in MEM only (mem: the barrel shifter ends at MEM\'s result register, off the path of EX\'s forwarding into the next operand; an instruction right behind that reads it waits a cycle, as after a load, and the cycle counts as load-use)',
    default: 'ex',
  },
  {
    name: 'div_fold',
    accepted:
      'on or off (pipeline=5 forward=reg, m=on, div=1bit or 2bit, div_early=on): the cycle that shifts the dividend past the skipped quotient bits also makes the first step (on: one cycle less a divide, a shifter before the step\'s carry chain), or only shifts (off: no shifter before a step; at least one step follows, as the skip keeps the same cap, except with div_reuse=on, whose divider keeps |a| in a register of its own: a divide whose count at start reaches the cap, whose quotient then has at most div\'s bits, makes its one step in the shift cycle, from the fixed position start loads)',
    default: 'on',
  },
  {
    name: 'div_reuse',
    accepted:
      'on or off (pipeline=5, m=on): the divider keeps its last operands, and its quotient and remainder stay in its registers, so a DIV, DIVU, REM or REMU of the same operand values and signedness as the last finished divide takes its result with no step (on: the pair DIV then REM of the same operands, the sequence the RISC-V manual recommends, or REM then DIV, costs one division; a compare of both operands and 66 flip-flops)',
    default: 'off',
  },
  {
    name: 'regfile',
    accepted: 'sync (synchronous reads: block RAM, e.g. iCE40 EBR) or async (asynchronous reads: flip-flops or LUT RAM)',
    default: 'sync',
  },
  {
    name: 'zicntr',
    accepted: 'on or off: the counter reads rdcycle, rdtime, rdinstret and their high halves (Zicntr; off: their encodings are illegal instructions). On costs a 64-bit cycle counter and the read mux (instret reads the order counter of the trace port) (bench/results.md measures both cores with and without)',
    default: 'on',
  },
  {
    name: 'shift',
    accepted:
      'barrel (a one-cycle barrel shifter in the ALU), serial (pipeline=multicycle with mul=serial, div=1bit, div_early=off: SLL SRL SRA and their immediate forms shift one bit per cycle in the divider\'s registers, 5 + shamt cycles an instruction, no shifter) or mul (pipeline=5 forward=reg m=on mul_result=mem: SLL SRL SRA and their immediate forms go through the DSP multiplier, as a multiply of rs1 by a power of two (SLL the low word of rs1 * 2^shamt, SRL and SRA the high word of rs1 * 2^(32 - shamt), rs1 unsigned or signed), no shifter; a shift\'s result is then a multiply\'s, taken in MEM, and SLL SRL SRA, whose amount is in rs2, hold EX a cycle more to decode it)',
    default: 'serial for the multicycle core\'s default unit (mul=serial div=1bit div_early=off), else barrel',
  },
  {
    name: 'div_early',
    accepted: 'on or off: the divider skips the quotient bits known to be zero (leading zeros; costs a priority encoder and a shifter)',
    default: 'on for pipeline=5, off for multicycle',
  },
];

/**
 * The bugs test_break can plant (the checks of test/rv32im-*.test.ts and `zkrtl formal` must
 * each find them): forward (pipeline=5: MEM -> EX forwarding of rs2 missing), perf (the
 * cycle-cause encoder tests a stall before retirement), branch_sign (a branch offset is not
 * sign-extended: backward branches jump forward), load_sext (LB zero-extends), byte_mask (a
 * halfword access uses one byte lane), div_corner (a signed division by zero of a negative
 * dividend gives 1, not -1), counter (pipeline=5: rdinstret does not count the instruction in
 * MEM, which retires before it), rf_collision (regfile=sync: a register write made at the edge
 * of the read is not bypassed, so the read takes the block RAM's undefined collision value),
 * mul_sign (mul=serial: MULHSU takes its second operand as signed), div_reuse_sign
 * (div_reuse=on: a divide reuses the last one's result whatever its signedness),
 * shift_mul_sign (shift=mul: SRA and SRAI are made as MULHU, rs1 unsigned, like SRL).
 */
export const TEST_BREAKS = ['forward', 'perf', 'branch_sign', 'load_sext', 'byte_mask', 'div_corner', 'counter', 'rf_collision', 'mul_sign', 'div_reuse_sign', 'shift_mul_sign'] as const;
export type TestBreak = (typeof TEST_BREAKS)[number];

/** Test-only parameter (not documented to users): plants a known bug to prove the checks catch it. */
const TEST_PARAMS: ParamDoc[] = [{ name: 'test_break', accepted: `a comma-separated list of ${TEST_BREAKS.join(', ')}`, default: '' }];

export interface Rv32imConfig {
  pipeline: '5' | 'multicycle';
  m: boolean;
  /** Register stages of the DSP multiplier (0 with mulSerial: there is none). */
  mulStages: number;
  /** mul=serial: MUL* by shift and add inside the divider (multicycle only). */
  mulSerial: boolean;
  /** shift=serial: SLL SRL SRA one bit per cycle in the divider's quotient and product registers (multicycle only). */
  shiftSerial: boolean;
  divBits: number;
  divEarly: boolean;
  btb: number;
  ras: number;
  /** pipeline=5: the misprediction redirects fetch from MEM (registered), the BTB is written from MEM. */
  redirectMem: boolean;
  /** pipeline=5: forwarding selects decided in ID and registered (forward=id), or applied as the operands enter EX (forward=reg: also forwardId's one-hot ALU and registered immediates). */
  forwardId: boolean;
  /** pipeline=5, forward=reg: EX's operand registers take the forwarded results; EX has no forwarding mux. */
  forwardReg: boolean;
  /** pipeline=5: the decoder reads the fetched word; its outputs are registered with it (decode=if). */
  decodeIf: boolean;
  /** pipeline=5, m=on: a divide leaves EX in its last step; its result is taken in MEM (div_result=mem). */
  divLate: boolean;
  /** pipeline=5 forward=reg, m=on: a multiply's result is taken in MEM, not forwarded from EX (mul_result=mem). */
  mulLate: boolean;
  /** pipeline=5 forward=reg: a shift's result is taken in MEM, not forwarded from EX (shift_result=mem). */
  shiftLate: boolean;
  /** shift=mul (pipeline=5 forward=reg m=on mul_result=mem): shifts are multiplies by a power of two in the DSP multiplier; the ALU has no shifter. */
  shiftMul: boolean;
  /** div_fold=off: the divider's shift cycle (count at start, div=1bit or 2bit) only shifts; it makes no step. */
  divNoFold: boolean;
  /** pipeline=5, m=on: a divide of the last finished divide's operands takes its result from the divider's registers (div_reuse=on). */
  divReuse: boolean;
  syncRf: boolean;
  /** The counter reads of Zicntr (cycle, time, instret and their high halves). */
  zicntr: boolean;
  /** The planted bugs (TEST_BREAKS), test_break's list. */
  breaks: TestBreak[];
}

/**
 * Whether a configuration has the unit shift=serial shifts in (and so its default): the one-bit
 * divider's quotient register shifts left, the serial multiply's product register right; it
 * needs both, one bit per step, and no prep cycle.
 */
function serialShiftFits(c: Pick<Rv32imConfig, 'pipeline' | 'm' | 'mulSerial' | 'divBits' | 'divEarly'>): boolean {
  return c.pipeline === 'multicycle' && c.m && c.mulSerial && c.divBits === 1 && !c.divEarly;
}

export function parseRv32imParams(raw: RawParams): Rv32imConfig {
  rejectUnknown('rv32im', raw, [...RV32IM_PARAMS, ...TEST_PARAMS]);
  const pipeline = parseChoice('pipeline', raw.pipeline ?? '5', ['5', 'multicycle'] as const);
  const m = parseChoice('m', raw.m ?? 'on', ['on', 'off'] as const) === 'on';
  const mul = parseChoice('mul', raw.mul ?? (pipeline === '5' ? '1cycle' : 'serial'), ['1cycle', '2cycle', '3cycle', 'serial'] as const);
  if (mul === 'serial' && pipeline !== 'multicycle') throw new UsageError('mul=serial is not accepted with pipeline=5: give pipeline=multicycle, or mul=1cycle, 2cycle or 3cycle');
  const mulSerial = mul === 'serial';
  const div = parseChoice('div', raw.div ?? (pipeline === '5' ? '4bit' : '1bit'), ['1bit', '2bit', '4bit'] as const);
  const divEarly = parseChoice('div_early', raw.div_early ?? (pipeline === '5' ? 'on' : 'off'), ['on', 'off'] as const) === 'on';
  const shiftUnit = serialShiftFits({ pipeline, m, mulSerial, divBits: Number(div[0]), divEarly });
  const shift = parseChoice('shift', raw.shift ?? (shiftUnit ? 'serial' : 'barrel'), ['barrel', 'serial', 'mul'] as const);
  if (shift === 'serial' && !shiftUnit) {
    throw new UsageError(
      `shift=serial is not accepted with ${pipeline !== 'multicycle' ? 'pipeline=5' : !m ? 'm=off' : !mulSerial ? `mul=${mul}` : div !== '1bit' ? `div=${div}` : 'div_early=on'}: it shifts in the multicycle core's serial multiply/divide unit; give pipeline=multicycle m=on mul=serial div=1bit div_early=off, or shift=barrel`,
    );
  }
  const btbRaw = parseChoice('btb', raw.btb ?? '16', ['0', '8', '16', '32', '64'] as const);
  if (pipeline !== '5' && raw.btb !== undefined) throw new UsageError(`btb=${raw.btb} is not accepted with pipeline=multicycle: the branch target buffer belongs to pipeline=5`);
  const rasRaw = parseChoice('ras', raw.ras ?? '0', ['0', '2', '4', '8'] as const);
  if (pipeline !== '5' && raw.ras !== undefined) throw new UsageError(`ras=${raw.ras} is not accepted with pipeline=multicycle: the return address stack belongs to pipeline=5`);
  const redirect = parseChoice('redirect', raw.redirect ?? 'ex', ['ex', 'mem'] as const);
  if (pipeline !== '5' && raw.redirect !== undefined) throw new UsageError(`redirect=${raw.redirect} is not accepted with pipeline=multicycle: it is the 5-stage core's misprediction path (the multicycle core fetches after it executes)`);
  const forward = parseChoice('forward', raw.forward ?? 'ex', ['ex', 'id', 'reg'] as const);
  if (pipeline !== '5' && raw.forward !== undefined) throw new UsageError(`forward=${raw.forward} is not accepted with pipeline=multicycle: it is the 5-stage core's forwarding (the multicycle core does not forward)`);
  const decode = parseChoice('decode', raw.decode ?? 'id', ['id', 'if'] as const);
  if (pipeline !== '5' && raw.decode !== undefined) throw new UsageError(`decode=${raw.decode} is not accepted with pipeline=multicycle: it is where the 5-stage core decodes (the multicycle core decodes the word as it is captured)`);
  const divResult = parseChoice('div_result', raw.div_result ?? 'ex', ['ex', 'mem'] as const);
  if (pipeline !== '5' && raw.div_result !== undefined) throw new UsageError(`div_result=${raw.div_result} is not accepted with pipeline=multicycle: it is where the 5-stage core takes a divide's result (the multicycle core waits in EXEC)`);
  if (!m && raw.div_result !== undefined) throw new UsageError(`div_result=${raw.div_result} is not accepted with m=off: there is no divide; give m=on, or leave div_result out`);
  const mulResult = parseChoice('mul_result', raw.mul_result ?? 'ex', ['ex', 'mem'] as const);
  // (the default, ex, is accepted wherever pipeline=5 m=on: it is what the others do)
  if (raw.mul_result !== undefined && !(pipeline === '5' && m && (forward === 'reg' || mulResult === 'ex'))) {
    throw new UsageError(`mul_result=${raw.mul_result} is not accepted with ${pipeline !== '5' ? 'pipeline=multicycle' : !m ? 'm=off' : `forward=${forward}`}: it is where the 5-stage core with forward=reg takes a multiply's result (give pipeline=5 m=on forward=reg, or leave mul_result out)`);
  }
  const shiftResult = parseChoice('shift_result', raw.shift_result ?? 'ex', ['ex', 'mem'] as const);
  // (the default, ex, is accepted wherever pipeline=5: it is what the others do)
  if (raw.shift_result !== undefined && !(pipeline === '5' && (forward === 'reg' || shiftResult === 'ex'))) {
    throw new UsageError(`shift_result=${raw.shift_result} is not accepted with ${pipeline !== '5' ? 'pipeline=multicycle' : `forward=${forward}`}: it is where the 5-stage core with forward=reg takes a shift's result (give pipeline=5 forward=reg, or leave shift_result out)`);
  }
  if (shift === 'mul' && !(pipeline === '5' && m && forward === 'reg' && mulResult === 'mem' && raw.shift_result === undefined)) {
    const why = pipeline !== '5' ? 'pipeline=multicycle' : !m ? 'm=off' : forward !== 'reg' ? `forward=${forward}` : mulResult !== 'mem' ? 'mul_result=ex' : `shift_result=${raw.shift_result}`;
    throw new UsageError(`shift=mul is not accepted with ${why}: it shifts in the 5-stage core's DSP multiplier, whose result is taken in MEM (give pipeline=5 m=on forward=reg mul_result=mem and leave shift_result out, or shift=barrel)`);
  }
  const divFold = parseChoice('div_fold', raw.div_fold ?? 'on', ['on', 'off'] as const) === 'on';
  const foldApplies = pipeline === '5' && m && divHasFold({ divBits: Number(div[0]), divEarly, forwardReg: forward === 'reg' });
  // (the default, on, is accepted wherever pipeline=5 m=on: elsewhere there is no fold to undo)
  if (raw.div_fold !== undefined && !foldApplies && !(pipeline === '5' && m && divFold)) {
    throw new UsageError(`div_fold=${raw.div_fold} is not accepted with ${pipeline !== '5' ? 'pipeline=multicycle' : !m ? 'm=off' : forward !== 'reg' ? `forward=${forward}` : !divEarly ? 'div_early=off' : 'div=4bit'}: it is the shift cycle of the 5-stage core's divider that counts at start (give pipeline=5 m=on forward=reg div_early=on and div=1bit or 2bit, or leave div_fold out)`);
  }
  const divReuse = parseChoice('div_reuse', raw.div_reuse ?? 'off', ['on', 'off'] as const) === 'on';
  if (pipeline !== '5' && raw.div_reuse !== undefined) throw new UsageError(`div_reuse=${raw.div_reuse} is not accepted with pipeline=multicycle: it is the 5-stage core's divider (give pipeline=5, or leave div_reuse out)`);
  if (!m && raw.div_reuse !== undefined) throw new UsageError(`div_reuse=${raw.div_reuse} is not accepted with m=off: there is no divide; give m=on, or leave div_reuse out`);
  const syncRf = parseChoice('regfile', raw.regfile ?? 'sync', ['sync', 'async'] as const) === 'sync';
  const zicntr = parseChoice('zicntr', raw.zicntr ?? 'on', ['on', 'off'] as const) === 'on';
  const breaks = raw.test_break === undefined ? [] : raw.test_break.split(',').map((b) => parseChoice('test_break', b, TEST_BREAKS));
  if (breaks.includes('mul_sign') && !mulSerial) throw new UsageError('test_break=mul_sign is not accepted without mul=serial: give pipeline=multicycle (its default multiplies in the divider)');
  if (breaks.includes('div_reuse_sign') && !(pipeline === '5' && m && divReuse)) throw new UsageError('test_break=div_reuse_sign is not accepted without div_reuse=on: give pipeline=5 m=on div_reuse=on');
  if (breaks.includes('shift_mul_sign') && shift !== 'mul') throw new UsageError('test_break=shift_mul_sign is not accepted without shift=mul: give pipeline=5 m=on forward=reg mul_result=mem shift=mul');
  if (breaks.includes('rf_collision') && !syncRf) throw new UsageError('test_break=rf_collision is not accepted with regfile=async: give regfile=sync (an asynchronous register file has no read at a write\'s edge)');
  return { pipeline, m, mulStages: mulSerial ? 0 : Number(mul[0]) - 1, mulSerial, shiftSerial: shift === 'serial', divBits: Number(div[0]), divEarly, btb: pipeline === '5' ? Number(btbRaw) : 0, ras: pipeline === '5' ? Number(rasRaw) : 0, redirectMem: redirect === 'mem', forwardId: forward !== 'ex', forwardReg: forward === 'reg', decodeIf: decode === 'if', divLate: divResult === 'mem', mulLate: mulResult === 'mem', shiftLate: shiftResult === 'mem', shiftMul: shift === 'mul', divNoFold: !divFold, divReuse, syncRf, zicntr, breaks };
}

/** Partial tag bits of the BTB with redirect=mem (read synchronously from block RAM): six
 *  bits and the valid bit are one compare of two LUT levels; an alias only costs a misprediction
 *  (the bench programs' cycles at btb=16 are the same with the full 26-bit tag). */
export const BTB_SYNC_TAG_BITS = 6;

/** pipeline=5 redirect=mem with a BTB: the BTB in block RAM, read a fetch ahead (btbSync). */
export function btbInBlockRam(cfg: Pick<Rv32imConfig, 'pipeline' | 'btb' | 'redirectMem'>): boolean {
  return cfg.pipeline === '5' && cfg.redirectMem && cfg.btb > 0;
}

/** Trap causes on rvfi_trap_cause (0: none, or a fault answered by the environment). */
export const TRAP_CAUSES = [
  'none', 'illegal-instruction', 'misaligned-fetch', 'fetch-outside-ram',
  'misaligned-load', 'misaligned-store', 'load-outside-ram', 'store-outside-ram',
] as const;

/**
 * What each clock cycle of a run is spent on: perf_stall carries one code per cycle, from a
 * priority encoder, so the cycles between reset release and the halting row are a partition:
 * cycles = instret (code 0, `retire`) + the cycles of every other code. A core uses the codes
 * that describe it (p5: pipeline=5, mc: multicycle); `halted` (after the halting row) is never
 * inside a run. The 5-stage core counts a cycle without a retirement for the cause that emptied
 * the slot in WB (each empty slot carries its cause down the pipeline); the multicycle core for
 * its state.
 */
export interface PerfCause {
  code: number;
  name: string;
  /** Verilog localparam: PC_<ident>. */
  ident: string;
  /** What the cycle is spent on, per core that uses the code. */
  p5?: string;
  mc?: string;
  /** Only with the M extension. */
  mOnly?: boolean;
  /** Only with shift=serial. */
  shiftOnly?: boolean;
  /** Only with the counters (zicntr=on). */
  zicntrOnly?: boolean;
}

export const PERF_CAUSES: readonly PerfCause[] = [
  { code: 0, name: 'retire', ident: 'RETIRE', p5: 'an instruction retires (rvfi_valid)', mc: 'an instruction completes (its row is on rvfi_* in the next cycle)' },
  { code: 1, name: 'fill', ident: 'FILL', p5: 'the empty pipeline after reset: the slots before the first instruction reaches WB', mc: 'the cycle after reset (S_RESET), and the last reset cycle (perf_stall is registered like rvfi_*)' },
  { code: 2, name: 'imem-wait', ident: 'IMEM_WAIT', p5: 'the slot IF could not fill: a fetch waited for imem_ready', mc: 'FETCH waits for imem_ready' },
  { code: 3, name: 'predicted-taken', ident: 'TAKEN', p5: 'the bubble of a taken prediction made in ID (JAL, backward branch, RAS return) without a BTB hit' },
  { code: 4, name: 'mispredict', ident: 'MISPREDICT', p5: 'the slots flushed when EX finds a misprediction and redirects fetch (two; three with redirect=mem, which redirects from MEM)' },
  { code: 5, name: 'load-use', ident: 'LOAD_USE', p5: 'the bubble of a load-use stall (ID waits for a load in EX; with shift_result=mem, for a shift too)' },
  { code: 6, name: 'muldiv', ident: 'MULDIV', mOnly: true, p5: 'the bubbles behind a multiply or divide held in EX (with div_result=mem, mul_result=mem also the one before an instruction that reads a divide\'s, a multiply\'s result right behind it; with shift=mul a shift is a multiply)', mc: 'EXEC of a multiply or divide before its last cycle' },
  { code: 7, name: 'dmem-wait', ident: 'DMEM_WAIT', p5: 'the bubbles behind a load or store waiting in MEM for dmem_ready', mc: 'MEM waits for dmem_ready' },
  { code: 8, name: 'env-wait', ident: 'ENV_WAIT', p5: 'an ECALL/EBREAK waits in WB for env_ack', mc: 'ENV waits for env_ack' },
  { code: 9, name: 'serialize', ident: 'SERIALIZE', p5: 'the slots of the younger instructions flushed by a trap or ECALL/EBREAK, and the refill after it retires' },
  { code: 10, name: 'mc-fetch', ident: 'MC_FETCH', mc: 'FETCH: the cycle the instruction word arrives (decoded as it is captured)' },
  { code: 11, name: 'mc-execute', ident: 'MC_EXECUTE', mc: 'EXEC of a load, store, ECALL or EBREAK (it completes in MEM or ENV)' },
  { code: 12, name: 'mc-operands', ident: 'MC_OPERANDS', mc: 'OPER: the operands are read from the register file and registered' },
  { code: 13, name: 'shift', ident: 'SHIFT', shiftOnly: true, mc: 'EXEC of a shift before its last cycle (shift=serial: one bit per cycle in the divider)' },
  { code: 14, name: 'counter-wait', ident: 'CNTR_WAIT', zicntrOnly: true, p5: 'the bubbles before an instret read (RDINSTRET/H) held in ID until EX and MEM are empty, so that it reads the count of retired rows' },
  { code: 15, name: 'halted', ident: 'HALTED', p5: 'after the halting row (a run ends there)', mc: 'after the halting row (a run ends there)' },
];

/** Width of perf_stall. */
export const PERF_CAUSE_BITS = 4;

/** The cycle causes a core configuration can report, in code order (retire and halted included). */
export function perfCauses(cfg: CauseConfig): PerfCause[] {
  return PERF_CAUSES.filter((c) => (cfg.pipeline === '5' ? c.p5 : c.mc) !== undefined && (cfg.m || !c.mOnly) && (cfg.shiftSerial === true || !c.shiftOnly) && (cfg.zicntr !== false || !c.zicntrOnly));
}

/** What decides a core's cycle causes. */
type CauseConfig = Pick<Rv32imConfig, 'pipeline' | 'm'> & Partial<Pick<Rv32imConfig, 'shiftSerial' | 'zicntr'>>;

/** The causes a run counts apart from `retire`: every one but retire and halted (never inside a run). */
export function stallCauseNames(cfg: CauseConfig): string[] {
  return perfCauses(cfg).filter((c) => c.name !== 'retire' && c.name !== 'halted').map((c) => c.name);
}

function perfLocalparams(causes: PerfCause[]): string {
  const w = PERF_CAUSE_BITS;
  return `    localparam [${w - 1}:0] ${causes.map((c) => `PC_${c.ident} = ${w}'d${c.code}`).join(',\n                     ')};`;
}

/** env_ack_kind values. */
export const ENV_ACK = { return: 0, exit: 1, fault: 2 } as const;

/** Cycles rst must be held: the register file initialises one register per cycle, and the
 *  block-RAM BTB clears one entry per cycle, plus one: the entry cleared at the last edge is
 *  read at that edge without a bypass (btbInBlockRam). */
export function rv32imResetCycles(cfg?: Pick<Rv32imConfig, 'pipeline' | 'btb' | 'redirectMem'>): number {
  return cfg && btbInBlockRam(cfg) ? Math.max(32, cfg.btb + 1) : 32;
}

export function rv32imPorts(cfg?: Pick<Rv32imConfig, 'pipeline' | 'btb' | 'redirectMem'>): Port[] {
  const resetCycles = rv32imResetCycles(cfg);
  const p = (name: string, dir: 'in' | 'out', width: number, description: string): Port => ({ name, dir, width, description });
  return [
    p('clk', 'in', 1, 'clock; everything happens on the rising edge'),
    p('rst', 'in', 1, `synchronous, active high; hold it at least ${resetCycles} cycles (the register file initialises one register per cycle${resetCycles > 32 ? ', the BTB one entry per cycle' : ''})`),
    p('reset_pc', 'in', 32, 'first pc (the ELF entry); sampled while rst is high'),
    p('reset_sp', 'in', 32, 'initial x2 (sp); every other register starts at 0; sampled while rst is high'),
    p('imem_valid', 'out', 1, 'fetch request; a function of registers only (never of the *_ready/rdata/fault inputs)'),
    p('imem_addr', 'out', 32, 'fetch address (word aligned); the core may abandon a waiting fetch (after a redirect): answer the address presented in the ready cycle'),
    p('imem_ready', 'in', 1, 'the fetch completes in this cycle (low = wait state)'),
    p('imem_rdata', 'in', 32, 'the instruction word, valid with imem_ready'),
    p('imem_fault', 'in', 1, 'with imem_ready: the address is outside memory (the core retires a fetch-outside-ram trap)'),
    p('dmem_valid', 'out', 1, 'data request; a function of registers only'),
    p('dmem_addr', 'out', 32, 'word-aligned address, stable while dmem_valid waits'),
    p('dmem_wstrb', 'out', 4, 'byte lanes to write (bit i = byte dmem_addr+i); 0 = read'),
    p('dmem_wdata', 'out', 32, 'store data, in its byte lanes'),
    p('dmem_ready', 'in', 1, 'the access completes in this cycle (low = wait state); writes take effect only then'),
    p('dmem_rdata', 'in', 32, 'the whole aligned word, valid with dmem_ready on a read'),
    p('dmem_fault', 'in', 1, 'with dmem_ready: the address is outside memory; a write must then not happen (load/store-outside-ram trap)'),
    p('env_req', 'out', 1, 'an ECALL or EBREAK waits for the environment, everything older retired; held until env_ack'),
    p('env_ebreak', 'out', 1, 'with env_req: the instruction is EBREAK (else ECALL)'),
    p('env_pc', 'out', 32, 'with env_req: pc of the ECALL/EBREAK'),
    p('env_a0', 'out', 32, 'with env_req: x10'),
    p('env_a1', 'out', 32, 'with env_req: x11'),
    p('env_a2', 'out', 32, 'with env_req: x12'),
    p('env_a7', 'out', 32, 'with env_req: x17 (the Linux syscall number)'),
    p('env_ack', 'in', 1, 'the environment answers env_req (in the same cycle or later); the instruction retires in this cycle'),
    p('env_ack_kind', 'in', 2, 'with env_ack: 0 return (a0 := env_ack_a0, continue), 1 exit (halt), 2 fault (trap, halt)'),
    p('env_ack_a0', 'in', 32, 'with env_ack kind 0: the value written to a0'),
    p('halted', 'out', 1, 'the core has retired a halting row (exit or trap) and does nothing more until rst'),
    p('rvfi_valid', 'out', 1, 'one instruction retires this cycle; the rvfi_* fields describe it (src/riscv/trace.ts conventions)'),
    p('rvfi_order', 'out', 64, 'retirement index, from 0'),
    p('rvfi_insn', 'out', 32, 'instruction word (0 for a fetch fault)'),
    p('rvfi_trap', 'out', 1, 'the instruction faulted (it also halts)'),
    p('rvfi_halt', 'out', 1, 'last row: exit or trap'),
    p('rvfi_trap_cause', 'out', 3, `with rvfi_trap: ${TRAP_CAUSES.map((c, i) => `${i} ${c}`).join(', ')} (0 = fault answered by the environment: unknown ecall or EBREAK)`),
    p('rvfi_pc_rdata', 'out', 32, 'pc of the instruction'),
    p('rvfi_pc_wdata', 'out', 32, 'pc of the next instruction'),
    p('rvfi_rs1_addr', 'out', 5, 'rs1 when read, else 0'),
    p('rvfi_rs2_addr', 'out', 5, 'rs2 when read, else 0'),
    p('rvfi_rs1_rdata', 'out', 32, 'value of rs1 (0 when rs1_addr is 0)'),
    p('rvfi_rs2_rdata', 'out', 32, 'value of rs2 (0 when rs2_addr is 0)'),
    p('rvfi_rd_addr', 'out', 5, 'destination when written and not x0, else 0'),
    p('rvfi_rd_wdata', 'out', 32, 'value written (0 when rd_addr is 0)'),
    p('rvfi_mem_addr', 'out', 32, 'word-aligned address of the access, 0 without one'),
    p('rvfi_mem_rmask', 'out', 4, 'byte lanes read'),
    p('rvfi_mem_wmask', 'out', 4, 'byte lanes written'),
    p('rvfi_mem_rdata', 'out', 32, 'whole aligned word read (0 without a read)'),
    p('rvfi_mem_wdata', 'out', 32, 'stored bytes in their lanes, 0 elsewhere'),
    p('perf_stall', 'out', PERF_CAUSE_BITS, 'what this cycle is spent on, one code per cycle (a priority encoder): 0 retire, else the stall cause (manifest trace.perfCauses); the multicycle core registers it like rvfi_*, so 0 exactly when rvfi_valid on both cores'),
  ];
}

function portDecls(ports: Port[]): string {
  return ports
    .map((p, i) => {
      const range = p.width > 1 ? `[${p.width - 1}:0]` : '';
      const kind = p.dir === 'in' ? 'input  wire' : 'output wire';
      return `    ${kind} ${range.padEnd(7)}${p.name}${i < ports.length - 1 ? ',' : ''}`;
    })
    .join('\n');
}

/** What decides the divider's timing (forwardReg: with early out, it counts at start). */
type DivTiming = Pick<Rv32imConfig, 'divBits' | 'divEarly'> & Partial<Pick<Rv32imConfig, 'forwardReg' | 'divNoFold' | 'divReuse'>>;

/**
 * Whether the divider counts the skipped quotient bits in its start cycle: with early out on
 * the 5-stage core with forward=reg, whose operands come from flip-flops (elsewhere they come
 * through the forwarding mux, and the count takes a cycle of its own).
 */
export function divCountsAtStart(cfg: DivTiming): boolean {
  return cfg.divEarly && cfg.forwardReg === true;
}

/**
 * Cycles the divider spends after start before its steps: with early out, one to count the
 * skipped quotient bits (and form 3d) and one to shift past them; when it counts at start,
 * the shift alone, or none at div=1bit and 2bit, whose shift cycle makes the first step too
 * (3d formed at start); without early out, one to form 3d for the radix-4 step (div=2bit),
 * none for the restoring steps (1bit, 4bit).
 */
export function divPrepCycles(cfg: DivTiming): number {
  if (cfg.divEarly) return divCountsAtStart(cfg) ? (divFoldsFirstStep(cfg) ? 0 : 1) : 2;
  return cfg.divBits === 2 ? 1 : 0;
}

/**
 * Whether the divider's shift cycle (early out counted at start) also makes the first step:
 * at div=1bit and 2bit, where a shifter before one step's carry chain is still a short path
 * (at 4bit it would be four chains).
 */
export function divFoldsFirstStep(cfg: DivTiming): boolean {
  return divHasFold(cfg) && cfg.divNoFold !== true;
}

/** Where div_fold applies: the divider counts at start and steps 1 or 2 bits (at 4bit the shift cycle only shifts). */
export function divHasFold(cfg: DivTiming): boolean {
  return divCountsAtStart(cfg) && cfg.divBits <= 2;
}

/**
 * div_fold=off: the shift cycle only shifts, and the skip keeps the fold's cap (W − bits), so
 * at least one step follows it (no count adder after the leading-zero counts).
 */
export function divShiftOnly(cfg: DivTiming): boolean {
  return divHasFold(cfg) && cfg.divNoFold === true;
}

/**
 * div_fold=off with div_reuse=on (whose divider keeps |a| in a register of its own for the shift
 * cycle): a divide whose skip reaches the cap (at most `divBits` quotient bits) has a fixed
 * shifted position, which start loads, and makes its one step in the shift cycle.
 */
export function divCapStepInShift(cfg: DivTiming): boolean {
  return divShiftOnly(cfg) && cfg.divReuse === true;
}

/** The cycles a multiply holds the divider with mul=serial at `width` bits: start, one step per bit. */
export function serialMulCycles(width = 32): number {
  return 1 + width;
}

/** The cycles a shift holds the divider with shift=serial: start, one step per bit of shamt (below a multiply's). */
export function serialShiftCycles(shamt: number): number {
  return 1 + shamt;
}

/**
 * The cycles a divide holds the 5-stage core's EX when the divider is busy for `busy` cycles
 * (start included): one more, in which done is seen, or none more with div_result=mem (it
 * leaves in its last step).
 */
function divExHold(cfg: Pick<Rv32imConfig, 'divLate'>, busy: number): number {
  return busy + (cfg.divLate ? 0 : 1);
}

/**
 * div_reuse=on: the cycles a divide whose result the divider already holds stays in EX: its
 * start, then the cycle done is seen in (the divider does not step).
 */
export const DIV_REUSE_EX_HOLD = 2;

/** The fewest cycles a divide holds the divider with early out: start, then the prep cycles, or the first step when there are none (with div_fold=off, the step after the shift cycle, or in it: divCapStepInShift). */
function divMinCycles(cfg: DivTiming): number {
  return 1 + Math.max(divPrepCycles(cfg), 1) + (divShiftOnly(cfg) && !divCapStepInShift(cfg) ? 1 : 0);
}

/** The most cycles a divide holds the divider at `width` bits: start, the prep cycles, every step. */
export function divMaxCycles(cfg: DivTiming, width = 32): number {
  return 1 + divPrepCycles(cfg) + width / cfg.divBits;
}

/** The longest hold of the divider at `width` bits: a divide, a multiply with mul=serial, a shift by width − 1 with shift=serial. */
export function iterativeCycles(cfg: DivTiming & Pick<Rv32imConfig, 'mulSerial' | 'shiftSerial'>, width = 32): number {
  return Math.max(divMaxCycles(cfg, width), cfg.mulSerial ? serialMulCycles(width) : 0, cfg.shiftSerial ? serialShiftCycles(width - 1) : 0);
}

export function rv32imTopName(cfg: Rv32imConfig): string {
  let name = `${cfg.m ? 'rv32im' : 'rv32i'}_${cfg.pipeline === '5' ? 'p5' : 'mc'}`;
  // A suffix for each parameter off its default (the defaults of the core, from the parser).
  const def = parseRv32imParams({ pipeline: cfg.pipeline });
  if (cfg.m && (cfg.mulSerial !== def.mulSerial || cfg.mulStages !== def.mulStages)) name += cfg.mulSerial ? '_mulserial' : `_mul${cfg.mulStages + 1}`;
  if (cfg.m && cfg.divBits !== def.divBits) name += `_div${cfg.divBits}`;
  if (cfg.m && cfg.divEarly !== def.divEarly) name += cfg.divEarly ? '_early' : '_noearly';
  // (shift: off the default of the unit it would shift in, so div=4bit alone adds no suffix)
  if (cfg.shiftSerial !== serialShiftFits(cfg)) name += '_shbarrel';
  if (cfg.pipeline === '5' && cfg.btb !== 16) name += `_btb${cfg.btb}`;
  if (cfg.pipeline === '5' && cfg.ras !== 0) name += `_ras${cfg.ras}`;
  if (cfg.redirectMem) name += '_rmem';
  if (cfg.forwardId) name += cfg.forwardReg ? '_freg' : '_fid';
  if (cfg.decodeIf) name += '_dif';
  if (cfg.mulLate) name += '_mmem';
  if (cfg.shiftLate) name += '_shmem';
  if (cfg.shiftMul) name += '_shmul';
  if (cfg.divNoFold) name += '_nofold';
  if (cfg.divLate) name += '_dmem';
  if (cfg.divReuse) name += '_reuse';
  if (!cfg.syncRf) name += '_arf';
  if (!cfg.zicntr) name += '_nocntr';
  // (forward keeps its old short suffix, so existing simulator caches and names stay valid)
  for (const b of cfg.breaks) name += `_broken_${b === 'forward' ? 'fwd' : b}`;
  return name;
}

export interface Rv32imVariant {
  /**
   * Formal build: multiply and divide units are stand-ins (src/formal/altops.ts) with the real
   * timing (the divider may also finish earlier), and a register-file read that collides with
   * a write returns any value.
   */
  altops?: boolean;
}

/**
 * The multiplier or divider module of a configuration: at the cores' 32 bits, or at `width`
 * for the unit proofs; with altops, the formal stand-in (src/formal/altops.ts: the same timing,
 * the divider's or any shorter).
 */
/**
 * The widths a unit can be generated at (the cores' is 32; the unit proofs narrow it): 2 to 32
 * bits, the multiplier's even (two halves), the divider's a multiple of its step's bits and,
 * with the early out, a power of two (it counts leading zeros in a tree of pairs). `says` lists
 * them for an error.
 */
export function unitWidthRule(cfg: Rv32imConfig, unit: 'mul' | 'div'): { accepts: (w: number) => boolean; says: string } {
  const step = unit === 'mul' ? 2 : cfg.divBits;
  const pow2 = unit === 'div' && cfg.divEarly;
  // (the radix-4 step shifts two dividend bits through the quotient register, past two more)
  const min = unit === 'div' && cfg.divBits === 2 ? 4 : 2;
  return {
    accepts: (w) => Number.isInteger(w) && w >= min && w <= 32 && w % step === 0 && (!pow2 || (w & (w - 1)) === 0),
    says: `${min} to 32, a multiple of ${step}${pow2 ? ', a power of two (the early out counts leading zeros in a tree of pairs)' : ''}`,
  };
}

/**
 * pipeline=5 mul_result=mem with register stages (mul=2cycle, 3cycle): the multiply moves on to
 * MEM as the multiplier's last stage takes it (its low word, the high word's three parts and
 * funct3), and MEM adds the high word. With mul=1cycle the whole product is formed in EX.
 */
export function mulSumsInMem(cfg: Pick<Rv32imConfig, 'pipeline' | 'm' | 'mulLate' | 'mulStages'>): boolean {
  return cfg.pipeline === '5' && cfg.m && cfg.mulLate && cfg.mulStages > 0;
}

/** pipeline=5: the cycles a multiply holds EX (with mulSumsInMem its last stage is in MEM). */
export function mulExCycles(cfg: Pick<Rv32imConfig, 'pipeline' | 'm' | 'mulLate' | 'mulStages'>): number {
  return mulSumsInMem(cfg) ? cfg.mulStages : cfg.mulStages + 1;
}

export function rv32imUnit(cfg: Rv32imConfig, unit: 'mul' | 'div', opts: { width?: number; altops?: boolean } = {}): VerilogModule {
  const rule = unitWidthRule(cfg, unit);
  if (opts.width !== undefined && !rule.accepts(opts.width)) throw new Error(`rv32imUnit: a ${unit === 'mul' ? 'multiplier' : 'divider'} is generated at ${rule.says}; not at ${opts.width} bits`);
  const generator = GENERATOR_ID;
  const altops = opts.altops === true;
  const suffix = `${opts.width === undefined ? '' : `_w${opts.width}`}${altops ? '_altops' : ''}`;
  const data = { generator, width: opts.width, altops, altop: altopVerilog };
  if (unit === 'mul') {
    const late = mulSumsInMem(cfg);
    const name = `rv32im_mul_s${cfg.mulStages}${late ? '_late' : ''}${suffix}`;
    return { name, text: renderTemplate('rv32im_mul', { ...data, name, stages: cfg.mulStages, late }) };
  }
  const breakCorner = cfg.breaks.includes('div_corner');
  const breakMulSign = cfg.breaks.includes('mul_sign');
  const breakReuse = cfg.breaks.includes('div_reuse_sign');
  // (div_result=mem: the unit also says when it finishes, a cycle ahead: the port `last`)
  const name = `rv32im_${cfg.mulSerial ? (cfg.shiftSerial ? 'muldivsh' : 'muldiv') : 'div'}_b${cfg.divBits}${cfg.divEarly ? '_early' : ''}${divCountsAtStart(cfg) ? '_cs' : ''}${divShiftOnly(cfg) ? '_nofold' : ''}${cfg.divLate ? '_last' : ''}${cfg.divReuse ? '_reuse' : ''}${suffix}${breakCorner ? '_broken_div_corner' : ''}${breakMulSign ? '_broken_mul_sign' : ''}${breakReuse ? '_broken_div_reuse_sign' : ''}`;
  return { name, text: renderTemplate('rv32im_div', { ...data, name, bits: cfg.divBits, early: cfg.divEarly, countAtStart: divCountsAtStart(cfg), fold: divFoldsFirstStep(cfg), shiftOnly: divShiftOnly(cfg), capStep: divCapStepInShift(cfg), prep: divPrepCycles(cfg), lastOut: cfg.divLate, reuse: cfg.divReuse, breakReuse, breakCorner, breakMulSign, mul: cfg.mulSerial, shift: cfg.shiftSerial }) };
}

export function generateRv32im(raw: RawParams, variant: Rv32imVariant = {}): GeneratedDesign {
  const cfg = parseRv32imParams(raw);
  const altops = variant.altops === true;
  const generator = GENERATOR_ID;
  const isa = cfg.m ? 'RV32IM' : 'RV32I';
  const decoder = `${cfg.m ? 'rv32im' : 'rv32i'}_decoder${cfg.zicntr ? '' : '_nocntr'}${cfg.shiftSerial ? '_sh' : ''}`;
  // The multicycle core compares in OPER, so its ALU takes the comparison (rv32im_alu_cmpin);
  // with shift=serial it has no shifter.
  // (pipeline=5 forward=id: ID decodes the operation into one-hot selects, rv32im_alu_sel.)
  // (forward=reg: it also gives its sum, its comparison and the rest apart, rv32im_alu_sel_split;
  // with shift_result=mem the rest without the shifts, which only y has: _shlate)
  const alu = cfg.pipeline === '5' ? (cfg.forwardReg ? `rv32im_alu_sel_split${cfg.shiftMul ? '_nosh' : cfg.shiftLate ? '_shlate' : ''}` : cfg.forwardId ? 'rv32im_alu_sel' : 'rv32im_alu') : `rv32im_alu_cmpin${cfg.shiftSerial ? '_nosh' : ''}`;
  const loadExt = 'rv32im_load_ext';
  const regfile = cfg.syncRf ? `rv32im_regfile_sync${altops ? '_formal' : ''}` : 'rv32im_regfile';
  const mul = rv32imUnit(cfg, 'mul', { altops });
  const div = rv32imUnit(cfg, 'div', { altops });
  const mulName = mul.name;
  const divName = div.name;
  const top = rv32imTopName(cfg);
  const ports = rv32imPorts(cfg);
  const modules: VerilogModule[] = [
    { name: decoder, text: renderTemplate('rv32im_decoder', { generator, name: decoder, m: cfg.m, zicntr: cfg.zicntr, shiftOut: cfg.shiftSerial }) },
    { name: alu, text: renderTemplate('rv32im_alu', { generator, name: alu, cmpIn: cfg.pipeline !== '5', shifter: !cfg.shiftSerial && !cfg.shiftMul, sel: cfg.forwardId, split: cfg.forwardReg, shiftLate: cfg.shiftLate }) },
    { name: regfile, text: renderTemplate('rv32im_regfile', { generator, name: regfile, sync: cfg.syncRf, formal: altops && cfg.syncRf }) },
    { name: loadExt, text: renderTemplate('rv32im_load_ext', { generator, name: loadExt }) },
  ];
  if (cfg.m) {
    // mul=serial: the divider multiplies too (rv32im_muldiv_*), and there is no multiplier.
    modules.push(...(cfg.mulSerial ? [div] : [mul, div]));
  }
  const data = {
    generator, name: top, isa, m: cfg.m, zicntr: cfg.zicntr, decoder, alu, regfile, loadExt, mulName, divName,
    mulStages: cfg.mulStages, mulSerial: cfg.mulSerial, shiftSerial: cfg.shiftSerial, mulCycles: serialMulCycles(), divBits: cfg.divBits, divMax: divMaxCycles(cfg), btb: cfg.btb, ras: cfg.ras, redirectMem: cfg.redirectMem, btbSync: btbInBlockRam(cfg), btbTagBits: BTB_SYNC_TAG_BITS, forwardId: cfg.forwardId, forwardReg: cfg.forwardReg, decodeIf: cfg.decodeIf, divLate: cfg.divLate, mulLate: cfg.mulLate, shiftLate: cfg.shiftLate, shiftMul: cfg.shiftMul,
    mulInMem: mulSumsInMem(cfg), mulExCycles: mulExCycles(cfg),
    // forward=reg with mul_result=ex: the product forwarded from EX is a late source (beside the sum)
    mulFwdLate: cfg.m && cfg.forwardReg && !cfg.mulLate, divReuse: cfg.divReuse, flush: cfg.redirectMem ? 'm_redirect' : 'ex_redirect', syncRf: cfg.syncRf, breakForward: cfg.breaks.includes('forward'), breakPerf: cfg.breaks.includes('perf'), breaks: cfg.breaks, portDecls: portDecls(ports),
    perfLocalparams: perfLocalparams(perfCauses(cfg)),
  };
  modules.push({ name: top, text: renderTemplate(cfg.pipeline === '5' ? 'rv32im_p5' : 'rv32im_mc', data) });

  // Only the parameters that apply, so `params` is a complete set `generateRv32im` accepts again.
  const params: Record<string, string> = { pipeline: cfg.pipeline, m: cfg.m ? 'on' : 'off' };
  if (cfg.m) Object.assign(params, { mul: cfg.mulSerial ? 'serial' : `${cfg.mulStages + 1}cycle`, div: `${cfg.divBits}bit`, div_early: cfg.divEarly ? 'on' : 'off' });
  if (cfg.pipeline === 'multicycle') params.shift = cfg.shiftSerial ? 'serial' : 'barrel';
  if (cfg.pipeline === '5') Object.assign(params, { btb: String(cfg.btb), ras: String(cfg.ras), redirect: cfg.redirectMem ? 'mem' : 'ex', forward: cfg.forwardReg ? 'reg' : cfg.forwardId ? 'id' : 'ex', decode: cfg.decodeIf ? 'if' : 'id' });
  if (cfg.pipeline === '5' && cfg.m && cfg.forwardReg) params.mul_result = cfg.mulLate ? 'mem' : 'ex';
  if (cfg.pipeline === '5' && cfg.forwardReg && !cfg.shiftMul) params.shift_result = cfg.shiftLate ? 'mem' : 'ex';
  if (cfg.shiftMul) params.shift = 'mul';
  if (divHasFold(cfg)) params.div_fold = cfg.divNoFold ? 'off' : 'on';
  if (cfg.pipeline === '5' && cfg.m) Object.assign(params, { div_result: cfg.divLate ? 'mem' : 'ex', div_reuse: cfg.divReuse ? 'on' : 'off' });
  params.regfile = cfg.syncRf ? 'sync' : 'async';
  params.zicntr = cfg.zicntr ? 'on' : 'off';
  if (cfg.breaks.length > 0) params.test_break = cfg.breaks.join(',');
  const manifest = {
    module: top,
    block: 'rv32im',
    generator,
    isa,
    params,
    ports,
    files: modules.map((m) => `${m.name}.v`),
    microarchitecture:
      cfg.pipeline === '5'
        ? `in-order 5-stage (IF ID EX MEM WB)${cfg.decodeIf ? ', decoded in IF (registered with the word)' : ''}; forwarding MEM->EX, WB->EX${cfg.forwardReg ? ' (into the operand registers as an instruction enters EX)' : cfg.forwardId ? ' (selects decided in ID, registered)' : ''}, WB->ID; load-use stall 1 cycle${cfg.shiftLate ? ' (a shift\'s result too: taken in MEM, not forwarded from EX)' : ''}; branches resolve in EX; ` +
          (cfg.btb ? `a ${cfg.btb}-entry branch target buffer predicts in IF (no bubble); without a hit ` : '') +
          'JAL and backward branches are predicted taken in ID (1 bubble)' +
          (cfg.ras ? `, returns from a ${cfg.ras}-entry return address stack (1 bubble)` : '') +
          (cfg.redirectMem ? `; a misprediction costs 3 bubbles (registered in EX, fetch redirected from MEM; the BTB written from MEM${btbInBlockRam(cfg) ? `, read from block RAM a fetch ahead, ${BTB_SYNC_TAG_BITS}-bit partial tags` : ''}); ` : '; a misprediction costs 2 bubbles; ') +
          `multiply${cfg.shiftMul ? ' (and shift: SLL SRL SRA and their immediate forms are multiplies by a power of two in the DSP multiplier, shift=mul; SLL SRL SRA, whose amount is rs2\'s, 1 cycle more, to decode it)' : ''} holds EX ${mulExCycles(cfg)} cycle(s)${cfg.mulLate ? `, its result taken in MEM${mulSumsInMem(cfg) ? ', its high word added there,' : ''} (an instruction right behind that reads it waits a cycle, counted as muldiv)` : ''}, divide ${cfg.divEarly ? `${divExHold(cfg, divMinCycles(cfg))} to ${divExHold(cfg, divMaxCycles(cfg))} (early out)` : divExHold(cfg, divMaxCycles(cfg))}` +
          (cfg.divLate ? ', leaving in its last step: its result is taken in MEM (an instruction right behind that reads it waits a cycle, counted as muldiv)' : '') +
          (cfg.divReuse ? `; a divide of the last finished divide's operand values and signedness takes its result from the divider's registers, ${DIV_REUSE_EX_HOLD} cycles in EX` : '') +
          (cfg.zicntr ? '; an rdinstret/rdinstreth waits in ID until EX and MEM are empty (at most 2 bubbles, counted as counter-wait)' : '')
        : `multi-cycle (FETCH, OPER: operands registered, EXEC, MEM or ENV): ALU/jump/branch 3 cycles, load/store 4, ${cfg.shiftSerial ? `shift ${serialShiftCycles(0) + 4} + shamt (serial, in the divider), ` : ''}multiply ${cfg.mulSerial ? `${serialMulCycles() + 4} (serial, in the divider)` : cfg.mulStages + 4}, divide ${cfg.divEarly ? `up to ${divMaxCycles(cfg) + 4} (early out)` : divMaxCycles(cfg) + 4}, plus wait states; the rvfi_* outputs are registered: a row appears in the cycle after its instruction completes (the register write is made in that cycle too)`,
    reset:
      `hold rst high for at least ${rv32imResetCycles(cfg)} cycles with reset_pc and reset_sp set; the register file is initialised (x2 = reset_sp, others 0)${btbInBlockRam(cfg) ? ', the BTB cleared,' : ''} and fetching starts at reset_pc`,
    memory: {
      ports: 'separate instruction (imem_*) and data (dmem_*) ports, 32-bit, little-endian, word-aligned addresses',
      handshake:
        'an access completes in the cycle where valid && ready (same-cycle response: rdata and fault are sampled in that cycle). ' +
        'valid, addr, wstrb and wdata depend on core registers only, never combinationally on ready/rdata/fault. ' +
        'A data request stays stable (valid, addr, wstrb, wdata) until ready. An instruction fetch may be abandoned while it waits: ' +
        'after a redirect (mispredicted branch, trap, ECALL) imem_addr may change, or imem_valid fall, before imem_ready, so the memory must answer ' +
        'for the address presented in the cycle it raises imem_ready (a synchronous memory compares the address it read with the current one). ' +
        'Any number of wait states (ready low) is allowed on either port.',
      instructionPort:
        'reads only. The core may drop a completed fetch (after a redirect or while stalled) and fetch the same address again.',
      dataPort:
        'dmem_wstrb = 0: read of the aligned word; else write of the byte lanes set in dmem_wstrb (bit i = byte addr+i), the data in those lanes of dmem_wdata. ' +
        'Loads and stores are naturally aligned (misaligned ones trap inside the core and never reach the port). Each access is issued once.',
      faults:
        'an access outside memory is answered with ready=1 and fault=1 (and, for a write, no write): the core retires that instruction as a trap row ' +
        '(fetch-outside-ram, load-outside-ram, store-outside-ram) and halts.',
    },
    environment: {
      protocol:
        'when an ECALL or EBREAK is the oldest instruction (everything older retired, nothing younger has had any effect) the core raises env_req with env_pc, ' +
        'env_ebreak and a0 a1 a2 a7, and holds it until env_ack. env_ack_kind: 0 return (the instruction retires writing env_ack_a0 to a0, rd_addr = 10, execution continues at pc+4), ' +
        '1 exit (retires with halt = 1, no register write; the core halts), 2 fault (retires with trap = 1, halt = 1: unknown ecall, EBREAK).',
      memoryAccess: 'while env_req is high the core does not use the data port, so the environment may read memory (e.g. the write() buffer) itself.',
    },
    trace: {
      port: 'rvfi_* (RVFI shape): one row per cycle with rvfi_valid, in program order, exactly the TraceRow of src/riscv/trace.ts',
      trapCauses: Object.fromEntries(TRAP_CAUSES.map((c, i) => [i, c])),
      perfPort:
        'perf_stall: one code per cycle from a priority encoder, so the cycles from reset release to the halting row are a partition: ' +
        'cycles = instret (code 0) + the cycles of each other code' +
        (cfg.pipeline === '5'
          ? '. Every empty pipeline slot carries the cause that emptied it down to WB; a cycle without a retirement is counted for the slot in WB'
          : '. Registered like rvfi_*: it describes the previous cycle, so it is 0 exactly when rvfi_valid'),
      perfCauses: Object.fromEntries(perfCauses(cfg).map((c) => [c.code, `${c.name}: ${cfg.pipeline === '5' ? c.p5 : c.mc}`])),
    },
    counters: cfg.zicntr
      ? 'Zicntr, read-only: rdcycle/rdcycleh, rdtime/rdtimeh, rdinstret/rdinstreth (CSRRS, CSRRC, CSRRSI, CSRRCI of CSR 0xC00..0xC02, 0xC80..0xC82 that write nothing; ' +
        'any other CSR access is an illegal instruction). 64 bits each: instret = the rows retired before this one (its rvfi_order); ' +
        'cycle = the cycle in which its row appears on rvfi_*, counted from the first cycle after reset (0); time reads cycle (no real-time clock)'
      : 'none (zicntr=off): every CSR access is an illegal instruction',
  };
  return { top, manifest, modules };
}
