// ASIC rows for `npm run bench -- --only asic`: every default field block, butterflies, a small
// NTT core and both rv32im cores mapped onto OSU 0.18 µm standard cells (Debian's
// qflow-tech-osu018) by `synthesizeAsic` and timed by OpenSTA: area, NAND2-equivalent gates,
// flip-flops, worst setup path and the Fmax it implies. Each design runs in a child process
// with a time budget, so a multiplier too wide to map in reasonable time is reported as not
// measured, with the reason, instead of holding the benchmark for hours. The point adder is too
// large to map flat: its row is composed from per-module mappings (src/synth/asic-compose.ts).
import { BENCH_ANCHORS } from '../src/report/bench-report.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { configDesigns } from '../src/cli/commands/common.ts';
import type { Progress } from '../src/cli/progress.ts';
import { verilogSources, type GeneratedDesign } from '../src/gen/design.ts';
import { generateBlock } from '../src/gen/index.ts';
import { namedField } from '../src/fields/registry.ts';
import { namedCurve } from '../src/curves/registry.ts';
import { blackBoxStub, composeFigures, directInstances, unitInstanceCounts } from '../src/synth/asic-compose.ts';
import { DEFAULT_CLOCK_NS, DEFAULT_LIBERTY, ensureAsicTools, loadLibrary, rtlHash, synthesizeAsic, type AsicEffort, type AsicReport } from '../src/synth/asic.ts';
import { RV32IM_BENCH_CONFIGS } from './rv32im.ts';

/** Per design; a wider montmul than one that ran out of it is not started. */
export const ASIC_BUDGET_SECONDS = 600;
/** Per montmul wider than 64 bits (effort fast): a 254-bit one maps in about 9 min, a 381-bit one in 25–40. */
export const WIDE_BUDGET_SECONDS = 2400;

export interface AsicRow {
  module: string;
  group: 'field' | 'butterfly' | 'ntt' | 'rv32im' | 'ecadd';
  block: string;
  field: string | null;
  bits: number | null;
  params: Record<string, string | number>;
  effort: AsicEffort;
  report?: Omit<AsicReport, 'library'> & { library: { name: string } };
  /** Why there is no report (time budget, a tool failure). */
  notMeasured?: string;
  /** How a row measured outside the section's run was obtained (rendered under the table). */
  measuredApart?: string;
  /**
   * A row composed from per-module mappings (the report's figures are Σ instances × the
   * module's figures; Fmax is the lowest module Fmax): each unit, how many instances, where its
   * figures come from (`row`: the section's row of that module, byte-identical Verilog; `mapped`:
   * mapped for this row, the other units as black boxes) and its figures.
   */
  composed?: {
    parts: Array<{ module: string; count: number; source: 'row' | 'mapped'; effort: AsicEffort; areaUm2: number; totalCells: number; ffs: number; fmaxMhz: number | null; seconds: { yosys: number; sta: number } }>;
    limitingModule: string | null;
  };
}

export interface AsicSection {
  library: string;
  libraryPath: string;
  corner: AsicReport['library']['corner'];
  clockNs: number;
  budgetSeconds: number;
  wideBudgetSeconds: number;
  rows: AsicRow[];
}

interface Item {
  group: AsicRow['group'];
  design: GeneratedDesign;
  /** Montmuls wider than 64 bits map with effort fast (hundreds of thousands of cells). */
  effort: AsicEffort;
  /** Composed from per-module mappings: each module the top instantiates is a unit. */
  composed?: boolean;
}

/** Modules flattened into the unit that instantiates them (delay lines: flip-flops only). */
const INLINE_MODULES = new Set(['zkrtl_delay']);

/** The units of a composed design: its top and every module the top instantiates (but delay lines). */
export function composeUnits(design: GeneratedDesign): string[] {
  const names = new Set(design.modules.map((m) => m.name));
  const top = design.modules.find((m) => m.name === design.top)!;
  return [design.top, ...[...directInstances(top.text, names).keys()].filter((n) => !INLINE_MODULES.has(n))];
}

