// The REST endpoints the gate uses, each answering from the in-memory state with the
// body GitHub sends (see schemas.ts) and GitHub's status codes for the cases we rely on.
import { randomBytes } from 'node:crypto';
import { paginate } from './pagination.ts';
import {
  type CommitBody, type ErrorBody, type InstallationBody, type InstallationTokenBody, type IssueCommentBody,
  type PullRequestBody, type PullRequestReviewBody, type PullRequestSimpleBody, type StatusBody,
  type TeamMembershipBody, authenticatedUser, simpleUser, webUrl,
} from './schemas.ts';
import { type FakeComment, type FakeGitHubState, type FakePullRequest, type FakeStatus, headOf } from './state.ts';

export interface RouteRequest {
  readonly method: string;
  readonly params: Readonly<Record<string, string>>;
  readonly url: URL;
  /** The API root as the client addressed it (scheme, host and any GitHub Enterprise prefix). */
  readonly apiRoot: string;
  readonly body: unknown;
  readonly login: string;
}

export interface RouteResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handle: (state: FakeGitHubState, req: RouteRequest) => RouteResponse;
}

const DOCS = 'https://docs.github.com/rest';

export function notFound(): RouteResponse {
  const body: ErrorBody = { message: 'Not Found', documentation_url: DOCS, status: '404' };
  return { status: 404, body };
}

function unprocessable(message: string): RouteResponse {
  return { status: 422, body: { message, documentation_url: DOCS, status: '422' } satisfies ErrorBody };
}

function list<T>(items: readonly T[], req: RouteRequest): RouteResponse {
  const page = paginate({ items, url: req.url });
  return { status: 200, body: page.items, headers: page.link ? { link: page.link } : {} };
}

function isOurRepo(state: FakeGitHubState, req: RouteRequest): boolean {
  return req.params.owner?.toLowerCase() === state.owner.toLowerCase()
    && req.params.repo?.toLowerCase() === state.repo.toLowerCase();
}

function repoRoute(method: string, path: string, handle: Route['handle']): Route {
  const pattern = new RegExp(`^/repos/(?<owner>[^/]+)/(?<repo>[^/]+)${path}$`);
  return { method, pattern, handle: (state, req) => (isOurRepo(state, req) ? handle(state, req) : notFound()) };
}

function pullFields(state: FakeGitHubState, pull: FakePullRequest, req: RouteRequest): PullRequestSimpleBody {
  const apiUrl = `${req.apiRoot}/repos/${state.owner}/${state.repo}/pulls/${pull.number}`;
  const head = headOf(pull);
  return {
    id: pull.id,
    number: pull.number,
    url: apiUrl,
    html_url: webUrl(`${state.owner}/${state.repo}/pull/${pull.number}`),
    state: pull.state,
    title: pull.title,
    body: null,
    created_at: pull.createdAt,
    updated_at: pull.closedAt ?? pull.createdAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    draft: false,
    user: simpleUser(pull.author, state.userId(pull.author)),
    head: { label: `${state.owner}:${pull.headRef}`, ref: pull.headRef, sha: head },
    base: { label: `${state.owner}:main`, ref: 'main', sha: pull.commits[0] ?? head },
  };
}

function pullOr404(state: FakeGitHubState, req: RouteRequest): FakePullRequest | undefined {
  return state.pullRequests.get(Number(req.params.number));
}

function reviewBody(state: FakeGitHubState, pull: FakePullRequest, req: RouteRequest): PullRequestReviewBody[] {
  return pull.reviews.map((r) => ({
    id: r.id,
    node_id: `PRR_${r.id}`,
    user: simpleUser(r.user, state.userId(r.user)),
    body: r.body,
    state: r.state,
    html_url: webUrl(`${state.owner}/${state.repo}/pull/${pull.number}#pullrequestreview-${r.id}`),
    pull_request_url: `${req.apiRoot}/repos/${state.owner}/${state.repo}/pulls/${pull.number}`,
    submitted_at: r.submittedAt,
    commit_id: r.commitId,
    author_association: 'MEMBER',
  }));
}

function commentBody(state: FakeGitHubState, c: FakeComment, req: RouteRequest): IssueCommentBody {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${req.apiRoot}/repos/${state.owner}/${state.repo}/issues/comments/${c.id}`,
    html_url: webUrl(`${state.owner}/${state.repo}/pull/${c.issue}#issuecomment-${c.id}`),
    issue_url: `${req.apiRoot}/repos/${state.owner}/${state.repo}/issues/${c.issue}`,
    body: c.body,
    user: simpleUser(c.user, state.userId(c.user)),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'MEMBER',
  };
}

function statusBody(state: FakeGitHubState, s: FakeStatus, req: RouteRequest): StatusBody {
  return {
    url: `${req.apiRoot}/repos/${state.owner}/${state.repo}/statuses/${s.sha}`,
    avatar_url: null,
    id: s.id,
    node_id: `SC_${s.id}`,
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    creator: simpleUser(s.creator, state.userId(s.creator)),
  };
}

function stringField(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | null)?.[name];
  return typeof value === 'string' ? value : undefined;
}

const STATUS_STATES = new Set(['error', 'failure', 'pending', 'success']);

