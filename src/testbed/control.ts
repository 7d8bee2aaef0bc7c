// What `essg testbed status`, `env`, `join`, `offline` and `online` do with a running test bed
// (`fail-image` and `heal-image` are in fail-image.ts).
import { ApiException, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { setTimeout } from 'node:timers/promises';
import { COMPONENTS, lastStatusReportWithinMs, UPLINK_LABEL, type ComponentName, type HeartbeatTiming } from './components.ts';
import { InvalidNodeNameError, NotRunningError, StagesNotServedError, UnknownNodeError } from './errors.ts';
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
  const cutAt = Date.now();
  await setUplink({ kubeconfig, node, uplink });
  if (uplink === 'down') await untilLastReportDue({ kubeconfig, node, timing: state.timing, cutAt });
  return state;
}

async function untilLastReportDue({ kubeconfig, node, timing, cutAt }: { kubeconfig: KubeConfig; node: string; timing: HeartbeatTiming; cutAt: number }): Promise<void> {
  const current = await kubeconfig.makeApiClient(CoreV1Api).readNode({ name: node });
  const heartbeat = current.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
  const last = heartbeat ? Math.min(new Date(heartbeat).getTime(), cutAt) : cutAt;
  const wait = last + lastStatusReportWithinMs(timing) - Date.now();
  if (wait > 0) await setTimeout(wait);
}
