// The KubeEdge ImagePrePullJob the rollout issues before a wave switches: one job over every
// node of the wave that needs the same images (or, re-issued, over the nodes that still need
// them). Cluster-scoped and spanning gateways, it carries the rollout and wave instead of a
// gateway label; no gateway's inventory holds it, and the rollout deletes it once done.
import { ImagePrePullJobV1Alpha2 } from '../../imports/operations.kubeedge.io.ts';
import { CONTRACT_VERSION, LABEL, MANAGED_BY } from '../contract/index.ts';
import type { K8sObject } from './objects.ts';

export interface PrePullJobProps {
  readonly name: string;
  /** The rollout's revision. */
  readonly rollout: string;
  readonly wave: number;
  /** Order and duplicates do not matter. */
  readonly images: readonly string[];
  readonly nodes: readonly string[];
  readonly settings: {
    /** KubeEdge: edge nodes pulling at once (per CloudCore instance). */
    readonly concurrency: number;
    /** KubeEdge: how long the pull may take on each node. */
    readonly timeoutSeconds: number;
    /** KubeEdge: retries of a failed pull on each node. */
    readonly retryTimes: number;
    /** KubeEdge: the share of nodes that may fail before the job's phase is Failure, as KubeEdge parses it (a decimal string). */
    readonly failureTolerate: string;
  };
}

export function prePullJobObject(props: PrePullJobProps): K8sObject {
  const { settings } = props;
  return ImagePrePullJobV1Alpha2.manifest({
    metadata: {
      name: props.name,
      labels: {
        [LABEL.managedBy]: MANAGED_BY,
        [LABEL.partOf]: MANAGED_BY,
        [LABEL.name]: 'image-pre-pull',
        [LABEL.instance]: props.name,
        [LABEL.version]: CONTRACT_VERSION,
        [LABEL.rollout]: props.rollout,
        [LABEL.wave]: String(props.wave),
      },
    },
    spec: {
      imagePrePullTemplate: {
        images: [...new Set(props.images)].sort(),
        nodeNames: [...new Set(props.nodes)].sort(),
        concurrency: settings.concurrency,
        timeoutSeconds: settings.timeoutSeconds,
        retryTimes: settings.retryTimes,
        failureTolerate: settings.failureTolerate,
      },
    },
  }) as K8sObject;
}
