import { describe, expect, it, vi } from 'vitest';
import { GitHubUnavailable } from '../../../src/gate/errors.ts';
import { PLAN_COMMENT_MARKER, STATUS_DESCRIPTION_MAX, fitDescription, setCommitStatus, upsertPlanComment } from '../../../src/report/pr-report.ts';
import { OWNER, REPO, useGitHubFake } from '../gate/github-fixture.ts';

const t = useGitHubFake();

describe('plan comment and commit statuses on the pull request', () => {
  it('creates one plan comment, then edits it in place on the next push', async () => {
    const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    const octokit = t.client().octokit;

    const first = await upsertPlanComment({ octokit, owner: OWNER, repo: REPO, pr: number, body: '## Plan\n2 gateways change' });
    const second = await upsertPlanComment({ octokit, owner: OWNER, repo: REPO, pr: number, body: '## Plan\n3 gateways change' });

    expect(first.action).toBe('created');
    expect(second).toMatchObject({ action: 'updated', commentId: first.commentId });
    const comments = t.fake.state.comments.filter((c) => c.issue === number);
    expect(comments.map((c) => c.body)).toEqual([`${PLAN_COMMENT_MARKER}\n## Plan\n3 gateways change`]);
  });

  it('finds its comment behind more than a page of other comments', async () => {
    const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    for (let i = 0; i < 120; i++) t.fake.state.addComment({ issue: number, user: 'acme-lead', body: `question ${i}` });
    const octokit = t.client().octokit;
    await upsertPlanComment({ octokit, owner: OWNER, repo: REPO, pr: number, body: 'plan v1' });

    const result = await upsertPlanComment({ octokit, owner: OWNER, repo: REPO, pr: number, body: 'plan v2' });

    expect(result.action).toBe('updated');
    expect(t.fake.state.comments.filter((c) => c.body.includes(PLAN_COMMENT_MARKER)).map((c) => c.body)).toEqual([`${PLAN_COMMENT_MARKER}\nplan v2`]);
  });

  it('leaves an unchanged plan alone', async () => {
    const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    const octokit = t.client().octokit;
    await upsertPlanComment({ octokit, owner: OWNER, repo: REPO, pr: number, body: 'same plan' });

    const again = await upsertPlanComment({ octokit, owner: OWNER, repo: REPO, pr: number, body: 'same plan' });

    expect(again.action).toBe('unchanged');
    expect(t.fake.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('sets the essg/plan and essg/deploy commit statuses', async () => {
    const { headSha } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    const octokit = t.client().octokit;

    await setCommitStatus({ octokit, owner: OWNER, repo: REPO, sha: headSha, context: 'essg/plan', state: 'success', description: '2 gateways change; needs acme approval', targetUrl: 'https://fleet.example.com/plan/1' });
    await setCommitStatus({ octokit, owner: OWNER, repo: REPO, sha: headSha, context: 'essg/deploy', state: 'pending', description: 'x'.repeat(300) });

    const { data } = await octokit.rest.repos.listCommitStatusesForRef({ owner: OWNER, repo: REPO, ref: headSha });
    expect(data.map((s) => [s.context, s.state, s.description?.length, s.target_url])).toEqual([
      ['essg/deploy', 'pending', 140, null],
      ['essg/plan', 'success', 38, 'https://fleet.example.com/plan/1'],
    ]);
  });

  it('reports GitHub unavailable when the status cannot be written', async () => {
    const { headSha } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    t.fake.injectFault({ path: '/statuses/', kind: 'forbidden' });

    const error = await setCommitStatus({ octokit: t.client().octokit, owner: OWNER, repo: REPO, sha: headSha, context: 'essg/deploy', state: 'success', description: 'deployed' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GitHubUnavailable);
    expect((error as GitHubUnavailable).data).toMatchObject({ failure: 'forbidden', status: 403 });
  });

  it('stops reading comments at the page that holds its own', async () => {
    const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    const octokit = t.client().octokit;
    await upsertPlanComment({ octokit, owner: OWNER, repo: REPO, pr: number, body: 'plan v1' });
    for (let i = 0; i < 120; i++) t.fake.state.addComment({ issue: number, user: 'acme-lead', body: `question ${i}` });
    const listed = t.fake.requestsTo(/\/comments$/).length;

    const result = await upsertPlanComment({ octokit, owner: OWNER, repo: REPO, pr: number, body: 'plan v2' });

    expect(result.action).toBe('updated');
    expect(t.fake.state.comments.filter((c) => c.body.includes(PLAN_COMMENT_MARKER)).map((c) => c.body)).toEqual([`${PLAN_COMMENT_MARKER}\nplan v2`]);
    expect(t.fake.requestsTo(/\/comments$/).length - listed).toBe(1);
  });

  it('keeps the marker where the body already has it', async () => {
    const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    await upsertPlanComment({ octokit: t.client().octokit, owner: OWNER, repo: REPO, pr: number, body: `## Plan\n${PLAN_COMMENT_MARKER}` });
    expect(t.fake.state.comments.map((c) => c.body)).toEqual([`## Plan\n${PLAN_COMMENT_MARKER}`]);
  });

  it('reports GitHub unavailable when the plan comment cannot be read or written', async () => {
    const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    t.fake.injectFault({ path: '/comments', kind: 'forbidden', times: Infinity });

    const error = await upsertPlanComment({ octokit: t.client().octokit, owner: OWNER, repo: REPO, pr: number, body: 'plan' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GitHubUnavailable);
    expect((error as GitHubUnavailable).data).toMatchObject({ failure: 'forbidden', status: 403 });
  });

  it('fits a status description to GitHub\'s limit, counting characters rather than bytes', () => {
    const exactly = 'é'.repeat(STATUS_DESCRIPTION_MAX);
    expect(fitDescription(exactly)).toBe(exactly);
    expect(fitDescription(`${exactly}x`)).toBe(`${'é'.repeat(STATUS_DESCRIPTION_MAX - 1)}…`);
    expect([...fitDescription('🚀'.repeat(200))].length).toBe(STATUS_DESCRIPTION_MAX);
  });

  it('passes over comments GitHub sends without a body', async () => {
    const { number } = t.fake.state.createPullRequest({ author: 'soc-dev' });
    t.fake.state.addComment({ issue: number, user: 'acme-lead', body: 'a question' });
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const response = await realFetch(input, init);
      if (!/\/comments(\?|$)/.test(String(input instanceof Request ? input.url : input)) || init?.method !== 'GET') return response;
      const comments = (await response.json() as Record<string, unknown>[]).map(({ body: _body, ...rest }) => rest);
      return new Response(JSON.stringify(comments), { status: response.status, headers: response.headers });
    });
    try {
      const result = await upsertPlanComment({ octokit: t.client().octokit, owner: OWNER, repo: REPO, pr: number, body: 'plan' });
      expect(result.action).toBe('created');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
