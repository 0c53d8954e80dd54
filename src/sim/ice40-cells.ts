// Yosys' own simulation models of the iCE40 cells (share/ice40/cells_sim.v of the WebAssembly
// Yosys the flow runs unless $YOSYS names another: the models describe the FPGA's cells, not a
// Yosys version), made readable by Verilator, so an iCE40 netlist — LUTs, carries, flip-flops,
// SB_MAC16s, block RAMs, as nextpnr gets it — can run in the same harness as the RTL.
// Verilator 5.006 rejects the default values cells_sim.v gives unconnected inputs (`input I0 =
// 0`); the file's own switch NO_ICE40_DEFAULT_ASSIGNMENTS leaves them out (the netlists Yosys
// writes connect every input), and its timing blocks are not compiled without their defines.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** File name the models take beside the netlist. */
export const ICE40_CELL_MODELS_FILE = 'zkrtl_ice40_cells.v';

function cellsSimText(): string {
  const require = createRequire(import.meta.url);
  // (the package exports only its bundle, gen/bundle.js, beside gen/share)
  return readFileSync(join(dirname(require.resolve('@yowasp/yosys')), 'share', 'ice40', 'cells_sim.v'), 'utf8');
}

/** The cell types a Yosys `write_verilog` netlist instantiates (SB_*), sorted. */
export function ice40CellTypes(netlist: string): string[] {
  return [...new Set([...netlist.matchAll(/^\s*(SB_[A-Z0-9_]+)\s*(?:#\s*\(|[\\a-zA-Z_])/gm)].map((m) => m[1]!))].sort();
}

/**
 * The models of `cells` (and nothing else), after cells_sim.v's own preamble (its defines;
 * flip-flops start at 0, as the FPGA's do after configuration) without input defaults and
 * without its `timescale (the netlist and the harness have none). Throws when cells_sim.v has no
 * model of one of them.
 */
export function ice40CellModels(cells: string[]): string {
  const text = cellsSimText();
  const preamble = text.slice(0, text.search(/^module /m)).split('\n').filter((l) => !l.startsWith('`timescale'));
  const out = [
    '// Yosys share/ice40/cells_sim.v, the models this netlist uses (src/sim/ice40-cells.ts).',
    '`define NO_ICE40_DEFAULT_ASSIGNMENTS',
    ...preamble,
    '/* verilator lint_off WIDTH */',
  ];
  for (const cell of cells) {
    const m = new RegExp(`^module ${cell}\\b[\\s\\S]*?^endmodule`, 'm').exec(text);
    if (!m) throw new Error(`ice40CellModels: Yosys' cells_sim.v has no model of ${cell}`);
    out.push(m[0]);
  }
  out.push('/* verilator lint_on WIDTH */');
  return out.join('\n') + '\n';
}
