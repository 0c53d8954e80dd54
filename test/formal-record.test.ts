// The record of proved formal checks (src/formal/proof-record.ts, `zkrtl formal --record`):
// a proof names its model by a digest of what Yosys read, so the record tells which proofs
// still hold for the RTL of today; --resume runs only what is not on record; --from records
// what an earlier run left in its folders. The CLI runs use the multicycle core's quick checks.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFormalTools, formalYosysVersion, harnessDigest, modelDigest } from '../src/formal/bmc.ts';
import { addProof, covers, currentModel, formatProofBook, parseProofBook, proofInFolder, standing, type ProofRecord } from '../src/formal/proof-record.ts';
import { paramText, parseParamArgs } from '../src/gen/params.ts';
import { VERDICT_JSON, runFormal, statedDepth } from '../src/formal/run.ts';
import { formalChecks, generateHarness } from '../src/formal/rvfi-harness.ts';
import { parseRv32imParams } from '../src/gen/rv32im.ts';
import { PROOF_RECORD, benchRv32imProofs, renderRv32imProofs } from '../bench/rv32im-proofs.ts';
import { checkDepth } from '../src/formal/run.ts';
import { scratch, zkrtl } from './support/cli.ts';

const rec = (over: Partial<ProofRecord> = {}): ProofRecord => ({
  top: 'rv32im_mc', params: 'pipeline=multicycle', check: 'pc', engine: 'bmc', depth: 11, solver: 'glucose',
  seconds: 3, model: 'sha256:aa', yosys: 'Yosys 0.23', date: '2026-12-06', commit: 'abc1234', ...over,
});

