// Liberty (.lib) standard-cell libraries: a parser for the group/attribute syntax, the cells'
// area, pins, logic functions and flip-flops, the cells an ASIC mapping needs (a D flip-flop,
// a NAND2, an inverter, a buffer, tie cells when the library has them), and behavioural
// Verilog models of cells made from their Liberty functions — for gate-level simulation with
// Verilator, which rejects the UDPs and specify blocks of most vendors' cell models.
import { UsageError } from '../base/errors.ts';

// ---------------------------------------------------------------------------------------
// Syntax: groups `name (args) { … }`, simple attributes `name : value ;`, complex attributes
// `name (args) ;`. Comments /* */ and //, a backslash before a newline continues the line.

export interface LibertyGroup {
  type: string;
  args: string[];
  /** Simple attributes (last value wins) and complex attributes (their argument list). */
  attrs: Map<string, string>;
  complex: Map<string, string[]>;
  groups: LibertyGroup[];
  line: number;
}

class LibertySyntaxError extends Error {}

class Lexer {
  pos = 0;
  line = 1;
  constructor(readonly text: string) {}

  /** Skips whitespace, comments and line continuations. */
  skip(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 10) {
        this.line++;
        this.pos++;
      } else if (c === 32 || c === 9 || c === 13 || c === 12) this.pos++;
      else if (c === 92 /* \ */ && (t[this.pos + 1] === '\n' || (t[this.pos + 1] === '\r' && t[this.pos + 2] === '\n'))) this.pos++;
      else if (c === 47 /* / */ && t[this.pos + 1] === '*') {
        const end = t.indexOf('*/', this.pos + 2);
        if (end < 0) throw new LibertySyntaxError(`line ${this.line}: comment not closed`);
        for (let i = this.pos; i < end; i++) if (t.charCodeAt(i) === 10) this.line++;
        this.pos = end + 2;
      } else if (c === 47 && t[this.pos + 1] === '/') {
        const end = t.indexOf('\n', this.pos);
        this.pos = end < 0 ? t.length : end;
      } else return;
    }
  }

  peek(): string {
    this.skip();
    return this.text[this.pos] ?? '';
  }

  expect(ch: string): void {
    if (this.peek() !== ch) throw new LibertySyntaxError(`line ${this.line}: expected '${ch}', found ${this.describe()}`);
    this.pos++;
  }

  describe(): string {
    const c = this.peek();
    return c === '' ? 'the end of the file' : `'${this.text.slice(this.pos, this.pos + 20).split('\n')[0]}'`;
  }

  /** A quoted string (without its quotes) or a bare word (identifier, number, expression piece). */
  value(): string {
    this.skip();
    const t = this.text;
    if (t[this.pos] === '"') {
      let out = '';
      let i = this.pos + 1;
      for (;;) {
        const c = t[i];
        if (c === undefined) throw new LibertySyntaxError(`line ${this.line}: string not closed`);
        if (c === '"') break;
        if (c === '\\' && (t[i + 1] === '\n' || t[i + 1] === '\r')) {
          i += t[i + 1] === '\r' ? 3 : 2;
          this.line++;
          continue;
        }
        if (c === '\n') this.line++;
        out += c;
        i++;
      }
      this.pos = i + 1;
      return out;
    }
    const start = this.pos;
    while (this.pos < t.length && !/[\s(){}:;,"]/.test(t[this.pos]!)) this.pos++;
    if (this.pos === start) throw new LibertySyntaxError(`line ${this.line}: expected a name or value, found ${this.describe()}`);
    return t.slice(start, this.pos);
  }

  /** Values up to `;`, `}` or a newline, joined by spaces (e.g. `function : A & B ;`). */
  simpleValue(): string {
    const parts: string[] = [];
    for (;;) {
      // Stop at the end of the line: a missing `;` is common in hand-written libraries.
      const t = this.text;
      while (t[this.pos] === ' ' || t[this.pos] === '\t') this.pos++;
      const c = t[this.pos];
      if (c === ';') {
        this.pos++;
        break;
      }
      if (c === undefined || c === '\n' || c === '\r' || c === '}') break;
      parts.push(this.value());
    }
    return parts.join(' ');
  }

  args(): string[] {
    this.expect('(');
    const out: string[] = [];
    while (this.peek() !== ')') {
      if (this.peek() === '') throw new LibertySyntaxError(`line ${this.line}: argument list not closed`);
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      out.push(this.value());
    }
    this.pos++;
    return out;
  }
}

function parseGroupBody(lx: Lexer, group: LibertyGroup): void {
  lx.expect('{');
  for (;;) {
    const c = lx.peek();
    if (c === '}') {
      lx.pos++;
      return;
    }
    if (c === '') throw new LibertySyntaxError(`group ${group.type} (line ${group.line}) is not closed`);
    if (c === ';') {
      lx.pos++;
      continue;
    }
    const line = lx.line;
    const name = lx.value();
    const next = lx.peek();
    if (next === ':') {
      lx.pos++;
      group.attrs.set(name, lx.simpleValue());
    } else if (next === '(') {
      const args = lx.args();
      if (lx.peek() === '{') {
        const child: LibertyGroup = { type: name, args, attrs: new Map(), complex: new Map(), groups: [], line };
        parseGroupBody(lx, child);
        group.groups.push(child);
      } else {
        if (lx.peek() === ';') lx.pos++;
        group.complex.set(name, args);
      }
    } else {
      throw new LibertySyntaxError(`line ${lx.line}: after '${name}' expected ':' or '(', found ${lx.describe()}`);
    }
  }
}

/** The top `library (name) { … }` group. Throws Error naming the line of a syntax error. */
export function parseLibertySyntax(text: string): LibertyGroup {
  const lx = new Lexer(text);
  const line = lx.line;
  const head = lx.peek() === '' ? '' : lx.value();
  if (head !== 'library') throw new LibertySyntaxError(`it does not start with a library group (found ${head ? `'${head}'` : 'nothing'})`);
  const lib: LibertyGroup = { type: 'library', args: lx.args(), attrs: new Map(), complex: new Map(), groups: [], line };
  parseGroupBody(lx, lib);
  return lib;
}

// ---------------------------------------------------------------------------------------
// Boolean functions: `!` and `'` negate, `^` xor, `&` `*` or juxtaposition and, `+` `|` or.

export type Expr =
  | { op: 'var'; name: string }
  | { op: 'const'; value: 0 | 1 }
  | { op: 'not'; a: Expr }
  | { op: 'and' | 'or' | 'xor'; a: Expr; b: Expr };

export function parseFunction(text: string): Expr {
  const toks = text.match(/[A-Za-z_][A-Za-z0-9_.[\]]*|[01]|[!'^&*+|()]/g) ?? [];
  const rest = text.replace(/[A-Za-z_][A-Za-z0-9_.[\]]*|[01]|[!'^&*+|()\s]/g, '');
  if (rest) throw new Error(`function "${text}": unexpected '${rest[0]}'`);
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`function "${text}": ${what}`);
  };
  const primary = (): Expr => {
    const t = toks[i];
    let e: Expr;
    if (t === '!') {
      i++;
      e = { op: 'not', a: primary() };
    } else if (t === '(') {
      i++;
      e = or();
      if (toks[i] !== ')') fail('missing )');
      i++;
    } else if (t === '0' || t === '1') {
      i++;
      e = { op: 'const', value: t === '1' ? 1 : 0 };
    } else if (t !== undefined && /^[A-Za-z_]/.test(t)) {
      i++;
      e = { op: 'var', name: t };
    } else return fail(t === undefined ? 'ends early' : `unexpected '${t}'`);
    while (toks[i] === "'") {
      i++;
      e = { op: 'not', a: e };
    }
    return e;
  };
  const xor = (): Expr => {
    let e = primary();
    while (toks[i] === '^') {
      i++;
      e = { op: 'xor', a: e, b: primary() };
    }
    return e;
  };
  const startsPrimary = (t: string | undefined) => t !== undefined && (t === '!' || t === '(' || /^[A-Za-z_01]/.test(t));
  const and = (): Expr => {
    let e = xor();
    for (;;) {
      if (toks[i] === '&' || toks[i] === '*') {
        i++;
        e = { op: 'and', a: e, b: xor() };
      } else if (startsPrimary(toks[i])) {
        e = { op: 'and', a: e, b: xor() };
      } else return e;
    }
  };
  const or = (): Expr => {
    let e = and();
    while (toks[i] === '+' || toks[i] === '|') {
      i++;
      e = { op: 'or', a: e, b: and() };
    }
    return e;
  };
  const e = or();
  if (i !== toks.length) fail(`unexpected '${toks[i]}'`);
  return e;
}

export function exprVars(e: Expr, out = new Set<string>()): Set<string> {
  if (e.op === 'var') out.add(e.name);
  else if (e.op === 'not') exprVars(e.a, out);
  else if (e.op !== 'const') {
    exprVars(e.a, out);
    exprVars(e.b, out);
  }
  return out;
}

export function evalExpr(e: Expr, env: Record<string, number>): number {
  switch (e.op) {
    case 'var': {
      const v = env[e.name];
      if (v === undefined) throw new Error(`no value for ${e.name}`);
      return v;
    }
    case 'const':
      return e.value;
    case 'not':
      return 1 - evalExpr(e.a, env);
    case 'and':
      return evalExpr(e.a, env) & evalExpr(e.b, env);
    case 'or':
      return evalExpr(e.a, env) | evalExpr(e.b, env);
    case 'xor':
      return evalExpr(e.a, env) ^ evalExpr(e.b, env);
  }
}

/** Verilog expression (names mapped by `name`). */
export function exprVerilog(e: Expr, name: (v: string) => string = (v) => v): string {
  switch (e.op) {
    case 'var':
      return name(e.name);
    case 'const':
      return `1'b${e.value}`;
    case 'not':
      return `~${exprVerilog(e.a, name)}`;
    default:
      return `(${exprVerilog(e.a, name)} ${e.op === 'and' ? '&' : e.op === 'or' ? '|' : '^'} ${exprVerilog(e.b, name)})`;
  }
}

/** The truth table over `vars` (bit i of the index = vars[i]) as a string of 0/1. */
export function truthTable(e: Expr, vars: string[]): string {
  let out = '';
  for (let m = 0; m < 1 << vars.length; m++) {
    const env: Record<string, number> = {};
    vars.forEach((v, i) => (env[v] = (m >> i) & 1));
    out += evalExpr(e, env);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// The library

export interface LibPin {
  name: string;
  direction: 'input' | 'output' | 'inout' | 'internal';
  function?: string;
  threeState?: string;
  clock: boolean;
  /** Input capacitance in the library's capacitive load unit. */
  capacitance?: number;
}

export interface LibSequential {
  kind: 'ff' | 'latch';
  /** The state variable and its complement (ff (IQ, IQN)). */
  iq: string;
  iqn: string;
  /** ff: clocked_on and next_state; latch: enable and data_in. */
  clock: string;
  data: string;
  clear?: string;
  preset?: string;
}

export interface LibCell {
  name: string;
  area: number;
  dontUse: boolean;
  pins: LibPin[];
  seq?: LibSequential;
  /** What keeps a behavioural model from being made (bus pins, statetable, …). */
  unmodelled?: string;
}

export interface LibCorner {
  name: string;
  process?: number;
  voltage?: number;
  temperature?: number;
}

export interface LibertyLibrary {
  name: string;
  /** One library time unit in ns (1 for "1ns", 0.001 for "1ps"). */
  timeUnitNs: number;
  /** One library capacitance unit in pF. */
  capUnitPf: number;
  corner: LibCorner;
  cells: Map<string, LibCell>;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : undefined;
}

function timeUnit(v: string | undefined): number {
  if (v === undefined) return 1;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ps|ns|us)\s*$/.exec(v);
  if (!m) throw new LibertySyntaxError(`time_unit "${v}" is not one of 1ps, 1ns, 1us (or a multiple)`);
  return Number(m[1]) * { ps: 0.001, ns: 1, us: 1000 }[m[2] as 'ps' | 'ns' | 'us'];
}

function capUnit(args: string[] | undefined): number {
  if (!args) return 1;
  const [n, u] = args;
  const scale = { ff: 0.001, pf: 1, nf: 1000 }[(u ?? '').toLowerCase() as 'ff' | 'pf' | 'nf'];
  const v = Number(n);
  if (scale === undefined || !Number.isFinite(v)) throw new LibertySyntaxError(`capacitive_load_unit (${args.join(', ')}) is not (N, ff|pf|nf)`);
  return v * scale;
}

function cellFrom(g: LibertyGroup): LibCell {
  const name = g.args[0] ?? '';
  const pins: LibPin[] = [];
  let unmodelled: string | undefined;
  for (const p of g.groups) {
    if (p.type === 'pin') {
      const direction = (p.attrs.get('direction') ?? 'input').trim() as LibPin['direction'];
      // pin (A, B) declares several pins that share their attributes.
      for (const pinName of p.args) {
        pins.push({
          name: pinName,
          direction,
          function: p.attrs.get('function'),
          threeState: p.attrs.get('three_state'),
          clock: p.attrs.get('clock')?.trim() === 'true',
          capacitance: num(p.attrs.get('capacitance')),
        });
      }
    } else if (p.type === 'bus' || p.type === 'bundle') unmodelled ??= `${p.type} pins`;
    else if (p.type === 'statetable') unmodelled ??= 'a statetable';
    else if (p.type === 'pg_pin') continue;
  }
  let seq: LibSequential | undefined;
  const ffs = g.groups.filter((x) => x.type === 'ff' || x.type === 'latch');
  if (ffs.length > 1 || g.groups.some((x) => x.type === 'ff_bank' || x.type === 'latch_bank')) unmodelled ??= 'several state elements';
  else if (ffs.length === 1) {
    const f = ffs[0]!;
    const kind = f.type as 'ff' | 'latch';
    seq = {
      kind,
      iq: f.args[0] ?? 'IQ',
      iqn: f.args[1] ?? 'IQN',
      clock: (kind === 'ff' ? f.attrs.get('clocked_on') : f.attrs.get('enable')) ?? '',
      data: (kind === 'ff' ? f.attrs.get('next_state') : f.attrs.get('data_in')) ?? '',
      clear: f.attrs.get('clear'),
      preset: f.attrs.get('preset'),
    };
    if (!seq.clock || !seq.data) unmodelled ??= `a ${kind} without ${kind === 'ff' ? 'clocked_on/next_state' : 'enable/data_in'}`;
  }
  return { name, area: num(g.attrs.get('area')) ?? 0, dontUse: g.attrs.get('dont_use')?.trim() === 'true', pins, seq, unmodelled };
}

/** Parses a Liberty library; a file that is not one is a UsageError naming `what` (the path). */
export function parseLiberty(text: string, what: string): LibertyLibrary {
  let top: LibertyGroup;
  try {
    top = parseLibertySyntax(text);
  } catch (e) {
    if (e instanceof LibertySyntaxError) throw new UsageError(`--liberty ${what} is not a Liberty library: ${e.message}`);
    throw e;
  }
  try {
    const cells = new Map<string, LibCell>();
    for (const g of top.groups) if (g.type === 'cell') cells.set(g.args[0] ?? '', cellFrom(g));
    const ocName = top.attrs.get('default_operating_conditions')?.trim();
    const oc = top.groups.find((g) => g.type === 'operating_conditions' && (ocName === undefined || g.args[0] === ocName));
    const corner: LibCorner = {
      name: oc?.args[0] ?? ocName ?? 'nominal',
      process: num(oc?.attrs.get('process')) ?? num(top.attrs.get('nom_process')),
      voltage: num(oc?.attrs.get('voltage')) ?? num(top.attrs.get('nom_voltage')),
      temperature: num(oc?.attrs.get('temperature')) ?? num(top.attrs.get('nom_temperature')),
    };
    return {
      name: top.args[0] ?? 'unnamed',
      timeUnitNs: timeUnit(top.attrs.get('time_unit')?.replace(/"/g, '')),
      capUnitPf: capUnit(top.complex.get('capacitive_load_unit')),
      corner,
      cells,
    };
  } catch (e) {
    if (e instanceof LibertySyntaxError) throw new UsageError(`--liberty ${what}: ${e.message}`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// The cells a mapping needs

export interface MappingCells {
  /** The smallest 2-input NAND: its area is the unit of the NAND2-equivalent gate count. */
  nand2: LibCell;
  inverter: LibCell;
  /** Smallest buffer, with its input and output pin: drives inputs in the SDC, joins nets. */
  buffer: { cell: LibCell; input: string; output: string };
  /** Positive-edge D flip-flops without set or reset (dfflibmap uses what fits best). */
  dff: LibCell[];
  /** Tie cells (output function 1 / 0, no inputs), when the library has them. */
  tieHi?: { cell: LibCell; output: string };
  tieLo?: { cell: LibCell; output: string };
}

const inputs = (c: LibCell) => c.pins.filter((p) => p.direction === 'input');
const outputs = (c: LibCell) => c.pins.filter((p) => p.direction === 'output');

/** A combinational cell with one output whose function has the given truth table over its inputs. */
function isGate(c: LibCell, nInputs: number, table: (vars: string[]) => string): { input: string[]; output: string } | undefined {
  if (c.dontUse || c.seq || c.unmodelled) return undefined;
  const ins = inputs(c);
  const outs = outputs(c);
  if (ins.length !== nInputs || outs.length !== 1 || !outs[0]!.function || outs[0]!.threeState) return undefined;
  try {
    const e = parseFunction(outs[0]!.function);
    const vars = ins.map((p) => p.name);
    if (![...exprVars(e)].every((v) => vars.includes(v))) return undefined;
    return truthTable(e, vars) === table(vars) ? { input: vars, output: outs[0]!.name } : undefined;
  } catch {
    return undefined;
  }
}

const smallest = <T extends { cell: LibCell }>(xs: T[]): T | undefined =>
  xs.sort((a, b) => a.cell.area - b.cell.area || a.cell.name.localeCompare(b.cell.name))[0];

function plainFlop(c: LibCell): boolean {
  if (c.dontUse || !c.seq || c.seq.kind !== 'ff' || c.seq.clear || c.seq.preset || c.unmodelled) return false;
  try {
    const clk = parseFunction(c.seq.clock);
    const d = parseFunction(c.seq.data);
    return clk.op === 'var' && d.op === 'var' && outputs(c).some((p) => p.function && /^\(?\s*\w+\s*\)?$/.test(p.function) && p.function.replace(/[()\s]/g, '') === c.seq!.iq);
  } catch {
    return false;
  }
}

/**
 * The cells zkrtl's ASIC mapping relies on. A library without a D flip-flop, a 2-input NAND,
 * an inverter or a buffer is a UsageError naming what is missing; tie cells are optional
 * (OSU 0.18 µm has none: constants then stay 1'b0/1'b1 connections, tied to the rails in
 * place and route).
 */
export function mappingCells(lib: LibertyLibrary, what: string): MappingCells {
  const all = [...lib.cells.values()];
  const nand2 = smallest(all.flatMap((c) => (isGate(c, 2, () => '1110') ? [{ cell: c }] : [])));
  const inverter = smallest(all.flatMap((c) => (isGate(c, 1, () => '10') ? [{ cell: c }] : [])));
  const buffer = smallest(
    all.flatMap((c) => {
      const g = isGate(c, 1, () => '01');
      // Clock buffers are buffers too, but not the ones to spend on data nets.
      return g && !c.pins.some((p) => p.clock) ? [{ cell: c, input: g.input[0]!, output: g.output }] : [];
    }),
  );
  const dff = all.filter(plainFlop);
  const missing = [
    ...(dff.length ? [] : ['a rising-edge D flip-flop (an ff group clocked on a pin, next_state a pin, no set/reset)']),
    ...(nand2 ? [] : ['a 2-input NAND']),
    ...(inverter ? [] : ['an inverter']),
    ...(buffer ? [] : ['a buffer']),
  ];
  if (lib.cells.size === 0) throw new UsageError(`--liberty ${what} has no cells: give a standard-cell Liberty library (e.g. /usr/share/qflow/tech/osu018/osu018_stdcells.lib)`);
  if (missing.length) throw new UsageError(`--liberty ${what} lacks cells the mapping needs: ${missing.join(', ')}; give a standard-cell library that has them`);
  const tie = (v: '0' | '1') =>
    smallest(
      all.flatMap((c) => {
        if (c.dontUse || c.seq || inputs(c).length !== 0) return [];
        const out = outputs(c).filter((p) => p.function?.replace(/[\s"]/g, '') === v);
        return out.length === 1 ? [{ cell: c, output: out[0]!.name }] : [];
      }),
    );
  return { nand2: nand2!.cell, inverter: inverter!.cell, buffer: buffer!, dff, tieHi: tie('1'), tieLo: tie('0') };
}

// ---------------------------------------------------------------------------------------
// Behavioural cell models for gate-level simulation

const ident = (s: string) => (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(s) ? s : `\\${s} `);

/**
 * Verilog-2005 models of `cellNames` made from their Liberty functions: `assign` for logic,
 * an always block for flip-flops (clear before preset when both are active) and latches,
 * `1'bz` where a three_state condition holds. Zero delay, no timing checks: they check that
 * the netlist computes what the RTL does, not its timing (that is STA's job).
 */
export function behaviouralModels(lib: LibertyLibrary, cellNames: string[]): string {
  const out: string[] = [
    '// Behavioural models of standard cells, made by zkrtl from the Liberty `function`, `ff` and',
    `// \`latch\` attributes of library ${lib.name}: zero delay, no timing checks.`,
    '',
  ];
  for (const name of [...cellNames].sort()) {
    const c = lib.cells.get(name);
    if (!c) throw new Error(`cell ${name} is not in library ${lib.name}`);
    if (c.unmodelled) throw new Error(`cell ${name} of ${lib.name} has ${c.unmodelled}: zkrtl cannot model it for simulation`);
    const pins = c.pins.filter((p) => p.direction !== 'internal');
    const pinNames = new Set(pins.map((p) => p.name));
    const lines = [`module ${ident(name)} (${pins.map((p) => ident(p.name)).join(', ')});`];
    for (const p of pins) lines.push(`  ${p.direction === 'inout' ? 'inout' : p.direction === 'output' ? 'output' : 'input'} ${ident(p.name)};`);
    const s = c.seq;
    const v = (x: string) => {
      if (pinNames.has(x) || (s && (x === s.iq || x === s.iqn))) return ident(x);
      throw new Error(`cell ${name}: function refers to ${x}, which is neither a pin nor the state`);
    };
    const ex = (f: string) => exprVerilog(parseFunction(f), v);
    if (s) {
      lines.push(`  reg ${ident(s.iq)};`, `  wire ${ident(s.iqn)} = ~${ident(s.iq)};`);
      const clr = s.clear ? ex(s.clear) : undefined;
      const pre = s.preset ? ex(s.preset) : undefined;
      if (s.kind === 'ff') {
        lines.push(`  wire zkrtl_clk = ${ex(s.clock)};`);
        if (clr) lines.push(`  wire zkrtl_clear = ${clr};`);
        if (pre) lines.push(`  wire zkrtl_preset = ${pre};`);
        const sens = ['posedge zkrtl_clk', ...(clr ? ['posedge zkrtl_clear'] : []), ...(pre ? ['posedge zkrtl_preset'] : [])];
        const body = [
          ...(clr ? [`if (zkrtl_clear) ${ident(s.iq)} <= 1'b0;`] : []),
          ...(pre ? [`${clr ? 'else ' : ''}if (zkrtl_preset) ${ident(s.iq)} <= 1'b1;`] : []),
          `${clr || pre ? 'else ' : ''}${ident(s.iq)} <= ${ex(s.data)};`,
        ];
        lines.push(`  always @(${sens.join(' or ')})`, ...body.map((b) => `    ${b}`));
      } else {
        const body = [
          ...(clr ? [`if (${clr}) ${ident(s.iq)} = 1'b0;`] : []),
          ...(pre ? [`${clr ? 'else ' : ''}if (${pre}) ${ident(s.iq)} = 1'b1;`] : []),
          `${clr || pre ? 'else ' : ''}if (${ex(s.clock)}) ${ident(s.iq)} = ${ex(s.data)};`,
        ];
        lines.push('  always @*', ...body.map((b) => `    ${b}`));
      }
    }
    for (const p of pins.filter((x) => x.direction === 'output' || x.direction === 'inout')) {
      if (!p.function) {
        if (p.direction === 'output') throw new Error(`cell ${name} output ${p.name} has no function: zkrtl cannot model it for simulation`);
        continue;
      }
      const f = ex(p.function);
      lines.push(p.threeState ? `  assign ${ident(p.name)} = ${ex(p.threeState)} ? 1'bz : ${f};` : `  assign ${ident(p.name)} = ${f};`);
    }
    lines.push('endmodule', '');
    out.push(...lines);
  }
  return out.join('\n');
}
