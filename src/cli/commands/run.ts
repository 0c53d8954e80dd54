// `zkrtl run PROG.elf`: runs a static rv32im ELF on the generated core under Verilator, or on
// the TypeScript golden model with --model. The program's output goes to our stdout/stderr as
// it is written, and zkrtl exits with the program's exit code; a fault (illegal instruction,
// misaligned or out-of-RAM access, unknown ecall, EBREAK, --max-cycles) prints one line and
// exits with EXIT_FAULT (125).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseParamArgs } from '../../gen/params.ts';
import { loadElf } from '../../riscv/elf.ts';
import { DEFAULT_RAM_BYTES, describeStop, EXIT_FAULT, type RunOptions, type RunResult, type StopReason } from '../../riscv/machine.ts';
import { segmentsFromTrace } from '../../riscv/segments.ts';
import { formatTraceRow, type TraceRow } from '../../riscv/trace.ts';
import { runModel } from '../../model/rv32im.ts';
import { parseArgs, single } from '../args.ts';
import { UsageError } from '../errors.ts';
import { writeFileAtomically } from '../output.ts';

/** Default bound of a run: 10^9 retired instructions (model) or cycles (RTL). */
export const DEFAULT_MAX_CYCLES = 1_000_000_000;
const MAX_RAM = 0x40000000;


function parseSize(opt: string, text: string, min: number, max: number, multiple = 1): number {
  const m = /^(0x[0-9a-f]+|[0-9]+)([kmg]i?b?)?$/i.exec(text.trim());
  const unit = m?.[2]?.[0]?.toLowerCase();
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1 << 20 : unit === 'g' ? 1 << 30 : 1;
  const v = m ? Number(m[1]) * scale : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max || v % multiple !== 0) {
    throw new UsageError(
      `--${opt} ${text}: give an integer from ${min} to ${max}${multiple > 1 ? `, a multiple of ${multiple}` : ''}` +
        (opt === 'ram' ? ' (bytes, or with K/M/G suffix)' : ''),
    );
  }
  return v;
}

function parseCount(opt: string, text: string): number {
  const m = /^[0-9]+(e[0-9]+)?$/i.exec(text.trim());
  const v = m ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < 1) throw new UsageError(`--${opt} ${text}: give a positive integer (e.g. 65536 or 1e6)`);
  return v;
}

/**
 * A JSON-lines file written synchronously (the model runs synchronously and hands rows over in
 * chunks) through a temporary sibling, renamed into place by commit(); abort() removes it.
 */
class TraceWriter {
  private readonly target: string;
  private readonly tmp: string;
  private fd: number;

  constructor(path: string) {
    this.target = resolve(path);
    mkdirSync(dirname(this.target), { recursive: true });
    this.tmp = join(dirname(this.target), `.${basename(this.target)}.tmp-${process.pid}`);
    this.fd = openSync(this.tmp, 'w');
  }

  add(rows: TraceRow[]): void {
    for (let i = 0; i < rows.length; i += 8192) {
      const lines: string[] = [];
      for (const r of rows.slice(i, i + 8192)) lines.push(formatTraceRow(r));
      writeSync(this.fd, lines.join('\n') + '\n');
    }
  }

  commit(): void {
    closeSync(this.fd);
    this.fd = -1;
    renameSync(this.tmp, this.target);
  }

  abort(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.tmp, { force: true });
  }
}

function stopJson(s: StopReason): Record<string, unknown> {
  const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
  if (s.kind === 'exit') return { kind: 'exit', code: s.code, message: describeStop(s) };
  return { kind: 'fault', cause: s.cause, pc: hex(s.pc), insn: hex(s.insn), detail: s.detail, message: describeStop(s) };
}

