import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/support/slow-first-sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Verilator builds and Yosys runs take tens of seconds; the machine has 2 cores.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Two files at a time: most of a file's time is single-threaded (Verilator's front end,
    // simulation, Yosys), so a second file fills the other core.
    fileParallelism: true,
    maxWorkers: 2,
    // The longest files first, so the two workers end together (test/support/slow-first-sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
  },
});
