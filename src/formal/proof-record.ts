// A record of proved formal checks (`zkrtl formal rv32im --record FILE`), kept in the
// repository so that proofs that take hours outlive the machine and the session that ran them.
// Each proof names the model it was about by a digest of exactly what decided it (the
// harness's Verilog, the core's with its stand-ins, the spec, the Yosys script, ABC's
// preparation and the Yosys version): the code of today makes the same model again, or the
// proof is about another (stale). So a
// record says which checks hold for the RTL the generator writes now, and a long run can
// resume (`--resume`) without running a proof whose model is unchanged.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paramText, type RawParams } from '../gen/params.ts';
import { parseRv32imParams, type Rv32imConfig } from '../gen/rv32im.ts';
import { harnessDigest, type BmcSolver, type FormalEngine } from './bmc.ts';
import { mulCompositionHarness } from './mul-composition.ts';
import { VERDICT_JSON, checkDepth, type CheckVerdict } from './run.ts';
import { generateHarness, type FormalCheck } from './rvfi-harness.ts';

export interface ProofRecord {
  /** The core's top (its parameters in short). */
  top: string;
  /** The parameters given, as `k=v` in the order given (what to pass to run it again). */
  params: string;
  check: string;
  engine: FormalEngine;
  /** bmc: cycles unrolled from reset; absent for pdr (a pdr proof holds at every depth). */
  depth?: number;
  /** bmc: the SAT solver. */
  solver?: BmcSolver;
  /** The check's wall-clock time in the run that proved it. */
  seconds: number;
  /** modelDigest of the model (bmc.ts: its files and the Yosys that read them). */
  model: string;
  /** The Yosys that read it (`yosys -V`; in the digest too). */
  yosys: string;
  /** UTC date the check was proved, YYYY-MM-DD. */
  date: string;
  /** The repository's commit when the check ran, `+` when src/ differed from it. */
  commit?: string;
}

export interface ProofBook {
  proofs: ProofRecord[];
}

/** The digest of the model a check of this configuration is run on by the code of today (the unit checks at their default width), read by `yosys`. */
export function currentModel(raw: RawParams, check: FormalCheck, yosys?: string): string {
  const cfg = parseRv32imParams(raw);
  return harnessDigest(check.kind === 'unit_mul32' ? mulCompositionHarness(cfg) : generateHarness(raw, check), yosys);
}

/**
 * The record of a proved check from its verdict (a run's, as it ends, or one its folder kept:
 * proofInFolder), for the configuration `raw`: the run's own seconds, Yosys, date and commit.
 */
export function proofRecord(raw: RawParams, top: string, v: ProvedVerdict): ProofRecord {
  return {
    top, params: paramText(raw), check: v.check, engine: v.engine, ...(v.depth === undefined ? {} : { depth: v.depth }), ...(v.solver ? { solver: v.solver } : {}),
    seconds: v.seconds, model: v.model, yosys: v.yosys, date: v.date.slice(0, 10), ...(v.commit ? { commit: v.commit } : {}),
  };
}

/** A verdict that is a proof: a passed check (not a cover) about a model, with its depth unless pdr's. */
export type ProvedVerdict = CheckVerdict & { model: string };

export function provedVerdict(v: CheckVerdict): ProvedVerdict | undefined {
  return v.kind !== 'cover' && v.status === 'pass' && typeof v.model === 'string' && (v.engine === 'pdr' || typeof v.depth === 'number') ? (v as ProvedVerdict) : undefined;
}

/**
 * Where a record stands against the code of today: `proved` (the same model, to the stated
 * depth or deeper, or by pdr), `shallow` (the same model, not as deep as the stated depth),
 * `stale` (another model: the RTL, the spec or the harness changed since).
 */
export type Standing = 'proved' | 'shallow' | 'stale';

export function standing(rec: ProofRecord, cfg: Rv32imConfig, check: FormalCheck, model: string): Standing {
  if (rec.model !== model) return 'stale';
  if (rec.engine === 'pdr') return 'proved';
  return (rec.depth ?? 0) >= checkDepth(cfg, check) ? 'proved' : 'shallow';
}

/** Does `rec` already cover a run of this check at `depth` (undefined: pdr) on `model`? */
export function covers(rec: ProofRecord, model: string, engine: FormalEngine, depth: number | undefined): boolean {
  if (rec.model !== model) return false;
  if (rec.engine === 'pdr') return true;
  return engine === 'bmc' && depth !== undefined && (rec.depth ?? 0) >= depth;
}

