import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { GatewayInputs } from '../inputs.ts';
import { CronJobService } from './cronjob-service.ts';
import { CustomerNamespace } from './customer-namespace.ts';
import { DaemonService } from './daemon-service.ts';
import { IpBlockList } from './ip-block-list.ts';
import { JobService } from './job-service.ts';
import { serviceIdentity, type GatewayPlacement } from './placement.ts';
import { ServiceConfig } from './service-config.ts';
import { VulnScanJob } from './vuln-scan.ts';

export interface GatewayChartProps {
  /** Everything the gateway's render depends on (see gatewayInputs). */
  readonly inputs: GatewayInputs;
}

/**
 * Every object one gateway needs: its customer's namespace, one ConfigMap and workload per
 * service, the ip-block list its firewall consumes and its scans. One chart per gateway, in an
 * App of its own. Images are pre-pulled by the rollout, one ImagePrePullJob per wave over many
 * gateways (src/engine/prepull-step.ts), so no gateway's render holds one.
 */
export class GatewayChart extends Chart {
  constructor(scope: Construct, id: string, props: GatewayChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { inputs } = props;
    const placement: GatewayPlacement = { customer: inputs.customer, gateway: inputs.gateway, node: inputs.node, namespace: inputs.namespace };
    new CustomerNamespace(this, 'namespace', { name: inputs.namespace, customer: inputs.customer });

    const consumesIpBlock = inputs.services.some((service) => service.spec.consumes?.includes('ip-block'));
    const ipBlockList = consumesIpBlock ? new IpBlockList(this, 'ip-block', { placement, blocks: inputs.ipBlocks }) : undefined;

    for (const service of inputs.services) {
      const scope = new Construct(this, `service-${service.name}`);
      const identity = serviceIdentity({ placement, service });
      const config = new ServiceConfig(scope, 'config', { name: identity.instance, namespace: placement.namespace, labels: identity.labels, config: service.config, ...(service.dataPolicy ? { dataPolicy: service.dataPolicy } : {}) });
      const ipBlockConfigMap = ipBlockList && service.spec.consumes?.includes('ip-block') ? ipBlockList.name : undefined;
      const common = { placement, service, identity, config, ...(ipBlockConfigMap ? { ipBlockConfigMap } : {}) };
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
