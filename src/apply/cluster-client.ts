// The narrow interface the reconciler talks to the cluster through, and its implementation
// over client-node. Every read and write goes through here, so the request counter sees all.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Inventory, LiveObject, ObjectRef } from '../diff/index.ts';
import type { K8sObject } from '../render/index.ts';
import { EDGE_ROLE_LABEL, FIELD_MANAGER, HISTORY_FIELD_MANAGER, historyName, inventoryName, LABEL, MANAGED_BY, MANAGED_KINDS, ROLLOUT_FIELD_MANAGER, SYSTEM_LABELS, SYSTEM_NAMESPACE, type ManagedKind } from '../contract/index.ts';
import { allListed, ClusterError, InventoryError, ListFailedError, ObjectRequestError } from './errors.ts';
import { inventoryConfigMap, parseInventoryConfigMap, rolloutStateConfigMap } from './inventory-configmap.ts';
import { historyConfigMap, historyOfConfigMap } from './history-configmap.ts';
import { collectionPath, objectPath } from './kinds.ts';
import { failureOf, isOk, KubeHttp, KubeRequestFailure, type KubeResponse } from './kube-http.ts';
import type { RequestCounter } from './request-counter.ts';
import type { NodeMetricsItem, PodMetricsItem, ResourceMetricsRead } from '../report/resource-usage.ts';

// The rollout state has its own field manager (ROLLOUT_FIELD_MANAGER), so an inventory write
// never drops it: server-side apply removes only fields its manager owns.
const APPLY_PATCH = 'application/apply-patch+yaml';
const PAGE_SIZE = '500';

export type DeleteOutcome = 'deleted' | 'absent';

export interface ClusterClient {
  /**
   * Every object labelled as ours across the managed kinds (with `gateway`: that gateway's,
   * plus the customer Namespaces, which carry no gateway label). Throws ListFailedError when
   * any listing fails: a failed listing is never an empty one.
   */
  listOwned(options?: { readonly gateway?: string }): Promise<LiveObject[]>;
  /** Server-side apply, field manager essg-fleet, forced: the fleet repo wins over hand edits. */
  apply(object: K8sObject): Promise<LiveObject>;
  /** Deletes with propagationPolicy Background; an object already gone is 'absent', not an error. */
  delete(ref: ObjectRef): Promise<DeleteOutcome>;
  get(ref: ObjectRef): Promise<LiveObject | undefined>;
  /** undefined when the gateway has no inventory yet. */
  readInventory(gateway: string): Promise<Inventory | undefined>;
  /** Every gateway's inventory: which gateways the cluster holds. */
  listInventories(): Promise<Inventory[]>;
  /** Creates the essg-system namespace when it is missing. */
  writeInventory(inventory: Inventory): Promise<void>;
  deleteInventory(gateway: string): Promise<DeleteOutcome>;
  /** Records a gateway's rollout state (opaque text) in its inventory ConfigMap, beside the inventory and without touching it. */
  writeRolloutState(gateway: string, state: string): Promise<void>;
  /** Every gateway's recorded history, as text (see src/report/history.ts). Throws ListFailedError. */
  listHistories(): Promise<{ readonly gateway: string; readonly text: string }[]>;
  /** Replaces a gateway's recorded history. */
  writeHistory(gateway: string, text: string): Promise<void>;
  deleteHistory(gateway: string): Promise<DeleteOutcome>;
  /** The edge nodes (the gateways), as raw JSON for health. Throws ListFailedError. */
  listEdgeNodes(): Promise<LiveObject[]>;
  /** The pods of our services (optionally of one gateway), as raw JSON for health. Throws ListFailedError. */
  listServicePods(options?: { readonly gateway?: string }): Promise<LiveObject[]>;
  /**
   * The metrics API's node and pod listings (metrics.k8s.io); never throws: without a metrics
   * API, or when it fails, it says why. Optional: a client without it has no figures.
   */
  readResourceMetrics?(): Promise<ResourceMetricsRead>;
  readonly requests: RequestCounter;
}

