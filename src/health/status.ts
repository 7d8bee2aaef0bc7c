// Health statuses and gateway phases, each with an explicit ranking so "the worst of" is
// well defined (as in Argo CD's gitops-engine).

export enum HealthStatus {
  Healthy = 'Healthy',
  /** Deliberately paused: a suspended CronJob or Job, a paused Deployment. */
  Suspended = 'Suspended',
  /** On its way: a rollout underway, a Job running, a pod starting. */
  Progressing = 'Progressing',
  /** Desired but not in the cluster. */
  Missing = 'Missing',
  Degraded = 'Degraded',
  Unknown = 'Unknown',
}

const HEALTH_RANK: readonly HealthStatus[] = [HealthStatus.Healthy, HealthStatus.Suspended, HealthStatus.Progressing, HealthStatus.Missing, HealthStatus.Degraded, HealthStatus.Unknown];

/** True when `a` is worse than `b`. */
export function isWorse(a: HealthStatus, b: HealthStatus): boolean {
  return HEALTH_RANK.indexOf(a) > HEALTH_RANK.indexOf(b);
}

export interface ResourceHealth {
  readonly status: HealthStatus;
  /** Why, when not Healthy. */
  readonly message?: string;
}

export function worstHealth(items: readonly ResourceHealth[]): ResourceHealth {
  return items.reduce<ResourceHealth>((worst, item) => (isWorse(item.status, worst.status) ? item : worst), { status: HealthStatus.Healthy });
}

/** The gateway phases of DESIGN.md. Ready … Offline come from health; the rest from the gate and the loader. */
export enum GatewayPhase {
  Ready = 'Ready',
  OutsideWindow = 'OutsideWindow',
  AwaitingApproval = 'AwaitingApproval',
  Progressing = 'Progressing',
  Degraded = 'Degraded',
  Offline = 'Offline',
  /** Declared in Git, and no edge node of its name has joined the cluster yet. */
  Unregistered = 'Unregistered',
  /** Failed on a new render and put back on its last healthy revision. */
  RolledBack = 'RolledBack',
  /** The commit could not be applied (validation, render or apply failed), or failed on the gateway. */
  Failed = 'Failed',
}

const PHASE_RANK: readonly GatewayPhase[] = [GatewayPhase.Ready, GatewayPhase.OutsideWindow, GatewayPhase.AwaitingApproval, GatewayPhase.Progressing, GatewayPhase.Degraded, GatewayPhase.Offline, GatewayPhase.Unregistered, GatewayPhase.RolledBack, GatewayPhase.Failed];

export function isWorsePhase(a: GatewayPhase, b: GatewayPhase): boolean {
  return PHASE_RANK.indexOf(a) > PHASE_RANK.indexOf(b);
}

export function worstPhase(phases: readonly GatewayPhase[]): GatewayPhase {
  return phases.reduce((worst, phase) => (isWorsePhase(phase, worst) ? phase : worst), GatewayPhase.Ready);
}
