// A gateway's data flows, drawn from what its services' catalog versions declare: where each
// sends data (`flows`), what it takes from the SOC (`consumes`: the ip-block list, EDR actions) and what it
// collects at the site (`data.collects`). The dashboard's relationship view draws them.
import type { ServiceVersion } from '../model/types.generated.ts';

/** One end of a flow: the SOC, the customer's site network, a system of the customer's, or a service on the gateway. */
export type FlowEnd = 'soc' | 'site' | 'customer' | `service:${string}`;

export interface DataFlow {
  readonly from: FlowEnd;
  readonly to: FlowEnd;
  /** What flows, in a few words. */
  readonly what: string;
}

/** What each response kind a service consumes is, as a flow from the SOC. */
const CONSUMED: Readonly<Record<NonNullable<ServiceVersion['spec']['consumes']>[number], string>> = {
  'ip-block': 'ip-block list',
  'edr-action': 'EDR actions',
};

/**
 * The flows of the services a gateway runs. A flow to a service the gateway does not run is
 * left out: there is nothing at that end on this gateway.
 */
export function gatewayFlows(services: readonly { readonly name: string; readonly spec: ServiceVersion['spec'] }[]): DataFlow[] {
  const running = new Set(services.map((s) => `service:${s.name}`));
  const flows: DataFlow[] = [];
  for (const { name, spec } of services) {
    const self: FlowEnd = `service:${name}`;
    if (spec.data?.collects?.length) flows.push({ from: 'site', to: self, what: spec.data.collects.join(', ') });
    for (const kind of spec.consumes ?? []) flows.push({ from: 'soc', to: self, what: CONSUMED[kind] });
    for (const flow of spec.flows ?? []) {
      const to = flow.to as FlowEnd;
      if (to.startsWith('service:') && !running.has(to)) continue;
      flows.push({ from: self, to, what: flow.what });
    }
  }
  return flows;
}
