import { Construct } from 'constructs';
import * as k8s from '../../../imports/k8s.ts';
import { contentHash } from '../canonical.ts';
import type { ServiceVersionSpec } from '../inputs.ts';
import { dnsLabel } from '../names.ts';
import type { MetadataMap } from '../../contract/index.ts';
import { edgePodTemplate, type ServicePodProps } from './edge-pod.ts';

/** Limits of one run, defaulted as in serviceversion.schema.json. */
export function jobLimits(spec: ServiceVersionSpec): { activeDeadlineSeconds: number; ttlSecondsAfterFinished: number; backoffLimit: number } {
  return {
    activeDeadlineSeconds: spec.job?.activeDeadlineSeconds ?? 3600,
    ttlSecondsAfterFinished: spec.job?.ttlSecondsAfterFinished ?? 86400,
    backoffLimit: spec.job?.backoffLimit ?? 2,
  };
}

export interface JobServiceProps extends ServicePodProps {
  /**
   * Extra labels, e.g. the response a scan runs for.
   * @default - none
   */
  readonly extraLabels?: MetadataMap;
}

/**
 * A run-to-completion (`job`) service, or a response's scan, as a Job.
 *
 * A Job's pod template cannot change once created, so the name ends in a hash of the
 * template: a new version or config is a new Job (the old one is pruned) instead of an
 * update the API server would refuse.
 */
export class JobService extends Construct {
  readonly name: string;
  constructor(scope: Construct, id: string, props: JobServiceProps) {
    super(scope, id);
    const { identity, service } = props;
    const labels = { ...identity.labels, ...props.extraLabels };
    const template = edgePodTemplate(props, { restartPolicy: 'Never', labels });
    const limits = jobLimits(service.spec);
    this.name = dnsLabel(identity.instance, contentHash({ template: k8s.toJson_PodTemplateSpec(template), limits }, 8));
    new k8s.KubeJob(this, 'resource', {
      metadata: { name: this.name, namespace: props.placement.namespace, labels },
      spec: { ...limits, template },
    });
  }
}
