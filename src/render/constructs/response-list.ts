import { Construct } from 'constructs';
import { KubeConfigMap } from '../../../imports/k8s.ts';
import { canonicalJson } from '../canonical.ts';
import type { RenderError } from '../errors.ts';
import { CONTRACT_VERSION, LABEL } from '../../contract/index.ts';
import { objectLabels } from '../labels.ts';
import { dnsLabel } from '../names.ts';
import type { GatewayPlacement } from './placement.ts';

/** The most a ConfigMap may hold (the API server refuses larger ones). */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;

/** A response kind that services consume as a file, and how its list is named. */
export interface ResponseListKind {
  /** The response action (`consumes` in the catalog; the response-action label). */
  readonly action: 'ip-block' | 'edr-action';
  /** The part the ConfigMap belongs to: its name's suffix and its `name` label. */
  readonly part: string;
  /** The file the consumers read, mounted beside config.json. */
  readonly file: string;
  /** The response label of the list: it stands for every response it holds. */
  readonly responseLabel: string;
  readonly tooLarge: (data: { gateway: string; bytes: number; limit: number }) => RenderError<{ gateway: string; bytes: number; limit: number }>;
}

/** Where a consumer of a response list finds it: the ConfigMap and its file. */
export interface MountedResponseList {
  readonly configMap: string;
  readonly file: string;
}

export interface ResponseListProps {
  readonly placement: GatewayPlacement;
  readonly kind: ResponseListKind;
  /** The file's content, written as canonical JSON. */
  readonly content: unknown;
}

/**
 * One gateway's active responses of one kind, mounted into every service that consumes it.
 *
 * Its hash is deliberately not in the consumers' pod templates: the kubelet updates a
 * mounted ConfigMap in place, so a new block or EDR action reaches the service without
 * restarting it (a restart of a host-port firewall is a Recreate, i.e. a moment with no firewall).
 */
export class ResponseList extends Construct {
  readonly mount: MountedResponseList;
  constructor(scope: Construct, id: string, props: ResponseListProps) {
    super(scope, id);
    const { placement, kind } = props;
    const name = dnsLabel(placement.gateway, kind.part);
    this.mount = { configMap: name, file: kind.file };
    const content = `${canonicalJson(props.content, 2)}\n`;
    const bytes = Buffer.byteLength(content);
    if (bytes > CONFIG_MAP_MAX_BYTES) throw kind.tooLarge({ gateway: placement.gateway, bytes, limit: CONFIG_MAP_MAX_BYTES });
    new KubeConfigMap(this, 'resource', {
      metadata: {
        name,
        namespace: placement.namespace,
        labels: {
          ...objectLabels({ customer: placement.customer, gateway: placement.gateway, name: kind.part, instance: name, version: CONTRACT_VERSION }),
          [LABEL.response]: kind.responseLabel,
          [LABEL.responseAction]: kind.action,
        },
      },
      data: { [kind.file]: content },
    });
  }
}
