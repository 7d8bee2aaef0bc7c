// Pure transitions of the status record: a gateway report in, the next record out. No clock
// and no state of their own: the store passes `now` in, so tests state exactly what happened
// when. History is not derived here: the engine records it in the cluster (history.ts).
import { formatCommitProblem } from '../model/problems.ts';
import type { FleetStatus, GatewayStatus, HistoryEntry, Phase, ServiceStatus, StatusSnapshot } from './status-model.ts';
import { PHASES } from './status-model.ts';
import { REASON } from '../contract/index.ts';

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
  readonly flows?: GatewayStatus['flows'];
}

export interface NextGatewayArgs {
  readonly previous: GatewayStatus | undefined;
  readonly report: GatewayReport;
  readonly now: string;
  /** The gateway's durable history, as the engine last recorded it. @default previous's */
  readonly history?: readonly HistoryEntry[];
}

/** The gateway's next record: services keep their last transition unless they changed. */
export function nextGatewayStatus({ previous, report, now, history }: NextGatewayArgs): GatewayStatus {
  const before = new Map((previous?.services ?? []).map((s) => [s.name, s]));
  const services = report.services.map((service): ServiceStatus => {
    const old = before.get(service.name);
    const changed = !old || old.desiredVersion !== service.desiredVersion || old.runningVersion !== service.runningVersion || old.ready !== service.ready;
    return { ...service, lastTransition: changed ? now : (old.lastTransition ?? now) };
  });
  const phaseChanged = previous !== undefined && previous.phase !== report.phase;
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
    ...(report.flows ? { flows: report.flows } : {}),
    lastTransition: previous === undefined || phaseChanged ? now : previous.lastTransition,
    history: history ?? previous?.history ?? [],
  };
}

/**
 * A gateway as served: while the newest fetched commit is invalid, every gateway not on it
 * shows it as pending and says why, with the commit's FILE:LINE problems. Computed at read
 * time so it disappears the moment a good commit arrives.
 */
export function viewGateway(status: GatewayStatus, fleet: Pick<FleetStatus, 'badCommit'>): GatewayStatus {
  const bad = fleet.badCommit;
  if (!bad || status.appliedRevision === bad.revision) return status;
  const why = `commit ${bad.revision.slice(0, 12)} is not applied: ${bad.problems.length} problem(s): ${bad.problems.map(formatCommitProblem).join('; ')}`;
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

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
