// The report step: each gateway's status from its health, the gate's ruling and its rollout
// decision (the phase itself is named by the health stage's phase policy), with an Event
// when a gateway goes offline, comes back or is rolled back.
import type { GatewayApplyResult } from '../apply/index.ts';
import { describeDecision, type GateDecision } from '../gate/index.ts';
import { GatewayPhase, gatewayPhase, type GatewayHealth, type NodeHealth, type RolloutStanding } from '../health/index.ts';
import { EVENT_REASONS, inventoryRef, type EventRecorder, type GatewayReport, type GatewayRolloutStatus, type NodeStatus, type StatusStore } from '../report/index.ts';
import { describeOpening, type RolloutDecision, type RolloutPlan, type RolloutSummary, type WindowOpening } from '../rollout/index.ts';
import type { FleetAtCommit, FleetRevisions } from './fleet-at.ts';
import type { GatewayTarget } from './targets.ts';
import type { Observed } from './observe.ts';
import { LABEL } from '../contract/index.ts';
import { nodeUsage, resourceMetricsStatus, serviceUsage, type NodeLike, type PodLike, type ServiceUsage } from '../report/resource-usage.ts';

export interface ReportArgs {
  readonly head: FleetAtCommit;
  readonly targets: readonly GatewayTarget[];
  readonly applied: readonly GatewayApplyResult[];
  readonly now: string;
  readonly revisions: FleetRevisions;
  readonly health: ReadonlyMap<string, GatewayHealth>;
  readonly rollout: RolloutPlan;
  readonly store: StatusStore;
  readonly events: EventRecorder;
  /** Set when the mass-deletion guard refused the pass. */
  readonly refusal?: string;
  /** What the cluster held this pass: nodes and pods (for capacity and limits) and the metrics API's figures. */
  readonly observed?: Pick<Observed, 'nodes' | 'pods' | 'resourceMetrics'>;
}

export async function reportGateways(args: ReportArgs): Promise<void> {
  const { targets, store, events, rollout } = args;
  store.setRollouts(rollout.rollouts);
  const metrics = args.observed?.resourceMetrics;
  store.setResourceMetrics(resourceMetricsStatus(metrics));
  const results = new Map(args.applied.map((r) => [r.gateway, r]));
  const summaries = new Map<string, RolloutSummary>(rollout.rollouts.map((r) => [r.id, r]));
  for (const target of targets) {
    const decision = rollout.decisions.get(target.gateway);
    const revision = decision?.revision ?? target.revision;
    const fleet = revision ? await args.revisions.at(revision, args.now) : undefined;
    const gateway = fleet?.ok ? fleet.model.gateways.get(target.gateway) : undefined;
    const result = results.get(target.gateway);
    if (fleet?.ok && !gateway) {
      // Removed from the fleet and pruned.
      if (!result || result.ok) store.removeGateway(target.gateway);
      continue;
    }
    const previous = store.gateway(target.gateway);
    const health = args.health.get(target.gateway);
    const nodeName = gateway?.node ?? previous?.node.name ?? target.gateway;
    const observedNode = args.observed?.nodes.get(nodeName);
    const usage = metrics?.available && observedNode ? nodeUsage({ node: observedNode as unknown as NodeLike, metrics: metrics.nodes }) : undefined;
    const baseNode = health?.node ? nodeStatus(health.node) : { name: nodeName, ready: 'Unknown' as const, pressure: { memory: false, disk: false, pid: false } };
    const node = usage ? { ...baseNode, usage } : baseNode;
    const gatewayPods = (args.observed?.pods.get(target.gateway) ?? []) as unknown as PodLike[];
    const usageOf = (service: string): ServiceUsage | undefined =>
      metrics?.available ? serviceUsage({ pods: gatewayPods.filter((p) => p.metadata.labels?.[LABEL.service] === service), metrics: metrics.pods }) : undefined;
    const applyFailed = result !== undefined && !result.ok;
    const appliedRevision = applyFailed ? previous?.appliedRevision : revision;
    const standing = decision ? standingOf(decision, summaries) : undefined;
    const outcome = gatewayPhase({
      health: health ?? { gateway: target.gateway, phase: GatewayPhase.Offline, message: 'not observed this pass', services: [] },
      ...(args.refusal ? { refusal: args.refusal } : {}),
      ...(applyFailed ? { applyError: result.errors.map((e) => `${e.component}: ${e.message}`).join('; ') } : {}),
      ...(target.blockedBy ? { gate: { result: target.blockedBy.result, summary: describeDecision(target.blockedBy) } } : {}),
      ...(standing ? { rollout: standing.standing } : {}),
      ...(args.head.ok ? {} : { headInvalid: `newest commit ${args.head.commit.slice(0, 12)} is invalid and not applied` }),
    });
    const pending = target.pending ?? (target.revision !== appliedRevision ? target.revision : undefined);
    const report: GatewayReport = {
      gateway: target.gateway,
      customer: gateway?.customer ?? target.customer,
      node,
      phase: outcome.phase,
      reason: outcome.reason,
      message: outcome.message,
      ...(appliedRevision ? { appliedRevision } : {}),
      ...(pending && pending !== appliedRevision ? { pendingRevision: pending } : {}),
      services: (health?.services ?? []).map((s) => ({ name: s.service, desiredVersion: s.desiredVersion, ...(s.runningVersion ? { runningVersion: s.runningVersion } : {}), ready: s.ready, restarts: s.restarts, ...withUsage(usageOf(s.service)) })),
      // The audit of the gate's latest ruling for this gateway: what stops it, or what let it move.
      ...(target.blockedBy ?? target.decisions.at(-1) ? { approval: approvalSummary(target.blockedBy ?? target.decisions.at(-1)!) } : {}),
      ...(standing ? { rollout: standing.status } : {}),
    };
    const wasOffline = previous?.phase === 'Offline';
    store.reportGateway(report);
    const regarding = inventoryRef(target.gateway);
    if (decision?.action === 'rollback') {
      await events.record({ regarding, type: 'Warning', reason: EVENT_REASONS.rolledBack, message: standing!.standing.message });
    }
    if (outcome.phase === 'Offline' && !wasOffline) await events.record({ regarding, type: 'Warning', reason: EVENT_REASONS.gatewayOffline, message: `edge node ${node.name} is not reachable (last heartbeat ${node.lastHeartbeat ?? 'unknown'}); its services keep running and it converges when it returns` });
    if (outcome.phase !== 'Offline' && wasOffline) await events.record({ regarding, type: 'Normal', reason: EVENT_REASONS.gatewayOnline, message: `edge node ${node.name} is back` });
  }
}

