// `essg reconcile` killed in the middle of a rollout, once the canary wave has passed, and
// started again resumes from the durable per-gateway states: the gateways of earlier waves
// are not applied again, none is skipped, the wave numbers go on where they stopped, and
// the rollout completes.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/report/index.ts';
import type { GatewayRolloutState } from '../../src/rollout/index.ts';
import { forgetOtherFleets } from './helpers/fleet.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { createRolloutFleet, deployments, removeRolloutFleet, rolloutStates, wavesOf, type DeploymentView, type RolloutFleet } from './helpers/rollout-fleet.ts';
import { testbed } from './helpers/testbed.ts';
import { fetchAsOperator } from '../support/status-auth.ts';

const SOAK_SECONDS = 4;

let k: Kube;
let fleet: RolloutFleet;
const cacheDir = path.join(os.tmpdir(), `essg-it-resume-${randomBytes(3).toString('hex')}`);
const running: ReconcilerProcess[] = [];

async function reconciler(): Promise<{ process: ReconcilerProcess; status: () => Promise<StatusSnapshot> }> {
  const args = ['--repo', fleet.url, '--branch', 'main', '--approvals', 'off', '--kubeconfig', (await testbed()).kubeconfig, '--cache-dir', cacheDir, '--interval', '*/2 * * * * *', '--listen', '127.0.0.1:0'];
  const process = startReconciler(args);
  running.push(process);
  const url = await process.url();
  return { process, status: async () => (await (await fetchAsOperator(`${url}/status`)).json()) as StatusSnapshot };
}

describe('rollout resumed by a restarted reconciler', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createRolloutFleet({ size: 7, canaries: 1, maxUnavailable: 2, soakSeconds: SOAK_SECONDS });
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await removeRolloutFleet(fleet, k);
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('a reconciler killed while a wave updates resumes it: earlier waves not applied again, none skipped, waves numbered on, the rollout complete', async () => {
    const oldImage = fleet.image('2.3.0');
    const newImage = fleet.image('2.4.0');
    const first = await reconciler();
    const synced = await waitFor('all gateways Ready on log-collector 2.3.0', async () => {
      const [status, live] = await Promise.all([first.status(), deployments(k, fleet)]);
      return fleet.gateways.every((g) => live.get(g)?.image === oldImage && live.get(g)?.ready && status.gateways.find((s) => s.gateway === g)?.phase === 'Ready') && live;
    }, { timeoutMs: 180_000, intervalMs: 500 });

    // GIVEN a rollout of log-collector 2.4.0, killed the moment the wave after the canary's starts.
    const id = await fleet.push(fleet.withVersion('2.4.0'), 'log-collector 2.4.0 on every gateway');
    const atKill = await waitFor('wave 1 of the rollout recorded', async () => {
      const states = await rolloutStates(k, fleet);
      return [...states.values()].some((s) => s.rollout?.id === id && s.rollout.wave === 1) && states;
    }, { timeoutMs: 180_000, intervalMs: 50 });
    first.process.child.kill('SIGKILL');
    expect((await first.process.exited).signal).toBe('SIGKILL');
    const liveAtKill = await deployments(k, fleet);
    // What the states said when it died: the canary wave passed, wave 1 under way, nothing beyond.
    const wavesAtKill = wavesOf(atKill, id);
    const [canary] = fleet.canaries as [string];
    expect(wavesAtKill.get(0)).toEqual([canary]);
    expect(atKill.get(canary)?.rollout?.soaked).toBe(true);
    const wave1 = wavesAtKill.get(1)!;
    expect(wave1.length).toBeGreaterThan(0);
    for (const g of wave1) expect(atKill.get(g)?.rollout?.soaked).toBeFalsy();
    expect([...wavesAtKill.keys()]).toEqual([0, 1]);
    process.stderr.write(`rollout resume: killed with wave 1 (${wave1.join(', ')}) recorded, ${wave1.filter((g) => liveAtKill.get(g)?.image === newImage).length} of its Deployments changed\n`);

    // WHEN it is started again and left to run.
    const second = await reconciler();
    const done = await waitFor('the rollout complete', async () => {
      const [states, live, status] = await Promise.all([rolloutStates(k, fleet), deployments(k, fleet), second.status()]);
      const complete = fleet.gateways.every((g) => states.get(g)?.rollout?.id === id && states.get(g)?.rollout?.soaked && live.get(g)?.image === newImage && live.get(g)?.ready);
      return complete && status.rollouts.find((r) => r.id === id)?.complete && { states, live, status };
    }, { timeoutMs: 240_000, intervalMs: 500 });

    // THEN the canary was not touched again: the same durable state, the same Deployment.
    const pick = (d: DeploymentView | undefined) => ({ image: d?.image, generation: d?.generation, appliedAt: d?.appliedAt });
    expect(done.states.get(canary)).toEqual(atKill.get(canary));
    expect(pick(done.live.get(canary))).toEqual(pick(liveAtKill.get(canary)));
    // Wave 1 went on as the same wave, started when it was: not restarted, not renumbered. Its
    // states are written a few at once, so the kill may have left only some of them recorded:
    // the restarted reconciler fills the wave up, it does not start it again.
    const waves = wavesOf(done.states, id);
    expect(waves.get(1)).toEqual(expect.arrayContaining(wave1));
    for (const g of wave1) expect(done.states.get(g)?.rollout?.startedAt).toBe(atKill.get(g)?.rollout?.startedAt);
    // A wave-1 gateway whose Deployment was already changed was not changed again.
    for (const g of wave1) if (liveAtKill.get(g)?.image === newImage) expect(pick(done.live.get(g)), g).toEqual(pick(liveAtKill.get(g)));
    // The waves go on from 2, in batches of two, none skipped, each after the one before soaked.
    expect([...waves.keys()]).toEqual([0, 1, 2, 3]);
    expect([...waves.values()].map((w) => w.length)).toEqual([1, 2, 2, 2]);
    expect([...waves.values()].flat().sort()).toEqual([...fleet.gateways]);
    const state = (g: string): GatewayRolloutState => done.states.get(g)!;
    for (const [wave, gateways] of [...waves].slice(1)) {
      const lastReady = Math.max(...waves.get(wave - 1)!.map((g) => Date.parse(state(g).rollout!.readySince!)));
      for (const g of gateways) expect(Date.parse(state(g).rollout!.startedAt) - lastReady, `${g} in wave ${wave}`).toBeGreaterThanOrEqual(SOAK_SECONDS * 1000);
    }
    // Every gateway's Deployment changed exactly once, from the old image to the new.
    for (const g of fleet.gateways) expect(done.live.get(g), g).toMatchObject({ image: newImage, generation: synced.get(g)!.generation + 1 });
    // The restarted reconciler reports the rollout complete and every gateway done in its wave.
    for (const [wave, gateways] of waves) {
      for (const g of gateways) expect(done.status.gateways.find((s) => s.gateway === g)?.rollout).toMatchObject({ id, wave, state: 'done' });
    }

    await second.process.stop();
    expect((await second.process.exited).code).toBe(0);
  }, 600_000);
});
