// Who sees what of the fleet's status. The SOC's operators (fleet.yaml `operators`) see the
// whole fleet; a customer's approvers (customers/NAME.yaml `approvers`) see that customer's
// gateways only: the same GitHub identity that approves its changes. Principals are logins
// or `org/team`; a team grants what its active members would be credited with by the gate.
import type { GatewayStatus, GatewaySummary, RolloutStatus, StatusSnapshot, StatusSummary } from './status-model.ts';
import { phaseCounts } from './status-update.ts';

/** Who may see the fleet: read from the fleet repo at the revisions the gate accepted (see the engine's access step). */
export interface FleetAccess {
  /** GitHub logins or `org/team` of the SOC's operators. */
  readonly operators: readonly string[];
  /** Customer → its approvers (logins or `org/team`). */
  readonly customers: ReadonlyMap<string, readonly string[]>;
}

/** A signed-in reader and what they may see. */
export type Viewer =
  | { readonly login: string; readonly role: 'operator' }
  | { readonly login: string; readonly role: 'customer'; readonly customers: readonly string[] };

/** Answers whether `login` is an active member of `team` (org/team); false when it cannot be told. */
export type TeamCheck = (team: string, login: string) => Promise<boolean>;

/** The viewer `login` is, or undefined when it is neither an operator nor any customer's approver. */
export async function viewerOf({ login, access, isTeamMember }: {
  readonly login: string; readonly access: FleetAccess; readonly isTeamMember?: TeamCheck;
}): Promise<Viewer | undefined> {
  const named = async (principals: readonly string[]): Promise<boolean> => {
    for (const principal of principals) {
      if (!principal.includes('/')) {
        if (principal.toLowerCase() === login.toLowerCase()) return true;
      } else if (isTeamMember && (await isTeamMember(principal, login))) return true;
    }
    return false;
  };
  if (await named(access.operators)) return { login, role: 'operator' };
  const customers: string[] = [];
  for (const [customer, approvers] of access.customers) if (await named(approvers)) customers.push(customer);
  return customers.length > 0 ? { login, role: 'customer', customers: customers.sort() } : undefined;
}

/** Whether the viewer may see the gateway: for anyone else it does not exist (404, never 403). */
export function canSee(viewer: Viewer, gateway: Pick<GatewayStatus, 'customer'>): boolean {
  return viewer.role === 'operator' || viewer.customers.includes(gateway.customer);
}

/**
 * The snapshot as the viewer may see it: their customers' gateways, the fleet's counts over
 * those alone, rollouts cut to those gateways, the bad commit's problems in their files. The
 * names of gateways they cannot see are replaced wherever a message carries them.
 */
export function scopeSnapshot<T extends StatusSnapshot | StatusSummary>(snapshot: T, viewer: Viewer): T {
  if (viewer.role === 'operator') return snapshot;
  const gateways = (snapshot.gateways as readonly (GatewayStatus | GatewaySummary)[]).filter((g) => canSee(viewer, g));
  const shown = new Set(gateways.map((g) => g.gateway));
  const hidden = new Set<string>();
  for (const g of snapshot.gateways) if (!shown.has(g.gateway)) hidden.add(g.gateway);
  for (const r of snapshot.rollouts) for (const name of rolloutGateways(r)) if (!shown.has(name)) hidden.add(name);
  const { unmanagedNodes: _nodes, badCommit, ...fleet } = snapshot.fleet;
  const mine = (file: string | undefined, gateway: string | undefined): boolean =>
    (gateway !== undefined && shown.has(gateway)) || (file !== undefined && viewer.customers.some((c) => file.startsWith(`gateways/${c}/`) || file === `customers/${c}.yaml`));
  const scoped = {
    ...snapshot,
    fleet: {
      ...fleet,
      phases: phaseCounts(gateways),
      ...(badCommit ? { badCommit: { ...badCommit, problems: badCommit.problems.filter((p) => mine(p.file, p.gateway)) } } : {}),
    },
    rollouts: snapshot.rollouts.map((r) => scopeRollout(r, shown)).filter((r): r is RolloutStatus => r !== undefined),
    gateways,
  };
  return scrubNames(scoped, hidden) as T;
}

/** One gateway's status as the viewer may see it (undefined: not theirs). */
export function scopeGateway(gateway: GatewayStatus, viewer: Viewer, hidden: () => ReadonlySet<string>): GatewayStatus | undefined {
  if (!canSee(viewer, gateway)) return undefined;
  return viewer.role === 'operator' ? gateway : scrubNames(gateway, hidden());
}

function rolloutGateways(rollout: RolloutStatus): string[] {
  return [...rollout.waves.flatMap((w) => w.gateways.map((g) => g.gateway)), ...rollout.pending, ...(rollout.halted ? [rollout.halted.by] : [])];
}

/**
 * A rollout cut to the gateways shown; undefined when it reaches none of them. Its per-service
 * counts span every customer's gateways, so a customer's view goes without them.
 */
function scopeRollout(rollout: RolloutStatus, shown: ReadonlySet<string>): RolloutStatus | undefined {
  const waves = rollout.waves.map((w) => ({ ...w, gateways: w.gateways.filter((g) => shown.has(g.gateway)) })).filter((w) => w.gateways.length > 0);
  const pending = rollout.pending.filter((g) => shown.has(g));
  if (waves.length === 0 && pending.length === 0) return undefined;
  const { services: _services, deferred, halted, ...rest } = rollout;
  const mineDeferred = deferred?.filter((d) => shown.has(d.gateway));
  return {
    ...rest,
    waves,
    pending,
    ...(mineDeferred && mineDeferred.length > 0 ? { deferred: mineDeferred } : {}),
    ...(halted ? { halted: shown.has(halted.by) ? halted : { by: OTHER_GATEWAY, reason: 'a gateway of another customer failed in this rollout' } } : {}),
  };
}

export const OTHER_GATEWAY = "another customer's gateway";

/** Every string of `value` with the names in `hidden` replaced (names are DNS labels: whole tokens only). */
export function scrubNames<T>(value: T, hidden: ReadonlySet<string>): T {
  if (hidden.size === 0) return value;
  const scrub = (text: string): string => text.replace(/[a-z0-9][a-z0-9-]*/g, (token) => (hidden.has(token) ? OTHER_GATEWAY : token));
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
