// `zkrtl synth BLOCK --target asic [--liberty FILE] [--clock NS]`: the block mapped onto a
// standard-cell library and timed with OpenSTA; prints the report and writes the gate-level
// netlist, the SDC, the cell models for gate-level simulation, the reports and the logs.
import { verilogSources, type GeneratedDesign } from '../../gen/design.ts';
import { CELL_MODELS_FILE, DEFAULT_LIBERTY, asicOutDir, ensureAsicTools, formatAsicReport, loadLibrary, synthesizeAsic, type AsicEffort, type AsicLibrary } from '../../synth/asic.ts';
import { writeDirectoryAtomically } from '../output.ts';
import { stderrProgress, type Progress } from '../progress.ts';

/** Validates --liberty (installing the default library when missing and root) before any work. */
export async function libraryFromArgs(liberty: string | undefined, progress: Progress = stderrProgress): Promise<AsicLibrary> {
  if (liberty === undefined) await ensureAsicTools({ log: (s) => progress.step(s) });
  return loadLibrary(liberty ?? DEFAULT_LIBERTY);
}

export async function runAsicSynth(design: GeneratedDesign, opts: { out?: string; library: AsicLibrary; clockNs: number; effort?: AsicEffort; progress?: Progress }): Promise<number> {
  const progress = opts.progress ?? stderrProgress;
  const out = opts.out ?? asicOutDir(design.top);
  progress.step(`mapping ${design.top} onto ${opts.library.lib.name} (clock ${opts.clockNs} ns)`);
  const started = Date.now();
  const result = await synthesizeAsic({
    top: design.top,
    files: verilogSources(design),
    ports: design.manifest.ports,
    library: opts.library,
    clockNs: opts.clockNs,
    effort: opts.effort,
    onStep: (s) => progress.step(`  ${s} (${((Date.now() - started) / 1000).toFixed(0)} s)`),
  });
  const text = formatAsicReport(result.report);
  const files = new Map<string, string>([
    ['report.json', JSON.stringify({ ...result.report, manifest: design.manifest }, null, 2) + '\n'],
    ['report.txt', text],
    [result.netlistName, result.netlist],
    [`${design.top}.sdc`, result.sdc],
    [CELL_MODELS_FILE, result.cellModels],
    ['yosys.log', result.yosysLog],
    ['sta.log', result.staLog],
  ]);
  writeDirectoryAtomically(out, files);
  process.stdout.write(text);
  process.stdout.write(`wrote ${out}/ (${result.netlistName}, ${design.top}.sdc, ${CELL_MODELS_FILE}, report.json, report.txt, yosys.log, sta.log)\n`);
  return 0;
}
