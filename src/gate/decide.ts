// May this gateway move to this commit? A pure function of what the commit changes in
// the gateway's render, whose approval that needs, and what GitHub says about the pull
// request that merged it. "Hold" is its own answer: doubt is never read as approval.
import type { ApprovalFacts, ReviewFact, TeamMembership } from './approval-facts.ts';
import { type GatewayChange, hasChange } from './classify-change.ts';
import type { ApprovalPolicy } from './policy.ts';

export type DecisionResult = 'approved' | 'awaiting-approval' | 'refused' | 'hold';

export type DecisionReason =
  | 'no-change'            // the commit changes nothing this gateway renders
  | 'preauthorized'        // only response kinds the customer authorised in advance
  | 'approved'             // the merged PR holds every approval the change needs
  | 'approvals-missing'    // the merged PR lacks approvals (they may still come)
  | 'direct-push'          // not the merge of a pull request
  | 'history-rewritten'    // the applied revision is no longer an ancestor
  | 'github-unavailable';  // GitHub could not be asked: hold at the last approved state

export type NotCountedReason = 'author' | 'stale' | 'superseded' | 'not-an-approver' | 'commented' | 'changes-requested';

export type ApproverRole = 'customer' | 'operator';

export interface CountedApproval {
  readonly login: string;
  /** The principal that made the reviewer an approver: their login or an `org/team`. */
  readonly via: string;
  readonly as: ApproverRole;
}

export interface NotCountedReview {
  readonly login: string;
  readonly reason: NotCountedReason;
}

export interface GateDecision {
  readonly gateway: string;
  readonly customer: string;
  readonly commit: string;
  readonly result: DecisionResult;
  readonly reason: DecisionReason;
  readonly pr?: { readonly number: number; readonly url: string; readonly author: string; readonly headSha: string };
  /** Which approvals the change needs. */
  readonly needs: { readonly customer: boolean; readonly operators: boolean };
  readonly counted: readonly CountedApproval[];
  readonly notCounted: readonly NotCountedReview[];
  readonly missing: {
    readonly customerApprovals: number;
    readonly operatorApprovals: number;
    /** Principals who could still supply a missing approval. */
    readonly approvers: readonly string[];
  };
  /** Set when the decision holds because GitHub failed. */
  readonly error?: string;
}

/**
 * A change no one has reviewed, for a plan made before its pull request is read (`essg plan`
 * without GitHub): every approval the change needs is missing.
 */
export interface NotReviewed {
  readonly kind: 'not-reviewed';
  readonly commitSha: string;
}

export interface DecideArgs {
  readonly change: GatewayChange;
  readonly policy: ApprovalPolicy;
  readonly facts: ApprovalFacts | NotReviewed;
}

export function decide({ change, policy, facts }: DecideArgs): GateDecision {
  const base = { gateway: change.gateway, customer: change.customer, commit: facts.commitSha };
  const needs = needsOf(change, policy);
  const nothingCounted = { counted: [], notCounted: [], missing: missingOf({ needs, policy, counted: [] }) };

  if (!hasChange(change)) {
    return { ...base, result: 'approved', reason: 'no-change', needs, counted: [], notCounted: [], missing: noneMissing };
  }
  if (facts.kind === 'history-rewritten') return { ...base, result: 'refused', reason: 'history-rewritten', needs, ...nothingCounted };
  // Emergency responses the customer authorised in advance must not wait on a review,
  // nor on GitHub being reachable: the fleet repo alone authorises them.
  if (!needs.customer && !needs.operators) {
    return { ...base, result: 'approved', reason: 'preauthorized', needs, counted: [], notCounted: [], missing: noneMissing };
  }
  if (facts.kind === 'unavailable') {
    return { ...base, result: 'hold', reason: 'github-unavailable', needs, ...nothingCounted, error: facts.error.message };
  }
  if (facts.kind === 'direct-push') return { ...base, result: 'refused', reason: 'direct-push', needs, ...nothingCounted };
  if (facts.kind === 'not-reviewed') return { ...base, result: 'awaiting-approval', reason: 'approvals-missing', needs, ...nothingCounted };

  const { counted, notCounted } = tally({ facts, policy, needs });
  const missing = missingOf({ needs, policy, counted });
  const complete = missing.customerApprovals === 0 && missing.operatorApprovals === 0;
  return {
    ...base,
    result: complete ? 'approved' : 'awaiting-approval',
    reason: complete ? 'approved' : 'approvals-missing',
    pr: { number: facts.pr.number, url: facts.pr.url, author: facts.pr.author, headSha: facts.pr.headSha },
    needs,
    counted,
    notCounted,
    missing,
  };
}

const noneMissing = { customerApprovals: 0, operatorApprovals: 0, approvers: [] } as const;

