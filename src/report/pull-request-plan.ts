// A pull request's change plan on GitHub: the reviews it counts, read the way the gate reads
// them, and the plan written back as one comment (edited in place) and the `essg/plan` commit
// status. A composition point besides the engine (README, Layout): `essg plan --reviews/--post`
// joins the change plan and the gate's GitHub calls here, so the CLI only parses and prints.
import { type ChangePlan, type ReviewsLookup, formatChangePlanMarkdown, statusDescription } from '../change-plan/index.ts';
import { type GateOctokit, createGitHubClient, fetchPullRequestFacts, unavailableFacts } from '../gate/index.ts';
import { setCommitStatus, upsertPlanComment } from './pr-report.ts';

export const PLAN_STATUS_CONTEXT = 'essg/plan';

export interface PullRequestOnGitHub {
  readonly octokit: GateOctokit;
  readonly owner: string;
  readonly repo: string;
  readonly pr: number;
}

/** A client for one pull request; it redacts the token from every error and log line it produces. */
export function pullRequestOnGitHub({ owner, repo, pr, token, baseUrl }: {
  readonly owner: string; readonly repo: string; readonly pr: number; readonly token: string; readonly baseUrl?: string;
}): PullRequestOnGitHub {
  const { octokit } = createGitHubClient({ auth: { token }, ...(baseUrl ? { baseUrl } : {}) });
  return { octokit, owner, repo, pr };
}

/** The pull request's reviews as the gate reads them; a GitHub failure is a plan that says so, not an error. */
export function pullRequestReviews({ octokit, owner, repo, pr }: PullRequestOnGitHub): ReviewsLookup {
  return ({ teams, head }) => fetchPullRequestFacts({ octokit, owner, repo, number: pr, teams })
    .catch((error: unknown) => unavailableFacts({ commitSha: head, error }));
}

/** Writes the plan as the pull request's plan comment and sets the `essg/plan` status on `sha`. */
export async function postChangePlan({ plan, octokit, owner, repo, pr, sha }: PullRequestOnGitHub & { readonly plan: ChangePlan; readonly sha: string }): Promise<{ readonly action: string; readonly url: string }> {
  const comment = await upsertPlanComment({ octokit, owner, repo, pr, body: formatChangePlanMarkdown(plan) });
  await setCommitStatus({
    octokit, owner, repo, sha,
    context: PLAN_STATUS_CONTEXT,
    state: plan.ok ? 'success' : 'failure',
    description: statusDescription(plan),
    targetUrl: comment.url,
  });
  return { action: comment.action, url: comment.url };
}
