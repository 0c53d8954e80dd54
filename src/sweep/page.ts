// A sweep's results as the files a user opens: results.csv, results.json and index.html
// (sortable table, scatter plots of cost against latency and Fmax, Pareto fronts). Pure.
import { htmlPage, sortableTable } from '../report/html.ts';
import { escapeHtml, scatterSvg, type ScatterPlot } from '../report/svg.ts';
import { pointLabel, type SweepPlan } from './plan.ts';
import type { SweepFlow, SweepMetrics, SweepResult } from './run.ts';

type Cell = string | number | undefined;

interface Column {
  key: string;
  label: string;
  numeric?: boolean;
}

/** One figure of the table: its column and how a result yields it. */
interface Figure extends Column {
  value: (r: SweepResult) => number | undefined;
  /** Better when smaller (cost, latency) or larger (Fmax). */
  better: 'min' | 'max';
}

const metric = (m: keyof SweepMetrics) => (r: SweepResult) => {
  const v = r.metrics?.[m];
  return typeof v === 'number' ? v : undefined;
};
const latencyOf = (r: SweepResult) => (r.status === 'ok' ? r.point.design?.manifest.latency : undefined);
const product = (a: (r: SweepResult) => number | undefined, b: (r: SweepResult) => number | undefined) => (r: SweepResult) => {
  const x = a(r);
  const y = b(r);
  return x !== undefined && y !== undefined ? x * y : undefined;
};

/** The figures a flow measures, in table order. */
export function sweepFigures(flow: SweepFlow): Figure[] {
  const latency: Figure = { key: 'latency', label: 'latency (cycles)', numeric: true, value: latencyOf, better: 'min' };
  const fmax: Figure = { key: 'fmax_mhz', label: 'Fmax (MHz)', numeric: true, value: metric('fmaxMhz'), better: 'max' };
  if (flow.target === 'asic') {
    const area: Figure = { key: 'area_um2', label: 'area (µm²)', numeric: true, value: metric('areaUm2'), better: 'min' };
    return [
      latency,
      area,
      { key: 'nand2_eq', label: 'NAND2-eq', numeric: true, value: metric('nand2'), better: 'min' },
      { key: 'ff', label: 'FF', numeric: true, value: metric('ff'), better: 'min' },
      fmax,
      { key: 'area_x_latency', label: 'area·latency', numeric: true, value: product(area.value, latencyOf), better: 'min' },
    ];
  }
  if (flow.target === 'generic') {
    const gates: Figure = { key: 'gates', label: 'gates', numeric: true, value: metric('cells'), better: 'min' };
    return [
      latency,
      gates,
      { key: 'ff', label: 'FF', numeric: true, value: metric('ff'), better: 'min' },
      { key: 'gate_levels', label: 'gate levels', numeric: true, value: metric('levels'), better: 'min' },
      { key: 'gates_x_latency', label: 'gates·latency', numeric: true, value: product(gates.value, latencyOf), better: 'min' },
    ];
  }
  const lut: Figure = { key: 'lut', label: flow.pnr ? 'LC' : 'LUT', numeric: true, value: metric('lut'), better: 'min' };
  const dsp: Figure = { key: 'dsp', label: 'DSP', numeric: true, value: metric('dsp'), better: 'min' };
  const out: Figure[] = [
    latency,
    lut,
    { key: 'ff', label: 'FF', numeric: true, value: metric('ff'), better: 'min' },
    dsp,
    { key: 'carry', label: 'carry', numeric: true, value: metric('carry'), better: 'min' },
    { key: 'bram', label: 'BRAM', numeric: true, value: metric('bram'), better: 'min' },
  ];
  if (flow.pnr) out.push(fmax);
  else out.push({ key: 'lut_levels', label: 'LUT levels', numeric: true, value: metric('levels'), better: 'min' });
  out.push(
    { key: 'lut_x_latency', label: `${lut.label}·latency`, numeric: true, value: product(lut.value, latencyOf), better: 'min' },
    { key: 'dsp_x_latency', label: 'DSP·latency', numeric: true, value: product(dsp.value, latencyOf), better: 'min' },
  );
  return out;
}

