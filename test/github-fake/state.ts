// The in-memory GitHub the fake serves: one repository with its pull requests, reviews,
// issue comments and commit statuses, plus org teams and a GitHub App installation.
// Tests script it through these methods; the HTTP layer only reads and appends.
import { randomBytes } from 'node:crypto';

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
export type StatusState = 'error' | 'failure' | 'pending' | 'success';

export interface FakeReview {
  readonly id: number;
  readonly user: string;
  /** Mutable because dismissing a review rewrites its state, as GitHub does. */
  state: ReviewState;
  readonly commitId: string;
  readonly submittedAt: string;
  readonly body: string;
}

export interface FakePullRequest {
  readonly number: number;
  readonly id: number;
  readonly author: string;
  readonly title: string;
  readonly headRef: string;
  readonly createdAt: string;
  /** Every commit pushed to the head branch, oldest first; the last one is the head. */
  readonly commits: string[];
  readonly reviews: FakeReview[];
  state: 'open' | 'closed';
  mergedAt: string | null;
  closedAt: string | null;
  mergeCommitSha: string | null;
}

export interface FakeComment {
  readonly id: number;
  readonly issue: number;
  readonly user: string;
  body: string;
  readonly createdAt: string;
  updatedAt: string;
}

export interface FakeStatus {
  readonly id: number;
  readonly sha: string;
  readonly state: StatusState;
  readonly context: string;
  readonly description: string | null;
  readonly targetUrl: string | null;
  readonly creator: string;
  readonly createdAt: string;
}

export interface FakeApp {
  readonly appId: string;
  /** PEM public key the fake checks the app's JWT against. */
  readonly publicKey: string;
  readonly installationId: number;
  readonly slug: string;
}

export function newSha(): string {
  return randomBytes(20).toString('hex');
}

export class FakeGitHubState {
  readonly owner: string;
  readonly repo: string;
  readonly pullRequests = new Map<number, FakePullRequest>();
  readonly comments: FakeComment[] = [];
  readonly statuses: FakeStatus[] = [];
  /** `org/team` → login → membership state. */
  readonly teams = new Map<string, Map<string, 'active' | 'pending'>>();
  /** Accepted credentials → the login that acts with them. */
  readonly tokens = new Map<string, string>();
  readonly userIds = new Map<string, number>();
  app: FakeApp | undefined;
  private nextId = 1000;
  private nextIssue = 1;
  // A logical clock: every event is one second after the previous one, so review order
  // (which decides a reviewer's latest state) never depends on wall-clock resolution.
  private clock = Date.parse('2026-01-05T09:00:00Z');

  constructor({ owner, repo }: { readonly owner: string; readonly repo: string }) {
    this.owner = owner;
    this.repo = repo;
  }

  id(): number {
    return this.nextId++;
  }

  now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  userId(login: string): number {
    let id = this.userIds.get(login);
    if (id === undefined) {
      id = this.id();
      this.userIds.set(login, id);
    }
    return id;
  }

  addToken({ token, login }: { readonly token: string; readonly login: string }): void {
    this.tokens.set(token, login);
  }

  createPullRequest({ author, title = 'Change the fleet', headRef = 'change' }: {
    readonly author: string; readonly title?: string; readonly headRef?: string;
  }): { readonly number: number; readonly headSha: string } {
    const number = this.nextIssue++;
    const headSha = newSha();
    this.pullRequests.set(number, {
      number, id: this.id(), author, title, headRef, createdAt: this.now(), commits: [headSha], reviews: [],
      state: 'open', mergedAt: null, closedAt: null, mergeCommitSha: null,
    });
    return { number, headSha };
  }

  /** Pushes `count` new commits to the pull request's branch; returns the new head. */
  pushCommits({ pr, count = 1 }: { readonly pr: number; readonly count?: number }): string {
    const pull = this.pull(pr);
    if (pull.mergedAt) throw new Error(`pull request #${pr} is merged; its branch no longer moves`);
    for (let i = 0; i < count; i++) pull.commits.push(newSha());
    this.now();
    return headOf(pull);
  }

  /** Submits a review; `commitId` defaults to the current head, as the web UI does. */
  submitReview({ pr, user, state, commitId, body = '' }: {
    readonly pr: number; readonly user: string; readonly state: Exclude<ReviewState, 'DISMISSED'>;
    readonly commitId?: string; readonly body?: string;
  }): number {
    const pull = this.pull(pr);
    const review: FakeReview = { id: this.id(), user, state, commitId: commitId ?? headOf(pull), submittedAt: this.now(), body };
    pull.reviews.push(review);
    return review.id;
  }

  dismissReview({ pr, reviewId }: { readonly pr: number; readonly reviewId: number }): void {
    const review = this.pull(pr).reviews.find((r) => r.id === reviewId);
    if (!review) throw new Error(`pull request #${pr} has no review ${reviewId}`);
    review.state = 'DISMISSED';
  }

  /** Merges the pull request; returns the merge commit's sha. */
  mergePullRequest({ pr, mergeCommitSha = newSha() }: { readonly pr: number; readonly mergeCommitSha?: string }): string {
    const pull = this.pull(pr);
    const at = this.now();
    pull.state = 'closed';
    pull.mergedAt = at;
    pull.closedAt = at;
    pull.mergeCommitSha = mergeCommitSha;
    return mergeCommitSha;
  }

  closePullRequest({ pr }: { readonly pr: number }): void {
    const pull = this.pull(pr);
    pull.state = 'closed';
    pull.closedAt = this.now();
  }

  addTeamMember({ org, team, login, state = 'active' }: {
    readonly org: string; readonly team: string; readonly login: string; readonly state?: 'active' | 'pending';
  }): void {
    const key = `${org}/${team}`.toLowerCase();
    const members = this.teams.get(key) ?? new Map<string, 'active' | 'pending'>();
    members.set(login.toLowerCase(), state);
    this.teams.set(key, members);
  }

  addComment({ issue, user, body }: { readonly issue: number; readonly user: string; readonly body: string }): FakeComment {
    const at = this.now();
    const comment: FakeComment = { id: this.id(), issue, user, body, createdAt: at, updatedAt: at };
    this.comments.push(comment);
    return comment;
  }

  addStatus(status: Omit<FakeStatus, 'id' | 'createdAt'>): FakeStatus {
    const stored: FakeStatus = { ...status, id: this.id(), createdAt: this.now() };
    this.statuses.push(stored);
    return stored;
  }

  registerApp(app: Omit<FakeApp, 'slug'> & { readonly slug?: string }): void {
    this.app = { ...app, slug: app.slug ?? 'essg-fleet' };
  }

  pull(pr: number): FakePullRequest {
    const pull = this.pullRequests.get(pr);
    if (!pull) throw new Error(`no pull request #${pr}`);
    return pull;
  }

  /** Pull requests GitHub associates with a commit: the one it merged, and any whose branch holds it. */
  pullRequestsForCommit(sha: string): FakePullRequest[] {
    return [...this.pullRequests.values()].filter((p) => p.mergeCommitSha === sha || p.commits.includes(sha));
  }
}

export function headOf(pull: FakePullRequest): string {
  const head = pull.commits[pull.commits.length - 1];
  if (head === undefined) throw new Error(`pull request #${pull.number} has no commits`);
  return head;
}
