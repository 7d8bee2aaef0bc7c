// The REST paths of the managed kinds (src/contract): known up front, so no discovery
// request is needed.
import { MANAGED_KINDS, type ManagedKind } from '../contract/index.ts';
import type { ObjectRef } from '../diff/index.ts';
import { UnsupportedKindError } from './errors.ts';

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
