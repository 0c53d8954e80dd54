// `npm run bench`: cost and speed of every block of the default config, written to
// bench/results.md and bench/results.json. Figures come from the tools, nothing is typed in:
// latency from the manifest, II measured in Verilator (from the cycles of the results of a
// back-to-back run), cells from Yosys, speeds timed here. Each section records where and with
// what it was measured (`provenance`), as `--only` re-measures some sections and keeps others.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.ts';
import { configDesigns } from '../src/cli/commands/common.ts';
import { stderrProgress } from '../src/cli/progress.ts';
import { verilogSources, type GeneratedDesign } from '../src/gen/design.ts';
import { blockModel } from '../src/model/blocks.ts';
import { buildDesignSim, expectedResults, measureIi } from '../src/sim/equivalence.ts';
import { makeVectors } from '../src/sim/vectors.ts';
import { verilatorVersion } from '../src/sim/verilator.ts';
import { synthesize, type SynthReport } from '../src/synth/synth.ts';
import { yosysVersion } from '../src/synth/yosys.ts';
import { benchButterflies, benchNtt, renderButterflies, renderNtt, type ButterflyRow, type NttSection } from './ntt.ts';
import { benchEcadd, renderEcadd, type EcaddSection } from './ecadd.ts';
import { benchMsm, measureModelVsNoble, renderMsm, type MsmSection } from './msm.ts';
import { benchRv32im, renderRv32imMarkdown, type Rv32imBenchResult } from './rv32im.ts';
import { benchRv32imModules, renderRv32imModules, type Rv32imModulesConfig } from './rv32im-modules.ts';
import { benchRv32imArea, renderRv32imArea, type Rv32imAreaRow } from './rv32im-area.ts';
import { benchRv32imProofs, renderRv32imProofs, type Rv32imProofsConfig } from './rv32im-proofs.ts';
import { FIELD_SECTION_BLOCKS, benchAsic, renderAsic, type AsicSection } from './asic.ts';
import { benchFreeze, renderFreeze, type FreezeSection } from './freeze.ts';
import { benchTwiddles, renderTwiddles, type TwiddleRow } from './twiddles.ts';
import { writeBenchReport } from '../src/cli/commands/report.ts';
import { configMontmuls, montmulLemmas } from '../src/prove/montmul.ts';
import { generateBlock } from '../src/gen/index.ts';
import { namedField } from '../src/fields/registry.ts';
import { runLemmas } from '../src/prove/lemma.ts';
import { shutdownZ3 } from '../src/prove/z3.ts';

const BENCH_DIR = import.meta.dirname;
const REPO_DIR = resolve(BENCH_DIR, '..');
const DSP_FLOOR_254 = 450; // three 254-bit products' worth of 26x17 tiles: 3 · 10 · 15
// Issue 11's floors: from 370 and 855 DSP48E2 (grid, whole m·p) to these.
const DSP_FLOOR_KARATSUBA: Record<string, number> = { 'bn254.fr': 280, 'bls12_381.fp': 600, goldilocks: 12 };

export interface Row {
  module: string;
  block: string;
  field: string;
  bits: number;
  latency: number;
  iiManifest: number;
  /** measureIi: (cycle of the last result − cycle of the first) / (results − 1); null under 2 results. */
  iiMeasured: number | null;
  /** Largest gap between consecutive results, and vectors that got none (absent in rows measured before). */
  iiMaxGap?: number | null;
  iiDropped?: number;
  tiles: number | null;
  /** montmul: Karatsuba levels of a·b and the high band's cut of m·p (0: the whole product); absent in older rows. */
  karatsuba?: number;
  mpCut?: number;
  xilinx: SynthReport;
  generic: SynthReport;
  verilatorVectorsPerSecond: number;
  modelOpsPerSecond: number;
}

/** One montmul configuration synthesized beside the default, to show what Karatsuba and the band buy. */
export interface MultiplierVariantRow {
  module: string;
  field: string;
  label: string;
  params: Record<string, string>;
  latency: number;
  tiles: number;
  xilinx: SynthReport;
}

/** zkrtl prove of one montmul: every lemma's verdict and time. */
export interface ProofRow {
  module: string;
  field: string;
  lemmas: Array<{ name: string; method: string; verdict: string; ms: number }>;
}

/**
 * II measured (measureIi): the vectors go in back to back (in_valid held high), every result
 * is checked, and II = (cycle of the last result − cycle of the first) / (results − 1). A block
 * that cannot take a vector every cycle shows II > 1 (and dropped vectors) instead of failing.
 */
