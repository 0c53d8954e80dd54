// NTT butterflies built from the field blocks: the multiplier, modadd and modsub are
// instantiated as generated, so a better multiplier makes every butterfly better.
//   ct (Cooley–Tukey):     x = a + w·b,  y = a − w·b      latency multiplier + 1
//   gs (Gentleman–Sande):  x = a + b,    y = (a − b)·w    latency 1 + multiplier
// mult=montmul (default): the twiddle w enters in Montgomery form (w·R mod p), so
// montmul(b, w·R) = b·w and data stay canonical plain with no conversion anywhere in an NTT.
// mult=modmul: a plain a·b mod p reduced by the shape of p, so the twiddle enters plain.
// mult=shift: the twiddle is a power of two 2^e and enters as its exponent e; w·b is a barrel
// shift and modmul's fold reduction (shiftmul.ts), no multiplier at all.
import type { FieldSpec } from '../fields/registry.ts';
import type { TwiddleForm } from '../model/ntt.ts';
import { UsageError } from '../base/errors.ts';
import { GENERATOR_ID, delayModule, fieldInfo, mergeModules, renderTemplate, type GeneratedDesign, type Port } from './design.ts';
import { generateModadd, generateModsub } from './modadd.ts';
import { generateButterflyRuntime } from './butterfly-runtime.ts';
import { MODMUL_PARAMS, generateModmul } from './modmul.ts';
import { MONTMUL_PARAMS, generateMontmul } from './montmul.ts';
import { SHIFTMUL_PARAMS, generateShiftmul } from './shiftmul.ts';
import { parseChoice, rejectUnknown, type ParamDoc, type RawParams } from './params.ts';

export type ButterflyKind = 'ct' | 'gs';
export const BUTTERFLY_MULTS = ['montmul', 'modmul', 'shift'] as const;
export type ButterflyMult = (typeof BUTTERFLY_MULTS)[number];

/** Parameters of the montmul inside, passed through unchanged (ecadd and msm use them too). */
export const MULTIPLIER_PARAM_NAMES = MONTMUL_PARAMS.map((d) => d.name);

const MODMUL_PARAM_NAMES = MODMUL_PARAMS.map((d) => d.name);
const SHIFT_PARAM_NAMES = SHIFTMUL_PARAMS.map((d) => d.name);
const MODMUL_ONLY = MODMUL_PARAMS.filter((d) => !MULTIPLIER_PARAM_NAMES.includes(d.name));
/** Each multiplier's own parameters (its generator's), by mult=. */
const PARAMS_OF: Record<ButterflyMult, string[]> = { montmul: MULTIPLIER_PARAM_NAMES, modmul: MODMUL_PARAM_NAMES, shift: SHIFT_PARAM_NAMES };
/** Which multipliers take a parameter: "montmul, modmul", "mult=montmul only". */
const takenBy = (name: string) => {
  const mults = BUTTERFLY_MULTS.filter((m) => PARAMS_OF[m].includes(name));
  return mults.length === 1 ? `mult=${mults[0]} only` : mults.join(', ');
};

export const BUTTERFLY_PARAMS: ParamDoc[] = [
  { name: 'kind', accepted: 'ct (Cooley-Tukey: a ± w·b) or gs (Gentleman-Sande: a + b, (a − b)·w)', default: 'ct' },
  { name: 'mult', accepted: 'montmul (the twiddle in Montgomery form, w·R mod p), modmul (plain a·b mod p reduced by the shape of p; the twiddle plain) or shift (the twiddle a power of two 2^e, given as e; a barrel shift and a fold reduction; ord_p(2) ≤ 1024, an NTT needs n | ord_p(2))', default: 'montmul' },
  ...MONTMUL_PARAMS.map((d) => ({ ...d, accepted: `${takenBy(d.name)}: ${d.accepted}` })),
  // Their default applies with mult=modmul only: with the montmul, reduce= is an error.
  ...MODMUL_ONLY.map((d) => ({ ...d, accepted: `${takenBy(d.name)}: ${d.accepted}`, default: `${d.default} with mult=modmul` })),
];

/** The montmul parameters among `raw`. */
export function multiplierParams(raw: RawParams): RawParams {
  return Object.fromEntries(Object.entries(raw).filter(([k]) => MULTIPLIER_PARAM_NAMES.includes(k)));
}

/** mult= and the parameters of any multiplier among `raw` (what an NTT passes to its butterflies). */
export function butterflyMultiplierParams(raw: RawParams): RawParams {
  const names = ['mult', ...MULTIPLIER_PARAM_NAMES, ...MODMUL_PARAM_NAMES, ...SHIFT_PARAM_NAMES];
  return Object.fromEntries(Object.entries(raw).filter(([k]) => names.includes(k)));
}

/**
 * The twiddle multiplier mult= names, generated from its own parameters among `raw`; a
 * parameter only the other multiplier takes is a one-line UsageError.
 */
