// The pod every security service runs as on a gateway: pinned to its KubeEdge edge node,
// kept there when the node loses its uplink, locked down to the catalog's capabilities,
// reading its config (and any response files) from one directory.
import * as k8s from '../../../imports/k8s.ts';
import { HostPortMismatchError } from '../errors.ts';
import type { ServiceInput, ServiceVersionSpec } from '../inputs.ts';
import { ANNOTATION, EDGE_ROLE_LABEL, LABEL, type MetadataMap } from '../../contract/index.ts';
import type { GatewayPlacement, ServiceIdentity } from './placement.ts';
import type { MountedResponseList } from './response-list.ts';

export const CONFIG_FILE = 'config.json';
/** What the customer allows the service to collect at the site and report to the SOC (src/model/data-authorisation.ts). */
export const DATA_POLICY_FILE = 'data-policy.json';
/** Where a service reads config.json when its catalog entry does not say (serviceversion.schema.json). */
export const DEFAULT_CONFIG_MOUNT_PATH = '/etc/essg';

type CatalogProbe = NonNullable<ServiceVersionSpec['readiness']>;

/** Probe timings default as in serviceversion.schema.json, for models built without the loader's defaults. */
function probe(catalog: CatalogProbe): k8s.Probe {
  const timing = { initialDelaySeconds: catalog.initialDelaySeconds ?? 5, periodSeconds: catalog.periodSeconds ?? 10, failureThreshold: catalog.failureThreshold ?? 3 };
  if (catalog.httpGet) return { httpGet: { path: catalog.httpGet.path, port: k8s.IntOrString.fromNumber(catalog.httpGet.port) }, ...timing };
  if (catalog.tcpSocket) return { tcpSocket: { port: k8s.IntOrString.fromNumber(catalog.tcpSocket.port) }, ...timing };
  return { exec: { command: [...(catalog.exec?.command ?? [])] }, ...timing };
}

function quantities(list: { readonly cpu?: string; readonly memory?: string }): Record<string, k8s.Quantity> {
  const out: Record<string, k8s.Quantity> = {};
  if (list.cpu !== undefined) out.cpu = k8s.Quantity.fromString(list.cpu);
  if (list.memory !== undefined) out.memory = k8s.Quantity.fromString(list.memory);
  return out;
}

/**
 * True when two pods of the service cannot share the gateway: a hostNetwork pod holds its
 * container ports on the node itself (Kubernetes defaults hostPort to containerPort there),
 * and an explicit hostPort is one per node anyway.
 */
export function holdsHostPorts(spec: ServiceVersionSpec): boolean {
  const ports = spec.ports ?? [];
  return ports.some((port) => port.hostPort !== undefined) || (spec.hostNetwork === true && ports.length > 0);
}

function containerPorts(service: ServiceInput): k8s.ContainerPort[] {
  return (service.spec.ports ?? []).map((port) => {
    if (service.spec.hostNetwork && port.hostPort !== undefined && port.hostPort !== port.containerPort) {
      throw new HostPortMismatchError({ service: service.name, version: service.version, port: port.name, containerPort: port.containerPort, hostPort: port.hostPort });
    }
    // In the host network the kubelet holds the container port on the node; say so explicitly
    // so that what is applied is what the API server stores (no drift from defaulting).
    const hostPort = service.spec.hostNetwork ? port.containerPort : port.hostPort;
    return { name: port.name, containerPort: port.containerPort, protocol: port.protocol ?? 'TCP', ...(hostPort !== undefined ? { hostPort } : {}) };
  });
}

/** What every workload of a catalog service on a gateway is made from: the daemon, job and cronjob constructs take these props. */
export interface ServicePodProps {
  readonly placement: GatewayPlacement;
  readonly service: ServiceInput;
  readonly identity: ServiceIdentity;
  /** The ConfigMap with the service's config.json, and the hash of its content (a pod annotation: a config change rolls the pods). */
  readonly config: { readonly name: string; readonly hash: string };
  /**
   * The gateway's response lists the service consumes (the ip-block list of a firewall, the
   * EDR actions of an EDR adapter), each mounted beside config.json.
   * @default - none
   */
  readonly responseLists?: readonly MountedResponseList[];
}

/** How the pod runs: `Always` for daemons, `Never` for runs (a failed run is retried by its Job, not in place). */
export type PodRestartPolicy = 'Always' | 'Never';

/**
 * The pod template of a service on a gateway. Its labels are the service's (`labels` replaces
 * them, e.g. with a response's); the KubeEdge offline-autonomy label is added.
 */
export function edgePodTemplate(props: ServicePodProps, { restartPolicy, labels = props.identity.labels }: { readonly restartPolicy: PodRestartPolicy; readonly labels?: MetadataMap }): k8s.PodTemplateSpec {
  const { service } = props;
  const spec = service.spec;
  const capabilities = [...(spec.capabilities ?? [])].sort();
  const mountPath = spec.configMountPath ?? DEFAULT_CONFIG_MOUNT_PATH;
  // A service that handles site data reads what its customer allows from data-policy.json;
  // which files are mounted depends on the catalog version only, so a policy change leaves
  // the pod template (and a Job's name) alone.
  const files = [CONFIG_FILE, ...(service.dataPolicy ? [DATA_POLICY_FILE] : [])];
  const sources: k8s.VolumeProjection[] = [{ configMap: { name: props.config.name, items: files.map((file) => ({ key: file, path: file })) } }];
  for (const list of props.responseLists ?? []) sources.push({ configMap: { name: list.configMap, items: [{ key: list.file, path: list.file }] } });
  const container: k8s.Container = {
    name: service.name,
    image: spec.image,
    imagePullPolicy: 'IfNotPresent',
    ...(spec.command ? { command: [...spec.command] } : {}),
    ...(spec.args ? { args: [...spec.args] } : {}),
    ...(spec.ports?.length ? { ports: containerPorts(service) } : {}),
    resources: { requests: quantities(spec.resources.requests), limits: quantities(spec.resources.limits) },
    ...(spec.readiness && restartPolicy === 'Always' ? { readinessProbe: probe(spec.readiness) } : {}),
    ...(spec.liveness ? { livenessProbe: probe(spec.liveness) } : {}),
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], ...(capabilities.length > 0 ? { add: capabilities } : {}) },
      // Added capabilities only reach a non-root process through file capabilities in the
      // image, which the catalog cannot promise; a service without any must not run as root.
      ...(capabilities.length === 0 ? { runAsNonRoot: true } : {}),
    },
    volumeMounts: [
      { name: 'config', mountPath, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
  return {
    metadata: { labels: { ...labels, [LABEL.kubeedgeOffline]: 'autonomy' }, annotations: { [ANNOTATION.configHash]: props.config.hash } },
    spec: {
      // The scheduler places the pod (never `nodeName`, which bypasses it and leaves pods
      // Terminating forever on an offline node); the role label keeps it off cloud nodes.
      nodeSelector: { 'kubernetes.io/hostname': props.placement.node, [EDGE_ROLE_LABEL]: '' },
      // No tolerationSeconds: a gateway that loses its uplink keeps its security services
      // instead of having them evicted after the default five minutes.
      tolerations: [
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      ],
      restartPolicy,
      hostNetwork: spec.hostNetwork === true,
      ...(spec.hostNetwork ? { dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
      // Security services at a customer site never talk to the Kubernetes API.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [container],
      volumes: [
        { name: 'config', projected: { sources } },
        { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
      ],
    },
  };
}
