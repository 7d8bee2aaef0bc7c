// The test bed side of the reconcile benchmark: gateway nodes, the kubectl baseline, and
// leaving the cluster as the benchmark found it.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { KubeClusterClient } from '../src/apply/index.ts';
import { loadFleetFromDir } from '../src/model/load.ts';
import { renderFleet, toYaml, type K8sObject } from '../src/render/index.ts';
import { heartbeatTiming } from '../src/testbed/components.ts';
import { binDir, stateDir } from '../src/testbed/paths.ts';
import { readState, type TestbedState } from '../src/testbed/state.ts';
import { writeFleet, type FleetFiles } from './fleet-generator.ts';
import { LABEL, SYSTEM_NAMESPACE } from '../src/contract/index.ts';

const run = promisify(execFile);

/**
 * The running test bed, timed for `gateways` nodes: one started for 3 renews every 2 s, which
 * for 1,000 nodes keeps the API server busy and puts KWOK minutes behind.
 */
export async function testbedSizedFor({ gateways, benchmark }: { gateways: number; benchmark: string }): Promise<TestbedState> {
  const command = `essg testbed up --size-for ${gateways}`;
  const state = await readState(stateDir());
  if (!state?.ready) throw new Error(`the ${benchmark} benchmark needs the running test bed: ${command}`);
  if (state.timing.renewSeconds < heartbeatTiming(gateways).renewSeconds) {
    throw new Error(`the running test bed renews node leases every ${state.timing.renewSeconds} s, too often for ${gateways} gateways: essg testbed down && ${command}`);
  }
  return state;
}

/** The same fleet under other gateway names and namespaces: a first sync for whoever applies it. */
export function renamedFleet(files: FleetFiles, { gatewayPrefix, namespacePrefix }: { gatewayPrefix: string; namespacePrefix: string }): FleetFiles {
  const out: FleetFiles = {};
  for (const [file, content] of Object.entries(files)) {
    let c = content.replace(/\bgw-(\d{6})\b/g, `${gatewayPrefix}-$1`);
    if (file === 'fleet.yaml') c = c.replace('spec:\n', `spec:\n  namespacePrefix: ${namespacePrefix}\n`);
    out[file.replace(/\bgw-(\d{6})\b/, `${gatewayPrefix}-$1`)] = c;
  }
  return out;
}

export async function renderFiles(files: FleetFiles): Promise<K8sObject[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'essg-bench-fleet-'));
  await writeFleet(dir, files);
  const loaded = await loadFleetFromDir(dir);
  if (!loaded.ok) throw new Error(`the benchmark fleet is invalid: ${loaded.problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('; ')}`);
  return renderFleet({ model: loaded.model, now: new Date().toISOString() }).gateways.flatMap((g) => g.objects);
}

/**
 * `kubectl apply --server-side` of the rendered objects: namespaces first (each once, they
 * are shared by a customer's gateways), then one file per 100 objects in apply order.
 */
export async function kubectlApply({ objects, kubeconfig }: { objects: readonly K8sObject[]; kubeconfig: string }): Promise<{ seconds: number; files: number }> {
  const { dir, files } = await writeManifests(objects);
  const started = Date.now();
  await run(path.join(binDir(), 'kubectl'), ['--kubeconfig', kubeconfig, 'apply', '--server-side', '--force-conflicts', '--field-manager', 'essg-bench-kubectl', '-f', dir], { maxBuffer: 256 * 2 ** 20 });
  return { seconds: (Date.now() - started) / 1000, files };
}

/** The objects as a fresh directory of YAML files: namespaces (each once) in the first, then 100 objects a file in apply order. */
export async function writeManifests(objects: readonly K8sObject[]): Promise<{ dir: string; files: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'essg-bench-manifests-'));
  await mkdir(dir, { recursive: true });
  const namespaces = [...new Map(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o])).values()];
  const rest = objects.filter((o) => o.kind !== 'Namespace');
  const chunks = [namespaces, ...Array.from({ length: Math.ceil(rest.length / 100) }, (_, i) => rest.slice(i * 100, i * 100 + 100))];
  await Promise.all(chunks.map((chunk, i) => writeFile(path.join(dir, `${String(i).padStart(5, '0')}.yaml`), toYaml(chunk))));
  return { dir, files: chunks.length };
}

/** Each object once: a customer's Namespace is rendered into every one of its gateways. */
export function uniqueObjects(objects: readonly K8sObject[]): K8sObject[] {
  return [...new Map(objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o])).values()];
}

/** Deletes what the benchmark's gateways own (namespaces, cluster-scoped objects, inventories) and the nodes it added. */
export async function cleanUp({ kubeconfig, gateways, addedNodes, log }: { kubeconfig: KubeConfig; gateways: ReadonlySet<string>; addedNodes: readonly string[]; log: (line: string) => void }): Promise<void> {
  const client = new KubeClusterClient({ kubeconfig });
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const owned = (await client.listOwned()).filter((o) => gateways.has(o.metadata.labels?.[LABEL.gateway] ?? ''));
  const namespaces = new Set(owned.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : [])));
  const clusterScoped = owned.filter((o) => !o.metadata.namespace && o.kind !== 'Namespace');
  log(`clean up: ${namespaces.size} namespaces, ${clusterScoped.length} cluster-scoped objects, inventories, ${addedNodes.length} nodes`);
  await inBatches(clusterScoped, (o) => client.delete({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name! }));
  await inBatches([...namespaces], (name) => core.deleteNamespace({ name }).catch(() => undefined));
  const inventories = (await core.listNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, labelSelector: LABEL.inventoryOf })).items.filter((c) => gateways.has(c.metadata?.labels?.[LABEL.inventoryOf] ?? ''));
  await inBatches(inventories, (c) => core.deleteNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, name: c.metadata!.name! }).catch(() => undefined));
  await inBatches(addedNodes, (name) => core.deleteNode({ name }).catch(() => undefined));
}

async function inBatches<T>(items: readonly T[], action: (item: T) => Promise<unknown>, size = 32): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(action));
}
