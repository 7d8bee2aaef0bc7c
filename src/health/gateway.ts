// A gateway's phase from its node and its services: Offline when the node cannot be
// reached (whatever its services last said), otherwise the worst of its services.
import { nodeHealth, type NodeHealth } from './node.ts';
import type { ServiceHealth } from './service.ts';
import { GatewayPhase, HealthStatus, isWorse } from './status.ts';
import type { Node } from './types.ts';
import { EDGE_ROLE_LABEL } from '../contract/index.ts';

export interface GatewayHealth {
  readonly gateway: string;
  readonly phase: GatewayPhase;
  readonly message?: string;
  /** undefined when the gateway's node is not registered. */
  readonly node?: NodeHealth;
  readonly services: readonly ServiceHealth[];
}

const PHASE_OF: Readonly<Record<HealthStatus, GatewayPhase>> = {
  [HealthStatus.Healthy]: GatewayPhase.Ready,
  [HealthStatus.Suspended]: GatewayPhase.Ready,
  // Desired and not there yet: the apply that creates it is under way.
  [HealthStatus.Missing]: GatewayPhase.Progressing,
  [HealthStatus.Progressing]: GatewayPhase.Progressing,
  [HealthStatus.Degraded]: GatewayPhase.Degraded,
  [HealthStatus.Unknown]: GatewayPhase.Degraded,
};

export interface GatewayHealthOptions {
  readonly gateway: string;
  /** The gateway's edge node; undefined when it is not registered. */
  readonly node?: Node;
  /** The name the fleet repo gives its edge node, for what an operator must do when it is not registered. @default - not named */
  readonly nodeName?: string;
  readonly services: readonly ServiceHealth[];
}

/** What an operator must do for a gateway whose edge node has not joined: the name and label KubeEdge's join must give it. */
export function joinHint(nodeName: string | undefined): string {
  if (!nodeName) return "the gateway's edge node is not registered";
  return `edge node ${nodeName} is not registered: join the gateway with \`keadm join --edgenode-name=${nodeName}\` (its node must carry the label ${EDGE_ROLE_LABEL} that keadm gives edge nodes)`;
}

export function gatewayHealth({ gateway, node, nodeName, services }: GatewayHealthOptions): GatewayHealth {
  if (!node) return { gateway, phase: GatewayPhase.Unregistered, message: joinHint(nodeName), services };
  const health = nodeHealth(node);
  if (health.offline) return { gateway, phase: GatewayPhase.Offline, ...(health.message ? { message: health.message } : {}), node: health, services };
  if (health.ready === 'False') return { gateway, phase: GatewayPhase.Degraded, ...(health.message ? { message: health.message } : {}), node: health, services };
  const worst = services.reduce<ServiceHealth | undefined>((w, s) => (!w || isWorse(s.status, w.status) ? s : w), undefined);
  const phase = worst ? PHASE_OF[worst.status] : GatewayPhase.Ready;
  const serviceMessage = worst && phase !== GatewayPhase.Ready ? `${worst.service}: ${worst.message ?? worst.status}` : undefined;
  // Pressure is reported, not a phase: the services may still run fine under it.
  const message = [serviceMessage, health.pressure.length > 0 ? health.message : undefined].filter(Boolean).join('; ');
  return { gateway, phase, ...(message ? { message } : {}), node: health, services };
}
