// The curve commands as a user meets them: `zkrtl curves`, `gen/sim ecadd --curve`, custom
// curve files, --input/--output with the user's own operations, and one-line errors with
// exit 2 and nothing written for every bad curve, parameter or vector line.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateBlock } from '../src/gen/index.ts';
import { ecaddContext, ecaddExpected, ecaddVectors } from '../src/sim/ecadd-sim.ts';
import { TOY_CURVES } from './support/curves.ts';
import { scratch as scratchDir, zkrtl } from './support/cli.ts';

const TOY = TOY_CURVES[0]!;
const scratch = () => scratchDir('zkrtl-ecadd-cli-');

describe('zkrtl curves and ecadd on the command line', () => {
  it('curves lists the named curves with fields, cofactor and forms', () => {
    const r = zkrtl(['curves']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bn254\.g1\s+bn254\.fp \(254\)\s+bn254\.fr \(254\)\s+1\s+weierstrass\s/);
    expect(r.stdout).toMatch(/bls12_381\.g1\s+bls12_381\.fp \(381\)\s+bls12_381\.fr \(255\)\s+0x396c8c005555e1568c00aaab0000aaab\s+weierstrass\s/);
    expect(r.stdout).toMatch(/bls12_377\.g1\s+bls12_377\.fp \(377\)\s+bls12_377\.fr \(253\)\s+0x170b5d44300000000000000000000000\s+weierstrass, edwards/);
  });

  it('gen ecadd writes the adder and its units from a curve file', () => {
    const dir = scratch();
    const r = zkrtl(['gen', 'ecadd', '--curve', TOY.path, '--param', 'mode=both', '--param', 'tagbits=8', '--out', join(dir, 'a')]);
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, 'a')).sort();
    const top = files.find((f) => /^ecadd_.*\.json$/.test(f))!.replace(/\.json$/, '');
    expect(top).toMatch(/^ecadd_c20_[0-9a-f]{8}_w_both_tag8$/);
    expect(readFileSync(join(dir, 'a', 'filelist.f'), 'utf8').trim().split('\n').at(-1)).toBe(`${top}.v`);
    expect(files.filter((f) => f.endsWith('.v')).length).toBe(8);
  });

  const curveFile = (dir: string, patch: Record<string, unknown>) => {
    const path = join(dir, 'c.json');
    writeFileSync(path, JSON.stringify({ ...TOY.json, ...patch }));
    return path;
  };
  const bad: Array<[string, (dir: string) => string[], RegExp]> = [
    ['unknown curve', () => ['gen', 'ecadd', '--curve', 'bn256.g1'], /unknown curve 'bn256\.g1': accepted are bn254\.g1, bls12_381\.g1, bls12_377\.g1/],
    ['no curve', () => ['gen', 'ecadd'], /no curve given: use --curve/],
    ['field for a curve block', () => ['gen', 'ecadd', '--field', 'bn254.fp'], /ecadd works on a curve: give --curve/],
    ['curve for a field block', () => ['gen', 'montmul', '--curve', 'bn254.g1'], /montmul works on a field, not a curve/],
    ['edwards without a model', () => ['gen', 'ecadd', '--curve', 'bn254.g1', '--param', 'form=edwards'], /form=edwards is not available for bn254\.g1/],
    ['bad mode', () => ['gen', 'ecadd', '--curve', 'bn254.g1', '--param', 'mode=double'], /mode=double is not accepted/],
    ['bad tagbits', () => ['gen', 'ecadd', '--curve', 'bn254.g1', '--param', 'tagbits=99'], /tagbits=99 is not accepted/],
    ['curve file missing', (d) => ['gen', 'ecadd', '--curve', join(d, 'none.json')], /cannot read curve file .*none\.json: ENOENT/],
    ['p not prime', (d) => ['gen', 'ecadd', '--curve', curveFile(d, { p: '1000161' })], /p = 1000161 is not an odd prime/],
    ['n not prime', (d) => ['gen', 'ecadd', '--curve', curveFile(d, { n: '1001528' })], /n = 0xf4838 is not a prime/],
    ['G off the curve', (d) => ['gen', 'ecadd', '--curve', curveFile(d, { gy: '3' })], /the generator \(0x1, 0x3\) is not on y\^2 = x\^3 \+ 0x3/],
    ['n·G ≠ O', (d) => ['gen', 'ecadd', '--curve', curveFile(d, { n: '1001549' })], /n\*G is not the point at infinity/],
    ['a ≠ 0', (d) => ['gen', 'ecadd', '--curve', curveFile(d, { a: '1' })], /a = 1 is not accepted: zkrtl's adders are for a = 0 curves/],
  ];
  for (const [what, args, message] of bad) {
    it(`bad input (${what}): one line, exit 2, nothing written`, () => {
      const dir = scratch();
      const argv = args(dir);
      const before = readdirSync(dir);
      const r = zkrtl([...argv, '--out', join(dir, 'out')], dir);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(dir)).toEqual(before);
    });
  }

  it('sim ecadd --input/--output: the RTL results of the user\'s operations, equal to the model', () => {
    const dir = scratch();
    // The same adder as in ecadd.test.ts: one Verilator build serves both.
    const design = generateBlock('ecadd', TOY.curve, { mode: 'both', tagbits: '16' });
    const ctx = ecaddContext(design, TOY.curve);
    const ops = ecaddVectors(ctx, 40, 9);
    const lines = ops.map((op) => [op.full ? '1' : '0', ...[...op.p, ...op.q].map((v) => `0x${v.toString(16)}`)].join(' '));
    writeFileSync(join(dir, 'ops.txt'), `# mode P Q\n${lines.join('\n')}\n`);
    const r = zkrtl(['sim', 'ecadd', '--curve', TOY.path, '--param', 'mode=both', '--param', 'tagbits=16', '--input', join(dir, 'ops.txt'), '--output', join(dir, 'sums.txt')], dir);
    expect(r.stderr + r.stdout).toMatch(/all equal to the golden model/);
    expect(r.code).toBe(0);
    const got = readFileSync(join(dir, 'sums.txt'), 'utf8').trim().split('\n').map((l) => l.split(' ').map((h) => BigInt(`0x${h}`)));
    expect(got).toEqual(ops.map((op) => ecaddExpected(ctx, op)));
  });

  const p = BigInt(TOY.json.p);
  const badVectors: Array<[string, string, RegExp]> = [
    ['too few numbers', '1 2 3\n', /ops\.txt:1: '1 2 3' is not an operation: give 5 hex numbers, p_x p_y p_z q_x q_y/],
    ['not hex', '1 2 3 4 zz\n', /is not an operation/],
    ['coordinate ≥ p', `0 1 0 1 ${p.toString(16)}\n`, /ops\.txt:1: coordinate 5 = 0x[0-9a-f]+ is not below p/],
    ['P off the curve', '1 2 3 1 2\n', /ops\.txt:1: P = \(0x1, 0x2, 0x3\) is not a point of toy20\.w/],
    ['empty', '# nothing\n', /holds no operations/],
  ];
  for (const [what, text, message] of badVectors) {
    it(`malformed ecadd vector file (${what}): one line, exit 2, no output`, () => {
      const dir = scratch();
      writeFileSync(join(dir, 'ops.txt'), text);
      const r = zkrtl(['sim', 'ecadd', '--curve', TOY.path, '--param', 'mode=mixed', '--input', join(dir, 'ops.txt'), '--output', join(dir, 'o.txt')], dir);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(dir, 'o.txt'))).toBe(false);
    });
  }

  it('a Q off the curve is refused', () => {
    const dir = scratch();
    const design = generateBlock('ecadd', TOY.curve, { mode: 'mixed' });
    const op = ecaddVectors(ecaddContext(design, TOY.curve), 1, 1)[0]!;
    writeFileSync(join(dir, 'ops.txt'), [...op.p, op.q[0]!, (op.q[1]! + 1n) % p].map((v) => v.toString(16)).join(' ') + '\n');
    const r = zkrtl(['sim', 'ecadd', '--curve', TOY.path, '--param', 'mode=mixed', '--input', join(dir, 'ops.txt'), '--output', join(dir, 'o.txt')], dir);
    expect(r.stderr).toMatch(/Q = \(.*\) is not a point of toy20\.w in the mixed operand format/);
    expect(r.code).toBe(2);
  });
});
