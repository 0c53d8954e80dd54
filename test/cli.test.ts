// The command line as a user meets it: exit codes, one-line errors, nothing written on bad
// input, deterministic and atomic output.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { scratch, zkrtl } from './support/cli.ts';

describe('zkrtl CLI', () => {
  it('fields lists every named field with bits and 2-adicity', () => {
    const r = zkrtl(['fields']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bn254\.fr\s+254\s+28/);
    expect(r.stdout).toMatch(/goldilocks\s+64\s+32/);
    expect(r.stdout).toMatch(/babybear\s+31\s+27/);
    expect(r.stdout).toMatch(/bls12_377\.fr\s+253\s+47/);
    // The modmul forms each prime admits.
    expect(r.stdout).toMatch(/mersenne31\s+31\s+1\s+mersenne, montgomery-friendly\s/);
    expect(r.stdout).toMatch(/secp256k1\s+256\s+1\s+pseudo-mersenne\s/);
    expect(r.stdout).toMatch(/bn254\.fp\s+254\s+1\s+–\s/);
  });

  it('gen writes a complete block directory, byte-identical on a second run', () => {
    const dir = scratch();
    const out1 = join(dir, 'a');
    const out2 = join(dir, 'b');
    expect(zkrtl(['gen', 'montmul', '--field', 'goldilocks', '--out', out1]).code).toBe(0);
    expect(zkrtl(['gen', 'montmul', '--field', 'goldilocks', '--out', out2]).code).toBe(0);
    const files = readdirSync(out1).sort();
    expect(files).toEqual(['filelist.f', 'montmul_goldilocks.core', 'montmul_goldilocks.json', 'montmul_goldilocks.v', 'montmul_goldilocks_ab.v', 'montmul_goldilocks_m.v', 'montmul_goldilocks_mp.v', 'zkrtl_delay.v']);
    for (const f of files) expect(readFileSync(join(out2, f), 'utf8'), f).toBe(readFileSync(join(out1, f), 'utf8'));
    // Regenerating over zkrtl's own output replaces it whole, with nothing stale left behind.
    writeFileSync(join(out1, 'stale.v'), '');
    expect(zkrtl(['gen', 'modadd', '--field', 'goldilocks', '--out', out1]).code).toBe(0);
    expect(readdirSync(out1).sort()).toEqual(['filelist.f', 'modadd_goldilocks.core', 'modadd_goldilocks.json', 'modadd_goldilocks.v']);
  });

  it('gen BLOCK into the default rtl-out/ and then gen of the config: zkrtl recognises its own output', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'zkrtl.config.json'), JSON.stringify({ out: 'rtl-out', blocks: ['modadd'], fields: ['babybear'] }));
    expect(zkrtl(['gen', 'montmul', '--prime', '0x7fffffff'], dir).code).toBe(0);
    expect(readdirSync(join(dir, 'rtl-out'))).toEqual(['montmul_mersenne31']);
    // Beside a file of the user's, the design directories do not make rtl-out/ ours to replace.
    writeFileSync(join(dir, 'rtl-out', 'notes.txt'), 'mine');
    const refused = zkrtl(['gen'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/non-empty directory not written by zkrtl/);
    rmSync(join(dir, 'rtl-out', 'notes.txt'));
    const r = zkrtl(['gen'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'rtl-out')).sort()).toEqual(['designs.json', 'modadd_babybear']);
  });

  it('gen without a block writes the whole config set, with an index', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'zkrtl.config.json'), JSON.stringify({ out: 'rtl', blocks: ['modadd', 'montmul'], fields: ['babybear', 'mersenne31'] }));
    const r = zkrtl(['gen'], dir);
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'rtl')).sort()).toEqual(['designs.json', 'modadd_babybear', 'modadd_mersenne31', 'montmul_babybear', 'montmul_mersenne31']);
    expect(JSON.parse(readFileSync(join(dir, 'rtl', 'designs.json'), 'utf8'))).toHaveLength(4);
  });

  const badInputs: Array<[string, string[], RegExp]> = [
    ['even modulus', ['gen', 'montmul', '--prime', '0x10'], /--prime 0x10 is not an odd prime ≥ 5/],
    ['composite modulus', ['gen', 'montmul', '--prime', '3215031751'], /--prime 3215031751 is not an odd prime/],
    ['modulus 3', ['gen', 'montmul', '--prime', '3'], /not an odd prime ≥ 5/],
    ['not a number', ['gen', 'montmul', '--prime', '12z'], /--prime '12z' is not a number/],
    ['unknown field', ['gen', 'montmul', '--field', 'bn256'], /unknown field 'bn256': accepted are bn254\.fr/],
    ['unknown block', ['gen', 'barrett', '--field', 'goldilocks'], /unknown block 'barrett': accepted are modadd, modsub, montmul, modmul, butterfly, ntt, ecadd, msm, rv32im/],
    ['field for the CPU', ['gen', 'rv32im', '--field', 'goldilocks'], /rv32im works on no field: leave out --field\/--prime/],
    ['inverse for montmul', ['sim', 'montmul', '--field', 'goldilocks', '--inverse'], /--inverse is for the ntt block only/],
    ['pnr off ice40', ['synth', 'rv32im', '--target', 'xilinx', '--pnr'], /--pnr goes with --target ice40, not xilinx/],
    ['trace without pnr', ['synth', 'rv32im', '--target', 'ice40', '--trace', 'light'], /^zkrtl: error: --trace goes with --pnr/],
    ['bad trace', ['synth', 'rv32im', '--target', 'ice40', '--pnr', '--trace', 'none'], /^zkrtl: error: --trace none is not accepted: give full \(.*\) or light \(.*\)\n/],
    ['trace off rv32im', ['synth', 'montmul', '--field', 'babybear', '--target', 'ice40', '--pnr', '--trace', 'light'], /^zkrtl: error: --trace light goes with rv32im only: montmul has no trace port\n/],
    ['trace with asic', ['synth', 'rv32im', '--target', 'asic', '--trace', 'light'], /^zkrtl: error: --trace does not go with --target asic/],
    ['zero tile', ['gen', 'montmul', '--field', 'goldilocks', '--param', 'tile=0x17'], /tile=0x17 is not accepted/],
    ['tile over 64', ['gen', 'montmul', '--field', 'goldilocks', '--param', 'tile=65x17'], /tile=65x17 is not accepted/],
    ['negative depth', ['gen', 'montmul', '--field', 'goldilocks', '--param', 'depth=-3'], /depth=-3 is not accepted/],
    ['param without =', ['gen', 'montmul', '--field', 'goldilocks', '--param', 'tile'], /--param 'tile' is not key=value/],
    ['both field and prime', ['gen', 'montmul', '--field', 'goldilocks', '--prime', '7'], /either --field or --prime/],
    ['unknown option', ['gen', 'montmul', '--feild', 'goldilocks'], /unknown option --feild/],
    ['a test-only parameter', ['gen', 'rv32im', '--param', 'test_break=forward'], /unknown parameter 'test_break' for rv32im: accepted are pipeline/],
    ['unknown command', ['generate'], /unknown command 'generate'/],
    ['bad target', ['synth', 'montmul', '--field', 'goldilocks', '--target', 'stratix'], /--target stratix is not accepted: give one of generic, xilinx, ice40, ecp5/],
    ['bad netlist', ['synth', 'montmul', '--field', 'goldilocks', '--target', 'ice40', '--netlist', 'json,vhdl'], /--netlist vhdl is not accepted/],
    ['by-module with pnr', ['synth', 'rv32im', '--target', 'ice40', '--pnr', '--by-module'], /^zkrtl: error: --by-module goes with a synthesis report .*, not --pnr\n/],
    ['by-module word-level', ['synth', 'montmul', '--field', 'goldilocks', '--target', 'generic', '--word-level', '--by-module'], /^zkrtl: error: --by-module maps every module to the target's cells; it does not go with --word-level\n/],
    ['by-module asic', ['synth', 'rv32im', '--target', 'asic', '--by-module'], /^zkrtl: error: --by-module does not go with --target asic/],
    ['by-register generic', ['synth', 'montmul', '--field', 'goldilocks', '--target', 'generic', '--by-register'], /^zkrtl: error: --by-register shares out LUTs: it goes with --target ice40, xilinx or ecp5, not generic\n/],
    ['bad vector count', ['sim', 'montmul', '--field', 'goldilocks', '--vectors', 'many'], /--vectors many is not accepted/],
  ];
  for (const [what, args, message] of badInputs) {
    it(`bad input (${what}): one line, exit 2, nothing written`, () => {
      const dir = scratch();
      const out = join(dir, 'out');
      const r = zkrtl([...args, ...(args[0] === 'gen' || args[0] === 'synth' ? ['--out', out] : [])], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('refuses to replace a directory it did not write', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep me');
    const r = zkrtl(['gen', 'modadd', '--field', 'babybear', '--out', join(dir, 'mine')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/non-empty directory not written by zkrtl/);
    expect(readdirSync(join(dir, 'mine'))).toEqual(['notes.txt']);
  });

  const badConfigs: Array<[string, string, RegExp]> = [
    ['not JSON', '{ "blocks": [', /is not valid JSON/],
    ['unknown key', JSON.stringify({ blocks: ['modadd'], fields: ['babybear'], outdir: 'x' }), /unknown key 'outdir'/],
    ['unknown field', JSON.stringify({ blocks: ['modadd'], fields: ['babybare'] }), /unknown field 'babybare'/],
    ['unknown block', JSON.stringify({ blocks: ['barrett'], fields: ['babybear'] }), /unknown block 'barrett'/],
    ['bad param', JSON.stringify({ blocks: ['montmul'], fields: ['babybear'], params: { montmul: { tile: '99x1' } } }), /tile=99x1 is not accepted/],
    ['empty fields', JSON.stringify({ blocks: ['montmul'], fields: [] }), /'fields' must be a non-empty array/],
  ];
  for (const [what, text, message] of badConfigs) {
    it(`malformed config (${what}): one line, exit 2, nothing written`, () => {
      const dir = scratch();
      writeFileSync(join(dir, 'zkrtl.config.json'), text);
      const r = zkrtl(['gen'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(dir)).toEqual(['zkrtl.config.json']);
    });
  }

  it('unreadable config and missing config are one-line errors', () => {
    const dir = scratch();
    const r = zkrtl(['gen', '--config', join(dir, 'nope.json')], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read config .*nope\.json: ENOENT/);
    const r2 = zkrtl(['sim'], dir);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/no zkrtl\.config\.json here/);
  });

  const badVectors: Array<[string, string, RegExp]> = [
    ['not hex', '1 2\nzz 3\n', /pairs\.hex:2: 'zz 3' is not an 'a b' pair of hex numbers/],
    ['three values', '1 2 3\n', /pairs\.hex:1: '1 2 3' is not an 'a b' pair/],
    ['value ≥ p', `1 2\n0 ${(2n ** 31n - 1n).toString(16)}\n`, /pairs\.hex:2: 0x7fffffff is not below p = 0x7fffffff/],
    ['empty', '# nothing\n\n', /holds no 'a b' pairs/],
  ];
  for (const [what, text, message] of badVectors) {
    it(`malformed vector file (${what}): one line, exit 2, no output file`, () => {
      const dir = scratch();
      writeFileSync(join(dir, 'pairs.hex'), text);
      const r = zkrtl(['sim', 'modadd', '--field', 'mersenne31', '--input', join(dir, 'pairs.hex'), '--output', join(dir, 'out.hex')], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(dir)).toEqual(['pairs.hex']);
    });
  }

  it('a missing simulator is one line saying how to install it, and a failing exit', () => {
    const r = zkrtl(['tools'], undefined, { VERILATOR: '/nonexistent/verilator' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/VERILATOR=\/nonexistent\/verilator does not exist: .*apt-get install verilator/);
  });

  it('every command answers --help, and gen/sim/synth BLOCK --help lists the block\'s parameters from its parser\'s table', async () => {
    const { BLOCKS } = await import('../src/gen/index.ts');
    for (const c of ['gen', 'sim', 'synth', 'lint', 'run', 'sweep', 'report', 'fields', 'curves', 'tools']) {
      const r = zkrtl([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage:\\n  zkrtl ${c}`));
    }
    for (const b of BLOCKS) {
      const r = zkrtl(['gen', b.name, '-h']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`${b.name}: ${b.description}`);
      for (const p of b.params) expect(r.stdout).toMatch(new RegExp(`\\n  ${p.name}\\s+`));
    }
    const bad = zkrtl(['gen', 'barrett', '--help']);
    expect(bad.stderr).toMatch(/unknown block 'barrett'/);
    expect(bad.code).toBe(2);
  });

  it('--out below a file, or where the system refuses to write, is one line and exit 2 (no hang)', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'afile'), 'x');
    const a = zkrtl(['gen', 'modadd', '--field', 'babybear', '--out', join(dir, 'afile', 'sub')], dir);
    expect(a.stderr).toMatch(/cannot write below .*afile: it is a file, not a directory/);
    expect(a.code).toBe(2);
    expect(readdirSync(dir)).toEqual(['afile']);
    const b = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'zkrtl.mjs'), 'gen', 'modadd', '--field', 'babybear', '--out', '/proc/zkrtl-out'], { encoding: 'utf8', timeout: 60_000 });
    expect(b.stderr).toMatch(/cannot write \/proc\/zkrtl-out: /);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.status).toBe(2);
    const c = zkrtl(['sim', 'modadd', '--field', 'babybear', '--input', join(dir, 'afile'), '--output', dir], dir);
    expect(c.stderr).toMatch(/cannot write .*: it is a directory|is not an 'a b' pair/);
    expect(c.code).toBe(2);
  });

  it('an unreadable vector file is a one-line error', () => {
    const dir = scratch();
    const r = zkrtl(['sim', 'modadd', '--field', 'mersenne31', '--input', join(dir, 'missing.hex'), '--output', join(dir, 'o.hex')], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read vector file .*missing\.hex: ENOENT/);
  });
});
