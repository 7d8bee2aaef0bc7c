// The cluster as the reconciler last heard it. One client-node ListWatch per kind and label
// selector a pass reads (the objects we own, the inventories, the histories, the edge nodes
// and the pods of our services): listed through the cluster client (paged, counted, with its
// timeout), then watched from that listing's resourceVersion; a 410 Gone relists. A pass reads
// memory and sends no request. Writes go to the server as before, and the server's answer to
// each is kept until the watch has caught up with it, so the next pass plans against what
// this one wrote, not against a watch event still on its way.
//
// Never "nothing there" from a cache that is out of step: a read waits while its kind lists,
// and throws that listing's own error (ListFailedError) when it failed, as a direct listing
// would. A watch that ends in error lists afresh at once. Every `resyncMs` each kind lists
// afresh beside the one served, so a watch that went silent on a live connection cannot keep
// a stale picture for longer than that.
import { ListWatch, Watch, type KubeConfig } from '@kubernetes/client-node';
import { LABEL, MANAGED_KINDS, SYSTEM_NAMESPACE, type ManagedKind } from '../contract/index.ts';
import type { Inventory, LiveObject, ObjectRef } from '../diff/index.ts';
import type { K8sObject } from '../render/index.ts';
import type { ResourceMetricsRead } from '../report/resource-usage.ts';
import { CONFIGMAP_KIND, EDGE_NODE_SELECTOR, KubeClusterClient, NODE_KIND, ownedSelector, POD_KIND, SYSTEM_CONFIGMAPS_PATH, type ClusterClient, type DeleteOutcome, type KindListing } from './cluster-client.ts';
import { allListed, ClusterError, ListFailedError, WatchFailedError } from './errors.ts';
import { parseInventoryConfigMap } from './inventory-configmap.ts';
import { historyOfConfigMap } from './history-configmap.ts';
import { collectionPath } from './kinds.ts';
import { RequestCounter, type RequestCounts } from './request-counter.ts';

export interface WatchCacheOptions {
  readonly kubeconfig: KubeConfig;
  /** Each listing request's deadline (the cluster client's). @default 30000 */
  readonly timeoutMs?: number;
  /** See KubeHttpOptions.fence: writes only. */
  readonly fence?: () => AbortSignal | undefined;
  /** How often each kind lists afresh beside the one served. @default 600000 (10 minutes) */
  readonly resyncMs?: number;
  /** How long a read waits for a kind that is listing before the pass stops on it. @default 60000 */
  readonly syncTimeoutMs?: number;
  /** How often the metrics API is read, apart from passes (metrics-server scrapes every 10–15 s). @default 15000 */
  readonly metricsIntervalMs?: number;
}

/** What keeping the cache cost: its requests are counted apart from the passes' (`requests`). */
export interface WatchStats {
  /** The listings' pages and the metrics API reads, by verb. */
  readonly requests: RequestCounts;
  /** Full listings, the first and every relist (their pages are counted in `requests` as `list`). */
  readonly listings: number;
  /** Watch connections opened, including the re-watch after the server ends one. */
  readonly watches: number;
  /** Watch events received (added, modified, deleted). */
  readonly events: number;
  /** Listings after a failed watch or a failed listing (not the periodic resyncs). */
  readonly recoveries: number;
}

interface CacheSpec {
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

interface KindCacheDeps {
  readonly list: (spec: CacheSpec) => Promise<KindListing>;
  readonly watch: Watch;
  readonly stats: { listings: number; watches: number; events: number; recoveries: number };
  readonly syncTimeoutMs: number;
}

/** One kind and selector: the informer served, and at most one listing at a time beside it. */
class KindCache {
  private served: ListWatch<LiveObject> | undefined;
  private phase: Phase = 'listing';
  private error: unknown;
  private listing: Promise<void> | undefined;
  private stopped = false;
  private readonly written = new Map<string, { readonly object: LiveObject; readonly at: number }>();

  constructor(
    readonly spec: CacheSpec,
    private readonly deps: KindCacheDeps,
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
    informer.on('add', (object) => changed(withoutManagedFields(object)));
    informer.on('update', (object) => changed(withoutManagedFields(object)));
    informer.on('delete', changed);
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
    this.error = undefined;
    void before?.stop();
  }
}

/** Reads the metrics API every `intervalMs`, apart from passes; a pass takes the latest reading. */
class MetricsReadings {
  private latest: Promise<ResourceMetricsRead> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly read: () => Promise<ResourceMetricsRead>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    const next = (): void => {
      const reading = this.read();
      // The reading served stays until the next one has come.
      void reading.then(() => {
        this.latest = reading;
      });
      this.latest ??= reading;
    };
    next();
    this.timer = setInterval(next, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  reading(): Promise<ResourceMetricsRead> {
    return this.latest ?? Promise.resolve({ available: false, reason: 'the metrics API has not been read yet' });
  }
}

/**
 * The cluster client `essg reconcile` runs with: reads from the watch cache, writes (and the
 * single-object reads apply makes) to the API server. `start()` before the first pass; a
 * pass's first read waits for the first listing.
 */
export class WatchedClusterClient implements ClusterClient {
  private readonly direct: KubeClusterClient;
  /** The same connections, its requests counted apart: what keeps the cache, not what a pass asks. */
  private readonly background: KubeClusterClient;
  private readonly owned: readonly KindCache[];
  private readonly inventories: KindCache;
  private readonly histories: KindCache;
  private readonly nodes: KindCache;
  private readonly pods: KindCache;
  private readonly metrics: MetricsReadings;
  private readonly counts = { listings: 0, watches: 0, events: 0, recoveries: 0 };
  private readonly resyncMs: number;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly parsedInventories = new WeakMap<LiveObject, Inventory>();
  private readonly parsedHistories = new WeakMap<LiveObject, { gateway: string; text: string }>();

