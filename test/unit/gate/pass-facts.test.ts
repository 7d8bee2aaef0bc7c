// GitHub's facts for one reconcile pass: each commit asked about at most once, and after the
// first failure nothing more asked that pass; a commit asked about early (while it loads) is
// not asked again, and its reviewers are still credited through the teams the fleet names.
// Requests are counted at the GitHub fake.
import { describe, expect, it, vi } from 'vitest';
import { PassFacts } from '../../../src/gate/pass-facts.ts';
import { newSha } from '../../github-fake/index.ts';
import { OWNER, REPO, useGitHubFake } from './github-fixture.ts';

const t = useGitHubFake();

/** The fake's request paths for `listPullRequestsAssociatedWithCommit`: the first request of every lookup. */
const COMMIT_LOOKUPS = /^\/repos\/[^/]+\/[^/]+\/commits\/[0-9a-f]{40}\/pulls$/;

function mergedPullRequests(count: number): string[] {
  const { state } = t.fake;
  return Array.from({ length: count }, () => {
    const { number } = state.createPullRequest({ author: 'soc-dev' });
    state.submitReview({ pr: number, user: 'acme-lead', state: 'APPROVED' });
    return state.mergePullRequest({ pr: number });
  });
}

function newPass(maxRetries = 0): PassFacts {
  return new PassFacts({ octokit: t.client({ maxRetries }).octokit, owner: OWNER, repo: REPO });
}

describe('PassFacts: GitHub asked at most once per commit per pass', () => {
  it('asks about a commit once, however many gateways ask, one after the other or at once', async () => {
    const [merge] = mergedPullRequests(1) as [string];
    const pass = newPass();

    const together = await Promise.all([1, 2, 3].map(() => pass.factsFor({ commit: merge, teams: [] })));
    const later = await pass.factsFor({ commit: merge, teams: [] });

    expect([...together, later].map((f) => f.kind)).toEqual(['pull-request', 'pull-request', 'pull-request', 'pull-request']);
    expect(t.fake.requestsTo(COMMIT_LOOKUPS).length).toBe(1);
    expect(t.fake.requestsTo(/\/reviews$/).length).toBe(1);
    expect(pass.lookups).toBe(1);
  });

  it('asks about each distinct commit once', async () => {
    const merges = mergedPullRequests(3);
    const pass = newPass();

    for (const commit of [...merges, ...merges]) await pass.factsFor({ commit, teams: [] });

    expect(t.fake.requestsTo(COMMIT_LOOKUPS).map((r) => r.path.split('/')[5])).toEqual(merges);
    expect(pass.lookups).toBe(3);
  });

  it('a new pass asks afresh: an approval given after the merge counts there', async () => {
    const [merge] = mergedPullRequests(1) as [string];

    await newPass().factsFor({ commit: merge, teams: [] });
    await newPass().factsFor({ commit: merge, teams: [] });

    expect(t.fake.requestsTo(COMMIT_LOOKUPS).length).toBe(2);
  });
});

