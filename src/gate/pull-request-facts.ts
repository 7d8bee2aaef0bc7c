// Reads from GitHub what the approval decision needs: for a commit on the watched branch,
// the merged pull request it is the merge of (or none); for a pull request, its head and
// every review, and which approving reviewers belong to the teams named as approvers. The
// reconciler asks by commit, `essg plan` by pull request number; both read a pull request
// the same way. Every failure surfaces as `GitHubUnavailable`: the caller holds.
import type { ApprovalFacts, PullRequestFacts, ReviewFact, ReviewState, TeamMembership } from './approval-facts.ts';
import { GitHubUnavailable, toGitHubUnavailable } from './errors.ts';
import type { GateOctokit } from './github-client.ts';

/** Team membership answers for one reconcile pass, shared by every commit it checks. */
export class TeamMembershipCache {
  private readonly answers = new Map<string, Promise<boolean>>();

  isActiveMember({ octokit, team, login }: { readonly octokit: GateOctokit; readonly team: string; readonly login: string }): Promise<boolean> {
    const key = `${team.toLowerCase()}\u0000${login.toLowerCase()}`;
    let answer = this.answers.get(key);
    if (!answer) {
      answer = lookUpMembership({ octokit, team, login });
      // A failed lookup must be asked again next time, not remembered as an answer.
      answer.catch(() => this.answers.delete(key));
      this.answers.set(key, answer);
    }
    return answer;
  }
}

async function lookUpMembership({ octokit, team, login }: { readonly octokit: GateOctokit; readonly team: string; readonly login: string }): Promise<boolean> {
  const [org, teamSlug] = splitTeam(team);
  try {
    const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: teamSlug, username: login });
    // A pending member has been invited but has not joined: not (yet) an approver.
    return data.state === 'active';
  } catch (error) {
    const unavailable = toGitHubUnavailable(error);
    // GitHub answers 404 both for "not a member" and for a team the credential cannot
    // see; either way this reviewer's approval cannot be credited to the team.
    if (unavailable.data.status === 404) return false;
    throw unavailable;
  }
}

function splitTeam(team: string): [string, string] {
  const slash = team.indexOf('/');
  if (slash <= 0 || slash === team.length - 1) throw new Error(`'${team}' is not an org/team principal`);
  return [team.slice(0, slash), team.slice(slash + 1)];
}

interface RepoArgs {
  readonly octokit: GateOctokit;
  readonly owner: string;
  readonly repo: string;
  /** Every `org/team` principal among the approvers and operators that may need resolving. @default [] */
  readonly teams?: readonly string[];
  /** Share one per reconcile pass. @default a cache for this call only */
  readonly teamCache?: TeamMembershipCache;
}

export interface FetchApprovalFactsArgs extends RepoArgs {
  readonly commitSha: string;
}

/** @throws GitHubUnavailable on any GitHub failure: hold, never decide. */
export async function fetchApprovalFacts(args: FetchApprovalFactsArgs): Promise<ApprovalFacts> {
  return creditTeams(await fetchCommitReviews(args), args);
}

/**
 * What GitHub says about a commit before any team is resolved: the pull request it is the
 * merge of (or none) and that pull request's reviews; `teamMembers` is empty. It needs nothing
 * from the fleet, so a pass may ask it while the commit is still being loaded.
 * @throws GitHubUnavailable on any GitHub failure
 */
export async function fetchCommitReviews(args: Omit<FetchApprovalFactsArgs, 'teams' | 'teamCache'>): Promise<ApprovalFacts> {
  try {
    return await factsOfCommit(args);
  } catch (error) {
    throw toGitHubUnavailable(error);
  }
}

/**
 * `facts` with the approving reviewers who are active members of `teams` (the fleet's
 * `org/team` principals at that commit); facts of no pull request are returned as they are.
 * @throws GitHubUnavailable on any GitHub failure
 */
export async function creditTeams<Facts extends ApprovalFacts>(facts: Facts, { octokit, teams = [], teamCache = new TeamMembershipCache() }: Pick<RepoArgs, 'octokit' | 'teams' | 'teamCache'>): Promise<Facts> {
  if (facts.kind !== 'pull-request') return facts;
  try {
    // Only a reviewer who approved can ever be credited through a team.
    const logins = [...new Set(facts.reviews.filter((r) => r.state === 'APPROVED').map((r) => r.login.toLowerCase()))];
    return { ...facts, teamMembers: await resolveTeams({ octokit, teamCache, teams, logins }) };
  } catch (error) {
    throw toGitHubUnavailable(error);
  }
}

