// Splits one listing of everything we own into what each gateway's plan needs.
import { LABEL } from '../contract/index.ts';
import { sha256Hex } from '../render/canonical.ts';
import type { K8sObject } from '../render/index.ts';
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

const VIEWS = new WeakMap<LiveObject, string>();

/**
 * What a plan reads of a live object, as a digest: all of it but what the API server and the
 * controllers keep moving on objects nobody edited (status, resourceVersion, managedFields).
 * Two versions of an object with one view plan alike, so a Deployment whose rollout status moved
 * plans nothing again; a hand edit (spec, labels, annotations) changes it. Only for desired
 * objects that set no status of their own (planReads).
 */
export function planView(object: LiveObject): string {
  let view = VIEWS.get(object);
  if (view === undefined) {
    const { status: _status, metadata, ...rest } = object;
    const { resourceVersion: _version, managedFields: _fields, ...kept } = metadata as LiveObject['metadata'] & Readonly<Record<string, unknown>>;
    view = sha256Hex(JSON.stringify({ ...rest, metadata: kept }));
    VIEWS.set(object, view);
  }
  return view;
}

/**
 * The live inputs of one gateway's plan, for the engine's memo: each object's view, or the
 * objects themselves where a desired object sets a status (a plan then compares it too).
 */
export function planReads({ desired, live }: { desired: readonly K8sObject[]; live: readonly LiveObject[] }): readonly unknown[] {
  return desired.some((object) => 'status' in object) ? live : live.map(planView);
}
