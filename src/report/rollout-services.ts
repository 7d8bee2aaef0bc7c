// Which services a rollout changes, across its gateways: for each gateway, the difference
// between the services at the revision it left (recorded when it joined its wave) or is still
// on (not reached yet) and those at the rollout's revision. The dashboard's service view
// attributes a rollout to the services it moves, not to every service its gateways run.
import type { GatewayRolloutState, RolloutSummary } from '../rollout/types.ts';
import type { RolloutServiceChange } from './status-model.ts';

/** A gateway's services at a revision, by name → version; undefined when it cannot be read there. */
export type ServicesAt = (revision: string, gateway: string) => Promise<ReadonlyMap<string, string> | undefined>;

export async function rolloutServices({ rollout, states, servicesAt }: {
  readonly rollout: RolloutSummary; readonly states: ReadonlyMap<string, GatewayRolloutState>; readonly servicesAt: ServicesAt;
}): Promise<RolloutServiceChange[] | undefined> {
  const changes = new Map<string, { service: string; to: string | undefined; from: Set<string>; gateways: number }>();
  let known = false;
  const gateways = [...rollout.waves.flatMap((w) => w.gateways.map((g) => g.gateway)), ...rollout.pending];
  for (const gateway of gateways) {
    const state = states.get(gateway);
    const left = state?.rollout?.id === rollout.id ? state.rollout.from : state?.revision;
    if (!left || left === rollout.id) continue;
    const [before, after] = await Promise.all([servicesAt(left, gateway), servicesAt(rollout.id, gateway)]);
    if (!before || !after) continue;
    known = true;
    for (const service of new Set([...before.keys(), ...after.keys()])) {
      const was = before.get(service);
      const next = after.get(service);
      if (was === next) continue;
      const key = `${service}\u0000${next ?? ''}`;
      const change = changes.get(key) ?? { service, to: next, from: new Set<string>(), gateways: 0 };
      if (was !== undefined) change.from.add(was);
      change.gateways += 1;
      changes.set(key, change);
    }
  }
  if (!known) return undefined;
  return [...changes.values()]
    .map(({ service, to, from, gateways: n }) => ({ service, from: [...from].sort(), ...(to !== undefined ? { to } : {}), gateways: n }))
    .sort((a, b) => a.service.localeCompare(b.service) || (a.to ?? '').localeCompare(b.to ?? ''));
}
