// iCE40 netlists as nextpnr gets them from our flow (src/synth/synth.ts: SB_MAC16 multipliers
// mapped by us, pipeline registers in fabric, block RAMs) simulated in Verilator with Yosys'
// own cell models (src/sim/ice40-cells.ts), against plain BigInt and the golden model: the
// netlist a user takes to the FPGA computes what the RTL does. Yosys' `synth_ice40 -dsp`, which
// the flow avoids, is the planted bug: its netlist of a pipelined multiplier is caught.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verilogSources } from '../src/gen/design.ts';
import type { RawParams } from '../src/gen/params.ts';
import { generateRv32im, parseRv32imParams, rv32imUnit } from '../src/gen/rv32im.ts';
import { runModel } from '../src/model/rv32im.ts';
import { loadElf } from '../src/riscv/elf.ts';
import { randomProgram } from '../src/riscv/random-program.ts';
import { buildTestPrograms } from '../src/riscv/toolchain.ts';
import { ICE40_CELL_MODELS_FILE, ice40CellModels, ice40CellTypes } from '../src/sim/ice40-cells.ts';
import { compareWithModel } from '../src/sim/rv32im-sim.ts';
import { SimMismatchError, buildPipelineSim, runPipelineSim } from '../src/sim/verilator.ts';
import { netlistFileName, synthesize } from '../src/synth/synth.ts';
import { runYosys } from '../src/synth/yosys.ts';

/** A netlist and the models of the cells it uses, ready for Verilator. */
function withCellModels(name: string, netlist: string): Record<string, string> {
  return { [name]: netlist, [ICE40_CELL_MODELS_FILE]: ice40CellModels(ice40CellTypes(netlist)) };
}

async function ourIce40Netlist(top: string, files: Record<string, string>): Promise<string> {
  const r = await synthesize({ top, files, target: 'ice40', netlists: ['verilog'] });
  return r.netlists[netlistFileName(top, 'ice40', 'verilog')]!;
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'zkrtl-ice40-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

// The multiplier in the pipeline harness: a = {funct3, a}, b = {2'b0, b}, out = {2'b0, y},
// out_valid = in_valid `stages` cycles later. The unit reads funct3 both as its operands enter
// and as its result leaves (a core holds it meanwhile), so each funct3 has its own instance,
// streaming every vector, and out picks the one of the vector leaving.
function harnessTop(unit: string, stages: number): string {
  const delay = (name: string, width: number, input: string) => stages === 0 ? `    wire [${width - 1}:0] ${name} = ${input};` : [
    `    reg [${width - 1}:0] ${name}_q [0:${stages - 1}];`,
    `    integer ${name}_i;`,
    `    always @(posedge clk) begin ${name}_q[0] <= ${input}; for (${name}_i = 1; ${name}_i < ${stages}; ${name}_i = ${name}_i + 1) ${name}_q[${name}_i] <= ${name}_q[${name}_i - 1]; end`,
    `    wire [${width - 1}:0] ${name} = ${name}_q[${stages - 1}];`,
  ].join('\n');
  return [
    '`default_nettype none',
    'module mul_net_top (',
    '    input wire clk, input wire rst, input wire in_valid,',
    '    input wire [33:0] a, input wire [33:0] b,',
    '    output wire out_valid, output wire [33:0] out',
    ');',
    '    wire [31:0] y [0:3];',
    ...[0, 1, 2, 3].map((f) => `    ${unit} u${f} (${stages ? '.clk(clk), ' : ''}.funct3(2'd${f}), .a(a[31:0]), .b(b[31:0]), .y(y[${f}]));`),
    delay('valid', 1, 'in_valid && !rst'),
    delay('f_out', 2, 'a[33:32]'),
    '    assign out_valid = valid && !rst;',
    "    assign out = {2'b00, y[f_out]};",
    'endmodule',
  ].join('\n') + '\n';
}

const M32 = (1n << 32n) - 1n;
const signed = (x: bigint) => (x >> 31n ? x - (1n << 32n) : x);
/** RV32M: funct3 0 MUL, 1 MULH, 2 MULHSU, 3 MULHU, from plain BigInt. */
function rv32mMul(f3: number, a: bigint, b: bigint): bigint {
  const p = (f3 === 1 || f3 === 2 ? signed(a) : a) * (f3 === 1 ? signed(b) : b);
  return (f3 === 0 ? p : p >> 32n) & M32;
}

function mulVectors(count: number): Array<[bigint, bigint]> {
  const edges = [0n, 1n, 2n, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n, 0xffff0000n, 0xfffffffen, M32];
  const out: Array<[bigint, bigint]> = [];
  for (let f3 = 0; f3 < 4; f3++) for (const a of edges) for (const b of edges) out.push([(BigInt(f3) << 32n) | a, b]);
  let s = 0x2545f491n;
  const next = () => (s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n)) >> 32n;
  for (let i = 0; i < count; i++) out.push([((next() & 3n) << 32n) | next(), next()]);
  return out;
}

