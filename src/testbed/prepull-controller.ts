// The test bed's stand-in for CloudCore's task manager, for ImagePrePullJobs only: a
// simulation, as KWOK's stages simulate the kubelet. No image is pulled anywhere. It reports
// status the way KubeEdge v1.23 does (operations.kubeedge.io/v1alpha2): each named node is
// checked first (missing, not an edge node, or not Ready: Failure with KubeEdge's reason,
// "the node is not ready"), reachable nodes go InProgress and, after a configurable delay,
// report each image (status True, or False with a reason when the test bed was told the
// registry is unreachable for that image on that node) and end Successful or Failure; the
// job's phase follows KubeEdge's CalculatePhaseWithCounts (InProgress while any node is,
// then Failure when the failed share exceeds failureTolerate, else Completed).
import { ApiException, CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { EDGE_ROLE_LABEL } from '../contract/index.ts';

export const PREPULL_GROUP = 'operations.kubeedge.io';
export const PREPULL_VERSION = 'v1alpha2';
export const PREPULL_PLURAL = 'imageprepulljobs';
/** Where `essg testbed fail-pull` and `pull-delay` tell the controller what to do. */
export const PULL_CONFIG = { namespace: 'kube-system', name: 'essg-testbed-image-pre-pull' } as const;
export const DEFAULT_PULL_DELAY_SECONDS = 1;

export interface PullFailure {
  readonly image: string;
  readonly node: string;
}

export interface PullConfig {
  /** How long a reachable node takes to pull a job's images. */
  readonly delaySeconds: number;
  /** Images whose registry is unreachable from a node. */
  readonly failures: readonly PullFailure[];
}

export interface NodeFacts {
  readonly edge: boolean;
  readonly ready: boolean;
}

interface ActionStatus { readonly action: string; readonly status: 'True' | 'False'; readonly reason?: string; readonly time: string }
interface ImageStatus { readonly image: string; readonly status: 'True' | 'False'; readonly reason?: string }
export interface NodeTaskStatus {
  readonly nodeName: string;
  readonly phase: 'Pending' | 'InProgress' | 'Successful' | 'Failure' | 'Unknown';
  readonly reason?: string;
  readonly actionFlow?: readonly ActionStatus[];
  readonly imageStatus?: readonly ImageStatus[];
}
export interface JobStatus {
  readonly phase: 'Init' | 'InProgress' | 'Completed' | 'Failure';
  readonly reason?: string;
  readonly nodeStatus?: readonly NodeTaskStatus[];
}

export interface PrePullJobObject {
  readonly metadata: { readonly name: string; readonly resourceVersion?: string };
  readonly spec?: { readonly imagePrePullTemplate?: { readonly images?: readonly string[]; readonly nodeNames?: readonly string[]; readonly failureTolerate?: string } };
  readonly status?: Partial<JobStatus>;
}

/** KubeEdge's words (VerifyNodeDefine, the edge's image pre-pull action). */
export const KUBEEDGE_REASON = {
  notReady: 'the node is not ready',
  notEdge: 'the node is not an edge node',
  pullFailed: 'there were some failures when pulling images',
} as const;

/** The job's next status, or undefined when nothing changes (finished, or still pulling). */
export function nextJobStatus({ job, nodes, config, now }: { job: PrePullJobObject; nodes: ReadonlyMap<string, NodeFacts>; config: PullConfig; now: string }): JobStatus | undefined {
  const status = job.status ?? {};
  if (status.phase === 'Completed' || status.phase === 'Failure') return undefined;
  const template = job.spec?.imagePrePullTemplate ?? {};
  const images = template.images ?? [];
  const names = template.nodeNames ?? [];
  if (!status.nodeStatus || status.nodeStatus.length === 0) {
    if (names.length === 0) return { phase: 'Failure', reason: 'nodeNames and nodeSelector cannot both be empty' };
    const nodeStatus = names.map((nodeName): NodeTaskStatus => {
      const node = nodes.get(nodeName);
      const problem = !node ? `failed to get node, err: nodes "${nodeName}" not found` : !node.edge ? KUBEEDGE_REASON.notEdge : !node.ready ? KUBEEDGE_REASON.notReady : undefined;
      return problem ? { nodeName, phase: 'Failure', reason: problem } : { nodeName, phase: 'InProgress', actionFlow: [{ action: 'Check', status: 'True', time: now }] };
    });
    return { phase: jobPhase(nodeStatus, template.failureTolerate), nodeStatus };
  }
  let changed = false;
  const nodeStatus = status.nodeStatus.map((task): NodeTaskStatus => {
    if (task.phase !== 'InProgress') return task;
    const started = Date.parse(task.actionFlow?.[0]?.time ?? now);
    if (Date.parse(now) - started < config.delaySeconds * 1000) return task;
    changed = true;
    // The message to a node that went away never arrives: it fails as KubeEdge reports an unreachable node.
    if (!nodes.get(task.nodeName)?.ready) return { ...task, phase: 'Failure', reason: KUBEEDGE_REASON.notReady };
    const imageStatus = images.map((image): ImageStatus => {
      const fails = config.failures.some((f) => f.image === image && f.node === task.nodeName);
      return fails ? { image, status: 'False', reason: `failed to pull image "${image}": registry unreachable (simulated by the test bed)` } : { image, status: 'True' };
    });
    const ok = imageStatus.every((i) => i.status === 'True');
    return {
      ...task,
      phase: ok ? 'Successful' : 'Failure',
      ...(ok ? {} : { reason: KUBEEDGE_REASON.pullFailed }),
      actionFlow: [...(task.actionFlow ?? []), { action: 'Pull', status: ok ? 'True' : 'False', ...(ok ? {} : { reason: KUBEEDGE_REASON.pullFailed }), time: now }],
      imageStatus,
    };
  });
  const phase = jobPhase(nodeStatus, template.failureTolerate);
  if (!changed && phase === status.phase) return undefined;
  return { phase, nodeStatus };
}

/** KubeEdge's CalculatePhaseWithCounts, with the failed share rounded to two places. */
function jobPhase(nodes: readonly NodeTaskStatus[], failureTolerate: string | undefined): JobStatus['phase'] {
  if (nodes.length === 0) return 'Failure';
  if (nodes.some((n) => n.phase !== 'Successful' && n.phase !== 'Failure' && n.phase !== 'Unknown')) return 'InProgress';
  const failed = nodes.filter((n) => n.phase === 'Failure' || n.phase === 'Unknown').length;
  const tolerate = Number.parseFloat(failureTolerate ?? '');
  const share = Math.round((failed / nodes.length) * 100) / 100;
  return failed > 0 && share > (Number.isFinite(tolerate) ? tolerate : 0) ? 'Failure' : 'Completed';
}

export function parsePullConfig(data: Readonly<Record<string, string>> | undefined): PullConfig {
  const delay = Number(data?.['delaySeconds']);
  let failures: PullFailure[] = [];
  try {
    const parsed: unknown = JSON.parse(data?.['failures'] ?? '[]');
    if (Array.isArray(parsed)) failures = parsed.filter((f): f is PullFailure => typeof f?.image === 'string' && typeof f?.node === 'string');
  } catch {
    failures = [];
  }
  return { delaySeconds: Number.isFinite(delay) && delay >= 0 ? delay : DEFAULT_PULL_DELAY_SECONDS, failures };
}

export async function readPullConfig(kubeconfig: KubeConfig): Promise<PullConfig> {
  try {
    const cm = await kubeconfig.makeApiClient(CoreV1Api).readNamespacedConfigMap(PULL_CONFIG);
    return parsePullConfig(cm.data);
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return parsePullConfig(undefined);
    throw error;
  }
}

async function writePullConfig(kubeconfig: KubeConfig, config: PullConfig): Promise<void> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const body = { metadata: { ...PULL_CONFIG }, data: { delaySeconds: String(config.delaySeconds), failures: JSON.stringify(config.failures) } };
  try {
    await core.replaceNamespacedConfigMap({ ...PULL_CONFIG, body });
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 404)) throw error;
    await core.createNamespacedConfigMap({ namespace: PULL_CONFIG.namespace, body });
  }
}

