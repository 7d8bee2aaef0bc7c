// The objects several gateways share — a customer's Namespace — planned once per pass for the
// whole fleet rather than once per gateway, and pruned only when its last gateway is gone:
// no gateway planned this pass wants it, no live object of ours is in it, and no gateway's
// inventory names anything in it. Pure: no IO.
import type { K8sObject } from '../render/index.ts';
import type { Inventory } from './inventory.ts';
import type { LiveByGateway } from './live.ts';
import { planGateway, type PlannedCreate, type PlannedUpdate } from './plan-gateway.ts';
import { compareRefs, refKey, refOf, toRef, type LiveObject, type ObjectRef } from './refs.ts';

/** The kinds no single gateway owns. */
export const SHARED_KINDS: ReadonlySet<string> = new Set(['Namespace']);

export function isShared(object: Pick<K8sObject, 'kind'>): boolean {
  return SHARED_KINDS.has(object.kind);
}

/** A render's objects split into what its gateways share and what is its own. */
export interface SplitRender {
  readonly shared: readonly K8sObject[];
  readonly own: readonly K8sObject[];
}

/** Split once per render: the render cache hands out one list of objects per render. */
const splits = new WeakMap<readonly K8sObject[], SplitRender>();

export function splitShared(objects: readonly K8sObject[]): SplitRender {
  let split = splits.get(objects);
  if (!split) splits.set(objects, (split = { shared: objects.filter(isShared), own: objects.filter((object) => !isShared(object)) }));
  return split;
}

export interface SharedPlan {
  /** In apply order. */
  readonly creates: readonly PlannedCreate[];
  readonly updates: readonly PlannedUpdate[];
  /** Shared objects of ours that nothing holds any more. */
  readonly deletes: readonly ObjectRef[];
  readonly unchanged: readonly ObjectRef[];
}

export interface PlanSharedOptions {
  /** Every planned gateway's shared objects; the same object wanted by several gateways counts once (the first one given wins). */
  readonly desired: readonly K8sObject[];
  /** What the cluster holds of ours this pass. */
  readonly live: LiveByGateway;
  /** Every gateway's inventory: what it last applied, and where. */
  readonly inventories: Iterable<Inventory>;
}

export function planShared({ desired, live, inventories }: PlanSharedOptions): SharedPlan {
  return withSharedDeletes(planSharedWanted({ desired, live }), live, inventories);
}

/** What the shared objects planned want, and the live ones of ours nobody wants (deletes not yet decided). */
export interface SharedWanted extends Omit<SharedPlan, 'deletes'> {
  /** Live shared objects of ours no gateway planned this pass wants (not those already going). */
  readonly unwanted: readonly ObjectRef[];
}

/**
 * The part of the shared plan made from the desired and live shared objects alone, so that a
 * pass given the same objects can keep it (the engine's plan memo); withSharedDeletes adds
 * what is pruned, which reads every gateway's objects, only while something is unwanted.
 */
export function planSharedWanted({ desired, live }: Pick<PlanSharedOptions, 'desired' | 'live'>): SharedWanted {
  const wanted = new Map<string, K8sObject>();
  for (const object of desired) {
    const key = refKey(refOf(object));
    if (!wanted.has(key)) wanted.set(key, object);
  }
  const { creates, updates, unchanged } = planGateway({ gateway: '', desired: [...wanted.values()], live: live.shared });
  const unwanted = live.shared
    // One already going (a Namespace Terminating) is not deleted again.
    .filter((object) => !isGoing(object))
    .map(refOf)
    .filter((ref) => SHARED_KINDS.has(ref.kind) && !wanted.has(refKey(ref)));
  return { creates, updates, unchanged, unwanted };
}

/** The shared plan: what is unwanted is deleted unless something of ours is in it or was last applied to it. */
export function withSharedDeletes({ unwanted, ...plan }: SharedWanted, live: LiveByGateway, inventories: Iterable<Inventory>): SharedPlan {
  // What is in a namespace is read only when some namespace is no longer wanted.
  const occupied = unwanted.length > 0 ? occupiedNamespaces(new Set(unwanted.map((ref) => ref.name)), live, inventories) : new Set<string>();
  const deletes = unwanted.filter((ref) => !occupied.has(ref.name)).map(toRef).sort(compareRefs);
  return { ...plan, deletes };
}

function isGoing(object: LiveObject): boolean {
  return (object.metadata as { readonly deletionTimestamp?: string }).deletionTimestamp !== undefined;
}

/**
 * Which of `names` something of ours is in, or was last applied to. Stops reading once every one
 * is found: a namespace kept because something is still in it costs no walk of the fleet each pass.
 */
function occupiedNamespaces(names: ReadonlySet<string>, live: LiveByGateway, inventories: Iterable<Inventory>): Set<string> {
  const occupied = new Set<string>();
  const found = (namespace: string | undefined): boolean => {
    if (namespace !== undefined && names.has(namespace)) occupied.add(namespace);
    return occupied.size === names.size;
  };
  for (const objects of live.byGateway.values()) for (const object of objects) if (found(object.metadata.namespace)) return occupied;
  for (const inventory of inventories) for (const entry of inventory.objects) if (found(entry.namespace)) return occupied;
  return occupied;
}

export function isSharedNoop(plan: SharedPlan): boolean {
  return plan.creates.length === 0 && plan.updates.length === 0 && plan.deletes.length === 0;
}
