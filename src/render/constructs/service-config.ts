import { Construct } from 'constructs';
import { KubeConfigMap } from '../../../imports/k8s.ts';
import { canonicalJson, contentHash } from '../canonical.ts';
import type { MetadataMap } from '../../contract/index.ts';
import type { DataPolicy } from '../../model/data-authorisation.ts';
import { CONFIG_FILE, DATA_POLICY_FILE } from './edge-pod.ts';

export interface ServiceConfigProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: MetadataMap;
  /** The validated config; written as config.json with sorted keys, so equal configs give equal bytes. */
  readonly config: unknown;
  /**
   * What the customer allows the service to collect and report, written beside config.json
   * as data-policy.json (`{ "collect": [...], "report": [...] }`).
   * @default - none: the service handles no site data
   */
  readonly dataPolicy?: DataPolicy;
}

/**
 * A service's config as config.json in a ConfigMap; `hash` goes into the pod template so a
 * config change rolls the pods.
 *
 * The customer's data policy is deliberately not in `hash`: the kubelet updates a mounted
 * ConfigMap in place, so a customer who withdraws or grants a category reaches the running
 * collector without a restart (a restart of a host-port service is a Recreate, a moment
 * without it), and the collector re-reads data-policy.json as a firewall re-reads its block list.
 */
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
      data: {
        [CONFIG_FILE]: content,
        ...(props.dataPolicy ? { [DATA_POLICY_FILE]: `${canonicalJson({ collect: props.dataPolicy.collect, report: props.dataPolicy.report }, 2)}\n` } : {}),
      },
    });
  }
}
