// `npm run bench`: cost and speed of every block of the default config, written to
// bench/results.md and bench/results.json. Figures come from the tools, nothing is typed in:
// latency from the manifest, II measured in Verilator, cells from Yosys, speeds timed here.
import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { configDesigns } from '../src/cli/commands/common.ts';
import { stderrProgress } from '../src/cli/progress.ts';
import { verilogSources, type GeneratedDesign } from '../src/gen/design.ts';
import { PAIR_BLOCKS, blockModel } from '../src/model/blocks.ts';
import { buildDesignSim, expectedResults } from '../src/sim/equivalence.ts';
import { makeVectors } from '../src/sim/vectors.ts';
import { runPipelineSim, verilatorVersion } from '../src/sim/verilator.ts';
import { synthesize, type SynthReport } from '../src/synth/synth.ts';
import { yosysVersion } from '../src/synth/yosys.ts';
import { benchNtt, renderNtt, type NttSection } from './ntt.ts';
import { benchEcadd, renderEcadd, type EcaddSection } from './ecadd.ts';
import { benchMsm, measureModelVsNoble, renderMsm, type MsmSection } from './msm.ts';
import { benchRv32im, renderRv32imMarkdown, type Rv32imBenchResult } from './rv32im.ts';
import { benchAsic, renderAsic, type AsicSection } from './asic.ts';
import { writeBenchReport } from '../src/cli/commands/report.ts';

const BENCH_DIR = import.meta.dirname;
const DSP_FLOOR_254 = 450; // three 254-bit products' worth of 26x17 tiles: 3 · 10 · 15

interface Row {
  module: string;
  block: string;
  field: string;
  bits: number;
  latency: number;
  iiManifest: number;
  iiMeasured: number;
  tiles: number | null;
  xilinx: SynthReport;
  generic: SynthReport;
  verilatorVectorsPerSecond: number;
  modelOpsPerSecond: number;
}

/** II measured: extra cycles per extra vector between a 1-vector and an N-vector run. */
async function measureSim(d: GeneratedDesign, binary: string) {
  const p = BigInt(d.manifest.field!.p);
  const n = d.manifest.field!.bits > 128 ? 20_000 : 100_000;
  const vectors = makeVectors({ p, k: d.manifest.montgomery?.k }, n, 42);
  const common = { binary, latency: d.manifest.latency!, width: d.manifest.field!.bits };
  const one = await runPipelineSim({ ...common, vectors: vectors.slice(0, 1), expected: expectedResults(d, vectors.slice(0, 1)) });
  const all = await runPipelineSim({ ...common, vectors, expected: expectedResults(d, vectors) });
  return { ii: (all.cycles - one.cycles) / (vectors.length - 1), vectorsPerSecond: vectors.length / all.seconds };
}

function modelSpeed(d: GeneratedDesign): number {
  const f = blockModel(d.manifest);
  const p = BigInt(d.manifest.field!.p);
  const xs = makeVectors({ p }, 4096, 7).slice(-4096);
  let sink = 0n;
  const run = (n: number) => {
    for (let i = 0; i < n; i++) sink ^= f(xs[i & 4095][0], xs[i & 4095][1]);
  };
  run(200_000); // warm up the JIT
  const n = 1_000_000;
  const t0 = process.hrtime.bigint();
  run(n);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink === -1n) console.log(sink);
  return n / seconds;
}

const wordCells = (r: SynthReport, type: RegExp) => Object.entries(r.cells).filter(([t]) => type.test(t)).reduce((a, [, n]) => a + n, 0);

const fmt = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(0));

/** The field-block section: every modadd/modsub/montmul of the default config. */
async function benchFieldBlocks(): Promise<{ rows: Row[]; bn254Stages: Array<{ module: string; report: SynthReport }> }> {
  const config = loadConfig();
  const designs = configDesigns(config).filter((d) => PAIR_BLOCKS.includes(d.manifest.block));
  const rows: Row[] = [];
  for (const [i, d] of designs.entries()) {
    const step = (s: string) => stderrProgress.step(`[${i + 1}/${designs.length}] ${d.top}: ${s}`);
    step('Verilator');
    const binary = await buildDesignSim(d, { step });
    const sim = await measureSim(d, binary);
    const synth = async (target: 'xilinx' | 'generic') => {
      step(`yosys ${target}`);
      const wordLevel = target === 'generic';
      return (await synthesize({ top: d.top, files: verilogSources(d), target, wordLevel, onStep: (s) => step(`yosys ${target}: ${s}`) })).report;
    };
    const xilinx = await synth('xilinx');
    const generic = await synth('generic');
    rows.push({
      module: d.top,
      block: d.manifest.block,
      field: d.manifest.field!.name,
      bits: d.manifest.field!.bits,
      latency: d.manifest.latency!,
      iiManifest: d.manifest.ii!,
      iiMeasured: sim.ii,
      tiles: (d.manifest.multiplierTiles as number | undefined) ?? null,
      xilinx,
      generic,
      verilatorVectorsPerSecond: sim.vectorsPerSecond,
      modelOpsPerSecond: modelSpeed(d),
    });
  }

  // What dominates the 254-bit montmul: each stage synthesized on its own.
  const bn = designs.find((d) => d.top === 'montmul_bn254_fr')!;
  const stages: Array<{ module: string; report: SynthReport }> = [];
  for (const m of bn.modules.filter((x) => /_(ab|m|mp)$/.test(x.name))) {
    stderrProgress.step(`stage breakdown: yosys xilinx ${m.name}`);
    const files = { [`${m.name}.v`]: m.text };
    stages.push({ module: m.name, report: (await synthesize({ top: m.name, files, target: 'xilinx' })).report });
  }
  return { rows, bn254Stages: stages };
}

