// Programmable-prime NTT butterfly (`butterfly --param prime=runtime --param width=W`): the
// fixed-prime butterfly with mult=montmul (butterfly.ts), with p and p′ loaded at run time.
//   ct (Cooley–Tukey):     x = a + w·b,  y = a − w·b      latency montmul + 1
//   gs (Gentleman–Sande):  x = a + b,    y = (a − b)·w    latency 1 + montmul
// The twiddle w enters in Montgomery form w·R mod p with R = 2^W whatever p is loaded, so
// montmul(b, w·R) = b·w and data stay canonical plain, as in the fixed-prime butterfly.
//
// Built from the montmul twin (montmul-runtime.ts, unchanged) and an adder and subtractor whose
// p is a register loaded from the same cfg port (modadd_runtime / modsub_runtime: the fixed
// adder's carry chains with the constant −p replaced by the register's complement, +1 in the
// free carry bit). Widths for any p < 2^W: a + b < 2p < 2^(W+1) and a + b − p ∈ [−p, p) fit the
// W+1-bit chain whose top bit is the sign; a − b ∈ (−p, p) likewise; the wrapped results are
// used only when they lie in [0, p) and so fit W bits.
//
// Reconfiguration: every copy of p and p′ (the multiplier's, the adder's, the subtractor's) is
// written on the same cfg_valid, and an operation taken in cycle t reads them in cycles
// t .. t + L − 1 (ct: the multiplier from t + 1, the adder and subtractor in t + L − 1;
// gs: the adder and subtractor in t, the multiplier up to t + L − 1). That is the montmul
// twin's window, so its rule holds word for word with this L (configRule).
import { UsageError } from '../base/errors.ts';
import { GENERATOR_ID, delayModule, mergeModules, renderTemplate, type GeneratedDesign, type Port, type VerilogModule } from './design.ts';
import { MONTMUL_RUNTIME_PARAMS, RUNTIME_MAX_WIDTH, RUNTIME_MIN_WIDTH, configRule, generateMontmulRuntime } from './montmul-runtime.ts';
import { parseChoice, rejectUnknown, type ParamDoc, type RawParams } from './params.ts';

export const BUTTERFLY_RUNTIME_PARAMS: ParamDoc[] = [
  ...MONTMUL_RUNTIME_PARAMS.slice(0, 2),
  { name: 'kind', accepted: 'ct (Cooley-Tukey: a ± w·b) or gs (Gentleman-Sande: a + b, (a − b)·w)', default: 'ct' },
  { name: 'mult', accepted: 'montmul (the only multiplier with prime=runtime: modmul and shift reduce by the shape of a fixed p)', default: 'montmul' },
  ...MONTMUL_RUNTIME_PARAMS.slice(2),
];

/** What the butterfly block's help adds for the programmable twin. */
export const BUTTERFLY_RUNTIME_BLOCK_PARAMS: ParamDoc[] = [
  { name: 'prime', accepted: 'runtime: p and p′ loaded at run time (cfg_valid, cfg_p, cfg_pprime), no --field/--prime; takes width, kind, tile, tree, karatsuba', default: 'fixed: the --field/--prime' },
  { name: 'width', accepted: `with prime=runtime only: operand width W, ${RUNTIME_MIN_WIDTH}..${RUNTIME_MAX_WIDTH} (any odd p < 2^W can be loaded)`, default: '' },
];

/**
 * Why a butterfly with these parameters takes no field (prime=runtime), or undefined when it
 * takes one. Checks prime= and width= first, so a bad value fails before a field is asked for.
 */
export function butterflyFieldless(raw: RawParams): string | undefined {
  if (raw.prime !== undefined && raw.prime !== 'runtime') throw new UsageError(`prime=${raw.prime} is not accepted: give prime=runtime (p loaded at run time), or leave prime= out and give --field/--prime`);
  if (raw.width !== undefined && raw.prime !== 'runtime') throw new UsageError(`width=${raw.width}: width applies to prime=runtime only (a fixed-prime butterfly is as wide as its prime)`);
  return raw.prime === 'runtime' ? 'prime=runtime takes its prime at run time' : undefined;
}

/** modadd_runtime_wW or modsub_runtime_wW: p from a register loaded on cfg_valid. */
export function runtimeAddSub(block: 'modadd' | 'modsub', W: number): VerilogModule {
  const name = `${block}_runtime_w${W}`;
  return { name, text: renderTemplate(`${block}_runtime`, { generator: GENERATOR_ID, name, W }) };
}

