// Place and route with nextpnr-ice40 (the WebAssembly build, or $NEXTPNR): the log parser on
// captured text, the FPGA wrappers (lint, Yosys check), real runs of small designs and the error
// for one that does not fit.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { MAX_PNR_SEEDS, parsePnrFreq, parsePnrSeeds, parsePnrTrace, parsePnrWrap, pnrTops, runPnrFor, type PnrCliOptions } from '../src/cli/commands/synth-pnr.ts';
import { UsageError } from '../src/cli/errors.ts';
import { silentProgress } from '../src/cli/progress.ts';
import { customField, namedField } from '../src/fields/registry.ts';
import { generateBlock } from '../src/gen/index.ts';
import { generateRv32im } from '../src/gen/rv32im.ts';
import { benchPrograms, renderRv32imMarkdown, type Rv32imBenchResult } from '../bench/rv32im.ts';
import { runModel } from '../src/model/rv32im.ts';
import { loadElf } from '../src/riscv/elf.ts';
import { DEFAULT_RAM_BYTES } from '../src/riscv/machine.ts';
import { compileProgram, riscvCacheRoot, runQemu } from '../src/riscv/toolchain.ts';
import { buildPipelineSim, cacheRoot, lintVerilog } from '../src/sim/verilator.ts';
import { PnrFitError, ROUTER_STALL_ITERATIONS, routerStallWatch, clockName, designName, dspBoundedFmax, dspCriticalPath, dspPathNs, parseDspPaths, ensureNextpnr, formatCriticalPath, formatPnrReport, formatSeedSpread, formatSeeds, nextpnrEngine, overCapacity, parseCriticalPath, parseNextpnrLog, placeAndRoute, seedSpread, type PnrReport, type SeedSpread } from '../src/synth/pnr.ts';
import { fpgaTopFor, pinWrapper, rv32imFpgaTop, rv32imLightPinWrapper, rv32imUntracedOutputs } from '../src/synth/wrappers.ts';
import { checkVerilog } from '../src/synth/yosys.ts';

const FPGA_HARNESS = join(import.meta.dirname, 'support', 'rv32im_fpga_harness.cpp');

/** What `run` writes to stdout, each write a string (the CLI's paragraphs). */
async function stdoutOf(run: () => Promise<void>): Promise<string[]> {
  const printed: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (printed.push(String(s)), true));
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return printed;
}

/** `block` of the 14-bit prime 12289 placed by the CLI into a scratch directory (dir/out): what it printed. */
async function placedByCli(block: string, opts: Omit<PnrCliOptions, 'out' | 'progress'>) {
  await ensureNextpnr();
  const design = generateBlock(block, customField('12289'));
  const w = pinWrapper(design);
  const dir = mkdtempSync(join(tmpdir(), `zkrtl-pnr-${block}-`));
  const out = join(dir, 'out');
  const printed = await stdoutOf(async () => expect(await runPnrFor(design, { ...opts, out, progress: silentProgress })).toBe(0));
  return { design, w, dir, out, printed };
}

// A program whose exit code depends on loads and stores of every width, MUL, DIV and REM,
// and which makes a write() call: the FPGA top's loader, memories and environment all count.
const FPGA_PROGRAM = `
static unsigned buf[64];
static long sys_write(long fd, const void *p, long n) {
    register long a0 __asm__("a0") = fd;
    register long a1 __asm__("a1") = (long)p;
    register long a2 __asm__("a2") = n;
    register long a7 __asm__("a7") = 64;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}
int main(void) {
    unsigned h = 2166136261u;
    for (int i = 0; i < 64; i++) buf[i] = (unsigned)i * 2654435761u;
    for (int r = 0; r < 4; r++)
        for (int i = 0; i < 64; i++) {
            h = (h ^ buf[i]) * 16777619u;
            buf[i] = h / (unsigned)(i + 3) + h % 7u;
        }
    volatile unsigned char *b = (volatile unsigned char *)buf;
    volatile short *s = (volatile short *)buf;
    b[5] = (unsigned char)h;
    s[9] = (short)(h >> 3);
    h += b[5] + (unsigned)(signed char)b[6] + (unsigned)s[9] + (unsigned)s[10] + buf[4];
    long n = sys_write(1, "fpga\\n", 5);
    return (int)((h + (unsigned)n) & 0x7f);
}
`;

// Lines of a real nextpnr-ice40 0.4 log (babybear montmul wrapper, --freq 50): utilisation,
// the post-placement estimate, and the final figure after routing, which missed the target.
const LOG = `Info: Device utilisation:
Info: \t         ICESTORM_LC:   740/ 5280    14%
Info: \t        ICESTORM_RAM:     2/   30     6%
Info: \t               SB_IO:    11/   96    11%
Info: \t               SB_GB:     1/    8    12%
Info: \t        ICESTORM_DSP:     6/    8    75%
Info: \t      ICESTORM_SPRAM:     4/    4   100%

Info: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 50.10 MHz (PASS at 50.00 MHz)

Info: Max delay <async>                       -> posedge clk$SB_IO_IN_$glb_clk: 16.19 ns
Info: Routing..
ERROR: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 47.24 MHz (FAIL at 50.00 MHz)

Info: Max delay <async>                       -> posedge clk$SB_IO_IN_$glb_clk: 17.97 ns
1 warning, 1 error
`;

