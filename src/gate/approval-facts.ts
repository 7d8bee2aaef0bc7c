// What GitHub says about a commit, as the pure decision reads it. Produced by
// pull-request-facts.ts (GitHub) or by the reconciler (git: rewritten history; a GitHub
// failure caught as `unavailable`).
import type { GitHubUnavailableData } from './errors.ts';

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface ReviewFact {
  readonly id: number;
  readonly login: string;
  readonly state: ReviewState;
  /** The head commit the reviewer saw; null for reviews GitHub no longer ties to a commit. */
  readonly commitId: string | null;
  /** ISO 8601; absent for pending reviews. */
  readonly submittedAt: string | null;
}

export interface PullRequestFact {
  readonly number: number;
  readonly url: string;
  readonly author: string;
  /** The head commit at merge time (while open: now): the only commit approvals count on. */
  readonly headSha: string;
  /** Null while the pull request is open. */
  readonly mergeCommitSha: string | null;
  readonly mergedAt: string | null;
}

/** `org/team` (lower case) → logins (lower case) known to be active members of it. */
export type TeamMembership = ReadonlyMap<string, ReadonlySet<string>>;

/** A pull request with its reviews: the merge of a commit on the branch, or an open one `essg plan` reads. */
export interface PullRequestFacts {
  readonly kind: 'pull-request';
  /** The merge commit asked about; for an open pull request, its head. */
  readonly commitSha: string;
  readonly pr: PullRequestFact;
  /** Every submitted review, oldest first. */
  readonly reviews: readonly ReviewFact[];
  readonly teamMembers: TeamMembership;
}

export type ApprovalFacts =
  | PullRequestFacts
  | {
      /** No merged pull request has this commit as its merge: it was pushed to the branch. */
      readonly kind: 'direct-push';
      readonly commitSha: string;
      /** Unmerged pull requests that contain the commit, for the report. */
      readonly unmergedPullRequests: readonly number[];
    }
  | {
      /** The gateway's applied revision is no longer an ancestor of the branch. */
      readonly kind: 'history-rewritten';
      readonly commitSha: string;
      readonly appliedRevision: string;
    }
  | {
      readonly kind: 'unavailable';
      readonly commitSha: string;
      readonly error: GitHubUnavailableData & { readonly message: string };
    };