export function generateButterflyRuntime(raw: RawParams): GeneratedDesign {
  rejectUnknown('butterfly prime=runtime', raw, BUTTERFLY_RUNTIME_PARAMS);
  const kind = parseChoice('kind', raw.kind ?? 'ct', ['ct', 'gs'] as const);
  if (raw.mult !== undefined && raw.mult !== 'montmul') {
    throw new UsageError(`mult=${raw.mult} with prime=runtime: ${raw.mult} reduces by the shape of a fixed p; the programmable butterfly takes mult=montmul`);
  }
  const own = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'kind' && k !== 'mult'));
  const mm = generateMontmulRuntime(own);
  const W = Number(mm.manifest.params.width);
  const add = runtimeAddSub('modadd', W);
  const sub = runtimeAddSub('modsub', W);
  const mmLatency = mm.manifest.latency!;
  const latency = mmLatency + 1;
  const top = `butterfly_${kind}_${mm.top.replace(/^montmul_/, '')}`;
  const text = renderTemplate('butterfly_runtime', {
    generator: GENERATOR_ID,
    name: top,
    kind,
    W,
    mul: mm.top,
    modadd: add.name,
    modsub: sub.name,
    mmLatency,
    latency,
  });
  const modules = [...mergeModules([delayModule()], mm.modules, [add], [sub]), { name: top, text }];
  const mmConfig = mm.manifest.config as Record<string, unknown>;
  const ports: Port[] = [
    { name: 'clk', dir: 'in', width: 1, description: 'clock' },
    { name: 'rst', dir: 'in', width: 1, description: 'synchronous, active high; clears valid bits only (not p and p\')' },
    { name: 'in_valid', dir: 'in', width: 1, description: 'a, b and w are taken in this cycle' },
    { name: 'a', dir: 'in', width: W, description: 'operand, canonical (< p of the loaded prime)' },
    { name: 'b', dir: 'in', width: W, description: 'operand, canonical (< p of the loaded prime)' },
    { name: 'w', dir: 'in', width: W, description: `twiddle in Montgomery form: w*2^${W} mod p (canonical)` },
    { name: 'cfg_valid', dir: 'in', width: 1, description: 'load cfg_p and cfg_pprime into every prime register at this clock edge (see config.rule)' },
    { name: 'cfg_p', dir: 'in', width: W, description: `the modulus p: odd, 3 <= p < 2^${W}` },
    { name: 'cfg_pprime', dir: 'in', width: W, description: `p' = -p^-1 mod 2^${W}` },
    { name: 'out_valid', dir: 'out', width: 1, description: `high exactly ${latency} cycles after in_valid` },
    { name: 'x', dir: 'out', width: W, description: kind === 'ct' ? 'a + w*b mod p, canonical' : 'a + b mod p, canonical' },
    { name: 'y', dir: 'out', width: W, description: kind === 'ct' ? 'a - w*b mod p, canonical' : '(a - b)*w mod p, canonical' },
  ];
  const { prime, width, ...mmRest } = mm.manifest.params;
  return {
    top,
    modules,
    manifest: {
      module: top,
      block: 'butterfly',
      generator: GENERATOR_ID,
      params: { prime, width, kind, mult: 'montmul', ...mmRest },
      latency,
      ii: 1,
      function: kind === 'ct' ? 'x = a + w*b mod p, y = a - w*b mod p' : 'x = a + b mod p, y = (a - b)*w mod p',
      summary: `prime loaded at run time (cfg_valid, cfg_p, cfg_pprime), any odd p < 2^${W}`,
      twiddle: `w enters in Montgomery form, w*R mod p with R = 2^${W} whatever p is loaded`,
      twiddleForm: 'montgomery',
      config: {
        ports: ['cfg_valid', 'cfg_p', 'cfg_pprime'],
        pprime: mmConfig.pprime,
        R: mmConfig.R,
        // The twiddle's Montgomery exponent: R = 2^k whatever p is loaded (manifest.montgomery
        // of a fixed-prime block also holds p-dependent values, so this one has none).
        k: W,
        rule: configRule(latency),
        drainCycles: latency - 1,
        registers: `p in ${mm.top}, ${add.name} and ${sub.name}, p' in ${mm.top}: all written on the same cfg_valid`,
        reset: 'p and p\' are not reset (rst clears valid bits only): load a prime before the first operation',
      },
      submodules: { montmul: mm.top, modadd: add.name, modsub: sub.name },
      multiplier: { block: 'montmul', module: mm.top, latency: mmLatency, stages: mm.manifest.stages },
      ports,
      files: modules.map((m) => `${m.name}.v`),
    },
  };
}
