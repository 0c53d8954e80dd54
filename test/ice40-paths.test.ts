// The path-family estimate (src/synth/ice40-paths.ts) on small hand-made netlists: depths,
// carry chains, grouping by start and end, and the DSP option.
import { describe, expect, it } from 'vitest';
import { UP5K_DELAYS, estimatePaths, lutSegments, type YosysJsonNetlist } from '../src/synth/ice40-paths.ts';

const dff = (d: number, q: number, extra: Record<string, number> = {}) => ({
  type: Object.keys(extra).length ? 'SB_DFFE' : 'SB_DFF',
  port_directions: { C: 'input', D: 'input', Q: 'output', ...Object.fromEntries(Object.keys(extra).map((k) => [k, 'input'])) } as Record<string, 'input' | 'output'>,
  connections: { C: [1], D: [d], Q: [q], ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, [v]])) },
});
const lut = (inputs: number[], o: number) => ({
  type: 'SB_LUT4',
  port_directions: { I0: 'input', I1: 'input', I2: 'input', I3: 'input', O: 'output' } as Record<string, 'input' | 'output'>,
  connections: { I0: [inputs[0] ?? '0'], I1: [inputs[1] ?? '0'], I2: [inputs[2] ?? '0'], I3: [inputs[3] ?? '0'], O: [o] },
});
const carry = (i0: number, i1: number, ci: number | string, co: number) => ({
  type: 'SB_CARRY',
  port_directions: { I0: 'input', I1: 'input', CI: 'input', CO: 'output' } as Record<string, 'input' | 'output'>,
  connections: { I0: [i0], I1: [i1], CI: [ci], CO: [co] },
});
const mac = (a: number, o: number) => ({
  type: 'SB_MAC16',
  port_directions: { A: 'input', O: 'output' } as Record<string, 'input' | 'output'>,
  connections: { A: [a], O: [o] },
});
const netlist = (cells: Record<string, unknown>, names: Record<string, number[]>): YosysJsonNetlist =>
  ({ modules: { top: { cells, netnames: Object.fromEntries(Object.entries(names).map(([n, bits]) => [n, { bits }])) } } }) as YosysJsonNetlist;

