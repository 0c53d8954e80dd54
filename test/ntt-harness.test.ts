// The NTT core harness (sim/ntt_harness.cpp) and its driver (src/sim/ntt-sim.ts), on a
// hand-written stand-in with the NTT core's ports: it loads N/L beats, waits COMPUTE cycles
// in phase 1, and unloads every element x as x + 1 mod 2^W (forward) or x - 1 (inverse).
// Magic values in element 0 of a transform switch on a bug for that transform (out_last one
// beat early, no done pulse, a compute phase that never ends), so one simulator per width
// covers every failure report. Two shapes: L*W <= 64 bits (QData ports) and L*W > 64 bits
// (VlWide ports, lanes straddling 32-bit words).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimMismatchError, buildPipelineSim, ensureVerilator, runSimulator } from '../src/sim/verilator.ts';
import { NTT_HARNESS_PATH, buildNttSim, runNttSim } from '../src/sim/ntt-sim.ts';
import { silentProgress } from '../src/cli/progress.ts';
import { namedField } from '../src/fields/registry.ts';
import { generateNtt } from '../src/gen/ntt.ts';
import { expectedTimes } from '../src/sim/ntt-check.ts';

const COMPUTE = 5;
const MAGIC_LAST = 0x5a5a5an; // element 0: out_last also on the second-to-last beat
const MAGIC_DONE = 0xa5a5a5n; // element 0: no done pulse
const MAGIC_HANG = 0x3c3c3cn; // element 0: compute never ends

interface Shape {
  n: number;
  lanes: number;
  width: number;
}

function standIn(name: string, { n, lanes: L, width: W }: Shape): Record<string, string> {
  const B = n / L;
  const BB = Math.max(1, Math.ceil(Math.log2(B)));
  const LW = L * W;
  const text = `\`default_nettype none
// Test stand-in for an NTT core: ${n} elements, ${L} lanes of ${W} bits; out = in + 1 (forward)
// or in - 1 (inverse) mod 2^${W}, after ${COMPUTE} cycles in phase 1.
module ${name} (
  input  wire              clk,
  input  wire              rst,
  input  wire              in_valid,
  output wire              in_ready,
  input  wire              in_inverse,
  input  wire [${LW - 1}:0] in_data,
  output wire              out_valid,
  input  wire              out_ready,
  output wire [${LW - 1}:0] out_data,
  output wire              out_last,
  output wire              done,
  output wire [1:0]        phase
);
  reg [${LW - 1}:0] mem [0:${B - 1}];
  reg [1:0] phase_r;
  reg [${BB - 1}:0] beat_r;
  reg [7:0] cnt_r;
  reg inv_r, done_r, bug_last_r, bug_done_r, bug_hang_r;
  always @(posedge clk) begin
    if (rst) begin
      phase_r <= 2'd0;
      beat_r <= ${BB}'d0;
      cnt_r <= 8'd0;
      inv_r <= 1'b0;
      done_r <= 1'b0;
      bug_last_r <= 1'b0;
      bug_done_r <= 1'b0;
      bug_hang_r <= 1'b0;
    end else begin
      done_r <= 1'b0;
      case (phase_r)
        2'd0: if (in_valid) begin
          mem[beat_r] <= in_data;
          if (beat_r == ${BB}'d0) begin
            inv_r <= in_inverse;
            bug_last_r <= in_data[${W - 1}:0] == ${W}'h${MAGIC_LAST.toString(16)};
            bug_done_r <= in_data[${W - 1}:0] == ${W}'h${MAGIC_DONE.toString(16)};
            bug_hang_r <= in_data[${W - 1}:0] == ${W}'h${MAGIC_HANG.toString(16)};
          end
          if (beat_r == ${BB}'d${B - 1}) begin
            beat_r <= ${BB}'d0;
            phase_r <= 2'd1;
            cnt_r <= 8'd0;
          end else beat_r <= beat_r + ${BB}'d1;
        end
        2'd1: begin
          cnt_r <= cnt_r + 8'd1;
          if (cnt_r == 8'd${COMPUTE - 1} && !bug_hang_r) phase_r <= 2'd2;
        end
        2'd2: if (out_ready) begin
          if (beat_r == ${BB}'d${B - 1}) begin
            beat_r <= ${BB}'d0;
            phase_r <= 2'd0;
            done_r <= !bug_done_r;
          end else beat_r <= beat_r + ${BB}'d1;
        end
        default: phase_r <= 2'd0;
      endcase
    end
  end
  assign in_ready = phase_r == 2'd0;
  assign out_valid = phase_r == 2'd2;
  assign out_last = out_valid && (beat_r == ${BB}'d${B - 1} || (bug_last_r && beat_r == ${BB}'d${B - 2}));
  assign done = done_r;
  assign phase = phase_r;
  wire [${LW - 1}:0] cur = mem[beat_r];
  genvar l;
  generate
    for (l = 0; l < ${L}; l = l + 1) begin : lane
      assign out_data[l*${W} +: ${W}] = inv_r ? cur[l*${W} +: ${W}] - ${W}'d1 : cur[l*${W} +: ${W}] + ${W}'d1;
    end
  endgenerate
endmodule
\`default_nettype wire
`;
  return { [`${name}.v`]: text };
}

