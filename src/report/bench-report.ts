// The benchmark as a page: bench/results.json (written by `npm run bench`) → one self-contained
// HTML file of plots and sortable tables, with the published figures we compare against
// (the anchors of bench/results.md) drawn as labelled reference lines and points. Pure: the
// same results give the same text. The input is untrusted JSON: every section is read
// defensively, and a section that is missing (or unreadable) becomes one line saying so.
import { htmlPage, sortableTable, type TableColumn } from './html.ts';
import { barSvg, escapeHtml, scatterSvg, type BarGroup, type ScatterPoint, type ScatterSeries, type Tick } from './svg.ts';

/**
 * Published figures the results are set against, as bench/results.md quotes them (not
 * measured here; sources there: ZPrize 2022 and 2023 results, the hardcaml_zprize MSM
 * documentation, Aasaraai et al., "CycloneMSM", IACR ePrint 2022/1396, the PicoRV32 and
 * VexRiscv READMEs), and the floors the benchmark checks.
 */
export const BENCH_ANCHORS = {
  /** Three full 254×254 products on a 26×17 DSP grid: 3 · ⌈254/26⌉ · ⌈254/17⌉. */
  fullProducts254Dsp: 3 * Math.ceil(254 / 26) * Math.ceil(254 / 17),
  /** ZPrize 2022 winning Goldilocks NTT: DSP48E2 per butterfly. */
  zprizeNttDspPerButterfly: 12,
  nttUtilizationFloor: 97,
  rv32imCpiFloor: 1.3,
  /** PicoRV32: CPI ≈ 4–4.8, ≈ 1,000 Xilinx LUTs. */
  picorv32Cpi: 4,
  picorv32Luts: 1000,
  /** VexRiscv "small": 504 LUTs at 243 MHz on Artix-7. */
  vexriscvSmallLuts: 504,
  /** hardcaml_zprize (ZPrize 2022 MSM, BLS12-377): Edwards mixed adder latency, DSP of the whole MSM design, accumulation occupancy. */
  hardcamlAdderLatency: 238,
  hardcamlMsmDsp: 2999,
  hardcamlOccupancy: 97,
  /** CycloneMSM (BLS12-377, twisted Edwards): adder pipeline stages and DSP, end-to-end adder busy share at 2^26. */
  cycloneAdderStages: 96,
  cycloneAdderDsp: 2268,
  cycloneEndToEnd: 76,
  /** ZPrize 2023 FPGA winner: 3 adders at about 92 %. */
  zprize2023Occupancy: 92,
  msmAccumulationFloor: 97,
  msmReductionFloor: 90,
  /** "a RISC-V core ≈ 0.1 mm²" (the talk's figure, a modern node). */
  riscvCoreMm2: 0.1,
  /** sky130_fd_sc_hd__nand2_1 area (µm²) and the ideal 180 → 28 nm shrink, as bench/asic.ts uses them. */
  sky130Nand2Um2: 1.38 * 2.72,
  shrink28nm: (28 / 180) ** 2,
} as const;

const A = BENCH_ANCHORS;

// ---------------------------------------------------------------------------------------
// Reading untrusted JSON

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const objs = (v: unknown): Obj[] => arr(v).filter(isObj);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const pct = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? (100 * a) / b : undefined);
const defined = <T>(v: T | undefined): v is T => v !== undefined;

/** Powers of two from 2^lo to 2^hi as ticks labelled 2^k. */
function pow2Ticks(values: number[]): Tick[] {
  const ks = values.filter((v) => v > 0).map((v) => Math.round(Math.log2(v)));
  if (!ks.length) return [];
  const ticks: Tick[] = [];
  for (let k = Math.min(...ks); k <= Math.max(...ks); k++) ticks.push({ value: 2 ** k, label: `2^${k}` });
  return ticks;
}

const pow2Label = (n: number) => (Number.isInteger(Math.log2(n)) ? `2^${Math.log2(n)}` : String(n));

function plots(...svgs: string[]): string {
  return `<div class="plots">\n${svgs.join('\n')}\n</div>`;
}

function table(summary: string, columns: TableColumn[], rows: Record<string, string | number | undefined>[]): string {
  return `<details><summary>${escapeHtml(summary)}</summary>\n${sortableTable(columns, rows)}\n</details>`;
}

const missing = (what: string) => `<p class="missing">${escapeHtml(what)}</p>`;

interface Section {
  id: string;
  title: string;
  html: string;
}

/** One section; an exception while reading it becomes a line in the page, not a failed report. */
function section(id: string, title: string, build: () => string): Section {
  try {
    return { id, title, html: build() };
  } catch (e) {
    return { id, title, html: missing(`This section could not be drawn from results.json: ${e instanceof Error ? e.message : String(e)}.`) };
  }
}

const W = 660; // plot width: two plots side by side in a 1400 px window
const H = 380;

// ---------------------------------------------------------------------------------------
// Field blocks

/** What the rows' measured II says, not what it should say. */
function iiSummary(rows: Obj[]): string {
  const iis = [...new Set(rows.map((x) => num(x.iiMeasured)).filter(defined))].sort((a, b) => a - b);
  if (!iis.length) return 'II not measured';
  const how = rows.every((x) => 'iiMaxGap' in x)
    ? 'back to back, from the cycles the results came out'
    : 'as extra cycles per extra vector between a 1-vector and an N-vector run: the method before issue 14, which gives 1 for any block that keeps its latency';
  return `II measured in Verilator (${how}): ${iis.join(', ')}${iis.length === 1 && iis[0] === 1 ? ' for every block' : ''}`;
}

