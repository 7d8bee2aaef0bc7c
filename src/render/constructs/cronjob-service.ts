import { Construct } from 'constructs';
import * as k8s from '../../../imports/k8s.ts';
import { edgePodTemplate, type ServicePodProps } from './edge-pod.ts';
import { jobLimits } from './job-service.ts';

/** A scheduled (`cronjob`) service; the schedule is read in the controller's time zone (UTC). */
export class CronJobService extends Construct {
  constructor(scope: Construct, id: string, props: ServicePodProps) {
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
            template: edgePodTemplate(props, { restartPolicy: 'Never' }),
          },
        },
      },
    });
  }
}
