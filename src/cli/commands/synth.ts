import { join } from 'node:path';
import { verilogSources } from '../../gen/design.ts';
import { formatModuleTable, synthesizeByModule, type ModuleRow } from '../../synth/by-module.ts';
import { formatRegisterTable, lutsByRegister, type SinkRow } from '../../synth/by-register.ts';
import { formatSynthReport, netlistFileName, synthesize, targetHasLuts, type NetlistFormat, type SynthTarget } from '../../synth/synth.ts';
import { parseArgs, single } from '../args.ts';
import { UsageError } from '../errors.ts';
import { writeDirectoryAtomically } from '../output.ts';
import { stderrProgress } from '../progress.ts';
import { DESIGN_OPTIONS, designFromArgs } from './common.ts';

export const TARGETS: readonly SynthTarget[] = ['generic', 'xilinx', 'ice40', 'ecp5'];
/** What --target accepts: the FPGA/generic flows and the standard-cell flow (synth-asic.ts). */
const CLI_TARGETS: readonly string[] = [...TARGETS, 'asic'];
export const NETLISTS: readonly NetlistFormat[] = ['json', 'edif', 'blif', 'verilog'];

export function parseTarget(value: string | undefined): SynthTarget | 'asic' {
  if (value === undefined) throw new UsageError(`--target is required: one of ${CLI_TARGETS.join(', ')}`);
  if (!CLI_TARGETS.includes(value)) throw new UsageError(`--target ${value} is not accepted: give one of ${CLI_TARGETS.join(', ')}`);
  return value as SynthTarget | 'asic';
}

export function parseNetlists(value: string | undefined): NetlistFormat[] {
  if (value === undefined) return [];
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of list) {
    if (!(NETLISTS as readonly string[]).includes(f)) throw new UsageError(`--netlist ${f} is not accepted: give a comma list of ${NETLISTS.join(', ')}`);
  }
  return [...new Set(list)] as NetlistFormat[];
}

