// What GitHub says about a commit or a pull request, read through the fake GitHub API: the merge,
// its final head, every review across pages, team members, and what GitHub must agree on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decide } from '../../../src/gate/decide.ts';
import { GitHubUnavailable } from '../../../src/gate/errors.ts';
import { TeamMembershipCache, fetchApprovalFacts, fetchPullRequestFacts, unavailableFacts } from '../../../src/gate/pull-request-facts.ts';
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

  it('a commit no pull request merged is a direct push, whatever teams the fleet names', async () => {
    const facts = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: newSha(), teams: ['acme/leads'] });
    expect(facts).toMatchObject({ kind: 'direct-push', unmergedPullRequests: [] });
    expect(t.fake.requestsTo('/memberships/')).toHaveLength(0);
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

/** Rewrites GitHub's JSON answers to requests whose path matches, as GitHub itself might answer. */
function rewriteAnswers(path: RegExp, edit: (body: unknown) => unknown): void {
  const realFetch = globalThis.fetch;
  vi.stubGlobal('fetch', async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const response = await realFetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!path.test(url.pathname) || !response.ok) return response;
    const body = edit(await response.json());
    return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
  });
}

describe('fetchApprovalFacts: what counts as the merge, and what GitHub must agree on', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('a commit that sat on a merged pull request\'s branch is not its merge: a direct push', async () => {
    const { state } = t.fake;
    const { number, headSha } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'acme-lead', state: 'APPROVED' });
    state.mergePullRequest({ pr: number });

    const facts = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: headSha });

    expect(facts).toEqual({ kind: 'direct-push', commitSha: headSha, unmergedPullRequests: [] });
  });

  it("an open pull request whose test merge is the commit is not its merge", async () => {
    const { state } = t.fake;
    const commitSha = newSha();
    const open = state.createPullRequest({ author: 'soc-dev' });
    rewriteAnswers(/\/commits\/[0-9a-f]{40}\/pulls$/, () => [{ number: open.number, merged_at: null, merge_commit_sha: commitSha }]);

    const facts = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha });

    expect(facts).toEqual({ kind: 'direct-push', commitSha, unmergedPullRequests: [open.number] });
  });

  it('lists only the unmerged pull requests that hold a pushed commit', async () => {
    const { state } = t.fake;
    const open = state.createPullRequest({ author: 'soc-dev', headRef: 'a' });
    const facts = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: open.headSha });
    expect(facts).toEqual({ kind: 'direct-push', commitSha: open.headSha, unmergedPullRequests: [open.number] });
  });

  const inconsistent: [name: string, edit: (pr: Record<string, unknown>) => void][] = [
    ['says the pull request is not merged', (pr) => (pr['merged'] = false)],
    ['gives no merge time', (pr) => (pr['merged_at'] = null)],
    ['names another merge commit', (pr) => (pr['merge_commit_sha'] = 'f'.repeat(40))],
    ['has no author', (pr) => (pr['user'] = null)],
  ];

  it.each(inconsistent)('holds when the pull request itself %s', async (_, edit) => {
    const { state } = t.fake;
    const { number } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'acme-lead', state: 'APPROVED' });
    const merge = state.mergePullRequest({ pr: number });
    rewriteAnswers(/\/pulls\/\d+$/, (body) => {
      edit(body as Record<string, unknown>);
      return body;
    });

    const error = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: merge }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GitHubUnavailable);
    expect((error as GitHubUnavailable).message).toBe(`GitHub gave inconsistent answers about pull request #${number} for commit ${merge}`);
    expect((error as GitHubUnavailable).data).toEqual({ component: 'github', failure: 'unexpected', method: 'GET', path: `/repos/${OWNER}/${REPO}/pulls/${number}` });
  });

  it('reads each review with its commit and time, and drops reviews of deleted accounts', async () => {
    const { state } = t.fake;
    const { number, headSha } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'ghost', state: 'APPROVED' });
    state.submitReview({ pr: number, user: 'acme-lead', state: 'APPROVED' });
    const merge = state.mergePullRequest({ pr: number });
    rewriteAnswers(/\/reviews$/, (body) => (body as { user: { login: string } | null }[]).map((r) => (r.user?.login === 'ghost' ? { ...r, user: null } : r)));

    const facts = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: merge });

    expect(facts.kind === 'pull-request' && facts.reviews).toEqual([
      { id: expect.any(Number), login: 'acme-lead', state: 'APPROVED', commitId: headSha, submittedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ]);
  });

  it('asks about team membership only for reviewers who approved, each once', async () => {
    const { state } = t.fake;
    const { number } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'carol', state: 'COMMENTED' });
    state.submitReview({ pr: number, user: 'dave', state: 'CHANGES_REQUESTED' });
    state.submitReview({ pr: number, user: 'Alice', state: 'APPROVED' });
    state.submitReview({ pr: number, user: 'alice', state: 'APPROVED' });
    const merge = state.mergePullRequest({ pr: number });

    await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: merge, teams: ['acme-bank/secops', 'Acme-Bank/SecOps'] });

    expect(t.fake.requestsTo('/memberships/').map((r) => r.path)).toEqual(['/orgs/acme-bank/teams/secops/memberships/alice']);
  });

  it.each(['acme-bank/', '/secops', 'secops'])('refuses to resolve %s, which is no org/team principal, and holds', async (team) => {
    const { state } = t.fake;
    const { number } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'alice', state: 'APPROVED' });
    const merge = state.mergePullRequest({ pr: number });

    const error = await fetchApprovalFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, commitSha: merge, teams: [team] }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GitHubUnavailable);
    expect((error as GitHubUnavailable).message).toContain(`'${team.toLowerCase()}' is not an org/team principal`);
    expect(t.fake.requestsTo('/memberships/')).toEqual([]);
  });

  it('unavailableFacts keeps what failed, for the decision and the report', () => {
    const error = new GitHubUnavailable('GitHub is unavailable (timeout)', { component: 'github', failure: 'timeout', path: '/repos/soc/fleet/pulls/1' });
    expect(unavailableFacts({ commitSha: 'c'.repeat(40), error })).toEqual({
      kind: 'unavailable', commitSha: 'c'.repeat(40),
      error: { component: 'github', failure: 'timeout', path: '/repos/soc/fleet/pulls/1', message: 'GitHub is unavailable (timeout)' },
    });
  });
});

