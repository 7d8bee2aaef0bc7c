// Where the reconciler keeps its own state in the cluster, and under which names. A new
// leader, `essg status`, the tests and the benchmarks find a gateway's inventory, rollout
// state and history by these names, so they are built here and nowhere else.
import { PRODUCT } from './labels.ts';

/** The reconciler's namespace: its Lease, the inventories (with each gateway's rollout state) and the histories. */
export const SYSTEM_NAMESPACE = 'essg-system';

/** The reconciler's Deployment, ServiceAccount and Service, and the Lease its replicas elect a leader by. */
export const RECONCILER_NAME = 'essg-reconciler';
export const LEASE_NAME = RECONCILER_NAME;

/** With `--shards N` (N > 1): the Lease of shard i, held by the one replica that applies its gateways. */
export function shardLeaseName(shard: number, count: number): string {
  return `${RECONCILER_NAME}-shard-${shard}-of-${count}`;
}

const MEMBER_PREFIX = `${RECONCILER_NAME}-member-`;

/** A replica's membership Lease: renewed while it runs, so the others count it when they share out the shards. */
export function memberLeaseName(identity: string): string {
  // A Lease name is a DNS subdomain; the identity itself is the Lease's holder.
  const safe = identity.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 200);
  return `${MEMBER_PREFIX}${safe || 'replica'}`;
}

/** The label every membership Lease carries, to list them by. */
export const MEMBER_LEASE_LABEL = { key: 'essg.io/lease', value: 'member' } as const;

/** Server-side apply field managers: the rendered objects and the inventory, the rollout state, the history. */
export const FIELD_MANAGER = PRODUCT;
export const ROLLOUT_FIELD_MANAGER = `${PRODUCT}-rollout`;
export const HISTORY_FIELD_MANAGER = `${PRODUCT}-history`;

/** The `reportingController` of the Events the reconciler writes. */
export const REPORTING_COMPONENT = PRODUCT;

const INVENTORY_PREFIX = 'essg-inv-';
const HISTORY_PREFIX = 'essg-hist-';

/** The ConfigMap holding a gateway's inventory and, in its `rollout` key, its rollout state. */
export function inventoryName(gateway: string): string {
  return `${INVENTORY_PREFIX}${gateway}`;
}

/** The gateway an inventory ConfigMap is named for (for one written without its label). */
export function gatewayOfInventoryName(name: string): string {
  return name.startsWith(INVENTORY_PREFIX) ? name.slice(INVENTORY_PREFIX.length) : name;
}

/** The ConfigMap holding a gateway's history. */
export function historyName(gateway: string): string {
  return `${HISTORY_PREFIX}${gateway}`;
}

export function gatewayOfHistoryName(name: string): string {
  return name.startsWith(HISTORY_PREFIX) ? name.slice(HISTORY_PREFIX.length) : name;
}

/** The keys of an inventory ConfigMap's data: the inventory's own, and the rollout state's (written under its own field manager). */
export const INVENTORY_KEY = { revision: 'revision', renderHash: 'renderHash', objects: 'objects', rollout: 'rollout' } as const;
export const HISTORY_KEY = 'entries';
