// Assembles a gateway's health from what a listing returns: its node, the workloads we own
// and their pods, matched to the services the fleet repo declares by the essg.io/service label.
import { gatewayHealth, type GatewayHealth } from './gateway.ts';
import { serviceHealth, type Workload } from './service.ts';
import type { Node, Pod } from './types.ts';

const SERVICE_LABEL = 'essg.io/service';
const WORKLOAD_KINDS = new Set(['Deployment', 'Job', 'CronJob']);

export interface DesiredService {
  readonly service: string;
  readonly version: string;
}

export interface AssessGatewayOptions {
  readonly gateway: string;
  readonly node?: Node;
  /** The name the fleet repo gives the gateway's edge node. @default - not named */
  readonly nodeName?: string;
  readonly services: readonly DesiredService[];
  /** The gateway's live objects (other kinds are ignored). */
  readonly objects: readonly { readonly kind: string; readonly metadata: { readonly labels?: Readonly<Record<string, string>> } }[];
  readonly pods: readonly Pod[];
}

export function assessGateway({ gateway, node, nodeName, services, objects, pods }: AssessGatewayOptions): GatewayHealth {
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind)) as unknown as Workload[];
  const assessed = services.map(({ service, version }) => {
    // A Job service may have several runs (one per spec): the newest-named is as good as any; they share the version label.
    const workload = workloads.find((w) => w.metadata.labels?.[SERVICE_LABEL] === service);
    const own = pods.filter((p) => p.metadata.labels?.[SERVICE_LABEL] === service);
    return serviceHealth({ service, desiredVersion: version, ...(workload ? { workload } : {}), pods: own });
  });
  return gatewayHealth({ gateway, ...(node ? { node } : {}), ...(nodeName ? { nodeName } : {}), services: assessed });
}