/** A proof is at least as strong as another of the same model when it is pdr's, or unrolls as deep. */
const atLeastAsStrong = (a: ProofRecord, b: ProofRecord) => a.engine === 'pdr' || (b.engine === 'bmc' && (a.depth ?? 0) >= (b.depth ?? 0));

/**
 * The book with `rec` in it: one record per core and check, the newest model's, and of one
 * model the strongest proof (a shallower proof of a model already proved deeper adds nothing).
 * Sorted by top and check, so the file changes only where a proof does.
 */
export function addProof(book: ProofBook, rec: ProofRecord): ProofBook {
  const old = book.proofs.find((p) => p.top === rec.top && p.check === rec.check);
  if (old && old.model === rec.model && !atLeastAsStrong(rec, old)) return book;
  const proofs = [...book.proofs.filter((p) => p !== old), rec];
  proofs.sort((a, b) => (a.top === b.top ? (a.check < b.check ? -1 : a.check > b.check ? 1 : 0) : a.top < b.top ? -1 : 1));
  return { proofs };
}

const FIELDS: Record<keyof ProofRecord, 'string' | 'number' | 'string?' | 'number?'> = {
  top: 'string', params: 'string', check: 'string', engine: 'string', depth: 'number?', solver: 'string?',
  seconds: 'number', model: 'string', yosys: 'string', date: 'string', commit: 'string?',
};

/** The book in `text` (the file `path`), or an Error that names the file and what is wrong. */
export function parseProofBook(text: string, path: string): ProofBook {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not JSON (${(e as Error).message}): give a record written by zkrtl formal --record, or a new file`);
  }
  const proofs = (json as { proofs?: unknown }).proofs;
  if (!Array.isArray(proofs)) throw new Error(`${path} has no "proofs" list: give a record written by zkrtl formal --record, or a new file`);
  proofs.forEach((p, i) => {
    for (const [k, kind] of Object.entries(FIELDS)) {
      const v = (p as Record<string, unknown>)[k];
      if (v === undefined && kind.endsWith('?')) continue;
      if (typeof v !== kind.replace('?', '')) throw new Error(`${path}: proof ${i + 1} has no ${kind.replace('?', '')} "${k}": give a record written by zkrtl formal --record`);
    }
    const e = (p as ProofRecord).engine;
    if (e !== 'bmc' && e !== 'pdr') throw new Error(`${path}: proof ${i + 1} has engine "${e}": bmc or pdr`);
  });
  return { proofs: proofs as ProofRecord[] };
}

/** The file's text: keys in a fixed order, one proof per line. */
export function formatProofBook(book: ProofBook): string {
  const keys = Object.keys(FIELDS) as (keyof ProofRecord)[];
  const line = (p: ProofRecord) => JSON.stringify(Object.fromEntries(keys.filter((k) => p[k] !== undefined).map((k) => [k, p[k]])));
  if (!book.proofs.length) return '{\n  "proofs": []\n}\n';
  return `{\n  "proofs": [\n${book.proofs.map((p) => `    ${line(p)}`).join(',\n')}\n  ]\n}\n`;
}

/**
 * The proof an earlier run left in a check's folder (`zkrtl formal --out DIR`: DIR/<check>),
 * from the verdict file the run wrote when the check was decided (and removed when it started
 * it again): the whole check's verdict, with the digest of the model it was about. `why` says
 * what is missing.
 */
export function proofInFolder(dir: string): { verdict: ProvedVerdict } | { why: string } {
  const path = join(dir, VERDICT_JSON);
  if (!existsSync(path)) return { why: `no ${path} (the check was not decided there)` };
  let v: CheckVerdict;
  try {
    v = JSON.parse(readFileSync(path, 'utf8')) as CheckVerdict;
  } catch (e) {
    return { why: `${path} is not JSON (${(e as Error).message})` };
  }
  if (v.kind === 'cover') return { why: `${path} is a cover's (a reached cover is no proof)` };
  if (v.status !== 'pass' || typeof v.model !== 'string') return { why: `${path} says ${v.status === 'pass' ? 'nothing of the model' : `the check ${({ fail: 'failed', error: 'ended in an error', open: 'had no verdict' } as Record<string, string>)[v.status] ?? `ended as ${v.status}`}`}` };
  const proved = provedVerdict(v);
  return proved ? { verdict: proved } : { why: `${path} gives no depth` };
}