export const routes: readonly Route[] = [
  // The authenticated user: who a token (a user's, or one the OAuth web flow issued) acts as.
  { method: 'GET', pattern: /^\/user$/, handle: (state, req) => ({ status: 200, body: authenticatedUser(req.login, state.userId(req.login)) }) },

  repoRoute('GET', '/commits/(?<sha>[0-9a-f]{40})/pulls', (state, req) =>
    list(state.pullRequestsForCommit(req.params.sha ?? '').map((p) => pullFields(state, p, req)), req)),

  repoRoute('GET', '/pulls/(?<number>\\d+)', (state, req) => {
    const pull = pullOr404(state, req);
    if (!pull) return notFound();
    const body: PullRequestBody = { ...pullFields(state, pull, req), state: pull.state, merged: pull.mergedAt !== null, commits: pull.commits.length };
    return { status: 200, body };
  }),

  repoRoute('GET', '/pulls/(?<number>\\d+)/reviews', (state, req) => {
    const pull = pullOr404(state, req);
    return pull ? list(reviewBody(state, pull, req), req) : notFound();
  }),

  repoRoute('GET', '/pulls/(?<number>\\d+)/commits', (state, req) => {
    const pull = pullOr404(state, req);
    if (!pull) return notFound();
    const commits: CommitBody[] = pull.commits.map((sha) => ({
      sha,
      node_id: `C_${sha}`,
      url: `${req.apiRoot}/repos/${state.owner}/${state.repo}/commits/${sha}`,
      html_url: webUrl(`${state.owner}/${state.repo}/commit/${sha}`),
    }));
    return list(commits, req);
  }),

  {
    method: 'GET',
    pattern: /^\/orgs\/(?<org>[^/]+)\/teams\/(?<team>[^/]+)\/memberships\/(?<username>[^/]+)$/,
    handle: (state, req) => {
      const members = state.teams.get(`${req.params.org}/${req.params.team}`.toLowerCase());
      const membership = members?.get((req.params.username ?? '').toLowerCase());
      if (!membership) return notFound();
      const body: TeamMembershipBody = {
        url: `${req.apiRoot}/orgs/${req.params.org}/teams/${req.params.team}/memberships/${req.params.username}`,
        role: 'member',
        state: membership,
      };
      return { status: 200, body };
    },
  },

  repoRoute('GET', '/issues/(?<number>\\d+)/comments', (state, req) => {
    const issue = Number(req.params.number);
    if (!state.pullRequests.has(issue)) return notFound();
    return list(state.comments.filter((c) => c.issue === issue).map((c) => commentBody(state, c, req)), req);
  }),

  repoRoute('POST', '/issues/(?<number>\\d+)/comments', (state, req) => {
    const issue = Number(req.params.number);
    if (!state.pullRequests.has(issue)) return notFound();
    const body = stringField(req.body, 'body');
    if (body === undefined) return unprocessable('Invalid request: "body" wasn\'t supplied.');
    return { status: 201, body: commentBody(state, state.addComment({ issue, user: req.login, body }), req) };
  }),

  repoRoute('PATCH', '/issues/comments/(?<id>\\d+)', (state, req) => {
    const comment = state.comments.find((c) => c.id === Number(req.params.id));
    if (!comment) return notFound();
    const body = stringField(req.body, 'body');
    if (body === undefined) return unprocessable('Invalid request: "body" wasn\'t supplied.');
    comment.body = body;
    comment.updatedAt = state.now();
    return { status: 200, body: commentBody(state, comment, req) };
  }),

  repoRoute('POST', '/statuses/(?<sha>[0-9a-f]{40})', (state, req) => {
    const statusState = stringField(req.body, 'state');
    if (!statusState || !STATUS_STATES.has(statusState)) return unprocessable('Validation Failed: state is not included in the list');
    const description = stringField(req.body, 'description') ?? null;
    if (description !== null && description.length > 140) return unprocessable('Validation Failed: description is too long (maximum is 140 characters)');
    const stored = state.addStatus({
      sha: req.params.sha ?? '',
      state: statusState as FakeStatus['state'],
      context: stringField(req.body, 'context') ?? 'default',
      description,
      targetUrl: stringField(req.body, 'target_url') ?? null,
      creator: req.login,
    });
    return { status: 201, body: statusBody(state, stored, req) };
  }),

  // Newest first, as GitHub lists a ref's statuses.
  repoRoute('GET', '/commits/(?<ref>[^/]+)/statuses', (state, req) =>
    list(state.statuses.filter((s) => s.sha === req.params.ref).reverse().map((s) => statusBody(state, s, req)), req)),

  repoRoute('GET', '/installation', (state) => {
    if (!state.app) return notFound();
    const body: InstallationBody = {
      id: state.app.installationId,
      app_id: Number(state.app.appId),
      target_type: 'Organization',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    };
    return { status: 200, body };
  }),

  {
    method: 'POST',
    pattern: /^\/app\/installations\/(?<id>\d+)\/access_tokens$/,
    handle: (state, req) => {
      if (!state.app || Number(req.params.id) !== state.app.installationId) return notFound();
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      state.addToken({ token, login: `${state.app.slug}[bot]` });
      const body: InstallationTokenBody = {
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        repository_selection: 'selected',
      };
      return { status: 201, body };
    },
  },
];
