// rv32im LUT4 by module for `npm run bench` (section rv32im-modules): where the bare cores'
// LUT4s go, the clock configuration's above all, against issue 12's area floor. Each core
// behind pinWrapper (the floors' bare measurement) is synthesized twice for the iCE40: flat,
// as the clock table counts it, and with its hierarchy kept (`zkrtl synth --by-module`).
import type { Progress } from '../src/cli/progress.ts';
import { generateRv32im } from '../src/gen/rv32im.ts';
import type { RawParams } from '../src/gen/params.ts';
import { displayModuleName, synthesizeByModule, type ModuleRow } from '../src/synth/by-module.ts';
import { synthesize } from '../src/synth/synth.ts';
import { pinWrapper } from '../src/synth/wrappers.ts';
import { rv32imClockConfiguration } from './rv32im.ts';

export interface Rv32imModulesConfig {
  config: string;
  top: string;
  /** SB_LUT4 of the flat run: the bare figure of the clock table. */
  flatLuts: number;
  /** The hierarchical run's instance tree, the wrapper first. */
  rows: ModuleRow[];
}

/** The clock configuration (the clock table's variant placed at several seeds) and the two default cores. */
export function rv32imModulesConfigs(): { name: string; params: RawParams }[] {
  const clock = rv32imClockConfiguration();
  return [
    { name: `clock configuration (${clock.name})`, params: clock.params },
    { name: 'pipeline=5 (default)', params: { pipeline: '5', m: 'on' } },
    { name: 'multicycle (default)', params: { pipeline: 'multicycle', m: 'on' } },
  ];
}

export async function benchRv32imModules(progress: Progress): Promise<Rv32imModulesConfig[]> {
  const out: Rv32imModulesConfig[] = [];
  for (const c of rv32imModulesConfigs()) {
    const bare = pinWrapper(generateRv32im(c.params));
    progress.step(`rv32im-modules: ${c.name}: yosys ice40, flat`);
    const flat = await synthesize({ top: bare.top, files: bare.files, target: 'ice40' });
    progress.step(`rv32im-modules: ${c.name}: yosys ice40, each module on its own`);
    const { rows } = await synthesizeByModule({ top: bare.top, files: bare.files, target: 'ice40' });
    out.push({ config: c.name, top: bare.top, flatLuts: flat.report.luts, rows });
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
  return L;
}
