// A design-space sweep's plan: every combination of the subjects (fields, primes or curves)
// and the `--param key=v1,v2,…` values, each generated up front. Pure: no I/O, no tools.
import { UsageError } from '../base/errors.ts';
import { resolveField, type FieldSpec } from '../fields/registry.ts';
import { resolveCurveArg, type CurveSpec } from '../curves/registry.ts';
import { blockInfo, generateBlock } from '../gen/index.ts';
import type { GeneratedDesign } from '../gen/design.ts';
import { rejectTestOnly, type RawParams } from '../gen/params.ts';

/** How a subject is named on the command line, so a worker process can be given the same. */
export interface SweepSubject {
  option: 'field' | 'prime' | 'curve' | null;
  value: string;
  /** Module-name tag: bn254_fr, bn254_g1, p_…; '' for the CPU. */
  tag: string;
  spec: FieldSpec | CurveSpec | undefined;
}

export interface SweepPoint {
  /** 1-based position in the sweep, the order of the table. */
  index: number;
  subject: SweepSubject;
  params: RawParams;
  /** The generated design, or why this combination cannot be generated. */
  design?: GeneratedDesign;
  error?: string;
}

export interface SweepPlan {
  block: string;
  /** sweep-out/<name>: the block and its subjects, e.g. montmul_bn254_fr. */
  name: string;
  /** The swept keys in the order given, with their values. */
  axes: { key: string; values: string[] }[];
  subjects: SweepSubject[];
  points: SweepPoint[];
}

export interface SweepRequest {
  block: string;
  /** Each given once or more; a value may be a comma list. */
  field?: string[];
  prime?: string[];
  curve?: string[];
  /** `key=v1,v2,…`, each key once. */
  param?: string[];
}

const splitList = (values: string[]) => values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');

/** `--param key=v1,v2` strings into ordered axes; a repeated key, an empty list or a value repeated is an error. */
export function parseAxes(args: string[]): SweepPlan['axes'] {
  const axes: SweepPlan['axes'] = [];
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param '${a}' is not key=v1,v2,… (e.g. --param tile=26x17,18x18)`);
    const key = a.slice(0, eq).trim();
    if (axes.some((x) => x.key === key)) throw new UsageError(`--param ${key} given twice: give its values as one comma list`);
    const values = splitList([a.slice(eq + 1)]);
    if (values.length === 0) throw new UsageError(`--param ${key}= has no values: give ${key}=v1,v2,…`);
    const dup = values.find((v, i) => values.indexOf(v) !== i);
    if (dup !== undefined) throw new UsageError(`--param ${key} lists ${dup} twice`);
    axes.push({ key, values });
  }
  return axes;
}

function subjectsOf(req: SweepRequest): SweepSubject[] {
  const info = blockInfo(req.block);
  const fields = splitList(req.field ?? []);
  const primes = splitList(req.prime ?? []);
  const curves = splitList(req.curve ?? []);
  if (info.usesCurve) {
    if (fields.length || primes.length) throw new UsageError(`${req.block} works on a curve: give --curve NAME[,NAME…] instead of --field/--prime`);
    if (!curves.length) throw new UsageError(`${req.block} needs --curve NAME[,NAME…]`);
    return curves.map((value) => {
      const spec = resolveCurveArg(value);
      return { option: 'curve', value, tag: spec.tag, spec };
    });
  }
  if (curves.length) throw new UsageError(`${req.block} works on ${info.usesField === false ? 'no field' : 'a field'}, not a curve: leave out --curve`);
  if (info.usesField === false) {
    if (fields.length || primes.length) throw new UsageError(`${req.block} works on no field: leave out --field/--prime`);
    return [{ option: null, value: '', tag: '', spec: undefined }];
  }
  if (!fields.length && !primes.length) throw new UsageError(`${req.block} needs --field NAME[,NAME…] or --prime P[,P…]`);
  const out: SweepSubject[] = [];
  for (const value of fields) {
    const spec = resolveField({ field: value });
    out.push({ option: 'field', value, tag: spec.tag, spec });
  }
  for (const value of primes) {
    const spec = resolveField({ prime: value });
    out.push({ option: 'prime', value, tag: spec.tag, spec });
  }
  const dup = out.find((s, i) => out.findIndex((t) => t.tag === s.tag) !== i);
  if (dup) throw new UsageError(`${dup.value} is given twice (as the same field)`);
  return out;
}

/** Every combination: subjects outermost, then the axes in the order given, values in order. */
function combinations(axes: SweepPlan['axes']): RawParams[] {
  let out: RawParams[] = [{}];
  for (const { key, values } of axes) out = out.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  return out;
}

/**
 * Plans a sweep and generates every design. A combination the generator refuses becomes a
 * point with its error; a value refused in every combination it appears in is bad input
 * (UsageError naming it), so a typo stops the sweep before any synthesis.
 */
export function planSweep(req: SweepRequest, onProgress?: (done: number, total: number) => void): SweepPlan {
  const info = blockInfo(req.block);
  const axes = parseAxes(req.param ?? []);
  rejectTestOnly(info.name, axes.map((a) => a.key), info.params);
  const subjects = subjectsOf(req);
  const combos = combinations(axes);
  const points: SweepPoint[] = [];
  let firstUsageError: UsageError | undefined;
  const total = subjects.length * combos.length;
  for (const subject of subjects) {
    for (const params of combos) {
      const point: SweepPoint = { index: points.length + 1, subject, params };
      try {
        point.design = generateBlock(info.name, subject.spec, params);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        firstUsageError ??= e;
        point.error = e.message;
      }
      points.push(point);
      onProgress?.(points.length, total);
    }
  }
  // A value every one of whose combinations failed is a bad value, not a design-space corner.
  for (const { key, values } of axes) {
    for (const v of values) {
      const mine = points.filter((p) => p.params[key] === v);
      if (mine.every((p) => p.error !== undefined)) throw new UsageError(`--param ${key}=${v}: ${mine[0]!.error}`);
    }
  }
  if (points.every((p) => p.error !== undefined)) throw firstUsageError!;
  const name = [info.name, ...subjects.map((s) => s.tag)].filter((s) => s !== '').join('_');
  return { block: info.name, name, axes, subjects, points };
}

/** `tile=18x18 tree=2`: a point's parameters as one short label (the subject first when several). */
export function pointLabel(plan: SweepPlan, p: SweepPoint): string {
  const parts = plan.axes.map((a) => `${a.key}=${p.params[a.key]}`);
  if (plan.subjects.length > 1) parts.unshift(p.subject.value);
  return parts.join(' ') || p.subject.value || plan.block;
}
