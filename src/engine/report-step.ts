// The report step: each gateway's status from its health, the gate's ruling and its rollout
// decision (the phase itself is named by the health stage's phase policy), with an Event
// when a gateway goes offline, comes back or is rolled back.
import type { GatewayApplyResult } from '../apply/index.ts';
import { describeDecision, type GateDecision } from '../gate/index.ts';
import { GatewayPhase, gatewayPhase, isReady, nodeHealth, podHealth, podVersion, restarts, type GatewayHealth, type Node, type NodeHealth, type Pod } from '../health/index.ts';
import { deployCounts, inventoryRef, type DeployStatusReporter, type EventRecorder, type GatewayReport, type GatewayStatus, type NodeStatus, type PodStatus, type RolloutStatus, type StatusStore, type UnmanagedNode } from '../report/index.ts';
import { standingOf, type RolloutPlan, type RolloutPosition, type RolloutSummary } from '../rollout/index.ts';
import type { FleetAtCommit, FleetRevisions } from '../load/index.ts';
import type { GatewayTarget } from '../gate/index.ts';
import type { Observed } from './observe.ts';
import { InputMemo } from './input-memo.ts';
import { LABEL, REASON } from '../contract/index.ts';
import type { GatewayModel } from '../model/fleet-model.ts';
import { gatewayFlows, type DataFlow } from '../report/data-flows.ts';
import { rolloutServices, type ServicesAt } from '../report/rollout-services.ts';
import { nodeUsage, resourceMetricsStatus, serviceUsage, type ResourceMetricsRead, type ServiceUsage } from '../report/resource-usage.ts';

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
  /** The gateways whose transitions this replica records as Events (a sharded replica: its own). @default every gateway */
  readonly recordsEventsOf?: (gateway: string) => boolean;
  /** Set when the mass-deletion guard refused the pass. */
  readonly refusal?: string;
  /** What the cluster held this pass: nodes and pods (for capacity and limits) and the metrics API's figures. */
  readonly observed?: Pick<Observed, 'nodes' | 'pods' | 'resourceMetrics'>;
  /** Each gateway's report of the last pass and what it was made from (the engine's, kept across passes). @default none kept */
  readonly memo?: ReportMemo;
}

/**
 * What the report step keeps between passes, by gateway: its whole report, and the parts a
 * push that only moves its revision leaves as they were (its services, node and data flows
 * as observed), each with what it was made from.
 */
export class ReportMemo {
  readonly reports = new InputMemo<GatewayReport>();
  readonly services = new InputMemo<GatewayReport['services']>();
  readonly nodes = new InputMemo<NodeStatus>();
  readonly flows = new InputMemo<DataFlow[]>();

  keepOnly(gateways: ReadonlySet<string>): void {
    for (const memo of [this.reports, this.services, this.nodes, this.flows]) memo.keepOnly(gateways);
  }
}

export async function reportGateways(args: ReportArgs): Promise<void> {
  const { targets, store, rollout } = args;
  store.setRollouts(await rolloutStatuses(args));
  store.setResourceMetrics(resourceMetricsStatus(args.observed?.resourceMetrics));
  const results = new Map(args.applied.map((r) => [r.gateway, r]));
  const summaries = new Map<string, RolloutSummary>(rollout.rollouts.map((r) => [r.id, r]));
  const declaredNodes = new Set<string>(args.head.ok ? [...args.head.model.gateways.values()].map((g) => g.node) : []);
  const memo = args.memo ?? new ReportMemo();
  for (const target of targets) {
    const decision = rollout.decisions.get(target.gateway);
    const revision = decision?.revision ?? target.revision;
    const fleet = revision ? await args.revisions.at(revision, args.now) : undefined;
    const gateway = fleet?.ok ? fleet.model.gateways.get(target.gateway) : undefined;
    if (gateway) declaredNodes.add(gateway.node);
    const result = results.get(target.gateway);
    if (fleet?.ok && !gateway) {
      // Removed from the fleet and pruned.
      if (!result || result.ok) store.removeGateway(target.gateway);
      continue;
    }
    const previous = store.recorded(target.gateway);
    const standing = decision ? standingOf(decision, summaries) : undefined;
    const report = gatewayReport(args, memo, { target, revision, result, previous, standing, ...(gateway ? { gateway } : {}) });
    store.reportGateway(report);
    if (args.recordsEventsOf?.(target.gateway) ?? true) await recordTransitions(args.events, { report, previous, ...(decision?.action === 'rollback' ? { rolledBack: standing!.message } : {}) });
  }
  store.setUnmanagedNodes(unmanagedNodes(args.observed?.nodes, declaredNodes));
  memo.keepOnly(new Set(targets.map((t) => t.gateway)));
}

/** Each rollout with the services it changes on its gateways. */
async function rolloutStatuses({ rollout, revisions, now }: ReportArgs): Promise<RolloutStatus[]> {
  const servicesAt: ServicesAt = async (revision, gateway) => {
    const fleet = await revisions.at(revision, now);
    const model = fleet.ok ? fleet.model.gateways.get(gateway) : undefined;
    return fleet.ok ? new Map((model?.services ?? []).map((s) => [s.catalog.service, s.catalog.version])) : undefined;
  };
  return Promise.all(rollout.rollouts.map(async (summary) => {
    const services = await rolloutServices({ rollout: summary, states: rollout.states, servicesAt });
    return services ? { ...summary, services } : summary;
  }));
}

