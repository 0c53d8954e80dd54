import { ensureVerilator, verilatorVersion } from '../../sim/verilator.ts';
import { yosysVersion } from '../../synth/yosys.ts';
import { parseArgs } from '../args.ts';
import { stderrProgress } from '../progress.ts';

/** Makes sure the simulator is there (installing it when we can) and says what will be used. */
export async function runTools(argv: string[]): Promise<number> {
  parseArgs(argv, { options: [], flags: [] });
  await ensureVerilator({ log: (s) => stderrProgress.step(s) });
  process.stdout.write(`verilator: ${await verilatorVersion()}\nyosys: ${await yosysVersion()}\n`);
  return 0;
}
