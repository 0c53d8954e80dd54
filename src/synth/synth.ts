// Synthesis flows per target, the report they yield (cells by class, longest path) and its
// text form. The design is flattened: counts and paths must cover the whole block (the one
// exception, a flow with keepHierarchy, is by-module.ts's, which counts per module).
import { UNKEEP_HIERARCHY, YosysError, moduleName, runYosys, verilogFileNames, yosysVersionFrom } from './yosys.ts';

export type SynthTarget = 'generic' | 'xilinx' | 'ice40' | 'ecp5';
export type NetlistFormat = 'json' | 'edif' | 'blif' | 'verilog';

export interface SynthReport {
  top: string;
  target: SynthTarget;
  yosysVersion: string;
  /** Cell counts by type, keys sorted by name. */
  cells: Record<string, number>;
  totalCells: number;
  luts: number;
  ffs: number;
  dsps: number;
  carry: number;
  bram: number;
  /** Xilinx only: LUTs used as shift registers (SRL16E/SRLC32E), not counted in `luts`. */
  srl?: number;
  /**
   * Longest combinational path between sequential elements, in cells (`ltp`); `lutLevels` is
   * how many of them are LUTs (null where the target has none).
   */
  longestPath: { cells: number; lutLevels: number | null };
}

export interface SynthResult {
  report: SynthReport;
  /** Netlists by file name: `<top>.<target>.json|edif|blif|v`. */
  netlists: Record<string, string>;
  log: string;
}

interface TargetInfo {
  /** What the report calls the flow. */
  description: string;
  /** The flow: flat, or (keepHierarchy) with every module mapped on its own and kept as a module. */
  flow: (top: string, keepHierarchy?: boolean) => string;
  lut: RegExp | null;
  /** Selection of LUT cells, for counting LUT levels on the longest path. */
  lutSelection: string | null;
  ff: RegExp;
  dsp: RegExp;
  carry: RegExp;
  bram: RegExp;
  srl?: RegExp;
  /**
   * Selections of cells that are registered: ltp must not run through them, or a pipelined
   * design reports its stages strung together. `ltp -noff` only knows Yosys' own $_DFF_ types.
   */
  pathBreakers: string[];
}

const any = (...sels: string[]) => sels.slice(1).reduce((acc, s) => `${acc} ${s} %u`, sels[0]);
// keep_hierarchy (the rv32im divider's step and count carry it) is for the iCE40 flow's LUT
// mapping, which maps such a module on its own and flattens it after; the other flows clear it
// first and map flat.
const flat = (flow: string) => `${UNKEEP_HIERARCHY}\n${flow}`;