export interface FetchPullRequestFactsArgs extends RepoArgs {
  readonly number: number;
}

/**
 * The facts of one pull request, open or merged: its author, its head commit (the final one
 * once merged), every review, and which approving reviewers are active members of `teams`.
 * @throws GitHubUnavailable on any GitHub failure
 */
export async function fetchPullRequestFacts(args: FetchPullRequestFactsArgs): Promise<PullRequestFacts> {
  let facts: PullRequestFacts;
  try {
    facts = await factsOfPullRequest(args);
  } catch (error) {
    throw toGitHubUnavailable(error);
  }
  return creditTeams(facts, args);
}

async function factsOfCommit({ commitSha, ...args }: Omit<FetchApprovalFactsArgs, 'teams' | 'teamCache'>): Promise<ApprovalFacts> {
  const { octokit, owner, repo } = args;
  const associated = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
    owner, repo, commit_sha: commitSha, per_page: 100,
  });
  // Merge, squash and rebase merges all record the commit they put on the base branch
  // as merge_commit_sha; a commit that merely sits on a PR's branch is not its merge.
  const merged = associated.find((pr) => pr.merged_at !== null && pr.merge_commit_sha === commitSha);
  if (!merged) {
    return { kind: 'direct-push', commitSha, unmergedPullRequests: associated.filter((pr) => pr.merged_at === null).map((pr) => pr.number) };
  }
  return factsOfPullRequest({ ...args, number: merged.number, mergeCommitSha: commitSha });
}

/** With `mergeCommitSha`, the pull request must be the merge of that commit. Teams are not resolved here (see creditTeams). */
async function factsOfPullRequest({ octokit, owner, repo, number, mergeCommitSha }: Omit<FetchPullRequestFactsArgs, 'teams' | 'teamCache'> & {
  readonly mergeCommitSha?: string;
}): Promise<PullRequestFacts> {
  const { data: pr } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
  const isTheMerge = mergeCommitSha === undefined || (pr.merged && pr.merged_at !== null && pr.merge_commit_sha === mergeCommitSha);
  if (!isTheMerge || !pr.user) {
    throw new GitHubUnavailable(`GitHub gave inconsistent answers about pull request #${number}${mergeCommitSha ? ` for commit ${mergeCommitSha}` : ''}`, {
      component: 'github', failure: 'unexpected', method: 'GET', path: `/repos/${owner}/${repo}/pulls/${number}`,
    });
  }
  const rawReviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number: pr.number, per_page: 100 });
  const reviews: ReviewFact[] = rawReviews
    .filter((r) => r.user !== null)
    .map((r) => ({
      id: Number(r.id),
      login: r.user?.login ?? '',
      state: r.state as ReviewState,
      commitId: r.commit_id,
      submittedAt: r.submitted_at ?? null,
    }));

  // GitHub fills merge_commit_sha with a test merge while a pull request is open: not a merge.
  const mergedAt = pr.merged_at;
  return {
    kind: 'pull-request',
    commitSha: mergeCommitSha ?? pr.head.sha,
    pr: {
      number: pr.number,
      url: pr.html_url,
      author: pr.user.login,
      headSha: pr.head.sha,
      mergeCommitSha: mergedAt === null ? null : pr.merge_commit_sha,
      mergedAt,
    },
    reviews,
    teamMembers: new Map(),
  };
}

async function resolveTeams({ octokit, teamCache, teams, logins }: {
  readonly octokit: GateOctokit; readonly teamCache: TeamMembershipCache; readonly teams: readonly string[]; readonly logins: readonly string[];
}): Promise<TeamMembership> {
  const membership = new Map<string, Set<string>>();
  for (const team of new Set(teams.map((t) => t.toLowerCase()))) {
    const members = new Set<string>();
    // Sequential on purpose: a handful of lookups, and bursts are what trip GitHub's secondary limits.
    for (const login of logins) {
      if (await teamCache.isActiveMember({ octokit, team, login })) members.add(login);
    }
    membership.set(team, members);
  }
  return membership;
}

/** The facts for a commit GitHub could not be asked about: the decision holds. */
export function unavailableFacts({ commitSha, error }: { readonly commitSha: string; readonly error: unknown }): Extract<ApprovalFacts, { kind: 'unavailable' }> {
  const unavailable = toGitHubUnavailable(error);
  return { kind: 'unavailable', commitSha, error: { ...unavailable.data, message: unavailable.message } };
}