function fieldSection(r: Obj): string {
  const rows = objs(r.rows);
  if (!rows.length) return missing('No field-block rows in results.json (run `npm run bench -- --only fields`).');
  const fields: string[] = [];
  for (const row of rows) {
    const f = str(row.field);
    if (f && !fields.includes(f)) fields.push(f);
  }
  const of = (block: string, field: string) => rows.find((x) => x.block === block && x.field === field);
  const xil = (row: Obj | undefined) => obj(row?.xilinx);
  const blocks = ['montmul', 'modadd', 'modsub'].filter((b) => rows.some((x) => x.block === b));
  const dspBlocks = blocks.filter((b) => rows.some((x) => x.block === b && (num(xil(x).dsps) ?? 0) > 0));

  const dspGroups: BarGroup[] = fields.map((f) => ({
    label: f,
    values: [
      ...dspBlocks.map((b) => ({ name: `${b} DSP48E2`, value: num(xil(of(b, f)).dsps) })),
      ...(dspBlocks.includes('montmul') ? [{ name: 'montmul tiles planned', value: num(of('montmul', f)?.tiles) }] : []),
    ].filter((v): v is { name: string; value: number } => v.value !== undefined),
  }));
  const lutGroups: BarGroup[] = fields.map((f) => ({
    label: f,
    values: blocks.map((b) => ({ name: b, value: num(xil(of(b, f)).luts) })).filter((v): v is { name: string; value: number } => v.value !== undefined),
  }));
  const out: string[] = [];
  out.push(`<p>Yosys <code>synth_xilinx -family xcup</code> (UltraScale+) of each block of the default config; ${iiSummary(rows)}. Log scales: the fields span 31 to 381 bits.</p>`);
  const dspPlot = dspBlocks.length
    ? barSvg({
        title: 'DSP48E2 per field (montmul)',
        yLabel: 'DSP48E2 (log)',
        groups: dspGroups,
        logY: true,
        valueLabels: true,
        referenceLines: [{ axis: 'y', value: A.fullProducts254Dsp, label: `three full 254-bit products, 26×17 tiles: ${A.fullProducts254Dsp} (floor for bn254)` }],
        width: W,
        height: H,
      })
    : '';
  const lutPlot = barSvg({ title: `LUTs per field (${blocks.join(', ')})`, yLabel: 'LUT (log)', groups: lutGroups, logY: true, valueLabels: true, width: W, height: H });
  out.push(plots(dspPlot, lutPlot));
  if (dspBlocks.length < blocks.length) out.push(`<p class="note">${escapeHtml(blocks.filter((b) => !dspBlocks.includes(b)).join(' and '))} use no DSPs (carry chains and LUTs only).</p>`);

  const stages = objs(r.bn254Stages);
  const stageVals = stages.map((s) => ({ name: (str(s.module) ?? '?').replace(/^montmul_bn254_fr_/, ''), dsp: num(obj(s.report).dsps), lut: num(obj(s.report).luts) }));
  if (stageVals.some((s) => s.dsp !== undefined)) {
    const stack = (key: 'dsp' | 'lut') => stageVals.filter((s) => s[key] !== undefined).map((s) => ({ name: `${s.name} stage`, value: s[key]! }));
    out.push(
      '<h3>What a 254-bit montmul spends, stage by stage (bn254.fr)</h3>',
      '<p>The three products a·b, m = (a·b mod R)·p′ (low half only) and m·p, each synthesized on its own.</p>',
      plots(
        barSvg({
          title: 'montmul_bn254_fr: DSP48E2 by stage',
          yLabel: 'DSP48E2',
          groups: [{ label: 'bn254.fr montmul', values: stack('dsp') }],
          stacked: true,
          valueLabels: true,
          referenceLines: [{ axis: 'y', value: A.fullProducts254Dsp, label: `three full products: ${A.fullProducts254Dsp}` }],
          width: 420,
          height: H,
        }),
        barSvg({ title: 'montmul_bn254_fr: LUTs by stage', yLabel: 'LUT', groups: [{ label: 'bn254.fr montmul', values: stack('lut') }], stacked: true, valueLabels: true, width: 420, height: H }),
      ),
    );
  }
  out.push(
    table(
      'Table: field blocks',
      [
        { key: 'module', label: 'module' },
        { key: 'block', label: 'block' },
        { key: 'field', label: 'field' },
        { key: 'bits', label: 'bits', numeric: true },
        { key: 'latency', label: 'latency', numeric: true },
        { key: 'ii', label: 'II', numeric: true },
        { key: 'tiles', label: 'tiles', numeric: true },
        { key: 'lut', label: 'LUT', numeric: true },
        { key: 'ff', label: 'FF', numeric: true },
        { key: 'dsp', label: 'DSP48E2', numeric: true },
        { key: 'carry', label: 'CARRY4', numeric: true },
        { key: 'path', label: 'longest path (cells)', numeric: true },
        { key: 'vps', label: 'Verilator vectors/s', numeric: true },
        { key: 'ops', label: 'model ops/s', numeric: true },
      ],
      rows.map((x) => ({
        module: str(x.module),
        block: str(x.block),
        field: str(x.field),
        bits: num(x.bits),
        latency: num(x.latency),
        ii: num(x.iiMeasured),
        tiles: num(x.tiles),
        lut: num(xil(x).luts),
        ff: num(xil(x).ffs),
        dsp: num(xil(x).dsps),
        carry: num(xil(x).carry),
        path: num(obj(xil(x).longestPath).cells),
        vps: round(num(x.verilatorVectorsPerSecond)),
        ops: round(num(x.modelOpsPerSecond)),
      })),
    ),
  );
  return out.join('\n');
}

const round = (v: number | undefined) => (v === undefined ? undefined : Math.round(v));

// ---------------------------------------------------------------------------------------
// NTT

