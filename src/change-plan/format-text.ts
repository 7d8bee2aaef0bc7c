// The plan for a terminal: one line per gateway that changes, grouped by customer.
import {
  DATA_AUTHORISATION_WHY, OPERATORS_WHY, approvalStatus, categoryItems, gatewayList, hasDataChanges, serviceMove, formatPlanProblem, fullyApproved, headline, notCountedText, responseItems, reviewsUnreadText, serviceItems, shortSha, totals,
} from './describe.ts';
import type { ChangePlan, GatewayChangePlan } from './types.ts';

export function formatChangePlanText(plan: ChangePlan): string {
  const range = plan.revisions ? ` ${shortSha(plan.revisions.base)}..${shortSha(plan.revisions.head)}` : '';
  const lines = [`essg plan${range}: ${headline(plan)}`];
  if (!plan.ok) {
    lines.push(...plan.problems.map(formatPlanProblem));
    return `${lines.join('\n')}\n`;
  }
  const counts = totals(plan);
  if (counts) lines.push(counts);
  if (plan.baseInvalid) lines.push('(the base revision does not load: every gateway is shown as new)');
  for (const customer of plan.customers) {
    lines.push('', `${customer.customer}: ${customer.approval ? approvalStatus(customer.approval) : 'pre-authorised, no review needed'}`);
    for (const gateway of customer.gateways) lines.push(`  ${line(gateway)}`);
  }
  lines.push(...dataLines(plan));
  if (plan.operators) lines.push('', `operators (${OPERATORS_WHY}): ${approvalStatus(plan.operators)}`);
  lines.push(...reviewLines(plan));
  return `${lines.join('\n')}\n`;
}

function dataLines(plan: ChangePlan): string[] {
  if (!hasDataChanges(plan)) return [];
  const { customers, services } = plan.dataAuthorisation;
  const directions = (parts: readonly [string, string][]) => parts.filter(([, items]) => items).map(([what, items]) => `${what} ${items}`).join('; ');
  return [
    '',
    `data authorisation (${DATA_AUTHORISATION_WHY}):`,
    ...customers.map((c) => `  ${c.customer} allows: ${directions([['collection', categoryItems(c.collection)], ['reporting', categoryItems(c.reporting)]])}`),
    ...services.map((s) => `  ${s.customer} ${serviceMove(s, '->')} on ${gatewayList(s.gateways)}: ${directions([['collects', categoryItems(s.collects)], ['reports', categoryItems(s.reports)]])}`),
  ];
}

function reviewLines(plan: ChangePlan): string[] {
  const unread = reviewsUnreadText(plan);
  if (unread) return ['', unread];
  if (plan.reviews.state !== 'read') return [];
  const { notCounted, pr } = plan.reviews;
  return [
    '',
    ...(notCounted.length > 0 ? [`not counted: ${notCountedText(notCounted)}`] : []),
    `reviews counted on the pull request's head ${shortSha(pr.headSha)}${fullyApproved(plan) ? ': fully approved' : ''}`,
  ];
}

function line(gateway: GatewayChangePlan): string {
  const parts = [
    ...serviceItems(gateway, '->'),
    ...(gateway.services.configChanged.length ? [`config: ${gateway.services.configChanged.join(', ')}`] : []),
    ...(gateway.dataPolicyChanged ? ['data policy'] : []),
    ...responseItems(gateway).map((r) => `response ${r}`),
    ...(gateway.imagesToPull.length ? [`${gateway.imagesToPull.length} image(s) to pull`] : []),
    `${gateway.objectsChanged} object(s)`,
  ];
  const tag = gateway.change === 'changed' ? '' : ` (${gateway.change === 'added' ? 'new' : 'removed'})`;
  return `${gateway.gateway}${tag}: ${parts.join('; ')}`;
}
