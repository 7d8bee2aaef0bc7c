// Which gateways a test bed simulates (numbered ones, or those a fleet repo declares) and
// making sure each is a Ready edge node; also the admin client the test bed uses.
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadFleetFromDir } from '../model/load.ts';
import { formatProblem } from '../model/problems.ts';
import type { Log } from './build.ts';
import { FleetHasNoGatewaysError } from './errors.ts';
import { waitUntil } from './health.ts';
import { createEdgeNodes, numberedGatewayNames, summarizeNode } from './nodes.ts';
import type { StartedProcess } from './processes.ts';
import type { TestbedState } from './state.ts';
import { EDGE_ROLE_LABEL } from '../contract/index.ts';

export function adminClient(state: Pick<TestbedState, 'kubeconfig'>): KubeConfig {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(state.kubeconfig);
  return kubeconfig;
}

/** The edge node of every gateway the fleet repo declares (it must pass `essg validate`). */
export async function fleetNodeNames(dir: string): Promise<string[]> {
  const result = await loadFleetFromDir(path.resolve(dir));
  if (!result.ok) throw new FleetHasNoGatewaysError(dir, result.problems.map(formatProblem));
  const nodes = [...result.model.gateways.values()].map((g) => g.node);
  if (nodes.length === 0) throw new FleetHasNoGatewaysError(dir, []);
  return nodes;
}

export async function gatewayNames({ gateways, fleet }: { gateways?: number; fleet?: string }): Promise<string[]> {
  const names = [...numberedGatewayNames(gateways ?? 0), ...(fleet ? await fleetNodeNames(fleet) : [])];
  return [...new Set(names)];
}

/** Creates the gateways' nodes that are missing and waits until KWOK reports all of them Ready. */
export async function ensureGateways({ state, names, log, kwok, timeoutMs = 180_000 }: { state: TestbedState; names: readonly string[]; log: Log; kwok?: StartedProcess; timeoutMs?: number }): Promise<readonly string[]> {
  if (names.length === 0) return [];
  const kubeconfig = adminClient(state);
  const created = await createEdgeNodes({ kubeconfig, names, kubeedge: state.versions.kubeedge, kubernetes: state.versions.kubernetes });
  if (created.length > 0) log(`testbed: created ${created.length} gateway node(s)`);
  await waitForReadyNodes({ kubeconfig, names, kwok, timeoutMs });
  return names;
}

export async function waitForReadyNodes({ kubeconfig, names, kwok, timeoutMs }: { kubeconfig: KubeConfig; names: readonly string[]; kwok?: StartedProcess; timeoutMs: number }): Promise<void> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const wanted = new Set(names);
  // Listing 1,000 nodes is not free: poll large fleets less often.
  const interval = names.length > 100 ? 1000 : 200;
  await waitUntil({
    component: 'kwok (gateway nodes Ready)',
    process: kwok,
    timeoutMs,
    check: async () => {
      const nodes = (await core.listNode({ labelSelector: EDGE_ROLE_LABEL })).items.map(summarizeNode);
      const ready = nodes.filter((n) => wanted.has(n.name) && n.ready === 'True').length;
      if (ready < wanted.size) await sleep(interval);
      return ready === wanted.size;
    },
  });
}