async function measureSim(d: GeneratedDesign, binary: string) {
  const p = BigInt(d.manifest.field!.p);
  const n = d.manifest.field!.bits > 128 ? 20_000 : 100_000;
  const vectors = makeVectors({ p, k: d.manifest.montgomery?.k }, n, 42);
  const m = await measureIi({ binary, latency: d.manifest.latency!, width: d.manifest.field!.bits, vectors, expected: expectedResults(d, vectors) });
  return { ii: m.ii, maxGap: m.maxGap, dropped: m.dropped, vectorsPerSecond: vectors.length / m.seconds };
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
type FieldSection = Pick<Results, 'rows' | 'bn254Stages' | 'multiplierVariants' | 'butterflies'>;

/** Before and after, in one run: the plain grid with the whole m·p, Karatsuba alone, and the default. */
const VARIANT_FIELDS = ['bn254.fr', 'bls12_381.fp'];
const VARIANTS: Array<{ label: string; params: Record<string, string> }> = [
  { label: 'grid, whole m·p (before issue 11)', params: { karatsuba: '0', mp: 'full' } },
  { label: 'Karatsuba (auto), whole m·p', params: { mp: 'full' } },
];

async function benchFieldBlocks(): Promise<FieldSection> {
  const config = loadConfig();
  const designs = configDesigns(config).filter((d) => FIELD_SECTION_BLOCKS.includes(d.manifest.block) && d.manifest.field);
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
      iiMaxGap: sim.maxGap,
      iiDropped: sim.dropped,
      tiles: (d.manifest.multiplierTiles as number | undefined) ?? null,
      ...(d.manifest.block === 'montmul' ? montmulShape(d) : {}),
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

  const multiplierVariants: MultiplierVariantRow[] = [];
  for (const name of VARIANT_FIELDS) {
    for (const v of VARIANTS) {
      const d = generateBlock('montmul', namedField(name), v.params);
      stderrProgress.step(`Karatsuba / band variants: yosys xilinx ${d.top}`);
      const xilinx = (await synthesize({ top: d.top, files: verilogSources(d), target: 'xilinx' })).report;
      multiplierVariants.push({ module: d.top, field: name, label: v.label, params: v.params, latency: d.manifest.latency!, tiles: d.manifest.multiplierTiles as number, xilinx });
    }
  }

  // The butterflies change with their multiplier: measured with the field blocks.
  const butterflies = await benchButterflies(stderrProgress);

  return { rows, bn254Stages: stages, multiplierVariants, butterflies };
}

/** zkrtl prove on every montmul the default config emits (its own and those inside other blocks). */
async function benchProofs(): Promise<ProofRow[]> {
  const proofs: ProofRow[] = [];
  const targets = configMontmuls(loadConfig());
  try {
    for (const [i, t] of targets.entries()) {
      stderrProgress.step(`[prove ${i + 1}/${targets.length}] ${t.top}`);
      const results = await runLemmas(montmulLemmas(t.field, t.params), (r) => stderrProgress.step(`[prove ${i + 1}/${targets.length}] ${t.top}: ${r.name} ${r.verdict} (${r.ms} ms)`));
      proofs.push({ module: t.top, field: t.field.name, lemmas: results.map((r) => ({ name: r.name, method: r.method, verdict: r.verdict, ms: r.ms })) });
    }
  } finally {
    await shutdownZ3();
  }
  return proofs;
}

/** Karatsuba levels and the m·p band of a generated montmul, from its manifest. */
function montmulShape(d: GeneratedDesign): { karatsuba: number; mpCut: number } {
  const st = d.manifest.stages as { ab: { karatsuba?: { levels: number } }; mp: { band?: { cut: number } } };
  return { karatsuba: st.ab.karatsuba?.levels ?? 0, mpCut: st.mp.band?.cut ?? 0 };
}

export const SECTIONS = ['fields', 'proofs', 'freeze', 'twiddles', 'ntt', 'rv32im', 'rv32im-modules', 'rv32im-area', 'rv32im-proofs', 'asic', 'ecadd', 'msm', 'msm-model'] as const;
export type Section = (typeof SECTIONS)[number];

/** Where and with what one section was measured. */
export interface Provenance {
  /** `git rev-parse --short HEAD` when the bench started. */
  commit: string;
  /** Tracked files other than the bench's own outputs differed from that commit. */
  dirty: boolean;
  /** When the section's measurement started: ISO date-time, UTC. */
  date: string;
  machine: { cpu: string; cores: number };
  tools: { verilator: string; yosys: string; node: string };
  /**
   * The machine's 1-minute load average while the section ran (sampled every LOAD_SAMPLE_MS,
   * the bench's own processes included): its timing figures (simulated cycles per second, model
   * speed, tool times) fall when other work shares the cores. Absent before it was recorded.
   */
  load?: LoadSummary;
}

export interface LoadSummary {
  mean: number;
  max: number;
  samples: number;
}

const LOAD_SAMPLE_MS = 10_000;

/** Mean and maximum of load-average samples (one taken at least, at the section's end). */
export function summarizeLoad(samples: readonly number[]): LoadSummary {
  if (samples.length === 0) throw new RangeError('summarizeLoad: no samples');
  return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, max: Math.max(...samples), samples: samples.length };
}

