// The formal checks of the rv32im cores (src/formal): the harnesses, the fast subset of the
// checks on both cores (the full set at the stated depth is `zkrtl formal rv32im`), and the
// planted bugs, each of which a check must find, naming assert, cycle and instruction, with a
// waveform. The checks need the native Yosys (Debian `yosys`, with yosys-abc).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFormalTools, runBmc } from '../src/formal/bmc.ts';
import { lookup } from '../src/formal/isa-spec.ts';
import { formalChecks, generateHarness, livenessBound } from '../src/formal/rvfi-harness.ts';
import { productIdentity, productProblems, runMulComposition, shiftIdentity } from '../src/formal/mul-composition.ts';
import { checkDepth, regDepth, runFormal, statedDepth, unitDepth } from '../src/formal/run.ts';
import type { RawParams } from '../src/gen/params.ts';
import { parseRv32imParams, rv32imUnit } from '../src/gen/rv32im.ts';
import { FRAME_PROGRESS_MS, frameProgress } from '../src/cli/commands/formal.ts';
import { zkrtl } from './support/cli.ts';

// A 5-stage core that shifts in its DSP multiplier (shift=mul).
const SHIFT_MUL: RawParams = { redirect: 'mem', forward: 'reg', div_result: 'mem', decode: 'if', mul_result: 'mem', mul: '2cycle', shift: 'mul' };

