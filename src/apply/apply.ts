// Applies gateway plans: per gateway in dependency order, gateways side by side with a
// bound, each request retried on failures that pass by themselves. One gateway's failure
// is reported for that gateway and never stops another.
import pLimit from 'p-limit';
import { compareRefs, componentOf, type GatewayPlan, type ObjectRef, type OwnedRef, type SharedPlan } from '../diff/index.ts';
import type { K8sObject } from '../render/index.ts';
import type { ClusterClient } from './cluster-client.ts';
import { StillDeletingError } from './errors.ts';
import { DEFAULT_RETRY, RetriesExhausted, withRetry, type RetryOptions, type RetryPolicy } from './retry.ts';

export interface ApplyError {
  readonly gateway: string;
  /** The service (or part: namespace, ip-block, inventory) the failed object belongs to. */
  readonly component: string;
  /** undefined for the inventory. */
  readonly object?: ObjectRef;
  readonly verb: 'apply' | 'delete' | 'write-inventory';
  readonly code: string;
  readonly message: string;
  /** HTTP status of the last try; undefined when no answer came. */
  readonly status?: number;
  readonly attempts: number;
}

export interface GatewayApplyResult {
  readonly gateway: string;
  readonly ok: boolean;
  /** Created or updated, in the order applied. */
  readonly applied: readonly ObjectRef[];
  readonly deleted: readonly ObjectRef[];
  readonly inventoryWritten: boolean;
  readonly errors: readonly ApplyError[];
}

/**
 * Gateways applied at once. Each gateway's writes go one after another, in apply order, so
 * this is also about how many requests are in flight.
 */
export const DEFAULT_APPLY_CONCURRENCY = 32;

export interface ApplyGatewaysOptions {
  readonly client: ClusterClient;
  readonly plans: readonly GatewayPlan[];
  /** Gateways applied at once. @default DEFAULT_APPLY_CONCURRENCY */
  readonly concurrency?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** For tests: how to wait between tries, and the jitter source. */
  readonly sleep?: RetryOptions['sleep'];
  readonly random?: RetryOptions['random'];
  /** Once it aborts (leadership lost), no further gateway is started; the results hold only the gateways started. */
  readonly signal?: AbortSignal;
  /** Called as each gateway finishes, e.g. to update its status at once. */
  readonly onGatewayDone?: (result: GatewayApplyResult) => void;
}

interface Write {
  readonly ref: ObjectRef;
  readonly object: K8sObject;
  readonly recreate: boolean;
}

function errorOf({ gateway, component, object, verb, error }: { gateway: string; component: string; object?: ObjectRef; verb: ApplyError['verb']; error: unknown }): ApplyError {
  const attempts = error instanceof RetriesExhausted ? error.attempts : 1;
  const cause = error instanceof RetriesExhausted ? error.lastError : error;
  const code = (cause as { code?: unknown }).code;
  const status = (cause as { data?: { status?: number } }).data?.status;
  return {
    gateway,
    component,
    ...(object ? { object } : {}),
    verb,
    code: typeof code === 'string' ? code : 'UNEXPECTED',
    message: cause instanceof Error ? cause.message : String(cause),
    ...(status !== undefined ? { status } : {}),
    attempts,
  };
}

/** Applies in order and stops at the first failure: later objects depend on earlier ones (workloads mount the config). */
async function applyWrites({ client, gateway, writes, retry, applied, errors }: {
  client: ClusterClient; gateway: string; writes: readonly Write[]; retry: RetryOptions; applied: ObjectRef[]; errors: ApplyError[];
}): Promise<void> {
  for (const { ref, object, recreate } of writes) {
    try {
      if (recreate) {
        // A Job's pod template is immutable: the API server refuses to change it in place.
        // Delete it (its pods go in the background) and create it again from the fleet repo.
        await withRetry(retry, () => client.delete(ref));
        await withRetry(retry, async () => {
          if (await client.get(ref)) throw new StillDeletingError(ref);
        });
      }
      await withRetry(retry, () => client.apply(object));
      applied.push(ref);
    } catch (error) {
      errors.push(errorOf({ gateway, component: componentOf(object), object: ref, verb: 'apply', error }));
      return;
    }
  }
}

async function deleteAll({ client, gateway, refs, retry, deleted, errors }: {
  client: ClusterClient; gateway: string; refs: readonly (ObjectRef | OwnedRef)[]; retry: RetryOptions; deleted: ObjectRef[]; errors: ApplyError[];
}): Promise<void> {
  for (const ref of refs) {
    try {
      await withRetry(retry, () => client.delete(ref));
      deleted.push(ref);
    } catch (error) {
      errors.push(errorOf({ gateway, component: ('component' in ref && ref.component) || ref.kind.toLowerCase(), object: ref, verb: 'delete', error }));
    }
  }
}