interface Results {
  tools: Record<string, string | number>;
  rows: Row[];
  bn254Stages: Array<{ module: string; report: SynthReport }>;
  ntt?: NttSection;
  rv32im?: Omit<Rv32imBenchResult, 'markdown'>;
  asic?: AsicSection;
  ecadd?: EcaddSection;
  msm?: MsmSection;
}

const SECTIONS = ['fields', 'ntt', 'rv32im', 'asic', 'ecadd', 'msm', 'msm-model'] as const;

/** `--only SECTION[,SECTION]` re-measures those sections and keeps the others from results.json. */
async function main() {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]?.split(',') ?? [] : [...SECTIONS];
  for (const o of only) {
    if (!(SECTIONS as readonly string[]).includes(o)) {
      process.stderr.write(`bench: --only ${o} is not accepted: give ${SECTIONS.join(', ')} (comma-separated)\n`);
      process.exit(2);
    }
  }
  const path = join(BENCH_DIR, 'results.json');
  const saved: Partial<Results> = only.length < SECTIONS.length ? JSON.parse(readFileSync(path, 'utf8')) : {};
  const tools = { verilator: await verilatorVersion(), yosys: await yosysVersion(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
  const results: Results = { tools, rows: saved.rows ?? [], bn254Stages: saved.bn254Stages ?? [], ntt: saved.ntt, rv32im: saved.rv32im, asic: saved.asic, ecadd: saved.ecadd, msm: saved.msm };
  if (only.includes('fields')) Object.assign(results, await benchFieldBlocks());
  if (only.includes('ntt')) results.ntt = await benchNtt(stderrProgress);
  if (only.includes('rv32im')) {
    const { markdown: _markdown, ...rv } = await benchRv32im(stderrProgress);
    results.rv32im = rv;
  }
  if (only.includes('asic')) results.asic = await benchAsic(stderrProgress);
  if (only.includes('ecadd')) results.ecadd = await benchEcadd(stderrProgress);
  if (only.includes('msm')) results.msm = await benchMsm(stderrProgress);
  else if (only.includes('msm-model')) {
    // Only the model-against-noble timing of the MSM section, at the c it was measured at.
    if (!results.msm) throw new Error('--only msm-model needs an MSM section in bench/results.json: run --only msm first');
    results.msm.modelVsNoble = measureModelVsNoble(results.msm.modelVsNoble.c);
  }
  writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(BENCH_DIR, 'results.md'), renderMarkdown(results));
  writeBenchReport(path, join(BENCH_DIR, 'report.html'));
  stderrProgress.step('wrote bench/results.md, bench/results.json and bench/report.html');
}

