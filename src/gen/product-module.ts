// Emits a planned product (see product.ts) as a Verilog module.
import { GENERATOR_ID, renderTemplate, type VerilogModule } from './design.ts';
import { verilogBody } from './netlist.ts';
import type { ProductPlan } from './product.ts';

export function productModule(plan: ProductPlan, title: string): VerilogModule {
  const { spec, netlist } = plan;
  const ports = [
    ...(plan.latency > 0 ? [{ name: 'clk', dir: 'in', width: 1 }] : []),
    ...netlist.inputs.map((i) => ({ name: i.name, dir: 'in', width: i.width })),
    { name: 'out', dir: 'out', width: plan.outWidth },
  ];
  const yText = 'constant' in spec.y ? `0x${spec.y.constant.toString(16)} (${spec.constMode === 'csd' ? 'shift-and-add on signed digits' : 'DSP tiles'})` : 'y';
  const addends = spec.addends.map((a) => ` + ${a.port}*2^${a.shift}`).join('') + (spec.offset ? ` + 0x${spec.offset.toString(16)}` : '');
  const band = plan.band ? `only the high band of x*y: tiles wholly below bit ${plan.band.cut} not built (${plan.band.droppedTiles}), the others from bit ${plan.band.cut} up; ` : '';
  const text = renderTemplate('product', {
    generator: GENERATOR_ID,
    name: spec.name,
    title,
    summary:
      `out = (x*${yText}${addends}) mod 2^${spec.outBits}, bits [${spec.outBits - 1}:${spec.outLo}]; ${band}` +
      `${plan.tiles} tiles of ${spec.tile[0]}x${spec.tile[1]}, ${plan.treeOperands} tree operands, ${plan.treeLevels} adder levels`,
    latency: plan.latency,
    ports,
    body: verilogBody(netlist),
    out: netlist.stmts[netlist.stmts.length - 1].name,
  });
  return { name: spec.name, text };
}
