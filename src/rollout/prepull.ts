// Pre-pull first. When a wave starts, the images of the new render that a gateway's node does
// not run yet go out as one KubeEdge ImagePrePullJob over the wave's nodes that need the same
// images; a gateway switches only once the job reports success for its node. Until then it is
// held ('pre-pulling') on the revision it runs. A node that could not be reached (not ready,
// timed out) gets a job of its own for what it still needs once it is back. A node that was
// reached and could not pull is held ('pre-pull-failed') when an image it failed belongs to a
// service that cannot surge (Recreate, fixed host ports): switching would stop the old pod
// before a new one could start. A surging service goes ahead: its old pod keeps serving while
// the kubelet tries, and if the image really cannot be pulled, health fails the render and the
// rollout halts and rolls back as for any failing version (see "Rollouts" in DESIGN.md).
// Pure: the engine's pre-pull step reads the jobs and nodes and does the writes.
import { createHash } from 'node:crypto';
import type { Fleet } from '../model/fleet-model.ts';
import type { GatewayRolloutState, HoldReason, PrePullRecord, RolloutDecision, RolloutPlan } from './types.ts';

export const PRE_PULL_DEFAULTS = { concurrency: 10, timeoutSeconds: 600, retryTimes: 2, failureTolerate: 0.1 } as const;

/** fleet.yaml `spec.prePull`, in the terms of KubeEdge's ImagePrePullJob template. */
export interface PrePullSettings {
  readonly concurrency: number;
  readonly timeoutSeconds: number;
  readonly retryTimes: number;
  /** A decimal string, as KubeEdge parses it. */
  readonly failureTolerate: string;
}

/** undefined: the fleet does not pre-pull. */
export function prePullSettings(fleet: Fleet | undefined): PrePullSettings | undefined {
  const spec = fleet?.spec.prePull;
  if (!spec?.enabled) return undefined;
  return {
    concurrency: spec.concurrency ?? PRE_PULL_DEFAULTS.concurrency,
    timeoutSeconds: spec.timeoutSeconds ?? PRE_PULL_DEFAULTS.timeoutSeconds,
    retryTimes: spec.retryTimes ?? PRE_PULL_DEFAULTS.retryTimes,
    failureTolerate: String(spec.failureTolerate ?? PRE_PULL_DEFAULTS.failureTolerate),
  };
}

/** What a job reports for one node, as the rollout reads it. */
export type NodePull =
  | { readonly state: 'pending' }
  | { readonly state: 'pulled' }
  /** The node could not be reached ("the node is not ready", a timeout): a new job goes out when it is back. */
  | { readonly state: 'unreachable'; readonly reason: string }
  /** The node was reached and could not pull `images` (every image, when KubeEdge names none). */
  | { readonly state: 'failed'; readonly reason: string; readonly images: readonly string[] };

export interface PrePullJobView {
  readonly name: string;
  /** spec.imagePrePullTemplate.nodeNames. */
  readonly nodes: readonly string[];
  readonly images: readonly string[];
  /** By node; a node KubeEdge has not reported on yet is absent. */
  readonly pulls: ReadonlyMap<string, NodePull>;
}

// KubeEdge's words for a node it could not reach: checked before the job (VerifyNodeDefine),
// when the message cannot be sent, and when the node task times out (reconcile_runner.go).
const UNREACHABLE = /the node is not ready|not connected|timed out|timeout/i;

interface JobJson {
  readonly metadata: { readonly name: string };
  readonly spec?: { readonly imagePrePullTemplate?: { readonly nodeNames?: readonly string[]; readonly images?: readonly string[] } };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly nodeStatus?: readonly {
      readonly nodeName?: string;
      readonly phase?: string;
      readonly reason?: string;
      readonly imageStatus?: readonly { readonly image?: string; readonly status?: string; readonly reason?: string }[];
    }[];
  };
}

/** A live ImagePrePullJob (operations.kubeedge.io/v1alpha2) as KubeEdge's task manager reports it. */
export function readPrePullJob(object: unknown): PrePullJobView {
  const job = object as JobJson;
  const template = job.spec?.imagePrePullTemplate ?? {};
  const nodes = [...(template.nodeNames ?? [])];
  const images = [...(template.images ?? [])];
  const pulls = new Map<string, NodePull>();
  const reported = job.status?.nodeStatus ?? [];
  for (const node of reported) {
    if (!node.nodeName) continue;
    const failedImages = (node.imageStatus ?? []).filter((i) => i.status === 'False' && i.image);
    const reason = node.reason ?? '';
    const failure = (): NodePull => ({
      state: 'failed',
      reason: failedImages.length > 0 ? failedImages.map((i) => `${i.image}: ${i.reason ?? 'not pulled'}`).join('; ') : reason || 'the pull failed',
      images: failedImages.length > 0 ? failedImages.map((i) => i.image!) : images,
    });
    if (node.phase === 'Successful') pulls.set(node.nodeName, failedImages.length > 0 ? failure() : { state: 'pulled' });
    else if (node.phase === 'Failure' || node.phase === 'Unknown') pulls.set(node.nodeName, UNREACHABLE.test(reason) ? { state: 'unreachable', reason } : failure());
  }
  // A job KubeEdge refused as a whole (no node reported): every node failed with its reason.
  if (reported.length === 0 && job.status?.phase === 'Failure') {
    for (const node of nodes) pulls.set(node, { state: 'failed', reason: job.status.reason ?? 'the job failed', images });
  }
  return { name: job.metadata.name, nodes, images, pulls };
}

