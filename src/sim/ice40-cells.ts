// Yosys' own simulation models of the iCE40 cells (share/ice40/cells_sim.v of the Yosys that
// maps our designs), made readable by Verilator, so an iCE40 netlist — LUTs, carries,
// flip-flops, SB_MAC16s, block RAMs, as nextpnr gets it — can run in the same harness as the
// RTL. Verilator 5.006 rejects the default values cells_sim.v gives unconnected inputs
// (`input I0 = 0`, through ICE40_DEFAULT_ASSIGNMENT_*) and its timing blocks; the netlists
// Yosys writes connect every input, so both are left out.
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
 * The models of `cells` (and nothing else), preceded by the defines that make them plain
 * Verilog: no input defaults, flip-flops starting at 0 as the FPGA's do after configuration.
 * Throws when cells_sim.v has no model of one of them.
 */
export function ice40CellModels(cells: string[]): string {
  const text = cellsSimText();
  const out = [
    '// Yosys share/ice40/cells_sim.v, the models this netlist uses (src/sim/ice40-cells.ts).',
    '`define SB_DFF_INIT initial Q = 0;',
    '`define ICE40_DEFAULT_ASSIGNMENT_V(v)',
    '`define ICE40_DEFAULT_ASSIGNMENT_0',
    '`define ICE40_DEFAULT_ASSIGNMENT_1',
    '/* verilator lint_off WIDTH */',
  ];
  for (const cell of cells) {
    const m = new RegExp(`^module ${cell}\\b[\\s\\S]*?^endmodule`, 'm').exec(text);
    if (!m) throw new Error(`ice40CellModels: Yosys' cells_sim.v has no model of ${cell}`);
    // Timing annotations (`ifdef ICE40_HX` … specify) are not compiled without their defines.
    out.push(m[0]);
  }
  out.push('/* verilator lint_on WIDTH */');
  return out.join('\n') + '\n';
}
