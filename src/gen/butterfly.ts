// NTT butterflies built from the field blocks: the Montgomery multiplier, modadd and modsub
// are instantiated as generated, so a better multiplier makes every butterfly better.
//   ct (Cooley–Tukey):     x = a + w·b,  y = a − w·b      latency montmul + 1
//   gs (Gentleman–Sande):  x = a + b,    y = (a − b)·w    latency 1 + montmul
// The twiddle w enters in Montgomery form (w·R mod p): montmul(b, w·R) = b·w, so data stay
// in canonical form and no conversion is needed anywhere in an NTT.
import type { FieldSpec } from '../fields/registry.ts';
import { GENERATOR_ID, delayModule, fieldInfo, mergeModules, renderTemplate, type GeneratedDesign, type Port } from './design.ts';
import { generateModadd, generateModsub } from './modadd.ts';
import { MONTMUL_PARAMS, generateMontmul } from './montmul.ts';
import { parseChoice, rejectUnknown, type ParamDoc, type RawParams } from './params.ts';

export type ButterflyKind = 'ct' | 'gs';

/** Parameters of the multiplier inside, passed through unchanged. */
export const MULTIPLIER_PARAM_NAMES = MONTMUL_PARAMS.map((d) => d.name);

export const BUTTERFLY_PARAMS: ParamDoc[] = [
  { name: 'kind', accepted: 'ct (Cooley-Tukey: a ± w·b) or gs (Gentleman-Sande: a + b, (a − b)·w)', default: 'ct' },
  ...MONTMUL_PARAMS.map((d) => ({ ...d, accepted: `montmul: ${d.accepted}` })),
];

/** The montmul parameters among `raw`. */
export function multiplierParams(raw: RawParams): RawParams {
  return Object.fromEntries(Object.entries(raw).filter(([k]) => MULTIPLIER_PARAM_NAMES.includes(k)));
}

export function butterflyPorts(width: number): Port[] {
  return [
    { name: 'clk', dir: 'in', width: 1 },
    { name: 'rst', dir: 'in', width: 1, description: 'synchronous, active high; clears valid bits only' },
    { name: 'in_valid', dir: 'in', width: 1 },
    { name: 'a', dir: 'in', width },
    { name: 'b', dir: 'in', width },
    { name: 'w', dir: 'in', width, description: 'twiddle in Montgomery form: w·R mod p' },
    { name: 'out_valid', dir: 'out', width: 1 },
    { name: 'x', dir: 'out', width },
    { name: 'y', dir: 'out', width },
  ];
}

export function generateButterfly(field: FieldSpec, raw: RawParams): GeneratedDesign {
  rejectUnknown('butterfly', raw, BUTTERFLY_PARAMS);
  const kind = parseChoice('kind', raw.kind ?? 'ct', ['ct', 'gs'] as const);
  const mm = generateMontmul(field, multiplierParams(raw));
  const add = generateModadd(field, {});
  const sub = generateModsub(field, {});
  const mmLatency = mm.manifest.latency!;
  const addLatency = add.manifest.latency!;
  const latency = mmLatency + addLatency;
  const top = `butterfly_${kind}_${mm.top.replace(/^montmul_/, '')}`;
  const text = renderTemplate('butterfly', {
    generator: GENERATOR_ID,
    name: top,
    kind,
    fieldName: field.name,
    p: field.p.toString(16),
    W: field.bits,
    k: mm.manifest.montgomery!.k,
    montmul: mm.top,
    modadd: add.top,
    modsub: sub.top,
    mmLatency,
    latency,
  });
  const modules = [...mergeModules([delayModule()], mm.modules, add.modules, sub.modules), { name: top, text }];
  return {
    top,
    modules,
    manifest: {
      module: top,
      block: 'butterfly',
      generator: GENERATOR_ID,
      field: fieldInfo(field),
      montgomery: mm.manifest.montgomery,
      params: { kind, ...mm.manifest.params },
      latency,
      ii: 1,
      function: kind === 'ct' ? 'x = a + w*b mod p, y = a - w*b mod p' : 'x = a + b mod p, y = (a - b)*w mod p',
      twiddle: 'w enters in Montgomery form, w*R mod p (R in montgomery.R)',
      submodules: { montmul: mm.top, modadd: add.top, modsub: sub.top },
      ports: butterflyPorts(field.bits),
      files: modules.map((m) => `${m.name}.v`),
    },
  };
}
