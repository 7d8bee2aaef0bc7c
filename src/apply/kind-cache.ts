// One kind and label selector of the watch cache (watch-cache.ts): a client-node ListWatch
// served once it has listed and watches, at most one listing at a time beside it, and the
// server's answers to our own writes kept until the watch has caught up with them.
import { ListWatch, type Watch } from '@kubernetes/client-node';
import type { ManagedKind } from '../contract/index.ts';
import type { LiveObject, ObjectRef } from '../diff/index.ts';
import type { KindListing } from './cluster-client.ts';
import { ClusterError, ListFailedError, WatchFailedError } from './errors.ts';

export interface CacheSpec {
  readonly kind: ManagedKind;
  readonly selector: string;
  readonly path: string;
  /** The one namespace listed, when not all. */
  readonly namespace?: string;
}

type Phase = 'listing' | 'synced' | 'failed';

/** How long an answer to our own write is preferred to the watch: the watch has surely caught up by then, or the object is gone. */
const WRITTEN_KEPT_MS = 120_000;

/** The resourceVersion order, where both are etcd's decimal revisions; otherwise the watch is trusted. */
function newer(a: LiveObject, b: LiveObject): boolean {
  const ra = (a.metadata as { resourceVersion?: string }).resourceVersion ?? '';
  const rb = (b.metadata as { resourceVersion?: string }).resourceVersion ?? '';
  return /^\d+$/.test(ra) && /^\d+$/.test(rb) && BigInt(ra) > BigInt(rb);
}

function keyOf(object: { readonly metadata: { readonly namespace?: string; readonly name: string } }): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** Plans compare fields, never managedFields: not kept, a fifth of an object's size. */
function withoutManagedFields(object: LiveObject): LiveObject {
  delete (object.metadata as { managedFields?: unknown }).managedFields;
  return object;
}

/** Equality (`a=b`) and existence (`a`) terms, the only ones the reconciler's selectors use. */
function matchesSelector(selector: string, labels: Readonly<Record<string, string>> | undefined): boolean {
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=') as [string, string | undefined];
    return value === undefined ? labels?.[key] !== undefined : labels?.[key] === value;
  });
}

export interface KindCacheDeps {
  readonly list: (spec: CacheSpec) => Promise<KindListing>;
  readonly watch: Watch;
  readonly stats: { listings: number; watches: number; events: number; recoveries: number };
  readonly syncTimeoutMs: number;
}

/** Who hears of a kind's objects as they arrive and go. */
export interface CacheObserver {
  seen(object: LiveObject, { firstListing }: { readonly firstListing: boolean }): void;
  gone?(object: LiveObject): void;
}

/** One kind and selector: the informer served, and at most one listing at a time beside it. */
export class KindCache {
  private served: ListWatch<LiveObject> | undefined;
  private phase: Phase = 'listing';
  private error: unknown;
  private listing: Promise<void> | undefined;
  private stopped = false;
  private readonly written = new Map<string, { readonly object: LiveObject; readonly at: number }>();
  private listedOnce = false;

  /** `observer`: told of each object as a listing or the watch hands it over, added or changed, and of each deleted (see WatchedClusterClient.onEdgeNodeReady). */
  constructor(
    readonly spec: CacheSpec,
    private readonly deps: KindCacheDeps,
    private readonly observer?: CacheObserver,
  ) {}

  start(): void {
    void this.relist('replace');
  }

  stop(): void {
    this.stopped = true;
    const served = this.served;
    this.served = undefined;
    void served?.stop();
  }

  /** A periodic listing beside the one served: reads go on meanwhile. */
  resync(): void {
    if (this.phase === 'synced') void this.relist('beside');
  }

  /** The objects, once in step; throws the listing's error when it failed. */
  async objects(): Promise<LiveObject[]> {
    await this.inStep();
    const items = (this.served as ListWatch<LiveObject>).list() as LiveObject[];
    if (this.written.size === 0) return items;
    const byKey = new Map(items.map((object) => [keyOf(object), object]));
    const keptSince = Date.now() - WRITTEN_KEPT_MS;
    for (const [key, { object, at }] of this.written) {
      const seen = byKey.get(key);
      if (at < keptSince || (seen && !newer(object, seen))) this.written.delete(key);
      else byKey.set(key, object);
    }
    return [...byKey.values()];
  }

