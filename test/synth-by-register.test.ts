// LUTs by the register they feed (zkrtl synth --by-register): the walk on a hand-made netlist
// whose shares are known, and on a synthesized one, where they add up to Yosys' LUT count.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatRegisterTable, lutsByRegister, type SinkRow } from '../src/synth/by-register.ts';
import { synthesize } from '../src/synth/synth.ts';
import { scratch, zkrtl } from './support/cli.ts';

// An iCE40 netlist as Yosys' write_json gives it: bit 2 is the input a, bit 20 the output o.
const lut = (i: number, o: number) => ({ type: 'SB_LUT4', port_directions: { I0: 'input', O: 'output' }, connections: { I0: [i], O: [o] } });
const dff = (type: string, d: number, q: number) => ({ type, port_directions: { C: 'input', D: 'input', Q: 'output' }, connections: { C: [1], D: [d], Q: [q] } });
const NETLIST = JSON.stringify({
  modules: {
    top: {
      ports: { clk: { direction: 'input', bits: [1] }, a: { direction: 'input', bits: [2] }, o: { direction: 'output', bits: [20] } },
      cells: {
        l1: lut(2, 10),
        r_SB_DFF_Q: dff('SB_DFF', 10, 11),   // register r, bit 0: named after it by Yosys
        l2: lut(2, 12),                      // reaches r (through l3), s and o (through the carry and l4)
        l3: lut(12, 13),
        r_SB_DFF_Q_1: dff('SB_DFF', 13, 18),
        '$auto$ff.cc:266:slice$7': dff('SB_DFFE', 12, 14),   // no register name: the net's (s)
        c1: { type: 'SB_CARRY', port_directions: { I0: 'input', CO: 'output' }, connections: { I0: [12], CO: [15] } },
        l4: lut(15, 20),
        l5: lut(2, 16),
        mem0: { type: 'SB_RAM40_4K', port_directions: { WDATA: 'input', RDATA: 'output' }, connections: { WDATA: [16], RDATA: [19] } },
        l6: lut(2, 17),                      // drives nothing
      },
      netnames: {
        a: { hide_name: 0, bits: [2] },
        o: { hide_name: 0, bits: [20] },
        r: { hide_name: 0, bits: [11, 18] },
        s: { hide_name: 0, bits: [14] },
        'sub.s_alias': { hide_name: 0, bits: [14] },
        '$auto$x': { hide_name: 1, bits: [12] },
      },
    },
  },
});

