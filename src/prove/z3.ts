// The z3 side of `zkrtl prove`: a query (the negation of a claim) is built here as a small term
// graph, and checked by z3 (WebAssembly) in a child process of its own (z3-server.mjs), which
// replays the graph through z3's API and answers sat, unsat or unknown.
//
// Why a child process: z3's WebAssembly build runs its solver on pthreads (worker threads). In a
// full test run a check once never answered, its test worker idle for minutes, and a thread
// blocked inside the wasm can stop every timer of its own process with it. So the parent keeps
// the clock: a check that does not answer within its budget plus a margin has its process
// killed, and runs once more on a fresh one.
//
// Queries use the theory of integers only: the REDC lemmas linear arithmetic with big constants,
// products of a variable by a constant, and integer division by a constant; the rv32im
// multiplier's identity (src/formal/mul-composition.ts) also products of variables, a
// polynomial identity modulo 2^64 that z3 decides in about a second. By default x div d, x mod d is one
// quotient variable q with 0 ≤ x − q·d < d, the remainder staying the expression x − q·d
// ('quotient'). Measured on the REDC lemmas of redc.ts (per lemma, z3 already started, 60 s budget):
//                        redc.m  carry  bound  congruence  final.sub  band (26×17, largest g)
//   quotient    bn254     0.2 s  0.2 s  0.1 s    0.2 s       0.1 s     0.5 s
//               bls381    0.2 s  0.2 s  0.1 s    0.1 s       0.1 s     0.9 s
//   vars        bn254     0.2 s  0.2 s  0.1 s    timeout     0.1 s     2.6 s
//   (x = q·d + r) bls381  0.4 s  0.3 s  0.1 s    timeout     0.1 s     5.1 s
//   native      bn254     1.8 s  0.5 s  0.1 s    2.0 s       0.0 s    26.3 s
//   (div, mod)  bls381    1.2 s  0.3 s  0.1 s    7.4 s       0.0 s     timeout
// With m = T_lo·p′ mod R as its own variable, z3's integer solver does not see that
// T_lo + m·p ≡ 0 (mod R) in the congruence query; as an expression it does at once.
// Starting z3 (a Node process, the wasm, its first worker thread) costs about 1.5 s, paid by the
// first query; the process then serves every query until the parent exits or calls shutdownZ3.
//
// Every check has a timeout (z3's own `timeout` parameter, backed by an interrupt inside the
// server in case the solver does not notice in time); `unknown` becomes a LemmaTimeout. An
// `unknown` long before the budget (seen under load: a tactic gives up early) is asked once more
// of a fresh process.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LemmaTimeout } from './lemma.ts';

export const DEFAULT_Z3_TIMEOUT_MS = 60_000;

/** One node of a query's term graph; args are indices of earlier nodes. z3-server.mjs replays it. */
export type TermNode =
  | { op: 'const'; name: string }
  | { op: 'val'; value: string }
  | { op: 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'ge' | 'gt' | 'le' | 'lt' | 'eq' | 'neq' | 'if' | 'sum' | 'or'; args: number[] };

type IntLike = IntTerm | bigint | number;

/** An integer term of one query: the methods of z3's Arith that the lemmas use. */
export class IntTerm {
  constructor(readonly q: Query, readonly id: number) {}
  private bin(op: 'add' | 'sub' | 'mul', o: IntLike): IntTerm { return new IntTerm(this.q, this.q.node({ op, args: [this.id, this.q.int_(o)] })); }
  private cmp(op: 'ge' | 'gt' | 'le' | 'lt' | 'eq' | 'neq', o: IntLike): BoolTerm { return new BoolTerm(this.q, this.q.node({ op, args: [this.id, this.q.int_(o)] })); }
  add(o: IntLike): IntTerm { return this.bin('add', o); }
  sub(o: IntLike): IntTerm { return this.bin('sub', o); }
  mul(o: IntLike): IntTerm { return this.bin('mul', o); }
  ge(o: IntLike): BoolTerm { return this.cmp('ge', o); }
  gt(o: IntLike): BoolTerm { return this.cmp('gt', o); }
  le(o: IntLike): BoolTerm { return this.cmp('le', o); }
  lt(o: IntLike): BoolTerm { return this.cmp('lt', o); }
  eq(o: IntLike): BoolTerm { return this.cmp('eq', o); }
  neq(o: IntLike): BoolTerm { return this.cmp('neq', o); }
}

export class BoolTerm {
  constructor(readonly q: Query, readonly id: number) {}
}

export type Division = 'quotient' | 'vars' | 'native';

