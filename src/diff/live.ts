// Splits one listing of everything we own into what each gateway's plan needs.
import { LABEL } from '../contract/index.ts';
import type { LiveObject } from './refs.ts';

export interface LiveByGateway {
  /** Objects labelled with a gateway, by gateway name. */
  readonly byGateway: ReadonlyMap<string, readonly LiveObject[]>;
  /** Objects of no single gateway (the customer Namespaces): every gateway's plan sees them. */
  readonly shared: readonly LiveObject[];
}

export function groupLiveByGateway(live: readonly LiveObject[]): LiveByGateway {
  const byGateway = new Map<string, LiveObject[]>();
  const shared: LiveObject[] = [];
  for (const object of live) {
    const gateway = object.metadata.labels?.[LABEL.gateway];
    if (gateway === undefined) {
      shared.push(object);
      continue;
    }
    const list = byGateway.get(gateway);
    if (list) list.push(object);
    else byGateway.set(gateway, [object]);
  }
  return { byGateway, shared };
}

/** One gateway's live objects and those its gateways share (Namespaces, pre-pull jobs): what its health reads. */
export function liveForGateway(grouped: LiveByGateway, gateway: string): LiveObject[] {
  return [...(grouped.byGateway.get(gateway) ?? []), ...grouped.shared];
}

/**
 * The live objects labelled as one gateway's: what its plan compares with. What gateways share
 * is planned once (planShared), so a pre-pull job or a Namespace that changes re-plans no gateway.
 */
export function liveOfGateway(grouped: LiveByGateway, gateway: string): readonly LiveObject[] {
  return grouped.byGateway.get(gateway) ?? [];
}
