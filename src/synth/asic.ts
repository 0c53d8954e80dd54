// ASIC target: Yosys maps a block onto a Liberty standard-cell library (OSU 0.18 µm from
// Debian's qflow-tech-osu018 by default), OpenSTA times the netlist against the clock, and
// the report gives what a chip architect budgets with: area in µm², NAND2-equivalent gates,
// flip-flops and their share of the area, the worst setup path and the Fmax it implies.
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../base/errors.ts';
import { ensureDebianPackages, lastLine, runProcess, which } from '../tools/process.ts';
import { behaviouralModels, mappingCells, parseLiberty, type LibCorner, type LibertyLibrary, type MappingCells } from './liberty.ts';
import { parseStatJson, stepFromLogLine } from './synth.ts';
import { UNKEEP_HIERARCHY, YosysError, moduleName, runYosys, verilogFileNames, yosysVersionFrom } from './yosys.ts';

/** Debian's qflow-tech-osu018: OSU 0.18 µm standard cells (Liberty, LEF, Verilog). */
export const DEFAULT_LIBERTY = '/usr/share/qflow/tech/osu018/osu018_stdcells.lib';
export const DEFAULT_CLOCK_NS = 10;

/**
 * Mapping effort. `timing` (default): Yosys' generic synthesis with its ABC pass, then ABC's full
 * library mapping against the clock with a driving cell and load, so it buffers and sizes.
 * `fast`: no generic ABC pass and ABC's quick delay-driven mapping (`abc -fast`: `map -D`, no
 * buffering or sizing), for designs of hundreds of thousands of cells, which the timing flow
 * does not finish in reasonable time on a small machine (measured: a 254-bit montmul, over
 * 10 min in the generic ABC pass alone, against about 9 min for the whole fast mapping). The
 * logic is the same; the area comes out a few per cent larger, the paths may be shorter or
 * longer, and high-fanout nets are not buffered.
 */
export type AsicEffort = 'timing' | 'fast';
export const EFFORTS: readonly AsicEffort[] = ['timing', 'fast'];

/** `--effort`: timing (default) or fast. */
export function parseEffort(value: string | undefined): AsicEffort {
  if (value === undefined) return 'timing';
  if (!(EFFORTS as readonly string[]).includes(value)) throw new UsageError(`--effort ${value} is not accepted: give timing (default) or fast (for designs of hundreds of thousands of cells)`);
  return value as AsicEffort;
}

const INSTALL_HINT = 'install them with `apt-get install qflow-tech-osu018 opensta` (Debian), or give --liberty FILE and put OpenSTA\'s `sta` on PATH (STA=/path selects another)';

function staBinary(): string {
  return process.env.STA || 'sta';
}

/**
 * OpenSTA (`sta`, Debian package opensta) and, when the default library is used, the OSU
 * 0.18 µm cells (qflow-tech-osu018): installed from Debian when missing and root, else an
 * Error whose message says in one line how to install them.
 */
export function ensureAsicTools(opts: { log?: (s: string) => void; defaultLibrary?: boolean } = {}): Promise<void> {
  const bin = staBinary();
  if (process.env.STA && !which(bin)) throw new Error(`STA=${process.env.STA} does not exist: point it at OpenSTA's sta binary, or unset it`);
  return ensureDebianPackages({
    packages: [
      ...(opts.defaultLibrary === false ? [] : [{ pkg: 'qflow-tech-osu018', present: () => existsSync(DEFAULT_LIBERTY) }]),
      { pkg: 'opensta', present: () => which(bin) !== undefined },
    ],
    purpose: 'needed for the ASIC target: standard cells and static timing',
    hint: INSTALL_HINT,
    log: opts.log,
  });
}

export async function staVersion(): Promise<string> {
  // In a temporary folder: sta leaves a .history_sta file where it runs.
  const dir = mkdtempSync(join(tmpdir(), 'zkrtl-sta-'));
  const r = await runProcess([staBinary(), '-version'], { cwd: dir }).finally(() => rmSync(dir, { recursive: true, force: true }));
  return r.code === 0 ? r.stdout.trim() || r.stderr.trim() : 'unknown';
}

