// Pod health and the facts status reports per pod: readiness, restarts, the version it runs.
import { HealthStatus, type ResourceHealth } from './status.ts';
import { condition, type ContainerStatus, type Pod } from './types.ts';

export const VERSION_LABEL = 'essg.io/version';

/** Waiting reasons that do not pass by themselves: the new version is broken or unpullable. */
const BROKEN = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

function containers(pod: Pod): readonly ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

export function podHealth(pod: Pod): ResourceHealth {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') return { status: HealthStatus.Healthy, message: 'completed' };
  if (phase === 'Failed') return { status: HealthStatus.Degraded, message: pod.status?.message ?? pod.status?.reason ?? 'the pod failed' };
  const broken = containers(pod).find((c) => BROKEN.has(c.state?.waiting?.reason ?? ''));
  if (broken) return { status: HealthStatus.Degraded, message: `container ${broken.name}: ${broken.state?.waiting?.reason}${broken.state?.waiting?.message ? ` (${broken.state.waiting.message})` : ''}` };
  if (pod.metadata.deletionTimestamp) return { status: HealthStatus.Progressing, message: 'terminating' };
  if (phase === 'Running' && isReady(pod)) return { status: HealthStatus.Healthy };
  return { status: HealthStatus.Progressing, message: phase === 'Running' ? 'running, not ready yet' : `${phase ?? 'Pending'}${pod.status?.reason ? ` (${pod.status.reason})` : ''}` };
}

export function isReady(pod: Pod): boolean {
  return condition(pod.status?.conditions, 'Ready')?.status === 'True' && !pod.metadata.deletionTimestamp;
}

export function restarts(pod: Pod): number {
  return containers(pod).reduce((sum, c) => sum + (c.restartCount ?? 0), 0);
}

export function podVersion(pod: Pod): string | undefined {
  return pod.metadata.labels?.[VERSION_LABEL];
}
