// The z3 side of `zkrtl prove`: one shared in-process z3 (WebAssembly) context, created on first
// use, and a helper that checks that the negation of a claim is unsatisfiable.
//
// Queries use the theory of integers only: linear arithmetic with big constants, products of a
// variable by a constant, and integer division by a constant. By default x div d, x mod d is one
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
// Starting z3 (loading the wasm, first worker thread) costs about 1.5 s, paid by the first query.
//
// Every check has a timeout (z3's own `timeout` parameter, backed by an interrupt from the JS
// side in case the solver does not notice in time); `unknown` becomes a LemmaTimeout.
import { init, killThreads, type Arith, type Bool, type Context } from 'z3-solver';
import { LemmaTimeout } from './lemma.ts';

export type Z3 = Context<'zkrtl'>;
export type Z3Int = Arith<'zkrtl'>;
export type Z3Bool = Bool<'zkrtl'>;

export const DEFAULT_Z3_TIMEOUT_MS = 60_000;

type Api = Awaited<ReturnType<typeof init>>;
let shared: Promise<{ api: Api; z: Z3 }> | undefined;

/** The shared context; z3 is loaded on the first call. */
export async function z3Context(): Promise<Z3> {
  shared ??= init().then((api) => ({ api, z: new api.Context('zkrtl') }));
  return (await shared).z;
}

/** Stops z3's worker threads (they keep Node alive); the next query starts a fresh z3. */
export async function shutdownZ3(): Promise<void> {
  if (!shared) return;
  const { api } = await shared;
  shared = undefined;
  await killThreads(api.em);
}

export type Division = 'quotient' | 'vars' | 'native';

export interface Z3Options {
  /** Per query; default 60 s. */
  timeoutMs?: number;
  /** How x div d and x mod d are encoded (see the header); default `quotient`. */
  division?: Division;
  /** Extra z3 solver parameters, e.g. { random_seed: 1 }. */
  params?: Record<string, boolean | number | string>;
}

/** The values of the named variables in a satisfying assignment of the negated claim. */
export type Counterexample = Record<string, bigint>;

/** Collects the variables and constraints of one query (the negation of a claim). */
export class Query {
  readonly constraints: Z3Bool[] = [];
  /** Reported in a counterexample, in insertion order. */
  readonly shown = new Map<string, Z3Int>();
  private names = new Set<string>();

  constructor(readonly z: Z3, readonly division: Division = 'quotient') {}

  val(v: bigint | number): Z3Int {
    return this.z.Int.val(BigInt(v));
  }

  /** A fresh integer variable lo ≤ x < hi (bounds optional); shown in counterexamples unless hidden. */
  int(name: string, lo?: bigint, hi?: bigint, show = true): Z3Int {
    if (this.names.has(name)) throw new Error(`z3 query: variable ${name} declared twice`);
    this.names.add(name);
    const x = this.z.Int.const(name);
    if (lo !== undefined) this.add(x.ge(this.val(lo)));
    if (hi !== undefined) this.add(x.lt(this.val(hi)));
    if (show) this.shown.set(name, x);
    return x;
  }

  /** Shows an expression's value in counterexamples under a name. */
  show(name: string, e: Z3Int): Z3Int {
    this.shown.set(name, e);
    return e;
  }

  add(...c: Z3Bool[]): void {
    this.constraints.push(...c);
  }

  /** [x div d, x mod d] for a constant d > 0. `hiQ` bounds the quotient when known (q < hiQ). */
  divMod(x: Z3Int, d: bigint, name: string, hiQ?: bigint): [Z3Int, Z3Int] {
    if (d <= 0n) throw new Error('divMod: divisor must be positive');
    if (this.division === 'native') {
      const dv = this.val(d);
      return [x.div(dv), x.mod(dv)];
    }
    const q = this.int(`${name}_q`, undefined, hiQ, false);
    if (this.division === 'quotient') {
      const r = x.sub(q.mul(this.val(d)));
      this.add(r.ge(this.val(0n)), r.lt(this.val(d)));
      return [q, r];
    }
    const r = this.int(`${name}_r`, 0n, d, false);
    this.add(x.eq(q.mul(this.val(d)).add(r)));
    return [q, r];
  }

  sum(terms: Z3Int[]): Z3Int {
    if (terms.length === 0) return this.val(0n);
    return terms.length === 1 ? terms[0]! : this.z.Sum(terms[0]!, ...terms.slice(1));
  }
}

/** Queries run one at a time (z3 runs one check at a time anyway; the timeout guard must belong to the running one). */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Builds a query (the negation of a claim) and checks it. Resolves to null when it is
 * unsatisfiable (the claim holds), to the shown values of a model when it is satisfiable;
 * throws LemmaTimeout when z3 answers unknown or runs out of time.
 */
export function proveUnsat(build: (q: Query) => void, opts: Z3Options = {}): Promise<Counterexample | null> {
  const run = queue.then(() => check(build, opts));
  queue = run.catch(() => undefined);
  return run;
}

/** How long past its budget a check may stay unanswered before its z3 is given up as hung. */
const HUNG_MARGIN_MS = 15_000;

async function check(build: (q: Query) => void, opts: Z3Options, retried = false): Promise<Counterexample | null> {
  const z = await z3Context();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_Z3_TIMEOUT_MS;
  const q = new Query(z, opts.division ?? 'quotient');
  build(q);
  const solver = new z.Solver();
  let hung = false;
  try {
    solver.set('timeout', Math.max(1, Math.round(timeoutMs)));
    for (const [key, v] of Object.entries(opts.params ?? {})) solver.set(key, v);
    solver.add(...q.constraints);
    // z3 checks its own timer; the interrupt is a backstop if a check runs past it. A check
    // whose worker thread never answers at all (seen once in a test run: the promise never
    // settled, every thread asleep) is given up: that z3 is dropped, a fresh one starts, and
    // the query runs once more there.
    let guard: NodeJS.Timeout | undefined;
    let giveUp: NodeJS.Timeout | undefined;
    let status: 'sat' | 'unsat' | 'unknown' | 'hung';
    try {
      guard = setTimeout(() => z.interrupt(), timeoutMs + 2_000);
      const hungAfter = new Promise<'hung'>((resolve) => { giveUp = setTimeout(() => resolve('hung'), timeoutMs + HUNG_MARGIN_MS); });
      status = await Promise.race([solver.check(), hungAfter]);
    } finally {
      clearTimeout(guard);
      clearTimeout(giveUp);
    }
    if (status === 'hung') {
      hung = true;
      await abandonZ3();
      if (!retried) return await check(build, opts, true);
      throw new LemmaTimeout(`z3 did not answer within ${timeoutMs + HUNG_MARGIN_MS} ms, twice (budget ${timeoutMs} ms)`);
    }
    if (status === 'unsat') return null;
    if (status === 'unknown') {
      throw new LemmaTimeout(`z3: ${solver.reasonUnknown() || 'unknown'} (budget ${timeoutMs} ms)`);
    }
    const model = solver.model();
    const cex: Counterexample = {};
    for (const [name, e] of q.shown) {
      const v = model.eval(e, true);
      cex[name] = z.isIntVal(v) ? v.value() : BigInt(v.toString());
    }
    model.release();
    return cex;
  } finally {
    // A hung z3 is not touched again (its threads may hold the locks a release would wait on).
    if (!hung) solver.release();
  }
}

/** Drops the shared z3 without waiting on it: its threads are terminated, the next query starts afresh. */
async function abandonZ3(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (!current) return;
  const { api } = await current;
  await Promise.race([killThreads(api.em), new Promise((resolve) => setTimeout(resolve, 5_000))]);
}
