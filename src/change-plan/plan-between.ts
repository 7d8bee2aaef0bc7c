// The IO around planChanges: read two revisions of a fleet repo from Git (no checkout),
// load and render both as of one fixed time, ask for the pull request's reviews when some
// change needs an approval, and plan. Used by `essg plan`.
import { fleetAt, GatewayRenders, renderGateways, type RenderedGateways } from '../load/index.ts';
import { teamPrincipals } from '../gate/index.ts';
import type { FleetModel } from '../model/fleet-model.ts';
import type { CommitStore } from '../source/index.ts';
import { type FileTexts, isPublishedCatalogEdit } from './catalog-immutable.ts';
import { type PlanChangesArgs, type PlanSide, type ReviewFacts, planChanges, planPolicy } from './plan-changes.ts';
import type { ChangePlan, PlanProblem } from './types.ts';

export interface PlanBetweenArgs {
  readonly store: CommitStore;
  /** Revisions as `CommitStore.resolve` reads them (`origin/main`, `HEAD`, a sha). */
  readonly base: string;
  readonly head: string;
  /**
   * The plan time (RFC 3339): what expires by then is left out on both sides.
   * @default the head commit's committer time, so the same commits always give the same plan
   */
  readonly now?: string;
  /**
   * The pull request's reviews, asked for only when the head fleet loads and some change
   * needs an approval.
   * @default - none read: every approval the change needs is listed as needed
   */
  readonly reviews?: ReviewsLookup;
}

/**
 * What GitHub says about the pull request. `teams` are the `org/team` principals the plan's
 * approval policies name (the head fleet's customers and operators, and any customer the
 * change removes), `head` the planned head commit. Never throws: a failure is `unavailable` facts.
 */
export type ReviewsLookup = (args: { readonly teams: readonly string[]; readonly head: string }) => Promise<ReviewFacts>;

export interface PlanBetweenResult {
  readonly plan: ChangePlan;
  readonly baseSha: string;
  readonly headSha: string;
}

/** @throws GitSourceError when a revision cannot be read; FleetReadError when a tree cannot be listed. */
export async function planBetween({ store, base, head, now, reviews }: PlanBetweenArgs): Promise<PlanBetweenResult> {
  const [baseSha, headSha] = [await store.resolve(base), await store.resolve(head)];
  const time = now ?? new Date((await store.readCommit(headSha)).committerTime * 1000).toISOString();
  const changedPaths = await store.changedPaths({ from: baseSha, to: headSha });
  const renders = new GatewayRenders();
  const baseSide = await sideAt({ store, sha: baseSha, now: time, renders });
  const headSide = await sideAt({ store, sha: headSha, now: time, renders });
  const texts = new Map<string, { base: string; head: string }>();
  for (const change of changedPaths.filter(isPublishedCatalogEdit)) {
    texts.set(change.path, { base: await textAt(store, baseSha, change.path), head: await textAt(store, headSha, change.path) });
  }
  const args: PlanChangesArgs = {
    base: 'problems' in baseSide ? undefined : baseSide,
    head: headSide,
    changedPaths,
    now: time,
    revisions: { base: baseSha, head: headSha },
    texts: texts as FileTexts,
  };
  const unreviewed = planChanges(args);
  if (!reviews || 'problems' in headSide || !needsApproval(unreviewed)) return { plan: unreviewed, baseSha, headSha };
  const facts = await reviews({ teams: teamsOf({ base: args.base, head: headSide }), head: headSha });
  return { plan: planChanges({ ...args, facts }), baseSha, headSha };
}

function needsApproval(plan: ChangePlan): boolean {
  return plan.ok && (plan.operators !== undefined || plan.customers.some((c) => c.approval !== undefined));
}

/** Every `org/team` a review may be credited through in this plan. */
function teamsOf({ base, head }: { readonly base: PlanSide | undefined; readonly head: PlanSide }): string[] {
  const customers = new Set([...head.model.customers.keys(), ...(base?.model.customers.keys() ?? [])]);
  return teamPrincipals([...customers].flatMap((customer) => planPolicy({ base, head, customer }) ?? []));
}

async function sideAt({ store, sha, now, renders }: { readonly store: CommitStore; readonly sha: string; readonly now: string; readonly renders: GatewayRenders }): Promise<PlanSide | { problems: readonly PlanProblem[] }> {
  const fleet = await fleetAt({ reader: store.readerAt(sha), now, renders });
  return fleet.ok ? sideOf(fleet.model, fleet) : { problems: fleet.problems };
}

/** Renders each gateway on its own (the fleet-at render), so a render failure names the gateway file at fault. */
export function renderSide({ model, now, renders }: { readonly model: FleetModel; readonly now: string; readonly renders?: GatewayRenders }): PlanSide | { problems: readonly PlanProblem[] } {
  return sideOf(model, renderGateways({ model, now, ...(renders ? { renders } : {}) }));
}

function sideOf(model: FleetModel, { rendered, failures }: RenderedGateways): PlanSide | { problems: readonly PlanProblem[] } {
  if (failures.size > 0) return { problems: [...failures.values()].map(({ file, line, col, code, message }) => ({ file, line, col, code, message })) };
  return { model, rendered: [...rendered.values()] };
}

async function textAt(store: CommitStore, sha: string, path: string): Promise<string> {
  const bytes = await store.readerAt(sha).read(path, 4 * 1024 * 1024);
  return new TextDecoder().decode(bytes);
}
