// Path families of an iCE40 netlist before placement: every register-to-register path's depth
// in LUT levels and carry cells, priced by a fixed delay model, and grouped by the registers
// (or RAM, DSP, pin) it starts and ends at. nextpnr reports one critical path per clock; a
// design whose clock is set by several paths of about the same length needs all of them to see
// what a change buys. An ESTIMATE, not a measurement: routing is a constant per LUT level, and
// the design's Fmax is nextpnr's figure (src/synth/pnr.ts).

/** Delays (ns) of the estimate: a LUT level with its routing, a carry cell, the route into a chain, clock-to-out. */
export interface Ice40DelayModel {
  lut: number;
  carry: number;
  carryEntry: number;
  clockToQ: number;
  ramClockToOut: number;
  /** A combinational SB_MAC16, input to output (nextpnr 0.4 times no path through it: see PathEstimateOptions.throughDsp). */
  dsp: number;
  setup: number;
}

/**
 * Fitted by hand to nextpnr-ice40 0.4's UP5K reports of the rv32im cores (a critical path of
 * 8 LUT levels and 34 carry cells reported at 47.0 ns is estimated at 48.3 ns).
 */
export const UP5K_DELAYS: Ice40DelayModel = { lut: 4.1, carry: 0.3, carryEntry: 3.2, clockToQ: 1.0, ramClockToOut: 3.5, dsp: 12, setup: 0.3 };

export interface PathEstimateOptions {
  model?: Ice40DelayModel;
  /** Time paths through combinational SB_MAC16s (default); false starts a path at a DSP's output, as nextpnr 0.4 does. */
  throughDsp?: boolean;
}

export interface PathFamily {
  /** The start (a register's name without its bit index, a RAM, DSP or pin) and the end; (E) and (R): an enable or reset pin. */
  from: string;
  to: string;
  ns: number;
  lutLevels: number;
  carryCells: number;
  /** The nets of the family's longest path, start first, with their arrival times. */
  path: { net: string; ns: number }[];
}

interface JsonCell {
  type: string;
  port_directions?: Record<string, 'input' | 'output' | 'inout'>;
  connections: Record<string, Array<number | string>>;
  parameters?: Record<string, string | number>;
}
interface JsonModule {
  cells: Record<string, JsonCell>;
  netnames: Record<string, { bits: Array<number | string> }>;
}
/** The part of Yosys' write_json that the estimate reads. */
export interface YosysJsonNetlist {
  modules: Record<string, JsonModule>;
}

const isRegister = (type: string) => type.startsWith('SB_DFF');
const isBoundary = (type: string) => isRegister(type) || type === 'SB_RAM40_4K' || type === 'SB_SPRAM256KA' || type === 'SB_IO';
const CLOCK_PINS = new Set(['C', 'CLK', 'RCLK', 'WCLK', 'CLOCK']);

/** A name per net bit: the shortest public one (Yosys' $-names only when there is no other). */
function netNames(mod: JsonModule): Map<number, string> {
  const names = new Map<number, string>();
  for (const [n, v] of Object.entries(mod.netnames)) {
    v.bits.forEach((b, i) => {
      if (typeof b !== 'number') return;
      const name = v.bits.length > 1 ? `${n}[${i}]` : n;
      const old = names.get(b);
      const better = !old || (old.includes('$') && !name.includes('$')) || (old.includes('$') === name.includes('$') && name.length < old.length);
      if (better) names.set(b, name);
    });
  }
  return names;
}

const baseName = (name: string) => name.replace(/\[\d+\]$/, '');

/**
 * Where a path or segment ends, by name: a register by its output net (with the pin when it is
 * an enable or reset), another cell by its name and pin, a cell Yosys named ($...) by the net
 * entering it.
 */
function endName(names: Map<number, string>, cellName: string, cell: JsonCell, pin: string, bit: number): string {
  const q = cell.connections.Q?.[0];
  if (isRegister(cell.type) && typeof q === 'number') {
    const tag = pin === 'E' ? ' (E)' : pin === 'R' || pin === 'S' ? ` (${pin})` : '';
    return baseName(names.get(q) ?? cellName) + tag;
  }
  return cellName.includes('$') ? `${baseName(names.get(bit) ?? String(bit))} (into ${cell.type}.${pin})` : `${cellName}.${pin}`;
}

/**
 * A memoised walk back from `start` (iterative: carry chains and logic run deep): each net's
 * value is computed once all of its fan-in's are known.
 */
function walkBack<T>(start: number, memo: Map<number, T>, fanin: (bit: number) => number[], compute: (bit: number) => T): void {
  const stack = [start];
  while (stack.length) {
    const b = stack[stack.length - 1]!;
    if (memo.has(b)) { stack.pop(); continue; }
    const pending = fanin(b).filter((i) => !memo.has(i));
    if (pending.length) { stack.push(...pending); continue; }
    stack.pop();
    memo.set(b, compute(b));
  }
}

