// A tiny fleet of its own for each apply test (its own customer, namespace and gateways, so
// tests never collide), and one reconcile pass built from the plan and apply stages as the
// engine wires them: list → plan → guard → apply.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm, unlink, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applyGateways, checkDeletionGuard, countsSince, type ClusterClient, type DeletionGuardResult, type GatewayApplyResult, type RequestCounts } from '../../src/apply/index.ts';
import { loadFleetFromDir } from '../../src/model/load.ts';
import { formatProblem } from '../../src/model/problems.ts';
import { planGateway, refOf, type GatewayPlan } from '../../src/plan/index.ts';
import { renderFleet } from '../../src/render/index.ts';
import { TEMPLATE_DIR } from '../support/template-fleet.ts';

export const NOW = '2026-06-01T00:00:00Z';

export interface TestFleet {
  readonly dir: string;
  readonly customer: string;
  /** The customer Namespace the renderer puts its objects in. */
  readonly namespace: string;
  readonly gateways: readonly string[];
  setServices(gateway: string, services: readonly string[]): Promise<void>;
  removeGateway(gateway: string): Promise<void>;
  cleanup(): Promise<void>;
}

const SERVICES: Readonly<Record<string, string>> = {
  ids: '    - { name: ids, version: 1.1.0, config: { homeNet: [10.20.0.0/16] } }',
  'log-collector': '    - { name: log-collector, version: 2.4.0, config: { socEndpoint: "https://soc.example.com/ingest", sources: [syslog] } }',
  firewall: '    - { name: firewall, version: 3.0.0, config: { defaultPolicy: drop, logDropped: true } }',
  'edr-adapter': '    - { name: edr-adapter, version: 1.4.0, config: { vendor: defender, consoleUrl: "https://edr.example.com" } }',
  'asset-discovery': '    - { name: asset-discovery, version: 1.0.0, config: { subnets: [10.20.0.0/16] } }',
  'vuln-scanner': '    - { name: vuln-scanner, version: 2.0.0, config: { targets: [10.30.0.0/24], profile: quick } }',
};

/** Every kind of workload the catalog has: daemons (one with host networking), a CronJob and a Job. */
export const ALL_SERVICES = Object.keys(SERVICES);

function gatewayYaml(name: string, services: readonly string[]): string {
  return [
    'apiVersion: essg.io/v1',
    'kind: Gateway',
    `metadata: { name: ${name}, labels: { site: test } }`,
    'spec:',
    `  node: ${name}`,
    '  mode: hardware',
    services.length > 0 ? '  services:' : '  services: []',
    ...services.map((s) => SERVICES[s] as string),
    '',
  ].join('\n');
}

/** The template's fleet.yaml and catalog, with one customer of `gatewayCount` gateways running ids and log-collector. */
export async function createTestFleet({ prefix, gatewayCount }: { prefix: string; gatewayCount: number }): Promise<TestFleet> {
  const customer = `${prefix}${randomBytes(3).toString('hex')}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), `essg-${prefix}-`));
  await cp(path.join(TEMPLATE_DIR, 'fleet.yaml'), path.join(dir, 'fleet.yaml'));
  await cp(path.join(TEMPLATE_DIR, 'catalog'), path.join(dir, 'catalog'), { recursive: true });
  await mkdir(path.join(dir, 'customers'));
  await mkdir(path.join(dir, 'gateways', customer), { recursive: true });
  await writeFile(path.join(dir, 'customers', `${customer}.yaml`), `apiVersion: essg.io/v1\nkind: Customer\nmetadata: { name: ${customer} }\nspec:\n  approvers: [${customer}-lead]\n  requiredApprovals: 1\n`);
  const gateways = Array.from({ length: gatewayCount }, (_, i) => `${customer}-gw-${i + 1}`);
  const file = (gateway: string) => path.join(dir, 'gateways', customer, `${gateway}.yaml`);
  for (const gateway of gateways) await writeFile(file(gateway), gatewayYaml(gateway, ['ids', 'log-collector']));
  return {
    dir,
    customer,
    namespace: `essg-${customer}`,
    gateways,
    setServices: (gateway, services) => writeFile(file(gateway), gatewayYaml(gateway, services)),
    removeGateway: (gateway) => unlink(file(gateway)),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface PassResult {
  readonly plans: readonly GatewayPlan[];
  readonly guard: DeletionGuardResult;
  readonly results: readonly GatewayApplyResult[];
  /** Requests the whole pass made, listing included. */
  readonly requests: RequestCounts;
}

/** One pass over the fleet's gateways (and those of its customer the cluster still holds). */
export async function reconcileOnce({ client, fleet, allowMassDeletion = false, apply = true }: { client: ClusterClient; fleet: TestFleet; allowMassDeletion?: boolean; apply?: boolean }): Promise<PassResult> {
  const before = client.requests.snapshot();
  const loaded = await loadFleetFromDir(fleet.dir);
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  const rendered = renderFleet({ model: loaded.model, now: NOW });
  const declared = new Set(rendered.gateways.map((g) => g.gateway));
  // The cluster is shared with other tests: only this fleet's customer is in scope.
  const inventories = (await client.listInventories()).filter((i) => i.gateway.startsWith(`${fleet.customer}-`));
  const names = [...new Set([...declared, ...inventories.map((i) => i.gateway)])].sort();
  const plans: GatewayPlan[] = [];
  for (const gateway of names) {
    const desired = rendered.gateways.find((g) => g.gateway === gateway);
    const live = await client.listOwned({ gateway });
    plans.push(planGateway({ gateway, desired: desired?.objects ?? [], live, inventory: inventories.find((i) => i.gateway === gateway), revision: 'test', renderHash: desired?.inputHash ?? '' }));
  }
  const guard = checkDeletionGuard({ plans, declaredGateways: declared, totalGatewaysBefore: inventories.length, maxShare: loaded.model.fleet.doc.spec.prune?.maxDeletionShare ?? 0.25, allow: allowMassDeletion });
  const results = guard.ok && apply ? await applyGateways({ client, plans }) : [];
  return { plans, guard, results, requests: countsSince(before, client.requests.snapshot()) };
}

/** Removes what the fleet left in the shared cluster: its objects (cluster-scoped ones too), Namespace and inventories. */
export async function removeFromCluster({ client, fleet }: { client: ClusterClient; fleet: TestFleet }): Promise<void> {
  for (const gateway of fleet.gateways) {
    for (const object of await client.listOwned({ gateway })) if (object.kind !== 'Namespace') await client.delete(refOf(object));
    await client.deleteInventory(gateway);
  }
  await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: fleet.namespace });
}
