// The plan as the pull request comment: a summary line, one table per customer with a
// row per gateway that changes, and the approvals: who has approved, who is still needed.
// upsertPlanComment adds the hidden marker that lets CI edit this comment in place.
import {
  DATA_AUTHORISATION_WHY, OPERATORS_WHY, categoryItems, gatewayList, hasDataChanges, serviceMove, approvalNeeds, approvalStatus, fullyApproved, headline, notCountedText, plural, responseItems, reviewsUnreadText, serviceItems, shortSha, totals,
} from './describe.ts';
import type { ChangePlan, GatewayChangePlan, PlanProblem } from './types.ts';

const MAX_PROBLEMS = 50;

export function formatChangePlanMarkdown(plan: ChangePlan): string {
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
  lines.push(...dataSection(plan));
  if (plan.customers.length > 0) {
    lines.push('### Approvals', '');
    const needs = approvalNeeds(plan).map(({ who, operators, need }) => `- **${who}**${operators ? ` (${OPERATORS_WHY})` : ''}: ${approvalStatus(need, code)}`);
    lines.push(...(needs.length > 0 ? needs : ['- none: every change is pre-authorised by its customer']), '');
    lines.push(...reviewLines(plan));
    const images = imageTable(plan);
    if (images.length > 0) lines.push('<details><summary>Images to pull</summary>', '', ...images, '', '</details>', '');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

function dataSection(plan: ChangePlan): string[] {
  if (!hasDataChanges(plan)) return [];
  const { customers, services } = plan.dataAuthorisation;
  const lines = ['### Data authorisation', '', `${capitalized(DATA_AUTHORISATION_WHY)}.`, ''];
  if (customers.length > 0) {
    lines.push('| customer allows | collection | reporting |', '|---|---|---|');
    for (const c of customers) lines.push(`| ${escape(c.customer)} | ${escape(categoryItems(c.collection, code)) || ' '} | ${escape(categoryItems(c.reporting, code)) || ' '} |`);
    lines.push('');
  }
  if (services.length > 0) {
    lines.push('| customer | service | gateways | collects | reports |', '|---|---|---|---|---|');
    for (const s of services) {
      const cells = [s.customer, serviceMove(s, '→', code), gatewayList(s.gateways, code), categoryItems(s.collects, code), categoryItems(s.reports, code)];
      lines.push(`| ${cells.map((c) => escape(c) || ' ').join(' | ')} |`);
    }
    lines.push('');
  }
  return lines;
}

function reviewLines(plan: ChangePlan): string[] {
  const unread = reviewsUnreadText(plan);
  if (unread) return [`> ${capitalized(unread)}.`, ''];
  if (plan.reviews.state !== 'read') return [];
  const { notCounted, pr } = plan.reviews;
  return [
    ...(notCounted.length > 0 ? [`Not counted: ${notCountedText(notCounted, code)}.`, ''] : []),
    fullyApproved(plan)
      ? `**Fully approved** on the pull request's head \`${shortSha(pr.headSha)}\`.`
      : `Reviews counted on the pull request's head \`${shortSha(pr.headSha)}\`; an approval given before a later push does not count.`,
    '',
  ];
}

const capitalized = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

function row(gateway: GatewayChangePlan): string {
  const name = `\`${gateway.gateway}\`${gateway.change === 'changed' ? '' : ` (${gateway.change === 'added' ? 'new' : 'removed'})`}`;
  const cells = [
    name,
    serviceItems(gateway).join('<br>'),
    [...gateway.services.configChanged, ...(gateway.dataPolicyChanged ? ['data policy'] : [])].join(', '),
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