export interface Results {
  /** The tools of the latest run (any section); each section's own are in `provenance`. */
  tools: Record<string, string | number>;
  rows: Row[];
  bn254Stages: Array<{ module: string; report: SynthReport }>;
  /** Fields section: montmul configurations beside the default, and the butterflies (absent before issue 11). */
  multiplierVariants?: MultiplierVariantRow[];
  butterflies?: ButterflyRow[];
  /** Proofs section (absent before issue 11). */
  proofs?: ProofRow[];
  /** What freezing the prime buys, and power-of-two twiddles (absent before issue 10). */
  freeze?: FreezeSection;
  twiddles?: TwiddleRow[];
  ntt?: NttSection;
  rv32im?: Omit<Rv32imBenchResult, 'markdown'>;
  rv32imModules?: Rv32imModulesConfig[];
  rv32imArea?: Rv32imAreaRow[];
  /** The formal proofs on record against the code of the run (absent before issue 12's record). */
  rv32imProofs?: Rv32imProofsConfig[];
  asic?: AsicSection;
  ecadd?: EcaddSection;
  msm?: MsmSection;
  /** Per section; absent for sections measured before it was recorded. */
  provenance?: Partial<Record<Section, Provenance>>;
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });

/** The commit checked out and whether tracked files differ from it ('unknown' outside git). */
function gitState(): { commit: string; dirty: boolean } {
  try {
    // The bench's own outputs do not count: a previous `--only` run leaves them changed.
    const outputs = ['results.json', 'results.md', 'report.html'].map((f) => `:!bench/${f}`);
    const changes = git('status', '--porcelain', '--untracked-files=no', '--', '.', ...outputs);
    return { commit: git('rev-parse', '--short', 'HEAD').trim(), dirty: changes.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

/** What of results.json a section writes: what it was measured from, to find when it changed. */
function sectionData(r: Partial<Results>, s: Section, apart: ReadonlySet<string> = new Set()): unknown {
  switch (s) {
    case 'fields': return r.rows?.length ? { rows: r.rows, bn254Stages: r.bn254Stages } : undefined;
    case 'msm': {
      if (!r.msm) return undefined;
      const { modelVsNoble: _timing, ...rest } = r.msm; // `--only msm-model` re-measures that part alone
      return rest;
    }
    case 'msm-model': return r.msm?.modelVsNoble;
    case 'rv32im-modules': return r.rv32imModules;
    case 'rv32im-area': return r.rv32imArea;
    case 'rv32im-proofs': return r.rv32imProofs;
    // Rows measured apart (and saying so) do not date the rest of the section.
    case 'asic': return r.asic ? { ...r.asic, rows: r.asic.rows.filter((x) => !apart.has(x.module)) } : undefined;
    default: return r[s];
  }
}

/**
 * For a section measured before provenance was recorded: the newest commit from which
 * bench/results.json has held the section's current data unchanged, from `git log`; 'unknown'
 * without git history, or when the data is not in HEAD's results.json.
 */
function gitLastChangedIn(results: Partial<Results>): (s: Section) => string {
  let history: Array<{ commit: string; json: Partial<Results> | undefined }> | undefined;
  return (s) => {
    try {
      history ??= git('log', '--format=%h', '--', 'bench/results.json').split('\n').filter(Boolean).map((commit) => {
        try {
          return { commit, json: JSON.parse(git('show', `${commit}:bench/results.json`)) as Partial<Results> };
        } catch {
          return { commit, json: undefined }; // deleted or unreadable in that commit
        }
      });
    } catch {
      history = [];
    }
    const apart = new Set(results.asic?.rows.filter((x) => x.measuredApart).map((x) => x.module) ?? []);
    const now = JSON.stringify(sectionData(results, s, apart));
    let found = 'unknown';
    for (const h of history) {
      if (!h.json || JSON.stringify(sectionData(h.json, s, apart)) !== now) break;
      found = h.commit; // unchanged back to here: the change is in this commit or an older one
    }
    return found;
  };
}

/** "2026-12-02T01:23:45.678Z" → "2026-12-02 01:23 UTC". */
const utc = (iso: string) => iso.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d).*$/, '$1 $2 UTC');

export function provenanceLine(p: Provenance | undefined, lastChangedIn: () => string): string {
  if (!p) return `Measured before provenance was recorded; last re-measured in commit ${lastChangedIn()}.`;
  const t = p.tools;
  const load = p.load
    ? ` Machine load while it ran (1-minute load average every ${LOAD_SAMPLE_MS / 1000} s, the bench's own processes included): mean ${p.load.mean.toFixed(2)}, max ${p.load.max.toFixed(2)}, on ${p.machine.cores} cores; its timing figures fall when other work shares them.`
    : '';
  return `Measured at commit ${p.commit} (${p.dirty ? 'with uncommitted changes' : 'clean'}) on ${utc(p.date)}, ${p.machine.cores} × ${p.machine.cpu}, with ${t.verilator}, Yosys ${t.yosys}, Node ${t.node}.${load}`;
}

/** `lines` with `note` under every '## ' heading (after the heading's blank line). */
function underHeadings(lines: string[], note: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]!);
    if (!lines[i]!.startsWith('## ')) continue;
    if (lines[i + 1] === '') out.push(lines[++i]!);
    else out.push('');
    out.push(note, '');
  }
  return out;
}

