// Where a design's cells go, module by module: the target's flow with the hierarchy kept (each
// module mapped on its own), and Yosys `stat -json` read as an instance tree. Nothing is
// optimised across a module's ports in such a run, so its sum is not the flat count: the
// report puts both side by side.
import { assertNoDriverConflict, classifyCells, synthStepReporter, targetFlow, targetHasLuts, type SynthReport, type SynthTarget } from './synth.ts';
import { moduleName, runYosys, verilogFileNames } from './yosys.ts';

export type CellClasses = Pick<SynthReport, 'totalCells' | 'luts' | 'ffs' | 'dsps' | 'carry' | 'bram'>;

export interface ModuleRow {
  /** The module's name as Yosys has it (a parametrised one keeps its `$paramod` name). */
  module: string;
  /** Depth in the instance tree: 0 for the top. */
  depth: number;
  /** Instances of it in its parent (1 for the top). */
  instances: number;
  /** Its own cells, without its submodules'. */
  self: CellClasses;
  /** One instance with everything below it. */
  total: CellClasses;
}

interface StatModules {
  modules?: Record<string, { num_cells_by_type?: Record<string, number> }>;
}

const bare = (name: string) => name.replace(/^\\/, '');
const CLASSES: (keyof CellClasses)[] = ['totalCells', 'luts', 'ffs', 'dsps', 'carry', 'bram'];

/**
 * The instance tree of a hierarchical `stat -json` from `top` down, depth first, each module's
 * children by total LUTs (cells on a target without LUTs), most first, then by name. A
 * submodule is a cell type that is itself a module of the JSON; every other cell type is a
 * primitive of the target and counts as the module's own.
 */
export function parseModuleTree(text: string, top: string, target: SynthTarget): ModuleRow[] {
  // Yosys 0.23 prints the text form of a deeper hierarchy (`   name   count` lines, no quotes)
  // into its JSON, between the modules and the design totals: such lines are dropped.
  const jsonText = text.slice(text.indexOf('{')).split('\n').filter((l) => !/^\s*[^\s"{}:,]+\s+\d+\s*$/.test(l)).join('\n');
  const json = JSON.parse(jsonText) as StatModules;
  const modules = new Map(Object.entries(json.modules ?? {}).map(([k, v]) => [bare(k), v.num_cells_by_type ?? {}]));
  if (!modules.has(top)) throw new Error(`stat -json has no module ${top}`);
  const key = targetHasLuts(target) ? 'luts' : 'totalCells';
  const totals = new Map<string, CellClasses>();
  const selfOf = (m: string): CellClasses => {
    const own: Record<string, number> = {};
    for (const [type, n] of Object.entries(modules.get(m)!)) if (!modules.has(bare(type))) own[type] = n;
    const { srl: _srl, ...c } = classifyCells(target, own);
    return c;
  };
  const childrenOf = (m: string): [string, number][] =>
    Object.entries(modules.get(m)!).filter(([type]) => modules.has(bare(type))).map(([type, n]) => [bare(type), n]);
  const totalOf = (m: string, path: string[] = []): CellClasses => {
    const known = totals.get(m);
    if (known) return known;
    if (path.includes(m)) throw new Error(`stat -json: module ${m} contains itself`);
    const t = { ...selfOf(m) };
    for (const [child, n] of childrenOf(m)) {
      const ct = totalOf(child, [...path, m]);
      for (const k of CLASSES) t[k] += n * ct[k];
    }
    totals.set(m, t);
    return t;
  };
  const rows: ModuleRow[] = [];
  const walk = (m: string, depth: number, instances: number) => {
    rows.push({ module: m, depth, instances, self: selfOf(m), total: totalOf(m) });
    const kids = childrenOf(m).sort(([a], [b]) => totalOf(b)[key] - totalOf(a)[key] || (a < b ? -1 : a > b ? 1 : 0));
    for (const [child, n] of kids) walk(child, depth + 1, n);
  };
  walk(top, 0, 1);
  return rows;
}

const STAT_FILE = '__zkrtl_modules.json';

/** Synthesizes with the hierarchy kept and returns the module tree (see parseModuleTree). */
export async function synthesizeByModule(opts: {
  top: string;
  files: Record<string, string>;
  target: SynthTarget;
  /** Called with each pass of the run (as synthesize's onStep). */
  onStep?: (step: string) => void;
}): Promise<{ rows: ModuleRow[]; log: string }> {
  moduleName(opts.top);
  const sources = verilogFileNames(opts.files);
  if (sources.length === 0) throw new Error(`synthesize ${opts.top}: no .v files given`);
  const script = [`read_verilog ${sources.join(' ')}`, targetFlow(opts.target, opts.top, true), `tee -q -o ${STAT_FILE} stat -json`].join('\n') + '\n';
  const result = await runYosys({ script, files: opts.files, outputs: [STAT_FILE], onLine: synthStepReporter(opts.target, opts.onStep) });
  assertNoDriverConflict(result.log, opts.target, opts.top);
  return { rows: parseModuleTree(result.files[STAT_FILE], opts.top, opts.target), log: result.log };
}

/**
 * A module's name for a table: a parametrised module as its name and, in brackets, the start of
 * the hash Yosys names its parameters by (`zkrtl_delay [b981c55e]`) or the parameters themselves
 * (`adder (W=8)`); any other name as it is.
 */
export function displayModuleName(module: string): string {
  const hashed = /^\$paramod\$([0-9a-f]+)\\(.+)$/.exec(module);
  if (hashed) return `${hashed[2]} [${hashed[1]!.slice(0, 8)}]`;
  const named = /^\$paramod\\([^\\]+)\\(.+)$/.exec(module);
  if (named) return `${named[1]} (${named[2]!.split('\\').join(', ')})`;
  return module;
}

/**
 * The tree as text: a row per module (indented by depth, × its instances in the parent), its
 * own LUTs (cells on a target without LUTs) and with everything below it, and the other
 * classes with everything below it. `main`: the main run's count, named beside the sum, as
 * `how` the main run mapped the design ('flat', or for blocks mapped per unit and then
 * flattened, saying so).
 */
export function formatModuleTable(rows: ModuleRow[], target: SynthTarget, main: number, how = 'flat'): string {
  const luts = targetHasLuts(target);
  const what = luts ? 'LUTs' : 'cells';
  const key = luts ? 'luts' : 'totalCells';
  const top = rows[0];
  if (!top) return '';
  const head = [`${what} by module`, '×', `${what} self`, `${what} total`, 'FFs total', 'carry total', 'DSPs total', 'BRAM total'];
  const body = rows.map((r) => [
    `${'  '.repeat(r.depth)}${displayModuleName(r.module)}`,
    String(r.instances),
    String(r.self[key]),
    String(r.total[key]),
    String(r.total.ffs),
    String(r.total.carry),
    String(r.total.dsps),
    String(r.total.bram),
  ]);
  const note = `(each module mapped on its own, nothing optimised across its ports: ${top.total[key]} in all, against ${main} ${how})`;
  return [note, ...alignedTable(head, body)].join('\n') + '\n';
}

/** A text table's lines: the head, then the body, in columns two spaces apart, the first left-aligned and the others right-aligned. */
export function alignedTable(head: string[], body: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [head, ...body].map(line);
}
