// Node (gateway) health: online or not, its last heartbeat and the pressures it reports.
// A KubeEdge edge node that loses its uplink stops heartbeating; the node lifecycle
// controller then sets Ready=Unknown and the unreachable taint.
import { condition, type Node } from './types.ts';

export const PRESSURE_CONDITIONS = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;
export type Pressure = (typeof PRESSURE_CONDITIONS)[number];
const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

export interface NodeHealth {
  readonly name: string;
  /** The Ready condition's status: True, False or Unknown. */
  readonly ready: 'True' | 'False' | 'Unknown';
  /** Ready=Unknown or the unreachable taint: the gateway cannot be reached. */
  readonly offline: boolean;
  /** When the node last reported in (the Ready condition's heartbeat). */
  readonly lastHeartbeat?: string;
  readonly pressure: readonly Pressure[];
  readonly message?: string;
}

export function nodeHealth(node: Node): NodeHealth {
  const ready = condition(node.status?.conditions, 'Ready');
  const readyStatus = ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown';
  const unreachable = (node.spec?.taints ?? []).some((t) => t.key === UNREACHABLE_TAINT);
  const offline = readyStatus === 'Unknown' || unreachable;
  const pressure = PRESSURE_CONDITIONS.filter((type) => condition(node.status?.conditions, type)?.status === 'True');
  const message = offline
    ? `the gateway is offline${ready?.lastHeartbeatTime ? ` since its last heartbeat at ${ready.lastHeartbeatTime}` : ''}`
    : readyStatus === 'False'
      ? `the node is not ready${ready?.message ? `: ${ready.message}` : ''}`
      : pressure.length > 0
        ? `the node reports ${pressure.join(', ')}`
        : undefined;
  return {
    name: node.metadata.name,
    ready: readyStatus,
    offline,
    ...(ready?.lastHeartbeatTime ? { lastHeartbeat: ready.lastHeartbeatTime } : {}),
    pressure,
    ...(message ? { message } : {}),
  };
}
