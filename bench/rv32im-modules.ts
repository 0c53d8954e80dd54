// rv32im LUT4 by module for `npm run bench` (section rv32im-modules): where the bare cores'
// LUT4s go, the clock configuration's above all, against issue 12's area floor. Each core
// behind pinWrapper (the floors' bare measurement) is synthesized twice for the iCE40: flat,
// as the clock table counts it, and with its hierarchy kept (`zkrtl synth --by-module`); the
// flat netlist's LUT4s are also shared out among the registers they feed (`--by-register`).
import type { Progress } from '../src/cli/progress.ts';
import { generateRv32im } from '../src/gen/rv32im.ts';
import type { RawParams } from '../src/gen/params.ts';
import { displayModuleName, synthesizeByModule, type ModuleRow } from '../src/synth/by-module.ts';
import { lutsByRegister, type SinkRow } from '../src/synth/by-register.ts';
import { netlistFileName, synthesize } from '../src/synth/synth.ts';
import { pinWrapper } from '../src/synth/wrappers.ts';
import { rv32imClockConfiguration } from './rv32im.ts';
import { rv32imAreaConfigs } from './rv32im-area.ts';

export interface Rv32imModulesConfig {
  config: string;
  top: string;
  /** SB_LUT4 of the flat run: the bare figure of the clock table. */
  flatLuts: number;
  /** The hierarchical run's instance tree, the wrapper first. */
  rows: ModuleRow[];
  /** The flat run's LUT4s by the register they feed, most first. */
  registers: SinkRow[];
}

/** Registers shown by name in the section's second table; the rest are summed in one row. */
export const REGISTER_ROWS = 25;

/**
 * The clock configuration (the clock table's variant placed at several seeds), the same with
 * its shifts in the multiplier (the area table's nearest row to the floor) and without M (the
 * area table's m=off row), and the two default cores.
 */
export function rv32imModulesConfigs(): { name: string; params: RawParams }[] {
  const clock = rv32imClockConfiguration();
  const area = (change: string) => rv32imAreaConfigs().find((c) => c.change === change)!.params;
  return [
    { name: `clock configuration (${clock.name})`, params: clock.params },
    { name: 'clock configuration, shift=mul', params: area('shift=mul') },
    { name: 'clock configuration, m=off', params: area('m=off') },
    { name: 'pipeline=5 (default)', params: { pipeline: '5', m: 'on' } },
    { name: 'multicycle (default)', params: { pipeline: 'multicycle', m: 'on' } },
  ];
}

export async function benchRv32imModules(progress: Progress): Promise<Rv32imModulesConfig[]> {
  const out: Rv32imModulesConfig[] = [];
  for (const c of rv32imModulesConfigs()) {
    const bare = pinWrapper(generateRv32im(c.params));
    progress.step(`rv32im-modules: ${c.name}: yosys ice40, flat`);
    const flat = await synthesize({ top: bare.top, files: bare.files, target: 'ice40', netlists: ['json'] });
    const registers = lutsByRegister(flat.netlists[netlistFileName(bare.top, 'ice40', 'json')]!, bare.top, 'ice40');
    progress.step(`rv32im-modules: ${c.name}: yosys ice40, each module on its own`);
    const { rows } = await synthesizeByModule({ top: bare.top, files: bare.files, target: 'ice40' });
    out.push({ config: c.name, top: bare.top, flatLuts: flat.report.luts, rows, registers });
  }
  return out;
}

export function renderRv32imModules(configs: Rv32imModulesConfig[]): string[] {
  const L: string[] = ['## rv32im: LUT4 by module', ''];
  L.push(
    'Where the bare cores\' LUT4s go (issue 12\'s area floor: ≤ 3,000 LUT4 bare for the 5-stage core, ≤ 2,000 for the multicycle one). Each core behind `pinWrapper` (the bare measurement of the clock table: the wrapper\'s own LUT4s are the XOR fold of every output into the pins and the input shift register) is synthesized by Yosys `synth_ice40` twice: flat, the clock table\'s count, and with its hierarchy kept (`zkrtl synth … --target ice40 --by-module`: each module mapped on its own, nothing optimised across its ports, so the sum differs from the flat count; both are given). own: the module\'s cells without its submodules\'; with submodules: one instance of it and everything below it.',
    '',
  );
  for (const c of configs) {
    const top = c.rows[0]!;
    L.push(`**${c.config}**: ${top.total.luts} LUT4 with the hierarchy kept, ${c.flatLuts} flat`, '');
    L.push('| module | × | LUT4 own | LUT4 with submodules | FFs | carry | DSP | EBR/SPRAM |', '|---|---|---|---|---|---|---|---|');
    for (const r of c.rows) {
      L.push(`| ${'· '.repeat(r.depth)}${displayModuleName(r.module)} | ${r.instances} | ${r.self.luts} | ${r.total.luts} | ${r.total.ffs} | ${r.total.carry} | ${r.total.dsps} | ${r.total.bram} |`);
    }
    L.push('');
  }
  L.push(
    '### By the register they feed',
    '',
    'The same flat netlists (the clock table\'s count), walked instead of kept in modules (`zkrtl synth … --target ice40 --by-register`): each LUT4 is shared equally among the sinks its output reaches through LUT4s and carry cells (a register, a block RAM, a DSP, an output pin), so a core\'s own logic, one module above, is split by what it computes, and the shares add up to the flat count. share: that sum for the sink; alone: the LUT4s that reach it and no other sink (logic that would go with it). A register is named as Yosys names its flip-flops (the register of the RTL, flattened: `core.div.rem` is the divider\'s), or when Yosys names its bits after different nets, the one it names most of them after that is a register; bits: its flip-flops (a block RAM\'s: its cells). `dout_r` is the wrapper\'s XOR fold of every output into the pins, so its share is what the measurement costs beside the core.',
    '',
  );
  for (const c of configs) {
    const shown = c.registers.slice(0, REGISTER_ROWS);
    const rest = c.registers.slice(REGISTER_ROWS);
    const sum = (rows: SinkRow[], k: 'luts' | 'lutsAlone') => rows.reduce((t, r) => t + r[k], 0);
    L.push(`**${c.config}**: ${c.flatLuts} LUT4 flat, shared among ${c.registers.length} sinks`, '');
    L.push('| sink | kind | bits | LUT4 share | LUT4 alone |', '|---|---|---|---|---|');
    for (const r of shown) L.push(`| ${r.sink} | ${r.kind} | ${r.bits} | ${r.luts.toFixed(1)} | ${r.lutsAlone} |`);
    if (rest.length) L.push(`| (${rest.length} other sinks) |  |  | ${sum(rest, 'luts').toFixed(1)} | ${sum(rest, 'lutsAlone')} |`);
    L.push(`| **all** |  |  | ${sum(c.registers, 'luts').toFixed(1)} | ${sum(c.registers, 'lutsAlone')} |`, '');
  }
  return L;
}
