// Who must approve a change to one customer's gateways, read from the fleet repo.
import type { Customer, Fleet } from '../model/fleet-model.ts';
import type { ResponseAction } from './classify-change.ts';

export interface ApprovalPolicy {
  /** GitHub logins or `org/team`. */
  readonly approvers: readonly string[];
  readonly requiredApprovals: number;
  readonly preauthorized: readonly ResponseAction[];
  readonly operators: readonly string[];
  readonly requiredOperatorApprovals: number;
}

export function approvalPolicy({ fleet, customer }: { readonly fleet: Fleet; readonly customer: Customer }): ApprovalPolicy {
  return {
    approvers: customer.spec.approvers,
    requiredApprovals: customer.spec.requiredApprovals ?? 1,
    preauthorized: customer.spec.preauthorized ?? [],
    operators: fleet.spec.operators,
    requiredOperatorApprovals: fleet.spec.requiredOperatorApprovals ?? 1,
  };
}

/** Every `org/team` principal a policy names: what the facts must resolve. */
export function teamPrincipals(policies: readonly ApprovalPolicy[]): string[] {
  const teams = new Set<string>();
  for (const policy of policies) {
    for (const principal of [...policy.approvers, ...policy.operators]) if (principal.includes('/')) teams.add(principal.toLowerCase());
  }
  return [...teams].sort();
}
