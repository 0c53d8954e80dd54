// rv32im: the area floor against the M extension, for `npm run bench` (section rv32im-area).
// Issue 12 asks the 5-stage core for ≤ 3,000 LUT4 bare and a mean CPI ≤ 1.3 at once. The
// clock configuration without M, and with each of its divider's three features (the reuse,
// the radix-4 step, the early out) dropped alone and all three together: each one's
// LUT4 bare (Yosys synth_ice40 of pinWrapper, flat, as the clock table counts it) and its mean
// CPI over the bench programs under Verilator, so the table shows whether a simpler divider
// meets both floors, and what the RV32I part leaves for M; and the same with the shifts in the
// DSP multiplier (shift=mul), which takes the barrel shifter out of the ALU, and that without the
// counters (zicntr=off), which prices rdcycle and rdinstret. Beside them, each
// one's LUT4 with the light trace (how much of the count is the trace port) and where its
// cycles above one per instruction go, cause by cause: the budget a smaller core must keep.
import type { Progress } from '../src/cli/progress.ts';
import { generateRv32im } from '../src/gen/rv32im.ts';
import { paramText, type RawParams } from '../src/gen/params.ts';
import { synthesize } from '../src/synth/synth.ts';
import { pinWrapper, rv32imLightPinWrapper } from '../src/synth/wrappers.ts';
import { RV32IM_CLOCK_FLOORS, RV32IM_FLOORS, benchCpi, benchPrograms, loadBenchProgram, rv32imClockConfiguration, type LoadedBenchProgram } from './rv32im.ts';

export interface Rv32imAreaRow {
  /** What differs from the clock configuration ('' for itself). */
  change: string;
  config: string;
  top: string;
  /** SB_LUT4 of the core behind pinWrapper, flat. */
  luts: number;
  /** SB_LUT4 of the core behind rv32imLightPinWrapper (of the trace only rvfi_valid, insn and rd_wdata), flat; absent in rows of runs before it was measured. */
  lutsLight?: number;
  /** Mean CPI over the bench programs; absent without M (the programs use it). */
  meanCpi?: number;
  /** Per stall cause, the mean over the programs of its stall cycles per instruction (they add up to meanCpi − 1); absent without M and in rows of runs before it was measured. */
  meanStalls?: Record<string, number>;
}

/** The M extension's parameters (m=off refuses some, and the rest mean nothing without M). */
const M_PARAMS = ['mul', 'div', 'div_result', 'div_reuse', 'div_fold', 'div_early', 'mul_result'];

/** The clock configuration, its divider's features dropped one at a time and all together, its shifts in the multiplier (with and without the counters), and no M. */
export function rv32imAreaConfigs(): { change: string; params: RawParams }[] {
  const clock = rv32imClockConfiguration().params;
  const without = (keys: string[], extra: RawParams): RawParams => ({ ...Object.fromEntries(Object.entries(clock).filter(([k]) => !keys.includes(k))), ...extra });
  return [
    { change: '', params: clock },
    { change: 'div_reuse=off', params: { ...clock, div_reuse: 'off' } },
    { change: 'div=1bit', params: { ...clock, div: '1bit' } },
    // (div_fold is a choice of the early out's shift cycle: without the early out there is none)
    { change: 'div_early=off', params: without(['div_fold'], { div_early: 'off' }) },
    { change: 'div=1bit div_early=off div_reuse=off', params: without(['div_fold'], { div: '1bit', div_early: 'off', div_reuse: 'off' }) },
    // (the shifts as multiplies in the DSP multiplier: the ALU without its barrel shifter)
    { change: 'shift=mul', params: { ...clock, shift: 'mul' } },
    // (and without the counters: issue 12 asks for them, so this row prices them, it is no way out)
    { change: 'shift=mul zicntr=off', params: { ...clock, shift: 'mul', zicntr: 'off' } },
    { change: 'm=off', params: without(M_PARAMS, { m: 'off' }) },
  ];
}

