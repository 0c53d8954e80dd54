// Where a flat netlist's LUTs go, register by register. by-module.ts counts a design per module,
// with the hierarchy kept; a core's own logic (one module) stays one figure there. Here the
// flat, mapped netlist is walked instead: each LUT is shared equally among the sinks its output
// reaches through LUTs, carry cells and the target's other combinational cells (a register, a
// block RAM, a DSP or a top output port), so the shares add up to the flat LUT count, and a
// LUT that feeds one sink alone is counted as such. A sink is named by the register its
// flip-flops came from (as Yosys names them), the memory or DSP cell, or the port.
import { cellClass, targetHasLuts, type SynthTarget } from './synth.ts';

export type SinkKind = 'register' | 'memory' | 'dsp' | 'output' | 'none';

export interface SinkRow {
  /** The register's (bus's) name as Yosys has it after flattening (`core.div.rem`), a memory's or DSP's cell, or a port. */
  sink: string;
  kind: SinkKind;
  /** Flip-flops (bits) of a register, cells of a memory or DSP, bits of a port. */
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

const unescape = (n: string) => n.replace(/^\\/, '');
const isPublic = (n: string) => !n.startsWith('$');

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
  const cells = mod.cells;

  // A bit's name: of the public names that carry it, the one with the fewest hierarchy levels
  // (a register seen through a submodule's port has a deeper alias), then the shortest, then
  // the first in order; its index when the net has more than one bit.
  const bitName = new Map<number, { net: string; index: number; width: number }>();
  const better = (a: string, b: string) => {
    const da = a.split('.').length, db = b.split('.').length;
    return da !== db ? da < db : a.length !== b.length ? a.length < b.length : a < b;
  };
  for (const [raw, nn] of Object.entries(mod.netnames)) {
    const net = unescape(raw);
    if (!isPublic(raw) || nn.hide_name) continue;
    nn.bits.forEach((b, index) => {
      if (typeof b !== 'number') return;
      const old = bitName.get(b);
      if (!old || better(net, old.net)) bitName.set(b, { net, index, width: nn.bits.length });
    });
  }

  const users = new Map<number, string[]>();
  for (const [name, c] of Object.entries(cells)) {
    for (const [port, bits] of Object.entries(c.connections)) {
      if (c.port_directions[port] === 'output') continue;
      for (const b of bits) if (typeof b === 'number') (users.get(b) ?? users.set(b, []).get(b)!).push(name);
    }
  }
  const outputsOf = (c: JsonCell) => Object.entries(c.connections).filter(([p]) => c.port_directions[p] === 'output').flatMap(([, bits]) => bits).filter((b): b is number => typeof b === 'number');

  // The sinks: output ports (by bit), and cells that hold state or are hard blocks.
  const portOfBit = new Map<number, string>();
  for (const [raw, p] of Object.entries(mod.ports)) if (p.direction === 'output') for (const b of p.bits) if (typeof b === 'number') portOfBit.set(b, unescape(raw));
  const sinkOfCell = (name: string, c: JsonCell): { sink: string; kind: SinkKind } | undefined => {
    const cls = cellClass(target, c.type);
    if (cls === 'ff' || cls === 'srl') {
      // Yosys names a mapped flip-flop after the register it came from (`core.x_pc_SB_DFFE_Q_3`);
      // otherwise the name of the net it drives.
      const named = new RegExp(`^(.+)_${c.type}_Q(_\\d+)?$`).exec(unescape(name));
      if (isPublic(name) && named) return { sink: named[1]!, kind: 'register' };
      const q = outputsOf(c)[0];
      const n = q === undefined ? undefined : bitName.get(q);
      return { sink: n ? n.net : unescape(name), kind: 'register' };
    }
    if (cls === 'bram' || cls === 'dsp') {
      const cellName = unescape(name);
      const out = outputsOf(c).map((b) => bitName.get(b)).find((n) => n !== undefined);
      return { sink: `${c.type} ${isPublic(name) || !out ? cellName : out.net}`, kind: cls === 'bram' ? 'memory' : 'dsp' };
    }
    return undefined;
  };

  // (a sink's key is its kind and name: a register and an output port may share a name)
  const sinkBits = new Map<string, { sink: string; kind: SinkKind; bits: Set<string> }>();
  const noteSink = (sink: string, kind: SinkKind, bit: string): string => {
    const key = `${kind}:${sink}`;
    const e = sinkBits.get(key) ?? sinkBits.set(key, { sink, kind, bits: new Set() }).get(key)!;
    e.bits.add(bit);
    return key;
  };
  const sinkOf = new Map<string, string | undefined>();
  for (const [name, c] of Object.entries(cells)) {
    const s = sinkOfCell(name, c);
    sinkOf.set(name, s ? noteSink(s.sink, s.kind, name) : undefined);
  }
  const portKeyOfBit = new Map([...portOfBit].map(([b, port]) => [b, noteSink(port, 'output', String(b))]));

  // The sinks a cell's outputs reach through combinational cells (memoised; a combinational
  // loop, which a mapped netlist does not have, would stop where it closes).
  const reach = new Map<string, Set<string>>();
  const reached = (name: string): Set<string> => {
    const known = reach.get(name);
    if (known) return known;
    const set = new Set<string>();
    reach.set(name, set);
    for (const b of outputsOf(cells[name]!)) {
      const port = portKeyOfBit.get(b);
      if (port !== undefined) set.add(port);
      for (const u of users.get(b) ?? []) {
        const s = sinkOf.get(u);
        if (s !== undefined) set.add(s);
        else for (const x of reached(u)) set.add(x);
      }
    }
    return set;
  };

  const luts = new Map<string, number>();
  const alone = new Map<string, number>();
  for (const [name, c] of Object.entries(cells)) {
    if (cellClass(target, c.type) !== 'lut') continue;
    const sinks = [...reached(name)];
    if (sinks.length === 0) sinks.push(noteSink('(no sink)', 'none', name));
    for (const s of sinks) luts.set(s, (luts.get(s) ?? 0) + 1 / sinks.length);
    if (sinks.length === 1) alone.set(sinks[0]!, (alone.get(sinks[0]!) ?? 0) + 1);
  }
  const order = (a: SinkRow, b: SinkRow) => b.luts - a.luts || (a.sink < b.sink ? -1 : a.sink > b.sink ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0);
  return [...sinkBits.entries()]
    .filter(([key]) => luts.has(key))
    .map(([key, e]) => ({ sink: e.sink, kind: e.kind, bits: e.bits.size, luts: luts.get(key)!, lutsAlone: alone.get(key) ?? 0 }))
    .sort(order);
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
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const note = `(flat netlist: each LUT shared equally among the registers, memories, DSPs and outputs it reaches through LUTs and carry cells; ${total} LUTs in all)`;
  return [note, line(head), ...body.map(line)].join('\n') + '\n';
}
