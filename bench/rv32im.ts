// rv32im benchmark rows for `npm run bench`: the C programs of bench/riscv/ run on both core
// configurations (cycles, instret, CPI, stalls, Verilator speed), on the golden model (its
// speed) and under qemu-riscv32 (the reference output); Yosys ice40 and xilinx counts of both
// cores; nextpnr-ice40 Fmax of both cores in their FPGA top, with the WebAssembly nextpnr (the
// default engine) and, when $NEXTPNR names one, a native binary too. Every figure comes from a
// tool run.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Progress } from '../src/cli/progress.ts';
import { verilogSources } from '../src/gen/design.ts';
import { generateRv32im, parseRv32imParams, stallCauseNames } from '../src/gen/rv32im.ts';
import type { RawParams } from '../src/gen/params.ts';
import { loadElf } from '../src/riscv/elf.ts';
import { DEFAULT_RAM_BYTES, describeStop, type RunOptions } from '../src/riscv/machine.ts';
import { compileProgram, riscvCacheRoot, runQemu } from '../src/riscv/toolchain.ts';
import { cycleAccountingError, runOnRtl } from '../src/sim/rv32im-sim.ts';
import { PnrFitError, PnrRouteError, formatCriticalPath, formatSeedSpread, formatSeeds, nextpnrEngine, nextpnrVersion, placeAndRouteSeeds, seedSpread, type CriticalPath, type NextpnrEngine, type PnrReport, type SeedSpread } from '../src/synth/pnr.ts';
import { synthesize, type SynthReport } from '../src/synth/synth.ts';
import { pinWrapper, rv32imFpgaTop, rv32imLightPinWrapper } from '../src/synth/wrappers.ts';
import { timeModelRun } from './rv32im-model.ts';

export const BENCH_RISCV_DIR = join(import.meta.dirname, 'riscv');

/** The configurations benchmarked: the fast one and the small one, M on, default mul/div. */
export const RV32IM_BENCH_CONFIGS: { name: string; params: RawParams }[] = [
  { name: 'pipeline=5', params: { pipeline: '5', m: 'on' } },
  { name: 'multicycle', params: { pipeline: 'multicycle', m: 'on' } },
];

const MAX_CYCLES = 200_000_000;

// Anchors and floors (issue 3).
export const RV32IM_FLOORS = { p5Cpi: 1.3, verilatorCyclesPerSecond: 2e6, modelInstrPerSecond: 20e6 };
export const RV32IM_ANCHORS = [
  'PicoRV32: CPI ≈ 4–4.8, ≈ 1,000 Xilinx LUTs (its README: 750–2,000 LUTs by configuration)',
  'VexRiscv "full": 1.21 DMIPS/MHz',
  'VexRiscv "small": 504 LUTs at 243 MHz on Artix-7',
];

export interface Rv32imRunRow {
  program: string;
  config: string;
  top: string;
  cycles: number;
  instret: number;
  cpi: number;
  /** Cycles by cause (perf_stall), every cause of the core: cycles = instret + the sum of these. */
  stalls: Record<string, number>;
  /** Simulated cycles per second of wall clock, without trace (the harness's own timing). */
  verilatorCyclesPerSecond: number;
  /** stdout and exit code equal qemu-riscv32's. */
  matchesQemu: boolean;
}

export interface Rv32imProgramRow {
  program: string;
  instret: number;
  exitCode: number;
  /** The program's output (checksums), as qemu-riscv32 printed it. */
  stdout: string;
  modelInstrPerSecond: number;
  modelMatchesQemu: boolean;
}

export interface Rv32imPnrRow {
  /** The nextpnr that ran: `nextpnr-ice40 0.8 (yowasp 0.8.621, WebAssembly)`, `nextpnr-ice40 0.4-1+b1 (native /usr/bin/nextpnr-ice40)`. */
  engine: string;
  fits: boolean;
  /** false: placed, but nextpnr's router stalled (PnrRouteError; error says where). */
  routes?: false;
  report?: PnrReport;
  /** Why there is no Fmax: the fit error (resources over capacity), or the router's stall. */
  error?: string;
  /** With more seeds than 1 (report is the first's): the same netlist placed with each, and the spread of Fmax. */
  seeds?: SeedSpread;
}

export interface Rv32imSynthRow {
  config: string;
  top: string;
  ice40: SynthReport;
  xilinx: SynthReport;
  /** The default engine: @yowasp/nextpnr-ice40 (WebAssembly). */
  pnr: Rv32imPnrRow;
  /** The native binary $NEXTPNR names, when it was set for the run. */
  pnrNative?: Rv32imPnrRow;
  /** The core bare (src/synth/wrappers.ts pinWrapper: ports folded to 11 pins), on the native engine when $NEXTPNR names one, else WebAssembly. */
  pnrBare?: Rv32imPnrRow;
  /** Bare with a light trace (`zkrtl synth rv32im --pnr --wrap bare --trace light`): nearer to a core without a trace port. */
  pnrBareLight?: Rv32imPnrRow;
}

