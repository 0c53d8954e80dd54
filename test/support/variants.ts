// Parameter variants that exercise the generators' other code paths (tiles, pipelining,
// constant multipliers, Montgomery exponent, tiny primes), shared by the lint and
// equivalence suites.
import { customField, namedField } from '../../src/fields/registry.ts';
import { generateBlock } from '../../src/gen/index.ts';
import type { GeneratedDesign } from '../../src/gen/design.ts';

export const VARIANTS: Array<() => GeneratedDesign> = [
  () => generateBlock('montmul', namedField('bn254.fr'), { tile: '16x16', tree: '2' }),
  () => generateBlock('montmul', namedField('goldilocks'), { constmul: 'dsp', tile: '18x18' }),
  () => generateBlock('montmul', namedField('babybear'), { tree: '0' }),
  () => generateBlock('montmul', namedField('mersenne31'), {}),
  () => generateBlock('montmul', namedField('koalabear'), { rbits: '32' }),
  () => generateBlock('montmul', namedField('bn254.fr'), { rbits: '256', depth: '14' }),
  () => generateBlock('montmul', namedField('bls12_377.fp'), { constmul: 'csd' }),
  () => generateBlock('montmul', customField('5'), {}),
  () => generateBlock('modadd', customField('5'), {}),
  () => generateBlock('modsub', customField('7'), {}),
  () => generateBlock('modsub', namedField('bls12_377.fr'), {}),
];
