// Which revision each gateway should be on after this pass. Approvals off: every gateway
// follows the branch head while it is valid. Approvals on: each gateway walks the commits
// since its applied revision and stops before the first change it may not take.
import { advanceGateway, type GatewayAtCommit, type GatewayRender } from './advance.ts';
import type { GateDecision } from './decide.ts';
import type { GitHubRepoRef, PassFacts } from './pass-facts.ts';
import { approvalPolicy, teamPrincipals, type ApprovalPolicy } from './policy.ts';
import type { Inventory } from '../diff/index.ts';
import type { CommitInfo, CommitStore } from '../source/index.ts';
import type { FleetAtCommit, FleetRevisions } from '../load/index.ts';

export type GitHubGate = GitHubRepoRef;

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
  /** This pass's GitHub facts; undefined: approvals off. */
  readonly facts?: PassFacts;
  /** Commits up to and including this one are trusted without review (the operator's bootstrap). */
  readonly trustedRevision?: string;
  /** The revision each gateway is on, from its durable rollout state (the inventory's revision moves only when its objects change). */
  readonly onRevision: ReadonlyMap<string, string>;
}

function customerOf(fleet: FleetAtCommit, gateway: string): string | undefined {
  return fleet.ok ? fleet.model.gateways.get(gateway)?.customer : undefined;
}

function policyAt(fleet: FleetAtCommit, customer: string): ApprovalPolicy | undefined {
  if (!fleet.ok) return undefined;
  const found = fleet.model.customers.get(customer);
  return found ? approvalPolicy({ fleet: fleet.model.fleet.doc, customer: found.doc }) : undefined;
}

function renderAt(fleet: FleetAtCommit, gateway: string): GatewayRender | undefined {
  const rendered = fleet.ok ? fleet.rendered.get(gateway) : undefined;
  return rendered ? { objects: rendered.objects, operatorHash: rendered.operatorHash } : undefined;
}

const teamsByFleet = new WeakMap<FleetAtCommit, readonly string[]>();

/** Every `org/team` the fleet at a commit names, customers and operators: what a review may be credited through. */
function teamsAt(fleet: FleetAtCommit): readonly string[] {
  let teams = teamsByFleet.get(fleet);
  if (!teams) {
    teams = fleet.ok ? teamPrincipals([...fleet.model.customers.values()].map((c) => approvalPolicy({ fleet: fleet.model.fleet.doc, customer: c.doc }))) : [];
    teamsByFleet.set(fleet, teams);
  }
  return teams;
}

/** The commits from a gateway's revision to the head, oldest first, and whether that revision is still in the branch's history. */
interface HistoryWalk {
  readonly known: boolean;
  readonly rewritten: boolean;
  readonly history: readonly CommitInfo[];
}

/** Walks of the history to the head, once per starting revision and pass: gateways on the same revision share one. */
class HistoryWalks {
  private readonly byFrom = new Map<string, Promise<HistoryWalk>>();

  constructor(private readonly store: CommitStore, private readonly head: string) {}

  from(from: string | undefined): Promise<HistoryWalk> {
    const key = from ?? '';
    let walk = this.byFrom.get(key);
    if (!walk) {
      walk = this.walk(from);
      this.byFrom.set(key, walk);
    }
    return walk;
  }

  private async walk(from: string | undefined): Promise<HistoryWalk> {
    // An applied revision the branch no longer holds at all (force-push and garbage
    // collection, or another repo) counts as rewritten history for this gateway only.
    const known = from !== undefined && (await this.store.isAncestor({ ancestor: from, commit: from }).catch(() => false));
    const rewritten = from !== undefined && (!known || !(await this.store.isAncestor({ ancestor: from, commit: this.head })));
    const history = (await this.store.commitsBetween({ ...(from && known ? { from } : {}), to: this.head })).reverse();
    return { known, rewritten, history };
  }
}

