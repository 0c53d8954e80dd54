// zkrtl command line. Every command parses and validates all of its input before it
// writes anything; bad input is one line on stderr and exit code 2.
import { EXIT_USAGE, UsageError } from './errors.ts';
import { ZKRTL_VERSION } from '../gen/design.ts';

const COMMANDS = ['gen', 'sim', 'synth', 'lint', 'prove', 'formal', 'run', 'sweep', 'report', 'fields', 'curves', 'tools'];

const USAGE = `zkrtl ${ZKRTL_VERSION}: Verilog generators for zero-knowledge proving hardware

usage:
  zkrtl gen [BLOCK] [--field NAME | --prime P | --curve NAME|FILE.json] [--param K=V]... [--out DIR] [--config FILE]
      without BLOCK: every block × field of the config (default zkrtl.config.json) into its 'out'
  zkrtl sim [BLOCK] [--field NAME | --prime P | --curve C] [--param K=V]... [--vectors N] [--seed S]
            [--input FILE.hex --output OUT.hex] [--inverse] [--netlist asic] [--primes P,...] [--config FILE]
            [--points N] [--msms M] [--adversarial]
      Verilator run of the RTL against the golden model (back to back, then with bubbles);
      --netlist asic: the gate-level netlist of 'zkrtl synth BLOCK … --target asic' instead of the RTL;
      --input: 'a b' hex pairs (modadd, modsub, montmul, modmul), one element per line (ntt), or one addition per
      line (ecadd: [MODE] P's then Q's port coordinates in hex, Montgomery form; --output: the result's);
      --inverse (ntt): inverse transforms; --primes P,... (montmul prime=runtime): the primes loaded in turn
      msm: --points N pairs per MSM (default 16), --msms M random MSMs (default 2), --adversarial the hazard-heavy
      families too (default when neither --points nor --msms is given); --input FILE: 'scalar x y' hex per line
      (plain affine coordinates), a blank line between MSMs; --output: one affine 'x y' per MSM (O: infinity)
  zkrtl synth BLOCK [--field NAME | --prime P | --curve C] [--param K=V]... --target generic|xilinx|ice40|ecp5
            [--netlist json,edif,blif,verilog] [--out DIR] [--word-level] [--by-module] [--by-register]
            [--pnr [--freq MHZ] [--seed N|A-B|N,M,…] [--wrap bare|top|both] [--trace full|light]]
      --word-level (generic only): stop at word-level cells, fast on wide multipliers
      --by-module: synthesizes again with each module mapped on its own and adds where the LUTs (cells)
            go to the report, module by module (own and with its submodules), beside the flat count
      --by-register (LUT targets): adds where the flat netlist's LUTs go, register by register: each LUT shared
            equally among the registers, memories, DSPs and outputs it reaches through LUTs and carry cells
            (and wide-LUT muxes)
      --pnr (ice40 only): wraps the block in an FPGA top, places and routes it on an iCE40 UP5K-SG48 with
            nextpnr-ice40 and reports Fmax, the critical path and the cells (synth-out/<top>.ice40-pnr/); an
            rv32im core twice: bare (ports folded to pins) and in its FPGA top (on-chip RAM), bare/ and fpga-top/
            (--wrap: one of them); --trace light: of its trace port only rvfi_valid, insn and rd_wdata are kept
            (the rest left open and optimised away; nearer to a core without a trace port), into .ice40-pnr-light/;
            --seed 1-5 (or 1,4,7): one synthesis placed once per seed, each into seed-N/, and the spread of Fmax
            (min, median, mean, max) printed and written to seeds.json and seeds.txt
  zkrtl synth BLOCK [--field NAME | --prime P] [--param K=V]... --target asic [--liberty FILE.lib] [--clock NS]
            [--effort timing|fast] [--out DIR]
      standard cells (default OSU 0.18 um, Debian's qflow-tech-osu018) with Yosys + ABC, static timing with
      OpenSTA against --clock (ns, default 10): area um2, NAND2-eq, FFs, worst path, Fmax; writes the
      gate-level netlist, an SDC and cell models into synth-out/<top>.asic/ (zkrtl sim BLOCK --netlist asic
      simulates it); --effort fast: quick ABC mapping for designs of hundreds of thousands of cells
  zkrtl lint [BLOCK [--field NAME | --prime P | --curve C] [--param K=V]...] [--config FILE]
      verilator --lint-only -Wall and yosys check -assert on every emitted module
  zkrtl prove [montmul [--field NAME | --prime P] [--param K=V]... [--end-to-end [--waveforms DIR]]] [--timeout S]
  zkrtl prove modmul [--field NAME | --prime P] [--param K=V]... [--timeout S]
  zkrtl prove [--config FILE] [--timeout S]
      machine-checked proofs of a multiplier for its own prime and tiles, one verdict and time per lemma:
      montmul: each product's netlist is exactly its product (symbolic, BigInt), the REDC steps with this
      design's constants and band (z3), the final subtraction; --end-to-end (primes up to 12 bits):
      the whole Verilog, lowered to gates by Yosys, equal to a·b·R⁻¹ mod p on every canonical pair (checked
      feed-forward, evaluated exhaustively; out_valid by SAT; a counterexample's VCD into --waveforms, default
      prove-out/). modmul: its product and folds (symbolic), each fold's residue and bound and the last
      step's pick (z3), the wiring; or its two montmuls. Without a block: every fixed-prime montmul and
      modmul the config emits, inside other blocks too.
      Exit 1 when a lemma fails or times out (--timeout, seconds per solver call, default 60)
  zkrtl formal rv32im [--param K=V]... [--depth N] [--check NAME,…] [--jobs N] [--out DIR]
            [--engine bmc|pdr [--pdr-timeout S]] [--solver glucose|minisat|satoko] [--cover]
            [--record FILE [--resume | --from DIR]]
      the core's retirement rows (RVFI) checked by bounded model checking against the ISA spec, every
      memory and environment answer free: one check per instruction, illegal, reg, pc, order, halt, live
      (liveness), unit_mul and unit_div (the M units at 6 and 8 bits; with mul=serial unit_div covers the
      multiply), unit_mul32 (the DSP multiplier at 32 bits by composition: its 16x16 products cut, checked
      for their operands, the rest bounded, z3 the identity); multiply/divide are stand-ins in the core (README). --depth: cycles from reset (default:
      the core's stated depth, and reg and pc their own shorter one); --jobs: checks at once (default: the cores); a check running over a minute prints the cycle it has reached, once a minute. --solver: bmc3's SAT solver (default glucose). --engine pdr: ABC's pdr (IC3) instead of bmc3,
      a proof then holds at every depth (no --depth), or the check is OPEN after --pdr-timeout CPU seconds
      (default 1800). A failing check names the assert, cycle and instruction and writes its VCD under
      --out (default formal-out/<core>/<check>/counterexample.vcd); exit 1 if any check is not proved.
      --cover: instead, a cover per instruction check (cover_add, …): a row of it that does not trap
      retires within the depth, with the cycle and its waveform (the proof is not vacuous); exit 1 if any is not reached
      --record FILE: each proof goes into FILE (JSON; the repository's is bench/rv32im-proofs.json) with a sha256
      of its model (the check's Verilog and scripts and the Yosys version), so it is known to hold for the RTL of
      today or not; --resume: checks FILE holds proved for the model this run would check, as deep or by pdr, are
      not run again; --from DIR: runs nothing, records the proofs an earlier run left in DIR (its --out; each
      check's verdict.json) whose model is today's
  zkrtl run PROG.elf [--model] [--ram BYTES] [--max-cycles N] [--stats FILE] [--trace FILE]
            [--segment N [--segments FILE]] [--param K=V]...
      runs a static rv32im ELF on the generated core under Verilator (--param: its configuration),
      or on the TypeScript golden model with --model; RAM at address 0 (default 16M; --ram 64K, 1M, 0x100000),
      pc = entry, sp = top of RAM; ecall write (a7=64) to fd 1/2, exit (a7=93/94).
      Output: the program's stdout/stderr; exit code: the program's, or 125 on a fault (one line on stderr).
      --max-cycles N (default 1e9): bound in cycles (model: retired instructions);
      --stats FILE: JSON {engine, cycles, instret, cpi, stalls, stop}; --trace FILE: one JSON line per retired
      instruction; --segment N: segments of N instructions with start/end state (pc, registers, SHA-256 of RAM)
      written as JSON to --segments FILE, by default next to the trace (trace.jsonl -> trace.segments.json)
  zkrtl sweep BLOCK [--field F1,F2,… | --prime P1,… | --curve C1,…] [--param K=V1,V2,…]...
            --target generic|xilinx|ice40|ecp5|asic [--pnr [--freq MHZ] [--seed N]] [--clock NS] [--liberty FILE]
            [--jobs N] [--out DIR]
      every combination of the values, synthesized by 'zkrtl synth' in --jobs worker processes (default: the
      cores), each result cached by a hash of its RTL and the flow (.cache/sweep; ZKRTL_SWEEP_CACHE moves it);
      writes DIR (default sweep-out/<block>_<subjects>)/results.csv, results.json and index.html: sortable
      table, LUT and DSP (generic: gates, asic: area) against latency and Fmax, Pareto fronts marked
  zkrtl report [--results FILE.json] [--out FILE.html] [--screenshot FILE.png]
      the benchmark as plots: bench/report.html from bench/results.json (npm run bench calls it);
      --screenshot: a full-page picture of it by headless Chromium (bench/report.png)
  zkrtl fields
      the named fields with their bit length and 2-adicity
  zkrtl curves
      the named curves (for --curve) with their fields, cofactor and the adder forms each supports
  zkrtl tools
      installs Verilator from Debian when missing (as root), shows the tool versions

blocks: modadd, modsub, montmul, modmul, butterfly, ntt, ecadd (--curve), msm (--curve), rv32im (README: parameters of each)
exit codes: 0 success, 1 a check or a tool failed (simulation mismatch, lint, missing Verilator), 2 bad input;
  zkrtl run: the program's exit code, or 125 on a fault
(ZKRTL_DEBUG=1 adds stack traces to errors)`;

