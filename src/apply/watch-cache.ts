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
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { INVENTORY_KEY, LABEL, MANAGED_KINDS, SYSTEM_NAMESPACE, type ManagedKind } from '../contract/index.ts';
import type { Inventory, LiveObject, ObjectRef } from '../diff/index.ts';
import type { K8sObject } from '../render/index.ts';
import type { ResourceMetricsRead } from '../report/resource-usage.ts';
import { CONFIGMAP_KIND, EDGE_NODE_SELECTOR, KubeClusterClient, NODE_KIND, ownedSelector, POD_KIND, SYSTEM_CONFIGMAPS_PATH, type ClusterClient, type DeleteOutcome } from './cluster-client.ts';
import { allListed } from './errors.ts';
import { KindCache, type KindCacheDeps } from './kind-cache.ts';
import { PrePullProgress, type PrePullFinished } from './prepull-progress.ts';
import { nodeHealth } from '../health/index.ts';
import type { Node } from '../health/types.ts';
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
  private readonly inventoryEntries = new InventoryEntries();
  private readonly readiness = new NodeReadiness();
  private readonly prePulls = new PrePullProgress();
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
    this.owned = MANAGED_KINDS.map((kind) => (kind.kind === 'ImagePrePullJob' ? new KindCache({ kind, selector: ownedSelector(), path: collectionPath(kind) }, deps, this.prePulls) : cache(kind, ownedSelector())));
    this.inventories = system(LABEL.inventoryOf);
    this.histories = system(LABEL.historyOf);
    this.nodes = new KindCache({ kind: NODE_KIND, selector: EDGE_NODE_SELECTOR, path: collectionPath(NODE_KIND) }, deps, { seen: (node, { firstListing }) => this.readiness.saw(node, firstListing) });
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
    return (await this.inventories.objects()).map((configMap) => memo(this.parsedInventories, configMap, (object) => this.inventoryEntries.keep(parseInventoryConfigMap(object), object)));
  }

  async listHistories(): Promise<{ readonly gateway: string; readonly text: string }[]> {
    return (await this.histories.objects()).map((configMap) => memo(this.parsedHistories, configMap, historyOfConfigMap));
  }

  /**
   * Calls `listener` with the name of each edge node that comes online (Ready, not unreachable)
   * after it was seen offline or not ready, or that appears online after the first listing: a
   * gateway back from an outage is told at once, not at the next poll. Returns the unsubscribe.
   */
  onEdgeNodeReady(listener: (node: string) => void): () => void {
    return this.readiness.listen(listener);
  }

  /**
   * Calls `listener` each time one of our ImagePrePullJobs finishes on more nodes (pulled,
   * failed, or the node unreachable): the gateways held while their nodes pulled move on at
   * once, not at the rollout's next look. Returns the unsubscribe.
   */
  onPrePullFinished(listener: (finished: PrePullFinished) => void): () => void {
    return this.prePulls.listen(listener);
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
    this.inventoryEntries.forget(gateway);
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

/** Each edge node's readiness as last seen, and who is told when one comes online. */
export class NodeReadiness {
  private readonly online = new Map<string, boolean>();
  private readonly listeners = new Set<(node: string) => void>();

  saw(node: LiveObject, firstListing: boolean): void {
    const { name } = node.metadata;
    const health = nodeHealth(node as unknown as Node);
    const online = health.ready === 'True' && !health.offline;
    const before = this.online.get(name);
    this.online.set(name, online);
    if (online && before !== true && !firstListing) for (const listener of this.listeners) listener(name);
  }

  listen(listener: (node: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Each gateway's list of applied objects, kept while its text stays the same: a new version of
 * an inventory ConfigMap that only records a rollout state hands out the same list, so what
 * was planned from it (src/engine/input-memo.ts) is still known to be planned.
 */
export class InventoryEntries {
  private readonly last = new Map<string, { readonly text: string; readonly objects: Inventory['objects'] }>();

  keep(parsed: Inventory, configMap: K8sObject): Inventory {
    const text = ((configMap['data'] ?? {}) as Record<string, string | undefined>)[INVENTORY_KEY.objects];
    if (text === undefined) return parsed;
    const last = this.last.get(parsed.gateway);
    if (last?.text === text) return { ...parsed, objects: last.objects };
    this.last.set(parsed.gateway, { text, objects: parsed.objects });
    return parsed;
  }

  forget(gateway: string): void {
    this.last.delete(gateway);
  }
}

/** Parsed once per object version: the informer keeps the same object until it changes. */
function memo<T>(cache: WeakMap<LiveObject, T>, object: LiveObject, parse: (object: K8sObject) => T): T {
  let parsed = cache.get(object);
  if (parsed === undefined) cache.set(object, (parsed = parse(object)));
  return parsed;
}
