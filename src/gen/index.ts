// The blocks zkrtl can generate, by name.
import { UsageError } from '../base/errors.ts';
import type { FieldSpec } from '../fields/registry.ts';
import type { CurveSpec } from '../curves/registry.ts';
import { validateCurve } from '../model/curve.ts';
import type { GeneratedDesign } from './design.ts';
import { BUTTERFLY_PARAMS, generateButterfly } from './butterfly.ts';
import { BUTTERFLY_RUNTIME_BLOCK_PARAMS, butterflyFieldless } from './butterfly-runtime.ts';
import { ECADD_PARAMS, generateEcadd } from './ecadd.ts';
import { MSM_PARAMS, generateMsm } from './msm.ts';
import { MODADD_PARAMS, generateModadd, generateModsub } from './modadd.ts';
import { MONTMUL_BLOCK_PARAMS, generateMontmulBlock, montmulFieldless } from './montmul.ts';
import { MODMUL_PARAMS, generateModmul } from './modmul.ts';
import { NTT_PARAMS, generateNtt } from './ntt.ts';
import { RV32IM_PARAMS, generateRv32im } from './rv32im.ts';
import type { ParamDoc, RawParams } from './params.ts';

export interface BlockInfo {
  name: string;
  description: string;
  params: ParamDoc[];
  /** False for blocks that work on no field (the CPU core): --field/--prime are refused. */
  usesField?: boolean;
  /** A field block that, with these parameters, takes no field: why (montmul prime=runtime). */
  fieldless?: (params: RawParams) => string | undefined;
  /** True for curve blocks: they take --curve (whose base field they work in), not --field. */
  usesCurve?: boolean;
  generate: (subject: FieldSpec | CurveSpec | undefined, params: RawParams) => GeneratedDesign;
}

export const BLOCKS: readonly BlockInfo[] = [
  { name: 'modadd', description: 'modular adder (a + b) mod p, latency 1', params: MODADD_PARAMS, generate: fieldBlock(generateModadd) },
  { name: 'modsub', description: 'modular subtractor (a - b) mod p, latency 1', params: MODADD_PARAMS, generate: fieldBlock(generateModsub) },
  { name: 'montmul', description: 'Montgomery multiplier a·b·R⁻¹ mod p, pipelined', params: MONTMUL_BLOCK_PARAMS, fieldless: montmulFieldless, generate: (field, params) => generateMontmulBlock(field as FieldSpec | undefined, params) },
  { name: 'modmul', description: 'modular multiplier a·b mod p in plain form, reduction chosen from the shape of p, pipelined', params: MODMUL_PARAMS, generate: fieldBlock(generateModmul) },
  { name: 'butterfly', description: 'NTT butterfly, Cooley-Tukey or Gentleman-Sande, pipelined', params: [...BUTTERFLY_PARAMS, ...BUTTERFLY_RUNTIME_BLOCK_PARAMS], fieldless: butterflyFieldless, generate: fieldBlock(generateButterfly) },
  { name: 'ntt', description: 'N-point NTT core (forward and inverse), load/compute/unload', params: NTT_PARAMS, generate: fieldBlock(generateNtt) },
  { name: 'ecadd', description: 'complete elliptic-curve point adder (Weierstrass or twisted Edwards), pipelined', params: ECADD_PARAMS, usesField: false, usesCurve: true, generate: curveBlock(generateEcadd) },
  { name: 'msm', description: 'Pippenger MSM core: one ecadd, bucket accumulation, reduction and window combination on chip', params: MSM_PARAMS, usesField: false, usesCurve: true, generate: curveBlock(generateMsm) },
  { name: 'rv32im', description: 'RV32IM zkVM execution core with a retirement trace port', params: RV32IM_PARAMS, usesField: false, generate: (_field, params) => generateRv32im(params) },
];

export function blockInfo(name: string): BlockInfo {
  const b = BLOCKS.find((x) => x.name === name);
  if (!b) throw new UsageError(`unknown block '${name}': accepted are ${BLOCKS.map((x) => x.name).join(', ')}`);
  return b;
}

export function isCurve(subject: FieldSpec | CurveSpec | undefined): subject is CurveSpec {
  return subject !== undefined && 'gx' in subject;
}

/** `subject`: the field of a field block, the curve of a curve block, nothing for the CPU. */
export function generateBlock(block: string, subject: FieldSpec | CurveSpec | undefined, params: RawParams = {}): GeneratedDesign {
  const info = blockInfo(block);
  if (info.usesCurve) {
    if (!isCurve(subject)) throw new UsageError(`${block} works on a curve: give --curve (not --field/--prime)`);
    return info.generate(subject, params);
  }
  if (isCurve(subject)) throw new UsageError(`${block} works on a field, not a curve: leave out --curve`);
  const noField = noFieldReason(info, params);
  if (noField !== undefined && subject !== undefined) throw new UsageError(`${noField}: leave out --field/--prime`);
  if (noField === undefined && subject === undefined) throw new Error(`internal: ${block} needs a field`);
  return info.generate(subject, params);
}

/** Why a (non-curve) block takes no field with these parameters, or undefined when it takes one. */
export function noFieldReason(info: BlockInfo, params: RawParams): string | undefined {
  if (info.usesField === false) return `${info.name} works on no field`;
  return info.fieldless?.(params);
}

/** Wraps a field block's generator for the BLOCKS table. */
function fieldBlock(generate: (field: FieldSpec, params: RawParams) => GeneratedDesign): BlockInfo['generate'] {
  return (field, params) => generate(field as FieldSpec, params);
}

/**
 * Wraps a curve block's generator: the curve is validated first (n prime, G on the curve,
 * n·G = O), once per curve object.
 */
function curveBlock(generate: (curve: CurveSpec, params: RawParams) => GeneratedDesign): BlockInfo['generate'] {
  const validated = new WeakSet<CurveSpec>();
  return (curve, params) => {
    const c = curve as CurveSpec;
    if (!validated.has(c)) {
      validateCurve(c);
      validated.add(c);
    }
    return generate(c, params);
  };
}
