// The path families of an rv32im core bare on the iCE40 (src/synth/ice40-paths.ts), before
// placement: which paths stand between a core and its clock floor, beside nextpnr's one.
// An estimate from a fixed delay model, not a measurement (bench/results.md has nextpnr's).
//
//   npx tsx bench/ice40-paths.ts [--light] [--top N] [--no-dsp] [--paths K] [--segments] key=value ...
//
// key=value: rv32im parameters (pipeline=5 m=on unless given). --light: the light trace
// wrapper. --no-dsp: paths start at a DSP's output (as nextpnr 0.4 times them). --paths K:
// print the nets of the K longest families. --segments: the LUT-only segments between ABC's
// boundaries instead (how many at each depth, the N deepest): ABC relaxes every segment to the
// deepest one's depth, so those are what a shorter clock path needs cut. Uses $YOSYS when set
// (as the bench does).
import { generateRv32im } from '../src/gen/rv32im.ts';
import { estimatePaths, formatPathFamily, lutSegments, type YosysJsonNetlist } from '../src/synth/ice40-paths.ts';
import { ice40PnrScript } from '../src/synth/pnr.ts';
import { pinWrapper, rv32imLightPinWrapper } from '../src/synth/wrappers.ts';
import { runYosys } from '../src/synth/yosys.ts';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
};
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`${name} ${args[i + 1]}: give a whole number`);
    process.exit(2);
  }
  args.splice(i, 2);
  return v;
};
const light = flag('--light');
const noDsp = flag('--no-dsp');
const top = option('--top', 25);
const paths = option('--paths', 0);
const segments = flag('--segments');
if (segments && (noDsp || paths)) {
  console.error('--segments lists LUT-only segments (a DSP is a boundary, and no paths are priced): give it without --no-dsp and --paths');
  process.exit(2);
}
const params: Record<string, string> = { pipeline: '5', m: 'on' };
for (const a of args) {
  const m = /^([a-z_]+)=(\S+)$/.exec(a);
  if (!m) {
    console.error(`${a}: give rv32im parameters as key=value, or --light, --no-dsp, --top N, --paths K, --segments`);
    process.exit(2);
  }
  params[m[1]!] = m[2]!;
}

const design = generateRv32im(params);
const fpga = light ? rv32imLightPinWrapper(design) : pinWrapper(design);
const netlist = `${fpga.top}.json`;
const sources = Object.keys(fpga.files).filter((f) => f.endsWith('.v'));
const y = await runYosys({ script: ice40PnrScript(fpga.top, sources, netlist), files: fpga.files, outputs: [netlist] });
if (segments) {
  const all = lutSegments(JSON.parse(y.files[netlist]!) as YosysJsonNetlist, fpga.top);
  const counts = new Map<number, number>();
  for (const sg of all) counts.set(sg.lutLevels, (counts.get(sg.lutLevels) ?? 0) + 1);
  console.log(`${fpga.top}: ${all.length} LUT-only segments (start, end) by depth: ${[...counts].map(([d, n]) => `${d} LUT: ${n}`).join(', ')}; the ${Math.min(top, all.length)} deepest:`);
  for (const sg of all.slice(0, top)) console.log(`  ${String(sg.lutLevels).padStart(2)} LUT  ${sg.from} -> ${sg.to}`);
  process.exit(0);
}
const families = estimatePaths(JSON.parse(y.files[netlist]!) as YosysJsonNetlist, fpga.top, { throughDsp: !noDsp });
console.log(`${fpga.top}: ${families.length} path families, the ${Math.min(top, families.length)} longest (estimate, UP5K delay model):`);
for (const f of families.slice(0, top)) console.log(formatPathFamily(f));
for (const f of families.slice(0, paths)) {
  console.log(`\n${f.from} -> ${f.to}:`);
  for (const p of f.path) console.log(`  ${p.ns.toFixed(1).padStart(5)}  ${p.net}`);
}
