import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { GatewayInputs } from '../inputs.ts';
import { CronJobService } from './cronjob-service.ts';
import { CustomerNamespace } from './customer-namespace.ts';
import { DaemonService } from './daemon-service.ts';
import { edrActionFile, EDR_ACTION_LIST } from './edr-action-list.ts';
import { ipBlockFile, IP_BLOCK_LIST } from './ip-block-list.ts';
import { JobService } from './job-service.ts';
import { serviceIdentity, type GatewayPlacement } from './placement.ts';
import { ResponseList, type MountedResponseList, type ResponseListKind } from './response-list.ts';
import { ServiceConfig } from './service-config.ts';
import { VulnScanJob } from './vuln-scan.ts';

export interface GatewayChartProps {
  /** Everything the gateway's render depends on (see gatewayInputs). */
  readonly inputs: GatewayInputs;
}

/**
 * Every object one gateway needs: its customer's namespace, one ConfigMap and workload per
 * service, the response lists its services consume (the ip-block list of its firewall, the
 * EDR actions of its EDR adapter) and its scans. One chart per gateway, in an
 * App of its own. Images are pre-pulled by the rollout, one ImagePrePullJob per wave over many
 * gateways (src/engine/prepull-step.ts), so no gateway's render holds one.
 */
export class GatewayChart extends Chart {
  constructor(scope: Construct, id: string, props: GatewayChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { inputs } = props;
    const placement: GatewayPlacement = { customer: inputs.customer, gateway: inputs.gateway, node: inputs.node, namespace: inputs.namespace };
    new CustomerNamespace(this, 'namespace', { name: inputs.namespace, customer: inputs.customer });

    // A list is rendered only where a service consumes it: a gateway without a firewall has no ip-block list.
    const lists = new Map<ResponseListKind['action'], MountedResponseList>();
    const contents: readonly [ResponseListKind, () => unknown][] = [[IP_BLOCK_LIST, () => ipBlockFile(inputs.ipBlocks)], [EDR_ACTION_LIST, () => edrActionFile(inputs.edrActions)]];
    for (const [kind, content] of contents) {
      if (!inputs.services.some((service) => service.spec.consumes?.includes(kind.action))) continue;
      lists.set(kind.action, new ResponseList(this, kind.part, { placement, kind, content: content() }).mount);
    }

    for (const service of inputs.services) {
      const scope = new Construct(this, `service-${service.name}`);
      const identity = serviceIdentity({ placement, service });
      const config = new ServiceConfig(scope, 'config', { name: identity.instance, namespace: placement.namespace, labels: identity.labels, config: service.config, ...(service.dataPolicy ? { dataPolicy: service.dataPolicy } : {}) });
      const responseLists = (service.spec.consumes ?? []).map((action) => lists.get(action)).filter((list) => list !== undefined);
      const common = { placement, service, identity, config, ...(responseLists.length > 0 ? { responseLists } : {}) };
      if (service.spec.workload === 'daemon') {
        new DaemonService(scope, 'workload', { ...common, progressDeadlineSeconds: inputs.progressDeadlineSeconds });
      } else if (service.spec.workload === 'job') {
        new JobService(scope, 'workload', common);
      } else {
        new CronJobService(scope, 'workload', common);
      }
    }

    for (const scan of inputs.scans) new VulnScanJob(this, `scan-${scan.response}`, { placement, scan });
  }
}
