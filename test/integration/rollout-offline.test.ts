// A gateway whose edge node is offline when its wave would start never holds the rollout
// back: the rest of the fleet takes the change wave by wave, the offline gateway is reported
// deferred and left untouched, and once it is back it joins a later wave and converges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetOtherFleets } from './helpers/fleet.ts';
import { bringOnline, kube, takeOffline, type Kube } from './helpers/kube.ts';
import { changedIn, createRolloutFleet, passUntil, removeRolloutFleet, rolloutIn, rolloutStates, wavesOf, type PassRecord, type RolloutFleet } from './helpers/rollout-fleet.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';

let k: Kube;
let fleet: RolloutFleet;
let r: TestRuntime;
let offline: string | undefined;

printReconcilerLogOnFailure();

describe('rollout with an offline gateway', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createRolloutFleet({ size: 5, canaries: 1, maxUnavailable: 2, soakSeconds: 3 });
    r = await startTestRuntime({ repo: fleet.url });
  });

  afterAll(async () => {
    if (offline) await bringOnline(offline);
    await stopTestRuntimes();
    await removeRolloutFleet(fleet, k);
  });

  it('completes on the online gateways with the offline one deferred and untouched, then converges it in a later wave when it is back', async () => {
    const oldImage = fleet.image('2.3.0');
    const newImage = fleet.image('2.4.0');
    const setup: PassRecord[] = [];
    await passUntil({
      pass: () => r.pass(), k, fleet, record: setup, what: 'all gateways Ready on log-collector 2.3.0',
      done: (p) => fleet.gateways.every((g) => p.deployments.get(g)?.image === oldImage && p.deployments.get(g)?.ready && r.store.gateway(g)?.phase === 'Ready'),
    });
    // GIVEN the last gateway by name, which would be in the last wave, loses its uplink.
    const away = fleet.gateways.at(-1)!;
    const online = fleet.gateways.filter((g) => g !== away);
    offline = away;
    await takeOffline(away);
    const seenOffline = await passUntil({ pass: () => r.pass(), k, fleet, record: setup, what: `${away} reported Offline`, done: () => r.store.gateway(away)?.phase === 'Offline' });
    const awayBefore = seenOffline.deployments.get(away)!;

    // WHEN log-collector 2.4.0 is set on every gateway.
    const id = await fleet.push(fleet.withVersion('2.4.0'), 'log-collector 2.4.0 on every gateway');
    const passes: PassRecord[] = [];
    const rest = await passUntil({
      pass: () => r.pass(), k, fleet, record: passes, what: 'every online gateway done',
      done: (p) => online.every((g) => p.deployments.get(g)?.image === newImage && p.deployments.get(g)?.ready && r.store.gateway(g)?.rollout?.state === 'done'),
    });
    // And a pass more, with nothing left to wait for but the offline gateway.
    const idle = await passUntil({ pass: () => r.pass(), k, fleet, record: passes, what: 'one more pass', done: () => true });

    // THEN the online gateways went wave by wave, the canary first, and all are done.
    const during = wavesOf(await rolloutStates(k, fleet), id);
    expect(during.get(0)).toEqual([fleet.canaries[0]]);
    expect([...during.values()].flat().sort()).toEqual(online);
    for (const gateways of during.values()) expect(gateways.length).toBeLessThanOrEqual(2);
    for (const g of online.slice(1)) expect(changedIn(passes, g, newImage)!).toBeGreaterThan(changedIn(passes, fleet.canaries[0]!, newImage)!);
    // The offline gateway is deferred, not failed, not waited for, and its Deployment never written.
    for (const p of [rest, idle]) {
      expect(p.summary.rollout?.decisions.get(away)).toMatchObject({ action: 'hold', hold: { reason: 'deferred-offline', rollout: id } });
      expect(rolloutIn(p, id)).toMatchObject({ pending: [away], complete: false });
      expect(rolloutIn(p, id)?.halted).toBeUndefined();
    }
    expect(r.store.gateway(away)).toMatchObject({ phase: 'Offline', rollout: { id, state: 'deferred' } });
    for (const p of passes) expect(p.deployments.get(away), `after pass ${p.index}`).toMatchObject({ image: oldImage, generation: awayBefore.generation, appliedAt: awayBefore.appliedAt });
    expect(r.store.snapshot().rollouts.find((x) => x.id === id)).toMatchObject({ pending: [away], complete: false });

    // WHEN it comes back.
    await bringOnline(away);
    offline = undefined;
    const back = await passUntil({
      pass: () => r.pass(), k, fleet, record: passes, what: `${away} converged`,
      done: (p) => rolloutIn(p, id)?.complete === true && p.deployments.get(away)?.image === newImage && p.deployments.get(away)?.ready === true,
    });

    // THEN it took the change in a wave after all the others, and the rollout is complete.
    const after = wavesOf(await rolloutStates(k, fleet), id);
    const awayWave = [...after].find(([, gateways]) => gateways.includes(away))![0];
    expect(after.get(awayWave)).toEqual([away]);
    expect(awayWave).toBe(Math.max(...during.keys()) + 1);
    // The gateways done before stayed as they were.
    for (const g of online) expect(back.deployments.get(g)).toEqual(rest.deployments.get(g));
    expect(r.store.gateway(away)).toMatchObject({ phase: 'Ready', appliedRevision: id, rollout: { id, wave: awayWave, state: 'done' } });
    expect(r.store.snapshot().rollouts.find((x) => x.id === id)).toMatchObject({ complete: true, pending: [] });
  }, 420_000);
});
