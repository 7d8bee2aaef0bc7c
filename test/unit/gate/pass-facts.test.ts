// A pass's GitHub facts: each commit asked about once, whatever the answer and however many
// gateways ask; a commit asked about early (while it loads) is not asked again; teams are
// credited with the teams the fleet names; the first failure holds the rest of the pass.
import { describe, expect, it, vi } from 'vitest';
import { PassFacts } from '../../../src/gate/pass-facts.ts';
import { newSha } from '../../github-fake/index.ts';
import { OWNER, REPO, useGitHubFake } from './github-fixture.ts';

const t = useGitHubFake();
const passFacts = () => new PassFacts({ octokit: t.client().octokit, owner: OWNER, repo: REPO });

function mergedWithReviewBy(login: string): string {
  const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
  t.fake.state.submitReview({ pr: number, user: login, state: 'APPROVED' });
  return t.fake.state.mergePullRequest({ pr: number });
}

describe('PassFacts', () => {
  it('asks about a commit once, however many gateways ask, and credits reviewers through the teams named', async () => {
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

  it('after the first failure, holds every other commit of the pass without asking; the next pass asks again', async () => {
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

  it('a team lookup that fails holds that commit and opens the breaker too', async () => {
    t.fake.injectFault({ path: '/memberships/', kind: 'server-error', status: 502, times: Infinity });
    const merge = mergedWithReviewBy('acme-lead');
    const facts = passFacts();

    const answer = await facts.factsFor({ commit: merge, teams: ['acme/leads'] });

    expect(answer).toMatchObject({ kind: 'unavailable', commitSha: merge, error: { status: 502 } });
    expect(facts.unavailable).toBeDefined();
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
