// Per-gateway advancement: each gateway moves, commit by commit along the branch, to the
// newest commit whose changes to *its* render are all approved. The rule is pure; GitHub's
// facts come through a lookup that is asked only for a change that needs a review, so a
// pre-authorised response never waits on GitHub and the walk asks nothing past its stop.
// The commits come one at a time (an async iterable): the walk reads none past its stop
// either, so a gateway held at its first pending commit costs that commit's load alone.
import { isDeepStrictEqual } from 'node:util';
import type { ApprovalFacts } from './approval-facts.ts';
import { classifyChange, hasChange, type RenderedObject } from './classify-change.ts';
import { decide, needsOf, type GateDecision } from './decide.ts';
import type { ApprovalPolicy } from './policy.ts';

/** A gateway's render at one revision, as the gate compares it. */
export interface GatewayRender {
  readonly objects: readonly RenderedObject[];
  /** See `operatorKey`: the catalog files and fleet settings the render uses. */
  readonly operatorHash: string;
}

/** One commit of the branch as the gate sees it for one gateway. */
export interface GatewayAtCommit {
  readonly sha: string;
  /** The gateway's render at this commit; undefined when the commit removes the gateway. */
  readonly render: GatewayRender | undefined;
  /** The customer's approval policy at this commit (undefined when the customer is gone). */
  readonly policy: ApprovalPolicy | undefined;
}

/** What GitHub (or Git, for rewritten history) says about a commit. Never throws: a failure is `unavailable` facts. */
export type FactsLookup = (commit: string) => Promise<ApprovalFacts>;

export interface AdvanceArgs {
  readonly gateway: string;
  readonly customer: string;
  /** The revision the gateway is on, and its render and policy there (undefined: never applied). */
  readonly applied: { readonly revision: string; readonly render: GatewayRender | undefined; readonly policy: ApprovalPolicy | undefined } | undefined;
  /** Commits after the applied revision, oldest first; read one at a time, never past the stop. */
  readonly commits: Iterable<GatewayAtCommit> | AsyncIterable<GatewayAtCommit>;
  readonly facts: FactsLookup;
  /**
   * Set to the applied revision when the branch no longer descends from it (a force-push):
   * every change is then refused for this gateway, pre-authorised responses included.
   */
  readonly rewrittenFrom?: string;
}

export interface Advancement {
  /** The newest commit the gateway may be on; the applied revision when it cannot move. */
  readonly target: string | undefined;
  /** One decision per commit that changed this gateway, up to and including the one that stopped it. */
  readonly decisions: readonly GateDecision[];
  /** The decision that stopped the gateway short of the branch head. */
  readonly blockedBy?: GateDecision;
}

/** The policy when no customer is known at either end of a change: it fails closed, nobody can approve it. */
const NOBODY_APPROVES: ApprovalPolicy = { approvers: [], requiredApprovals: 1, preauthorized: [], operators: [], requiredOperatorApprovals: 1 };

/** Facts for a change that needs none (no change, or only pre-authorised responses): never sent to GitHub. */
const notAsked = (commit: string): ApprovalFacts => ({ kind: 'direct-push', commitSha: commit, unmergedPullRequests: [] });

export async function advanceGateway({ gateway, customer, applied, commits, facts, rewrittenFrom }: AdvanceArgs): Promise<Advancement> {
  const factsFor = (commit: string, needed: boolean): Promise<ApprovalFacts> | ApprovalFacts => {
    if (rewrittenFrom !== undefined) return { kind: 'history-rewritten', commitSha: commit, appliedRevision: rewrittenFrom };
    return needed ? facts(commit) : notAsked(commit);
  };
  let target = applied?.revision;
  let previous = applied?.render;
  // The policy in force is the one of the last accepted state: a pull request cannot
  // approve itself by naming new approvers.
  let policy = applied?.policy;
  const decisions: GateDecision[] = [];
  for await (const commit of commits) {
    const classified = classifyChange({
      gateway, customer,
      previous: previous?.objects ?? [],
      candidate: commit.render?.objects ?? [],
      operatorHash: { previous: previous?.operatorHash, candidate: commit.render?.operatorHash },
    });
    // A change to who approves is itself a change that needs the current approvers and
    // the fleet's operators, even though it renders nothing different.
    const policyChanged = policy !== undefined && commit.policy !== undefined && !isDeepStrictEqual(policy, commit.policy);
    // A customer without an accepted policy yet has its first approvers introduced by this
    // very change: the fleet's operators must approve it too.
    const newcomer = policy === undefined;
    const change = policyChanged || newcomer ? { ...classified, touchesWorkloads: classified.touchesWorkloads || policyChanged, fleetWide: true } : classified;
    const ruling = policy ?? commit.policy ?? NOBODY_APPROVES;
    const needs = needsOf(change, ruling);
    const asks = hasChange(change) && (needs.customer || needs.operators);
    const decision = decide({ change, policy: ruling, facts: await factsFor(commit.sha, asks) });
    if (decision.reason !== 'no-change') decisions.push(decision);
    if (decision.result !== 'approved') return { target, decisions, blockedBy: decision };
    target = commit.sha;
    previous = commit.render;
    // A policy is accepted for this gateway only once the gateway exists under it: a
    // customer file pushed before its gateways were reviewed is not trusted by itself.
    if (commit.policy && commit.render !== undefined) policy = commit.policy;
  }
  return { target, decisions };
}
