import { Construct } from 'constructs';
import { KubeConfigMap } from '../../../imports/k8s.ts';
import { canonicalJson, contentHash } from '../canonical.ts';
import type { MetadataMap } from '../labels.ts';
import { CONFIG_FILE } from './edge-pod.ts';

export interface ServiceConfigProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: MetadataMap;
  /** The validated config; written as config.json with sorted keys, so equal configs give equal bytes. */
  readonly config: unknown;
}

/** A service's config as config.json in a ConfigMap; `hash` goes into the pod template so a config change rolls the pods. */
export class ServiceConfig extends Construct {
  readonly name: string;
  readonly hash: string;
  constructor(scope: Construct, id: string, props: ServiceConfigProps) {
    super(scope, id);
    const content = `${canonicalJson(props.config, 2)}\n`;
    this.name = props.name;
    this.hash = contentHash(content);
    new KubeConfigMap(this, 'resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      data: { [CONFIG_FILE]: content },
    });
  }
}
