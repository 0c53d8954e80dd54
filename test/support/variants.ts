// Parameter variants that exercise the generators' other code paths (tiles, pipelining,
// constant multipliers, Montgomery exponent, tiny primes), shared by the lint and
// equivalence suites.
import { customField, namedField } from '../../src/fields/registry.ts';
import { generateBlock } from '../../src/gen/index.ts';
import type { GeneratedDesign } from '../../src/gen/design.ts';

// A 128-bit prime with dense constants: the wide fields' code paths (multi-level trees, many
// tiles, R beyond the word) at a quarter of their Verilator build time. bn254.fr itself is in
// the default config's equivalence run.
const P128 = '0xb8c5a3e1f0d27c946a1358e2f0b7c9f7';

export const VARIANTS: Array<() => GeneratedDesign> = [
  () => generateBlock('montmul', customField(P128), { tile: '16x16', tree: '2' }),
  () => generateBlock('montmul', namedField('goldilocks'), { constmul: 'dsp', tile: '18x18' }),
  () => generateBlock('montmul', namedField('babybear'), { tree: '0' }),
  () => generateBlock('montmul', namedField('mersenne31'), {}),
  () => generateBlock('montmul', namedField('koalabear'), { rbits: '32' }),
  () => generateBlock('montmul', customField(P128), { rbits: '130', depth: '14' }),
  () => generateBlock('montmul', customField(P128), { constmul: 'csd' }),
  () => generateBlock('montmul', customField('5'), {}),
  // Karatsuba at every depth the planner allows on small tiles, and the high band of m·p with
  // many dropped and truncated tiles.
  () => generateBlock('montmul', customField(P128), { tile: '16x16', karatsuba: '3', mp: 'high' }),
  () => generateBlock('montmul', customField(P128), { karatsuba: '0', mp: 'full' }),
  () => generateBlock('montmul', customField('1021'), { tile: '3x4', constmul: 'dsp', karatsuba: '2', mp: 'high' }),
  () => generateBlock('montmul', namedField('goldilocks'), { constmul: 'dsp', mp: 'high', karatsuba: '1', tree: '0' }),
  // modmul: a slow Solinas fold (c = 2^9 − 1, 13 bits), a pseudo-Mersenne fold by DSP tiles
  // (c = 299 has 5 signed digits), and the Montgomery route (two montmuls).
  () => generateBlock('modmul', customField('7681'), {}),
  () => generateBlock('modmul', customField('4294966997'), {}),
  () => generateBlock('modmul', customField(P128), { reduce: 'montgomery', tile: '16x16' }),
  () => generateBlock('modadd', customField('5'), {}),
  () => generateBlock('modsub', customField('7'), {}),
  () => generateBlock('modsub', namedField('bls12_377.fr'), {}),
];