/** `--only SECTION[,SECTION]` re-measures those sections and keeps the others (and their provenance) from results.json. */
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
  const results: Results = {
    tools, rows: saved.rows ?? [], bn254Stages: saved.bn254Stages ?? [], multiplierVariants: saved.multiplierVariants, butterflies: saved.butterflies, proofs: saved.proofs, freeze: saved.freeze, twiddles: saved.twiddles, ntt: saved.ntt, rv32im: saved.rv32im, rv32imModules: saved.rv32imModules, rv32imArea: saved.rv32imArea, rv32imProofs: saved.rv32imProofs, asic: saved.asic, ecadd: saved.ecadd, msm: saved.msm, provenance: { ...saved.provenance } };
  const state = gitState();
  // stamp() opens a section's provenance and samples the load until the next stamp (sections
  // run one after another) or the end (closeStamp).
  let open: { p: Provenance; samples: number[]; timer: NodeJS.Timeout } | undefined;
  const closeStamp = () => {
    if (!open) return;
    clearInterval(open.timer);
    open.p.load = summarizeLoad([...open.samples, loadavg()[0]!]);
    open = undefined;
  };
  const stamp = (...sections: Section[]) => {
    closeStamp();
    const p: Provenance = {
      ...state, date: new Date().toISOString(),
      machine: { cpu: tools.cpu, cores: tools.cores }, tools: { verilator: tools.verilator, yosys: tools.yosys, node: tools.node },
    };
    for (const s of sections) results.provenance![s] = p;
    const samples: number[] = [];
    const timer = setInterval(() => samples.push(loadavg()[0]!), LOAD_SAMPLE_MS);
    timer.unref();
    open = { p, samples, timer };
  };
  if (only.includes('fields')) {
    stamp('fields');
    Object.assign(results, await benchFieldBlocks());
  }
  if (only.includes('proofs')) {
    stamp('proofs');
    results.proofs = await benchProofs();
  }
  if (only.includes('freeze')) {
    stamp('freeze');
    results.freeze = await benchFreeze(stderrProgress);
  }
  if (only.includes('twiddles')) {
    stamp('twiddles');
    results.twiddles = await benchTwiddles(stderrProgress);
  }
  if (only.includes('ntt')) {
    stamp('ntt');
    results.ntt = await benchNtt(stderrProgress);
  }
  if (only.includes('rv32im')) {
    stamp('rv32im');
    const { markdown: _markdown, ...rv } = await benchRv32im(stderrProgress);
    // Earlier commits' clock measurements stay (the bench measures only the current one).
    results.rv32im = { ...rv, ...(results.rv32im?.clockHistory ? { clockHistory: results.rv32im.clockHistory } : {}) };
  }
  if (only.includes('rv32im-modules')) {
    stamp('rv32im-modules');
    results.rv32imModules = await benchRv32imModules(stderrProgress);
  }
  if (only.includes('rv32im-area')) {
    stamp('rv32im-area');
    results.rv32imArea = await benchRv32imArea(stderrProgress);
  }
  if (only.includes('rv32im-proofs')) {
    stamp('rv32im-proofs');
    results.rv32imProofs = benchRv32imProofs();
  }
  if (only.includes('asic')) {
    stamp('asic');
    results.asic = await benchAsic(stderrProgress);
  }
  if (only.includes('ecadd')) {
    stamp('ecadd');
    results.ecadd = await benchEcadd(stderrProgress);
  }
  if (only.includes('msm')) {
    stamp('msm', 'msm-model'); // the MSM section times the model against noble too
    results.msm = await benchMsm(stderrProgress);
  } else if (only.includes('msm-model')) {
    // Only the model-against-noble timing of the MSM section, at the c it was measured at.
    if (!results.msm) throw new Error('--only msm-model needs an MSM section in bench/results.json: run --only msm first');
    stamp('msm-model');
    results.msm.modelVsNoble = measureModelVsNoble(results.msm.modelVsNoble.c);
  }
  closeStamp();
  writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(BENCH_DIR, 'results.md'), renderMarkdown(results));
  writeBenchReport(path, join(BENCH_DIR, 'report.html'));
  stderrProgress.step('wrote bench/results.md, bench/results.json and bench/report.html');
}

