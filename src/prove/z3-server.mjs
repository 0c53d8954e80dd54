// The z3 process of `zkrtl prove` (started by z3.ts with fork): loads z3's WebAssembly build once,
// then answers one check per message. A message is a term graph (z3.ts's TermNode list), the
// nodes to assert, the nodes to show and a budget; the graph is replayed through z3's API, the
// same calls the lemmas used to make in-process, so the solver sees the same terms.
// Plain JavaScript so that it starts without a TypeScript loader; it exits with its parent.
import { init } from 'z3-solver';

// Messages may arrive while z3 loads; each waits for it.
const ready = init().then(({ Context }) => new Context('zkrtl'));
let z;

const BINARY = new Set(['add', 'sub', 'mul', 'div', 'mod', 'ge', 'gt', 'le', 'lt', 'eq', 'neq']);

/** The z3 expressions of the graph's nodes, in order (each node refers to earlier ones). */
function replay(nodes) {
  const out = [];
  for (const n of nodes) {
    const a = (i) => out[n.args[i]];
    if (n.op === 'const') out.push(z.Int.const(n.name));
    else if (n.op === 'val') out.push(z.Int.val(BigInt(n.value)));
    else if (BINARY.has(n.op)) out.push(a(0)[n.op](a(1)));
    else if (n.op === 'if') out.push(z.If(a(0), a(1), a(2)));
    else if (n.op === 'sum') out.push(z.Sum(...n.args.map((i) => out[i])));
    else if (n.op === 'or') out.push(z.Or(...n.args.map((i) => out[i])));
    else throw new Error(`unknown term node '${n.op}'`);
  }
  return out;
}

async function check(req) {
  z ??= await ready;
  // A test of the parent's watchdog: block this thread as a hung z3 would.
  if (req.stallMs && req.attempt === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, req.stallMs);
  const terms = replay(req.nodes);
  const solver = new z.Solver();
  try {
    solver.set('timeout', req.timeoutMs);
    for (const [key, v] of Object.entries(req.params)) solver.set(key, v);
    solver.add(...req.asserts.map((i) => terms[i]));
    // z3 checks its own timer; the interrupt is a backstop if a check runs past it.
    const guard = setTimeout(() => z.interrupt(), req.timeoutMs + 2_000);
    let status;
    try {
      status = await solver.check();
    } finally {
      clearTimeout(guard);
    }
    if (status === 'unsat') return { status };
    if (status === 'unknown') return { status, reason: solver.reasonUnknown() || 'unknown' };
    const model = solver.model();
    const values = req.shown.map(([name, i]) => {
      const v = model.eval(terms[i], true);
      return [name, z.isIntVal(v) ? v.value().toString() : v.toString()];
    });
    model.release();
    return { status, values };
  } finally {
    solver.release();
  }
}

process.on('disconnect', () => process.exit(0));
process.on('message', (req) => {
  check(req).then(
    (reply) => process.send(reply),
    (e) => process.send({ status: 'error', message: e instanceof Error ? e.message : String(e) }),
  );
});
