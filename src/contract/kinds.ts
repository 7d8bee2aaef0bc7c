// The kinds the renderer emits and the reconciler manages, in apply order. Known up front,
// so no discovery request is needed and the reconciler's RBAC names exactly these.

export interface ManagedKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** In apply order: a namespace before what lives in it, config before the pods that mount it, pre-pull before the workloads. */
export const MANAGED_KINDS: readonly ManagedKind[] = [
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { apiVersion: 'operations.kubeedge.io/v1alpha2', kind: 'ImagePrePullJob', plural: 'imageprepulljobs', namespaced: false },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true },
];

/** The kind names of MANAGED_KINDS, in apply order (deletion goes the other way). */
export const KIND_ORDER: readonly string[] = MANAGED_KINDS.map((k) => k.kind);

/** The kinds that run a service's pods: a gateway holding none of them runs nothing. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'CronJob', 'Job']);
