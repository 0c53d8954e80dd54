import { ensureVerilator, verilatorVersion } from '../../sim/verilator.ts';
import { ensureRiscvTools, GCC, QEMU } from '../../riscv/toolchain.ts';
import { nextpnrVersion } from '../../synth/pnr.ts';
import { yosysVersion } from '../../synth/yosys.ts';
import { ensureAsicTools, staVersion } from '../../synth/asic.ts';
import { chromiumVersion, ensureChromium } from '../../tools/chromium.ts';
import { ensureFormalTools } from '../../formal/bmc.ts';
import { spawnSync } from 'node:child_process';
import { parseArgs } from '../args.ts';
import { stderrProgress } from '../progress.ts';

function firstLine(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout || r.stderr).split('\n')[0]!.trim() : 'unknown';
}

/**
 * Makes sure every tool the tests use is there (installing from Debian when missing and
 * root: Verilator, the RISC-V cross compiler and QEMU, OpenSTA and the OSU 0.18 µm cells,
 * Chromium, the native Yosys with yosys-abc for the formal checks) and
 * says which are used. Yosys and nextpnr-ice40 come from npm (WebAssembly) unless $YOSYS or
 * $NEXTPNR names a native binary.
 */
export async function runTools(argv: string[]): Promise<number> {
  parseArgs(argv, { options: [], flags: [] });
  const log = (s: string) => stderrProgress.step(s);
  await ensureVerilator({ log });
  await ensureRiscvTools({ log });
  await ensureAsicTools({ log });
  await ensureChromium({ log });
  await ensureFormalTools({ log });
  process.stdout.write(
    [
      `verilator: ${await verilatorVersion()}`,
      `yosys: ${await yosysVersion()}`,
      `${GCC}: ${firstLine([GCC, '--version'])}`,
      `${QEMU}: ${firstLine([QEMU, '--version'])}`,
      `nextpnr-ice40: ${await nextpnrVersion()}`,
      `OpenSTA: ${await staVersion()}`,
      `chromium: ${await chromiumVersion()}`,
      `formal (native yosys, yosys-abc): ${firstLine(['yosys', '-V'])}`,
    ].join('\n') + '\n',
  );
  return 0;
}