/** The sources that map one unit of a design: it, what it instantiates, the other units as black boxes. */
function unitSources(design: GeneratedDesign, unit: string): { files: Record<string, string>; blackBoxes: string[] } {
  const units = composeUnits(design);
  const boxes = units.filter((u) => u !== unit);
  const byName = new Map(design.modules.map((m) => [m.name, m]));
  const names = new Set(byName.keys());
  const files: Record<string, string> = {};
  const add = (name: string) => {
    if (files[`${name}.v`] !== undefined) return;
    const m = byName.get(name)!;
    if (boxes.includes(name)) {
      files[`${name}.v`] = blackBoxStub(m.text, name);
      return;
    }
    files[`${name}.v`] = m.text;
    for (const child of directInstances(m.text, names).keys()) if (child !== name) add(child);
  };
  add(unit);
  return { files, blackBoxes: boxes.filter((b) => files[`${b}.v`] !== undefined) };
}

const effortOf = (d: GeneratedDesign): AsicEffort => (d.manifest.block === 'montmul' && d.manifest.field!.bits > 64 ? 'fast' : 'timing');

/** The fixed-prime field blocks the field sections measure (modmul and the programmable twin: the section 'freeze'). */
export const FIELD_SECTION_BLOCKS = ['modadd', 'modsub', 'montmul'];

/** The designs of the section, in a fixed order (child processes find theirs by index). */
export function asicDesigns(): Item[] {
  const items: Item[] = configDesigns(loadConfig())
    .filter((d) => FIELD_SECTION_BLOCKS.includes(d.manifest.block) && d.manifest.field)
    .sort((a, b) => a.manifest.field!.bits - b.manifest.field!.bits || a.top.localeCompare(b.top))
    .map((design) => ({ group: 'field' as const, design, effort: effortOf(design) }));
  for (const f of ['babybear', 'goldilocks']) items.push({ group: 'butterfly', design: generateBlock('butterfly', namedField(f), { kind: 'ct' }), effort: 'timing' });
  items.push({ group: 'ntt', design: generateBlock('ntt', namedField('babybear'), { n: '256', lanes: '1' }), effort: 'timing' });
  for (const c of RV32IM_BENCH_CONFIGS) items.push({ group: 'rv32im', design: generateBlock('rv32im', undefined, c.params), effort: 'timing' });
  // The MSM's accumulation adder in its cheapest mode.
  items.push({ group: 'ecadd', design: generateBlock('ecadd', namedCurve('bn254.g1'), { mode: 'mixed' }), effort: 'timing', composed: true });
  return items;
}

const unitEffort = (design: GeneratedDesign, unit: string): AsicEffort => (/^montmul_/.test(unit) && unit !== design.top && (design.manifest.field?.bits ?? 0) > 64 ? 'fast' : 'timing');

/** Runs one design (or one unit of a composed design) in this process (the child's side); writes the report as JSON. */
async function runOne(index: number, out: string, unit?: string): Promise<void> {
  const { design, effort } = asicDesigns()[index]!;
  const library = loadLibrary(DEFAULT_LIBERTY);
  if (unit !== undefined) {
    const { files, blackBoxes } = unitSources(design, unit);
    const ports = unit === design.top ? design.manifest.ports : portsOf(design.modules.find((m) => m.name === unit)!.text);
    const r = await synthesizeAsic({ top: unit, files, ports, library, clockNs: DEFAULT_CLOCK_NS, effort: unitEffort(design, unit), blackBoxes });
    writeFileSync(out, JSON.stringify(r.report));
    return;
  }
  const r = await synthesizeAsic({ top: design.top, files: verilogSources(design), ports: design.manifest.ports, library, clockNs: DEFAULT_CLOCK_NS, effort });
  writeFileSync(out, JSON.stringify(r.report));
}

/** The ports of a generated module (ANSI header: `input wire [N:0] name,`). */
function portsOf(text: string): Array<{ name: string; dir: 'in' | 'out'; width: number }> {
  const ports: Array<{ name: string; dir: 'in' | 'out'; width: number }> = [];
  for (const m of text.matchAll(/^\s*(input|output)\s+(?:wire|reg)?\s*(?:\[(\d+):0\])?\s*(\w+)\s*,?\s*$/gm)) ports.push({ name: m[3]!, dir: m[1] === 'input' ? 'in' : 'out', width: m[2] ? Number(m[2]) + 1 : 1 });
  return ports;
}

/** A child process with its own process group, killed whole (Yosys and ABC with it) at the deadline. */
function runChild(argv: string[], timeoutMs: number, onLine: (l: string) => void): Promise<{ code: number | null; timedOut: boolean; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    let partial = '';
    child.stdout.on('data', () => {});
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
      const lines = (partial + c.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, timedOut, stderr });
    });
  });
}

const childArgv = (i: number, out: string, unit?: string) => [process.execPath, '--import', 'tsx', join(import.meta.dirname, 'asic.ts'), '--design', String(i), '--json', out, ...(unit ? ['--unit', unit] : [])];

