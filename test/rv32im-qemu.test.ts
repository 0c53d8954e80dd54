// Differential tests of the rv32im golden model against qemu-riscv32 (Debian's qemu-user):
// every riscv/tests program, the bench/riscv programs, and random programs must give the same
// stdout, stderr and exit code; segments of every test program replay on the model. Then
// `zkrtl run --model` end to end. The RISC-V tools are installed when missing (as root); the
// tests fail, never skip, without them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runModel } from '../src/model/rv32im.ts';
import { loadElf } from '../src/riscv/elf.ts';
import { describeStop, EXIT_FAULT, type RunResult } from '../src/riscv/machine.ts';
import { parseFinalState, randomProgram } from '../src/riscv/random-program.ts';
import { verifySegments } from '../src/riscv/segments.ts';
import { buildTestPrograms, compileProgram, ensureRiscvTools, riscvCacheRoot, runQemu, type QemuResult } from '../src/riscv/toolchain.ts';
import { REPO_ROOT } from '../src/sim/verilator.ts';

const RAM = 1 << 20;
const BIN = join(REPO_ROOT, 'bin', 'zkrtl.mjs');

function sameAsQemu(name: string, q: QemuResult, r: RunResult): void {
  expect({ name, stop: describeStop(r.stop) }).toEqual({ name, stop: `program exited with code ${q.exitCode}` });
  expect(Buffer.from(r.stdout).toString()).toBe(q.stdout.toString());
  expect(Buffer.from(r.stderr).toString()).toBe(q.stderr.toString());
}

let programs: { name: string; elf: string }[] = [];

beforeAll(async () => {
  await ensureRiscvTools();
  programs = await buildTestPrograms();
});

describe('model vs qemu-riscv32: riscv/tests programs', () => {
  it('covers the instruction groups of the issue', () => {
    const names = programs.map((p) => p.name);
    for (const n of ['alu', 'muldiv', 'loadstore', 'branches', 'recursion', 'sort', 'hash', 'sieve', 'exit_stderr']) expect(names).toContain(n);
  });

  for (const name of ['alu', 'branches', 'exit_stderr', 'hash', 'loadstore', 'muldiv', 'recursion', 'sieve', 'sort']) {
    it(`${name}: same stdout, stderr and exit code; every segment replays`, async () => {
      const p = programs.find((x) => x.name === name)!;
      const q = await runQemu(p.elf);
      const { entry, image } = loadElf(readFileSync(p.elf), RAM);
      const r = runModel(image, entry, { ramBytes: RAM, maxCycles: 5e6, trace: true, segment: 20_000 });
      sameAsQemu(name, q, r);
      expect(verifySegments(image, entry, RAM, r.trace!, r.segments!)).toEqual([]);
      expect(r.segments!.length).toBe(Math.ceil(r.trace!.length / 20_000));
    });
  }

  it('self-checking programs report no failures and the exit codes are meaningful', async () => {
    const out = async (n: string) => runQemu(programs.find((p) => p.name === n)!.elf);
    for (const n of ['alu', 'muldiv', 'loadstore', 'branches']) {
      const q = await out(n);
      expect(q.stdout.toString()).toContain('failures 0\n');
      expect(q.exitCode).toBe(0);
    }
    expect((await out('sieve')).exitCode).toBe(168);
    expect((await out('exit_stderr')).exitCode).toBe(44);
    expect((await out('hash')).stdout.toString()).toContain('hash ok');
  });
});

describe('model vs qemu-riscv32: bench/riscv programs', () => {
  const dir = join(REPO_ROOT, 'bench', 'riscv');
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.c')).sort() : [];
  it('there are benchmark programs', () => expect(names.length).toBeGreaterThan(0));
  for (const f of names) {
    it(`${f}: same stdout and exit code`, async () => {
      const elf = await compileProgram([join(dir, f)], join(riscvCacheRoot(), 'bench', f.replace(/\.c$/, '.elf')));
      const q = await runQemu(elf);
      const { entry, image } = loadElf(readFileSync(elf), 16 << 20);
      sameAsQemu(f, q, runModel(image, entry, { ramBytes: 16 << 20, maxCycles: 1e8, trace: false, segment: 0 }));
    });
  }
});

