// planChanges: the per-gateway change plan between a base and a head revision of the
// fleet repo, as a pull request shows it. Pure: both models and renders come in, the plan
// goes out. Only gateways whose render changes are listed.
import { isDeepStrictEqual } from 'node:util';
import { type ApprovalFacts, approvalPolicy, classifyChange, decide, hasChange } from '../gate/index.ts';
import type { FleetModel } from '../model/fleet-model.ts';
import type { K8sObject, RenderedGateway } from '../render/index.ts';
import { type ChangedPath, type FileTexts, catalogImmutabilityProblems } from './catalog-immutable.ts';
import { activeResponses, imagesToPull, responseChanges, serviceChanges } from './gateway-diff.ts';
import type { ApprovalNeed, ChangePlan, CustomerPlan, GatewayPlan, PlanProblem } from './types.ts';

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
   * What GitHub says about the pull request, to count reviews already given.
   * @default - no reviews: every required approval is listed as needed
   */
  readonly facts?: ApprovalFacts;
}

export function planChanges(args: PlanChangesArgs): ChangePlan {
  const { base, head, changedPaths, now } = args;
  const problems: PlanProblem[] = [...('problems' in head ? head.problems : []), ...catalogImmutabilityProblems({ changedPaths, ...(args.texts ? { texts: args.texts } : {}) })];
  const common = { now, ...(args.revisions ? { revisions: args.revisions } : {}), baseInvalid: base === undefined };
  if ('problems' in head) {
    return { ok: false, ...common, problems, customers: [], operators: undefined, summary: emptySummary };
  }
  const gateways = gatewayPlans({ base, head, now, facts: args.facts ?? noReviews(args.revisions?.head ?? 'HEAD') });
  const customers = groupByCustomer(gateways.map((g) => g.plan), gateways);
  const operators = mergeNeeds(gateways.map((g) => g.operators));
  return { ok: problems.length === 0, ...common, problems, customers, operators, summary: summarize(customers) };
}

interface PlannedGateway {
  readonly plan: GatewayPlan;
  readonly customer: ApprovalNeed | undefined;
  readonly operators: ApprovalNeed | undefined;
}

function gatewayPlans({ base, head, now, facts }: {
  readonly base: PlanSide | undefined; readonly head: PlanSide; readonly now: string; readonly facts: ApprovalFacts;
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
    const fleetDoc = head.model.fleet.doc;
    const customerDoc = (head.model.customers.get(customer) ?? base?.model.customers.get(customer))?.doc;
    const decision = customerDoc ? decide({ change, policy: approvalPolicy({ fleet: fleetDoc, customer: customerDoc }), facts }) : undefined;
    const responses = responseChanges({
      before: activeResponses({ model: base?.model, gateway: name, now: time }),
      after: activeResponses({ model: head.model, gateway: name, now: time }),
    });
    const plan: GatewayPlan = {
      gateway: name,
      customer,
      change: !old ? 'added' : !next ? 'removed' : 'changed',
      services: serviceChanges({ before: model.before, after: model.after, now: time }),
      responses,
      imagesToPull: imagesToPull({ before: old?.objects ?? [], after: next?.objects ?? [] }),
      objectsChanged: change.changedObjects.filter((key) => !isUnchangedSharedNamespace(key, sharedNamespaces)).length,
      needs: decision?.needs ?? { customer: true, operators: change.fleetWide },
    };
    const missing = decision?.missing;
    const approvers = (principals: readonly string[] | undefined) => (principals ?? []).filter((p) => missing?.approvers.includes(p));
    out.push({
      plan,
      customer: missing && missing.customerApprovals > 0 ? { required: missing.customerApprovals, approvers: approvers(customerDoc?.spec.approvers) } : undefined,
      operators: missing && missing.operatorApprovals > 0 ? { required: missing.operatorApprovals, approvers: approvers(fleetDoc.spec.operators) } : undefined,
    });
  }
  return out;
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

function groupByCustomer(plans: readonly GatewayPlan[], planned: readonly PlannedGateway[]): CustomerPlan[] {
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
  return {
    required: Math.max(...present.map((n) => n.required)),
    approvers: [...new Set(present.flatMap((n) => n.approvers))],
  };
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

/** A pull request no one has reviewed yet: the decision then lists every approval the change needs. */
function noReviews(headSha: string): ApprovalFacts {
  return {
    kind: 'pull-request',
    commitSha: headSha,
    pr: { number: 0, url: '', author: '', headSha, mergeCommitSha: '', mergedAt: '' },
    reviews: [],
    teamMembers: new Map(),
  };
}
