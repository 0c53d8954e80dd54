// Where a flat netlist's LUTs go, register by register. by-module.ts counts a design per module,
// with the hierarchy kept; a core's own logic (one module) stays one figure there. Here the
// flat, mapped netlist is walked instead: each LUT is shared equally among the sinks its output
// reaches through LUTs, carry cells and wide-LUT muxes (a register, a block RAM, a DSP, another
// cell that is not combinational, or a top output port), so the shares add up to the flat LUT
// count, and a LUT that feeds one sink alone is counted as such.
import { alignedTable } from './by-module.ts';
import { cellClass, targetHasLuts, type SynthTarget } from './synth.ts';

export type SinkKind = 'register' | 'memory' | 'dsp' | 'other' | 'output' | 'none';

export interface SinkRow {
  /** A register's name as Yosys has it after flattening (`core.div.rem`), a memory's, a DSP's or other cell's, or a port's. */
  sink: string;
  kind: SinkKind;
  /** Flip-flops of a register, bits of a port, cells of anything else. */
  bits: number;
  /** The LUTs that reach it, each counted as 1 / (the number of sinks it reaches). */
  luts: number;
  /** The LUTs that reach it and no other sink. */
  lutsAlone: number;
}

interface JsonCell {
  type: string;
  port_directions: Record<string, 'input' | 'output' | 'inout'>;
  connections: Record<string, (number | string)[]>;
}
interface JsonModule {
  ports: Record<string, { direction: string; bits: (number | string)[] }>;
  cells: Record<string, JsonCell>;
  netnames: Record<string, { hide_name?: number; bits: (number | string)[] }>;
}

/** Cells of no LUT or carry class that are combinational: the wide-LUT muxes (Xilinx, ECP5). */
const WIDE_MUX = /^(MUXF[789]|PFUMX|L6MUX21)$/;

const unescape = (n: string) => n.replace(/^\\/, '');
const isPublic = (n: string) => !n.startsWith('$');
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Appends `value` to the list of `key`. */
const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => (map.get(key) ?? map.set(key, []).get(key)!).push(value);
/** Fewest hierarchy levels (an alias through a submodule's port is deeper), then shortest, then by name. */
const nameOrder = (a: string, b: string) => a.split('.').length - b.split('.').length || a.length - b.length || byName(a, b);

/**
 * The LUTs of `top` in a Yosys `write_json` netlist of a flat run for `target`, shared among
 * the sinks each reaches (see above), most LUTs first, then by name. A LUT that reaches no
 * sink (none after Yosys' clean-up) is the row of kind 'none'.
 */
