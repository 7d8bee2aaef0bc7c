// How the rollout reads a gateway's health: offline (or not joined yet) defers it, a degraded service (a progress
// deadline passed, a pod crash-loops or failed, an image cannot be pulled) fails its render.
import { GatewayPhase, HealthStatus, type GatewayHealth } from '../health/index.ts';
import type { GatewayVerdict } from './types.ts';

export function verdictOf(health: GatewayHealth): GatewayVerdict {
  // A gateway whose node has not joined cannot take a wave's change any more than one that is offline.
  if (health.phase === GatewayPhase.Offline || health.phase === GatewayPhase.Unregistered) return { status: 'offline' };
  const broken = health.services.find((s) => s.status === HealthStatus.Degraded);
  if (broken) return { status: 'failed', reason: `${broken.service} ${broken.desiredVersion}: ${broken.message ?? 'degraded'}` };
  return health.phase === GatewayPhase.Ready ? { status: 'ready' } : { status: 'progressing' };
}