export const NODE_KIND: ManagedKind = { apiVersion: 'v1', kind: 'Node', plural: 'nodes', namespaced: false };
export const POD_KIND: ManagedKind = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
export const EDGE_NODE_SELECTOR = EDGE_ROLE_LABEL;
/** Where the inventories and histories are: ConfigMaps of essg-system. */
export const SYSTEM_CONFIGMAPS_PATH = `/api/v1/namespaces/${SYSTEM_NAMESPACE}/configmaps`;
export const CONFIGMAP_KIND = MANAGED_KINDS.find((k) => k.kind === 'ConfigMap') as ManagedKind;

export interface KubeClusterClientOptions {
  readonly kubeconfig: KubeConfig;
  readonly counter?: RequestCounter;
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** See KubeHttpOptions.fence. */
  readonly fence?: () => AbortSignal | undefined;
  /** Called with the server's answer to every write that succeeded (a watch cache keeps it). */
  readonly onWritten?: (object: LiveObject) => void;
}

/** One kind's listing, all pages, with the resourceVersion a watch of it starts from. */
export interface KindListing {
  readonly items: LiveObject[];
  readonly resourceVersion: string;
}

export function ownedSelector(gateway?: string): string {
  return `${LABEL.managedBy}=${MANAGED_BY}${gateway ? `,${LABEL.gateway}=${gateway}` : ''}`;
}

function refOfObject(object: K8sObject): ObjectRef {
  const { name, namespace } = object.metadata;
  return namespace ? { apiVersion: object.apiVersion, kind: object.kind, namespace, name } : { apiVersion: object.apiVersion, kind: object.kind, name };
}

export class KubeClusterClient implements ClusterClient {
  private readonly http: KubeHttp;
  private readonly onWritten: (object: LiveObject) => void;

  constructor({ kubeconfig, counter, timeoutMs, fence, onWritten }: KubeClusterClientOptions) {
    this.http = new KubeHttp({ kubeconfig, ...(counter ? { counter } : {}), ...(timeoutMs ? { timeoutMs } : {}), ...(fence ? { fence } : {}) });
    this.onWritten = onWritten ?? (() => {});
  }

  get requests(): RequestCounter {
    return this.http.counter;
  }

  async listOwned({ gateway }: { readonly gateway?: string } = {}): Promise<LiveObject[]> {
    const lists = await allListed(
      MANAGED_KINDS.map((kind) =>
        // Namespaces carry the customer, not a gateway: list every owned one and let the plan match.
        this.listKind(kind, kind.kind === 'Namespace' ? ownedSelector(undefined) : ownedSelector(gateway)),
      ),
    );
    return lists.flat();
  }

  async apply(object: K8sObject): Promise<LiveObject> {
    const ref = refOfObject(object);
    const response = await this.objectRequest('apply', ref, () => this.http.send({ verb: 'patch', path: objectPath(ref), query: { fieldManager: FIELD_MANAGER, force: 'true' }, body: object, contentType: APPLY_PATCH }));
    if (!isOk(response)) throw this.objectError('apply', ref, failureOf(response));
    this.onWritten(response.body as LiveObject);
    return response.body as LiveObject;
  }

