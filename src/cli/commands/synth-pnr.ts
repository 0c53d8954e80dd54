// `zkrtl synth BLOCK --target ice40 --pnr`: the block behind an FPGA top that fits its pins
// into the UP5K's sg48 package (an rv32im core twice: bare and in its FPGA top), placed and routed with nextpnr-ice40; prints one paragraph and
// writes the report, the logs and the routed design (.asc).
import { join } from 'node:path';
import type { GeneratedDesign } from '../../gen/design.ts';
import { formatPnrReport, formatSeedSpread, formatSeeds, placeAndRouteSeeds, seedSpread } from '../../synth/pnr.ts';
import { fpgaTopFor, pinWrapper, rv32imFpgaTop, rv32imLightPinWrapper, type FpgaDesign } from '../../synth/wrappers.ts';
import { UsageError } from '../errors.ts';
import { writeDirectoryAtomically } from '../output.ts';
import { stderrProgress, type Progress } from '../progress.ts';

export interface PnrCliOptions {
  /** Output directory; default synth-out/<top>.ice40-pnr (with a light trace: .ice40-pnr-light). */
  out?: string;
  /** nextpnr --freq target in MHz (default 100). */
  clockMhz?: number;
  /** nextpnr --seed, one run per seed of the one netlist (default [1]). */
  seeds?: number[];
  progress?: Progress;
  /** rv32im only: place the core bare, in its FPGA top, or both (the default; each in a subdirectory). */
  wrap?: PnrWrap;
  /** rv32im only: fold every trace field (full, the default), or only valid, insn and rd_wdata (light: nearer to a core without a trace port). */
  trace?: PnrTrace;
}

export const PNR_WRAPS = ['bare', 'top', 'both'] as const;
export type PnrWrap = (typeof PNR_WRAPS)[number];

/** Parses `--wrap` (rv32im cores only; other blocks have one FPGA top, the pin wrapper). */
export function parsePnrWrap(value: string | undefined, block: string): PnrWrap | undefined {
  if (value === undefined) return undefined;
  if (block !== 'rv32im') throw new UsageError(`--wrap ${value} goes with rv32im only: a ${block} is always placed behind the pin wrapper`);
  if (!(PNR_WRAPS as readonly string[]).includes(value)) throw new UsageError(`--wrap ${value} is not accepted: give bare (ports folded to pins), top (the FPGA top with on-chip RAM) or both`);
  return value as PnrWrap;
}

export const PNR_TRACES = ['full', 'light'] as const;
export type PnrTrace = (typeof PNR_TRACES)[number];

/** Parses `--trace` (rv32im cores only: what of the trace port the measurement keeps). */
export function parsePnrTrace(value: string | undefined, block: string): PnrTrace | undefined {
  if (value === undefined) return undefined;
  if (block !== 'rv32im') throw new UsageError(`--trace ${value} goes with rv32im only: ${block} has no trace port`);
  if (!(PNR_TRACES as readonly string[]).includes(value)) throw new UsageError(`--trace ${value} is not accepted: give full (every trace field folded into the pins, the default) or light (only rvfi_valid, rvfi_insn and rvfi_rd_wdata: nearer to a core without a trace port)`);
  return value as PnrTrace;
}

/** Parses `--freq` (a clock target in MHz) for the CLI; undefined stays undefined. */
export function parsePnrFreq(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(/^\d+(\.\d+)?$/.test(value) && n > 0 && n < 1000)) throw new UsageError(`--freq ${value} is not accepted: give a clock target in MHz, above 0 and below 1000`);
  return n;
}

/** At most this many seeds in one --seed (each is a whole placement). */
export const MAX_PNR_SEEDS = 32;

/**
 * Parses `--seed`: one seed, a list, ranges or both (`1`, `1,4,7`, `1-5`, `1-3,9`), each seed
 * once, in the order given; undefined stays undefined.
 */
export function parsePnrSeeds(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const bad = (why: string) => new UsageError(`--seed ${value} is not accepted: ${why}`);
  const shape = 'give a non-negative integer, a list (1,4,7) or a range (1-5)';
  const seeds: number[] = [];
  for (const part of value.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw bad(shape);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw bad(shape);
    if (to < from) throw bad(`the range ${part} runs backwards: give it low-high (${to}-${from})`);
    if (to - from + 1 + seeds.length > MAX_PNR_SEEDS) throw bad(`at most ${MAX_PNR_SEEDS} seeds (each is a whole placement)`);
    for (let seed = from; seed <= to; seed++) {
      if (seeds.includes(seed)) throw bad(`seed ${seed} is given twice`);
      seeds.push(seed);
    }
  }
  return seeds;
}

/**
 * The tops a design is placed in: an rv32im core bare (its ports folded to pins, as cores are
 * compared) and in its FPGA top, with the whole trace or a light one; any other block behind
 * the pin wrapper.
 */
