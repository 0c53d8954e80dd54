// NTT butterflies built from the field blocks: the multiplier, modadd and modsub are
// instantiated as generated, so a better multiplier makes every butterfly better.
//   ct (Cooley–Tukey):     x = a + w·b,  y = a − w·b      latency multiplier + 1
//   gs (Gentleman–Sande):  x = a + b,    y = (a − b)·w    latency 1 + multiplier
// mult=montmul (default): the twiddle w enters in Montgomery form (w·R mod p), so
// montmul(b, w·R) = b·w and data stay canonical plain with no conversion anywhere in an NTT.
// mult=modmul: a plain a·b mod p reduced by the shape of p, so the twiddle enters plain.
import type { FieldSpec } from '../fields/registry.ts';
import type { TwiddleForm } from '../model/ntt.ts';
import { UsageError } from '../base/errors.ts';
import { GENERATOR_ID, delayModule, fieldInfo, mergeModules, renderTemplate, type GeneratedDesign, type Port } from './design.ts';
import { generateModadd, generateModsub } from './modadd.ts';
import { MODMUL_PARAMS, generateModmul } from './modmul.ts';
import { MONTMUL_PARAMS, generateMontmul } from './montmul.ts';
import { parseChoice, rejectUnknown, type ParamDoc, type RawParams } from './params.ts';

export type ButterflyKind = 'ct' | 'gs';
export const BUTTERFLY_MULTS = ['montmul', 'modmul'] as const;
export type ButterflyMult = (typeof BUTTERFLY_MULTS)[number];

/** Parameters of the montmul inside, passed through unchanged (ecadd and msm use them too). */
export const MULTIPLIER_PARAM_NAMES = MONTMUL_PARAMS.map((d) => d.name);

const MODMUL_PARAM_NAMES = MODMUL_PARAMS.map((d) => d.name);
const MONTMUL_ONLY = MONTMUL_PARAMS.filter((d) => !MODMUL_PARAM_NAMES.includes(d.name));
const MODMUL_ONLY = MODMUL_PARAMS.filter((d) => !MULTIPLIER_PARAM_NAMES.includes(d.name));

export const BUTTERFLY_PARAMS: ParamDoc[] = [
  { name: 'kind', accepted: 'ct (Cooley-Tukey: a ± w·b) or gs (Gentleman-Sande: a + b, (a − b)·w)', default: 'ct' },
  { name: 'mult', accepted: 'montmul (the twiddle in Montgomery form, w·R mod p) or modmul (plain a·b mod p reduced by the shape of p; the twiddle plain)', default: 'montmul' },
  ...MONTMUL_PARAMS.map((d) => ({ ...d, accepted: `${MODMUL_PARAM_NAMES.includes(d.name) ? 'montmul, modmul' : 'mult=montmul only'}: ${d.accepted}` })),
  // Their default applies with mult=modmul only: with the montmul, reduce= is an error.
  ...MODMUL_ONLY.map((d) => ({ ...d, accepted: `mult=modmul only: ${d.accepted}`, default: `${d.default} with mult=modmul` })),
];

/** The montmul parameters among `raw`. */
export function multiplierParams(raw: RawParams): RawParams {
  return Object.fromEntries(Object.entries(raw).filter(([k]) => MULTIPLIER_PARAM_NAMES.includes(k)));
}

/** mult= and the parameters of either multiplier among `raw` (what an NTT passes to its butterflies). */
export function butterflyMultiplierParams(raw: RawParams): RawParams {
  const names = ['mult', ...MULTIPLIER_PARAM_NAMES, ...MODMUL_PARAM_NAMES];
  return Object.fromEntries(Object.entries(raw).filter(([k]) => names.includes(k)));
}

/**
 * The twiddle multiplier mult= names, generated from its own parameters among `raw`; a
 * parameter only the other multiplier takes is a one-line UsageError.
 */