/** An II figure: whole numbers as they are, others to two decimals. */
const fmtIi = (ii: number | null | undefined) => (ii === null || ii === undefined ? '–' : Number.isInteger(ii) ? String(ii) : ii.toFixed(2));

/**
 * bench/results.md from the results. `lastChangedIn` names the commit a section without
 * provenance was last re-measured in (default: from git log of bench/results.json).
 */
export function renderMarkdown(results: Results, opts: { lastChangedIn?: (s: Section) => string } = {}): string {
  const { rows, bn254Stages: stages } = results;
  const lastChangedIn = opts.lastChangedIn ?? gitLastChangedIn(results);
  const note = (s: Section) => provenanceLine(results.provenance?.[s], () => lastChangedIn(s));
  const L: string[] = [];
  const bn = rows.find((r) => r.module === 'montmul_bn254_fr')!;
  const montmuls = rows.filter((r) => r.block === 'montmul');
  const slowestModel = Math.min(...montmuls.map((r) => r.modelOpsPerSecond));
  // Rows measured before II came from the results' cycles have no max gap.
  const fromBeats = rows.every((r) => r.iiMaxGap !== undefined);
  const allIi1 = rows.every((r) => r.iiMeasured === 1 && r.iiManifest === 1 && (r.iiMaxGap ?? 1) === 1 && !r.iiDropped);
  const iiHow = fromBeats
    ? 'measured in Verilator: the vectors back to back (in_valid held high), II = (cycle of the last result − cycle of the first) / (results − 1); max gap: most cycles between consecutive results'
    : 'measured the old way: extra cycles per extra vector between a 1-vector and an N-vector run, which a harness offering a vector every cycle makes 1 for any block that keeps its latency; `--only fields` re-measures it from the cycles of the results';
  const iiSeen = [...new Set(rows.map((r) => fmtIi(r.iiMeasured)))].join(', ');
  const gaps = fromBeats ? `; max gap ${[...new Set(rows.map((r) => fmtIi(r.iiMaxGap)))].join(', ')}` : '';
  const dropped = rows.filter((r) => r.iiDropped).map((r) => `${r.module} dropped ${r.iiDropped}`);
  L.push('# zkrtl benchmark results', '');
  L.push('Written by `npm run bench` (`bench/run.ts`) from `bench/results.json`. `npm run bench -- --only SECTION` re-measures some sections and keeps the others, so sections can come from different commits, machines and tools: each section states its own provenance under its heading.', '');
  const F: string[] = [];
  F.push('## Floors', '');
  F.push('| floor | measured | met |', '|---|---|---|');
  F.push(`| II = 1 for every block (${iiHow}) | II ${iiSeen}${gaps}${dropped.length ? `; ${dropped.join(', ')}` : ''} | ${allIi1 ? 'yes' : 'NO'} |`);
  F.push(`| 254-bit montmul (bn254.fr, 26x17 tiles) ≤ ${DSP_FLOOR_254} DSP48E2 | ${bn.xilinx.dsps} DSP48E2 (${bn.tiles} tiles planned) | ${bn.xilinx.dsps <= DSP_FLOOR_254 ? 'yes' : 'NO'} |`);
  for (const [field, floor] of Object.entries(DSP_FLOOR_KARATSUBA)) {
    const r = montmuls.find((x) => x.field === field && x.module === `montmul_${field.replace('.', '_')}`);
    if (!r || r.karatsuba === undefined) continue;
    const before = results.multiplierVariants?.find((v) => v.field === field && v.params.karatsuba === '0');
    F.push(`| montmul ${field} (${r.bits} bits) ≤ ${floor} DSP48E2 (issue 11) | ${r.xilinx.dsps} DSP48E2 (Karatsuba ${r.karatsuba} level(s), m·p ${r.mpCut ? `from bit ${r.mpCut}` : 'whole'})${before ? `; ${before.xilinx.dsps} with the plain grid and the whole m·p` : ''} | ${r.xilinx.dsps <= floor ? 'yes' : 'NO'} |`);
  }
  if (results.proofs?.length) {
    const all = results.proofs.flatMap((pr) => pr.lemmas);
    const bad = results.proofs.filter((pr) => pr.lemmas.some((l) => l.verdict !== 'proved')).map((pr) => pr.module);
    F.push(`| every montmul the default config emits passes \`zkrtl prove\` (section "Proofs", its own provenance) | ${all.filter((l) => l.verdict === 'proved').length} of ${all.length} lemmas proved for ${results.proofs.length} multipliers${bad.length ? `; not: ${bad.join(', ')}` : ''} | ${bad.length ? 'NO' : 'yes'} |`);
  }
  F.push(`| golden-model montmul ≥ 1M ops/s in Node (slowest field) | ${fmt(slowestModel)}ops/s | ${slowestModel >= 1e6 ? 'yes' : 'NO'} |`, '');
  F.push('## Field blocks (default config)', '');
  F.push('Xilinx: `synth_xilinx -family xcup` (UltraScale+). Generic: Yosys `synth` stopped before fine-grained mapping, so the counts are word-level cells: multipliers (`$mul`/`$macc`, `$macc_v2` in newer Yosys; one per tile), adders (`$alu`/`$add`/`$sub`) and registers (`$dff`/`$sdff`, each a whole word). Longest path: Yosys `ltp` on the flattened netlist between registers, in cells (LUT levels in brackets; each CARRY4 counts as a cell). Yosys maps carry chains to CARRY4 even for UltraScale+ (which has CARRY8), and it does not pack registers into DSP48E2, so the FF column includes the tile input/output registers that a vendor flow could absorb into the DSPs (AREG/BREG/MREG); nothing here runs Vivado, so how many it would absorb is not measured.', '');
  F.push(`II: ${iiHow}.`, '');
  const proofOf = (module: string) => results.proofs?.find((pr) => pr.module === module);
  F.push('Karatsuba: levels on a·b (`karatsuba=auto`). m·p: `whole`, or the high band from bit g (`mp=auto`). proof: lemmas proved / lemmas of `zkrtl prove` on the same design and their total time, from the section "Proofs" (its own run and provenance).', '');
  F.push('| module | field | bits | latency | II | Karatsuba | m·p | tiles | LUT | FF | DSP48E2 | CARRY4 | SRL | longest path xilinx | generic cells (mul / add / reg) | proof | Verilator vectors/s | model ops/s |');
  F.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const x = r.xilinx;
    const pr = proofOf(r.module);
    const proof = pr ? `${pr.lemmas.filter((l) => l.verdict === 'proved').length}/${pr.lemmas.length}, ${(pr.lemmas.reduce((a, l) => a + l.ms, 0) / 1000).toFixed(1)} s` : '–';
    const shape = r.block === 'montmul' && r.karatsuba !== undefined ? `${r.karatsuba} | ${r.mpCut ? `from bit ${r.mpCut}` : 'whole'}` : '– | –';
    F.push(`| ${r.module} | ${r.field} | ${r.bits} | ${r.latency} | ${fmtIi(r.iiMeasured)}${r.iiDropped ? ` (${r.iiDropped} dropped)` : ''} | ${shape} | ${r.tiles ?? '–'} | ${x.luts} | ${x.ffs} | ${x.dsps} | ${x.carry} | ${x.srl ?? 0} | ${x.longestPath.cells} (${x.longestPath.lutLevels ?? '–'}) | ${r.generic.totalCells} (${wordCells(r.generic, /^\$(mul|macc(_v2)?)$/)} / ${wordCells(r.generic, /^\$(alu|add|sub)$/)} / ${wordCells(r.generic, /^\$(s?dff|dffe|sdffe|sdffce|adff)$/)}) | ${proof} | ${fmt(r.verilatorVectorsPerSecond)} | ${fmt(r.modelOpsPerSecond)} |`);
  }
  if (results.multiplierVariants?.length) F.push(...renderMultiplierVariants(rows, results.multiplierVariants));
  F.push('', '## What a 254-bit montmul costs, stage by stage (bn254.fr, xilinx)', '');
  F.push('| stage | LUT | FF | DSP48E2 | CARRY4 |', '|---|---|---|---|---|');
  for (const s of stages) F.push(`| ${s.module} | ${s.report.luts} | ${s.report.ffs} | ${s.report.dsps} | ${s.report.carry} |`);
  const dspTotal = stages.reduce((a, s) => a + s.report.dsps, 0);
  const lutTotal = stages.reduce((a, s) => a + s.report.luts, 0);
  F.push('');
  const shape = bn.karatsuba !== undefined ? `a·b with ${bn.karatsuba} Karatsuba level(s), ` : '';
  const band = bn.mpCut ? `, m·p keeps only its high band (its tiles wholly below bit ${bn.mpCut} are not built)` : '';
  F.push(`DSPs: the three products take ${stages.map((s) => s.report.dsps).join(' + ')} = ${dspTotal} DSP48E2 against ${DSP_FLOOR_254} for three full 254×254 tile grids: ${shape}the m stage keeps only the tiles below bit k (a low half-product)${band}, the constant p has zero and power-of-two 17-bit chunks that need no tile at all, and Yosys builds the few tiles whose constant chunk is narrow in LUTs (so DSPs can come out below the planned tiles). LUTs: ${lutTotal} of the ${bn.xilinx.luts} LUTs of the whole multiplier are in the three products (adder trees summing partial products in carry chains${shape ? ', Karatsuba pre-adders and recombination' : ''}); the rest is the final conditional subtraction and glue. FFs are dominated by the one-register-per-adder-level pipelining (tree=1); \`tree=2\` or \`depth=\` trades them for latency and path length.`);
  F.push('');
  F.push(`Longest path: ${bn.xilinx.longestPath.cells} cells for the 254-bit montmul, almost all of them CARRY4s of one adder level: the widest adders span hundreds of bits (carry chains). Splitting wide adders into registered carry segments is the next step for Fmax; \`tree=0\`/\`tree=2\` move the other way (fewer registers, longer paths).`);
  F.push('');
  F.push('## Anchors', '');
  F.push(`- Three 254-bit products on a 26×17 grid are 3 · ⌈254/26⌉ · ⌈254/17⌉ = ${DSP_FLOOR_254} DSP48E2 (arithmetic, not a published figure): the floor above; a Montgomery multiplier built from three full products lands there.`);
  const small = rows.filter((r) => r.block === 'montmul' && r.bits <= 64);
  F.push(`- Sparse primes (Goldilocks, BabyBear, KoalaBear, Mersenne-31: at most 3 signed digits) are reduced with shift-and-add, so their montmul spends DSPs on the a·b tiles only (measured, in the table above): ${small.map((r) => `${r.field} ${r.xilinx.dsps} DSP48E2`).join(', ')} with 26×17 tiles.`);
  F.push('');
  if (results.butterflies?.length) F.push(...renderButterflies(results.butterflies, 'Measured with the field blocks: a butterfly is its field\'s default montmul (Karatsuba and the high band of m·p where they apply) plus a modadd and a modsub. The NTT cores below are Goldilocks, whose multiplier issue 11 left as it was (Karatsuba does not pay at 64 bits; p′ and p by shift-and-add).'));
  L.push(...underHeadings(F, note('fields')));
  if (results.proofs?.length) L.push(...underHeadings(renderProofs(results.proofs), note('proofs')));
  if (results.freeze) L.push(...underHeadings(renderFreeze(results.freeze), note('freeze')));
  if (results.twiddles?.length) L.push(...underHeadings(renderTwiddles(results.twiddles), note('twiddles')));
  if (results.ntt) L.push(...underHeadings(renderNtt(results.ntt, { butterflies: !results.butterflies?.length }), note('ntt')));
  if (results.rv32im) L.push(...underHeadings(renderRv32imMarkdown(results.rv32im).split('\n'), note('rv32im')));
  if (results.rv32imModules) L.push(...underHeadings(renderRv32imModules(results.rv32imModules), note('rv32im-modules')));
  if (results.rv32imArea) L.push(...underHeadings(renderRv32imArea(results.rv32imArea), note('rv32im-area')));
  if (results.rv32imProofs) L.push(...underHeadings(renderRv32imProofs(results.rv32imProofs), note('rv32im-proofs')));
  if (results.ecadd) L.push(...underHeadings(renderEcadd(results.ecadd), note('ecadd')));
  if (results.msm) {
    // The model-against-noble timing can be re-measured alone (`--only msm-model`).
    const msmNote = note('msm') === note('msm-model') ? note('msm') : `${note('msm')} The model-against-noble timing: ${note('msm-model').replace(/^M/, 'm')}`;
    L.push(...underHeadings(renderMsm(results.msm), msmNote));
  }
  if (results.asic) L.push(...underHeadings(renderAsic(results.asic), note('asic')));
  return L.join('\n');
}

