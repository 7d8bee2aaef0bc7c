// Deployment health, read as `kubectl rollout status` does: a rollout is underway until the
// controller saw the newest spec and every replica is updated and available.
import { HealthStatus, type ResourceHealth } from './status.ts';
import { condition, type Deployment } from './types.ts';

export function deploymentHealth(deployment: Deployment): ResourceHealth {
  if (deployment.spec?.paused) return { status: HealthStatus.Suspended, message: 'the rollout is paused' };
  const status = deployment.status ?? {};
  const generation = deployment.metadata.generation ?? 0;
  if ((status.observedGeneration ?? 0) < generation) return { status: HealthStatus.Progressing, message: 'waiting for the controller to see the new spec' };
  const progressing = condition(status.conditions, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { status: HealthStatus.Degraded, message: `the rollout exceeded its progress deadline${progressing.message ? `: ${progressing.message}` : ''}` };
  const desired = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) return { status: HealthStatus.Progressing, message: `${updated} of ${desired} replicas updated` };
  if (total > updated) return { status: HealthStatus.Progressing, message: `${total - updated} old replica(s) pending termination` };
  if (available < updated) return { status: HealthStatus.Progressing, message: `${available} of ${updated} updated replicas available` };
  return { status: HealthStatus.Healthy };
}
