// Hierarchical ASIC figures for designs too large to map flat in reasonable time (the point
// adder: a dozen 254-bit montmuls). Each distinct unit of the hierarchy is mapped once, with the
// other units it instantiates as black boxes; the design's area, cells, NAND2-eq and flip-flops
// are Σ (instances × the unit's mapped figures), and its Fmax is the lowest of the units' STA
// Fmax. Paths that cross a unit boundary are not timed by this (each unit is timed out of
// context, inputs arriving and outputs due at the clock edge).

/** One Verilog module: its name and text (as in GeneratedDesign.modules). */
export interface ComposeModule {
  name: string;
  text: string;
}

/** Direct instantiations in a module's text of the other modules given: name → count. */
export function directInstances(text: string, moduleNames: ReadonlySet<string>): Map<string, number> {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, '');
  const counts = new Map<string, number>();
  // `type [#(...)] instance (` at the start of a statement.
  const re = /(?:^|[;\s])([A-Za-z_][\w$]*)\s*(?:#\s*\([^;]*?\)\s*)?([A-Za-z_][\w$]*)\s*(?:\[[^\]]*\]\s*)?\(/g;
  for (const m of code.matchAll(re)) {
    const type = m[1]!;
    if (moduleNames.has(type) && m[2] !== 'module') counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

/**
 * Instances of each unit in the hierarchy under `top` (top counts 1 and is a unit itself).
 * Modules that are not units are flattened into the unit that instantiates them (their
 * instances are counted through them); units are not descended into (their own mapping
 * includes what they instantiate).
 */
export function unitInstanceCounts(modules: readonly ComposeModule[], top: string, units: readonly string[]): Map<string, number> {
  const byName = new Map(modules.map((m) => [m.name, m]));
  if (!byName.has(top)) throw new Error(`compose: no module ${top}`);
  for (const u of units) if (!byName.has(u)) throw new Error(`compose: unit ${u} is not a module of the design`);
  const names = new Set(byName.keys());
  const unitSet = new Set(units);
  const counts = new Map<string, number>([[top, 1]]);
  const walk = (name: string, mult: number, depth: number) => {
    if (depth > 64) throw new Error(`compose: hierarchy under ${top} is recursive`);
    for (const [child, n] of directInstances(byName.get(name)!.text, names)) {
      if (child === name) continue;
      if (unitSet.has(child)) counts.set(child, (counts.get(child) ?? 0) + mult * n);
      else walk(child, mult * n, depth + 1);
    }
  };
  walk(top, 1, 0);
  return counts;
}

/** A black-box stub of a module: its header (ports) with `(* blackbox *)`, no body. */
export function blackBoxStub(text: string, name: string): string {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, '');
  const start = code.search(new RegExp(`\\bmodule\\s+${name}\\b`));
  if (start < 0) throw new Error(`compose: no module ${name} in the text given`);
  const end = code.indexOf(');', start);
  if (end < 0) throw new Error(`compose: module ${name} has no port list`);
  return `(* blackbox *)\n${code.slice(start, end + 2)}\nendmodule\n`;
}

/** The mapped figures of one unit (from its AsicReport). */
export interface UnitFigures {
  module: string;
  areaUm2: number;
  totalCells: number;
  ffs: number;
  ffAreaUm2: number;
  fmaxMhz: number | null;
}

export interface ComposedFigures {
  parts: Array<UnitFigures & { count: number }>;
  areaUm2: number;
  areaMm2: number;
  totalCells: number;
  nand2Equivalents: number;
  ffs: number;
  ffAreaUm2: number;
  ffAreaShare: number;
  /** The lowest unit Fmax and the unit it comes from (null when no unit has a timed path). */
  fmaxMhz: number | null;
  limitingModule: string | null;
}

/** Σ count × figures over the units; Fmax = the lowest unit Fmax. */
export function composeFigures(counts: ReadonlyMap<string, number>, figures: readonly UnitFigures[], nand2AreaUm2: number): ComposedFigures {
  const parts: ComposedFigures['parts'] = [];
  for (const [module, count] of counts) {
    const f = figures.find((x) => x.module === module);
    if (!f) throw new Error(`compose: no mapped figures for ${module}`);
    parts.push({ ...f, count });
  }
  const sum = (k: 'areaUm2' | 'totalCells' | 'ffs' | 'ffAreaUm2') => parts.reduce((s, p) => s + p.count * p[k], 0);
  const areaUm2 = Math.round(sum('areaUm2') * 1000) / 1000;
  const ffAreaUm2 = Math.round(sum('ffAreaUm2') * 1000) / 1000;
  let limiting: (typeof parts)[number] | null = null;
  for (const p of parts) if (p.fmaxMhz !== null && (limiting === null || p.fmaxMhz < limiting.fmaxMhz!)) limiting = p;
  return {
    parts,
    areaUm2,
    areaMm2: Math.round(areaUm2) / 1e6,
    totalCells: sum('totalCells'),
    nand2Equivalents: Math.round(areaUm2 / nand2AreaUm2),
    ffs: sum('ffs'),
    ffAreaUm2,
    ffAreaShare: areaUm2 > 0 ? Math.round((ffAreaUm2 / areaUm2) * 1e4) / 1e4 : 0,
    fmaxMhz: limiting?.fmaxMhz ?? null,
    limitingModule: limiting?.module ?? null,
  };
}
