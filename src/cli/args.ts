// Command-line options on Node's util.parseArgs: positionals, `--opt value` / `--opt=value`,
// repeatable options, flags. util.parseArgs tokenizes; the checks below turn every misuse
// into one line that names the option and what is accepted (exit 2).
import { parseArgs as nodeParseArgs } from 'node:util';
import { UsageError } from '../base/errors.ts';

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string[]>;
  flags: Set<string>;
}

export function parseArgs(argv: string[], spec: { options: string[]; flags: string[] }): ParsedArgs {
  const config: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const o of spec.options) config[o] = { type: 'string', multiple: true };
  for (const f of spec.flags) config[f] = { type: 'boolean' };
  // Non-strict: unknown options come back as tokens, so the error below can list what is accepted.
  const { tokens } = nodeParseArgs({ args: argv, options: config, allowPositionals: true, strict: false, tokens: true });
  const out: ParsedArgs = { positionals: [], options: {}, flags: new Set() };
  for (const t of tokens) {
    if (t.kind === 'positional') out.positionals.push(t.value);
    if (t.kind !== 'option') continue;
    if (spec.flags.includes(t.name)) {
      if (t.value !== undefined) throw new UsageError(`${t.rawName} takes no value`);
      out.flags.add(t.name);
    } else if (spec.options.includes(t.name)) {
      if (t.value === undefined) throw new UsageError(`${t.rawName} needs a value`);
      (out.options[t.name] ??= []).push(t.value);
    } else {
      const known = [...spec.options, ...spec.flags].map((o) => `--${o}`).join(', ');
      throw new UsageError(`unknown option ${t.rawName}: accepted here are ${known || 'none'}`);
    }
  }
  return out;
}

export function single(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  if (!v) return undefined;
  if (v.length > 1) throw new UsageError(`--${name} given ${v.length} times; give it once`);
  return v[0];
}