const TARGETS: Record<SynthTarget, TargetInfo> = {
  generic: {
    description: 'generic gates (synth)',
    flow: (top, keep) => (keep ? `synth -top ${top}` : flat(`synth -flatten -top ${top}`)),
    lut: null,
    lutSelection: null,
    ff: /^\$_(FF|DFF|DFFE|DFFSR|DFFSRE|SDFF|SDFFE|SDFFCE|ALDFF|ALDFFE)_/,
    dsp: /^$/,
    carry: /^$/,
    bram: /^\$mem/,
    pathBreakers: [],
  },
  xilinx: {
    description: 'Xilinx UltraScale+ (synth_xilinx -family xcup)',
    // -noiopad/-noclkbuf: a block is synthesized out of context, as one part of a larger
    // design; IBUF/OBUF on every port (hundreds for a 254-bit multiplier) and a BUFG would
    // inflate the counts and the paths, and would not place in Vivado.
    flow: (top, keep) => (keep ? `synth_xilinx -family xcup -noiopad -noclkbuf -top ${top}` : flat(`synth_xilinx -family xcup -flatten -noiopad -noclkbuf -top ${top}`)),
    // INV is a LUT1 by another name (Yosys uses it for inverted carry inputs); Vivado folds it
    // into a neighbouring LUT when it can.
    lut: /^(LUT[1-6]|INV)$/,
    lutSelection: 't:LUT1 t:LUT2 t:LUT3 t:LUT4 t:LUT5 t:LUT6 t:INV',
    ff: /^FD[RSCP]E(_1)?$/,
    dsp: /^DSP48E[12]$/,
    carry: /^(CARRY4|CARRY8|MUXCY|XORCY)$/,
    // The brief of the block counts distributed RAM with block RAM: both are memories.
    bram: /^(RAMB(18|36)E[12]|URAM288(_BASE)?|RAM\d+[MXS].*)$/,
    srl: /^SRL(16E|C16E|C32E)$/,
    pathBreakers: [
      't:FD*',
      't:RAMB*',
      't:URAM*',
      // A DSP whose inputs, product or output are registered splits the path. These are 32-bit
      // integer parameters, which is what an unsized `0` in a selection compares against.
      // (Yosys 0.23-0.55 pack registers into DSP48E1 only; a DSP48E2 stays combinational.)
      `t:DSP48E* ${any('r:AREG!=0', 'r:BREG!=0', 'r:MREG!=0', 'r:PREG!=0')} %i`,
    ],
  },
  ice40: {
    description: 'Lattice iCE40 UltraPlus (synth_ice40, SB_MAC16 multipliers)',
    // SB_MAC16 mapping is done here rather than by `synth_ice40 -dsp`: Yosys' ice40_dsp pass
    // (0.23 to 0.55) corrupts pipelined multipliers when it packs registers and adders into
    // the MAC — a register fed by a registered product is tied to 'x, a 33-bit sum of two
    // products loses its carry. The multipliers map to combinational SB_MAC16s and the
    // pipeline registers stay in fabric: correct, and the same DSP count.
    flow: (top, keep) => [
      `hierarchy -check -top ${top}`,
      'proc',
      ...(keep ? [] : ['flatten']),
      'wreduce t:$mul',
      'techmap -map +/mul2dsp.v -map +/ice40/dsp_map.v -D DSP_A_MAXWIDTH=16 -D DSP_B_MAXWIDTH=16 -D DSP_A_MINWIDTH=2 -D DSP_B_MINWIDTH=2 -D DSP_Y_MINWIDTH=11 -D DSP_NAME=$__MUL16X16',
      'select a:mul2dsp',
      'setattr -unset mul2dsp',
      'opt_expr -fine',
      'wreduce',
      'select -clear',
      // mul2dsp leaves the slices too narrow for a DSP as $__soft_mul: back to $mul, so
      // synth_ice40 builds them in LUTs instead of leaving cells nextpnr cannot place.
      'chtype -set $mul t:$__soft_mul',
      // -spram: large single-port memories go to the UltraPlus SPRAMs instead of LUTs.
      `synth_ice40${keep ? ' -noflatten' : ''} -spram -top ${top}`,
      // A module marked keep_hierarchy (the rv32im divider's step and count) was mapped on its
      // own above, so ABC, which relaxes every LUT path to the deepest one's depth, relaxed its
      // paths to its own deepest only; flattened now, so that counts and netlists are the
      // whole design's.
      ...(keep ? [] : [UNKEEP_HIERARCHY, 'flatten',
        // Yosys 0.55 keeps $scopeinfo cells (where flattened modules were) in the netlist;
        // nextpnr rejects them.
        'delete t:$scopeinfo']),
    ].join('\n'),
    lut: /^SB_LUT4$/,
    lutSelection: 't:SB_LUT4',
    ff: /^SB_DFF/,
    dsp: /^SB_MAC16$/,
    carry: /^SB_CARRY$/,
    bram: /^(SB_RAM40_4K.*|SB_SPRAM256KA)$/,
    pathBreakers: [
      't:SB_DFF*',
      't:SB_RAM40_4K*',
      't:SB_SPRAM256KA',
      // r:P=V compares width and all: these parameters are 1 and 2 bits wide, so `=1` never
      // matches. Output select 1 is the accumulator register.
      `t:SB_MAC16 ${any(
        ...['A_REG', 'B_REG', 'C_REG', 'D_REG', 'TOP_8x8_MULT_REG', 'BOT_8x8_MULT_REG', 'PIPELINE_16x16_MULT_REG1', 'PIPELINE_16x16_MULT_REG2'].map((p) => `r:${p}=1'b1`),
        "r:TOPOUTPUT_SELECT=2'b01",
        "r:BOTOUTPUT_SELECT=2'b01",
      )} %i`,
    ],
  },
  ecp5: {
    description: 'Lattice ECP5 (synth_ecp5)',
    flow: (top, keep) => (keep ? `synth_ecp5 -noflatten -top ${top}` : flat(`synth_ecp5 -top ${top}`)),
    lut: /^LUT4$/,
    lutSelection: 't:LUT4',
    ff: /^TRELLIS_FF$/,
    // Yosys does not pack registers into ECP5 DSPs, so they stay on the path.
    dsp: /^(MULT18X18D|MULT9X9D|ALU54B|ALU24B)$/,
    carry: /^CCU2[CD]?$/,
    bram: /^(DP16KD|PDPW16KD|TRELLIS_DPR16X4)$/,
    pathBreakers: ['t:TRELLIS_FF', 't:DP16KD', 't:PDPW16KD'],
  },
};

const NETLIST_EXT: Record<NetlistFormat, string> = { json: 'json', edif: 'edif', blif: 'blif', verilog: 'v' };

function netlistWriter(format: NetlistFormat, file: string): string {
  switch (format) {
    case 'json':
      return `write_json ${file}`;
    case 'edif':
      // Vivado reads bus ports as name[i]; the default parentheses it does not.
      return `write_edif -pvector bra ${file}`;
    case 'blif':
      return `write_blif ${file}`;
    case 'verilog':
      return `write_verilog -noattr ${file}`;
  }
}

const STAT_FILE = '__zkrtl_stat.json';
const LUT_PREFIX = 'zkrtl_lut_';

/**
 * Word-level generic flow: Yosys `synth` up to (not including) its fine-grained mapping, so
 * multipliers, adders and registers stay whole cells ($mul, $add, $dff …). Gate-level generic
 * synthesis of a 254-bit multiplier expands hundreds of tile multipliers into about a million
 * gates and takes tens of minutes; the word-level netlist shows the same structure in seconds.
 */
const WORD_LEVEL_FLOW = (top: string) => flat(`synth -flatten -top ${top} -run begin:fine`);

/** The synthesis commands of a target (after read_verilog, before stat and the writers). */
export function targetFlow(target: SynthTarget, top: string, keepHierarchy = false): string {
  return TARGETS[target].flow(top, keepHierarchy);
}

/** Whether the target maps to LUTs (the generic flow maps to gates). */
export function targetHasLuts(target: SynthTarget): boolean {
  return TARGETS[target].lut !== null;
}

export function synthScript(
  top: string, sources: string[], target: SynthTarget, netlists: Record<string, NetlistFormat>, wordLevel = false, hierarchical = false,
): string {
  const t = TARGETS[target];
  const flow = wordLevel ? WORD_LEVEL_FLOW(top) : t.flow(top);
  const lines = [
    `read_verilog ${sources.join(' ')}`,
    // Hierarchical: each module mapped once, then the mapped netlist flattened (cheap: cells
    // are copied, not re-mapped) and cells without a load removed, as a flat run would.
    // (the target's own kept-hierarchy flow: synth_ice40 and synth_ecp5 flatten unless told
    // not to, so removing a -flatten flag would leave them flat)
    ...(hierarchical ? [t.flow(top, true), 'flatten', 'opt_clean', 'delete t:$scopeinfo'] : [flow]),
    // tee -q: the JSON goes to a file we parse; the log already has the flow's own stat table.
    `tee -q -o ${STAT_FILE} stat -json`,
    // The flows load every primitive of the family as a blackbox; without this, the JSON and
    // EDIF carry hundreds of unused cell definitions (9 MB for a 16-bit adder on xilinx).
    `hierarchy -purge_lib -top ${top}`,
    ...Object.entries(netlists).map(([file, format]) => netlistWriter(format, file)),
  ];
  // After the writers, so the netlists keep Yosys' names: ltp lists the cells on the path by
  // name only, so LUTs get names that say what they are.
  if (t.lutSelection) {
    lines.push(`rename -hide ${t.lutSelection}`, `rename -enumerate -pattern ${LUT_PREFIX}% ${t.lutSelection}`);
  }
  lines.push(`ltp -noff *${t.pathBreakers.map((b) => ` ${b} %d`).join('')}`);
  return lines.join('\n') + '\n';
}

/**
 * Turns the log's top-level pass headers (`2. Executing SYNTH_XILINX pass.`) and those one level
 * inside the synthesis pass (`2.43. Executing ABC pass`) into short step names.
 */
export function stepFromLogLine(line: string, synthIndex: { value: string | null }): string | null {
  const m = /^(\d+)(?:\.(\d+))?\. (?:Executing (.+?)(?: \(.*\))?\.?|Printing statistics\.)$/.exec(line);
  if (!m) return null;
  const [, major, minor, what] = m;
  const name = (() => {
    if (what === undefined) return 'stat';
    if (/frontend/.test(what)) return 'read';
    const backend = /^(\S+) backend/.exec(what);
    if (backend) return `write ${backend[1].toLowerCase()}`;
    return what.replace(/ pass$/, '').toLowerCase();
  })();
  if (minor === undefined) {
    synthIndex.value = /^synth/.test(name) ? major : null;
    // Our own bookkeeping passes mean nothing to the user.
    return name === 'rename' || name === 'hierarchy' || name === 'setattr' ? null : name;
  }
  if (synthIndex.value === major) return `synth: ${name}`;
  return null;
}

interface StatJson {
  creator?: string;
  modules?: Record<string, { num_cells?: number; num_cells_by_type?: Record<string, number> }>;
  design?: { num_cells?: number; num_cells_by_type?: Record<string, number> };
}

/** Cell counts for the top module from `stat -json` (0.23 and 0.55 both have modules and design). */
export function parseStatJson(text: string, top: string): { cells: Record<string, number>; creator: string } {
  const json = JSON.parse(text.slice(text.indexOf('{'))) as StatJson;
  const mod = json.modules?.[`\\${top}`] ?? json.modules?.[top] ?? json.design;
  if (!mod?.num_cells_by_type) throw new Error(`stat -json has no cell counts for ${top}`);
  const cells: Record<string, number> = {};
  for (const type of Object.keys(mod.num_cells_by_type).sort()) {
    // $scopeinfo marks where flattened submodules were; it is not hardware.
    if (type === '$scopeinfo') continue;
    cells[type] = mod.num_cells_by_type[type];
  }
  return { cells, creator: json.creator ?? '' };
}

/** `ltp` output: the path length and how many cells on it were renamed as LUTs. */
export function parseLtp(log: string, top: string): { cells: number; lutCells: number } {
  const lines = log.split('\n');
  const header = new RegExp(`^Longest topological path in \\\\?${top.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(length=(\\d+)\\):`);
  const start = lines.findIndex((l) => header.test(l));
  // ltp prints nothing for a module without a combinational path.
  if (start < 0) return { cells: 0, lutCells: 0 };
  const cells = Number(header.exec(lines[start])![1]);
  let lutCells = 0;
  for (const line of lines.slice(start + 1)) {
    const m = /^\s+\d+: .*\(via (.*)\)$/.exec(line);
    if (!m) {
      if (/^\s+\d+: /.test(line)) continue;
      break;
    }
    if (m[1].replace(/^\\/, '').startsWith(LUT_PREFIX)) lutCells++;
  }
  return { cells, lutCells };
}

/** What a cell of the target is, by its type (for walking a mapped netlist: by-register.ts). */
export type CellClass = 'lut' | 'ff' | 'dsp' | 'carry' | 'bram' | 'srl' | 'other';
export function cellClass(target: SynthTarget, type: string): CellClass {
  const t = TARGETS[target];
  for (const c of ['lut', 'ff', 'dsp', 'carry', 'bram', 'srl'] as const) if (t[c]?.test(type)) return c;
  return 'other';
}

export function classifyCells(target: SynthTarget, cells: Record<string, number>): Pick<SynthReport, 'totalCells' | 'luts' | 'ffs' | 'dsps' | 'carry' | 'bram' | 'srl'> {
  const t = TARGETS[target];
  const sum = (re: RegExp | null | undefined) => (re ? Object.entries(cells).filter(([k]) => re.test(k)).reduce((s, [, n]) => s + n, 0) : 0);
  return {
    totalCells: Object.values(cells).reduce((s, n) => s + n, 0),
    luts: sum(t.lut),
    ffs: sum(t.ff),
    dsps: sum(t.dsp),
    carry: sum(t.carry),
    bram: sum(t.bram),
    ...(t.srl ? { srl: sum(t.srl) } : {}),
  };
}

export function netlistFileName(top: string, target: SynthTarget, format: NetlistFormat): string {
  return `${top}.${target}.${NETLIST_EXT[format]}`;
}

export async function synthesize(opts: {
  top: string;
  files: Record<string, string>;
  target: SynthTarget;
  netlists?: NetlistFormat[];
  onStep?: (step: string) => void;
  /** generic only: stop at word-level cells ($mul, $add, $dff …) instead of gates. */
  wordLevel?: boolean;
  /**
   * Map each module once, out of context, then flatten the mapped netlist, instead of
   * flattening first: for designs built of many copies of one big unit (a point adder's
   * montmuls), which a flat run maps once per copy. Nothing is optimised across module
   * boundaries: a unit with a constant input keeps its full datapath.
   */
  hierarchical?: boolean;
}): Promise<SynthResult> {
  const { top, target } = opts;
  if (!(target in TARGETS)) throw new Error(`unknown synthesis target ${target}`);
  if (opts.wordLevel && target !== 'generic') throw new Error('wordLevel synthesis is only for the generic target');
  moduleName(top);
  const sources = verilogFileNames(opts.files);
  if (sources.length === 0) throw new Error(`synthesize ${top}: no .v files given`);
  const netlistFiles: Record<string, NetlistFormat> = {};
  for (const f of new Set(opts.netlists ?? [])) netlistFiles[netlistFileName(top, target, f)] = f;

  const result = await runYosys({
    script: synthScript(top, sources, target, netlistFiles, opts.wordLevel, opts.hierarchical),
    files: opts.files,
    outputs: [STAT_FILE, ...Object.keys(netlistFiles)],
    onLine: synthStepReporter(target, opts.onStep),
  });
  assertNoDriverConflict(result.log, target, top);
  const { cells, creator } = parseStatJson(result.files[STAT_FILE], top);
  const path = parseLtp(result.log, top);
  const t = TARGETS[target];
  const report: SynthReport = {
    top,
    target,
    yosysVersion: yosysVersionFrom(creator || result.log),
    cells,
    ...classifyCells(target, cells),
    longestPath: { cells: path.cells, lutLevels: t.lut ? path.lutCells : null },
  };
  const netlists: Record<string, string> = {};
  for (const f of Object.keys(netlistFiles)) netlists[f] = result.files[f];
  return { report, netlists, log: result.log };
}

function synthPassName(target: SynthTarget): string {
  return target === 'generic' ? 'synth' : `synth_${target}`;
}

/** A Yosys log-line handler that reports a synthesis run's passes as steps (synth_<target>: abc …). */
export function synthStepReporter(target: SynthTarget, onStep?: (step: string) => void): ((line: string) => void) | undefined {
  if (!onStep) return undefined;
  const synthIndex = { value: null as string | null };
  return (line) => {
    const step = stepFromLogLine(line, synthIndex);
    if (step) onStep(step.startsWith('synth: ') ? step.replace('synth', synthPassName(target)) : step);
  };
}

/**
 * Yosys resolves a driver conflict by tying the net to a constant and carries on: the netlist
 * no longer computes what the RTL does, so neither it nor its counts may be handed on.
 */
export function assertNoDriverConflict(log: string, target: SynthTarget, top: string): void {
  const conflict = /^Warning: Driver-driver conflict.*$/m.exec(log);
  if (conflict) throw new YosysError(`yosys produced a broken ${target} netlist for ${top}: ${conflict[0].replace(/^Warning: /, '')}`, log);
}

export function formatSynthReport(r: SynthReport): string {
  const t = TARGETS[r.target];
  const rows: [string, string][] = [
    ['target', `${r.target}: ${t.description}`],
    ['top', r.top],
    ['yosys', r.yosysVersion],
    ['', ''],
    ['LUTs', t.lut ? String(r.luts) : '- (gates, no LUT mapping)'],
    ['FFs', String(r.ffs)],
    ['DSPs', String(r.dsps)],
    ['carry', String(r.carry)],
    ['BRAM', String(r.bram)],
  ];
  if (r.srl !== undefined) rows.push(['SRL', `${r.srl} (LUTs used as shift registers, not in the LUT count)`]);
  rows.push([
    'longest path',
    `${r.longestPath.cells} cells` + (r.longestPath.lutLevels === null ? '' : `, ${r.longestPath.lutLevels} LUT levels`),
  ]);
  const cellRows = Object.entries(r.cells);
  const cellWidth = Math.max(5, ...cellRows.map(([k]) => k.length));
  const countWidth = Math.max(1, ...cellRows.map(([, n]) => String(n).length), String(r.totalCells).length);
  const labelWidth = Math.max(...rows.map(([k]) => k.length));
  const out = rows.map(([k, v]) => (k ? `${k.padEnd(labelWidth)}  ${v}` : ''));
  out.push('', 'cells by type');
  for (const [k, n] of cellRows) out.push(`  ${k.padEnd(cellWidth)}  ${String(n).padStart(countWidth)}`);
  out.push(`  ${'total'.padEnd(cellWidth)}  ${String(r.totalCells).padStart(countWidth)}`);
  return out.join('\n') + '\n';
}
