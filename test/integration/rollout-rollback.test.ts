// A new version that crash-loops on the canary halts its rollout before any other gateway
// gets it, and the canary is put back on its last healthy revision, reported in status,
// as an Event and in its history; the failed render is not tried on it again, and a fixed
// version starts a new rollout that completes.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failImage, healImage } from '../../src/testbed/index.ts';
import { forgetOtherFleets } from './helpers/fleet.ts';
import { gatewayEvents, kube, type Kube } from './helpers/kube.ts';
import {
  changedIn, createRolloutFleet, passUntil, removeRolloutFleet, rolloutIn, rolloutStates, wavesOf, type DeploymentView, type PassRecord, type RolloutFleet,
} from './helpers/rollout-fleet.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';

let k: Kube;
let fleet: RolloutFleet;
let r: TestRuntime;
/** An image digest no other test uses: this one is made to crash-loop. */
const badDigest = `sha256:${randomBytes(32).toString('hex')}`;

printReconcilerLogOnFailure();

/** What the reconciler writes of a Deployment: any apply that changed it shows here. */
const written = (d: DeploymentView | undefined) => ({ image: d?.image, generation: d?.generation, appliedAt: d?.appliedAt });

describe('rollout halt and rollback', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createRolloutFleet({ size: 4, canaries: 1, maxUnavailable: 2, soakSeconds: 3 });
    r = await startTestRuntime({ repo: fleet.url });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    if (k) await healImage({ kubeconfig: k.config, digest: badDigest, replacePods: false });
    await removeRolloutFleet(fleet, k);
  });

  it('rolls the crash-looping canary back, halts the rollout, never retries it there, and a fixed version rolls out to all', async () => {
    const [canary] = fleet.canaries as [string];
    const others = fleet.gateways.filter((g) => g !== canary);
    const oldImage = fleet.image('2.3.0');
    const setup: PassRecord[] = [];
    const synced = await passUntil({
      pass: () => r.pass(), k, fleet, record: setup, what: 'all gateways Ready on log-collector 2.3.0',
      done: (p) => fleet.gateways.every((g) => p.deployments.get(g)?.image === oldImage && p.deployments.get(g)?.ready && r.store.gateway(g)?.phase === 'Ready'),
    });
    const healthyRevision = synced.summary.head!;
    const before = synced.deployments;

    // GIVEN log-collector 2.5.0, whose image crash-loops, published and set on every gateway.
    await failImage({ kubeconfig: k.config, digest: badDigest, mode: 'crashloop' });
    const bad = await fleet.push({ ...fleet.publish('2.5.0', badDigest), ...fleet.withVersion('2.5.0') }, 'log-collector 2.5.0 on every gateway');
    const badImage = fleet.image('2.5.0');

    // WHEN passes run until the canary is rolled back.
    const passes: PassRecord[] = [];
    const rolledBack = await passUntil({
      pass: () => r.pass(), k, fleet, record: passes, what: 'the canary rolled back',
      done: (p) => p.summary.rollout?.decisions.get(canary)?.action === 'rollback',
    });
    const atRollback = r.store.gateway(canary)!;
    const rollbackStatus = structuredClone(r.store.snapshot().rollouts.find((x) => x.id === bad));

    // THEN the canary got the new version first, and after the rollback pass it is back on the old image.
    expect(changedIn(passes, canary, badImage)).toBeDefined();
    expect(rolledBack.summary.rollout?.decisions.get(canary)).toMatchObject({ action: 'rollback', revision: healthyRevision, failure: { rollout: bad, rolledBackTo: healthyRevision, reason: expect.stringMatching(/^log-collector 2\.5\.0: .*CrashLoopBackOff/) } });
    expect(rolledBack.deployments.get(canary)?.image).toBe(oldImage);
    // Status: RolledBack with the reason, the rollout halted by the canary.
    expect(atRollback).toMatchObject({ phase: 'RolledBack', reason: 'RolledBack', appliedRevision: healthyRevision });
    expect(atRollback.message).toMatch(new RegExp(`^log-collector 2\\.5\\.0: container log-collector: CrashLoopBackOff.* on ${canary}; back on ${healthyRevision.slice(0, 12)}$`));
    expect(atRollback.rollout).toMatchObject({ id: bad, state: 'rolled-back' });
    expect(atRollback.history.some((h) => h.kind === 'rolled-back' && h.revision === healthyRevision)).toBe(true);
    expect(rollbackStatus).toMatchObject({ id: bad, complete: false, halted: { by: canary, reason: expect.stringContaining('CrashLoopBackOff') } });
    expect([...(rollbackStatus?.pending ?? [])].sort()).toEqual(others);
    for (const g of others) expect(r.store.gateway(g)!.rollout).toMatchObject({ id: bad, state: 'halted', message: expect.stringContaining(`on ${canary}`) });
    // A Warning Event on the canary's inventory says so.
    const events = await gatewayEvents(k, { gateway: canary, reason: 'RolledBack' });
    expect(events).toMatchObject([{ type: 'Warning', message: atRollback.message }]);
    // The durable state remembers the failed render and where the canary went back to.
    const failed = (await rolloutStates(k, fleet)).get(canary)!;
    expect(failed).toMatchObject({ revision: healthyRevision, failed: { rollout: bad, rolledBackTo: healthyRevision } });

    // WHEN more passes run, until the canary serves the old version again and a few after that.
    const afterRollback: PassRecord[] = [];
    await passUntil({
      pass: () => r.pass(), k, fleet, record: afterRollback, what: 'the canary Ready on 2.3.0 again, then three more passes',
      done: (p) => {
        const recovered = afterRollback.findIndex((q) => q.deployments.get(canary)?.ready && r.store.gateway(canary)?.services.find((s) => s.name === 'log-collector')?.runningVersion === '2.3.0');
        return recovered >= 0 && p.index >= recovered + 3;
      },
    });
    // THEN the failed render is never tried again on the canary: it stays on the old image, unchanged since the rollback.
    for (const p of afterRollback) {
      expect(p.deployments.get(canary), `after pass ${p.index} of the rollback`).toMatchObject({ image: oldImage, generation: rolledBack.deployments.get(canary)!.generation });
      expect(p.summary.rollout?.decisions.get(canary)).toMatchObject({ action: 'hold', hold: { reason: 'failed-render', rollout: bad } });
      for (const g of others) expect(p.summary.rollout?.decisions.get(g)).toMatchObject({ action: 'hold', hold: { reason: 'halted', rollout: bad, by: canary } });
    }
    expect(r.store.gateway(canary)).toMatchObject({ phase: 'RolledBack', rollout: { state: 'failed-render' } });
    // No other gateway's Deployment ever changed while the rollout was halted.
    for (const p of [...passes, ...afterRollback]) {
      for (const g of others) expect(written(p.deployments.get(g)), `${g} after pass ${p.index}`).toEqual(written(before.get(g)));
    }

    // WHEN a fixed version, with a healthy image, is published and set on every gateway.
    const fixImageDigest = `sha256:${randomBytes(32).toString('hex')}`;
    const fix = await fleet.push({ ...fleet.publish('2.5.1', fixImageDigest), ...fleet.withVersion('2.5.1') }, 'log-collector 2.5.1 on every gateway');
    const fixImage = fleet.image('2.5.1');
    const fixPasses: PassRecord[] = [];
    await passUntil({
      pass: () => r.pass(), k, fleet, record: fixPasses, what: 'the fixed version rolled out',
      done: (p) => rolloutIn(p, fix)?.complete === true && fleet.gateways.every((g) => p.deployments.get(g)?.image === fixImage && p.deployments.get(g)?.ready),
    });

    // THEN a new rollout starts on the canary, alone, and completes on every gateway.
    const waves = wavesOf(await rolloutStates(k, fleet), fix);
    expect(waves.get(0)).toEqual([canary]);
    expect([...waves.values()].flat().sort()).toEqual([...fleet.gateways]);
    const canaryChanged = changedIn(fixPasses, canary, fixImage)!;
    for (const g of others) expect(changedIn(fixPasses, g, fixImage)!).toBeGreaterThan(canaryChanged);
    for (const g of fleet.gateways) expect(r.store.gateway(g)).toMatchObject({ phase: 'Ready', appliedRevision: fix, rollout: { id: fix, state: 'done' } });
    expect(r.store.snapshot().rollouts.find((x) => x.id === fix)).toMatchObject({ complete: true, pending: [] });
    expect(r.store.snapshot().rollouts.find((x) => x.id === fix)?.halted).toBeUndefined();
  }, 420_000);
});
