// Place and route on a real part: Yosys synth_ice40 (SB_MAC16 multipliers, SPRAM and EBR
// memories) → JSON netlist → nextpnr-ice40 for the iCE40 UltraPlus UP5K → Fmax and utilisation
// as nextpnr reports them after routing.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages, lastLine, runProcess, which } from '../tools/process.ts';
import { classifyCells, parseStatJson, targetFlow } from './synth.ts';
import { YosysError, moduleName, runYosys, verilogFileNames, yosysVersionFrom } from './yosys.ts';

export type Ice40Device = 'up5k';
export type Ice40Package = 'sg48';

export interface PnrOptions {
  top: string;
  /** Verilog sources by file name; the top's ports are the package pins. */
  files: Record<string, string>;
  device?: Ice40Device;
  package?: Ice40Package;
  /** Target clock for timing-driven placement (nextpnr --freq); default 100 MHz. */
  clockMhz?: number;
  /** Placer seed (nextpnr --seed); default 1, so runs are repeatable. */
  seed?: number;
  /** One line per long step (synthesis, packing, placement, routing). */
  onProgress?: (message: string) => void;
}

export interface Utilisation {
  used: number;
  available: number;
}

export interface PnrReport {
  top: string;
  device: Ice40Device;
  package: Ice40Package;
  targetMhz: number;
  seed: number;
  /** Fmax after routing of the (first) clock, null when the design has no register-to-register path. */
  fmaxMhz: number | null;
  /** Every clock nextpnr timed, by net name (`clk`, not `clk$SB_IO_IN_$glb_clk`). */
  clocks: Record<string, number>;
  /** Logic cells (a LUT4 with its carry and flip-flop). */
  lcs: number;
  lcsAvailable: number;
  /** EBR block RAMs (SB_RAM40_4K, 4 kbit). */
  brams: number;
  /** SB_SPRAM256KA, 256 kbit each. */
  sprams: number;
  dsps: number;
  ios: number;
  /** Every BEL type in nextpnr's utilisation table. */
  utilisation: Record<string, Utilisation>;
  /** Counts from Yosys before packing. */
  yosys: { luts: number; ffs: number; carry: number; dsps: number; bram: number; version: string };
  nextpnrVersion: string;
  seconds: number;
  yosysSeconds: number;
  nextpnrSeconds: number;
}

export interface PnrResult {
  report: PnrReport;
  /** The routed design as an IceStorm .asc text bitstream (icepack turns it into a .bin). */
  asc: string;
  yosysLog: string;
  nextpnrLog: string;
}

/** The design does not fit the device; the message names the resources over capacity. */
export class PnrFitError extends Error {
  override name = 'PnrFitError';
  constructor(message: string, readonly utilisation: Record<string, Utilisation>) {
    super(message);
  }
}

/** nextpnr failed for another reason; the message is its first ERROR line, the log is kept. */
export class PnrError extends Error {
  override name = 'PnrError';
  constructor(message: string, readonly log: string) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------
// Tools

const INSTALL_HINT = 'install it with `apt-get install nextpnr-ice40 fpga-icestorm` (Debian/Ubuntu), or set NEXTPNR=/path/to/nextpnr-ice40';

function nextpnrBinary(): string {
  return process.env.NEXTPNR || 'nextpnr-ice40';
}

/** Makes sure nextpnr-ice40 can run (installing nextpnr-ice40 and fpga-icestorm as root). */
export function ensureNextpnr(opts: { log?: (s: string) => void } = {}): Promise<void> {
  const bin = nextpnrBinary();
  if (process.env.NEXTPNR && !which(bin)) {
    return Promise.reject(new Error(`NEXTPNR=${process.env.NEXTPNR} does not exist: point it at a nextpnr-ice40 binary, or unset it and ${INSTALL_HINT}`));
  }
  return ensureDebianPackages({
    packages: [
      { pkg: 'nextpnr-ice40', present: () => which(bin) !== undefined },
      { pkg: 'fpga-icestorm', present: () => which('icepack') !== undefined },
    ],
    purpose: 'needed for place and route',
    hint: INSTALL_HINT,
    log: opts.log,
  });
}

export async function nextpnrVersion(): Promise<string> {
  await ensureNextpnr();
  const r = await runProcess([nextpnrBinary(), '--version']);
  const text = (r.stdout + r.stderr).trim();
  return /\(Version ([^)]+)\)/.exec(text)?.[1] ?? lastLine(text);
}

// ---------------------------------------------------------------------------------------
// Synthesis for place and route

const STAT_FILE = '__zkrtl_pnr_stat.json';

