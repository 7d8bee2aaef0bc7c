// The one rule that names a gateway's phase: what its node and services say (health),
// overlaid by what the pass decided for it (the mass-deletion guard, apply, the approval
// gate, the rollout). The worst applies: an unreachable node outranks everything, a gateway
// held for approval while running fine is AwaitingApproval, not Ready.
import type { GatewayHealth } from './gateway.ts';
import { GatewayPhase } from './status.ts';
import { REASON, type Reason } from '../contract/index.ts';

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
  readonly reason: Reason;
  readonly message: string;
}

export function gatewayPhase({ health, refusal, applyError, gate, rollout, headInvalid }: PhaseInputs): PhaseOutcome {
  if (health.phase === GatewayPhase.Offline) return { phase: GatewayPhase.Offline, reason: REASON.nodeOffline, message: health.message ?? 'edge node unreachable' };
  // Nothing runs before the node joins; its objects are applied and wait for it.
  if (health.phase === GatewayPhase.Unregistered) return { phase: GatewayPhase.Unregistered, reason: REASON.nodeUnregistered, message: health.message ?? 'edge node not registered' };
  if (refusal) return { phase: GatewayPhase.Failed, reason: REASON.changeRefused, message: refusal };
  if (applyError) return { phase: GatewayPhase.Failed, reason: REASON.applyFailed, message: applyError };
  if (rollout?.state === 'rolled-back' || rollout?.state === 'failed-render') return { phase: GatewayPhase.RolledBack, reason: REASON.rolledBack, message: rollout.message };
  if (rollout?.state === 'failed') return { phase: GatewayPhase.Failed, reason: REASON.failedOnGateway, message: rollout.message };
  if (gate?.result === 'refused') return { phase: GatewayPhase.Failed, reason: REASON.changeRefused, message: gate.summary };
  if (gate?.result === 'hold') return { phase: GatewayPhase.AwaitingApproval, reason: REASON.approvalCheckHeld, message: gate.summary };
  if (gate?.result === 'awaiting-approval') return { phase: GatewayPhase.AwaitingApproval, reason: REASON.awaitingApproval, message: gate.summary };
  if (health.phase !== GatewayPhase.Ready) return { phase: health.phase, reason: health.phase === GatewayPhase.Progressing ? REASON.rolloutInProgress : REASON.serviceDegraded, message: health.message ?? health.phase };
  if (rollout?.state === 'outside-window') return { phase: GatewayPhase.OutsideWindow, reason: REASON.outsideWindow, message: rollout.message };
  if (rollout?.state === 'waiting' || rollout?.state === 'updating') return { phase: GatewayPhase.Progressing, reason: rollout.state === 'waiting' ? REASON.waitingForWave : REASON.rolloutInProgress, message: rollout.message };
  if (rollout?.state === 'soaking') return { phase: GatewayPhase.Progressing, reason: REASON.soaking, message: rollout.message };
  if (rollout?.state === 'halted') return { phase: GatewayPhase.Ready, reason: REASON.rolloutHalted, message: rollout.message };
  const count = health.services.length;
  return { phase: GatewayPhase.Ready, reason: REASON.converged, message: `all ${count} services ready${headInvalid ? ` (${headInvalid})` : ''}` };
}
