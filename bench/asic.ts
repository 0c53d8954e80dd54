// ASIC rows for `npm run bench -- --only asic`: every default field block, butterflies, a small
// NTT core and both rv32im cores mapped onto OSU 0.18 µm standard cells (Debian's
// qflow-tech-osu018) by `synthesizeAsic` and timed by OpenSTA: area, NAND2-equivalent gates,
// flip-flops, worst setup path and the Fmax it implies. Each design runs in a child process
// with a time budget, so a multiplier too wide to map in reasonable time is reported as not
// measured, with the reason, instead of holding the benchmark for hours.
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
import { PAIR_BLOCKS } from '../src/model/blocks.ts';
import { DEFAULT_CLOCK_NS, DEFAULT_LIBERTY, ensureAsicTools, loadLibrary, synthesizeAsic, type AsicEffort, type AsicReport } from '../src/synth/asic.ts';
import { RV32IM_BENCH_CONFIGS } from './rv32im.ts';

/** Per design; a wider montmul than one that ran out of it is not started. */
export const ASIC_BUDGET_SECONDS = 600;
/** The one wide montmul the section maps (effort fast) and its budget. */
export const WIDE_MONTMUL = 'montmul_bn254_fr';
export const WIDE_BUDGET_SECONDS = 1200;

export interface AsicRow {
  module: string;
  group: 'field' | 'butterfly' | 'ntt' | 'rv32im';
  block: string;
  field: string | null;
  bits: number | null;
  params: Record<string, string | number>;
  effort: AsicEffort;
  report?: Omit<AsicReport, 'library'> & { library: { name: string } };
  /** Why there is no report (time budget, a tool failure). */
  notMeasured?: string;
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
}

const effortOf = (d: GeneratedDesign): AsicEffort => (d.manifest.block === 'montmul' && d.manifest.field!.bits > 64 ? 'fast' : 'timing');

/** The designs of the section, in a fixed order (child processes find theirs by index). */
export function asicDesigns(): Item[] {
  const items: Item[] = configDesigns(loadConfig())
    .filter((d) => PAIR_BLOCKS.includes(d.manifest.block))
    .sort((a, b) => a.manifest.field!.bits - b.manifest.field!.bits || a.top.localeCompare(b.top))
    .map((design) => ({ group: 'field' as const, design, effort: effortOf(design) }));
  for (const f of ['babybear', 'goldilocks']) items.push({ group: 'butterfly', design: generateBlock('butterfly', namedField(f), { kind: 'ct' }), effort: 'timing' });
  items.push({ group: 'ntt', design: generateBlock('ntt', namedField('babybear'), { n: '256', lanes: '1' }), effort: 'timing' });
  for (const c of RV32IM_BENCH_CONFIGS) items.push({ group: 'rv32im', design: generateBlock('rv32im', undefined, c.params), effort: 'timing' });
  return items;
}