describe('iCE40 netlists of our flow simulated with Yosys\' cell models', () => {
  const vectors = mulVectors(600);
  const expected = vectors.map(([a, b]) => rv32mMul(Number(a >> 32n), a & M32, b));

  for (const mul of ['1cycle', '2cycle', '3cycle']) {
    it(`the multiplier mul=${mul} (SB_MAC16s, registers in fabric): ${vectors.length} vectors equal BigInt's, back to back and with bubbles`, async () => {
      const cfg = parseRv32imParams({ mul });
      const unit = rv32imUnit(cfg, 'mul');
      const netlist = await ourIce40Netlist(unit.name, { [`${unit.name}.v`]: unit.text });
      expect(ice40CellTypes(netlist)).toContain('SB_MAC16');
      const binary = await buildPipelineSim({ top: 'mul_net_top', files: { ...withCellModels(`${unit.name}.ice40.v`, netlist), 'mul_net_top.v': harnessTop(unit.name, cfg.mulStages) } });
      for (const bubbleProbability of [0, 0.3]) {
        const r = await runPipelineSim({ binary, latency: cfg.mulStages, width: 34, vectors, expected, bubbleProbability, waveformPath: join(work, `mul-${mul}.vcd`) });
        expect(r.outputs).toEqual(expected);
      }
    }, 300_000);
  }

  it('the planted bug: Yosys\' own synth_ice40 -dsp netlist of mul=2cycle (the packing our flow avoids) is caught, with vector and waveform', async () => {
    const unit = rv32imUnit(parseRv32imParams({ mul: '2cycle' }), 'mul');
    const y = await runYosys({
      script: `read_verilog ${unit.name}.v\nsynth_ice40 -dsp -top ${unit.name}\nwrite_verilog -noattr net.v\n`,
      files: { [`${unit.name}.v`]: unit.text },
      outputs: ['net.v'],
    });
    // (built with tracing at once: the mismatch this test expects needs it for its waveform)
    const binary = await buildPipelineSim({ top: 'mul_net_top', files: { ...withCellModels('net.v', y.files['net.v']!), 'mul_net_top.v': harnessTop(unit.name, 1) }, trace: true });
    const err = await runPipelineSim({ binary, latency: 1, width: 34, vectors, expected, waveformPath: join(work, 'mul-dsp.vcd') }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SimMismatchError);
    expect((err as Error).message).toMatch(/vector \d+/);
    expect(existsSync((err as SimMismatchError).waveformPath!)).toBe(true);
  }, 300_000);

  // The clock configuration with the pipelined multiplier: the BTB (no_rw_check) and the
  // register file in SB_RAM40_4K, SB_MAC16s and fabric pipeline registers, the whole core.
  it('the 5-stage core (redirect=mem forward=reg decode=if div_result=mem div=2bit mul=2cycle): its netlist retires the model\'s rows', async () => {
    const params: RawParams = { redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem', div: '2bit', mul: '2cycle' };
    const d = generateRv32im(params);
    const netlist = await ourIce40Netlist(d.top, verilogSources(d));
    expect(ice40CellTypes(netlist)).toEqual(expect.arrayContaining(['SB_MAC16', 'SB_RAM40_4K']));
    // The divider's radix-4 step and count at start are mapped apart (keep_hierarchy) and then
    // flattened: one module, whose cells are all the core's (what the LUT counts count).
    expect([...netlist.matchAll(/^module /gm)]).toHaveLength(1);
    expect(netlist).toMatch(/\bdiv\.r4step\./);
    // The BTB's tag and target arrays are block RAMs (Yosys names the cells after the memory).
    const rams = [...netlist.matchAll(/SB_RAM40_4K\s+#\([\s\S]*?\n\s*\)\s+\\?(\S+)\s+\(/g)].map((m) => m[1]!);
    for (const mem of ['btb_tag', 'btb_target']) expect(rams.some((n) => n.startsWith(`${mem}.`))).toBe(true);
    const files = withCellModels(`${d.top}.ice40.v`, netlist);
    const tests = (await buildTestPrograms()).filter((p) => ['muldiv', 'branches', 'loadstore'].includes(p.name));
    expect(tests).toHaveLength(3);
    const programs = tests.map((p) => ({ name: p.name, ...loadElf(new Uint8Array(readFileSync(p.elf)), 1 << 24, p.name), waits: false }));
    const rnd = loadElf(randomProgram(77).elf, 1 << 24, 'random-77');
    programs.push({ name: 'random-77', ...rnd, waits: true });
    for (const p of programs) {
      const { rtl, model } = await compareWithModel(p.image, p.entry, runModel, {
        params, files, ramBytes: 1 << 24, maxCycles: 20_000_000, name: `ice40-${p.name}`, waveDir: work,
        waitStates: p.waits ? { seed: 5, probability: 0.25 } : undefined,
      });
      expect(rtl.stop).toEqual(model.stop);
      expect(rtl.stats.instret).toBeGreaterThan(1000);
    }
  }, 900_000);
});
