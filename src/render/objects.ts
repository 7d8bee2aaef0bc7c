// The plain-JSON Kubernetes objects a render produces, and the order they are applied in.

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** Dependency order: the namespace, then what pods mount, then what pulls images, then workloads. */
const KIND_RANK: Readonly<Record<string, number>> = { Namespace: 0, ConfigMap: 1, ImagePrePullJob: 2, Deployment: 3, CronJob: 4, Job: 5 };

export function compareObjects(a: K8sObject, b: K8sObject): number {
  const rank = (KIND_RANK[a.kind] ?? 9) - (KIND_RANK[b.kind] ?? 9);
  if (rank !== 0) return rank;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}
