import { Construct } from 'constructs';
import * as k8s from '../../../imports/k8s.ts';
import type { ServiceInput } from '../inputs.ts';
import { selectorLabels } from '../labels.ts';
import { edgePodTemplate, holdsHostPorts, type ServicePodProps } from './edge-pod.ts';

export interface DaemonServiceProps extends ServicePodProps {
  /**
   * How long a rollout may go without progress before the Deployment reports it failed.
   * @default 600
   */
  readonly progressDeadlineSeconds?: number;
}

/**
 * The update strategy of a one-replica service on one node.
 *
 * Normally the new pod starts beside the old one and takes over only once ready
 * (maxSurge 1, maxUnavailable 0): a failing new version never replaces a working one.
 * A pod that holds ports on the node itself (host network with ports, or a hostPort) cannot
 * run twice on the gateway: the surge pod would stay Pending on the port conflict until the
 * rollout times out, and the old version would never go. For those, Recreate stops the old
 * pod and then starts the new one; the readiness probe and progressDeadlineSeconds still
 * report a failing version, and the rollback is the reconciler's.
 */
export function updateStrategy(service: ServiceInput): k8s.DeploymentStrategy {
  if (holdsHostPorts(service.spec)) return { type: 'Recreate' };
  return { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } };
}

/** A long-running (`daemon`) service: one replica on the gateway's edge node. */
export class DaemonService extends Construct {
  constructor(scope: Construct, id: string, props: DaemonServiceProps) {
    super(scope, id);
    const { identity, service } = props;
    new k8s.KubeDeployment(this, 'resource', {
      metadata: { name: identity.instance, namespace: props.placement.namespace, labels: { ...identity.labels } },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 3,
        progressDeadlineSeconds: props.progressDeadlineSeconds ?? 600,
        strategy: updateStrategy(service),
        selector: { matchLabels: { ...selectorLabels({ name: service.name, instance: identity.instance }) } },
        template: edgePodTemplate(props, { restartPolicy: 'Always' }),
      },
    });
  }
}