/** Deterministic elements of W bits (xorshift32), never one of the magic values. */
function randomElements(count: number, W: number, seed: number): bigint[] {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const out: bigint[] = [];
  while (out.length < count) {
    let v = 0n;
    for (let i = 0; i < W; i += 32) v = (v << 32n) | BigInt(next());
    v = BigInt.asUintN(W, v);
    if (v !== MAGIC_LAST && v !== MAGIC_DONE && v !== MAGIC_HANG) out.push(v);
  }
  return out;
}

const model = (W: number, inverse: boolean) => (x: bigint) => BigInt.asUintN(W, inverse ? x - 1n : x + 1n);

const SHAPES: Array<Shape & { label: string }> = [
  { label: 'L*W = 48 bits (QData)', n: 16, lanes: 2, width: 24 },
  { label: 'L*W = 280 bits (VlWide)', n: 32, lanes: 4, width: 70 },
];
const topOf = (s: Shape) => `zkrtl_test_nttstub_n${s.n}_l${s.lanes}_w${s.width}`;

let scratch: string;
const binaries = new Map<string, string>();

beforeAll(async () => {
  await ensureVerilator({ log: (s) => process.stderr.write(`[verilator] ${s}\n`) });
  scratch = mkdtempSync(join(tmpdir(), 'zkrtl-ntt-harness-test-'));
  // Sequential: the machine's cores are shared.
  for (const s of SHAPES) {
    const top = topOf(s);
    binaries.set(top, await buildPipelineSim({ top, files: standIn(top, s), harnessPath: NTT_HARNESS_PATH }));
  }
}, 600_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function transformsFor(s: Shape, count: number, seed: number) {
  return Array.from({ length: count }, (_, t) => ({
    inverse: t % 3 === 1,
    input: randomElements(s.n, s.width, seed * 1000 + t + 1),
  }));
}

describe.each(SHAPES)('NTT harness, $label', (shape) => {
  const { n, lanes, width } = shape;
  const beats = n / lanes;
  const binary = () => binaries.get(topOf(shape))!;

  it('returns the outputs and the cycles of every transform\'s beats and done, back to back', async () => {
    const transforms = transformsFor(shape, 5, width);
    const r = await runNttSim({ binary: binary(), n, lanes, width, transforms });
    expect(r.outputs).toEqual(transforms.map((tr) => tr.input.map(model(width, tr.inverse))));
    // No bubbles, no stalls: N/L beats in, COMPUTE cycles, N/L beats out, done, and the next
    // transform's first beat in the cycle of done; the stand-in's phase output plays no part.
    expect(r.times).toEqual(transforms.map((_, t) => {
      const firstIn = 4 + t * (2 * beats + COMPUTE);
      const firstOut = firstIn + beats + COMPUTE;
      return { firstIn, lastIn: firstIn + beats - 1, firstOut, lastOut: firstOut + beats - 1, done: firstOut + beats };
    }));
    // 4 reset cycles, the transforms back to back, 4 idle cycles after the last beat.
    expect(r.cycles).toBe(4 + transforms.length * (2 * beats + COMPUTE) + 4);
    expect(r.seconds).toBeGreaterThanOrEqual(0);
  });

  it('checks expected outputs with bubbles and stalls; inverse(forward(x)) = x', async () => {
    const transforms = transformsFor(shape, 8, width + 1);
    const expected = transforms.map((tr) => tr.input.map(model(width, tr.inverse)));
    const r = await runNttSim({
      binary: binary(), n, lanes, width, transforms, expected, bubbleProbability: 0.3, stallProbability: 0.4, seed: 11,
    });
    expect(r.outputs).toEqual(expected);
    // Bubbles stretch the loads and stalls the unloads (and may delay the first beat out).
    expect(r.times.some((x) => x.lastIn - x.firstIn > beats - 1)).toBe(true);
    expect(r.times.some((x) => x.lastOut - x.firstOut > beats - 1)).toBe(true);
    expect(r.times.every((x) => x.firstOut - x.lastIn >= 1 + COMPUTE && x.done === x.lastOut + 1)).toBe(true);
    expect(r.cycles).toBe(r.times.at(-1)!.done + 4);
    // Same seed, same run.
    const again = await runNttSim({
      binary: binary(), n, lanes, width, transforms, expected, bubbleProbability: 0.3, stallProbability: 0.4, seed: 11,
    });
    expect(again.times).toEqual(r.times);
    expect(again.cycles).toBe(r.cycles);

    // Round trip through the RTL: forward, then inverse of the outputs.
    const fwd = await runNttSim({ binary: binary(), n, lanes, width, transforms: transforms.map((tr) => ({ inverse: false, input: tr.input })) });
    const back = await runNttSim({ binary: binary(), n, lanes, width, transforms: fwd.outputs.map((o) => ({ inverse: true, input: o })), stallProbability: 0.2 });
    expect(back.outputs).toEqual(transforms.map((tr) => tr.input));
  });
});

async function expectFailure(p: Promise<unknown>): Promise<SimMismatchError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SimMismatchError);
  const m = err as SimMismatchError;
  expect(m.waveformPath).toBeDefined();
  expect(existsSync(m.waveformPath!)).toBe(true);
  expect(statSync(m.waveformPath!).size).toBeGreaterThan(0);
  expect(m.message).toContain(`waveform: ${m.waveformPath}`);
  expect(m.message).not.toContain('WAVEFORM ');
  return m;
}

