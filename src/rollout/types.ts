// The rollout stage's data: the settings of fleet.yaml `spec.rollout`, the durable state of
// each gateway (kept in the cluster), what the stage reads about each gateway in a pass, and
// the one decision it makes per gateway.

export interface RolloutSettings {
  /** Gateway labels that make a gateway a canary; undefined: the first wave is one gateway. */
  readonly canarySelector: Readonly<Record<string, string>> | undefined;
  /** Gateways per wave after the canaries: a count, or a share of the rollout's gateways ("25%"). */
  readonly maxUnavailable: number | string;
  /** How long each gateway of a wave must stay Ready on the new render before the next wave starts. */
  readonly soakSeconds: number;
  /** Put a gateway that failed on a new render back on its last healthy revision. */
  readonly autoRollback: boolean;
  /** Pre-authorised responses (emergencies) start outside maintenance windows too. */
  readonly emergencyBypassesWindows: boolean;
}

/** When the next maintenance window opens: the instant in UTC, and the same instant in the window's zone. */
export interface WindowOpening {
  /** RFC 3339, UTC. */
  readonly at: string;
  /** RFC 3339 with the zone's offset, e.g. 2026-12-05T02:00:00+08:00. */
  readonly local: string;
  /** The IANA zone the window is read in. */
  readonly timezone: string;
}

/** Whether a change may start on a gateway now, by its customer's maintenance windows. */
export type WindowState =
  /** closesAt undefined: the customer has no windows, changes start at any time. */
  | { readonly open: true; readonly closesAt?: string }
  | { readonly open: false; readonly nextOpen: WindowOpening };

/** Where a gateway stands in the rollout of one revision. */
export interface WaveMembership {
  /** The rollout: the revision it brings. */
  readonly id: string;
  /** 0 is the canary wave. */
  readonly wave: number;
  readonly startedAt: string;
  /** The revision the gateway left for this rollout: what the rollout changes on it is the difference. @default - not recorded (states written before it was kept) */
  readonly from?: string;
  /** When the gateway was first seen Ready on the new render in this wave (cleared when it is not). */
  readonly readySince?: string;
  /** Ready for the whole soak: counts as passed for good, even if it goes offline later. */
  readonly soaked?: boolean;
}

export interface RolloutFailure {
  /** The rollout the failure halted. */
  readonly rollout: string;
  readonly revision: string;
  /** The render that failed: not tried again on this gateway until its desired render changes. */
  readonly renderHash: string;
  readonly reason: string;
  readonly at: string;
  /** Set when the gateway was put back on this revision. */
  readonly rolledBackTo?: string;
}

/** The images a gateway pulls before its wave switches it (see prepull.ts). */
export interface PrePullRecord {
  /** The rollout the pull is for: a record of another rollout means nothing. */
  readonly rollout: string;
  /** The ImagePrePullJob that pulls for the gateway's node now. */
  readonly job: string;
  /** What the node must pull: the new render's images its current render does not run. */
  readonly images: readonly string[];
  /** 0: the wave's job; n: the n-th job re-issued for this node. */
  readonly attempt: number;
  /** pulled: the job succeeded on the node; proceeded: the pull failed, and every service it failed for can surge, so the switch went ahead. */
  readonly outcome?: 'pulled' | 'proceeded';
}

/** Per gateway, durable: a restarted or newly elected reconciler resumes from it. */
export interface GatewayRolloutState {
  /** The revision the gateway is on (moved to, whether or not that changed its objects). */
  readonly revision: string;
  /** Its render there. */
  readonly renderHash: string;
  /** The last revision on which the gateway was Ready: where a rollback goes. */
  readonly healthy?: { readonly revision: string; readonly renderHash: string };
  readonly rollout?: WaveMembership;
  readonly failed?: RolloutFailure;
  readonly prePull?: PrePullRecord;
}

/** What health says about the render a gateway is on, as the rollout reads it. */
export type GatewayVerdict =
  | { readonly status: 'ready' }
  | { readonly status: 'progressing' }
  /** The node cannot be reached: the gateway is deferred, never waited for. */
  | { readonly status: 'offline' }
  /** Failed on its render: a progress deadline passed, a pod crash-loops or failed, an image cannot be pulled. */
  | { readonly status: 'failed'; readonly reason: string };

