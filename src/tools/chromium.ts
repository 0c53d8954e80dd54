// Headless Chromium: the browser the report tests open the HTML pages in (to see that every
// plot rendered and no script failed) and that takes the pages' screenshots. Debian package
// `chromium`, binary `chromium`; CHROMIUM=/path selects another (Chrome works too).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureDebianPackages, runProcess, which } from './process.ts';

const INSTALL_HINT = 'install it with `apt-get install chromium` (Debian), or point CHROMIUM=/path at a Chromium or Chrome binary';

export function chromiumBinary(): string {
  return process.env.CHROMIUM || 'chromium';
}

/** Chromium, installed from Debian when missing and root, else an Error whose message says in one line how to install it. */
export function ensureChromium(opts: { log?: (s: string) => void } = {}): Promise<void> {
  const bin = chromiumBinary();
  if (process.env.CHROMIUM && !which(bin)) throw new Error(`CHROMIUM=${process.env.CHROMIUM} does not exist: point it at a Chromium or Chrome binary, or unset it`);
  return ensureDebianPackages({
    packages: [{ pkg: 'chromium', present: () => which(bin) !== undefined }],
    purpose: 'needed to check the HTML reports in a browser and take their screenshots',
    hint: INSTALL_HINT,
    log: opts.log,
  });
}

export async function chromiumVersion(): Promise<string> {
  const r = await runProcess([chromiumBinary(), '--version']).catch(() => undefined);
  return r && r.code === 0 ? r.stdout.trim().split('\n')[0]! : 'unknown';
}

export interface HeadlessOptions {
  /** Window size in px (the layout width; with --screenshot also the image size). Default 1400 × 1000. */
  width?: number;
  height?: number;
  timeoutMs?: number;
}

export interface ConsoleMessage {
  text: string;
  source: string;
  line: number;
}

export interface HeadlessResult {
  /** The DOM after the page's scripts ran (--dump-dom), empty for screenshots. */
  dom: string;
  /** Every console message the page wrote (console.log/warn/error and uncaught errors alike: Chromium logs them all at one level). */
  console: ConsoleMessage[];
  stderr: string;
}

/** `[pid:tid:time:INFO:CONSOLE:12] "text", source: file:///… (12)`; older builds write `CONSOLE(12)]`. */
const CONSOLE_LINE = /:CONSOLE(?::\d+|\(\d+\))?\]\s*"(.*)", source: (.*) \((\d+)\)\s*$/;

export function parseConsole(stderr: string): ConsoleMessage[] {
  const out: ConsoleMessage[] = [];
  for (const line of stderr.split('\n')) {
    const m = CONSOLE_LINE.exec(line);
    if (m) out.push({ text: m[1]!, source: m[2]!, line: Number(m[3]) });
  }
  return out;
}

async function headless(file: string, action: string[], opts: HeadlessOptions): Promise<HeadlessResult> {
  // A profile of its own: no first-run state in $HOME, and parallel runs do not share a lock.
  const profile = mkdtempSync(join(tmpdir(), 'zkrtl-chromium-'));
  try {
    const argv = [
      chromiumBinary(),
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      '--hide-scrollbars',
      '--force-device-scale-factor=1',
      `--user-data-dir=${profile}`,
      '--enable-logging=stderr',
      '--v=0',
      `--window-size=${opts.width ?? 1400},${opts.height ?? 1000}`,
      ...action,
      pathToFileURL(resolve(file)).href,
    ];
    const r = await runProcess(argv, { timeoutMs: opts.timeoutMs ?? 60_000 });
    if (r.code !== 0) throw new Error(`chromium exited with ${r.code ?? r.signal} on ${file}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return { dom: action.includes('--dump-dom') ? r.stdout : '', console: parseConsole(r.stderr), stderr: r.stderr };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Opens an HTML file headless and returns its DOM after the scripts ran (and the load event),
 * and what it wrote to the console; with `screenshot`, also saves a PNG of the window in the same run.
 */
export function dumpDom(file: string, opts: HeadlessOptions & { screenshot?: string } = {}): Promise<HeadlessResult> {
  return headless(file, ['--dump-dom', ...(opts.screenshot ? [`--screenshot=${resolve(opts.screenshot)}`] : [])], opts);
}

/** A PNG of the page's first width × height pixels. */
export function screenshot(file: string, png: string, opts: HeadlessOptions = {}): Promise<HeadlessResult> {
  return headless(file, [`--screenshot=${resolve(png)}`], opts);
}

/**
 * A PNG of the whole page at `width` px: the page is measured first (a copy with a script that
 * writes its scroll height into the DOM), then captured in a window of that height.
 */
export async function fullPageScreenshot(html: string, png: string, opts: { width?: number; maxHeight?: number; timeoutMs?: number } = {}): Promise<{ height: number }> {
  const width = opts.width ?? 1400;
  const dir = mkdtempSync(join(tmpdir(), 'zkrtl-shot-'));
  try {
    const page = join(dir, 'page.html');
    const probe = '<script>document.documentElement.setAttribute("data-zkrtl-height", String(Math.ceil(document.documentElement.scrollHeight)));</script>';
    writeFileSync(page, html.includes('</body>') ? html.replace(/<\/body>(?![\s\S]*<\/body>)/, `${probe}</body>`) : html + probe);
    const measured = await dumpDom(page, { width, height: 1000, timeoutMs: opts.timeoutMs });
    const m = /data-zkrtl-height="(\d+)"/.exec(measured.dom);
    if (!m) throw new Error('could not measure the page height in chromium');
    const height = Math.min(Number(m[1]), opts.maxHeight ?? 16_000);
    writeFileSync(page, html);
    await screenshot(page, png, { width, height, timeoutMs: opts.timeoutMs });
    return { height };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
