// The plan as the pull request comment: a summary line, one table per customer with a
// row per gateway that changes, and the approvals still needed. upsertPlanComment adds
// the hidden marker that lets CI edit this comment in place.
import { approvalText, headline, plural, responseItems, serviceItems, shortSha, totals } from './describe.ts';
import type { ChangePlan, GatewayPlan, PlanProblem } from './types.ts';

const MAX_PROBLEMS = 50;

export function formatMarkdown(plan: ChangePlan): string {
  const lines: string[] = [`## essg plan: ${headline(plan)}`, ''];
  const range = plan.revisions ? `\`${shortSha(plan.revisions.base)}\` → \`${shortSha(plan.revisions.head)}\`` : '';
  const counts = plan.ok ? totals(plan) : '';
  if (range || counts) lines.push([range, counts].filter(Boolean).join(' · '), '');
  if (!plan.ok) {
    lines.push('Nothing from this revision can be applied until these are fixed:', '');
    for (const problem of plan.problems.slice(0, MAX_PROBLEMS)) lines.push(problemItem(problem));
    if (plan.problems.length > MAX_PROBLEMS) lines.push(`- … and ${plan.problems.length - MAX_PROBLEMS} more (run \`essg validate\`)`);
    return `${lines.join('\n')}\n`;
  }
  if (plan.baseInvalid) lines.push('> The base revision does not load: every gateway is shown as new.', '');
  for (const customer of plan.customers) {
    lines.push(`### ${customer.customer}`, '');
    lines.push('| gateway | services | config changed | responses | images to pull | objects |', '|---|---|---|---|---|---|');
    for (const gateway of customer.gateways) lines.push(row(gateway));
    lines.push('');
    if (!customer.approval) lines.push(`Pre-authorised: applies without a review from ${customer.customer}.`, '');
  }
  if (plan.customers.length > 0) {
    lines.push('### Approvals still needed', '');
    const needs = [
      ...plan.customers.filter((c) => c.approval).map((c) => `- **${c.customer}**: ${approvalText(c.approval!, code)}`),
      ...(plan.operators ? [`- **operators** (catalog versions or fleet settings of a gateway change): ${approvalText(plan.operators, code)}`] : []),
    ];
    lines.push(...(needs.length > 0 ? needs : ['- none: every change is pre-authorised by its customer']), '');
    const images = imageTable(plan);
    if (images.length > 0) lines.push('<details><summary>Images to pull</summary>', '', ...images, '', '</details>', '');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

function row(gateway: GatewayPlan): string {
  const name = `\`${gateway.gateway}\`${gateway.change === 'changed' ? '' : ` (${gateway.change === 'added' ? 'new' : 'removed'})`}`;
  const cells = [
    name,
    serviceItems(gateway).join('<br>'),
    gateway.services.configChanged.join(', '),
    responseItems(gateway).join('<br>'),
    gateway.imagesToPull.length ? String(gateway.imagesToPull.length) : '',
    String(gateway.objectsChanged),
  ];
  return `| ${cells.map((c) => escape(c) || ' ').join(' | ')} |`;
}

function imageTable(plan: ChangePlan): string[] {
  const byImage = new Map<string, string[]>();
  for (const gateway of plan.customers.flatMap((c) => c.gateways)) {
    for (const image of gateway.imagesToPull) byImage.set(image, [...(byImage.get(image) ?? []), gateway.gateway]);
  }
  return [...byImage].sort(([a], [b]) => a.localeCompare(b)).map(([image, gateways]) => `- \`${image}\`: ${plural(gateways.length, 'gateway')} (${gateways.join(', ')})`);
}

const code = (s: string): string => `\`${s}\``;

/** Table cells must not break the table. */
function escape(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function problemItem(problem: PlanProblem): string {
  const hint = problem.hint ? ` (${problem.hint})` : '';
  return `- \`${problem.file}:${problem.line}:${problem.col}\` ${problem.code}: ${problem.message}${hint}`;
}