describe('benchmark programs (bench/riscv)', () => {
  it('print the same checksums and exit 0 under qemu-riscv32 and the golden model', async () => {
    const programs = benchPrograms();
    expect(programs.map((p) => p.name)).toEqual(['crc32', 'dhry', 'divide', 'matmul', 'qsort', 'sha256', 'sieve']);
    for (const p of programs) {
      const elf = await compileProgram([p.source], join(riscvCacheRoot(), 'bench', `${p.name}.elf`));
      const qemu = await runQemu(elf);
      expect(qemu.exitCode, `${p.name} under qemu-riscv32`).toBe(0);
      // Self-checks inside the programs (CRC check value, SHA-256 of "abc", prime count) make 0 mean right.
      expect(qemu.stdout.toString()).toMatch(new RegExp(`^(${p.name}: \\S+ \\S+\n)+$`));
      const { image, entry } = loadElf(new Uint8Array(readFileSync(elf)), DEFAULT_RAM_BYTES, `${p.name}.elf`);
      const model = runModel(image, entry, { ramBytes: DEFAULT_RAM_BYTES, maxCycles: 50_000_000, trace: false, segment: 0 });
      expect(model.stop, p.name).toEqual({ kind: 'exit', code: 0 });
      expect(Buffer.from(model.stdout).toString(), p.name).toBe(qemu.stdout.toString());
    }
  }, 90_000);
});