  constructor({ kubeconfig, timeoutMs, fence, resyncMs = 600_000, syncTimeoutMs = 60_000, metricsIntervalMs = 15_000 }: WatchCacheOptions) {
    this.direct = new KubeClusterClient({
      kubeconfig, ...(timeoutMs ? { timeoutMs } : {}), ...(fence ? { fence } : {}),
      onWritten: (object) => {
        for (const cache of this.all()) cache.wrote(object);
      },
    });
    this.background = new KubeClusterClient({ kubeconfig, counter: new RequestCounter(), ...(timeoutMs ? { timeoutMs } : {}) });
    const deps: KindCacheDeps = { list: ({ kind, selector, path }) => this.background.listKindAt(kind, selector, path), watch: new Watch(kubeconfig), stats: this.counts, syncTimeoutMs };
    const cache = (kind: ManagedKind, selector: string): KindCache => new KindCache({ kind, selector, path: collectionPath(kind) }, deps);
    const system = (selector: string): KindCache => new KindCache({ kind: CONFIGMAP_KIND, selector, path: SYSTEM_CONFIGMAPS_PATH, namespace: SYSTEM_NAMESPACE }, deps);
    this.owned = MANAGED_KINDS.map((kind) => cache(kind, ownedSelector()));
    this.inventories = system(LABEL.inventoryOf);
    this.histories = system(LABEL.historyOf);
    this.nodes = cache(NODE_KIND, EDGE_NODE_SELECTOR);
    this.pods = cache(POD_KIND, ownedSelector());
    this.metrics = new MetricsReadings(() => this.background.readResourceMetrics(), metricsIntervalMs);
    this.resyncMs = resyncMs;
  }

  /** What passes sent: writes, and the reads apply makes of single objects. */
  get requests(): RequestCounter {
    return this.direct.requests;
  }

  /** What keeping the cache sent: listings and metrics reads. */
  get backgroundRequests(): RequestCounter {
    return this.background.requests;
  }

  get watchStats(): WatchStats {
    return { ...this.counts, requests: this.background.requests.snapshot() };
  }

  /** Lists and watches every kind, reads the metrics API, and resyncs every `resyncMs`. */
  start(): void {
    for (const cache of this.all()) cache.start();
    this.metrics.start();
    this.resyncTimer = setInterval(() => {
      for (const cache of this.all()) cache.resync();
    }, this.resyncMs);
    this.resyncTimer.unref();
  }

  stop(): void {
    clearInterval(this.resyncTimer);
    this.metrics.stop();
    for (const cache of this.all()) cache.stop();
  }

  async listOwned({ gateway }: { readonly gateway?: string } = {}): Promise<LiveObject[]> {
    const lists = await allListed(this.owned.map((cache) => cache.objects()));
    const all = lists.flat();
    return gateway ? all.filter((o) => o.kind === 'Namespace' || o.metadata.labels?.[LABEL.gateway] === gateway) : all;
  }

  async listInventories(): Promise<Inventory[]> {
    return (await this.inventories.objects()).map((configMap) => memo(this.parsedInventories, configMap, parseInventoryConfigMap));
  }

  async listHistories(): Promise<{ readonly gateway: string; readonly text: string }[]> {
    return (await this.histories.objects()).map((configMap) => memo(this.parsedHistories, configMap, historyOfConfigMap));
  }

  listEdgeNodes(): Promise<LiveObject[]> {
    return this.nodes.objects();
  }

  async listServicePods({ gateway }: { readonly gateway?: string } = {}): Promise<LiveObject[]> {
    const pods = await this.pods.objects();
    return gateway ? pods.filter((p) => p.metadata.labels?.[LABEL.gateway] === gateway) : pods;
  }

  readResourceMetrics(): Promise<ResourceMetricsRead> {
    return this.metrics.reading();
  }

  apply(object: K8sObject): Promise<LiveObject> {
    return this.direct.apply(object);
  }

  async delete(ref: ObjectRef): Promise<DeleteOutcome> {
    const outcome = await this.direct.delete(ref);
    for (const cache of this.owned) cache.deleted(ref);
    return outcome;
  }

  get(ref: ObjectRef): Promise<LiveObject | undefined> {
    return this.direct.get(ref);
  }

  readInventory(gateway: string): Promise<Inventory | undefined> {
    return this.direct.readInventory(gateway);
  }

  writeInventory(inventory: Inventory): Promise<void> {
    return this.direct.writeInventory(inventory);
  }

  async deleteInventory(gateway: string): Promise<DeleteOutcome> {
    const outcome = await this.direct.deleteInventory(gateway);
    this.inventories.deleted(this.direct.inventoryRef(gateway));
    return outcome;
  }

  writeRolloutState(gateway: string, state: string): Promise<void> {
    return this.direct.writeRolloutState(gateway, state);
  }

  writeHistory(gateway: string, text: string): Promise<void> {
    return this.direct.writeHistory(gateway, text);
  }

  async deleteHistory(gateway: string): Promise<DeleteOutcome> {
    const outcome = await this.direct.deleteHistory(gateway);
    this.histories.deleted(this.direct.historyRef(gateway));
    return outcome;
  }

  private all(): KindCache[] {
    return [...this.owned, this.inventories, this.histories, this.nodes, this.pods];
  }
}

/** Parsed once per object version: the informer keeps the same object until it changes. */
function memo<T>(cache: WeakMap<LiveObject, T>, object: LiveObject, parse: (object: K8sObject) => T): T {
  let parsed = cache.get(object);
  if (parsed === undefined) cache.set(object, (parsed = parse(object)));
  return parsed;
}
