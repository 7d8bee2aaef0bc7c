// The status of the fleet as the reconciler reports it: one record per gateway plus the
// fleet-wide state of the last pass and of the fleet repo. Plain readonly data, so the
// same value is served as JSON, printed by `essg status` and drawn by the dashboard.
import type { DataFlow } from './data-flows.ts';
import type { RolloutSummary, WindowOpening } from '../rollout/types.ts';
import type { CommitProblem } from '../model/problems.ts';
import type { HistoryEntry } from './history.ts';
import type { NodeUsage, ResourceMetricsStatus, ServiceUsage } from './resource-usage.ts';

export type { NodeUsage, ResourceMetricsStatus, ServiceUsage } from './resource-usage.ts';

/** Gateway phases, as in DESIGN.md. */
export const PHASES = ['Ready', 'Progressing', 'Degraded', 'Offline', 'Unregistered', 'AwaitingApproval', 'OutsideWindow', 'RolledBack', 'Failed'] as const;
export type Phase = (typeof PHASES)[number];

export function isPhase(value: string): value is Phase {
  return (PHASES as readonly string[]).includes(value);
}

export interface NodePressure {
  readonly memory: boolean;
  readonly disk: boolean;
  readonly pid: boolean;
}

export interface NodeStatus {
  /** The edge node's name. */
  readonly name: string;
  /** The node's Ready condition: 'True', 'False' or 'Unknown' (KubeEdge node lost its uplink). */
  readonly ready: 'True' | 'False' | 'Unknown';
  /** ISO time of the node's last heartbeat (Lease renew or Ready condition heartbeat). */
  readonly lastHeartbeat?: string;
  readonly pressure: NodePressure;
  /** CPU and memory against capacity, from the metrics API; absent when it has none (see FleetStatus.resourceMetrics). */
  readonly usage?: NodeUsage;
}

export interface ServiceStatus {
  readonly name: string;
  readonly desiredVersion: string;
  /** Absent while nothing of the service runs yet. */
  readonly runningVersion?: string;
  readonly ready: boolean;
  readonly restarts: number;
  /** ISO time the service last changed version or readiness. */
  readonly lastTransition?: string;
  /** CPU and memory of its pods against their limits, from the metrics API; absent when it has none. */
  readonly usage?: ServiceUsage;
  /** The service's pods as observed this pass: what the drill-down shows before their logs. */
  readonly pods?: readonly PodStatus[];
}

export interface PodStatus {
  readonly name: string;
  /** The catalog version the pod runs (its version label). */
  readonly version?: string;
  /** Pending, Running, Succeeded, Failed. */
  readonly phase: string;
  readonly ready: boolean;
  readonly restarts: number;
  /** Healthy, Progressing or Degraded (the health stage's verdict), with why in `message` when not Healthy (e.g. `container ids: CrashLoopBackOff`). */
  readonly health: string;
  readonly message?: string;
}

/** What the approval gate decided for the gateway's pending revision, in a form a person reads. */
export interface ApprovalSummary {
  readonly result: 'approved' | 'awaiting-approval' | 'refused' | 'hold';
  readonly reason: string;
  readonly pr?: { readonly number: number; readonly url: string };
  readonly counted: readonly { readonly login: string; readonly via: string; readonly as: string }[];
  readonly notCounted: readonly { readonly login: string; readonly reason: string }[];
  readonly missing: { readonly customerApprovals: number; readonly operatorApprovals: number; readonly approvers: readonly string[] };
  /** One line, e.g. from the gate's describeDecision. */
  readonly summary: string;
}

export interface GatewayRolloutStatus {
  /** The rollout: the revision it brings. */
  readonly id: string;
  /** 0 is the canary wave; absent while the gateway waits for a wave. */
  readonly wave?: number;
  /** updating, soaking, done, deferred, failed, rolled-back, waiting, halted, failed-render, outside-window. */
  readonly state: string;
  readonly message: string;
  /** With outside-window: when the customer's next maintenance window opens, in UTC and in its zone. */
  readonly nextWindow?: WindowOpening;
}

/** A rollout as `essg rollout` shows it: the rollout stage's summary, derived from the gateways' durable states. */
/** A rollout as status shows it: its waves, and which services it changes on its gateways. */
export type RolloutStatus = RolloutSummary & {
  /** By service, sorted; absent when not known (its gateways' states predate it). */
  readonly services?: readonly RolloutServiceChange[];
};