interface ObjectJson {
  readonly kind: string;
  readonly spec?: unknown;
}

interface WorkloadSpecJson {
  readonly strategy?: { readonly type?: string };
  readonly template?: { readonly spec?: PodSpecJson };
  readonly jobTemplate?: { readonly spec?: { readonly template?: { readonly spec?: PodSpecJson } } };
}
interface PodSpecJson {
  readonly hostNetwork?: boolean;
  readonly containers?: readonly ContainerJson[];
  readonly initContainers?: readonly ContainerJson[];
}
interface ContainerJson {
  readonly image?: string;
  readonly ports?: readonly { readonly hostPort?: number }[];
}

/**
 * The images a render runs, and those of its workloads that cannot surge: a Deployment that
 * Recreates (the renderer's choice for fixed host ports) or whose pod holds ports on the node.
 */
export function workloadImages(objects: readonly ObjectJson[]): { readonly images: readonly string[]; readonly cannotSurge: readonly string[] } {
  const images = new Set<string>();
  const cannotSurge = new Set<string>();
  for (const object of objects) {
    const spec = (object.spec ?? {}) as WorkloadSpecJson;
    const pod = object.kind === 'Deployment' || object.kind === 'Job' ? spec.template?.spec : object.kind === 'CronJob' ? spec.jobTemplate?.spec?.template?.spec : undefined;
    if (!pod) continue;
    const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
    const holdsPorts = containers.some((c) => (c.ports ?? []).some((p) => p.hostPort !== undefined) || (pod.hostNetwork === true && (c.ports ?? []).length > 0));
    const surges = object.kind !== 'Deployment' || (spec.strategy?.type !== 'Recreate' && !holdsPorts);
    for (const c of containers) {
      if (!c.image) continue;
      images.add(c.image);
      if (!surges) cannotSurge.add(c.image);
    }
  }
  return { images: [...images].sort(), cannotSurge: [...cannotSurge].sort() };
}

/** A gateway the rollout advances in a wave, as the pre-pull decision needs it. */
export interface PrePullGateway {
  readonly gateway: string;
  readonly node: string;
  /** Its node is Ready: a job sent now can reach it. */
  readonly nodeReady: boolean;
  /** The revision it runs now (its inventory's): where it stays while held. */
  readonly runs: string;
  /** The images of the render it moves to that its current render does not run. */
  readonly needed: readonly string[];
  /** Of `needed`, the images of workloads that cannot surge. */
  readonly cannotSurge: readonly string[];
  /** The fleet's pre-pull settings at the rollout's revision. */
  readonly settings: PrePullSettings;
}

/** A job to create: the engine renders it with prePullJobObject. */
export interface PrePullJob {
  readonly name: string;
  readonly rollout: string;
  readonly wave: number;
  readonly attempt: number;
  readonly images: readonly string[];
  readonly nodes: readonly string[];
  readonly settings: PrePullSettings;
}

export interface PrePullPlan {
  /** The rollout plan with the gateways that wait for their pull held, and their pull recorded in their states. */
  readonly plan: RolloutPlan;
  readonly create: readonly PrePullJob[];
  /** Jobs no gateway waits for any more: every node in them switched (its new render applied), was re-issued, or left the rollout. */
  readonly remove: readonly string[];
}

const hash = (values: readonly string[]): string => createHash('sha256').update([...new Set(values)].sort().join('\n')).digest('hex').slice(0, 6);

/**
 * Deterministic per rollout, wave and image set (so a pass that repeats after a crash finds the
 * job it made); a re-issued job also by its attempt and its nodes.
 */
export function prePullJobName({ rollout, wave, images, attempt, nodes }: { rollout: string; wave: number; images: readonly string[]; attempt: number; nodes: readonly string[] }): string {
  const base = `essg-pre-pull-${rollout.slice(0, 12)}-w${wave}-${hash(images)}`;
  return attempt === 0 ? base : `${base}-r${attempt}-${hash(nodes)}`;
}

/** The gateway's wave started and its node has not pulled yet: it must not count as Ready on the new render. */
export function awaitsPull(state: GatewayRolloutState | undefined): boolean {
  const record = state?.prePull;
  return record !== undefined && record.outcome === undefined && state?.rollout?.id === record.rollout && state.revision === record.rollout;
}