export async function benchRv32imArea(progress: Progress): Promise<Rv32imAreaRow[]> {
  const step = (s: string) => progress.step(`rv32im-area: ${s}`);
  const programs: LoadedBenchProgram[] = [];
  for (const p of benchPrograms()) {
    step(`${p.name}: compile, qemu-riscv32`);
    programs.push(await loadBenchProgram(p));
  }
  const rows: Rv32imAreaRow[] = [];
  for (const c of rv32imAreaConfigs()) {
    const design = generateRv32im(c.params);
    const bare = pinWrapper(design);
    step(`${design.top}: yosys ice40, bare`);
    const synth = await synthesize({ top: bare.top, files: bare.files, target: 'ice40' });
    const light = rv32imLightPinWrapper(design);
    step(`${design.top}: yosys ice40, bare, light trace`);
    const synthLight = await synthesize({ top: light.top, files: light.files, target: 'ice40' });
    const cpi = c.params.m === 'off' ? undefined : await benchCpi(programs, c.params, design.top, step);
    rows.push({ change: c.change, config: paramText(c.params), top: design.top, luts: synth.report.luts, lutsLight: synthLight.report.luts, ...(cpi ?? {}) });
  }
  return rows;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const rowName = (r: Rv32imAreaRow) => (r.change === '' ? 'the clock configuration' : `… ${r.change}`);

/** Stall causes worth a column of their own (at least this many cycles per instruction in some row); the rest are summed. */
const CAUSE_COLUMN_MIN = 0.0005;

/** The table of where each row's cycles above one per instruction go, cause by cause (rows with meanStalls). */
export function renderRv32imCpiCauses(rows: Rv32imAreaRow[]): string[] {
  const measured = rows.filter((r) => r.meanStalls && r.meanCpi !== undefined);
  if (measured.length === 0) return [];
  const peak = new Map<string, number>();
  for (const r of measured) for (const [cause, v] of Object.entries(r.meanStalls!)) peak.set(cause, Math.max(peak.get(cause) ?? 0, v));
  const columns = [...peak].filter(([, v]) => v >= CAUSE_COLUMN_MIN).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
  const rest = (r: Rv32imAreaRow) => Object.entries(r.meanStalls!).filter(([c]) => !columns.includes(c)).reduce((a, [, v]) => a + v, 0);
  const hasRest = measured.some((r) => rest(r) > 0);
  const L: string[] = [
    `Where the cycles above one per instruction go: per stall cause (the core's \`perf_stall\` causes, described in its manifest), the mean over the programs of its stall cycles per instruction, from the same runs; a row's causes add up to its mean CPI − 1. Causes under ${CAUSE_COLUMN_MIN} in every row are summed${hasRest ? ' (other)' : ' (none has any here)'}.`,
    '',
    `| configuration | mean CPI − 1 | ${columns.join(' | ')}${hasRest ? ' | other' : ''} |`,
    `|---|---|${columns.map(() => '---|').join('')}${hasRest ? '---|' : ''}`,
  ];
  for (const r of measured) {
    const cells = columns.map((c) => (r.meanStalls![c] ?? 0).toFixed(4));
    if (hasRest) cells.push(rest(r).toFixed(4));
    L.push(`| ${rowName(r)} | ${(r.meanCpi! - 1).toFixed(4)} | ${cells.join(' | ')} |`);
  }
  L.push('');
  return L;
}

export function renderRv32imArea(rows: Rv32imAreaRow[]): string[] {
  const floor = RV32IM_CLOCK_FLOORS.p5.luts;
  const cpiFloor = RV32IM_FLOORS.p5Cpi;
  const L: string[] = ['## rv32im: the area floor against the M extension', ''];
  L.push(
    `Issue 12 asks the 5-stage core for ≤ ${fmt(floor)} LUT4 bare and a mean CPI ≤ ${cpiFloor} at once. The clock configuration, the same with each of its divider's three features dropped alone (the reuse, the radix-4 step, the early out) and all three together, with its shifts made as multiplies by a power of two in the DSP multiplier instead of its ALU's barrel shifter (shift=mul), that without the counters (zicntr=off: what rdcycle and rdinstret, which issue 12 asks for, cost; the programs do not read them), and without M: LUT4 of the core behind \`pinWrapper\` (Yosys \`synth_ice40\`, flat: the clock table's bare count, full trace) and the mean CPI over the programs of the rv32im section under Verilator, every run's output and exit code equal to qemu-riscv32's (without M none runs: the programs use it). LUT4 bare, light trace: the same synthesis of \`rv32imLightPinWrapper\` (of the trace port only rvfi_valid, rvfi_insn and rvfi_rd_wdata folded, the rest left open and optimised away: the clock table's light trace), so the difference is what the rest of the trace port costs; the floor is judged on the full trace.`,
    '',
  );
  const clock = rows.find((r) => r.change === '');
  const noM = rows.find((r) => r.change === 'm=off');
  if (clock) L.push(`Clock configuration: \`${clock.config}\`.`, '');
  L.push(`| configuration | LUT4 bare | over the floor | mean CPI | ≤ ${fmt(floor)} LUT4 | CPI ≤ ${cpiFloor} | LUT4 bare, light trace |`, '|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const over = r.luts - floor;
    L.push(`| ${rowName(r)} | ${fmt(r.luts)} | ${over > 0 ? `+${fmt(over)}` : over < 0 ? `−${fmt(-over)}` : '0'} | ${r.meanCpi === undefined ? '–' : r.meanCpi.toFixed(3)} | ${r.luts <= floor ? 'yes' : 'NO'} | ${r.meanCpi === undefined ? '–' : r.meanCpi <= cpiFloor ? 'yes' : 'NO'} | ${r.lutsLight === undefined ? '–' : fmt(r.lutsLight)} |`);
  }
  L.push('');
  if (clock && noM) {
    const both = rows.filter((r) => r.meanCpi !== undefined && r.luts <= floor && r.meanCpi <= cpiFloor);
    L.push(
      `M (multiplier, divider and their place in the pipeline) costs ${fmt(clock.luts - noM.luts)} LUT4 in the clock configuration; the core without it is ${fmt(noM.luts)}, which leaves ${fmt(floor - noM.luts)} of the floor for M. ${both.length ? `Meeting both floors: ${both.map((r) => r.change || 'the clock configuration').join(', ')}.` : 'No row meets both floors.'}`,
      '',
    );
  }
  L.push(...renderRv32imCpiCauses(rows));
  return L;
}
