// The CLI's view of user errors: defined in src/base so that every layer can throw them.
export { EXIT_USAGE, UsageError } from '../base/errors.ts';
