// What the reconciler is built from (the clients and settings `essg reconcile` gives it) and
// what a pass reports back.
import type { ClusterClient, GatewayApplyResult } from '../apply/index.ts';
import type { GatewayPlan, SharedPlan } from '../diff/index.ts';
import type { GatewayTarget, GitHubGate } from '../gate/index.ts';
import type { FleetLoader } from '../load/index.ts';
import type { EventRecorder, FleetMetrics, PassResult, StatusStore } from '../report/index.ts';
import type { RolloutPlan } from '../rollout/index.ts';
import type { GitSource } from '../source/index.ts';
import type { GatewayShards } from '../leader/shard-of.ts';
import type { ImageAvailability } from '../warehouse/image-availability.ts';
import type { StepTimings } from './pass-timings.ts';

export interface ReconcilerOptions {
  readonly source: GitSource;
  /**
   * Loads and renders the fleet at a commit; `essg reconcile` gives it a bounded worker (load-worker.ts).
   * @default - in this thread, unbounded
   */
  readonly loader?: FleetLoader;
  readonly client: ClusterClient;
  readonly store: StatusStore;
  readonly metrics: FleetMetrics;
  readonly events: EventRecorder;
  /** undefined: approvals off, every valid commit applies. */
  readonly github?: GitHubGate;
  readonly trustedRevision?: string;
  /** Lets one pass delete past the mass-deletion guard. */
  readonly allowMassDeletion?: boolean;
  /** Gateways applied at once. @default DEFAULT_APPLY_CONCURRENCY */
  readonly concurrency?: number;
  /** The clock, as RFC 3339; rendering and rollouts never read it themselves. */
  readonly now?: () => string;
  /**
   * The registry the fleet's images are published to (`essg reconcile --registry`): a rollout
   * whose render runs an image of it that it does not hold is held, the image named, instead
   * of gateways left in ImagePullBackOff.
   * @default - images are not checked
   */
  readonly images?: ImageAvailability;
  /** The leadership a pass starts under: once that aborts, the pass starts no more gateways and stops before its next step. @default - never aborts */
  readonly leadership?: () => AbortSignal | undefined;
  /**
   * The shards a pass starts with (`essg reconcile --shards`): it plans, applies and records
   * the gateways of those shards only, and the shared objects and commit status only with the
   * primary shard (src/engine/ownership.ts). @default - every gateway
   */
  readonly shards?: () => GatewayShards | undefined;
  readonly log?: (line: string) => void;
}

export interface PassSummary {
  readonly result: PassResult;
  readonly head?: string;
  readonly plans: readonly GatewayPlan[];
  /** What the gateways share (their customers' Namespaces), planned once for the pass. */
  readonly shared?: SharedPlan;
  readonly applied: readonly GatewayApplyResult[];
  readonly targets: readonly GatewayTarget[];
  readonly rollout?: RolloutPlan;
  /** A rollout is in flight: look again after this many seconds rather than at the next poll. */
  readonly recheckAfterSeconds?: number;
  readonly error?: string;
  /** Commits the pass loaded and rendered (the head, the gateways' revisions and the history between): each once. */
  readonly commitsLoaded: number;
  /** Milliseconds spent in each step of the pass. */
  readonly timings: StepTimings;
}
