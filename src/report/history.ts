// A gateway's history: what happened to it, newest last, each with when, at which revision
// and why. The record is kept in the cluster (one ConfigMap per gateway, written by the
// leader), so a restarted or newly elected reconciler shows the same history. Pure: the
// codec and the bound, no IO.

export const HISTORY_KINDS = ['installed', 'updated', 'stopped', 'rolled-back', 'drift-repaired', 'response-applied', 'offline', 'online'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/**
 * Entries kept per gateway, oldest dropped first. An entry is at most a few hundred bytes,
 * so 50 stay near 15 KiB, far below a ConfigMap's 1 MiB, and 10,000 gateways hold at most
 * about 150 MB of history in etcd; 50 covers months of a gateway's life (updates come in
 * maintenance windows, responses a few a month) and a day of a flapping uplink.
 */
export const HISTORY_LIMIT = 50;

export interface HistoryEntry {
  /** RFC 3339, the system clock. */
  readonly time: string;
  readonly kind: HistoryKind;
  /** The revision the gateway is on after the event. */
  readonly revision?: string;
  /** The catalog service, or the response, the entry is about. */
  readonly service?: string;
  readonly from?: string;
  readonly to?: string;
  /** Why it happened: the rollout and wave, the pull request, the expiry, the failure, the node's condition. */
  readonly cause: string;
}

export function appendHistory(history: readonly HistoryEntry[], entries: readonly HistoryEntry[], limit = HISTORY_LIMIT): readonly HistoryEntry[] {
  const all = [...history, ...entries];
  return all.length > limit ? all.slice(all.length - limit) : all;
}

export function serializeHistory(history: readonly HistoryEntry[]): string {
  return JSON.stringify(history);
}

export type ParsedHistory = { readonly ok: true; readonly history: readonly HistoryEntry[] } | { readonly ok: false; readonly problem: string };

const OPTIONAL_TEXT = ['revision', 'service', 'from', 'to'] as const;

function isEntry(value: unknown): value is HistoryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry['time'] === 'string'
    && typeof entry['cause'] === 'string'
    && (HISTORY_KINDS as readonly unknown[]).includes(entry['kind'])
    && OPTIONAL_TEXT.every((key) => entry[key] === undefined || typeof entry[key] === 'string');
}

/** A record another version wrote, or one edited by hand, is refused whole rather than half read. */
export function parseHistory(text: string): ParsedHistory {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message})` };
  }
  if (!Array.isArray(value)) return { ok: false, problem: 'not a list of entries' };
  const bad = value.findIndex((entry) => !isEntry(entry));
  if (bad >= 0) return { ok: false, problem: `entry ${bad} is not a history entry (time, kind, cause)` };
  return { ok: true, history: value as HistoryEntry[] };
}

/** The last time the gateway was seen going offline or coming back, if ever. */
export function lastReachability(history: readonly HistoryEntry[]): 'offline' | 'online' | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const kind = history[i]!.kind;
    if (kind === 'offline' || kind === 'online') return kind;
  }
  return undefined;
}