describe('iCE40 path families (an estimate before placement)', () => {
  it('prices LUT levels and carry cells, groups by start and end register, longest first', () => {
    const n = netlist(
      {
        ra: dff(20, 10), rb: dff(21, 11),
        l1: lut([10, 11], 12), l2: lut([12], 13), rc: dff(13, 14),      // a -> c: two LUT levels
        l3: lut([11], 15), rd: dff(15, 16),                              // b -> d: one
        c0: carry(10, 11, '0', 17), c1: carry(10, 11, 17, 18), c2: carry(10, 11, 18, 19),
        l4: lut([19], 22), re: dff(22, 23, { E: 12 }),                   // a -> e: entry, 2 carries, a LUT; e's enable: a LUT
      },
      { a: [10], b: [11], c: [14], d: [16], e: [23], clk: [1] },
    );
    const f = estimatePaths(n, 'top');
    const m = UP5K_DELAYS;
    const byName = (from: string, to: string) => f.find((x) => x.from === from && x.to === to)!;
    expect(byName('a', 'c')).toMatchObject({ lutLevels: 2, carryCells: 0, ns: m.clockToQ + 2 * m.lut + m.setup });
    expect(byName('b', 'd')).toMatchObject({ lutLevels: 1, ns: m.clockToQ + m.lut + m.setup });
    expect(byName('a', 'e')).toMatchObject({ lutLevels: 1, carryCells: 3, ns: m.clockToQ + m.carryEntry + 2 * m.carry + m.lut + m.setup });
    expect(byName('a', 'e (E)')).toMatchObject({ lutLevels: 1 });
    expect(f.map((x) => x.ns)).toEqual([...f.map((x) => x.ns)].sort((x, y) => y - x));
    expect(byName('a', 'c').path.map((p) => p.net)).toEqual(['a', '12', '13']);
  });

  it('times through a DSP, or starts at its output as nextpnr 0.4 does', () => {
    const n = netlist({ ra: dff(20, 10), m: mac(10, 11), l: lut([11], 12), rb: dff(12, 13) }, { a: [10], p: [11], b: [13] });
    const through = estimatePaths(n, 'top');
    expect(through[0]).toMatchObject({ from: 'a', to: 'b', ns: UP5K_DELAYS.clockToQ + UP5K_DELAYS.dsp + UP5K_DELAYS.lut + UP5K_DELAYS.setup });
    const cut = estimatePaths(n, 'top', { throughDsp: false });
    expect(cut.find((x) => x.to === 'b')).toMatchObject({ from: 'p', ns: UP5K_DELAYS.lut + UP5K_DELAYS.setup });
    expect(() => estimatePaths(n, 'other')).toThrow(/^estimatePaths: the netlist has no module other$/);
  });

  it('segments: LUT levels between ABC\'s boundaries (registers, carry cells and the LUTs summing with their carry in, DSPs), deepest first', () => {
    // Yosys' ice40 adder bit: SB_CARRY (I0 a, I1 b, CI) and a LUT of I1 ^ I2 ^ I3 on (a, b, CI)
    const sum = (a: number, b: number, ci: number | string, o: number, init = '0110100110010110') => ({
      ...lut([], o), parameters: { LUT_INIT: init },
      connections: { I0: ['0'], I1: [a], I2: [b], I3: [ci], O: [o] },
    });
    const n = netlist(
      {
        ra: dff(20, 10), rb: dff(21, 11),
        l1: lut([10], 12), l2: lut([12], 13), l3: lut([13, 11], 14), rc: dff(14, 15),   // a -> c: three levels
        c0: carry(12, 11, '0', 16), s0: sum(12, 11, '0', 17),                           // bit 0: carry in a constant
        c1: carry(12, 11, 16, 18), s1: sum(12, 11, 16, 27),                             // bit 1: its carry in c0's out
        s2: sum(12, 11, 18, 28),                                                        // bit 2, its carry cell removed
        l4: lut([17, 27, 28], 22), rd: dff(22, 19, { E: 13 }),                          // the sums -> d: one level; d's enable: two
        l6: lut([12, 18], 29), rf: dff(29, 30),                                         // ABC's LUT reading a carry out -> f: from a, two levels
        m: mac(13, 24), l5: lut([24], 25), re: dff(25, 26),                             // the DSP's output -> e: one level
      },
      { a: [10], b: [11], c: [15], s0: [17], s1: [27], s2: [28], d: [19], p: [24], e: [26], f: [30] },
    );
    const s = lutSegments(n, 'top');
    const of = (from: string, to: string) => s.find((x) => x.from === from && x.to === to)?.lutLevels;
    expect(of('a', 'c')).toBe(3);
    expect(of('a', 'c0.I0')).toBe(1);
    expect(of('a', 's0.I1')).toBe(1);
    expect(of('a', 's2.I1')).toBe(1);
    expect(s.filter((x) => x.to === 'd')).toEqual([{ from: 's2', to: 'd', lutLevels: 1 }]);   // (of equal depths, the last input)
    expect(of('a', 'd (E)')).toBe(2);
    expect(of('a', 'f')).toBe(2);
    expect(of('a', 'm.A')).toBe(2);
    expect(of('p', 'e')).toBe(1);
    // a LUT reading a carry out that is not the chain's XOR is ABC's: no end at it
    expect(s.some((x) => x.to.startsWith('l6.'))).toBe(false);
    expect(s[0]).toMatchObject({ from: 'a', to: 'c', lutLevels: 3 });
    expect(s.map((x) => x.lutLevels)).toEqual([...s.map((x) => x.lutLevels)].sort((x, y) => y - x));
    // a cell Yosys named is an end by the net entering it
    const auto = netlist({ ra: dff(20, 10), l1: lut([10], 12), '$auto$carry$1': carry(12, 10, '0', 16) }, { a: [10], into: [12], co: [16] });
    expect(lutSegments(auto, 'top').map((x) => x.to)).toEqual(['into (into SB_CARRY.I0)']);
    expect(() => lutSegments(n, 'other')).toThrow(/^lutSegments: the netlist has no module other$/);
  });
});