describe('lutsByRegister', () => {
  it('shares each LUT equally among the sinks it reaches through LUTs and carries; alone counts the LUTs of one sink', () => {
    const rows = lutsByRegister(NETLIST, 'top', 'ice40');
    const by = Object.fromEntries(rows.map((r) => [r.sink, r]));
    expect(Object.keys(by).sort()).toEqual(['(no sink)', 'SB_RAM40_4K mem0', 'o', 'r', 's']);
    expect(by.r).toMatchObject({ kind: 'register', bits: 2, lutsAlone: 2 });
    expect(by.r!.luts).toBeCloseTo(1 + 1 / 3 + 1, 12);
    expect(by.s).toMatchObject({ kind: 'register', bits: 1, lutsAlone: 0 });
    expect(by.s!.luts).toBeCloseTo(1 / 3, 12);
    expect(by.o).toMatchObject({ kind: 'output', bits: 1, lutsAlone: 1 });
    expect(by.o!.luts).toBeCloseTo(1 + 1 / 3, 12);
    expect(by['SB_RAM40_4K mem0']).toMatchObject({ kind: 'memory', bits: 1, luts: 1, lutsAlone: 1 });
    expect(by['(no sink)']).toMatchObject({ kind: 'none', luts: 1, lutsAlone: 1 });
    expect(rows.reduce((s, r) => s + r.luts, 0)).toBeCloseTo(6, 12);
    expect(rows.map((r) => r.sink)).toEqual(['r', 'o', '(no sink)', 'SB_RAM40_4K mem0', 's']);   // most first, then by name
  });

  it('names a register as Yosys does unless that name is an alias that is no register (a wire equal to it in one bit)', () => {
    const netlist = JSON.stringify({
      modules: {
        top: {
          ports: { a: { direction: 'input', bits: [2] } },
          cells: {
            l0: lut(2, 10),
            l1: lut(2, 11),
            l2: lut(2, 12),
            // Yosys named bit 0 after the wire m, whose other bit is a LUT's: the register is xreg.
            'm_SB_DFF_Q': dff('SB_DFF', 10, 20),
            'xreg_SB_DFFESR_Q_1': dff('SB_DFFESR', 11, 21),
            'v_SB_DFF_Q_2': dff('SB_DFF', 11, 27),
            'y_SB_DFF_Q': dff('SB_DFF', 12, 22),
            l3: lut(20, 23),
            l4: lut(2, 13),
            // a register also seen as a wrapper's wire of all outputs (fewer levels): Yosys' name kept
            'core.z_SB_DFF_Q': dff('SB_DFF', 13, 24),
            // a register whose one bit Yosys named after a wire equal to all of it: one register
            l5: lut(2, 14),
            l6: lut(2, 15),
            'v_SB_DFF_Q': dff('SB_DFF', 14, 25),
            'fwd_SB_DFF_Q_1': dff('SB_DFF', 15, 26),
          },
          netnames: {
            a: { hide_name: 0, bits: [2] },
            xreg: { hide_name: 0, bits: [20, 21] },
            'sub.x_alias': { hide_name: 0, bits: [20, 21] },
            m: { hide_name: 0, bits: [20, 23] },
            y: { hide_name: 0, bits: [22] },
            outs: { hide_name: 0, bits: [24] },
            'core.z': { hide_name: 0, bits: [24] },
            v: { hide_name: 0, bits: [25, 26, 27] },
            fwd: { hide_name: 0, bits: [25, 26, 27] },
          },
        },
      },
    });
    const rows = lutsByRegister(netlist, 'top', 'ice40');
    expect(rows.map((r) => [r.sink, r.kind, r.bits, r.luts])).toEqual([['v', 'register', 3, 2.5], ['xreg', 'register', 2, 1.5], ['(no sink)', 'none', 1, 1], ['core.z', 'register', 1, 1], ['y', 'register', 1, 1]]);
  });

  it('gives the cells of a loop the sinks of all of them, whatever their order in the netlist', () => {
    const loop = (names: string[]) => {
      const cells: Record<string, unknown> = {
        A: { type: 'SB_LUT4', port_directions: { I0: 'input', I1: 'input', O: 'output' }, connections: { I0: [2], I1: [11], O: [10] } },
        B: { type: 'SB_LUT4', port_directions: { I0: 'input', I1: 'input', O: 'output' }, connections: { I0: [2], I1: [10], O: [11] } },
        r1_SB_DFF_Q: dff('SB_DFF', 10, 20),
        r2_SB_DFF_Q: dff('SB_DFF', 11, 21),
      };
      const ordered = Object.fromEntries(names.map((n) => [n, cells[n]]));
      return JSON.stringify({ modules: { top: { ports: {}, cells: ordered, netnames: { r1: { hide_name: 0, bits: [20] }, r2: { hide_name: 0, bits: [21] } } } } });
    };
    for (const names of [['A', 'B', 'r1_SB_DFF_Q', 'r2_SB_DFF_Q'], ['r2_SB_DFF_Q', 'B', 'A', 'r1_SB_DFF_Q']]) {
      const rows = lutsByRegister(loop(names), 'top', 'ice40');
      expect(rows.map((r) => [r.sink, r.luts, r.lutsAlone])).toEqual([['r1', 1, 0], ['r2', 1, 0]]);
    }
  });

  it('walks a carry chain of 20,000 cells (no recursion)', () => {
    const cells: Record<string, unknown> = { l0: lut(2, 100) };
    for (let i = 0; i < 20000; i++) cells[`c${i}`] = { type: 'SB_CARRY', port_directions: { CI: 'input', CO: 'output' }, connections: { CI: [100 + i], CO: [101 + i] } };
    cells.r_SB_DFF_Q = dff('SB_DFF', 20100, 30000);
    const netlist = JSON.stringify({ modules: { top: { ports: {}, cells, netnames: { r: { hide_name: 0, bits: [30000] } } } } });
    expect(lutsByRegister(netlist, 'top', 'ice40')).toEqual([{ sink: 'r', kind: 'register', bits: 1, luts: 1, lutsAlone: 1 }]);
  });

  it('every port on a bit, inout ones too; wide-LUT muxes passed through, a latch, a DSP and a memory as sinks with their names', () => {
    const cell = (type: string, ins: Record<string, number>, outs: Record<string, number>) => ({
      type,
      port_directions: { ...Object.fromEntries(Object.keys(ins).map((p) => [p, 'input'])), ...Object.fromEntries(Object.keys(outs).map((p) => [p, 'output'])) },
      connections: { ...Object.fromEntries(Object.entries(ins).map(([p, b]) => [p, [b]])), ...Object.fromEntries(Object.entries(outs).map(([p, b]) => [p, [b]])) },
    });
    const netlist = JSON.stringify({
      modules: {
        top: {
          ports: { a: { direction: 'input', bits: [2] }, o1: { direction: 'output', bits: [10] }, o2: { direction: 'output', bits: [10] }, io: { direction: 'inout', bits: [11] } },
          cells: {
            l1: cell('LUT2', { I0: 2 }, { O: 10 }),
            l2: cell('LUT2', { I0: 2 }, { O: 11 }),
            l3: cell('LUT2', { I0: 2 }, { O: 12 }),
            mux: cell('MUXF7', { I0: 12 }, { O: 13 }),
            'q_FDRE_Q': cell('FDRE', { D: 13 }, { Q: 14 }),
            l4: cell('LUT2', { I0: 2 }, { O: 15 }),
            lat: cell('LDCE', { D: 15 }, { Q: 16 }),
            l5: cell('LUT2', { I0: 2 }, { O: 17 }),
            'mul.p_DSP48E2_P': cell('DSP48E2', { A: 17 }, { P: 18 }),
            l6: cell('LUT2', { I0: 2 }, { O: 19 }),
            'regs.0.1': cell('RAMB18E2', { DINADIN: 19 }, { DOUTADOUT: 21 }),
            'regs.1.0': cell('RAMB18E2', { DINADIN: 19 }, { DOUTADOUT: 22 }),
          },
          netnames: { a: { hide_name: 0, bits: [2] }, q: { hide_name: 0, bits: [14] } },
        },
      },
    });
    const rows = lutsByRegister(netlist, 'top', 'xilinx');
    expect(rows.map((r) => [r.sink, r.kind, r.bits, r.luts])).toEqual([
      ['DSP48E2 mul.p', 'dsp', 1, 1],
      ['LDCE lat', 'other', 1, 1],
      ['RAMB18E2 regs', 'memory', 2, 1],
      ['io', 'output', 1, 1],
      ['q', 'register', 1, 1],
      ['o1', 'output', 1, 0.5],
      ['o2', 'output', 1, 0.5],
    ]);
  });

  it('refuses a target without LUTs and a module the netlist lacks', () => {
    expect(() => lutsByRegister(NETLIST, 'top', 'generic')).toThrow(/generic maps to no LUTs/);
    expect(() => lutsByRegister(NETLIST, 'other', 'ice40')).toThrow(/no module other/);
  });

  it('formats the first rows, the rest summed in one line', () => {
    const rows = lutsByRegister(NETLIST, 'top', 'ice40');
    const lines = formatRegisterTable(rows, 6, 2).trimEnd().split('\n');
    expect(lines[0]).toContain('6 LUTs in all');
    expect(lines[1]).toMatch(/^LUTs by the sink they feed\s+kind\s+bits\s+LUT share\s+LUTs alone$/);
    expect(lines[2]).toMatch(/^r\s+register\s+2\s+2\.3\s+2$/);
    expect(lines[3]).toMatch(/^o\s+output\s+1\s+1\.3\s+1$/);
    expect(lines[4]).toMatch(/^\(3 other sinks\)\s+2\.3\s+2$/);
    expect(lines).toHaveLength(5);
  });
});

