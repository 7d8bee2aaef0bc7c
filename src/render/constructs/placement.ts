// Where a gateway's objects go and who they belong to: shared by every construct of a chart.
import { boundedName, CRONJOB_NAME_MAX, DNS_LABEL_MAX } from '../names.ts';
import type { MetadataMap } from '../../contract/index.ts';
import { serviceObjectLabels } from '../labels.ts';
import type { ServiceInput } from '../inputs.ts';

export interface GatewayPlacement {
  readonly customer: string;
  readonly gateway: string;
  /** The gateway's KubeEdge edge node. */
  readonly node: string;
  /** The customer's namespace. */
  readonly namespace: string;
}

/** Name and labels of the objects of one catalog service on one gateway. */
export interface ServiceIdentity {
  /** `<gateway>-<service>`, cut to a DNS label: the name of its ConfigMap and workload. */
  readonly instance: string;
  readonly labels: MetadataMap;
}

export function serviceIdentity({ placement, service, instanceOf = service.name }: { readonly placement: GatewayPlacement; readonly service: ServiceInput; readonly instanceOf?: string }): ServiceIdentity {
  const max = service.spec.workload === 'cronjob' ? CRONJOB_NAME_MAX : DNS_LABEL_MAX;
  const instance = boundedName({ parts: [placement.gateway, instanceOf], max });
  return {
    instance,
    labels: serviceObjectLabels({ customer: placement.customer, gateway: placement.gateway, name: service.name, instance, version: service.version }),
  };
}