export function pnrTops(design: GeneratedDesign, wrap: PnrWrap, trace: PnrTrace = 'full'): { dir: string; kind: string; what: string; fpga: FpgaDesign }[] {
  if (design.manifest.block !== 'rv32im') return [{ dir: '', kind: 'pins', what: '', fpga: fpgaTopFor(design) }];
  const light = trace === 'light';
  const bare = {
    dir: 'bare',
    kind: 'bare',
    what: `bare: ports folded to pins${light ? ', the trace but valid, insn and rd_wdata left open' : ''}`,
    fpga: light ? rv32imLightPinWrapper(design) : pinWrapper(design),
  };
  const top = { dir: 'fpga-top', kind: 'fpga-top', what: `in its FPGA top: SPRAM, EBR fetch, program loader${light ? ', light trace' : ''}`, fpga: rv32imFpgaTop(design, { trace }) };
  // One wrapping alone is written flat, as for any other block.
  return wrap === 'both' ? [bare, top] : [{ ...(wrap === 'bare' ? bare : top), dir: '' }];
}

/**
 * Places and routes `design` on an iCE40 UP5K-SG48 (behind the pin wrapper; an rv32im core
 * both bare and in its FPGA top, each in its own subdirectory), prints each report as one
 * paragraph on stdout and writes report.json, report.txt, yosys.log, nextpnr.log and
 * <top>.asc. With several seeds, one synthesis is placed once per seed: each placement's
 * report, log and .asc go to seed-N/, and seeds.json and seeds.txt beside them give the
 * spread of Fmax. Returns the exit code (0).
 */
export async function runPnrFor(design: GeneratedDesign, opts: PnrCliOptions = {}): Promise<number> {
  const progress = opts.progress ?? stderrProgress;
  // (a light trace's own folder: it does not replace the full measurement's)
  const out = opts.out ?? join('synth-out', `${design.top}.ice40-pnr${opts.trace === 'light' ? '-light' : ''}`);
  const seeds = opts.seeds ?? [1];
  const several = seeds.length > 1;
  const files = new Map<string, string>();
  const texts: string[] = [];
  const tops = pnrTops(design, opts.wrap ?? 'both', opts.trace);
  for (const { dir, kind, what, fpga } of tops) {
    progress.step(`place and route ${design.top} (as ${fpga.top}${what ? `, ${what}` : ''}) on iCE40 UP5K-SG48${several ? `, seeds ${formatSeeds(seeds)}` : ''}`);
    const results = await placeAndRouteSeeds({
      top: fpga.top,
      files: fpga.files,
      device: 'up5k',
      package: 'sg48',
      clockMhz: opts.clockMhz,
      seeds,
      onProgress: (s) => progress.step(`  ${s}`),
    });
    const at = (name: string) => (dir ? `${dir}/${name}` : name);
    for (const result of results) {
      const text = formatPnrReport(result.report);
      const here = (name: string) => at(several ? `seed-${result.report.seed}/${name}` : name);
      const entries: [string, string][] = [
        ['report.json', JSON.stringify({ ...result.report, core: design.top, wrapping: kind, ...(design.manifest.block === 'rv32im' ? { trace: opts.trace ?? 'full' } : {}), pins: fpga.pins, manifest: design.manifest }, null, 2) + '\n'],
        ['report.txt', text],
        ['nextpnr.log', result.nextpnrLog],
        [`${fpga.top}.asc`, result.asc],
      ];
      for (const [name, content] of entries) files.set(here(name), content);
      texts.push(`${dir ? `${dir}: ` : ''}${text}`);
    }
    files.set(at('yosys.log'), results[0]!.yosysLog);
    for (const [name, content] of Object.entries(fpga.files)) files.set(at(name), content);
    const spread = several ? seedSpread(results.map((r) => r.report)) : null;
    if (spread) {
      const line = `${fpga.top}: ${formatSeedSpread(spread)}\n`;
      files.set(at('seeds.json'), JSON.stringify({ core: design.top, wrapping: kind, top: fpga.top, ...spread }, null, 2) + '\n');
      files.set(at('seeds.txt'), line);
      texts.push(`${dir ? `${dir}: ` : ''}${line}`);
    }
  }
  writeDirectoryAtomically(out, files);
  for (const t of texts) process.stdout.write(t);
  const where = tops.length > 1 ? `${tops.map((t) => `${t.dir}/`).join(', ')}: ` : '';
  const what = several ? `seed-N/ (report.json, report.txt, the .asc, nextpnr.log), seeds.json, seeds.txt, yosys.log, the wrapped sources` : 'report.json, report.txt, the .asc, yosys.log, nextpnr.log, the wrapped sources';
  process.stdout.write(`wrote ${out}/ (${where}${what})\n`);
  return 0;
}