describe('PassFacts: after the first failure nothing more is asked that pass', () => {
  interface Case {
    readonly name: string;
    readonly fault: Parameters<typeof t.fake.injectFault>[0];
  }
  const cases: Case[] = [
    { name: 'a server error on the first request', fault: { path: COMMIT_LOOKUPS, kind: 'server-error', status: 502, times: 1 } },
    { name: 'a server error reading the reviews', fault: { path: /\/reviews$/, kind: 'server-error', status: 500, times: 1 } },
    { name: 'a failed team-membership lookup', fault: { path: '/memberships/', kind: 'server-error', status: 503, times: 1 } },
    { name: 'a rate limit', fault: { path: COMMIT_LOOKUPS, kind: 'secondary-rate-limit', status: 429, retryAfterSeconds: 1, times: 1 } },
  ];

  it.each(cases)('$name: the later commits hold on it without a request, even once GitHub has recovered', async ({ fault }) => {
    t.fake.state.addTeamMember({ org: 'acme-bank', team: 'secops', login: 'acme-lead' });
    const [first, ...rest] = mergedPullRequests(3) as [string, ...string[]];
    // One failure only (times: 1, no retries): GitHub has recovered by the time the next commit is asked about.
    t.fake.injectFault(fault);
    const pass = newPass(0);
    const teams = ['acme-bank/secops'];

    const failed = await pass.factsFor({ commit: first, teams });
    const requestsAfterFailure = t.fake.requests.length;
    const later = await Promise.all([...rest, first].map((commit) => pass.factsFor({ commit, teams })));

    expect(failed.kind).toBe('unavailable');
    expect(later.map((f) => f.kind)).toEqual(['unavailable', 'unavailable', 'unavailable']);
    expect(later.map((f) => f.commitSha)).toEqual([...rest, first]);
    for (const facts of later.slice(0, -1)) expect(facts.kind === 'unavailable' && facts.error.message).toMatch(/^not asked again this pass: GitHub is unavailable/);
    expect(t.fake.requests.length).toBe(requestsAfterFailure);
    expect(pass.lookups).toBe(1);
    expect(pass.unavailable).toBe(failed.kind === 'unavailable' ? failed.error.message : 'no failure');
  });

  it('the failure that opened the breaker is the one reported, not a later one', async () => {
    const [first, second] = mergedPullRequests(2) as [string, string];
    t.fake.injectFault({ path: COMMIT_LOOKUPS, kind: 'server-error', status: 500, times: 1, message: 'the first outage' });
    const pass = newPass(0);

    await pass.factsFor({ commit: first, teams: [] });
    const held = await pass.factsFor({ commit: second, teams: [] });

    expect(pass.unavailable).toMatch(/HTTP 500.*the first outage/);
    expect(held).toMatchObject({ kind: 'unavailable', commitSha: second, error: { component: 'github', failure: 'server-error', status: 500 } });
  });

  it('answers before the failure still stand in the same pass', async () => {
    const [good, bad, after] = mergedPullRequests(3) as [string, string, string];
    const pass = newPass(0);

    const before = await pass.factsFor({ commit: good, teams: [] });
    t.fake.injectFault({ path: COMMIT_LOOKUPS, kind: 'server-error', status: 500, times: Infinity });
    await pass.factsFor({ commit: bad, teams: [] });
    const again = await pass.factsFor({ commit: good, teams: [] });
    await pass.factsFor({ commit: after, teams: [] });

    expect(before.kind).toBe('pull-request');
    expect(again).toBe(before);
    expect(t.fake.requestsTo(COMMIT_LOOKUPS).map((r) => r.status)).toEqual([200, 500]);
    expect(pass.lookups).toBe(2);
  });

  it('no breaker opens while GitHub answers', async () => {
    const merges = mergedPullRequests(2);
    const pass = newPass();

    for (const commit of merges) await pass.factsFor({ commit, teams: [] });

    expect(pass.unavailable).toBeUndefined();
  });
});