/** `butterflies`: the ones measured with the field blocks (since issue 11), else the NTT section's. */
/** What freezing the prime buys: frozen best against the programmable twin, per field. */
function freezeSection(fr: Obj): string {
  const rows = objs(fr.rows);
  const twins = objs(fr.twins);
  if (!rows.length) return missing('No rows in the freeze section of results.json.');
  const twin = (m: unknown) => obj(twins.find((t) => t.module === m)?.xilinx);
  const best = (r: Obj) => obj(objs(r.frozen).find((x) => x.module === r.best)?.xilinx);
  const groups = (key: 'dsps' | 'luts'): BarGroup[] => rows.map((r) => ({
    label: str(r.field) ?? '?',
    values: [
      { name: 'frozen best', value: num(best(r)[key]) },
      { name: 'programmable, own width', value: num(twin(r.twinOwn)[key]) },
      { name: 'programmable, 384 bits', value: num(twin(r.twinWide)[key]) },
    ].filter((v): v is { name: string; value: number } => v.value !== undefined),
  }));
  const out: string[] = [];
  out.push('<p>Per field, Yosys <code>synth_xilinx -family xcup</code> from one run: the frozen best (montmul, or a modmul where p folds and the fold is cheaper) against the programmable-prime twin (<code>montmul --param prime=runtime</code>) at the prime\'s own width and at 384 bits. Log scales. The ratios and what they say about the "2× for freezing, up to 4× with the width" claim are in <code>bench/results.md</code>.</p>');
  out.push(plots(
    barSvg({ title: 'DSP48E2: frozen against programmable', yLabel: 'DSP48E2 (log)', groups: groups('dsps'), logY: true, valueLabels: true, width: W, height: H }),
    barSvg({ title: 'LUTs: frozen against programmable', yLabel: 'LUT (log)', groups: groups('luts'), logY: true, valueLabels: true, width: W, height: H }),
  ));
  out.push(table('Frozen best and the programmable twin', [
    { key: 'field', label: 'field' }, { key: 'best', label: 'frozen best' },
    { key: 'fd', label: 'frozen DSP', numeric: true }, { key: 'fl', label: 'frozen LUT', numeric: true },
    { key: 'od', label: 'twin own DSP', numeric: true }, { key: 'ol', label: 'twin own LUT', numeric: true },
    { key: 'wd', label: 'twin 384 DSP', numeric: true }, { key: 'wl', label: 'twin 384 LUT', numeric: true },
  ], rows.map((r) => ({
    field: str(r.field), best: str(r.best),
    fd: num(best(r).dsps), fl: num(best(r).luts), od: num(twin(r.twinOwn).dsps), ol: num(twin(r.twinOwn).luts), wd: num(twin(r.twinWide).dsps), wl: num(twin(r.twinWide).luts),
  }))));
  return out.join('\n');
}

