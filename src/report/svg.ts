// Plot primitives for the HTML reports (the benchmark report, design-space sweep pages):
// scatter and bar charts as inline SVG text. Pure and deterministic: no I/O, no browser, and
// the same plot gives the same text, because every coordinate and number is formatted by fixed
// rules and text widths are estimated from the character count (never measured).
//
// Conventions a page (and its tests) can rely on: the root is `<svg class="plot"
// data-points="N">`, where N is the number of data marks, each of which has class "point" (a
// `<circle>` in a scatter plot, a `<rect>` in a bar plot) and a `<title>` naming it; reference
// lines have class "ref-line", reference points "ref-point"; a plot without a drawable point
// says "no data" and has data-points="0".

export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
}
export interface ScatterSeries {
  name: string;
  points: ScatterPoint[];
}
export interface ReferenceLine {
  axis: 'x' | 'y';
  value: number;
  label: string;
}
/** A tick placed by the caller (e.g. powers of two labelled 2^10), instead of the automatic ones. */
export interface Tick {
  value: number;
  label: string;
}
export interface ScatterPlot {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ScatterSeries[];
  logX?: boolean;
  logY?: boolean;
  referenceLines?: ReferenceLine[];
  /** Published or otherwise outside figures, drawn as labelled diamonds (class "ref-point", not counted as data points). */
  referencePoints?: ScatterPoint[];
  /** mark the points on the Pareto front (minimising x and y over all series) and join them with a step line */
  pareto?: boolean;
  /** Which x is better on the Pareto front: 'min' (latency, the default) or 'max' (Fmax). y is always minimised. */
  paretoX?: 'min' | 'max';
  /** Write each point's label next to it (labels that would overlap another are left out; the tooltip keeps them). */
  pointLabels?: boolean;
  /** Join each series' points, in the order given, with a line. */
  lines?: boolean;
  xTicks?: Tick[];
  yTicks?: Tick[];
  width?: number;
  height?: number;
}
export interface BarGroup {
  label: string;
  values: { name: string; value: number }[];
}
export interface BarPlot {
  title: string;
  yLabel: string;
  groups: BarGroup[];
  stacked?: boolean;
  logY?: boolean;
  /** Lines across the plot at a y value (axis 'x' lines have no meaning for bars and are ignored). */
  referenceLines?: ReferenceLine[];
  /** Write each bar's value above it (grouped bars) or the total above the stack (stacked). */
  valueLabels?: boolean;
  width?: number;
  height?: number;
}

/** Colours of the series, in order (Tableau 10, its grey replaced by a teal). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#edc948', '#76b7b2', '#ff9da7', '#9c755f', '#17becf'] as const;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif';
const TITLE_SIZE = 14;
const TEXT_SIZE = 11;
const SMALL_SIZE = 10;
const REF_COLOUR = '#555555';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * A number as a person reads it, by fixed rules: integers in full (no grouping, so that lists
 * of numbers stay unambiguous), other values with 4 significant digits and no trailing zeros.
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** A compact number for ticks and labels: 3 significant digits, k / M / G above a thousand. */
export function formatSi(v: number): string {
  const a = Math.abs(v);
  const [unit, suffix] = a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : [1, ''];
  return `${String(Number((v / unit).toPrecision(3)))}${suffix}`;
}

/** SVG coordinate: one decimal, never "-0.0". */
function c(v: number): string {
  const s = v.toFixed(1);
  return s === '-0.0' ? '0.0' : s;
}

/** Estimated width of text in px (a sans-serif average of 0.6 em per character). */
export function textWidth(s: string, size: number): number {
  return s.length * size * 0.6;
}

