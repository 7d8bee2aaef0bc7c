// Which revision each gateway should be on after this pass. Approvals off: every gateway
// follows the branch head while it is valid. Approvals on: each gateway walks the commits
// since its applied revision and stops before the first change it may not take.
import { approvalPolicy, fetchApprovalFacts, teamPrincipals, TeamMembershipCache, unavailableFacts, type ApprovalFacts, type ApprovalPolicy, type GateDecision, type GateOctokit } from '../gate/index.ts';
import type { Inventory } from '../plan/index.ts';
import type { CommitStore } from '../source/index.ts';
import { advanceGateway, type GatewayAtCommit } from './advance.ts';
import type { FleetAtCommit, FleetRevisions } from './fleet-at.ts';

export interface GitHubGate {
  readonly octokit: GateOctokit;
  readonly owner: string;
  readonly repo: string;
}

export interface GatewayTarget {
  readonly gateway: string;
  readonly customer: string;
  /** The revision to apply; undefined: leave the gateway as it is. */
  readonly revision: string | undefined;
  /** The branch head when the gateway is held short of it. */
  readonly pending?: string;
  readonly decisions: readonly GateDecision[];
  readonly blockedBy?: GateDecision;
}

export interface TargetsArgs {
  readonly head: FleetAtCommit;
  readonly inventories: ReadonlyMap<string, Inventory>;
  /** Whether the branch head could be fetched this pass: if not, nothing advances. */
  readonly headIsFresh: boolean;
  readonly revisions: FleetRevisions;
  readonly store: CommitStore;
  readonly now: string;
  /** undefined: approvals off. */
  readonly github?: GitHubGate;
  /** Commits up to and including this one are trusted without review (the operator's bootstrap). */
  readonly trustedRevision?: string;
  /** The revision each gateway was last brought to (kept in memory: the inventory records only revisions that changed its objects). */
  readonly accepted: ReadonlyMap<string, string>;
  /** Facts read in this pass, by commit: gateways sharing a commit ask GitHub once. */
  readonly factsCache: Map<string, ApprovalFacts>;
}

function customerOf(fleet: FleetAtCommit, gateway: string): string | undefined {
  return fleet.ok ? fleet.model.gateways.get(gateway)?.customer : undefined;
}

function policyAt(fleet: FleetAtCommit, customer: string): ApprovalPolicy | undefined {
  if (!fleet.ok) return undefined;
  const found = fleet.model.customers.get(customer);
  return found ? approvalPolicy({ fleet: fleet.model.fleet.doc, customer: found.doc }) : undefined;
}

export async function chooseTargets(args: TargetsArgs): Promise<GatewayTarget[]> {
  const { head, inventories } = args;
  const names = new Set<string>([...inventories.keys(), ...(head.ok ? head.model.gateways.keys() : [])]);
  const targets: GatewayTarget[] = [];
  for (const gateway of [...names].sort()) {
    const inventory = inventories.get(gateway);
    const customer = customerOf(head, gateway) ?? inventory?.objects.find((o) => o.namespace)?.namespace ?? '';
    const stay = { gateway, customer, revision: args.accepted.get(gateway) ?? (inventory?.revision || undefined), decisions: [] };
    if (!head.ok || !args.headIsFresh) {
      targets.push({ ...stay, ...(head.ok ? {} : { pending: head.commit }) });
    } else if (!args.github) {
      targets.push({ gateway, customer, revision: head.commit, decisions: [] });
    } else {
      try {
        targets.push(await gatedTarget({ ...args, github: args.github, gateway, customer, inventory }));
      } catch {
        // A Git read that fails for one gateway's history holds that gateway only.
        targets.push({ ...stay, pending: head.commit });
      }
    }
  }
  return targets;
}

async function gatedTarget(args: TargetsArgs & { github: GitHubGate; gateway: string; customer: string; inventory: Inventory | undefined }): Promise<GatewayTarget> {
  const { head, store, revisions, now, gateway, customer, inventory, trustedRevision } = args;
  const from = args.accepted.get(gateway) ?? (inventory?.revision || trustedRevision);
  if (from === head.commit) return { gateway, customer, revision: head.commit, decisions: [] };
  // An applied revision the branch no longer holds at all (force-push and garbage
  // collection, or another repo) counts as rewritten history for this gateway only.
  const known = from !== undefined && (await store.isAncestor({ ancestor: from, commit: from }).catch(() => false));
  const rewritten = from !== undefined && (!known || !(await store.isAncestor({ ancestor: from, commit: head.commit })));
  const history = (await store.commitsBetween({ ...(from && known ? { from } : {}), to: head.commit })).reverse();
  const base = from && known ? await revisions.at(from, now) : undefined;
  const teamCache = new TeamMembershipCache();
  const commits: GatewayAtCommit[] = [];
  let parent = from;
  for (const info of history) {
    const fleet = await revisions.at(info.sha, now);
    const changedPaths = parent ? (await store.changedPaths({ from: parent, to: info.sha })).map((c) => c.path) : ['fleet.yaml'];
    parent = info.sha;
    if (!fleet.ok) continue; // an invalid commit is never a target; a later valid one may be
    const facts: ApprovalFacts = rewritten
      ? { kind: 'history-rewritten', commitSha: info.sha, appliedRevision: from! }
      : await factsFor({ ...args, commitSha: info.sha, fleet, teamCache });
    const policy = policyAt(fleet, customer);
    commits.push({ sha: info.sha, changedPaths, objects: fleet.rendered.get(gateway)?.objects, policy, facts });
  }
  const applied = base?.ok ? { revision: base.commit, objects: base.rendered.get(gateway)?.objects ?? [], policy: policyAt(base, customer) } : undefined;
  const advancement = advanceGateway({ gateway, customer, applied, commits });
  return {
    gateway,
    customer,
    revision: advancement.target,
    ...(advancement.target !== head.commit ? { pending: head.commit } : {}),
    decisions: advancement.decisions,
    ...(advancement.blockedBy ? { blockedBy: advancement.blockedBy } : {}),
  };
}

async function factsFor({ github, factsCache, commitSha, fleet, teamCache }: { github: GitHubGate; factsCache: Map<string, ApprovalFacts>; commitSha: string; fleet: FleetAtCommit; teamCache: TeamMembershipCache }): Promise<ApprovalFacts> {
  const cached = factsCache.get(commitSha);
  if (cached) return cached;
  const policies = fleet.ok ? [...fleet.model.customers.values()].map((c) => approvalPolicy({ fleet: fleet.model.fleet.doc, customer: c.doc })) : [];
  try {
    const facts = await fetchApprovalFacts({ octokit: github.octokit, owner: github.owner, repo: github.repo, commitSha, teams: teamPrincipals(policies), teamCache });
    // Kept for this pass only: approvals given after the merge still count in later passes.
    factsCache.set(commitSha, facts);
    return facts;
  } catch (error) {
    return unavailableFacts({ commitSha, error });
  }
}
