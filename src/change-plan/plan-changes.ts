// planChanges: the per-gateway change plan between a base and a head revision of the
// fleet repo, as a pull request shows it. Pure: both models and renders (and what GitHub
// says about the pull request's reviews) come in, the plan goes out. Only gateways whose
// render changes are listed. Approvals are counted by the gate's own `decide`, so the plan
// credits exactly the reviews the reconciler will.
import { isDeepStrictEqual } from 'node:util';
import { type ApprovalFacts, type ApprovalPolicy, type GateDecision, type NotReviewed, type PullRequestFacts, approvalPolicy, classifyChange, decide, hasChange } from '../gate/index.ts';
import type { FleetModel } from '../model/fleet-model.ts';
import { DATA_POLICY_FILE, type K8sObject, type RenderedGateway } from '../render/index.ts';
import { type ChangedPath, type FileTexts, catalogImmutabilityProblems } from './catalog-immutable.ts';
import { NO_DATA_CHANGES, dataAuthorisationChanges } from './data-changes.ts';
import { activeResponses, imagesToPull, responseChanges, serviceChanges } from './gateway-diff.ts';
import type { ApprovalGiven, ApprovalNeed, ChangePlan, CustomerPlan, GatewayChangePlan, PlanProblem, PlanReviews, ReviewNotCounted } from './types.ts';

export interface PlanSide {
  readonly model: FleetModel;
  readonly rendered: readonly RenderedGateway[];
}

export interface PlanChangesArgs {
  /** The target branch's revision; undefined when it does not load (every head gateway is then new). */
  readonly base: PlanSide | undefined;
  /** The pull request's revision, or the problems that keep it from loading or rendering. */
  readonly head: PlanSide | { readonly problems: readonly PlanProblem[] };
  readonly changedPaths: readonly ChangedPath[];
  /** The time responses and expiring services are judged at (RFC 3339); the renders must use the same. */
  readonly now: string;
  readonly revisions?: { readonly base: string; readonly head: string };
  /** Base and head texts of changed files, so a catalog edit is reported at its first changed line. */
  readonly texts?: FileTexts;
  /**
   * What GitHub says about the pull request, to count reviews already given; `unavailable`
   * when GitHub could not be asked (every required approval is then listed as needed).
   * @default - no reviews read: every required approval is listed as needed
   */
  readonly facts?: ReviewFacts;
}

/** The facts a plan can count reviews from: the open pull request, or GitHub's failure. */
export type ReviewFacts = PullRequestFacts | Extract<ApprovalFacts, { kind: 'unavailable' }>;

export function planChanges(args: PlanChangesArgs): ChangePlan {
  const { base, head, changedPaths, now } = args;
  const problems: PlanProblem[] = [...('problems' in head ? head.problems : []), ...catalogImmutabilityProblems({ changedPaths, ...(args.texts ? { texts: args.texts } : {}) })];
  const common = { now, ...(args.revisions ? { revisions: args.revisions } : {}), baseInvalid: base === undefined };
  if ('problems' in head) {
    return { ok: false, ...common, problems, customers: [], operators: undefined, reviews: notRead, dataAuthorisation: NO_DATA_CHANGES, summary: emptySummary };
  }
  const gateways = gatewayPlans({ base, head, now, facts: args.facts ?? { kind: 'not-reviewed', commitSha: args.revisions?.head ?? 'HEAD' } });
  const customers = groupByCustomer(gateways.map((g) => g.plan), gateways);
  const operators = mergeNeeds(gateways.map((g) => g.operators));
  const reviews = reviewsOf(args.facts, gateways.flatMap((g) => (g.decision ? [g.decision] : [])));
  const dataAuthorisation = problems.length === 0 ? dataAuthorisationChanges({ before: base?.model, after: head.model, now: Date.parse(now) }) : NO_DATA_CHANGES;
  return { ok: problems.length === 0, ...common, problems, customers, operators, reviews, dataAuthorisation, summary: summarize(customers) };
}

/**
 * The approval policy a gateway's change is judged by: its customer's in the head fleet, or
 * in the base when the change removes the customer.
 */