/**
 * A design too large to map flat, composed from per-module mappings: each unit (the top and the
 * modules it instantiates) once, the others as black boxes, or, when the section has a row of
 * that module with byte-identical Verilog, that row's figures. Area, cells, NAND2-eq and FFs are
 * Σ instances × the unit's figures; Fmax is the lowest unit Fmax. Paths across unit boundaries
 * are not timed.
 */
export async function composedRow(i: number, design: GeneratedDesign, row: AsicRow, earlier: readonly AsicRow[], tmp: string, step: (s: string) => void, reportOf?: (unit: string) => Promise<AsicReport>): Promise<AsicRow> {
  const library = loadLibrary(DEFAULT_LIBERTY);
  const units = composeUnits(design);
  const counts = unitInstanceCounts(design.modules, design.top, units);
  const items = asicDesigns();
  const byName = new Map(design.modules.map((m) => [m.name, m.text]));
  const parts: NonNullable<AsicRow['composed']>['parts'] = [];
  const reports = new Map<string, Omit<AsicReport, 'library'>>();
  for (const unit of units) {
    // A row of the section maps this module: reuse it when its Verilog (every module) is the same text.
    const same = items.find((it) => !it.composed && it.design.top === unit && it.design.modules.every((mm) => byName.get(mm.name) === mm.text));
    const prior = same && earlier.find((r) => r.module === unit && r.report);
    if (prior?.report) {
      reports.set(unit, prior.report);
      parts.push({ module: unit, count: counts.get(unit)!, source: 'row', effort: prior.report.effort, areaUm2: prior.report.areaUm2, totalCells: prior.report.totalCells, ffs: prior.report.ffs, fmaxMhz: prior.report.sta.fmaxMhz, seconds: prior.report.seconds });
      step(`${unit}: figures of its row (byte-identical Verilog)`);
      continue;
    }
    if (same) {
      row.notMeasured = `not composed: ${unit} (${counts.get(unit)} instances) has no measured row (${earlier.find((r) => r.module === unit)?.notMeasured ?? 'not run'})`;
      step(row.notMeasured);
      return row;
    }
    step(`${unit}: yosys + OpenSTA (the other units as black boxes)`);
    let rep: AsicReport;
    if (reportOf) rep = await reportOf(unit);
    else {
      const out = join(tmp, `${i}.${unit}.json`);
      const wide = unitEffort(design, unit) === 'fast';
      const r = await runChild(childArgv(i, out, unit), (wide ? WIDE_BUDGET_SECONDS : ASIC_BUDGET_SECONDS) * 1000, () => {});
      if (r.timedOut || r.code !== 0) {
        row.notMeasured = `not composed: mapping ${unit} ${r.timedOut ? `did not finish within ${(wide ? WIDE_BUDGET_SECONDS : ASIC_BUDGET_SECONDS) / 60} min` : `failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-1)[0]}`}`;
        step(row.notMeasured);
        return row;
      }
      rep = JSON.parse(readFileSync(out, 'utf8')) as AsicReport;
    }
    reports.set(unit, rep);
    parts.push({ module: unit, count: counts.get(unit)!, source: 'mapped', effort: rep.effort, areaUm2: rep.areaUm2, totalCells: rep.totalCells, ffs: rep.ffs, fmaxMhz: rep.sta.fmaxMhz, seconds: rep.seconds });
  }
  const fig = composeFigures(counts, units.map((u) => { const r = reports.get(u)!; return { module: u, areaUm2: r.areaUm2, totalCells: r.totalCells, ffs: r.ffs, ffAreaUm2: r.ffAreaUm2, fmaxMhz: r.sta.fmaxMhz }; }), library.cells.nand2.area);
  const cells: Record<string, number> = {};
  const cellAreaUm2: Record<string, number> = {};
  for (const [u, r] of reports) {
    const n = counts.get(u)!;
    for (const [c, k] of Object.entries(r.cells)) cells[c] = (cells[c] ?? 0) + n * k;
    for (const [c, a] of Object.entries(r.cellAreaUm2)) cellAreaUm2[c] = Math.round(((cellAreaUm2[c] ?? 0) + n * a) * 1000) / 1000;
  }
  const lim = fig.limitingModule ? reports.get(fig.limitingModule)! : undefined;
  const top = reports.get(design.top)!;
  const sorted = (o: Record<string, number>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
  row.effort = 'fast';
  row.composed = { parts, limitingModule: fig.limitingModule };
  row.report = {
    top: design.top,
    target: 'asic',
    yosysVersion: top.yosysVersion,
    staVersion: top.staVersion,
    library: { name: library.lib.name },
    clockNs: top.clockNs,
    effort: 'fast',
    cells: sorted(cells),
    totalCells: fig.totalCells,
    cellAreaUm2: sorted(cellAreaUm2),
    areaUm2: fig.areaUm2,
    areaMm2: Math.round(fig.areaUm2) / 1e6,
    nand2: top.nand2,
    nand2Equivalents: fig.nand2Equivalents,
    ffs: fig.ffs,
    ffAreaUm2: fig.ffAreaUm2,
    ffAreaShare: fig.ffAreaShare,
    tieCells: top.tieCells,
    constantConnections: [...reports].reduce((s, [u, r]) => s + counts.get(u)! * r.constantConnections, 0),
    sta: {
      // The limiting unit's worst path, its instance names prefixed with the module.
      worst: lim?.sta.worst ? { ...lim.sta.worst, startpoint: `${fig.limitingModule}/${lim.sta.worst.startpoint}`, endpoint: `${fig.limitingModule}/${lim.sta.worst.endpoint}` } : null,
      fmaxMhz: fig.fmaxMhz,
      wnsNs: Math.min(...[...reports.values()].map((r) => r.sta.wnsNs)),
      tnsNs: [...reports].reduce((s, [u, r]) => s + counts.get(u)! * r.sta.tnsNs, 0),
      holdSlackNs: [...reports.values()].reduce<number | null>((s, r) => (r.sta.holdSlackNs === null ? s : s === null ? r.sta.holdSlackNs : Math.min(s, r.sta.holdSlackNs)), null),
    },
    rtlSha256: rtlHash(verilogSources(design)),
    seconds: { yosys: Math.round(parts.filter((p) => p.source === 'mapped').reduce((s, p) => s + p.seconds.yosys, 0) * 10) / 10, sta: Math.round(parts.filter((p) => p.source === 'mapped').reduce((s, p) => s + p.seconds.sta, 0) * 10) / 10 },
  };
  step(`composed: ${row.report.areaMm2.toFixed(3)} mm², Fmax ${fig.fmaxMhz ?? '–'} MHz (${fig.limitingModule})`);
  return row;
}

