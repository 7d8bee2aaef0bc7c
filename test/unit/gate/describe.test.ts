// The one line per gate decision that goes to logs, Kubernetes Events and the status API.
import { describe, expect, it } from 'vitest';
import type { GateDecision } from '../../../src/gate/decide.ts';
import { EVENT_REASON, NOT_COUNTED, describeDecision } from '../../../src/gate/describe.ts';

const base: GateDecision = {
  gateway: 'acme-sh-01',
  customer: 'acme',
  commit: 'm'.repeat(40),
  result: 'approved',
  reason: 'approved',
  needs: { customer: true, operators: false },
  counted: [],
  notCounted: [],
  missing: { customerApprovals: 0, operatorApprovals: 0, approvers: [] },
};
const pr = { number: 42, url: 'https://github.example.com/soc/fleet/pull/42', author: 'soc-dev', headSha: 'h'.repeat(40) };
const at = 'acme-sh-01 (acme) at mmmmmmmmmmmm';

describe('describeDecision', () => {
  const cases: [name: string, decision: Partial<GateDecision>, want: string][] = [
    ['no change', { reason: 'no-change' }, `${at}: unchanged by this commit`],
    ['a preauthorized response', { reason: 'preauthorized' }, `${at}: preauthorized response, applied without review`],
    ['approved by a login', { pr, counted: [{ login: 'acme-lead', via: 'acme-lead', as: 'customer' }] }, `${at}: approved in PR #42; approved by acme-lead as customer`],
    ['approved through teams, with reviews that did not count', {
      pr,
      counted: [{ login: 'alice', via: 'acme-bank/secops', as: 'customer' }, { login: 'carol', via: 'soc/operators', as: 'operator' }],
      notCounted: [{ login: 'soc-dev', reason: 'author' }, { login: 'bob', reason: 'stale' }, { login: 'eve', reason: 'superseded' }],
    }, `${at}: approved in PR #42; approved by alice via acme-bank/secops as customer, carol via soc/operators as operator; not counted: soc-dev (author's own approval), bob (approved before the last push), eve (approval withdrawn or dismissed)`],
    ['approved without a pull request to name', {}, `${at}: approved in`],
    ['awaiting customer approvals', {
      result: 'awaiting-approval', reason: 'approvals-missing', pr,
      notCounted: [{ login: 'mallory', reason: 'not-an-approver' }, { login: 'dave', reason: 'commented' }, { login: 'erin', reason: 'changes-requested' }],
      missing: { customerApprovals: 2, operatorApprovals: 0, approvers: ['acme-lead', 'acme-bank/secops'] },
    }, `${at}: awaiting approval of PR #42: needs 2 more customer approval(s) from acme-lead, acme-bank/secops; not counted: mallory (not an approver), dave (only commented), erin (requested changes)`],
    ['awaiting both customer and operator approvals', {
      result: 'awaiting-approval', reason: 'approvals-missing', pr,
      missing: { customerApprovals: 1, operatorApprovals: 1, approvers: ['acme-lead', 'soc-oncall'] },
    }, `${at}: awaiting approval of PR #42: needs 1 more customer approval(s) and 1 more operator approval(s) from acme-lead, soc-oncall`],
    ['awaiting only an operator', {
      result: 'awaiting-approval', reason: 'approvals-missing', pr, counted: [{ login: 'acme-lead', via: 'acme-lead', as: 'customer' }],
      missing: { customerApprovals: 0, operatorApprovals: 1, approvers: ['soc-oncall'] },
    }, `${at}: awaiting approval of PR #42: needs 1 more operator approval(s) from soc-oncall; approved by acme-lead as customer`],
    ['a direct push', { result: 'refused', reason: 'direct-push' }, `${at}: refused, not the merge of a reviewed pull request (direct push)`],
    ['rewritten history', { result: 'refused', reason: 'history-rewritten' }, `${at}: refused, history was rewritten (the applied revision is no longer an ancestor)`],
    ['GitHub unavailable', { result: 'hold', reason: 'github-unavailable', error: 'GitHub is unavailable (timeout)' }, `${at}: held at the last approved state, GitHub unavailable: GitHub is unavailable (timeout)`],
    ['GitHub unavailable without a message', { result: 'hold', reason: 'github-unavailable' }, `${at}: held at the last approved state, GitHub unavailable: unknown error`],
  ];

  it.each(cases)('%s', (_, over, want) => {
    expect(describeDecision({ ...base, ...over })).toBe(want);
  });
});

describe('EVENT_REASON and NOT_COUNTED', () => {
  it('give each decision result its Kubernetes Event reason', () => {
    expect(EVENT_REASON).toEqual({ approved: 'ChangeApproved', 'awaiting-approval': 'AwaitingApproval', refused: 'ChangeRefused', hold: 'ApprovalCheckHeld' });
  });

  it('say in words why each review did not count', () => {
    expect(NOT_COUNTED).toEqual({
      author: "author's own approval",
      stale: 'approved before the last push',
      superseded: 'approval withdrawn or dismissed',
      'not-an-approver': 'not an approver',
      commented: 'only commented',
      'changes-requested': 'requested changes',
    });
  });
});
