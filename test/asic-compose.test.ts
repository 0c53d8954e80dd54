import { describe, expect, it } from 'vitest';
import { blackBoxStub, composeFigures, directInstances, unitInstanceCounts } from '../src/synth/asic-compose.ts';

const mod = (name: string, body: string) => ({ name, text: `// ${name}: u_x (not an instance)\nmodule ${name} (\n    input  wire clk,\n    input  wire [7:0] a,\n    output wire [7:0] out\n);\n${body}\nendmodule\n` });

// top: 2 mul, 1 add, 2 delay lines; mul: one delay line and 2 leaf; add: nothing.
const modules = [
  mod('zkrtl_delay', '    reg [7:0] r;'),
  mod('leaf', '    assign out = a;'),
  mod('mul', '    leaf u_a (.a(a), .out());\n    leaf u_b (.a(a), .out());\n    zkrtl_delay #(.WIDTH(8), .DEPTH(2)) u_d (.clk(clk), .d(a), .q());'),
  mod('add', '    /* mul u_comment (.a(a)); */ assign out = a;'),
  mod(
    'top',
    '    zkrtl_delay #(.WIDTH(8), .DEPTH(3)) u_d0 (.clk(clk), .d(a), .q());\n    zkrtl_delay #(.WIDTH(8), .DEPTH(1)) u_d1 (.clk(clk), .d(a), .q());\n    mul u_m0 (.clk(clk), .a(a), .out()); // at 0\n    mul u_m1 (.clk(clk), .a(a), .out());\n    add u_s (.clk(clk), .a(a), .out());',
  ),
];

describe('asic composition', () => {
  it('counts direct instances, not comments or the module header', () => {
    const names = new Set(modules.map((m) => m.name));
    expect(Object.fromEntries(directInstances(modules[4]!.text, names))).toEqual({ zkrtl_delay: 2, mul: 2, add: 1 });
    expect(directInstances(modules[3]!.text, names).size).toBe(0);
  });

  it('counts unit instances through the hierarchy, units not descended into', () => {
    expect(Object.fromEntries(unitInstanceCounts(modules, 'top', ['top', 'mul', 'add']))).toEqual({ top: 1, mul: 2, add: 1 });
    // leaf as a unit: reached through mul (not a unit here), 2 per mul.
    expect(Object.fromEntries(unitInstanceCounts(modules, 'top', ['top', 'leaf', 'add']))).toEqual({ top: 1, leaf: 4, add: 1 });
    expect(() => unitInstanceCounts(modules, 'top', ['top', 'nope'])).toThrow(/nope/);
  });

  it('sums count × figures and takes the lowest Fmax', () => {
    const counts = new Map([
      ['top', 1],
      ['mul', 2],
      ['add', 1],
    ]);
    const f = composeFigures(
      counts,
      [
        { module: 'top', areaUm2: 100, totalCells: 10, ffs: 4, ffAreaUm2: 80, fmaxMhz: 900 },
        { module: 'mul', areaUm2: 1000, totalCells: 50, ffs: 10, ffAreaUm2: 200, fmaxMhz: 40 },
        { module: 'add', areaUm2: 300, totalCells: 20, ffs: 8, ffAreaUm2: 160, fmaxMhz: 55 },
      ],
      24,
    );
    expect(f.areaUm2).toBe(2400);
    expect(f.areaMm2).toBe(0.0024);
    expect(f.totalCells).toBe(130);
    expect(f.ffs).toBe(32);
    expect(f.ffAreaUm2).toBe(640);
    expect(f.nand2Equivalents).toBe(100);
    expect(f.ffAreaShare).toBeCloseTo(640 / 2400, 4);
    expect(f.fmaxMhz).toBe(40);
    expect(f.limitingModule).toBe('mul');
    expect(() => composeFigures(new Map([['x', 1]]), [], 24)).toThrow(/x/);
  });

  it('writes a black-box stub with the ports and no body', () => {
    const stub = blackBoxStub(modules[2]!.text, 'mul');
    expect(stub).toMatch(/^\(\* blackbox \*\)\nmodule mul \(/);
    expect(stub).toContain('output wire [7:0] out\n);\nendmodule');
    expect(stub).not.toContain('leaf');
  });
});
