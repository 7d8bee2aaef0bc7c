// The reconciler end to end on the test bed, built as `essg reconcile --approvals off` builds
// it: a real Git server, a real control plane and simulated KubeEdge gateways (see
// approvals.test.ts for approvals).
import { rename } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayEvents, kube, passUntilOffline, waitFor, takeOffline, bringOnline, type Kube } from './helpers/kube.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, TEMPLATE_GATEWAYS, type TestFleet } from './helpers/fleet.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';
import { countsSince } from '../../src/apply/index.ts';
import { LABEL } from '../../src/contract/index.ts';
import type { PassSummary } from '../../src/engine/engine.ts';

let k: Kube;
let fleet: TestFleet;
let r: TestRuntime;
let firstSync: Promise<PassSummary> | undefined;

printReconcilerLogOnFailure();

async function deploymentImage(namespace: string, name: string): Promise<string | undefined> {
  const d = await k.apps.readNamespacedDeployment({ namespace, name }).catch(() => undefined);
  return d?.spec?.template.spec?.containers[0]?.image;
}

async function passUntil(predicate: () => boolean | Promise<boolean>, what: string): Promise<void> {
  await waitFor(what, async () => {
    await r.pass();
    return predicate();
  }, { timeoutMs: 120_000, intervalMs: 1000 });
}

/**
 * The template fleet applied and all six gateways Ready: every test starts from there, so
 * each runs alone (`-t`) as well as after the others; the first to ask makes the first sync.
 */
function synced(): Promise<PassSummary> {
  firstSync ??= (async () => {
    const first = await r.pass();
    await passUntil(() => r.store.snapshot().gateways.filter((g) => g.phase === 'Ready').length === 6, 'all six gateways Ready');
    return first;
  })();
  return firstSync;
}