/** Whose approval a change needs under a policy (none: it is unchanged, or only pre-authorised responses). */
export function needsOf(change: GatewayChange, policy: ApprovalPolicy): GateDecision['needs'] {
  const unauthorisedResponses = [...change.responseActions].some((action) => !policy.preauthorized.includes(action));
  // A preauthorized response rides free only when it is the gateway's only change;
  // next to a workload change, the review covers the whole change.
  return {
    customer: change.touchesWorkloads || unauthorisedResponses,
    operators: change.fleetWide && change.touchesWorkloads,
  };
}

type PullRequestFacts = Extract<ApprovalFacts, { kind: 'pull-request' }>;

function tally({ facts, policy, needs }: { readonly facts: PullRequestFacts; readonly policy: ApprovalPolicy; readonly needs: GateDecision['needs'] }): {
  counted: CountedApproval[];
  notCounted: NotCountedReview[];
} {
  const counted: CountedApproval[] = [];
  const notCounted: NotCountedReview[] = [];
  const author = facts.pr.author.toLowerCase();
  for (const [login, reviews] of byReviewer(facts.reviews)) {
    const verdict = latestVerdict(reviews);
    if (!verdict) {
      notCounted.push({ login, reason: 'commented' });
      continue;
    }
    if (verdict.state === 'DISMISSED') {
      notCounted.push({ login, reason: 'superseded' });
      continue;
    }
    if (verdict.state === 'CHANGES_REQUESTED') {
      notCounted.push({ login, reason: reviews.some((r) => r.state === 'APPROVED' || r.state === 'DISMISSED') ? 'superseded' : 'changes-requested' });
      continue;
    }
    if (login.toLowerCase() === author) {
      notCounted.push({ login, reason: 'author' });
      continue;
    }
    const roles: CountedApproval[] = [];
    const asCustomer = needs.customer ? matchPrincipal(login, policy.approvers, facts.teamMembers) : undefined;
    const asOperator = needs.operators ? matchPrincipal(login, policy.operators, facts.teamMembers) : undefined;
    if (asCustomer) roles.push({ login, via: asCustomer, as: 'customer' });
    if (asOperator) roles.push({ login, via: asOperator, as: 'operator' });
    if (roles.length === 0) notCounted.push({ login, reason: 'not-an-approver' });
    else if (verdict.commitId !== facts.pr.headSha) notCounted.push({ login, reason: 'stale' });
    else counted.push(...roles);
  }
  return { counted, notCounted };
}

/** Reviews grouped per reviewer (GitHub logins are case-insensitive), each oldest first. */
function byReviewer(reviews: readonly ReviewFact[]): Map<string, ReviewFact[]> {
  const groups = new Map<string, ReviewFact[]>();
  const names = new Map<string, string>();
  const ordered = [...reviews].filter((r) => r.state !== 'PENDING').sort(
    (a, b) => (a.submittedAt ?? '').localeCompare(b.submittedAt ?? '') || a.id - b.id,
  );
  for (const review of ordered) {
    const key = review.login.toLowerCase();
    const name = names.get(key) ?? review.login;
    names.set(key, name);
    groups.set(name, [...(groups.get(name) ?? []), review]);
  }
  return groups;
}

/** The reviewer's standing: their latest review that took a position (COMMENTED takes none, as on GitHub). */
function latestVerdict(reviews: readonly ReviewFact[]): ReviewFact | undefined {
  return reviews.filter((r) => r.state !== 'COMMENTED').at(-1);
}

function matchPrincipal(login: string, principals: readonly string[], teams: TeamMembership): string | undefined {
  const who = login.toLowerCase();
  return principals.find((p) => (p.includes('/') ? teams.get(p.toLowerCase())?.has(who) === true : p.toLowerCase() === who));
}

function missingOf({ needs, policy, counted }: {
  readonly needs: GateDecision['needs']; readonly policy: ApprovalPolicy; readonly counted: readonly CountedApproval[];
}): GateDecision['missing'] {
  const distinct = (role: ApproverRole) => new Set(counted.filter((c) => c.as === role).map((c) => c.login.toLowerCase()));
  const customers = distinct('customer');
  const operators = distinct('operator');
  const customerApprovals = needs.customer ? Math.max(0, policy.requiredApprovals - customers.size) : 0;
  const operatorApprovals = needs.operators ? Math.max(0, policy.requiredOperatorApprovals - operators.size) : 0;
  // A login that already counted cannot supply another approval; a team still can.
  const open = (principals: readonly string[], done: ReadonlySet<string>) =>
    principals.filter((p) => p.includes('/') || !done.has(p.toLowerCase()));
  return {
    customerApprovals,
    operatorApprovals,
    approvers: [...(customerApprovals > 0 ? open(policy.approvers, customers) : []), ...(operatorApprovals > 0 ? open(policy.operators, operators) : [])],
  };
}
