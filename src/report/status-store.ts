// The in-memory status of the fleet, written by the engine as a pass goes and read by the
// HTTP server, the metrics and `essg status`. Every change goes through a pure function of
// status-update.ts; the store only holds the current value and the clock.
import type { CommitProblem } from '../model/problems.ts';
import { canSee, type FleetAccess, type Viewer } from './access.ts';
import type { ResourceMetricsStatus } from './resource-usage.ts';
import type {
  GatewayStatus,
  GatewaySummary,
  HistoryEntry,
  PassResult,
  PassStatus,
  Phase,
  ReplicaStatus,
  RolloutStatus,
  SourceStatus,
  StatusSnapshot,
  StatusSummary,
  UnmanagedNode,
} from './status-model.ts';
import {
  type GatewayReport,
  type StatusFilter,
  compareGateways,
  filterSnapshot,
  nextGatewayStatus,
  phaseCounts,
  viewGateway,
} from './status-update.ts';

export interface StatusStoreOptions {
  /** @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Applied to everything the store hands out (snapshots, gateways), the way status leaves
   * the process: the runtime's SecretRedactor.redactValue. @default none
   */
  readonly redact?: (value: unknown) => unknown;
}

interface FleetState {
  readonly revision?: string;
  readonly lastGoodRevision?: string;
  readonly badCommit?: { readonly revision: string; readonly problems: readonly CommitProblem[] };
  readonly lastPass?: PassStatus;
  readonly currentPass?: PassStatus;
  readonly passes: number;
  readonly source: SourceStatus;
  readonly replica?: ReplicaStatus;
  readonly resourceMetrics?: ResourceMetricsStatus;
  readonly unmanagedNodes?: readonly UnmanagedNode[];
}

export class StatusStore {
  private rollouts: readonly RolloutStatus[] = [];
  private readonly now: () => Date;
  private readonly redact: <T>(value: T) => T;
  private fleet: FleetState = { passes: 0, source: { ok: true } };
  private readonly gateways = new Map<string, GatewayStatus>();
  /** The report each record was made from: the same report again makes the same record. */
  private readonly madeFrom = new WeakMap<GatewayStatus, GatewayReport>();
  private fleetAccess: FleetAccess | undefined;

  constructor(options: StatusStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    const redact = options.redact;
    this.redact = redact ? <T>(value: T) => redact(value) as T : <T>(value: T) => value;
  }

  passStarted(): PassStatus {
    const pass = { started: this.iso() };
    this.fleet = { ...this.fleet, currentPass: pass };
    return pass;
  }

  /** Ends the pass in progress; returns it with its duration, for metrics and logs. */
  passFinished({ result, error }: { readonly result: PassResult; readonly error?: string }): PassStatus {
    const finishedAt = this.now();
    const started = this.fleet.currentPass?.started ?? finishedAt.toISOString();
    const pass: PassStatus = {
      started,
      finished: finishedAt.toISOString(),
      durationMs: Math.max(0, finishedAt.getTime() - Date.parse(started)),
      result,
      ...(error !== undefined ? { error } : {}),
    };
    const { currentPass: _done, ...rest } = this.fleet;
    this.fleet = { ...rest, lastPass: pass, passes: this.fleet.passes + 1 };
    return pass;
  }

  sourceFetched({ revision }: { readonly revision: string }): void {
    this.fleet = { ...this.fleet, revision, source: { ok: true, lastFetched: this.iso() } };
  }

  /** The fleet repo could not be reached: reported, and everything else is kept as it was. */
  sourceFailed({ error }: { readonly error: string }): void {
    const { lastFetched } = this.fleet.source;
    this.fleet = { ...this.fleet, source: { ok: false, error, ...(lastFetched ? { lastFetched } : {}) } };
  }

  /** The revision loaded and rendered: it is the new last good revision. */
  revisionGood({ revision }: { readonly revision: string }): void {
    const { badCommit: _cleared, ...rest } = this.fleet;
    this.fleet = { ...rest, lastGoodRevision: revision };
  }

  /** The revision failed validation or rendering; each problem at its file, line and column. */
  revisionBad({ revision, problems }: { readonly revision: string; readonly problems: readonly CommitProblem[] }): void {
    this.fleet = { ...this.fleet, badCommit: { revision, problems: [...problems] } };
  }

  setReplica(replica: ReplicaStatus): void {
    this.fleet = { ...this.fleet, replica };
  }

  /** A report the record was made from, handed in again (nothing it reads changed), keeps the record as it is. */
  reportGateway(report: GatewayReport): GatewayStatus {
    const previous = this.gateways.get(report.gateway);
    if (previous && this.madeFrom.get(previous) === report) return previous;
    const next = nextGatewayStatus({ previous, report, now: this.iso() });
    this.gateways.set(report.gateway, next);
    this.madeFrom.set(next, report);
    return next;
  }

