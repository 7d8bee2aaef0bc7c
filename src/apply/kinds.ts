// The kinds the renderer emits, and their REST paths. Known up front, so no discovery
// request is needed and the reconciler's RBAC names exactly these.
import type { ObjectRef } from '../diff/index.ts';
import { UnsupportedKindError } from './errors.ts';

export interface ManagedKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** In apply order. */
export const MANAGED_KINDS: readonly ManagedKind[] = [
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { apiVersion: 'operations.kubeedge.io/v1alpha2', kind: 'ImagePrePullJob', plural: 'imageprepulljobs', namespaced: false },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true },
];

export function managedKind(ref: Pick<ObjectRef, 'apiVersion' | 'kind'>): ManagedKind {
  const found = MANAGED_KINDS.find((k) => k.kind === ref.kind && k.apiVersion === ref.apiVersion);
  if (!found) throw new UnsupportedKindError({ apiVersion: ref.apiVersion, kind: ref.kind });
  return found;
}

function groupPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The collection across all namespaces: what a listing reads. */
export function collectionPath(kind: ManagedKind): string {
  return `${groupPath(kind.apiVersion)}/${kind.plural}`;
}

export function objectPath(ref: ObjectRef): string {
  const kind = managedKind(ref);
  const scope = kind.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace ?? 'default')}` : '';
  return `${groupPath(kind.apiVersion)}${scope}/${kind.plural}/${encodeURIComponent(ref.name)}`;
}