let work: string;
beforeAll(async () => {
  await ensureFormalTools();
  work = await mkdtemp(join(tmpdir(), 'zkrtl-formal-test-'));
}, 600_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('formal progress', () => {
  it('a long check says how far it has unrolled, after a minute and then at most once a minute; a quick one says nothing', () => {
    let t = 0;
    const lines: string[] = [];
    const p = frameProgress('core', { step: (s) => lines.push(s) }, () => t);
    p.start('quick');
    for (let f = 0; f < 10; f++, t += 1000) p.frame('quick', f, 10); // 10 s in all
    expect(lines).toEqual([]);
    t = 0;
    p.start('long');
    const at = [10_000, FRAME_PROGRESS_MS, FRAME_PROGRESS_MS + 30_000, 2 * FRAME_PROGRESS_MS + 1000, 2 * FRAME_PROGRESS_MS + 2000];
    at.forEach((ms, f) => {
      t = ms;
      p.frame('long', f, 39);
    });
    expect(lines).toEqual(['formal core: long: no failure up to cycle 1 (of 0 to 38), 60 s so far', 'formal core: long: no failure up to cycle 3 (of 0 to 38), 121 s so far']);
  });
});

describe('formal solvers', () => {
  it('bmc3 proves with each SAT solver it is given (glucose by default)', async () => {
    for (const solver of [undefined, 'glucose', 'minisat', 'satoko'] as const) {
      const { runs } = await runFormal({ pipeline: 'multicycle' }, { only: ['pc'], depth: 8, jobs: 1, solver, dir: join(work, `solver-${solver}`) });
      const r = runs[0]!.result;
      expect(r.status, `${solver}: ${r.error ?? r.label ?? ''}`).toBe('pass');
      expect(readFileSync(r.log, 'utf8')).toMatch(`bmc3${{ glucose: ' -g', minisat: '', satoko: ' -s' }[solver ?? 'glucose']} -v -F 8`);
    }
  }, 300_000);
});

describe('formal harnesses', () => {
  it('one check per instruction of the configuration, plus the row and unit checks', () => {
    const names = (raw: RawParams) => formalChecks(parseRv32imParams(raw)).map((c) => c.name);
    const m = names({});
    expect(m.filter((n) => n.startsWith('insn_'))).toHaveLength(55);
    expect(m).toEqual(expect.arrayContaining(['insn_div', 'insn_fence_i', 'insn_rdcycle', 'insn_rdinstreth', 'illegal', 'reg', 'pc', 'order', 'halt', 'live', 'unit_mul', 'unit_mul32', 'unit_div']));
    // mul=serial (the multicycle default): the divider multiplies, and unit_div proves both
    const mc = names({ pipeline: 'multicycle' });
    expect(mc).toContain('unit_div');
    expect(mc).not.toContain('unit_mul');
    expect(mc).not.toContain('unit_mul32');
    expect(names({ pipeline: 'multicycle', mul: '3cycle' })).toEqual(expect.arrayContaining(['unit_mul', 'unit_mul32', 'unit_div']));
    const i = names({ pipeline: 'multicycle', m: 'off' });
    expect(i.filter((n) => n.startsWith('insn_'))).toHaveLength(47);
    expect(i).not.toContain('unit_div');
    const noCounters = names({ zicntr: 'off' });
    expect(noCounters.filter((n) => n.startsWith('insn_'))).toHaveLength(49);
    expect(noCounters).not.toContain('insn_rdcycle');
  });

  it('states its depths: reg and pc their own (regDepth), shorter than the stated depth with M; a given --depth wins', () => {
    const cases: Array<[RawParams, number, number]> = [[{}, 28, 16], [{ pipeline: 'multicycle' }, 43, 11], [{ pipeline: 'multicycle', mul: '3cycle' }, 43, 12], [{ m: 'off' }, 13, 13], [{ pipeline: 'multicycle', m: 'off' }, 10, 10]];
    for (const [raw, stated, reg] of cases) {
      const cfg = parseRv32imParams(raw);
      const byName = (n: string) => formalChecks(cfg).find((c) => c.name === n)!;
      expect([statedDepth(cfg), regDepth(cfg)], JSON.stringify(raw)).toEqual([stated, reg]);
      expect(checkDepth(cfg, byName('reg'))).toBe(reg);
      expect(checkDepth(cfg, byName('pc'))).toBe(reg);
      expect(checkDepth(cfg, byName('order'))).toBe(stated);
      expect(checkDepth(cfg, byName('reg'), 30)).toBe(30);
      expect(checkDepth(cfg, byName('pc'), 30)).toBe(30);
    }
  });

  it('refuses a unit width its unit cannot be generated at: an early-out divider needs a power of two', () => {
    const byName = (raw: RawParams, name: string) => formalChecks(parseRv32imParams(raw)).find((c) => c.name === name)!;
    expect(() => generateHarness({}, byName({}, 'unit_div'), { unitWidth: 12 })).toThrow(/^unit width 12 is not accepted for unit_div: give 2 to 32, a multiple of 4, a power of two \(the early out counts leading zeros in a tree of pairs\)$/);
    expect(() => rv32imUnit(parseRv32imParams({}), 'div', { width: 12 })).toThrow(/^rv32imUnit: a divider is generated at 2 to 32, a multiple of 4, a power of two \(.*\); not at 12 bits$/);
    // (the multiplier: two halves)
    expect(() => rv32imUnit(parseRv32imParams({ div: '2bit' }), 'div', { width: 2 })).toThrow(/^rv32imUnit: a divider is generated at 4 to 32, a multiple of 2, a power of two \(.*\); not at 2 bits$/);
    expect(() => rv32imUnit(parseRv32imParams({}), 'mul', { width: 7 })).toThrow(/^rv32imUnit: a multiplier is generated at 2 to 32, a multiple of 2; not at 7 bits$/);
    // (without the early out any multiple of the step's bits)
    const mc = { pipeline: 'multicycle' };
    expect(generateHarness(mc, byName(mc, 'unit_div'), { unitWidth: 6 }).modules.map((m) => m.name)).toContain('rv32im_muldivsh_b1_w6');
    expect(generateHarness({}, byName({}, 'unit_div'), { unitWidth: 16 }).modules.map((m) => m.name)).toContain('rv32im_div_b4_early_w16');
  });

  it('is deterministic, and the core inside carries stand-in units while the spec expects them', () => {
    const cfg = parseRv32imParams({});
    const check = formalChecks(cfg).find((c) => c.name === 'insn_mul')!;
    const a = generateHarness({}, check);
    const b = generateHarness({}, check);
    expect(a.modules.map((m) => m.text)).toEqual(b.modules.map((m) => m.text));
    const names = a.modules.map((m) => m.name);
    expect(names).toContain('rv32im_mul_s0_altops');
    expect(names).toContain('rv32im_div_b4_early_altops');
    expect(names).toContain('rv32im_isa_spec_altops');
    expect(a.labels.map((l) => l.label)).toContain('rd_wdata');
  });

  it('states its depth and liveness bound from the core timing', () => {
    expect(statedDepth(parseRv32imParams({}))).toBe(1 + 5 + 11 + 5 + 6); // the divider is busy 11 cycles with a divide (start, 2 early-out cycles, 8 steps; EX holds it 12)
    expect(statedDepth(parseRv32imParams({ pipeline: 'multicycle' }))).toBe(1 + 37 + 1 + 3 + 1); // a divide's 37 cycles (FETCH, OPER, 35 in EXEC), its row; an ALU instruction (FETCH, OPER, EXEC), its row
    expect(livenessBound(parseRv32imParams({ m: 'off' }))).toBeLessThan(livenessBound(parseRv32imParams({})));
  });
});

/** Runs checks and returns name → result; `frames` gets each check's progress reports (bmc3's solved frames). */
async function check(raw: RawParams, only: string[], depth: number, tag: string, frames: Record<string, number[]> = {}) {
  const onFrame = (c: { name: string }, frame: number) => (frames[c.name] ??= []).push(frame);
  const { runs } = await runFormal(raw, { depth, only, jobs: 2, dir: join(work, tag), onFrame });
  return Object.fromEntries(runs.map((r) => [r.check.name, r.result]));
}

describe('formal checks: the fast subset (zkrtl formal rv32im runs every check at the stated depth)', () => {
  // Depth 10 from reset: up to ~5 rows on the 5-stage core, ~3 on the multicycle one. The
  // unit checks run at their own depth (one whole operation).
  const SUBSETS = [
    // (unit_mul32: the 32-bit multiplier by composition, src/formal/mul-composition.ts)
    ['pipeline=5', {}, ['insn_add', 'insn_lw', 'insn_sb', 'insn_rdcycle', 'insn_rdinstret', 'illegal', 'reg', 'pc', 'halt', 'unit_mul', 'unit_mul32', 'unit_div']],
    // (without counters, `illegal` covers their encodings)
    ['pipeline=5 zicntr=off', { zicntr: 'off' }, ['illegal']],
    // The clock-oriented EX stage: forwarding selects from ID (reg), the redirect from MEM and
    // the predecoded prediction (pc, jalr, bltu), the one-chain ALU and one-hot result (sub,
    // slt), the counter from registers (rdinstret)
    ['pipeline=5 redirect=mem forward=id', { redirect: 'mem', forward: 'id' }, ['insn_jalr', 'insn_bltu', 'insn_sub', 'insn_slt', 'insn_rdinstret', 'reg', 'pc']],
    // ... with forwarding into EX's operand registers (forward=reg: reg, sub), the decoder in
    // IF (decode=if: illegal, reg) and a divide that leaves EX in its last step, its result
    // taken in MEM (div_result=mem): the unit's `last` one cycle before done (unit_div), the
    // result and the stall of a reader right behind it (insn_divu, reg); LUI through the ALU as
    // x0 + imm, AUIPC's result from ID's pc-relative sum (insn_lui, insn_auipc)
    ['pipeline=5 redirect=mem forward=reg div_result=mem decode=if', { redirect: 'mem', forward: 'reg', div_result: 'mem', decode: 'if' }, ['insn_divu', 'insn_sub', 'insn_lui', 'insn_auipc', 'illegal', 'reg', 'unit_div']],
    // (a multiply's result taken in MEM, mul_result=mem: the stall of a reader right behind it
    // and the forward from MEM)
    ['pipeline=5 redirect=mem forward=reg div_result=mem decode=if mul_result=mem', { redirect: 'mem', forward: 'reg', div_result: 'mem', decode: 'if', mul_result: 'mem' }, ['insn_mul', 'insn_mulhsu', 'reg']],
    // (mul=2cycle there: the multiply leaves EX as the multiplier's stage takes its low word, the
    // high word's parts and funct3, and MEM adds the high word; funct3 changes meanwhile)
    ['pipeline=5 redirect=mem forward=reg div_result=mem decode=if mul_result=mem mul=2cycle', { redirect: 'mem', forward: 'reg', div_result: 'mem', decode: 'if', mul_result: 'mem', mul: '2cycle' }, ['insn_mulh', 'reg', 'unit_mul', 'unit_mul32']],
    // (div_fold=off, the clock configuration's divider, whose unit_div is proved at 4 bits
    // below; a shift's result taken in MEM, shift_result=mem: the stall of a reader right
    // behind it and the forward from MEM)
    // (shift=mul: the shifts made as multiplies by a power of two, SRL and SRA as high words of
    // MULHU and MULHSU, the amount from rs2 or the immediate; the stall of a reader right behind
    // a shift and the forward from MEM; unit_mul32 with z3's proof that those multiplies are the shifts)
    ['pipeline=5 redirect=mem forward=reg div_result=mem decode=if mul_result=mem mul=2cycle shift=mul', SHIFT_MUL, ['insn_srai', 'insn_sll', 'reg', 'unit_mul32']],
    ['pipeline=5 redirect=mem forward=reg div_result=mem decode=if div=2bit div_reuse=on div_fold=off shift_result=mem', { redirect: 'mem', forward: 'reg', div_result: 'mem', decode: 'if', div: '2bit', div_reuse: 'on', div_fold: 'off', shift_result: 'mem' }, ['insn_srl', 'reg']],
    // (the multicycle core multiplies in its divider by default, mul=serial: insn_mul checks
    // the core's use of it; its arithmetic, unit_div, takes ~6 minutes at 8 bits and runs in
    // the full suite. The DSP multipliers: mul=3cycle registers the partial products and the
    // sign correction, mul=2cycle sums them in one cycle)
    // (insn_sub: the ALU's adder with its carry in; insn_sra: the serial shift in the divider,
    // shift=serial, shifts of up to a few bits at this depth)
    ['multicycle', { pipeline: 'multicycle' }, ['insn_sub', 'insn_sra', 'insn_mul', 'insn_rdinstret', 'reg', 'pc']],
    ['multicycle mul=3cycle', { pipeline: 'multicycle', mul: '3cycle' }, ['unit_mul', 'unit_mul32']],
    ['multicycle mul=2cycle', { pipeline: 'multicycle', mul: '2cycle' }, ['unit_mul', 'unit_mul32']],
    // (the asynchronous register file has no x0 word: its read mux leaves one input undriven)
    ['multicycle regfile=async', { pipeline: 'multicycle', regfile: 'async' }, ['reg']],
  ] as const;
  // Divider proofs at a reduced width (`zkrtl formal` runs them at 8 bits), each one whole
  // operation from any state. The multicycle core's divider, which multiplies too (mul=serial):
  // at 6 bits 13 s, at 8 about 6 minutes. The 5-stage radix-4 divider with the fold and the
  // reuse (div=2bit div_reuse=on: the shift cycle makes the first radix-4 step, 3d formed at
  // start; a divide after it of the same operands takes its result from the registers): at 4
  // bits, two radix-4 steps, about 1 s; at 8 about 100 s. The same divider with div_fold=off
  // (the clock configuration's: the shift cycle only shifts, the skip capped as with the fold,
  // and a capped divide makes its one step there): at 4 bits about 2 s, at 8 about 3 minutes.
  // The 5-stage radix-16 dividers (div=4bit) are proved at 8 bits in the subsets below.
  // Depth (src/formal/run.ts, unitDepth): the divide's cycles at that width (start and steps),
  // + 2 (the cycle done is read, and one more), + 2 with the reuse (a reset cycle before it, a
  // reusing start after it).
  const REDUCED_DIVIDERS = [
    ['multicycle (mul=serial): unit_div, the divider that multiplies too', { pipeline: 'multicycle' }, 6, 1 + 6 + 2],
    ['pipeline=5 div=2bit div_reuse=on (with the fold): unit_div', { redirect: 'mem', forward: 'reg', div_result: 'mem', decode: 'if', div: '2bit', div_reuse: 'on' }, 4, 3 + 2 + 2],
    // (start, the shift cycle, two radix-4 steps)
    ['pipeline=5 div=2bit div_reuse=on div_fold=off: unit_div', { redirect: 'mem', forward: 'reg', div_result: 'mem', decode: 'if', div: '2bit', div_reuse: 'on', div_fold: 'off' }, 4, 4 + 2 + 2],
  ] as const;
  for (const [i, [label, raw, width, depth]] of REDUCED_DIVIDERS.entries()) {
    it(`${label}, proved at ${width} bits (8 in the full suite)`, async () => {
      const { runs } = await runFormal(raw, { only: ['unit_div'], jobs: 1, unitWidth: width, dir: join(work, `fast-unit${i}-w${width}`) });
      const r = runs[0]!.result;
      expect(r.status, r.label ?? r.error ?? '').toBe('pass');
      expect(r.depth).toBe(depth);
    }, 600_000);
  }
  for (const [label, raw, subset] of SUBSETS) {
    it(`${label}: ${subset.join(', ')} proved to depth 10`, async () => {
      const frames: Record<string, number[]> = {};
      const res = await check(raw, [...subset], 10, `fast-${label}`, frames);
      for (const name of subset) expect(res[name]?.status, `${name}: ${res[name]?.label ?? res[name]?.error ?? ''}`).toBe('pass');
      // The progress: every cycle of a proof reported once, in order (unit_mul32: of its bounded part).
      for (const name of subset) expect(frames[name], name).toEqual([...Array(res[name]!.depth).keys()]);
    }, 600_000);
  }
});

describe('formal checks find planted bugs', () => {
  // Each bug, the check that must find it, and the instruction of the failing row (unit checks have none).
  const BUGS: Array<{ bug: string; check: string; insn?: string; params?: RawParams }> = [
    { bug: 'forward', check: 'reg' },
    { bug: 'forward', check: 'reg', params: { redirect: 'mem', forward: 'reg', decode: 'if', div_result: 'mem' } },
    { bug: 'branch_sign', check: 'insn_bge', insn: 'bge' },
    { bug: 'load_sext', check: 'insn_lb', insn: 'lb' },
    { bug: 'byte_mask', check: 'insn_sh', insn: 'sh' },
    { bug: 'div_corner', check: 'unit_div' },
    { bug: 'counter', check: 'insn_rdinstret', insn: 'rdinstret' },
    // The register file's block RAM returns any value when a read meets a write to the same
    // register (no_rw_check); the multicycle core must bypass that write itself.
    { bug: 'rf_collision', check: 'reg', params: { pipeline: 'multicycle' } },
    { bug: 'rf_collision', check: 'reg', params: { pipeline: '5' } },
    // The multicycle core's serial multiply (in the divider): MULHSU's unsigned operand taken as signed.
    { bug: 'mul_sign', check: 'unit_div', params: { pipeline: 'multicycle' } },
    // div_reuse: a DIV reuses the DIVU before it (or a REM the REMU's remainder) of the same values.
    { bug: 'div_reuse_sign', check: 'unit_div', params: { redirect: 'mem', forward: 'reg', div_result: 'mem', decode: 'if', div: '2bit', div_reuse: 'on' } },
    // shift=mul: SRAI made as MULHU (rs1 unsigned): the spec's stand-in is MULHSU's.
    { bug: 'shift_mul_sign', check: 'insn_srai', insn: 'srai', params: SHIFT_MUL },
  ];
  it(`${BUGS.map((b) => b.bug).join(', ')}: each is a failed check naming assert, cycle, instruction, with a waveform`, async () => {
    const runs = await Promise.all(
      BUGS.map(async (b) => ({ b, r: (await check({ ...b.params, test_break: b.bug }, [b.check], 12, `bug-${b.bug}-${Object.values(b.params ?? {}).join('-')}`))[b.check]! })),
    );
    for (const { b, r } of runs) {
      expect(r.status, `${b.bug}: ${r.error ?? ''}`).toBe('fail');
      expect(r.step, b.bug).toBeGreaterThan(0);
      expect(r.label, b.bug).not.toBe('an assert');
      expect(existsSync(r.vcd!), b.bug).toBe(true);
      expect(readFileSync(r.vcd!, 'utf8')).toMatch(/\$enddefinitions/);
      if (b.insn) expect(lookup(r.insn!)?.name, b.bug).toBe(b.insn);
    }
  }, 600_000);

  it('unit_div starts from any state of the divider (its registers have no initial value): a register that start leaves as it was is found, so a start while a division runs (after a flush) is covered', async () => {
    // Dividers without the early out, where the remainder register's start value is used (an
    // early out's shift cycle overwrites it): the 5-stage one and the multicycle one (mul=serial).
    for (const [tag, raw] of [['p5', { div_early: 'off' }], ['multicycle', { pipeline: 'multicycle' }]] as const) {
      const cfg = parseRv32imParams(raw);
      const h = generateHarness(raw, formalChecks(cfg).find((c) => c.name === 'unit_div')!);
      const unit = rv32imUnit(cfg, 'div', { width: 8 });
      const at = h.modules.findIndex((m) => m.name === unit.name);
      expect(h.modules[at]!.text, tag).toBe(unit.text);
      expect(unit.text, tag).not.toMatch(/\binitial\b|reg\s[^;]*=/);
      // From a reset unit the remainder would be 0 anyway: only a free initial state finds this.
      expect(unit.text, tag).toContain("rem <= 8'd0;");
      const modules = h.modules.map((m, i) => (i === at ? { ...m, text: m.text.replace("rem <= 8'd0;", '') } : m));
      const r = await runBmc({ ...h, modules }, { dir: join(work, `div-any-state-${tag}`), depth: unitDepth(cfg, 'unit_div') });
      expect(r.status, tag).toBe('fail');
      expect(r.label, tag).toMatch(/^y is not the (product's word, the )?quotient or (the )?remainder/);
      expect(readFileSync(r.vcd!, 'utf8'), tag).toMatch(/\$enddefinitions/);
    }
  }, 600_000);

  it('a harness module that uses a name it never declares is an error naming file and line, not a proof about a 1-bit wire', async () => {
    const v = "`default_nettype none\nmodule u (input wire clk, input wire [3:0] a);\n  wire t = f_word[2:0] == 3'd5;\n  wire fail_0 = t & a[0];\nendmodule\n`default_nettype wire\n";
    const r = await runBmc({ modules: [{ name: 'u', text: v }], top: 'u', labels: [] }, { dir: join(work, 'undeclared'), depth: 2 });
    expect(r.status).toBe('error');
    expect(r.error).toBe('yosys: u.v:3: f_word is used but never declared');
  }, 120_000);

  it('unit_mul32 finds a bug in each of its three parts: a product of the wrong halves, the correction added, a formula with it added, the word of the unit that finishes in MEM picked by the live funct3; and in shift=mul\'s z3 part, a right shift made as the wrong high word', async () => {
    const planted = async (tag: string, raw: RawParams, from: string, to: string) => {
      const cfg = parseRv32imParams(raw);
      const unit = rv32imUnit(cfg, 'mul');
      expect(unit.text, tag).toContain(from);
      return runMulComposition(cfg, { dir: join(work, `mul32-${tag}`), depth: unitDepth(cfg, 'unit_mul'), unit: { name: unit.name, text: unit.text.replace(from, to) } });
    };
    // part 1 (structure): lh multiplies a's high half (then it equals hh: Yosys merges the two)
    const half = await planted('half', {}, "lh_w = {16'd0, a[15:0]}", "lh_w = {16'd0, a[31:16]}");
    expect(half.status).toBe('fail');
    expect(half.step).toBeUndefined();
    expect(half.label).toMatch(/^the products: .*lh_w \(.*\) does not multiply a\[15:0\] by b\[31:16\].*hh_w and lh_w are the same product/);
    // part 2 (the unit around the cut products, bounded): the sign correction added, with no
    // stage and with two (the result two cycles after its operands, funct3 held)
    for (const [tag, raw, step] of [['corr', {}, 0], ['corr3', { mul: '3cycle' }, 2]] as const) {
      const r = await planted(tag, raw, 'pp_hh - corr', 'pp_hh + corr');
      expect(r.status, tag).toBe('fail');
      expect(r.step, tag).toBe(step);
      expect(r.label, tag).toMatch(/y is not the word of the products' formula/);
      expect(readFileSync(r.vcd!, 'utf8'), tag).toMatch(/\$enddefinitions/);
    }
    // ... and in the unit that finishes in MEM (mul_result=mem mul=2cycle): the word picked by
    // the live funct3 instead of the one that went through the stage with the products (the
    // core moves on and changes funct3 while the multiply is in MEM)
    const live = await planted('late-sel', { redirect: 'mem', forward: 'reg', mul_result: 'mem', mul: '2cycle' }, 'hi_sel ? hi_w', 'hi_0 ? hi_w');
    expect(live.status).toBe('fail');
    expect(live.step).toBe(1);
    expect(live.label).toMatch(/y is not the word of the products' formula/);
    // part 3 (z3): the formula with the correction added is not the product; the counterexample
    // is one (modulo 2^64), and the check fails with it
    const cex = await productIdentity({ correction: 'add' });
    expect(cex).not.toBeNull();
    const v = cex!;
    const read = (h: bigint, l: bigint, signed: bigint) => h * 65536n + l - (signed === 1n && h >= 32768n ? 1n << 32n : 0n);
    const a = read(v.ah!, v.al!, v.a_signed!);
    const b = read(v.bh!, v.bl!, v.b_signed!);
    const corr = (a < 0n ? BigInt.asUintN(32, b) : 0n) + (b < 0n ? BigInt.asUintN(32, a) : 0n);
    const added = v.ah! * v.bh! * (1n << 32n) + (v.ah! * v.bl! + v.al! * v.bh!) * 65536n + v.al! * v.bl! + corr * (1n << 32n);
    expect(BigInt.asUintN(64, added)).not.toBe(BigInt.asUintN(64, a * b));
    expect(await productIdentity()).toBeNull();
    const cfg = parseRv32imParams({});
    const wrongFormula = await runMulComposition(cfg, { dir: join(work, 'mul32-formula'), depth: unitDepth(cfg, 'unit_mul'), identity: () => productIdentity({ correction: 'add' }) });
    expect(wrongFormula.status).toBe('fail');
    expect(wrongFormula.label).toMatch(/^the products' formula is not the product \(z3: al=\d+ ah=\d+ bl=\d+ bh=\d+ a_signed=[01] b_signed=[01]\)$/);
    // shift=mul's part (z3): SRL made as MULHSU and SRA as MULHU are not the shifts; the first
    // amount found wrong is 1, with an rs1 whose top bit is set (where the two readings differ)
    const swapped = await shiftIdentity({ planted: true });
    expect(swapped?.shift).toBe('SRL by 1 as MULHSU with 2^31');
    expect(swapped!.values.a! >= 1n << 31n).toBe(true);
    const shiftCfg = parseRv32imParams(SHIFT_MUL);
    const wrongShift = await runMulComposition(shiftCfg, { dir: join(work, 'mul32-shift'), depth: unitDepth(shiftCfg, 'unit_mul'), shiftIdentity: () => shiftIdentity({ planted: true }) });
    expect(wrongShift.status).toBe('fail');
    expect(wrongShift.label).toMatch(/^the multiply made of a shift is not the shift: SRL by 1 as MULHSU with 2\^31 \(z3: a=\d+\)$/);
  }, 600_000);

  it('unit_mul32, part 1 on netlists: the four products accepted either way round; a signed, shared, constant or doubly driven one refused; a netlist of another shape is an error', () => {
    // A flattened harness as Yosys writes it: a = bits 2..33, b = 34..65, the products 100.. .
    const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
    const a = range(2, 32);
    const b = range(34, 32);
    const wires: Record<string, number[]> = { ll_w: range(100, 32), lh_w: range(132, 32), hl_w: range(164, 32), hh_w: range(196, 32) };
    const halves = { ll: [a.slice(0, 16), b.slice(0, 16)], lh: [a.slice(0, 16), b.slice(16)], hl: [a.slice(16), b.slice(0, 16)], hh: [a.slice(16), b.slice(16)] };
    const mul = (A: (number | string)[], B: (number | string)[], Y: (number | string)[], signed = false) => ({
      type: '$mul',
      parameters: { A_SIGNED: signed ? '1' : '0', B_SIGNED: '0' },
      port_directions: { A: 'input', B: 'input', Y: 'output' },
      connections: { A, B, Y },
    });
    const design = (cells: Record<string, ReturnType<typeof mul>>, netnames: Record<string, (number | string)[]> = wires) => ({
      modules: { zkrtl_formal_top: { cells, netnames: Object.fromEntries([['dut.a', a], ['dut.b', b], ...Object.entries(netnames).map(([n, bits]) => [`dut.${n}`, bits])].map(([n, bits]) => [n, { bits }])) } },
    });
    const four = (edit: Partial<Record<keyof typeof halves, ReturnType<typeof mul>>> = {}) =>
      Object.fromEntries((Object.keys(halves) as Array<keyof typeof halves>).map((k) => [`m_${k}`, edit[k] ?? mul(halves[k][0]!, halves[k][1]!, wires[`${k}_w`]!)]));
    expect(productProblems(design(four()))).toEqual({ wrong: [] });
    // (b's half times a's: the same product; an operand port Yosys did not narrow: zeros above)
    expect(productProblems(design(four({ lh: mul([...b.slice(16), '0', '0'], a.slice(0, 16), wires.lh_w!) })))).toEqual({ wrong: [] });
    expect(productProblems(design(four({ hl: mul(halves.hl[0]!, halves.hl[1]!, wires.hl_w!, true) }))).wrong).toEqual(['hl_w (m_hl) is a signed product']);
    expect(productProblems(design(four({ hh: mul(halves.hl[0]!, halves.hl[1]!, wires.hh_w!) }))).wrong).toEqual(['hh_w (m_hh) does not multiply a[31:16] by b[31:16]']);
    expect(productProblems(design({ ...four(), x: { ...mul(a, b, wires.ll_w!.slice(0, 4)), type: '$xor' } })).wrong).toEqual(['ll_w is also driven by x']);
    expect(productProblems(design(four(), { ...wires, ll_w: [...wires.ll_w!.slice(0, 31), '0'] })).wrong).toEqual(['ll_w has constant bits']);
    const shared = design(four(), { ...wires, lh_w: wires.ll_w! });
    expect(productProblems(shared).wrong).toEqual(expect.arrayContaining(['lh_w and ll_w are the same product (m_ll)']));
    expect(productProblems({ modules: {} }).unreadable).toMatch(/no module zkrtl_formal_top/);
    expect(productProblems(design(four(), { ll_w: wires.ll_w! })).unreadable).toBe('the unit has no 32-bit wire lh_w, hl_w, hh_w');
  });

  it('--engine pdr: an unbounded proof (the multicycle core\'s pc), and a planted bug found with its waveform', async () => {
    const runs = async (raw: RawParams, name: string, tag: string) =>
      (await runFormal(raw, { only: [name], jobs: 1, engine: 'pdr', pdrSeconds: 300, dir: join(work, tag) })).runs[0]!.result;
    const proved = await runs({ pipeline: 'multicycle' }, 'pc', 'pdr-pc');
    expect(proved.status, proved.error).toBe('pass');
    expect(proved.unbounded).toBe(true);
    const bug = await runs({ pipeline: 'multicycle', test_break: 'rf_collision' }, 'reg', 'pdr-bug');
    expect(bug.status).toBe('fail');
    expect(bug.unbounded).toBeUndefined();
    expect(bug.label).toMatch(/rs[12]_rdata is not the last value written/);
    expect(existsSync(bug.vcd!)).toBe(true);
  }, 600_000);

  it('--cover: a row of the instruction is reached, with its cycle and waveform; too shallow a depth is reported as not reached', () => {
    // The serial shift (shift=serial): an SRA row within the fast subset's depth, so its
    // insn_sra proof there is not vacuous; at depth 4 no row of anything can retire yet.
    const out = join(work, 'cover');
    const r = zkrtl(['formal', 'rv32im', '--param', 'pipeline=multicycle', '--cover', '--check', 'cover_sra', '--depth', '10', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const m = /^cover_sra\s+reached\s+10\s+\S+\s+a sra row retired in cycle (\d+); waveform (\S+)$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(10);
    expect(readFileSync(join(out, 'cover_sra', 'counterexample.vcd'), 'utf8')).toMatch(/\$enddefinitions/);
    expect(r.stdout).toMatch(/1 of 1 covers reached within their depth/);
    const shallow = zkrtl(['formal', 'rv32im', '--param', 'pipeline=multicycle', '--cover', '--check', 'cover_sra', '--depth', '4', '--out', join(work, 'cover4')]);
    expect(shallow.code).toBe(1);
    expect(shallow.stdout).toMatch(/^cover_sra\s+NOT REACHED\s+4\s+\S+\s+no such row retires within 4 cycles/m);
    expect(shallow.stdout).toMatch(/0 of 1 covers reached within their depth in [\d.]+ s; not reached: cover_sra/);
  }, 300_000);

  it('zkrtl formal: the table, the failing check by name, cycle and instruction, exit 1; bad input exits 2', () => {
    const out = join(work, 'cli');
    const r = zkrtl(['formal', 'rv32im', '--param', 'test_break=load_sext', '--check', 'insn_lb,insn_lbu', '--depth', '10', '--solver', 'satoko', '--out', out]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/depth 10 cycles from reset \(unit checks: their own depth\), engine yosys-abc bmc3 \(satoko\)/);
    expect(readFileSync(join(out, 'insn_lb', 'abc.log'), 'utf8')).toMatch(/bmc3 -s -v -F 10/);
    expect(r.stdout).toMatch(/^insn_lbu\s+proved\s+10\s/m);
    expect(r.stdout).toMatch(/^insn_lb\s+FAILED\s+10\s+\S+\s+rd_wdata in cycle \d+, row of 0x[0-9a-f]{8} \(lb\) at pc 0x[0-9a-f]{8}; waveform .*insn_lb\/counterexample\.vcd/m);
    expect(r.stdout).toMatch(/1 of 2 checks proved to their depth in [\d.]+ s; not proved: insn_lb/);
    expect(r.stderr).toMatch(/2\/2 done/);
    for (const [argv, msg] of [
      [['formal', 'montmul'], /zkrtl formal takes the block rv32im, not 'montmul'/],
      [['formal', 'rv32im', '--depth', '1'], /--depth 1 is not accepted: give the cycles to unroll, 2 to 200 \(default for this core: 28\)/],
      [['formal', 'rv32im', '--check', 'insn_nope'], /--check insn_nope is not a check of this core: accepted are insn_lui, /],
      [['formal', 'rv32im', '--param', 'm=off', '--check', 'insn_mul'], /--check insn_mul is not a check of this core/],
      [['formal', 'rv32im', '--engine', 'sat'], /--engine sat is not accepted: give bmc \(bounded, to the depth\) or pdr/],
      [['formal', 'rv32im', '--engine', 'pdr', '--depth', '10'], /--depth 10 is not accepted with --engine pdr: pdr proves at every depth/],
      [['formal', 'rv32im', '--pdr-timeout', '60'], /--pdr-timeout 60 is not accepted with --engine bmc: give --engine pdr/],
      [['formal', 'rv32im', '--solver', 'cadical'], /--solver cadical is not accepted: give glucose, minisat, satoko/],
      [['formal', 'rv32im', '--solver', 'minisat', '--engine', 'pdr'], /--solver minisat is not accepted with --engine pdr/],
      [['formal', 'rv32im', '--cover', '--engine', 'pdr'], /--cover is not accepted with --engine pdr: a cover is a bounded search/],
      [['formal', 'rv32im', '--cover', '--check', 'insn_add'], /--check insn_add is not a cover of this core \(--cover\): accepted are cover_lui, /],
    ] as const) {
      const e = zkrtl([...argv]);
      expect(e.code, argv.join(' ')).toBe(2);
      expect(e.stderr).toMatch(msg);
      expect(e.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 300_000);
});