describe('PassFacts: a commit asked about while it loads, and teams credited after', () => {
  const passFacts = () => new PassFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO });

  function mergedWithReviewBy(login: string): string {
    const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    t.fake.state.submitReview({ pr: number, user: login, state: 'APPROVED' });
    return t.fake.state.mergePullRequest({ pr: number });
  }

  it('credits reviewers through the teams named, each membership asked once', async () => {
    t.fake.state.addTeamMember({ org: 'acme', team: 'leads', login: 'acme-lead' });
    const merge = mergedWithReviewBy('acme-lead');
    const facts = passFacts();

    const answers = await Promise.all([1, 2, 3].map(() => facts.factsFor({ commit: merge, teams: ['acme/leads', 'soc/ops'] })));

    expect(answers[0]).toMatchObject({ kind: 'pull-request', commitSha: merge, reviews: [{ login: 'acme-lead', state: 'APPROVED' }] });
    expect(answers[0]!.kind === 'pull-request' && [...answers[0]!.teamMembers]).toEqual([['acme/leads', new Set(['acme-lead'])], ['soc/ops', new Set()]]);
    expect(answers.every((a) => a === answers[0])).toBe(true);
    expect(t.fake.requestsTo(`/commits/${merge}/pulls`)).toHaveLength(1);
    expect(t.fake.requestsTo('/memberships/acme-lead')).toHaveLength(2);
    expect(facts.lookups).toBe(1);
  });

  it('a commit prefetched while it loads is asked about once, and its teams are still credited after', async () => {
    t.fake.state.addTeamMember({ org: 'acme', team: 'leads', login: 'acme-lead' });
    const merge = mergedWithReviewBy('acme-lead');
    const facts = passFacts();

    facts.prefetch(merge);
    facts.prefetch(merge);
    // Asked at once, before anything asks for the facts.
    await vi.waitFor(() => expect(t.fake.requestsTo(`/commits/${merge}/pulls`)).toHaveLength(1));
    const answer = await facts.factsFor({ commit: merge, teams: ['acme/leads'] });

    expect(answer.kind === 'pull-request' && answer.teamMembers.get('acme/leads')).toEqual(new Set(['acme-lead']));
    expect(t.fake.requestsTo(`/commits/${merge}/pulls`)).toHaveLength(1);
    expect(t.fake.requestsTo('/memberships/')).toHaveLength(1);
  });

  it('names no team membership when the fleet names no team, and asks GitHub nothing about teams', async () => {
    const merge = mergedWithReviewBy('acme-lead');
    const answer = await passFacts().factsFor({ commit: merge, teams: [] });
    expect(answer).toMatchObject({ kind: 'pull-request', teamMembers: new Map() });
    expect(t.fake.requestsTo('/memberships/')).toHaveLength(0);
  });

  it('a prefetched commit that fails opens the breaker for the commits after it; the next pass asks again', async () => {
    t.fake.injectFault({ path: '/pulls', kind: 'server-error', status: 503, times: Infinity });
    const [first, second] = [newSha(), newSha()];
    const facts = passFacts();

    facts.prefetch(first);
    const firstFacts = await facts.factsFor({ commit: first, teams: [] });
    const held = await facts.factsFor({ commit: second, teams: [] });

    expect(firstFacts).toMatchObject({ kind: 'unavailable', error: { failure: 'server-error', status: 503 } });
    expect(held).toMatchObject({ kind: 'unavailable', error: { message: expect.stringMatching(/^not asked again this pass: /) } });
    expect(facts.unavailable).toBe((firstFacts as { error: { message: string } }).error.message);
    // The first lookup and its two retries: nothing about the second commit.
    expect(t.fake.requestsTo('/pulls')).toHaveLength(3);
    expect(t.fake.requestsTo(`/commits/${second}/pulls`)).toHaveLength(0);

    await passFacts().factsFor({ commit: second, teams: [] });
    expect(t.fake.requestsTo(`/commits/${second}/pulls`).length).toBeGreaterThan(0);
  });

  it('facts fetched before the breaker opened still decide: a direct push, or a pull request with no team to credit, needs no more of GitHub', async () => {
    const direct = newSha();
    const merge = mergedWithReviewBy('acme-lead');
    const failing = newSha();
    t.fake.injectFault({ path: `/commits/${failing}/pulls`, kind: 'server-error', status: 503, times: Infinity });
    const facts = passFacts();
    facts.prefetch(direct);
    facts.prefetch(merge);
    await vi.waitFor(() => expect(t.fake.requestsTo('/reviews')).toHaveLength(1));

    expect(await facts.factsFor({ commit: failing, teams: [] })).toMatchObject({ kind: 'unavailable' });
    expect(await facts.factsFor({ commit: direct, teams: ['acme/leads'] })).toMatchObject({ kind: 'direct-push', commitSha: direct });
    expect(await facts.factsFor({ commit: merge, teams: [] })).toMatchObject({ kind: 'pull-request', commitSha: merge });
    // A pull request whose teams are still to be credited holds: that would need GitHub again.
    const other = passFacts();
    other.prefetch(merge);
    await vi.waitFor(() => expect(t.fake.requestsTo('/reviews')).toHaveLength(2));
    expect(await other.factsFor({ commit: failing, teams: [] })).toMatchObject({ kind: 'unavailable' });
    expect(await other.factsFor({ commit: merge, teams: ['acme/leads'] })).toMatchObject({ kind: 'unavailable', error: { message: expect.stringMatching(/^not asked again this pass/) } });
  });
});