/** The Yosys script: the `ice40` flow of synth.ts, then the JSON netlist nextpnr reads. */
export function ice40PnrScript(top: string, sources: string[], netlist: string): string {
  moduleName(top);
  return [
    `read_verilog ${sources.join(' ')}`,
    targetFlow('ice40', top),
    `tee -q -o ${STAT_FILE} stat -json`,
    `hierarchy -purge_lib -top ${top}`,
    `write_json ${netlist}`,
  ].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------
// nextpnr's log

export interface NextpnrLogFacts {
  /** Fmax per clock from the last timing report (after routing), clock names cleaned. */
  clocks: Record<string, number>;
  utilisation: Record<string, Utilisation>;
  /** The first ERROR line, if any. */
  error?: string;
}

/** `clk$SB_IO_IN_$glb_clk` → `clk`: the net name before nextpnr's buffer suffixes. */
export function clockName(net: string): string {
  return net.replace(/_\$glb_clk$/, '').replace(/\$SB_IO_IN$/, '');
}

export function parseNextpnrLog(log: string): NextpnrLogFacts {
  const clocks: Record<string, number> = {};
  const utilisation: Record<string, Utilisation> = {};
  let error: string | undefined;
  for (const raw of log.split('\n')) {
    const line = raw.trim();
    // Printed after placement and again after routing (as Info, Warning or ERROR when it misses
    // the target): the last one wins.
    const f = /Max frequency for clock '([^']+)': ([\d.]+) MHz/.exec(line);
    if (f) clocks[clockName(f[1])] = Number(f[2]);
    const u = /^Info:\s+([A-Z][A-Za-z0-9_]+):\s+(\d+)\/\s*(\d+)\s+\d+%$/.exec(line);
    if (u) utilisation[u[1]] = { used: Number(u[2]), available: Number(u[3]) };
    if (error === undefined && /^ERROR:/.test(line) && !/Max frequency for clock/.test(line)) error = line;
  }
  return { clocks, utilisation, error };
}

/** Resources used beyond what the device has, as `ICESTORM_DSP 9/8`; empty when it fits. */
export function overCapacity(utilisation: Record<string, Utilisation>): string[] {
  return Object.entries(utilisation)
    .filter(([, u]) => u.used > u.available)
    .map(([k, u]) => `${k} ${u.used}/${u.available}`);
}

// ---------------------------------------------------------------------------------------
// The flow

/** nextpnr's long phases, as progress lines. */
function nextpnrPhase(line: string): string | null {
  if (/^Info: Packing constants/.test(line)) return 'nextpnr: packing';
  if (/^Info: Running main analytical placer|^Info: Creating initial placement/.test(line)) return 'nextpnr: placing';
  if (/^Info: Running simulated annealing placer/.test(line)) return 'nextpnr: refining placement';
  if (/^Info: Routing\.\.|^Info: Routing globals/.test(line)) return 'nextpnr: routing';
  return null;
}