  /** The gateway's durable history as the engine recorded it in the cluster (newest last). */
  setHistory(gateway: string, history: readonly HistoryEntry[]): void {
    const status = this.gateways.get(gateway);
    if (status) this.gateways.set(gateway, { ...status, history });
  }

  /** The gateway left the fleet repo and its objects are pruned. */
  removeGateway(gateway: string): void {
    this.gateways.delete(gateway);
  }

  /** The status as the engine last reported it, for its next pass: neither viewed nor redacted, never served. */
  recorded(name: string): GatewayStatus | undefined {
    return this.gateways.get(name);
  }

  /**
   * What a gateway's history records of its reachability: its phase, node and message as
   * served (viewed and redacted), without redacting the rest of its record.
   */
  reachability(name: string): Pick<GatewayStatus, 'phase' | 'node' | 'message'> | undefined {
    const status = this.gateways.get(name);
    if (!status) return undefined;
    const { phase, node, message } = viewGateway(status, this.fleet);
    return this.redact({ phase, node, message });
  }

  gateway(name: string): GatewayStatus | undefined {
    const status = this.gateways.get(name);
    return status && this.redact(viewGateway(status, this.fleet));
  }

  /**
   * Whether a gateway on this edge node waits for it: the last pass saw the node offline or
   * not ready, or left the gateway on another revision than the fleet's. A node coming back
   * online asks for a pass only then, so nodes that flap under load do not each cost a pass.
   */
  awaitsNode(node: string): boolean {
    for (const status of this.gateways.values()) {
      if (status.node.name !== node) continue;
      if (status.node.ready !== 'True' || status.phase === 'Offline' || status.appliedRevision !== this.fleet.revision) return true;
    }
    return false;
  }

  gatewayNames(): string[] {
    return [...this.gateways.keys()];
  }

  phaseCounts(): Record<Phase, number> {
    return phaseCounts(this.gateways.values());
  }

  /** A first pass finished (whatever its result): the replica has something to report. */
  hasCompletedPass(): boolean {
    return this.fleet.lastPass !== undefined;
  }

  /** The rollouts as the last pass derived them from the gateways' durable states. */
  /** Whether this pass read CPU and memory figures, and if not why (status says so rather than showing zeros). */
  setResourceMetrics(status: ResourceMetricsStatus): void {
    this.fleet = { ...this.fleet, resourceMetrics: status };
  }

  /** The edge nodes no gateway declares, as the last pass saw them. */
  setUnmanagedNodes(nodes: readonly UnmanagedNode[]): void {
    const { unmanagedNodes: _dropped, ...fleet } = this.fleet;
    this.fleet = nodes.length > 0 ? { ...fleet, unmanagedNodes: nodes } : fleet;
  }

  /** Who may see what, as the last pass read it from the fleet repo (access.ts). */
  setAccess(access: FleetAccess): void {
    this.fleetAccess = access;
  }

  access(): FleetAccess | undefined {
    return this.fleetAccess;
  }

  /** The gateways `viewer` may not see, by name: what their view must not name. */
  hiddenFrom(viewer: Viewer): ReadonlySet<string> {
    const hidden = new Set<string>();
    if (viewer.role === 'operator') return hidden;
    for (const g of this.gateways.values()) if (!canSee(viewer, g)) hidden.add(g.gateway);
    return hidden;
  }

  setRollouts(rollouts: readonly RolloutStatus[]): void {
    this.rollouts = rollouts;
  }

  snapshot(filter: StatusFilter = {}): StatusSnapshot {
    const gateways = [...this.gateways.values()].map((g) => viewGateway(g, this.fleet)).sort(compareGateways);
    return this.redact(filterSnapshot({ fleet: { ...this.fleet, phases: phaseCounts(gateways) }, rollouts: this.rollouts, gateways }, filter));
  }

  /** The snapshot without each gateway's history and pods: the list a dashboard polls. Cut before redaction, so that walks the list only. */
  summary(filter: StatusFilter = {}): StatusSummary {
    const gateways = [...this.gateways.values()].map((g) => viewGateway(g, this.fleet)).sort(compareGateways);
    const filtered = filterSnapshot({ fleet: { ...this.fleet, phases: phaseCounts(gateways) }, rollouts: this.rollouts, gateways }, filter);
    return this.redact({ ...filtered, gateways: filtered.gateways.map(summaryOf) });
  }

  private iso(): string {
    return this.now().toISOString();
  }
}

function summaryOf({ history: _history, flows: _flows, services, ...gateway }: GatewayStatus): GatewaySummary {
  return { ...gateway, services: services.map(({ pods: _pods, ...service }) => service) };
}
