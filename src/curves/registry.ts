// Elliptic curves a prover chip freezes into silicon: short Weierstrass y² = x³ + b (a = 0)
// over a prime field, named (`bn254.g1`, …) or read from a JSON file. Every consumer takes a
// `CurveSpec`; nothing downstream knows whether it was named. The validation of a custom
// curve (primes, generator on the curve, n·G = O) lives in the model (src/model/curve.ts),
// which does the arithmetic; this file only holds constants and parses files.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { UsageError, readUserFile } from '../base/errors.ts';
import { customField, namedField, type FieldSpec } from '../fields/registry.ts';

export interface CurveSpec {
  /** Registry name (`bn254.g1`) or the custom curve's own name. */
  name: string;
  /** Verilog-safe tag used in module names: `bn254_g1`, `c254_1a2b3c4d`. */
  tag: string;
  description: string;
  /** The base field: coordinates are its elements. */
  field: FieldSpec;
  /** Order of the generator (a prime): the scalar field. */
  n: bigint;
  /** Cofactor #E(F_p) / n, as published (custom curves: given or unknown). */
  h?: bigint;
  /** y² = x³ + b; a = 0 for every curve here. */
  b: bigint;
  gx: bigint;
  gy: bigint;
  /** Where the constants come from, for `zkrtl curves` and the manifest. */
  source: string;
}

interface NamedCurve {
  name: string;
  field: string;
  /** Name of the scalar field in the field registry, when it is there. */
  scalarField: string;
  n: bigint;
  h: bigint;
  b: bigint;
  gx: bigint;
  gy: bigint;
  description: string;
  source: string;
}

export const NAMED_CURVES: readonly NamedCurve[] = [
  {
    name: 'bn254.g1', field: 'bn254.fp', scalarField: 'bn254.fr', b: 3n, h: 1n, gx: 1n, gy: 2n,
    n: 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n,
    description: 'BN254 (alt_bn128) G1, y^2 = x^3 + 3',
    source: 'EIP-196; equal to @noble/curves bn254.G1 (tested)',
  },
  {
    name: 'bls12_381.g1', field: 'bls12_381.fp', scalarField: 'bls12_381.fr', b: 4n,
    h: 0x396c8c005555e1568c00aaab0000aaabn,
    gx: 0x17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bbn,
    gy: 0x08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1n,
    n: 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n,
    description: 'BLS12-381 G1, y^2 = x^3 + 4',
    source: 'IETF draft-irtf-cfrg-pairing-friendly-curves; equal to @noble/curves bls12_381.G1 (tested)',
  },
  {
    name: 'bls12_377.g1', field: 'bls12_377.fp', scalarField: 'bls12_377.fr', b: 1n,
    h: 0x170b5d44300000000000000000000000n,
    gx: 0x008848defe740a67c8fc6225bf87ff5485951e2caa9d41bb188282c8bd37cb5cd5481512ffcd394eeab9b16eb21be9efn,
    gy: 0x01914a69c5102eff1f674f5d30afeec4bd7fb348ca3e52d96d182ad44fb82305c2fe3d3634a9591afd82de55559c8ea6n,
    n: 0x12ab655e9a2ca55660b44d1e5c37b00159aa76fed00000010a11800000000001n,
    description: 'BLS12-377 G1, y^2 = x^3 + 1 (Zexe; ZPrize MSM curve)',
    source: 'Zexe (Bowe et al. 2018), arkworks ark-bls12-377; checked: G on the curve, n*G = O, h*n = #E (tested)',
  },
];

export function curveNames(): string[] {
  return NAMED_CURVES.map((c) => c.name);
}

export function namedCurve(name: string): CurveSpec {
  const c = NAMED_CURVES.find((x) => x.name === name.toLowerCase());
  if (!c) throw new UsageError(`unknown curve '${name}': accepted are ${curveNames().join(', ')}, or a JSON file (p, n, b, gx, gy, optional h)`);
  return {
    name: c.name, tag: c.name.replace(/[^a-z0-9]/g, '_'), description: c.description, field: namedField(c.field),
    n: c.n, h: c.h, b: c.b, gx: c.gx, gy: c.gy, source: c.source,
  };
}

/** The scalar field's registry name, for named curves whose scalar field is registered. */
export function scalarFieldName(curve: CurveSpec): string | undefined {
  return NAMED_CURVES.find((c) => c.name === curve.name)?.scalarField;
}

const CURVE_KEYS = ['name', 'p', 'n', 'b', 'gx', 'gy', 'h', 'a', '$comment'];

