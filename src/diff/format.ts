// Prints plans for people (text, like `terraform plan`) or machines (json).
import type { GatewayPlan } from './plan-gateway.ts';
import { describeRef } from './refs.ts';

export type GatewayPlanFormat = 'text' | 'json';

export interface FormatGatewayPlansOptions {
  readonly plans: readonly GatewayPlan[];
  readonly format: GatewayPlanFormat;
}

function counts(plan: GatewayPlan): string {
  const drift = plan.drift.length > 0 ? ` (${plan.drift.length} drifted)` : '';
  return `${plan.creates.length} to create, ${plan.updates.length} to update${drift}, ${plan.deletes.length} to delete, ${plan.unchanged.length} unchanged`;
}

function indent(text: string, by: string): string {
  return text.split('\n').map((line) => `${by}${line}`).join('\n');
}

function gatewayPlansText(plans: readonly GatewayPlan[]): string {
  const lines: string[] = [];
  const changed = plans.filter((p) => p.creates.length + p.updates.length + p.deletes.length > 0);
  for (const plan of plans) {
    lines.push(`gateway ${plan.gateway}: ${counts(plan)}`);
    const drifted = new Set(plan.drift.map((d) => describeRef(d.ref)));
    for (const create of plan.creates) {
      const note = drifted.has(describeRef(create.ref)) ? ' (drift: deleted by hand, will be restored)' : '';
      lines.push(`  + ${describeRef(create.ref)}${note}`);
    }
    for (const update of plan.updates) {
      const notes = [update.drift ? 'drift: changed by hand, will be restored' : '', update.recreate ? 'immutable: will be deleted and created again' : ''].filter(Boolean);
      lines.push(`  ~ ${describeRef(update.ref)}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
      lines.push(update.diff ? indent(update.diff, '      ') : '      (only removes fields we no longer set)');
    }
    for (const ref of plan.deletes) lines.push(`  - ${describeRef(ref)}`);
  }
  const drift = plans.reduce((n, p) => n + p.drift.length, 0);
  lines.push(`${plans.length} gateway(s), ${changed.length} with changes${drift > 0 ? `, ${drift} drifted object(s)` : ''}.`);
  return `${lines.join('\n')}\n`;
}

/** The JSON shape is a contract for machines: refs and diffs, not whole objects. */
export function gatewayPlanToJson(plan: GatewayPlan): object {
  return {
    gateway: plan.gateway,
    creates: plan.creates.map((c) => c.ref),
    updates: plan.updates.map((u) => ({ ref: u.ref, drift: u.drift, recreate: u.recreate, diff: u.diff })),
    deletes: plan.deletes,
    unchanged: plan.unchanged,
    drift: plan.drift,
    inventoryChanged: plan.inventoryChanged,
  };
}

export function formatGatewayPlans({ plans, format }: FormatGatewayPlansOptions): string {
  if (format === 'json') return `${JSON.stringify({ gateways: plans.map(gatewayPlanToJson) }, null, 2)}\n`;
  return gatewayPlansText(plans);
}