describe('NTT harness failure reports', () => {
  const wide = SHAPES[1]!;
  const { n, lanes, width } = wide;
  const binary = () => binaries.get(topOf(wide))!;

  it('a wrong expected element: names transform, element, beat, lane, cycle, values; keeps a waveform and a rerun line', async () => {
    const transforms = transformsFor(wide, 4, 5);
    const expected = transforms.map((tr) => tr.input.map(model(width, tr.inverse)));
    const bad = expected[2]![13]!;
    expected[2]![13] = bad ^ (1n << 69n);
    const waveformPath = join(scratch, 'wrong.vcd');
    const m = await expectFailure(
      runNttSim({ binary: binary(), n, lanes, width, transforms, expected, bubbleProbability: 0.2, stallProbability: 0.2, seed: 3, waveformPath }),
    );
    expect(m.waveformPath).toBe(waveformPath);
    // element 13 = beat 3, lane 1 with 4 lanes.
    expect(m.message).toMatch(/^MISMATCH at transform 2, element 13 \(beat 3, lane 1\), cycle \d+: wrong result/);
    expect(m.message).toContain(`expected = 0x${(bad ^ (1n << 69n)).toString(16)}`);
    expect(m.message).toContain(`got      = 0x${bad.toString(16)}`);
    expect(m.message).toContain('1 of 4 lanes of beat 3 are wrong');
    expect(m.message).toContain('transform 2 (forward): loaded in cycles');
    const cycle = Number(/cycle (\d+):/.exec(m.message)![1]);
    const waveFrom = Number(/waveform: \S+ \(cycles (\d+)\.\./.exec(m.message)![1]);
    expect(cycle).toBeGreaterThan(waveFrom);
    // The VCD covers the failing cycle (time 10c).
    expect(readFileSync(waveformPath, 'utf8')).toContain(`#${10 * cycle}\n`);
    // The rerun line reproduces the same report.
    const rerun = /^ {2}rerun: (.+)$/m.exec(m.message)![1]!.split(' ');
    expect(dirname(rerun[rerun.indexOf('--input') + 1]!)).toBe(scratch);
    const again = await runSimulator(rerun[0]!, rerun.slice(1));
    expect(again.code).toBe(1);
    expect(again.stderr.split('\n')[0]).toBe(m.message.split('\n')[0]);
  });

  it('out_last one beat early is reported with its transform and beat', async () => {
    const transforms = transformsFor(wide, 3, 6);
    transforms[1]!.input[0] = MAGIC_LAST;
    const m = await expectFailure(runNttSim({ binary: binary(), n, lanes, width, transforms, workDir: scratch }));
    expect(m.message).toMatch(new RegExp(`^PROTOCOL at transform 1, beat ${n / lanes - 2}, cycle \\d+: out_last high on beat ${n / lanes - 2} of ${n / lanes} \\(not the last\\)`));
  });

  it('a missing done pulse is reported', async () => {
    const narrow = SHAPES[0]!;
    const transforms = transformsFor(narrow, 3, 7);
    transforms[2]!.input[0] = MAGIC_DONE;
    const m = await expectFailure(
      runNttSim({ binary: binaries.get(topOf(narrow))!, n: narrow.n, lanes: narrow.lanes, width: narrow.width, transforms, workDir: scratch }),
    );
    expect(m.message).toMatch(/^PROTOCOL at transform 2, cycle \d+: done low in the cycle after the transform's last beat was taken/);
  });

  it('a hang is a timeout naming the transform and cycle', async () => {
    const transforms = transformsFor(wide, 2, 8);
    transforms[1]!.input[0] = MAGIC_HANG;
    const m = await expectFailure(runNttSim({ binary: binary(), n, lanes, width, transforms, workDir: scratch, timeoutCycles: 500 }));
    expect(m.message).toMatch(/^TIMEOUT at transform 1, cycle \d+: hang: no beat went in or came out for 501 cycles/);
    expect(m.message).toContain('transform 1 (inverse): loaded in cycles');
    expect(m.message).toContain('no output beat yet');
  });

  it('bad usage: one line, exit code 2', async () => {
    const input = join(scratch, 'usage.hex');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(input, '1\n2\n3\n');
    const r = await runSimulator(binary(), ['--input', input, '--n', String(n), '--lanes', String(lanes), '--width', String(width)]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/holds 3 elements, not a whole number of transforms of 32/);
    const w = await runSimulator(binary(), ['--input', input, '--n', '32', '--lanes', '4', '--width', '24']);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/--lanes 4 x --width 24 = 96 bits does not match the model: its ports in_data, out_data are 257\.\.288 bits wide/);
    await expect(runNttSim({ binary: binary(), n, lanes, width, transforms: [{ inverse: false, input: [1n] }] })).rejects.toThrow(
      /transform 0: input has 1 elements, not n = 32/,
    );
    await expect(
      runNttSim({ binary: binary(), n, lanes, width, transforms: [{ inverse: false, input: Array(n).fill(1n << 70n) }] }),
    ).rejects.toThrow(/does not fit in 70 bits/);
  });
});

// The lead's equivalence tests (src/sim/ntt-check.ts) own the values; this only shows the
// harness drives a generated core through its interface contract (out_last, done, how many
// transforms it holds) and counts the cycles the control model predicts.
describe('NTT harness on a generated core', () => {
  it('babybear N=64, 2 lanes: back to back, with bubbles and stalls; timing as the control model says', async () => {
    const field = namedField('babybear');
    const n = 64;
    const lanes = 2;
    const design = generateNtt(field, { n: String(n), lanes: String(lanes) });
    const binary = await buildNttSim(design, silentProgress);
    const transforms = Array.from({ length: 3 }, (_, t) => ({
      inverse: t === 1,
      input: randomElements(n, 32, 40 + t).map((v) => v % field.p),
    }));
    const maxHeld = design.manifest.holds as number;
    expect(maxHeld).toBe(3);
    const r = await runNttSim({ binary, n, lanes, width: field.bits, transforms, maxHeld });
    expect(r.outputs).toHaveLength(3);
    expect(r.outputs.every((o) => o.length === n && o.every((v) => v < (1n << BigInt(field.bits))))).toBe(true);
    expect(r.times).toEqual(expectedTimes(design, 3));
    // Overlap: the second transform is taken while the first computes, which a harness told
    // the core holds one transform at a time reports.
    expect(r.times[1]!.firstIn).toBeLessThan(r.times[0]!.firstOut);
    const held = await runNttSim({ binary, n, lanes, width: field.bits, transforms, maxHeld: 1, workDir: scratch }).then(() => undefined, (e: unknown) => e);
    expect(held).toBeInstanceOf(SimMismatchError);
    expect((held as Error).message).toMatch(/^PROTOCOL at transform 1, beat 0, cycle \d+: a beat of this transform was taken while the core held 1 transform not fully unloaded/);
    // The contract holds with bubbles and stalls too; the outputs do not depend on them.
    const j = await runNttSim({ binary, n, lanes, width: field.bits, transforms, maxHeld, bubbleProbability: 0.3, stallProbability: 0.3, seed: 9 });
    expect(j.outputs).toEqual(r.outputs);
  }, 300_000);
});