/** A number in a curve file: a JSON integer (safe range) or a decimal / 0x-hex string, optionally signed. */
function parseSigned(path: string, key: string, v: unknown): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(v.trim())) {
    const t = v.trim();
    return t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t);
  }
  throw new UsageError(`curve file ${path}: '${key}' = ${JSON.stringify(v)} is not accepted: give a non-negative integer, decimal or "0x…" hex in a string (JSON numbers above 2^53 lose digits: write them as strings)`);
}

function parseNumber(path: string, key: string, v: unknown): bigint {
  const x = parseSigned(path, key, v);
  if (x < 0n) throw new UsageError(`curve file ${path}: '${key}' = ${JSON.stringify(v)} is not accepted: give a non-negative integer`);
  return x;
}

/**
 * Reads a custom curve file `{ "p", "n", "b", "gx", "gy", "h"?, "a"?, "name"? }`. Checks the
 * form here (keys, numbers, a = 0, p prime, ranges); the model checks the arithmetic
 * (validateCurve: n prime, G on the curve, n·G = O).
 */
export function curveFromFile(path: string): CurveSpec {
  const text = readUserFile(path, 'curve file');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`curve file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`curve file ${path} must hold a JSON object with p, n, b, gx, gy`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!CURVE_KEYS.includes(k)) throw new UsageError(`curve file ${path}: unknown key '${k}': accepted are ${CURVE_KEYS.slice(0, 8).join(', ')}`);
  }
  for (const k of ['p', 'n', 'b', 'gx', 'gy']) {
    if (o[k] === undefined) throw new UsageError(`curve file ${path}: '${k}' is missing: a curve needs p, n, b, gx, gy (and optionally h, name)`);
  }
  const num = (k: string) => parseNumber(path, k, o[k]);
  if (o.a !== undefined && parseSigned(path, 'a', o.a) !== 0n) {
    throw new UsageError(`curve file ${path}: a = ${o.a} is not accepted: zkrtl's adders are for a = 0 curves (y^2 = x^3 + b)`);
  }
  const pValue = num('p');
  let field: FieldSpec;
  try {
    field = customField(`0x${pValue.toString(16)}`);
  } catch (e) {
    throw new UsageError(`curve file ${path}: p = ${o.p} ${(e as Error).message.replace(/^--prime \S+ /, '')}`);
  }
  const p = field.p;
  const [n, b, gx, gy] = ['n', 'b', 'gx', 'gy'].map(num) as [bigint, bigint, bigint, bigint];
  for (const [k, v] of [['b', b], ['gx', gx], ['gy', gy]] as const) {
    if (v >= p) throw new UsageError(`curve file ${path}: ${k} = 0x${v.toString(16)} is not below p: give it reduced mod p`);
  }
  if (b === 0n) throw new UsageError(`curve file ${path}: b = 0 gives the singular curve y^2 = x^3: give b ≠ 0`);
  const h = o.h === undefined ? undefined : num('h');
  if (h !== undefined && h === 0n) throw new UsageError(`curve file ${path}: h = 0 is not accepted: the cofactor is a positive integer`);
  let name = 'custom';
  if (o.name !== undefined) {
    if (typeof o.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_.-]{0,40}$/.test(o.name)) {
      throw new UsageError(`curve file ${path}: name ${JSON.stringify(o.name)} is not accepted: letters, digits, '_', '.', '-', starting with a letter, at most 41 characters`);
    }
    name = o.name;
  }
  // Module names must be stable and unique per curve: bit length plus a digest of the constants.
  const digest = createHash('sha256').update([p, n, b, gx, gy].map((v) => v.toString(16)).join(',')).digest('hex').slice(0, 8);
  return {
    name, tag: `c${field.bits}_${digest}`, description: `custom curve y^2 = x^3 + 0x${b.toString(16)} over a ${field.bits}-bit prime`,
    // The file's name, not its path: the manifest must not depend on where it was read from.
    field, n, h, b, gx, gy, source: `curve file ${basename(path)}`,
  };
}

/** `--curve NAME` or `--curve FILE.json` (a value with '/' or ending in .json is a file). */
export function resolveCurveArg(value: string | undefined): CurveSpec {
  if (value === undefined) throw new UsageError(`no curve given: use --curve (${curveNames().join(', ')}) or --curve FILE.json`);
  if (value.endsWith('.json') || value.includes('/')) return curveFromFile(value);
  return namedCurve(value);
}