/** Edge nodes that joined and that no gateway declares: an operator joined a node under a name the fleet repo does not use, or a gateway was removed while its node stayed. */
function unmanagedNodes(nodes: ReadonlyMap<string, Node> | undefined, declared: ReadonlySet<string>): UnmanagedNode[] {
  return [...(nodes?.values() ?? [])]
    .filter((node) => !declared.has(node.metadata.name))
    .map((node) => ({ name: node.metadata.name, ready: nodeStatus(nodeHealth(node)).ready }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

interface GatewayFacts {
  readonly target: GatewayTarget;
  readonly gateway?: Pick<GatewayModel, 'node' | 'customer' | 'services'>;
  readonly revision: string | undefined;
  readonly result: GatewayApplyResult | undefined;
  readonly previous: GatewayStatus | undefined;
  readonly standing: RolloutPosition | undefined;
}

const NO_PODS: readonly Pod[] = [];

/** A reading of the metrics API as a report reads it: its figures, or (the same each pass) why there are none. */
function metricsKey(read: ResourceMetricsRead | undefined): unknown {
  return read?.available ? read : read?.reason;
}

/**
 * One gateway's status record: its node and services as observed, its phase by the phase
 * policy, the gate's latest ruling. Made again only when something it is made from changed:
 * the watch cache, the metrics reading and the loader hand out one object until it changes,
 * so a pass that changed nothing hands the store the same report (and the store keeps its record).
 */
function gatewayReport(args: ReportArgs, memo: ReportMemo, { target, gateway, revision, result, previous, standing }: GatewayFacts): GatewayReport {
  const health = args.health.get(target.gateway);
  const applyFailed = result !== undefined && !result.ok;
  const appliedRevision = applyFailed ? previous?.appliedRevision : revision;
  const pending = target.pending ?? (target.revision !== appliedRevision ? target.revision : undefined);
  // The audit of the gate's latest ruling for this gateway: what stops it, or what let it move.
  const ruling = target.blockedBy ?? target.decisions.at(-1);
  const approval = ruling ? approvalSummary(ruling) : undefined;
  const gate = target.blockedBy ? { result: target.blockedBy.result, summary: describeDecision(target.blockedBy) } : undefined;
  const headInvalid = args.head.ok ? undefined : `newest commit ${args.head.commit.slice(0, 12)} is invalid and not applied`;
  const nodeName = gateway?.node ?? previous?.node.name ?? target.gateway;
  const seen = { health, node: args.observed?.nodes.get(nodeName), metrics: metricsKey(args.observed?.resourceMetrics), nodeName, pods: args.observed?.pods.get(target.gateway) ?? NO_PODS };
  const inputs = [
    health, gateway, seen.node, seen.metrics, result, args.refusal, headInvalid,
    target.customer, nodeName, appliedRevision, pending, JSON.stringify([approval, gate, standing]), seen.pods.length, ...seen.pods,
  ];
  return memo.reports.get(target.gateway, inputs, () => {
    const outcome = gatewayPhase({
      health: health ?? { gateway: target.gateway, phase: GatewayPhase.Offline, message: 'not observed this pass', services: [] },
      ...(args.refusal ? { refusal: args.refusal } : {}),
      ...(applyFailed ? { applyError: result.errors.map((e) => `${e.component}: ${e.message}`).join('; ') } : {}),
      ...(gate ? { gate } : {}),
      ...(standing ? { rollout: standing } : {}),
      ...(headInvalid ? { headInvalid } : {}),
    });
    return {
      gateway: target.gateway,
      customer: gateway?.customer ?? target.customer,
      ...observedParts(args, memo, target.gateway, gateway, seen),
      phase: outcome.phase,
      reason: outcome.reason,
      message: outcome.message,
      ...(appliedRevision ? { appliedRevision } : {}),
      ...(pending && pending !== appliedRevision ? { pendingRevision: pending } : {}),
      ...(approval ? { approval } : {}),
      ...(standing ? { rollout: standing } : {}),
    };
  });
}

interface Seen {
  readonly health: GatewayHealth | undefined;
  readonly node: Node | undefined;
  readonly metrics: unknown;
  readonly nodeName: string;
  readonly pods: readonly Pod[];
}

/** The gateway as observed (its node, services and data flows), each part made again only when what it reads changed: a push that moves its revision alone leaves them. */
function observedParts(args: ReportArgs, memo: ReportMemo, name: string, gateway: GatewayFacts['gateway'], { health, node, metrics, nodeName, pods }: Seen): Pick<GatewayReport, 'node' | 'services' | 'flows'> {
  return {
    node: memo.nodes.get(name, [health, node, metrics, nodeName], () => observedNode(args, health, nodeName)),
    services: memo.services.get(name, [health, metrics, pods.length, ...pods], () => observedServices(args, health, pods)),
    ...(gateway ? { flows: memo.flows.get(name, [gateway, health], () => flowsOf(gateway, health)) } : {}),
  };
}

/** The data flows of the services the gateway runs at its revision (expired ones are not rendered, so not drawn). */
function flowsOf(gateway: Pick<GatewayModel, 'services'>, health: GatewayHealth | undefined): DataFlow[] {
  const rendered = new Set((health?.services ?? []).map((s) => s.service));
  return gatewayFlows(gateway.services.filter((s) => rendered.has(s.catalog.service)).map((s) => ({ name: s.catalog.service, spec: s.catalog.doc.spec })));
}

function observedNode(args: ReportArgs, health: GatewayHealth | undefined, nodeName: string): NodeStatus {
  const metrics = args.observed?.resourceMetrics;
  const node = args.observed?.nodes.get(nodeName);
  const usage = metrics?.available && node ? nodeUsage({ node, metrics: metrics.nodes }) : undefined;
  const base = health?.node ? nodeStatus(health.node) : { name: nodeName, ready: 'Unknown' as const, pressure: { memory: false, disk: false, pid: false } };
  return usage ? { ...base, usage } : base;
}

function observedServices(args: ReportArgs, health: GatewayHealth | undefined, pods: readonly Pod[]): GatewayReport['services'] {
  const metrics = args.observed?.resourceMetrics;
  const usageOf = (service: string): ServiceUsage | undefined =>
    metrics?.available ? serviceUsage({ pods: pods.filter((p) => p.metadata.labels?.[LABEL.service] === service), metrics: metrics.pods }) : undefined;
  const podsOf = (service: string): readonly Pod[] => pods.filter((p) => p.metadata.labels?.[LABEL.service] === service);
  return (health?.services ?? []).map((s) => ({
    name: s.service, desiredVersion: s.desiredVersion, ...(s.runningVersion ? { runningVersion: s.runningVersion } : {}), ready: s.ready, restarts: s.restarts,
    ...withUsage(usageOf(s.service)), pods: podsOf(s.service).map(podStatus),
  }));
}

/** An Event when a gateway is rolled back, goes offline or comes back. */
async function recordTransitions(events: EventRecorder, { report, previous, rolledBack }: { report: GatewayReport; previous: GatewayStatus | undefined; rolledBack?: string }): Promise<void> {
  const regarding = inventoryRef(report.gateway);
  const wasOffline = previous?.phase === 'Offline';
  const { node } = report;
  if (rolledBack) await events.record({ regarding, type: 'Warning', reason: REASON.rolledBack, message: rolledBack });
  if (report.phase === 'Offline' && !wasOffline) await events.record({ regarding, type: 'Warning', reason: REASON.gatewayOffline, message: `edge node ${node.name} is not reachable (last heartbeat ${node.lastHeartbeat ?? 'unknown'}); its services keep running and it converges when it returns` });
  if (report.phase !== 'Offline' && wasOffline) await events.record({ regarding, type: 'Normal', reason: REASON.gatewayOnline, message: `edge node ${node.name} is back` });
}

/** Each pod's status, made once per pod object: the watch cache hands out one object until the pod changes. */
const podStatuses = new WeakMap<Pod, PodStatus>();

function podStatus(pod: Pod): PodStatus {
  let status = podStatuses.get(pod);
  if (!status) podStatuses.set(pod, (status = podStatusOf(pod)));
  return status;
}

function podStatusOf(pod: Pod): PodStatus {
  const health = podHealth(pod);
  const version = podVersion(pod);
  return {
    name: pod.metadata.name, ...(version ? { version } : {}), phase: pod.status?.phase ?? 'Pending', ready: isReady(pod), restarts: restarts(pod),
    health: health.status, ...(health.message ? { message: health.message } : {}),
  };
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

/**
 * The `essg/deploy` commit status on a freshly fetched, valid head; not while GitHub failed
 * this pass (the next pass writes it), so an outage costs no second wait.
 */
export async function reportDeploy({ reporter, head, fresh, rollout, applied, githubDown, log }: {
  reporter: DeployStatusReporter | undefined; head: FleetAtCommit; fresh: boolean; rollout: RolloutPlan; applied: readonly GatewayApplyResult[]; githubDown: string | undefined; log: (line: string) => void;
}): Promise<void> {
  if (!head.ok || !fresh || !reporter) return;
  if (githubDown) {
    log(`commit status essg/deploy on ${head.commit.slice(0, 12)} not written this pass, GitHub failed: ${githubDown}`);
    return;
  }
  const summaries = new Map(rollout.rollouts.map((r) => [r.id, r]));
  const failures = [...rollout.decisions.values()].filter((d) => d.action === 'rollback' || (d.action === 'hold' && d.hold.reason === 'failed-render'));
  const moved = [...rollout.decisions.values()].map((d) => ({ gateway: d.gateway, revision: d.revision }));
  const counts = deployCounts({ head: head.commit, targets: moved, applied, rolledBack: failures.map((d) => d.gateway) });
  const failure = failures[0] ? standingOf(failures[0], summaries)?.message : undefined;
  await reporter.report({ head: head.commit, counts, ...(failure ? { failure } : {}) });
}