const signed = (v: number) => (v > 0 ? `+${v}` : `${v}`);
const pctChange = (now: number, before: number) => (before === 0 ? '' : ` (${signed(Math.round((100 * (now - before)) / before))}%)`);

/** The default montmul beside the plain grid and Karatsuba alone, synthesized in the same run. */
function renderMultiplierVariants(rows: Row[], variants: MultiplierVariantRow[]): string[] {
  const F: string[] = ['', '## Karatsuba and the high band of m·p, before and after (xilinx)', ''];
  F.push('Each field\'s montmul three ways, synthesized in the same run: the plain tile grid with the whole m·p product (the design before issue 11), Karatsuba on a·b alone, and the default (Karatsuba and the high band of m·p). Changes are against the first row of the field.', '');
  F.push('| module | field | configuration | latency | tiles | DSP48E2 | LUT | FF | CARRY4 | longest path |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const field of [...new Set(variants.map((v) => v.field))]) {
    const def = rows.find((r) => r.field === field && r.block === 'montmul');
    const list = [...variants.filter((v) => v.field === field), ...(def ? [{ module: def.module, field, label: 'default: Karatsuba (auto) and the high band', params: {}, latency: def.latency, tiles: def.tiles ?? 0, xilinx: def.xilinx }] : [])];
    const base = list[0].xilinx;
    for (const v of list) {
      const x = v.xilinx;
      const ch = (now: number, before: number) => (v === list[0] ? String(now) : `${now}${pctChange(now, before)}`);
      F.push(`| ${v.module} | ${field} | ${v.label} | ${v.latency} | ${v.tiles} | ${ch(x.dsps, base.dsps)} | ${ch(x.luts, base.luts)} | ${ch(x.ffs, base.ffs)} | ${ch(x.carry, base.carry)} | ${x.longestPath.cells} (${x.longestPath.lutLevels ?? '–'}) |`);
    }
  }
  // What the rows say about LUTs, read off them (Karatsuba alone, then with the band).
  const lutChange = (field: string, karatsubaOnly: boolean) => {
    const before = variants.find((v) => v.field === field && v.params.karatsuba === '0');
    const after = karatsubaOnly ? variants.find((v) => v.field === field && v.params.karatsuba === undefined) : rows.find((r) => r.field === field && r.block === 'montmul');
    return before && after ? `${field} ${pctChange(after.xilinx.luts, before.xilinx.luts).trim()}` : '';
  };
  const fields = [...new Set(variants.map((v) => v.field))];
  F.push('', `Where it stands against hardcaml_zprize (whose Karatsuba ran into LUT routing before DSPs, as quoted in issue 11): these are Yosys counts, not placed designs, so routing pressure is not measured here. LUTs against the plain grid, from the rows above: Karatsuba alone ${fields.map((f) => lutChange(f, true)).join(', ')}; with the high band of m·p too ${fields.map((f) => lutChange(f, false)).join(', ')}.`);
  return F;
}

