// Who must approve a change to one customer's gateways, as read from the fleet repo.
import { describe, expect, it } from 'vitest';
import type { Customer, Fleet } from '../../../src/model/fleet-model.ts';
import { approvalPolicy, teamPrincipals, type ApprovalPolicy } from '../../../src/gate/policy.ts';

const fleet = (spec: Partial<Fleet['spec']> = {}): Fleet => ({ apiVersion: 'essg.io/v1', kind: 'Fleet', metadata: { name: 'fleet' }, spec: { operators: ['soc-oncall'], ...spec } }) as Fleet;
const customer = (spec: Partial<Customer['spec']> = {}): Customer => ({ apiVersion: 'essg.io/v1', kind: 'Customer', metadata: { name: 'acme' }, spec: { approvers: ['acme-lead'], ...spec } }) as Customer;

describe('approvalPolicy', () => {
  it('takes the approvers, counts and pre-authorised actions as written', () => {
    expect(approvalPolicy({ fleet: fleet({ operators: ['soc/operators'], requiredOperatorApprovals: 2 }), customer: customer({ approvers: ['acme-lead', 'acme-bank/secops'], requiredApprovals: 2, preauthorized: ['ip-block'] }) }))
      .toEqual({ approvers: ['acme-lead', 'acme-bank/secops'], requiredApprovals: 2, preauthorized: ['ip-block'], operators: ['soc/operators'], requiredOperatorApprovals: 2 });
  });

  it('needs one approval of each kind and pre-authorises nothing when the files say nothing', () => {
    expect(approvalPolicy({ fleet: fleet(), customer: customer() }))
      .toEqual({ approvers: ['acme-lead'], requiredApprovals: 1, preauthorized: [], operators: ['soc-oncall'], requiredOperatorApprovals: 1 });
  });
});

describe('teamPrincipals', () => {
  const policy = (approvers: string[], operators: string[]): ApprovalPolicy => ({ approvers, requiredApprovals: 1, preauthorized: [], operators, requiredOperatorApprovals: 1 });

  it('lists every org/team among approvers and operators once, lower case and sorted; logins are not teams', () => {
    expect(teamPrincipals([
      policy(['acme-lead', 'Acme-Bank/SecOps'], ['soc/operators', 'soc-oncall']),
      policy(['globex/leads', 'acme-bank/secops'], ['soc/operators']),
    ])).toEqual(['acme-bank/secops', 'globex/leads', 'soc/operators']);
  });

  it('is empty without teams', () => {
    expect(teamPrincipals([policy(['acme-lead'], ['soc-oncall'])])).toEqual([]);
    expect(teamPrincipals([])).toEqual([]);
  });
});
