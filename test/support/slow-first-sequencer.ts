// Test files in the order the two workers should take them: the longest first (longest
// processing time first), so that both finish together instead of one running a long file
// alone at the end. A fresh clone has no timing cache for Vitest's own ordering, and CI always
// starts from one. The list is the files' measured durations, longest first (fresh clone
// e2dd756: equivalence 539 s, ntt-equivalence 469 s, rv32im-rtl 338 s, lint 192 s, formal
// 164 s, ecadd 146 s, verilator 146 s, asic 116 s, msm 89 s, cli 73 s, butterfly-runtime 69 s);
// files not listed follow in Vitest's own order.
import { basename } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const SLOW_FIRST = [
  'equivalence', 'ntt-equivalence', 'rv32im-rtl', 'lint', 'formal', 'ecadd', 'verilator', 'asic',
  'msm', 'ice40-netlist', 'cli', 'butterfly-runtime', 'rv32im-synth', 'montmul-runtime', 'ntt-shift', 'synth-blocks',
  'prove', 'ntt-harness', 'ntt-modmul',
];

const rank = (f: TestSpecification) => {
  const i = SLOW_FIRST.indexOf(basename(f.moduleId).replace(/\.test\.ts$/, ''));
  return i < 0 ? SLOW_FIRST.length : i;
};

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    // Stable: unlisted files keep Vitest's order after the listed ones.
    return base.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}
