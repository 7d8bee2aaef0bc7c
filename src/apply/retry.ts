// Retries with exponential backoff and jitter, for the failures that pass by themselves:
// conflicts, throttling, server errors and lost connections. Never for 4xx that mean "no",
// nor for a request that timed out.
import { FleetError } from '../errors/fleet-error.ts';

export interface RetryPolicy {
  /** Tries in all, the first included. @default 5 */
  readonly attempts: number;
  /** The first delay before jitter. @default 200 */
  readonly baseMs: number;
  /** No delay is longer. @default 5000 */
  readonly maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 200, maxMs: 5000 };

/** Whether a failure with this HTTP status (undefined: no response at all) may pass by itself. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 409 || status === 429 || status >= 500;
}

export function isRetryable(error: unknown): boolean {
  const data = (error as { data?: { status?: number; reason?: string } }).data;
  // A write refused because this replica lost its Lease is never tried again.
  if (data?.reason === 'NotLeader') return false;
  // A request the API server did not answer within the deadline: a hung server (or etcd
  // behind it) costs one bounded wait, not one per attempt; the pass ends naming it and the
  // next pass asks again.
  if (data?.reason === 'Timeout') return false;
  // Errors of our own (an unsupported kind, a corrupt inventory) carry no request failure.
  if (!data || !('status' in data || 'reason' in data)) return (error as { code?: string }).code === 'CLUSTER_STILL_DELETING';
  return isRetryableStatus(data.status);
}

/**
 * "Equal jitter": half the exponential delay, plus a random part of the other half, so
 * gateways that failed together do not retry together.
 */
export function backoffDelay({ policy, attempt, random }: { readonly policy: RetryPolicy; readonly attempt: number; readonly random: () => number }): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return exponential / 2 + random() * (exponential / 2);
}

export interface RetryOptions {
  readonly policy: RetryPolicy;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

export interface RetryOutcome<T> {
  readonly value: T;
  readonly attempts: number;
}

/** A request that failed `attempts` times; what is reported is the last failure (see apply.ts). */
export class RetriesExhausted extends FleetError<{ readonly attempts: number }> {
  readonly code = 'RETRIES_EXHAUSTED';
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
  ) {
    super(lastError instanceof Error ? lastError.message : String(lastError), { attempts }, { cause: lastError });
  }
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` until it succeeds, fails for good, or runs out of attempts (then RetriesExhausted). */
export async function withRetry<T>({ policy, sleep = wait, random = Math.random }: RetryOptions, work: () => Promise<T>): Promise<RetryOutcome<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await work(), attempts: attempt };
    } catch (error) {
      if (!isRetryable(error) || attempt >= policy.attempts) throw new RetriesExhausted(error, attempt);
      await sleep(backoffDelay({ policy, attempt, random }));
    }
  }
}