export interface SharedApplyResult {
  readonly ok: boolean;
  readonly applied: readonly ObjectRef[];
  readonly deleted: readonly ObjectRef[];
  /** With gateway `fleet`: the shared objects belong to no one gateway. */
  readonly errors: readonly ApplyError[];
}

/**
 * The objects the fleet's gateways share (their customers' Namespaces), once, before any
 * gateway's own objects go in. What it prunes holds nothing of ours (see planShared).
 */
export async function applyShared({ client, plan, retry }: { client: ClusterClient; plan: SharedPlan; retry?: Partial<RetryPolicy> }): Promise<SharedApplyResult> {
  const options: RetryOptions = { policy: { ...DEFAULT_RETRY, ...retry } };
  const applied: ObjectRef[] = [];
  const deleted: ObjectRef[] = [];
  const errors: ApplyError[] = [];
  const writes = [...plan.creates, ...plan.updates].sort((a, b) => compareRefs(a.ref, b.ref)).map(({ ref, object }) => ({ ref, object, recreate: false }));
  // Each shared object stands alone: one that fails does not stop the others.
  for (const write of writes) await applyWrites({ client, gateway: 'fleet', writes: [write], retry: options, applied, errors });
  await deleteAll({ client, gateway: 'fleet', refs: plan.deletes, retry: options, deleted, errors });
  return { ok: errors.length === 0, applied, deleted, errors };
}

async function applyGateway({ client, plan, retry }: { client: ClusterClient; plan: GatewayPlan; retry: RetryOptions }): Promise<GatewayApplyResult> {
  const { gateway } = plan;
  const applied: ObjectRef[] = [];
  const deleted: ObjectRef[] = [];
  const errors: ApplyError[] = [];
  const writes: Write[] = [...plan.creates.map((c) => ({ ref: c.ref, object: c.object, recreate: false })), ...plan.updates.map((u) => ({ ref: u.ref, object: u.object, recreate: u.recreate }))].sort((a, b) => compareRefs(a.ref, b.ref));

  await applyWrites({ client, gateway, writes, retry, applied, errors });

  // Prune only after every apply succeeded, so a half-applied gateway keeps its old objects.
  if (errors.length === 0) await deleteAll({ client, gateway, refs: plan.deletes, retry, deleted, errors });

  let inventoryWritten = false;
  // Written only when the gateway fully converged: otherwise the old inventory keeps naming what may still exist.
  if (errors.length === 0 && plan.inventoryChanged) {
    try {
      if (plan.inventory.objects.length === 0) await withRetry(retry, () => client.deleteInventory(gateway));
      else await withRetry(retry, () => client.writeInventory(plan.inventory));
      inventoryWritten = true;
    } catch (error) {
      errors.push(errorOf({ gateway, component: 'inventory', verb: 'write-inventory', error }));
    }
  }
  return { gateway, ok: errors.length === 0, applied, deleted, inventoryWritten, errors };
}

/** Results in the order of `plans`. Never throws for a failed request: failures are in each result. */
export async function applyGateways({ client, plans, concurrency = DEFAULT_APPLY_CONCURRENCY, retry, sleep, random, signal, onGatewayDone }: ApplyGatewaysOptions): Promise<GatewayApplyResult[]> {
  const options: RetryOptions = { policy: { ...DEFAULT_RETRY, ...retry }, ...(sleep ? { sleep } : {}), ...(random ? { random } : {}) };
  const results: GatewayApplyResult[] = new Array<GatewayApplyResult>(plans.length);
  const limit = pLimit(Math.max(1, concurrency));
  await Promise.all(plans.map((plan, index) => limit(async () => {
    if (signal?.aborted) return;
    let result: GatewayApplyResult;
    try {
      result = await applyGateway({ client, plan, retry: options });
    } catch (error) {
      // Not a request failure (those are caught above): still this gateway's alone.
      result = { gateway: plan.gateway, ok: false, applied: [], deleted: [], inventoryWritten: false, errors: [errorOf({ gateway: plan.gateway, component: 'gateway', verb: 'apply', error })] };
    }
    results[index] = result;
    onGatewayDone?.(result);
  })));
  return signal?.aborted ? results.filter((r) => r !== undefined) : results;
}
