// What `essg testbed status`, `env`, `join`, `offline` and `online` do with a running test bed
// (`fail-image` and `heal-image` are in fail-image.ts).
import { ApiException, CoordinationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { setTimeout } from 'node:timers/promises';
import { COMPONENTS, lastStatusReportWithinMs, UPLINK_LABEL, type ComponentName, type HeartbeatTiming } from './components.ts';
import { InvalidNodeNameError, NotRunningError, StagesNotServedError, UnknownNodeError, UplinkNotCutError } from './errors.ts';
import { failingImages, type FailingImage } from './fail-image.ts';
import { adminClient, ensureGateways } from './gateways.ts';
import { isHealthy } from './lifecycle.ts';
import { listEdgeNodes, setUplink, type NodeSummary, type Uplink } from './nodes.ts';
import { isAlive } from './processes.ts';
import { stateDir as defaultStateDir } from './paths.ts';
import { readState, writeState, type TestbedState } from './state.ts';

export async function runningState(stateDir: string = defaultStateDir()): Promise<TestbedState> {
  const state = await readState(stateDir);
  if (!state || !(await isHealthy(state))) throw new NotRunningError(stateDir);
  return state;
}

/** Shell exports for a running test bed: `eval "$(essg testbed env)"`. */
export function envExports(state: TestbedState): string[] {
  const lines = [`export KUBECONFIG=${quote(state.kubeconfig)}`, `export ESSG_GIT_URL=${quote(state.git.fleetRepoUrl)}`, `export ESSG_TESTBED_DIR=${quote(state.stateDir)}`];
  if (state.git.username !== undefined) lines.push(`export ESSG_GIT_USERNAME=${quote(state.git.username)}`);
  if (state.git.password !== undefined) lines.push(`export ESSG_GIT_PASSWORD=${quote(state.git.password)}`);
  if (state.registry) lines.push(`export ESSG_REGISTRY_URL=${quote(state.registry.url)}`, `export ESSG_REGISTRY_USERNAME=${quote(state.registry.username)}`, `export ESSG_REGISTRY_PASSWORD=${quote(state.registry.password)}`);
  return lines;
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface ComponentStatus {
  readonly name: ComponentName;
  readonly pid: number | null;
  readonly alive: boolean;
  readonly log: string | null;
}

export interface TestbedStatus {
  readonly stateDir: string;
  readonly running: boolean;
  readonly state?: TestbedState;
  readonly components: readonly ComponentStatus[];
  readonly nodes?: { readonly total: number; readonly ready: number; readonly offline: readonly NodeSummary[]; readonly notReady: readonly NodeSummary[] };
  /** Images made to fail with `fail-image`. */
  readonly failingImages?: readonly FailingImage[];
}

export async function status(stateDir: string = defaultStateDir()): Promise<TestbedStatus> {
  const state = await readState(stateDir);
  if (!state) return { stateDir, running: false, components: [] };
  const components = COMPONENTS.map((name) => {
    const proc = state.processes[name];
    return { name, pid: proc?.pid ?? null, alive: proc ? isAlive(proc.pid) : false, log: proc?.log ?? null };
  });
  const running = await isHealthy(state);
  if (!running) return { stateDir, running, state, components };
  const kubeconfig = adminClient(state);
  const [nodes, failing] = await Promise.all([listEdgeNodes(kubeconfig), failingImagesIfServed(kubeconfig)]);
  return {
    stateDir,
    running,
    state,
    components,
    nodes: { total: nodes.length, ready: nodes.filter((n) => n.ready === 'True').length, offline: nodes.filter((n) => n.uplink === 'down'), notReady: nodes.filter((n) => n.ready !== 'True') },
    failingImages: failing,
  };
}

/** A test bed started by an older essg has no stages to list: it fails no image. */
async function failingImagesIfServed(kubeconfig: KubeConfig): Promise<FailingImage[]> {
  try {
    return await failingImages({ kubeconfig });
  } catch (error) {
    if (error instanceof StagesNotServedError) return [];
    throw error;
  }
}

/**
 * Cuts (`down`) or restores (`up`) a simulated gateway's uplink: KWOK stops or resumes its
 * heartbeat. KWOK still sends a status report it had scheduled before the cut (it does not
 * cancel it), which would make the node look back for a grace period; so `down` returns only
 * once that report is due, and from then on the gateway is silent.
 */
/** A node name as Kubernetes accepts it (a DNS-1123 subdomain). */
const NODE_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Joins an edge node to the running test bed, as `keadm join --edgenode-name=NODE` does on a
 * gateway: the node registers with KubeEdge's labels, KWOK keeps it Ready, and it becomes one
 * of the test bed's gateways (`offline`, `online`). Joining a node that is there changes nothing.
 */
export async function joinGateway({ node, stateDir, timeoutMs = 60_000 }: { node: string; stateDir?: string; timeoutMs?: number }): Promise<{ state: TestbedState; joined: boolean }> {
  if (!NODE_NAME.test(node)) throw new InvalidNodeNameError(node);
  const state = await runningState(stateDir);
  const joined = !state.gateways.includes(node);
  await ensureGateways({ state, names: [node], log: () => {}, timeoutMs });
  if (!joined) return { state, joined };
  const next = { ...state, gateways: [...state.gateways, node] };
  await writeState(next);
  return { state: next, joined };
}

export async function setGatewayUplink({ node, uplink, stateDir }: { node: string; uplink: Uplink; stateDir?: string }): Promise<TestbedState> {
  const state = await runningState(stateDir);
  const kubeconfig = adminClient(state);
  try {
    const existing = await kubeconfig.makeApiClient(CoreV1Api).readNode({ name: node });
    if (existing.metadata?.labels?.[UPLINK_LABEL] === undefined) throw new UnknownNodeError(node, state.gateways);
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) throw new UnknownNodeError(node, state.gateways);
    throw error;
  }
  if (uplink === 'up') await setUplink({ kubeconfig, node, uplink });
  else await cutUplink({ kubeconfig, node, timing: state.timing, kwokLog: state.processes.kwok?.log });
  return state;
}

/** How many times `offline` cuts a gateway's uplink before it says KWOK kept the node. */
const CUT_ATTEMPTS = 3;

/**
 * Cuts the uplink and waits until the last status report KWOK had scheduled before the cut is
 * due, then checks that KWOK let the node go. KWOK (v0.7) can take a node back just after its
 * label stops matching: a node it began managing moments before is looked up again by name
 * alone, without the label selector, and its lease and heartbeat resume (the status report
 * itself stops with the uplink, see whileUplinkUp in kubelet-stages.ts). A lease or status
 * still renewed after the cut means that happened: the uplink is restored, and cut again.
 */
async function cutUplink({ kubeconfig, node, timing, kwokLog }: { kubeconfig: KubeConfig; node: string; timing: HeartbeatTiming; kwokLog: string | undefined }): Promise<void> {
  const renewMs = timing.renewSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    const cutAt = Date.now();
    await setUplink({ kubeconfig, node, uplink: 'down' });
    await untilLastReportDue({ kubeconfig, node, timing, cutAt });
    if (!(await stillRenewed({ kubeconfig, node, since: cutAt, renewMs: Math.max(renewMs, timing.statusReportSeconds * 1000) }))) return;
    if (attempt === CUT_ATTEMPTS) throw new UplinkNotCutError({ node, attempts: attempt, kwokLog });
    await setUplink({ kubeconfig, node, uplink: 'up' });
    // KWOK holds the node again (a renewal after the restore), and has finished taking it.
    await untilRenewedAfter({ kubeconfig, node, after: Date.now(), timeoutMs: timing.leaseDurationSeconds * 2000 });
    await setTimeout(renewMs);
  }
}

