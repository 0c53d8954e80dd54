// `zkrtl report`: the benchmark as a page of plots. Reads bench/results.json (or --results),
// writes bench/report.html (or --out): self-contained, no network. `npm run bench` calls
// writeBenchReport at its end; --screenshot also saves a full-page PNG from headless Chromium.
import { resolve } from 'node:path';
import { readUserFile, UsageError } from '../../base/errors.ts';
import { benchReport } from '../../report/bench-report.ts';
import { ensureChromium, fullPageScreenshot } from '../../tools/chromium.ts';
import { parseArgs, single } from '../args.ts';
import { writeFileAtomically } from '../output.ts';

export const DEFAULT_RESULTS = 'bench/results.json';
export const DEFAULT_REPORT = 'bench/report.html';

/** Reads a results file (a UsageError, one line, when missing, unreadable or not a JSON object) and writes its report page. */
export function writeBenchReport(resultsPath: string, outPath: string): string {
  const text = readUserFile(resultsPath, 'results file');
  let results: unknown;
  try {
    results = JSON.parse(text);
  } catch (e) {
    const why = (e as Error).message.replace(/\s+/g, ' ');
    throw new UsageError(`results file ${resultsPath} is not valid JSON: ${why.length > 100 ? `${why.slice(0, 100)}…` : why}`);
  }
  if (typeof results !== 'object' || results === null || Array.isArray(results)) {
    throw new UsageError(`results file ${resultsPath} is not a benchmark result (a JSON object written by npm run bench)`);
  }
  const html = benchReport(results);
  writeFileAtomically(outPath, html);
  return html;
}

export async function runReport(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { options: ['results', 'out', 'screenshot'], flags: [] });
  if (args.positionals.length) throw new UsageError(`zkrtl report takes no arguments (got ${args.positionals.join(' ')}): give --results FILE and --out FILE`);
  const resultsPath = single(args, 'results') ?? DEFAULT_RESULTS;
  const outPath = single(args, 'out') ?? DEFAULT_REPORT;
  const png = single(args, 'screenshot');
  const html = writeBenchReport(resultsPath, outPath);
  process.stderr.write(`zkrtl: wrote ${resolve(outPath)}\n`);
  if (png) {
    await ensureChromium();
    const { height } = await fullPageScreenshot(html, png, { width: 1400 });
    process.stderr.write(`zkrtl: wrote ${resolve(png)} (1400 × ${height} px)\n`);
  }
  return 0;
}
