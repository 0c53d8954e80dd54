// rv32im: the formal proofs on record, for `npm run bench` (section rv32im-proofs). The
// record (bench/rv32im-proofs.json) is written by `zkrtl formal rv32im … --record`: one proof
// per configuration and check, naming its model by a digest of what decided it. This section
// makes each recorded configuration's models again with the code of today and says, check by
// check, whether its proof holds for today's RTL at the stated depth (proved), holds for it
// less deep (shallow), is about other RTL (stale), or is missing; it runs no solver.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentModel, parseProofBook, standing, type ProofRecord, type Standing } from '../src/formal/proof-record.ts';
import { checkDepth } from '../src/formal/run.ts';
import { formalChecks } from '../src/formal/rvfi-harness.ts';
import { parseParamArgs } from '../src/gen/params.ts';
import { parseRv32imParams } from '../src/gen/rv32im.ts';

export const PROOF_RECORD = join(import.meta.dirname, 'rv32im-proofs.json');

export interface Rv32imProofRow {
  check: string;
  standing: Standing | 'none';
  /** The stated depth of the check (its own for reg, pc, live and the unit checks). */
  stated: number;
  proof?: Pick<ProofRecord, 'engine' | 'depth' | 'solver' | 'seconds' | 'date' | 'commit'>;
}

export interface Rv32imProofsConfig {
  params: string;
  top: string;
  rows: Rv32imProofRow[];
}

/** Every configuration on record, each of its checks against the code of today. */
export function benchRv32imProofs(path = PROOF_RECORD): Rv32imProofsConfig[] {
  const book = parseProofBook(readFileSync(path, 'utf8'), path);
  const tops = [...new Set(book.proofs.map((p) => p.top))];
  return tops.map((top) => {
    const recs = book.proofs.filter((p) => p.top === top);
    const params = recs[0]!.params;
    const raw = parseParamArgs(params.split(' '));
    const cfg = parseRv32imParams(raw);
    const rows = formalChecks(cfg).map((check): Rv32imProofRow => {
      const rec = recs.find((p) => p.check === check.name);
      const stated = checkDepth(cfg, check);
      if (!rec) return { check: check.name, standing: 'none', stated };
      const { engine, depth, solver, seconds, date, commit } = rec;
      return { check: check.name, standing: standing(rec, cfg, check, currentModel(raw, check)), stated, proof: { engine, depth, solver, seconds, date, commit } };
    });
    return { params, top, rows };
  });
}

const hours = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : `${Math.round(s / 60)} min`);

export function renderRv32imProofs(configs: Rv32imProofsConfig[]): string[] {
  const L: string[] = ['## rv32im: formal proofs on record', ''];
  L.push(
    'The proofs `zkrtl formal rv32im … --record bench/rv32im-proofs.json` recorded, each naming its model by a sha256 of what decided it (the core with its stand-in units, the ISA spec, the check\'s harness, the Yosys script, ABC\'s preparation and the Yosys version). This section makes every recorded configuration\'s models again with the code of its own run (the commit above) and compares: **proved** (today\'s model, at the stated depth or deeper, or by pdr at every depth), **shallow** (today\'s model, less deep than stated), **stale** (another model: the RTL, the spec, a harness or the Yosys changed since the proof), **–** (not on record). It runs no solver. Seconds: the check\'s wall-clock time in the run that proved it; date and commit: that run\'s (also for a proof recorded afterwards from the run\'s folder with `--from`). `--resume` runs only what is not proved on record.',
    '',
  );
  for (const c of configs) {
    const n = (s: Rv32imProofRow['standing']) => c.rows.filter((r) => r.standing === s).length;
    const solver = c.rows.filter((r) => r.standing === 'proved').reduce((a, r) => a + (r.proof?.seconds ?? 0), 0);
    L.push(`**\`${c.params}\`** (${c.top}): ${n('proved')} of ${c.rows.length} checks proved on today's RTL at the stated depth${n('shallow') ? `, ${n('shallow')} shallow` : ''}${n('stale') ? `, ${n('stale')} stale` : ''}${n('none') ? `, ${n('none')} not on record` : ''}; the proved ones took ${hours(solver)} in all.`, '');
    L.push('| check | standing | engine | depth (stated) | seconds | date | commit |', '|---|---|---|---|---|---|---|');
    for (const r of c.rows) {
      const p = r.proof;
      const depth = !p ? `– (${r.stated})` : p.engine === 'pdr' ? `all (${r.stated})` : `${p.depth} (${r.stated})`;
      const engine = !p ? '–' : p.engine === 'pdr' ? 'pdr' : `bmc3${p.solver ? ` ${p.solver}` : ''}`;
      L.push(`| ${r.check} | ${r.standing === 'none' ? '–' : r.standing} | ${engine} | ${depth} | ${p ? p.seconds.toFixed(1) : '–'} | ${p?.date ?? '–'} | ${p?.commit ?? '–'} |`);
    }
    L.push('');
  }
  return L;
}