export function lutsByRegister(netlistJson: string, top: string, target: SynthTarget): SinkRow[] {
  if (!targetHasLuts(target)) throw new Error(`lutsByRegister: ${target} maps to no LUTs`);
  const json = JSON.parse(netlistJson) as { modules: Record<string, JsonModule> };
  const mod = json.modules[top] ?? json.modules[`\\${top}`];
  if (!mod) throw new Error(`the netlist has no module ${top}`);
  const cells = Object.entries(mod.cells).map(([name, c]) => ({ name: unescape(name), public: isPublic(name), cell: c, cls: cellClass(target, c.type) }));
  const outputsOf = (c: JsonCell) => Object.entries(c.connections).filter(([p]) => c.port_directions[p] !== 'input').flatMap(([, bits]) => bits).filter((b): b is number => typeof b === 'number');
  type Cell = (typeof cells)[number];
  const passes = (x: Cell) => x.cls === 'lut' || x.cls === 'carry' || (x.cls === 'other' && WIDE_MUX.test(x.cell.type));
  const isFlop = (x: Cell) => x.cls === 'ff' || x.cls === 'srl';

  // A register's name. Yosys names each mapped flip-flop after one of the nets it drives
  // (`core.x_pc_SB_DFFE_Q_3`), not always the same for every bit of a register (a wire equal
  // to it, `assign fwd = x`, in one of them), nor always a register (a wire equal to it in
  // one bit only). So: of the public names of its output that are registers (every bit of the
  // net a flip-flop's), the one Yosys named the most flip-flops after, then as nameOrder puts
  // them; else any public name of its output; else the cell's own.
  const ffBits = new Set<number>();
  for (const x of cells) if (isFlop(x)) for (const b of outputsOf(x.cell)) ffBits.add(b);
  const namesOfBit = new Map<number, string[]>();
  const isRegister = new Map<string, boolean>();
  for (const [raw, nn] of Object.entries(mod.netnames)) {
    if (!isPublic(raw) || nn.hide_name) continue;
    const net = unescape(raw);
    isRegister.set(net, nn.bits.every((b) => typeof b === 'number' && ffBits.has(b)));
    for (const b of nn.bits) if (typeof b === 'number') push(namesOfBit, b, net);
  }
  const qNames = (c: JsonCell) => {
    const q = outputsOf(c)[0];
    return q === undefined ? [] : namesOfBit.get(q) ?? [];
  };
  const votes = new Map<string, number>();
  for (const x of cells) {
    if (!isFlop(x) || !x.public) continue;
    const named = new RegExp(`^(.+)_${escapeRegExp(x.cell.type)}_Q(_\\d+)?$`).exec(x.name)?.[1];
    if (named !== undefined && qNames(x.cell).includes(named)) votes.set(named, (votes.get(named) ?? 0) + 1);
  }
  const registerName = (name: string, c: JsonCell): string => {
    const names = qNames(c);
    const registers = names.filter((n) => isRegister.get(n)).sort((a, b) => (votes.get(b) ?? 0) - (votes.get(a) ?? 0) || nameOrder(a, b));
    return registers[0] ?? [...names].sort(nameOrder)[0] ?? name;
  };
  // A hard block's name: its cell's, without the port suffix Yosys gives it (`…_SB_MAC16_O`),
  // and a block RAM's without the tile indices (`regs.0.1`: one memory in several cells).
  const blockName = (name: string, c: JsonCell, kind: SinkKind): string => {
    let n = name.replace(new RegExp(`_${escapeRegExp(c.type)}_[A-Z0-9]+(_\\d+)?$`), '');
    if (kind === 'memory') n = n.replace(/(\.\d+)+$/, '');
    return `${c.type} ${n}`;
  };

  // (a sink's key is its kind and name: a register and an output port may share a name)
  const sinks = new Map<string, { sink: string; kind: SinkKind; members: Set<string> }>();
  const noteSink = (sink: string, kind: SinkKind, member: string): string => {
    const key = `${kind}:${sink}`;
    (sinks.get(key) ?? sinks.set(key, { sink, kind, members: new Set() }).get(key)!).members.add(member);
    return key;
  };
  // The sink each cell is (undefined for a combinational one), and the ports on each bit.
  const sinkOfCell: (string | undefined)[] = cells.map((x) => {
    if (passes(x)) return undefined;
    if (isFlop(x)) return noteSink(registerName(x.name, x.cell), 'register', x.name);
    const kind: SinkKind = x.cls === 'bram' ? 'memory' : x.cls === 'dsp' ? 'dsp' : 'other';
    return noteSink(blockName(x.name, x.cell, kind), kind, x.name);
  });
  const portsOfBit = new Map<number, string[]>();
  for (const [raw, p] of Object.entries(mod.ports)) {
    if (p.direction === 'input') continue;
    p.bits.forEach((b, i) => {
      if (typeof b === 'number') push(portsOfBit, b, noteSink(unescape(raw), 'output', String(i)));
    });
  }

  // The combinational cells as a graph (an edge to each combinational cell that reads an
  // output), and the sinks each reaches at once: read by a sink cell or a port.
  const readers = new Map<number, number[]>();
  cells.forEach((x, i) => {
    for (const [port, bits] of Object.entries(x.cell.connections)) {
      if (x.cell.port_directions[port] === 'output') continue;
      for (const b of bits) if (typeof b === 'number') push(readers, b, i);
    }
  });
  const next: number[][] = cells.map(() => []);
  const direct: Set<string>[] = cells.map(() => new Set());
  cells.forEach((x, i) => {
    if (!passes(x)) return;
    for (const b of outputsOf(x.cell)) {
      for (const p of portsOfBit.get(b) ?? []) direct[i]!.add(p);
      for (const r of readers.get(b) ?? []) {
        const s = sinkOfCell[r];
        if (s !== undefined) direct[i]!.add(s);
        else next[i]!.push(r);
      }
    }
  });
  const reach = reachedSinks(next, direct, cells.map(passes));

  const luts = new Map<string, number>();
  const alone = new Map<string, number>();
  cells.forEach((x, i) => {
    if (x.cls !== 'lut') return;
    const reached = [...reach[i]!];
    if (reached.length === 0) reached.push(noteSink('(no sink)', 'none', x.name));
    for (const s of reached) luts.set(s, (luts.get(s) ?? 0) + 1 / reached.length);
    if (reached.length === 1) alone.set(reached[0]!, (alone.get(reached[0]!) ?? 0) + 1);
  });
  // (shares compared at 1e-9: sums of the same fractions in another order may differ in the last bit)
  const rounded = (v: number) => Math.round(v * 1e9);
  return [...sinks.entries()]
    .filter(([key]) => luts.has(key))
    .map(([key, e]) => ({ sink: e.sink, kind: e.kind, bits: e.members.size, luts: luts.get(key)!, lutsAlone: alone.get(key) ?? 0 }))
    .sort((a, b) => rounded(b.luts) - rounded(a.luts) || byName(a.sink, b.sink) || byName(a.kind, b.kind));
}