/** Every lemma of every proof, grouped per multiplier. */
function renderProofs(proofs: ProofRow[]): string[] {
  const F: string[] = ['', '## Proofs: `zkrtl prove` on every montmul of the default config', ''];
  F.push('Each lemma is about the generated design itself: the symbolic ones read its product netlists back to the inputs (every partial product once, at its weight; no adder truncates), the z3 ones (z3-solver, WebAssembly, linear integer arithmetic) prove the REDC steps with its own constants and band, `rtl.wiring` reads its Verilog (README, "Proofs"). Times are wall clock on this machine, one lemma at a time; the first z3 query of the run includes starting z3.', '');
  const names = [...new Set(proofs.flatMap((pr) => pr.lemmas.map((l) => l.name)))];
  F.push(`| module | field | ${names.join(' | ')} | total |`, `|---|---|${names.map(() => '---|').join('')}---|`);
  for (const pr of proofs) {
    const cell = (n: string) => {
      const l = pr.lemmas.find((x) => x.name === n);
      return l ? `${l.verdict === 'proved' ? '' : `**${l.verdict}** `}${l.ms < 1000 ? `${l.ms} ms` : `${(l.ms / 1000).toFixed(1)} s`}` : '–';
    };
    F.push(`| ${pr.module} | ${pr.field} | ${names.map(cell).join(' | ')} | ${(pr.lemmas.reduce((a, l) => a + l.ms, 0) / 1000).toFixed(1)} s |`);
  }
  F.push('');
  return F;
}

// Run only as the entry script (a test imports renderMarkdown).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--render')) {
    // `--render`: rewrite results.md from the committed results.json (no tools run).
    const saved = JSON.parse(readFileSync(join(BENCH_DIR, 'results.json'), 'utf8'));
    writeFileSync(join(BENCH_DIR, 'results.md'), renderMarkdown(saved));
  } else {
    await main();
  }
}
