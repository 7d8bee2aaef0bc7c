// The labels every rendered object carries. The reconciler prunes by them (together with a
// per-gateway inventory), so their keys and meaning are a contract.
export const MANAGED_BY = 'essg-fleet';

export const LABEL = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  version: 'app.kubernetes.io/version',
  component: 'app.kubernetes.io/component',
  customer: 'essg.io/customer',
  gateway: 'essg.io/gateway',
  service: 'essg.io/service',
  serviceVersion: 'essg.io/version',
  response: 'essg.io/response',
  /** The response kind (ip-block, vuln-scan): customers pre-authorise by kind, and the gate reads it. */
  responseAction: 'essg.io/response-action',
  /** On an ImagePrePullJob: the rollout (its revision) and the wave it pulls for; it spans gateways, so it has no gateway label. */
  rollout: 'essg.io/rollout',
  wave: 'essg.io/wave',
  /** KubeEdge's admission webhook keeps pods with this label on an edge node that goes offline. */
  kubeedgeOffline: 'app-offline.kubeedge.io',
} as const;

/** The value of `app.kubernetes.io/version` on objects that belong to no catalog version: the fleet-repo contract they were rendered from. */
export const CONTRACT_VERSION = 'v1';

export type MetadataMap = Readonly<Record<string, string>>;

export interface ObjectLabelsProps {
  readonly customer: string;
  readonly gateway: string;
  /** The catalog service (or other part: ip-block, image-pre-pull) the object belongs to. */
  readonly name: string;
  /** `<gateway>-<name>`, cut to a DNS label. */
  readonly instance: string;
  /** The catalog version; for objects of no service, the contract version. */
  readonly version: string;
  /** Set for objects of a catalog service: adds `essg.io/service` and `essg.io/version`. */
  readonly isService: boolean;
}

export function objectLabels(props: ObjectLabelsProps): MetadataMap {
  return {
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.partOf]: MANAGED_BY,
    [LABEL.name]: props.name,
    [LABEL.instance]: props.instance,
    [LABEL.version]: props.version,
    [LABEL.customer]: props.customer,
    [LABEL.gateway]: props.gateway,
    ...(props.isService ? { [LABEL.service]: props.name, [LABEL.serviceVersion]: props.version } : {}),
  };
}

/** The immutable Deployment selector: it must not include anything that changes on upgrade. */
export function selectorLabels({ name, instance }: { readonly name: string; readonly instance: string }): MetadataMap {
  return { [LABEL.name]: name, [LABEL.instance]: instance };
}