export function planPolicy({ base, head, customer }: { readonly base: PlanSide | undefined; readonly head: PlanSide; readonly customer: string }): ApprovalPolicy | undefined {
  const doc = (head.model.customers.get(customer) ?? base?.model.customers.get(customer))?.doc;
  return doc ? approvalPolicy({ fleet: head.model.fleet.doc, customer: doc }) : undefined;
}

interface PlannedGateway {
  readonly plan: GatewayChangePlan;
  readonly decision: GateDecision | undefined;
  readonly customer: ApprovalNeed | undefined;
  readonly operators: ApprovalNeed | undefined;
}

function gatewayPlans({ base, head, now, facts }: {
  readonly base: PlanSide | undefined; readonly head: PlanSide; readonly now: string; readonly facts: ApprovalFacts | NotReviewed;
}): PlannedGateway[] {
  const time = Date.parse(now);
  const before = new Map((base?.rendered ?? []).map((r) => [r.gateway, r]));
  const after = new Map(head.rendered.map((r) => [r.gateway, r]));
  const sharedNamespaces = { before: namespacesOf(base?.rendered ?? []), after: namespacesOf(head.rendered) };
  const out: PlannedGateway[] = [];
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const old = before.get(name);
    const next = after.get(name);
    // Equal input hashes are equal renders: nothing to compare.
    if (old && next && old.inputHash === next.inputHash) continue;
    const customer = (next ?? old)?.customer ?? '';
    const change = classifyChange({ gateway: name, customer, previous: old?.objects ?? [], candidate: next?.objects ?? [], operatorHash: { previous: old?.operatorHash, candidate: next?.operatorHash } });
    if (!hasChange(change) && old && next) continue;
    const model = { before: base?.model.gateways.get(name), after: head.model.gateways.get(name) };
    const policy = planPolicy({ base, head, customer });
    const decision = policy ? decide({ change, policy, facts }) : undefined;
    const responses = responseChanges({
      before: activeResponses({ model: base?.model, gateway: name, now: time }),
      after: activeResponses({ model: head.model, gateway: name, now: time }),
    });
    const plan: GatewayChangePlan = {
      gateway: name,
      customer,
      change: !old ? 'added' : !next ? 'removed' : 'changed',
      services: serviceChanges({ before: model.before, after: model.after, now: time }),
      responses,
      imagesToPull: imagesToPull({ before: old?.objects ?? [], after: next?.objects ?? [] }),
      objectsChanged: change.changedObjects.filter((key) => !isUnchangedSharedNamespace(key, sharedNamespaces)).length,
      dataPolicyChanged: old !== undefined && next !== undefined && dataPoliciesOf(old.objects) !== dataPoliciesOf(next.objects),
      needs: decision?.needs ?? { customer: true, operators: change.fleetWide },
    };
    out.push({
      plan,
      decision,
      customer: decision && policy && decision.needs.customer ? needOf({ decision, role: 'customer', principals: policy.approvers }) : undefined,
      operators: decision && policy && decision.needs.operators ? needOf({ decision, role: 'operator', principals: policy.operators }) : undefined,
    });
  }
  return out;
}

/** Every data-policy.json the render holds, as one text: equal texts, the same policy at the edge. */
function dataPoliciesOf(objects: readonly K8sObject[]): string {
  return objects
    .filter((o) => o.kind === 'ConfigMap')
    .map((o) => (o as { data?: Record<string, string> }).data?.[DATA_POLICY_FILE])
    .filter((text): text is string => text !== undefined)
    .sort()
    .join('\n');
}

/** What one gateway's decision says about one role: who counted, how many are still missing and from whom. */
function needOf({ decision, role, principals }: {
  readonly decision: GateDecision; readonly role: 'customer' | 'operator'; readonly principals: readonly string[];
}): ApprovalNeed {
  const required = role === 'customer' ? decision.missing.customerApprovals : decision.missing.operatorApprovals;
  return {
    required,
    approvers: required > 0 ? principals.filter((p) => decision.missing.approvers.includes(p)) : [],
    approvedBy: decision.counted.filter((c) => c.as === role).map(({ login, via }) => ({ login, via })),
  };
}

