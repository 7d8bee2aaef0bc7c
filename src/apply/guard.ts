// The mass-deletion guard: a pass that would empty more than a set share of the fleet is
// refused, so a failed listing, an emptied file or a bad merge cannot wipe gateways.
import type { GatewayPlan } from '../diff/index.ts';

const WORKLOAD_KINDS = new Set(['Deployment', 'CronJob', 'Job']);

export const ALLOW_MASS_DELETION_FLAG = '--allow-mass-deletion';
export const ALLOW_MASS_DELETION_ENV = 'ESSG_ALLOW_MASS_DELETION';

export interface DeletionGuardOptions {
  readonly plans: readonly GatewayPlan[];
  /** The gateways the fleet repo declares at the commit being applied. */
  readonly declaredGateways: ReadonlySet<string>;
  /** How many gateways the cluster held before this pass (inventories found): the share's denominator. */
  readonly totalGatewaysBefore: number;
  /** fleet.yaml spec.prune.maxDeletionShare (0 to 1). */
  readonly maxShare: number;
  /** Set for one pass by the operator who means it. */
  readonly allow: boolean;
}

export type DeletionGuardResult =
  | { readonly ok: true; readonly share: number; readonly gateways: readonly string[]; readonly allowed: boolean }
  | { readonly ok: false; readonly share: number; readonly gateways: readonly string[]; readonly message: string };

/**
 * A gateway counts when the pass deletes from it and leaves it no workload: it was removed
 * from the fleet, or it loses all its services.
 */
export function emptiedGateways({ plans, declaredGateways }: Pick<DeletionGuardOptions, 'plans' | 'declaredGateways'>): string[] {
  return plans
    .filter((plan) => plan.deletes.length > 0)
    .filter((plan) => !declaredGateways.has(plan.gateway) || (plan.deletes.some((ref) => WORKLOAD_KINDS.has(ref.kind)) && !plan.inventory.objects.some((ref) => WORKLOAD_KINDS.has(ref.kind))))
    .map((plan) => plan.gateway)
    .sort();
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

export function checkDeletionGuard({ plans, declaredGateways, totalGatewaysBefore, maxShare, allow }: DeletionGuardOptions): DeletionGuardResult {
  const gateways = emptiedGateways({ plans, declaredGateways });
  // Every gateway the pass empties existed before it, whatever the inventory listing found:
  // a listing that came back short (or empty) must not shrink the share, let alone to zero.
  const before = Math.max(totalGatewaysBefore, gateways.length);
  const share = before > 0 ? gateways.length / before : 0;
  if (share <= maxShare) return { ok: true, share, gateways, allowed: false };
  if (allow) return { ok: true, share, gateways, allowed: true };
  const listed = gateways.length > 10 ? `${gateways.slice(0, 10).join(', ')} and ${gateways.length - 10} more` : gateways.join(', ');
  const message =
    `refusing to delete every service of ${gateways.length} of ${before} gateways (${percent(share)}, more than the allowed ${percent(maxShare)}): ${listed}. ` +
    `Nothing was deleted. If this is intended, run one pass with ${ALLOW_MASS_DELETION_FLAG} (or ${ALLOW_MASS_DELETION_ENV}=true), ` +
    `or raise spec.prune.maxDeletionShare in fleet.yaml.`;
  return { ok: false, share, gateways, message };
}