  async delete(ref: ObjectRef): Promise<DeleteOutcome> {
    const response = await this.objectRequest('delete', ref, () => this.http.send({ verb: 'delete', path: objectPath(ref), body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' } }));
    if (response.status === 404) return 'absent';
    if (!isOk(response)) throw this.objectError('delete', ref, failureOf(response));
    return 'deleted';
  }

  async get(ref: ObjectRef): Promise<LiveObject | undefined> {
    const response = await this.objectRequest('get', ref, () => this.http.send({ verb: 'get', path: objectPath(ref) }));
    if (response.status === 404) return undefined;
    if (!isOk(response)) throw this.objectError('get', ref, failureOf(response));
    return response.body as LiveObject;
  }

  async readInventory(gateway: string): Promise<Inventory | undefined> {
    const ref = this.inventoryRef(gateway);
    const response = await this.inventoryRequest(gateway, 'read', () => this.http.send({ verb: 'get', path: objectPath(ref) }));
    if (response.status === 404) return undefined;
    if (!isOk(response)) throw this.inventoryError(gateway, 'read', failureOf(response));
    return parseInventoryConfigMap(response.body as K8sObject);
  }

  async listInventories(): Promise<Inventory[]> {
    const items = await this.listKind(CONFIGMAP_KIND, LABEL.inventoryOf, SYSTEM_CONFIGMAPS_PATH);
    return items.map(parseInventoryConfigMap);
  }

  writeInventory(inventory: Inventory): Promise<void> {
    return this.writeInventoryConfigMap(inventory.gateway, inventoryConfigMap(inventory), FIELD_MANAGER);
  }

  writeRolloutState(gateway: string, state: string): Promise<void> {
    return this.writeInventoryConfigMap(gateway, rolloutStateConfigMap(gateway, state), ROLLOUT_FIELD_MANAGER);
  }

  private async writeInventoryConfigMap(gateway: string, configMap: K8sObject, manager: string): Promise<void> {
    const write = () => this.http.send({ verb: 'patch', path: objectPath(refOfObject(configMap)), query: { fieldManager: manager, force: 'true' }, body: configMap, contentType: APPLY_PATCH });
    let response = await this.inventoryRequest(gateway, 'write', write);
    if (response.status === 404) {
      // Only the first inventory ever written finds essg-system missing: create it then, not on every write.
      const namespace: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYSTEM_NAMESPACE, labels: SYSTEM_LABELS } };
      const created = await this.inventoryRequest(gateway, 'write', () => this.http.send({ verb: 'patch', path: objectPath(refOfObject(namespace)), query: { fieldManager: FIELD_MANAGER, force: 'true' }, body: namespace, contentType: APPLY_PATCH }));
      if (!isOk(created)) throw this.inventoryError(gateway, 'write', failureOf(created));
      response = await this.inventoryRequest(gateway, 'write', write);
    }
    if (!isOk(response)) throw this.inventoryError(gateway, 'write', failureOf(response));
    this.onWritten(response.body as LiveObject);
  }

  async listHistories(): Promise<{ gateway: string; text: string }[]> {
    const items = await this.listKind(CONFIGMAP_KIND, LABEL.historyOf, SYSTEM_CONFIGMAPS_PATH);
    return items.map(historyOfConfigMap);
  }

  writeHistory(gateway: string, text: string): Promise<void> {
    return this.writeInventoryConfigMap(gateway, historyConfigMap(gateway, text), HISTORY_FIELD_MANAGER);
  }

  async deleteHistory(gateway: string): Promise<DeleteOutcome> {
    const response = await this.inventoryRequest(gateway, 'write', () => this.http.send({ verb: 'delete', path: objectPath(this.historyRef(gateway)) }));
    if (response.status === 404) return 'absent';
    if (!isOk(response)) throw this.inventoryError(gateway, 'write', failureOf(response));
    return 'deleted';
  }

  async deleteInventory(gateway: string): Promise<DeleteOutcome> {
    const response = await this.inventoryRequest(gateway, 'write', () => this.http.send({ verb: 'delete', path: objectPath(this.inventoryRef(gateway)) }));
    if (response.status === 404) return 'absent';
    if (!isOk(response)) throw this.inventoryError(gateway, 'write', failureOf(response));
    return 'deleted';
  }

  listEdgeNodes(): Promise<LiveObject[]> {
    return this.listKind(NODE_KIND, EDGE_NODE_SELECTOR);
  }

  async readResourceMetrics(): Promise<ResourceMetricsRead> {
    const read = async (path: string, labelSelector: string): Promise<{ items: unknown[] } | string> => {
      try {
        const response = await this.http.send({ verb: 'list', path, query: { labelSelector } });
        if (isOk(response)) return response.body as { items: unknown[] };
        if (response.status === 404) return 'the cluster serves no metrics API (metrics.k8s.io: install metrics-server)';
        if (response.status === 403) return 'the reconciler may not read metrics.k8s.io (RBAC)';
        return `the metrics API answered HTTP ${response.status}${response.status === 503 ? ' (metrics-server unavailable)' : ''}`;
      } catch (error) {
        return `the metrics API did not answer: ${error instanceof Error ? error.message : String(error)}`;
      }
    };
    const [nodes, pods] = await Promise.all([read('/apis/metrics.k8s.io/v1beta1/nodes', EDGE_NODE_SELECTOR), read('/apis/metrics.k8s.io/v1beta1/pods', ownedSelector(undefined))]);
    if (typeof nodes === 'string') return { available: false, reason: nodes };
    if (typeof pods === 'string') return { available: false, reason: pods };
    return { available: true, nodes: (nodes.items ?? []) as NodeMetricsItem[], pods: (pods.items ?? []) as PodMetricsItem[] };
  }

  listServicePods({ gateway }: { readonly gateway?: string } = {}): Promise<LiveObject[]> {
    return this.listKind(POD_KIND, ownedSelector(gateway));
  }

  private async listKind(kind: ManagedKind, selector: string, path = collectionPath(kind)): Promise<LiveObject[]> {
    return (await this.listKindAt(kind, selector, path)).items;
  }

  /** All pages of one kind, and the resourceVersion they were read at; any failure throws, whatever was read before it. */
  async listKindAt(kind: ManagedKind, selector: string, path = collectionPath(kind)): Promise<KindListing> {
    const items: LiveObject[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      let response: KubeResponse;
      try {
        response = await this.http.send({ verb: 'list', path, query: { labelSelector: selector, limit: PAGE_SIZE, ...(continueToken ? { continue: continueToken } : {}) } });
      } catch (error) {
        const failure = error as KubeRequestFailure;
        throw new ListFailedError({ kind: kind.kind, selector, status: failure.status, reason: failure.reason, detail: failure.detail ?? String(error) }, error);
      }
      const list = response.body as { items?: LiveObject[]; metadata?: { continue?: string; resourceVersion?: string } } | undefined;
      if (!isOk(response) || !Array.isArray(list?.items)) {
        const failure = failureOf(response);
        throw new ListFailedError({ kind: kind.kind, selector, status: failure.status, reason: failure.reason, detail: isOk(response) ? 'the answer holds no item list' : failure.detail });
      }
      // List items come without apiVersion and kind: put them back, the plan keys on them.
      for (const item of list.items) items.push({ ...item, apiVersion: kind.apiVersion, kind: kind.kind });
      // Every page is of the first page's snapshot.
      resourceVersion ||= list.metadata?.resourceVersion ?? '';
      continueToken = list.metadata?.continue || undefined;
    } while (continueToken);
    return { items, resourceVersion };
  }

  inventoryRef(gateway: string): ObjectRef {
    return { apiVersion: 'v1', kind: 'ConfigMap', namespace: SYSTEM_NAMESPACE, name: inventoryName(gateway) };
  }

  historyRef(gateway: string): ObjectRef {
    return { apiVersion: 'v1', kind: 'ConfigMap', namespace: SYSTEM_NAMESPACE, name: historyName(gateway) };
  }

  private async objectRequest(verb: 'apply' | 'delete' | 'get', ref: ObjectRef, send: () => Promise<KubeResponse>): Promise<KubeResponse> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof ClusterError) throw error;
      throw this.objectError(verb, ref, error);
    }
  }

  private objectError(verb: 'apply' | 'delete' | 'get', object: ObjectRef, error: unknown): ObjectRequestError {
    const failure = error instanceof KubeRequestFailure ? error : new KubeRequestFailure(undefined, undefined, String(error));
    return new ObjectRequestError({ verb, object, status: failure.status, reason: failure.reason, detail: failure.detail }, error);
  }

  private async inventoryRequest(gateway: string, operation: 'read' | 'write', send: () => Promise<KubeResponse>): Promise<KubeResponse> {
    try {
      return await send();
    } catch (error) {
      throw this.inventoryError(gateway, operation, error);
    }
  }

  private inventoryError(gateway: string, operation: 'read' | 'write', error: unknown): InventoryError {
    const failure = error instanceof KubeRequestFailure ? error : new KubeRequestFailure(undefined, undefined, String(error));
    return new InventoryError({ gateway, operation, status: failure.status, reason: failure.reason, detail: failure.detail }, error);
  }
}
