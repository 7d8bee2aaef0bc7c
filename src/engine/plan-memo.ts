// The plan step's memory between passes: what each gateway was last planned from.
import type { GatewayPlan } from '../diff/index.ts';

/**
 * Each gateway's last plan and what it was made from. planGateway is pure: made from the same
 * render, inventory and live objects (the same objects: the watch cache and the loader hand
 * out one object until it changes, and an inventory whose rollout state alone changed keeps
 * its list of objects), it is the same plan, so a pass that changed nothing plans nothing
 * again.
 */
export class PlanMemo {
  private readonly last = new Map<string, { readonly inputs: readonly unknown[]; readonly plan: GatewayPlan }>();

  plan(gateway: string, inputs: readonly unknown[], make: () => GatewayPlan): GatewayPlan {
    const last = this.last.get(gateway);
    if (last && last.inputs.length === inputs.length && last.inputs.every((input, i) => input === inputs[i])) return last.plan;
    const plan = make();
    this.last.set(gateway, { inputs, plan });
    return plan;
  }

  /** Forgets the gateways this pass did not plan. */
  keepOnly(gateways: ReadonlySet<string>): void {
    for (const gateway of this.last.keys()) if (!gateways.has(gateway)) this.last.delete(gateway);
  }
}