/**
 * For each node of a graph (`next`: its successors; `direct`: the sinks it reaches at once;
 * only nodes marked `walk` are visited), every sink it reaches: the union over the strongly
 * connected component it is in and everything after it (a loop's cells reach the same sinks).
 * Tarjan's algorithm without recursion (a carry chain is thousands of cells long); it closes
 * each component after all those it leads to, so their sets are known.
 */
function reachedSinks(next: number[][], direct: Set<string>[], walk: boolean[]): Set<string>[] {
  const n = next.length;
  const order = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const result: Set<string>[] = new Array(n);
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (!walk[root] || order[root] !== -1) continue;
    const frames: { v: number; edge: number }[] = [{ v: root, edge: 0 }];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (frames.length) {
      const f = frames[frames.length - 1]!;
      const succ = next[f.v]!;
      if (f.edge < succ.length) {
        const w = succ[f.edge++]!;
        if (order[w] === -1) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          frames.push({ v: w, edge: 0 });
        } else if (onStack[w]) low[f.v] = Math.min(low[f.v]!, order[w]!);
        continue;
      }
      frames.pop();
      if (frames.length) low[frames[frames.length - 1]!.v] = Math.min(low[frames[frames.length - 1]!.v]!, low[f.v]!);
      if (low[f.v] !== order[f.v]) continue;
      // f.v roots a component: pop it, and give all its members the union of their sinks and
      // of the (already closed) components they lead to.
      const members: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = false;
        members.push(w);
      } while (w !== f.v);
      const set = new Set<string>();
      const inComponent = new Set(members);
      for (const m of members) {
        for (const s of direct[m]!) set.add(s);
        for (const x of next[m]!) if (!inComponent.has(x)) for (const s of result[x]!) set.add(s);
      }
      for (const m of members) result[m] = set;
    }
  }
  return result;
}

/**
 * The rows as text: the first `limit` sinks, then the rest summed in one line, and the total
 * (the flat LUT count: `total`, which the shares add up to).
 */
export function formatRegisterTable(rows: SinkRow[], total: number, limit = 30): string {
  const head = ['LUTs by the sink they feed', 'kind', 'bits', 'LUT share', 'LUTs alone'];
  const shown = rows.slice(0, limit);
  const rest = rows.slice(limit);
  const body = shown.map((r) => [r.sink, r.kind, String(r.bits), r.luts.toFixed(1), String(r.lutsAlone)]);
  if (rest.length) body.push([`(${rest.length} other sinks)`, '', '', rest.reduce((s, r) => s + r.luts, 0).toFixed(1), String(rest.reduce((s, r) => s + r.lutsAlone, 0))]);
  const note = `(flat netlist: each LUT shared equally among the registers, memories, DSPs, other cells and outputs it reaches through LUTs, carry cells and wide-LUT muxes; bits: a register's flip-flops, a port's bits, another sink's cells; ${total} LUTs in all)`;
  return [note, ...alignedTable(head, body)].join('\n') + '\n';
}