/** Word-wraps text to lines no wider (by estimate) than `width`. */
function wrap(s: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of s.split(/\s+/).filter(Boolean)) {
    const next = cur ? `${cur} ${w}` : w;
    if (cur && textWidth(next, size) > width) {
      lines.push(cur);
      cur = w;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines.length ? lines : [''];
}

/** Cuts text to a width estimate, ending it with "…". */
function truncate(s: string, size: number, width: number): string {
  if (textWidth(s, size) <= width) return s;
  const n = Math.max(1, Math.floor(width / (size * 0.6)) - 1);
  return `${s.slice(0, n)}…`;
}

// ---------------------------------------------------------------------------------------
// Pareto front

/** Indices of the non-dominated points (minimise both x and y), sorted by x (then y, then index). Points with a non-finite coordinate are left out. */
export function paretoFront(points: { x: number; y: number }[]): number[] {
  const idx = points.map((_, i) => i).filter((i) => Number.isFinite(points[i]!.x) && Number.isFinite(points[i]!.y));
  idx.sort((a, b) => points[a]!.x - points[b]!.x || points[a]!.y - points[b]!.y || a - b);
  const front: number[] = [];
  let bestY = Infinity; // lowest y among points of strictly smaller x
  for (let i = 0; i < idx.length; ) {
    const x = points[idx[i]!]!.x;
    let j = i;
    while (j < idx.length && points[idx[j]!]!.x === x) j++;
    const groupMin = points[idx[i]!]!.y; // sorted by y within equal x
    if (groupMin < bestY) {
      // Every point of this x with the group's lowest y is non-dominated (equal points do not dominate each other).
      for (let k = i; k < j && points[idx[k]!]!.y === groupMin; k++) front.push(idx[k]!);
      bestY = groupMin;
    }
    i = j;
  }
  return front;
}

// ---------------------------------------------------------------------------------------
// Axes

interface Axis {
  lo: number;
  hi: number;
  log: boolean;
  ticks: Tick[];
}

const exponent = (v: number) => Math.floor(Math.log10(v) + 1e-9);
const pow10 = (e: number) => Number(`1e${e}`);

function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = pow10(exponent(raw));
  const norm = raw / mag;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

function linearAxis(min: number, max: number, opts: { includeZero: boolean; pad: boolean; target: number }): Axis {
  if (opts.includeZero) {
    min = Math.min(0, min);
    max = Math.max(0, max);
  }
  if (min === max) {
    const d = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= d;
    max += d;
  }
  if (opts.pad) {
    const p = (max - min) * 0.04;
    if (!(opts.includeZero && min === 0)) min -= p;
    max += p;
  }
  const step = niceStep(max - min, opts.target);
  const k0 = Math.floor(min / step + 1e-9);
  const k1 = Math.ceil(max / step - 1e-9);
  const decimals = Math.min(8, Math.max(0, -exponent(step)));
  const useSi = Math.max(Math.abs(k0 * step), Math.abs(k1 * step)) >= 1e4;
  const ticks: Tick[] = [];
  for (let k = k0; k <= k1; k++) {
    const v = Number((k * step).toFixed(decimals));
    ticks.push({ value: v, label: useSi ? formatSi(v) : v.toFixed(decimals) });
  }
  return { lo: k0 * step, hi: k1 * step, log: false, ticks };
}

/**
 * A log axis from the largest 1, 2 or 5 × 10^k at or below `min` to the smallest at or above
 * `max`; ticks at the powers of ten, and at 2 and 5 times them too when the axis spans at most
 * three decades.
 */
function logAxis(min: number, max: number): Axis {
  const nice = (e: number) => [1, 2, 5].map((m) => m * pow10(e));
  const eMin = exponent(min);
  const eMax = exponent(max);
  const below = [...nice(eMin - 1), ...nice(eMin)].filter((v) => v <= min * (1 + 1e-12));
  const above = [...nice(eMax), ...nice(eMax + 1)].filter((v) => v >= max * (1 - 1e-12));
  const lo = below[below.length - 1]!;
  let hi = above[0]!;
  if (hi <= lo) hi = [...nice(eMax), ...nice(eMax + 1)].find((v) => v > lo)!;
  const multiples = Math.log10(hi / lo) <= 3 + 1e-9 ? [1, 2, 5] : [1];
  const ticks: Tick[] = [];
  for (let e = exponent(lo); e <= exponent(hi); e++) {
    for (const m of multiples) {
      const v = m * pow10(e);
      if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) ticks.push({ value: v, label: formatSi(v) });
    }
  }
  return { lo, hi, log: true, ticks };
}

function customAxis(values: number[], ticks: Tick[], log: boolean): Axis {
  const all = [...values, ...ticks.map((t) => t.value)].filter((v) => Number.isFinite(v) && (!log || v > 0));
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (lo === hi) {
    lo = log ? lo / 2 : lo - 1;
    hi = log ? hi * 2 : hi + 1;
  }
  // A margin of 4% of the span (in log space for log axes) so no mark sits on the frame.
  if (log) {
    const r = Math.log10(hi / lo) * 0.04;
    lo /= 10 ** r;
    hi *= 10 ** r;
  } else {
    const p = (hi - lo) * 0.04;
    lo -= p;
    hi += p;
  }
  return { lo, hi, log, ticks: ticks.filter((t) => t.value >= lo && t.value <= hi) };
}

function makeAxis(values: number[], opts: { log: boolean; includeZero: boolean; pad: boolean; ticks?: Tick[]; target: number }): Axis {
  if (opts.ticks && opts.ticks.length) return customAxis(values, opts.ticks, opts.log);
  const min = Math.min(...values);
  const max = Math.max(...values);
  // Padding on a log axis: a tenth either way, so no point sits on the frame.
  return opts.log ? (opts.pad ? logAxis(min / 1.1, max * 1.1) : logAxis(min, max)) : linearAxis(min, max, opts);
}

