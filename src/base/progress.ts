// Progress lines for long work go to stderr, so stdout stays clean for results. Every layer
// reports through a Progress it is given; the CLI chooses where the lines go.
export interface Progress {
  step(message: string): void;
}

export const stderrProgress: Progress = {
  step(message) {
    process.stderr.write(`zkrtl: ${message}\n`);
  },
};

export const silentProgress: Progress = { step() {} };
