// A change that reaches a fleet of ten running gateways goes to the canary first, alone,
// then in waves of at most maxUnavailable, each wave starting only once every gateway of
// the wave before has been Ready on the new render for soakSeconds: watched on the
// Deployments the reconciler writes, pass by pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetOtherFleets } from './helpers/fleet.ts';
import { kube, type Kube } from './helpers/kube.ts';
import {
  changedIn, createRolloutFleet, passUntil, removeRolloutFleet, rolloutIn, rolloutStates, wavesOf, waveStatusIn, type PassRecord, type RolloutFleet,
} from './helpers/rollout-fleet.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';
import { LABEL } from '../../src/contract/index.ts';

const MAX_UNAVAILABLE = 3;
const SOAK_SECONDS = 3;

let k: Kube;
let fleet: RolloutFleet;
let r: TestRuntime;

printReconcilerLogOnFailure();

describe('rollout waves', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createRolloutFleet({ size: 10, canaries: 1, maxUnavailable: MAX_UNAVAILABLE, soakSeconds: SOAK_SECONDS });
    r = await startTestRuntime({ repo: fleet.url });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await removeRolloutFleet(fleet, k);
  });

  it('goes to the canary alone, then in waves of at most maxUnavailable, each after the wave before soaked Ready, until all ten run the new version', async () => {
    const oldImage = fleet.image('2.3.0');
    const newImage = fleet.image('2.4.0');
    const setup: PassRecord[] = [];
    await passUntil({
      pass: () => r.pass(), k, fleet, record: setup, what: 'all ten gateways Ready on log-collector 2.3.0',
      done: (p) => fleet.gateways.every((g) => p.deployments.get(g)?.image === oldImage && p.deployments.get(g)?.ready && r.store.gateway(g)?.phase === 'Ready'),
    });

    const id = await fleet.push(fleet.withVersion('2.4.0'), 'log-collector 2.4.0 on every gateway');
    const passes: PassRecord[] = [];
    await passUntil({
      pass: () => r.pass(), k, fleet, record: passes, what: 'the rollout complete',
      done: (p) => rolloutIn(p, id)?.complete === true && fleet.gateways.every((g) => p.deployments.get(g)?.image === newImage && p.deployments.get(g)?.ready),
    });

    // The waves as the durable states record them: the canary alone, then full waves of three.
    const states = await rolloutStates(k, fleet);
    const waves = wavesOf(states, id);
    const [canary] = fleet.canaries;
    expect([...waves.keys()]).toEqual([0, 1, 2, 3]);
    expect(waves.get(0)).toEqual([canary]);
    expect([...waves.values()].slice(1).map((w) => w.length)).toEqual([MAX_UNAVAILABLE, MAX_UNAVAILABLE, MAX_UNAVAILABLE]);
    expect([...waves.values()].flat().sort()).toEqual([...fleet.gateways]);

    // What the cluster saw: each wave's Deployments changed together, in a pass of their own, in wave order.
    const changed = new Map(fleet.gateways.map((g) => [g, changedIn(passes, g, newImage)!]));
    const started = [...waves.values()].map((gateways) => {
      const indices = new Set(gateways.map((g) => changed.get(g)));
      expect(indices.size, `the gateways of one wave change in one pass: ${gateways.join(', ')}`).toBe(1);
      return [...indices][0]!;
    });
    expect(started).toEqual([...started].sort((a, b) => a - b));
    expect(new Set(started).size).toBe(started.length);
    // No sample ever found more than maxUnavailable gateways on the new image and not Ready.
    for (const p of passes) {
      const unready = fleet.gateways.filter((g) => p.deployments.get(g)?.image === newImage && !p.deployments.get(g)?.ready);
      expect(unready.length, `after pass ${p.index}: ${unready.join(', ')}`).toBeLessThanOrEqual(MAX_UNAVAILABLE);
    }

    for (const [wave, gateways] of [...waves].slice(1)) {
      const start = passes[started[wave]!]!;
      const before = waves.get(wave - 1)!;
      for (const g of before) {
        // The pass that first counted it Ready on the new render (its soak starts there) …
        const soakStart = passes.find((p) => p.summary.rollout?.states.get(g)?.rollout?.readySince !== undefined && p.summary.rollout.states.get(g)?.rollout?.id === id)!;
        expect(soakStart, `${g} soaked`).toBeDefined();
        // … found it Ready on the new image, after the pass that changed it, and said it was soaking.
        expect(soakStart.deployments.get(g)).toMatchObject({ image: newImage, ready: true });
        expect(soakStart.index).toBeGreaterThan(changed.get(g)!);
        expect(waveStatusIn(soakStart, id, g)).toBe('soaking');
        // The next wave started in a later pass, one that reported this gateway done …
        expect(soakStart.index, `wave ${wave} started after ${g} of wave ${wave - 1} was Ready`).toBeLessThan(start.index);
        expect(waveStatusIn(start, id, g)).toBe('done');
        // … and at least soakSeconds later by the wall clock: from before the soak's first pass to after the next wave's.
        expect(start.endedAt - soakStart.startedAt, `${g} soaked ${SOAK_SECONDS} s before wave ${wave}`).toBeGreaterThanOrEqual(SOAK_SECONDS * 1000);
        // The durable record agrees: the wave started soakSeconds after the last of the wave before became Ready.
        const readySince = Date.parse(states.get(g)!.rollout!.readySince!);
        for (const next of gateways) expect(Date.parse(states.get(next)!.rollout!.startedAt) - readySince).toBeGreaterThanOrEqual(SOAK_SECONDS * 1000);
      }
      // While the wave before soaked, the gateways of this wave were told they wait for it.
      const waiting = passes.filter((p) => p.index > started[wave - 1]! && p.index < start.index);
      expect(waiting.length).toBeGreaterThan(0);
      for (const p of waiting) {
        for (const g of gateways) expect(p.summary.rollout?.decisions.get(g)).toMatchObject({ action: 'hold', hold: { reason: 'waiting-for-wave', rollout: id } });
      }
    }

    // Every gateway ended on the new version, the rollout complete in status, each gateway done in its wave.
    const snapshot = r.store.snapshot();
    expect(snapshot.rollouts.find((x) => x.id === id)).toMatchObject({ complete: true, pending: [] });
    expect(snapshot.rollouts.find((x) => x.id === id)?.halted).toBeUndefined();
    for (const [wave, gateways] of waves) {
      for (const g of gateways) {
        const status = r.store.gateway(g)!;
        expect(status.rollout).toMatchObject({ id, wave, state: 'done' });
        expect(status.phase).toBe('Ready');
        expect(status.appliedRevision).toBe(id);
        expect(status.services.find((s) => s.name === 'log-collector')).toMatchObject({ desiredVersion: '2.4.0', runningVersion: '2.4.0', ready: true });
      }
    }
    // The status history tells the same order: the canary updated first, each wave after the one before.
    const updatedAt = (g: string) => Date.parse(r.store.gateway(g)!.history.find((h) => h.kind === 'updated' && h.service === 'log-collector' && h.to === '2.4.0')!.time);
    const waveTimes = [...waves.values()].map((gateways) => gateways.map(updatedAt));
    for (let w = 1; w < waveTimes.length; w++) expect(Math.min(...waveTimes[w]!)).toBeGreaterThan(Math.max(...waveTimes[w - 1]!));
    // The other service was never touched.
    const firewalls = await k.apps.listNamespacedDeployment({ namespace: fleet.namespace, labelSelector: `${LABEL.service}=firewall` });
    expect(firewalls.items.map((d) => d.metadata?.generation)).toEqual(fleet.gateways.map(() => 1));
  }, 420_000);
});
