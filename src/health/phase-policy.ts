// The one rule that names a gateway's phase: what its node and services say (health),
// overlaid by what the pass decided for it (the mass-deletion guard, apply, the approval
// gate, the rollout). The worst applies: an unreachable node outranks everything, a gateway
// held for approval while running fine is AwaitingApproval, not Ready.
import type { GatewayHealth } from './gateway.ts';
import { GatewayPhase } from './status.ts';

export type RolloutStanding =
  | { readonly state: 'rolled-back' | 'failed' | 'failed-render'; readonly message: string }
  | { readonly state: 'waiting' | 'halted' | 'updating' | 'soaking' | 'done' | 'deferred'; readonly message: string }
  /** Its customer's maintenance windows are closed: the change waits for the next one. */
  | { readonly state: 'outside-window'; readonly message: string };

export interface PhaseInputs {
  readonly health: GatewayHealth;
  /** The mass-deletion guard refused the pass. */
  readonly refusal?: string;
  readonly applyError?: string;
  /** The approval gate stopped the gateway short of the branch head. */
  readonly gate?: { readonly result: 'approved' | 'awaiting-approval' | 'refused' | 'hold'; readonly summary: string };
  readonly rollout?: RolloutStanding;
  /** The branch head does not load: the gateway stays on its last good revision. */
  readonly headInvalid?: string;
}

export interface PhaseOutcome {
  readonly phase: GatewayPhase;
  /** UpperCamelCase, as a Kubernetes condition reason. */
  readonly reason: string;
  readonly message: string;
}

export function gatewayPhase({ health, refusal, applyError, gate, rollout, headInvalid }: PhaseInputs): PhaseOutcome {
  if (health.phase === GatewayPhase.Offline) return { phase: GatewayPhase.Offline, reason: 'NodeOffline', message: health.message ?? 'edge node unreachable' };
  if (refusal) return { phase: GatewayPhase.Failed, reason: 'ChangeRefused', message: refusal };
  if (applyError) return { phase: GatewayPhase.Failed, reason: 'ApplyFailed', message: applyError };
  if (rollout?.state === 'rolled-back' || rollout?.state === 'failed-render') return { phase: GatewayPhase.RolledBack, reason: 'RolledBack', message: rollout.message };
  if (rollout?.state === 'failed') return { phase: GatewayPhase.Failed, reason: 'FailedOnGateway', message: rollout.message };
  if (gate?.result === 'refused') return { phase: GatewayPhase.Failed, reason: 'ChangeRefused', message: gate.summary };
  if (gate?.result === 'hold') return { phase: GatewayPhase.AwaitingApproval, reason: 'ApprovalCheckHeld', message: gate.summary };
  if (gate?.result === 'awaiting-approval') return { phase: GatewayPhase.AwaitingApproval, reason: 'AwaitingApproval', message: gate.summary };
  if (health.phase !== GatewayPhase.Ready) return { phase: health.phase, reason: health.phase === GatewayPhase.Progressing ? 'RolloutInProgress' : 'ServiceDegraded', message: health.message ?? health.phase };
  if (rollout?.state === 'outside-window') return { phase: GatewayPhase.OutsideWindow, reason: 'OutsideMaintenanceWindow', message: rollout.message };
  if (rollout?.state === 'waiting' || rollout?.state === 'updating') return { phase: GatewayPhase.Progressing, reason: rollout.state === 'waiting' ? 'WaitingForWave' : 'RolloutInProgress', message: rollout.message };
  if (rollout?.state === 'soaking') return { phase: GatewayPhase.Progressing, reason: 'Soaking', message: rollout.message };
  if (rollout?.state === 'halted') return { phase: GatewayPhase.Ready, reason: 'RolloutHalted', message: rollout.message };
  const count = health.services.length;
  return { phase: GatewayPhase.Ready, reason: 'Converged', message: `all ${count} services ready${headInvalid ? ` (${headInvalid})` : ''}` };
}