describe('model vs qemu-riscv32: random programs', () => {
  it('40 seeds: same printed registers, checksum and exit code', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const p = randomProgram(seed);
      const q = await runQemu(p.elf);
      const { entry, image } = loadElf(p.elf, RAM);
      const r = runModel(image, entry, { ramBytes: RAM, maxCycles: 1e6, trace: false, segment: 0 });
      sameAsQemu(`seed ${seed}`, q, r);
      expect(parseFinalState(q.stdout.toString()).regs.length).toBe(31);
    }
  });
});

describe('zkrtl run --model', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zkrtl-run-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const zkrtl = (...args: string[]) => spawnSync(process.execPath, [BIN, 'run', ...args], { encoding: 'utf8', cwd: dir });

  it('runs a program: its output, its exit code, --stats, --trace and --segment files', async () => {
    const elf = programs.find((p) => p.name === 'exit_stderr')!.elf;
    const q = await runQemu(elf);
    const r = zkrtl(elf, '--model', '--stats', 'stats.json', '--trace', 'out/trace.jsonl', '--segment', '100', '--ram', '1M');
    expect(r.stdout).toBe(q.stdout.toString());
    expect(r.stderr).toBe(q.stderr.toString());
    expect(r.status).toBe(44);
    const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
    expect(stats).toMatchObject({ engine: 'model', cpi: 1, stalls: {}, stop: { kind: 'exit', code: 44 } });
    expect(stats.instret).toBe(stats.cycles);
    const lines = readFileSync(join(dir, 'out', 'trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBe(stats.instret);
    expect(lines[0]).toMatchObject({ order: 0, pc_rdata: '0x00010000', trap: 0 });
    expect(lines[lines.length - 1]).toMatchObject({ halt: 1, trap: 0, insn: '0x00000073' });
    const segs = JSON.parse(readFileSync(join(dir, 'out', 'trace.segments.json'), 'utf8'));
    expect(segs.segment).toBe(100);
    expect(segs.segments.length).toBe(Math.ceil(stats.instret / 100));
    expect(segs.segments[0].start.regs[2]).toBe(1 << 20);
    expect(segs.segments[0].start.pc).toBe(0x10000);
    expect(segs.segments[segs.segments.length - 1].endOrder).toBe(stats.instret);
  });

  it('a fault exits 125 with one line naming cause, pc and instruction', () => {
    const r = zkrtl(programs.find((p) => p.name === 'sieve')!.elf, '--model', '--max-cycles', '1000', '--stats', 'f.json');
    expect(r.status).toBe(EXIT_FAULT);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/^zkrtl: max-cycles at pc 0x[0-9a-f]{8} \(insn 0x[0-9a-f]{8}\): /);
    expect(JSON.parse(readFileSync(join(dir, 'f.json'), 'utf8')).stop).toMatchObject({ kind: 'fault', cause: 'max-cycles' });
    // An illegal instruction: a random program with its first word replaced by a CSR write.
    const bad = randomProgram(1).elf.slice();
    new DataView(bad.buffer).setUint32(0x1000, 0xc0001573, true);
    writeFileSync(join(dir, 'illegal.elf'), bad);
    const i = zkrtl('illegal.elf', '--model');
    expect(i.status).toBe(EXIT_FAULT);
    expect(i.stderr).toBe('zkrtl: illegal-instruction at pc 0x00010000 (insn 0xc0001573): 0xc0001573 is not an RV32IM instruction\n');
  });

  it('bad ELF files and bad options exit 2 with one line and write nothing', () => {
    const elf = randomProgram(1).elf.slice();
    elf[4] = 2;
    writeFileSync(join(dir, 'rv64.elf'), elf);
    const good = programs.find((p) => p.name === 'sieve')!.elf;
    const cases: [string[], RegExp][] = [
      [['rv64.elf', '--model', '--stats', 'never.json'], /rv64\.elf: ELF class 2 \(64-bit\)/],
      [['missing.elf', '--model'], /missing\.elf: no such file/],
      [[good, '--model', '--ram', '1000'], /--ram 1000/],
      [[good, '--model', '--segment', '10'], /--segments FILE/],
      [[good, '--model', '--param', 'pipeline=5'], /--param pipeline/],
      [[good, '--model', '--max-cycles', '-3'], /--max-cycles -3/],
      [[good, '--bogus'], /unknown option --bogus/],
    ];
    for (const [args, pattern] of cases) {
      const r = zkrtl(...args);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n').length).toBe(1);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
  });
});