/** The table's columns; a figure no design has (latency of the CPU core) is left out. */
function columns(plan: SweepPlan, flow: SweepFlow, results: SweepResult[]): Column[] {
  const cols: Column[] = [{ key: 'n', label: '#', numeric: true }, { key: 'design', label: 'design' }];
  if (plan.subjects.length > 1) cols.push({ key: 'subject', label: plan.subjects[0]!.option ?? 'subject' });
  for (const a of plan.axes) cols.push({ key: `param.${a.key}`, label: a.key });
  cols.push({ key: 'status', label: 'status' });
  for (const f of sweepFigures(flow)) if (results.some((r) => f.value(r) !== undefined) || results.every((r) => r.status !== 'ok')) cols.push(f);
  cols.push({ key: 'seconds', label: 'synth s', numeric: true }, { key: 'cached', label: 'cached' }, { key: 'tool', label: 'tool' }, { key: 'error', label: 'error' });
  return cols;
}

function row(plan: SweepPlan, flow: SweepFlow, r: SweepResult): Record<string, Cell> {
  const out: Record<string, Cell> = {
    n: r.point.index,
    design: r.point.design?.top ?? '',
    subject: r.point.subject.value,
    status: r.status,
    seconds: r.status === 'ok' || r.status === 'error' ? Math.round(r.seconds * 10) / 10 : undefined,
    cached: r.cached ? 'yes' : 'no',
    tool: r.metrics?.tool,
    error: r.error,
  };
  for (const a of plan.axes) out[`param.${a.key}`] = r.point.params[a.key];
  for (const f of sweepFigures(flow)) {
    const v = f.value(r);
    out[f.key] = v === undefined ? undefined : Math.round(v * 100) / 100;
  }
  return out;
}

/** results.json: the plan, the flow and one record per design. */
export function resultsJson(plan: SweepPlan, flow: SweepFlow, results: SweepResult[]): string {
  const rows = results.map((r) => {
    const { n, design, subject, status, seconds, cached, tool, error, ...rest } = row(plan, flow, r);
    const params = Object.fromEntries(plan.axes.map((a) => [a.key, r.point.params[a.key]]));
    const figures = Object.fromEntries(Object.entries(rest).filter(([k, v]) => !k.startsWith('param.') && v !== undefined));
    return { n, design, subject, params, status, ...figures, seconds, cached: cached === 'yes', tool, error };
  });
  return JSON.stringify({ block: plan.block, name: plan.name, flow, axes: plan.axes, rows }, null, 2) + '\n';
}

