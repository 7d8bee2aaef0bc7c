// Words shared by every plan format, so markdown, text and the commit status agree.
import type { ApprovalNeed, ChangePlan, GatewayPlan, PlanProblem } from './types.ts';

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
export function serviceItems(gateway: GatewayPlan, arrow = '→'): string[] {
  const s = gateway.services;
  return [
    ...s.upgraded.map((u) => `${u.name} ${u.from} ${arrow} ${u.to}${u.downgrade ? ' (downgrade)' : ''}`),
    ...s.added.map((a) => `+ ${a.name} ${a.version}`),
    ...s.removed.map((r) => `- ${r.name} ${r.version}`),
  ];
}

export function responseItems(gateway: GatewayPlan): string[] {
  return [...gateway.responses.added.map((r) => `+ ${r}`), ...gateway.responses.removed.map((r) => `- ${r}`)];
}

export function approvalText(need: ApprovalNeed, quote: (s: string) => string = (s) => s): string {
  return `${plural(need.required, 'approval')} from ${need.approvers.map(quote).join(', ') || '(no approvers listed)'}`;
}

/** The commit status description (GitHub cuts it at 140 characters). */
export function statusDescription(plan: ChangePlan): string {
  if (!plan.ok) return plan.problems[0] ? formatPlanProblem(plan.problems[0]) : headline(plan);
  const waiting = [...plan.customers.filter((c) => c.approval).map((c) => c.customer), ...(plan.operators ? ['operators'] : [])];
  return `${headline(plan)}${waiting.length ? `; approvals needed: ${waiting.join(', ')}` : ''}`;
}
