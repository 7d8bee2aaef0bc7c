// One gateway's plan through the engine's memory of the last pass: what the plan step runs for
// each gateway it owns (and what the scale benchmark runs, so that it measures this step).
import { atRevision, planGateway, planReads, type GatewayPlan, type Inventory, type LiveObject } from '../diff/index.ts';
import type { K8sObject, RenderedGateway } from '../render/index.ts';
import type { InputMemo } from './input-memo.ts';

export interface MemoPlanArgs {
  readonly memo: InputMemo<GatewayPlan>;
  readonly gateway: string;
  /** The gateway's render at the revision the rollout decided (undefined: removed from the fleet). */
  readonly rendered: RenderedGateway | undefined;
  /** Its rendered objects but those gateways share (splitShared(...).own). */
  readonly own: readonly K8sObject[];
  /** The live objects labelled as its own (liveOfGateway). */
  readonly live: readonly LiveObject[];
  readonly inventory: Inventory | undefined;
  readonly revision: string;
}

/**
 * Keyed by what the plan reads, not the commit: a push that leaves the gateway's render as it
 * was (the render cache hands out the same object) plans nothing for it again, nor does a live
 * object whose status alone moved (planReads).
 */
export function memoPlan({ memo, gateway, rendered, own, live, inventory, revision }: MemoPlanArgs): GatewayPlan {
  const reads = planReads({ desired: own, live });
  const plan = memo.get(gateway, [rendered, inventory?.objects, inventory?.renderHash, inventory?.revision, ...reads], () => planGateway({
    gateway,
    desired: own,
    live,
    ...(inventory && inventory.revision ? { inventory } : {}),
    revision,
    renderHash: rendered?.inputHash ?? '',
  }));
  return atRevision(plan, revision);
}
