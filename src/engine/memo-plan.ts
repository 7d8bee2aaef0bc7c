// The plan step: each gateway this pass owns planned at the revision the rollout decided,
// against the live objects we own, through the engine's memory of the last pass; what the
// gateways share planned once, from every gateway's render. The engine's plan step runs this,
// and so does the scale benchmark, so that it measures this step.
import { atRevision, objectHash, planGateway, planReads, planSharedWanted, splitShared, withSharedDeletes, type GatewayPlan, type Inventory, type LiveByGateway, type LiveObject, type SharedPlan, type SharedWanted, type SplitRender } from '../diff/index.ts';
import type { K8sObject, RenderedGateway } from '../render/index.ts';

/** The renders of the fleet at one revision, or none when that revision cannot be read. */
export type FleetRenders = { readonly ok: true; readonly rendered: ReadonlyMap<string, RenderedGateway> } | { readonly ok: false };

export interface PlanFleetArgs {
  readonly memo: PlanMemo;
  /** Every gateway of the pass (the gate's targets), in order: the first gateway to want a shared object gives it. */
  readonly gateways: Iterable<string>;
  /** The revision the rollout decided for a gateway; undefined: it is left as it is. */
  readonly revisionOf: (gateway: string) => string | undefined;
  /** The fleet at a revision: asked once per revision a pass plans. */
  readonly fleetAt: (revision: string) => Promise<FleetRenders>;
  readonly inventories: ReadonlyMap<string, Inventory>;
  readonly live: LiveByGateway;
  /** Whether this replica writes the gateway (its shard). The shared objects of every gateway count. */
  readonly owns: (gateway: string) => boolean;
}

export interface FleetPlan {
  readonly plans: readonly GatewayPlan[];
  readonly shared: SharedPlan;
}

const NOTHING: readonly K8sObject[] = Object.freeze([]);

export async function planFleet({ memo, gateways, revisionOf, fleetAt, inventories, live, owns }: PlanFleetArgs): Promise<FleetPlan> {
  const plans: GatewayPlan[] = [];
  const shared: (readonly K8sObject[])[] = [];
  const fleets = new Map<string, FleetRenders>();
  // Most gateways of a pass stand at one revision: asked of the map only when it changes.
  let lastRevision: string | undefined;
  let lastFleet: FleetRenders | undefined;
  memo.startPass();
  for (const gateway of gateways) {
    const revision = revisionOf(gateway);
    if (!revision) continue;
    if (revision !== lastRevision) {
      let fleet = fleets.get(revision);
      if (!fleet) fleets.set(revision, (fleet = await fleetAt(revision)));
      lastRevision = revision;
      lastFleet = fleet;
    }
    if (!lastFleet!.ok) continue; // a gateway's own last revision can no longer be read: leave it
    const rendered = lastFleet!.rendered.get(gateway);
    const entry = memo.entry(gateway, rendered);
    if (entry.split.shared.length > 0) shared.push(entry.split.shared);
    if (!owns(gateway)) {
      entry.made = undefined;
      continue;
    }
    plans.push(memo.plan(entry, { gateway, rendered, own: entry.split.own, live: live.byGateway.get(gateway) ?? NOTHING, inventory: inventories.get(gateway), revision }));
  }
  memo.forgetUnseen();
  return { plans, shared: memo.planShared({ desired: shared, live, inventories: inventories.values() }) };
}

export interface MemoPlanArgs {
  readonly gateway: string;
  /** The gateway's render at the revision the rollout decided (undefined: removed from the fleet). */
  readonly rendered: RenderedGateway | undefined;
  /** Its rendered objects but those gateways share (splitShared(...).own). */
  readonly own: readonly K8sObject[];
  /** The live objects labelled as its own (liveOfGateway). */
  readonly live: readonly LiveObject[];
  readonly inventory: Inventory | undefined;
  readonly revision: string;
}

/** What the memo keeps of one gateway of the pass: its render split once, and its plan when this replica owns it. */
export interface GatewayEntry {
  rendered: RenderedGateway | undefined;
  split: SplitRender;
  /** The pass that last asked for it. */
  pass: number;
  made: MadePlan | undefined;
}

/** What one gateway's plan was made from, and the plan. */
interface MadePlan {
  readonly rendered: RenderedGateway | undefined;
  readonly inventoryObjects: Inventory['objects'] | undefined;
  readonly renderHash: string | undefined;
  readonly appliedRevision: string | undefined;
  /** The live objects it was last asked with, and what the plan read of them (planReads). */
  live: readonly LiveObject[];
  readonly reads: readonly unknown[];
  readonly plan: GatewayPlan;
}

