// The FuseSoC hand-off: a CAPI2 core file (`<top>.core`) beside the Verilog of every design,
// so that `fusesoc library add zkrtl rtl-out` finds each generated design as the core
// `zkrtl:<block>:<top>:<version>` and `fusesoc run --target lint zkrtl:<block>:<top>` lints it
// with Verilator. Pure and deterministic like the generators: the same design gives
// byte-identical text.
//
// The text is written by hand (not by a YAML library) so that it reads like a hand-written
// core; every string that YAML could read as something else (a number, a boolean, a
// mapping) is written double-quoted, in JSON's syntax, which YAML reads the same way.
import { ZKRTL_VERSION, type GeneratedDesign } from './design.ts';

/** Strings that can go unquoted: identifiers and file names, none of YAML's special words. */
const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;
const YAML_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);

function scalar(s: string): string {
  return PLAIN.test(s) && !YAML_WORDS.has(s.toLowerCase()) ? s : JSON.stringify(s);
}

/** One line that says what the core is: block, field or curve, parameters, timing. */
function describeDesign(d: GeneratedDesign): string {
  const m = d.manifest;
  const curve = (m.curve as { name?: unknown } | undefined)?.name;
  const parts: string[] = [];
  if (m.field) {
    // A custom prime has no name to go by: say the prime itself.
    const field = m.field.name === 'custom' ? `p = ${m.field.p}` : m.field.name;
    parts.push(`${typeof curve === 'string' ? `${curve} over ` : ''}${field} (${m.field.bits} bits)`);
  } else if (typeof m.isa === 'string') {
    parts.push(m.isa);
  }
  const params = Object.entries(m.params).map(([k, v]) => `${k}=${v}`);
  if (params.length > 0) parts.push(params.join(', '));
  if (m.latency !== undefined) parts.push(`latency ${m.latency}, II ${m.ii}`);
  if (typeof m.summary === 'string') parts.push(m.summary);
  return `zkrtl ${m.block}${parts.length > 0 ? `: ${parts.join('; ')}` : ''}`;
}

/** The CAPI2 core file of a design: its Verilog files in filelist.f order, three targets. */
export function fusesocCore(d: GeneratedDesign): string {
  const top = d.top;
  const block = d.manifest.block;
  // VLNV parts are separated by colons; names are Verilog identifiers, so none can hold one.
  for (const [what, v] of [['module', top], ['block', block]]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new Error(`internal: ${what} name '${v}' cannot go into a FuseSoC VLNV`);
  }
  if (!/^[0-9][0-9A-Za-z.+-]*$/.test(ZKRTL_VERSION)) throw new Error(`internal: version '${ZKRTL_VERSION}' cannot go into a FuseSoC VLNV`);
  const files = d.modules.map((m) => `${m.name}.v`);
  const targetHead = (description: string) => [
    `    description: ${JSON.stringify(description)}`,
    '    filesets: [rtl]',
  ];
  return [
    'CAPI=2:',
    `# FuseSoC core of ${top}, written by zkrtl ${ZKRTL_VERSION} beside the files it lists.`,
    '#   fusesoc library add zkrtl <this directory or one above it, e.g. rtl-out>',
    `#   fusesoc run --target lint zkrtl:${block}:${top}`,
    '# Regenerate with zkrtl rather than editing: the next `zkrtl gen` replaces this file.',
    '',
    `name: ${JSON.stringify(`zkrtl:${block}:${top}:${ZKRTL_VERSION}`)}`,
    `description: ${JSON.stringify(describeDesign(d))}`,
    '',
    'filesets:',
    '  rtl:',
    '    # Verilog-2005 in dependency order, the top last (the order of filelist.f).',
    '    files:',
    ...files.map((f) => `      - ${scalar(f)}`),
    '    file_type: verilogSource',
    '',
    'targets:',
    '  # What a core that depends on this one gets: the RTL, no tool.',
    '  default:',
    '    filesets: [rtl]',
    `    toplevel: ${scalar(top)}`,
    '',
    '  lint:',
    ...targetHead('verilator --lint-only -Wall on Verilog-2005, as zkrtl lint runs it'),
    '    default_tool: verilator',
    '    tools:',
    '      verilator:',
    '        mode: lint-only',
    '        verilator_options: ["-Wall", "--default-language", "1364-2005"]',
    `    toplevel: ${scalar(top)}`,
    '',
    '  # Elaborates the RTL with Icarus Verilog and runs it with no stimulus: a check that the',
    '  # design builds in an event simulator, and the place to add a testbench (a core that',
    '  # depends on this one). The simulation against the golden model is `zkrtl sim`, whose',
    '  # Verilator harnesses are C++ and not part of this directory.',
    '  sim:',
    ...targetHead('Icarus Verilog elaboration of the RTL, no stimulus (zkrtl sim checks it against the golden model)'),
    '    default_tool: icarus',
    '    tools:',
    '      icarus:',
    '        iverilog_options: ["-g2005"]',
    `    toplevel: ${scalar(top)}`,
    '',
  ].join('\n');
}
