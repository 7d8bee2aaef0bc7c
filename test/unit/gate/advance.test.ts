// Per-gateway advancement along the branch: a gateway moves through approved changes and
// stops at the first change it may not take; GitHub is asked only about changes that need a review.
import { describe, expect, it } from 'vitest';
import { advanceGateway, type AdvanceArgs, type ApprovalFacts, type ApprovalPolicy, type GatewayAtCommit, type RenderedObject } from '../../../src/gate/index.ts';
import { LABEL } from '../../../src/contract/index.ts';

const policy: ApprovalPolicy = { approvers: ['acme-lead'], requiredApprovals: 1, preauthorized: ['ip-block'], operators: ['soc-lead'], requiredOperatorApprovals: 1 };
const deployment = (image: string): RenderedObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'gw-ids', namespace: 'essg-acme' }, spec: { image } });
const blockList = (cidr: string): RenderedObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gw-ip-block', namespace: 'essg-acme', labels: { [LABEL.response]: 'b', [LABEL.responseAction]: 'ip-block' } }, data: { cidr },
});

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
const unavailable = (sha: string): ApprovalFacts => ({ kind: 'unavailable', commitSha: sha, error: { message: 'HTTP 502', component: 'github', failure: 'server-error', status: 502 } });

/** A commit whose render is `objects` built on catalog/fleet inputs `operators` (the operator hash). */
const commit = (sha: string, objects: RenderedObject[] | undefined, extra: Partial<GatewayAtCommit> & { operators?: string } = {}): GatewayAtCommit => ({
  sha, render: objects ? { objects, operatorHash: extra.operators ?? 'ops-1' } : undefined, policy: extra.policy ?? policy,
});
const applied = { revision: 'c0', render: { objects: [deployment('ids@1')], operatorHash: 'ops-1' }, policy };

/** Runs the walk with GitHub's answers from `facts`, recording which commits were asked about. */
async function advance(args: Omit<AdvanceArgs, 'gateway' | 'customer' | 'facts'> & { facts?: Record<string, ApprovalFacts> }) {
  const asked: string[] = [];
  const result = await advanceGateway({
    gateway: 'gw', customer: 'acme', ...args,
    facts: async (sha) => {
      asked.push(sha);
      const found = args.facts?.[sha];
      if (!found) throw new Error(`no facts scripted for ${sha}`);
      return found;
    },
  });
  return { ...result, asked };
}