/** Maps a value onto [p0, p1] (pixels). */
function scaler(axis: Axis, p0: number, p1: number): (v: number) => number {
  if (axis.log) {
    const a = Math.log10(axis.lo);
    const b = Math.log10(axis.hi);
    return (v) => p0 + ((Math.log10(v) - a) / (b - a)) * (p1 - p0);
  }
  return (v) => p0 + ((v - axis.lo) / (axis.hi - axis.lo)) * (p1 - p0);
}

// ---------------------------------------------------------------------------------------
// Layout helpers

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** A text box for text at (x, y) (baseline) with an anchor. */
function textBox(x: number, y: number, s: string, size: number, anchor: 'start' | 'middle' | 'end'): Box {
  const w = textWidth(s, size);
  const x0 = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
  return { x0, y0: y - size, x1: x0 + w, y1: y + size * 0.25 };
}

function text(x: number, y: number, s: string, attrs: { size?: number; anchor?: 'start' | 'middle' | 'end'; weight?: string; fill?: string; cls?: string; transform?: string; italic?: boolean; halo?: boolean } = {}): string {
  const a = [`x="${c(x)}"`, `y="${c(y)}"`];
  if (attrs.cls) a.push(`class="${attrs.cls}"`);
  a.push(`font-size="${attrs.size ?? TEXT_SIZE}"`);
  if (attrs.anchor && attrs.anchor !== 'start') a.push(`text-anchor="${attrs.anchor}"`);
  if (attrs.weight) a.push(`font-weight="${attrs.weight}"`);
  if (attrs.italic) a.push('font-style="italic"');
  if (attrs.fill) a.push(`fill="${attrs.fill}"`);
  if (attrs.transform) a.push(`transform="${attrs.transform}"`);
  // A white outline under the glyphs keeps labels readable where they cross lines or bars.
  if (attrs.halo) a.push('stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"');
  return `<text ${a.join(' ')}>${escapeHtml(s)}</text>`;
}

interface LegendItem {
  name: string;
  kind: 'dot' | 'rect' | 'diamond' | 'pareto' | 'ref';
  colour: string;
}

/** Title lines and legend rows above the plot area; returns the markup and the height used. */
function header(title: string, legend: LegendItem[], width: number): { svg: string; height: number } {
  const out: string[] = [];
  const lines = wrap(title, TITLE_SIZE, width - 20);
  let y = 6;
  for (const line of lines) {
    y += TITLE_SIZE + 4;
    out.push(text(10, y, line, { size: TITLE_SIZE, weight: '600', cls: 'plot-title' }));
  }
  if (legend.length) {
    y += 8;
    let x = 14;
    let rowY = y + 10;
    for (const item of legend) {
      const label = truncate(item.name, TEXT_SIZE, width - 60);
      const w = 16 + textWidth(label, TEXT_SIZE) + 16;
      if (x + w > width - 10 && x > 14) {
        x = 14;
        rowY += 16;
      }
      const cy = rowY - 4;
      if (item.kind === 'rect') out.push(`<rect x="${c(x)}" y="${c(cy - 5)}" width="10" height="10" fill="${item.colour}"/>`);
      else if (item.kind === 'dot') out.push(`<circle cx="${c(x + 5)}" cy="${c(cy)}" r="4" fill="${item.colour}"/>`);
      else if (item.kind === 'diamond') out.push(`<path d="${diamond(x + 5, cy, 5)}" fill="#ffffff" stroke="${REF_COLOUR}" stroke-width="1.5"/>`);
      else if (item.kind === 'pareto') out.push(`<path d="M${c(x - 2)} ${c(cy)}H${c(x + 12)}" stroke="#222222" stroke-width="1.5" fill="none"/><circle cx="${c(x + 5)}" cy="${c(cy)}" r="4.5" fill="none" stroke="#222222" stroke-width="1.5"/>`);
      else out.push(`<path d="M${c(x - 2)} ${c(cy)}H${c(x + 12)}" stroke="${REF_COLOUR}" stroke-width="1.2" stroke-dasharray="5 3"/>`);
      out.push(text(x + 16, rowY, label, { size: TEXT_SIZE, cls: 'legend' }));
      x += w;
    }
    y = rowY + 2;
  }
  return { svg: out.join(''), height: y + 10 };
}

function diamond(x: number, y: number, r: number): string {
  return `M${c(x)} ${c(y - r)}L${c(x + r)} ${c(y)}L${c(x)} ${c(y + r)}L${c(x - r)} ${c(y)}Z`;
}

