import { describe, expect, it } from 'vitest';
import type { ApprovalFacts, ReviewFact } from '../../../src/gate/approval-facts.ts';
import type { GatewayChange, ResponseAction } from '../../../src/gate/classify-change.ts';
import { type GateDecision, type NotReviewed, decide } from '../../../src/gate/decide.ts';
import { describeDecision } from '../../../src/gate/describe.ts';
import type { ApprovalPolicy } from '../../../src/gate/policy.ts';

const HEAD = 'h'.repeat(40);
const OLD_HEAD = 'o'.repeat(40);
const MERGE = 'm'.repeat(40);

const acme: ApprovalPolicy = {
  approvers: ['acme-lead', 'acme-bank/secops'],
  requiredApprovals: 1,
  preauthorized: ['ip-block'],
  operators: ['soc-oncall', 'soc/operators'],
  requiredOperatorApprovals: 1,
};

function change(over: Partial<Omit<GatewayChange, 'responseActions'>> & { responseActions?: ResponseAction[] } = {}): GatewayChange {
  return {
    gateway: 'acme-sh-01',
    customer: 'acme',
    touchesWorkloads: true,
    fleetWide: false,
    changedObjects: ['Deployment essg-acme/ids (apps/v1)'],
    ...over,
    responseActions: new Set(over.responseActions ?? []),
  };
}

let clock = 0;
function review(login: string, state: ReviewFact['state'], commitId = HEAD): ReviewFact {
  clock += 1;
  return { id: clock, login, state, commitId, submittedAt: new Date(Date.UTC(2026, 0, 5, 9, 0, clock)).toISOString() };
}

function merged(reviews: ReviewFact[], teams: Record<string, string[]> = {}, author = 'soc-dev'): ApprovalFacts {
  return {
    kind: 'pull-request',
    commitSha: MERGE,
    pr: { number: 42, url: 'https://github.example.com/soc/fleet/pull/42', author, headSha: HEAD, mergeCommitSha: MERGE, mergedAt: '2026-01-05T10:00:00Z' },
    reviews,
    teamMembers: new Map(Object.entries(teams).map(([team, logins]) => [team, new Set(logins)])),
  };
}

interface Case {
  readonly name: string;
  readonly change?: GatewayChange;
  readonly policy?: ApprovalPolicy;
  readonly facts: ApprovalFacts | NotReviewed;
  readonly want: Partial<Pick<GateDecision, 'result' | 'reason' | 'counted' | 'notCounted'>> & { readonly missing?: Partial<GateDecision['missing']> };
}