export interface Z3Options {
  /** Per query; default 60 s. */
  timeoutMs?: number;
  /** How x div d and x mod d are encoded (see the header); default `quotient`. */
  division?: Division;
  /** Extra z3 solver parameters, e.g. { random_seed: 1 }. */
  params?: Record<string, boolean | number | string>;
  /** How long past its budget a check may stay unanswered before its z3 process is killed; default 20 s. */
  hungMarginMs?: number;
  /** For tests of the watchdog: the server blocks its thread this long before the first attempt (a hung z3). */
  stallFirstAttemptMs?: number;
}

/** The values of the named variables in a satisfying assignment of the negated claim. */
export type Counterexample = Record<string, bigint>;

/** Collects the variables and constraints of one query (the negation of a claim). */
export class Query {
  readonly nodes: TermNode[] = [];
  readonly constraints: BoolTerm[] = [];
  /** Reported in a counterexample, in insertion order. */
  readonly shown = new Map<string, IntTerm>();
  private names = new Set<string>();

  constructor(readonly division: Division = 'quotient') {}

  /** Appends a node; its index. */
  node(n: TermNode): number {
    this.nodes.push(n);
    return this.nodes.length - 1;
  }

  /** The node of an operand (a constant becomes a value node). */
  int_(o: IntLike): number {
    if (o instanceof IntTerm) {
      if (o.q !== this) throw new Error('z3 query: a term of another query');
      return o.id;
    }
    return this.val(o).id;
  }

  val(v: bigint | number): IntTerm {
    return new IntTerm(this, this.node({ op: 'val', value: BigInt(v).toString() }));
  }

  /** A fresh integer variable lo ≤ x < hi (bounds optional); shown in counterexamples unless hidden. */
  int(name: string, lo?: bigint, hi?: bigint, show = true): IntTerm {
    if (this.names.has(name)) throw new Error(`z3 query: variable ${name} declared twice`);
    this.names.add(name);
    const x = new IntTerm(this, this.node({ op: 'const', name }));
    if (lo !== undefined) this.add(x.ge(lo));
    if (hi !== undefined) this.add(x.lt(hi));
    if (show) this.shown.set(name, x);
    return x;
  }

  /** Shows an expression's value in counterexamples under a name. */
  show(name: string, e: IntTerm): IntTerm {
    this.shown.set(name, e);
    return e;
  }

  add(...c: BoolTerm[]): void {
    this.constraints.push(...c);
  }

  If(c: BoolTerm, a: IntTerm, b: IntTerm): IntTerm {
    return new IntTerm(this, this.node({ op: 'if', args: [c.id, a.id, b.id] }));
  }

  Or(...cs: BoolTerm[]): BoolTerm {
    return new BoolTerm(this, this.node({ op: 'or', args: cs.map((c) => c.id) }));
  }

  /** [x div d, x mod d] for a constant d > 0. `hiQ` bounds the quotient when known (q < hiQ). */
  divMod(x: IntTerm, d: bigint, name: string, hiQ?: bigint): [IntTerm, IntTerm] {
    if (d <= 0n) throw new Error('divMod: divisor must be positive');
    if (this.division === 'native') {
      const dv = this.val(d);
      return [new IntTerm(this, this.node({ op: 'div', args: [x.id, dv.id] })), new IntTerm(this, this.node({ op: 'mod', args: [x.id, dv.id] }))];
    }
    const q = this.int(`${name}_q`, undefined, hiQ, false);
    if (this.division === 'quotient') {
      const r = x.sub(q.mul(d));
      this.add(r.ge(0n), r.lt(d));
      return [q, r];
    }
    const r = this.int(`${name}_r`, 0n, d, false);
    this.add(x.eq(q.mul(d).add(r)));
    return [q, r];
  }

  sum(terms: IntTerm[]): IntTerm {
    if (terms.length === 0) return this.val(0n);
    return terms.length === 1 ? terms[0]! : new IntTerm(this, this.node({ op: 'sum', args: terms.map((t) => t.id) }));
  }
}

/** What the server is asked: the graph, the asserted nodes, the shown ones, the budget. */
export interface CheckRequest {
  nodes: TermNode[];
  asserts: number[];
  shown: Array<[string, number]>;
  timeoutMs: number;
  params: Record<string, boolean | number | string>;
  /** 0 for the first attempt, 1 for the retry on a fresh process. */
  attempt: number;
  stallMs?: number;
}