async function untilLastReportDue({ kubeconfig, node, timing, cutAt }: { kubeconfig: KubeConfig; node: string; timing: HeartbeatTiming; cutAt: number }): Promise<void> {
  const current = await kubeconfig.makeApiClient(CoreV1Api).readNode({ name: node });
  const heartbeat = current.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
  const last = heartbeat ? Math.min(new Date(heartbeat).getTime(), cutAt) : cutAt;
  // Long enough past the cut for a lease KWOK still holds to be renewed once more.
  const due = Math.max(last + lastStatusReportWithinMs(timing), cutAt + timing.renewSeconds * 1500 + 1000);
  const wait = due - Date.now();
  if (wait > 0) await setTimeout(wait);
}

/**
 * Whether KWOK still heartbeats the node: its lease renewed or its status reported after the
 * cut, and again a renewal interval later (one late report or renewal is KWOK seeing the cut
 * after it had begun one).
 */
async function stillRenewed({ kubeconfig, node, since, renewMs }: { kubeconfig: KubeConfig; node: string; since: number; renewMs: number }): Promise<boolean> {
  const first = await heartbeats(kubeconfig, node);
  if (first.lease <= since && first.status <= since) return false;
  await setTimeout(renewMs * 1.5);
  const second = await heartbeats(kubeconfig, node);
  return second.lease > first.lease || second.status > first.status;
}

/** When the node's lease was last renewed and its status last reported (0: never). */
async function heartbeats(kubeconfig: KubeConfig, node: string): Promise<{ lease: number; status: number }> {
  const current = await kubeconfig.makeApiClient(CoreV1Api).readNode({ name: node });
  const reported = current.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
  return { lease: (await leaseRenewedAt(kubeconfig, node)) ?? 0, status: reported ? new Date(reported).getTime() : 0 };
}

async function untilRenewedAfter({ kubeconfig, node, after, timeoutMs }: { kubeconfig: KubeConfig; node: string; after: number; timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (((await leaseRenewedAt(kubeconfig, node)) ?? 0) > after) return;
    await setTimeout(250);
  }
}

async function leaseRenewedAt(kubeconfig: KubeConfig, node: string): Promise<number | undefined> {
  try {
    const lease = await kubeconfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: node, namespace: 'kube-node-lease' });
    return lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : undefined;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw error;
  }
}
