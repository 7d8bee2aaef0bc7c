// One error class per way talking to the cluster can fail, each with a stable `code`, a
// `data` payload and `toJSON()`, so the engine, status and Events report them the same way.
import type { ObjectRef } from '../diff/index.ts';
import { FleetError } from '../errors/fleet-error.ts';

export abstract class ClusterError<Data extends object> extends FleetError<Data> {}

export interface RequestFailure {
  /** HTTP status, or undefined when no response came (connection refused, reset, timeout). */
  readonly status?: number;
  /** The API server's reason (Forbidden, Conflict, ...) or the network error code (ECONNREFUSED). */
  readonly reason?: string;
  readonly detail: string;
}

/** A listing failed: what exists is unknown, so nothing may be pruned on its strength. */
export class ListFailedError extends ClusterError<RequestFailure & { readonly kind: string; readonly selector: string }> {
  readonly code = 'CLUSTER_LIST_FAILED';
  constructor(data: RequestFailure & { kind: string; selector: string }, cause?: unknown) {
    super(`listing ${data.kind} (${data.selector}) failed${data.status ? ` with HTTP ${data.status}` : ''}: ${data.detail}`, data, { cause });
  }
}

/** A watch of a kind could not be opened or broke, and listing afresh did not mend it: what exists is unknown. */
export class WatchFailedError extends ClusterError<RequestFailure & { readonly kind: string; readonly selector: string }> {
  readonly code = 'CLUSTER_WATCH_FAILED';
  constructor(data: RequestFailure & { kind: string; selector: string }, cause?: unknown) {
    super(`watching ${data.kind} (${data.selector}) failed${data.status ? ` with HTTP ${data.status}` : ''}: ${data.detail}`, data, { cause });
  }
}

/** A request about one object (apply, delete, get) failed. */
export class ObjectRequestError extends ClusterError<RequestFailure & { readonly verb: 'apply' | 'delete' | 'get'; readonly object: ObjectRef }> {
  readonly code = 'CLUSTER_REQUEST_FAILED';
  constructor(data: RequestFailure & { verb: 'apply' | 'delete' | 'get'; object: ObjectRef }, cause?: unknown) {
    const { kind, namespace, name } = data.object;
    super(`${data.verb} ${kind} ${namespace ? `${namespace}/` : ''}${name} failed${data.status ? ` with HTTP ${data.status}` : ''}: ${data.detail}`, data, { cause });
  }
}

/** The object is of a kind the reconciler does not manage (and has no RBAC for). */
export class UnsupportedKindError extends ClusterError<{ readonly apiVersion: string; readonly kind: string }> {
  readonly code = 'CLUSTER_UNSUPPORTED_KIND';
  constructor(data: { apiVersion: string; kind: string }) {
    super(`${data.kind} (${data.apiVersion}) is not a kind the reconciler manages`, data);
  }
}

/** A Job to be created again was still being deleted after every retry. */
export class StillDeletingError extends ClusterError<{ readonly object: ObjectRef }> {
  readonly code = 'CLUSTER_STILL_DELETING';
  constructor(object: ObjectRef) {
    super(`${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name} is still being deleted`, { object });
  }
}

/** The inventory ConfigMap could not be read or written. */
export class InventoryError extends ClusterError<RequestFailure & { readonly gateway: string; readonly operation: 'read' | 'write' }> {
  readonly code = 'CLUSTER_INVENTORY_FAILED';
  constructor(data: RequestFailure & { gateway: string; operation: 'read' | 'write' }, cause?: unknown) {
    super(`${data.operation === 'read' ? 'reading' : 'writing'} the inventory of gateway ${data.gateway} failed: ${data.detail}`, data, { cause });
  }
}

/** The inventory ConfigMap exists but does not hold an inventory we can read. */
export class InventoryCorruptError extends ClusterError<{ readonly gateway: string; readonly detail: string }> {
  readonly code = 'CLUSTER_INVENTORY_CORRUPT';
  constructor(data: { gateway: string; detail: string }) {
    super(`the inventory of gateway ${data.gateway} is unreadable: ${data.detail}`, data);
  }
}

/**
 * Waits for listings run at once and, when any fails, throws the first failure in the order
 * given (not the first to arrive), so one broken cluster always reports the same error.
 */
export async function allListed<T extends readonly unknown[]>(listings: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(listings);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
