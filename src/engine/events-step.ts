// The Events a pass leaves on each gateway's inventory: every gate decision, and what its
// apply did (drift restored, objects applied and pruned, or why it failed), with the
// counters that go with them.
import pLimit from 'p-limit';
import { REASON } from '../contract/index.ts';
import type { GatewayApplyResult, SharedApplyResult } from '../apply/index.ts';
import type { GatewayPlan } from '../diff/index.ts';
import { describeDecision, EVENT_REASON, type GatewayTarget } from '../gate/index.ts';
import { inventoryRef, type EventRecorder, type FleetMetrics } from '../report/index.ts';

export interface EventsStepArgs {
  readonly events: EventRecorder;
  readonly metrics: FleetMetrics;
  readonly log: (line: string) => void;
}

/** An Event per gate decision: a gateway's in order, several gateways at once (an outage holds them all in one pass). */
export async function recordDecisions({ events, metrics, log }: EventsStepArgs, targets: readonly GatewayTarget[]): Promise<void> {
  const limit = pLimit(16);
  await Promise.all(targets.map((target) => limit(async () => {
    for (const decision of target.decisions) {
      log(`gate: ${describeDecision(decision)}`);
      await events.record({
        regarding: inventoryRef(target.gateway),
        type: decision.result === 'approved' ? 'Normal' : 'Warning',
        reason: EVENT_REASON[decision.result],
        message: describeDecision(decision),
      });
      if (decision.result === 'hold') metrics.githubError();
    }
  })));
}

export async function recordApply({ events, metrics }: EventsStepArgs, plans: readonly GatewayPlan[], results: readonly GatewayApplyResult[]): Promise<void> {
  const byGateway = new Map(plans.map((p) => [p.gateway, p]));
  for (const result of results) {
    const plan = byGateway.get(result.gateway)!;
    const regarding = inventoryRef(result.gateway);
    if (plan.drift.length > 0) {
      metrics.driftRestoredObjects(plan.drift.length);
      await events.record({ regarding, type: 'Warning', reason: REASON.driftRestored, message: `restored ${plan.drift.length} object(s) changed by hand: ${plan.drift.map((d) => `${d.ref.kind} ${d.ref.name} (${d.reason})`).join(', ')}` });
    }
    if (result.ok) {
      if (result.applied.length > 0) await events.record({ regarding, type: 'Normal', reason: REASON.applied, message: `applied ${result.applied.length} object(s) at ${plan.inventory.revision.slice(0, 12)}` });
      if (result.deleted.length > 0) await events.record({ regarding, type: 'Normal', reason: REASON.pruned, message: `pruned ${result.deleted.map((r) => `${r.kind} ${r.name}`).join(', ')}` });
    } else {
      metrics.applyError(result.errors[0]?.code ?? 'unknown');
      await events.record({ regarding, type: 'Warning', reason: REASON.applyFailed, message: result.errors.map((e) => `${e.component}: ${e.message}`).join('; ') });
    }
  }
}

/** What the pass did to the objects the gateways share, as Events on the fleet. */
export async function recordShared({ events, metrics }: EventsStepArgs, result: SharedApplyResult): Promise<void> {
  const regarding = inventoryRef('fleet');
  if (result.applied.length > 0) await events.record({ regarding, type: 'Normal', reason: REASON.applied, message: `applied ${result.applied.map((r) => `${r.kind} ${r.name}`).join(', ')}` });
  if (result.deleted.length > 0) await events.record({ regarding, type: 'Normal', reason: REASON.pruned, message: `pruned ${result.deleted.map((r) => `${r.kind} ${r.name}`).join(', ')}: no gateway is left in it` });
  if (!result.ok) {
    metrics.applyError(result.errors[0]?.code ?? 'unknown');
    await events.record({ regarding, type: 'Warning', reason: REASON.applyFailed, message: result.errors.map((e) => `${e.object ? `${e.object.kind} ${e.object.name}` : e.component}: ${e.message}`).join('; ') });
  }
}

/** The mass-deletion guard refused the pass: one Warning on the fleet. */
export async function recordRefusal({ events }: EventsStepArgs, message: string): Promise<void> {
  await events.record({ regarding: inventoryRef('fleet'), type: 'Warning', reason: REASON.massDeletionRefused, message });
}
