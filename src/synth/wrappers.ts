// FPGA tops that put a generated block behind a handful of pins, so that place and route can
// fit it into a small package (iCE40 UP5K sg48: 39 I/O) and time it as part of a design:
// every path starts and ends at a register, and nothing the block computes is optimised away.
import { GENERATOR_ID, designParams, renderTemplate, verilogSources, type GeneratedDesign, type Port } from '../gen/design.ts';
import { parseRv32imParams, rv32imResetCycles } from '../gen/rv32im.ts';

/** A design ready for synthesis and place and route: its top module and its Verilog sources. */
export interface FpgaDesign {
  top: string;
  files: Record<string, string>;
  /** The pins of the top, as the package sees them. */
  pins: Port[];
}

const CLOCK_PORTS = new Set(['clk']);
const RESET_PORTS = new Set(['rst']);

/** Names joined with ', ' into lines of at most `width` characters (a comment's list). */
function wrapWords(names: string[], width: number): string[] {
  const lines: string[] = [];
  for (const n of names) {
    const last = lines.length ? lines[lines.length - 1]! : undefined;
    if (last !== undefined && last.length + 2 + n.length <= width) lines[lines.length - 1] = `${last}, ${n}`;
    else lines.push(n);
  }
  return lines;
}

/** `{outs[7:0]} ^ {outs[15:8]} ^ …`: the bits of `padded` folded into one byte. */
function foldExpression(bits: number): string {
  const parts: string[] = [];
  for (let lo = 0; lo < bits; lo += 8) parts.push(`padded[${lo + 7}:${lo}]`);
  return parts.join(' ^ ');
}

export interface PinWrapperOptions {
  /**
   * Outputs left open instead of folded: the measurement leaves out what only they need (an
   * rv32im core's trace fields: rv32imUntracedOutputs). Their names must be outputs of the block.
   */
  open?: ReadonlySet<string>;
  /** Appended to the top's name (`<top>_fpga<suffix>`). */
  suffix?: string;
}

/**
 * Wraps a block with clk and rst ports: inputs from a one-pin shift register, outputs folded
 * into a registered byte (but those in `open`). Top module: `<top>_fpga<suffix>`; pins clk, rst,
 * din, dout[7:0].
 */
export function pinWrapper(design: GeneratedDesign, opts: PinWrapperOptions = {}): FpgaDesign {
  const ports = design.manifest.ports;
  if (!ports.some((p) => p.dir === 'in' && CLOCK_PORTS.has(p.name))) throw new Error(`pinWrapper: ${design.top} has no clk input`);
  const open = opts.open ?? new Set<string>();
  const notOutputs = [...open].filter((n) => !ports.some((p) => p.dir === 'out' && p.name === n));
  if (notOutputs.length) throw new Error(`pinWrapper: ${notOutputs.join(', ')} ${notOutputs.length > 1 ? 'are not outputs' : 'is not an output'} of ${design.top}`);
  const connections: { port: string; expr: string }[] = [];
  let inBits = 0;
  let outBits = 0;
  let openBits = 0;
  for (const p of ports) {
    if (p.dir === 'in' && (CLOCK_PORTS.has(p.name) || RESET_PORTS.has(p.name))) {
      connections.push({ port: p.name, expr: p.name });
    } else if (p.dir === 'in') {
      connections.push({ port: p.name, expr: `in_sr[${inBits + p.width - 1}:${inBits}]` });
      inBits += p.width;
    } else if (open.has(p.name)) {
      connections.push({ port: p.name, expr: `open_outs[${openBits + p.width - 1}:${openBits}]` });
      openBits += p.width;
    } else {
      connections.push({ port: p.name, expr: `outs[${outBits + p.width - 1}:${outBits}]` });
      outBits += p.width;
    }
  }
  if (inBits === 0 || outBits === 0) throw new Error(`pinWrapper: ${design.top} needs data inputs and outputs`);
  const foldBits = Math.ceil(outBits / 8) * 8;
  const name = `${design.top}_fpga${opts.suffix ?? ''}`;
  const text = renderTemplate('fpga_pin_wrapper', {
    generator: GENERATOR_ID,
    name,
    core: design.top,
    inBits,
    outBits,
    openBits,
    openLines: wrapWords(ports.filter((p) => open.has(p.name)).map((p) => p.name), 90),
    foldBits,
    foldExpr: foldExpression(foldBits),
    connections,
  });
  return {
    top: name,
    files: { ...verilogSources(design), [`${name}.v`]: text },
    pins: [
      { name: 'clk', dir: 'in', width: 1 },
      { name: 'rst', dir: 'in', width: 1 },
      { name: 'din', dir: 'in', width: 1, description: 'serial input: shifted into the block inputs, one bit per cycle' },
      { name: 'dout', dir: 'out', width: 8, description: openBits ? `registered XOR fold of the block outputs but those left open (${[...open].join(', ')})` : 'registered XOR fold of all block outputs' },
    ],
  };
}

export interface Rv32imFpgaOptions {
  /** RAM at address 0, in SPRAM: 64 or 128 KiB (the UP5K has 4 × 32 KiB). Default 128. */
  ramKiB?: 64 | 128;
  /** Code region, also held in EBR for fetch: base and size. Default 0x10000 (riscv/link.ld) and 8 KiB. */
  imemBase?: number;
  imemKiB?: 2 | 4 | 8 | 16;
  /**
   * What the trace pin accumulates: 'full' every field of every retired row (the witness leaves
   * the chip, so all the trace logic stays), 'light' only rvfi_insn and rvfi_rd_wdata (what a
   * core without a trace port computes anyway; the rest of the trace logic is optimised away).
   * Default 'full'.
   */
  trace?: 'full' | 'light';
}