const cases: Case[] = [
  {
    name: "the customer's approver on the final head approves the change",
    facts: merged([review('acme-lead', 'APPROVED')]),
    want: { result: 'approved', reason: 'approved', counted: [{ login: 'acme-lead', via: 'acme-lead', as: 'customer' }], notCounted: [] },
  },
  {
    name: "another customer's approver is not counted",
    facts: merged([review('globex-lead', 'APPROVED')]),
    want: { result: 'awaiting-approval', reason: 'approvals-missing', counted: [], notCounted: [{ login: 'globex-lead', reason: 'not-an-approver' }], missing: { customerApprovals: 1, approvers: ['acme-lead', 'acme-bank/secops'] } },
  },
  {
    name: "a member of another customer's approver team is not counted",
    facts: merged([review('bob', 'APPROVED')], { 'globex-corp/secops': ['bob'], 'acme-bank/secops': [] }),
    want: { result: 'awaiting-approval', reason: 'approvals-missing', counted: [], notCounted: [{ login: 'bob', reason: 'not-an-approver' }], missing: { customerApprovals: 1 } },
  },
  {
    name: "a member of another customer's team is not counted when this customer's team was not resolved at all",
    facts: merged([review('bob', 'APPROVED')], { 'globex-corp/secops': ['bob'] }),
    want: { result: 'awaiting-approval', counted: [], notCounted: [{ login: 'bob', reason: 'not-an-approver' }] },
  },
  {
    name: "another customer's team of the same name under another org is not this customer's team",
    facts: merged([review('bob', 'APPROVED')], { 'globex-bank/secops': ['bob'], 'acme-bank/secops': ['alice'] }),
    want: { result: 'awaiting-approval', counted: [], notCounted: [{ login: 'bob', reason: 'not-an-approver' }] },
  },
  {
    name: "a member of the operators' team alone cannot approve a customer change",
    facts: merged([review('carol', 'APPROVED')], { 'soc/operators': ['carol'] }),
    want: { result: 'awaiting-approval', counted: [], notCounted: [{ login: 'carol', reason: 'not-an-approver' }], missing: { customerApprovals: 1 } },
  },
  {
    name: "the author's own approval is not counted",
    facts: merged([review('acme-lead', 'APPROVED')], {}, 'acme-lead'),
    want: { result: 'awaiting-approval', notCounted: [{ login: 'acme-lead', reason: 'author' }] },
  },
  {
    name: 'an approval given before the last push is stale',
    facts: merged([review('acme-lead', 'APPROVED', OLD_HEAD)]),
    want: { result: 'awaiting-approval', notCounted: [{ login: 'acme-lead', reason: 'stale' }], missing: { customerApprovals: 1 } },
  },
  {
    name: 'a later CHANGES_REQUESTED by the same reviewer cancels the approval',
    facts: merged([review('acme-lead', 'APPROVED'), review('acme-lead', 'CHANGES_REQUESTED')]),
    want: { result: 'awaiting-approval', notCounted: [{ login: 'acme-lead', reason: 'superseded' }] },
  },
  {
    name: 'a reviewer who only requested changes is reported as such',
    facts: merged([review('acme-lead', 'CHANGES_REQUESTED')]),
    want: { result: 'awaiting-approval', notCounted: [{ login: 'acme-lead', reason: 'changes-requested' }] },
  },
  {
    name: 'changes requested after a dismissed approval supersede it',
    facts: merged([review('acme-lead', 'DISMISSED'), review('acme-lead', 'CHANGES_REQUESTED')]),
    want: { result: 'awaiting-approval', notCounted: [{ login: 'acme-lead', reason: 'superseded' }] },
  },
  {
    name: 'a pending review is no approval, even on the final head',
    facts: merged([review('acme-lead', 'PENDING')]),
    want: { result: 'awaiting-approval', counted: [], notCounted: [], missing: { customerApprovals: 1 } },
  },
  {
    name: 'a pending review after an approval leaves the approval standing',
    facts: merged([review('acme-lead', 'APPROVED'), { ...review('acme-lead', 'PENDING'), submittedAt: null }]),
    want: { result: 'approved', counted: [{ login: 'acme-lead', via: 'acme-lead', as: 'customer' }] },
  },
  {
    name: 'a response kind that is not preauthorized needs review, even next to one that is',
    change: change({ touchesWorkloads: false, responseActions: ['ip-block', 'vuln-scan'] }),
    facts: { kind: 'direct-push', commitSha: MERGE, unmergedPullRequests: [] },
    want: { result: 'refused', reason: 'direct-push', missing: { customerApprovals: 1 } },
  },
  {
    name: 'a dismissed approval does not count',
    facts: merged([review('acme-lead', 'DISMISSED')]),
    want: { result: 'awaiting-approval', notCounted: [{ login: 'acme-lead', reason: 'superseded' }] },
  },
  {
    name: 'a comment after an approval leaves the approval standing',
    facts: merged([review('acme-lead', 'APPROVED'), review('acme-lead', 'COMMENTED')]),
    want: { result: 'approved', counted: [{ login: 'acme-lead', via: 'acme-lead', as: 'customer' }] },
  },
  {
    name: 'an approval after requested changes counts',
    facts: merged([review('acme-lead', 'CHANGES_REQUESTED'), review('acme-lead', 'APPROVED')]),
    want: { result: 'approved' },
  },
  {
    name: 'a reviewer who only commented is reported as such',
    facts: merged([review('acme-lead', 'COMMENTED')]),
    want: { result: 'awaiting-approval', notCounted: [{ login: 'acme-lead', reason: 'commented' }] },
  },
  {
    name: 'a member of an approver team counts through the team',
    facts: merged([review('Alice', 'APPROVED')], { 'acme-bank/secops': ['alice'] }),
    want: { result: 'approved', counted: [{ login: 'Alice', via: 'acme-bank/secops', as: 'customer' }] },
  },
  {
    name: 'two required approvals are not met by one approver approving twice',
    policy: { ...acme, requiredApprovals: 2 },
    facts: merged([review('acme-lead', 'APPROVED', OLD_HEAD), review('acme-lead', 'APPROVED')]),
    want: { result: 'awaiting-approval', missing: { customerApprovals: 1, approvers: ['acme-bank/secops'] } },
  },
  {
    name: 'two required approvals are met by two distinct approvers',
    policy: { ...acme, requiredApprovals: 2 },
    facts: merged([review('acme-lead', 'APPROVED'), review('bob', 'APPROVED')], { 'acme-bank/secops': ['bob'] }),
    want: { result: 'approved', missing: { customerApprovals: 0, operatorApprovals: 0, approvers: [] } },
  },
  {
    name: "a fleet-wide change to the gateway's workloads without an operator waits",
    change: change({ fleetWide: true }),
    facts: merged([review('acme-lead', 'APPROVED')]),
    want: { result: 'awaiting-approval', missing: { customerApprovals: 0, operatorApprovals: 1, approvers: ['soc-oncall', 'soc/operators'] } },
  },
  {
    name: 'a fleet-wide change with the customer and an operator is approved',
    change: change({ fleetWide: true }),
    facts: merged([review('acme-lead', 'APPROVED'), review('carol', 'APPROVED')], { 'soc/operators': ['carol'] }),
    want: { result: 'approved', counted: [{ login: 'acme-lead', via: 'acme-lead', as: 'customer' }, { login: 'carol', via: 'soc/operators', as: 'operator' }] },
  },
  {
    name: 'an operator alone cannot approve a customer change',
    facts: merged([review('soc-oncall', 'APPROVED')]),
    want: { result: 'awaiting-approval', notCounted: [{ login: 'soc-oncall', reason: 'not-an-approver' }] },
  },
  {
    name: 'a preauthorized ip-block alone is approved without review, even pushed directly',
    change: change({ touchesWorkloads: false, responseActions: ['ip-block'] }),
    facts: { kind: 'direct-push', commitSha: MERGE, unmergedPullRequests: [] },
    want: { result: 'approved', reason: 'preauthorized' },
  },
  {
    name: 'a preauthorized ip-block applies while GitHub is unavailable',
    change: change({ touchesWorkloads: false, responseActions: ['ip-block'] }),
    facts: { kind: 'unavailable', commitSha: MERGE, error: { component: 'github', failure: 'timeout', message: 'timed out' } },
    want: { result: 'approved', reason: 'preauthorized' },
  },
  {
    name: 'an ip-block together with a workload change needs review',
    change: change({ touchesWorkloads: true, responseActions: ['ip-block'] }),
    facts: merged([]),
    want: { result: 'awaiting-approval', missing: { customerApprovals: 1 } },
  },
  {
    name: 'a response kind that is not preauthorized needs review',
    change: change({ touchesWorkloads: false, responseActions: ['vuln-scan'] }),
    facts: { kind: 'direct-push', commitSha: MERGE, unmergedPullRequests: [] },
    want: { result: 'refused', reason: 'direct-push' },
  },
  {
    name: 'a direct push that changes the gateway is refused',
    facts: { kind: 'direct-push', commitSha: MERGE, unmergedPullRequests: [7] },
    want: { result: 'refused', reason: 'direct-push', missing: { customerApprovals: 1 } },
  },
  {
    name: 'rewritten history is refused even for a preauthorized response',
    change: change({ touchesWorkloads: false, responseActions: ['ip-block'] }),
    facts: { kind: 'history-rewritten', commitSha: MERGE, appliedRevision: 'a'.repeat(40) },
    want: { result: 'refused', reason: 'history-rewritten' },
  },
  {
    name: 'GitHub being unavailable holds the gateway',
    facts: { kind: 'unavailable', commitSha: MERGE, error: { component: 'github', failure: 'rate-limited', status: 429, message: 'rate limited' } },
    want: { result: 'hold', reason: 'github-unavailable' },
  },
  {
    name: 'a commit that changes nothing on the gateway lets it move, whatever its origin',
    change: change({ touchesWorkloads: false, changedObjects: [] }),
    facts: { kind: 'direct-push', commitSha: MERGE, unmergedPullRequests: [] },
    want: { result: 'approved', reason: 'no-change' },
  },
  {
    name: 'a change no one has reviewed yet (a plan before its pull request) awaits every approval it needs',
    change: change({ fleetWide: true }),
    facts: { kind: 'not-reviewed', commitSha: HEAD },
    want: { result: 'awaiting-approval', reason: 'approvals-missing', counted: [], notCounted: [], missing: { customerApprovals: 1, operatorApprovals: 1, approvers: ['acme-lead', 'acme-bank/secops', 'soc-oncall', 'soc/operators'] } },
  },
  {
    name: 'a preauthorized response needs no review even before its pull request is read',
    change: change({ touchesWorkloads: false, responseActions: ['ip-block'] }),
    facts: { kind: 'not-reviewed', commitSha: HEAD },
    want: { result: 'approved', reason: 'preauthorized' },
  },
];

