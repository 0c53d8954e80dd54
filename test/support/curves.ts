// Toy curves for the tests: small a = 0 curves that go through the same generator, model
// and harness as the real ones, so the whole form × mode matrix simulates in seconds.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { curveFromFile, type CurveSpec } from '../../src/curves/registry.ts';

export interface ToyCurve {
  path: string;
  json: Record<string, string>;
  curve: CurveSpec;
  /** Has a twisted-Edwards model. */
  edwards: boolean;
}

function toy(file: string, edwards: boolean): ToyCurve {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const json = JSON.parse(readFileSync(path, 'utf8'));
  delete json.$comment;
  return { path, json, curve: curveFromFile(path), edwards };
}

export const TOY_CURVES: readonly ToyCurve[] = [toy('./toy-weierstrass.json', false), toy('./toy-edwards.json', true)];