/** From now on, pulls of `image` on `node` fail (`fail: false`: succeed again). Jobs already finished keep their result. */
export async function setPullFailure({ kubeconfig, image, node, fail }: { kubeconfig: KubeConfig; image: string; node: string; fail: boolean }): Promise<PullConfig> {
  const config = await readPullConfig(kubeconfig);
  const others = config.failures.filter((f) => !(f.image === image && f.node === node));
  const next = { ...config, failures: fail ? [...others, { image, node }] : others };
  await writePullConfig(kubeconfig, next);
  return next;
}

export async function setPullDelay({ kubeconfig, seconds }: { kubeconfig: KubeConfig; seconds: number }): Promise<PullConfig> {
  const next = { ...(await readPullConfig(kubeconfig)), delaySeconds: seconds };
  await writePullConfig(kubeconfig, next);
  return next;
}

function nodeFacts(node: V1Node): NodeFacts {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return { edge: node.metadata?.labels?.[EDGE_ROLE_LABEL] !== undefined, ready };
}

/** One look at every job: the statuses that change are written. Returns how many. */
export async function reconcilePrePullJobs({ kubeconfig, now = new Date() }: { kubeconfig: KubeConfig; now?: Date }): Promise<number> {
  const custom = kubeconfig.makeApiClient(CustomObjectsApi);
  const list = (await custom.listClusterCustomObject({ group: PREPULL_GROUP, version: PREPULL_VERSION, plural: PREPULL_PLURAL })) as { items: PrePullJobObject[] };
  const open = list.items.filter((job) => job.status?.phase !== 'Completed' && job.status?.phase !== 'Failure');
  if (open.length === 0) return 0;
  const [config, nodeList] = await Promise.all([readPullConfig(kubeconfig), kubeconfig.makeApiClient(CoreV1Api).listNode()]);
  const nodes = new Map(nodeList.items.map((n) => [n.metadata?.name ?? '', nodeFacts(n)]));
  // KubeEdge writes RFC 3339 in whole seconds.
  const time = `${now.toISOString().slice(0, 19)}Z`;
  let written = 0;
  for (const job of open) {
    const status = nextJobStatus({ job, nodes, config, now: time });
    if (!status) continue;
    try {
      await custom.replaceClusterCustomObjectStatus({ group: PREPULL_GROUP, version: PREPULL_VERSION, plural: PREPULL_PLURAL, name: job.metadata.name, body: { ...job, status } });
      written++;
    } catch (error) {
      // Deleted meanwhile, or changed since the listing: the next look sees it as it is.
      if (!(error instanceof ApiException && (error.code === 404 || error.code === 409))) throw error;
    }
  }
  return written;
}

/** Looks at the jobs every `intervalMs` until `signal` aborts; a failed look is logged and retried. */
export async function runPrePullController({ kubeconfig, intervalMs = 500, signal, log }: { kubeconfig: KubeConfig; intervalMs?: number; signal: AbortSignal; log: (line: string) => void }): Promise<void> {
  while (!signal.aborted) {
    try {
      const written = await reconcilePrePullJobs({ kubeconfig });
      if (written > 0) log(`image pre-pull: ${written} job status(es) written`);
    } catch (error) {
      log(`image pre-pull: ${error instanceof Error ? error.message : String(error)}`);
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, intervalMs);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