describe('fetchPullRequestFacts: a pull request read by number', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('an open pull request: its head, its reviews, and no merge (whatever test merge GitHub computed)', async () => {
    const { state } = t.fake;
    const { number, headSha } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'acme-lead', state: 'APPROVED' });
    rewriteAnswers(/\/pulls\/\d+$/, (body) => ({ ...(body as object), merge_commit_sha: 'e'.repeat(40) }));

    const facts = await fetchPullRequestFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, number });

    expect(facts).toMatchObject({ kind: 'pull-request', commitSha: headSha, pr: { number, author: 'soc-dev', headSha, mergeCommitSha: null, mergedAt: null } });
    expect(facts.reviews.map((r) => r.login)).toEqual(['acme-lead']);
  });

  it('a merged pull request: its final head and its merge', async () => {
    const { state } = t.fake;
    const { number } = state.createPullRequest({ author: 'soc-dev' });
    const head = state.pushCommits({ pr: number });
    const merge = state.mergePullRequest({ pr: number });

    const facts = await fetchPullRequestFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, number });

    expect(facts).toMatchObject({ commitSha: head, pr: { headSha: head, mergeCommitSha: merge, mergedAt: expect.any(String) } });
  });

  it('a pull request without an author is an inconsistent answer', async () => {
    const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    rewriteAnswers(/\/pulls\/\d+$/, (body) => ({ ...(body as object), user: null }));

    const error = await fetchPullRequestFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO, number }).catch((e: unknown) => e);

    expect((error as GitHubUnavailable).message).toBe(`GitHub gave inconsistent answers about pull request #${number}`);
  });

  it('a failure is GitHub unavailable', async () => {
    t.fake.injectFault({ path: '/pulls/', kind: 'server-error', status: 500, times: Infinity });
    const error = await fetchPullRequestFacts({ octokit: t.client({ maxRetries: 0 }).octokit, owner: OWNER, repo: REPO, number: 1 }).catch((e: unknown) => e);
    expect((error as GitHubUnavailable).data).toMatchObject({ failure: 'server-error', status: 500 });
  });
});
