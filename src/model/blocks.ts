// The golden model of each generated block, as a function of its manifest.
import type { Manifest } from '../gen/design.ts';
import { modAdd, modSub, montgomeryField, montmul } from './field.ts';
import { modmulModel, type ReduceForm } from './modmul.ts';

/** Blocks with two operands and one result: the ones blockModel knows. */
export const PAIR_BLOCKS: readonly string[] = ['modadd', 'modsub', 'montmul', 'modmul'];

export type PairFunction = (a: bigint, b: bigint) => bigint;

export function blockModel(manifest: Manifest): PairFunction {
  const p = BigInt(manifest.field!.p);
  switch (manifest.block) {
    case 'modadd':
      return (a, b) => modAdd({ p }, a, b);
    case 'modsub':
      return (a, b) => modSub({ p }, a, b);
    case 'montmul': {
      const f = montgomeryField(p, manifest.montgomery!.k);
      return (a, b) => montmul(f, a, b);
    }
    case 'modmul': {
      const reduce = manifest.reduce as { form: ReduceForm; k?: number };
      return modmulModel(p, reduce.form, reduce.k);
    }
    default:
      throw new Error(`no golden model for block ${manifest.block}`);
  }
}
