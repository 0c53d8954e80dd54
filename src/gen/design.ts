// What every generator returns, and the pieces they share: template rendering, the
// manifest, the file list. Generators are pure: same parameters, byte-identical text.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import type { FieldSpec } from '../fields/registry.ts';
import { fusesocCore } from './fusesoc.ts';

export const ZKRTL_VERSION: string = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'),
).version;

export const GENERATOR_ID = `zkrtl ${ZKRTL_VERSION}`;

export interface Port {
  name: string;
  dir: 'in' | 'out';
  width: number;
  description?: string;
}

export interface Manifest {
  module: string;
  block: string;
  generator: string;
  /** The field, for field blocks (absent for the CPU core). */
  field?: { name: string; p: string; bits: number };
  montgomery?: { R: string; k: number; pPrime: string; rModP: string; r2ModP: string };
  params: Record<string, string | number>;
  /** Fixed-latency pipelines: cycles from operands to result, and the initiation interval. */
  latency?: number;
  ii?: number;
  ports: Port[];
  files: string[];
  [extra: string]: unknown;
}

/** One Verilog module: file name is `${name}.v`. */
export interface VerilogModule {
  name: string;
  text: string;
}

export interface GeneratedDesign {
  top: string;
  manifest: Manifest;
  /** Verilog modules in dependency order, the top last. */
  modules: VerilogModule[];
}

/** The parameters a design was generated with, as the generator accepts them again. */
export function designParams(design: GeneratedDesign): Record<string, string> {
  return Object.fromEntries(Object.entries(design.manifest.params).map(([k, v]) => [k, String(v)]));
}

export const hex = (v: bigint) => `0x${v.toString(16)}`;

export function fieldInfo(f: FieldSpec): Manifest['field'] {
  return { name: f.name, p: hex(f.p), bits: f.bits };
}

const templateCache = new Map<string, ejs.TemplateFunction>();

/** Renders `src/rtl-templates/<name>.v.ejs`. */
export function renderTemplate(name: string, data: Record<string, unknown>): string {
  let fn = templateCache.get(name);
  if (!fn) {
    const path = fileURLToPath(new URL(`../rtl-templates/${name}.v.ejs`, import.meta.url));
    fn = ejs.compile(readFileSync(path, 'utf8'), { filename: path, strict: true, _with: false, localsName: 't' });
    templateCache.set(name, fn);
  }
  // Templates are laid out for readability; collapse the blank runs they leave behind.
  return fn(data).replace(/\n{3,}/g, '\n\n');
}

/**
 * The files a design writes: every module, the manifest, the file list, and the FuseSoC
 * core file (`<top>.core`, CAPI2: the same Verilog files in the same order, see fusesoc.ts).
 */
export function designFiles(d: GeneratedDesign): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of d.modules) files.set(`${m.name}.v`, m.text);
  files.set(`${d.top}.json`, JSON.stringify(d.manifest, null, 2) + '\n');
  files.set('filelist.f', d.modules.map((m) => `${m.name}.v`).join('\n') + '\n');
  files.set(`${d.top}.core`, fusesocCore(d));
  return files;
}

/** Verilog sources only, keyed by file name, for simulators and synthesis. */
export function verilogSources(d: GeneratedDesign): Record<string, string> {
  return Object.fromEntries(d.modules.map((m) => [`${m.name}.v`, m.text]));
}

/** Keeps the first copy of modules shared by several sub-blocks (same name, same text). */
export function mergeModules(...lists: VerilogModule[][]): VerilogModule[] {
  const out = new Map<string, VerilogModule>();
  for (const m of lists.flat()) {
    const seen = out.get(m.name);
    if (seen && seen.text !== m.text) throw new Error(`internal: two different modules named ${m.name}`);
    if (!seen) out.set(m.name, m);
  }
  return [...out.values()];
}

export function pipelinePorts(width: number): Port[] {
  return [
    { name: 'clk', dir: 'in', width: 1 },
    { name: 'rst', dir: 'in', width: 1, description: 'synchronous, active high; clears valid bits only' },
    { name: 'in_valid', dir: 'in', width: 1 },
    { name: 'a', dir: 'in', width },
    { name: 'b', dir: 'in', width },
    { name: 'out_valid', dir: 'out', width: 1 },
    { name: 'out', dir: 'out', width },
  ];
}

/** Shift register used to line data up with a pipeline; maps to SRLs on Xilinx. */
export function delayModule(): VerilogModule {
  return { name: 'zkrtl_delay', text: renderTemplate('zkrtl_delay', { generator: GENERATOR_ID }) };
}
