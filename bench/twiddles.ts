// Section "Twiddles that are powers of two": on Goldilocks (2 has order 192, 2^96 ≡ −1) the
// butterfly and a 64-point NTT core with mult=shift (twiddles 2^e, a barrel shifter and
// modmul's folds, no multiplier) against the same designs with mult=montmul and mult=modmul,
// synthesized in one run (Yosys `synth_xilinx -family xcup`).
import type { Progress } from '../src/base/progress.ts';
import { namedField } from '../src/fields/registry.ts';
import { verilogSources } from '../src/gen/design.ts';
import { generateBlock } from '../src/gen/index.ts';
import { synthesize, type SynthReport } from '../src/synth/synth.ts';
import { share } from './freeze.ts';

export interface TwiddleRow {
  module: string;
  block: 'butterfly' | 'ntt';
  mult: string;
  params: Record<string, string>;
  latency: number;
  /** NTT cores: cycles between transforms back to back, from the manifest's control model. */
  period?: number;
  xilinx: SynthReport;
}

const DESIGNS: Array<{ block: 'butterfly' | 'ntt'; params: Record<string, string> }> = [
  ...['montmul', 'modmul', 'shift'].map((mult) => ({ block: 'butterfly' as const, params: { kind: 'ct', mult } })),
  ...['1', '2'].flatMap((lanes) => ['montmul', 'shift'].map((mult) => ({ block: 'ntt' as const, params: { n: '64', lanes, mult } }))),
];

export async function benchTwiddles(progress: Progress): Promise<TwiddleRow[]> {
  const field = namedField('goldilocks');
  const rows: TwiddleRow[] = [];
  for (const [i, { block, params }] of DESIGNS.entries()) {
    const d = generateBlock(block, field, params);
    const step = (s: string) => progress.step(`[${i + 1}/${DESIGNS.length}] ${d.top}: ${s}`);
    step('yosys xilinx');
    const xilinx = (await synthesize({ top: d.top, files: verilogSources(d), target: 'xilinx', onStep: (s) => step(`yosys xilinx: ${s}`) })).report;
    const cycles = d.manifest.cycles as { latency: number; period: number } | undefined;
    rows.push({ module: d.top, block, mult: params.mult!, params, latency: cycles?.latency ?? d.manifest.latency!, ...(cycles ? { period: cycles.period } : {}), xilinx });
  }
  return rows;
}

const pct = (a: number, b: number) => (b === 0 ? '–' : `${a >= b ? '+' : ''}${Math.round((100 * (a - b)) / b)}%`);

export function renderTwiddles(rows: TwiddleRow[]): string[] {
  const L: string[] = [];
  L.push('## Twiddles that are powers of two (Goldilocks)', '');
  L.push('On Goldilocks 2 has order 192 (2^96 ≡ −1), so for N ≤ 64 the root ω = 2^(192/N) makes every twiddle a power of two and `mult=shift` multiplies by a barrel shifter and `modmul`\'s folds instead of a multiplier. Yosys `synth_xilinx -family xcup` of the CT butterfly and of 64-point NTT cores, one run; change against `mult=montmul` in parentheses; share: the part of a VU9P the design takes, DSP/6,840 + LUT/1,182,240 + FF/2,364,480 (‰, the measure `karatsuba=auto` and `reduce=auto` use). NTT latency and period (cycles between transforms back to back) come from the manifest\'s control model, which the Verilator tests hold the RTL to. The NTT cores here share their butterflies across all stages, so shifts replace multipliers only where every stage\'s twiddles are powers of two (N ≤ 64); a core with a butterfly per stage could use them in its first 6 stages at any N, which is not built.', '');
  L.push('| module | block | mult | latency | period | LUT | FF | DSP48E2 | CARRY4 | SRL | longest path | share of a VU9P |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const base = rows.find((x) => x.block === r.block && x.mult === 'montmul' && x.params.lanes === r.params.lanes);
    const x = r.xilinx;
    const vs = (a: number, b: number | undefined) => (base && base !== r && b !== undefined ? `${a} (${pct(a, b)})` : String(a));
    const sh = share(x);
    const shareText = `${(1000 * sh).toFixed(2)}‰${base && base !== r ? ` (${pct(sh, share(base.xilinx))})` : ''}`;
    L.push(`| ${r.module} | ${r.block} | ${r.mult} | ${r.latency} | ${r.period ?? '–'} | ${vs(x.luts, base?.xilinx.luts)} | ${vs(x.ffs, base?.xilinx.ffs)} | ${vs(x.dsps, base?.xilinx.dsps)} | ${vs(x.carry, base?.xilinx.carry)} | ${x.srl ?? 0} | ${x.longestPath.cells} (${x.longestPath.lutLevels ?? '–'}) | ${shareText} |`);
  }
  L.push('');
  return L;
}