export async function placeAndRoute(opts: PnrOptions): Promise<PnrResult> {
  const device = opts.device ?? 'up5k';
  const pkg = opts.package ?? 'sg48';
  if (device !== 'up5k') throw new Error(`placeAndRoute: device ${String(device)} is not supported (up5k only)`);
  if (pkg !== 'sg48') throw new Error(`placeAndRoute: package ${String(pkg)} is not supported (sg48 only)`);
  const targetMhz = opts.clockMhz ?? 100;
  const seed = opts.seed ?? 1;
  if (!(targetMhz > 0 && targetMhz < 1000)) throw new Error(`placeAndRoute: clockMhz ${targetMhz} must be between 0 and 1000`);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`placeAndRoute: seed ${seed} must be a non-negative integer`);
  const progress = opts.onProgress ?? (() => {});
  const top = moduleName(opts.top);
  const sources = verilogFileNames(opts.files);
  if (sources.length === 0) throw new Error(`placeAndRoute ${top}: no .v files given`);
  await ensureNextpnr({ log: progress });

  const started = Date.now();
  progress(`yosys synth_ice40 ${top}`);
  const netlistName = `${top}.ice40.json`;
  const y = await runYosys({ script: ice40PnrScript(top, sources, netlistName), files: opts.files, outputs: [STAT_FILE, netlistName] });
  const conflict = /^Warning: Driver-driver conflict.*$/m.exec(y.log);
  if (conflict) throw new YosysError(`yosys produced a broken ice40 netlist for ${top}: ${conflict[0].replace(/^Warning: /, '')}`, y.log);
  const { cells, creator } = parseStatJson(y.files[STAT_FILE], top);
  const unmapped = Object.keys(cells).filter((c) => c.startsWith('$'));
  if (unmapped.length) throw new YosysError(`yosys left cells nextpnr cannot place in ${top}: ${unmapped.join(', ')}`, y.log);
  const counts = classifyCells('ice40', cells);
  const yosysSeconds = (Date.now() - started) / 1000;

  const dir = mkdtempSync(join(tmpdir(), 'zkrtl-pnr-'));
  try {
    writeFileSync(join(dir, netlistName), y.files[netlistName]);
    const argv = [
      nextpnrBinary(), `--${device}`, '--package', pkg,
      '--json', netlistName, '--asc', `${top}.asc`,
      '--freq', String(targetMhz), '--seed', String(seed),
      // The wrapper's few pins go wherever the placer likes; timing below the target is a
      // result to report, not a failure.
      '--pcf-allow-unconstrained', '--timing-allow-fail',
      '--log', 'nextpnr.log',
    ];
    progress(`nextpnr-ice40 --${device} --package ${pkg} --freq ${targetMhz} --seed ${seed}`);
    const t1 = Date.now();
    let phase = '';
    const r = await runProcess(argv, {
      cwd: dir,
      onLine: (line) => {
        const p = nextpnrPhase(line);
        if (p && p !== phase) {
          phase = p;
          progress(`${p} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        }
      },
    });
    const nextpnrSeconds = (Date.now() - t1) / 1000;
    const log = existsSync(join(dir, 'nextpnr.log')) ? readFileSync(join(dir, 'nextpnr.log'), 'utf8') : r.stderr + r.stdout;
    const facts = parseNextpnrLog(log);
    const over = overCapacity(facts.utilisation);
    if (over.length) {
      throw new PnrFitError(`${top} does not fit the iCE40 ${device.toUpperCase()} (${pkg}): ${over.join(', ')} used/available`, facts.utilisation);
    }
    if (r.code !== 0 || !existsSync(join(dir, `${top}.asc`))) {
      throw new PnrError(`nextpnr-ice40 failed on ${top} (exit ${r.code}): ${facts.error ?? lastLine(r.stderr + r.stdout)}`, log);
    }
    const util = (k: string) => facts.utilisation[k]?.used ?? 0;
    const clockNames = Object.keys(facts.clocks);
    const report: PnrReport = {
      top,
      device,
      package: pkg,
      targetMhz,
      seed,
      fmaxMhz: clockNames.length ? facts.clocks[clockNames.includes('clk') ? 'clk' : clockNames[0]] : null,
      clocks: facts.clocks,
      lcs: util('ICESTORM_LC'),
      lcsAvailable: facts.utilisation.ICESTORM_LC?.available ?? 0,
      brams: util('ICESTORM_RAM'),
      sprams: util('ICESTORM_SPRAM'),
      dsps: util('ICESTORM_DSP'),
      ios: util('SB_IO'),
      utilisation: facts.utilisation,
      yosys: { luts: counts.luts, ffs: counts.ffs, carry: counts.carry, dsps: counts.dsps, bram: counts.bram, version: yosysVersionFrom(creator || y.log) },
      nextpnrVersion: /\(Version ([^)]+)\)/.exec(log)?.[1] ?? (await nextpnrVersion()),
      seconds: (Date.now() - started) / 1000,
      yosysSeconds,
      nextpnrSeconds,
    };
    progress(`${top}: Fmax ${report.fmaxMhz ?? '–'} MHz, ${report.lcs} LCs (${(Date.now() - started) / 1000} s)`);
    return { report, asc: readFileSync(join(dir, `${top}.asc`), 'utf8'), yosysLog: y.log, nextpnrLog: log };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report as a short paragraph. */
export function formatPnrReport(r: PnrReport): string {
  const pct = (n: number, of: number) => (of ? ` (${Math.round((100 * n) / of)} %)` : '');
  const u = (k: string) => r.utilisation[k];
  const fmax = r.fmaxMhz === null ? 'no register-to-register path' : `Fmax ${r.fmaxMhz.toFixed(2)} MHz`;
  return (
    `${r.top} on iCE40 ${r.device.toUpperCase()}-${r.package.toUpperCase()} (nextpnr-ice40 ${r.nextpnrVersion}, seed ${r.seed}, target ${r.targetMhz} MHz): ` +
    `${fmax}; ${r.lcs} of ${r.lcsAvailable} logic cells${pct(r.lcs, r.lcsAvailable)}, ` +
    `${r.dsps} of ${u('ICESTORM_DSP')?.available ?? 8} DSPs, ${r.brams} of ${u('ICESTORM_RAM')?.available ?? 30} EBRs, ` +
    `${r.sprams} of ${u('ICESTORM_SPRAM')?.available ?? 4} SPRAMs, ${r.ios} I/O; ` +
    `Yosys ${r.yosys.version}: ${r.yosys.luts} LUT4, ${r.yosys.ffs} FF, ${r.yosys.carry} carry; ` +
    `${r.seconds.toFixed(1)} s (Yosys ${r.yosysSeconds.toFixed(1)} s, nextpnr ${r.nextpnrSeconds.toFixed(1)} s).\n`
  );
}