/** The path families of module `top` of a mapped iCE40 netlist, longest first. */
export function estimatePaths(netlist: YosysJsonNetlist, top: string, opts: PathEstimateOptions = {}): PathFamily[] {
  const model = opts.model ?? UP5K_DELAYS;
  const throughDsp = opts.throughDsp ?? true;
  const mod = netlist.modules[top];
  if (!mod) throw new Error(`estimatePaths: the netlist has no module ${top}`);
  const names = netNames(mod);

  type Driver = { type: string; inputs: number[]; carryIn?: number };
  const driver = new Map<number, Driver>();
  const ends: { bit: number; to: string }[] = [];
  for (const [cellName, cell] of Object.entries(mod.cells)) {
    const dirs = cell.port_directions ?? {};
    const inputs: number[] = [];
    let carryIn: number | undefined;
    for (const [pin, bits] of Object.entries(cell.connections)) {
      if (dirs[pin] !== 'input') continue;
      for (const b of bits) {
        if (typeof b !== 'number') continue;
        if (cell.type === 'SB_CARRY' && pin === 'CI') carryIn = b;
        else inputs.push(b);
        if ((isBoundary(cell.type) || cell.type === 'SB_MAC16') && !CLOCK_PINS.has(pin)) ends.push({ bit: b, to: endName(names, cellName, cell, pin, b) });
      }
    }
    for (const [pin, bits] of Object.entries(cell.connections)) {
      if (dirs[pin] !== 'output') continue;
      for (const b of bits) if (typeof b === 'number') driver.set(b, { type: cell.type, inputs: isBoundary(cell.type) ? [] : inputs, carryIn });
    }
  }

  // Arrival times, walking back to the path starts.
  type Arrival = { ns: number; from?: number; luts: number; carries: number };
  const arrival = new Map<number, Arrival>();
  const fanin = (b: number) => {
    const d = driver.get(b);
    return !d || isBoundary(d.type) || (d.type === 'SB_MAC16' && !throughDsp) ? [] : d.carryIn === undefined ? d.inputs : [...d.inputs, d.carryIn];
  };
  const arrivalOf = (b: number): Arrival => {
    const d = driver.get(b);
    if (!d) return { ns: 0, luts: 0, carries: 0 };
    if (isRegister(d.type)) return { ns: model.clockToQ, luts: 0, carries: 0 };
    if (isBoundary(d.type)) return { ns: model.ramClockToOut, luts: 0, carries: 0 };
    if (d.type === 'SB_MAC16' && !throughDsp) return { ns: 0, luts: 0, carries: 0 };
    let best: Arrival = { ns: 0, from: undefined, luts: 0, carries: 0 };
    const consider = (i: number, delay: number) => {
      const a = arrival.get(i)!;
      if (a.ns + delay > best.ns) best = { ns: a.ns + delay, from: i, luts: a.luts, carries: a.carries };
    };
    if (d.type === 'SB_CARRY') {
      for (const i of d.inputs) consider(i, model.carryEntry);
      if (d.carryIn !== undefined) consider(d.carryIn, model.carry);
      best.carries += 1;
    } else {
      for (const i of d.inputs) consider(i, d.type === 'SB_MAC16' ? model.dsp : model.lut);
      if (d.type !== 'SB_MAC16') best.luts += 1;
    }
    return best;
  };
  const visit = (start: number) => walkBack(start, arrival, fanin, arrivalOf);

  const start = (bit: number) => {
    let b = bit;
    for (let a = arrival.get(b); a?.from !== undefined; a = arrival.get(b)) b = a.from;
    return b;
  };
  const families = new Map<string, PathFamily>();
  for (const e of ends) {
    visit(e.bit);
    const a = arrival.get(e.bit)!;
    const ns = a.ns + model.setup;
    const from = baseName(names.get(start(e.bit)) ?? '?');
    const key = `${from}\u0000${e.to}`;
    const old = families.get(key);
    if (old && old.ns >= ns) continue;
    const path: { net: string; ns: number }[] = [];
    for (let b: number | undefined = e.bit; b !== undefined; b = arrival.get(b)?.from) path.push({ net: names.get(b) ?? String(b), ns: arrival.get(b)!.ns });
    families.set(key, { from, to: e.to, ns, lutLevels: a.luts, carryCells: a.carries, path: path.reverse() });
  }
  return [...families.values()].sort((x, y) => y.ns - x.ns || x.from.localeCompare(y.from) || x.to.localeCompare(y.to));
}

/** One line a family: estimate, depth, start -> end. */
export function formatPathFamily(f: PathFamily): string {
  return `${f.ns.toFixed(1).padStart(5)} ns  ${String(f.lutLevels).padStart(2)} LUT ${String(f.carryCells).padStart(3)} carry  ${f.from} -> ${f.to}`;
}