/** What a rollout does to one service across its gateways. */
export interface RolloutServiceChange {
  readonly service: string;
  /** The versions it replaces (none: it installs the service), sorted. */
  readonly from: readonly string[];
  /** The version it brings; undefined: it stops the service. */
  readonly to?: string;
  /** How many of the rollout's gateways it changes this way. */
  readonly gateways: number;
}

export type { HistoryEntry, HistoryKind } from './history.ts';

export interface GatewayStatus {
  readonly gateway: string;
  readonly customer: string;
  readonly node: NodeStatus;
  readonly phase: Phase;
  /** The revision whose render is applied on the gateway (absent before the first apply). */
  readonly appliedRevision?: string;
  /** A newer revision the gateway has not moved to yet (approval, window, bad commit, failure). */
  readonly pendingRevision?: string;
  readonly reason: string;
  readonly message: string;
  readonly services: readonly ServiceStatus[];
  readonly approval?: ApprovalSummary;
  /** The rollout the gateway takes part in, and where it stands in it. */
  readonly rollout?: GatewayRolloutStatus;
  /** ISO time the phase last changed. */
  readonly lastTransition: string;
  /** Newest last, bounded (HISTORY_LIMIT), kept in the cluster: installs, updates, stops, rollbacks, drift repairs, responses, offline and online. */
  readonly history: readonly HistoryEntry[];
  /** Its services' data flows, as their catalog versions declare them (data-flows.ts); with the gateway alone, not in the fleet list. */
  readonly flows?: readonly DataFlow[];
}

export type PassResult = 'success' | 'partial' | 'failed' | 'refused' | 'bad-commit' | 'noop';

export interface PassStatus {
  readonly started: string;
  readonly finished?: string;
  readonly durationMs?: number;
  readonly result?: PassResult;
  readonly error?: string;
}

export interface SourceStatus {
  readonly ok: boolean;
  readonly error?: string;
  /** ISO time of the last successful fetch. */
  readonly lastFetched?: string;
}

/** A gateway as the fleet list shows it: everything but its history and its services' pods (those come with the gateway alone, GET /status/gateways/NAME). */
export type GatewaySummary = Omit<GatewayStatus, 'history' | 'services' | 'flows'> & { readonly services: readonly Omit<ServiceStatus, 'pods'>[] };

/** GET /status?view=list: what a dashboard polls at a few seconds' interval, a fraction of the full snapshot at a thousand gateways. */
export type StatusSummary = Omit<StatusSnapshot, 'gateways'> & { readonly gateways: readonly GatewaySummary[] };

export interface BadCommitStatus {
  readonly revision: string;
  /** Each problem where the user can fix it: file, line, col, code, message (formatCommitProblem prints one). */
  readonly problems: readonly CommitProblem[];
}

export interface ReplicaStatus {
  readonly identity: string;
  /** Holds the fleet's Lease, or (sharded) at least one shard: it applies. */
  readonly leading: boolean;
  /** With `--shards`: the shards this replica holds (it applies their gateways), of how many, among how many live replicas. */
  readonly shards?: { readonly count: number; readonly held: readonly number[]; readonly replicas: number };
}

export interface FleetStatus {
  /** The last revision fetched from the fleet repo. */
  readonly revision?: string;
  /** The newest revision that loaded and rendered. */
  readonly lastGoodRevision?: string;
  readonly badCommit?: BadCommitStatus;
  readonly lastPass?: PassStatus;
  /** The pass in progress, if any. */
  readonly currentPass?: PassStatus;
  readonly passes: number;
  readonly source: SourceStatus;
  readonly replica?: ReplicaStatus;
  readonly phases: Readonly<Record<Phase, number>>;
  /** Whether the last pass read CPU and memory figures from the metrics API, and if not why. */
  readonly resourceMetrics?: ResourceMetricsStatus;
  /** Edge nodes (KubeEdge's edge role) that no gateway of the fleet repo declares: joined, and running nothing of ours. Absent when there are none. */
  readonly unmanagedNodes?: readonly UnmanagedNode[];
}

export interface UnmanagedNode {
  readonly name: string;
  readonly ready: 'True' | 'False' | 'Unknown';
}

export interface StatusSnapshot {
  readonly fleet: FleetStatus;
  /** Rollouts in flight or halted, newest revision first. */
  readonly rollouts: readonly RolloutStatus[];
  /** Sorted by customer, then gateway. */
  readonly gateways: readonly GatewayStatus[];
}
