// EventRecorder over @kubernetes/client-node: core/v1 Events, aggregated like client-go's
// recorder (an identical Event is patched with count+1 instead of created again) and
// throttled, so a gateway that fails every pass costs at most one write per interval.
import { ApiException, type CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { REPORTING_COMPONENT } from '../contract/index.ts';
import {
  EventAggregator,
  type EventInput,
  type EventRecorder,
  aggregationKey,
  eventNamespace,
  truncateMessage,
} from './events.ts';

export interface KubeEventRecorderOptions {
  readonly core: Pick<CoreV1Api, 'createNamespacedEvent' | 'patchNamespacedEvent'>;
  /** This replica (pod name); shown as the Event's reportingInstance. */
  readonly instance: string;
  /** Distinct Events remembered for aggregation. @default 4096 */
  readonly capacity?: number;
  /** An identical Event is written again (count+1) at most this often; repeats in between are counted and carried by the next write. @default 60_000 */
  readonly repeatIntervalMs?: number;
  readonly now?: () => Date;
  /** Each API write, for request metrics. */
  readonly onWrite?: (verb: 'create' | 'patch') => void;
  /** An Event could not be written; the pass goes on. */
  readonly onError?: (error: unknown, event: EventInput) => void;
  /** Applied to each message before it is aggregated and written: the runtime's SecretRedactor.redact. @default none */
  readonly redact?: (text: string) => string;
}

interface Written {
  readonly name: string;
  readonly namespace: string;
  /** The count the cluster has. */
  readonly written: number;
  /** The count including repeats not written yet. */
  readonly count: number;
  readonly writtenAt: number;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly seen: EventAggregator<Written>;
  private readonly repeatIntervalMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: KubeEventRecorderOptions) {
    this.seen = new EventAggregator(options.capacity ?? 4096);
    this.repeatIntervalMs = options.repeatIntervalMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
  }

  async record(input: EventInput): Promise<void> {
    const event = this.options.redact ? { ...input, message: this.options.redact(input.message) } : input;
    const key = aggregationKey(event);
    try {
      const previous = this.seen.get(key);
      const now = this.now();
      if (previous) {
        const count = previous.count + 1;
        if (now.getTime() - previous.writtenAt < this.repeatIntervalMs) {
          this.seen.set(key, { ...previous, count });
          return;
        }
        if (await this.bump(previous, count, now)) {
          this.seen.set(key, { ...previous, written: count, count, writtenAt: now.getTime() });
          return;
        }
      }
      const created = await this.create(event, now);
      this.seen.set(key, { ...created, written: 1, count: 1, writtenAt: now.getTime() });
    } catch (error) {
      this.options.onError?.(error, event);
    }
  }

  /** False when the Event is gone (Events expire after an hour): create a new one. */
  private async bump(previous: Written, count: number, now: Date): Promise<boolean> {
    try {
      this.options.onWrite?.('patch');
      await this.options.core.patchNamespacedEvent({
        name: previous.name,
        namespace: previous.namespace,
        body: [
          { op: 'replace', path: '/count', value: count },
          { op: 'replace', path: '/lastTimestamp', value: kubeTime(now) },
        ],
      });
      return true;
    } catch (error) {
      if (error instanceof ApiException && (error.code === 404 || error.code === 422)) return false;
      throw error;
    }
  }

  private async create(event: EventInput, now: Date): Promise<{ readonly name: string; readonly namespace: string }> {
    const ref = event.regarding;
    const namespace = eventNamespace(ref);
    // client-go's naming: the object's name and a nanosecond stamp, unique per write.
    const stamp = (BigInt(now.getTime()) * 1_000_000n + BigInt(process.hrtime.bigint() % 1_000_000n)).toString(16);
    const name = `${ref.name.slice(0, 253 - stamp.length - 1)}.${stamp}`;
    const body: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        name: ref.name,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        ...(ref.uid ? { uid: ref.uid } : {}),
      },
      type: event.type,
      reason: event.reason,
      message: truncateMessage(event.message),
      ...(event.action ? { action: event.action } : {}),
      count: 1,
      firstTimestamp: secondPrecision(now),
      lastTimestamp: secondPrecision(now),
      source: { component: REPORTING_COMPONENT },
      reportingComponent: REPORTING_COMPONENT,
      reportingInstance: this.options.instance,
    };
    this.options.onWrite?.('create');
    await this.options.core.createNamespacedEvent({ namespace, body });
    return { name, namespace };
  }
}

/** metav1.Time has second precision. */
function secondPrecision(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function kubeTime(date: Date): string {
  return `${secondPrecision(date).toISOString().slice(0, 19)}Z`;
}
