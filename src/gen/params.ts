// Parsing of `--param key=value` for the generators. Every bad value is a UsageError that
// names the value and what is accepted.
import { UsageError } from '../base/errors.ts';

export type RawParams = Record<string, string>;

export interface ParamDoc {
  name: string;
  accepted: string;
  default: string;
}

export function rejectUnknown(block: string, params: RawParams, docs: ParamDoc[]): void {
  for (const key of Object.keys(params)) {
    if (!docs.some((d) => d.name === key)) {
      const known = docs.length ? docs.map((d) => `${d.name} (${d.accepted})`).join(', ') : 'none';
      throw new UsageError(`unknown parameter '${key}' for ${block}: accepted are ${known}`);
    }
  }
}

/** `26x17` → [26, 17]: tile widths in bits, each 1..64. */
export function parseTile(value: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(value.trim());
  const dims = m ? [Number(m[1]), Number(m[2])] : [];
  if (!m || dims.some((d) => d < 1 || d > 64)) {
    throw new UsageError(`tile=${value} is not accepted: give AxB with A and B from 1 to 64 bits (e.g. 26x17, 16x16)`);
  }
  return [dims[0], dims[1]];
}

export function parseInteger(name: string, value: string, min: number, max: number, what: string): number {
  const v = value.trim();
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`${name}=${value} is not accepted: give ${what} (an integer from ${min} to ${max})`);
  }
  return Number(v);
}

export function parseChoice<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${name}=${value} is not accepted: give one of ${choices.join(', ')}`);
  }
  return value as T;
}

/**
 * Parameters named test_* plant known bugs so the tests can prove their checks catch them;
 * the generators take them from tests only. From a user (command line, config file) they are
 * unknown parameters.
 */
export function rejectTestOnly(block: string, keys: string[], docs: ParamDoc[]): void {
  const key = keys.find((k) => k.startsWith('test_'));
  if (key === undefined) return;
  const known = docs.length ? docs.map((d) => d.name).join(', ') : 'none';
  throw new UsageError(`unknown parameter '${key}' for ${block}: accepted are ${known}`);
}

/** The parameters as `k=v` words, in their order: parseParamArgs of its words gives them back. */
export const paramText = (params: RawParams): string => Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ');

/** `--param k=v` strings into a record; a repeated key or a missing '=' is an error. */
export function parseParamArgs(args: string[]): RawParams {
  const out: RawParams = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param '${a}' is not key=value (e.g. --param tile=26x17)`);
    const key = a.slice(0, eq).trim();
    if (key in out) throw new UsageError(`--param ${key} given twice`);
    out[key] = a.slice(eq + 1).trim();
  }
  return out;
}
