// A gateway's history is kept in the cluster and survives the reconciler: installs, an
// upgrade from → to, a drift repair, offline and online, recorded by one reconciler, are
// there for the next one, which records the removal of a service whose `expires` passed
// (its clock moved past the expiry by its own option). Once expired the service is not
// desired: the gateway is Ready, not waiting for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHistory, type HistoryEntry } from '../../src/report/history.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { bringOnline, kube, passUntilOffline, takeOffline, waitFor, type Kube } from './helpers/kube.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';
import { historyName, LABEL, SYSTEM_NAMESPACE } from '../../src/contract/index.ts';

let k: Kube;
let fleet: TestFleet;

printReconcilerLogOnFailure();

/** The scanner of the template's acme-bj-01 expires an hour from now. */
const EXPIRES = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');

async function passUntil(r: TestRuntime, what: string, predicate: () => boolean | Promise<boolean>): Promise<void> {
  await waitFor(what, async () => {
    await r.pass();
    return predicate();
  }, { timeoutMs: 120_000, intervalMs: 1000 });
}

const line = (h: HistoryEntry) => [h.kind, h.service, h.from, h.to].filter(Boolean).join(' ');

describe('gateway history', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet({
      gateways: ['acme-bj-01'],
      edit: (files, f) => {
        const file = f.gatewayFile('acme-bj-01');
        files[file] = files[file]!.replace(/expires: "[^"]+"/, `expires: "${EXPIRES}"`);
      },
    });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
  });

  it('is kept in the cluster across a restart and records an expired service as stopped, the gateway Ready without it', async () => {
    const gateway = fleet.gateway('acme-bj-01');
    const namespace = fleet.namespace('acme');
    const first = await startTestRuntime({ repo: fleet.url });
    await passUntil(first, 'acme-bj-01 Ready with its scanner', () => {
      const g = first.store.gateway(gateway);
      return g?.phase === 'Ready' && g.services.some((s) => s.name === 'vuln-scanner');
    });
    const installed = first.store.gateway(gateway)!.history;
    // Its services, and the template's EDR action, which its EDR adapter carries out.
    expect(installed.map(line).sort()).toEqual(['installed edr-adapter 1.4.0', 'installed ids 1.0.0', 'installed log-collector 2.3.0', 'installed vuln-scanner 2.0.0', `response-applied ${installed.find((h) => h.kind === 'response-applied')?.service}`]);
    expect(installed.find((h) => h.kind === 'response-applied')).toMatchObject({ service: 'isolate-acme-ws-0042', cause: expect.stringMatching(/^pre-authorised edr-action until 2027-03-01T00:00:00Z: INC-4712/) });
    expect(installed.find((h) => h.service === 'ids')).toMatchObject({ revision: first.store.snapshot().fleet.revision, cause: 'first install of the gateway' });

    // An upgrade, a hand edit put back, and an uplink that goes down and comes back.
    const file = fleet.gatewayFile('acme-bj-01');
    const upgrade = await fleet.push({ [file]: fleet.files[file]!.replace(/(name: log-collector\n {6}version: )2\.3\.0/, '$12.4.0') }, 'log-collector 2.4.0');
    await passUntil(first, 'log-collector 2.4.0 recorded', () => first.store.gateway(gateway)!.history.some((h) => h.kind === 'updated'));
    expect(first.store.gateway(gateway)!.history.at(-1)).toMatchObject({ kind: 'updated', service: 'log-collector', from: '2.3.0', to: '2.4.0', revision: upgrade });
    await k.apps.patchNamespacedDeployment({ namespace, name: `${gateway}-ids`, body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: `registry.example.com/evil@sha256:${'0'.repeat(64)}` }] });
    await first.pass();
    expect(first.store.gateway(gateway)!.history.at(-1)).toMatchObject({ kind: 'drift-repaired', cause: expect.stringContaining(`Deployment ${gateway}-ids (modified)`) });
    await takeOffline(gateway);
    try {
      await passUntilOffline(k, { gateway, pass: () => first.pass(), phase: () => first.store.gateway(gateway)?.phase });
    } finally {
      await bringOnline(gateway);
    }
    await passUntil(first, 'the gateway back', () => first.store.gateway(gateway)?.phase === 'Ready');
    const recorded = first.store.gateway(gateway)!.history;
    expect(recorded.slice(-2).map((h) => h.kind)).toEqual(['offline', 'online']);
    expect(recorded.at(-2)!.cause).toMatch(new RegExp(`^edge node ${gateway} unreachable`));
    await first.stop();

    // In the cluster, as the next reconciler reads it.
    const stored = await k.core.readNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, name: historyName(gateway) });
    expect(parseHistory(stored.data!['entries']!)).toEqual({ ok: true, history: recorded });

    // A new reconciler, two hours later by its clock: the history is still there, and the expired scanner stops.
    const second = await startTestRuntime({ repo: fleet.url, clock: { offsetMs: 2 * 3_600_000 } });
    const jobs = async () => (await k.batch.listNamespacedJob({ namespace, labelSelector: `${LABEL.gateway}=${gateway},${LABEL.service}=vuln-scanner` })).items;
    await passUntil(second, 'the expired scanner removed', async () => (await jobs()).length === 0);
    await second.pass();
    const status = second.store.gateway(gateway)!;
    expect(status.history.slice(0, recorded.length)).toEqual(recorded);
    expect(status.history.slice(recorded.length)).toEqual([expect.objectContaining({ kind: 'stopped', service: 'vuln-scanner', from: '2.0.0', cause: `expired at ${EXPIRES}` })]);
    expect(status.phase).toBe('Ready');
    expect(status.services.map((s) => s.name)).not.toContain('vuln-scanner');
    expect(status.message).not.toContain('vuln-scanner');
  });
});
