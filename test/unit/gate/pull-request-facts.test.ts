import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/gate/decide.ts';
import { GitHubUnavailable } from '../../../src/gate/errors.ts';
import { TeamMembershipCache, fetchApprovalFacts, unavailableFacts } from '../../../src/gate/pull-request-facts.ts';
import { newSha } from '../../github-fake/index.ts';
import { OWNER, REPO, useGitHubFake } from './github-fixture.ts';

const t = useGitHubFake();

describe('fetchApprovalFacts: what GitHub says about a commit', () => {
  it('finds the merged pull request of a merge commit with its final head and reviews', async () => {
    const { state } = t.fake;
    const { number } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'acme-lead', state: 'APPROVED' });
    const head = state.pushCommits({ pr: number });
    state.submitReview({ pr: number, user: 'acme-lead', state: 'APPROVED' });
    const merge = state.mergePullRequest({ pr: number });

    const facts = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: merge });

    expect(facts.kind).toBe('pull-request');
    if (facts.kind !== 'pull-request') return;
    expect(facts.pr).toMatchObject({ number, author: 'soc-dev', headSha: head, mergeCommitSha: merge });
    expect(facts.reviews.map((r) => [r.login, r.state, r.commitId === head])).toEqual([
      ['acme-lead', 'APPROVED', false],
      ['acme-lead', 'APPROVED', true],
    ]);
  });

  it('reads every review across pages when a pull request has more than 100', async () => {
    const { state } = t.fake;
    const { number } = state.createPullRequest({ author: 'soc-dev' });
    for (let i = 0; i < 150; i++) state.submitReview({ pr: number, user: `watcher-${i}`, state: 'COMMENTED' });
    state.submitReview({ pr: number, user: 'acme-lead', state: 'APPROVED' });
    const merge = state.mergePullRequest({ pr: number });

    const facts = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: merge });

    expect(facts.kind === 'pull-request' && facts.reviews.length).toBe(151);
    expect(facts.kind === 'pull-request' && facts.reviews.at(-1)?.login).toBe('acme-lead');
    expect(t.fake.requestsTo(/\/reviews$/).length).toBe(2);
  });

  it('a commit no pull request merged is a direct push', async () => {
    const facts = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: newSha() });
    expect(facts).toMatchObject({ kind: 'direct-push', unmergedPullRequests: [] });
  });

  it('a commit that only sits on an unmerged pull request branch is a direct push', async () => {
    const { state } = t.fake;
    const { number, headSha } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'acme-lead', state: 'APPROVED' });

    const facts = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: headSha });

    expect(facts).toEqual({ kind: 'direct-push', commitSha: headSha, unmergedPullRequests: [number] });
  });

  it('resolves approving reviewers against approver teams, counting only active members', async () => {
    const { state } = t.fake;
    state.addTeamMember({ org: 'acme-bank', team: 'secops', login: 'alice' });
    state.addTeamMember({ org: 'acme-bank', team: 'secops', login: 'bob', state: 'pending' });
    const { number } = state.createPullRequest({ author: 'soc-dev' });
    for (const user of ['alice', 'bob', 'mallory']) state.submitReview({ pr: number, user, state: 'APPROVED' });
    const merge = state.mergePullRequest({ pr: number });

    const facts = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: merge, teams: ['acme-bank/secops'] });

    expect(facts.kind === 'pull-request' && [...(facts.teamMembers.get('acme-bank/secops') ?? [])]).toEqual(['alice']);
  });

  it('asks GitHub about each team member once per pass', async () => {
    const { state } = t.fake;
    state.addTeamMember({ org: 'acme-bank', team: 'secops', login: 'alice' });
    const merges = [1, 2].map(() => {
      const { number } = state.createPullRequest({ author: 'soc-dev' });
      state.submitReview({ pr: number, user: 'alice', state: 'APPROVED' });
      return state.mergePullRequest({ pr: number });
    });
    const octokit = t.client().octokit;
    const teamCache = new TeamMembershipCache();

    for (const commitSha of merges) await fetchApprovalFacts({ octokit, owner: OWNER, repo: REPO, commitSha, teams: ['acme-bank/secops'], teamCache });

    expect(t.fake.requestsTo('/memberships/').length).toBe(1);
  });

  it('recovers from a transient server error by retrying', async () => {
    const { state } = t.fake;
    const { number } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'acme-lead', state: 'APPROVED' });
    const merge = state.mergePullRequest({ pr: number });
    t.fake.injectFault({ path: '/reviews', kind: 'server-error', status: 502 });

    const facts = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: merge });

    expect(facts.kind === 'pull-request' && facts.reviews.length).toBe(1);
    expect(t.fake.requestsTo('/reviews').map((r) => r.status)).toEqual([502, 200]);
  });

  it('gives up after a bounded number of rate-limited attempts and reports GitHub unavailable', async () => {
    t.fake.injectFault({ path: '/pulls', kind: 'secondary-rate-limit', status: 429, retryAfterSeconds: 1, times: Infinity });

    const error = await fetchApprovalFacts({ octokit: t.client({ maxRetries: 2 }).octokit, owner: OWNER, repo: REPO, commitSha: newSha() })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GitHubUnavailable);
    expect((error as GitHubUnavailable).data).toMatchObject({ component: 'github', failure: 'rate-limited', status: 429, retryAfterSeconds: 1 });
    expect(t.fake.requestsTo('/pulls').length).toBe(3);
  });

  it('does not wait for a primary rate limit that resets too far ahead', async () => {
    t.fake.injectFault({ path: '/pulls', kind: 'primary-rate-limit', status: 403, resetInSeconds: 3600, times: Infinity });

    const error = await fetchApprovalFacts({ octokit: t.client({ maxRateLimitWaitSeconds: 60 }).octokit, owner: OWNER, repo: REPO, commitSha: newSha() })
      .catch((e: unknown) => e);

    expect((error as GitHubUnavailable).data).toMatchObject({ failure: 'rate-limited', status: 403 });
    expect(t.fake.requestsTo('/pulls').length).toBe(1);
  });

  it('a request GitHub does not answer in time is a timeout, not an answer', async () => {
    t.fake.injectFault({ path: '/pulls', kind: 'delay', delayMs: 2000, times: Infinity });

    const error = await fetchApprovalFacts({ octokit: t.client({ requestTimeoutMs: 50, maxRetries: 1 }).octokit, owner: OWNER, repo: REPO, commitSha: newSha() })
      .catch((e: unknown) => e);

    expect((error as GitHubUnavailable).data).toMatchObject({ failure: 'timeout' });
  });

  it('a GitHub failure becomes facts that hold the gateway, never a refusal or an approval', async () => {
    t.fake.injectFault({ path: '/pulls', kind: 'server-error', status: 500, times: Infinity });
    const commitSha = newSha();

    const error = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha }).catch((e: unknown) => e);
    const decision = decide({
      change: { gateway: 'acme-sh-01', customer: 'acme', touchesWorkloads: true, responseActions: new Set(), fleetWide: false, changedObjects: [] },
      policy: { approvers: ['acme-lead'], requiredApprovals: 1, preauthorized: [], operators: ['soc-oncall'], requiredOperatorApprovals: 1 },
      facts: unavailableFacts({ commitSha, error }),
    });

    expect(decision).toMatchObject({ result: 'hold', reason: 'github-unavailable', commit: commitSha });
  });

  it('works against a GitHub Enterprise Server base URL', async () => {
    const ghe = await import('../../github-fake/index.ts').then((m) => m.startGitHubFake({ owner: OWNER, repo: REPO, pathPrefix: '/api/v3', tokens: { tok_enterprise_1234: 'essg-bot' } }));
    try {
      const { number } = ghe.state.createPullRequest({ author: 'soc-dev' });
      for (let i = 0; i < 120; i++) ghe.state.submitReview({ pr: number, user: `watcher-${i}`, state: 'COMMENTED' });
      const merge = ghe.state.mergePullRequest({ pr: number });
      const client = t.client({ baseUrl: ghe.baseUrl, auth: { token: 'tok_enterprise_1234' } });

      const facts = await fetchApprovalFacts({ octokit: client.octokit, owner: OWNER, repo: REPO, commitSha: merge });

      expect(ghe.baseUrl).toMatch(/\/api\/v3$/);
      expect(facts.kind === 'pull-request' && facts.reviews.length).toBe(120);
    } finally {
      await ghe.stop();
    }
  });
});
