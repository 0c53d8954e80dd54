// What `zkrtl prove` reports: one verdict per lemma. A lemma is a statement about one
// generated design (its constants, its netlist), checked by BigInt interval arithmetic, by an
// SMT solver (z3, WebAssembly, in a child process) or by SAT on the Verilog (Yosys).

export type Verdict = 'proved' | 'failed' | 'timeout';

export interface LemmaResult {
  /** Short dotted name, e.g. `ab.grid`, `redc.m`, `final.sub`, `e2e.sat`. */
  name: string;
  /** One line: what the lemma states, with the constants it uses. */
  statement: string;
  /** How it was checked: `interval`, `symbolic`, `z3`, `yosys-sat`. */
  method: string;
  verdict: Verdict;
  ms: number;
  /** For a failure: the counterexample or the first term that does not match. */
  detail?: string;
}

export interface Lemma {
  name: string;
  statement: string;
  method: string;
  /** Throws LemmaFailure with a detail when the statement is false; resolves when proved. */
  check(): Promise<void> | void;
}

export class LemmaFailure extends Error {}

export class LemmaTimeout extends Error {}

/** Runs lemmas one after another, timing each; never throws for a false lemma. */
export async function runLemmas(lemmas: Lemma[], onResult?: (r: LemmaResult, index: number) => void): Promise<LemmaResult[]> {
  const results: LemmaResult[] = [];
  for (const [i, l] of lemmas.entries()) {
    const t0 = performance.now();
    let verdict: Verdict = 'proved';
    let detail: string | undefined;
    try {
      await l.check();
    } catch (e) {
      if (e instanceof LemmaTimeout) verdict = 'timeout';
      else if (e instanceof LemmaFailure) verdict = 'failed';
      else throw e;
      detail = (e as Error).message;
    }
    const r: LemmaResult = { name: l.name, statement: l.statement, method: l.method, verdict, ms: Math.round(performance.now() - t0), ...(detail ? { detail } : {}) };
    results.push(r);
    onResult?.(r, i);
  }
  return results;
}