export async function runRun(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    options: ['ram', 'max-cycles', 'stats', 'trace', 'segment', 'segments', 'param'],
    flags: ['model'],
  });
  if (args.positionals.length !== 1) {
    throw new UsageError(`zkrtl run takes one ELF file, got ${args.positionals.length ? `'${args.positionals.join(' ')}'` : 'none'}: zkrtl run PROG.elf [--model] …`);
  }
  const elfPath = args.positionals[0]!;
  const model = args.flags.has('model');
  const ramText = single(args, 'ram');
  const ramBytes = ramText === undefined ? DEFAULT_RAM_BYTES : parseSize('ram', ramText, 4096, MAX_RAM, 4096);
  const mcText = single(args, 'max-cycles');
  const maxCycles = mcText === undefined ? DEFAULT_MAX_CYCLES : parseCount('max-cycles', mcText);
  const statsPath = single(args, 'stats');
  const tracePath = single(args, 'trace');
  const segText = single(args, 'segment');
  const segment = segText === undefined ? 0 : parseCount('segment', segText);
  let segmentsPath = single(args, 'segments');
  if (segmentsPath !== undefined && segment === 0) throw new UsageError('--segments FILE needs --segment N (instructions per segment)');
  if (segment > 0 && segmentsPath === undefined) {
    if (tracePath === undefined) throw new UsageError('--segment N writes the segments to --segments FILE, or next to --trace FILE: give one of them');
    segmentsPath = join(dirname(tracePath), `${basename(tracePath).replace(/\.[^.]*$/, '')}.segments.json`);
  }
  const params = parseParamArgs(args.options.param ?? []);
  if (model && Object.keys(params).length > 0) {
    throw new UsageError(`--param ${Object.keys(params)[0]} configures the core: the golden model (--model) takes no parameters`);
  }
  const outputs = [statsPath, tracePath, segmentsPath].filter((p): p is string => p !== undefined).map((p) => resolve(p));
  if (new Set(outputs).size !== outputs.length) throw new UsageError('--stats, --trace and --segments must name different files');
  if (outputs.includes(resolve(elfPath))) throw new UsageError(`an output file is the ELF ${elfPath} itself: choose another name`);

  if (!existsSync(elfPath) || !statSync(elfPath).isFile()) throw new UsageError(`${elfPath}: no such file: give a static 32-bit RISC-V ELF executable`);
  const { entry, image } = loadElf(readFileSync(elfPath), ramBytes, elfPath);

  const opts: RunOptions = {
    ramBytes,
    maxCycles,
    trace: tracePath !== undefined,
    segment,
    onOutput: (fd, bytes) => {
      (fd === 1 ? process.stdout : process.stderr).write(bytes);
    },
  };
  let result: RunResult;
  const traceOut = tracePath !== undefined ? new TraceWriter(tracePath) : undefined;
  try {
    if (model) {
      result = runModel(image, entry, opts, traceOut ? (rows) => traceOut.add(rows) : undefined);
    } else {
      const { runOnRtl } = await import('../../sim/rv32im-sim.ts');
      result = await runOnRtl(image, entry, {
        ...opts,
        trace: opts.trace || segment > 0,
        params,
        onProgress: (s: string) => process.stderr.write(`zkrtl: ${s}\n`),
      });
      if (segment > 0 && !result.segments && result.trace) {
        result.segments = segmentsFromTrace(image, entry, ramBytes, result.trace, segment);
      }
      traceOut?.add(result.trace ?? []);
    }
    traceOut?.commit();
  } catch (e) {
    traceOut?.abort();
    throw e;
  }

  if (statsPath !== undefined) {
    writeFileAtomically(statsPath, JSON.stringify({ ...result.stats, stop: stopJson(result.stop) }, null, 2) + '\n');
  }
  if (segmentsPath !== undefined) {
    // One segment per line: {"segment", "ramBytes", "entry", "segments": [{index, startOrder, endOrder, start, end}, …]}
    const segs = (result.segments ?? []).map((s) => JSON.stringify(s));
    const head = JSON.stringify({ segment, ramBytes, entry }).slice(0, -1);
    writeFileAtomically(segmentsPath, `${head},"segments":[\n${segs.join(',\n')}\n]}\n`);
  }
  if (result.stop.kind === 'exit') return result.stop.code;
  process.stderr.write(`zkrtl: ${describeStop(result.stop)}\n`);
  return EXIT_FAULT;
}