/** A clock-rate measurement kept from an earlier commit (same flow), to set beside the current one. */
export interface Rv32imClockRecord {
  commit: string;
  config: string;
  top: string;
  wrapping: 'bare' | 'fpga-top';
  engine: string;
  fmaxMhz: number;
  luts: number;
  criticalPath: CriticalPath;
  /** Mean CPI over bench/riscv at that commit (its bench run). */
  meanCpi: number;
  note: string;
}

export interface Rv32imBenchResult {
  programs: Rv32imProgramRow[];
  runs: Rv32imRunRow[];
  synth: Rv32imSynthRow[];
  /** Other configurations placed bare, with their mean CPI (RV32IM_CLOCK_VARIANTS). */
  clockVariants?: Rv32imClockVariant[];
  /** Earlier measurements by the same flow, kept in results.json (the bench does not re-measure old commits). */
  clockHistory?: Rv32imClockRecord[];
  summary: {
    /** Mean CPI over the programs, per configuration. */
    meanCpi: Record<string, number>;
    /** Total cycles / total instructions over the programs, per configuration. */
    aggregateCpi: Record<string, number>;
    /** Total cycles / total simulation seconds, per configuration. */
    verilatorCyclesPerSecond: Record<string, number>;
    /** Total instructions / total model seconds. */
    modelInstrPerSecond: number;
    allMatchQemu: boolean;
  };
  floors: typeof RV32IM_FLOORS;
  anchors: string[];
  markdown: string;
}

export function benchPrograms(): { name: string; source: string }[] {
  return readdirSync(BENCH_RISCV_DIR)
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((f) => ({ name: f.slice(0, -2), source: join(BENCH_RISCV_DIR, f) }));
}

const runOptions = (): RunOptions => ({ ramBytes: DEFAULT_RAM_BYTES, maxCycles: MAX_CYCLES, trace: false, segment: 0 });
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** A loaded bench program with qemu-riscv32's stdout and exit code, which every run must give again. */
export interface LoadedBenchProgram {
  name: string;
  image: Uint8Array;
  entry: number;
  stdout: string;
  exitCode: number;
}

/** A bench program compiled (cached), loaded, and its reference run under qemu-riscv32. */
export async function loadBenchProgram(p: { name: string; source: string }): Promise<LoadedBenchProgram> {
  const elf = await compileProgram([p.source], join(riscvCacheRoot(), 'bench', `${p.name}.elf`));
  const { image, entry } = loadElf(new Uint8Array(readFileSync(elf)), DEFAULT_RAM_BYTES, `${p.name}.elf`);
  const qemu = await runQemu(elf);
  return { name: p.name, image, entry, stdout: qemu.stdout.toString('utf8'), exitCode: qemu.exitCode };
}

/** A core configuration's CPI over the programs under Verilator. */
export interface BenchCpi {
  /** The mean of the programs' CPIs. */
  meanCpi: number;
  /** Per stall cause (the core's perf causes), the mean over the programs of its stall cycles per instruction: they add up to meanCpi − 1. */
  meanStalls: Record<string, number>;
}

/** The CPI of a core configuration (params, generating `top`) over the programs under Verilator, and where its cycles above one per instruction go; throws when a run's output or exit code differs from qemu-riscv32's. */
export async function benchCpi(programs: readonly LoadedBenchProgram[], params: RawParams, top: string, step: (s: string) => void): Promise<BenchCpi> {
  let cpiSum = 0;
  const stallSum: Record<string, number> = {};
  for (const p of programs) {
    step(`${p.name} on ${top} (Verilator)`);
    const r = await runOnRtl(p.image, p.entry, { ...runOptions(), params, onProgress: step });
    const exit = r.stop.kind === 'exit' ? r.stop.code : -1;
    if (text(r.stdout) !== p.stdout || exit !== p.exitCode) throw new Error(`${p.name} on ${top}: output or exit code differs from qemu-riscv32's`);
    cpiSum += r.stats.cycles / r.stats.instret;
    // (the causes partition the cycles that retire nothing, so they add up to CPI - 1: checked, not assumed)
    const accounting = cycleAccountingError(r);
    if (accounting) throw new Error(`${p.name} on ${top}: ${accounting}`);
    for (const [cause, n] of Object.entries(r.stats.stalls)) stallSum[cause] = (stallSum[cause] ?? 0) + n / r.stats.instret;
  }
  const meanStalls = Object.fromEntries(Object.entries(stallSum).map(([cause, s]) => [cause, s / programs.length]));
  return { meanCpi: cpiSum / programs.length, meanStalls };
}

/** The mean CPI of a core configuration over the programs under Verilator (benchCpi's). */
export async function benchMeanCpi(programs: readonly LoadedBenchProgram[], params: RawParams, top: string, step: (s: string) => void): Promise<number> {
  return (await benchCpi(programs, params, top, step)).meanCpi;
}

