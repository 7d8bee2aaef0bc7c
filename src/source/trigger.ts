// What starts a reconcile pass: a poll on a schedule, a push webhook, a gateway's edge node
// coming back online, a pre-pull ending, or a person. Passes
// never overlap; requests that arrive while a pass runs are folded into exactly one
// follow-up pass, so a burst of pushes costs two passes, not one per push.
import cron from 'node-cron';
import { FleetError } from '../errors/fleet-error.ts';

export type TriggerSource = 'poll' | 'webhook' | 'node' | 'pre-pull' | 'manual' | 'startup';

export interface TriggerReason {
  readonly source: TriggerSource;
  /** Free text for logs: the pushed sha, the node that came back, who asked. */
  readonly detail?: string;
}

/** The reasons a pass was asked for, for its log line: "webhook (3f2a…), node (edge node gw-7 Ready again)". */
export function describeReasons(reasons: readonly TriggerReason[]): string {
  const seen = new Set<string>();
  for (const { source, detail } of reasons) seen.add(detail ? `${source} (${detail})` : source);
  return [...seen].join(', ');
}

export type PassOutcome<T> =
  | { readonly ok: true; readonly pass: number; readonly value: T }
  | { readonly ok: false; readonly pass: number; readonly error: unknown };

export type RunPass<T> = (args: { readonly pass: number; readonly reasons: readonly TriggerReason[] }) => Promise<T>;

/** Thrown into outcomes of requests made after close(). */
export class TriggerClosedError extends FleetError<{ readonly source: TriggerSource }> {
  readonly code = 'TRIGGER_CLOSED';
  constructor(source: TriggerSource) {
    super(`no pass will run: the trigger is closed (request from ${source})`, { source });
  }
}

interface Batch<T> {
  readonly reasons: TriggerReason[];
  readonly waiters: ((outcome: PassOutcome<T>) => void)[];
}

export class PassTrigger<T = void> {
  private current: Promise<void> | undefined;
  private pending: Batch<T> | undefined;
  private passes = 0;
  private closed = false;

  constructor(private readonly run: RunPass<T>) {}

  /**
   * Asks for a pass. Resolves (never rejects) with the outcome of the first pass that
   * starts after this call: the running one does not count, since it may have read the
   * repo before the change that prompted the request.
   */
  request(reason: TriggerReason = { source: 'manual' }): Promise<PassOutcome<T>> {
    if (this.closed) return Promise.resolve({ ok: false, pass: this.passes, error: new TriggerClosedError(reason.source) });
    return new Promise((resolve) => {
      this.pending ??= { reasons: [], waiters: [] };
      this.pending.reasons.push(reason);
      this.pending.waiters.push(resolve);
      if (!this.current) this.startNext();
    });
  }

  /** Whether a pass is running now. */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Passes started so far. */
  get passCount(): number {
    return this.passes;
  }

  /** Refuses new requests and resolves when the running and already requested passes are done. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.current) await this.current;
  }

  private startNext(): void {
    const batch = this.pending;
    this.pending = undefined;
    if (!batch) return;
    const pass = ++this.passes;
    this.current = (async () => {
      let outcome: PassOutcome<T>;
      try {
        outcome = { ok: true, pass, value: await this.run({ pass, reasons: batch.reasons }) };
      } catch (error) {
        outcome = { ok: false, pass, error };
      }
      for (const resolve of batch.waiters) resolve(outcome);
    })().finally(() => {
      this.current = undefined;
      this.startNext();
    });
  }
}

/** A cron expression node-cron refuses (five or six fields). */
export class InvalidCronError extends FleetError<{ readonly expression: string; readonly problems: readonly string[] }> {
  readonly code = 'INVALID_CRON';
  constructor(expression: string, problems: readonly string[]) {
    super(`invalid poll schedule "${expression}": ${problems.join('; ') || 'not a cron expression'} (e.g. "*/1 * * * *" polls every minute)`, { expression, problems });
  }
}

export interface PollSchedule {
  stop(): Promise<void>;
}

/** @throws InvalidCronError before anything is scheduled. */
export function validateCron(expression: string): void {
  const result = cron.validateDetailed(expression);
  if (!result.valid) throw new InvalidCronError(expression, result.errors.map((e) => `${e.field}: ${e.message}`));
}

/** Requests a pass on every tick of a cron expression (optionally in a time zone). */
export function schedulePolls<T>({ cron: expression, trigger, timezone }: {
  readonly cron: string;
  readonly trigger: Pick<PassTrigger<T>, 'request'>;
  readonly timezone?: string;
}): PollSchedule {
  validateCron(expression);
  const task = cron.schedule(expression, async () => {
    // The outcome is the pass's business (it reports its own failures); a tick only asks.
    await trigger.request({ source: 'poll' });
  }, { ...(timezone ? { timezone } : {}), noOverlap: true, name: 'essg-poll' });
  return {
    stop: async () => {
      await task.stop();
      await task.destroy();
    },
  };
}
