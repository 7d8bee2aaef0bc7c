// The per-gateway inventory: what the reconciler last applied to a gateway. Pruning and
// drift detection both read it, so a listing that misses an object cannot hide it.
import { contentHash } from '../render/canonical.ts';
import type { K8sObject } from '../render/index.ts';
import { compareRefs, componentOf, refKey, refOf, type OwnedRef } from './refs.ts';

export interface InventoryEntry extends OwnedRef {
  /** The content hash of the object as we last applied it (see objectHash). */
  readonly hash: string;
}

export interface Inventory {
  readonly gateway: string;
  /** The fleet-repo commit whose render this inventory records; it moves only when the gateway's objects change. */
  readonly revision: string;
  /** The render input hash of that commit for this gateway. */
  readonly renderHash: string;
  /** In apply order. */
  readonly objects: readonly InventoryEntry[];
  /** The rollout stage's durable state for the gateway, as stored (read by src/rollout, opaque here). */
  readonly rolloutState?: string;
}

/**
 * Each rendered object's entry, made once: the render cache hands out one object per render
 * and nothing changes an object once rendered, so every pass that plans it reads the same
 * entry instead of hashing its canonical JSON again.
 */
const entries = new WeakMap<K8sObject, InventoryEntry>();

/** The hash of an object as rendered: equal hashes, equal desired objects. */
export function objectHash(object: K8sObject): string {
  return inventoryEntry(object).hash;
}

export function inventoryEntry(object: K8sObject): InventoryEntry {
  let entry = entries.get(object);
  if (!entry) entries.set(object, (entry = { ...refOf(object), component: componentOf(object), hash: contentHash(object) }));
  return entry;
}

export function inventoryIndex(inventory: Inventory | undefined): ReadonlyMap<string, InventoryEntry> {
  return new Map((inventory?.objects ?? []).map((entry) => [refKey(entry), entry]));
}

/** True when both record the same objects with the same hashes and the same render. */
export function sameInventory(a: Inventory | undefined, b: Inventory): boolean {
  if (!a || a.gateway !== b.gateway || a.renderHash !== b.renderHash || a.objects.length !== b.objects.length) return false;
  const index = inventoryIndex(a);
  return b.objects.every((entry) => index.get(refKey(entry))?.hash === entry.hash);
}

export function sortEntries(entries: readonly InventoryEntry[]): InventoryEntry[] {
  return [...entries].sort(compareRefs);
}
