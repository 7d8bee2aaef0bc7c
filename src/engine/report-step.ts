// The report step: what each gateway runs and why it is where it is, into the status
// store, with an Event when a gateway goes offline or comes back.
import type { GatewayApplyResult } from '../apply/index.ts';
import { HealthStatus, podHealth, type Pod } from '../health/index.ts';
import { describeDecision, type GateDecision } from '../gate/index.ts';
import { EVENT_REASONS, inventoryRef, REASON, type EventRecorder, type GatewayReport, type NodeStatus, type Phase, type StatusStore } from '../report/index.ts';
import type { FleetAtCommit, FleetRevisions } from './fleet-at.ts';
import { serviceStatus, type Observed, type Observer } from './observe.ts';
import type { GatewayTarget } from './targets.ts';

export interface ReportArgs {
  readonly head: FleetAtCommit;
  readonly targets: readonly GatewayTarget[];
  readonly applied: readonly GatewayApplyResult[];
  readonly now: string;
  readonly revisions: FleetRevisions;
  readonly observer: Observer;
  readonly store: StatusStore;
  readonly events: EventRecorder;
  /** Set when the mass-deletion guard refused the pass. */
  readonly refusal?: string;
}

/** A pod the health stage calls Degraded (failed, crash-looping, image not pullable). */
function broken(pods: readonly Pod[]): boolean {
  return pods.some((pod) => podHealth(pod).status === HealthStatus.Degraded);
}

export async function reportGateways(args: ReportArgs): Promise<void> {
  const { targets, store, events } = args;
  let observed: Observed;
  try {
    observed = await args.observer.observe();
  } catch {
    observed = { nodes: new Map(), pods: new Map() };
  }
  const results = new Map(args.applied.map((r) => [r.gateway, r]));
  for (const target of targets) {
    const fleet = target.revision ? await args.revisions.at(target.revision, args.now) : undefined;
    const gateway = fleet?.ok ? fleet.model.gateways.get(target.gateway) : undefined;
    if (fleet?.ok && !gateway) {
      // Removed from the fleet and pruned.
      if (!results.get(target.gateway) || results.get(target.gateway)!.ok) store.removeGateway(target.gateway);
      continue;
    }
    const previous = store.gateway(target.gateway);
    const nodeName = gateway?.node ?? previous?.node.name ?? target.gateway;
    const node: NodeStatus = observed.nodes.get(nodeName) ?? { name: nodeName, ready: 'Unknown', pressure: { memory: false, disk: false, pid: false } };
    const pods = observed.pods.get(target.gateway) ?? new Map<string, readonly Pod[]>();
    const services = (gateway?.services ?? []).map((s) => serviceStatus({ name: s.entry.name, desiredVersion: s.entry.version, workload: s.catalog.doc.spec.workload, pods: pods.get(s.entry.name) ?? [] }));
    const result = results.get(target.gateway);
    const applyFailed = result !== undefined && !result.ok;
    const appliedRevision = applyFailed ? previous?.appliedRevision : target.revision;
    const { phase, reason, message } = phaseOf({ target, node, services, pods, result, refusal: args.refusal, head: args.head });
    const report: GatewayReport = {
      gateway: target.gateway,
      customer: gateway?.customer ?? target.customer,
      node,
      phase,
      reason,
      message,
      ...(appliedRevision ? { appliedRevision } : {}),
      ...(target.pending && target.pending !== appliedRevision ? { pendingRevision: target.pending } : {}),
      services,
      // The audit of the gate's latest ruling for this gateway: what stops it, or what let it move.
      ...(target.blockedBy ?? target.decisions.at(-1) ? { approval: approvalSummary(target.blockedBy ?? target.decisions.at(-1)!) } : {}),
    };
    const wasOffline = previous?.phase === 'Offline';
    store.reportGateway(report);
    if (phase === 'Offline' && !wasOffline) await events.record({ regarding: inventoryRef(target.gateway), type: 'Warning', reason: EVENT_REASONS.gatewayOffline, message: `edge node ${node.name} is not reachable (last heartbeat ${node.lastHeartbeat ?? 'unknown'}); its services keep running and it converges when it returns` });
    if (phase !== 'Offline' && wasOffline) await events.record({ regarding: inventoryRef(target.gateway), type: 'Normal', reason: EVENT_REASONS.gatewayOnline, message: `edge node ${node.name} is back` });
  }
}

function phaseOf({ target, node, services, pods, result, refusal, head }: {
  target: GatewayTarget; node: NodeStatus; services: readonly { ready: boolean; name: string }[]; pods: ReadonlyMap<string, readonly Pod[]>;
  result: GatewayApplyResult | undefined; refusal: string | undefined; head: FleetAtCommit;
}): { phase: Phase; reason: string; message: string } {
  if (node.ready !== 'True') return { phase: 'Offline', reason: REASON.nodeOffline, message: `edge node ${node.name} is ${node.ready === 'Unknown' ? 'unreachable' : 'not ready'}` };
  if (refusal) return { phase: 'Failed', reason: REASON.refused, message: refusal };
  if (result && !result.ok) return { phase: 'Failed', reason: REASON.applyFailed, message: result.errors.map((e) => `${e.component}: ${e.message}`).join('; ') };
  const blocked = target.blockedBy;
  if (blocked?.result === 'refused') return { phase: 'Failed', reason: REASON.refused, message: describeDecision(blocked) };
  if (blocked?.result === 'hold') return { phase: 'AwaitingApproval', reason: REASON.githubUnavailable, message: describeDecision(blocked) };
  if (blocked) return { phase: 'AwaitingApproval', reason: REASON.approvalMissing, message: describeDecision(blocked) };
  const notReady = services.filter((s) => !s.ready);
  if (notReady.some((s) => broken(pods.get(s.name) ?? []))) return { phase: 'Degraded', reason: REASON.serviceDegraded, message: `not ready: ${notReady.map((s) => s.name).join(', ')}` };
  if (notReady.length > 0) return { phase: 'Progressing', reason: REASON.progressing, message: `waiting for ${notReady.map((s) => s.name).join(', ')}` };
  const suffix = head.ok ? '' : ` (newest commit ${head.commit.slice(0, 12)} is invalid and not applied)`;
  return { phase: 'Ready', reason: REASON.converged, message: `all ${services.length} services ready${suffix}` };
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
