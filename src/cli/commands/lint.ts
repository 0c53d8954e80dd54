import { verilogSources, type GeneratedDesign } from '../../gen/design.ts';
import { checkVerilog } from '../../synth/yosys.ts';
import { ensureVerilator, lintVerilog } from '../../sim/verilator.ts';
import { parseArgs } from '../args.ts';
import { stderrProgress } from '../progress.ts';
import { DESIGN_OPTIONS, atMostOnePositional, configDesigns, configFromArgs, designFromArgs, noDesignOptions } from './common.ts';

/** Verilator -Wall and Yosys check -assert; returns the problems (empty when clean). */
export async function lintDesign(design: GeneratedDesign): Promise<string[]> {
  const files = verilogSources(design);
  const problems: string[] = [];
  for (const [tool, run] of [['verilator', lintVerilog], ['yosys', checkVerilog]] as const) {
    try {
      await run(design.top, files);
    } catch (e) {
      problems.push(`${tool}: ${(e as Error).message}`);
    }
  }
  return problems;
}

export async function runLint(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { options: [...DESIGN_OPTIONS, 'config'], flags: [] });
  const block = atMostOnePositional(args, 'lint');
  let designs: GeneratedDesign[];
  if (block !== undefined) designs = [designFromArgs(block, args)];
  else {
    noDesignOptions(args, 'lint');
    designs = configDesigns(configFromArgs(args, true)!);
  }
  await ensureVerilator({ log: (s) => stderrProgress.step(s) });
  let failed = 0;
  for (const d of designs) {
    const problems = await lintDesign(d);
    if (problems.length) failed++;
    process.stdout.write(problems.length ? `FAIL ${d.top}\n${problems.join('\n')}\n` : `PASS ${d.top}: verilator -Wall clean, yosys check -assert clean (${d.modules.length} modules)\n`);
  }
  process.stdout.write(`${designs.length - failed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;
}