export function generateTwiddleMultiplier(field: FieldSpec, raw: RawParams): { mult: ButterflyMult; design: GeneratedDesign } {
  const mult = parseChoice('mult', raw.mult ?? 'montmul', BUTTERFLY_MULTS);
  const [foreign, own] = mult === 'modmul' ? [MONTMUL_ONLY, MODMUL_PARAM_NAMES] : [MODMUL_ONLY, MULTIPLIER_PARAM_NAMES];
  const wrong = foreign.find((d) => raw[d.name] !== undefined);
  if (wrong) {
    const other = mult === 'modmul' ? 'montmul' : 'modmul';
    throw new UsageError(`${wrong.name}=${raw[wrong.name]}: ${wrong.name} applies to mult=${other}; mult=${mult} takes ${own.join(', ')}`);
  }
  if (mult === 'modmul') {
    return { mult, design: generateModmul(field, Object.fromEntries(Object.entries(raw).filter(([k]) => MODMUL_PARAM_NAMES.includes(k)))) };
  }
  return { mult, design: generateMontmul(field, multiplierParams(raw)) };
}

const TWIDDLE_PORT: Record<TwiddleForm, string> = {
  montgomery: 'twiddle in Montgomery form: w·R mod p',
  plain: 'twiddle in plain form: w (canonical)',
};

export function butterflyPorts(width: number, twiddleForm: TwiddleForm = 'montgomery'): Port[] {
  return [
    { name: 'clk', dir: 'in', width: 1 },
    { name: 'rst', dir: 'in', width: 1, description: 'synchronous, active high; clears valid bits only' },
    { name: 'in_valid', dir: 'in', width: 1 },
    { name: 'a', dir: 'in', width },
    { name: 'b', dir: 'in', width },
    { name: 'w', dir: 'in', width, description: TWIDDLE_PORT[twiddleForm] },
    { name: 'out_valid', dir: 'out', width: 1 },
    { name: 'x', dir: 'out', width },
    { name: 'y', dir: 'out', width },
  ];
}

export function generateButterfly(field: FieldSpec, raw: RawParams): GeneratedDesign {
  rejectUnknown('butterfly', raw, BUTTERFLY_PARAMS);
  const kind = parseChoice('kind', raw.kind ?? 'ct', ['ct', 'gs'] as const);
  const { mult, design: mm } = generateTwiddleMultiplier(field, raw);
  const twiddleForm: TwiddleForm = mult === 'montmul' ? 'montgomery' : 'plain';
  const add = generateModadd(field, {});
  const sub = generateModsub(field, {});
  const mmLatency = mm.manifest.latency!;
  const addLatency = add.manifest.latency!;
  const latency = mmLatency + addLatency;
  // The modmul versions carry a suffix: the same field and tiles give a different circuit.
  const top = mult === 'montmul'
    ? `butterfly_${kind}_${mm.top.replace(/^montmul_/, '')}`
    : `butterfly_${kind}_${mm.top.replace(/^modmul_/, '')}_modmul`;
  const reduce = mult === 'modmul' ? (mm.manifest.reduce as { form: string }).form : undefined;
  const text = renderTemplate('butterfly', {
    generator: GENERATOR_ID,
    name: top,
    kind,
    fieldName: field.name,
    p: field.p.toString(16),
    W: field.bits,
    twiddleForm,
    k: mm.manifest.montgomery?.k,
    reduce,
    mul: mm.top,
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
      // A montmul butterfly's twiddle is in Montgomery form; a modmul one has no Montgomery form
      // at its ports (a Montgomery-route modmul's R is internal: its manifest has it).
      ...(mult === 'montmul' ? { montgomery: mm.manifest.montgomery } : {}),
      params: { kind, mult, ...mm.manifest.params },
      latency,
      ii: 1,
      function: kind === 'ct' ? 'x = a + w*b mod p, y = a - w*b mod p' : 'x = a + b mod p, y = (a - b)*w mod p',
      twiddle: mult === 'montmul' ? 'w enters in Montgomery form, w*R mod p (R in montgomery.R)' : 'w enters in plain form, canonical (< p)',
      twiddleForm,
      // What a model needs to mirror the modmul: its reduction form (and R for the Montgomery route).
      ...(mult === 'modmul'
        ? { multiplier: { block: 'modmul', module: mm.top, latency: mmLatency, reduce, ...(mm.manifest.montgomery ? { k: mm.manifest.montgomery.k } : {}) } }
        : {}),
      submodules: { [mult]: mm.top, modadd: add.top, modsub: sub.top },
      ports: butterflyPorts(field.bits, twiddleForm),
      files: modules.map((m) => `${m.name}.v`),
    },
  };
}
