// How the rollout reads a gateway's health: a gateway it cannot reach, or whose node has not
// joined, is deferred (never waited for); a degraded service fails the render.
import { describe, expect, it } from 'vitest';
import { GatewayPhase, HealthStatus, type GatewayHealth } from '../../../src/health/index.ts';
import { verdictOf } from '../../../src/rollout/index.ts';

const health = (phase: GatewayPhase, status = HealthStatus.Healthy): GatewayHealth => ({
  gateway: 'gw',
  phase,
  services: [{ service: 'ids', desiredVersion: '1.2.0', runningVersions: ['1.2.0'], runningVersion: '1.2.0', ready: status === HealthStatus.Healthy, restarts: 0, status, ...(status === HealthStatus.Degraded ? { message: 'CrashLoopBackOff' } : {}) }],
});

describe('the rollout\'s verdict on a gateway', () => {
  it.each([
    ['offline', GatewayPhase.Offline, HealthStatus.Degraded, { status: 'offline' }],
    ['not joined yet', GatewayPhase.Unregistered, HealthStatus.Missing, { status: 'offline' }],
    ['ready', GatewayPhase.Ready, HealthStatus.Healthy, { status: 'ready' }],
    ['still taking its render', GatewayPhase.Progressing, HealthStatus.Progressing, { status: 'progressing' }],
    ['failing on its render', GatewayPhase.Degraded, HealthStatus.Degraded, { status: 'failed', reason: 'ids 1.2.0: CrashLoopBackOff' }],
  ] as const)('a gateway %s', (_name, phase, status, want) => {
    expect(verdictOf(health(phase, status))).toEqual(want);
  });
});
