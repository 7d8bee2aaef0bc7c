// `essg reconcile` as the process an operator runs: killed mid-pass it loses and duplicates
// nothing once restarted, and of two replicas only the Lease holder applies.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClusterClient } from '../../src/apply/index.ts';
import type { LiveObject } from '../../src/diff/index.ts';
import { loadFleetFromDir } from '../../src/model/load.ts';
import { renderFleet, type K8sObject } from '../../src/render/index.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, TEMPLATE_GATEWAYS, type TestFleet } from './helpers/fleet.ts';
import { clone } from './helpers/git.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { testbed } from './helpers/testbed.ts';
import { FIELD_MANAGER, LABEL, LEASE_NAME, SYSTEM_NAMESPACE } from '../../src/contract/index.ts';
import { fetchAsOperator } from '../support/status-auth.ts';

let k: Kube;
let client: KubeClusterClient;
let fleet: TestFleet;
let kubeconfig: string;
const running: ReconcilerProcess[] = [];

const cacheDir = () => path.join(os.tmpdir(), `essg-it-proc-${randomBytes(3).toString('hex')}`);
const keyOf = (o: { kind: string; metadata: { namespace?: string; name?: string } }) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const imageOf = (o: K8sObject | LiveObject) => (o as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } }).spec?.template?.spec?.containers?.[0]?.image;

function reconcile(extra: readonly string[], env: NodeJS.ProcessEnv = {}): ReconcilerProcess {
  const p = startReconciler(['--repo', fleet.url, '--branch', 'main', '--approvals', 'off', '--kubeconfig', kubeconfig, '--cache-dir', cacheDir(), ...extra], env);
  running.push(p);
  return p;
}

/** What the fleet's head renders to, and what the cluster holds of this fleet. */
async function desiredAndLive(): Promise<{ desired: K8sObject[]; live: LiveObject[] }> {
  const loaded = await loadFleetFromDir(await clone({ url: fleet.url }));
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  const seen = new Set<string>();
  const desired = renderFleet({ model: loaded.model, now: new Date().toISOString() }).gateways.flatMap((g) => g.objects).filter((o) => !seen.has(keyOf(o)) && seen.add(keyOf(o)));
  const ours = (o: LiveObject) => (o.kind === 'Namespace' ? o.metadata.name : o.metadata.labels?.[LABEL.gateway] ?? '').startsWith(`${fleet.prefix}-`);
  return { desired, live: (await client.listOwned()).filter(ours) };
}