export async function runSynth(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { options: [...DESIGN_OPTIONS, 'target', 'netlist', 'out', 'freq', 'seed', 'liberty', 'clock', 'effort', 'wrap', 'trace'], flags: ['word-level', 'pnr', 'by-module', 'by-register'] });
  if (args.positionals.length !== 1) throw new UsageError('zkrtl synth takes one block: zkrtl synth BLOCK --field F --target T');
  const design = designFromArgs(args.positionals[0], args);
  const target = parseTarget(single(args, 'target'));
  if (target === 'asic') {
    for (const o of ['netlist', 'freq', 'seed', 'wrap', 'trace']) if (single(args, o) !== undefined) throw new UsageError(`--${o} does not go with --target asic (it writes a gate-level Verilog netlist and an SDC; --clock NS sets the clock)`);
    for (const f of ['word-level', 'pnr', 'by-module', 'by-register']) if (args.flags.has(f)) throw new UsageError(`--${f} does not go with --target asic`);
    const { parseClockNs, parseEffort } = await import('../../synth/asic.ts');
    const clockNs = parseClockNs(single(args, 'clock'));
    const effort = parseEffort(single(args, 'effort'));
    const { libraryFromArgs, runAsicSynth } = await import('./synth-asic.ts');
    return runAsicSynth(design, { out: single(args, 'out'), library: await libraryFromArgs(single(args, 'liberty')), clockNs, effort });
  }
  for (const o of ['liberty', 'clock', 'effort']) if (single(args, o) !== undefined) throw new UsageError(`--liberty, --clock and --effort go with --target asic, not ${target}`);
  const netlists = parseNetlists(single(args, 'netlist'));
  const wordLevel = args.flags.has('word-level');
  if (wordLevel && target !== 'generic') throw new UsageError(`--word-level goes with --target generic, not ${target}`);
  const byModule = args.flags.has('by-module');
  if (byModule && wordLevel) throw new UsageError('--by-module maps every module to the target\'s cells; it does not go with --word-level');
  if (byModule && args.flags.has('pnr')) throw new UsageError('--by-module goes with a synthesis report (zkrtl synth BLOCK --target T --by-module), not --pnr');
  const byRegister = args.flags.has('by-register');
  if (byRegister && !targetHasLuts(target)) throw new UsageError(`--by-register shares out LUTs: it goes with --target ice40, xilinx or ecp5, not ${target}`);
  if (byRegister && args.flags.has('pnr')) throw new UsageError('--by-register goes with a synthesis report (zkrtl synth BLOCK --target T --by-register), not --pnr');
  if (args.flags.has('pnr')) {
    if (target !== 'ice40') throw new UsageError(`--pnr goes with --target ice40, not ${target}`);
    if (netlists.length) throw new UsageError('--pnr writes the routed design (.asc), not --netlist');
    const { parsePnrFreq, parsePnrSeeds, parsePnrTrace, parsePnrWrap, runPnrFor } = await import('./synth-pnr.ts');
    const wrap = parsePnrWrap(single(args, 'wrap'), design.manifest.block);
    const trace = parsePnrTrace(single(args, 'trace'), design.manifest.block);
    return runPnrFor(design, { out: single(args, 'out'), clockMhz: parsePnrFreq(single(args, 'freq')), seeds: parsePnrSeeds(single(args, 'seed')), wrap, trace });
  }
  if (single(args, 'wrap') !== undefined) throw new UsageError('--wrap goes with --pnr');
  if (single(args, 'trace') !== undefined) throw new UsageError('--trace goes with --pnr (an rv32im core placed and routed)');
  if (single(args, 'freq') !== undefined || single(args, 'seed') !== undefined) throw new UsageError('--freq and --seed go with --pnr');
  const out = single(args, 'out') ?? join('synth-out', `${design.top}.${target}`);

  // Point adders and MSM cores hold a dozen copies of one wide multiplier: map each module
  // once, then flatten the mapped netlist (minutes instead of hours; nothing is optimised
  // across module boundaries — see bench/results.md, "Per-unit against flat synthesis").
  const hierarchical = !wordLevel && (design.manifest.block === 'ecadd' || design.manifest.block === 'msm');
  stderrProgress.step(`synthesizing ${design.top} for ${target}${hierarchical ? ' (each module mapped once, then flattened)' : ''}`);
  const started = Date.now();
  const result = await synthesize({
    top: design.top,
    files: verilogSources(design),
    target,
    // (--by-register reads the flat netlist: JSON, written only when --netlist asks for it)
    netlists: byRegister && !netlists.includes('json') ? [...netlists, 'json'] : netlists,
    wordLevel,
    hierarchical,
    onStep: (s) => stderrProgress.step(`  ${s} (${((Date.now() - started) / 1000).toFixed(0)} s)`),
  });
  let text = formatSynthReport(result.report);
  // --by-module: a second run with the hierarchy kept, its module tree beside the flat counts.
  let modules: ModuleRow[] | undefined;
  let modulesLog: string | undefined;
  if (byModule) {
    stderrProgress.step(`synthesizing ${design.top} for ${target} again, each module on its own (--by-module)`);
    const again = Date.now();
    const m = await synthesizeByModule({ top: design.top, files: verilogSources(design), target, onStep: (s) => stderrProgress.step(`  ${s} (${((Date.now() - again) / 1000).toFixed(0)} s)`) });
    modules = m.rows;
    modulesLog = m.log;
    const how = hierarchical ? 'in the main run (each module mapped once, then flattened)' : 'flat';
    text += '\n' + formatModuleTable(m.rows, target, targetHasLuts(target) ? result.report.luts : result.report.totalCells, how);
  }
  // --by-register: the flat netlist's LUTs shared out among the registers they feed.
  let registers: SinkRow[] | undefined;
  if (byRegister) {
    const json = result.netlists[netlistFileName(design.top, target, 'json')]!;
    registers = lutsByRegister(json, design.top, target);
    text += '\n' + formatRegisterTable(registers, result.report.luts);
    if (!netlists.includes('json')) delete result.netlists[netlistFileName(design.top, target, 'json')];
  }
  const files = new Map<string, string>([
    ['report.json', JSON.stringify({ ...result.report, ...(modules ? { modules } : {}), ...(registers ? { registers } : {}), manifest: design.manifest }, null, 2) + '\n'],
    ['report.txt', text],
    ['yosys.log', result.log],
    ...(modulesLog === undefined ? [] : [['yosys-by-module.log', modulesLog] as [string, string]]),
    ...Object.entries(result.netlists),
  ]);
  writeDirectoryAtomically(out, files);
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  process.stdout.write(`wrote ${out}/ (report.json, report.txt${modulesLog === undefined ? '' : ', yosys-by-module.log'}${Object.keys(result.netlists).map((n) => `, ${n}`).join('')})\n`);
  return 0;
}
