// Modular adder and subtractor for a fixed prime, latency 1, II = 1.
//
// Both candidate results come out of parallel carry chains instead of "add, then compare,
// then subtract": the constant is folded in with a row of 3:2 compressors (one LUT level),
// so the critical path is one LUT + one (W+1)-bit carry chain + the output mux.
//   modadd: s = a + b (W bits),     d = a + b − p  (W+1 bits, via a ⊕ b ⊕ (2^(W+1) − p))
//           out = d < 0 ? s : d     (a + b − p ∈ [−p, p): bit W of d is its sign)
//   modsub: d = a − b (W+1 bits),   e = a − b + p  (W bits, via a + ~b + 1 + p)
//           out = d < 0 ? e : d
import type { FieldSpec } from '../fields/registry.ts';
import {
  GENERATOR_ID, fieldInfo, pipelinePorts, renderTemplate, type GeneratedDesign,
} from './design.ts';
import { rejectUnknown, type ParamDoc, type RawParams } from './params.ts';

export const MODADD_PARAMS: ParamDoc[] = [];

function generate(block: 'modadd' | 'modsub', field: FieldSpec, raw: RawParams): GeneratedDesign {
  rejectUnknown(block, raw, MODADD_PARAMS);
  const W = field.bits;
  const top = `${block}_${field.tag}`;
  const hexW = (v: bigint, w: number) => `${w}'h${v.toString(16)}`;
  const text = renderTemplate(block, {
    generator: GENERATOR_ID,
    name: top,
    fieldName: field.name,
    W,
    p: field.p.toString(16),
    // Constant operand of the compressor row, W+1 bits for modadd, W bits for modsub.
    negP: hexW((1n << BigInt(W + 1)) - field.p, W + 1),
    pW: hexW(field.p, W),
  });
  return {
    top,
    modules: [{ name: top, text }],
    manifest: {
      module: top,
      block,
      generator: GENERATOR_ID,
      field: fieldInfo(field),
      params: {},
      latency: 1,
      ii: 1,
      function: block === 'modadd' ? 'out = (a + b) mod p' : 'out = (a - b) mod p',
      ports: pipelinePorts(W),
      files: [`${top}.v`],
    },
  };
}

export const generateModadd = (f: FieldSpec, raw: RawParams) => generate('modadd', f, raw);
export const generateModsub = (f: FieldSpec, raw: RawParams) => generate('modsub', f, raw);
