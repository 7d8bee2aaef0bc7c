// One service on one gateway: its workload's health, the pods it runs, and the version
// actually serving (from the ready pods' essg.io/version label).
import { cronJobHealth } from './cronjob.ts';
import { deploymentHealth } from './deployment.ts';
import { jobHealth } from './job.ts';
import { isReady, podHealth, podVersion, restarts, VERSION_LABEL } from './pod.ts';
import { HealthStatus, worstHealth, type ResourceHealth } from './status.ts';
import type { CronJob, Deployment, Job, Pod } from './types.ts';

export type Workload = (Deployment & { readonly kind: 'Deployment' }) | (Job & { readonly kind: 'Job' }) | (CronJob & { readonly kind: 'CronJob' });

export interface ServiceHealth {
  readonly service: string;
  readonly desiredVersion: string;
  /** The version the ready pods run; undefined when none is ready or they disagree (see runningVersions). */
  readonly runningVersion?: string;
  /** Every version ready pods run: two during a rolling update. */
  readonly runningVersions: readonly string[];
  readonly ready: boolean;
  readonly restarts: number;
  readonly status: HealthStatus;
  readonly message?: string;
}

export function workloadHealth(workload: Workload): ResourceHealth {
  switch (workload.kind) {
    case 'Deployment':
      return deploymentHealth(workload);
    case 'Job':
      return jobHealth(workload);
    case 'CronJob':
      return cronJobHealth(workload);
  }
}

export interface ServiceHealthOptions {
  readonly service: string;
  readonly desiredVersion: string;
  /** undefined when the workload is not in the cluster. */
  readonly workload?: Workload;
  /** The service's pods on this gateway. */
  readonly pods: readonly Pod[];
}

export function serviceHealth({ service, desiredVersion, workload, pods }: ServiceHealthOptions): ServiceHealth {
  const readyPods = pods.filter(isReady);
  const runningVersions = [...new Set(readyPods.map(podVersion).filter((v): v is string => v !== undefined))].sort();
  const restartCount = pods.reduce((sum, pod) => sum + restarts(pod), 0);
  const base = { service, desiredVersion, runningVersions, restarts: restartCount };
  if (!workload) return { ...base, ready: false, status: HealthStatus.Missing, message: 'not in the cluster' };
  const own = workloadHealth(workload);
  // A broken pod (crash loop, unpullable image) is degraded before the progress deadline says so.
  const brokenPod = worstHealth(pods.map(podHealth).filter((h) => h.status === HealthStatus.Degraded));
  const health = worstHealth([own, brokenPod]);
  const runToCompletion = workload.kind !== 'Deployment';
  // A Job's pods are gone or not Ready once done: the version it ran is its own label.
  const finishedVersion = runToCompletion && own.status === HealthStatus.Healthy ? workload.metadata.labels?.[VERSION_LABEL] : undefined;
  const versions = finishedVersion && runningVersions.length === 0 ? [finishedVersion] : runningVersions;
  const ready = runToCompletion ? own.status === HealthStatus.Healthy : health.status === HealthStatus.Healthy && readyPods.length > 0;
  return {
    ...base,
    runningVersions: versions,
    ...(versions.length === 1 ? { runningVersion: versions[0] } : {}),
    ready,
    status: health.status,
    ...(health.message ? { message: health.message } : {}),
  };
}