function renderMarkdown(results: Results): string {
  const { tools, rows, bn254Stages: stages } = results;
  const L: string[] = [];
  const bn = rows.find((r) => r.module === 'montmul_bn254_fr')!;
  const montmuls = rows.filter((r) => r.block === 'montmul');
  const slowestModel = Math.min(...montmuls.map((r) => r.modelOpsPerSecond));
  const allIi1 = rows.every((r) => r.iiMeasured === 1 && r.iiManifest === 1);
  L.push('# zkrtl benchmark results', '');
  L.push('Written by `npm run bench` (`bench/run.ts`); every figure below was produced by that run.', '');
  L.push(`Tools: ${tools.verilator}; Yosys ${tools.yosys}; Node ${tools.node}; ${tools.cores} × ${tools.cpu}.`, '');
  L.push('## Floors', '');
  L.push('| floor | measured | met |', '|---|---|---|');
  L.push(`| II = 1 for every block (measured in Verilator: extra cycles per extra back-to-back vector) | ${[...new Set(rows.map((r) => r.iiMeasured))].join(', ')} | ${allIi1 ? 'yes' : 'NO'} |`);
  L.push(`| 254-bit montmul (bn254.fr, 26x17 tiles) ≤ ${DSP_FLOOR_254} DSP48E2 | ${bn.xilinx.dsps} DSP48E2 (${bn.tiles} tiles planned) | ${bn.xilinx.dsps <= DSP_FLOOR_254 ? 'yes' : 'NO'} |`);
  L.push(`| golden-model montmul ≥ 1M ops/s in Node (slowest field) | ${fmt(slowestModel)}ops/s | ${slowestModel >= 1e6 ? 'yes' : 'NO'} |`, '');
  L.push('## Field blocks (default config)', '');
  L.push('Xilinx: `synth_xilinx -family xcup` (UltraScale+). Generic: Yosys `synth` stopped before fine-grained mapping, so the counts are word-level cells: multipliers (`$mul`/`$macc`, `$macc_v2` in newer Yosys; one per tile), adders (`$alu`/`$add`/`$sub`) and registers (`$dff`/`$sdff`, each a whole word). Longest path: Yosys `ltp` on the flattened netlist between registers, in cells (LUT levels in brackets; each CARRY4 counts as a cell). Yosys maps carry chains to CARRY4 even for UltraScale+ (Vivado turns them into CARRY8), and it does not pack registers into DSP48E2, so the FF column includes the tile input/output registers that Vivado absorbs into the DSPs (AREG/BREG/MREG).', '');
  L.push('| module | field | bits | latency | II | tiles | LUT | FF | DSP48E2 | CARRY4 | SRL | longest path xilinx | generic cells (mul / add / reg) | Verilator vectors/s | model ops/s |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const x = r.xilinx;
    L.push(`| ${r.module} | ${r.field} | ${r.bits} | ${r.latency} | ${r.iiMeasured} | ${r.tiles ?? '–'} | ${x.luts} | ${x.ffs} | ${x.dsps} | ${x.carry} | ${x.srl ?? 0} | ${x.longestPath.cells} (${x.longestPath.lutLevels ?? '–'}) | ${r.generic.totalCells} (${wordCells(r.generic, /^\$(mul|macc(_v2)?)$/)} / ${wordCells(r.generic, /^\$(alu|add|sub)$/)} / ${wordCells(r.generic, /^\$(s?dff|dffe|sdffe|sdffce|adff)$/)}) | ${fmt(r.verilatorVectorsPerSecond)} | ${fmt(r.modelOpsPerSecond)} |`);
  }
  L.push('', '## What a 254-bit montmul costs, stage by stage (bn254.fr, xilinx)', '');
  L.push('| stage | LUT | FF | DSP48E2 | CARRY4 |', '|---|---|---|---|---|');
  for (const s of stages) L.push(`| ${s.module} | ${s.report.luts} | ${s.report.ffs} | ${s.report.dsps} | ${s.report.carry} |`);
  const dspTotal = stages.reduce((a, s) => a + s.report.dsps, 0);
  const lutTotal = stages.reduce((a, s) => a + s.report.luts, 0);
  L.push('');
  L.push(`DSPs: the three products take ${stages.map((s) => s.report.dsps).join(' + ')} = ${dspTotal} DSP48E2 against ${DSP_FLOOR_254} for three full 254×254 products: the m stage keeps only the tiles below bit k (a low half-product), the constant p has zero and power-of-two 17-bit chunks that need no tile at all, and Yosys builds the few tiles whose constant chunk is narrow in LUTs (so DSPs can come out below the planned tiles). LUTs: ${lutTotal} of the ${bn.xilinx.luts} LUTs of the whole multiplier are in the three products' adder trees (summing partial products in carry chains); the rest is the final conditional subtraction and glue. FFs are dominated by the one-register-per-adder-level pipelining (tree=1); \`tree=2\` or \`depth=\` trades them for latency and path length.`);
  L.push('');
  L.push(`Longest path: ${bn.xilinx.longestPath.cells} cells for the 254-bit montmul, almost all of them CARRY4s of one adder-tree level: the widest adders span the 2W-bit product (a 508-bit carry chain, 64 CARRY8s after Vivado). Splitting wide adders into registered carry segments is the next step for Fmax; \`tree=0\`/\`tree=2\` move the other way (fewer registers, longer paths).`);
  L.push('');
  L.push('## Anchors', '');
  L.push(`- Three 254-bit products on a 26×17 grid are 3 · ⌈254/26⌉ · ⌈254/17⌉ = ${DSP_FLOOR_254} DSP48E2: the floor above; a Montgomery multiplier built from three full products lands there.`);
  const small = rows.filter((r) => r.block === 'montmul' && r.bits <= 64);
  L.push(`- Sparse primes (Goldilocks, BabyBear, KoalaBear, Mersenne-31: at most 3 signed digits) are reduced with shift-and-add, so their montmul spends DSPs on the a·b tiles only: ${small.map((r) => `${r.field} ${r.xilinx.dsps} DSP48E2`).join(', ')} with 26×17 tiles.`);
  L.push('');
  if (results.ntt) L.push(...renderNtt(results.ntt));
  if (results.rv32im) L.push(renderRv32imMarkdown(results.rv32im));
  if (results.ecadd) L.push(...renderEcadd(results.ecadd));
  if (results.msm) L.push(...renderMsm(results.msm));
  if (results.asic) L.push(...renderAsic(results.asic));
  return L.join('\n');
}

// `--render`: rewrite results.md from the committed results.json (no tools run).
if (process.argv.includes('--render')) {
  const saved = JSON.parse(readFileSync(join(BENCH_DIR, 'results.json'), 'utf8'));
  writeFileSync(join(BENCH_DIR, 'results.md'), renderMarkdown(saved));
} else {
  await main();
}
