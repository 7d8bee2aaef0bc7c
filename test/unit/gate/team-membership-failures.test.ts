// A team-membership lookup that fails (a server error, a 403, a timeout, a reset connection)
// holds the gateway as "GitHub unavailable": never an empty team, never a refusal.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApprovalPolicy } from '../../../src/gate/policy.ts';
import { decide } from '../../../src/gate/decide.ts';
import { GitHubUnavailable, type GitHubFailure } from '../../../src/gate/errors.ts';
import type { GitHubClientOptions } from '../../../src/gate/github-client.ts';
import { PassFacts } from '../../../src/gate/pass-facts.ts';
import { TeamMembershipCache, fetchApprovalFacts } from '../../../src/gate/pull-request-facts.ts';
import type { FaultSpec } from '../../github-fake/index.ts';
import { OWNER, REPO, useGitHubFake } from './github-fixture.ts';

const t = useGitHubFake();

/**
 * Counts the requests the client starts whose URL contains `path` (the fake records a request
 * only once it answers, so a request that timed out is not there); with `cut`, fails them
 * before they reach the wire, as a reset connection does.
 */
function watchRequestsTo(path: string, { cut = false } = {}): { attempts: () => number } {
  const realFetch = globalThis.fetch;
  let attempts = 0;
  vi.stubGlobal('fetch', (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.includes(path)) return realFetch(input, init);
    attempts++;
    if (!cut) return realFetch(input, init);
    return Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }));
  });
  return { attempts: () => attempts };
}

describe('a team-membership lookup that fails holds the decision, never counts as membership', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  const teamPolicy: ApprovalPolicy = { approvers: ['acme-bank/secops'], requiredApprovals: 1, preauthorized: [], operators: ['soc-oncall'], requiredOperatorApprovals: 1 };
  const workloadChange = { gateway: 'acme-sh-01', customer: 'acme', touchesWorkloads: true, responseActions: new Set<never>(), fleetWide: false, changedObjects: [] };

  /** A merged pull request approved only by alice, an active member of the approver team. */
  function approvedByTeamMember(): string {
    const { state } = t.fake;
    state.addTeamMember({ org: 'acme-bank', team: 'secops', login: 'alice' });
    const { number } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'alice', state: 'APPROVED' });
    return state.mergePullRequest({ pr: number });
  }

  interface FailureCase {
    readonly name: string;
    readonly fault?: FaultSpec;
    readonly cutConnection?: true;
    readonly client?: Partial<GitHubClientOptions>;
    readonly failure: GitHubFailure;
  }

  const failures: FailureCase[] = [
    { name: 'HTTP 500', fault: { path: '/memberships/', kind: 'server-error', status: 500, times: Infinity }, failure: 'server-error' },
    { name: 'HTTP 502', fault: { path: '/memberships/', kind: 'server-error', status: 502, times: Infinity }, failure: 'server-error' },
    { name: 'HTTP 503', fault: { path: '/memberships/', kind: 'server-error', status: 503, times: Infinity }, failure: 'server-error' },
    { name: 'HTTP 403 (the credential may not read the team)', fault: { path: '/memberships/', kind: 'forbidden', times: Infinity }, failure: 'forbidden' },
    { name: 'a timeout', fault: { path: '/memberships/', kind: 'delay', delayMs: 2000, times: Infinity }, client: { requestTimeoutMs: 50, maxRetries: 1 }, failure: 'timeout' },
    { name: 'a network error', cutConnection: true, failure: 'network' },
  ];

  it.each(failures)('$name: fetchApprovalFacts reports GitHub unavailable instead of an empty team', async ({ fault, cutConnection, client, failure }) => {
    const merge = approvedByTeamMember();
    if (fault) t.fake.injectFault(fault);
    const requests = watchRequestsTo('/memberships/', { cut: cutConnection === true });

    const error = await fetchApprovalFacts({ octokit: t.client(client).octokit, owner: OWNER, repo: REPO, commitSha: merge, teams: ['acme-bank/secops'] })
      .then((facts) => facts, (e: unknown) => e);

    expect(error).toBeInstanceOf(GitHubUnavailable);
    expect((error as GitHubUnavailable).data.failure).toBe(failure);
    // The lookup was really attempted (and failed), not skipped.
    expect(requests.attempts()).toBeGreaterThan(0);
  });

  it.each(failures)('$name: the pass holds the gateway instead of deciding', async ({ fault, cutConnection, client }) => {
    const merge = approvedByTeamMember();
    if (fault) t.fake.injectFault(fault);
    if (cutConnection) watchRequestsTo('/memberships/', { cut: true });
    const pass = new PassFacts({ octokit: t.client(client).octokit, owner: OWNER, repo: REPO });

    const facts = await pass.factsFor({ commit: merge, teams: ['acme-bank/secops'] });
    const decision = decide({ change: workloadChange, policy: teamPolicy, facts });

    expect(facts.kind).toBe('unavailable');
    expect(decision).toMatchObject({ result: 'hold', reason: 'github-unavailable', counted: [] });
    expect(pass.unavailable).toMatch(/GitHub is unavailable/);
  });

  it('without the failure the same review counts through the team (the cases above differ only by the fault)', async () => {
    const merge = approvedByTeamMember();
    const pass = new PassFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO });

    const decision = decide({ change: workloadChange, policy: teamPolicy, facts: await pass.factsFor({ commit: merge, teams: ['acme-bank/secops'] }) });

    expect(decision).toMatchObject({ result: 'approved', counted: [{ login: 'alice', via: 'acme-bank/secops', as: 'customer' }] });
  });

  it('a lookup that failed is asked again next time, not remembered as an answer', async () => {
    const merge = approvedByTeamMember();
    t.fake.injectFault({ path: '/memberships/', kind: 'server-error', status: 500, times: Infinity });
    const octokit = t.client({ maxRetries: 0 }).octokit;
    const teamCache = new TeamMembershipCache();

    const first = await fetchApprovalFacts({ octokit, owner: OWNER, repo: REPO, commitSha: merge, teams: ['acme-bank/secops'], teamCache }).catch((e: unknown) => e);
    t.fake.clearFaults();
    const second = await fetchApprovalFacts({ octokit, owner: OWNER, repo: REPO, commitSha: merge, teams: ['acme-bank/secops'], teamCache });

    expect(first).toBeInstanceOf(GitHubUnavailable);
    expect(second.kind === 'pull-request' && [...(second.teamMembers.get('acme-bank/secops') ?? [])]).toEqual(['alice']);
    expect(t.fake.requestsTo('/memberships/').map((r) => r.status)).toEqual([500, 200]);
  });

  it('a 404 (not a member, or a team the credential cannot see) is an answer: the reviewer is not counted, nothing holds', async () => {
    const { state } = t.fake;
    const { number } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'mallory', state: 'APPROVED' });
    const merge = state.mergePullRequest({ pr: number });
    const pass = new PassFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO });

    const decision = decide({ change: workloadChange, policy: teamPolicy, facts: await pass.factsFor({ commit: merge, teams: ['acme-bank/secops'] }) });

    expect(t.fake.requestsTo('/memberships/').map((r) => r.status)).toEqual([404]);
    expect(decision).toMatchObject({ result: 'awaiting-approval', notCounted: [{ login: 'mallory', reason: 'not-an-approver' }] });
    expect(pass.unavailable).toBeUndefined();
  });
});
