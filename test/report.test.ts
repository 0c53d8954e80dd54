// The benchmark report: the plot primitives (Pareto front, log axes, determinism, empty plots),
// the page builder on broken input, `zkrtl report` on bad files, and the page built from the
// committed bench/results.json opened in headless Chromium: every plot rendered with data
// points, no script error or console message, the sortable tables sort, and a screenshot.
// The console check is shown to fail on a copy of the page with an injected error.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/base/errors.ts';
import { runReport } from '../src/cli/commands/report.ts';
import { benchReport } from '../src/report/bench-report.ts';
import { htmlPage, sortableTable } from '../src/report/html.ts';
import { barSvg, escapeHtml, paretoFront, scatterSvg, type ScatterPlot } from '../src/report/svg.ts';
import { dumpDom, ensureChromium, type HeadlessResult } from '../src/tools/chromium.ts';

const RESULTS = join(import.meta.dirname, '..', 'bench', 'results.json');

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;
const attr = (svg: string, name: string) => /<svg [^>]*>/.exec(svg)![0].match(new RegExp(`${name}="([^"]*)"`))?.[1];

describe('svg primitives', () => {
  it('paretoFront: the non-dominated points of a hand example, by x; equal points both stay; NaN left out', () => {
    const pts = [
      { x: 1, y: 5 }, // 0: front (lowest x)
      { x: 2, y: 3 }, // 1: front
      { x: 3, y: 4 }, // 2: dominated by 1
      { x: 4, y: 1 }, // 3: front (lowest y)
      { x: 2, y: 3 }, // 4: equal to 1: neither dominates the other
      { x: 5, y: 5 }, // 5: dominated
      { x: 1, y: 6 }, // 6: dominated by 0 (same x, higher y)
      { x: 4, y: 1 + 1e-9 }, // 7: dominated by 3
      { x: NaN, y: 0 }, // 8: not a point
      { x: 3, y: 3 }, // 9: dominated by 1 (same y, higher x)
    ];
    expect(paretoFront(pts)).toEqual([0, 1, 4, 3]);
    expect(paretoFront([])).toEqual([]);
    expect(paretoFront([{ x: 7, y: 7 }])).toEqual([0]);
  });

  it('scatter: one circle.point per point with a "label: x, y" title, Pareto points marked, labels escaped', () => {
    const svg = scatterSvg({
      title: 'A <b>',
      xLabel: 'latency',
      yLabel: 'LUT',
      series: [
        { name: 'a', points: [{ x: 1, y: 10, label: 'p&1' }, { x: 2, y: 5, label: 'p2' }] },
        { name: 'b', points: [{ x: 3, y: 7, label: '<q>' }] },
      ],
      pareto: true,
      referenceLines: [{ axis: 'y', value: 8, label: 'ref "eight"' }, { axis: 'x', value: 2.5, label: 'vertical' }],
      referencePoints: [{ x: 4, y: 2, label: 'published' }],
    });
    expect(attr(svg, 'class')).toBe('plot');
    expect(attr(svg, 'data-points')).toBe('3');
    expect(count(svg, /<circle class="point/g)).toBe(3);
    expect(count(svg, /<circle class="point pareto"/g)).toBe(2);
    expect(svg).toContain('<title>p&amp;1: 1, 10</title>');
    expect(svg).toContain('&lt;q&gt;');
    expect(svg).not.toContain('<q>');
    expect(svg).not.toContain('<b>');
    expect(count(svg, /class="ref-line"/g)).toBe(2);
    expect(count(svg, /class="ref-point"/g)).toBe(1);
    expect(svg).toContain('ref &quot;eight&quot;');
    expect(svg).toContain('class="pareto-line"');
  });

  it('log axes: decade ticks equally spaced, 1k/10k labels, points ≤ 0 left out and said so', () => {
    const plot: ScatterPlot = {
      title: 'log',
      xLabel: 'x',
      yLabel: 'y',
      logX: true,
      logY: true,
      series: [{ name: 's', points: [3, 30, 300, 3000, 30000, 0, -5].map((v, i) => ({ x: 2 ** (i + 1), y: v, label: `p${i}` })) }],
    };
    const svg = scatterSvg(plot);
    expect(attr(svg, 'data-points')).toBe('5');
    expect(svg).toContain('2 points ≤ 0 not shown');
    const ticks = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" class="tick" font-size="10" text-anchor="end"[^>]*>([^<]+)<\/text>/g)].map((m) => ({ y: Number(m[2]), label: m[3]! }));
    const labels = ticks.map((t) => t.label);
    // Data 3 … 30000 (padded by a tenth): the axis runs from 2 to 50k, ticks at the decades (more than three).
    expect(labels).toEqual(['10', '100', '1k', '10k']);
    const gaps = ticks.slice(1).map((t, i) => ticks[i]!.y - t.y);
    for (const g of gaps) expect(Math.abs(g - gaps[0]!)).toBeLessThanOrEqual(0.11);
    // A bar plot on a log axis: zero cannot be drawn, the rest can.
    const bars = barSvg({ title: 'b', yLabel: 'y', logY: true, groups: [{ label: 'g', values: [{ name: 'zero', value: 0 }, { name: 'ten', value: 10 }] }] });
    expect(attr(bars, 'data-points')).toBe('1');
  });

  it('is deterministic: the same plot (even rebuilt) gives the same text', () => {
    const make = (): ScatterPlot => ({
      title: 'det',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ name: 'a', points: Array.from({ length: 20 }, (_, i) => ({ x: i * 1.37, y: Math.sin(i) * 1000 + 1001, label: `n${i}` })) }],
      pareto: true,
      pointLabels: true,
      referenceLines: [{ axis: 'y', value: 500, label: 'half' }],
    });
    expect(scatterSvg(make())).toBe(scatterSvg(make()));
    const bars = () => barSvg({ title: 't', yLabel: 'y', stacked: true, valueLabels: true, groups: [{ label: 'g1', values: [{ name: 'a', value: 1.25 }, { name: 'b', value: 2 }] }, { label: 'g2', values: [{ name: 'a', value: 3 }] }] });
    expect(bars()).toBe(bars());
    const page = benchReport(JSON.parse(readFileSync(RESULTS, 'utf8')));
    expect(benchReport(JSON.parse(readFileSync(RESULTS, 'utf8')))).toBe(page);
  });

  it('a plot without points says "no data" instead of throwing', () => {
    const empty = scatterSvg({ title: 'e', xLabel: 'x', yLabel: 'y', series: [] });
    expect(attr(empty, 'data-points')).toBe('0');
    expect(empty).toContain('no data');
    expect(scatterSvg({ title: 'e', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [] }], pareto: true, logX: true })).toContain('no data');
    expect(barSvg({ title: 'e', yLabel: 'y', groups: [] })).toContain('no data');
    expect(barSvg({ title: 'e', yLabel: 'y', groups: [{ label: 'g', values: [] }] })).toContain('no data');
    // One point, or all points equal, still gives an axis.
    expect(attr(scatterSvg({ title: 'one', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [{ x: 5, y: 5, label: 'p' }] }], logY: true }), 'data-points')).toBe('1');
  });

  it('escapeHtml and sortable tables', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const t = sortableTable([{ key: 'name', label: 'Name' }, { key: 'n', label: 'N <1>', numeric: true }], [{ name: 'a<b', n: 3.14159 }, { name: 'c', n: undefined }]);
    expect(t).toContain('<table class="sortable">');
    expect(t).toContain('<th scope="col" tabindex="0" data-key="n" class="num">N &lt;1&gt;</th>');
    expect(t).toContain('<td class="num" data-value="3.14159">3.142</td>');
    expect(t).toContain('<td>a&lt;b</td>');
    const page = htmlPage('T & T', t);
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('<title>T &amp; T</title>');
  });
});

