// The Yosys driver: checks that reject broken Verilog by name, synthesis figures measured on
// small designs whose right answer is known, netlists a downstream tool will recognise, and
// the parsers on the output of both Yosys versions we meet (0.55 WebAssembly, Debian's 0.23).
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkVerilog, runYosys, undeclaredNames, yosysVersion, yosysVersionFrom, YosysError } from '../src/synth/yosys.ts';
import {
  classifyCells,
  formatSynthReport,
  parseLtp,
  parseStatJson,
  stepFromLogLine,
  synthesize,
  synthScript,
  targetFlow,
  type SynthReport,
} from '../src/synth/synth.ts';
import { displayModuleName, formatModuleTable, parseModuleTree, synthesizeByModule } from '../src/synth/by-module.ts';

const ADD16 = `\`default_nettype none
module add16 (
  input  wire        clk,
  input  wire [15:0] a,
  input  wire [15:0] b,
  output reg  [16:0] s
);
  always @(posedge clk) s <= a + b;
endmodule
\`default_nettype wire
`;

// 17x26 unsigned fits one DSP48E2 (27x18 signed) with a bit to spare on each side.
const MUL17X26 = `\`default_nettype none
module mul17x26 (
  input  wire        clk,
  input  wire [16:0] a,
  input  wire [25:0] b,
  output reg  [42:0] p
);
  reg [16:0] ra;
  reg [25:0] rb;
  always @(posedge clk) begin
    ra <= a;
    rb <= b;
    p  <= ra * rb;
  end
endmodule
\`default_nettype wire
`;

const MUL16 = `\`default_nettype none
module mul16 (
  input  wire        clk,
  input  wire [15:0] a,
  input  wire [15:0] b,
  output reg  [31:0] p
);
  always @(posedge clk) p <= a * b;
endmodule
\`default_nettype wire
`;

async function yosysErrorOf(p: Promise<unknown>): Promise<YosysError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(YosysError);
    return e as YosysError;
  }
  throw new Error('expected a YosysError, got success');
}