describe('reconciler process', () => {
  beforeAll(async () => {
    k = await kube();
    kubeconfig = (await testbed()).kubeconfig;
    client = new KubeClusterClient({ kubeconfig: k.config });
    await forgetOtherFleets();
    fleet = await createTestFleet();
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await removeTestFleet(fleet, k);
  });

  it('a reconciler killed mid-pass is restarted and converges with nothing lost or duplicated', async () => {
    // The first sync touches all six gateways; the kill lands as soon as its first object exists.
    const first = reconcile(['--once', '--listen', '127.0.0.1:0']);
    await waitFor('the first object of the pass', async () => {
      const exists = await k.core.readNamespace({ name: fleet.namespace('acme') }).then(() => true, () => false);
      const other = await k.core.readNamespace({ name: fleet.namespace('globex') }).then(() => true, () => false);
      return exists || other;
    }, { timeoutMs: 120_000, intervalMs: 25 });
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    // It died by the kill, before it could report a finished pass.
    expect(killed.signal).toBe('SIGKILL');
    expect(first.stdout()).toBe('');

    const second = reconcile(['--once', '--listen', '127.0.0.1:0']);
    const done = await second.exited;
    expect(done.code, second.stderr()).toBe(0);
    const summary = JSON.parse(second.stdout()) as { result: string; head: string; gateways: { gateway: string; appliedRevision?: string }[] };
    expect(summary.result).toBe('success');

    const { desired, live } = await desiredAndLive();
    // Exactly the declared objects: none missing, none left over, none twice.
    expect(live.map(keyOf).sort()).toEqual(desired.map(keyOf).sort());
    expect(new Set(live.map(keyOf)).size).toBe(live.length);
    const deployments = desired.filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThanOrEqual(TEMPLATE_GATEWAYS.length);
    for (const d of deployments) {
      const matching = live.filter((o) => keyOf(o) === keyOf(d));
      expect(matching.map(imageOf), keyOf(d)).toEqual([imageOf(d)]);
    }
    // Every gateway's inventory records the head and exactly its live objects.
    const inventories = (await client.listInventories()).filter((i) => i.gateway.startsWith(`${fleet.prefix}-`));
    expect(inventories.map((i) => i.gateway).sort()).toEqual(TEMPLATE_GATEWAYS.map((g) => fleet.gateway(g)).sort());
    for (const inventory of inventories) {
      expect(inventory.revision).toBe(summary.head);
      const own = live.filter((o) => o.kind !== 'Namespace' && o.metadata.labels?.[LABEL.gateway] === inventory.gateway).map(keyOf).sort();
      expect(inventory.objects.filter((r) => r.kind !== 'Namespace').map((r) => `${r.kind}/${r.namespace ?? ''}/${r.name}`).sort()).toEqual(own);
    }

    // A third run finds nothing to do.
    const third = reconcile(['--once', '--listen', '127.0.0.1:0']);
    expect((await third.exited).code).toBe(0);
    expect((JSON.parse(third.stdout()) as { result: string }).result).toBe('noop');
  });

  it('of two replicas exactly one leads, and only the leader applies', async () => {
    const interval = ['--leader-elect', '--interval', '*/2 * * * * *', '--listen', '127.0.0.1:0'];
    const replicas = [reconcile(interval, { POD_NAME: `${fleet.prefix}-replica-a` }), reconcile(interval, { POD_NAME: `${fleet.prefix}-replica-b` })];
    const urls = await Promise.all(replicas.map((r) => r.url()));
    type Status = { fleet: { passes: number; replica?: { identity: string; leading: boolean } } };
    const statuses = () => Promise.all(urls.map(async (u) => (await (await fetchAsOperator(`${u}/status`)).json()) as Status));
    const leaderGauge = (u: string) => fetchAsOperator(`${u}/metrics`).then((r) => r.text()).then((t) => /^essg_leader (\d)/m.exec(t)?.[1]);

    const leaderIndex = await waitFor('one replica leading', async () => {
      const s = await statuses();
      const leading = s.map((x) => x.fleet.replica?.leading === true);
      return leading.filter(Boolean).length === 1 && s[leading.indexOf(true)]!.fleet.passes > 0 ? leading.indexOf(true) : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    const followerIndex = 1 - leaderIndex;

    // A change arrives while both run: the leader applies it.
    const gw = fleet.gateway('acme-sh-02');
    const file = `gateways/acme/${gw}.yaml`;
    await fleet.push({ [file]: fleet.files[file]!.replace('name: log-collector\n      version: 2.3.0', 'name: log-collector\n      version: 2.4.0') }, 'upgrade log-collector on one gateway');
    const name = `${gw}-log-collector`;
    const deployment = await waitFor('the upgrade applied', async () => {
      const d = await k.apps.readNamespacedDeployment({ namespace: fleet.namespace('acme'), name });
      return d.metadata?.labels?.[LABEL.serviceVersion] === '2.4.0' ? d : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500 });

    const s = await statuses();
    expect(s.map((x) => x.fleet.replica?.leading)).toEqual(leaderIndex === 0 ? [true, false] : [false, true]);
    expect(s[leaderIndex]!.fleet.replica?.identity).toBe(`${fleet.prefix}-replica-${'ab'[leaderIndex]}`);
    // The standby never ran a pass; the Lease names the leader; both agree in their metrics.
    expect(s[followerIndex]!.fleet.passes).toBe(0);
    const lease = await k.config.makeApiClient((await import('@kubernetes/client-node')).CoordinationV1Api).readNamespacedLease({ namespace: SYSTEM_NAMESPACE, name: LEASE_NAME });
    expect(lease.spec?.holderIdentity).toBe(`${fleet.prefix}-replica-${'ab'[leaderIndex]}`);
    expect(await leaderGauge(urls[leaderIndex]!)).toBe('1');
    expect(await leaderGauge(urls[followerIndex]!)).toBe('0');
    // One writer: the object's fields are owned by one apply manager, essg-fleet.
    const appliers = (deployment.metadata?.managedFields ?? []).filter((m) => m.operation === 'Apply').map((m) => m.manager);
    expect(appliers).toEqual([FIELD_MANAGER]);

    await Promise.all(replicas.map((r) => r.stop()));
    const ends = await Promise.all(replicas.map((r) => r.exited));
    expect(ends.map((e) => e.code)).toEqual([0, 0]);
  });
});
