// The plan for a terminal: one line per gateway that changes, grouped by customer.
import { approvalText, formatPlanProblem, headline, responseItems, serviceItems, shortSha, totals } from './describe.ts';
import type { ChangePlan, GatewayPlan } from './types.ts';

export function formatText(plan: ChangePlan): string {
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
    lines.push('', `${customer.customer}: ${customer.approval ? `needs ${approvalText(customer.approval)}` : 'pre-authorised, no review needed'}`);
    for (const gateway of customer.gateways) lines.push(`  ${line(gateway)}`);
  }
  if (plan.operators) lines.push('', `operators (catalog versions or fleet settings of a gateway change): needs ${approvalText(plan.operators)}`);
  return `${lines.join('\n')}\n`;
}

function line(gateway: GatewayPlan): string {
  const parts = [
    ...serviceItems(gateway, '->'),
    ...(gateway.services.configChanged.length ? [`config: ${gateway.services.configChanged.join(', ')}`] : []),
    ...responseItems(gateway).map((r) => `response ${r}`),
    ...(gateway.imagesToPull.length ? [`${gateway.imagesToPull.length} image(s) to pull`] : []),
    `${gateway.objectsChanged} object(s)`,
  ];
  const tag = gateway.change === 'changed' ? '' : ` (${gateway.change === 'added' ? 'new' : 'removed'})`;
  return `${gateway.gateway}${tag}: ${parts.join('; ')}`;
}
