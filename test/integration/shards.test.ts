// Three replicas of `essg reconcile --leader-elect --shards 3` as shipped (child processes)
// split a fleet's gateways between them: one shard each, each gateway applied by the replica
// holding its shard. One is killed without a word (SIGKILL: no Lease released); once its
// Leases expire the other two take its shard, and a change pushed after converges on every
// gateway, each one's apply reported by exactly one replica, never by the dead one.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_LEASE_LABEL, RECONCILER_NAME, SYSTEM_NAMESPACE } from '../../src/contract/index.ts';
import { shardOf } from '../../src/leader/index.ts';
import type { StatusSnapshot } from '../../src/report/index.ts';
import { forgetOtherFleets } from './helpers/fleet.ts';
import { gatewayEvents, kube, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { createRolloutFleet, deployments, removeRolloutFleet, type RolloutFleet } from './helpers/rollout-fleet.ts';
import { testbed } from './helpers/testbed.ts';
import { fetchAsOperator } from '../support/status-auth.ts';

const SHARDS = 3;
let k: Kube;
let leases: CoordinationV1Api;
let fleet: RolloutFleet;
const replicas: { name: string; process: ReconcilerProcess; url: string }[] = [];

const status = async (url: string) => (await (await fetchAsOperator(`${url}/status`)).json()) as StatusSnapshot;

/** Shard and membership Leases earlier runs left: a replica counts a member until its Lease expires. */
async function removeShardLeases(): Promise<void> {
  const all = (await leases.listNamespacedLease({ namespace: SYSTEM_NAMESPACE })).items;
  const ours = all.filter((l) => l.metadata?.labels?.[MEMBER_LEASE_LABEL.key] === MEMBER_LEASE_LABEL.value || l.metadata?.name?.startsWith(`${RECONCILER_NAME}-shard-`));
  await Promise.all(ours.map((l) => leases.deleteNamespacedLease({ namespace: SYSTEM_NAMESPACE, name: l.metadata!.name! }).catch(() => undefined)));
}

/** Each live replica's held shards, read in one round. */
async function heldBy(live: readonly { name: string; url: string }[]): Promise<Map<string, number[]>> {
  const read = await Promise.all(live.map(async (r) => [r.name, (await status(r.url)).fleet.replica?.shards?.held ?? []] as const));
  return new Map(read.map(([name, held]) => [name, [...held]]));
}

/** Fails the test when one shard shows as held by two replicas in two rounds running (one round may straddle a hand-over). */
function overlapWatch() {
  const overlaps: string[] = [];
  let previous = new Set<string>();
  return {
    overlaps,
    see(held: ReadonlyMap<string, readonly number[]>) {
      const now = new Set<string>();
      for (let shard = 0; shard < SHARDS; shard++) {
        const holders = [...held].filter(([, shards]) => shards.includes(shard)).map(([name]) => name);
        if (holders.length > 1) now.add(`shard ${shard}: ${holders.join(' and ')}`);
      }
      for (const overlap of now) if (previous.has(overlap)) overlaps.push(overlap);
      previous = now;
    },
  };
}

/** Waits until the live replicas hold every shard between them, checking for overlaps at each round; the holder of each shard. */
async function waitForSplit(live: readonly { name: string; url: string }[], watch: ReturnType<typeof overlapWatch>, what: string): Promise<Map<number, string>> {
  return waitFor(what, async () => {
    const held = await heldBy(live);
    watch.see(held);
    const holders = new Map<number, string>();
    for (const [name, shards] of held) for (const shard of shards) holders.set(shard, name);
    const even = [...held.values()].every((shards) => shards.length <= Math.ceil(SHARDS / live.length) && shards.length > 0);
    return holders.size === SHARDS && even ? holders : undefined;
  }, { timeoutMs: 120_000, intervalMs: 250 });
}

describe('sharded replicas', () => {
  beforeAll(async () => {
    k = await kube();
    leases = k.config.makeApiClient(CoordinationV1Api);
    await forgetOtherFleets();
    await removeShardLeases();
    fleet = await createRolloutFleet({ size: 12, canaries: 0, maxUnavailable: '100%', soakSeconds: 0 });
    const { kubeconfig } = await testbed();
    for (const name of ['replica-a', 'replica-b', 'replica-c']) {
      const proc = startReconciler(
        ['--repo', fleet.url, '--approvals', 'off', '--kubeconfig', kubeconfig, '--cache-dir', path.join(os.tmpdir(), `essg-it-shards-${randomBytes(3).toString('hex')}`),
          '--interval', '*/2 * * * * *', '--listen', '127.0.0.1:0', '--leader-elect', '--shards', String(SHARDS)],
        { POD_NAME: `${fleet.prefix}-${name}` },
      );
      replicas.push({ name: `${fleet.prefix}-${name}`, process: proc, url: await proc.url() });
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.process.stop()));
    await removeRolloutFleet(fleet, k);
    if (leases) await removeShardLeases();
  });

  it('split the shards one each, lose one replica to SIGKILL, and converge a change on every gateway, each written by one live replica', async () => {
    const watch = overlapWatch();
    const holders = await waitForSplit(replicas, watch, 'one shard held by each of three replicas');
    for (const r of replicas) expect((await status(r.url)).fleet.replica?.shards).toMatchObject({ count: SHARDS, replicas: 3 });
    const oldImage = fleet.image('2.3.0');
    await waitFor('every gateway on log-collector 2.3.0', async () => {
      const seen = await deployments(k, fleet);
      return fleet.gateways.every((g) => seen.get(g)?.image === oldImage && seen.get(g)?.ready);
    }, { timeoutMs: 180_000, intervalMs: 1000 });

    // The replica holding the shard with the most gateways dies without releasing anything.
    const shardSizes = Array.from({ length: SHARDS }, (_, shard) => fleet.gateways.filter((g) => shardOf(g, SHARDS) === shard).length);
    const doomedShard = shardSizes.indexOf(Math.max(...shardSizes));
    const doomed = replicas.find((r) => r.name === holders.get(doomedShard))!;
    doomed.process.child.kill('SIGKILL');
    await doomed.process.exited;
    const survivors = replicas.filter((r) => r !== doomed);
    const after = await waitForSplit(survivors, watch, 'the two survivors holding all three shards');
    expect(after.get(doomedShard)).not.toBe(doomed.name);
    for (const r of survivors) expect((await status(r.url)).fleet.replica?.shards?.replicas).toBe(2);
    const taker = survivors.find((r) => r.name === after.get(doomedShard))!;
    expect(taker.process.stderr()).toMatch(new RegExp(`${taker.name} holds shard ${doomedShard} of ${SHARDS}: applying its gateways`));

    // A change to every gateway, applied after the split settled again.
    const head = await fleet.push(fleet.withVersion('2.4.0'), 'log-collector 2.4.0 on every gateway');
    const newImage = fleet.image('2.4.0');
    await waitFor('every gateway on log-collector 2.4.0', async () => {
      watch.see(await heldBy(survivors));
      const seen = await deployments(k, fleet);
      return fleet.gateways.every((g) => seen.get(g)?.image === newImage && seen.get(g)?.ready);
    }, { timeoutMs: 180_000, intervalMs: 1000 });

    // Each gateway's apply of the change was reported once, by the survivor holding its shard.
    const writers = new Map<string, string[]>();
    for (const gateway of fleet.gateways) {
      const applied = (await gatewayEvents(k, { gateway, reason: 'Applied' })).filter((e) => e.message?.endsWith(` at ${head.slice(0, 12)}`));
      writers.set(gateway, applied.map((e) => e.reportingInstance ?? '?'));
    }
    const expected = new Map(fleet.gateways.map((g) => [g, [after.get(shardOf(g, SHARDS))!]]));
    expect(writers).toEqual(expected);
    expect(watch.overlaps).toEqual([]);
  });
});
