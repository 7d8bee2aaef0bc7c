// What a candidate commit changes on one gateway, judged from the gateway's rendered
// objects rather than file paths: a catalog or fleet.yaml edit can change many gateways'
// workloads, and a response file changes only what its responses render to.
import { isDeepStrictEqual } from 'node:util';
import type { Response } from '../model/types.generated.ts';

/** The response kinds a customer may pre-authorise (Customer `preauthorized`). */
export type ResponseAction = Response['spec']['action'];

const RESPONSE_ACTIONS: ReadonlySet<string> = new Set<ResponseAction>(['ip-block', 'vuln-scan', 'edr-action']);

const isResponseAction = (action: string | undefined): action is ResponseAction => action !== undefined && RESPONSE_ACTIONS.has(action);

export const RESPONSE_LABEL = 'essg.io/response';
export const RESPONSE_ACTION_LABEL = 'essg.io/response-action';

/** The part of a rendered Kubernetes object the classification reads. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string | undefined>>;
  };
  readonly [field: string]: unknown;
}

export interface GatewayChange {
  readonly gateway: string;
  readonly customer: string;
  /** Anything other than response objects is added, changed or removed. */
  readonly touchesWorkloads: boolean;
  /** Response kinds whose objects are added, changed or removed. */
  readonly responseActions: ReadonlySet<ResponseAction>;
  /** The catalog versions or fleet settings the render uses differ from the accepted ones: the fleet's operators must approve. */
  readonly fleetWide: boolean;
  /** `Kind namespace/name` of each object that differs, sorted, for the audit record. */
  readonly changedObjects: readonly string[];
}

export interface ClassifyChangeArgs {
  readonly gateway: string;
  readonly customer: string;
  /** The gateway's render at its applied revision. */
  readonly previous: readonly RenderedObject[];
  /** The gateway's render at the candidate commit. */
  readonly candidate: readonly RenderedObject[];
  /**
   * The render's operator hash (see `operatorKey`) at the last accepted revision and at the
   * candidate; undefined where the gateway has no render (never applied, or removed).
   */
  readonly operatorHash: { readonly previous: string | undefined; readonly candidate: string | undefined };
}

export function classifyChange({ gateway, customer, previous, candidate, operatorHash }: ClassifyChangeArgs): GatewayChange {
  const before = byIdentity(previous);
  const after = byIdentity(candidate);
  const responseActions = new Set<ResponseAction>();
  const changedObjects: string[] = [];
  let touchesWorkloads = false;
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(key);
    const now = after.get(key);
    if (old && now && isDeepStrictEqual(old, now)) continue;
    changedObjects.push(key);
    // An object that is a response on either side is a response change; whatever else
    // moves is a workload change, which only a review may authorise.
    const action = responseActionOf(now) ?? responseActionOf(old);
    if (action) responseActions.add(action);
    else touchesWorkloads = true;
  }
  return {
    gateway,
    customer,
    touchesWorkloads,
    responseActions,
    // Judged against the last accepted state, not the last commit's paths: a catalog version
    // pushed unreviewed and used by a later customer-only change still needs the operators.
    // A gateway that is removed uses nothing of the catalog.
    fleetWide: operatorHash.candidate !== undefined && operatorHash.candidate !== operatorHash.previous,
    changedObjects: changedObjects.sort(),
  };
}

export function hasChange(change: GatewayChange): boolean {
  return change.touchesWorkloads || change.responseActions.size > 0;
}

function responseActionOf(object: RenderedObject | undefined): ResponseAction | undefined {
  const labels = object?.metadata.labels;
  if (!labels?.[RESPONSE_LABEL]) return undefined;
  const action = labels[RESPONSE_ACTION_LABEL];
  // A response object with an unknown action is treated as a workload: only a review covers it.
  return isResponseAction(action) ? action : undefined;
}

function byIdentity(objects: readonly RenderedObject[]): Map<string, RenderedObject> {
  const map = new Map<string, RenderedObject>();
  for (const object of objects) {
    const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
    map.set(`${object.kind} ${ns}${object.metadata.name} (${object.apiVersion})`, object);
  }
  return map;
}
