/**
 * Bad input from the user: a wrong prime, field, block, parameter or file. The CLI prints
 * the message as one line and exits with code 2, having written nothing. Every layer may
 * throw it; only the CLI catches it.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_USAGE = 2;
