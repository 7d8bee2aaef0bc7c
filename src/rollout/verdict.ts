// How the rollout reads a gateway's health: offline defers it, a degraded service (a progress
// deadline passed, a pod crash-loops or failed, an image cannot be pulled) fails its render.
import { GatewayPhase, HealthStatus, type GatewayHealth } from '../health/index.ts';
import type { GatewayVerdict } from './types.ts';

export function verdictOf(health: GatewayHealth): GatewayVerdict {
  if (health.phase === GatewayPhase.Offline) return { status: 'offline' };
  const broken = health.services.find((s) => s.status === HealthStatus.Degraded);
  if (broken) return { status: 'failed', reason: `${broken.service} ${broken.desiredVersion}: ${broken.message ?? 'degraded'}` };
  return health.phase === GatewayPhase.Ready ? { status: 'ready' } : { status: 'progressing' };
}
