// Progress lines for long work go to stderr, so stdout stays clean for results.
export interface Progress {
  step(message: string): void;
}

export const stderrProgress: Progress = {
  step(message) {
    process.stderr.write(`zkrtl: ${message}\n`);
  },
};

export const silentProgress: Progress = { step() {} };