describe('proof records', () => {
  it('a model digest is of the files, their texts and the Yosys that reads them, not the files\' order', () => {
    const a = { name: 'a.v', text: 'module a; endmodule\n' };
    const b = { name: 'model.ys', text: 'prep\n' };
    const y = 'Yosys 0.23';
    expect(modelDigest([a, b], y)).toBe(modelDigest([b, a], y));
    expect(modelDigest([a, b], y)).not.toBe(modelDigest([{ ...a, text: 'module a;endmodule\n' }, b], y));
    expect(modelDigest([a, b], y)).not.toBe(modelDigest([{ ...a, name: 'c.v' }, b], y));
    expect(modelDigest([a, b], y)).not.toBe(modelDigest([a, b], 'Yosys 0.55'));
  });

  it('the model of a check changes with the RTL and with the check, and is the same again from the same parameters', () => {
    const mc = formalChecks(parseRv32imParams({ pipeline: 'multicycle' }));
    const add = mc.find((c) => c.name === 'insn_add')!;
    const sub = mc.find((c) => c.name === 'insn_sub')!;
    expect(currentModel({ pipeline: 'multicycle' }, add)).toBe(currentModel({ pipeline: 'multicycle' }, add));
    expect(currentModel({ pipeline: 'multicycle' }, add)).not.toBe(currentModel({ pipeline: 'multicycle' }, sub));
    expect(currentModel({ pipeline: 'multicycle' }, add)).not.toBe(currentModel({ pipeline: 'multicycle', shift: 'barrel' }, add));
    // (a planted bug is other RTL: its proofs are not the correct core's)
    expect(currentModel({ pipeline: 'multicycle' }, add)).not.toBe(currentModel({ pipeline: 'multicycle', test_break: 'load_sext' }, add));
    expect(currentModel({ pipeline: 'multicycle' }, add)).toBe(harnessDigest(generateHarness({ pipeline: 'multicycle' }, add)));
    expect(currentModel({ pipeline: 'multicycle' }, add, 'Yosys 9.9')).not.toBe(currentModel({ pipeline: 'multicycle' }, add));
    expect(paramText({ pipeline: '5', div: '2bit', test_break: 'a,b' })).toBe('pipeline=5 div=2bit test_break=a,b');
    expect(parseParamArgs(paramText({ pipeline: '5', div: '2bit', test_break: 'a,b' }).split(' '))).toEqual({ pipeline: '5', div: '2bit', test_break: 'a,b' });
  });

  it('one record per core and check: a new model replaces the old, and of one model the strongest proof stays', () => {
    let book = addProof({ proofs: [] }, rec({ check: 'reg' }));
    book = addProof(book, rec());
    expect(book.proofs.map((p) => p.check)).toEqual(['pc', 'reg']);
    // the same model, shallower: nothing changes; deeper or by pdr: it replaces
    expect(addProof(book, rec({ depth: 8, seconds: 1 }))).toBe(book);
    expect(addProof(book, rec({ depth: 20, seconds: 9 })).proofs.find((p) => p.check === 'pc')!.depth).toBe(20);
    const pdr = addProof(book, rec({ engine: 'pdr', depth: undefined, solver: undefined }));
    expect(pdr.proofs.find((p) => p.check === 'pc')!.engine).toBe('pdr');
    expect(addProof(pdr, rec({ depth: 99 }))).toBe(pdr);
    // another model (the RTL changed): it replaces, however shallow
    const changed = addProof(book, rec({ model: 'sha256:bb', depth: 4 }));
    expect(changed.proofs.filter((p) => p.check === 'pc')).toEqual([rec({ model: 'sha256:bb', depth: 4 })]);
  });

  it('standing: proved when the model is today\'s and deep enough, shallow when not deep enough, stale when the model differs', () => {
    const raw = { pipeline: 'multicycle' };
    const cfg = parseRv32imParams(raw);
    const check = formalChecks(cfg).find((c) => c.name === 'insn_add')!;
    const model = currentModel(raw, check);
    const stated = statedDepth(cfg);
    expect(standing(rec({ check: 'insn_add', model, depth: stated }), cfg, check, model)).toBe('proved');
    expect(standing(rec({ check: 'insn_add', model, depth: stated - 1 }), cfg, check, model)).toBe('shallow');
    expect(standing(rec({ check: 'insn_add', model, engine: 'pdr', depth: undefined }), cfg, check, model)).toBe('proved');
    expect(standing(rec({ check: 'insn_add', model: 'sha256:old', depth: stated }), cfg, check, model)).toBe('stale');
    // (live and the unit checks run at their own depth: checkDepth)
    for (const name of ['live', 'unit_div', 'reg']) {
      const c = formalChecks(cfg).find((x) => x.name === name)!;
      const m = currentModel(raw, c);
      expect(standing(rec({ check: name, model: m, depth: checkDepth(cfg, c) }), cfg, c, m), name).toBe('proved');
      expect(standing(rec({ check: name, model: m, depth: checkDepth(cfg, c) - 1 }), cfg, c, m), name).toBe('shallow');
    }
    expect(covers(rec({ model, depth: 10 }), model, 'bmc', 10)).toBe(true);
    expect(covers(rec({ model, depth: 10 }), model, 'bmc', 11)).toBe(false);
    expect(covers(rec({ model, depth: 10 }), model, 'pdr', undefined)).toBe(false);
    expect(covers(rec({ model, depth: 10 }), 'sha256:other', 'bmc', 5)).toBe(false);
  });

  it('the file is read back as written, and a broken one is an error naming the file and what is wrong', () => {
    const book = addProof(addProof({ proofs: [] }, rec()), rec({ check: 'halt', engine: 'pdr', depth: undefined, solver: undefined, commit: undefined }));
    const text = formatProofBook(book);
    expect(parseProofBook(text, 'r.json')).toEqual(book);
    expect(formatProofBook(parseProofBook(text, 'r.json'))).toBe(text);
    expect(() => parseProofBook('{', 'r.json')).toThrow(/^r\.json is not JSON/);
    expect(() => parseProofBook('{"proofs": 3}', 'r.json')).toThrow(/r\.json has no "proofs" list/);
    expect(() => parseProofBook('{"proofs": [{"top": "x"}]}', 'r.json')).toThrow(/r\.json: proof 1 has no string "params"/);
    expect(() => parseProofBook(text.replace('"engine":"bmc"', '"engine":"smt"'), 'r.json')).toThrow(/proof 2 has engine "smt"/);
  });

  it('a check\'s folder: its verdict file, a proof only when the whole check passed about a model', () => {
    const dir = scratch('zkrtl-verdict-');
    const v = { check: 'pc', kind: 'pc', status: 'pass', engine: 'bmc', depth: 8, solver: 'glucose', seconds: 2.5, model: 'sha256:aa', yosys: 'Yosys 0.23', date: '2026-12-06T14:00:00.000Z', commit: 'abc1234' };
    expect(proofInFolder(dir)).toEqual({ why: `no ${join(dir, VERDICT_JSON)} (the check was not decided there)` });
    const put = (x: object) => writeFileSync(join(dir, VERDICT_JSON), JSON.stringify(x));
    put(v);
    expect(proofInFolder(dir)).toEqual({ verdict: v });
    put({ ...v, status: 'fail' });
    expect(proofInFolder(dir)).toEqual({ why: `${join(dir, VERDICT_JSON)} says the check failed` });
    put({ ...v, status: 'open' });
    expect(proofInFolder(dir)).toEqual({ why: `${join(dir, VERDICT_JSON)} says the check had no verdict` });
    put({ ...v, kind: 'cover' });
    expect('why' in proofInFolder(dir)).toBe(true);
    put({ ...v, depth: undefined });
    expect(proofInFolder(dir)).toEqual({ why: `${join(dir, VERDICT_JSON)} gives no depth` });
    put({ ...v, engine: 'pdr', depth: undefined });
    expect('verdict' in proofInFolder(dir)).toBe(true);
  });
});