describe('advanceGateway', () => {
  it('moves to a commit whose change the customer approved', async () => {
    const result = await advance({ applied, commits: [commit('c1', [deployment('ids@2')])], facts: { c1: merged('c1', ['acme-lead']) } });
    expect(result.target).toBe('c1');
    expect(result.decisions.map((d) => d.result)).toEqual(['approved']);
  });

  it('stops before a direct push that changes the gateway, says so, and asks nothing past it', async () => {
    const result = await advance({
      applied,
      commits: [commit('c1', [deployment('ids@2')]), commit('c2', [deployment('ids@3')]), commit('c3', [deployment('ids@4')])],
      facts: { c1: merged('c1', ['acme-lead']), c2: direct('c2'), c3: merged('c3', ['acme-lead']) },
    });
    expect(result.target).toBe('c1');
    expect(result.blockedBy).toMatchObject({ commit: 'c2', result: 'refused' });
    expect(result.asked).toEqual(['c1', 'c2']);
  });

  it('reads no commit past the one that stops it: the commits after a held change are never loaded', async () => {
    const read: string[] = [];
    async function* loaded(): AsyncGenerator<GatewayAtCommit> {
      for (const sha of ['c1', 'c2', 'c3']) {
        read.push(sha);
        yield commit(sha, [deployment(`ids@${sha}`)]);
      }
    }
    const result = await advance({ applied, commits: loaded(), facts: { c1: merged('c1', ['acme-lead']), c2: unavailable('c2') } });
    expect(result).toMatchObject({ target: 'c1', blockedBy: { commit: 'c2', result: 'hold', reason: 'github-unavailable' }, asked: ['c1', 'c2'] });
    expect(read).toEqual(['c1', 'c2']);
  });

  it('holds a change when no customer policy is known at either end: nobody can approve it', async () => {
    const unknown = { sha: 'c1', render: { objects: [deployment('ids@2')], operatorHash: 'ops-1' }, policy: undefined };
    const result = await advance({ applied: undefined, commits: [unknown], facts: { c1: merged('c1', ['acme-lead', 'soc-lead']) } });
    expect(result.target).toBeUndefined();
    expect(result.blockedBy).toMatchObject({ commit: 'c1', result: 'awaiting-approval', counted: [] });
  });

  it('moves past commits that do not change its render without asking GitHub', async () => {
    const result = await advance({ applied, commits: [commit('c1', [deployment('ids@1')])] });
    expect(result).toMatchObject({ target: 'c1', decisions: [], asked: [] });
  });

  it('applies a pre-authorised response without asking GitHub, even while GitHub is down', async () => {
    const result = await advance({ applied, commits: [commit('c1', [deployment('ids@1'), blockList('192.0.2.1/32')])], facts: { c1: unavailable('c1') } });
    expect(result.target).toBe('c1');
    expect(result.decisions).toMatchObject([{ commit: 'c1', result: 'approved', reason: 'preauthorized' }]);
    expect(result.asked).toEqual([]);
  });

  it('judges a change of approvers by the approvers in force, not the ones it adds', async () => {
    const widened = { ...policy, approvers: ['acme-lead', 'intruder'] };
    const result = await advance({ applied, commits: [commit('c1', [deployment('ids@1')], { policy: widened })], facts: { c1: merged('c1', ['intruder']) } });
    expect(result.target).toBe('c0');
    expect(result.blockedBy).toMatchObject({ result: 'awaiting-approval' });
    expect(result.blockedBy!.notCounted).toContainEqual({ login: 'intruder', reason: 'not-an-approver' });
  });

  it("needs the fleet's operators for a change to a customer's approvers, even when the customer approves", async () => {
    const narrowed = { ...policy, approvers: ['acme-lead'], requiredApprovals: 1, preauthorized: ['ip-block', 'vuln-scan'] as const };
    const customerOnly = await advance({ applied, commits: [commit('c1', [deployment('ids@1')], { policy: { ...narrowed, preauthorized: [...narrowed.preauthorized] } })], facts: { c1: merged('c1', ['acme-lead']) } });
    expect(customerOnly.target).toBe('c0');
    expect(customerOnly.blockedBy).toMatchObject({ result: 'awaiting-approval', needs: { customer: true, operators: true }, missing: { operatorApprovals: 1 } });
    const withOperators = await advance({ applied, commits: [commit('c1', [deployment('ids@1')], { policy: { ...narrowed, preauthorized: [...narrowed.preauthorized] } })], facts: { c1: merged('c1', ['acme-lead', 'soc-lead']) } });
    expect(withOperators.target).toBe('c1');
  });

  it('needs the operators as well as the customer for a gateway that was never applied', async () => {
    const onlyCustomer = await advance({ applied: undefined, commits: [commit('c1', [deployment('ids@1')])], facts: { c1: merged('c1', ['acme-lead']) } });
    expect(onlyCustomer.target).toBeUndefined();
    expect(onlyCustomer.blockedBy!.missing.operatorApprovals).toBe(1);
    const both = await advance({ applied: undefined, commits: [commit('c1', [deployment('ids@1')])], facts: { c1: merged('c1', ['acme-lead', 'soc-lead']) } });
    expect(both.target).toBe('c1');
  });

  it("a new customer's first approvers need the operators, though the customer's own approver reviewed", async () => {
    // The gateway exists, but no accepted policy of its customer does yet (the customer file is new).
    const result = await advance({ applied: { ...applied, policy: undefined }, commits: [commit('c1', [deployment('ids@2')])], facts: { c1: merged('c1', ['acme-lead']) } });
    expect(result.target).toBe('c0');
    expect(result.blockedBy).toMatchObject({ needs: { operators: true }, missing: { operatorApprovals: 1, customerApprovals: 0 } });
  });

  it('approvers changed while the gateway is gone are not in force when it comes back', async () => {
    // c1 removes the gateway and names a new approver; c2 brings the gateway back, approved by
    // that new approver (and an operator). The approvers in force are still the accepted ones.
    const widened = { ...policy, approvers: ['acme-lead', 'newcomer-lead'] };
    const commits = [commit('c1', undefined, { policy: widened }), commit('c2', [deployment('ids@1')], { policy: widened })];
    const result = await advance({ applied, commits, facts: { c1: merged('c1', ['acme-lead', 'soc-lead']), c2: merged('c2', ['newcomer-lead', 'soc-lead']) } });
    expect(result.target).toBe('c1');
    expect(result.blockedBy).toMatchObject({ commit: 'c2', result: 'awaiting-approval', missing: { customerApprovals: 1, operatorApprovals: 0 } });
    expect(result.blockedBy!.notCounted).toContainEqual({ login: 'newcomer-lead', reason: 'not-an-approver' });
  });

  it('a gateway whose customer has no accepted policy yet moves past a commit that changes nothing on it, without asking', async () => {
    const result = await advance({ applied: { ...applied, policy: undefined }, commits: [commit('c1', [deployment('ids@1')])] });
    expect(result).toMatchObject({ target: 'c1', decisions: [], asked: [] });
  });

  it("removing a gateway together with its customer needs the customer's approval, not the operators'", async () => {
    const result = await advance({ applied, commits: [{ sha: 'c1', render: undefined, policy: undefined }], facts: { c1: merged('c1', ['acme-lead']) } });
    expect(result.target).toBe('c1');
    expect(result.decisions).toMatchObject([{ commit: 'c1', result: 'approved', needs: { customer: true, operators: false } }]);
  });

  it('approvers accepted in one commit are the ones in force for the next', async () => {
    const widened = { ...policy, approvers: ['acme-lead', 'acme-deputy'] };
    const commits = [commit('c1', [deployment('ids@1')], { policy: widened }), commit('c2', [deployment('ids@2')], { policy: widened })];
    const result = await advance({ applied, commits, facts: { c1: merged('c1', ['acme-lead', 'soc-lead']), c2: merged('c2', ['acme-deputy']) } });
    expect(result.target).toBe('c2');
    expect(result.decisions.map((d) => [d.commit, d.result, d.needs.operators])).toEqual([['c1', 'approved', true], ['c2', 'approved', false]]);
  });

  it('an unreviewed catalog version cannot reach the gateway through a later customer-only pull request', async () => {
    // c1: a catalog version pushed straight to the branch; no gateway uses it, so every gateway moves past it.
    // c2: the customer's pull request switches the gateway to it: its operator inputs differ from the accepted ones.
    const commits = [commit('c1', [deployment('ids@1')], { operators: 'ops-1' }), commit('c2', [deployment('ids@2')], { operators: 'ops-2' })];
    const customerOnly = await advance({ applied, commits, facts: { c2: merged('c2', ['acme-lead']) } });
    expect(customerOnly.target).toBe('c1');
    expect(customerOnly.blockedBy).toMatchObject({ commit: 'c2', result: 'awaiting-approval', needs: { customer: true, operators: true }, missing: { operatorApprovals: 1 } });
    const approved = await advance({ applied, commits, facts: { c2: merged('c2', ['acme-lead', 'soc-lead']) } });
    expect(approved.target).toBe('c2');
  });

  it('needs only the customer when the catalog versions and fleet settings are the accepted ones', async () => {
    const result = await advance({ applied, commits: [commit('c1', [deployment('ids@1b')], { operators: 'ops-1' })], facts: { c1: merged('c1', ['acme-lead']) } });
    expect(result.target).toBe('c1');
    expect(result.decisions[0]?.needs).toEqual({ customer: true, operators: false });
  });

  it('holds on a GitHub failure instead of deciding', async () => {
    const result = await advance({ applied, commits: [commit('c1', [deployment('ids@2')])], facts: { c1: unavailable('c1') } });
    expect(result.target).toBe('c0');
    expect(result.blockedBy).toMatchObject({ result: 'hold', reason: 'github-unavailable' });
  });

  it('refuses every change after a rewritten history, pre-authorised responses included, without asking GitHub', async () => {
    const result = await advance({ applied, rewrittenFrom: 'c0', commits: [commit('c1', [deployment('ids@1'), blockList('192.0.2.1/32')])] });
    expect(result.target).toBe('c0');
    expect(result.blockedBy).toMatchObject({ result: 'refused', reason: 'history-rewritten' });
    expect(result.asked).toEqual([]);
  });
});
