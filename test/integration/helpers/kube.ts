// A small Kubernetes toolkit for integration tests against the test bed: typed clients,
// throwaway namespaces, extra gateways, uplink switches, the reconciler's Events and a
// patient wait.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, type CoreV1Event, type V1Node } from '@kubernetes/client-node';
import { setGatewayUplink } from '../../../src/testbed/control.ts';
import { waitForReadyNodes } from '../../../src/testbed/gateways.ts';
import { createEdgeNodes } from '../../../src/testbed/nodes.ts';
import { testbed } from './testbed.ts';
import { inventoryName, LABEL, MANAGED_BY, SYSTEM_NAMESPACE } from '../../../src/contract/index.ts';

export interface Kube {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;
  readonly custom: CustomObjectsApi;
  readonly objects: KubernetesObjectApi;
}

export async function kube(): Promise<Kube> {
  const config = new KubeConfig();
  config.loadFromFile((await testbed()).kubeconfig);
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    batch: config.makeApiClient(BatchV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(config),
  };
}

/**
 * Polls until `probe` returns a value (anything but undefined/false/null) and returns it.
 * The timeout only bounds a broken run; tests assert on the value, never on the time.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, { timeoutMs = 90_000, intervalMs = 250 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s${lastError ? `; last error: ${String(lastError)}` : ''}`);
    await sleep(intervalMs);
  }
}

/** A fresh namespace for one test; `remove` deletes it (and everything in it). */
export async function namespace(k: Kube, prefix = 'it'): Promise<{ readonly name: string; remove: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await k.core.createNamespace({ body: { metadata: { name } } });
  // Pods are admitted only once the namespace has its default service account.
  await waitFor(`service account default in ${name}`, () => k.core.readNamespacedServiceAccount({ name: 'default', namespace: name }));
  return { name, remove: async () => void (await k.core.deleteNamespace({ name })) };
}

/** Adds simulated gateways (edge nodes) to the test bed if missing, and waits until they are Ready. */
export async function ensureGateways(names: readonly string[]): Promise<void> {
  const state = await testbed();
  const config = new KubeConfig();
  config.loadFromFile(state.kubeconfig);
  await createEdgeNodes({ kubeconfig: config, names, kubeedge: state.versions.kubeedge, kubernetes: state.versions.kubernetes });
  await waitForReadyNodes({ kubeconfig: config, names, timeoutMs: 90_000 });
}

/** The gateway loses its uplink: its node stops heartbeating, as `essg testbed offline` does. */
export async function takeOffline(node: string): Promise<void> {
  await setGatewayUplink({ node, uplink: 'down', stateDir: (await testbed()).stateDir });
}

export async function bringOnline(node: string): Promise<void> {
  await setGatewayUplink({ node, uplink: 'up', stateDir: (await testbed()).stateDir });
}

/**
 * Runs `pass` until `phase()` (the reconciler's report of the gateway) says Offline. A failure
 * names what the API server says of the node beside that report: a node that never went
 * Unknown is the test bed's doing, one whose report never came is the reconciler's.
 */
export async function passUntilOffline(k: Kube, { gateway, pass, phase, timeoutMs = 90_000 }: { gateway: string; pass: () => Promise<unknown>; phase: () => string | undefined; timeoutMs?: number }): Promise<void> {
  let nodeReady = 'not read';
  await waitFor(`gateway ${gateway} reported Offline`, async () => {
    await pass();
    nodeReady = readyStatus(await k.core.readNode({ name: gateway }));
    return phase() === 'Offline';
  }, { timeoutMs, intervalMs: 1000 }).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; the API server has the node Ready=${nodeReady}, the reconciler reports ${phase()}`);
  });
}

export function readyStatus(node: V1Node): string {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

export function hasTaint(node: V1Node, key: string, effect: string): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === key && t.effect === effect);
}

/**
 * The Events the reconciler wrote about a gateway, as `kubectl get events -n essg-system`
 * shows them: they are about the gateway's inventory ConfigMap. `gateway: 'fleet'` gives the
 * fleet-wide ones (a refused mass deletion).
 */
export async function gatewayEvents(k: Kube, { gateway, reason }: { gateway: string; reason?: string }): Promise<CoreV1Event[]> {
  const fieldSelector = ['involvedObject.kind=ConfigMap', `involvedObject.name=${inventoryName(gateway)}`, ...(reason ? [`reason=${reason}`] : [])].join(',');
  return (await k.core.listNamespacedEvent({ namespace: SYSTEM_NAMESPACE, fieldSelector })).items;
}

/** `Kind namespace/name` of every object the reconciler manages in these namespaces (read with the test's own clients). */
export async function managedObjects(k: Kube, namespaces: readonly string[]): Promise<string[]> {
  const labelSelector = `${LABEL.managedBy}=${MANAGED_BY}`;
  const out: string[] = [];
  for (const namespace of namespaces) {
    const named = (kind: string, items: readonly { metadata?: { name?: string } }[]) => items.map((o) => `${kind} ${namespace}/${o.metadata?.name}`);
    out.push(
      ...named('ConfigMap', (await k.core.listNamespacedConfigMap({ namespace, labelSelector })).items),
      ...named('Deployment', (await k.apps.listNamespacedDeployment({ namespace, labelSelector })).items),
      ...named('CronJob', (await k.batch.listNamespacedCronJob({ namespace, labelSelector })).items),
      // Not the Jobs a CronJob started: they are the CronJob's, not the reconciler's.
      ...named('Job', (await k.batch.listNamespacedJob({ namespace, labelSelector })).items.filter((j) => !j.metadata?.ownerReferences?.length)),
    );
  }
  return out.sort();
}