/** Runs one design in this process (the child's side); writes the report as JSON. */
async function runOne(index: number, out: string): Promise<void> {
  const { design, effort } = asicDesigns()[index]!;
  const library = loadLibrary(DEFAULT_LIBERTY);
  const r = await synthesizeAsic({ top: design.top, files: verilogSources(design), ports: design.manifest.ports, library, clockNs: DEFAULT_CLOCK_NS, effort });
  writeFileSync(out, JSON.stringify(r.report));
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

export async function benchAsic(progress: Progress): Promise<AsicSection> {
  await ensureAsicTools({ log: (s) => progress.step(s) });
  const library = loadLibrary(DEFAULT_LIBERTY);
  const items = asicDesigns();
  const rows: AsicRow[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'zkrtl-bench-asic-'));
  /** The narrowest montmul that ran out of time: wider ones are not started. */
  let tooSlow: { module: string; bits: number } | undefined;
  try {
    for (const [i, { group, design, effort }] of items.entries()) {
      const m = design.manifest;
      const row: AsicRow = { module: design.top, group, block: m.block, field: m.field?.name ?? null, bits: m.field?.bits ?? null, params: m.params, effort };
      const step = (s: string) => progress.step(`[asic ${i + 1}/${items.length}] ${design.top}: ${s}`);
      const wide = m.block === 'montmul' && m.field!.bits > 64;
      if (wide && design.top !== WIDE_MONTMUL) {
        const scale = (m.field!.bits / 254) ** 2;
        row.notMeasured = `not run: the section maps one wide montmul (${WIDE_MONTMUL}, effort fast, see its row) to keep the benchmark's time; this one is ${m.field!.bits <= 255 ? 'as wide' : `${m.field!.bits} bits wide, ${scale.toFixed(2)}× the partial-product bits`}`;
        step(row.notMeasured);
        rows.push(row);
        continue;
      }
      if (tooSlow && m.block === 'montmul' && (m.field?.bits ?? 0) >= tooSlow.bits) {
        row.notMeasured = `not started: ${tooSlow.module} (${tooSlow.bits} bits) did not map within ${ASIC_BUDGET_SECONDS / 60} min, and this one is as wide or wider`;
        step(row.notMeasured);
        rows.push(row);
        continue;
      }
      step('yosys + OpenSTA');
      const out = join(tmp, `${i}.json`);
      const started = Date.now();
      const r = await runChild([process.execPath, '--import', 'tsx', join(import.meta.dirname, 'asic.ts'), '--design', String(i), '--json', out], (wide ? WIDE_BUDGET_SECONDS : ASIC_BUDGET_SECONDS) * 1000, () => {});
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
export const SKY130_NAND2_UM2 = 1.38 * 2.72;
/** Ideal square-law shrink from 180 nm to 28 nm. */
export const SHRINK_28NM = (28 / 180) ** 2;

const n0 = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

export function renderAsic(s: AsicSection): string[] {
  const L: string[] = [];
  const c = s.corner;
  L.push('## ASIC (OSU 0.18 µm)', '');
  L.push(`\`zkrtl synth BLOCK --target asic\` on library ${s.library} (\`${s.libraryPath}\`, Debian's qflow-tech-osu018), corner ${c.name} (${c.voltage} V, ${c.temperature} °C), clock target ${s.clockNs} ns. Yosys maps onto the cells (\`synth -flatten\`, \`dfflibmap\`, \`abc -liberty -D ${s.clockNs * 1000}\` with a driving cell and load, so ABC buffers and sizes), OpenSTA times the netlist with an ideal clock and no wire load (inputs arrive and outputs are due at the clock edge). Area is the sum of the cells' Liberty areas (µm²; for OSU018 they equal the LEF sizes): no placement density, no routing, no clock tree. NAND2-eq = area ÷ NAND2X1 (24 µm²). Fmax = 1 / (clock − worst setup slack). Memories (the NTT banks, the register file) are built from flip-flops: the flow has no SRAM compiler. Each design gets ${s.budgetSeconds / 60} min on this 2-core machine. Effort: \`timing\` is the flow above; montmuls wider than 64 bits (hundreds of thousands of cells) map with \`--effort fast\` (no generic ABC pass, \`abc -fast\`: ABC's delay-driven \`map\` without buffering or sizing, so high-fanout nets stay unbuffered), and only ${WIDE_MONTMUL} is mapped (${(s.wideBudgetSeconds ?? 0) / 60} min budget).`, '');
  L.push('| module | group | field | bits | effort | cells | area mm² | NAND2-eq | FFs | FF area | worst setup path (cells on it) | slack ns | STA Fmax MHz |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of s.rows) {
    const r = row.report;
    if (!r) {
      L.push(`| ${row.module} | ${row.group} | ${row.field ?? '–'} | ${row.bits ?? '–'} | ${row.effort ?? '–'} | not measured: ${row.notMeasured} | | | | | | | |`);
      continue;
    }
    const w = r.sta.worst;
    L.push(`| ${row.module} | ${row.group} | ${row.field ?? '–'} | ${row.bits ?? '–'} | ${r.effort ?? row.effort ?? 'timing'} | ${n0(r.totalCells)} | ${r.areaMm2.toFixed(3)} | ${n0(r.nand2Equivalents)} | ${n0(r.ffs)} | ${(100 * r.ffAreaShare).toFixed(1)} % | ${w ? `${w.startpoint} → ${w.endpoint} (${w.cells})` : '–'} | ${w ? w.slackNs.toFixed(3) : '–'} | ${r.sta.fmaxMhz?.toFixed(1) ?? '–'} |`);
  }
  L.push('');
  const cores = s.rows.filter((r) => r.group === 'rv32im' && r.report);
  if (cores.length) {
    L.push('### The rv32im cores against "a RISC-V core ≈ 0.1 mm²"', '');
    L.push(`The talk's figure is for a modern node. The NAND2-equivalent count does not depend on the node; the areas below are **estimates**: NAND2-eq × the area of one NAND2 at another node. sky130: sky130_fd_sc_hd__nand2_1, 1.38 × 2.72 µm = ${SKY130_NAND2_UM2.toFixed(2)} µm² (three 0.46 µm sites of the SkyWater 130 nm PDK's high-density library). 28 nm: the measured 0.18 µm area × (28/180)² = × ${SHRINK_28NM.toFixed(4)}, the ideal square-law shrink, which real 28 nm libraries do not quite reach (wires and pin access shrink less), so it is a lower bound.`, '');
    L.push('| core | area at 0.18 µm (measured) | NAND2-eq | sky130 estimate | 28 nm estimate (ideal shrink) | STA Fmax at 0.18 µm |', '|---|---|---|---|---|---|');
    for (const row of cores) {
      const r = row.report!;
      L.push(`| ${row.module} | ${r.areaMm2.toFixed(3)} mm² | ${n0(r.nand2Equivalents)} | ${((r.nand2Equivalents * SKY130_NAND2_UM2) / 1e6).toFixed(3)} mm² | ${(r.areaMm2 * SHRINK_28NM).toFixed(4)} mm² | ${r.sta.fmaxMhz?.toFixed(1) ?? '–'} MHz |`);
    }
    L.push('');
  }
  L.push('The point adder (`ecadd`) gets its row once that block lands.', '');
  return L;
}

// Child mode: `tsx bench/asic.ts --design N --json OUT`.
if (process.argv[1] && import.meta.filename === process.argv[1] && process.argv.includes('--design')) {
  const i = Number(process.argv[process.argv.indexOf('--design') + 1]);
  const out = process.argv[process.argv.indexOf('--json') + 1]!;
  await runOne(i, out);
}
