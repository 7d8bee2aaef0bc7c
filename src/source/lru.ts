// A size-bounded least-recently-used map: parsed trees and blobs are kept by object id
// (content-addressed, so an entry never goes stale), and a pass that re-reads an
// unchanged fleet costs no inflating.

export class LruCache<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly weight: number }>();
  private total = 0;

  /** @param maxWeight the sum of entry weights kept; the least recently used go first. */
  constructor(private readonly maxWeight: number) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Re-inserting moves the key to the end: Map iterates in insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, weight = 1): void {
    const old = this.entries.get(key);
    if (old) {
      this.total -= old.weight;
      this.entries.delete(key);
    }
    // An entry larger than the whole cache is not kept: it would evict everything.
    if (weight > this.maxWeight) return;
    this.entries.set(key, { value, weight });
    this.total += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.maxWeight) break;
      this.entries.delete(oldest);
      this.total -= entry.weight;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
