// Pure transitions of the status record: a gateway report in, the next record out, with
// the history entries the difference implies. No clock and no state of their own: the
// store passes `now` in, so tests state exactly what happened when.
import type { FleetStatus, GatewayStatus, HistoryEntry, Phase, ServiceStatus, StatusSnapshot } from './status-model.ts';
import { PHASES, REASON } from './status-model.ts';

/** What the engine knows about one gateway at the end of a pass. */
export interface GatewayReport {
  readonly gateway: string;
  readonly customer: string;
  readonly node: GatewayStatus['node'];
  readonly phase: Phase;
  readonly reason: string;
  readonly message: string;
  readonly appliedRevision?: string;
  readonly pendingRevision?: string;
  /** lastTransition is filled in by the store when a service changes. */
  readonly services: readonly Omit<ServiceStatus, 'lastTransition'>[];
  readonly approval?: GatewayStatus['approval'];
  readonly rollout?: GatewayStatus['rollout'];
}

export interface NextGatewayArgs {
  readonly previous: GatewayStatus | undefined;
  readonly report: GatewayReport;
  readonly now: string;
  readonly historyLimit: number;
}

/**
 * The gateway's next record. Starts, updates and stops are derived from the desired
 * services of two consecutive reports. A gateway seen for the first time (a new gateway,
 * or every gateway after a reconciler restart) gets no derived history: a restart must not
 * claim that every service just started; the engine records real starts with `appendHistory`.
 */
export function nextGatewayStatus({ previous, report, now, historyLimit }: NextGatewayArgs): GatewayStatus {
  const revision = report.appliedRevision;
  const entries: HistoryEntry[] = [];
  const before = new Map((previous?.services ?? []).map((s) => [s.name, s]));
  const services = report.services.map((service): ServiceStatus => {
    const old = before.get(service.name);
    if (previous && !old) entries.push(entry({ time: now, event: 'started', service: service.name, to: service.desiredVersion, revision }));
    if (old && old.desiredVersion !== service.desiredVersion) {
      entries.push(entry({ time: now, event: 'updated', service: service.name, from: old.desiredVersion, to: service.desiredVersion, revision }));
    }
    const changed = !old || old.desiredVersion !== service.desiredVersion || old.runningVersion !== service.runningVersion || old.ready !== service.ready;
    return { ...service, lastTransition: changed ? now : (old.lastTransition ?? now) };
  });
  const kept = new Set(report.services.map((s) => s.name));
  for (const old of previous?.services ?? []) {
    if (!kept.has(old.name)) entries.push(entry({ time: now, event: 'stopped', service: old.name, from: old.desiredVersion, revision }));
  }
  const phaseChanged = previous !== undefined && previous.phase !== report.phase;
  if (phaseChanged) entries.push(entry({ time: now, event: 'phase-changed', from: previous.phase, to: report.phase, revision, message: report.message }));
  return {
    gateway: report.gateway,
    customer: report.customer,
    node: report.node,
    phase: report.phase,
    ...(report.appliedRevision !== undefined ? { appliedRevision: report.appliedRevision } : {}),
    ...(report.pendingRevision !== undefined ? { pendingRevision: report.pendingRevision } : {}),
    reason: report.reason,
    message: report.message,
    services: [...services].sort((a, b) => compare(a.name, b.name)),
    ...(report.approval ? { approval: report.approval } : {}),
    ...(report.rollout ? { rollout: report.rollout } : {}),
    lastTransition: previous === undefined || phaseChanged ? now : previous.lastTransition,
    history: bounded([...(previous?.history ?? []), ...entries], historyLimit),
  };
}

export function appendHistory({ status, entries, historyLimit }: { readonly status: GatewayStatus; readonly entries: readonly HistoryEntry[]; readonly historyLimit: number }): GatewayStatus {
  return { ...status, history: bounded([...status.history, ...entries], historyLimit) };
}

/**
 * A gateway as served: while the newest fetched commit is invalid, every gateway not on it
 * shows it as pending and says why, with the commit's FILE:LINE problems. Computed at read
 * time so it disappears the moment a good commit arrives.
 */
export function viewGateway(status: GatewayStatus, fleet: Pick<FleetStatus, 'badCommit'>): GatewayStatus {
  const bad = fleet.badCommit;
  if (!bad || status.appliedRevision === bad.revision) return status;
  const why = `commit ${bad.revision.slice(0, 12)} is not applied: ${bad.problems.length} problem(s): ${bad.problems.join('; ')}`;
  const healthy = status.phase === 'Ready' || status.phase === 'Progressing';
  return {
    ...status,
    pendingRevision: bad.revision,
    reason: healthy ? REASON.badCommit : status.reason,
    message: healthy ? why : `${status.message}; ${why}`,
  };
}

export function phaseCounts(gateways: Iterable<Pick<GatewayStatus, 'phase'>>): Record<Phase, number> {
  const counts = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  for (const g of gateways) counts[g.phase] += 1;
  return counts;
}

export interface StatusFilter {
  readonly phase?: Phase;
  readonly customer?: string;
}

export function filterSnapshot(snapshot: StatusSnapshot, filter: StatusFilter): StatusSnapshot {
  const gateways = snapshot.gateways.filter(
    (g) => (filter.phase === undefined || g.phase === filter.phase) && (filter.customer === undefined || g.customer === filter.customer),
  );
  // A rollout is shown to a filtered view only where it reaches one of the gateways shown.
  const shown = new Set(gateways.map((g) => g.gateway));
  const rollouts = filter.phase === undefined && filter.customer === undefined
    ? snapshot.rollouts
    : snapshot.rollouts.filter((r) => r.pending.some((g) => shown.has(g)) || r.waves.some((w) => w.gateways.some((g) => shown.has(g.gateway))));
  return { fleet: snapshot.fleet, rollouts, gateways };
}

export function compareGateways(a: Pick<GatewayStatus, 'customer' | 'gateway'>, b: Pick<GatewayStatus, 'customer' | 'gateway'>): number {
  return compare(a.customer, b.customer) || compare(a.gateway, b.gateway);
}

function bounded<T>(items: readonly T[], limit: number): T[] {
  return items.length > limit ? items.slice(items.length - limit) : [...items];
}

function entry(fields: HistoryEntry): HistoryEntry {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as HistoryEntry;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
