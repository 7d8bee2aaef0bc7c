// What the fleet reports back on GitHub: one plan comment per pull request, edited in
// place on every push so the conversation is not flooded, and the commit statuses
// `essg/plan` (on PR heads) and `essg/deploy` (on merge commits).
import { toGitHubUnavailable } from '../gate/errors.ts';
import type { GateOctokit } from '../gate/github-client.ts';

/** The hidden marker that identifies the plan comment among the pull request's comments. */
export const PLAN_COMMENT_MARKER = '<!-- essg:plan -->';

export interface UpsertPlanCommentArgs {
  readonly octokit: GateOctokit;
  readonly owner: string;
  readonly repo: string;
  readonly pr: number;
  /** Markdown; the marker is added when missing. */
  readonly body: string;
}

export interface PlanCommentResult {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly commentId: number;
  readonly url: string;
}

/** @throws GitHubUnavailable */
export async function upsertPlanComment({ octokit, owner, repo, pr, body }: UpsertPlanCommentArgs): Promise<PlanCommentResult> {
  const text = body.includes(PLAN_COMMENT_MARKER) ? body : `${PLAN_COMMENT_MARKER}\n${body}`;
  try {
    let existing: { readonly id: number; readonly body?: string; readonly html_url: string } | undefined;
    for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number: pr, per_page: 100 })) {
      existing = page.data.find((c) => c.body?.includes(PLAN_COMMENT_MARKER));
      if (existing) break;
    }
    if (!existing) {
      const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: pr, body: text });
      return { action: 'created', commentId: data.id, url: data.html_url };
    }
    // An unchanged plan is not rewritten: no notification, no write against the rate limit.
    if (existing.body === text) return { action: 'unchanged', commentId: existing.id, url: existing.html_url };
    const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: text });
    return { action: 'updated', commentId: data.id, url: data.html_url };
  } catch (error) {
    throw toGitHubUnavailable(error);
  }
}

export type StatusContext = 'essg/plan' | 'essg/deploy';
export type StatusState = 'pending' | 'success' | 'failure' | 'error';

/** GitHub refuses a longer commit status description. */
export const STATUS_DESCRIPTION_MAX = 140;

export interface SetCommitStatusArgs {
  readonly octokit: GateOctokit;
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly context: StatusContext;
  readonly state: StatusState;
  /** Cut to 140 characters (with an ellipsis) when longer. */
  readonly description: string;
  readonly targetUrl?: string;
}

/** @throws GitHubUnavailable */
export async function setCommitStatus({ octokit, owner, repo, sha, context, state, description, targetUrl }: SetCommitStatusArgs): Promise<void> {
  try {
    await octokit.rest.repos.createCommitStatus({
      owner, repo, sha, context, state,
      description: fitDescription(description),
      ...(targetUrl ? { target_url: targetUrl } : {}),
    });
  } catch (error) {
    throw toGitHubUnavailable(error);
  }
}

export function fitDescription(description: string): string {
  const chars = [...description];
  return chars.length <= STATUS_DESCRIPTION_MAX ? description : `${chars.slice(0, STATUS_DESCRIPTION_MAX - 1).join('')}…`;
}
