// Minimal argv parser: positionals, `--opt value` / `--opt=value`, repeatable options, flags.
import { UsageError } from './errors.ts';

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string[]>;
  flags: Set<string>;
}

export function parseArgs(argv: string[], spec: { options: string[]; flags: string[] }): ParsedArgs {
  const out: ParsedArgs = { positionals: [], options: {}, flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.flags.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    if (!spec.options.includes(name)) {
      const known = [...spec.options, ...spec.flags].map((o) => `--${o}`).join(', ');
      throw new UsageError(`unknown option --${name}: accepted here are ${known || 'none'}`);
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    (out.options[name] ??= []).push(value);
  }
  return out;
}

export function single(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  if (!v) return undefined;
  if (v.length > 1) throw new UsageError(`--${name} given ${v.length} times; give it once`);
  return v[0];
}