/** What the shared plan was made from. */
interface MadeShared {
  readonly desired: readonly (readonly K8sObject[])[];
  readonly live: readonly LiveObject[];
  readonly wanted: SharedWanted;
}

/**
 * What each plan was last made from. Keyed by what the plan reads, not the commit: a push that
 * leaves a gateway's render as it was (the render cache hands out the same object) plans nothing
 * for it again, nor does a live object whose status alone moved (planReads). Asked first with
 * the objects themselves (the watch cache hands out one object until it changes): a gateway
 * nothing happened to costs a few comparisons and allocates nothing, which at 100,000
 * gateways is most of the plan step's time.
 */
export class PlanMemo {
  private readonly last = new Map<string, GatewayEntry>();
  private lastShared: MadeShared | undefined;
  private makes = 0;
  private pass = 0;
  private seen = 0;

  /** How many gateway plans were made, not kept, since this memo was created. */
  get made(): number {
    return this.makes;
  }

  /** Begins a pass: the gateways it does not ask for are forgotten at its end (forgetUnseen). */
  startPass(): void {
    this.pass++;
    this.seen = 0;
  }

  /** The gateway's entry for this pass, its render split again only when the render is another object. */
  entry(gateway: string, rendered: RenderedGateway | undefined): GatewayEntry {
    let entry = this.last.get(gateway);
    if (!entry) this.last.set(gateway, (entry = { rendered, split: splitShared(rendered?.objects ?? NOTHING), pass: 0, made: undefined }));
    else if (entry.rendered !== rendered) {
      entry.rendered = rendered;
      entry.split = splitShared(rendered?.objects ?? NOTHING);
    }
    if (entry.pass !== this.pass) {
      entry.pass = this.pass;
      this.seen++;
    }
    return entry;
  }

  /** Forgets the gateways this pass did not ask for; nothing to walk when it asked for every one it knows. */
  forgetUnseen(): void {
    if (this.seen === this.last.size) return;
    for (const [gateway, entry] of this.last) if (entry.pass !== this.pass) this.last.delete(gateway);
  }

  plan(entry: GatewayEntry, { gateway, rendered, own, live, inventory, revision }: MemoPlanArgs): GatewayPlan {
    const last = entry.made;
    if (last && last.rendered === rendered && last.inventoryObjects === inventory?.objects && last.renderHash === inventory?.renderHash && last.appliedRevision === inventory?.revision) {
      if (sameItems(last.live, live)) return atRevision(last.plan, revision);
      if (sameItems(last.reads, planReads({ desired: own, live }))) {
        last.live = live;
        return atRevision(last.plan, revision);
      }
    }
    this.makes++;
    const plan = planGateway({
      gateway,
      desired: own,
      live,
      ...(inventory && inventory.revision ? { inventory } : {}),
      revision,
      renderHash: rendered?.inputHash ?? '',
    });
    entry.made = { rendered, inventoryObjects: inventory?.objects, renderHash: inventory?.renderHash, appliedRevision: inventory?.revision, live, reads: planReads({ desired: own, live }), plan };
    return atRevision(plan, revision);
  }

  /**
   * The shared plan from each gateway's shared objects (one list per render) and the live shared
   * objects: kept while the live ones are the same objects and each list is the same list or
   * holds objects of the same content (a gateway's own change renders its Namespace again, as it
   * was); what is pruned is decided afresh while something is unwanted.
   */
  planShared({ desired, live, inventories }: { desired: readonly (readonly K8sObject[])[]; live: LiveByGateway; inventories: Iterable<Inventory> }): SharedPlan {
    const last = this.lastShared;
    const wanted = last && sameItems(last.live, live.shared) && sameContents(last.desired, desired) ? last.wanted : planSharedWanted({ desired: desired.flat(), live });
    this.lastShared = { desired, live: live.shared, wanted };
    return withSharedDeletes(wanted, live, inventories);
  }
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The same lists, in order, each the same list or one of objects of the same content. */
function sameContents(a: readonly (readonly K8sObject[])[], b: readonly (readonly K8sObject[])[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x !== y && (x.length !== y.length || x.some((object, j) => objectHash(object) !== objectHash(y[j]!)))) return false;
  }
  return true;
}