// Two registers of disjoint logic: every LUT feeds one of them alone.
const TWO = `\`default_nettype none
module two (
  input  wire        clk,
  input  wire [15:0] a,
  input  wire [15:0] b,
  input  wire [15:0] c,
  output reg  [16:0] p,
  output reg  [15:0] q
);
  always @(posedge clk) begin
    p <= a + b;
    q <= (a & c) ^ (b | c) ^ {c[0], c[15:1]};
  end
endmodule
\`default_nettype wire
`;

describe('lutsByRegister on a synthesized netlist', () => {
  for (const target of ['ice40', 'xilinx'] as const) {
    it(`${target}: the shares add up to Yosys' LUT count, each register named as declared with its bits`, async () => {
      const r = await synthesize({ top: 'two', files: { 'two.v': TWO }, target, netlists: ['json'] });
      const rows = lutsByRegister(r.netlists[`two.${target}.json`]!, 'two', target);
      expect(rows.reduce((s, x) => s + x.luts, 0)).toBeCloseTo(r.report.luts, 9);
      const by = Object.fromEntries(rows.map((x) => [x.sink, x]));
      expect(by.p).toMatchObject({ kind: 'register', bits: 17 });
      expect(by.q).toMatchObject({ kind: 'register', bits: 16 });
      for (const s of ['p', 'q']) expect(by[s]!.lutsAlone).toBe(by[s]!.luts);
      expect(by.p!.luts + by.q!.luts).toBe(r.report.luts);
    });
  }
});

describe('zkrtl synth --by-register', () => {
  it('adds the table to the report and the sinks to report.json; the JSON netlist it reads is written only when asked', () => {
    const dir = scratch();
    const run = (out: string, extra: string[] = []) => zkrtl(['synth', 'modadd', '--field', 'goldilocks', '--target', 'ice40', '--by-register', ...extra, '--out', join(dir, out)]);
    const r = run('a');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'a', 'report.json'), 'utf8')) as { luts: number; registers: SinkRow[] };
    expect(report.registers.length).toBeGreaterThan(0);
    expect(report.registers.reduce((t, x) => t + x.luts, 0)).toBeCloseTo(report.luts, 9);
    expect(r.stdout).toContain(`${report.luts} LUTs in all)`);
    expect(r.stdout).toMatch(/^LUTs by the sink they feed\s+kind\s+bits\s+LUT share\s+LUTs alone$/m);
    expect(readdirSync(join(dir, 'a')).sort()).toEqual(['report.json', 'report.txt', 'yosys.log']);
    const withJson = run('b', ['--netlist', 'json']);
    expect(withJson.code, withJson.stderr).toBe(0);
    expect(readdirSync(join(dir, 'b')).filter((f) => f.endsWith('.json') && f !== 'report.json')).toHaveLength(1);
  }, 120_000);
});
