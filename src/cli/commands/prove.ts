// zkrtl prove: machine-checked proofs of the generated multipliers, one verdict per lemma.
import type { FieldSpec } from '../../fields/registry.ts';
import { resolveField } from '../../fields/registry.ts';
import { planMontmul } from '../../gen/montmul.ts';
import { parseParamArgs, type RawParams } from '../../gen/params.ts';
import { runLemmas, type LemmaResult } from '../../prove/lemma.ts';
import { configMultipliers, montmulLemmas } from '../../prove/montmul.ts';
import { modmulLemmas } from '../../prove/modmul.ts';
import { planModmul } from '../../gen/modmul.ts';
import { shutdownZ3 } from '../../prove/z3.ts';
import { parseArgs, single } from '../args.ts';
import { UsageError } from '../errors.ts';
import { atMostOnePositional, configFromArgs, noDesignOptions } from './common.ts';

const WAVEFORM_DIR = 'prove-out';

const fmtTime = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

export async function runProve(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { options: ['field', 'prime', 'param', 'config', 'timeout', 'waveforms'], flags: ['end-to-end'] });
  const block = atMostOnePositional(args, 'prove');
  const timeoutText = single(args, 'timeout');
  const timeoutS = timeoutText === undefined ? 60 : /^\d+$/.test(timeoutText) ? Number(timeoutText) : NaN;
  if (!(timeoutS >= 1 && timeoutS <= 86_400)) throw new UsageError(`--timeout ${timeoutText} is not accepted: give whole seconds, 1 to 86400`);
  const endToEnd = args.flags.has('end-to-end');
  if (args.options.waveforms && !endToEnd) throw new UsageError('--waveforms is where --end-to-end writes a counterexample: give --end-to-end too');
  let targets: Array<{ block: 'montmul' | 'modmul'; field: FieldSpec; params: RawParams; top: string }>;
  if (block !== undefined) {
    if (block !== 'montmul' && block !== 'modmul') throw new UsageError(`zkrtl prove knows montmul and modmul, not '${block}' (the other blocks are checked by simulation: zkrtl sim ${block})`);
    if (args.options.config) throw new UsageError('--config is for zkrtl prove without a block (every montmul and modmul of the config): leave out one of the two');
    if (endToEnd && block === 'modmul') throw new UsageError('--end-to-end proves montmuls: leave it out for modmul');
    const field = resolveField({ field: single(args, 'field'), prime: single(args, 'prime') });
    const params = parseParamArgs(args.options.param ?? []);
    targets = [{ block, field, params, top: block === 'montmul' ? planMontmul(field, params).top : planModmul(field, params).plan.top }];
  } else {
    noDesignOptions(args, 'prove');
    if (endToEnd) throw new UsageError('--end-to-end needs a block and a small prime: zkrtl prove montmul --prime 251 --end-to-end');
    const found = configMultipliers(configFromArgs(args, true)!);
    targets = [...found.montmul.map((t) => ({ block: 'montmul' as const, ...t })), ...found.modmul.map((t) => ({ block: 'modmul' as const, ...t }))];
  }
  // Every lemma list is built before any proof runs: bad parameters fail first. A counterexample's
  // waveform is the only file written, into WAVEFORM_DIR unless --waveforms says otherwise.
  const waveformDir = endToEnd ? single(args, 'waveforms') ?? WAVEFORM_DIR : undefined;
  const runs = targets.map((t) => ({
    ...t,
    lemmas: t.block === 'montmul'
      ? montmulLemmas(t.field, t.params, { endToEnd, timeoutMs: timeoutS * 1000, waveformDir })
      : modmulLemmas(t.field, t.params, { timeoutMs: timeoutS * 1000 }),
  }));
  const summary: Array<{ top: string; results: LemmaResult[] }> = [];
  try {
    for (const [i, r] of runs.entries()) {
      process.stderr.write(`zkrtl: [${i + 1}/${runs.length}] ${r.top}: ${r.lemmas.length} lemmas\n`);
      const results = await runLemmas(r.lemmas, (res) => {
        process.stdout.write(`${res.verdict.padEnd(7)} ${r.top} ${res.name.padEnd(16)} ${res.method.padEnd(9)} ${fmtTime(res.ms).padStart(8)}  ${res.statement}\n`);
        if (res.detail) process.stdout.write(`        ${res.detail}\n`);
      });
      summary.push({ top: r.top, results });
    }
  } finally {
    await shutdownZ3();
  }
  const bad = summary.flatMap((s) => s.results.filter((r) => r.verdict !== 'proved').map((r) => `${s.top} ${r.name} (${r.verdict})`));
  const total = summary.reduce((acc, s) => acc + s.results.length, 0);
  const ms = summary.reduce((acc, s) => acc + s.results.reduce((a, r) => a + r.ms, 0), 0);
  process.stdout.write(`\n${total - bad.length} of ${total} lemmas proved for ${summary.length} design(s) in ${fmtTime(ms)}${bad.length ? `; not proved: ${bad.join(', ')}` : ''}\n`);
  return bad.length ? 1 : 0;
}