function svgOpen(title: string, width: number, height: number, points: number): string {
  return `<svg class="plot" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}" data-points="${points}" font-family="${escapeHtml(FONT)}">`;
}

function noData(title: string, width: number, height: number, why = 'no data'): string {
  const h = header(title, [], width);
  return `${svgOpen(title, width, height, 0)}<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" fill="#ffffff" stroke="#dddddd"/>${h.svg}${text(width / 2, (h.height + height) / 2, why, { size: 13, anchor: 'middle', fill: '#888888', cls: 'no-data' })}</svg>`;
}

interface Frame {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Grid, ticks and tick labels of the y axis (and the axis title). */
function yAxisSvg(axis: Axis, y: (v: number) => number, f: Frame, label: string): string {
  const out: string[] = [];
  for (const t of axis.ticks) {
    const py = y(t.value);
    out.push(`<path d="M${c(f.left)} ${c(py)}H${c(f.right)}" stroke="#e6e6e6" stroke-width="1"/>`);
    out.push(`<path d="M${c(f.left - 4)} ${c(py)}H${c(f.left)}" stroke="#444444"/>`);
    out.push(text(f.left - 7, py + 3.5, t.label, { size: SMALL_SIZE, anchor: 'end', fill: '#333333', cls: 'tick' }));
  }
  const cy = (f.top + f.bottom) / 2;
  const l = truncate(label, TEXT_SIZE, f.bottom - f.top);
  out.push(text(14, cy, l, { size: TEXT_SIZE, anchor: 'middle', transform: `rotate(-90 14 ${c(cy)})`, cls: 'axis-label' }));
  return out.join('');
}

function yTickWidth(axis: Axis): number {
  return Math.max(0, ...axis.ticks.map((t) => textWidth(t.label, SMALL_SIZE)));
}

/**
 * Labelled horizontal (axis y) and vertical (axis x) reference lines. A label goes where it
 * overlaps neither other labels (`taken`) nor marks (`marks`: bars, points); failing that,
 * where it overlaps no label; failing that, at the first place (its white outline keeps it readable).
 */
function referenceLinesSvg(lines: ReferenceLine[], x: ((v: number) => number) | undefined, y: (v: number) => number, f: Frame, taken: Box[], marks: Box[]): string {
  const out: string[] = [];
  // Lines at the same value share one label.
  const merged: ReferenceLine[] = [];
  for (const l of lines) {
    const same = merged.find((m) => m.axis === l.axis && m.value === l.value);
    if (same) same.label = `${same.label}; ${l.label}`;
    else merged.push({ ...l });
  }
  for (const l of merged) {
    if (l.axis === 'y') {
      const py = y(l.value);
      out.push(`<path class="ref-line" d="M${c(f.left)} ${c(py)}H${c(f.right)}" stroke="${REF_COLOUR}" stroke-width="1.2" stroke-dasharray="6 4"><title>${escapeHtml(`${l.label}: ${formatNumber(l.value)}`)}</title></path>`);
      const label = truncate(l.label, SMALL_SIZE, f.right - f.left - 8);
      const candidates: Array<[number, number, 'start' | 'end']> = [
        [f.right - 4, py - 4, 'end'],
        [f.left + 4, py - 4, 'start'],
        [f.right - 4, py + 12, 'end'],
        [f.left + 4, py + 12, 'start'],
        [(f.left + f.right) / 2 + textWidth(label, SMALL_SIZE) / 2, py - 4, 'end'],
      ];
      const fits = (cand: (typeof candidates)[number], avoid: Box[]) => {
        const b = textBox(cand[0], cand[1], label, SMALL_SIZE, cand[2]);
        return b.y0 >= f.top - 2 && b.y1 <= f.bottom + 2 && !avoid.some((t) => overlaps(t, b));
      };
      // Then every position along the line, right to left, above and below it.
      const w = textWidth(label, SMALL_SIZE);
      const along: Array<(typeof candidates)[number]> = [];
      for (let xr = f.right - 4; xr - w >= f.left + 4; xr -= 8) along.push([xr, py - 4, 'end'], [xr, py + 12, 'end']);
      const pick =
        candidates.find((cand) => fits(cand, [...taken, ...marks])) ??
        along.find((cand) => fits(cand, [...taken, ...marks])) ??
        candidates.find((cand) => fits(cand, taken)) ??
        candidates[0]!;
      const box = textBox(pick[0], pick[1], label, SMALL_SIZE, pick[2]);
      taken.push(box);
      if (marks.some((m) => overlaps(m, box))) {
        // Over bars or points: a pale panel under the text, as wide as the width estimate
        // (measured in Chromium, sans-serif labels run 0.45 to 0.6 em a character).
        const w = box.x1 - box.x0 + 4;
        const x0 = pick[2] === 'end' ? pick[0] - w + 2 : pick[0] - 2;
        out.push(`<rect class="ref-label-bg" x="${c(x0)}" y="${c(pick[1] - SMALL_SIZE)}" width="${c(w)}" height="${c(SMALL_SIZE + 3)}" rx="2" fill="#ffffff" fill-opacity="0.85"/>`);
      }
      out.push(text(pick[0], pick[1], label, { size: SMALL_SIZE, anchor: pick[2], fill: '#333333', italic: true, cls: 'ref-label', halo: true }));
    } else if (x) {
      const px = x(l.value);
      out.push(`<path class="ref-line" d="M${c(px)} ${c(f.top)}V${c(f.bottom)}" stroke="${REF_COLOUR}" stroke-width="1.2" stroke-dasharray="6 4"><title>${escapeHtml(`${l.label}: ${formatNumber(l.value)}`)}</title></path>`);
      // Rotated along the line, reading upwards from near the bottom; right of the line, or left when taken.
      const label = truncate(l.label, SMALL_SIZE, f.bottom - f.top - 8);
      const w = textWidth(label, SMALL_SIZE);
      const boxAt = (tx: number): Box => ({ x0: tx - SMALL_SIZE, y0: f.bottom - 4 - w, x1: tx + 2, y1: f.bottom - 4 });
      let tx = px + 12;
      if ([...taken, ...marks].some((t) => overlaps(t, boxAt(tx))) || tx > f.right) tx = px - 3;
      taken.push(boxAt(tx));
      out.push(text(tx, f.bottom - 4, label, { size: SMALL_SIZE, fill: '#333333', italic: true, cls: 'ref-label', halo: true, transform: `rotate(-90 ${c(tx)} ${c(f.bottom - 4)})` }));
    }
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------
// Scatter plots

export function scatterSvg(plot: ScatterPlot): string {
  const width = plot.width ?? 640;
  const height = plot.height ?? 400;
  const ok = (v: number, log: boolean | undefined) => Number.isFinite(v) && (!log || v > 0);
  const series = plot.series.map((s, si) => ({ name: s.name, colour: PALETTE[si % PALETTE.length]!, points: s.points.filter((p) => ok(p.x, plot.logX) && ok(p.y, plot.logY)) }));
  const all = series.flatMap((s) => s.points);
  const hidden = plot.series.reduce((a, s) => a + s.points.length, 0) - all.length;
  if (all.length === 0) return noData(plot.title, width, height, hidden ? `no data (${hidden} point${hidden > 1 ? 's' : ''} cannot be drawn on this axis)` : 'no data');
  const refs = (plot.referenceLines ?? []).filter((r) => ok(r.value, r.axis === 'x' ? plot.logX : plot.logY));
  const refPoints = (plot.referencePoints ?? []).filter((p) => ok(p.x, plot.logX) && ok(p.y, plot.logY));

  const xs = [...all.map((p) => p.x), ...refs.filter((r) => r.axis === 'x').map((r) => r.value), ...refPoints.map((p) => p.x)];
  const ys = [...all.map((p) => p.y), ...refs.filter((r) => r.axis === 'y').map((r) => r.value), ...refPoints.map((p) => p.y)];
  const xAxis = makeAxis(xs, { log: !!plot.logX, includeZero: false, pad: true, ticks: plot.xTicks, target: Math.max(3, Math.round(width / 110)) });
  const yAxis = makeAxis(ys, { log: !!plot.logY, includeZero: false, pad: true, ticks: plot.yTicks, target: Math.max(3, Math.round(height / 60)) });

  const legend: LegendItem[] = series.length > 1 ? series.map((s) => ({ name: s.name, kind: 'dot' as const, colour: s.colour })) : [];
  if (plot.pareto) legend.push({ name: 'Pareto front', kind: 'pareto', colour: '#222222' });
  if (refPoints.length) legend.push({ name: 'published figures', kind: 'diamond', colour: REF_COLOUR });
  const head = header(plot.title, legend, width);
  const f: Frame = { left: 30 + yTickWidth(yAxis) + 8, right: width - 24, top: head.height + 6, bottom: height - 44 };
  if (f.bottom - f.top < 60) f.bottom = f.top + 60;
  const X = scaler(xAxis, f.left, f.right);
  const Y = scaler(yAxis, f.bottom, f.top);

  const out: string[] = [];
  out.push(`<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" fill="#ffffff" stroke="#dddddd"/>`, head.svg);
  out.push(yAxisSvg(yAxis, Y, f, plot.yLabel));
  // x ticks: skip labels that would run into the previous one
  let lastRight = -Infinity;
  for (const t of xAxis.ticks) {
    const px = X(t.value);
    out.push(`<path d="M${c(px)} ${c(f.top)}V${c(f.bottom)}" stroke="#eeeeee" stroke-width="1"/>`);
    out.push(`<path d="M${c(px)} ${c(f.bottom)}V${c(f.bottom + 4)}" stroke="#444444"/>`);
    const b = textBox(px, f.bottom + 16, t.label, SMALL_SIZE, 'middle');
    if (b.x0 > lastRight + 4) {
      out.push(text(px, f.bottom + 16, t.label, { size: SMALL_SIZE, anchor: 'middle', fill: '#333333', cls: 'tick' }));
      lastRight = b.x1;
    }
  }
  out.push(text((f.left + f.right) / 2, height - 10, truncate(plot.xLabel, TEXT_SIZE, width - 20), { size: TEXT_SIZE, anchor: 'middle', cls: 'axis-label' }));
  out.push(`<path d="M${c(f.left)} ${c(f.top)}V${c(f.bottom)}H${c(f.right)}" stroke="#444444" fill="none"/>`);

  const taken: Box[] = [];
  const flat = series.flatMap((s, si) => s.points.map((p) => ({ ...p, si })));
  const markBoxes = [...flat, ...refPoints].map((p) => ({ x0: X(p.x) - 6, y0: Y(p.y) - 6, x1: X(p.x) + 6, y1: Y(p.y) + 6 }));
  out.push(referenceLinesSvg(refs, X, Y, f, taken, markBoxes));

  // Pareto front over every series
  const front = plot.pareto ? paretoFront(plot.paretoX === 'max' ? flat.map((p) => ({ x: -p.x, y: p.y })) : flat) : [];
  const onFront = new Set(front);
  if (front.length > 1) {
    let d = `M${c(X(flat[front[0]!]!.x))} ${c(Y(flat[front[0]!]!.y))}`;
    for (let k = 1; k < front.length; k++) {
      const p = flat[front[k]!]!;
      d += `H${c(X(p.x))}V${c(Y(p.y))}`;
    }
    out.push(`<path class="pareto-line" d="${d}" stroke="#222222" stroke-width="1.5" fill="none"/>`);
  }
  if (plot.lines) {
    for (const s of series) {
      if (s.points.length < 2) continue;
      out.push(`<path class="series-line" d="${s.points.map((p, k) => `${k ? 'L' : 'M'}${c(X(p.x))} ${c(Y(p.y))}`).join('')}" stroke="${s.colour}" stroke-width="1.5" fill="none" opacity="0.7"/>`);
    }
  }
  // Points
  const pointBoxes: Box[] = [];
  flat.forEach((p, i) => {
    const px = X(p.x);
    const py = Y(p.y);
    const colour = series[p.si]!.colour;
    const pareto = onFront.has(i);
    const tip = `${p.label}: ${formatNumber(p.x)}, ${formatNumber(p.y)}`;
    out.push(
      `<circle class="point${pareto ? ' pareto' : ''}" cx="${c(px)}" cy="${c(py)}" r="${pareto ? 5 : 4}" fill="${colour}"${pareto ? ' stroke="#222222" stroke-width="1.5"' : ' stroke="#ffffff" stroke-width="0.8"'}><title>${escapeHtml(tip)}</title></circle>`,
    );
    pointBoxes.push({ x0: px - 4, y0: py - 4, x1: px + 4, y1: py + 4 });
  });
  // Reference points
  for (const p of refPoints) {
    const px = X(p.x);
    const py = Y(p.y);
    out.push(`<path class="ref-point" d="${diamond(px, py, 6)}" fill="#ffffff" stroke="${REF_COLOUR}" stroke-width="1.8"><title>${escapeHtml(`${p.label}: ${formatNumber(p.x)}, ${formatNumber(p.y)}`)}</title></path>`);
    pointBoxes.push({ x0: px - 6, y0: py - 6, x1: px + 6, y1: py + 6 });
  }
  // Labels: reference points always (they are the anchors), data points when asked and where there is room.
  const labelled: Array<{ x: number; y: number; label: string; ref: boolean }> = [
    ...refPoints.map((p) => ({ x: X(p.x), y: Y(p.y), label: p.label, ref: true })),
    ...(plot.pointLabels ? flat.map((p) => ({ x: X(p.x), y: Y(p.y), label: p.label, ref: false })) : []),
  ];
  for (const l of labelled) {
    const s = truncate(l.label, SMALL_SIZE, (f.right - f.left) * 0.6);
    const candidates: Array<[number, number, 'start' | 'end' | 'middle']> = [
      [l.x + 8, l.y + 3.5, 'start'],
      [l.x - 8, l.y + 3.5, 'end'],
      [l.x, l.y - 9, 'middle'],
      [l.x, l.y + 16, 'middle'],
      [l.x + 8, l.y - 8, 'start'],
      [l.x - 8, l.y - 8, 'end'],
      [l.x + 8, l.y + 14, 'start'],
      [l.x - 8, l.y + 14, 'end'],
    ];
    for (const cand of candidates) {
      const b = textBox(cand[0], cand[1], s, SMALL_SIZE, cand[2]);
      const inside = b.x0 >= f.left + 2 && b.x1 <= f.right + 20 && b.y0 >= f.top - 4 && b.y1 <= f.bottom;
      const own = (pb: Box) => Math.abs((pb.x0 + pb.x1) / 2 - l.x) < 0.01 && Math.abs((pb.y0 + pb.y1) / 2 - l.y) < 0.01;
      if (inside && !taken.some((t) => overlaps(t, b)) && !pointBoxes.some((pb) => !own(pb) && overlaps(pb, b))) {
        taken.push(b);
        out.push(text(cand[0], cand[1], s, { size: SMALL_SIZE, anchor: cand[2], fill: l.ref ? '#333333' : '#222222', italic: l.ref, cls: l.ref ? 'ref-label' : 'point-label', halo: true }));
        break;
      }
    }
  }
  if (hidden) out.push(text(f.right, height - 10, `${hidden} point${hidden > 1 ? 's' : ''} ≤ 0 not shown`, { size: SMALL_SIZE, anchor: 'end', fill: '#888888' }));
  return `${svgOpen(plot.title, width, height, flat.length)}${out.join('')}</svg>`;
}

// ---------------------------------------------------------------------------------------
// Bar plots

export function barSvg(plot: BarPlot): string {
  const width = plot.width ?? 640;
  const height = plot.height ?? 400;
  const log = !!plot.logY;
  const names: string[] = [];
  for (const g of plot.groups) for (const v of g.values) if (!names.includes(v.name)) names.push(v.name);
  const colour = (name: string) => PALETTE[names.indexOf(name) % PALETTE.length]!;
  const drawable = (v: number) => Number.isFinite(v) && (log ? v > 0 : true);
  const groups = plot.groups.map((g) => ({ label: g.label, values: g.values.filter((v) => drawable(v.value) && (!plot.stacked || v.value >= 0)) }));
  const count = groups.reduce((a, g) => a + g.values.length, 0);
  if (count === 0) return noData(plot.title, width, height);
  const refs = (plot.referenceLines ?? []).filter((r) => r.axis === 'y' && Number.isFinite(r.value) && (!log || r.value > 0));

  const tops = plot.stacked ? groups.map((g) => g.values.reduce((a, v) => a + v.value, 0)).filter((v) => v > 0) : groups.flatMap((g) => g.values.map((v) => v.value));
  const firsts = plot.stacked ? groups.filter((g) => g.values.length).map((g) => g.values[0]!.value) : [];
  const ys = [...tops, ...firsts, ...refs.map((r) => r.value)];
  // Value labels need head room above the tallest bar: half as much again on a log axis.
  const yAxis = log ? logAxis(Math.min(...ys), Math.max(...ys) * (plot.valueLabels ? 1.5 : 1)) : linearAxis(Math.min(...ys), Math.max(...ys), { includeZero: true, pad: !!plot.valueLabels, target: Math.max(3, Math.round(height / 60)) });

  const legend: LegendItem[] = names.length > 1 ? names.map((n) => ({ name: n, kind: 'rect' as const, colour: colour(n) })) : [];
  const head = header(plot.title, legend, width);
  const right = width - 16;
  let left = 30 + yTickWidth(yAxis) + 8;
  let band = (right - left) / groups.length;
  // Group labels: on one line when they fit their band, else on up to three lines, else turned
  // by 35° (the left and bottom margins grow to hold them).
  const wrapped = groups.map((g) => wrap(g.label, SMALL_SIZE, band - 6));
  const flat = wrapped.every((lines) => lines.length <= 3 && lines.every((l) => textWidth(l, SMALL_SIZE) <= band - 6));
  const turnedLabels = groups.map((g) => truncate(g.label, SMALL_SIZE, 260));
  const cos = Math.cos((35 * Math.PI) / 180);
  const sin = Math.sin((35 * Math.PI) / 180);
  if (!flat) {
    const need = Math.max(...turnedLabels.map((l, gi) => textWidth(l, SMALL_SIZE) * cos + 6 - (gi + 0.5) * band));
    if (need > left) {
      left = Math.ceil(need);
      band = (right - left) / groups.length;
    }
  }
  const lineCount = flat ? Math.max(...wrapped.map((l) => l.length)) : 0;
  const labelDepth = flat ? lineCount * 12 + 8 : Math.max(...turnedLabels.map((l) => textWidth(l, SMALL_SIZE))) * sin + 16;
  const f: Frame = { left, right, top: head.height + 6, bottom: height - labelDepth - 10 };
  if (f.bottom - f.top < 60) f.bottom = f.top + 60;
  const totalHeight = Math.max(height, Math.ceil(f.bottom + labelDepth + 10));
  const Y = scaler(yAxis, f.bottom, f.top);
  const base = log ? yAxis.lo : 0;

  const out: string[] = [];
  out.push(`<rect x="0.5" y="0.5" width="${width - 1}" height="${totalHeight - 1}" fill="#ffffff" stroke="#dddddd"/>`, head.svg);
  out.push(yAxisSvg(yAxis, Y, f, plot.yLabel));

  const taken: Box[] = [];
  const barBoxes: Box[] = [];
  const bars: string[] = [];
  const valueTexts: string[] = [];
  const bar = (x: number, y0: number, y1: number, w: number, fill: string, tip: string) => {
    const top = Math.min(y0, y1);
    const h = Math.abs(y0 - y1);
    barBoxes.push({ x0: x, y0: top, x1: x + w, y1: top + h });
    bars.push(`<rect class="point" x="${c(x)}" y="${c(top)}" width="${c(w)}" height="${c(h)}" fill="${fill}"><title>${escapeHtml(tip)}</title></rect>`);
  };
  groups.forEach((g, gi) => {
    const x0 = left + gi * band;
    if (plot.stacked) {
      const bw = Math.min(band * 0.6, 80);
      const bx = x0 + (band - bw) / 2;
      let acc = 0;
      for (const v of g.values) {
        const from = log && acc === 0 ? base : acc;
        acc += v.value;
        bar(bx, Y(Math.max(from, log ? yAxis.lo : -Infinity)), Y(acc), bw, colour(v.name), `${g.label} · ${v.name}: ${formatNumber(v.value)}`);
      }
      if (plot.valueLabels && g.values.length) {
        const ty = Y(acc) - 4;
        valueTexts.push(text(bx + bw / 2, ty, formatSi(acc), { size: SMALL_SIZE, anchor: 'middle', fill: '#222222', cls: 'value-label', halo: true }));
        taken.push(textBox(bx + bw / 2, ty, formatSi(acc), SMALL_SIZE, 'middle'));
      }
    } else {
      const slot = (band * 0.8) / names.length;
      const bw = Math.min(slot * 0.9, 60);
      for (const v of g.values) {
        const k = names.indexOf(v.name);
        const bx = x0 + band * 0.1 + k * slot + (slot - bw) / 2;
        const y1 = Y(v.value);
        bar(bx, Y(base), y1, bw, colour(v.name), `${g.label} · ${v.name}: ${formatNumber(v.value)}`);
        if (plot.valueLabels) {
          const s = formatSi(v.value);
          const ty = v.value >= 0 ? y1 - 3 : y1 + 11;
          const b = textBox(bx + bw / 2, ty, s, SMALL_SIZE - 1, 'middle');
          if (!taken.some((t) => overlaps(t, b))) {
            valueTexts.push(text(bx + bw / 2, ty, s, { size: SMALL_SIZE - 1, anchor: 'middle', fill: '#222222', cls: 'value-label', halo: true }));
            taken.push(b);
          }
        }
      }
    }
    const cx = x0 + band / 2;
    if (flat) wrapped[gi]!.forEach((line, li) => out.push(text(cx, f.bottom + 14 + li * 12, line, { size: SMALL_SIZE, anchor: 'middle', fill: '#222222', cls: 'tick' })));
    else out.push(text(cx + 3, f.bottom + 12, turnedLabels[gi]!, { size: SMALL_SIZE, anchor: 'end', fill: '#222222', cls: 'tick', transform: `rotate(-35 ${c(cx + 3)} ${c(f.bottom + 12)})` }));
  });
  out.push(...bars);
  out.push(`<path d="M${c(f.left)} ${c(f.top)}V${c(f.bottom)}H${c(f.right)}" stroke="#444444" fill="none"/>`);
  out.push(referenceLinesSvg(refs, undefined, Y, f, taken, barBoxes));
  out.push(...valueTexts);
  return `${svgOpen(plot.title, width, totalHeight, count)}${out.join('')}</svg>`;
}