const LIGHT_TRACE = new Set(['rvfi_valid', 'rvfi_insn', 'rvfi_rd_wdata']);

/** The rv32im core's ports the FPGA top folds into its trace byte (the RVFI row and stall bits). */
function traceOutputs(design: GeneratedDesign): Port[] {
  return design.manifest.ports.filter((p) => p.dir === 'out' && (p.name.startsWith('rvfi_') || p.name === 'perf_stall'));
}

/**
 * The trace outputs of an rv32im core that a light trace leaves out: every RVFI field and
 * perf_stall but rvfi_valid, rvfi_insn and rvfi_rd_wdata. pinWrapper(core, { open }) then
 * measures the core nearer to one without a trace port: an upper bound on it, since the
 * retired instruction word's pipeline registers (kept for rvfi_insn) stay.
 */
export function rv32imUntracedOutputs(design: GeneratedDesign): Set<string> {
  return new Set(traceOutputs(design).filter((p) => !LIGHT_TRACE.has(p.name)).map((p) => p.name));
}

/** The rv32im core bare with a light trace: pinWrapper with rv32imUntracedOutputs open, top `<core>_fpga_light`. */
export function rv32imLightPinWrapper(design: GeneratedDesign): FpgaDesign {
  return pinWrapper(design, { open: rv32imUntracedOutputs(design), suffix: '_light' });
}

/**
 * An FPGA top for a generated rv32im core: RAM in SPRAM, the code region also in EBR for fetch,
 * a serial loader on din (while rst is high), a minimal environment (exit, write) and pins
 * clk, rst, din, halted, code[7:0] (exit code), trace_byte[7:0] (XOR accumulation of the trace rows).
 * Top module `<core>_fpga`.
 */
export function rv32imFpgaTop(design: GeneratedDesign, opts: Rv32imFpgaOptions = {}): FpgaDesign {
  if (design.manifest.block !== 'rv32im') throw new Error(`rv32imFpgaTop: ${design.top} is a ${design.manifest.block}, not an rv32im core`);
  const ramKiB = opts.ramKiB ?? 128;
  const imemKiB = opts.imemKiB ?? 8;
  const imemBase = opts.imemBase ?? 0x10000;
  const ramBytes = ramKiB * 1024;
  const imemBytes = imemKiB * 1024;
  if (![64, 128].includes(ramKiB)) throw new Error(`rv32imFpgaTop: ramKiB ${ramKiB} must be 64 or 128`);
  if (![2, 4, 8, 16].includes(imemKiB)) throw new Error(`rv32imFpgaTop: imemKiB ${imemKiB} must be 2, 4, 8 or 16`);
  if (imemBase % imemBytes !== 0 || imemBase + imemBytes > ramBytes) {
    throw new Error(`rv32imFpgaTop: the code region 0x${imemBase.toString(16)} + ${imemKiB} KiB must be aligned to its size and inside the ${ramKiB} KiB RAM`);
  }
  const trace = opts.trace ?? 'full';
  const outputs = traceOutputs(design);
  if (!outputs.some((p) => p.name === 'rvfi_valid')) throw new Error(`rv32imFpgaTop: ${design.top} has no rvfi_valid port`);
  const foldPorts = trace === 'full' ? outputs : outputs.filter((p) => LIGHT_TRACE.has(p.name));
  const unusedPorts = outputs.filter((p) => !foldPorts.includes(p));
  const rowBits = foldPorts.reduce((s, p) => s + p.width, 0);
  const foldBits = Math.ceil(rowBits / 8) * 8;
  const parts: string[] = [];
  for (let lo = 0; lo < foldBits; lo += 8) parts.push(`row[${lo + 7}:${lo}]`);
  const name = `${design.top}_fpga${trace === 'full' ? '' : '_light'}`;
  const text = renderTemplate('rv32im_fpga_top', {
    generator: GENERATOR_ID,
    name,
    core: design.top,
    ramKiB,
    ramBytes,
    ramAddrBits: Math.log2(ramBytes),
    ramIdxBits: Math.log2(ramBytes) - 2,
    imemBase,
    imemBytes,
    imemAddrBits: Math.log2(imemBytes),
    trace,
    outputs,
    foldPorts,
    unusedPorts,
    foldBits,
    foldPad: foldBits - rowBits,
    foldExpr: parts.join(' ^ '),
    resetCycles: rv32imResetCycles(parseRv32imParams(designParams(design))),
  });
  return {
    top: name,
    files: { ...verilogSources(design), [`${name}.v`]: text },
    pins: [
      { name: 'clk', dir: 'in', width: 1 },
      { name: 'rst', dir: 'in', width: 1, description: 'synchronous, active high; while high, din loads the program' },
      { name: 'din', dir: 'in', width: 1, description: `program loader: 32-bit words MSB first, stored from 0x${imemBase.toString(16)} up` },
      { name: 'halted', dir: 'out', width: 1, description: 'the program exited or faulted' },
      { name: 'code', dir: 'out', width: 8, description: 'exit code (a0[7:0] of the exit ecall)' },
      { name: 'trace_byte', dir: 'out', width: 8, description: `XOR accumulation of the retired trace rows (${trace === 'full' ? 'every field' : 'valid, insn and rd_wdata'}), folded to a byte` },
    ],
  };
}

/** The FPGA top for any generated design: the rv32im top for a core, else the pin wrapper. */
export function fpgaTopFor(design: GeneratedDesign): FpgaDesign {
  return design.manifest.block === 'rv32im' ? rv32imFpgaTop(design) : pinWrapper(design);
}
