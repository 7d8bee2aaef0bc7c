// Object identity (apiVersion, kind, namespace, name) and the order objects are applied in.
import { KIND_ORDER, LABEL } from '../contract/index.ts';
import type { K8sObject } from '../render/index.ts';

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  /** Absent for cluster-scoped kinds (Namespace, ImagePrePullJob). */
  readonly namespace?: string;
  readonly name: string;
}

/** A reference to an object we own, with the part of the gateway it belongs to (for reports). */
export interface OwnedRef extends ObjectRef {
  /** The catalog service, or the part (ip-block, image-pre-pull, namespace) the object belongs to. */
  readonly component?: string;
}

/** An object as the API server returns it: what we set plus status, defaults and server metadata. */
export type LiveObject = K8sObject;

export function refOf(object: K8sObject): ObjectRef {
  const { apiVersion, kind } = object;
  const { name, namespace } = object.metadata;
  return namespace ? { apiVersion, kind, namespace, name } : { apiVersion, kind, name };
}

/**
 * One key per object. The API group is part of it but not the version: the same object read
 * through another version of its group is still the same object.
 */
export function refKey(ref: ObjectRef): string {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
  return `${group}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** `Deployment essg-acme/acme-gw-01-ids`, as an operator reads it. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** Apply order is the contract's KIND_ORDER; deletions go the other way round. */
function kindRank(kind: string): number {
  const rank = KIND_ORDER.indexOf(kind);
  return rank === -1 ? KIND_ORDER.length : rank;
}

export function compareRefs(a: ObjectRef, b: ObjectRef): number {
  const rank = kindRank(a.kind) - kindRank(b.kind);
  if (rank !== 0) return rank;
  const ka = refKey(a);
  const kb = refKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function componentOf(object: K8sObject): string {
  const labels = object.metadata.labels ?? {};
  return labels[LABEL.service] ?? labels[LABEL.name] ?? object.kind.toLowerCase();
}

export function toRef(ref: ObjectRef): ObjectRef {
  return ref.namespace ? { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name } : { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name };
}
