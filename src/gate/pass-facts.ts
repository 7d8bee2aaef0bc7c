// GitHub's facts for one reconcile pass. Every commit is asked about at most once per pass,
// whatever the answer, and the first failure opens the breaker: the rest of the pass holds
// on that failure without asking again, so an outage costs one request's retries, not one
// per gateway and commit. A new pass asks afresh: approvals given after a merge count.
//
// A commit's pull request and reviews need nothing from the fleet; only crediting reviewers
// through `org/team` principals needs the teams the fleet at that commit names. So the gate
// may ask about a commit (`prefetch`) while that commit is still being loaded and rendered:
// GitHub's answer, or its retries during an outage, overlap the render instead of following it.
import type { ApprovalFacts } from './approval-facts.ts';
import type { GateOctokit } from './github-client.ts';
import { creditTeams, fetchCommitReviews, TeamMembershipCache, unavailableFacts } from './pull-request-facts.ts';

export interface GitHubRepoRef {
  readonly octokit: GateOctokit;
  readonly owner: string;
  readonly repo: string;
}

type Unavailable = Extract<ApprovalFacts, { kind: 'unavailable' }>;

export class PassFacts {
  /** What GitHub said about each commit, before teams: asked once per pass. */
  private readonly reviewsByCommit = new Map<string, Promise<ApprovalFacts>>();
  /** The facts with teams credited, as first asked for with the teams of that commit's fleet. */
  private readonly byCommit = new Map<string, Promise<ApprovalFacts>>();
  private readonly teamCache = new TeamMembershipCache();
  private outage: Unavailable['error'] | undefined;
  /** Commits this pass asked GitHub about (each costs one lookup and its retries at most). */
  lookups = 0;

  constructor(private readonly github: GitHubRepoRef) {}

  /**
   * Starts asking about `commit` now, for a `factsFor` that will likely follow once the commit
   * is loaded. Costs nothing more if it does: the commit is asked about once either way.
   */
  prefetch(commit: string): void {
    void this.reviewsOf(commit);
  }

  /**
   * The facts for `commit`; `teams` are the `org/team` principals the fleet at that commit names.
   * Never throws: a failure is `unavailable` facts, and the decision holds.
   */
  factsFor({ commit, teams }: { readonly commit: string; readonly teams: readonly string[] }): Promise<ApprovalFacts> {
    let facts = this.byCommit.get(commit);
    if (!facts) {
      facts = this.reviewsOf(commit).then((reviews) => this.credited(commit, reviews, teams));
      this.byCommit.set(commit, facts);
    }
    return facts;
  }

  /** The failure that opened the breaker this pass, if any. */
  get unavailable(): string | undefined {
    return this.outage?.message;
  }

  private reviewsOf(commit: string): Promise<ApprovalFacts> {
    let reviews = this.reviewsByCommit.get(commit);
    if (!reviews) {
      reviews = this.guarded(commit, () => {
        this.lookups++;
        return fetchCommitReviews({ octokit: this.github.octokit, owner: this.github.owner, repo: this.github.repo, commitSha: commit });
      });
      this.reviewsByCommit.set(commit, reviews);
    }
    return reviews;
  }

  private credited(commit: string, reviews: ApprovalFacts, teams: readonly string[]): Promise<ApprovalFacts> {
    if (reviews.kind !== 'pull-request' || teams.length === 0) return Promise.resolve(reviews);
    return this.guarded(commit, () => creditTeams(reviews, { octokit: this.github.octokit, teams, teamCache: this.teamCache }));
  }

  /** `ask` unless the breaker is open; a failure opens it and is the commit's facts. */
  private async guarded(commit: string, ask: () => Promise<ApprovalFacts>): Promise<ApprovalFacts> {
    if (this.outage) return this.notAskedAgain(commit);
    try {
      return await ask();
    } catch (error) {
      const facts = unavailableFacts({ commitSha: commit, error });
      this.outage ??= facts.error;
      return facts;
    }
  }

  private notAskedAgain(commit: string): Unavailable {
    const outage = this.outage!;
    return { kind: 'unavailable', commitSha: commit, error: { ...outage, message: `not asked again this pass: ${outage.message}` } };
  }
}
