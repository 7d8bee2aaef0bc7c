// GitHub's facts for one reconcile pass. Every commit is asked about at most once per pass,
// whatever the answer, and the first failure opens the breaker: the rest of the pass holds
// on that failure without asking again, so an outage costs one request's retries, not one
// per gateway and commit. A new pass asks afresh: approvals given after a merge count.
import type { ApprovalFacts } from './approval-facts.ts';
import type { GateOctokit } from './github-client.ts';
import { fetchApprovalFacts, TeamMembershipCache, unavailableFacts } from './pull-request-facts.ts';

export interface GitHubRepoRef {
  readonly octokit: GateOctokit;
  readonly owner: string;
  readonly repo: string;
}

export class PassFacts {
  private readonly byCommit = new Map<string, Promise<ApprovalFacts>>();
  private readonly teamCache = new TeamMembershipCache();
  private outage: Extract<ApprovalFacts, { kind: 'unavailable' }>['error'] | undefined;
  /** Requests to GitHub this pass started (one per commit at most). */
  lookups = 0;

  constructor(private readonly github: GitHubRepoRef) {}

  /**
   * The facts for `commit`; `teams` are the `org/team` principals the fleet at that commit names.
   * Never throws: a failure is `unavailable` facts, and the decision holds.
   */
  factsFor({ commit, teams }: { readonly commit: string; readonly teams: readonly string[] }): Promise<ApprovalFacts> {
    let facts = this.byCommit.get(commit);
    if (!facts) {
      facts = this.ask(commit, teams);
      this.byCommit.set(commit, facts);
    }
    return facts;
  }

  /** The failure that opened the breaker this pass, if any. */
  get unavailable(): string | undefined {
    return this.outage?.message;
  }

  private async ask(commit: string, teams: readonly string[]): Promise<ApprovalFacts> {
    if (this.outage) return { kind: 'unavailable', commitSha: commit, error: { ...this.outage, message: `not asked again this pass: ${this.outage.message}` } };
    this.lookups++;
    try {
      return await fetchApprovalFacts({ octokit: this.github.octokit, owner: this.github.owner, repo: this.github.repo, commitSha: commit, teams, teamCache: this.teamCache });
    } catch (error) {
      const facts = unavailableFacts({ commitSha: commit, error });
      this.outage ??= facts.error;
      return facts;
    }
  }
}
