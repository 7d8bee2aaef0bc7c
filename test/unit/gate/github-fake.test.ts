import { describe, expect, it } from 'vitest';
import { paginate } from '../../github-fake/pagination.ts';
import { OWNER, REPO, TOKEN, useGitHubFake } from './github-fixture.ts';

const t = useGitHubFake();

describe('GitHub fake: behaves as GitHub where the gate relies on it', () => {
  it('paginates with a Link header in GitHub’s format, keeping the other query parameters', () => {
    const page = paginate({ items: Array.from({ length: 250 }, (_, i) => i), url: new URL('https://ghe.example.com/api/v3/repos/soc/fleet/pulls/1/reviews?per_page=100&page=2') });
    const at = (n: number) => `<https://ghe.example.com/api/v3/repos/soc/fleet/pulls/1/reviews?per_page=100&page=${n}>`;
    expect(page.items).toHaveLength(100);
    expect(page.items[0]).toBe(100);
    expect(page.link).toBe(`${at(1)}; rel="prev", ${at(3)}; rel="next", ${at(3)}; rel="last", ${at(1)}; rel="first"`);
  });

  it('sends rate-limit headers on every response and 401 without credentials', async () => {
    const anonymous = await fetch(`${t.fake.baseUrl}/repos/${OWNER}/${REPO}/pulls/1`);
    const authorised = await fetch(`${t.fake.baseUrl}/repos/${OWNER}/${REPO}/pulls/1`, { headers: { authorization: `token ${TOKEN}` } });
    expect(anonymous.status).toBe(401);
    expect(authorised.status).toBe(404);
    for (const res of [anonymous, authorised]) {
      expect(['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-used'].map((h) => res.headers.has(h))).toEqual([true, true, true, true]);
    }
  });

  it('a dismissed review reads back as DISMISSED on the commit it was given on', async () => {
    const { number, headSha } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    const id = t.fake.state.submitReview({ pr: number, user: 'acme-lead', state: 'APPROVED' });
    t.fake.state.pushCommits({ pr: number });
    t.fake.state.dismissReview({ pr: number, reviewId: id });
    const res = await fetch(`${t.fake.baseUrl}/repos/${OWNER}/${REPO}/pulls/${number}/reviews`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const reviews = (await res.json()) as { state: string; commit_id: string; user: { login: string } }[];
    expect(reviews.map((r) => [r.user.login, r.state, r.commit_id])).toEqual([['acme-lead', 'DISMISSED', headSha]]);
  });

  it('answers a primary rate limit with 429, remaining 0 and the reset time', async () => {
    t.fake.injectFault({ path: '/pulls/', kind: 'primary-rate-limit', status: 429, resetInSeconds: 30 });
    const res = await fetch(`${t.fake.baseUrl}/repos/${OWNER}/${REPO}/pulls/1`, { headers: { authorization: `token ${TOKEN}` } });
    expect(res.status).toBe(429);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
  });
});