describe('decide: may a gateway move to a commit', () => {
  it.each(cases)('$name', ({ change: c = change(), policy = acme, facts, want }) => {
    const decision = decide({ change: c, policy, facts });
    const { missing, ...rest } = want;
    expect(decision).toMatchObject(rest);
    if (missing) expect(decision.missing).toMatchObject(missing);
  });

  it('names no pull request for a change not reviewed yet', () => {
    const decision = decide({ change: change(), policy: acme, facts: { kind: 'not-reviewed', commitSha: HEAD } });
    expect(decision.pr).toBeUndefined();
    expect(decision.commit).toBe(HEAD);
    expect(describeDecision(decision)).toBe('acme-sh-01 (acme) at hhhhhhhhhhhh: awaiting approval: needs 1 more customer approval(s) from acme-lead, acme-bank/secops');
  });

  it('records the decision for the audit: commit, PR, counted and not counted reviewers', () => {
    const decision = decide({
      change: change(),
      policy: acme,
      facts: merged([review('acme-lead', 'APPROVED', OLD_HEAD), review('mallory', 'APPROVED'), review('bob', 'APPROVED')], { 'acme-bank/secops': ['bob'] }),
    });
    expect(decision).toEqual({
      gateway: 'acme-sh-01',
      customer: 'acme',
      commit: MERGE,
      result: 'approved',
      reason: 'approved',
      pr: { number: 42, url: 'https://github.example.com/soc/fleet/pull/42', author: 'soc-dev', headSha: HEAD },
      needs: { customer: true, operators: false },
      counted: [{ login: 'bob', via: 'acme-bank/secops', as: 'customer' }],
      notCounted: [{ login: 'acme-lead', reason: 'stale' }, { login: 'mallory', reason: 'not-an-approver' }],
      missing: { customerApprovals: 0, operatorApprovals: 0, approvers: [] },
    });
  });

  it('the latest review decides even when GitHub lists reviews out of order', () => {
    const approved = review('acme-lead', 'APPROVED');
    const changes = review('acme-lead', 'CHANGES_REQUESTED');
    const decision = decide({ change: change(), policy: acme, facts: merged([changes, approved]) });
    expect(decision.result).toBe('awaiting-approval');
  });

  it('reviews given in the same second are ordered as GitHub numbered them', () => {
    const at = '2026-01-05T09:30:00.000Z';
    const requested = { id: 100, login: 'acme-lead', state: 'CHANGES_REQUESTED' as const, commitId: HEAD, submittedAt: at };
    const approved = { id: 101, login: 'acme-lead', state: 'APPROVED' as const, commitId: HEAD, submittedAt: at };
    expect(decide({ change: change(), policy: acme, facts: merged([approved, requested]) }).result).toBe('approved');
    expect(decide({ change: change(), policy: acme, facts: merged([{ ...approved, id: 99 }, requested]) }).result).toBe('awaiting-approval');
  });

  it('counts nobody for a change that needs no review', () => {
    const unchanged = decide({ change: change({ touchesWorkloads: false, changedObjects: [] }), policy: acme, facts: merged([review('acme-lead', 'APPROVED')]) });
    const preauthorized = decide({ change: change({ touchesWorkloads: false, responseActions: ['ip-block'] }), policy: acme, facts: merged([review('acme-lead', 'APPROVED')]) });
    for (const decision of [unchanged, preauthorized]) {
      expect(decision).toEqual({
        gateway: 'acme-sh-01', customer: 'acme', commit: MERGE, result: 'approved', reason: decision.reason,
        needs: { customer: false, operators: false }, counted: [], notCounted: [], missing: { customerApprovals: 0, operatorApprovals: 0, approvers: [] },
      });
    }
  });

  it('records a refusal with what it would have needed', () => {
    expect(decide({ change: change({ fleetWide: true }), policy: acme, facts: { kind: 'direct-push', commitSha: MERGE, unmergedPullRequests: [] } })).toEqual({
      gateway: 'acme-sh-01', customer: 'acme', commit: MERGE, result: 'refused', reason: 'direct-push',
      needs: { customer: true, operators: true }, counted: [], notCounted: [],
      missing: { customerApprovals: 1, operatorApprovals: 1, approvers: ['acme-lead', 'acme-bank/secops', 'soc-oncall', 'soc/operators'] },
    });
  });

  it('logins match approvers regardless of case, as on GitHub', () => {
    const decision = decide({ change: change(), policy: acme, facts: merged([review('ACME-Lead', 'APPROVED')]) });
    expect(decision.counted).toEqual([{ login: 'ACME-Lead', via: 'acme-lead', as: 'customer' }]);
  });
});

describe('describeDecision: the line that goes to logs and Kubernetes Events', () => {
  it('names the pull request and the approvers still needed', () => {
    const decision = decide({ change: change({ fleetWide: true }), policy: acme, facts: merged([review('acme-lead', 'APPROVED'), review('soc-dev', 'APPROVED')]) });
    expect(describeDecision(decision)).toBe(
      'acme-sh-01 (acme) at mmmmmmmmmmmm: awaiting approval of PR #42: needs 1 more operator approval(s) from soc-oncall, soc/operators'
      + '; approved by acme-lead as customer; not counted: soc-dev (author\'s own approval)',
    );
  });
});