/** A LUT-only segment: LUT levels from where ABC's logic starts to where it ends. */
export interface LutSegment {
  from: string;
  to: string;
  lutLevels: number;
}

/**
 * The LUT-only segments of a mapped iCE40 netlist, deepest first, one per start and end. Yosys
 * hands ABC the logic between registers, RAMs, pins, DSPs and carry chains (a carry cell and
 * the LUT that sums with its carry in are mapped before ABC and kept), and ABC maps it to the
 * depth of its deepest segment, then recovers area on the others up to that depth: the path
 * families end at about the same number of LUT levels, and only cutting every segment at the
 * deepest level lets them all shorten. This lists where those are.
 */
export function lutSegments(netlist: YosysJsonNetlist, top: string): LutSegment[] {
  const mod = netlist.modules[top];
  if (!mod) throw new Error(`lutSegments: the netlist has no module ${top}`);
  const names = netNames(mod);
  // Yosys' ice40 arithmetic: per bit an SB_CARRY (I0, I1, CI) and a LUT summing I1 ^ I2 ^ I3
  // with I1, I2 its operands and I3 its carry in. Found by that shape: a LUT whose I3 is a
  // carry cell's CI with the same operands, or (a chain's last bit, its carry cell removed) an
  // XOR of I1, I2 and a carry out on I3; a LUT of ABC's that reads a carry out is not one.
  const netAt = (cell: JsonCell, name: string) => String(cell.connections[name]?.[0]);
  const carryAt = new Map<string, Set<string>>();
  const carryOut = new Set<string>();
  for (const cell of Object.values(mod.cells)) {
    if (cell.type !== 'SB_CARRY') continue;
    const ops = [netAt(cell, 'I0'), netAt(cell, 'I1')].sort().join(' ');
    const at = carryAt.get(netAt(cell, 'CI')) ?? new Set<string>();
    carryAt.set(netAt(cell, 'CI'), at.add(ops));
    carryOut.add(netAt(cell, 'CO'));
  }
  const XOR3 = new Set(['0110100110010110', '1001011001101001']);   // I1 ^ I2 ^ I3 (and its complement), I0 unused
  const isSum = (cell: JsonCell) => {
    const ops = [netAt(cell, 'I1'), netAt(cell, 'I2')].sort().join(' ');
    if (carryAt.get(netAt(cell, 'I3'))?.has(ops)) return true;
    const init = String(cell.parameters?.LUT_INIT ?? '').padStart(16, '0');
    return carryOut.has(netAt(cell, 'I3')) && XOR3.has(init);
  };
  const inputsOf = (cell: JsonCell) => Object.entries(cell.connections).filter(([pin]) => cell.port_directions?.[pin] === 'input').flatMap(([, bits]) => bits.filter((b): b is number => typeof b === 'number'));
  const inAbc = (cell: JsonCell) => cell.type === 'SB_LUT4' && !isSum(cell);
  const lutDriver = new Map<number, JsonCell>();
  for (const cell of Object.values(mod.cells)) if (inAbc(cell)) for (const b of cell.connections.O ?? []) if (typeof b === 'number') lutDriver.set(b, cell);

  // Depth and start, walking back to the segment's start.
  const depth = new Map<number, { levels: number; start: number }>();
  const fanin = (b: number) => { const cell = lutDriver.get(b); return cell ? inputsOf(cell) : []; };
  const depthOf = (b: number) => {
    const cell = lutDriver.get(b);
    if (!cell) return { levels: 0, start: b };
    let best = { levels: 0, start: b };
    for (const i of inputsOf(cell)) { const d = depth.get(i)!; if (d.levels >= best.levels) best = d; }
    return { levels: best.levels + 1, start: best.start };
  };
  const visit = (bit: number) => walkBack(bit, depth, fanin, depthOf);
  const segments = new Map<string, LutSegment>();
  for (const [cellName, cell] of Object.entries(mod.cells)) {
    if (inAbc(cell)) continue;
    for (const [pin, bits] of Object.entries(cell.connections)) {
      if (cell.port_directions?.[pin] !== 'input' || CLOCK_PINS.has(pin)) continue;
      for (const b of bits) {
        if (typeof b !== 'number') continue;
        visit(b);
        const d = depth.get(b)!;
        if (d.levels === 0) continue;
        const to = endName(names, cellName, cell, pin, b);
        const from = baseName(names.get(d.start) ?? '?');
        const key = `${from}\u0000${to}`;
        const old = segments.get(key);
        if (!old || old.lutLevels < d.levels) segments.set(key, { from, to, lutLevels: d.levels });
      }
    }
  }
  return [...segments.values()].sort((x, y) => y.lutLevels - x.lutLevels || x.from.localeCompare(y.from) || x.to.localeCompare(y.to));
}