describe('bench report page', () => {
  it('has a plot per figure, no external URL, and survives missing or malformed sections', () => {
    const page = benchReport(JSON.parse(readFileSync(RESULTS, 'utf8')));
    expect(count(page, /<svg class="plot"/g)).toBeGreaterThanOrEqual(20);
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<(link|img|iframe)\b|<script\s+src|@import|url\(/i);
    expect(page).not.toContain('could not be drawn');
    expect(page).not.toContain('data-points="0"');
    for (const input of [{}, null, [], 'text', 42, { rows: 'x', ntt: 5, rv32im: { runs: [1, null, { config: 'p5' }] }, ecadd: { rows: [{}] }, msm: { rows: [{ points: 'many' }], families: [null] }, asic: [] }]) {
      const p = benchReport(input);
      expect(p).toContain('<!DOCTYPE html>');
      expect(p).toMatch(/No field-block|no field-block/);
    }
    const partial = benchReport({ rv32im: JSON.parse(readFileSync(RESULTS, 'utf8')).rv32im });
    expect(partial).toContain('No NTT section in results.json');
    expect(partial).toContain('CPI per program');
  });

  it('zkrtl report: a missing, unreadable or invalid results file is one UsageError line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkrtl-report-'));
    try {
      await expect(runReport(['--results', join(dir, 'none.json'), '--out', join(dir, 'r.html')])).rejects.toThrow(UsageError);
      await expect(runReport(['--results', join(dir, 'none.json')])).rejects.toThrow(/cannot read results file .*none\.json: ENOENT/);
      writeFileSync(join(dir, 'bad.json'), '{"rows": [');
      await expect(runReport(['--results', join(dir, 'bad.json'), '--out', join(dir, 'r.html')])).rejects.toThrow(/is not valid JSON/);
      writeFileSync(join(dir, 'list.json'), '[1, 2]');
      await expect(runReport(['--results', join(dir, 'list.json'), '--out', join(dir, 'r.html')])).rejects.toThrow(/not a benchmark result/);
      await expect(runReport(['--results', dir, '--out', join(dir, 'r.html')])).rejects.toThrow(UsageError);
      await expect(runReport(['--bogus'])).rejects.toThrow(/unknown option --bogus/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Runs first in the page: collects uncaught errors, unhandled rejections and console.error
 * calls into an attribute of <html>; after load, counts the points of every svg.plot that
 * the browser laid out, and clicks the first numeric header of a sortable table twice,
 * recording the column each time.
 */
const HOOK = `<script>
(function () {
  var errors = [];
  var root = document.documentElement;
  function add(m) { errors.push(String(m)); root.setAttribute('data-test-errors', JSON.stringify(errors)); }
  root.setAttribute('data-test-errors', '[]');
  window.addEventListener('error', function (e) { add('error: ' + (e.message || e.type)); }, true);
  window.addEventListener('unhandledrejection', function (e) { add('unhandledrejection: ' + e.reason); });
  var original = console.error;
  console.error = function () { add('console.error: ' + Array.prototype.join.call(arguments, ' ')); return original.apply(console, arguments); };
  window.addEventListener('load', function () {
    try {
      var plots = Array.prototype.map.call(document.querySelectorAll('svg.plot'), function (svg) {
        var pts = svg.querySelectorAll('.point');
        var drawn = Array.prototype.filter.call(pts, function (p) { var b = p.getBBox(); return b.width > 0 && b.height > 0; }).length;
        var r = svg.getBoundingClientRect();
        return { title: svg.getAttribute('aria-label'), points: pts.length, drawn: drawn, width: r.width, height: r.height };
      });
      root.setAttribute('data-test-plots', JSON.stringify(plots));
      var table = document.querySelector('table.sortable');
      var th = table && table.querySelector('th.num');
      if (th) {
        var col = Array.prototype.indexOf.call(th.parentNode.children, th);
        var column = function () { return Array.prototype.map.call(table.tBodies[0].rows, function (r) { return r.cells[col].getAttribute('data-value'); }); };
        th.click();
        var up = column();
        th.click();
        root.setAttribute('data-test-sort', JSON.stringify({ label: th.textContent, up: up, down: column(), aria: th.getAttribute('aria-sort') }));
      }
    } catch (e) { add('hook: ' + e); }
  });
})();
</script>`;

function withHook(html: string, extra = ''): string {
  return html.replace('<head>', `<head>\n${HOOK}${extra}`);
}

function domAttr(dom: string, name: string): unknown {
  const m = new RegExp(`${name}="([^"]*)"`).exec(dom);
  if (!m) return undefined;
  return JSON.parse(m[1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, '\u00a0').replace(/&amp;/g, '&'));
}

/** What went wrong in the page: errors the hook saw, and any console message Chromium logged. */
function pageProblems(r: HeadlessResult): string[] {
  const hooked = (domAttr(r.dom, 'data-test-errors') as string[] | undefined) ?? ['the error hook did not run'];
  return [...hooked, ...r.console.map((m) => `console: ${m.text} (${m.source}:${m.line})`)];
}

describe('bench report in headless Chromium', () => {
  let dir: string;
  let page: string;
  let good: Promise<HeadlessResult>;
  let broken: Promise<HeadlessResult>;

  beforeAll(async () => {
    await ensureChromium();
    dir = mkdtempSync(join(tmpdir(), 'zkrtl-report-'));
    expect(await runReport(['--results', RESULTS, '--out', join(dir, 'report.html')])).toBe(0);
    page = readFileSync(join(dir, 'report.html'), 'utf8');
    writeFileSync(join(dir, 'hooked.html'), withHook(page));
    // The negative control: the same page with a script error and a console.error injected.
    writeFileSync(join(dir, 'broken.html'), withHook(page, '<script>console.error("injected console error");</script><script>window.zkrtlNoSuchFunction();</script>'));
    // Both browser runs at once (each mostly waits on Chromium's start-up); the first also takes the screenshot.
    good = dumpDom(join(dir, 'hooked.html'), { width: 1400, height: 2400, screenshot: join(dir, 'report.png') });
    broken = dumpDom(join(dir, 'broken.html'), { width: 1400, height: 1000 });
    await Promise.allSettled([good, broken]);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders every svg.plot with at least one drawn data point', async () => {
    const plots = domAttr((await good).dom, 'data-test-plots') as Array<{ title: string; points: number; drawn: number; width: number; height: number }>;
    expect(plots.length).toBe(count(page, /<svg class="plot"/g));
    expect(plots.length).toBeGreaterThanOrEqual(20);
    for (const p of plots) {
      expect(p.points, p.title).toBeGreaterThan(0);
      expect(p.drawn, p.title).toBeGreaterThan(0);
      expect(p.width, p.title).toBeGreaterThan(200);
    }
  });

  it('has no script error and writes nothing to the console', async () => {
    expect(pageProblems(await good)).toEqual([]);
  });

  it('the console check fails on a page with an injected error (negative control)', async () => {
    const problems = pageProblems(await broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        'console.error: injected console error',
        expect.stringMatching(/^error: .*zkrtlNoSuchFunction is not a function/),
        expect.stringMatching(/^console: injected console error/),
        expect.stringMatching(/^console: Uncaught TypeError: .*zkrtlNoSuchFunction/),
      ]),
    );
  });

  it('sorts a table by a numeric column, up then down', async () => {
    const s = domAttr((await good).dom, 'data-test-sort') as { label: string; up: string[]; down: string[]; aria: string };
    const up = s.up.filter((v) => v !== null).map(Number);
    expect(up.length).toBeGreaterThan(3);
    expect(up).toEqual([...up].sort((a, b) => a - b));
    expect(s.down.filter((v) => v !== null).map(Number)).toEqual([...up].reverse());
    expect(s.aria).toBe('descending');
  });

  it('takes a screenshot: a PNG of 1400 × 2400 with content', async () => {
    await good;
    const png = readFileSync(join(dir, 'report.png'));
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.readUInt32BE(16)).toBe(1400);
    expect(png.readUInt32BE(20)).toBe(2400);
    // A blank or single-colour page compresses to a few kB; plots and text do not.
    expect(statSync(join(dir, 'report.png')).size).toBeGreaterThan(60_000);
  });
});
