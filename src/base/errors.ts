import { readFileSync } from 'node:fs';

/**
 * Bad input from the user: a wrong prime, field, block, parameter or file. The CLI prints
 * the message as one line and exits with code 2, having written nothing. Every layer may
 * throw it; only the CLI catches it.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_USAGE = 2;

/** The text of a file the user named; a missing or unreadable one is a UsageError naming it. */
export function readUserFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