export async function benchAsic(progress: Progress): Promise<AsicSection> {
  await ensureAsicTools({ log: (s) => progress.step(s) });
  const library = loadLibrary(DEFAULT_LIBERTY);
  const items = asicDesigns();
  const rows: AsicRow[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'zkrtl-bench-asic-'));
  /** The narrowest montmul that ran out of time: wider ones are not started. */
  let tooSlow: { module: string; bits: number } | undefined;
  try {
    for (const [i, { group, design, effort, composed }] of items.entries()) {
      const m = design.manifest;
      const row: AsicRow = { module: design.top, group, block: m.block, field: m.field?.name ?? null, bits: m.field?.bits ?? null, params: m.params, effort };
      const step = (s: string) => progress.step(`[asic ${i + 1}/${items.length}] ${design.top}: ${s}`);
      if (composed) {
        rows.push(await composedRow(i, design, row, rows, tmp, step));
        continue;
      }
      const wide = m.block === 'montmul' && m.field!.bits > 64;
      if (tooSlow && m.block === 'montmul' && (m.field?.bits ?? 0) >= tooSlow.bits) {
        row.notMeasured = `not started: ${tooSlow.module} (${tooSlow.bits} bits) did not map within ${(tooSlow.bits > 64 ? WIDE_BUDGET_SECONDS : ASIC_BUDGET_SECONDS) / 60} min, and this one is as wide or wider`;
        step(row.notMeasured);
        rows.push(row);
        continue;
      }
      step('yosys + OpenSTA');
      const out = join(tmp, `${i}.json`);
      const started = Date.now();
      const r = await runChild(childArgv(i, out), (wide ? WIDE_BUDGET_SECONDS : ASIC_BUDGET_SECONDS) * 1000, () => {});
      if (r.timedOut) {
        row.notMeasured = `Yosys/ABC mapping did not finish within ${(wide ? WIDE_BUDGET_SECONDS : ASIC_BUDGET_SECONDS) / 60} min on this 2-core machine (stopped)`;
        if (m.block === 'montmul') tooSlow = { module: design.top, bits: m.field!.bits };
      } else if (r.code !== 0) {
        row.notMeasured = `failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-1)[0]}`;
      } else {
        const rep = JSON.parse(readFileSync(out, 'utf8')) as AsicReport;
        row.report = { ...rep, library: { name: rep.library.name } };
      }
      step(row.report ? `${row.report.areaMm2.toFixed(3)} mm², Fmax ${row.report.sta.fmaxMhz ?? '–'} MHz (${Math.round((Date.now() - started) / 1000)} s)` : row.notMeasured!);
      rows.push(row);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { library: library.lib.name, libraryPath: library.path, corner: library.lib.corner, clockNs: DEFAULT_CLOCK_NS, budgetSeconds: ASIC_BUDGET_SECONDS, wideBudgetSeconds: WIDE_BUDGET_SECONDS, rows };
}

// Modern-node estimates for the rv32im rows: the NAND2-equivalent count is node-independent;
// an area follows from one NAND2's area at that node.
/** sky130_fd_sc_hd__nand2_1: 3 sites of 0.46 × 2.72 µm in the SkyWater 130 nm PDK's LEF. */
export const SKY130_NAND2_UM2 = BENCH_ANCHORS.sky130Nand2Um2;
/** Ideal square-law shrink from 180 nm to 28 nm. */
export const SHRINK_28NM = BENCH_ANCHORS.shrink28nm;

const n0 = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

export function renderAsic(s: AsicSection): string[] {
  const L: string[] = [];
  const c = s.corner;
  L.push('## ASIC (OSU 0.18 µm)', '');
  L.push(`\`zkrtl synth BLOCK --target asic\` on library ${s.library} (\`${s.libraryPath}\`, Debian's qflow-tech-osu018), corner ${c.name} (${c.voltage} V, ${c.temperature} °C), clock target ${s.clockNs} ns. Yosys maps onto the cells (\`synth -flatten\`, \`dfflibmap\`, \`abc -liberty -D ${s.clockNs * 1000}\` with a driving cell and load, so ABC buffers and sizes), OpenSTA times the netlist with an ideal clock and no wire load (inputs arrive and outputs are due at the clock edge). Area is the sum of the cells' Liberty areas (µm²; for OSU018 they equal the LEF sizes): no placement density, no routing, no clock tree. NAND2-eq = area ÷ NAND2X1 (24 µm²). Fmax = 1 / (clock − worst setup slack). Memories (the NTT banks, the register file) are built from flip-flops: the flow has no SRAM compiler. Each design gets ${s.budgetSeconds / 60} min on this 2-core machine. Effort: \`timing\` is the flow above; montmuls wider than 64 bits (hundreds of thousands of cells) map with \`--effort fast\` (no generic ABC pass, \`abc -fast\`: ABC's delay-driven \`map\` without buffering or sizing, so high-fanout nets stay unbuffered) and get ${(s.wideBudgetSeconds ?? 0) / 60} min each. Tools: Yosys ${s.rows.find((r) => r.report)?.report?.yosysVersion ?? '?'}, the native binary (\`YOSYS=/usr/bin/yosys\`, not the WebAssembly build); OpenSTA ${s.rows.find((r) => r.report)?.report?.staVersion ?? '?'}.${s.rows.some((r) => r.composed) ? ' Rows marked "composed from per-module mappings" are too large to map flat: see below the table.' : ''}`, '');
  L.push('| module | group | field | bits | effort | cells | area mm² | NAND2-eq | FFs | FF area | worst setup path (cells on it) | slack ns | STA Fmax MHz |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of s.rows) {
    const r = row.report;
    if (!r) {
      L.push(`| ${row.module} | ${row.group} | ${row.field ?? '–'} | ${row.bits ?? '–'} | ${row.effort ?? '–'} | not measured: ${row.notMeasured} | | | | | | | |`);
      continue;
    }
    const w = r.sta.worst;
    const effort = row.composed ? `composed from per-module mappings (${[...new Set(row.composed.parts.map((p) => p.effort))].join(' + ')})` : (r.effort ?? row.effort ?? 'timing');
    L.push(`| ${row.module}${row.measuredApart ? ' (*)' : ''} | ${row.group} | ${row.field ?? '–'} | ${row.bits ?? '–'} | ${effort} | ${n0(r.totalCells)} | ${r.areaMm2.toFixed(3)} | ${n0(r.nand2Equivalents)} | ${n0(r.ffs)} | ${(100 * r.ffAreaShare).toFixed(1)} % | ${w ? `${w.startpoint} → ${w.endpoint} (${w.cells})` : '–'} | ${w ? w.slackNs.toFixed(3) : '–'} | ${r.sta.fmaxMhz?.toFixed(1) ?? '–'} |`);
  }
  L.push('');
  for (const row of s.rows.filter((x) => x.measuredApart && x.report)) L.push(`(*) **${row.module}**: ${row.measuredApart}`, '');
  for (const row of s.rows.filter((x) => x.composed && x.report)) {
    const c = row.composed!;
    const parts = c.parts.map((p) => `${p.count} × ${p.module} (${p.source === 'row' ? 'its row above' : `mapped for this row, effort ${p.effort}, ${p.seconds.yosys} s Yosys + ${p.seconds.sta} s OpenSTA`}: ${(p.areaUm2 / 1e6).toFixed(3)} mm², ${n0(p.totalCells)} cells, ${n0(p.ffs)} FFs, ${p.fmaxMhz?.toFixed(1) ?? '–'} MHz)`);
    L.push(`**${row.module}** (${row.block}, coordinates in ${row.field}, ${Object.entries(row.params).map(([k, v]) => `${k}=${v}`).join(', ')}) is composed from per-module mappings: a flat mapping of its ${c.parts.filter((p) => /^montmul_/.test(p.module)).reduce((n, p) => n + p.count, 0)} wide montmuls would take hours. Each distinct module the top instantiates is mapped once, the others as black boxes (\`(* blackbox *)\` stubs; the delay lines, flip-flops only, are flattened into the top), instances are counted from the Verilog hierarchy, and area, cells, NAND2-eq and FFs are Σ instances × the module's figures: ${parts.join('; ')}. A module's figures come from its row above only when its Verilog is byte-identical to that row's (checked). Fmax is the lowest module Fmax (${c.limitingModule}), each module timed out of context: paths that cross a module boundary are not timed. Every module's outputs are registered and the top connects them to the next module's inputs by wires only (or through delay-line flip-flops), so a crossing path is one register's clock-to-Q and its wire and fanout (up to several modules' inputs) followed by the receiving module's input logic, which its own STA times from an ideal input (a buffer driving it, arriving at the clock edge): the composed Fmax is optimistic by that fanout and wire delay, not by any logic.`, '');
  }
  const cores = s.rows.filter((r) => r.group === 'rv32im' && r.report);
  if (cores.length) {
    L.push('### The rv32im cores against "a RISC-V core ≈ 0.1 mm²"', '');
    L.push(`The talk's figure (as quoted in issue 15; the talk gives no source or node, so it is an unsourced estimate) is for a modern node. The NAND2-equivalent count does not depend on the node; the areas below are **estimates**: NAND2-eq × the area of one NAND2 at another node. sky130: sky130_fd_sc_hd__nand2_1, 1.38 × 2.72 µm = ${SKY130_NAND2_UM2.toFixed(2)} µm² (three 0.46 µm sites of the SkyWater 130 nm PDK's high-density library). 28 nm: the measured 0.18 µm area × (28/180)² = × ${SHRINK_28NM.toFixed(4)}, the ideal square-law shrink, which real 28 nm libraries do not quite reach (wires and pin access shrink less), so it is a lower bound.`, '');
    L.push('| core | area at 0.18 µm (measured) | NAND2-eq | sky130 estimate | 28 nm estimate (ideal shrink) | STA Fmax at 0.18 µm |', '|---|---|---|---|---|---|');
    for (const row of cores) {
      const r = row.report!;
      L.push(`| ${row.module} | ${r.areaMm2.toFixed(3)} mm² | ${n0(r.nand2Equivalents)} | ${((r.nand2Equivalents * SKY130_NAND2_UM2) / 1e6).toFixed(3)} mm² | ${(r.areaMm2 * SHRINK_28NM).toFixed(4)} mm² | ${r.sta.fmaxMhz?.toFixed(1) ?? '–'} MHz |`);
    }
    L.push('');
  }
  return L;
}

// Child mode: `tsx bench/asic.ts --design N --json OUT`.
if (process.argv[1] && import.meta.filename === process.argv[1] && process.argv.includes('--design')) {
  const i = Number(process.argv[process.argv.indexOf('--design') + 1]);
  const out = process.argv[process.argv.indexOf('--json') + 1]!;
  await runOne(i, out, process.argv.includes('--unit') ? process.argv[process.argv.indexOf('--unit') + 1] : undefined);
}