/** The server's answer; values are decimal strings. */
export type CheckReply =
  | { status: 'sat'; values: Array<[string, string]> }
  | { status: 'unsat' }
  | { status: 'unknown'; reason: string }
  | { status: 'error'; message: string };

/** Queries run one at a time (the server runs one check at a time; the clock must belong to the running one). */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Builds a query (the negation of a claim) and checks it. Resolves to null when it is
 * unsatisfiable (the claim holds), to the shown values of a model when it is satisfiable;
 * throws LemmaTimeout when z3 answers unknown or runs out of time.
 */
export function proveUnsat(build: (q: Query) => void, opts: Z3Options = {}): Promise<Counterexample | null> {
  const q = new Query(opts.division ?? 'quotient');
  build(q);
  const request: CheckRequest = {
    nodes: q.nodes,
    asserts: q.constraints.map((c) => c.id),
    shown: [...q.shown].map(([name, t]) => [name, t.id]),
    timeoutMs: Math.max(1, Math.round(opts.timeoutMs ?? DEFAULT_Z3_TIMEOUT_MS)),
    params: opts.params ?? {},
    attempt: 0,
    ...(opts.stallFirstAttemptMs ? { stallMs: opts.stallFirstAttemptMs } : {}),
  };
  const run = queue.then(() => check(request, opts.hungMarginMs ?? HUNG_MARGIN_MS));
  queue = run.catch(() => undefined);
  return run;
}

/** How long past its budget a check may stay unanswered (a fresh server's start included) before its process is killed. */
const HUNG_MARGIN_MS = 20_000;

async function check(request: CheckRequest, marginMs: number): Promise<Counterexample | null> {
  const t0 = performance.now();
  const retried = request.attempt > 0;
  const reply = await ask(request, request.timeoutMs + marginMs);
  const again = async (why: string): Promise<Counterexample | null> => {
    stopServer();
    if (!retried) return check({ ...request, attempt: 1 }, marginMs);
    throw new LemmaTimeout(`${why}, twice (budget ${request.timeoutMs} ms)`);
  };
  if (reply === 'hung') return again(`z3 did not answer within ${request.timeoutMs + marginMs} ms`);
  if (typeof reply === 'string') return again(`the z3 process ${reply}`);
  switch (reply.status) {
    case 'unsat':
      return null;
    case 'sat':
      return Object.fromEntries(reply.values.map(([k, v]) => [k, BigInt(v)]));
    case 'unknown':
      // An early unknown is asked once more of a fresh z3; one at the budget is the verdict.
      if (!retried && performance.now() - t0 < request.timeoutMs / 2) return again(`z3: ${reply.reason}`);
      throw new LemmaTimeout(`z3: ${reply.reason || 'unknown'} (budget ${request.timeoutMs} ms)`);
    case 'error':
      throw new Error(`z3 server: ${reply.message}`);
  }
}

let server: ChildProcess | undefined;

function startServer(): ChildProcess {
  const child = fork(fileURLToPath(new URL('./z3-server.mjs', import.meta.url)), [], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // A server that dies between checks is not reused (its next send would fail and waste the retry).
  child.once('exit', () => {
    if (server === child) server = undefined;
  });
  idle(child);
  killOnExit();
  return child;
}

let exitHook = false;
/** A blocked server never sees its parent disconnect: the parent kills it as it exits. */
function killOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => stopServer());
}

/** An idle server does not keep its parent alive. */
function idle(child: ChildProcess): void {
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
}

function busy(child: ChildProcess): void {
  child.ref();
  (child.channel as { ref?: () => void } | undefined)?.ref?.();
}

function stopServer(): void {
  const child = server;
  server = undefined;
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** One request to the server: its reply, 'hung' when the clock runs out, or why its process ended. */
function ask(request: CheckRequest, waitMs: number): Promise<CheckReply | 'hung' | string> {
  const child = (server ??= startServer());
  busy(child);
  return new Promise((resolve) => {
    const done = (r: CheckReply | 'hung' | string) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
      idle(child);
      resolve(r);
    };
    const onMessage = (m: unknown) => done(m as CheckReply);
    const onExit = (code: number | null, signal: string | null) => {
      if (server === child) server = undefined;
      done(`exited (${signal ?? `code ${code}`})`);
    };
    const onError = (e: Error) => done(`failed: ${e.message}`);
    const timer = setTimeout(() => done('hung'), waitMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.once('error', onError);
    child.send(request);
  });
}

/** Ends the z3 process (an idle one does not keep Node alive; this frees it at once). */
export async function shutdownZ3(): Promise<void> {
  await queue;
  stopServer();
}
