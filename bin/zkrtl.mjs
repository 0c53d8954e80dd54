#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx: no build step, `npx zkrtl` works right
// after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv.slice(2));
