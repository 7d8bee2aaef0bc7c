// CPU and memory from the metrics API (metrics.k8s.io, served by metrics-server), set against
// a gateway's node capacity and each service's limits. Pure: the engine reads the API and
// passes the listings in. Without a metrics API there are no figures at all — never zeros.
import { quantityToScalar } from '@kubernetes/client-node/dist/util.js';

/** What one read of the metrics API gave: the listings, or why there are none. */
export type ResourceMetricsRead =
  | { readonly available: true; readonly nodes: readonly NodeMetricsItem[]; readonly pods: readonly PodMetricsItem[] }
  | { readonly available: false; readonly reason: string };

export interface NodeMetricsItem {
  readonly metadata: { readonly name: string };
  readonly timestamp?: string;
  readonly usage: { readonly cpu?: string; readonly memory?: string };
}

export interface PodMetricsItem {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly containers: readonly { readonly name: string; readonly usage: { readonly cpu?: string; readonly memory?: string } }[];
}

/** A gateway's node: use against capacity (millicores, bytes), as metrics-server last scraped it. */
export interface NodeUsage {
  readonly cpuMillicores: number;
  readonly cpuCapacityMillicores?: number;
  readonly memoryBytes: number;
  readonly memoryCapacityBytes?: number;
  /** When metrics-server scraped it. */
  readonly at?: string;
}

/** A service on one gateway: its pods' use against their limits (absent: no limit set). */
export interface ServiceUsage {
  readonly cpuMillicores: number;
  readonly cpuLimitMillicores?: number;
  readonly memoryBytes: number;
  readonly memoryLimitBytes?: number;
}

/** The fleet-wide word on figures: whether the metrics API answered, and if not why. */
export interface ResourceMetricsStatus {
  readonly available: boolean;
  readonly message?: string;
}

/** Millicores of a CPU quantity ("250m", "2", "123456789n"); undefined when absent or unreadable. */
export function millicores(quantity: string | undefined): number | undefined {
  const value = scalar(quantity);
  return value === undefined ? undefined : Math.round(value * 1000);
}

/** Bytes of a memory quantity ("64Mi", "1Gi", "1000k"); undefined when absent or unreadable. */
export function bytes(quantity: string | undefined): number | undefined {
  const value = scalar(quantity);
  return value === undefined ? undefined : Math.round(value);
}

function scalar(quantity: string | undefined): number | undefined {
  if (quantity === undefined || quantity === '') return undefined;
  try {
    const value = Number(quantityToScalar(quantity));
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface NodeLike {
  readonly metadata: { readonly name: string };
  readonly status?: { readonly capacity?: Readonly<Record<string, string>> };
}

/** The node's figures, or undefined when metrics-server has none for it (e.g. it went offline before a scrape). */
export function nodeUsage({ node, metrics }: { node: NodeLike; metrics: readonly NodeMetricsItem[] }): NodeUsage | undefined {
  const item = firstByName(nodeMetricsIndexes, metrics, (m) => m.metadata.name).get(node.metadata.name);
  const cpu = millicores(item?.usage.cpu);
  const memory = bytes(item?.usage.memory);
  if (!item || cpu === undefined || memory === undefined) return undefined;
  const cpuCapacity = millicores(node.status?.capacity?.cpu);
  const memoryCapacity = bytes(node.status?.capacity?.memory);
  return {
    cpuMillicores: cpu,
    ...(cpuCapacity !== undefined ? { cpuCapacityMillicores: cpuCapacity } : {}),
    memoryBytes: memory,
    ...(memoryCapacity !== undefined ? { memoryCapacityBytes: memoryCapacity } : {}),
    ...(item.timestamp ? { at: item.timestamp } : {}),
  };
}

export interface PodLike {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: { readonly containers?: readonly { readonly name: string; readonly resources?: { readonly limits?: Readonly<Record<string, string>> } }[] };
}

/**
 * The service's pods that metrics-server reports, summed: use, and the limits of those same
 * containers (a limit is absent when any of them sets none). Undefined when none is reported.
 */
/** Each metrics listing indexed once by name: every gateway looks its node and its services' pods up in it. */
const nodeMetricsIndexes = new WeakMap<readonly NodeMetricsItem[], ReadonlyMap<string, NodeMetricsItem>>();
const podMetricsIndexes = new WeakMap<readonly PodMetricsItem[], ReadonlyMap<string, PodMetricsItem>>();

function firstByName<T>(indexes: WeakMap<readonly T[], ReadonlyMap<string, T>>, items: readonly T[], name: (item: T) => string): ReadonlyMap<string, T> {
  let index = indexes.get(items);
  if (!index) {
    const byName = new Map<string, T>();
    // The first of a name wins, as a search from the front would find it.
    for (const item of items) if (!byName.has(name(item))) byName.set(name(item), item);
    indexes.set(items, (index = byName));
  }
  return index;
}

export function serviceUsage({ pods, metrics }: { pods: readonly PodLike[]; metrics: readonly PodMetricsItem[] }): ServiceUsage | undefined {
  const index = firstByName(podMetricsIndexes, metrics, (m) => `${m.metadata.namespace}/${m.metadata.name}`);
  let measured = false;
  let cpu = 0;
  let memory = 0;
  let cpuLimit: number | undefined = 0;
  let memoryLimit: number | undefined = 0;
  for (const pod of pods) {
    const item = index.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
    if (!item) continue;
    for (const container of item.containers) {
      const c = millicores(container.usage.cpu);
      const m = bytes(container.usage.memory);
      if (c === undefined || m === undefined) continue;
      measured = true;
      cpu += c;
      memory += m;
      const limits = pod.spec?.containers?.find((s) => s.name === container.name)?.resources?.limits;
      const cl = millicores(limits?.cpu);
      const ml = bytes(limits?.memory);
      cpuLimit = cpuLimit === undefined || cl === undefined ? undefined : cpuLimit + cl;
      memoryLimit = memoryLimit === undefined || ml === undefined ? undefined : memoryLimit + ml;
    }
  }
  if (!measured) return undefined;
  return {
    cpuMillicores: cpu,
    ...(cpuLimit !== undefined ? { cpuLimitMillicores: cpuLimit } : {}),
    memoryBytes: memory,
    ...(memoryLimit !== undefined ? { memoryLimitBytes: memoryLimit } : {}),
  };
}

/** The word status gives about figures. */
export function resourceMetricsStatus(read: ResourceMetricsRead | undefined): ResourceMetricsStatus {
  if (read?.available) return { available: true };
  return { available: false, message: `no CPU or memory figures: ${read ? read.reason : 'the metrics API was not read'}` };
}
