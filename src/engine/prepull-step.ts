// The pre-pull step: between the rollout's decision and the plan. It reads, for each gateway
// the rollout advances in a wave, which images its new render needs that its node does not
// run yet (the render at its inventory's revision is what the node runs), whether its node
// is Ready, and what the fleet's ImagePrePullJobs report; the rollout stage's pre-pull rule
// (src/rollout/prepull.ts) holds those still pulling. The jobs it asks for are created, and
// the finished ones deleted, only after the rollout states are recorded.
import type { ClusterClient } from '../apply/index.ts';
import { nodeHealth } from '../health/index.ts';
import type { Inventory } from '../diff/index.ts';
import { prePullJobObject } from '../render/pre-pull-job.ts';
import { decidePrePull, prePullSettings, readPrePullJob, workloadImages, type PrePullGateway, type PrePullJob, type RolloutPlan } from '../rollout/index.ts';
import type { FleetRevisions } from '../load/index.ts';
import type { Observed } from './observe.ts';

const JOB_KIND = 'ImagePrePullJob';
const JOB_API_VERSION = 'operations.kubeedge.io/v1alpha2';

export interface PrePullStepResult {
  readonly plan: RolloutPlan;
  readonly create: readonly PrePullJob[];
  readonly remove: readonly string[];
}

export async function prePullStep({ plan, observed, inventories, revisions, now }: {
  readonly plan: RolloutPlan;
  readonly observed: Observed;
  readonly inventories: ReadonlyMap<string, Inventory>;
  readonly revisions: FleetRevisions;
  readonly now: string;
}): Promise<PrePullStepResult> {
  const gateways = new Map<string, PrePullGateway>();
  for (const decision of plan.decisions.values()) {
    if (decision.action !== 'advance' || decision.why !== 'wave') continue;
    const runs = inventories.get(decision.gateway)?.revision;
    if (!runs || runs === decision.revision) continue; // nothing applied yet, or already switched
    const next = await revisions.at(decision.revision, now);
    if (!next.ok) continue;
    const settings = prePullSettings(next.model.fleet.doc);
    const model = next.model.gateways.get(decision.gateway);
    const render = next.rendered.get(decision.gateway);
    if (!settings || !model || !render) continue;
    const current = await revisions.at(runs, now);
    const running = new Set(workloadImages((current.ok ? current.rendered.get(decision.gateway)?.objects : undefined) ?? []).images);
    const wanted = workloadImages(render.objects);
    const needed = wanted.images.filter((image) => !running.has(image));
    const node = observed.nodes.get(model.node);
    const health = node ? nodeHealth(node) : undefined;
    gateways.set(decision.gateway, {
      gateway: decision.gateway,
      node: model.node,
      nodeReady: health !== undefined && !health.offline && health.ready === 'True',
      runs,
      needed,
      cannotSurge: wanted.cannotSurge.filter((image) => needed.includes(image)),
      settings,
    });
  }
  // Our jobs span gateways, so they carry no gateway label: the listing files them as shared.
  const jobs = observed.live.shared.filter((o) => o.kind === JOB_KIND && o.apiVersion === JOB_API_VERSION).map(readPrePullJob);
  return decidePrePull({ plan, gateways, jobs });
}

/**
 * Creates the jobs the step asked for and deletes the finished ones. A failure is logged and
 * left for the next pass, which asks again: the states name the jobs, and the names are
 * deterministic, so nothing is pulled twice or lost.
 */
export async function applyPrePullJobs({ client, create, remove, log }: {
  readonly client: Pick<ClusterClient, 'apply' | 'delete'>;
  readonly create: readonly PrePullJob[];
  readonly remove: readonly string[];
  readonly log: (line: string) => void;
}): Promise<void> {
  for (const job of create) {
    try {
      await client.apply(prePullJobObject(job));
      log(`pre-pull: ${job.name} pulls ${job.images.join(', ')} on ${job.nodes.join(', ')} (rollout ${job.rollout.slice(0, 12)}, wave ${job.wave}${job.attempt > 0 ? `, re-issued #${job.attempt}` : ''})`);
    } catch (error) {
      log(`pre-pull: could not create ${job.name}, trying again next pass: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const name of remove) {
    try {
      await client.delete({ apiVersion: JOB_API_VERSION, kind: JOB_KIND, name });
      log(`pre-pull: ${name} deleted: every node in it switched or got a new job`);
    } catch (error) {
      log(`pre-pull: could not delete ${name}, trying again next pass: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
