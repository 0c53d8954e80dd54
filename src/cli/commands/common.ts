// Argument handling shared by the commands that take one block.
import { existsSync } from 'node:fs';
import { resolveField } from '../../fields/registry.ts';
import { resolveCurveArg } from '../../curves/registry.ts';
import { blockInfo, generateBlock, noFieldReason } from '../../gen/index.ts';
import type { GeneratedDesign } from '../../gen/design.ts';
import { parseParamArgs, rejectTestOnly, type RawParams } from '../../gen/params.ts';
import { DEFAULT_CONFIG_PATH, loadConfig, type ZkrtlConfig } from '../../config.ts';
import { single, type ParsedArgs } from '../args.ts';
import { UsageError } from '../errors.ts';

export const DESIGN_OPTIONS = ['field', 'prime', 'curve', 'param'];

export function designFromArgs(block: string, args: ParsedArgs): GeneratedDesign {
  const info = blockInfo(block);
  const params = parseParamArgs(args.options.param ?? []);
  rejectTestOnly(block, Object.keys(params), info.params);
  if (info.usesCurve) {
    if (args.options.field || args.options.prime) throw new UsageError(`${block} works on a curve: give --curve NAME or --curve FILE.json instead of --field/--prime`);
    return generateBlock(block, resolveCurveArg(single(args, 'curve')), params);
  }
  if (args.options.curve) throw new UsageError(`${block} works on a field, not a curve: leave out --curve`);
  const noField = noFieldReason(info, params);
  if (noField !== undefined) {
    if (args.options.field || args.options.prime) throw new UsageError(`${noField}: leave out --field/--prime`);
    return generateBlock(block, undefined, params);
  }
  const field = resolveField({ field: single(args, 'field'), prime: single(args, 'prime') });
  return generateBlock(block, field, params);
}

/** The config named by --config, else zkrtl.config.json when present, else built-in defaults. */
export function configFromArgs(args: ParsedArgs, required: boolean): ZkrtlConfig | undefined {
  const path = single(args, 'config');
  if (path !== undefined) return loadConfig(path);
  if (existsSync(DEFAULT_CONFIG_PATH)) return loadConfig(DEFAULT_CONFIG_PATH);
  if (required) throw new UsageError(`no ${DEFAULT_CONFIG_PATH} here: name a block, or give --config FILE`);
  return undefined;
}

export function noDesignOptions(args: ParsedArgs, command: string): void {
  for (const o of DESIGN_OPTIONS) {
    if (args.options[o]) throw new UsageError(`--${o} needs a block: zkrtl ${command} BLOCK --${o} …`);
  }
}

export function atMostOnePositional(args: ParsedArgs, command: string): string | undefined {
  if (args.positionals.length > 1) {
    throw new UsageError(`zkrtl ${command} takes one block, got '${args.positionals.join(' ')}'`);
  }
  return args.positionals[0];
}

/** Every design of a config, generated up front so a bad entry fails before any output. */
export function configDesigns(config: ZkrtlConfig): GeneratedDesign[] {
  const designs: GeneratedDesign[] = [];
  for (const block of config.blocks) rejectTestOnly(block, Object.keys(config.params[block] ?? {}), blockInfo(block).params);
  for (const field of config.fields) {
    for (const block of config.blocks) designs.push(generateBlock(block, field, config.params[block] ?? {}));
  }
  for (const extra of config.designs) {
    const info = blockInfo(extra.block);
    for (const p of extra.params) rejectTestOnly(info.name, Object.keys(p), info.params);
    // Parameters that take no field (the CPU's, montmul's prime=runtime) give one design each.
    const fieldless = (params: RawParams) => !info.usesCurve && noFieldReason(info, params) !== undefined;
    const subjects = info.usesCurve ? extra.curves : extra.fields;
    for (const subject of subjects) {
      for (const params of extra.params.filter((p) => !fieldless(p))) designs.push(generateBlock(extra.block, subject, params));
    }
    for (const params of extra.params.filter(fieldless)) designs.push(generateBlock(extra.block, undefined, params));
  }
  return designs;
}