describe('zkrtl formal --record, --resume, --from', () => {
  let dir: string;
  beforeAll(async () => {
    await ensureFormalTools();
    dir = scratch('zkrtl-formal-record-');
  }, 600_000);
  const mc = ['formal', 'rv32im', '--param', 'pipeline=multicycle', '--depth', '8', '--jobs', '1'];

  it('records each proof, with its model; --resume runs only the checks not on record, and a stale record is run again', () => {
    const book = join(dir, 'proofs.json');
    const first = zkrtl([...mc, '--check', 'pc,halt', '--record', book, '--out', join(dir, 'run1')]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`2 proofs recorded in ${book}`);
    const recorded = parseProofBook(readFileSync(book, 'utf8'), book).proofs;
    expect(recorded.map((p) => [p.check, p.engine, p.depth, p.solver, p.yosys])).toEqual([['halt', 'bmc', 8, 'glucose', formalYosysVersion()], ['pc', 'bmc', 8, 'glucose', formalYosysVersion()]]);
    const pc = formalChecks(parseRv32imParams({ pipeline: 'multicycle' })).find((c) => c.name === 'pc')!;
    expect(recorded.find((p) => p.check === 'pc')!.model).toBe(currentModel({ pipeline: 'multicycle' }, pc));

    const again = zkrtl([...mc, '--check', 'pc,halt,order', '--record', book, '--resume', '--out', join(dir, 'run2')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/pc proved \(on record: .*\): not run again/);
    expect(again.stderr).toMatch(/halt proved \(on record: .*\): not run again/);
    expect(again.stderr).toContain('[1/1] order');
    expect(again.stdout).toMatch(/3 of 3 checks proved to their depth \(2 on record in .*, not run again\)/);
    expect(again.stdout).toMatch(/^pc +proved +8 +[\d.]+ +the first row .*\(on record: \d{4}-\d\d-\d\d at \w+\+?, to 8\)$/m);
    expect(again.stdout).toContain(`1 proof recorded in ${book}`);
    // deeper than on record: run again
    const deeper = zkrtl([...mc.map((a) => (a === '8' ? '9' : a)), '--check', 'pc', '--record', book, '--resume', '--out', join(dir, 'run3')]);
    expect(deeper.stderr).toContain('[1/1] pc');
    expect(parseProofBook(readFileSync(book, 'utf8'), book).proofs.find((p) => p.check === 'pc')!.depth).toBe(9);
    // a record of another model (as when the RTL changed) is stale: run again
    writeFileSync(book, readFileSync(book, 'utf8').replace(/"check":"halt","engine":"bmc","depth":8,"solver":"glucose","seconds":[\d.]+,"model":"sha256:[0-9a-f]+"/, (m) => m.replace(/sha256:[0-9a-f]+/, `sha256:${'0'.repeat(64)}`)));
    const stale = zkrtl([...mc, '--check', 'halt', '--record', book, '--resume', '--out', join(dir, 'run4')]);
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stderr).toContain('[1/1] halt');
    expect(parseProofBook(readFileSync(book, 'utf8'), book).proofs.find((p) => p.check === 'halt')!.model).not.toContain('0'.repeat(64));
  }, 300_000);

  it('two runs recording into one file at once both keep their proofs', async () => {
    const book = join(dir, 'shared.json');
    const bin = join(import.meta.dirname, '..', 'bin', 'zkrtl.mjs');
    const run = (extra: string[], out: string) =>
      new Promise<number | null>((done) => spawn(process.execPath, [bin, ...mc, ...extra, '--check', 'pc,halt,order', '--record', book, '--out', join(dir, out)], { stdio: 'ignore' }).on('exit', done));
    expect(await Promise.all([run([], 'shared-a'), run(['--param', 'm=off'], 'shared-b')])).toEqual([0, 0]);
    const proofs = parseProofBook(readFileSync(book, 'utf8'), book).proofs;
    expect(proofs.map((p) => `${p.top} ${p.check}`).sort()).toEqual(['rv32i_mc halt', 'rv32i_mc order', 'rv32i_mc pc', 'rv32im_mc halt', 'rv32im_mc order', 'rv32im_mc pc']);
    expect(existsSync(`${book}.lock`)).toBe(false);
  }, 300_000);

  it('does not record a check that fails', () => {
    const book = join(dir, 'bug.json');
    // (the multicycle core not bypassing a register write made at its read's edge: reg finds it within 12 cycles)
    const r = zkrtl(['formal', 'rv32im', '--param', 'pipeline=multicycle', '--param', 'test_break=rf_collision', '--depth', '12', '--jobs', '1', '--check', 'reg,pc', '--record', book, '--out', join(dir, 'bug')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^reg +FAILED/m);
    expect(parseProofBook(readFileSync(book, 'utf8'), book).proofs.map((p) => p.check)).toEqual(['pc']);
    expect(r.stdout).toContain(`1 proof recorded in ${book}`);
  }, 300_000);

  it('--from records the proofs an earlier run left in its folders, with that run\'s date and commit, and says why a check is not recorded', async () => {
    const out = join(dir, 'earlier');
    const { runs } = await runFormal({ pipeline: 'multicycle' }, { only: ['pc', 'order'], depth: 8, jobs: 1, dir: out, commit: 'feed123' });
    expect(runs.map((r) => r.result.status)).toEqual(['pass', 'pass']);
    // order's verdict as a failed run leaves it; halt never ran
    const orderVerdict = join(out, 'order', VERDICT_JSON);
    writeFileSync(orderVerdict, readFileSync(orderVerdict, 'utf8').replace('"status": "pass"', '"status": "fail"'));
    const book = join(dir, 'from.json');
    const r = zkrtl(['formal', 'rv32im', '--param', 'pipeline=multicycle', '--check', 'pc,order,halt', '--record', book, '--from', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^pc +yes +8 /m);
    expect(r.stdout).toContain(`${orderVerdict} says the check failed`);
    expect(r.stdout).toContain(`no ${join(out, 'halt', VERDICT_JSON)}`);
    expect(r.stdout).toContain('1 of 3 checks recorded');
    const proofs = parseProofBook(readFileSync(book, 'utf8'), book).proofs;
    expect(proofs.map((p) => [p.check, p.depth, p.commit])).toEqual([['pc', 8, 'feed123']]);
    expect(proofs[0]!.model).toBe(runs[0]!.result.model);
    // another core's checks are about another model: stale, not recorded
    const other = zkrtl(['formal', 'rv32im', '--param', 'pipeline=multicycle', '--param', 'shift=barrel', '--check', 'pc', '--record', book, '--from', out]);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('was about another model than the code makes now (stale)');
    // a run started again removes the verdict before it decides anew
    await runFormal({ pipeline: 'multicycle', test_break: 'rf_collision' }, { only: ['pc'], depth: 8, jobs: 1, dir: out });
    expect(JSON.parse(readFileSync(join(out, 'pc', VERDICT_JSON), 'utf8')).model).not.toBe(runs[0]!.result.model);
    await runFormal({ pipeline: 'multicycle', test_break: 'rf_collision' }, { only: ['reg'], depth: 12, jobs: 1, dir: out });
    expect(JSON.parse(readFileSync(join(out, 'reg', VERDICT_JSON), 'utf8')).status).toBe('fail');
    const again = zkrtl(['formal', 'rv32im', '--param', 'pipeline=multicycle', '--check', 'pc,reg', '--record', book, '--from', out]);
    expect(again.stdout).toContain('was about another model than the code makes now (stale)');
    expect(again.stdout).toContain(`${join(out, 'reg', VERDICT_JSON)} says the check failed`);
  }, 300_000);

  it('misuse is one line naming the option, exit 2, and the record file is left as it was', () => {
    const broken = join(dir, 'misuse.json');
    writeFileSync(broken, '{"proofs": [');
    const good = join(dir, 'good.json');
    writeFileSync(good, formatProofBook(addProof({ proofs: [] }, rec())));
    const cases: [string[], RegExp][] = [
      [[...mc, '--resume'], /--resume needs --record FILE/],
      [[...mc, '--record', good, '--cover'], /is not accepted with --cover/],
      [[...mc, '--from', dir], /--from .* needs --record FILE/],
      [['formal', 'rv32im', '--param', 'pipeline=multicycle', '--record', good, '--from', join(dir, 'nowhere')], /--from .*nowhere is not a folder/],
      [['formal', 'rv32im', '--param', 'pipeline=multicycle', '--record', good, '--from', good], /--from .*good\.json is not a folder/],
      [[...mc, '--record', good, '--from', dir], /--from .* runs nothing: give no --depth/],
      [['formal', 'rv32im', '--param', 'pipeline=multicycle', '--record', good, '--from', dir, '--out', dir], /--from .* runs nothing/],
      [[...mc, '--check', 'pc', '--record', broken], /--record .*misuse\.json is not JSON/],
      [[...mc, '--check', 'pc', '--record', dir], /--record .* is a directory: give the path of a JSON file/],
      [[...mc, '--check', 'pc', '--record', join(good, 'x.json')], /--record .*x\.json cannot be written here/],
    ];
    for (const [argv, msg] of cases) {
      const r = zkrtl(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(r.stderr, argv.join(' ')).toMatch(msg);
    }
    expect(readFileSync(broken, 'utf8')).toBe('{"proofs": [');
    expect(readFileSync(good, 'utf8')).toBe(formatProofBook(addProof({ proofs: [] }, rec())));
  }, 120_000);
});

describe('bench section rv32im-proofs', () => {
  it('shows each check of a recorded configuration against today\'s models: proved, shallow, stale, not on record', () => {
    const raw = { pipeline: 'multicycle' };
    const cfg = parseRv32imParams(raw);
    const checks = formalChecks(cfg);
    const byName = (n: string) => checks.find((c) => c.name === n)!;
    const model = (n: string) => currentModel(raw, byName(n));
    const path = join(scratch('zkrtl-proofs-bench-'), 'proofs.json');
    let book = addProof({ proofs: [] }, rec({ check: 'pc', model: model('pc'), depth: checkDepth(cfg, byName('pc')) }));
    book = addProof(book, rec({ check: 'halt', model: model('halt'), depth: 2, seconds: 1.25 }));
    book = addProof(book, rec({ check: 'order', model: `sha256:${'0'.repeat(64)}`, depth: 50 }));
    book = addProof(book, rec({ check: 'unit_div', model: model('unit_div'), engine: 'pdr', depth: undefined, solver: undefined, seconds: 4000 }));
    writeFileSync(path, formatProofBook(book));
    const [c, ...more] = benchRv32imProofs(path);
    expect(more).toEqual([]);
    const standingOf = (n: string) => c!.rows.find((r) => r.check === n)!.standing;
    expect([standingOf('pc'), standingOf('halt'), standingOf('order'), standingOf('unit_div'), standingOf('insn_add')]).toEqual(['proved', 'shallow', 'stale', 'proved', 'none']);
    expect(c!.rows.map((r) => r.check)).toEqual(checks.map((x) => x.name));
    const lines = renderRv32imProofs([c!]);
    expect(lines).toContain(`**\`pipeline=multicycle\`** (rv32im_mc): 2 of ${checks.length} checks proved on today's RTL at the stated depth, 1 shallow, 1 stale, ${checks.length - 4} not on record; the proved ones took 1.1 h in all.`);
    expect(lines).toContain(`| pc | proved | bmc3 glucose | ${checkDepth(cfg, byName('pc'))} (${checkDepth(cfg, byName('pc'))}) | 3.0 | 2026-12-06 | abc1234 |`);
    expect(lines).toContain(`| halt | shallow | bmc3 glucose | 2 (${checkDepth(cfg, byName('halt'))}) | 1.3 | 2026-12-06 | abc1234 |`);
    expect(lines).toContain(`| unit_div | proved | pdr | all (${checkDepth(cfg, byName('unit_div'))}) | 4000.0 | 2026-12-06 | abc1234 |`);
    expect(lines).toContain(`| insn_add | – | – | – (${checkDepth(cfg, byName('insn_add'))}) | – | – | – |`);
  });

  it('the repository\'s record reads, and names only checks its configurations have', () => {
    const book = parseProofBook(readFileSync(PROOF_RECORD, 'utf8'), PROOF_RECORD);
    for (const p of book.proofs) {
      expect(formalChecks(parseRv32imParams(parseParamArgs(p.params.split(' ')))).map((c) => c.name), `${p.top} ${p.check}`).toContain(p.check);
    }
  });
});