/** The customer Namespace is rendered into each of the customer's gateways: a gateway added or removed does not create or delete it while others remain. */
function namespacesOf(rendered: readonly RenderedGateway[]): Map<string, K8sObject> {
  const out = new Map<string, K8sObject>();
  for (const gateway of rendered) for (const object of gateway.objects) if (object.kind === 'Namespace') out.set(`Namespace ${object.metadata.name} (${object.apiVersion})`, object);
  return out;
}

function isUnchangedSharedNamespace(key: string, namespaces: { readonly before: Map<string, K8sObject>; readonly after: Map<string, K8sObject> }): boolean {
  if (!key.startsWith('Namespace ')) return false;
  const old = namespaces.before.get(key);
  const next = namespaces.after.get(key);
  return old !== undefined && next !== undefined && isDeepStrictEqual(old, next);
}

function groupByCustomer(plans: readonly GatewayChangePlan[], planned: readonly PlannedGateway[]): CustomerPlan[] {
  const names = [...new Set(plans.map((p) => p.customer))].sort();
  return names.map((customer) => {
    const mine = planned.filter((p) => p.plan.customer === customer);
    return { customer, gateways: mine.map((p) => p.plan), approval: mergeNeeds(mine.map((p) => p.customer)) };
  });
}

/** One pull request needs the largest number any of its gateways needs, from the same approvers. */
function mergeNeeds(needs: readonly (ApprovalNeed | undefined)[]): ApprovalNeed | undefined {
  const present = needs.filter((n): n is ApprovalNeed => n !== undefined);
  if (present.length === 0) return undefined;
  const approvedBy = new Map<string, ApprovalGiven>();
  for (const given of present.flatMap((n) => n.approvedBy)) approvedBy.set(`${given.login.toLowerCase()}\u0000${given.via}`, given);
  return {
    required: Math.max(...present.map((n) => n.required)),
    approvers: [...new Set(present.flatMap((n) => n.approvers))],
    approvedBy: [...approvedBy.values()],
  };
}

const notRead: PlanReviews = { state: 'not-read' };

/**
 * The reviews as the plan reports them. Each gateway's decision judges every reviewer; one
 * who counted for any change is not listed as not counted, and one who is merely no approver
 * of one customer is listed with the reason another customer's decision gives (stale, say).
 */
function reviewsOf(facts: ReviewFacts | undefined, decisions: readonly GateDecision[]): PlanReviews {
  if (!facts) return notRead;
  if (facts.kind === 'unavailable') return { state: 'unavailable', error: facts.error };
  const counted = new Set(decisions.flatMap((d) => d.counted.map((c) => c.login.toLowerCase())));
  const notCounted = new Map<string, ReviewNotCounted>();
  for (const review of decisions.flatMap((d) => d.notCounted)) {
    const key = review.login.toLowerCase();
    // A reviewer who only commented never approved: nothing to explain.
    if (counted.has(key) || review.reason === 'commented') continue;
    const known = notCounted.get(key);
    if (!known || (known.reason === 'not-an-approver' && review.reason !== 'not-an-approver')) notCounted.set(key, review);
  }
  const { number, url, author, headSha } = facts.pr;
  return { state: 'read', pr: { number, url, author, headSha }, notCounted: [...notCounted.values()] };
}

function summarize(customers: readonly CustomerPlan[]): ChangePlan['summary'] {
  const gateways = customers.flatMap((c) => c.gateways);
  return {
    gateways: gateways.length,
    customers: customers.length,
    servicesAdded: gateways.reduce((n, g) => n + g.services.added.length, 0),
    servicesUpgraded: gateways.reduce((n, g) => n + g.services.upgraded.length, 0),
    servicesRemoved: gateways.reduce((n, g) => n + g.services.removed.length, 0),
    configChanged: gateways.reduce((n, g) => n + g.services.configChanged.length, 0),
    imagesToPull: new Set(gateways.flatMap((g) => g.imagesToPull)).size,
  };
}

const emptySummary: ChangePlan['summary'] = { gateways: 0, customers: 0, servicesAdded: 0, servicesUpgraded: 0, servicesRemoved: 0, configChanged: 0, imagesToPull: 0 };