export interface GatewayRolloutInput {
  readonly gateway: string;
  /** The gateway's labels (canarySelector matches them). */
  readonly labels: Readonly<Record<string, string>>;
  /** undefined: nothing was ever applied to the gateway. */
  readonly state: GatewayRolloutState | undefined;
  /**
   * The newest revision the gate approved for the gateway; undefined: leave it where it is.
   * `renderHash` undefined: the revision removes the gateway.
   */
  readonly target: { readonly revision: string; readonly renderHash: string | undefined; readonly emergency: boolean } | undefined;
  readonly verdict: GatewayVerdict;
  /** Its customer's maintenance windows now. @default open: no windows */
  readonly window?: WindowState;
}

export type HoldReason =
  /** Its turn has not come: an earlier wave is updating or soaking. */
  | { readonly reason: 'waiting-for-wave'; readonly rollout: string; readonly wave: number; readonly soakUntil?: string }
  /** A gateway of the rollout failed on it: no further gateway starts it. */
  | { readonly reason: 'halted'; readonly rollout: string; readonly by: string; readonly failure: string }
  /** This very render failed on this gateway before. */
  | { readonly reason: 'failed-render'; readonly rollout: string; readonly failure: string }
  /** Its edge node is unreachable: it joins a later wave when it is back. */
  | { readonly reason: 'deferred-offline'; readonly rollout: string }
  /** Its customer's maintenance windows are closed: the change starts on it once one opens. */
  | { readonly reason: 'outside-window'; readonly rollout: string; readonly nextOpen: WindowOpening }
  /** Its wave started, and its node has not yet pulled the new images (`waitingForNode`: the pull failed while the node was unreachable; a new job goes out when it is back). */
  | { readonly reason: 'pre-pulling'; readonly rollout: string; readonly wave: number; readonly job: string; readonly images: readonly string[]; readonly waitingForNode?: string }
  /**
   * The render it would move to runs images the registry does not hold (or, with `failure`,
   * the registry could not be asked): it stays on what it runs until they are published.
   */
  | { readonly reason: 'image-unavailable'; readonly rollout: string; readonly registry: string; readonly images: readonly string[]; readonly failure?: string }
  /** Its node could not pull an image of a service that cannot surge (Recreate, fixed host ports): never switched to it, its old pods keep running. */
  | { readonly reason: 'pre-pull-failed'; readonly rollout: string; readonly wave: number; readonly job: string; readonly images: readonly string[]; readonly failure: string };

export type RolloutDecision =
  /** Nothing to move: apply (and repair) the revision it is on. */
  | { readonly action: 'stay'; readonly gateway: string; readonly revision: string | undefined }
  | {
      readonly action: 'advance';
      readonly gateway: string;
      readonly revision: string;
      /** install: first apply; same-render: nothing it runs changes; emergency: pre-authorised responses only; removal; wave: its wave of a rollout. */
      readonly why: 'install' | 'same-render' | 'emergency' | 'removal' | 'wave';
      readonly wave?: number;
    }
  | { readonly action: 'hold'; readonly gateway: string; readonly revision: string | undefined; readonly hold: HoldReason }
  | { readonly action: 'rollback'; readonly gateway: string; readonly revision: string; readonly failure: RolloutFailure };

export type WaveGatewayStatus = 'updating' | 'soaking' | 'done' | 'deferred' | 'failed' | 'rolled-back';

/** One rollout as `essg rollout show` prints it: derived from the gateways' states, never stored apart. */
export interface RolloutSummary {
  readonly id: string;
  readonly waves: readonly { readonly wave: number; readonly gateways: readonly { readonly gateway: string; readonly status: WaveGatewayStatus }[] }[];
  /** Gateways the rollout has not reached yet. */
  readonly pending: readonly string[];
  /** Those of `pending` the rollout passes over for now, and why; absent when none is. */
  readonly deferred?: readonly DeferredGateway[];
  readonly halted?: { readonly by: string; readonly reason: string };
  readonly complete: boolean;
}

/** A gateway a rollout has not started on, not because of the waves but because it cannot take a change now. */
export type DeferredGateway =
  | { readonly gateway: string; readonly reason: 'offline' }
  | { readonly gateway: string; readonly reason: 'outside-window'; readonly nextOpen: WindowOpening };

export interface RolloutPlan {
  readonly decisions: ReadonlyMap<string, RolloutDecision>;
  /** The state each gateway has after this pass; unchanged entries are the same objects as the input's. */
  readonly states: ReadonlyMap<string, GatewayRolloutState>;
  readonly rollouts: readonly RolloutSummary[];
  /** When the next pass should look again (a soak ends, a wave is updating); undefined: nothing in flight. */
  readonly recheckAfterSeconds?: number;
}
