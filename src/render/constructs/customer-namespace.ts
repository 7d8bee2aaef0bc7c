import { Construct } from 'constructs';
import { KubeNamespace } from '../../../imports/k8s.ts';
import { LABEL, MANAGED_BY } from '../../contract/index.ts';

export interface CustomerNamespaceProps {
  /** The namespace name, `<namespacePrefix><customer>`. */
  readonly name: string;
  readonly customer: string;
}

/**
 * The customer's namespace. Every gateway of the customer renders the same object, so it
 * carries only customer-level labels: a gateway label would flip with each gateway applied,
 * and pruning one gateway must never take the namespace (and its siblings) with it.
 */
export class CustomerNamespace extends Construct {
  constructor(scope: Construct, id: string, props: CustomerNamespaceProps) {
    super(scope, id);
    new KubeNamespace(this, 'resource', {
      metadata: { name: props.name, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.partOf]: MANAGED_BY, [LABEL.customer]: props.customer } },
    });
  }
}
