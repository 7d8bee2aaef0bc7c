import { Construct } from 'constructs';
import * as k8s from '../../../imports/k8s.ts';
import type { ServiceInput } from '../inputs.ts';
import { ANNOTATION } from '../../contract/index.ts';
import { edgePodTemplate } from './edge-pod.ts';
import { jobLimits } from './job-service.ts';
import type { GatewayPlacement, ServiceIdentity } from './placement.ts';

export interface CronJobServiceProps {
  readonly placement: GatewayPlacement;
  readonly service: ServiceInput;
  readonly identity: ServiceIdentity;
  /** The ConfigMap with the service's config.json, and the hash of its content. */
  readonly config: { readonly name: string; readonly hash: string };
  /**
   * The gateway's ip-block list ConfigMap, for services that consume ip-block responses.
   * @default - none
   */
  readonly ipBlockConfigMap?: string;
}

/** A scheduled (`cronjob`) service; the schedule is read in the controller's time zone (UTC). */
export class CronJobService extends Construct {
  constructor(scope: Construct, id: string, props: CronJobServiceProps) {
    super(scope, id);
    const { identity, service } = props;
    new k8s.KubeCronJob(this, 'resource', {
      metadata: { name: identity.instance, namespace: props.placement.namespace, labels: { ...identity.labels } },
      spec: {
        schedule: service.spec.schedule ?? '',
        // A run still going (or stuck on an offline gateway) is not joined by a second one.
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: { ...identity.labels } },
          spec: {
            ...jobLimits(service.spec),
            template: edgePodTemplate({
              node: props.placement.node,
              service,
              labels: identity.labels,
              annotations: { [ANNOTATION.configHash]: props.config.hash },
              configMap: props.config.name,
              ...(props.ipBlockConfigMap ? { ipBlockConfigMap: props.ipBlockConfigMap } : {}),
              restartPolicy: 'Never',
            }),
          },
        },
      },
    });
  }
}
