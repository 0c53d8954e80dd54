// ASIC target: the Liberty reader, the standard-cell mapping with OpenSTA timing (OSU 0.18 µm,
// installed from Debian when missing), gate-level simulation of the mapped netlists against the
// golden model (babybear modadd and montmul), a broken netlist caught, and the command line's
// bad input: one line, exit 2, nothing written.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/errors.ts';
import { silentProgress } from '../src/cli/progress.ts';
import { namedField } from '../src/fields/registry.ts';
import { generateBlock } from '../src/gen/index.ts';
import { checkGateLevel, loadGateLevelNetlist } from '../src/sim/gate-level.ts';
import { makeVectors } from '../src/sim/vectors.ts';
import { SimMismatchError } from '../src/sim/verilator.ts';
import { DEFAULT_LIBERTY, asicScript, ensureAsicTools, loadLibrary, parseClockNs, parseEffort, parseStaReport, synthesizeAsic, type AsicReport } from '../src/synth/asic.ts';
import { behaviouralModels, evalExpr, mappingCells, parseFunction, parseLiberty, truthTable } from '../src/synth/liberty.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'zkrtl.mjs');

function zkrtl(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch = () => mkdtempSync(join(tmpdir(), 'zkrtl-asic-'));

/** A small library written here: tie cells, a flop with clear, ps and fF units. */
const TINY = `/* test library */
library (tiny) {
  time_unit : "1ps" ;
  capacitive_load_unit (1, ff) ;
  nom_voltage : 0.8 ;
  cell (NAND2) { area : 2 ; pin (A, B) { direction : input ; capacitance : 1.5 ; }
    pin (Y) { direction : output ; function : "(A B)'" ; } }
  cell (INV) { area : 1 ; pin (A) { direction : input ; } pin (Y) { direction : output ; function : "!A" ; } }
  cell (BUF) { area : 1.5 ; pin (A) { direction : input ; } pin (Y) { direction : output ; function : "A" ; } }
  cell (AO) { area : 3 ; pin (A) { direction : input ; } pin (B) { direction : input ; } pin (C) { direction : input ; }
    pin (Y) { direction : output ; function : "A^B C+!A" ; } }
  cell (DFF) { area : 5 ; ff (IQ, IQN) { next_state : "D" ; clocked_on : "CK" ; }
    pin (CK) { direction : input ; clock : true ; } pin (D) { direction : input ; }
    pin (Q) { direction : output ; function : "IQ" ; } pin (QN) { direction : output ; function : "IQN" ; } }
  cell (DFFR) { area : 6 ; ff (IQ, IQN) { next_state : "D" ; clocked_on : "CK" ; clear : "!RN" ; }
    pin (CK) { direction : input ; clock : true ; } pin (D) { direction : input ; } pin (RN) { direction : input ; }
    pin (Q) { direction : output ; function : "IQ" ; } }
  cell (TIEH) { area : 1 ; pin (Y) { direction : output ; function : "1" ; } }
  cell (TIEL) { area : 1 ; pin (Y) { direction : output ; function : "0" ; } }
}
`;

describe('Liberty reader', () => {
  it('parses functions with Liberty precedence (! and \' first, then ^, then and, then or)', () => {
    const e = parseFunction('A^B C+!A');
    expect(truthTable(e, ['A', 'B', 'C'])).toBe(
      [0, 1, 2, 3, 4, 5, 6, 7].map((m) => {
        const [a, b, c] = [m & 1, (m >> 1) & 1, (m >> 2) & 1];
        return ((a ^ b) & c) | (1 - a);
      }).join(''),
    );
    expect(evalExpr(parseFunction("(A*B)'"), { A: 1, B: 1 })).toBe(0);
    expect(evalExpr(parseFunction('(A | B) & 0'), { A: 1, B: 1 })).toBe(0);
    expect(() => parseFunction('A & (B')).toThrow(/missing \)/);
  });

  it('reads a library: units, corner, cells, the mapping cells and tie cells', () => {
    const lib = parseLiberty(TINY, 'tiny.lib');
    expect(lib.timeUnitNs).toBe(0.001);
    expect(lib.capUnitPf).toBe(0.001);
    expect(lib.corner.voltage).toBe(0.8);
    expect([...lib.cells.keys()]).toEqual(['NAND2', 'INV', 'BUF', 'AO', 'DFF', 'DFFR', 'TIEH', 'TIEL']);
    expect(lib.cells.get('NAND2')!.pins.map((p) => p.name)).toEqual(['A', 'B', 'Y']);
    const m = mappingCells(lib, 'tiny.lib');
    expect([m.nand2.name, m.inverter.name, m.buffer.cell.name, m.dff.map((c) => c.name).join()]).toEqual(['NAND2', 'INV', 'BUF', 'DFF']);
    expect([m.tieHi?.cell.name, m.tieLo?.cell.name]).toEqual(['TIEH', 'TIEL']);
    const models = behaviouralModels(lib, ['DFFR', 'AO']);
    expect(models).toMatch(/always @\(posedge zkrtl_clk or posedge zkrtl_clear\)\n\s+if \(zkrtl_clear\) IQ <= 1'b0;\n\s+else IQ <= D;/);
    expect(models).toMatch(/assign Y = \(\(\(A \^ B\) & C\) \| ~A\);/);
  });

  it('reads OSU 0.18 µm: NAND2X1 of 24 µm², DFFPOSX1, no tie cells', async () => {
    await ensureAsicTools();
    const lib = loadLibrary(DEFAULT_LIBERTY);
    expect(lib.lib.name).toBe('osu018_stdcells');
    expect(lib.cells.nand2.name).toBe('NAND2X1');
    expect(lib.cells.nand2.area).toBe(24);
    expect(lib.cells.dff.map((c) => c.name)).toEqual(['DFFPOSX1']);
    expect(lib.cells.tieHi).toBeUndefined();
    // Every cell but FILL (no pins) gets a model from its Liberty function.
    const names = [...lib.lib.cells.keys()].filter((n) => n !== 'FILL');
    expect(behaviouralModels(lib.lib, names).match(/^module /gm)).toHaveLength(names.length);
  });

  it('rejects what is not a usable library with one line naming it', () => {
    expect(() => parseLiberty('module x; endmodule', 'x.v')).toThrow(UsageError);
    expect(() => parseLiberty('module x; endmodule', 'x.v')).toThrow(/--liberty x.v is not a Liberty library: it does not start with a library group/);
    expect(() => parseLiberty('library (a) { cell (X) { area : 1 ; ', 'a.lib')).toThrow(/not a Liberty library: .*not closed/);
    const noFlop = TINY.replace(/cell \(DFF\)[^\n]*\n[^\n]*\n[^\n]*\n/, '').replace(/cell \(DFFR\)[^\n]*\n[^\n]*\n[^\n]*\n/, '');
    expect(() => mappingCells(parseLiberty(noFlop, 'f.lib'), 'f.lib')).toThrow(/--liberty f.lib lacks cells the mapping needs: a rising-edge D flip-flop/);
    const noNand = TINY.replace(/"\(A B\)'"/, '"(A B)"');
    expect(() => mappingCells(parseLiberty(noNand, 'n.lib'), 'n.lib')).toThrow(/lacks cells the mapping needs: a 2-input NAND/);
    expect(() => parseClockNs('0')).toThrow(/--clock 0 is not accepted: give the clock period in ns, a positive number/);
    expect(() => parseClockNs('-3')).toThrow(UsageError);
    expect(() => parseClockNs('fast')).toThrow(UsageError);
    expect(parseClockNs('2.5')).toBe(2.5);
  });

  it('builds the Yosys script for each effort', async () => {
    await ensureAsicTools();
    const lib = loadLibrary(DEFAULT_LIBERTY);
    const timing = asicScript('t', ['t.v'], lib, 5, 't.asic.v');
    expect(timing).toMatch(/^synth -flatten -top t$/m);
    expect(timing).toMatch(/^abc -liberty \S+ -D 5000 -constr \S+$/m);
    expect(timing).toMatch(/^insbuf -buf BUFX2 A Y$/m);
    expect(timing).not.toMatch(/hilomap/);
    const fast = asicScript('t', ['t.v'], lib, 5, 't.asic.v', 'fast');
    expect(fast).toMatch(/^synth -flatten -noabc -top t$/m);
    expect(fast).toMatch(/^abc -fast -liberty \S+ -D 5000$/m);
    expect(() => parseEffort('max')).toThrow(/--effort max is not accepted/);
  });

  it('reads OpenSTA reports, including "No paths found"', () => {
    expect(parseStaReport('No paths found.\nwns 0.00\ntns 0.00\n', 1)).toEqual({ worst: null, holdSlackNs: null, wnsNs: 0, tnsNs: 0 });
  });
});

describe('ASIC mapping, STA and gate-level simulation (OSU 0.18 µm, babybear)', () => {
  const dir = scratch();
  const modadd = generateBlock('modadd', namedField('babybear'));
  const montmul = generateBlock('montmul', namedField('babybear'));
  const outOf = (top: string) => join(dir, `${top}.asic`);
  const reports: Record<string, AsicReport> = {};

  beforeAll(async () => {
    await ensureAsicTools();
    for (const [block, d] of [['modadd', modadd], ['montmul', montmul]] as const) {
      const r = zkrtl(['synth', block, '--field', 'babybear', '--target', 'asic', '--out', outOf(d.top)]);
      expect(r.stderr + r.stdout, `${block}: exit ${r.code}`).toMatch(/wrote /);
      expect(r.code).toBe(0);
      reports[d.top] = JSON.parse(readFileSync(join(outOf(d.top), 'report.json'), 'utf8'));
    }
  }, 120_000);

  it('writes the netlist without expressions, the SDC, the cell models and the reports', () => {
    const out = outOf(montmul.top);
    expect(readdirSync(out).sort()).toEqual(['cells.v', 'montmul_babybear.asic.v', 'montmul_babybear.sdc', 'report.json', 'report.txt', 'sta.log', 'yosys.log']);
    const netlist = readFileSync(join(out, 'montmul_babybear.asic.v'), 'utf8');
    expect(netlist).not.toMatch(/^\s*assign /m);
    expect(netlist).toMatch(/^\s*DFFPOSX1 /m);
    expect(readFileSync(join(out, 'montmul_babybear.sdc'), 'utf8')).toMatch(/^create_clock -name clk -period 10 \[get_ports clk\]$/m);
    expect(readFileSync(join(out, 'report.txt'), 'utf8')).toMatch(/^NAND2-eq\s+[\d,]+ gates \(area ÷ NAND2X1, 24 µm²\)$/m);
  });

  it('reports area, NAND2-eq, flip-flops and the worst setup path consistently', () => {
    for (const r of Object.values(reports)) {
      const sum = Object.values(r.cellAreaUm2).reduce((a, b) => a + b, 0);
      expect(r.areaUm2).toBeCloseTo(sum, 3);
      expect(r.nand2Equivalents).toBe(Math.round(r.areaUm2 / 24));
      expect(r.ffs).toBe(r.cells.DFFPOSX1);
      expect(r.ffAreaUm2).toBe(r.ffs * 96);
      // Every pipeline register holds at least the W-bit result and the valid bit.
      expect(r.ffs).toBeGreaterThanOrEqual(32);
      const w = r.sta.worst!;
      expect(w.met).toBe(true);
      expect(w.arrivalNs).toBeGreaterThan(0);
      expect(w.slackNs).toBeCloseTo(w.requiredNs - w.arrivalNs, 3);
      expect(r.sta.fmaxMhz).toBeCloseTo(1000 / (10 - w.slackNs), 1);
      expect(w.endKind).toMatch(/clocked by clk/);
      // Flip-flops carry the names of the register bits they hold.
      for (const point of [w.startpoint, w.endpoint]) expect(point).not.toMatch(/^_\d+_$/);
    }
    // The multiplier is the larger, slower block.
    expect(reports[montmul.top]!.areaUm2).toBeGreaterThan(5 * reports[modadd.top]!.areaUm2);
    expect(reports[montmul.top]!.sta.worst!.cells).toBeGreaterThan(reports[modadd.top]!.sta.worst!.cells);
  });

  it('a clock shorter than the worst path fails setup; a library with tie cells gets them (--liberty FILE)', async () => {
    // OSU 0.18 µm plus a tie-high and a tie-low cell, and a small registered design with
    // constant output bits and a 4×4-bit product.
    const osu = readFileSync(DEFAULT_LIBERTY, 'utf8');
    const ties = 'cell (TIEHI) { area : 16 ; pin (Y) { direction : output ; function : "1" ; } }\ncell (TIELO) { area : 16 ; pin (Y) { direction : output ; function : "0" ; } }\n';
    const path = join(dir, 'osu_ties.lib');
    writeFileSync(path, osu.slice(0, osu.lastIndexOf('}')) + ties + '}\n');
    const files = {
      'ties.v': 'module ties (input wire clk, input wire [3:0] a, input wire [3:0] b, output reg [11:0] y);\n  always @(posedge clk) y <= {4\'b1010, a * b};\nendmodule\n',
    };
    const ports = [
      { name: 'clk', dir: 'in' as const, width: 1 },
      { name: 'a', dir: 'in' as const, width: 4 },
      { name: 'b', dir: 'in' as const, width: 4 },
      { name: 'y', dir: 'out' as const, width: 12 },
    ];
    const r = await synthesizeAsic({ top: 'ties', files, ports, library: loadLibrary(path), clockNs: 0.3 });
    expect(r.report.tieCells).toEqual({ hi: 'TIEHI', lo: 'TIELO' });
    expect(r.report.constantConnections).toBe(0);
    expect(r.netlist).toMatch(/^\s*TIE(HI|LO) /m);
    const w = r.report.sta.worst!;
    expect(w.met).toBe(false);
    expect(w.slackNs).toBeLessThan(0);
    expect(r.report.sta.wnsNs).toBeLessThan(0);
    expect(w.startKind).toMatch(/input port clocked by clk/);
    expect(r.report.sta.fmaxMhz).toBeCloseTo(1000 / (0.3 - w.slackNs), 1);
  }, 60_000);

  const vectors = (d: typeof modadd, n: number) => makeVectors({ p: BigInt(d.manifest.field!.p), k: d.manifest.montgomery?.k }, n, 7);

  it('the modadd and montmul netlists equal the golden model, back to back and with bubbles', async () => {
    for (const d of [modadd, montmul]) {
      const netlist = loadGateLevelNetlist(d, { dir: outOf(d.top) });
      const v = vectors(d, 2000);
      const runs = await checkGateLevel(d, netlist, v, { progress: silentProgress, seed: 3, waveformDir: join(dir, 'waves') });
      expect(runs.map((r) => [r.mode, r.vectors])).toEqual([['back-to-back', v.length], ['bubbles', v.length]]);
    }
  }, 240_000);

  it('catches a netlist with one gate changed', async () => {
    const netlist = loadGateLevelNetlist(modadd, { dir: outOf(modadd.top) });
    const name = `${modadd.top}.asic.v`;
    const text = netlist.files[name]!;
    // One XOR of the adder becomes an XNOR: the sum bit it makes flips.
    const i = text.indexOf('XOR2X1 ');
    expect(i).toBeGreaterThan(0);
    const broken = { ...netlist, files: { ...netlist.files, [name]: text.slice(0, i) + 'XNOR2X1 ' + text.slice(i + 'XOR2X1 '.length) } };
    await expect(checkGateLevel(modadd, broken, vectors(modadd, 200), { progress: silentProgress, seed: 3, waveformDir: join(dir, 'waves') })).rejects.toThrow(SimMismatchError);
  }, 120_000);

  it('--netlist asic before the netlist exists, or from other RTL: says which command makes it', () => {
    expect(() => loadGateLevelNetlist(modadd, { dir: join(dir, 'nothing') })).toThrow(/no gate-level netlist .*modadd_babybear.asic.v yet: make it first with `zkrtl synth modadd --field babybear --target asic`/);
    // A netlist whose report names other RTL (another zkrtl, other parameters).
    const stale = join(dir, 'stale');
    mkdirSync(stale);
    for (const f of ['cells.v', `${modadd.top}.asic.v`]) copyFileSync(join(outOf(modadd.top), f), join(stale, f));
    writeFileSync(join(stale, 'report.json'), JSON.stringify({ ...reports[modadd.top], rtlSha256: '0'.repeat(64) }));
    expect(() => loadGateLevelNetlist(modadd, { dir: stale })).toThrow(/was made from other RTL .*make it again with `zkrtl synth modadd --field babybear --target asic`/);
  });
});

describe('zkrtl synth --target asic: bad input', () => {
  const notLiberty = () => {
    const d = scratch();
    writeFileSync(join(d, 'cells.lib'), 'this is not a library\n');
    return join(d, 'cells.lib');
  };
  const noNand = () => {
    const d = scratch();
    writeFileSync(join(d, 'nonand.lib'), TINY.replace(/"\(A B\)'"/, '"(A B)"'));
    return join(d, 'nonand.lib');
  };
  const cases: Array<[string, () => string[], RegExp]> = [
    ['missing liberty', () => ['--liberty', '/nonexistent/cells.lib'], /--liberty \/nonexistent\/cells.lib does not exist: give a Liberty \(.lib\) file of standard cells/],
    ['liberty is a directory', () => ['--liberty', tmpdir()], /cannot be read \(it is a directory\)/],
    ['not Liberty', () => ['--liberty', notLiberty()], /is not a Liberty library: it does not start with a library group/],
    ['no NAND2', () => ['--liberty', noNand()], /lacks cells the mapping needs: a 2-input NAND/],
    ['clock zero', () => ['--clock', '0'], /--clock 0 is not accepted: give the clock period in ns, a positive number/],
    ['clock not a number', () => ['--clock', '10MHz'], /--clock 10MHz is not accepted/],
    ['netlist formats', () => ['--netlist', 'edif'], /--netlist does not go with --target asic/],
    ['bad effort', () => ['--effort', 'max'], /--effort max is not accepted: give timing \(default\) or fast/],
  ];
  for (const [what, extra, message] of cases) {
    it(`${what}: one line, exit 2, nothing written`, () => {
      const dir = scratch();
      const out = join(dir, 'out');
      const r = zkrtl(['synth', 'modadd', '--field', 'babybear', '--target', 'asic', ...extra(), '--out', out], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    });
  }
  it('--liberty, --clock or --effort with an FPGA target is refused', () => {
    const r = zkrtl(['synth', 'modadd', '--field', 'babybear', '--target', 'xilinx', '--clock', '5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--liberty, --clock and --effort go with --target asic, not xilinx/);
  });
});
