import { Construct } from 'constructs';
import { KubeConfigMap } from '../../../imports/k8s.ts';
import { canonicalJson } from '../canonical.ts';
import { IpBlockListTooLargeError } from '../errors.ts';
import type { IpBlockInput } from '../inputs.ts';
import { CONTRACT_VERSION, LABEL } from '../../contract/index.ts';
import { objectLabels } from '../labels.ts';
import { dnsLabel } from '../names.ts';
import { IP_BLOCK_FILE } from './edge-pod.ts';
import type { GatewayPlacement } from './placement.ts';

/** The most a ConfigMap may hold (the API server refuses larger ones). */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;

/** What a firewall service reads from ip-block.json: the union of the active blocks, per direction. */
export interface IpBlockFile {
  readonly inbound: readonly string[];
  readonly outbound: readonly string[];
  readonly responses: readonly { readonly name: string; readonly direction: string; readonly expires: string }[];
}

export function ipBlockFile(blocks: readonly IpBlockInput[]): IpBlockFile {
  const inbound = new Set<string>();
  const outbound = new Set<string>();
  for (const block of blocks) {
    for (const cidr of block.cidrs) {
      if (block.direction !== 'outbound') inbound.add(cidr);
      if (block.direction !== 'inbound') outbound.add(cidr);
    }
  }
  return {
    inbound: [...inbound].sort(),
    outbound: [...outbound].sort(),
    responses: blocks.map((block) => ({ name: block.response, direction: block.direction, expires: block.expires })),
  };
}

export interface IpBlockListProps {
  readonly placement: GatewayPlacement;
  /** The unexpired ip-block responses acting on the gateway; none gives empty lists. */
  readonly blocks: readonly IpBlockInput[];
}

/**
 * The gateway's ip-block list, mounted into every service that consumes ip-block.
 *
 * Its hash is deliberately not in the consumers' pod templates: the kubelet updates a
 * mounted ConfigMap in place, so a new block reaches the firewall without restarting it
 * (a restart of a host-port firewall is a Recreate, i.e. a moment with no firewall).
 */
export class IpBlockList extends Construct {
  readonly name: string;
  constructor(scope: Construct, id: string, props: IpBlockListProps) {
    super(scope, id);
    const { placement } = props;
    this.name = dnsLabel(placement.gateway, 'ip-block');
    const content = `${canonicalJson(ipBlockFile(props.blocks), 2)}\n`;
    const bytes = Buffer.byteLength(content);
    if (bytes > CONFIG_MAP_MAX_BYTES) throw new IpBlockListTooLargeError({ gateway: placement.gateway, bytes, limit: CONFIG_MAP_MAX_BYTES });
    new KubeConfigMap(this, 'resource', {
      metadata: {
        name: this.name,
        namespace: placement.namespace,
        labels: {
          ...objectLabels({ customer: placement.customer, gateway: placement.gateway, name: 'ip-block', instance: this.name, version: CONTRACT_VERSION }),
          // The list is the union of every active ip-block response of the gateway.
          [LABEL.response]: 'ip-block-list',
          [LABEL.responseAction]: 'ip-block',
        },
      },
      data: { [IP_BLOCK_FILE]: content },
    });
  }
}