const csvCell = (v: Cell) => {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function resultsCsv(plan: SweepPlan, flow: SweepFlow, results: SweepResult[]): string {
  const cols = columns(plan, flow, results);
  const lines = [cols.map((c) => csvCell(c.label)).join(',')];
  for (const r of results) {
    const rec = row(plan, flow, r);
    lines.push(cols.map((c) => csvCell(rec[c.key])).join(','));
  }
  return lines.join('\n') + '\n';
}

/** The results with the smallest value of `figure` (ties: all of them). */
function best(results: SweepResult[], figure: Figure): SweepResult[] {
  const vals = results.map((r) => figure.value(r)).filter((v): v is number => v !== undefined);
  if (!vals.length) return [];
  const target = figure.better === 'min' ? Math.min(...vals) : Math.max(...vals);
  return results.filter((r) => figure.value(r) === target);
}

/** One line per product figure (LUT·latency, DSP·latency, area·latency): the best design(s). */
export function sweepSummary(plan: SweepPlan, flow: SweepFlow, results: SweepResult[]): string[] {
  const lines: string[] = [];
  const ok = results.filter((r) => r.status === 'ok');
  for (const f of sweepFigures(flow).filter((f) => f.key.endsWith('_x_latency'))) {
    const winners = best(ok, f);
    if (!winners.length) continue;
    lines.push(`best ${f.label}: ${winners.map((r) => `${pointLabel(plan, r.point)} (${f.value(r)}${summaryFigures(flow, r)})`).join('; ')}`);
  }
  const failed = results.filter((r) => r.status !== 'ok').length;
  if (failed) lines.push(`${failed} of ${results.length} design${results.length === 1 ? '' : 's'} failed: see the error column`);
  return lines;
}

function summaryFigures(flow: SweepFlow, r: SweepResult): string {
  const parts = sweepFigures(flow)
    .filter((f) => !f.key.endsWith('_x_latency') && ['latency', 'lut', 'dsp', 'gates', 'fmax_mhz', 'area_um2'].includes(f.key))
    .map((f) => [f.label.replace(/ \(.*\)$/, ''), f.value(r)] as const)
    .filter(([, v]) => v !== undefined);
  return parts.length ? ` = ${parts.map(([l, v]) => `${l} ${v}`).join(', ')}` : '';
}

/** The plots: each cost figure against latency and against Fmax, per subject, Pareto fronts marked. */
function plots(plan: SweepPlan, flow: SweepFlow, results: SweepResult[]): ScatterPlot[] {
  const figs = sweepFigures(flow);
  const byKey = (k: string) => figs.find((f) => f.key === k);
  const costs = ['lut', 'dsp', 'gates', 'area_um2'].map(byKey).filter((f): f is Figure => f !== undefined);
  const xs = ['latency', 'fmax_mhz'].map(byKey).filter((f): f is Figure => f !== undefined);
  const out: ScatterPlot[] = [];
  for (const subject of plan.subjects) {
    const mine = results.filter((r) => r.point.subject === subject && r.status === 'ok');
    for (const x of xs) {
      if (!mine.some((r) => x.value(r) !== undefined)) continue;
      for (const y of costs) {
        const usable = mine.filter((r) => x.value(r) !== undefined && y.value(r) !== undefined);
        if (!usable.length) continue;
        // One colour per value of the first swept key, each point labelled with the others.
        const [first, ...others] = plan.axes;
        const groups = first && others.length ? first.values.map((v) => ({ name: `${first.key}=${v}`, rows: usable.filter((r) => r.point.params[first.key] === v) })) : [{ name: subject.value || plan.block, rows: usable }];
        const label = (r: SweepResult) => (first && others.length ? others.map((a) => `${a.key}=${r.point.params[a.key]}`).join(' ') : pointLabel(plan, r.point));
        out.push({
          title: `${y.label} against ${x.label.replace(/ \(.*\)$/, '')}${plan.subjects.length > 1 ? ` — ${subject.value}` : ''}`,
          xLabel: x.label,
          yLabel: y.label,
          series: groups.filter((g) => g.rows.length).map((g) => ({ name: g.name, points: g.rows.map((r) => ({ x: x.value(r)!, y: y.value(r)!, label: label(r) })) })),
          pareto: true,
          paretoX: x.better,
          pointLabels: true,
        });
      }
    }
  }
  return out;
}

export function sweepPage(plan: SweepPlan, flow: SweepFlow, results: SweepResult[], command: string): string {
  const summary = sweepSummary(plan, flow, results);
  const flowText = `${flow.target}${flow.pnr ? ' with place and route (iCE40 UP5K)' : ''}${flow.extraArgs.length ? ` ${flow.extraArgs.join(' ')}` : ''}`;
  const body = [
    `<h1>zkrtl sweep: ${escapeHtml(plan.name)}</h1>`,
    `<p><code>${escapeHtml(command)}</code></p>`,
    `<p>${results.length} design${results.length === 1 ? '' : 's'} of ${escapeHtml(plan.block)}, synthesized for ${escapeHtml(flowText)}. ` +
      `Each figure is read from the report of <code>zkrtl synth</code> on that design${results.some((r) => latencyOf(r) !== undefined) ? "; latency is the generator's pipeline depth (cycles from operands to result)" : ''}${flow.pnr ? "; Fmax is nextpnr's after routing" : flow.target === 'asic' ? "; Fmax is OpenSTA's from the worst setup slack" : ''}. ` +
      `Marked points are on the Pareto front (no other design is at least as good in both figures and better in one).</p>`,
    summary.length ? `<ul>${summary.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '',
    `<div class="plots">${plots(plan, flow, results).map(scatterSvg).join('\n')}</div>`,
    sortableTable(columns(plan, flow, results), results.map((r) => row(plan, flow, r))),
  ];
  return htmlPage(`zkrtl sweep ${plan.name}`, body.join('\n'));
}
