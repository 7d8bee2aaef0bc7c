// The plan of one gateway: desired objects against the live objects it owns and the
// inventory of what was last applied. Pure: no IO, the same inputs give the same plan.
import type { K8sObject } from '../render/index.ts';
import { LABEL, MANAGED_BY } from '../contract/index.ts';
import { isSubset } from './compare.ts';
import { objectDiff } from './diff.ts';
import { inventoryEntry, inventoryIndex, sameInventory, sortEntries, type Inventory } from './inventory.ts';
import { compareRefs, componentOf, refKey, refOf, toRef, type LiveObject, type ObjectRef, type OwnedRef } from './refs.ts';

export interface PlannedCreate {
  readonly ref: ObjectRef;
  readonly object: K8sObject;
}

export interface PlannedUpdate {
  readonly ref: ObjectRef;
  readonly object: K8sObject;
  /** Unified diff live → desired of the fields we set ('' when only a removed field changed). */
  readonly diff: string;
  /** Live differs from what we last applied, and the desired object did not change: someone edited it. */
  readonly drift: boolean;
  /** The change cannot be applied in place (a Job's pod template is immutable): delete, then create. */
  readonly recreate: boolean;
}

export type DriftReason = 'modified' | 'deleted';

export interface DriftEntry {
  readonly ref: ObjectRef;
  /** modified: fields we set were changed by hand; deleted: the object was deleted by hand. */
  readonly reason: DriftReason;
  readonly diff: string;
}

export interface GatewayPlan {
  readonly gateway: string;
  /** Each list in apply order. */
  readonly creates: readonly PlannedCreate[];
  readonly updates: readonly PlannedUpdate[];
  /** Owned objects no longer desired, in deletion order (reverse apply order). Never a Namespace. */
  readonly deletes: readonly OwnedRef[];
  readonly unchanged: readonly ObjectRef[];
  /** The creates and updates that restore hand edits. */
  readonly drift: readonly DriftEntry[];
  /** The inventory after this plan is applied. */
  readonly inventory: Inventory;
  /** False when the inventory is already as it will be: writing it would be a wasted request. */
  readonly inventoryChanged: boolean;
}

export interface PlanGatewayOptions {
  readonly gateway: string;
  /** The rendered objects (empty for a gateway removed from the fleet). */
  readonly desired: readonly K8sObject[];
  /** Live objects labelled as ours and this gateway's (liveOfGateway); others are not read. */
  readonly live: readonly LiveObject[];
  /**
   * What was last applied to this gateway.
   * @default - none: a first apply, or an inventory that was lost (live labels still find what to prune)
   */
  readonly inventory?: Inventory;
  /**
   * The commit being planned, recorded in the next inventory when the gateway's objects change.
   * @default - the inventory's revision, or ''
   */
  readonly revision?: string;
  /**
   * The render input hash being planned.
   * @default - the inventory's render hash, or ''
   */
  readonly renderHash?: string;
}

function isOwnedBy(object: LiveObject, gateway: string): boolean {
  const labels = object.metadata.labels ?? {};
  return labels[LABEL.managedBy] === MANAGED_BY && labels[LABEL.gateway] === gateway;
}

export function planGateway({ gateway, desired, live, inventory, revision, renderHash }: PlanGatewayOptions): GatewayPlan {
  const liveByKey = new Map(live.map((object) => [refKey(refOf(object)), object]));
  const applied = inventoryIndex(inventory);
  const desiredKeys = new Set<string>();
  const creates: PlannedCreate[] = [];
  const updates: PlannedUpdate[] = [];
  const unchanged: ObjectRef[] = [];
  const drift: DriftEntry[] = [];

  for (const object of [...desired].sort((a, b) => compareRefs(refOf(a), refOf(b)))) {
    const ref = refOf(object);
    const key = refKey(ref);
    desiredKeys.add(key);
    const current = liveByKey.get(key);
    const entry = inventoryEntry(object);
    const appliedAsIs = applied.get(key)?.hash === entry.hash;
    if (!current) {
      // A finished Job is removed by its ttlSecondsAfterFinished: it ran as desired, so it
      // must not run again. (A changed Job has a new name, see the job-service construct.)
      if (appliedAsIs && object.kind === 'Job') unchanged.push(ref);
      else {
        creates.push({ ref, object });
        if (appliedAsIs) drift.push({ ref, reason: 'deleted', diff: objectDiff({ desired: object, live: undefined }) });
      }
      continue;
    }
    const matches = isSubset(object, current);
    // With no inventory entry (first apply, lost inventory) a matching object is adopted as is.
    const changedSinceApplied = applied.has(key) && !appliedAsIs;
    if (matches && !changedSinceApplied) {
      unchanged.push(ref);
      continue;
    }
    const diff = objectDiff({ desired: object, live: current });
    const isDrift = appliedAsIs && !matches;
    const recreate = object.kind === 'Job' && !isSubset(object['spec'], current['spec']);
    updates.push({ ref, object, diff, drift: isDrift, recreate });
    if (isDrift) drift.push({ ref, reason: 'modified', diff });
  }

  const deletes = new Map<string, OwnedRef>();
  const candidates: OwnedRef[] = [...(inventory?.objects ?? []), ...live.filter((object) => isOwnedBy(object, gateway)).map((object) => ({ ...refOf(object), component: componentOf(object) }))];
  for (const ref of candidates) {
    const key = refKey(ref);
    // The customer Namespace is shared by the customer's gateways: never pruned per gateway.
    if (ref.kind === 'Namespace' || desiredKeys.has(key)) continue;
    deletes.set(key, ref.component ? { ...toRef(ref), component: ref.component } : toRef(ref));
  }

  const next: Inventory = {
    gateway,
    revision: revision ?? inventory?.revision ?? '',
    renderHash: renderHash ?? inventory?.renderHash ?? '',
    objects: sortEntries(desired.map(inventoryEntry)),
  };
  const inventoryChanged = !sameInventory(inventory, next);
  return {
    gateway,
    creates,
    updates,
    deletes: [...deletes.values()].sort(compareRefs).reverse(),
    unchanged,
    drift,
    inventory: inventoryChanged ? next : (inventory as Inventory),
    inventoryChanged,
  };
}

/** True when applying the plan would write nothing but, at most, its inventory. */
export function isNoop(plan: GatewayPlan): boolean {
  return plan.creates.length === 0 && plan.updates.length === 0 && plan.deletes.length === 0;
}

/**
 * The same plan made for another commit: the commit only reaches the inventory it writes, and
 * only when the gateway's objects change (an unchanged inventory keeps the commit it records).
 */
export function atRevision(plan: GatewayPlan, revision: string): GatewayPlan {
  if (!plan.inventoryChanged || plan.inventory.revision === revision) return plan;
  return { ...plan, inventory: { ...plan.inventory, revision } };
}