function nttSection(ntt: Obj, butterflyRows: Obj[]): string {
  const cores = objs(ntt.cores);
  const out: string[] = [];
  if (cores.length) {
    const lanes = [...new Set(cores.map((x) => num(x.lanes)).filter(defined))].sort((a, b) => a - b);
    const modes = [...new Set(cores.map((x) => str(x.overlap) ?? 'off'))].sort().reverse();
    const series = (y: (x: Obj) => number | undefined): ScatterSeries[] =>
      lanes.flatMap((l) => modes.map((o) => ({ l, o }))).map(({ l, o }) => ({
        name: `lanes = ${l}, overlap ${o}`,
        points: cores
          .filter((x) => x.lanes === l && (str(x.overlap) ?? 'off') === o)
          .map((x) => ({ n: num(x.n), y: y(x), m: str(x.module) ?? '' }))
          .filter((p): p is { n: number; y: number; m: string } => p.n !== undefined && p.y !== undefined)
          .map((p) => ({ x: p.n, y: p.y, label: p.m })),
      }));
    const ns = cores.map((x) => num(x.n)).filter(defined);
    const xTicks = pow2Ticks(ns);
    out.push(`<p>${escapeHtml(str(ntt.field) ?? '')} cores, transforms streamed back to back in Verilator and checked against the golden model and @noble/curves' FFT; utilization = ideal butterfly cycles (N/2 · log2 N / lanes) ÷ cycles between successive done pulses, counted by the harness. overlap on: two buffer sets; off: load, compute and unload in turn.</p>`);
    out.push(
      plots(
        scatterSvg({
          title: 'NTT end-to-end utilization against N (back to back)',
          xLabel: 'N (points, log scale)',
          yLabel: 'utilization (%)',
          series: series((x) => (num(x.utilization) !== undefined ? 100 * num(x.utilization)! : undefined)),
          logX: true,
          xTicks,
          lines: true,
          referenceLines: [{ axis: 'y', value: A.nttUtilizationFloor, label: `floor ${A.nttUtilizationFloor} %` }],
          width: W,
          height: H,
        }),
        scatterSvg({
          title: 'NTT cost against N: LUTs',
          xLabel: 'N (points, log scale)',
          yLabel: 'LUT (log)',
          series: series((x) => num(obj(x.xilinx).luts)),
          logX: true,
          logY: true,
          xTicks,
          lines: true,
          width: W,
          height: H,
        }),
        scatterSvg({
          title: 'NTT cost against N: block RAMs (RAMB18E2 + RAMB36E2)',
          xLabel: 'N (points, log scale)',
          yLabel: 'BRAM primitives (log)',
          series: series((x) => num(obj(x.xilinx).bram)),
          logX: true,
          logY: true,
          xTicks,
          lines: true,
          width: W,
          height: H,
        }),
      ),
    );
    out.push(
      table(
        'Table: NTT cores',
        [
          { key: 'module', label: 'module' },
          { key: 'n', label: 'N', numeric: true },
          { key: 'lanes', label: 'lanes', numeric: true },
          { key: 'overlap', label: 'overlap' },
          { key: 'period', label: 'period (cycles between done)', numeric: true },
          { key: 'ideal', label: 'ideal', numeric: true },
          { key: 'util', label: 'utilization %', numeric: true },
          { key: 'latency', label: 'latency', numeric: true },
          { key: 'lut', label: 'LUT', numeric: true },
          { key: 'ff', label: 'FF', numeric: true },
          { key: 'dsp', label: 'DSP48E2', numeric: true },
          { key: 'bram', label: 'BRAM', numeric: true },
        ],
        cores.map((x) => ({
          module: str(x.module),
          n: num(x.n),
          lanes: num(x.lanes),
          overlap: str(x.overlap),
          period: num(x.periodMeasured),
          ideal: num(x.ideal),
          util: num(x.utilization) !== undefined ? Math.round(num(x.utilization)! * 10000) / 100 : undefined,
          latency: num(x.latencyMeasured),
          lut: num(obj(x.xilinx).luts),
          ff: num(obj(x.xilinx).ffs),
          dsp: num(obj(x.xilinx).dsps),
          bram: num(obj(x.xilinx).bram),
        })),
      ),
    );
  } else out.push(missing('No NTT cores in results.json.'));

  const butterflies = butterflyRows.filter((b) => b.kind === 'ct' || !butterflyRows.some((x) => x.kind === 'ct'));
  if (butterflies.length) {
    out.push(
      '<h3>Butterflies</h3>',
      plots(
        barSvg({
          title: 'DSP48E2 per butterfly (Cooley–Tukey; Gentleman–Sande is the same)',
          yLabel: 'DSP48E2 (log)',
          groups: butterflies.map((b) => ({ label: str(b.field) ?? str(b.module) ?? '?', values: [{ name: 'DSP48E2', value: num(obj(b.xilinx).dsps) ?? NaN }] })),
          logY: true,
          valueLabels: true,
          referenceLines: [{ axis: 'y', value: A.zprizeNttDspPerButterfly, label: `ZPrize 2022 winning Goldilocks NTT: ${A.zprizeNttDspPerButterfly} per butterfly (published)` }],
          width: W,
          height: H,
        }),
        barSvg({
          title: 'LUTs per butterfly',
          yLabel: 'LUT (log)',
          groups: butterflies.map((b) => ({ label: str(b.field) ?? str(b.module) ?? '?', values: [{ name: 'LUT', value: num(obj(b.xilinx).luts) ?? NaN }] })),
          logY: true,
          valueLabels: true,
          width: W,
          height: H,
        }),
      ),
    );
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------
// rv32im

// Preferred order of the non-retiring causes; any other cause a run reports follows them.
const STALL_ORDER = ['fill', 'imem-wait', 'predicted-taken', 'mispredict', 'load-use', 'muldiv', 'dmem-wait', 'env-wait', 'serialize', 'counter-wait', 'mc-fetch', 'mc-operands', 'mc-execute', 'redirect'];

/** The causes any run spent cycles on, in STALL_ORDER first. */
function stallCauses(runs: Obj[]): string[] {
  const used = (k: string) => runs.some((x) => (num(obj(x.stalls)[k]) ?? 0) > 0);
  const causes = STALL_ORDER.filter(used);
  for (const k of runs.flatMap((x) => Object.keys(obj(x.stalls)))) if (!causes.includes(k) && used(k)) causes.push(k);
  return causes;
}

function rv32imSection(rv: Obj): string {
  const runs = objs(rv.runs);
  const out: string[] = [];
  const configs = [...new Set(runs.map((x) => str(x.config)).filter(defined))];
  if (runs.length) {
    out.push('<p>C programs of <code>bench/riscv/</code> on the generated cores under Verilator (memory answering in the same cycle); every run\'s output equals qemu-riscv32\'s. A bar is the program\'s CPI: one cycle per retired instruction, the other cycles per instruction by cause (every cycle has exactly one: the cores count it in hardware; runs measured before issue 14 may leave some unattributed).</p>');
    const causes = stallCauses(runs);
    const figs = configs.map((cfg) => {
      const groups: BarGroup[] = runs
        .filter((x) => x.config === cfg)
        .map((x) => {
          const instret = num(x.instret);
          const cycles = num(x.cycles);
          if (!instret || cycles === undefined) return { label: str(x.program) ?? '?', values: [] };
          const stalls = causes.map((k) => ({ name: `${k} stalls`, value: (num(obj(x.stalls)[k]) ?? 0) / instret }));
          const other = cycles / instret - 1 - stalls.reduce((a, s) => a + s.value, 0);
          return { label: str(x.program) ?? '?', values: [{ name: 'retired instructions', value: 1 }, ...stalls.filter((s) => s.value > 0), ...(other > 0.0005 ? [{ name: 'other cycles', value: other }] : [])] };
        });
      const floor = cfg === 'pipeline=5' ? [{ axis: 'y' as const, value: A.rv32imCpiFloor, label: `floor: mean CPI ≤ ${A.rv32imCpiFloor}` }] : [];
      return barSvg({
        title: `CPI per program, ${cfg}`,
        yLabel: 'cycles per instruction',
        groups,
        stacked: true,
        valueLabels: true,
        referenceLines: [...floor, { axis: 'y', value: A.picorv32Cpi, label: 'PicoRV32: CPI ≈ 4–4.8 (published)' }],
        width: W,
        height: H + 40,
      });
    });
    out.push(plots(...figs));
  } else out.push(missing('No rv32im runs in results.json.'));

  const synth = objs(rv.synth);
  if (synth.length) {
    out.push(
      '<h3>Synthesis</h3>',
      plots(
        barSvg({
          title: 'rv32im cores: LUTs',
          yLabel: 'LUT',
          groups: synth.map((s) => ({
            label: str(s.config) ?? str(s.top) ?? '?',
            values: [
              { name: 'Xilinx LUT (xcup)', value: num(obj(s.xilinx).luts) },
              { name: 'iCE40 LUT4', value: num(obj(s.ice40).luts) },
            ].filter((v): v is { name: string; value: number } => v.value !== undefined),
          })),
          valueLabels: true,
          referenceLines: [
            { axis: 'y', value: A.picorv32Luts, label: 'PicoRV32 ≈ 1,000 Xilinx LUTs (published)' },
            { axis: 'y', value: A.vexriscvSmallLuts, label: 'VexRiscv small: 504 LUTs, Artix-7 (published)' },
          ],
          width: W,
          height: H,
        }),
        barSvg({
          title: 'rv32im cores on an iCE40 UP5K (nextpnr): Fmax',
          yLabel: 'Fmax (MHz)',
          groups: synth.map((s) => ({ label: str(s.config) ?? '?', values: [{ name: 'Fmax', value: num(obj(obj(s.pnr).report).fmaxMhz) ?? NaN }] })),
          valueLabels: true,
          width: 420,
          height: H,
        }),
      ),
    );
  }
  if (runs.length) {
    out.push(
      table(
        'Table: rv32im runs',
        [
          { key: 'program', label: 'program' },
          { key: 'config', label: 'configuration' },
          { key: 'instret', label: 'instret', numeric: true },
          { key: 'cycles', label: 'cycles', numeric: true },
          { key: 'cpi', label: 'CPI', numeric: true },
          ...stallCauses(runs).map((k) => ({ key: k, label: k, numeric: true })),
          { key: 'cps', label: 'Verilator cycles/s', numeric: true },
          { key: 'qemu', label: 'output = qemu' },
        ],
        runs.map((x) => ({
          program: str(x.program),
          config: str(x.config),
          instret: num(x.instret),
          cycles: num(x.cycles),
          cpi: num(x.cpi) !== undefined ? Math.round(num(x.cpi)! * 1000) / 1000 : undefined,
          ...Object.fromEntries(stallCauses(runs).map((k) => [k, num(obj(x.stalls)[k])])),
          cps: round(num(x.verilatorCyclesPerSecond)),
          qemu: x.matchesQemu === true ? 'yes' : x.matchesQemu === false ? 'NO' : undefined,
        })),
      ),
    );
  }
  const anchors = arr(rv.anchors).map(str).filter(defined);
  if (anchors.length) out.push('<p class="note">Anchors (published, not measured here):</p>', `<ul class="anchors">${anchors.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ul>`);
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------
// Point adders

/** "bls12_377.g1 E mixed": curve, W(eierstrass) or (twisted) E(dwards), mode; the tag width only where two rows would read the same. */
function adderLabels(rows: Obj[]): string[] {
  const base = rows.map((x) => `${str(x.curve) ?? '?'} ${x.form === 'edwards' ? 'E' : x.form === 'weierstrass' ? 'W' : (str(x.form) ?? '')} ${str(x.mode) ?? ''}`.trim());
  return base.map((b, i) => {
    if (base.filter((o) => o === b).length === 1) return b;
    const tag = /_tag(\d+)$/.exec(str(rows[i]!.module) ?? '');
    return tag ? `${b} tag${tag[1]}` : `${b} (${str(rows[i]!.module) ?? i})`;
  });
}

function ecaddSection(ec: Obj): string {
  const rows = objs(ec.rows);
  if (!rows.length) return missing('No point-adder rows in results.json.');
  const out: string[] = [];
  out.push(`<p>Complete point adders, ${iiSummary(rows)}; Xilinx counts per unit, flattened. Every multiplication is a full montmul instance, so DSPs follow the multiplication count. W: Weierstrass (complete formulas), E: twisted Edwards; mixed: projective + affine, full: projective + projective, both: either, chosen per addition.</p>`);
  const curves = [...new Set(rows.map((x) => str(x.curve)).filter(defined))];
  const labels = adderLabels(rows);
  const adderLabel = (x: Obj) => labels[rows.indexOf(x)]!;
  const cost = (key: 'dsps' | 'luts') =>
    rows.map((x) => ({ label: adderLabel(x), values: [{ name: key === 'dsps' ? 'DSP48E2' : 'LUT', value: num(obj(x.xilinx)[key]) ?? NaN }] }));
  out.push(
    plots(
      barSvg({
        title: 'Point adders: DSP48E2',
        yLabel: 'DSP48E2',
        groups: cost('dsps'),
        valueLabels: true,
        referenceLines: [
          { axis: 'y', value: A.cycloneAdderDsp, label: 'CycloneMSM adder (BLS12-377 E): 2,268 (published)' },
          { axis: 'y', value: A.hardcamlMsmDsp, label: 'hardcaml_zprize whole MSM: 2,999 (published)' },
        ],
        width: W,
        height: H + 60,
      }),
      barSvg({ title: 'Point adders: LUTs', yLabel: 'LUT', groups: cost('luts'), valueLabels: true, width: W, height: H + 60 }),
      scatterSvg({
        title: 'Point adders: DSP48E2 against latency, with published adders',
        xLabel: 'latency (cycles)',
        yLabel: 'DSP48E2',
        series: curves.map((cv) => ({
          name: cv,
          points: rows
            .filter((x) => x.curve === cv)
            .map((x) => ({ x: num(x.latency), y: num(obj(x.xilinx).dsps), label: adderLabel(x) }))
            .filter((p): p is ScatterPoint => p.x !== undefined && p.y !== undefined),
        })),
        referencePoints: [
          { x: A.hardcamlAdderLatency, y: A.hardcamlMsmDsp, label: 'hardcaml_zprize (DSP: whole MSM)' },
          { x: A.cycloneAdderStages, y: A.cycloneAdderDsp, label: 'CycloneMSM adder' },
        ],
        pareto: true,
        width: W,
        height: H,
      }),
      barSvg({
        title: 'Point adders: latency',
        yLabel: 'cycles',
        groups: rows.map((x) => ({ label: adderLabel(x), values: [{ name: 'latency', value: num(x.latency) ?? NaN }] })),
        valueLabels: true,
        referenceLines: [
          { axis: 'y', value: A.hardcamlAdderLatency, label: 'hardcaml_zprize Edwards mixed adder: 238 (published)' },
          { axis: 'y', value: A.cycloneAdderStages, label: 'CycloneMSM adder: 96 stages (published)' },
        ],
        width: W,
        height: H + 60,
      }),
    ),
  );
  out.push(
    table(
      'Table: point adders',
      [
        { key: 'module', label: 'module' },
        { key: 'curve', label: 'curve' },
        { key: 'form', label: 'form' },
        { key: 'mode', label: 'mode' },
        { key: 'latency', label: 'latency', numeric: true },
        { key: 'mults', label: 'multiplications', numeric: true },
        { key: 'levels', label: 'levels', numeric: true },
        { key: 'ii', label: 'II', numeric: true },
        { key: 'lut', label: 'LUT', numeric: true },
        { key: 'ff', label: 'FF', numeric: true },
        { key: 'dsp', label: 'DSP48E2', numeric: true },
        { key: 'carry', label: 'CARRY4', numeric: true },
        { key: 'aps', label: 'Verilator adds/s', numeric: true },
        { key: 'model', label: 'model adds/s', numeric: true },
      ],
      rows.map((x) => ({
        module: str(x.module),
        curve: str(x.curve),
        form: str(x.form),
        mode: str(x.mode),
        latency: num(x.latency),
        mults: num(x.multiplications),
        levels: num(x.multiplierLevels),
        ii: num(x.iiMeasured),
        lut: num(obj(x.xilinx).luts),
        ff: num(obj(x.xilinx).ffs),
        dsp: num(obj(x.xilinx).dsps),
        carry: num(obj(x.xilinx).carry),
        aps: round(num(x.verilatorAddsPerSecond)),
        model: round(num(x.modelAddsPerSecond)),
      })),
    ),
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------
// MSM

function msmSection(msm: Obj): string {
  const rows = objs(msm.rows);
  const out: string[] = [];
  if (rows.length) {
    out.push(
      `<p>One MSM of N random ${escapeHtml(str(msm.curve) ?? '')} points per row through the generated core (${escapeHtml(str(msm.adder) ?? 'one adder')}, everything on chip) in Verilator, its result equal to the golden model and @noble/curves. Occupancy = additions issued ÷ cycles of the phase; end to end = ideal cycles (one addition per cycle) ÷ total cycles.</p>`,
    );
    const pts = (f: (x: Obj) => number | undefined): ScatterPoint[] =>
      rows
        .map((x) => ({ x: num(x.points), y: f(x), label: `N = ${pow2Label(num(x.points) ?? 0)}, c = ${str(x.c) ?? '?'}` }))
        .filter((p): p is ScatterPoint => p.x !== undefined && p.y !== undefined);
    const totalOf = (x: Obj) => {
      const parts = [num(x.accCycles), num(x.redCycles), num(x.combCycles)];
      return parts.every(defined) ? parts.reduce((a, b) => a + b, 0) : undefined;
    };
    const ns = rows.map((x) => num(x.points)).filter(defined);
    const occupancy = scatterSvg({
      title: 'MSM adder occupancy against N',
      xLabel: 'N (points, log scale)',
      yLabel: '% of cycles with an addition issued',
      series: [
        { name: 'accumulation', points: pts((x) => pct(num(x.accAdds), num(x.accCycles))) },
        { name: 'reduction', points: pts((x) => pct(num(x.redAdds), num(x.redCycles))) },
        { name: 'end to end (ideal ÷ total)', points: pts((x) => pct(num(x.ideal), totalOf(x))) },
      ],
      logX: true,
      xTicks: pow2Ticks(ns),
      lines: true,
      referenceLines: [
        { axis: 'y', value: A.hardcamlOccupancy, label: 'hardcaml_zprize accumulation ≈ 97 % (published, 2^26)' },
        { axis: 'y', value: A.msmAccumulationFloor, label: 'floor: accumulation ≥ 97 %' },
        { axis: 'y', value: A.zprize2023Occupancy, label: 'ZPrize 2023 winner ≈ 92 %, 3 adders (published)' },
        { axis: 'y', value: A.msmReductionFloor, label: 'floor: reduction ≥ 90 %' },
        { axis: 'y', value: A.cycloneEndToEnd, label: 'CycloneMSM end to end 76 % (published, 2^26)' },
      ],
      width: W,
      height: H + 40,
    });
    const cs = [...new Set(rows.flatMap((x) => Object.keys(obj(x.cyclesByC)).map(Number)).filter(Number.isFinite))].sort((a, b) => a - b);
    const byC = scatterSvg({
      title: 'MSM total cycles against window size c (model schedule)',
      xLabel: 'window size c (bits)',
      yLabel: 'total cycles (log)',
      series: rows.map((x) => ({
        name: `N = ${pow2Label(num(x.points) ?? 0)}`,
        points: Object.entries(obj(x.cyclesByC))
          .map(([k, v]) => ({ x: Number(k), y: num(v) ?? NaN, label: `N = ${pow2Label(num(x.points) ?? 0)}, c = ${k}${String(x.c) === k ? ' (chosen)' : ''}` }))
          .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
          .sort((a, b) => a.x - b.x),
      })),
      logY: true,
      lines: true,
      xTicks: cs.map((v) => ({ value: v, label: String(v) })),
      width: W,
      height: H + 40,
    });
    const phases = barSvg({
      title: 'MSM cycles by phase',
      yLabel: 'cycles (log)',
      groups: rows.map((x) => ({
        label: `${pow2Label(num(x.points) ?? 0)}, c = ${str(x.c) ?? '?'}`,
        values: [
          { name: 'accumulation', value: num(x.accCycles) ?? NaN },
          { name: 'reduction', value: num(x.redCycles) ?? NaN },
          { name: 'combination', value: num(x.combCycles) ?? NaN },
        ],
      })),
      logY: true,
      width: W,
      height: H,
    });
    out.push(plots(occupancy, byC, phases));
  } else out.push(missing('No MSM rows in results.json.'));

  const families = objs(msm.families);
  if (families.length) {
    out.push(
      `<h3>Adversarial scalar families (c = ${escapeHtml(str(msm.familyC) ?? '?')})</h3>`,
      plots(
        barSvg({
          title: 'Accumulation occupancy by family: what the bucket hazards leave',
          yLabel: 'accumulation occupancy (%)',
          groups: families.map((x) => ({ label: str(x.family) ?? '?', values: [{ name: 'occupancy', value: pct(num(x.accAdds), num(x.accCycles)) ?? NaN }] })),
          valueLabels: true,
          referenceLines: [{ axis: 'y', value: A.msmAccumulationFloor, label: 'floor for random scalars: 97 %' }],
          width: 2 * W + 16,
          height: H,
        }),
      ),
    );
  }
  const synth = objs(msm.synth);
  if (synth.length) {
    const cell = (s: Obj, k: string) => num(obj(obj(s.xilinx).cells)[k]);
    out.push(
      '<h3>Synthesis per curve</h3>',
      plots(
        barSvg({
          title: 'MSM cores: DSP48E2 and block RAM per curve',
          yLabel: 'count (log)',
          groups: synth.map((s) => ({
            label: str(s.curve) ?? str(s.module) ?? '?',
            values: [
              { name: 'DSP48E2', value: num(obj(s.xilinx).dsps) },
              { name: 'RAMB36E2', value: cell(s, 'RAMB36E2') ?? num(obj(s.xilinx).bram) },
            ].filter((v): v is { name: string; value: number } => v.value !== undefined),
          })),
          logY: true,
          valueLabels: true,
          referenceLines: [{ axis: 'y', value: A.hardcamlMsmDsp, label: 'hardcaml_zprize MSM, BLS12-377: 2,999 DSP (published)' }],
          width: W,
          height: H,
        }),
        barSvg({
          title: 'MSM cores: LUTs and FFs per curve',
          yLabel: 'count',
          groups: synth.map((s) => ({
            label: str(s.curve) ?? str(s.module) ?? '?',
            values: [
              { name: 'LUT', value: num(obj(s.xilinx).luts) },
              { name: 'FF', value: num(obj(s.xilinx).ffs) },
            ].filter((v): v is { name: string; value: number } => v.value !== undefined),
          })),
          valueLabels: true,
          width: W,
          height: H,
        }),
      ),
    );
  }
  if (rows.length) {
    out.push(
      table(
        'Table: MSM runs',
        [
          { key: 'n', label: 'N', numeric: true },
          { key: 'c', label: 'c', numeric: true },
          { key: 'windows', label: 'windows', numeric: true },
          { key: 'acc', label: 'accumulation cycles', numeric: true },
          { key: 'accOcc', label: 'accumulation occupancy %', numeric: true },
          { key: 'red', label: 'reduction cycles', numeric: true },
          { key: 'redOcc', label: 'reduction occupancy %', numeric: true },
          { key: 'comb', label: 'combination cycles', numeric: true },
          { key: 'ideal', label: 'ideal', numeric: true },
          { key: 'ratio', label: 'total / ideal', numeric: true },
        ],
        rows.map((x) => {
          const total = [num(x.accCycles), num(x.redCycles), num(x.combCycles)].every(defined) ? num(x.accCycles)! + num(x.redCycles)! + num(x.combCycles)! : undefined;
          const r1 = (v: number | undefined) => (v === undefined ? undefined : Math.round(v * 10) / 10);
          return {
            n: num(x.points),
            c: num(x.c),
            windows: num(x.windows),
            acc: num(x.accCycles),
            accOcc: r1(pct(num(x.accAdds), num(x.accCycles))),
            red: num(x.redCycles),
            redOcc: r1(pct(num(x.redAdds), num(x.redCycles))),
            comb: num(x.combCycles),
            ideal: num(x.ideal),
            ratio: total !== undefined && num(x.ideal) ? Math.round((total / num(x.ideal)!) * 1000) / 1000 : undefined,
          };
        }),
      ),
    );
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------
// ASIC

function asicSection(asic: Obj): string {
  const rows = objs(asic.rows);
  const measured = rows.filter((x) => num(obj(x.report).areaMm2) !== undefined);
  if (!measured.length) return missing('No ASIC rows with a measured area in results.json.');
  const out: string[] = [];
  const skipped = rows.filter((x) => num(obj(x.report).areaMm2) === undefined).map((x) => str(x.module)).filter(defined);
  out.push(
    `<p>Yosys onto ${escapeHtml(str(asic.library) ?? 'a standard-cell library')} cells, OpenSTA at a ${escapeHtml(str(asic.clockNs) ?? '?')} ns clock; area = the cells' Liberty areas (no placement, routing or clock tree).${skipped.length ? ` Not mapped in this run: ${escapeHtml(skipped.join(', '))}.` : ''}</p>`,
  );
  const rvRows = measured.filter((x) => x.group === 'rv32im');
  const figs = [
    barSvg({
      title: 'Cell area at 0.18 µm',
      yLabel: 'area (mm², log)',
      groups: measured.map((x) => ({ label: str(x.module) ?? '?', values: [{ name: 'area', value: num(obj(x.report).areaMm2)! }] })),
      logY: true,
      width: W,
      height: H + 60,
    }),
    barSvg({
      title: 'STA Fmax at 0.18 µm',
      yLabel: 'MHz',
      groups: measured.map((x) => ({ label: str(x.module) ?? '?', values: [{ name: 'Fmax', value: num(obj(obj(x.report).sta).fmaxMhz) ?? NaN }] })),
      width: W,
      height: H + 60,
    }),
  ];
  if (rvRows.length) {
    figs.push(
      barSvg({
        title: 'rv32im cores against "a RISC-V core ≈ 0.1 mm²" (estimates below 0.18 µm)',
        yLabel: 'area (mm², log)',
        groups: rvRows.map((x) => {
          const rep = obj(x.report);
          const nand2 = num(rep.nand2Equivalents);
          return {
            label: str(x.module) ?? '?',
            values: [
              { name: '0.18 µm (measured)', value: num(rep.areaMm2)! },
              ...(nand2 !== undefined ? [{ name: 'sky130 (NAND2-eq × NAND2 area)', value: (nand2 * A.sky130Nand2Um2) / 1e6 }] : []),
              { name: '28 nm (ideal shrink, a lower bound)', value: num(rep.areaMm2)! * A.shrink28nm },
            ],
          };
        }),
        logY: true,
        valueLabels: true,
        referenceLines: [{ axis: 'y', value: A.riscvCoreMm2, label: 'a RISC-V core ≈ 0.1 mm² (the talk, as quoted in issue 15; unsourced)' }],
        width: W,
        height: H,
      }),
    );
  }
  out.push(plots(...figs));
  out.push(
    table(
      'Table: ASIC mapping',
      [
        { key: 'module', label: 'module' },
        { key: 'group', label: 'group' },
        { key: 'field', label: 'field' },
        { key: 'effort', label: 'effort' },
        { key: 'cells', label: 'cells', numeric: true },
        { key: 'area', label: 'area mm²', numeric: true },
        { key: 'nand2', label: 'NAND2-eq', numeric: true },
        { key: 'ffs', label: 'FFs', numeric: true },
        { key: 'slack', label: 'slack ns', numeric: true },
        { key: 'fmax', label: 'Fmax MHz', numeric: true },
      ],
      rows.map((x) => {
        const rep = obj(x.report);
        return {
          module: str(x.module),
          group: str(x.group),
          field: str(x.field),
          effort: str(x.effort),
          cells: num(rep.totalCells),
          area: num(rep.areaMm2),
          nand2: num(rep.nand2Equivalents),
          ffs: num(rep.ffs),
          slack: num(obj(obj(rep.sta).worst).slackNs),
          fmax: num(obj(rep.sta).fmaxMhz),
        };
      }),
    ),
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------

/** The report page for the content of bench/results.json. */
export function benchReport(results: unknown): string {
  const r = obj(results);
  const tools = obj(r.tools);
  const has = (k: string) => isObj(r[k]);
  const absent = (k: string, only: string) => missing(`No ${k} section in results.json (\`npm run bench -- --only ${only}\` measures it).`);
  const sections: Section[] = [
    section('fields', 'Field blocks', () => (Array.isArray(r.rows) ? fieldSection(r) : absent('field-block', 'fields'))),
    section('freeze', 'Frozen against programmable', () => (has('freeze') ? freezeSection(obj(r.freeze)) : absent('freeze', 'freeze'))),
    section('ntt', 'NTT', () => (has('ntt') ? nttSection(obj(r.ntt), objs(r.butterflies).length ? objs(r.butterflies) : objs(obj(r.ntt).butterflies)) : absent('NTT', 'ntt'))),
    section('rv32im', 'rv32im core', () => (has('rv32im') ? rv32imSection(obj(r.rv32im)) : absent('rv32im', 'rv32im'))),
    section('ecadd', 'Point adders', () => (has('ecadd') ? ecaddSection(obj(r.ecadd)) : absent('point-adder', 'ecadd'))),
    section('msm', 'MSM', () => (has('msm') ? msmSection(obj(r.msm)) : absent('MSM', 'msm'))),
    section('asic', 'ASIC (standard cells)', () => (has('asic') ? asicSection(obj(r.asic)) : absent('ASIC', 'asic'))),
  ];
  const toolLine = ['verilator', 'yosys', 'node']
    .map((k) => (str(tools[k]) ? `${k === 'node' ? 'Node' : k === 'yosys' ? 'Yosys' : ''} ${str(tools[k])}`.trim() : undefined))
    .filter(defined);
  if (str(tools.cpu)) toolLine.push(`${str(tools.cores) ?? '?'} × ${str(tools.cpu)}`);
  const body = [
    '<header>',
    '<h1>zkrtl benchmark report</h1>',
    '<p class="meta">Drawn from <code>bench/results.json</code>, written by <code>npm run bench</code>; the figures and their method are in <code>bench/results.md</code>. Dashed lines and diamonds are published figures (anchors, not measured here) and the floors the benchmark checks. Hover a mark for its value; click a table header to sort.</p>',
    toolLine.length ? `<p class="meta">Tools: ${escapeHtml(toolLine.join('; '))}.</p>` : '',
    `<nav>${sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('')}</nav>`,
    '</header>',
    ...sections.map((s) => `<section id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`),
  ].filter(Boolean);
  return htmlPage('zkrtl benchmark report', body.join('\n'));
}

