// Tier 2: every emitted module passes `verilator --lint-only -Wall` and Yosys
// `hierarchy -check; check -assert`, for the default config and for parameter variants that
// exercise the other code paths of the generators.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { configDesigns } from '../src/cli/commands/common.ts';
import { lintDesign } from '../src/cli/commands/lint.ts';
import { VARIANTS } from './support/variants.ts';

describe('lint: verilator -Wall and yosys check -assert', () => {
  const designs = [...configDesigns(loadConfig()), ...VARIANTS.map((v) => v())];
  for (const d of designs) {
    it(`${d.top}`, async () => {
      expect(await lintDesign(d)).toEqual([]);
    });
  }
});
