// `zkrtl synth BLOCK --target ice40 --pnr`: the block behind an FPGA top that fits its pins
// into the UP5K's sg48 package, placed and routed with nextpnr-ice40; prints one paragraph and
// writes the report, the logs and the routed design (.asc).
import { join } from 'node:path';
import type { GeneratedDesign } from '../../gen/design.ts';
import { formatPnrReport, placeAndRoute } from '../../synth/pnr.ts';
import { fpgaTopFor } from '../../synth/wrappers.ts';
import { UsageError } from '../errors.ts';
import { writeDirectoryAtomically } from '../output.ts';
import { stderrProgress, type Progress } from '../progress.ts';

export interface PnrCliOptions {
  /** Output directory; default synth-out/<top>.ice40-pnr. */
  out?: string;
  /** nextpnr --freq target in MHz (default 100). */
  clockMhz?: number;
  /** nextpnr --seed (default 1). */
  seed?: number;
  progress?: Progress;
}

/** Parses `--freq`/`--seed` option values for the CLI (undefined stays undefined). */
export function parsePnrNumber(name: 'freq' | 'seed', value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (name === 'freq' && !(/^\d+(\.\d+)?$/.test(value) && n > 0 && n < 1000)) throw new UsageError(`--freq ${value} is not accepted: give a clock target in MHz, above 0 and below 1000`);
  if (name === 'seed' && !(/^\d+$/.test(value) && Number.isSafeInteger(n))) throw new UsageError(`--seed ${value} is not accepted: give a non-negative integer`);
  return n;
}

/**
 * Places and routes `design` (wrapped by fpgaTopFor) on an iCE40 UP5K-SG48, prints the report
 * as one paragraph on stdout and writes report.json, report.txt, yosys.log, nextpnr.log and
 * <top>.asc into the output directory. Returns the exit code (0).
 */
export async function runPnrFor(design: GeneratedDesign, opts: PnrCliOptions = {}): Promise<number> {
  const progress = opts.progress ?? stderrProgress;
  const fpga = fpgaTopFor(design);
  const out = opts.out ?? join('synth-out', `${design.top}.ice40-pnr`);
  progress.step(`place and route ${design.top} (as ${fpga.top}) on iCE40 UP5K-SG48`);
  const result = await placeAndRoute({
    top: fpga.top,
    files: fpga.files,
    device: 'up5k',
    package: 'sg48',
    clockMhz: opts.clockMhz,
    seed: opts.seed,
    onProgress: (s) => progress.step(`  ${s}`),
  });
  const text = formatPnrReport(result.report);
  const files = new Map<string, string>([
    ['report.json', JSON.stringify({ ...result.report, core: design.top, pins: fpga.pins, manifest: design.manifest }, null, 2) + '\n'],
    ['report.txt', text],
    ['yosys.log', result.yosysLog],
    ['nextpnr.log', result.nextpnrLog],
    [`${fpga.top}.asc`, result.asc],
    ...Object.entries(fpga.files),
  ]);
  writeDirectoryAtomically(out, files);
  process.stdout.write(text);
  process.stdout.write(`wrote ${out}/ (report.json, report.txt, ${fpga.top}.asc, yosys.log, nextpnr.log, the wrapped sources)\n`);
  return 0;
}
