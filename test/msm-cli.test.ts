// The MSM core on the command line: gen from a curve file, sim with random and adversarial
// MSMs, --input/--output with the user's own scalars and points (results checked against
// textbook affine arithmetic), and one-line errors with exit 2 and nothing written for every
// bad pair or option.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addAffine, generator, mulAffine, onCurve, sqrtMod, type Affine } from '../src/model/curve.ts';
import { TOY_CURVES } from './support/curves.ts';
import { scratch as scratchDir, zkrtl } from './support/cli.ts';

const TOY = TOY_CURVES[0]!;
const TOY_E = TOY_CURVES[1]!;
const scratch = () => scratchDir('zkrtl-msm-cli-');
const hex = (v: bigint) => v.toString(16);

describe('zkrtl gen/sim msm on the command line', () => {
  it('gen msm writes the core, its adder and units, and a manifest that states c and the memories', () => {
    const dir = scratch();
    const r = zkrtl(['gen', 'msm', '--curve', TOY.path, '--param', 'c=5', '--out', join(dir, 'm')]);
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, 'm'));
    const top = files.find((f) => /^msm_.*\.json$/.test(f))!.replace(/\.json$/, '');
    expect(top).toMatch(/^msm_c20_[0-9a-f]{8}_w_c5_f8$/);
    const m = JSON.parse(readFileSync(join(dir, 'm', `${top}.json`), 'utf8'));
    expect(m.windows.c).toBe(5);
    expect(m.memory.buckets.entries).toBe(m.windows.count * 16);
    expect(files).toContain(`${m.adder.module}.v`);
  });

  it('sim msm runs random and adversarial MSMs against the model and noble', () => {
    // The same core as in msm.test.ts: one Verilator build serves both.
    const r = zkrtl(['sim', 'msm', '--curve', TOY.path, '--param', 'c=4', '--points', '12', '--msms', '1', '--adversarial']);
    expect(r.stdout).toMatch(/^PASS msm_c20_[0-9a-f]{8}_w_c4_f8: 10 MSMs \(random; one pair; .*\) equal to the golden model coordinate by coordinate and to @noble\/curves/m);
    expect(r.code).toBe(0);
  });

  it('sim msm --input/--output: one affine result per MSM, equal to textbook arithmetic', () => {
    const dir = scratch();
    const c = TOY.curve;
    const G = generator(c);
    const msms: Array<Array<[bigint, Affine]>> = [
      [[5n, G], [7n, mulAffine(c, G, 3n)], [c.n - 1n, mulAffine(c, G, 11n)]],
      [[0n, G]],
      [[2n, G], [c.n - 2n, G]],
    ];
    const text = msms.map((m) => m.map(([k, P]) => `${hex(k)} 0x${hex(P!.x)} ${hex(P!.y)}`).join('\n')).join('\n\n');
    writeFileSync(join(dir, 'msm.txt'), `# scalar x y\n${text}\n`);
    const r = zkrtl(['sim', 'msm', '--curve', TOY.path, '--param', 'c=4', '--input', join(dir, 'msm.txt'), '--output', join(dir, 'q.txt')], dir);
    expect(r.stdout).toMatch(/wrote 3 MSM results .* all equal to the golden model and @noble\/curves/);
    expect(r.code).toBe(0);
    const want = msms.map((m) => m.reduce<Affine>((acc, [k, P]) => addAffine(c, acc, mulAffine(c, P, k)), null));
    const lines = readFileSync(join(dir, 'q.txt'), 'utf8').trim().split('\n');
    expect(lines).toEqual(want.map((q) => (q === null ? 'O' : `${hex(q.x)} ${hex(q.y)}`)));
    expect(lines.slice(1)).toEqual(['O', 'O']);
  });

  const c = TOY.curve;
  const G = generator(c);
  // A point of the Edwards toy curve (h = 48) outside its subgroup of order n.
  const outsider = (() => {
    const e = TOY_E.curve;
    for (let x = 1n; x < 1000n; x++) {
      const y = sqrtMod((x ** 3n + e.b) % e.field.p, e.field.p);
      if (y !== undefined && y !== 0n && mulAffine(e, { x, y }, e.n) !== null) return { x, y };
    }
    throw new Error('no point outside the subgroup');
  })();
  const bad: Array<[string, string, string[], RegExp]> = [
    ['scalar ≥ n', `${hex(c.n)} ${hex(G!.x)} ${hex(G!.y)}\n`, [], /msm\.txt:1: scalar 0x[0-9a-f]+ is not below n = 0x[0-9a-f]+ of toy20\.w/],
    ['coordinate ≥ p', `1 ${hex(c.field.p)} 2\n`, [], /msm\.txt:1: x = 0x[0-9a-f]+ is not below p = /],
    ['point off the curve', `1 1 3\n`, [], /msm\.txt:1: \(0x1, 0x3\) is not a point of toy20\.w/],
    ['two numbers', `1 2\n`, [], /msm\.txt:1: '1 2' is not a pair: give 'scalar x y', three hex numbers/],
    ['empty', '# nothing\n\n', [], /holds no pairs/],
  ];
  for (const [what, text, extra, message] of bad) {
    it(`bad MSM file (${what}): one line, exit 2, nothing written`, () => {
      const dir = scratch();
      writeFileSync(join(dir, 'msm.txt'), text);
      const r = zkrtl(['sim', 'msm', '--curve', TOY.path, '--param', 'c=4', ...extra, '--input', join(dir, 'msm.txt'), '--output', join(dir, 'q.txt')], dir);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(dir, 'q.txt'))).toBe(false);
    });
  }

  it('a point outside the subgroup is refused where the curve has a cofactor', () => {
    expect(onCurve(TOY_E.curve, outsider)).toBe(true);
    const dir = scratch();
    writeFileSync(join(dir, 'msm.txt'), `3 ${hex(outsider.x)} ${hex(outsider.y)}\n`);
    const r = zkrtl(['sim', 'msm', '--curve', TOY_E.path, '--param', 'form=edwards', '--param', 'c=3', '--input', join(dir, 'msm.txt'), '--output', join(dir, 'q.txt')], dir);
    expect(r.stderr).toMatch(/msm\.txt:1: \(0x[0-9a-f]+, 0x[0-9a-f]+\) is on toy20\.e but not in its subgroup of order n/);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'q.txt'))).toBe(false);
  });

  it('msm options on other blocks, and --input with --points, are refused', () => {
    const a = zkrtl(['sim', 'montmul', '--field', 'babybear', '--points', '8']);
    expect(a.stderr).toMatch(/--points, --msms and --adversarial are for the msm block only/);
    expect(a.code).toBe(2);
    const b = zkrtl(['sim', 'msm', '--curve', TOY.path, '--points', '0']);
    expect(b.stderr).toMatch(/--points 0 is not accepted: give an integer from 1 to 1048576/);
    expect(b.code).toBe(2);
  });
});
