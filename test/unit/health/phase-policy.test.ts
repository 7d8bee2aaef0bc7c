// The one rule that names a gateway's phase: health first where the node is unreachable,
// then what the pass decided (guard, apply, rollout, gate), then the services' health.
import { describe, expect, it } from 'vitest';
import { GatewayPhase, gatewayPhase, HealthStatus, type GatewayHealth, type PhaseInputs, type PhaseOutcome } from '../../../src/health/index.ts';

const health = (phase: GatewayPhase, message?: string, services = 3): GatewayHealth => ({
  gateway: 'gw', phase, ...(message ? { message } : {}),
  services: Array.from({ length: services }, (_, i) => ({ service: `s${i}`, desiredVersion: '1', runningVersions: ['1'], runningVersion: '1', ready: true, restarts: 0, status: HealthStatus.Healthy })),
});
const ready = health(GatewayPhase.Ready);

describe('gatewayPhase', () => {
  const cases: [name: string, inputs: PhaseInputs, want: PhaseOutcome][] = [
    ['an unreachable node outranks everything the pass decided', {
      health: health(GatewayPhase.Offline, 'the gateway is offline since its last heartbeat at 2026-06-01T10:00:00Z'),
      refusal: 'refused', applyError: 'boom', gate: { result: 'refused', summary: 'direct push' }, rollout: { state: 'failed', message: 'crashing' },
    }, { phase: GatewayPhase.Offline, reason: 'NodeOffline', message: 'the gateway is offline since its last heartbeat at 2026-06-01T10:00:00Z' }],
    ['an offline gateway without a message', { health: health(GatewayPhase.Offline) }, { phase: GatewayPhase.Offline, reason: 'NodeOffline', message: 'edge node unreachable' }],
    ['a gateway whose node has not joined outranks what the pass decided, and says what to do', {
      health: health(GatewayPhase.Unregistered, 'edge node n1 is not registered: join the gateway with `keadm join --edgenode-name=n1`', 0),
      applyError: 'boom', gate: { result: 'awaiting-approval', summary: 'needs acme-lead' }, rollout: { state: 'updating', message: 'installing abc' },
    }, { phase: GatewayPhase.Unregistered, reason: 'NodeNotRegistered', message: 'edge node n1 is not registered: join the gateway with `keadm join --edgenode-name=n1`' }],
    ['an unregistered gateway without a message', { health: health(GatewayPhase.Unregistered, undefined, 0) }, { phase: GatewayPhase.Unregistered, reason: 'NodeNotRegistered', message: 'edge node not registered' }],
    ['a pass the mass-deletion guard refused', { health: ready, refusal: 'refusing to delete', applyError: 'boom' }, { phase: GatewayPhase.Failed, reason: 'ChangeRefused', message: 'refusing to delete' }],
    ['a failed apply', { health: ready, applyError: 'apply failed: 409', rollout: { state: 'rolled-back', message: 'rolled back' } }, { phase: GatewayPhase.Failed, reason: 'ApplyFailed', message: 'apply failed: 409' }],
    ['a gateway rolled back', { health: ready, rollout: { state: 'rolled-back', message: 'rolled back to abc' }, gate: { result: 'refused', summary: 'x' } }, { phase: GatewayPhase.RolledBack, reason: 'RolledBack', message: 'rolled back to abc' }],
    ['a render that failed and was put back', { health: ready, rollout: { state: 'failed-render', message: 'render failed' } }, { phase: GatewayPhase.RolledBack, reason: 'RolledBack', message: 'render failed' }],
    ['a gateway that failed on the new render', { health: ready, rollout: { state: 'failed', message: 'ids: CrashLoopBackOff' }, gate: { result: 'refused', summary: 'x' } }, { phase: GatewayPhase.Failed, reason: 'FailedOnGateway', message: 'ids: CrashLoopBackOff' }],
    ['a change the gate refused', { health: ready, gate: { result: 'refused', summary: 'direct push' } }, { phase: GatewayPhase.Failed, reason: 'ChangeRefused', message: 'direct push' }],
    ['a check GitHub could not answer', { health: health(GatewayPhase.Degraded, 'ids: crashing'), gate: { result: 'hold', summary: 'GitHub unavailable' } }, { phase: GatewayPhase.AwaitingApproval, reason: 'ApprovalCheckHeld', message: 'GitHub unavailable' }],
    ['a change awaiting approval on a gateway that runs fine', { health: ready, gate: { result: 'awaiting-approval', summary: 'needs acme-lead' }, rollout: { state: 'updating', message: 'x' } }, { phase: GatewayPhase.AwaitingApproval, reason: 'AwaitingApproval', message: 'needs acme-lead' }],
    ['an approved change on a degraded gateway', { health: health(GatewayPhase.Degraded, 'ids: crashing'), gate: { result: 'approved', summary: 'approved' }, rollout: { state: 'soaking', message: 'x' } }, { phase: GatewayPhase.Degraded, reason: 'ServiceDegraded', message: 'ids: crashing' }],
    ['a rollout the services are still taking', { health: health(GatewayPhase.Progressing, 'ids: 0 of 1 updated replicas available') }, { phase: GatewayPhase.Progressing, reason: 'RolloutInProgress', message: 'ids: 0 of 1 updated replicas available' }],
    ['a degraded gateway without a message', { health: health(GatewayPhase.Degraded) }, { phase: GatewayPhase.Degraded, reason: 'ServiceDegraded', message: GatewayPhase.Degraded }],
    ['a ready gateway outside its maintenance windows', { health: ready, rollout: { state: 'outside-window', message: 'next window opens 2026-12-11T18:00:00Z (2026-12-12T02:00:00+08:00 Asia/Shanghai)' } }, { phase: GatewayPhase.OutsideWindow, reason: 'OutsideMaintenanceWindow', message: 'next window opens 2026-12-11T18:00:00Z (2026-12-12T02:00:00+08:00 Asia/Shanghai)' }],
    ['a degraded gateway outside its window is Degraded', { health: health(GatewayPhase.Degraded, 'ids: crashing'), rollout: { state: 'outside-window', message: 'next window opens …' } }, { phase: GatewayPhase.Degraded, reason: 'ServiceDegraded', message: 'ids: crashing' }],
    ['a gateway awaiting approval and outside its window awaits approval first', { health: ready, gate: { result: 'awaiting-approval', summary: 'needs acme-lead' }, rollout: { state: 'outside-window', message: 'x' } }, { phase: GatewayPhase.AwaitingApproval, reason: 'AwaitingApproval', message: 'needs acme-lead' }],
    ['a ready gateway waiting for its wave', { health: ready, rollout: { state: 'waiting', message: 'after the canaries' } }, { phase: GatewayPhase.Progressing, reason: 'WaitingForWave', message: 'after the canaries' }],
    ['a ready gateway being updated', { health: ready, rollout: { state: 'updating', message: 'applying' } }, { phase: GatewayPhase.Progressing, reason: 'RolloutInProgress', message: 'applying' }],
    ['a ready gateway soaking', { health: ready, rollout: { state: 'soaking', message: '120 s to go' } }, { phase: GatewayPhase.Progressing, reason: 'Soaking', message: '120 s to go' }],
    ['a ready gateway in a halted rollout', { health: ready, rollout: { state: 'halted', message: 'halted by acme-sh-01' } }, { phase: GatewayPhase.Ready, reason: 'RolloutHalted', message: 'halted by acme-sh-01' }],
    ['a ready gateway whose rollout is done', { health: ready, rollout: { state: 'done', message: 'done' } }, { phase: GatewayPhase.Ready, reason: 'Converged', message: 'all 3 services ready' }],
    ['a ready gateway deferred', { health: health(GatewayPhase.Ready, undefined, 1), rollout: { state: 'deferred', message: 'outside its window' } }, { phase: GatewayPhase.Ready, reason: 'Converged', message: 'all 1 services ready' }],
    ['a ready gateway on its last good revision while the head is invalid', { health: ready, headInvalid: 'head abc does not load' }, { phase: GatewayPhase.Ready, reason: 'Converged', message: 'all 3 services ready (head abc does not load)' }],
  ];

  it.each(cases)('%s', (_, inputs, want) => {
    expect(gatewayPhase(inputs)).toEqual(want);
  });
});