  /** The server's answer to a write of ours, if this cache holds that kind and selector. */
  wrote(object: LiveObject): void {
    if (object.kind !== this.spec.kind.kind || !matchesSelector(this.spec.selector, object.metadata.labels)) return;
    if (this.spec.namespace !== undefined && object.metadata.namespace !== this.spec.namespace) return;
    this.written.set(keyOf(object), { object: withoutManagedFields(structuredClone(object)), at: Date.now() });
  }

  /** An object we deleted: our earlier answer no longer stands for it. */
  deleted(ref: ObjectRef): void {
    if (ref.kind === this.spec.kind.kind) this.written.delete(keyOf({ metadata: ref }));
  }

  private async inStep(): Promise<void> {
    if (this.phase === 'synced') return;
    // A read after a failed listing asks again at once rather than waiting for the retry.
    const listing = this.relist('replace');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.deps.syncTimeoutMs);
    });
    const outcome = await Promise.race([listing, timeout]).finally(() => clearTimeout(timer));
    const phase = this.phase as Phase;
    if (phase === 'synced') return;
    if (phase === 'failed') throw this.error;
    const { kind, selector } = this.spec;
    throw new ListFailedError({ kind: kind.kind, selector, detail: outcome === 'timeout' ? `the watch cache did not list within ${this.deps.syncTimeoutMs} ms` : 'the watch cache is not in step' });
  }

  /** A listing fails with its own error; a watch's (client-node's Error with the HTTP status) is named here. */
  private named(error: unknown): unknown {
    if (error instanceof ClusterError) return error;
    const { kind, selector } = this.spec;
    const status = (error as { statusCode?: number }).statusCode;
    const reason = (error as { code?: string }).code;
    return new WatchFailedError({ kind: kind.kind, selector, ...(status ? { status } : {}), ...(reason ? { reason } : {}), detail: error instanceof Error ? error.message : String(error) }, error);
  }

  /**
   * Lists into a new informer, and serves it once it lists and watches. 'replace': nothing is
   * served meanwhile (the one before failed); 'beside': the one before is served until then.
   */
  private relist(mode: 'replace' | 'beside'): Promise<void> {
    if (mode === 'replace' && this.phase !== 'listing') {
      if (this.phase === 'failed' || this.served) this.deps.stats.recoveries++;
      this.phase = 'listing';
    }
    this.listing ??= this.listInto(mode).finally(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  private async listInto(mode: 'replace' | 'beside'): Promise<void> {
    if (this.stopped) return;
    const { stats } = this.deps;
    let failure: { error: unknown } | undefined;
    let settled = false;
    const informer: ListWatch<LiveObject> = new ListWatch<LiveObject>(
      this.spec.path,
      this.deps.watch,
      async () => {
        stats.listings++;
        const { items, resourceVersion } = await this.deps.list(this.spec);
        return { apiVersion: 'v1', kind: 'List', items: items.map(withoutManagedFields), metadata: { resourceVersion } };
      },
      false,
      this.spec.selector,
    );
    const changed = (object: LiveObject): void => {
      stats.events++;
      const written = this.written.get(keyOf(object));
      if (written && !newer(written.object, object)) this.written.delete(keyOf(object));
    };
    const arrived = (object: LiveObject): void => {
      changed(withoutManagedFields(object));
      this.observer?.seen(object, { firstListing: !this.listedOnce });
    };
    informer.on('add', arrived);
    informer.on('update', arrived);
    informer.on('delete', (object: LiveObject) => {
      changed(object);
      this.observer?.gone?.(object);
    });
    informer.on('connect', () => {
      stats.watches++;
    });
    informer.on('error', (error) => {
      if (!settled) failure ??= { error };
      else if (informer === this.served && !this.stopped) void this.relist('replace');
    });
    try {
      await informer.start();
    } catch (error) {
      failure ??= { error };
    }
    settled = true;
    if (this.stopped) {
      void informer.stop();
      return;
    }
    if (failure) {
      void informer.stop();
      // A failed resync leaves the informer served as it was: nothing says it is out of step.
      if (mode === 'replace' || this.phase !== 'synced') {
        this.phase = 'failed';
        this.error = this.named(failure.error);
      }
      return;
    }
    const before = this.served;
    this.served = informer;
    this.phase = 'synced';
    this.listedOnce = true;
    this.error = undefined;
    void before?.stop();
  }
}