/** The usage lines of one command, cut from USAGE (so the two cannot drift). */
function commandUsage(command: string): string | undefined {
  const lines = USAGE.split('\n');
  const out: string[] = [];
  let inside = false;
  for (const l of lines) {
    if (/^  zkrtl \S+/.test(l)) inside = l.startsWith(`  zkrtl ${command} `) || l === `  zkrtl ${command}`;
    else if (!l.startsWith('  ')) inside = false;
    if (inside) out.push(l);
  }
  return out.length ? out.join('\n') : undefined;
}

/** `zkrtl COMMAND --help` and `zkrtl COMMAND BLOCK --help`: usage, and a block's parameters. */
async function help(command: string, rest: string[]): Promise<number> {
  const usage = commandUsage(command);
  if (!usage) throw new UsageError(`unknown command '${command}': accepted are ${COMMANDS.join(', ')} (zkrtl --help)`);
  const out = [`usage:\n${usage}`];
  const block = rest.find((a) => !a.startsWith('-'));
  if (block !== undefined && ['gen', 'sim', 'synth', 'lint'].includes(command)) {
    const { blockInfo } = await import('../gen/index.ts');
    const info = blockInfo(block);
    out.push('', `${info.name}: ${info.description}${info.usesCurve ? ' (--curve NAME|FILE.json)' : info.usesField === false ? '' : ' (--field NAME | --prime P)'}`);
    if (info.params.length) {
      out.push('', 'parameters (--param key=value):');
      const w = Math.max(...info.params.map((p) => p.name.length));
      for (const p of info.params) out.push(`  ${p.name.padEnd(w)}  ${p.accepted}${p.default ? ` [default: ${p.default}]` : ''}`);
    }
  }
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && !command.startsWith('-') && command !== 'help' && (rest.includes('--help') || rest.includes('-h'))) return help(command, rest);
  switch (command) {
    // Commands load lazily: `zkrtl fields` need not load Yosys or the simulator driver.
    case 'gen':
      return (await import('./commands/gen.ts')).runGen(rest);
    case 'sim':
      return (await import('./commands/sim.ts')).runSim(rest);
    case 'synth':
      return (await import('./commands/synth.ts')).runSynth(rest);
    case 'lint':
      return (await import('./commands/lint.ts')).runLint(rest);
    case 'prove':
      return (await import('./commands/prove.ts')).runProve(rest);
    case 'formal':
      return (await import('./commands/formal.ts')).runFormalCommand(rest);
    case 'run':
      return (await import('./commands/run.ts')).runRun(rest);
    case 'sweep':
      return (await import('./commands/sweep.ts')).runSweep(rest);
    case 'report':
      return (await import('./commands/report.ts')).runReport(rest);
    case 'fields':
      return (await import('./commands/gen.ts')).runFields(rest);
    case 'curves':
      return (await import('./commands/gen.ts')).runCurves(rest);
    case 'tools':
      return (await import('./commands/tools.ts')).runTools(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? EXIT_USAGE : 0;
    case '--version':
      process.stdout.write(`zkrtl ${ZKRTL_VERSION}\n`);
      return 0;
    default:
      throw new UsageError(`unknown command '${command}': accepted are ${COMMANDS.join(', ')} (zkrtl --help)`);
  }
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`zkrtl: error: ${e.message}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    // A missing tool or a failing tool run: one line; the stack only when asked for.
    process.stderr.write(`zkrtl: error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.ZKRTL_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 1;
  }
}