describe('checkVerilog', () => {
  it('accepts a clean module', async () => {
    await checkVerilog('add16', { 'add16.v': ADD16 });
  });

  it('names an undriven wire and a multiply driven one', async () => {
    const bad = `\`default_nettype none
module bad (input wire a, input wire b, output wire z, output wire y);
  wire m;
  wire floating;
  assign m = a & b;
  assign m = a | b;
  assign z = m;
  assign y = floating ^ a;
endmodule
`;
    const e = await yosysErrorOf(checkVerilog('bad', { 'bad.v': bad }));
    expect(e.message).not.toContain('\n');
    expect(e.message).toContain('Wire bad.\\floating is used but has no driver');
    // Yosys names the net after its public alias z (m is merged into it) and lists both drivers.
    expect(e.message).toMatch(/multiple conflicting drivers for bad\.\\z .*\$and\$bad\.v:5.*\$or\$bad\.v:6/);
    expect(e.log).toContain("check -assert");
  });

  it('names a missing submodule', async () => {
    const top = `\`default_nettype none
module top (input wire a, output wire y);
  missing_sub u0 (.a(a), .y(y));
endmodule
`;
    const e = await yosysErrorOf(checkVerilog('top', { 'top.v': top }));
    expect(e.message).toMatch(/Module `\\missing_sub' referenced in module `\\top'/);
  });

  it('an identifier used but never declared is an error, though the file ends with `default_nettype wire', async () => {
    // (Yosys only warns here, and synthesizes t from an undriven 1-bit f_word: it tests the
    // nettype in force where the file ends; runYosys fails on that warning)
    const v = `\`default_nettype none
module u (input wire [3:0] a, output wire y);
  wire t = f_word[2:0] == 3'd5;
  assign y = t & a[0];
endmodule
\`default_nettype wire
`;
    const e = await yosysErrorOf(runYosys({ script: 'read_verilog u.v\nsynth -top u', files: { 'u.v': v } }));
    expect(e.message).toBe('u.v:3: f_word is used but never declared');
  });

  it('names each undeclared name once, from any path, as Yosys warns about it', () => {
    const log = [
      "sub dir/p.v:3: Warning: Identifier `\\undecl' is implicitly declared.",
      'Some other line.',
      "sub dir/p.v:3: Warning: Identifier `\\undecl' is implicitly declared.",   // a second parameter set
      "q.v:12: Warning: Identifier `\\x' is implicitly declared.",
      "q.v:13: Warning: Range select out of bounds on signal `\\x': Setting result bit to undef.",
    ].join('\n');
    expect(undeclaredNames(log)).toEqual(['sub dir/p.v:3: undecl is used but never declared', 'q.v:12: x is used but never declared']);
    expect(undeclaredNames('')).toEqual([]);
  });

  it('reports a syntax error with its file and line', async () => {
    const e = await yosysErrorOf(checkVerilog('oops', { 'oops.v': 'module oops (input wire a);\n  wire = ;\nendmodule\n' }));
    expect(e.message).toMatch(/oops\.v:2/);
    expect(e.message).toContain('ERROR');
  });
});

describe('synthesize, generic gates', () => {
  it('registered 16-bit adder: 17 FFs, gates only', async () => {
    const { report, netlists } = await synthesize({ top: 'add16', files: { 'add16.v': ADD16 }, target: 'generic', netlists: ['blif'] });
    expect(report.ffs).toBe(17);
    expect(report.cells['$_DFF_P_']).toBe(17);
    expect(report.luts).toBe(0);
    expect(report.dsps).toBe(0);
    expect(report.longestPath.cells).toBeGreaterThan(0);
    expect(report.longestPath.lutLevels).toBeNull();
    expect(report.srl).toBeUndefined();
    expect(Object.keys(netlists)).toEqual(['add16.generic.blif']);
    expect(netlists['add16.generic.blif']).toMatch(/^\.model add16$/m);
  });

  it('registered 17x26 multiplier: 86 FFs (17 + 26 + 43), no DSP without a target', async () => {
    const { report } = await synthesize({ top: 'mul17x26', files: { 'mul17x26.v': MUL17X26 }, target: 'generic' });
    expect(report.ffs).toBe(86);
    expect(report.dsps).toBe(0);
    // An array multiplier in 2-input gates is dozens of gates deep.
    expect(report.longestPath.cells).toBeGreaterThan(20);
  });
});

describe('synthesize, Xilinx UltraScale+', () => {
  let add: SynthReport;
  let netlists: Record<string, string>;
  const steps: string[] = [];

  beforeAll(async () => {
    const r = await synthesize({
      top: 'add16',
      files: { 'add16.v': ADD16 },
      target: 'xilinx',
      netlists: ['json', 'edif', 'blif', 'verilog'],
      onStep: (s) => steps.push(s),
    });
    add = r.report;
    netlists = r.netlists;
  });

  it('adder: 16 LUT2 + 5 carry cells + 17 FDRE, path through one LUT and the chain', () => {
    // Yosys maps carry chains to CARRY4 on every family, xcup included; Vivado turns pairs
    // of them into CARRY8 when it places. 17 bits of sum need ceil(17/4) = 5.
    expect(add.cells).toEqual({ CARRY4: 5, FDRE: 17, LUT2: 16 });
    expect(add.carry).toBe(5);
    expect(add.ffs).toBe(17);
    expect(add.luts).toBe(16);
    expect(add.totalCells).toBe(38);
    expect(add.srl).toBe(0);
    // -noiopad: no IBUF/OBUF/BUFG, so the path is input -> LUT2 (propagate) -> 5 x CARRY4.
    expect(add.longestPath).toEqual({ cells: 6, lutLevels: 1 });
    expect(add.yosysVersion).toMatch(/^\d+\.\d+/);
  });

  it('reports the same Yosys version on its own', async () => {
    expect(await yosysVersion()).toBe(add.yosysVersion);
  });

  it('writes every netlist asked for, named <top>.<target>.<ext>, in its format', () => {
    expect(Object.keys(netlists).sort()).toEqual(['add16.xilinx.blif', 'add16.xilinx.edif', 'add16.xilinx.json', 'add16.xilinx.v']);
    expect(netlists['add16.xilinx.edif'].startsWith('(edif')).toBe(true);
    // -pvector bra: Vivado wants bus bits as s[16], not s(16).
    expect(netlists['add16.xilinx.edif']).toContain('s[16]');
    const json = JSON.parse(netlists['add16.xilinx.json']) as { modules: Record<string, { cells: Record<string, { type: string }> }> };
    expect(Object.keys(json.modules.add16.cells)).toHaveLength(38);
    // Only the primitives used are kept, not the family's ~400 blackbox models.
    expect(Object.keys(json.modules).length).toBeLessThan(10);
    expect(netlists['add16.xilinx.blif']).toMatch(/^\.model add16$/m);
    expect(netlists['add16.xilinx.v']).toMatch(/^module add16\(/m);
    expect(netlists['add16.xilinx.v']).toContain('CARRY4');
  });

  it('reports coarse progress steps from the log', () => {
    expect(steps[0]).toBe('read');
    expect(steps).toContain('synth_xilinx');
    expect(steps).toContain('synth_xilinx: abc');
    expect(steps).toContain('write edif');
    expect(steps[steps.length - 1]).toBe('ltp');
    expect(steps.length).toBeLessThan(100);
  });

  it('formats a report with the counts in aligned columns', () => {
    const text = formatSynthReport(add);
    expect(text).toMatch(/^target\s+xilinx/m);
    expect(text).toMatch(/^top\s+add16$/m);
    expect(text).toMatch(/^LUTs\s+16$/m);
    expect(text).toMatch(/^FFs\s+17$/m);
    expect(text).toMatch(/^carry\s+5$/m);
    expect(text).toMatch(/^SRL\s+0 /m);
    expect(text).toMatch(/^longest path\s+6 cells, 1 LUT levels$/m);
    expect(text).toMatch(/^ {2}CARRY4\s+5$/m);
    expect(text).toMatch(/^ {2}total\s+38$/m);
    // Values start in one column.
    const line = (label: string) => text.split('\n').find((l) => l.startsWith(label))!;
    expect(line('LUTs').indexOf('16')).toBe(line('FFs').indexOf('17'));
    expect(line('LUTs').indexOf('16')).toBe(line('longest path').indexOf('6 cells'));
    expect(text.split('\n').length).toBeLessThan(40);
  });

  it('multiplier: exactly one DSP48E2, its registers left in fabric', async () => {
    const { report } = await synthesize({ top: 'mul17x26', files: { 'mul17x26.v': MUL17X26 }, target: 'xilinx' });
    expect(report.cells.DSP48E2).toBe(1);
    expect(report.dsps).toBe(1);
    expect(report.luts).toBe(0);
    // Yosys packs A/B/P registers into DSP48E1 (xc7) but not DSP48E2, so all 17 + 26 + 43
    // stay FDREs and the DSP is combinational: a one-cell path.
    expect(report.ffs).toBe(86);
    expect(report.longestPath).toEqual({ cells: 1, lutLevels: 0 });
  });
});

describe('synthesize, Lattice', () => {
  it('iCE40 UP: a 16x16 multiply is one SB_MAC16; its register stays in fabric', async () => {
    const { report, netlists } = await synthesize({ top: 'mul16', files: { 'mul16.v': MUL16 }, target: 'ice40', netlists: ['json'] });
    // Our iCE40 flow maps multipliers without Yosys' ice40_dsp register packing, which
    // corrupts pipelined multipliers (see synth.ts): the output register is 32 SB_DFFs.
    expect(report.cells).toEqual({ SB_DFF: 32, SB_MAC16: 1 });
    expect(report.dsps).toBe(1);
    expect(report.ffs).toBe(32);
    expect(report.longestPath).toEqual({ cells: 1, lutLevels: 0 });
    const json = JSON.parse(netlists['mul16.ice40.json']) as { modules: Record<string, unknown> };
    expect(json.modules.mul16).toBeDefined();
  });

  it('iCE40: the pipelined product pattern that Yosys ice40_dsp corrupts synthesizes cleanly', async () => {
    // Registered inputs, registered product, and a register fed only by that product: with
    // `synth_ice40 -dsp` Yosys ties the last register to 'x (driver-driver conflict).
    const text = `\`default_nettype none
module chain (input wire clk, input wire [15:0] a, input wire [15:0] b, output wire [31:0] q);
    reg [15:0] ar, br;
    reg [31:0] p, r;
    always @(posedge clk) begin ar <= a; br <= b; p <= {16'd0, ar} * {16'd0, br}; r <= p; end
    assign q = r;
endmodule
\`default_nettype wire
`;
    const { report, log } = await synthesize({ top: 'chain', files: { 'chain.v': text }, target: 'ice40' });
    expect(log).not.toMatch(/Driver-driver conflict/);
    expect(report.dsps).toBe(1);
    expect(report.ffs).toBe(96);
  });

  it('ECP5: a 16x16 multiply is one MULT18X18D; Yosys leaves its register in TRELLIS_FFs', async () => {
    const { report } = await synthesize({ top: 'mul16', files: { 'mul16.v': MUL16 }, target: 'ecp5' });
    expect(report.cells).toEqual({ MULT18X18D: 1, TRELLIS_FF: 32 });
    expect(report.dsps).toBe(1);
    expect(report.longestPath).toEqual({ cells: 1, lutLevels: 0 });
  });
});

// A registered adder whose adder is a module marked keep_hierarchy (as the rv32im divider's
// step and count are): the iCE40 flow maps it on its own, every flow ends flat.
const keptAdder = (attr: string) => `${attr}
module kept_add (input wire [15:0] a, input wire [15:0] b, output wire [16:0] y);
    assign y = a + b;
endmodule
module kept_top (input wire clk, input wire [15:0] a, input wire [15:0] b, output reg [16:0] y);
    reg [15:0] ra, rb;
    wire [16:0] s;
    kept_add u (.a(ra), .b(rb), .y(s));
    always @(posedge clk) begin
        ra <= a;
        rb <= b;
        y <= s;
    end
endmodule
`;

describe('synthesize: a keep_hierarchy module is counted with the design', () => {
  for (const target of ['generic', 'ice40', 'xilinx', 'ecp5'] as const) {
    it(`${target}: the same cells as without the attribute, and no cell of the kept module's type`, async () => {
      const kept = await synthesize({ top: 'kept_top', files: { 'kept_top.v': keptAdder('(* keep_hierarchy *)') }, target });
      const flat = await synthesize({ top: 'kept_top', files: { 'kept_top.v': keptAdder('') }, target });
      expect(kept.report.cells.kept_add).toBeUndefined();
      expect(kept.report.ffs).toBe(49);
      expect(kept.report.cells).toEqual(flat.report.cells);
    });
  }
});

// Two levels: the top holds two instances of a registered adder, each of which holds a
// registered XOR stage (a module of its own), and registers an XOR of its own.
const TREE = `\`default_nettype none
module tree_xor (input wire clk, input wire [7:0] a, input wire [7:0] b, output reg [7:0] y);
    always @(posedge clk) y <= a ^ b;
endmodule
module tree_add (input wire clk, input wire [7:0] a, input wire [7:0] b, output reg [7:0] y);
    wire [7:0] x;
    tree_xor u (.clk(clk), .a(a), .b(b), .y(x));
    always @(posedge clk) y <= x + b;
endmodule
module tree_top (input wire clk, input wire [7:0] a, input wire [7:0] b, output reg [7:0] y);
    wire [7:0] y1, y2;
    tree_add c1 (.clk(clk), .a(a), .b(b), .y(y1));
    tree_add c2 (.clk(clk), .a(y1), .b(a), .y(y2));
    always @(posedge clk) y <= y2 ^ a;
endmodule
\`default_nettype wire
`;

describe('synthesize by module (--by-module)', () => {
  it('leaves the flat flows as they were, and keeps the hierarchy in every target\'s other flow', () => {
    const unkeep = 'setattr -mod -unset keep_hierarchy';
    expect(targetFlow('generic', 'TOP')).toBe(`${unkeep}\nsynth -flatten -top TOP`);
    expect(targetFlow('xilinx', 'TOP')).toBe(`${unkeep}\nsynth_xilinx -family xcup -flatten -noiopad -noclkbuf -top TOP`);
    expect(targetFlow('ecp5', 'TOP')).toBe(`${unkeep}\nsynth_ecp5 -top TOP`);
    expect(targetFlow('ice40', 'TOP').split('\n')).toEqual([
      'hierarchy -check -top TOP', 'proc', 'flatten', 'wreduce t:$mul',
      'techmap -map +/mul2dsp.v -map +/ice40/dsp_map.v -D DSP_A_MAXWIDTH=16 -D DSP_B_MAXWIDTH=16 -D DSP_A_MINWIDTH=2 -D DSP_B_MINWIDTH=2 -D DSP_Y_MINWIDTH=11 -D DSP_NAME=$__MUL16X16',
      'select a:mul2dsp', 'setattr -unset mul2dsp', 'opt_expr -fine', 'wreduce', 'select -clear', 'chtype -set $mul t:$__soft_mul',
      'synth_ice40 -spram -top TOP', unkeep, 'flatten', 'delete t:$scopeinfo',
    ]);
    for (const t of ['generic', 'xilinx', 'ice40', 'ecp5'] as const) {
      const kept = targetFlow(t, 'TOP', true);
      expect(kept.split('\n')).not.toContain('flatten');
      expect(kept).not.toMatch(/ -flatten/);
      if (t === 'ice40' || t === 'ecp5') expect(kept).toMatch(new RegExp(`synth_${t} -noflatten`));
    }
  });

  it('hierarchical synthesis (point adders, MSMs) maps every target per module, then flattens: no submodule left, the registers all there', async () => {
    for (const t of ['generic', 'xilinx', 'ice40', 'ecp5'] as const) {
      const script = synthScript('tree_top', ['tree_top.v'], t, {}, false, true);
      const kept = targetFlow(t, 'tree_top', true);
      expect(script).toContain(`${kept}\nflatten\n`);
    }
    const r = await synthesize({ top: 'tree_top', files: { 'tree_top.v': TREE }, target: 'ice40', hierarchical: true });
    expect(r.report.ffs).toBe(40);
    expect(Object.keys(r.report.cells).filter((c) => c.startsWith('tree_'))).toEqual([]);
  });

  for (const target of ['generic', 'ice40', 'xilinx', 'ecp5'] as const) {
    it(`${target}: a row per module, depth first; each total is its own cells plus its instances' totals, and the kept netlist flattened has as many`, async () => {
      const { rows } = await synthesizeByModule({ top: 'tree_top', files: { 'tree_top.v': TREE }, target });
      expect(rows.map((r) => [r.module, r.depth, r.instances])).toEqual([['tree_top', 0, 1], ['tree_add', 1, 2], ['tree_xor', 2, 1]]);
      const [top, add, xor] = rows;
      for (const k of ['totalCells', 'luts', 'ffs', 'carry'] as const) {
        expect(xor!.total[k]).toBe(xor!.self[k]);
        expect(add!.total[k]).toBe(add!.self[k] + xor!.total[k]);
        expect(top!.total[k]).toBe(top!.self[k] + 2 * add!.total[k]);
      }
      // Every register is a module's own (8 bits in each of the five instances), as in the flat run.
      expect(xor!.self.ffs).toBe(8);
      expect(add!.self.ffs).toBe(8);
      expect(top!.total.ffs).toBe(40);
      const flat = await synthesize({ top: 'tree_top', files: { 'tree_top.v': TREE }, target });
      expect(flat.report.ffs).toBe(40);
      // An independent sum: the same kept-hierarchy netlist flattened after mapping, counted by Yosys.
      const flattened = await runYosys({
        script: `read_verilog tree_top.v\n${targetFlow(target, 'tree_top', true)}\nflatten\ntee -q -o s.json stat -json\n`,
        files: { 'tree_top.v': TREE },
        outputs: ['s.json'],
      });
      const counted = classifyCells(target, parseStatJson(flattened.files['s.json']!, 'tree_top').cells);
      for (const k of ['totalCells', 'luts', 'ffs', 'carry', 'dsps', 'bram'] as const) expect(top!.total[k], k).toBe(counted[k]);
      if (target !== 'generic') expect(add!.self.carry).toBeGreaterThan(0);   // the adder's chain is tree_add's own
      const luts = target !== 'generic';
      const text = formatModuleTable(rows, target, luts ? flat.report.luts : flat.report.totalCells);
      const lines = text.trimEnd().split('\n');
      expect(lines).toHaveLength(5);
      expect(lines[0]).toContain(`${luts ? top!.total.luts : top!.total.totalCells} in all, against ${luts ? flat.report.luts : flat.report.totalCells} flat`);
      expect(lines[1]).toMatch(luts ? /^LUTs by module\s+×\s+LUTs self\s+LUTs total/ : /^cells by module/);
      expect(lines[3]).toMatch(/^ {2}tree_add\s+2\s/);
      expect(lines[4]).toMatch(/^ {4}tree_xor\s+1\s/);
    });
  }
});

describe('runYosys with a native binary ($YOSYS)', () => {
  // A stand-in binary: the plumbing (temp dir, script file, outputs, streamed lines, failure)
  // is what is under test here, not Yosys.
  let dir: string;
  let saved: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zkrtl-fake-yosys-'));
    saved = process.env.YOSYS;
    const fake = join(dir, 'yosys');
    writeFileSync(
      fake,
      `#!/bin/sh
[ "$1" = "-s" ] || exit 2
if grep -q fail "$2"; then echo "1. Executing something."; echo "ERROR: it broke" >&2; exit 1; fi
cat in.v > out.txt
echo "line one"
echo "line two"
pwd > cwd.txt
`,
    );
    chmodSync(fake, 0o755);
    process.env.YOSYS = fake;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.YOSYS;
    else process.env.YOSYS = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs in a temp dir it removes, returns outputs and streams lines', async () => {
    const lines: string[] = [];
    const r = await runYosys({ script: 'ok', files: { 'in.v': 'hello\n' }, outputs: ['out.txt', 'cwd.txt'], onLine: (l) => lines.push(l) });
    expect(r.files['out.txt']).toBe('hello\n');
    expect(lines).toEqual(['line one', 'line two']);
    expect(r.log).toBe('line one\nline two\n');
    expect(existsSync(r.files['cwd.txt'].trim())).toBe(false);
  });

  it('throws YosysError with the ERROR line as its message', async () => {
    const e = await yosysErrorOf(runYosys({ script: 'fail', files: {} }));
    expect(e.message).toBe('ERROR: it broke');
    expect(e.log).toContain('1. Executing something.');
  });
});

