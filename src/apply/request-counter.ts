// Counts every request the cluster client sends, by verb: the metrics' API writes and the
// proof that a pass with nothing to do writes nothing.

export const VERBS = ['get', 'list', 'create', 'patch', 'update', 'delete'] as const;
export type Verb = (typeof VERBS)[number];
export const WRITE_VERBS: ReadonlySet<Verb> = new Set(['create', 'patch', 'update', 'delete']);

export type RequestCounts = Readonly<Record<Verb, number>>;

export class RequestCounter {
  private readonly counts: Record<Verb, number> = { get: 0, list: 0, create: 0, patch: 0, update: 0, delete: 0 };
  private readonly listeners: Array<(verb: Verb) => void> = [];

  count(verb: Verb): void {
    this.counts[verb]++;
    for (const listener of this.listeners) listener(verb);
  }

  /** Called on every request, e.g. to feed a Prometheus counter. */
  onRequest(listener: (verb: Verb) => void): void {
    this.listeners.push(listener);
  }

  snapshot(): RequestCounts {
    return { ...this.counts };
  }

  get writes(): number {
    return VERBS.filter((verb) => WRITE_VERBS.has(verb)).reduce((sum, verb) => sum + this.counts[verb], 0);
  }

  get total(): number {
    return VERBS.reduce((sum, verb) => sum + this.counts[verb], 0);
  }
}

/** The requests made between two snapshots. */
export function countsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  return Object.fromEntries(VERBS.map((verb) => [verb, after[verb] - before[verb]])) as Record<Verb, number>;
}