export async function benchRv32im(progress: Progress): Promise<Rv32imBenchResult> {
  const step = (s: string) => progress.step(`rv32im: ${s}`);
  const programs: Rv32imProgramRow[] = [];
  const runs: Rv32imRunRow[] = [];
  const loaded: LoadedBenchProgram[] = [];

  for (const p of benchPrograms()) {
    step(`${p.name}: compile, qemu-riscv32, model`);
    const loadedProgram = await loadBenchProgram(p);
    const { image, entry } = loadedProgram;
    // Model speed: the median of 5 timed runs after 2 warm-up runs, the run alone (timeModelRun).
    const { result: model, seconds } = timeModelRun(image, entry, runOptions());
    const modelExit = model.stop.kind === 'exit' ? model.stop.code : -1;
    if (model.stop.kind !== 'exit') step(`${p.name}: model stopped: ${describeStop(model.stop)}`);
    programs.push({
      program: p.name,
      instret: model.stats.instret,
      exitCode: loadedProgram.exitCode,
      stdout: loadedProgram.stdout,
      modelInstrPerSecond: model.stats.instret / seconds,
      modelMatchesQemu: text(model.stdout) === loadedProgram.stdout && modelExit === loadedProgram.exitCode,
    });
    loaded.push(loadedProgram);
  }

  for (const cfg of RV32IM_BENCH_CONFIGS) {
    const top = generateRv32im(cfg.params).top;
    for (const p of loaded) {
      step(`${p.name} on ${top} (Verilator)`);
      const r = await runOnRtl(p.image, p.entry, { ...runOptions(), params: cfg.params, onProgress: step });
      const exit = r.stop.kind === 'exit' ? r.stop.code : -1;
      if (r.stop.kind !== 'exit') step(`${p.name} on ${top}: stopped: ${describeStop(r.stop)}`);
      runs.push({
        program: p.name,
        config: cfg.name,
        top,
        cycles: r.stats.cycles,
        instret: r.stats.instret,
        cpi: r.stats.cpi,
        stalls: r.stats.stalls,
        verilatorCyclesPerSecond: r.simSeconds > 0 ? r.stats.cycles / r.simSeconds : 0,
        matchesQemu: text(r.stdout) === p.stdout && exit === p.exitCode,
      });
    }
  }

  const synth = await benchRv32imSynth(progress);

  const clockVariants: Rv32imClockVariant[] = [];
  for (const v of RV32IM_CLOCK_VARIANTS) {
    const design = generateRv32im(v.params);
    const meanCpi = await benchMeanCpi(loaded, v.params, design.top, step);
    const native = process.env.NEXTPNR ? nextpnrEngine() : undefined;
    const engine = native ?? { kind: 'wasm' as const };
    clockVariants.push({
      config: v.name, top: design.top, meanCpi, pnrBare: await pnrRow(pinWrapper(design), engine, step, v.seeds),
      ...(v.light ? { pnrBareLight: await pnrRow(rv32imLightPinWrapper(design), engine, step) } : {}),
    });
  }

  const meanCpi: Record<string, number> = {};
  const aggregateCpi: Record<string, number> = {};
  const verilatorCyclesPerSecond: Record<string, number> = {};
  for (const cfg of RV32IM_BENCH_CONFIGS) {
    const rows = runs.filter((r) => r.config === cfg.name);
    meanCpi[cfg.name] = rows.reduce((s, r) => s + r.cpi, 0) / rows.length;
    aggregateCpi[cfg.name] = rows.reduce((s, r) => s + r.cycles, 0) / rows.reduce((s, r) => s + r.instret, 0);
    const seconds = rows.reduce((s, r) => s + (r.verilatorCyclesPerSecond > 0 ? r.cycles / r.verilatorCyclesPerSecond : 0), 0);
    verilatorCyclesPerSecond[cfg.name] = seconds > 0 ? rows.reduce((s, r) => s + r.cycles, 0) / seconds : 0;
  }
  const modelSeconds = programs.reduce((s, p) => s + p.instret / p.modelInstrPerSecond, 0);
  const summary = {
    meanCpi,
    aggregateCpi,
    verilatorCyclesPerSecond,
    modelInstrPerSecond: programs.reduce((s, p) => s + p.instret, 0) / modelSeconds,
    allMatchQemu: programs.every((p) => p.modelMatchesQemu) && runs.every((r) => r.matchesQemu),
  };
  const result = { programs, runs, synth, clockVariants, summary, floors: RV32IM_FLOORS, anchors: RV32IM_ANCHORS, markdown: '' };
  result.markdown = renderRv32imMarkdown(result);
  return result;
}

/** Yosys counts of both cores and place and route of their FPGA tops, on each engine. */
export async function benchRv32imSynth(progress: Progress): Promise<Rv32imSynthRow[]> {
  const step = (s: string) => progress.step(`rv32im: ${s}`);
  const synth: Rv32imSynthRow[] = [];
  // The WebAssembly nextpnr always; a native one as well when $NEXTPNR names it.
  const native = process.env.NEXTPNR ? nextpnrEngine() : undefined;
  for (const cfg of RV32IM_BENCH_CONFIGS) {
    const design = generateRv32im(cfg.params);
    const files = verilogSources(design);
    const reports: Partial<Record<'ice40' | 'xilinx', SynthReport>> = {};
    for (const target of ['ice40', 'xilinx'] as const) {
      step(`yosys ${target} ${design.top}`);
      reports[target] = (await synthesize({ top: design.top, files, target, onStep: (s) => step(`yosys ${target} ${design.top}: ${s}`) })).report;
    }
    const fpga = rv32imFpgaTop(design);
    const pnr = await pnrRow(fpga, { kind: 'wasm' }, step);
    const pnrNative = native ? await pnrRow(fpga, native, step) : undefined;
    const bareEngine = native ?? { kind: 'wasm' as const };
    const pnrBare = await pnrRow(pinWrapper(design), bareEngine, step);
    const pnrBareLight = await pnrRow(rv32imLightPinWrapper(design), bareEngine, step);
    synth.push({ config: cfg.name, top: design.top, ice40: reports.ice40!, xilinx: reports.xilinx!, pnr, ...(pnrNative ? { pnrNative } : {}), pnrBare, pnrBareLight });
  }
  return synth;
}

