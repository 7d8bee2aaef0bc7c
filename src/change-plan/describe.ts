// Words shared by every plan format, so markdown, text and the commit status agree.
import { NOT_COUNTED } from '../gate/index.ts';
import type { ApprovalGiven, ApprovalNeed, CategoryChange, ChangePlan, GatewayChangePlan, PlanProblem, ReviewNotCounted, ServiceDataChange } from './types.ts';

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function shortSha(sha: string): string {
  return /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 7) : sha;
}

export function formatPlanProblem(problem: PlanProblem): string {
  const hint = problem.hint ? ` (${problem.hint})` : '';
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.code}: ${problem.message}${hint}`;
}

/** "2 gateways of 1 customer change", "no gateway changes", or why the plan failed. */
export function headline(plan: ChangePlan): string {
  if (!plan.ok) {
    const edited = plan.problems.some((p) => p.code === 'CATALOG_IMMUTABLE');
    const invalid = plan.problems.some((p) => p.code !== 'CATALOG_IMMUTABLE');
    const what = [invalid ? 'the head fleet is invalid' : '', edited ? 'a published catalog version was edited' : ''].filter(Boolean).join(' and ');
    return `${what}: ${plural(plan.problems.length, 'problem')}`;
  }
  if (plan.summary.gateways === 0) return 'no gateway changes';
  return `${plural(plan.summary.gateways, 'gateway')} of ${plural(plan.summary.customers, 'customer')} change`;
}

/** "services: 1 upgraded, 2 added, 1 removed, 1 reconfigured; 2 images to pull". */
export function totals(plan: ChangePlan): string {
  const s = plan.summary;
  const services = [
    s.servicesUpgraded ? `${s.servicesUpgraded} upgraded` : '',
    s.servicesAdded ? `${s.servicesAdded} added` : '',
    s.servicesRemoved ? `${s.servicesRemoved} removed` : '',
    s.configChanged ? `${s.configChanged} reconfigured` : '',
  ].filter(Boolean);
  return [services.length ? `services: ${services.join(', ')}` : '', s.imagesToPull ? `${plural(s.imagesToPull, 'image')} to pull` : ''].filter(Boolean).join('; ');
}

/** Each service change as one short phrase: `ids 1.0.0 → 1.1.0`, `+ scanner 2.0.0`, `− ids 1.0.0`. */
export function serviceItems(gateway: GatewayChangePlan, arrow = '→'): string[] {
  const s = gateway.services;
  return [
    ...s.upgraded.map((u) => `${u.name} ${u.from} ${arrow} ${u.to}${u.downgrade ? ' (downgrade)' : ''}`),
    ...s.added.map((a) => `+ ${a.name} ${a.version}`),
    ...s.removed.map((r) => `- ${r.name} ${r.version}`),
  ];
}

export function responseItems(gateway: GatewayChangePlan): string[] {
  return [...gateway.responses.added.map((r) => `+ ${r}`), ...gateway.responses.removed.map((r) => `- ${r}`)];
}

type Quote = (s: string) => string;
const asIs: Quote = (s) => s;

/** "approved by x via org/team; needs 1 more from a, b", "needs 2 approvals from a, b" or "approved". */
export function approvalStatus(need: ApprovalNeed, quote: Quote = asIs): string {
  const by = need.approvedBy.length > 0 ? `approved by ${need.approvedBy.map((given) => approvedByText(given, quote)).join(', ')}` : '';
  if (need.required === 0) return by || 'approved';
  const from = need.approvers.map(quote).join(', ') || '(no approvers listed)';
  return [by, by ? `needs ${need.required} more from ${from}` : `needs ${plural(need.required, 'approval')} from ${from}`].filter(Boolean).join('; ');
}

function approvedByText({ login, via }: ApprovalGiven, quote: Quote): string {
  return via.toLowerCase() === login.toLowerCase() ? quote(login) : `${quote(login)} via ${quote(via)}`;
}

export function notCountedText(reviews: readonly ReviewNotCounted[], quote: Quote = asIs): string {
  return reviews.map((r) => `${quote(r.login)} (${NOT_COUNTED[r.reason]})`).join(', ');
}

export interface NamedNeed {
  /** The customer's name, or `operators`. */
  readonly who: string;
  readonly operators: boolean;
  readonly need: ApprovalNeed;
}

/** The approvals the plan's changes need, customers first, then the operators. */
export function approvalNeeds(plan: ChangePlan): NamedNeed[] {
  return [
    ...plan.customers.flatMap((c) => (c.approval ? [{ who: c.customer, operators: false, need: c.approval }] : [])),
    ...(plan.operators ? [{ who: 'operators', operators: true, need: plan.operators }] : []),
  ];
}

/** Why the operators are asked, next to their name in every format. */
export const OPERATORS_WHY = 'catalog versions or fleet settings of a gateway change';

/** The pull request holds every approval its changes need (false when they need none). */
export function fullyApproved(plan: ChangePlan): boolean {
  const needs = approvalNeeds(plan);
  return plan.ok && needs.length > 0 && needs.every(({ need }) => need.required === 0);
}

/** Why the plan lists every approval as needed even though some may have been given, or undefined. */
export function reviewsUnreadText(plan: ChangePlan): string | undefined {
  if (plan.reviews.state !== 'unavailable') return undefined;
  const { component, message } = plan.reviews.error;
  return `reviews could not be read (${component}): ${message}; every approval is listed as needed`;
}

/** The commit status description (GitHub cuts it at 140 characters): only what is still missing. */
export function statusDescription(plan: ChangePlan): string {
  if (!plan.ok) return plan.problems[0] ? formatPlanProblem(plan.problems[0]) : headline(plan);
  if (fullyApproved(plan)) return `${headline(plan)}; fully approved`;
  const waiting = approvalNeeds(plan).filter(({ need }) => need.required > 0).map(({ who }) => who);
  const unread = plan.reviews.state === 'unavailable' ? ' (reviews could not be read)' : '';
  return `${headline(plan)}${waiting.length ? `; approvals needed: ${waiting.join(', ')}${unread}` : ''}`;
}

/** "+ raw-logs, - flow-logs", or '' when nothing changes. */
export function categoryItems(change: CategoryChange, quote: (s: string) => string = asIs): string {
  return [...change.added.map((c) => `+ ${quote(c)}`), ...change.removed.map((c) => `- ${quote(c)}`)].join(', ');
}

/** "log-collector 2.4.0 → 2.5.0", "+ asset-discovery 1.0.0", "- asset-discovery 1.0.0". */
export function serviceMove(change: ServiceDataChange, arrow = '→', quote: (s: string) => string = asIs): string {
  if (change.from && change.to) return `${quote(change.service)} ${change.from} ${arrow} ${change.to}`;
  return change.to ? `+ ${quote(change.service)} ${change.to}` : `- ${quote(change.service)} ${change.from ?? ''}`.trimEnd();
}

const LISTED_GATEWAYS = 10;

/** The first gateways by name and how many more: a fleet-wide upgrade stays one short line. */
export function gatewayList(gateways: readonly string[], quote: (s: string) => string = asIs): string {
  const shown = gateways.slice(0, LISTED_GATEWAYS).map(quote).join(', ');
  return gateways.length > LISTED_GATEWAYS ? `${shown} and ${gateways.length - LISTED_GATEWAYS} more` : shown;
}

/** Why the data-authorisation section matters, in every format. */
export const DATA_AUTHORISATION_WHY = "a change of what a customer allows needs that customer's approval; each data-handling service enforces the lists it reads from data-policy.json";

export function hasDataChanges(plan: ChangePlan): boolean {
  return plan.dataAuthorisation.customers.length > 0 || plan.dataAuthorisation.services.length > 0;
}