/** The customer of a gateway the head does not declare (removed, or the head is bad): the one it had at the revision it is on. */
async function customerWhereApplied({ revisions, now }: TargetsArgs, gateway: string, on: string | undefined): Promise<string> {
  if (!on) return '';
  const applied = await revisions.at(on, now).catch(() => undefined);
  return (applied && customerOf(applied, gateway)) ?? '';
}

export async function chooseTargets(args: TargetsArgs): Promise<GatewayTarget[]> {
  const { head, inventories } = args;
  const names = new Set<string>([...inventories.keys(), ...(head.ok ? head.model.gateways.keys() : [])]);
  const targets: GatewayTarget[] = [];
  const walks = new HistoryWalks(args.store, head.commit);
  for (const gateway of [...names].sort()) {
    const inventory = inventories.get(gateway);
    const on = args.onRevision.get(gateway) ?? (inventory?.revision || undefined);
    const customer = customerOf(head, gateway) ?? (await customerWhereApplied(args, gateway, on));
    const stay = { gateway, customer, revision: on, decisions: [] };
    if (!head.ok || !args.headIsFresh) {
      targets.push({ ...stay, ...(head.ok ? {} : { pending: head.commit }) });
    } else if (!args.facts) {
      targets.push({ gateway, customer, revision: head.commit, decisions: [] });
    } else {
      try {
        targets.push(await gatedTarget({ ...args, facts: args.facts, walks, gateway, customer, inventory }));
      } catch {
        // A Git read that fails for one gateway's history holds that gateway only.
        targets.push({ ...stay, pending: head.commit });
      }
    }
  }
  return targets;
}

async function gatedTarget(args: TargetsArgs & { facts: PassFacts; walks: HistoryWalks; gateway: string; customer: string; inventory: Inventory | undefined }): Promise<GatewayTarget> {
  const { head, revisions, now, gateway, inventory, trustedRevision } = args;
  const from = args.onRevision.get(gateway) ?? (inventory?.revision || trustedRevision);
  if (from === head.commit) return { gateway, customer: args.customer, revision: head.commit, decisions: [] };
  const { known, rewritten, history } = await args.walks.from(from);
  // The first commit after the applied one is the one the walk most likely asks GitHub about:
  // asked now, GitHub's answer (or an outage's retries) overlaps loading that commit.
  if (known && !rewritten && history[0]) args.facts.prefetch(history[0].sha);
  const base = from && known ? await revisions.at(from, now) : undefined;
  // A gateway removed from the fleet belongs to the customer it had where it was accepted:
  // its removal needs that customer's review like any other change.
  const customer = customerOf(head, gateway) ?? (base ? customerOf(base, gateway) : undefined) ?? args.customer;
  const fleets = new Map<string, FleetAtCommit>();
  // Loaded as the walk reaches them: a gateway held at its first pending commit (an outage,
  // a missing review) waits for that one commit's load, not for every commit up to the head.
  async function* commits(): AsyncGenerator<GatewayAtCommit> {
    for (const info of history) {
      const fleet = await revisions.at(info.sha, now);
      if (!fleet.ok) continue; // an invalid commit is never a target; a later valid one may be
      fleets.set(info.sha, fleet);
      yield { sha: info.sha, render: renderAt(fleet, gateway), policy: policyAt(fleet, customer) };
    }
  }
  const advancement = await advanceGateway({
    gateway,
    customer,
    applied: base?.ok ? { revision: base.commit, render: renderAt(base, gateway), policy: policyAt(base, customer) } : undefined,
    commits: commits(),
    facts: (commit) => args.facts.factsFor({ commit, teams: teamsAt(fleets.get(commit)!) }),
    ...(rewritten ? { rewrittenFrom: from } : {}),
  });
  return {
    gateway,
    customer,
    revision: advancement.target,
    ...(advancement.target !== head.commit ? { pending: head.commit } : {}),
    decisions: advancement.decisions,
    ...(advancement.blockedBy ? { blockedBy: advancement.blockedBy } : {}),
  };
}