describe('parsers', () => {
  it('reads stat -json from 0.23 (no num_ports) and 0.55, dropping $scopeinfo', () => {
    const v023 = `{
   "creator": "Yosys 0.23 (git sha1 7ce5011c24b)",
   "invocation": "stat -json ",
   "modules": {
      "\\\\add16": {
         "num_wires":         11,
         "num_cells":         70,
         "num_cells_by_type": {
            "FDRE": 49,
            "CARRY4": 5,
            "LUT2": 16
         }
      }
   },
      "design": {
         "num_cells":         70,
         "num_cells_by_type": { "CARRY4": 5, "FDRE": 49, "LUT2": 16 }
      }
}
`;
    const a = parseStatJson(v023, 'add16');
    expect(Object.keys(a.cells)).toEqual(['CARRY4', 'FDRE', 'LUT2']);
    expect(yosysVersionFrom(a.creator)).toBe('0.23 (git sha1 7ce5011c24b)');
    const v055 = JSON.stringify({
      creator: 'Yosys 0.55 (git sha1 60f126cd0, ccache clang 18.1.3 -O3 -flto -flto)',
      modules: { '\\top': { num_ports: 3, num_cells: 3, num_cells_by_type: { $scopeinfo: 2, $_AND_: 1 } } },
    });
    const b = parseStatJson(v055, 'top');
    expect(b.cells).toEqual({ $_AND_: 1 });
    expect(yosysVersionFrom(b.creator)).toBe('0.55 (git sha1 60f126cd0)');
  });

  it('reads a hierarchical stat -json as a tree: parametrised names, children by LUTs, a loop or a missing top refused', () => {
    const stat = (modules: Record<string, Record<string, number>>) =>
      JSON.stringify({ creator: 'Yosys 0.23', modules: Object.fromEntries(Object.entries(modules).map(([k, v]) => [k, { num_cells: 0, num_cells_by_type: v }])) });
    const text = stat({
      '\\top': { SB_LUT4: 5, SB_DFF: 2, 'small': 1, '$paramod\\big\\W=8': 3 },
      '\\small': { SB_LUT4: 4 },
      '$paramod\\big\\W=8': { SB_LUT4: 2, SB_CARRY: 1, 'small': 1 },
    });
    const rows = parseModuleTree(text, 'top', 'ice40');
    expect(rows.map((r) => [r.module, r.depth, r.instances, r.self.luts, r.total.luts])).toEqual([
      ['top', 0, 1, 5, 5 + 4 + 3 * (2 + 4)],
      ['$paramod\\big\\W=8', 1, 3, 2, 6],
      ['small', 2, 1, 4, 4],
      ['small', 1, 1, 4, 4],
    ]);
    expect(rows[0]!.total.carry).toBe(3);
    expect(rows[0]!.self.ffs).toBe(2);
    expect(() => parseModuleTree(text, 'nope', 'ice40')).toThrow(/stat -json has no module nope/);
    expect(displayModuleName('$paramod\\big\\W=8\\D=2')).toBe('big (W=8, D=2)');
    expect(displayModuleName('$paramod$b981c55e899ca1907e9685d58d9d7f6d263620ed\\zkrtl_delay')).toBe('zkrtl_delay [b981c55e]');
    expect(displayModuleName('rv32im_alu')).toBe('rv32im_alu');
    // Yosys 0.23 writes the text form of a hierarchy deeper than one level into the JSON.
    const v023 = `{
   "creator": "Yosys 0.23 (git sha1 7ce5011c24b)",
   "modules": {
      "\\\\core": { "num_cells": 2, "num_cells_by_type": { "SB_LUT4": 7, "alu": 1 } },
      "\\\\alu": { "num_cells": 1, "num_cells_by_type": { "SB_LUT4": 3 } },
      "\\\\wrap": { "num_cells": 2, "num_cells_by_type": { "SB_LUT4": 1, "core": 1 } }
   },
       alu                1
      "design": { "num_cells": 11, "num_cells_by_type": { "SB_LUT4": 11 } }
}
`;
    expect(parseModuleTree(v023, 'wrap', 'ice40').map((r) => [r.module, r.total.luts])).toEqual([['wrap', 11], ['core', 10], ['alu', 3]]);
    expect(() => parseModuleTree(stat({ '\\a': { b: 1 }, '\\b': { a: 1 } }), 'a', 'ice40')).toThrow(/module a contains itself/);
  });

  it('reads ltp output, counting renamed LUTs and stopping at the path end', () => {
    const log = `3. Executing LTP pass (find longest path).

Longest topological path in add16 (length=3):
    0: \\b [3]
    1: $x.X [3] (via zkrtl_lut_3)
    2: $x.CO [3] (via $auto$alumacc.cc:495:replace_alu$1102.genblk1.slice[0].genblk1.carry4)
    3: $x.CO [7] (via zkrtl_lut_12)
   ff: \\s [15] (via $auto$ff.cc:266:slice$104)
    4: not part of the path (via zkrtl_lut_1)
`;
    expect(parseLtp(log, 'add16')).toEqual({ cells: 3, lutCells: 2 });
    expect(parseLtp('Longest topological path in other (length=9):\n', 'add16')).toEqual({ cells: 0, lutCells: 0 });
  });

  it('turns pass headers into coarse steps', () => {
    const state = { value: null as string | null };
    const steps = [
      '1. Executing Verilog-2005 frontend: a.v b.v',
      '2. Executing SYNTH_ICE40 pass.',
      '2.1. Executing Verilog-2005 frontend: /share/ice40/cells_sim.v',
      '2.43. Executing ABC9 pass.',
      '2.43.1. Executing ABC9_OPS pass (helper functions for ABC9).',
      'Parsing Verilog input',
      '3. Executing HIERARCHY pass (managing design hierarchy).',
      '3.1. Analyzing design hierarchy..',
      '4. Executing EDIF backend.',
      '5. Executing LTP pass (find longest path).',
    ].map((l) => stepFromLogLine(l, state));
    expect(steps.filter(Boolean)).toEqual(['read', 'synth_ice40', 'synth: read', 'synth: abc9', 'write edif', 'ltp']);
  });
});
