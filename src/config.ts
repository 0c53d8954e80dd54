// The project configuration (`zkrtl.config.json`): which blocks for which fields `zkrtl gen`
// and `zkrtl sim` cover when no block is named.
import { UsageError, readUserFile } from './base/errors.ts';
import { namedField, type FieldSpec } from './fields/registry.ts';
import { resolveCurveArg, type CurveSpec } from './curves/registry.ts';
import { blockInfo } from './gen/index.ts';
import type { RawParams } from './gen/params.ts';

export interface ZkrtlConfig {
  out: string;
  blocks: string[];
  fields: FieldSpec[];
  params: Record<string, RawParams>;
  /** Extra designs beyond blocks × fields: a block for some fields (or none) with its parameters. */
  designs: ConfigDesign[];
  sim: { vectors: number; seed: number };
}

export interface ConfigDesign {
  block: string;
  /** Empty for blocks without a field (the CPU core) and for curve blocks. */
  fields: FieldSpec[];
  /** The curves of a curve block (ecadd). */
  curves: CurveSpec[];
  params: RawParams[];
}

export const DEFAULT_CONFIG_PATH = 'zkrtl.config.json';

const KEYS = ['out', 'blocks', 'fields', 'params', 'designs', 'sim', '$comment'];

export function loadConfig(path: string = DEFAULT_CONFIG_PATH): ZkrtlConfig {
  const text = readUserFile(path, 'config');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`config ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw, path);
}

export function parseConfig(raw: unknown, path: string): ZkrtlConfig {
  const bad = (what: string) => new UsageError(`config ${path}: ${what}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('must be a JSON object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw bad(`unknown key '${k}': accepted are ${KEYS.slice(0, 6).join(', ')}`);
  const strings = (key: string): string[] => {
    const v = o[key];
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string')) throw bad(`'${key}' must be a non-empty array of strings`);
    return v as string[];
  };
  const out = o.out ?? 'rtl-out';
  if (typeof out !== 'string' || out === '') throw bad(`'out' must be a directory name`);
  const blocks = strings('blocks');
  for (const b of blocks) blockInfo(b);
  const fields = strings('fields').map((f) => namedField(f));
  const params: Record<string, RawParams> = {};
  if (o.params !== undefined) {
    if (typeof o.params !== 'object' || o.params === null || Array.isArray(o.params)) throw bad(`'params' must map block names to {key: value}`);
    for (const [block, p] of Object.entries(o.params)) {
      blockInfo(block);
      if (typeof p !== 'object' || p === null || Array.isArray(p)) throw bad(`params.${block} must be an object of key: value`);
      params[block] = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)]));
    }
  }
  const designs: ConfigDesign[] = [];
  if (o.designs !== undefined) {
    if (!Array.isArray(o.designs)) throw bad(`'designs' must be an array of {block, fields, params}`);
    o.designs.forEach((entry: unknown, i: number) => {
      const e = entry as Record<string, unknown>;
      if (typeof e !== 'object' || e === null || typeof e.block !== 'string') throw bad(`designs[${i}] must be an object with a 'block' name`);
      for (const k of Object.keys(e)) if (!['block', 'fields', 'curves', 'params', '$comment'].includes(k)) throw bad(`designs[${i}]: unknown key '${k}': accepted are block, fields, curves, params`);
      const info = blockInfo(e.block);
      const fields = e.fields === undefined ? [] : e.fields;
      if (!Array.isArray(fields) || !fields.every((x) => typeof x === 'string')) throw bad(`designs[${i}].fields must be an array of field names`);
      const curves = e.curves === undefined ? [] : e.curves;
      if (!Array.isArray(curves) || !curves.every((x) => typeof x === 'string')) throw bad(`designs[${i}].curves must be an array of curve names or curve files`);
      if (info.usesCurve && (curves.length === 0 || fields.length > 0)) throw bad(`designs[${i}]: ${e.block} works on curves: give 'curves' (not 'fields')`);
      if (!info.usesCurve && curves.length > 0) throw bad(`designs[${i}]: ${e.block} works on no curve: leave out 'curves'`);
      // params: one object, or a list of objects (one design each).
      const list = e.params === undefined ? [{}] : Array.isArray(e.params) ? e.params : [e.params];
      const params = list.map((p: unknown) => {
        if (typeof p !== 'object' || p === null || Array.isArray(p)) throw bad(`designs[${i}].params must be {key: value} or a list of them`);
        return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)]));
      });
      designs.push({ block: e.block, fields: fields.map((f: string) => namedField(f)), curves: curves.map((c: string) => resolveCurveArg(c)), params });
    });
  }
  const sim = { vectors: 10_000, seed: 1 };
  if (o.sim !== undefined) {
    const s = o.sim as Record<string, unknown>;
    if (typeof s !== 'object' || s === null) throw bad(`'sim' must be an object`);
    for (const [k, v] of Object.entries(s)) {
      if (k !== 'vectors' && k !== 'seed') throw bad(`unknown key sim.${k}: accepted are vectors, seed`);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw bad(`sim.${k} must be a non-negative integer`);
      sim[k] = v;
    }
  }
  return { out, blocks, fields, params, designs, sim };
}
