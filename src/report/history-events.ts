// What one pass did to one gateway, as history entries. Pure: the engine hands in what ran
// before the pass (read from the live objects, so a restarted reconciler compares with what
// the cluster holds, never with a memory it lost) and what the pass applied.
import { lastReachability, type HistoryEntry } from './history.ts';

/** What a gateway runs: each catalog service's version, and the responses acting on it. */
export interface GatewayContents {
  readonly services: ReadonlyMap<string, string>;
  readonly responses: ReadonlySet<string>;
}

export interface GatewayPassFacts {
  readonly time: string;
  /** The revision the gateway is on after the pass. */
  readonly revision?: string;
  /** Whether the pass's apply to the gateway went through (true when there was nothing to apply). */
  readonly applied: boolean;
  readonly before: GatewayContents;
  readonly after: GatewayContents;
  /** Why the gateway's services changed: its rollout wave, a first install, a pull request. */
  readonly moveCause: string;
  /** Why a service stopped (an expiry, its removal from the gateway file). */
  readonly stopCause: (service: string) => string;
  /** Why a response now acts (pre-authorised or approved, and its reason). */
  readonly responseCause: (response: string) => string;
  /** Set when the pass put the gateway back on its last healthy revision. */
  readonly rollback?: { readonly from: string; readonly to: string; readonly reason: string };
  /** Objects changed or deleted by hand that the pass put back, described. */
  readonly drift: readonly string[];
  /** undefined: the gateway's reachability was not judged this pass. */
  readonly reachability?: { readonly offline: boolean; readonly cause: string };
}

const short = (revision: string | undefined): string => (revision ?? '').slice(0, 12);

/**
 * Whether a pass adds nothing to a gateway's history without its facts gathered: nothing was
 * applied to it, and it is as reachable as its history last recorded.
 */
export function addsNothing(history: readonly HistoryEntry[], { applied, offline }: { readonly applied: boolean; readonly offline: boolean }): boolean {
  if (applied) return false;
  const last = lastReachability(history);
  return offline ? last === 'offline' : last !== 'offline';
}

/** The entries one pass adds to a gateway's history, in the order they happened. */
export function historyEventsOfPass(history: readonly HistoryEntry[], facts: GatewayPassFacts): HistoryEntry[] {
  const { time, revision } = facts;
  const at = revision ? { revision } : {};
  const entries: HistoryEntry[] = [];
  const last = lastReachability(history);
  if (facts.reachability?.offline && last !== 'offline') entries.push({ time, kind: 'offline', ...at, cause: facts.reachability.cause });
  if (facts.applied) {
    if (facts.rollback) {
      entries.push({ time, kind: 'rolled-back', ...at, from: short(facts.rollback.from), to: short(facts.rollback.to), cause: facts.rollback.reason });
    } else {
      for (const [service, version] of facts.after.services) {
        const was = facts.before.services.get(service);
        if (was === undefined) entries.push({ time, kind: 'installed', ...at, service, to: version, cause: facts.moveCause });
        else if (was !== version) entries.push({ time, kind: 'updated', ...at, service, from: was, to: version, cause: facts.moveCause });
      }
    }
    for (const [service, version] of facts.before.services) {
      if (!facts.after.services.has(service)) entries.push({ time, kind: 'stopped', ...at, service, from: version, cause: facts.stopCause(service) });
    }
    for (const response of facts.after.responses) {
      if (!facts.before.responses.has(response)) entries.push({ time, kind: 'response-applied', ...at, service: response, cause: facts.responseCause(response) });
    }
    if (facts.drift.length > 0) entries.push({ time, kind: 'drift-repaired', ...at, cause: `put back what was changed by hand: ${facts.drift.join(', ')}` });
  }
  if (facts.reachability && !facts.reachability.offline && last === 'offline') entries.push({ time, kind: 'online', ...at, cause: facts.reachability.cause });
  return entries;
}