describe('nextpnr log', () => {
  it("stops a router that makes no progress: no new low in the arcs left for the stated iterations", () => {
    // router1's progress lines as nextpnr 0.4 prints them (the header does not count).
    const row = (iter: number, left: number) => `Info: ${String(iter).padStart(10)} | ${String(iter - 900).padStart(8)} ${'900'.padStart(10)} | 1000     0 | ${String(left).padStart(9)}|       0.61    1194.20|`;
    const watch = routerStallWatch(5000);
    expect(watch('Info:    IterCnt |  w/ripup   wo/ripup |  w/r  wo/r |      arcs| batch(sec) total(sec)|')).toBeNull();
    // Progress, with a rise in between: a new low resets the count.
    for (const [i, left] of [[1000, 13968], [2000, 13195], [3000, 13300], [4000, 13000]] as const) expect(watch(row(i, left))).toBeNull();
    for (let i = 5000; i < 9000; i += 1000) expect(watch(row(i, 13000))).toBeNull();
    expect(watch('Info: Routing globals...')).toBeNull();
    expect(watch(row(9000, 13000))).toBe("nextpnr's router left 13000 arcs unrouted from iteration 4000 to 9000 (no fewer in 5000)");
    // The default limit, on the stall that was measured (2131 arcs from iteration 32000).
    const fresh = routerStallWatch();
    expect(fresh(row(32000, 2131))).toBeNull();
    expect(fresh(row(32000 + ROUTER_STALL_ITERATIONS - 1000, 2131))).toBeNull();
    expect(fresh(row(32000 + ROUTER_STALL_ITERATIONS, 2131))).toMatch(/^nextpnr's router left 2131 arcs unrouted from iteration 32000 to 232000/);
  });

  it('takes the Fmax after routing and the utilisation table', () => {
    const facts = parseNextpnrLog(LOG);
    expect(facts.clocks).toEqual({ clk: 47.24 });
    expect(facts.utilisation.ICESTORM_LC).toEqual({ used: 740, available: 5280 });
    expect(facts.utilisation.ICESTORM_RAM).toEqual({ used: 2, available: 30 });
    expect(facts.utilisation.ICESTORM_DSP).toEqual({ used: 6, available: 8 });
    expect(facts.utilisation.SB_IO).toEqual({ used: 11, available: 96 });
    expect(facts.utilisation.ICESTORM_SPRAM).toEqual({ used: 4, available: 4 });
    // A missed timing target is a result, not the error.
    expect(facts.error).toBeUndefined();
    expect(overCapacity(facts.utilisation)).toEqual([]);
  });

  it('names the resources over capacity and the first error', () => {
    const facts = parseNextpnrLog(
      "Info: \t        ICESTORM_DSP:     9/    8   112%\nERROR: Unable to place cell 'p_DSP', no BELs remaining to implement cell type 'ICESTORM_DSP'\n",
    );
    expect(overCapacity(facts.utilisation)).toEqual(['ICESTORM_DSP 9/8']);
    expect(facts.error).toMatch(/no BELs remaining/);
    expect(facts.clocks).toEqual({});
  });

  // Excerpts of real reports (cell names shortened): nextpnr 0.4 (rv32im_mc bare) and 0.8
  // (a modadd wrapper). The post-placement report comes first; the last one for the clock counts.
  const PATH_04 = [
    "Info: Critical path report for clock 'clk$SB_IO_IN_$glb_clk' (posedge -> posedge):",
    'Info: curr total',
    'Info:  1.4  1.4  Source core.old_SB_LUT4_O_LC.O',
    'Info:  1.2  9.9  Setup core.older_SB_LUT4_O_LC.I2',
    '',
    "Info: Critical path report for clock 'clk$SB_IO_IN_$glb_clk' (posedge -> posedge):",
    'Info: curr total',
    'Info:  1.4  1.4  Source core.rs2_z_SB_DFFE_Q_D_SB_LUT4_O_LC.O',
    'Info:  3.0  4.4    Net core.rs2_z[3] budget 1.0 ns (5,5) -> (6,5)',
    'Info:                Sink core.div.b_SB_LUT4_O_LC.I1',
    'Info:  1.2  5.6  Source core.div.b_SB_LUT4_O_LC.O',
    'Info:  0.6  6.2  Source core.mul.p_SB_LUT4_O_29_LC.COUT',
    'Info:  0.3  6.5  Source core.mul.p_SB_LUT4_O_28_LC.COUT',
    'Info:  0.9  7.4  Source core.md_y_SB_DFF_Q_D_SB_LUT4_O_I0_LC.O',
    'Info:  1.2 47.3  Setup core.md_y_SB_DFF_Q_D_SB_LUT4_O_LC.I2',
    'Info: 21.6 ns logic, 25.7 ns routing',
    '',
    "Info: Critical path report for cross-domain path '<async>' -> 'posedge clk$SB_IO_IN_$glb_clk':",
    'Info:  9.0  9.0  Source din$sb_io.D_IN_0',
  ].join('\n');
  const PATH_08 = [
    "Info: Critical path report for clock 'clk$SB_IO_IN_$glb_clk' (posedge -> posedge):",
    'Info:       type curr  total name',
    'Info:   clk-to-q  1.39  1.39 Source in_sr_SB_DFF_Q_62_DFFLC.O',
    'Info:    routing  1.76  3.15 Net in_sr[66] (10,1) -> (10,2)',
    'Info:                          Sink core.out_r_SB_LUT4_O_LC.I2',
    'Info:      logic  1.21  4.36 Source core.out_r_SB_LUT4_O_LC.O',
    'Info:      logic  0.61  7.92 Source core.out_r_SB_CARRY_CO$CARRY.COUT',
    'Info:      logic  0.28  8.20 Source core.out_r_SB_LUT4_O_1_LC.COUT',
    'Info:      logic  0.87 30.58 Source core.out_r_SB_CARRY_CI_CO_SB_LUT4_I3_LC.O',
    'Info:      setup  0.82 35.55 Source core.out_r_SB_DFF_Q_58_D_SB_LUT4_O_LC.I3',
    'Info: 22.14 ns logic, 13.41 ns routing',
  ].join('\n');

  it('reads the critical path after routing in both report formats: ends, delay, LUT levels and carry cells', () => {
    expect(parseCriticalPath(PATH_04)).toEqual({ from: 'core.rs2_z', to: 'core.md_y', ns: 47.3, lutLevels: 2, carryCells: 2 });
    expect(parseCriticalPath(PATH_08)).toEqual({ from: 'in_sr', to: 'core.out_r', ns: 35.55, lutLevels: 2, carryCells: 2 });
    expect(formatCriticalPath(parseCriticalPath(PATH_04)!)).toBe('core.rs2_z → core.md_y, 47.3 ns (2 LUT levels, 2 carry cells)');
    expect(parseCriticalPath(PATH_04, 'other')).toBeNull();
    expect(parseCriticalPath('Info: Max frequency for clock')).toBeNull();
    expect(designName('core.div.quo_SB_DFFE_Q_29_D_SB_LUT4_O_LC.O')).toBe('core.div.quo');
    expect(designName('core.pc[3]')).toBe('core.pc');
  });

  // nextpnr 0.4 (the 5-stage core with mul=1cycle, bare): the slowest path leaving the DSPs is
  // longer than the clock's critical path, and only that report shows it.
  const DSP_04 = [
    "Info: Critical path report for clock 'clk$SB_IO_IN_$glb_clk' (posedge -> posedge):",
    'Info: curr total',
    'Info:  1.4  1.4  Source core.x_rs2_val_SB_DFFE_Q_D_SB_LUT4_O_LC.O',
    'Info:  0.9  6.6  Source core.mul.sb_SB_LUT4_O_LC.O',
    'Info:  1.2 53.8  Setup core.x_rs2_val_SB_DFFE_Q_1_D_SB_LUT4_O_LC.I0',
    '',
    "Info: Critical path report for cross-domain path '<async>' -> 'posedge clk$SB_IO_IN_$glb_clk':",
    'Info: curr total',
    'Info:  0.0  0.0  Source core.mul.p_SB_MAC16_O_DSP.O_17',
    'Info:  4.8  4.8    Net core.mul.p_SB_MAC16_O_O[1] budget -2.542000 ns (0,5) -> (2,14)',
    'Info:                Sink core.mul.p_SB_MAC16_O_O_SB_LUT4_I1_8_LC.I1',
    'Info:  0.7  5.5  Source core.mul.p_SB_MAC16_O_O_SB_LUT4_I1_8_LC.COUT',
    'Info:  0.9 31.3  Source core.mul.p_SB_LUT4_O_24_LC.O',
    'Info:  1.2 58.6  Setup core.x_rs2_val_SB_DFFE_Q_1_D_SB_LUT4_O_LC.I0',
    'Info: 24.2 ns logic, 34.4 ns routing',
    '',
    "Info: Critical path report for cross-domain path 'posedge clk$SB_IO_IN_$glb_clk' -> '<async>':",
    'Info: curr total',
    'Info:  1.4  1.4  Source out_r_SB_LUT4_O_LC.O',
    'Info:  1.8  9.6    Net dout[2] budget 1.0 ns (5,1) -> (5,0)',
    'Info:                Sink dout[2]$sb_io.D_OUT_0',
    'Info: 1.4 ns logic, 8.2 ns routing',
  ].join('\n');

  it('reads the paths nextpnr cuts at a DSP and bounds Fmax by them', () => {
    const paths = parseDspPaths(DSP_04);
    expect(paths.fromDsp).toEqual({ from: 'core.mul.p', to: 'core.x_rs2_val', ns: 58.6, lutLevels: 1, carryCells: 1 });
    // The clock → <async> report ends at a pin, not a DSP input.
    expect(paths.toDsp).toBeNull();
    expect(dspBoundedFmax(18.59, paths)).toBe(17.06);
    expect(dspBoundedFmax(12, paths)).toBe(12);
    expect(dspBoundedFmax(18.59, parseDspPaths(PATH_04))).toBe(18.59);
    expect(formatCriticalPath({ ...paths.fromDsp!, cutAtDsp: 'from' })).toMatch(/^core\.mul\.p → core\.x_rs2_val, 58\.6 ns .*from an SB_MAC16 output/);
    // nextpnr 0.8 reports <async> paths from pins only.
    expect(parseDspPaths(PATH_08)).toEqual({ fromDsp: null, toDsp: null });
    // The slowest path into a DSP ends at the same DSP the slowest path out of one starts at:
    // one register → DSP → register path, 8.7 + 58.6 ns before the DSP's own delay.
    const into = DSP_04.replace(/Info:  1\.4  1\.4  Source out_r[^]*$/, [
      'Info:  1.4  1.4  Source core.x_rs1_val_SB_DFFE_Q_D_SB_LUT4_O_LC.O',
      'Info:  7.2  8.6    Net core.fwd_rs1[31] budget 8.510000 ns (8,29) -> (25,10)',
      'Info:                Sink core.mul.p_SB_MAC16_O_DSP.A_15',
      'Info:  0.1  8.7  Setup core.mul.p_SB_MAC16_O_DSP.A_15',
      'Info: 1.5 ns logic, 7.2 ns routing',
    ].join('\n'));
    const joined = parseDspPaths(into);
    expect(joined.toDsp).toEqual({ from: 'core.x_rs1_val', to: 'core.mul.p', ns: 8.7, lutLevels: 0, carryCells: 0 });
    expect(dspPathNs(joined)).toBe(67.3);
    expect(dspBoundedFmax(18.59, joined)).toBe(14.86);
    expect(formatCriticalPath(dspCriticalPath(joined)!)).toBe('core.x_rs1_val → core.x_rs2_val, 67.3 ns (1 LUT level, 1 carry cell, through the SB_MAC16 core.mul.p: its own delay comes on top)');
    // Different DSPs: the longer path alone.
    expect(dspPathNs({ fromDsp: paths.fromDsp, toDsp: { ...joined.toDsp!, to: 'core.other' } })).toBe(58.6);
  });

  it('cleans clock net names', () => {
    expect(clockName('clk$SB_IO_IN_$glb_clk')).toBe('clk');
    expect(clockName('core.clk_div')).toBe('core.clk_div');
  });
});

describe('FPGA wrappers', () => {
  const montmul = generateBlock('montmul', namedField('babybear'));

  it('puts a block behind clk, rst, din and an 8-bit dout, lint-clean and Yosys-clean', async () => {
    const w = pinWrapper(montmul);
    expect(w.top).toBe('montmul_babybear_fpga');
    expect(w.pins.map((p) => `${p.name}:${p.width}`)).toEqual(['clk:1', 'rst:1', 'din:1', 'dout:8']);
    // 1 + 31 + 31 input bits in the shift register, 1 + 31 output bits folded.
    expect(w.files['montmul_babybear_fpga.v']).toContain('reg [62:0] in_sr;');
    expect(w.files['montmul_babybear_fpga.v']).toContain('padded[31:24]');
    await lintVerilog(w.top, w.files);
    await checkVerilog(w.top, w.files);
  }, 60_000);
});

describe('rv32im bare with a light trace', () => {
  it('leaves every trace field but valid, insn and rd_wdata open: fewer bits folded, lint-clean and Yosys-clean', async () => {
    const core = generateRv32im({});
    const open = rv32imUntracedOutputs(core);
    expect(open.has('rvfi_pc_rdata')).toBe(true);
    expect(open.has('perf_stall')).toBe(true);
    for (const kept of ['rvfi_valid', 'rvfi_insn', 'rvfi_rd_wdata', 'imem_addr', 'dmem_wdata', 'halted']) expect(open.has(kept), kept).toBe(false);
    const full = pinWrapper(core);
    const light = rv32imLightPinWrapper(core);
    expect(light.top).toBe('rv32im_p5_fpga_light');
    const outBits = (w: typeof full) => Number(/wire \[(\d+):0\] outs;/.exec(w.files[`${w.top}.v`]!)![1]) + 1;
    const openWidth = core.manifest.ports.filter((p) => open.has(p.name)).reduce((n, p) => n + p.width, 0);
    expect(outBits(full) - outBits(light)).toBe(openWidth);
    expect(light.files[`${light.top}.v`]).toContain(`wire [${openWidth - 1}:0] open_outs;   // left open`);
    // (no open output: the wrapper's text as before)
    expect(full.files[`${full.top}.v`]).toMatch(/pins\. Every input and\n\/\/ output bit stays live, and paths start and end at registers, as inside a larger design\.\n`default_nettype none\n/);
    expect(full.files[`${full.top}.v`]).not.toMatch(/open_outs|left open/);
    expect(light.files[`${light.top}.v`]).toMatch(/These 320 output bits are\n\/\/ left open, .*\n\/\/   rvfi_order, rvfi_trap, /);
    expect(light.pins.find((p) => p.name === 'dout')!.description).toMatch(/but those left open \(rvfi_order, .*perf_stall\)$/);
    // (the multicycle core too)
    const mc = generateRv32im({ pipeline: 'multicycle' });
    const mcLight = rv32imLightPinWrapper(mc);
    await lintVerilog(mcLight.top, mcLight.files);
    await lintVerilog(light.top, light.files);
    await checkVerilog(light.top, light.files);
    expect(() => pinWrapper(core, { open: new Set(['clk', 'nope']) })).toThrow(/^pinWrapper: clk, nope are not outputs of rv32im_p5$/);
    expect(() => pinWrapper(core, { open: new Set(['nope']) })).toThrow(/^pinWrapper: nope is not an output of rv32im_p5$/);
  }, 60_000);
});

describe('rv32im FPGA top', () => {
  for (const pipeline of ['multicycle', '5']) {
    it(`wraps the ${pipeline} core: 20 pins, lint-clean and Yosys-clean`, async () => {
      const core = generateRv32im({ pipeline });
      const w = fpgaTopFor(core);
      expect(w.top).toBe(`${core.top}_fpga`);
      expect(w.pins.reduce((n, p) => n + p.width, 0)).toBe(20);
      const text = w.files[`${w.top}.v`]!;
      // 128 KiB of RAM (SPRAM), 8 KiB of code copied in EBR.
      expect(text).toContain('reg [31:0] ram [0:32767];');
      expect(text).toContain('reg [31:0] imem [0:2047];');
      await lintVerilog(w.top, w.files);
      await checkVerilog(w.top, w.files);
      const light = rv32imFpgaTop(core, { trace: 'light' });
      await lintVerilog(light.top, light.files);
    }, 60_000);
  }

  it('refuses what it cannot wrap', () => {
    const core = generateRv32im({ pipeline: 'multicycle' });
    expect(() => rv32imFpgaTop(generateBlock('montmul', namedField('babybear')))).toThrow(/montmul_babybear is a montmul, not an rv32im core/);
    expect(() => rv32imFpgaTop(core, { ramKiB: 64 })).toThrow(/code region 0x10000 \+ 8 KiB must be aligned to its size and inside the 64 KiB RAM/);
    expect(() => rv32imFpgaTop(core, { imemBase: 0x11000 })).toThrow(/must be aligned/);
    expect(rv32imFpgaTop(core, { ramKiB: 64, imemBase: 0x8000, imemKiB: 4 }).files['rv32im_mc_fpga.v']).toContain('reg [31:0] imem [0:1023];');
  });

  let programHex: Promise<{ hex: string; exitCode: number }> | undefined;
  /** The test program as loader words (compiled once), and the exit code qemu-riscv32 gives. */
  function fpgaProgram(): Promise<{ hex: string; exitCode: number }> {
    programHex ??= (async () => {
      const dir = join(riscvCacheRoot(), 'fpga-test');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'fpga_prog.c'), FPGA_PROGRAM);
      const elf = await compileProgram([join(dir, 'fpga_prog.c')], join(dir, 'fpga_prog.elf'));
      const qemu = await runQemu(elf);
      expect(qemu.stdout.toString()).toBe('fpga\n');
      expect(qemu.exitCode).toBeGreaterThan(0);
      const loaded = loadElf(new Uint8Array(readFileSync(elf)), 128 * 1024, 'fpga_prog.elf');
      // Every word from the code base to the end of the last segment (bss included: zeros).
      const end = Math.max(...loaded.segments.map((s) => s.vaddr + s.memsz));
      const view = new DataView(loaded.image.buffer, loaded.image.byteOffset);
      const words: string[] = [];
      for (let a = 0x10000; a < end; a += 4) words.push(view.getUint32(a, true).toString(16));
      const hex = join(dir, 'fpga_prog.hex');
      writeFileSync(hex, words.join('\n') + '\n');
      return { hex, exitCode: qemu.exitCode };
    })();
    return programHex;
  }

  // The pipelined core moves its fetch address on while a fetch waits (after a redirect): the
  // top's synchronous memories must notice, which only a run with wait states shows.
  for (const pipeline of ['multicycle', '5']) {
    it(`loads a program through its pins and runs it on the ${pipeline} core to the exit code qemu-riscv32 gives`, async () => {
      const { hex, exitCode } = await fpgaProgram();
      const w = rv32imFpgaTop(generateRv32im({ pipeline }));
      const binary = await buildPipelineSim({ top: w.top, files: w.files, harnessPath: FPGA_HARNESS });
      expect(binary.startsWith(cacheRoot())).toBe(true);
      const r = spawnSync(binary, [hex, '2000000'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const m = /^halted=(\d+) code=(\d+) cycles=(\d+) trace=(\d+)$/m.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      expect(Number(m![1])).toBe(1);
      expect(Number(m![2])).toBe(exitCode);
    }, 120_000);
  }
});

describe('place and route', () => {
  it('refuses a NEXTPNR that is not an executable, in one line', async () => {
    vi.stubEnv('NEXTPNR', join(tmpdir(), 'no-such-nextpnr-ice40'));
    try {
      expect(() => nextpnrEngine()).toThrow(/^NEXTPNR=\S+no-such-nextpnr-ice40 is not an executable file: point it at a nextpnr-ice40 binary, or unset it to use the WebAssembly build from npm \(@yowasp\/nextpnr-ice40\)$/);
      await expect(ensureNextpnr()).rejects.toThrow(/is not an executable file/);
      vi.stubEnv('NEXTPNR', '');
      expect(nextpnrEngine()).toEqual({ kind: 'wasm' });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('says which resources are over capacity when a design does not fit', async () => {
    await ensureNextpnr();
    // Nine registered 16x16 products: one SB_MAC16 each, and the UP5K has eight.
    const text = [
      '`default_nettype none',
      'module nine_macs (input wire clk, input wire din, output reg [7:0] dout);',
      '  reg [287:0] sr;',
      '  always @(posedge clk) sr <= {sr[286:0], din};',
      '  reg [31:0] p [0:8];',
      '  reg [31:0] x;',
      '  integer i;',
      '  always @(posedge clk) for (i = 0; i < 9; i = i + 1) p[i] <= sr[i*32 +: 16] * sr[i*32+16 +: 16];',
      '  always @(*) begin x = 0; for (i = 0; i < 9; i = i + 1) x = x ^ p[i]; end',
      '  always @(posedge clk) dout <= x[7:0] ^ x[15:8] ^ x[23:16] ^ x[31:24];',
      'endmodule',
      '',
    ].join('\n');
    const run = placeAndRoute({ top: 'nine_macs', files: { 'nine_macs.v': text } });
    await expect(run).rejects.toBeInstanceOf(PnrFitError);
    await expect(run).rejects.toThrow(/nine_macs does not fit the iCE40 UP5K \(sg48\): ICESTORM_DSP 9\/8/);
  }, 60_000);

  // The default engine is the WebAssembly nextpnr (several times slower than a native one), so
  // one real run serves both placeAndRoute and the CLI's files, on a 14-bit montmul: small, but
  // its a·b product still takes an SB_MAC16.
  it('places and routes a 14-bit montmul on an UP5K: Fmax, utilisation and the engine in one paragraph, the report, the logs and the .asc', async () => {
    const { design, w, dir, out, printed } = await placedByCli('montmul', { clockMhz: 50, seeds: [2] });
    try {
      expect(printed.join('')).toMatch(
        new RegExp(`^${w.top} on iCE40 UP5K-SG48 \\(nextpnr-ice40 \\S+ \\((yowasp [\\d.]+, WebAssembly|native /\\S+)\\), seed 2, target 50 MHz\\): Fmax \\d+\\.\\d\\d MHz \\(critical path \\S+ → \\S+, [\\d.]+ ns \\(\\d+ LUT levels?, \\d+ carry cells?\\)\\); paths through the 1 combinational DSP are not in nextpnr's Fmax \\((and this nextpnr reports none of them|those it reports are shorter than the critical path)\\); \\d+ of 5280 logic cells`),
      );
      expect(readdirSync(out).sort()).toEqual([...Object.keys(w.files), `${w.top}.asc`, 'nextpnr.log', 'report.json', 'report.txt', 'yosys.log'].sort());
      expect(readFileSync(join(out, `${w.top}.asc`), 'utf8')).toMatch(/^\.comment/);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as PnrReport & { core: string };
      expect(report.core).toBe(design.top);
      expect(report.seed).toBe(2);
      expect(report.fmaxMhz).toBeGreaterThan(0);
      expect(report.clocks.clk).toBe(report.nextpnrFmaxMhz);
      expect(report.fmaxMhz).toBeLessThanOrEqual(report.nextpnrFmaxMhz!);
      expect(report.nextpnrEngine).toBe(process.env.NEXTPNR ? 'native' : 'wasm');
      expect(report.nextpnrVersion).toMatch(process.env.NEXTPNR ? /^nextpnr-ice40 \S+ \(native \/\S+\)$/ : /^nextpnr-ice40 \S+ \(yowasp [\d.]+, WebAssembly\)$/);
      expect(report.dsps).toBeGreaterThan(0);
      expect(report.dsps).toBe(report.yosys.dsps);
      expect(report.lcs).toBeGreaterThan(report.yosys.ffs / 2);
      expect(report.lcsAvailable).toBe(5280);
      expect(report.ios).toBe(11);
      // The critical path is nextpnr's own: its delay is the clock period of the Fmax it reports.
      expect(report.criticalPath).not.toBeNull();
      expect(report.criticalPath!.ns).toBeCloseTo(1000 / report.fmaxMhz!, 0);
      expect(report.criticalPath!.lutLevels + report.criticalPath!.carryCells).toBeGreaterThan(0);
      expect(readFileSync(join(out, 'report.txt'), 'utf8')).toBe(formatPnrReport(report));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('rejects a bad --freq or --seed with a usage error; --seed takes a seed, a list, ranges', () => {
    expect(parsePnrFreq('48')).toBe(48);
    expect(parsePnrFreq(undefined)).toBeUndefined();
    expect(() => parsePnrFreq('fast')).toThrow(UsageError);
    expect(() => parsePnrFreq('0')).toThrow(/--freq 0 is not accepted/);
    expect(parsePnrSeeds(undefined)).toBeUndefined();
    expect(parsePnrSeeds('7')).toEqual([7]);
    expect(parsePnrSeeds('1-5')).toEqual([1, 2, 3, 4, 5]);
    expect(parsePnrSeeds('9,1-3,0')).toEqual([9, 1, 2, 3, 0]);
    expect(() => parsePnrSeeds('-1')).toThrow(/^--seed -1 is not accepted: give a non-negative integer, a list \(1,4,7\) or a range \(1-5\)$/);
    expect(() => parsePnrSeeds('1,,2')).toThrow(/^--seed 1,,2 is not accepted: give a non-negative integer/);
    expect(() => parsePnrSeeds('5-1')).toThrow(/^--seed 5-1 is not accepted: the range 5-1 runs backwards: give it low-high \(1-5\)$/);
    expect(() => parsePnrSeeds('1-3,2')).toThrow(/^--seed 1-3,2 is not accepted: seed 2 is given twice$/);
    expect(parsePnrSeeds(`1-${MAX_PNR_SEEDS}`)).toHaveLength(MAX_PNR_SEEDS);
    expect(() => parsePnrSeeds(`0-${MAX_PNR_SEEDS}`)).toThrow(new RegExp(`at most ${MAX_PNR_SEEDS} seeds`));
    expect(() => parsePnrSeeds('1-99999999999')).toThrow(UsageError);
  });

  it('sums up Fmax over seeds: minimum, median, mean, maximum, worst and best seed', () => {
    const placed = (seed: number, fmaxMhz: number | null) => ({ seed, fmaxMhz, criticalPath: null, lcs: 100 + seed });
    const r = (seed: number, fmaxMhz: number | null) => placed(seed, fmaxMhz) as PnrReport;
    const s = seedSpread([r(1, 29.01), r(2, 27.89), r(3, 28.64), r(4, 27.66), r(5, 27.5)]) as SeedSpread;
    expect(s).toEqual({ placements: [placed(1, 29.01), placed(2, 27.89), placed(3, 28.64), placed(4, 27.66), placed(5, 27.5)], min: 27.5, median: 27.89, mean: 28.14, max: 29.01, worstSeed: 5, bestSeed: 1 });
    expect(formatSeedSpread(s)).toBe('seeds 1-5: Fmax 27.50 to 29.01 MHz, median 27.89, mean 28.14 (worst seed 5, best seed 1)');
    // an even count takes the mean of the middle two; a seed without a clock figure is left out of the figures
    expect(seedSpread([r(4, 20), r(2, null), r(9, 30), r(3, 10), r(1, 40)])).toMatchObject({ placements: [placed(4, 20), placed(2, null), placed(9, 30), placed(3, 10), placed(1, 40)], min: 10, median: 25, mean: 25, max: 40, worstSeed: 3, bestSeed: 1 });
    expect(seedSpread([r(1, null)])).toBeNull();
    expect(formatSeeds([1, 2, 3, 7, 9, 10])).toBe('1-3,7,9-10');
    expect(formatSeeds([5, 4])).toBe('5,4');
  });

  it('the bench lists a placement spread under the clock table when a configuration was placed with several seeds', () => {
    const committed = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'bench', 'results.json'), 'utf8')) as { rv32im: Rv32imBenchResult };
    const spreadLines = (md: string) => md.split('\n').filter((l) => l.startsWith('Placement spread of '));
    // The committed run without its spreads (placed with one seed each) renders none.
    const result = structuredClone(committed.rv32im);
    for (const v of result.clockVariants ?? []) delete v.pnrBare.seeds;
    expect(spreadLines(renderRv32imMarkdown(result))).toEqual([]);
    const variant = result.clockVariants!.at(-1)!;
    const report = variant.pnrBare.report!;
    const path = (from: string) => ({ ...report.criticalPath!, from });
    variant.pnrBare.seeds = seedSpread([[1, 29.01, path('core.a')], [2, 27.5, path('core.b')], [3, 28.25, null]].map(([seed, fmaxMhz, criticalPath]) => ({ ...report, seed, fmaxMhz, criticalPath }) as PnrReport))!;
    const md = renderRv32imMarkdown(result);
    expect(spreadLines(md)).toEqual([
      `Placement spread of ${variant.top} (${variant.config}), bare: the same netlist placed with seeds 1-3 (\`zkrtl synth rv32im --target ice40 --pnr --wrap bare --seed 1-3\`, ${variant.pnrBare.engine}); ` +
        "the table's row is seed 1, the seed the floors are judged at. seeds 1-3: Fmax 27.50 to 29.01 MHz, median 28.25, mean 28.25 (worst seed 2, best seed 1).",
    ]);
    const rows = md.split('\n');
    const at = rows.indexOf('| seed | Fmax | critical path |');
    expect(rows.slice(at + 2, at + 5)).toEqual([`| 1 | 29.01 MHz | ${formatCriticalPath(path('core.a'))} |`, `| 2 | 27.50 MHz | ${formatCriticalPath(path('core.b'))} |`, '| 3 | 28.25 MHz | – |']);
  });

  // Several seeds: one synthesis, one placement per seed (a 14-bit modadd: no DSP, seconds each).
  it('places one netlist once per seed: seed-N/ per placement, seeds.json and the printed spread agree with them', async () => {
    const { design, w, dir, out, printed } = await placedByCli('modadd', { seeds: [3, 1, 2] });
    try {
      expect(readdirSync(out).sort()).toEqual([...Object.keys(w.files), 'seed-1', 'seed-2', 'seed-3', 'seeds.json', 'seeds.txt', 'yosys.log'].sort());
      const reports = [3, 1, 2].map((seed) => {
        expect(readdirSync(join(out, `seed-${seed}`)).sort()).toEqual([`${w.top}.asc`, 'nextpnr.log', 'report.json', 'report.txt'].sort());
        const report = JSON.parse(readFileSync(join(out, `seed-${seed}`, 'report.json'), 'utf8')) as PnrReport;
        expect(report.seed).toBe(seed);
        return report;
      });
      // each seed placed the same netlist its own way
      expect(new Set(reports.map((r) => r.yosys.luts)).size).toBe(1);
      expect(new Set([3, 1, 2].map((seed) => readFileSync(join(out, `seed-${seed}`, `${w.top}.asc`), 'utf8'))).size).toBe(3);
      const seeds = JSON.parse(readFileSync(join(out, 'seeds.json'), 'utf8')) as SeedSpread & { top: string };
      const expected = seedSpread(reports)!;
      expect(seeds).toMatchObject({ ...expected, top: w.top, core: design.top });
      expect(seeds.placements.map((p) => [p.seed, p.fmaxMhz, p.lcs])).toEqual(reports.map((r) => [r.seed, r.fmaxMhz, r.lcs]));
      expect(seeds.min).toBe(Math.min(...reports.map((r) => r.fmaxMhz!)));
      const line = `${w.top}: ${formatSeedSpread(expected)}\n`;
      expect(readFileSync(join(out, 'seeds.txt'), 'utf8')).toBe(line);
      const text = printed.join('');
      expect(text).toContain(line);
      for (const r of reports) expect(text).toContain(formatPnrReport(r));
      expect(text.indexOf(', seed 3, ')).toBeLessThan(text.indexOf(', seed 1, '));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('places a core bare, in its FPGA top or both (--wrap, rv32im only), one-line errors otherwise', () => {
    expect(parsePnrWrap(undefined, 'rv32im')).toBeUndefined();
    expect(parsePnrWrap('bare', 'rv32im')).toBe('bare');
    expect(parsePnrWrap('both', 'rv32im')).toBe('both');
    expect(() => parsePnrWrap('naked', 'rv32im')).toThrow(/^--wrap naked is not accepted: give bare .*, top .* or both$/);
    expect(() => parsePnrWrap('top', 'montmul')).toThrow(/^--wrap top goes with rv32im only/);
    const core = generateRv32im({ pipeline: 'multicycle' });
    const both = pnrTops(core, 'both');
    expect(both.map((t) => [t.dir, t.kind])).toEqual([['bare', 'bare'], ['fpga-top', 'fpga-top']]);
    // Bare: the pin wrapper's 11 pins; the FPGA top: its RAM and loader pins.
    expect(both[0]!.fpga.pins.map((p) => p.name)).toEqual(['clk', 'rst', 'din', 'dout']);
    expect(both[1]!.fpga.pins.map((p) => p.name)).toEqual(rv32imFpgaTop(core).pins.map((p) => p.name));
    expect(pnrTops(core, 'top').map((t) => [t.dir, t.kind])).toEqual([['', 'fpga-top']]);
    expect(pnrTops(core, 'bare').map((t) => [t.dir, t.kind])).toEqual([['', 'bare']]);
    expect(pnrTops(generateBlock('montmul', customField('12289')), 'both').map((t) => [t.dir, t.kind])).toEqual([['', 'pins']]);
  });

  it('measures a core with its whole trace or a light one (--trace, rv32im only), one-line errors otherwise', () => {
    expect(parsePnrTrace(undefined, 'rv32im')).toBeUndefined();
    expect(parsePnrTrace('light', 'rv32im')).toBe('light');
    expect(parsePnrTrace('full', 'rv32im')).toBe('full');
    expect(() => parsePnrTrace('none', 'rv32im')).toThrow(/^--trace none is not accepted: give full \(.*\) or light \(only rvfi_valid, rvfi_insn and rvfi_rd_wdata: .*\)$/);
    expect(() => parsePnrTrace('light', 'montmul')).toThrow(/^--trace light goes with rv32im only: montmul has no trace port$/);
    const core = generateRv32im({});
    const [bare, top] = pnrTops(core, 'both', 'light');
    expect(bare!.fpga.top).toBe('rv32im_p5_fpga_light');
    expect(top!.fpga.top).toBe('rv32im_p5_fpga_light');
    expect(bare!.what).toMatch(/left open/);
    expect(bare!.fpga.files['rv32im_p5_fpga_light.v']).toContain('wire [319:0] open_outs;');
    // the FPGA top accumulates only valid, insn and rd_wdata of each row
    expect(top!.fpga.files['rv32im_p5_fpga_light.v']).toMatch(/wire \[\d+:0\] row = \{(\d+'d0, )?rvfi_valid, rvfi_insn, rvfi_rd_wdata\};/);
    expect(pnrTops(core, 'bare', 'light').map((t) => [t.dir, t.fpga.top])).toEqual([['', 'rv32im_p5_fpga_light']]);
    expect(pnrTops(core, 'top', 'light').map((t) => [t.dir, t.fpga.top])).toEqual([['', 'rv32im_p5_fpga_light']]);
    expect(pnrTops(core, 'both').map((t) => t.fpga.top)).toEqual(['rv32im_p5_fpga', 'rv32im_p5_fpga']);
  });
});

describe('runProcess stop', () => {
  it('kills the process when its signal aborts (how placeAndRoute stops a stalled router)', async () => {
    const { runProcess } = await import('../src/tools/process.ts');
    const stop = new AbortController();
    const run = runProcess(['sleep', '30'], { signal: stop.signal });
    setTimeout(() => stop.abort(), 100);
    const r = await run;
    expect(r.code).toBeNull();
    expect(r.signal).toBe('SIGKILL');
  });
});