/** Where the gateway stands in its rollout, for the phase policy and for the status record. */
export function standingOf(decision: RolloutDecision, rollouts: ReadonlyMap<string, RolloutSummary>): { standing: RolloutStanding; status: GatewayRolloutStatus } | undefined {
  const short = (revision: string) => revision.slice(0, 12);
  const make = (id: string, state: RolloutStanding['state'], message: string, wave?: number, nextWindow?: WindowOpening) => ({
    standing: { state, message } as RolloutStanding,
    status: { id, state, message, ...(wave !== undefined ? { wave } : {}), ...(nextWindow ? { nextWindow } : {}) },
  });
  switch (decision.action) {
    case 'stay':
      return undefined;
    case 'rollback': {
      const f = decision.failure;
      return make(f.rollout, 'rolled-back', `${f.reason} on ${decision.gateway}; back on ${short(decision.revision)}`);
    }
    case 'advance': {
      if (decision.why !== 'wave') return undefined;
      const summary = rollouts.get(decision.revision);
      const mine = summary?.waves.find((w) => w.wave === decision.wave)?.gateways.find((g) => g.gateway === decision.gateway);
      const state = mine?.status === 'soaking' ? 'soaking' : mine?.status === 'done' ? 'done' : mine?.status === 'deferred' ? 'deferred' : 'updating';
      return make(decision.revision, state, `${state} in wave ${decision.wave} of rollout ${short(decision.revision)}`, decision.wave);
    }
    case 'hold': {
      const hold = decision.hold;
      switch (hold.reason) {
        case 'waiting-for-wave':
          return make(hold.rollout, 'waiting', `waiting for wave ${hold.wave} of rollout ${short(hold.rollout)}${hold.soakUntil ? ` (the wave before soaks until ${hold.soakUntil})` : ''}`);
        case 'halted':
          return make(hold.rollout, 'halted', `rollout ${short(hold.rollout)} halted: ${hold.failure} on ${hold.by}`);
        case 'failed-render':
          return make(hold.rollout, 'failed-render', `${hold.failure}; not tried again until the gateway's desired state changes`);
        case 'deferred-offline':
          return make(hold.rollout, 'deferred', `deferred from rollout ${short(hold.rollout)} while its edge node is offline`);
        case 'outside-window':
          return make(hold.rollout, 'outside-window', `next window opens ${describeOpening(hold.nextOpen)}`, undefined, hold.nextOpen);
        case 'pre-pulling':
          return hold.waitingForNode
            ? make(hold.rollout, 'deferred', `pre-pull for wave ${hold.wave} of rollout ${short(hold.rollout)} failed while its node was unreachable (${hold.waitingForNode}); a new ImagePrePullJob goes out when it is back`, hold.wave)
            : make(hold.rollout, 'updating', `pre-pulling ${hold.images.join(', ')} (ImagePrePullJob ${hold.job}) before wave ${hold.wave} of rollout ${short(hold.rollout)} switches it`, hold.wave);
        case 'pre-pull-failed':
          return make(hold.rollout, 'halted', `held: its node could not pull ${hold.images.join(', ')} (${hold.failure}), and the service cannot surge (Recreate or fixed host ports), so its old pods keep running`, hold.wave);
      }
    }
  }
}

function withUsage(usage: ServiceUsage | undefined): { usage?: ServiceUsage } {
  return usage ? { usage } : {};
}

function nodeStatus(health: NodeHealth): NodeStatus {
  return {
    name: health.name,
    ready: health.offline ? 'Unknown' : health.ready,
    ...(health.lastHeartbeat ? { lastHeartbeat: health.lastHeartbeat } : {}),
    pressure: { memory: health.pressure.includes('MemoryPressure'), disk: health.pressure.includes('DiskPressure'), pid: health.pressure.includes('PIDPressure') },
  };
}

function approvalSummary(d: GateDecision): NonNullable<GatewayReport['approval']> {
  return {
    result: d.result,
    reason: d.reason,
    ...(d.pr ? { pr: { number: d.pr.number, url: d.pr.url } } : {}),
    counted: d.counted.map((c) => ({ login: c.login, via: c.via, as: c.as })),
    notCounted: d.notCounted.map((n) => ({ login: n.login, reason: n.reason })),
    missing: d.missing,
    summary: describeDecision(d),
  };
}