export function decidePrePull({ plan, gateways, jobs }: {
  readonly plan: RolloutPlan;
  /** By gateway: those the rollout advances in a wave that have not switched yet (their inventory is on another revision). */
  readonly gateways: ReadonlyMap<string, PrePullGateway>;
  /** Every ImagePrePullJob this fleet owns. */
  readonly jobs: readonly PrePullJobView[];
}): PrePullPlan {
  const decisions = new Map<string, RolloutDecision>(plan.decisions);
  const states = new Map<string, GatewayRolloutState>(plan.states);
  const live = new Map(jobs.map((j) => [j.name, j]));
  const create = new Map<string, { job: Omit<PrePullJob, 'nodes'>; nodes: Set<string> }>();
  const reissue = new Map<string, PrePullGateway[]>();
  const issue = (job: Omit<PrePullJob, 'nodes'>, node: string): void => {
    const entry = create.get(job.name) ?? { job, nodes: new Set<string>() };
    entry.nodes.add(node);
    create.set(job.name, entry);
  };
  const hold = (c: PrePullGateway, reason: HoldReason): void => void decisions.set(c.gateway, { action: 'hold', gateway: c.gateway, revision: c.runs, hold: reason });
  const record = (gateway: string, next: PrePullRecord): void => void states.set(gateway, { ...states.get(gateway)!, prePull: next });

  for (const decision of plan.decisions.values()) {
    const c = gateways.get(decision.gateway);
    const state = states.get(decision.gateway);
    if (decision.action !== 'advance' || decision.why !== 'wave' || !c || c.needed.length === 0) continue;
    if (!state?.rollout || state.rollout.id !== decision.revision) continue;
    const { id: rollout, wave } = state.rollout;
    const images = [...c.needed].sort();
    const previous = state.prePull?.rollout === rollout ? state.prePull : undefined;
    if (!previous) {
      const name = prePullJobName({ rollout, wave, images, attempt: 0, nodes: [] });
      if (!live.has(name)) issue({ name, rollout, wave, attempt: 0, images, settings: c.settings }, c.node);
      record(c.gateway, { rollout, job: name, images, attempt: 0 });
      hold(c, { reason: 'pre-pulling', rollout, wave, job: name, images });
      continue;
    }
    if (previous.outcome) continue;
    const job = live.get(previous.job);
    // A job lost before it reported (deleted by hand, or its creation failed): issued again as it was.
    if (!job) issue({ name: previous.job, rollout, wave, attempt: previous.attempt, images: previous.images, settings: c.settings }, c.node);
    const pull: NodePull = !job ? { state: 'pending' } : (job.pulls.get(c.node) ?? (job.nodes.includes(c.node) ? { state: 'pending' } : { state: 'unreachable', reason: 'the job does not name the node' }));
    switch (pull.state) {
      case 'pulled':
        record(c.gateway, { ...previous, outcome: 'pulled' });
        break;
      case 'pending':
        hold(c, { reason: 'pre-pulling', rollout, wave, job: previous.job, images: previous.images });
        break;
      case 'unreachable':
        if (c.nodeReady) {
          const key = `${rollout}\n${wave}\n${previous.attempt + 1}\n${previous.images.join(',')}`;
          reissue.set(key, [...(reissue.get(key) ?? []), c]);
        } else {
          hold(c, { reason: 'pre-pulling', rollout, wave, job: previous.job, images: previous.images, waitingForNode: pull.reason });
        }
        break;
      case 'failed': {
        const failed = new Set(pull.images);
        const blocked = c.cannotSurge.filter((image) => failed.has(image));
        if (blocked.length > 0) hold(c, { reason: 'pre-pull-failed', rollout, wave, job: previous.job, images: blocked, failure: pull.reason });
        else record(c.gateway, { ...previous, outcome: 'proceeded' });
        break;
      }
    }
  }

  // Nodes back from being unreachable, one new job per rollout, wave, image set and attempt.
  for (const group of reissue.values()) {
    const state = states.get(group[0]!.gateway)!;
    const { id: rollout, wave } = state.rollout!;
    const previous = state.prePull!;
    const attempt = previous.attempt + 1;
    const nodes = group.map((c) => c.node);
    const name = prePullJobName({ rollout, wave, images: previous.images, attempt, nodes });
    for (const c of group) {
      if (!live.has(name)) issue({ name, rollout, wave, attempt, images: previous.images, settings: c.settings }, c.node);
      record(c.gateway, { rollout, job: name, images: previous.images, attempt });
      hold(c, { reason: 'pre-pulling', rollout, wave, job: name, images: previous.images });
    }
  }

  // A job is kept while a node in it still waits for it, or pulled and has not switched yet.
  const waitedFor = new Set<string>();
  for (const [gateway, state] of states) if (awaitsPull(state) || (gateways.has(gateway) && state.prePull?.rollout === state.rollout?.id)) waitedFor.add(state.prePull!.job);
  return {
    plan: { ...plan, decisions, states },
    create: [...create.values()].map(({ job, nodes }) => ({ ...job, nodes: [...nodes].sort() })).sort((a, b) => a.name.localeCompare(b.name)),
    remove: jobs.map((j) => j.name).filter((name) => !waitedFor.has(name) && !create.has(name)).sort(),
  };
}
