// Per-gateway advancement along the branch: a gateway moves through approved changes and
// stops at the first change it may not take.
import { describe, expect, it } from 'vitest';
import { advanceGateway, type GatewayAtCommit } from '../../../src/engine/advance.ts';
import type { ApprovalFacts, ApprovalPolicy, RenderedObject } from '../../../src/gate/index.ts';

const policy: ApprovalPolicy = { approvers: ['acme-lead'], requiredApprovals: 1, preauthorized: ['ip-block'], operators: ['soc-lead'], requiredOperatorApprovals: 1 };
const deployment = (image: string): RenderedObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'gw-ids', namespace: 'essg-acme' }, spec: { image } });

function merged(sha: string, approvers: string[], author = 'operator-1'): ApprovalFacts {
  const head = `head-of-${sha}`;
  return {
    kind: 'pull-request',
    commitSha: sha,
    pr: { number: 7, url: 'https://github.example/pr/7', author, headSha: head, mergeCommitSha: sha, mergedAt: '2026-11-20T10:00:00Z' },
    reviews: approvers.map((login, i) => ({ id: i + 1, login, state: 'APPROVED', commitId: head, submittedAt: '2026-11-20T09:00:00Z' })),
    teamMembers: new Map(),
  };
}
const direct = (sha: string): ApprovalFacts => ({ kind: 'direct-push', commitSha: sha, unmergedPullRequests: [] });
const commit = (sha: string, objects: RenderedObject[] | undefined, facts: ApprovalFacts, extra: Partial<GatewayAtCommit> = {}): GatewayAtCommit => ({ sha, changedPaths: ['gateways/acme/gw.yaml'], objects, policy, facts, ...extra });
const applied = { revision: 'c0', objects: [deployment('ids@1')], policy };

describe('advanceGateway', () => {
  it('moves to a commit whose change the customer approved', () => {
    const result = advanceGateway({ gateway: 'gw', customer: 'acme', applied, commits: [commit('c1', [deployment('ids@2')], merged('c1', ['acme-lead']))] });
    expect(result.target).toBe('c1');
    expect(result.decisions.map((d) => d.result)).toEqual(['approved']);
  });

  it('stops before a direct push that changes the gateway, and says so', () => {
    const result = advanceGateway({
      gateway: 'gw',
      customer: 'acme',
      applied,
      commits: [commit('c1', [deployment('ids@2')], merged('c1', ['acme-lead'])), commit('c2', [deployment('ids@3')], direct('c2')), commit('c3', [deployment('ids@4')], merged('c3', ['acme-lead']))],
    });
    expect(result.target).toBe('c1');
    expect(result.blockedBy).toMatchObject({ commit: 'c2', result: 'refused' });
  });

  it('moves past commits that do not change its render, whoever pushed them', () => {
    const result = advanceGateway({ gateway: 'gw', customer: 'acme', applied, commits: [commit('c1', [deployment('ids@1')], direct('c1'))] });
    expect(result).toEqual({ target: 'c1', decisions: [] });
  });

  it('judges a change of approvers by the approvers in force, not the ones it adds', () => {
    const widened = { ...policy, approvers: ['acme-lead', 'intruder'] };
    const result = advanceGateway({
      gateway: 'gw',
      customer: 'acme',
      applied,
      commits: [commit('c1', [deployment('ids@1')], merged('c1', ['intruder']), { policy: widened, changedPaths: ['customers/acme.yaml'] })],
    });
    expect(result.target).toBe('c0');
    expect(result.blockedBy).toMatchObject({ result: 'awaiting-approval' });
    expect(result.blockedBy!.notCounted).toContainEqual({ login: 'intruder', reason: 'not-an-approver' });
  });

  it('needs the operators as well as the customer for a gateway that was never applied', () => {
    const onlyCustomer = advanceGateway({ gateway: 'gw', customer: 'acme', applied: undefined, commits: [commit('c1', [deployment('ids@1')], merged('c1', ['acme-lead']))] });
    expect(onlyCustomer.target).toBeUndefined();
    expect(onlyCustomer.blockedBy!.missing.operatorApprovals).toBe(1);
    const both = advanceGateway({ gateway: 'gw', customer: 'acme', applied: undefined, commits: [commit('c1', [deployment('ids@1')], merged('c1', ['acme-lead', 'soc-lead']))] });
    expect(both.target).toBe('c1');
  });

  it('holds on a GitHub failure instead of deciding', () => {
    const unavailable: ApprovalFacts = { kind: 'unavailable', commitSha: 'c1', error: { message: 'HTTP 502', component: 'github', kind: 'server-error', status: 502 } as never };
    const result = advanceGateway({ gateway: 'gw', customer: 'acme', applied, commits: [commit('c1', [deployment('ids@2')], unavailable)] });
    expect(result.target).toBe('c0');
    expect(result.blockedBy).toMatchObject({ result: 'hold' });
  });
});
