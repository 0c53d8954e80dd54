// Progress printers: defined in src/base so that every layer can report through them.
export { silentProgress, stderrProgress, type Progress } from '../base/progress.ts';
