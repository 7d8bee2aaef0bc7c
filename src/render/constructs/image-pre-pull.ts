import { Construct } from 'constructs';
import { ImagePrePullJobV1Alpha2 } from '../../../imports/operations.kubeedge.io.ts';
import { contentHash } from '../canonical.ts';
import type { PrePullInput } from '../inputs.ts';
import { CONTRACT_VERSION, objectLabels } from '../labels.ts';
import { dnsLabel } from '../names.ts';
import type { GatewayPlacement } from './placement.ts';

export interface ImagePrePullProps {
  readonly placement: GatewayPlacement;
  /** The images the gateway's services and scans run; order and duplicates do not matter. */
  readonly images: readonly string[];
  /** The fleet's pre-pull settings. */
  readonly settings: PrePullInput;
}

/**
 * A KubeEdge ImagePrePullJob that pulls the gateway's images onto its edge node ahead of
 * the workloads. The name ends in a hash of the image list, so a new image set is a new
 * job (KubeEdge jobs run once); the reconciler decides when to create it.
 */
export class ImagePrePull extends Construct {
  readonly name: string;
  constructor(scope: Construct, id: string, props: ImagePrePullProps) {
    super(scope, id);
    const { placement, settings } = props;
    const images = [...new Set(props.images)].sort();
    this.name = dnsLabel(placement.gateway, 'pre-pull', contentHash(images, 8));
    new ImagePrePullJobV1Alpha2(this, 'resource', {
      // Cluster-scoped: no namespace.
      metadata: {
        name: this.name,
        labels: objectLabels({ customer: placement.customer, gateway: placement.gateway, name: 'image-pre-pull', instance: dnsLabel(placement.gateway, 'pre-pull'), version: CONTRACT_VERSION, isService: false }),
      },
      spec: {
        imagePrePullTemplate: {
          images,
          nodeNames: [placement.node],
          concurrency: settings.concurrency,
          timeoutSeconds: settings.timeoutSeconds,
          retryTimes: settings.retryTimes,
        },
      },
    });
  }
}
