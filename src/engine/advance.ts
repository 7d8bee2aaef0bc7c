// Per-gateway advancement: each gateway moves, commit by commit along the branch, to the
// newest commit whose changes to *its* render are all approved. Pure: commits, renders,
// policies and GitHub facts in; a target revision and the decisions that led there out.
import { isDeepStrictEqual } from 'node:util';
import { classifyChange, decide, type ApprovalFacts, type ApprovalPolicy, type GateDecision, type RenderedObject } from '../gate/index.ts';

/** One commit of the branch as the gate sees it for one gateway. */
export interface GatewayAtCommit {
  readonly sha: string;
  readonly changedPaths: readonly string[];
  /** The gateway's render at this commit; undefined when the commit removes the gateway. */
  readonly objects: readonly RenderedObject[] | undefined;
  /** The customer's approval policy at this commit (undefined when the customer is gone). */
  readonly policy: ApprovalPolicy | undefined;
  readonly facts: ApprovalFacts;
}

export interface AdvanceArgs {
  readonly gateway: string;
  readonly customer: string;
  /** The revision the gateway is on, and its render and policy there (undefined: never applied). */
  readonly applied: { readonly revision: string; readonly objects: readonly RenderedObject[]; readonly policy: ApprovalPolicy | undefined } | undefined;
  /** Commits after the applied revision, oldest first. */
  readonly commits: readonly GatewayAtCommit[];
}

export interface Advancement {
  /** The newest commit the gateway may be on; the applied revision when it cannot move. */
  readonly target: string | undefined;
  /** One decision per commit that changed this gateway, up to and including the one that stopped it. */
  readonly decisions: readonly GateDecision[];
  /** The decision that stopped the gateway short of the branch head. */
  readonly blockedBy?: GateDecision;
}

export function advanceGateway({ gateway, customer, applied, commits }: AdvanceArgs): Advancement {
  let target = applied?.revision;
  let previous = applied?.objects ?? [];
  // The policy in force is the one of the last accepted state: a pull request cannot
  // approve itself by naming new approvers.
  let policy = applied?.policy;
  const decisions: GateDecision[] = [];
  for (const commit of commits) {
    const candidate = commit.objects ?? [];
    const classified = classifyChange({ gateway, customer, previous, candidate, changedPaths: commit.changedPaths });
    // A change to who approves is itself a change that needs the current approvers and
    // the fleet's operators, even though it renders nothing different.
    const policyChanged = policy !== undefined && commit.policy !== undefined && !isDeepStrictEqual(policy, commit.policy);
    // A customer without an accepted policy yet has its first approvers introduced by this
    // very change: the fleet's operators must approve it too.
    const newcomer = policy === undefined;
    const change = policyChanged || newcomer ? { ...classified, touchesWorkloads: classified.touchesWorkloads || policyChanged, fleetWide: true } : classified;
    const ruling = policy ?? commit.policy;
    if (ruling) {
      const decision = decide({ change, policy: ruling, facts: commit.facts });
      if (decision.reason !== 'no-change') decisions.push(decision);
      if (decision.result !== 'approved') return { target, decisions, blockedBy: decision };
    }
    target = commit.sha;
    previous = candidate;
    // A policy is accepted for this gateway only once the gateway exists under it: a
    // customer file pushed before its gateways were reviewed is not trusted by itself.
    if (commit.policy && commit.objects !== undefined) policy = commit.policy;
  }
  return { target, decisions };
}