/** What a row that has no Fmax says in its place. */
function notPlaced(p: Rv32imPnrRow): string {
  return p.routes === false ? 'does not route' : 'does not fit';
}

/**
 * One place and route of the FPGA top at the default --freq 100 --seed 1, on `engine`; with
 * `seeds` (1 first), the same netlist placed with each of them too, for the spread.
 */
async function pnrRow(fpga: { top: string; files: Record<string, string> }, engine: NextpnrEngine, step: (s: string) => void, seeds: number[] = [1]): Promise<Rv32imPnrRow> {
  const name = `nextpnr-ice40 ${await nextpnrVersion(engine)}`;
  try {
    const results = await placeAndRouteSeeds({ top: fpga.top, files: fpga.files, device: 'up5k', package: 'sg48', engine, seeds, onProgress: step });
    const reports = results.map((r) => r.report);
    const spread = seeds.length > 1 ? seedSpread(reports) : null;
    return { engine: name, fits: true, report: reports[0]!, ...(spread ? { seeds: spread } : {}) };
  } catch (e) {
    if (!(e instanceof PnrFitError || e instanceof PnrRouteError)) throw e;
    step(e.message);
    return { engine: name, fits: false, ...(e instanceof PnrRouteError ? { routes: false as const } : {}), error: e.message };
  }
}

/**
 * Configurations placed bare beside the default ones, for the clock-rate table: each runs the
 * programs too, so its mean CPI stands beside its Fmax.
 */
