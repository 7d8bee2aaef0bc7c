// Response bodies of the fake, typed against GitHub's published OpenAPI schemas.
// Each body carries the fields the gate reads with real values and keeps GitHub's
// shape for them; `Pick` keeps every field we serve checked against the schema while
// sparing us the hundred-odd repository fields nobody here reads.
import type { components } from '@octokit/openapi-types';

type Schemas = components['schemas'];

export type SimpleUserBody = Schemas['simple-user'];

type PullRequestFields = 'id' | 'number' | 'url' | 'html_url' | 'state' | 'title' | 'body' | 'created_at'
  | 'updated_at' | 'closed_at' | 'merged_at' | 'merge_commit_sha' | 'draft';

type BranchRef = Pick<Schemas['pull-request']['head'], 'label' | 'ref' | 'sha'>;

export type PullRequestSimpleBody = Pick<Schemas['pull-request-simple'], PullRequestFields> & {
  readonly user: SimpleUserBody;
  readonly head: BranchRef;
  readonly base: BranchRef;
};

export type PullRequestBody = Pick<Schemas['pull-request'], PullRequestFields | 'merged' | 'commits'> & {
  readonly user: SimpleUserBody;
  readonly head: BranchRef;
  readonly base: BranchRef;
};

export type PullRequestReviewBody = Pick<Schemas['pull-request-review'],
  'id' | 'node_id' | 'body' | 'state' | 'html_url' | 'pull_request_url' | 'submitted_at' | 'commit_id' | 'author_association'
> & { readonly user: SimpleUserBody };

export type CommitBody = Pick<Schemas['commit'], 'url' | 'sha' | 'node_id' | 'html_url'>;

export type TeamMembershipBody = Schemas['team-membership'];

export type IssueCommentBody = Pick<Schemas['issue-comment'],
  'id' | 'node_id' | 'url' | 'html_url' | 'issue_url' | 'body' | 'created_at' | 'updated_at' | 'author_association'
> & { readonly user: SimpleUserBody };

export type StatusBody = Schemas['status'];

export type InstallationTokenBody = Pick<Schemas['installation-token'], 'token' | 'expires_at' | 'repository_selection'>;

export type InstallationBody = Pick<Schemas['installation'], 'id' | 'app_id' | 'target_type' | 'created_at' | 'updated_at'>;

/** GitHub's error body: `{ message, documentation_url }`. */
export type ErrorBody = Schemas['basic-error'];

const WEB = 'https://github.example.com';

export function simpleUser(login: string, id: number): SimpleUserBody {
  const api = `https://api.github.example.com/users/${login}`;
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `${WEB}/avatars/${login}`,
    gravatar_id: null,
    url: api,
    html_url: `${WEB}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

export function webUrl(path: string): string {
  return `${WEB}/${path}`;
}

/** GET /user: the public fields of the signed-in user (GitHub adds private ones for the user's own token). */
export type AuthenticatedUserBody = Pick<Schemas['public-user'], 'login' | 'id' | 'node_id' | 'avatar_url' | 'html_url' | 'type' | 'site_admin' | 'name' | 'created_at' | 'updated_at'>;

export function authenticatedUser(login: string, id: number): AuthenticatedUserBody {
  const user = simpleUser(login, id);
  return {
    login, id, node_id: user.node_id, avatar_url: user.avatar_url, html_url: user.html_url, type: user.type, site_admin: false,
    name: login, created_at: '2020-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  };
}