// ---------------------------------------------------------------------------------------
// The library

export interface AsicLibrary {
  path: string;
  text: string;
  sha256: string;
  lib: LibertyLibrary;
  cells: MappingCells;
}

/**
 * Reads and checks a Liberty library. Missing, unreadable, not Liberty, or without the cells
 * the mapping needs: UsageError, one line naming the file and what is accepted.
 */
export function loadLibrary(path: string): AsicLibrary {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new UsageError(
      path === DEFAULT_LIBERTY
        ? `the default library ${DEFAULT_LIBERTY} is missing: run \`zkrtl tools\` as root or \`apt-get install qflow-tech-osu018\`, or give --liberty FILE`
        : `--liberty ${path} does not exist: give a Liberty (.lib) file of standard cells`,
    );
  }
  let text: string;
  try {
    if (statSync(abs).isDirectory()) throw new Error('it is a directory');
    accessSync(abs, constants.R_OK);
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new UsageError(`--liberty ${path} cannot be read (${(e as Error).message}): give a readable Liberty (.lib) file`);
  }
  const lib = parseLiberty(text, path);
  const cells = mappingCells(lib, path);
  return { path: abs, text, sha256: createHash('sha256').update(text).digest('hex'), lib, cells };
}

/** `--clock NS`: a positive number of nanoseconds. */
export function parseClockNs(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CLOCK_NS;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0) || n > 1e6) throw new UsageError(`--clock ${value} is not accepted: give the clock period in ns, a positive number (e.g. 10 for 100 MHz)`);
  return n;
}

// ---------------------------------------------------------------------------------------
// Yosys flow

const LIB_FILE = '__zkrtl_cells.lib';
const CONSTR_FILE = '__zkrtl_abc.constr';
const STAT_FILE = '__zkrtl_stat.json';

export function asicNetlistName(top: string): string {
  return `${top}.asic.v`;
}

/** Where `zkrtl synth BLOCK --target asic` writes by default, and `zkrtl sim --netlist asic` reads. */
export function asicOutDir(top: string): string {
  return join('synth-out', `${top}.asic`);
}

/** The behavioural cell models in an ASIC output directory. */
export const CELL_MODELS_FILE = 'cells.v';

/** Output load of a block's ports and what ABC sizes against: four NAND2 inputs, in library units. */
function outputLoad(lib: AsicLibrary): number {
  const caps = lib.cells.nand2.pins.filter((p) => p.direction === 'input').map((p) => p.capacitance ?? 0);
  const c = Math.max(0, ...caps);
  return Number((4 * (c > 0 ? c : 0.01 / lib.lib.capUnitPf)).toPrecision(4));
}

/**
 * The Yosys script: generic synthesis flattened, flip-flops onto the library (dfflibmap),
 * logic onto the library with ABC against the clock (-D, in ps) with a driving cell and load
 * so it buffers and sizes, undefined bits to 0, tie cells for constants (when the library has
 * them), nets split to bits, buffers where one net would otherwise need an assign, and a
 * netlist without expressions (what OpenSTA and back-end tools read).
 */