describe('reconciler', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet();
    r = await startTestRuntime({ repo: fleet.url });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
  });

  it('first sync applies the template fleet and every gateway becomes Ready', async () => {
    const first = await synced();
    expect(first.error).toBeUndefined();
    expect(first.result).toBe('success');
    const ns = fleet.namespace('acme');
    expect(await deploymentImage(ns, `${fleet.gateway('acme-sh-01')}-ids`)).toMatch(/ids@sha256:/);
    expect(r.store.snapshot().gateways.filter((g) => g.phase === 'Ready')).toHaveLength(6);
    const status = r.store.gateway(fleet.gateway('acme-sh-01'))!;
    expect(status.appliedRevision).toBe(first.head);
    expect(status.services.map((s) => [s.name, s.desiredVersion, s.runningVersion])).toContainEqual(['ids', '1.1.0', '1.1.0']);
  });

  it('a pass in which nothing changed sends no request at all: it reads the watch cache', async () => {
    await synced();
    // Whatever ran before has settled: a pass with nothing to do.
    await waitFor('a no-op pass', async () => (await r.pass()).result === 'noop', { timeoutMs: 120_000, intervalMs: 1000 });
    const events = async () => (await Promise.all(TEMPLATE_GATEWAYS.map((g) => gatewayEvents(k, { gateway: fleet.gateway(g) })))).flat().map((e) => `${e.metadata?.name} ${e.count}`).sort();
    const eventsBefore = await events();
    const before = r.requests.snapshot();
    const cacheBefore = r.runtime.watches();
    const pass = await r.pass();
    const delta = countsSince(before, r.requests.snapshot());
    expect(pass.result).toBe('noop');
    expect(Object.values(delta).reduce((a, b) => a + b, 0)).toBe(0);
    // What it read was kept by watches (one per kind and selector), not listed for the pass.
    expect(r.runtime.watches().listings).toBe(cacheBefore.listings);
    expect(cacheBefore.watches).toBeGreaterThanOrEqual(10);
    // Nor an Event: there is no news.
    expect(await events()).toEqual(eventsBefore);
  });

  it('an upgrade rolls out with the new pod ready before the old one goes', async () => {
    await synced();
    const gw = fleet.gateway('acme-sh-02');
    const file = `gateways/acme/${gw}.yaml`;
    const ns = fleet.namespace('acme');
    const name = `${gw}-log-collector`;
    const readyVersions: string[][] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pods = await k.core.listNamespacedPod({ namespace: ns, labelSelector: `${LABEL.instance}=${name}` });
        readyVersions.push(pods.items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !p.metadata?.deletionTimestamp).map((p) => p.metadata!.labels![LABEL.serviceVersion]!));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await fleet.push({ [file]: fleet.files[file]!.replace('name: log-collector\n      version: 2.3.0', 'name: log-collector\n      version: 2.4.0') }, 'upgrade log-collector on one gateway');
    await passUntil(() => r.store.gateway(gw)?.services.find((s) => s.name === 'log-collector')?.runningVersion === '2.4.0' && r.store.gateway(gw)?.phase === 'Ready', 'log-collector 2.4.0 running');
    await waitFor('only the new version left', async () => {
      const pods = (await k.core.listNamespacedPod({ namespace: ns, labelSelector: `${LABEL.instance}=${name}` })).items;
      return pods.length === 1 && pods[0]!.metadata!.labels![LABEL.serviceVersion] === '2.4.0' && readyVersions.at(-1)?.join() === '2.4.0';
    });
    sampling = false;
    await sampler;
    expect(readyVersions.some((v) => v.includes('2.4.0')), JSON.stringify(readyVersions.slice(-5)) + readyVersions.length).toBe(true);
    // Never a moment without a ready log-collector: maxUnavailable 0, surge first.
    expect(readyVersions.filter((v) => v.length === 0)).toEqual([]);
    expect(r.store.gateway(gw)!.history.some((h) => h.kind === 'updated' && h.service === 'log-collector' && h.to === '2.4.0')).toBe(true);
  });

  it('a hand edit is restored and reported as drift', async () => {
    await synced();
    const ns = fleet.namespace('globex');
    const name = `${fleet.gateway('globex-fra-02')}-log-collector`;
    await k.apps.patchNamespacedDeployment({ namespace: ns, name, body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'registry.example.com/evil@sha256:' + '0'.repeat(64) }] });
    const pass = await r.pass();
    const plan = pass.plans.find((p) => p.gateway === fleet.gateway('globex-fra-02'))!;
    expect(plan.drift.map((d) => d.ref.name)).toEqual([name]);
    expect(await deploymentImage(ns, name)).toMatch(/log-collector@sha256:/);
    expect(await gatewayEvents(k, { gateway: fleet.gateway('globex-fra-02'), reason: 'DriftRestored' })).toMatchObject([{ type: 'Warning', message: expect.stringContaining(`Deployment ${name} (modified)`) }]);
  });

  it('a service removed from a gateway is pruned, and nothing else', async () => {
    await synced();
    const gw = fleet.gateway('globex-ams-01');
    const file = `gateways/globex/${gw}.yaml`;
    const ns = fleet.namespace('globex');
    await fleet.push({ [file]: fleet.files[file]!.replace(/ {4}- name: asset-discovery[\s\S]*$/, '') }, 'stop asset-discovery');
    const pass = await r.pass();
    const plan = pass.plans.find((p) => p.gateway === gw)!;
    // The service's objects go, and the gateway's pre-pull job for the old image list.
    expect(plan.deletes.map((d) => `${d.kind}/${d.name}`).filter((d) => !d.startsWith('ImagePrePullJob/')).sort()).toEqual([`ConfigMap/${gw}-asset-discovery`, `CronJob/${gw}-asset-discovery`]);
    await expect(k.batch.readNamespacedCronJob({ namespace: ns, name: `${gw}-asset-discovery` })).rejects.toThrow();
    expect(await deploymentImage(ns, `${gw}-firewall`)).toBeDefined();
  });

  it('an invalid commit is not applied, not even in part, and status says where', async () => {
    await synced();
    const gw = fleet.gateway('acme-bj-01');
    const file = `gateways/acme/${gw}.yaml`;
    const good = r.store.gateway(gw)!.appliedRevision;
    const bad = await fleet.push({
      [`gateways/acme/${fleet.gateway('acme-sh-01')}.yaml`]: fleet.files[`gateways/acme/${fleet.gateway('acme-sh-01')}.yaml`]!.replace('version: 1.1.0', 'version: 1.0.0'),
      [file]: fleet.files[file]!.replace('name: edr-adapter', 'name: edr-adaptor'),
    }, 'a good change and a typo');
    const idsBefore = await deploymentImage(fleet.namespace('acme'), `${fleet.gateway('acme-sh-01')}-ids`);
    const pass = await r.pass();
    expect(pass.result).toBe('bad-commit');
    expect(pass.applied).toEqual([]);
    expect(await deploymentImage(fleet.namespace('acme'), `${fleet.gateway('acme-sh-01')}-ids`)).toMatch(/ids@sha256:/);
    const snapshot = r.store.snapshot();
    expect(snapshot.fleet.badCommit?.revision).toBe(bad);
    expect(snapshot.fleet.badCommit?.problems).toEqual(expect.arrayContaining([expect.objectContaining({ file, line: expect.any(Number), col: expect.any(Number), code: 'UNKNOWN_SERVICE' })]));
    expect(r.store.gateway(gw)!.appliedRevision).toBe(good);
    // The fix applies, the good change with it (once its image is pulled on the gateway's node).
    const fixed = await fleet.push({ [file]: fleet.files[file]!.replace('name: edr-adaptor', 'name: edr-adapter') }, 'fix the typo');
    const first = await r.pass();
    expect(first.result).not.toBe('bad-commit');
    expect(r.store.snapshot().fleet.badCommit).toBeUndefined();
    await passUntil(() => r.store.gateway(fleet.gateway('acme-sh-01'))?.appliedRevision === fixed && r.store.gateway(gw)?.appliedRevision === fixed, 'the fixed commit applied');
    expect(await deploymentImage(fleet.namespace('acme'), `${fleet.gateway('acme-sh-01')}-ids`)).not.toBe(idsBefore);
  });

  it('an offline gateway does not hold the others back, and converges when it returns', async () => {
    await synced();
    const offline = fleet.gateway('globex-fra-01');
    await takeOffline(offline);
    try {
      await passUntilOffline(k, { gateway: offline, pass: () => r.pass(), phase: () => r.store.gateway(offline)?.phase });
      const other = fleet.gateway('globex-fra-02');
      const file = (g: string) => `gateways/globex/${g}.yaml`;
      await fleet.push({
        [file(offline)]: fleet.files[file(offline)]!.replace('defaultPolicy: drop, logDropped: true', 'defaultPolicy: drop, logDropped: false'),
        [file(other)]: fleet.files[file(other)]!.replace('defaultPolicy: drop }', 'defaultPolicy: drop, logDropped: true }'),
      }, 'firewall logging');
      const pass = await r.pass();
      expect(pass.error).toBeUndefined();
      expect(pass.applied.map((a) => [a.gateway, a.ok])).toContainEqual([other, true]);
      expect(r.store.gateway(offline)!.phase).toBe('Offline');
    } finally {
      await bringOnline(offline);
    }
    // Back online it is reported again, and it converges on the configuration pushed while it was away.
    await passUntil(() => r.store.gateway(offline)?.phase !== 'Offline' && r.store.gateway(offline)?.appliedRevision === r.store.snapshot().fleet.revision, 'the returning gateway on the head revision');
    const config = await k.core.readNamespacedConfigMap({ namespace: fleet.namespace('globex'), name: `${offline}-firewall` });
    expect(JSON.parse(config.data!['config.json']!)).toMatchObject({ logDropped: false });
    expect(r.store.gateway(offline)!.appliedRevision).toBe(r.store.snapshot().fleet.revision);
  });

  it('keeps the last state and reports it when the Git server cannot be reached', async () => {
    await synced();
    // A node that has just come back can be marked unreachable once more by the node lifecycle
    // controller before its first heartbeat is seen: start from a fleet that stayed Ready over
    // two passes, so an Offline below is the Git outage's doing.
    let readyPasses = 0;
    await passUntil(() => {
      readyPasses = r.store.snapshot().gateways.every((g) => g.phase === 'Ready') ? readyPasses + 1 : 0;
      return readyPasses >= 2;
    }, 'all six gateways Ready over two passes');
    const { testbed } = await import('./helpers/testbed.ts');
    const root = (await testbed()).git.root;
    const repoDir = `${root}/${fleet.url.split('/').pop()}`;
    await rename(repoDir, `${repoDir}.moved`);
    try {
      const pass = await r.pass();
      expect(pass.plans.every((p) => p.deletes.length === 0)).toBe(true);
      expect(r.store.snapshot().fleet.source.ok).toBe(false);
      expect(r.store.snapshot().gateways.filter((g) => g.phase === 'Offline')).toEqual([]);
      expect(r.store.snapshot().gateways).toHaveLength(6);
    } finally {
      await rename(`${repoDir}.moved`, repoDir);
    }
    await r.pass();
    expect(r.store.snapshot().fleet.source.ok).toBe(true);
  });
});