export function generateTwiddleMultiplier(field: FieldSpec, raw: RawParams): { mult: ButterflyMult; design: GeneratedDesign } {
  const mult = parseChoice('mult', raw.mult ?? 'montmul', BUTTERFLY_MULTS);
  const own = PARAMS_OF[mult];
  const wrong = Object.keys(raw).find((k) => k !== 'mult' && k !== 'kind' && !own.includes(k));
  if (wrong) {
    const others = BUTTERFLY_MULTS.filter((m) => m !== mult && PARAMS_OF[m].includes(wrong)).map((m) => `mult=${m}`).join(', ');
    throw new UsageError(`${wrong}=${raw[wrong]}: ${wrong} applies to ${others}; mult=${mult} takes ${own.join(', ')}`);
  }
  const ownParams = Object.fromEntries(Object.entries(raw).filter(([k]) => own.includes(k)));
  if (mult === 'modmul') return { mult, design: generateModmul(field, ownParams) };
  if (mult === 'shift') return { mult, design: generateShiftmul(field, ownParams) };
  return { mult, design: generateMontmul(field, ownParams) };
}

const TWIDDLE_PORT: Record<TwiddleForm, string> = {
  montgomery: 'twiddle in Montgomery form: w·R mod p',
  plain: 'twiddle in plain form: w (canonical)',
  exponent: 'twiddle as its exponent: e, 0 <= e < ord_p(2), for w = 2^e mod p',
};

/** `twiddleWidth`: bits of port w (the field's width, or the exponent's with mult=shift). */
export function butterflyPorts(width: number, twiddleForm: TwiddleForm = 'montgomery', twiddleWidth = width): Port[] {
  return [
    { name: 'clk', dir: 'in', width: 1 },
    { name: 'rst', dir: 'in', width: 1, description: 'synchronous, active high; clears valid bits only' },
    { name: 'in_valid', dir: 'in', width: 1 },
    { name: 'a', dir: 'in', width },
    { name: 'b', dir: 'in', width },
    { name: 'w', dir: 'in', width: twiddleWidth, description: TWIDDLE_PORT[twiddleForm] },
    { name: 'out_valid', dir: 'out', width: 1 },
    { name: 'x', dir: 'out', width },
    { name: 'y', dir: 'out', width },
  ];
}

export function generateButterfly(field: FieldSpec, raw: RawParams): GeneratedDesign {
  if (raw.prime === 'runtime') return generateButterflyRuntime(raw);
  rejectUnknown('butterfly', raw, BUTTERFLY_PARAMS);
  const kind = parseChoice('kind', raw.kind ?? 'ct', ['ct', 'gs'] as const);
  const { mult, design: mm } = generateTwiddleMultiplier(field, raw);
  const twiddleForm: TwiddleForm = mult === 'montmul' ? 'montgomery' : mult === 'modmul' ? 'plain' : 'exponent';
  // With mult=shift, w carries the exponent: bitlength(ord_p(2) − 1) bits.
  const TW = mult === 'shift' ? (mm.manifest.expBits as number) : field.bits;
  const add = generateModadd(field, {});
  const sub = generateModsub(field, {});
  const mmLatency = mm.manifest.latency!;
  const addLatency = add.manifest.latency!;
  const latency = mmLatency + addLatency;
  // The modmul and shift versions carry a suffix: the same field and tiles give a different circuit.
  const top = mult === 'montmul'
    ? `butterfly_${kind}_${mm.top.replace(/^montmul_/, '')}`
    : `butterfly_${kind}_${mm.top.replace(/^(modmul|shiftmul)_/, '')}_${mult}`;
  const reduce = mult !== 'montmul' ? (mm.manifest.reduce as { form: string }).form : undefined;
  const order = mult === 'shift' ? (mm.manifest.order as number) : undefined;
  const text = renderTemplate('butterfly', {
    generator: GENERATOR_ID,
    name: top,
    kind,
    fieldName: field.name,
    p: field.p.toString(16),
    W: field.bits,
    TW,
    order,
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
      twiddle: {
        montmul: 'w enters in Montgomery form, w*R mod p (R in montgomery.R)',
        modmul: 'w enters in plain form, canonical (< p)',
        shift: `w enters as the exponent e of the twiddle 2^e mod p, 0 <= e < ord_p(2) = ${order} (${TW} bits)`,
      }[mult],
      twiddleForm,
      // What a model needs to mirror the modmul: its reduction form (and R for the Montgomery route).
      ...(mult === 'modmul'
        ? { multiplier: { block: 'modmul', module: mm.top, latency: mmLatency, reduce, ...((mm.manifest.reduce as { k?: number }).k !== undefined ? { k: (mm.manifest.reduce as { k: number }).k } : {}) } }
        : {}),
      // And the shift multiplier: ord_p(2) and the negation at ord/2 (the model recomputes both from p).
      ...(mult === 'shift'
        ? { multiplier: { block: 'shiftmul', module: mm.top, latency: mmLatency, order, ...(mm.manifest.half !== undefined ? { half: mm.manifest.half } : {}), expBits: TW, reduce } }
        : {}),
      submodules: { [mult === 'shift' ? 'shiftmul' : mult]: mm.top, modadd: add.top, modsub: sub.top },
      ports: butterflyPorts(field.bits, twiddleForm, TW),
      files: modules.map((m) => `${m.name}.v`),
    },
  };
}