export function asicScript(top: string, sources: string[], lib: AsicLibrary, clockNs: number, netlist: string, effort: AsicEffort = 'timing'): string {
  const c = lib.cells;
  const tie = c.tieHi && c.tieLo ? [`hilomap -hicell ${c.tieHi.cell.name} ${c.tieHi.output} -locell ${c.tieLo.cell.name} ${c.tieLo.output}`] : [];
  return [
    `read_verilog ${sources.join(' ')}`,
    `hierarchy -check -top ${top}`,
    // Mapped flat: keep_hierarchy is for the iCE40 flow's LUT mapping (synth.ts).
    UNKEEP_HIERARCHY,
    effort === 'fast' ? `synth -flatten -noabc -top ${top}` : `synth -flatten -top ${top}`,
    // Yosys 0.55 keeps $scopeinfo cells where flattened modules were: not hardware.
    'select -clear',
    'delete t:$scopeinfo',
    // Flip-flops named after the register bit they hold (u_ab.y_r[17]$_DFF_P_), so the worst
    // path names registers a designer can find in the RTL.
    'rename -wire t:$_*DFF*',
    `dfflibmap -liberty ${LIB_FILE}`,
    'opt_clean',
    effort === 'fast' ? `abc -fast -liberty ${LIB_FILE} -D ${Math.round(clockNs * 1000)}` : `abc -liberty ${LIB_FILE} -D ${Math.round(clockNs * 1000)} -constr ${CONSTR_FILE}`,
    'opt_clean',
    'setundef -zero',
    ...tie,
    'splitnets',
    `insbuf -buf ${c.buffer.cell.name} ${c.buffer.input} ${c.buffer.output}`,
    'opt_clean -purge',
    `tee -q -o ${STAT_FILE} stat -json`,
    `write_verilog -noexpr -noattr -nohex -nodec ${netlist}`,
  ].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------
// OpenSTA

export interface StaPath {
  startpoint: string;
  /** OpenSTA's description: "rising edge-triggered flip-flop clocked by clk", "input port clocked by clk". */
  startKind: string;
  endpoint: string;
  endKind: string;
  arrivalNs: number;
  requiredNs: number;
  slackNs: number;
  met: boolean;
  /** Cells on the path, the launching and capturing flip-flops included. */
  cells: number;
}

export interface StaResult {
  worst: StaPath | null;
  /** Worst hold slack (min delay), ns; null when no path is constrained. */
  holdSlackNs: number | null;
  wnsNs: number;
  tnsNs: number;
  log: string;
}

/** The SDC of a block: one clock on `clk`, other inputs and outputs timed against it. */
export function asicSdc(opts: { top: string; clockNs: number; inputs: Array<{ name: string; width: number }>; outputs: Array<{ name: string; width: number }>; lib: AsicLibrary }): string {
  const u = opts.lib.lib.timeUnitNs;
  const sel = (ps: Array<{ name: string; width: number }>) => `[get_ports {${ps.map((p) => (p.width > 1 ? `${p.name}[*]` : p.name)).join(' ')}}]`;
  const period = Number((opts.clockNs / u).toPrecision(12));
  const buf = opts.lib.cells.buffer;
  const lines = [
    `# ${opts.top}: written by zkrtl for library ${opts.lib.lib.name} (time unit ${u} ns).`,
    `# Clock ${opts.clockNs} ns (${(1000 / opts.clockNs).toPrecision(4)} MHz), ideal (no clock tree). Inputs arrive and`,
    '# outputs are due at the clock edge (out of context: the block between registers of a larger',
    `# design), inputs driven by ${buf.cell.name}, outputs loaded by four NAND2 inputs.`,
    `create_clock -name clk -period ${period} [get_ports clk]`,
  ];
  if (opts.inputs.length) {
    lines.push(`set_input_delay 0 -clock clk ${sel(opts.inputs)}`);
    lines.push(`set_driving_cell -lib_cell ${buf.cell.name} -pin ${buf.output} ${sel(opts.inputs)}`);
  }
  if (opts.outputs.length) {
    lines.push(`set_output_delay 0 -clock clk ${sel(opts.outputs)}`);
    lines.push(`set_load ${outputLoad(opts.lib)} ${sel(opts.outputs)}`);
  }
  return lines.join('\n') + '\n';
}

/** Parses `report_checks -path_delay max -format full` (and the min, wns, tns reports after it). */
export function parseStaReport(log: string, timeUnitNs: number): Omit<StaResult, 'log'> {
  const ns = (s: string) => Number(s) * timeUnitNs;
  const sections = log.split(/^(?=Startpoint: )/m);
  const maxSection = sections.find((s) => /^Path Type: max$/m.test(s));
  let worst: StaPath | null = null;
  if (maxSection) {
    // A long name puts the description on the next line.
    const sp = /^Startpoint: (\S+)\s+\((.*)\)$/m.exec(maxSection);
    const ep = /^Endpoint: (\S+)\s+\((.*)\)$/m.exec(maxSection);
    const arrival = /^\s*(-?[\d.]+)\s+data arrival time$/m.exec(maxSection);
    const required = /^\s*(-?[\d.]+)\s+data required time$/m.exec(maxSection);
    const slack = /^\s*(-?[\d.]+)\s+slack \((MET|VIOLATED)\)$/m.exec(maxSection);
    if (!sp || !ep || !arrival || !required || !slack) throw new Error(`OpenSTA's report_checks could not be read: ${lastLine(maxSection)}`);
    // Cells on the path: the instances of the pins OpenSTA lists up to the arrival time.
    const head = maxSection.slice(0, maxSection.search(/data arrival time/));
    const instances = new Set<string>();
    for (const l of head.split('\n')) {
      const pin = /^\s*-?[\d.]+\s+-?[\d.]+ [\^v] (\S+)\/[^/\s]+ \(\S+\)$/.exec(l);
      if (pin) instances.add(pin[1]!);
    }
    worst = {
      startpoint: sp[1]!,
      startKind: sp[2]!,
      endpoint: ep[1]!,
      endKind: ep[2]!,
      arrivalNs: ns(arrival[1]!),
      requiredNs: ns(required[1]!),
      slackNs: ns(slack[1]!),
      met: slack[2] === 'MET',
      cells: instances.size,
    };
  } else if (!/No paths found/.test(log)) {
    throw new Error(`OpenSTA printed no setup path and did not say "No paths found": ${lastLine(log)}`);
  }
  const minSection = sections.find((s) => /^Path Type: min$/m.test(s));
  const hold = minSection ? /^\s*(-?[\d.]+)\s+slack \((MET|VIOLATED)\)$/m.exec(minSection) : null;
  const wns = /^wns (-?[\d.]+)$/m.exec(log);
  const tns = /^tns (-?[\d.]+)$/m.exec(log);
  return { worst, holdSlackNs: hold ? ns(hold[1]!) : null, wnsNs: wns ? ns(wns[1]!) : 0, tnsNs: tns ? ns(tns[1]!) : 0 };
}

/** Runs OpenSTA on a netlist: setup and hold checks against the SDC. */
export async function runSta(opts: { top: string; netlist: string; sdc: string; libraryPath: string; timeUnitNs: number }): Promise<StaResult> {
  const dir = mkdtempSync(join(tmpdir(), 'zkrtl-sta-'));
  try {
    writeFileSync(join(dir, 'netlist.v'), opts.netlist);
    writeFileSync(join(dir, 'clock.sdc'), opts.sdc);
    const tcl = [
      `read_liberty {${opts.libraryPath}}`,
      'read_verilog netlist.v',
      `link_design ${moduleName(opts.top)}`,
      'read_sdc clock.sdc',
      'report_checks -path_delay max -format full -digits 4',
      'report_checks -path_delay min -format full -digits 4',
      'report_wns',
      'report_tns',
      'exit',
    ].join('\n');
    writeFileSync(join(dir, 'sta.tcl'), tcl + '\n');
    const r = await runProcess([staBinary(), '-no_splash', '-exit', 'sta.tcl'], { cwd: dir });
    const log = r.stdout + r.stderr;
    const error = log.split('\n').find((l) => /^Error/.test(l));
    if (r.code !== 0 || error) throw new Error(`OpenSTA failed on ${opts.top} (exit ${r.code ?? r.signal}): ${error ?? lastLine(log)}`);
    return { ...parseStaReport(log, opts.timeUnitNs), log };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// Synthesis and the report

export interface AsicReport {
  top: string;
  target: 'asic';
  yosysVersion: string;
  staVersion: string;
  library: { name: string; path: string; sha256: string; corner: LibCorner; timeUnitNs: number };
  /** Clock period the mapping (ABC -D) and STA aim at, ns. */
  clockNs: number;
  /** Mapping effort (see AsicEffort). */
  effort: AsicEffort;
  /** Cell counts by type, keys sorted. */
  cells: Record<string, number>;
  totalCells: number;
  /** Area of each cell type (count × the cell's area), µm². */
  cellAreaUm2: Record<string, number>;
  /** Area in µm² (the Liberty `area` of each cell: µm² by convention, the LEF SIZE for OSU018). */
  areaUm2: number;
  areaMm2: number;
  /** Smallest 2-input NAND of the library and the gate count in its area. */
  nand2: { cell: string; areaUm2: number };
  nand2Equivalents: number;
  /** Flip-flops (cells with an ff or latch group), their area and share of the total. */
  ffs: number;
  ffAreaUm2: number;
  ffAreaShare: number;
  /** Tie cells used for constants, or null (constants stay 1'b0/1'b1 connections). */
  tieCells: { hi: string; lo: string } | null;
  constantConnections: number;
  sta: {
    worst: StaPath | null;
    /** 1 / (clock − worst slack): the clock the worst path allows at this corner. */
    fmaxMhz: number | null;
    wnsNs: number;
    tnsNs: number;
    holdSlackNs: number | null;
  };
  /** SHA-256 of the RTL the netlist was made from (gate-level simulation checks it). */
  rtlSha256: string;
  seconds: { yosys: number; sta: number };
}

export interface AsicResult {
  report: AsicReport;
  netlist: string;
  netlistName: string;
  sdc: string;
  /** Behavioural Verilog models of the cells the netlist uses (for Verilator). */
  cellModels: string;
  yosysLog: string;
  staLog: string;
}

/** SHA-256 over the RTL sources (names and text), the key that ties a netlist to its RTL. */
export function rtlHash(files: Record<string, string>): string {
  const h = createHash('sha256');
  for (const n of Object.keys(files).sort()) h.update(`${n.length}:${n}${files[n]!.length}:${files[n]}`);
  return h.digest('hex');
}

export async function synthesizeAsic(opts: {
  top: string;
  files: Record<string, string>;
  /** Input and output ports (from the manifest): the SDC's delays. `clk` is the clock. */
  ports: Array<{ name: string; dir: 'in' | 'out'; width: number }>;
  library: AsicLibrary;
  clockNs: number;
  effort?: AsicEffort;
  /**
   * Modules kept as black boxes (their stubs, `(* blackbox *)` headers, are among the files):
   * their instances are left out of the cell counts and area, and OpenSTA does not time
   * through them (see asic-compose.ts).
   */
  blackBoxes?: readonly string[];
  onStep?: (step: string) => void;
}): Promise<AsicResult> {
  const { top, library: lib, clockNs } = opts;
  const effort = opts.effort ?? 'timing';
  moduleName(top);
  if (!opts.ports.some((p) => p.name === 'clk' && p.dir === 'in')) throw new Error(`${top} has no clk input: the ASIC flow times one clock named clk`);
  await ensureAsicTools({ defaultLibrary: lib.path === DEFAULT_LIBERTY, log: opts.onStep });
  const sources = verilogFileNames(opts.files);
  if (sources.length === 0) throw new Error(`synthesize ${top}: no .v files given`);
  const netlistName = asicNetlistName(top);
  const constr = `set_driving_cell ${lib.cells.buffer.cell.name}\nset_load ${outputLoad(lib)}\n`;
  const synthIndex = { value: null as string | null };
  const t0 = Date.now();
  const result = await runYosys({
    script: asicScript(top, sources, lib, clockNs, netlistName, effort),
    files: { ...opts.files, [LIB_FILE]: lib.text, [CONSTR_FILE]: constr },
    outputs: [STAT_FILE, netlistName],
    onLine: opts.onStep
      ? (line) => {
          const step = stepFromLogLine(line, synthIndex);
          if (step) opts.onStep!(step);
        }
      : undefined,
  });
  const yosysSeconds = (Date.now() - t0) / 1000;
  const conflict = /^Warning: Driver-driver conflict.*$/m.exec(result.log);
  if (conflict) throw new YosysError(`yosys produced a broken netlist for ${top}: ${conflict[0].replace(/^Warning: /, '')}`, result.log);
  const { cells: statCells, creator } = parseStatJson(result.files[STAT_FILE]!, top);
  const boxes = new Set(opts.blackBoxes ?? []);
  const cells = Object.fromEntries(Object.entries(statCells).filter(([c]) => !boxes.has(c) && !boxes.has(c.replace(/^\\/, ''))));
  const netlist = result.files[netlistName]!;
  if (/^\s*assign\s/m.test(netlist)) throw new Error(`the ${top} netlist still has assign statements after insbuf: report this as a zkrtl bug`);
  const unknown = Object.keys(cells).filter((c) => !lib.lib.cells.has(c));
  if (unknown.length) throw new Error(`the ${top} netlist has cells that are not in ${lib.lib.name}: ${unknown.join(', ')}`);

  opts.onStep?.('OpenSTA');
  const sdc = asicSdc({
    top,
    clockNs,
    inputs: opts.ports.filter((p) => p.dir === 'in' && p.name !== 'clk'),
    outputs: opts.ports.filter((p) => p.dir === 'out'),
    lib,
  });
  const t1 = Date.now();
  const sta = await runSta({ top, netlist, sdc, libraryPath: lib.path, timeUnitNs: lib.lib.timeUnitNs });
  const staSeconds = (Date.now() - t1) / 1000;

  let area = 0;
  let ffArea = 0;
  let ffs = 0;
  const cellArea: Record<string, number> = {};
  for (const [name, n] of Object.entries(cells)) {
    const c = lib.lib.cells.get(name)!;
    cellArea[name] = round(n * c.area, 3);
    area += n * c.area;
    if (c.seq) {
      ffs += n;
      ffArea += n * c.area;
    }
  }
  const nand2Area = lib.cells.nand2.area;
  const report: AsicReport = {
    top,
    target: 'asic',
    yosysVersion: yosysVersionFrom(creator || result.log),
    staVersion: await staVersion(),
    library: { name: lib.lib.name, path: lib.path, sha256: lib.sha256, corner: lib.lib.corner, timeUnitNs: lib.lib.timeUnitNs },
    clockNs,
    effort,
    cells,
    totalCells: Object.values(cells).reduce((s, n) => s + n, 0),
    cellAreaUm2: cellArea,
    areaUm2: round(area, 3),
    areaMm2: round(area / 1e6, 6),
    nand2: { cell: lib.cells.nand2.name, areaUm2: nand2Area },
    nand2Equivalents: Math.round(area / nand2Area),
    ffs,
    ffAreaUm2: round(ffArea, 3),
    ffAreaShare: area > 0 ? round(ffArea / area, 4) : 0,
    tieCells: lib.cells.tieHi && lib.cells.tieLo ? { hi: lib.cells.tieHi.cell.name, lo: lib.cells.tieLo.cell.name } : null,
    constantConnections: (netlist.match(/1'b[01]/g) ?? []).length,
    sta: {
      worst: sta.worst,
      fmaxMhz: sta.worst ? round(1000 / (clockNs - sta.worst.slackNs), 2) : null,
      wnsNs: sta.wnsNs,
      tnsNs: sta.tnsNs,
      holdSlackNs: sta.holdSlackNs,
    },
    rtlSha256: rtlHash(opts.files),
    seconds: { yosys: round(yosysSeconds, 1), sta: round(staSeconds, 1) },
  };
  return {
    report,
    netlist,
    netlistName,
    sdc,
    cellModels: behaviouralModels(lib.lib, Object.keys(cells)),
    yosysLog: result.log,
    staLog: sta.log,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const c3 = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

export function formatAsicReport(r: AsicReport): string {
  const corner = r.library.corner;
  const cornerText = [corner.name, corner.voltage !== undefined ? `${corner.voltage} V` : '', corner.temperature !== undefined ? `${corner.temperature} °C` : '', corner.process !== undefined ? `process ${corner.process}` : '']
    .filter(Boolean)
    .join(', ');
  const w = r.sta.worst;
  const rows: [string, string][] = [
    ['target', `asic: ${r.library.name} (${r.library.path})`],
    ['corner', cornerText],
    ['top', r.top],
    ['tools', `yosys ${r.yosysVersion}; OpenSTA ${r.staVersion}`],
    ['', ''],
    ['area', `${c3(r.areaUm2)} µm² (${r.areaMm2.toFixed(4)} mm²), cells only: no placement density, no routing`],
    ['NAND2-eq', `${c3(r.nand2Equivalents)} gates (area ÷ ${r.nand2.cell}, ${r.nand2.areaUm2} µm²)`],
    ['cells', c3(r.totalCells)],
    ['flip-flops', `${c3(r.ffs)}, ${c3(r.ffAreaUm2)} µm² = ${(100 * r.ffAreaShare).toFixed(1)} % of the area`],
    ['constants', r.tieCells ? `tie cells ${r.tieCells.hi} / ${r.tieCells.lo}` : `${r.constantConnections} connection${r.constantConnections === 1 ? '' : 's'} to 1'b0/1'b1 (the library has no tie cells: tie them to the rails in place and route)`],
    ['', ''],
    ['clock', `${r.clockNs} ns (${(1000 / r.clockNs).toPrecision(4)} MHz), ideal clock, no wire load; mapping effort ${r.effort}${r.effort === 'fast' ? ' (abc -fast: no buffering or sizing)' : ''}`],
  ];
  if (w) {
    rows.push(
      ['worst setup', `${w.met ? 'MET' : 'VIOLATED'}, slack ${w.slackNs.toFixed(3)} ns, arrival ${w.arrivalNs.toFixed(3)} ns through ${w.cells} cells`],
      ['  from', `${w.startpoint} (${w.startKind})`],
      ['  to', `${w.endpoint} (${w.endKind})`],
      ['Fmax', `${r.sta.fmaxMhz!.toFixed(1)} MHz (1 / (clock − slack) = 1 / ${(r.clockNs - w.slackNs).toFixed(3)} ns)`],
    );
  } else rows.push(['worst setup', 'no constrained path (no register and no port timed against clk)']);
  rows.push(['WNS / TNS', `${r.sta.wnsNs.toFixed(3)} / ${r.sta.tnsNs.toFixed(3)} ns`]);
  if (r.sta.holdSlackNs !== null) rows.push(['worst hold', `slack ${r.sta.holdSlackNs.toFixed(3)} ns (ideal clock)`]);
  const labelWidth = Math.max(...rows.map(([k]) => k.length));
  const out = rows.map(([k, v]) => (k ? `${k.padEnd(labelWidth)}  ${v}` : ''));
  const cellRows = Object.entries(r.cells);
  const cellWidth = Math.max(5, ...cellRows.map(([k]) => k.length));
  const countWidth = Math.max(...cellRows.map(([, n]) => String(n).length), String(r.totalCells).length);
  const areaText = (k: string) => c3(r.cellAreaUm2[k] ?? 0);
  const areaWidth = Math.max(...cellRows.map(([k]) => areaText(k).length), c3(r.areaUm2).length);
  out.push('', 'cells by type (count, area µm²)');
  for (const [k, n] of cellRows) out.push(`  ${k.padEnd(cellWidth)}  ${String(n).padStart(countWidth)}  ${areaText(k).padStart(areaWidth)}`);
  out.push(`  ${'total'.padEnd(cellWidth)}  ${String(r.totalCells).padStart(countWidth)}  ${c3(r.areaUm2).padStart(areaWidth)}`);
  return out.join('\n') + '\n';
}
