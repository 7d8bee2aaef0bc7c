// Kubernetes Events about what the reconciler did, on the objects it manages or, for
// gateway-wide news, on the gateway's inventory ConfigMap. Identical events are folded
// into one Event whose count goes up (as `kubectl get events` shows them), so a gateway
// failing every pass produces one Event, not one per pass.

import { inventoryName, SYSTEM_NAMESPACE, type Reason } from '../contract/index.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Absent for cluster-scoped objects (their Events go to the `default` namespace). */
  readonly namespace?: string;
  readonly uid?: string;
}

export interface EventInput {
  readonly regarding: EventObjectRef;
  readonly type: EventType;
  /** One of the contract's reasons (src/contract/reasons.ts). */
  readonly reason: Reason;
  readonly message: string;
  /** What the reconciler did (events.k8s.io's `action`), e.g. Apply, Prune. */
  readonly action?: string;
}

export interface EventRecorder {
  /** Never throws: an Event that cannot be written must not fail a pass. */
  record(event: EventInput): Promise<void>;
}

/** The object gateway-wide Events are about: the gateway's inventory ConfigMap. */
export function inventoryRef(gateway: string): EventObjectRef {
  return { apiVersion: 'v1', kind: 'ConfigMap', name: inventoryName(gateway), namespace: SYSTEM_NAMESPACE };
}

export function eventRefOf(object: { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string; readonly uid?: string } }): EventObjectRef {
  const { name, namespace, uid } = object.metadata;
  return { apiVersion: object.apiVersion, kind: object.kind, name, ...(namespace ? { namespace } : {}), ...(uid ? { uid } : {}) };
}

/** Where an Event about `ref` lives: the object's namespace, `default` for cluster-scoped ones. */
export function eventNamespace(ref: EventObjectRef): string {
  return ref.namespace ?? 'default';
}

/** Events of the same object, type, reason and message are one Event with a count. */
export function aggregationKey(event: EventInput): string {
  const r = event.regarding;
  return [r.apiVersion, r.kind, r.namespace ?? '', r.name, event.type, event.reason, event.message].join('\u0000');
}

/** The Kubernetes limit on an Event message (longer ones are truncated, as client-go does). */
export const MAX_MESSAGE_LENGTH = 1024;

export function truncateMessage(message: string): string {
  return message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH - 3)}...`;
}

export interface RecordedEvent extends EventInput {
  readonly count: number;
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
}

/** Tracks which events were already written, bounded, oldest forgotten first. */
export class EventAggregator<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(key: string): T | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Re-inserted so the Map's order is least recently used first.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** For unit tests and `--dry-run`: keeps Events in memory, aggregated as the cluster would. */
export class InMemoryEventRecorder implements EventRecorder {
  private readonly events: RecordedEvent[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async record(event: EventInput): Promise<void> {
    const key = aggregationKey(event);
    const time = this.now().toISOString();
    const at = this.index.get(key);
    const message = truncateMessage(event.message);
    if (at !== undefined) {
      const previous = this.events[at] as RecordedEvent;
      this.events[at] = { ...previous, count: previous.count + 1, lastTimestamp: time };
      return;
    }
    this.index.set(key, this.events.length);
    this.events.push({ ...event, message, count: 1, firstTimestamp: time, lastTimestamp: time });
  }

  list(filter: { readonly reason?: string; readonly name?: string } = {}): readonly RecordedEvent[] {
    return this.events.filter((e) => (filter.reason === undefined || e.reason === filter.reason) && (filter.name === undefined || e.regarding.name === filter.name));
  }
}
