// The fields health reads, as the API server returns them in JSON (times as RFC 3339 strings).
// Plain JSON live objects and fixture YAML both fit these shapes.

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastHeartbeatTime?: string;
  readonly lastTransitionTime?: string;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly generation?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly deletionTimestamp?: string;
}

export interface Deployment {
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly replicas?: number; readonly paused?: boolean };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
    readonly unavailableReplicas?: number;
    readonly conditions?: readonly Condition[];
  };
}

export interface Job {
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly suspend?: boolean; readonly completions?: number };
  readonly status?: { readonly active?: number; readonly succeeded?: number; readonly failed?: number; readonly conditions?: readonly Condition[] };
}

export interface CronJob {
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly suspend?: boolean; readonly schedule?: string };
  readonly status?: { readonly active?: readonly unknown[]; readonly lastScheduleTime?: string; readonly lastSuccessfulTime?: string };
}

export interface ContainerStatus {
  readonly name: string;
  readonly ready?: boolean;
  readonly restartCount?: number;
  readonly state?: { readonly waiting?: { readonly reason?: string; readonly message?: string }; readonly terminated?: { readonly reason?: string; readonly exitCode?: number } };
}

export interface Pod {
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  /** The containers' limits: what a service's use is measured against (src/report/resource-usage.ts). */
  readonly spec?: { readonly nodeName?: string; readonly containers?: readonly { readonly name: string; readonly resources?: { readonly limits?: Readonly<Record<string, string>> } }[] };
  readonly status?: { readonly phase?: string; readonly reason?: string; readonly message?: string; readonly conditions?: readonly Condition[]; readonly containerStatuses?: readonly ContainerStatus[]; readonly initContainerStatuses?: readonly ContainerStatus[] };
}

export interface Taint {
  readonly key: string;
  readonly effect: string;
}

export interface Node {
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly taints?: readonly Taint[]; readonly unschedulable?: boolean };
  /** `capacity`: what a gateway's use is measured against. */
  readonly status?: { readonly conditions?: readonly Condition[]; readonly capacity?: Readonly<Record<string, string>> };
}

export function condition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