export const RV32IM_CLOCK_VARIANTS: { name: string; params: RawParams; light?: boolean; seeds?: number[] }[] = [
  // The radix-4 divider: one carry chain per cycle where the default 4bit puts four in series.
  { name: 'pipeline=5 div=2bit', params: { pipeline: '5', m: 'on', div: '2bit' } },
  // The 5-stage core's clock-oriented EX stage (off by default until it reaches the floor): the
  // redirect from MEM (+1 bubble a misprediction), ID's forwarding selects and decoded ALU.
  { name: 'pipeline=5 redirect=mem forward=id', params: { pipeline: '5', m: 'on', redirect: 'mem', forward: 'id' } },
  // ... and its next steps: forwarding into EX's operand registers (no forwarding mux in EX),
  // the decoder in IF, the divide's result taken in MEM (one cycle less a divide).
  { name: 'pipeline=5 redirect=mem forward=reg decode=if div_result=mem', params: { pipeline: '5', m: 'on', redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem' } },
  // ... with the one-chain radix-4 divider (the default 4bit puts four chains in series).
  // (light: placed with the light trace too, as the default cores are.)
  { name: 'pipeline=5 redirect=mem forward=reg decode=if div_result=mem div=2bit', params: { pipeline: '5', m: 'on', redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem', div: '2bit' }, light: true },
  // ... with the divider keeping its last operands and results (div_reuse=on: DIV then REM of
  // the same operands is one division), which pays for the next step's cycle
  { name: 'pipeline=5 redirect=mem forward=reg decode=if div_result=mem div=2bit div_reuse=on', params: { pipeline: '5', m: 'on', redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem', div: '2bit', div_reuse: 'on' }, light: true },
  // ... and its shift cycle a shift alone (div_fold=off: no shifter before a step's carry chain,
  // a cycle more a divide)
  { name: 'pipeline=5 redirect=mem forward=reg decode=if div_result=mem div=2bit div_reuse=on div_fold=off', params: { pipeline: '5', m: 'on', redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem', div: '2bit', div_reuse: 'on', div_fold: 'off' } },
  // ... and a multiply's result taken in MEM (mul_result=mem: the product's adders end at MEM's
  // register, off EX's forwarding; a reader right behind waits a cycle)
  { name: 'pipeline=5 redirect=mem forward=reg decode=if div_result=mem div=2bit div_reuse=on div_fold=off mul_result=mem', params: { pipeline: '5', m: 'on', redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem', div: '2bit', div_reuse: 'on', div_fold: 'off', mul_result: 'mem' }, light: true },
  // ... and the multiply leaving EX a cycle sooner, as the multiplier's stage registers its low
  // word and the high word's parts (mul=2cycle with mul_result=mem: MEM adds the high word; EX
  // ends at the stage, no forwarding after the product's adders; the same CPI). The clock
  // configuration: placed with seeds 1 to 5 too, for how far placement alone moves its Fmax.
  { name: 'pipeline=5 redirect=mem forward=reg decode=if div_result=mem div=2bit div_reuse=on div_fold=off mul_result=mem mul=2cycle', params: { pipeline: '5', m: 'on', redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem', div: '2bit', div_reuse: 'on', div_fold: 'off', mul_result: 'mem', mul: '2cycle' }, light: true, seeds: [1, 2, 3, 4, 5] },
  // ... and a shift's result taken in MEM (shift_result=mem: the barrel shifter ends at MEM's
  // register, off the forwarding into the next operand, which was critical at three of five
  // seeds at b100c91; a reader right behind waits a cycle): placed at the same five seeds, to set the
  // spreads side by side.
  { name: 'pipeline=5 redirect=mem forward=reg decode=if div_result=mem div=2bit div_reuse=on div_fold=off mul_result=mem mul=2cycle shift_result=mem', params: { pipeline: '5', m: 'on', redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem', div: '2bit', div_reuse: 'on', div_fold: 'off', mul_result: 'mem', mul: '2cycle', shift_result: 'mem' }, seeds: [1, 2, 3, 4, 5] },
  // ... and the shifts made as multiplies by a power of two in the DSP multiplier (shift=mul: no
  // barrel shifter in the ALU; a shift's result is a multiply's, taken in MEM, so a reader right
  // behind waits a cycle as with shift_result=mem): the LUT4s the shifter costs, at the same seeds.
  { name: 'pipeline=5 redirect=mem forward=reg decode=if div_result=mem div=2bit div_reuse=on div_fold=off mul_result=mem mul=2cycle shift=mul', params: { pipeline: '5', m: 'on', redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem', div: '2bit', div_reuse: 'on', div_fold: 'off', mul_result: 'mem', mul: '2cycle', shift: 'mul' }, seeds: [1, 2, 3, 4, 5] },
  // ... and its partial products registered as they leave the DSPs (mul=2cycle: every multiply
  // holds EX a cycle more), to take the DSP path off the clock: the CPI the divider's folded
  // first step saved pays for it; the LCs are the question.
  { name: 'pipeline=5 redirect=mem forward=reg decode=if div_result=mem div=2bit mul=2cycle', params: { pipeline: '5', m: 'on', redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem', div: '2bit', mul: '2cycle' } },
  // Without the Zicntr counters (the 64-bit cycle counter and the read mux, on by default; instret reads the trace's order): what they cost.
  { name: 'pipeline=5 zicntr=off', params: { pipeline: '5', m: 'on', zicntr: 'off' } },
  { name: 'multicycle zicntr=off', params: { pipeline: 'multicycle', m: 'on', zicntr: 'off' } },
  // The multicycle core with the DSP multiplier (four SB_MAC16, partial products registered;
  // its default before mul=serial): the LUTs and CPI a serial multiply trades.
  { name: 'multicycle mul=3cycle', params: { pipeline: 'multicycle', m: 'on', mul: '3cycle' } },
  // The multicycle core with the barrel shifter (its default before shift=serial): the LUTs and
  // CPI the serial shift trades.
  { name: 'multicycle shift=barrel', params: { pipeline: 'multicycle', m: 'on', shift: 'barrel' } },
];

/** The clock configuration: the clock table's first variant placed at several seeds. */
export function rv32imClockConfiguration(): { name: string; params: RawParams } {
  const clock = RV32IM_CLOCK_VARIANTS.find((v) => v.seeds && v.seeds.length > 1);
  if (!clock) throw new Error('RV32IM_CLOCK_VARIANTS has no clock configuration (a variant placed at several seeds)');
  return clock;
}

export interface Rv32imClockVariant {
  config: string;
  top: string;
  meanCpi: number;
  pnrBare: Rv32imPnrRow;
  pnrBareLight?: Rv32imPnrRow;
}

/** Issue 12's clock and area floors, against the cores bare and in their FPGA top. */
export const RV32IM_CLOCK_FLOORS = { p5: { mhz: 30, luts: 3000 }, mc: { mhz: 30, luts: 2000 } };

const LIGHT = 'bare, light trace';

function renderClockRate(r: Omit<Rv32imBenchResult, 'markdown'>): string[] {
  const L: string[] = ['### Clock rate and critical path', ''];
  L.push(
    'Bare: the core behind `pinWrapper` (inputs from a one-pin shift register, every output XOR-folded into a registered byte, 11 pins), as a core is compared; ' +
      'LUT4 is Yosys `synth_ice40` of that top, so it includes the fold (about one LUT per 4 output bits). FPGA top: as above. ' +
      "Fmax and the critical path are nextpnr's report after routing at `--freq 100 --seed 1`; the path is read from its log (`zkrtl synth rv32im --target ice40 --pnr` prints it): " +
      'start and end register as Yosys named them, delay, LUTs on the path and carry cells. ' +
      'Our flow maps multipliers to combinational SB_MAC16s, and nextpnr does not time through one: a path register → DSP → register is in no clock\'s report. ' +
      'nextpnr 0.4 reports the slowest path leaving a DSP and the slowest entering one as cross-domain `<async>` paths; Fmax here is nextpnr\'s clock figure bounded by them (1000 / their sum when they meet at one DSP, else the longer), ' +
      'and when the bound is lower the critical path shown is that DSP path. It is still an upper bound: the DSP\'s own delay comes on top (nextpnr does not model it), and so does the other half when only one is reported. ' +
      'Rows kept from earlier commits are nextpnr\'s clock figure without this bound. ' +
      `${LIGHT}: bare, but of the trace port only rvfi_valid, rvfi_insn and rvfi_rd_wdata are folded, the other outputs left open and what only they need optimised away (\`zkrtl synth rv32im --pnr --wrap bare --trace light\`): nearer to a core without a trace port, as PicoRV32 is measured, and an upper bound on one (the instruction word's pipeline registers stay for rvfi_insn); the floors are judged on the full trace. ` +
      'Floors (issue 12): pipeline=5 ≥ 30 MHz and ≤ 3,000 LUT4 bare with mean CPI ≤ 1.3; multicycle ≥ 30 MHz and ≤ 2,000 LUT4. Anchor (quoted in issue 12, not measured here): PicoRV32 (RV32IM) 2,669 SB_LUT4 and 25.7 MHz with Yosys 0.23 and nextpnr-ice40 0.4. Published, not measured here: VexRiscv Up5kPerf (RV32IM, 6 stages, a one-cycle DSP multiply and a 34-cycle iterative divide), 27 MHz on the iCE40 UP5K as a whole SoC with Lattice iCEcube2, 1.38 DMIPS/MHz, no LUT count given (SpinalHDL/VexRiscvSoftcoreContest2018, README).',
    '',
  );
  L.push('| commit | core | wrapping | engine | Fmax | LUT4 | mean CPI | floor met | critical path |', '|---|---|---|---|---|---|---|---|---|');
  const floor = (config: string, mhz: number, luts: number, wrapping: string, cpi: number | undefined) => {
    if (wrapping !== 'bare') return '–';
    const mc = config.split(' ')[0] === 'multicycle';
    const f = mc ? RV32IM_CLOCK_FLOORS.mc : RV32IM_CLOCK_FLOORS.p5;
    const misses = [
      ...(mhz < f.mhz ? [`< ${f.mhz} MHz`] : []),
      ...(luts > f.luts ? [`> ${f.luts} LUT4`] : []),
      ...(!mc && (cpi === undefined || cpi > RV32IM_FLOORS.p5Cpi) ? [`CPI > ${RV32IM_FLOORS.p5Cpi}`] : []),
    ];
    return misses.length ? `NO (${misses.join(', ')})` : 'yes';
  };

  for (const h of r.clockHistory ?? []) {
    L.push(`| ${h.commit} | ${h.top} (${h.config}) | ${h.wrapping} | ${h.engine} | ${h.fmaxMhz.toFixed(2)} MHz | ${h.luts} | ${h.meanCpi.toFixed(3)} | ${floor(h.config, h.fmaxMhz, h.luts, h.wrapping, h.meanCpi)} | ${formatCriticalPath(h.criticalPath)} |`);
  }
  const current = [
    ...r.synth.flatMap((s) => [['bare', s.pnrBare], [LIGHT, s.pnrBareLight], ['fpga-top', s.pnrNative ?? s.pnr]].map(([w, p]) => ({ top: s.top, config: s.config, wrapping: w as string, p: p as Rv32imPnrRow | undefined, cpi: r.summary.meanCpi[s.config] }))),
    ...(r.clockVariants ?? []).flatMap((v) => [['bare', v.pnrBare], [LIGHT, v.pnrBareLight]].map(([w, p]) => ({ top: v.top, config: v.config, wrapping: w as string, p: p as Rv32imPnrRow | undefined, cpi: v.meanCpi }))),
  ];
  for (const { top, config, wrapping, p, cpi } of current) {
    const x = p?.report;
    if (!p) continue;
    const cpiText = cpi === undefined ? '–' : cpi.toFixed(3);
    if (!x) {
      L.push(`| this run | ${top} (${config}) | ${wrapping} | ${p.engine} | ${notPlaced(p)} | – | ${cpiText} | ${wrapping === 'bare' ? 'NO' : '–'} | ${p.error} |`);
      continue;
    }
    L.push(`| this run | ${top} (${config}) | ${wrapping} | ${p.engine} | ${x.fmaxMhz === null ? '–' : `${x.fmaxMhz.toFixed(2)} MHz`} | ${x.yosys.luts} | ${cpiText} | ${floor(config, x.fmaxMhz ?? 0, x.yosys.luts, wrapping, cpi)} | ${x.criticalPath ? formatCriticalPath(x.criticalPath) : '–'} |`);
  }
  L.push('');
  for (const h of r.clockHistory ?? []) L.push(`- ${h.commit}, ${h.top} ${h.wrapping}: ${h.note}`);
  if (r.clockHistory?.length) L.push('');
  for (const v of r.clockVariants ?? []) {
    const spread = v.pnrBare.seeds;
    if (!spread) continue;
    const seeds = formatSeeds(spread.placements.map((p) => p.seed));
    L.push(
      `Placement spread of ${v.top} (${v.config}), bare: the same netlist placed with seeds ${seeds} (\`zkrtl synth rv32im --target ice40 --pnr --wrap bare --seed ${seeds}\`, ${v.pnrBare.engine}); ` +
        `the table's row is seed ${spread.placements[0]!.seed}, the seed the floors are judged at. ${formatSeedSpread(spread)}.`,
      '',
      '| seed | Fmax | critical path |',
      '|---|---|---|',
      ...spread.placements.map((p) => `| ${p.seed} | ${p.fmaxMhz === null ? '–' : `${p.fmaxMhz.toFixed(2)} MHz`} | ${p.criticalPath ? formatCriticalPath(p.criticalPath) : '–'} |`),
      '',
    );
  }
  return L;
}

const mega = (v: number) => `${(v / 1e6).toFixed(2)} M`;

/** The rv32im section of bench/results.md. */
export function renderRv32imMarkdown(r: Omit<Rv32imBenchResult, 'markdown'>): string {
  const L: string[] = [];
  const configs = RV32IM_BENCH_CONFIGS.map((c) => c.name);
  const run = (program: string, config: string) => r.runs.find((x) => x.program === program && x.config === config);
  const p5 = configs[0]!;
  const slowestSim = Math.min(...configs.map((c) => r.summary.verilatorCyclesPerSecond[c] ?? 0));
  L.push('## rv32im core', '');
  L.push(
    `C programs of \`bench/riscv/\` (compiled with \`-march=rv32im -mabi=ilp32 -O2\`, freestanding, \`riscv/crt0.S\`), run on the generated cores under Verilator ` +
      '(no trace, memory answering in the same cycle), on the TypeScript golden model and under qemu-riscv32. ' +
      `Every run's stdout and exit code ${r.summary.allMatchQemu ? 'equal' : 'do NOT all equal'} qemu-riscv32's.`,
    '',
  );
  L.push('### Floors', '', '| floor | measured | met |', '|---|---|---|');
  L.push(`| 5-stage core: mean CPI over the programs ≤ ${r.floors.p5Cpi} | ${r.summary.meanCpi[p5]!.toFixed(3)} | ${r.summary.meanCpi[p5]! <= r.floors.p5Cpi ? 'yes' : 'NO'} |`);
  L.push(`| 5-stage core: all cycles / all instructions ≤ ${r.floors.p5Cpi} | ${r.summary.aggregateCpi[p5]!.toFixed(3)} | ${r.summary.aggregateCpi[p5]! <= r.floors.p5Cpi ? 'yes' : 'NO'} |`);
  L.push(`| Verilator ≥ ${mega(r.floors.verilatorCyclesPerSecond)}cycles/s without trace (slowest configuration) | ${mega(slowestSim)}cycles/s | ${slowestSim >= r.floors.verilatorCyclesPerSecond ? 'yes' : 'NO'} |`);
  L.push(`| golden model ≥ ${mega(r.floors.modelInstrPerSecond)}instructions/s without trace | ${mega(r.summary.modelInstrPerSecond)}instr/s | ${r.summary.modelInstrPerSecond >= r.floors.modelInstrPerSecond ? 'yes' : 'NO'} |`, '');

  L.push('### Cycles per program', '');
  L.push(`| program | instret | ${configs.map((c) => `${c} cycles | ${c} CPI`).join(' | ')} | ${configs.map((c) => `Verilator ${c} cycles/s`).join(' | ')} | model instr/s | output = qemu |`);
  L.push(`|---|---|${configs.map(() => '---|---|').join('')}${configs.map(() => '---|').join('')}---|---|`);
  for (const p of r.programs) {
    const cells = configs.map((c) => {
      const x = run(p.program, c);
      return x ? `${x.cycles} | ${x.cpi.toFixed(3)}` : '– | –';
    });
    const speeds = configs.map((c) => {
      const x = run(p.program, c);
      return x ? mega(x.verilatorCyclesPerSecond) : '–';
    });
    const ok = p.modelMatchesQemu && configs.every((c) => run(p.program, c)?.matchesQemu);
    L.push(`| ${p.program} | ${p.instret} | ${cells.join(' | ')} | ${speeds.join(' | ')} | ${mega(p.modelInstrPerSecond)} | ${ok ? 'yes' : 'NO'} |`);
  }
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  L.push(row(['**mean CPI**', '', ...configs.flatMap((c) => ['', r.summary.meanCpi[c]!.toFixed(3)]), ...configs.map(() => ''), '', '']));
  L.push(
    row([
      '**all programs**',
      String(r.programs.reduce((s, p) => s + p.instret, 0)),
      ...configs.flatMap((c) => [String(r.runs.filter((x) => x.config === c).reduce((s, x) => s + x.cycles, 0)), r.summary.aggregateCpi[c]!.toFixed(3)]),
      ...configs.map((c) => mega(r.summary.verilatorCyclesPerSecond[c] ?? 0)),
      mega(r.summary.modelInstrPerSecond),
      '',
    ]),
    '',
    'Verilator cycles/s: the harness\'s own timing of each run. Model instr/s: instructions retired over the run\'s time, the median of 5 timed runs after 2 warm-up runs, ' +
      'each on a machine built before the clock starts (its 16 MiB RAM, decode cache and image copy are not timed: with them the rate of one program moved up to 14x from run to run on a free machine); ' +
      'all programs: all instructions over the sum of the medians.',
    '',
  );

  // Every cycle of a run is a retirement or exactly one cause (the cores' perf_stall encoder).
  L.push(
    'Cycles by cause: every cycle from reset release to the halting row is counted once, as `retire` (an instruction retires) or as exactly one cause ' +
      "(the core's `perf_stall` priority encoder; the causes are described in the manifest, `trace.perfCauses`). " +
      'check = cycles − instret − Σ causes, 0 when the accounting is a partition.',
    '',
  );
  for (const c of RV32IM_BENCH_CONFIGS) {
    const rows = r.runs.filter((x) => x.config === c.name);
    if (!rows.length) continue;
    const known = stallCauseNames(parseRv32imParams(c.params));
    const causes = [...known, ...[...new Set(rows.flatMap((x) => Object.keys(x.stalls)))].filter((k) => !known.includes(k)).sort()];
    const line = (name: string, cycles: number, instret: number, stalls: Record<string, number>) => {
      const check = cycles - instret - causes.reduce((s, k) => s + (stalls[k] ?? 0), 0);
      return row([name, String(cycles), String(instret), ...causes.map((k) => String(stalls[k] ?? 0)), String(check)]);
    };
    L.push(`**${c.name}** (${rows[0]!.top})`, '');
    L.push(row(['program', 'cycles', 'retire', ...causes, 'check']), `|---|${['cycles', 'retire', ...causes, 'check'].map(() => '---|').join('')}`);
    for (const x of rows) L.push(line(x.program, x.cycles, x.instret, x.stalls));
    const total: Record<string, number> = {};
    for (const x of rows) for (const k of causes) total[k] = (total[k] ?? 0) + (x.stalls[k] ?? 0);
    L.push(line('**all programs**', rows.reduce((s, x) => s + x.cycles, 0), rows.reduce((s, x) => s + x.instret, 0), total), '');
  }

  L.push('### Synthesis and place and route', '');
  L.push(
    'Core alone (flattened, every port a pin): Yosys `ice40` (UP5K: SB_MAC16 multipliers) and `xilinx` (`synth_xilinx -family xcup`).',
    '',
  );
  L.push('| core | ice40 LUT4 | ice40 FF | SB_MAC16 | SB_CARRY | xilinx LUT | xilinx FF | DSP48E2 | CARRY |');
  L.push('|---|---|---|---|---|---|---|---|---|');
  for (const s of r.synth) {
    const softMul = s.ice40.cells['$__soft_mul'] ?? 0;
    L.push(`| ${s.top} (${s.config}) | ${s.ice40.luts}${softMul ? ` (+${softMul} unmapped $__soft_mul)` : ''} | ${s.ice40.ffs} | ${s.ice40.dsps} | ${s.ice40.carry} | ${s.xilinx.luts} | ${s.xilinx.ffs} | ${s.xilinx.dsps} | ${s.xilinx.carry} |`);
  }
  L.push('');
  const pnrRows = r.synth.flatMap((s) => [s.pnr, ...(s.pnrNative ? [s.pnrNative] : [])].map((p) => ({ s, p })));
  const seeds = [...new Set(pnrRows.map(({ p }) => p.report?.seed ?? 1))].join(', ');
  L.push(
    'Place and route: the core in its FPGA top (`src/synth/wrappers.ts`: RAM in SPRAM, the code region copied in EBR for fetch, a serial program loader, ' +
      `the trace folded into a byte, 20 pins) on an iCE40 UP5K-SG48, \`--freq 100 --seed ${seeds}\`. ` +
      "Fmax is nextpnr's own report after routing (`Max frequency for clock 'clk'`) for the one clock domain, at that seed, by the engine in the row: " +
      'the WebAssembly build from npm (`@yowasp/nextpnr-ice40`, the default) and, when `NEXTPNR` names one, a native binary. ' +
      'Each engine gives the same placement and Fmax again at the same seed; different nextpnr versions place differently, so their Fmax differ. ' +
      'nextpnr time: wall clock of that run.',
    '',
  );
  L.push('| core | engine | Fmax | logic cells (of 5280) | EBR | SPRAM | nextpnr time |');
  L.push('|---|---|---|---|---|---|---|');
  for (const { s, p } of pnrRows) {
    const engine = p.engine ?? (p.report ? `nextpnr-ice40 ${p.report.nextpnrVersion.replace(/^nextpnr-ice40 /, '')}` : '–');
    const x = p.report;
    const cells = x
      ? `${x.fmaxMhz === null ? '–' : `${x.fmaxMhz.toFixed(1)} MHz`} | ${x.lcs} | ${x.brams} | ${x.sprams} | ${x.nextpnrSeconds.toFixed(0)} s`
      : `${notPlaced(p)} | ${p.routes === false ? '–' : `${/ICESTORM_LC (\d+)\/\d+/.exec(p.error ?? '')?.[1] ?? '–'} needed`} | – | – | –`;
    L.push(`| ${s.top} (${s.config}) | ${engine} | ${cells} |`);
  }
  for (const { s, p } of pnrRows) if (!p.fits) L.push('', `${s.top} (${p.engine}): ${p.error}`);
  L.push('');
  L.push(...renderClockRate(r));
  L.push('### Anchors', '');
  for (const a of r.anchors) L.push(`- ${a}`);
  L.push(
    '- `bench/riscv/dhry.c` is a Dhrystone-like integer mix, not Dhrystone: it gives no DMIPS figure; compare CPI (VexRiscv full at 1.21 DMIPS/MHz runs Dhrystone at a CPI near 1.3).',
    '',
  );
  return L.join('\n') + '\n';
}
