// II as the benchmark measures it (measureIi: back-to-back input, II from the cycles of the
// out_valid beats), checked on a block planted with II = 2 (test/fixtures/ii2_fifo.v) and on
// a generated block, which must measure 1. One 8-bit fixture, a few hundred vectors: fast.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDesignSim, expectedResults, measureIi } from '../src/sim/equivalence.ts';
import { SimMismatchError, buildPipelineSim, lintVerilog, runPipelineSim } from '../src/sim/verilator.ts';
import { makeVectors } from '../src/sim/vectors.ts';
import { generateBlock } from '../src/gen/index.ts';
import { namedField } from '../src/fields/registry.ts';
import { silentProgress } from '../src/cli/progress.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const LATENCY = 2; // the fixture: at least two registers from a vector taken to its result
// The runs expected to fail leave their waveform and vectors here.
const scratch = mkdtempSync(join(tmpdir(), 'zkrtl-ii-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function fixture(name: string): Promise<string> {
  const top = `zkrtl_fixture_${name}`;
  const files = { [`${top}.v`]: readFileSync(join(FIXTURES, `${name}.v`), 'utf8') };
  await lintVerilog(top, files);
  return buildPipelineSim({ top, files });
}

/** n operand pairs of 8 bits (deterministic) and their sums mod 2^8. */
function bytes(n: number): { vectors: Array<[bigint, bigint]>; expected: bigint[] } {
  const vectors: Array<[bigint, bigint]> = [];
  for (let i = 0; i < n; i++) vectors.push([BigInt((i * 37 + 11) & 255), BigInt((i * 101 + 3) & 255)]);
  return { vectors, expected: vectors.map(([a, b]) => (a + b) & 255n) };
}

describe('II measured from the cycles of the results', () => {
  it('planted II = 2 (no in_ready, a result every other cycle): measures 2, drains, counts lost vectors', async () => {
    const binary = await fixture('ii2_fifo');
    // 120 vectors fit the 64-entry FIFO (it fills by one every two cycles): all come out, later and later.
    const { vectors, expected } = bytes(120);
    const m = await measureIi({ binary, latency: LATENCY, width: 8, vectors, expected });
    expect(m.outputs).toEqual(expected);
    expect(m).toMatchObject({ beats: 120, ii: 2, maxGap: 2, dropped: 0 });
    expect(m.latencyMax!).toBeGreaterThan(m.latencyMin! + 100);
    // The fixed-latency check (the equivalence path) rejects it instead.
    const err = await runPipelineSim({ binary, latency: LATENCY, width: 8, vectors, expected, waveformPath: join(scratch, 'fixed.vcd') }).catch((e) => e);
    expect(err).toBeInstanceOf(SimMismatchError);
    expect(err.message).toMatch(/^MISMATCH at vector [01], /);

    // 300 vectors overflow it, and it drops some: still II = 2, and the lost vectors counted,
    // found by the values (a result skips to a later vector's) …
    const over = bytes(300);
    const o = await measureIi({ binary, latency: LATENCY, width: 8, ...over });
    expect(o).toMatchObject({ ii: 2, maxGap: 2 });
    expect(o.dropped).toBeGreaterThan(50);
    expect(o.beats + o.dropped).toBe(300);
    const kept = o.outputs.flatMap((v, i) => (v === over.expected[i] ? [i] : []));
    expect(kept.length).toBe(o.beats);
    // … or, without expected values, as the vectors still open when nothing more comes out.
    const blind = await measureIi({ binary, latency: LATENCY, width: 8, vectors: over.vectors });
    expect(blind).toMatchObject({ beats: o.beats, dropped: o.dropped, ii: 2, maxGap: 2 });
    expect(blind.cycles).toBeGreaterThan(o.cycles + 1000); // it waited kStallCycles before giving up on them
  });

  it('a generated block (babybear modadd) measures 1', async () => {
    // The same design as the equivalence suite's: its simulator comes from the build cache there.
    const d = generateBlock('modadd', namedField('babybear'), {});
    const binary = await buildDesignSim(d, silentProgress);
    const vectors = makeVectors({ p: BigInt(d.manifest.field!.p) }, 300, 5);
    const m = await measureIi({ binary, latency: d.manifest.latency!, width: d.manifest.field!.bits, vectors, expected: expectedResults(d, vectors) });
    expect(m).toMatchObject({ beats: vectors.length, ii: 1, maxGap: 1, dropped: 0, latencyMin: d.manifest.latency, latencyMax: d.manifest.latency });
  });
});
