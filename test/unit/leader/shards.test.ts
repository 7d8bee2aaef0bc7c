import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { MEMBER_LEASE_LABEL, shardLeaseName } from '../../../src/contract/index.ts';
import { ShardElection } from '../../../src/leader/index.ts';
import { MemoryLeases } from './memory-leases.ts';

const FAST = { leaseDurationSeconds: 1, renewDeadlineSeconds: 0.6, renewPeriodSeconds: 0.15, retryPeriodSeconds: 0.1 } as const;
const elections: ShardElection[] = [];
afterEach(async () => {
  await Promise.all(elections.splice(0).map((e) => e.stop()));
});

async function until(condition: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Replicas sharing one store, with a record of every moment two of them held the same shard. */
function replicas(store: MemoryLeases, specs: readonly { readonly identity: string; readonly count: number; readonly partitioned?: () => boolean; readonly staleAfterLeases?: number }[]) {
  const holding = new Map<number, Set<string>>();
  const overlaps: string[] = [];
  const logs: string[] = [];
  const takes: string[] = [];
  const list = specs.map(({ identity, count, partitioned, staleAfterLeases }) => {
    const reach = partitioned ? { partitioned } : {};
    const election = new ShardElection({
      count, identity, timing: FAST, url: `http://${identity}.replicas:9464`,
      lease: (name, labels) => store.client(name, labels, reach),
      listMembers: store.lister(MEMBER_LEASE_LABEL.key, MEMBER_LEASE_LABEL.value, reach),
      removeMember: (name, resourceVersion) => store.remove(name, resourceVersion),
      ...(staleAfterLeases ? { staleAfterLeases } : {}),
      onHold: (shard) => {
        const holders = holding.get(shard) ?? new Set<string>();
        if (holders.size > 0) overlaps.push(`${identity} took shard ${shard} while ${[...holders].join(', ')} held it`);
        holders.add(identity);
        holding.set(shard, holders);
        takes.push(`${identity}:${shard}`);
      },
      onRelease: (shard) => void holding.get(shard)?.delete(identity),
      log: (line) => logs.push(`${identity}: ${line}`),
    });
    elections.push(election);
    return election;
  });
  const held = () => list.map((e) => e.held());
  return { list, overlaps, logs, held, takes };
}

describe('ShardElection', () => {
  it('splits three shards between three replicas, one each, and no shard is ever held by two', async () => {
    const store = new MemoryLeases();
    const { list, overlaps, held, takes } = replicas(store, ['r-a', 'r-b', 'r-c'].map((identity) => ({ identity, count: 3 })));
    for (const e of list) void e.run();
    await until(() => held().every((shards) => shards.length === 1), 'one shard each');
    expect(held().flat().sort()).toEqual([0, 1, 2]);
    // Started together, they wait to see each other: each shard taken once, none handed over.
    expect(takes).toHaveLength(3);
    for (const shard of [0, 1, 2]) expect(list.map((e) => e.identity)).toContain(store.record(shardLeaseName(shard, 3))?.holderIdentity);
    expect(list[0]!.members().identities).toEqual(['r-a', 'r-b', 'r-c']);
    expect(list[0]!.peerUrls().sort()).toEqual(['http://r-b.replicas:9464', 'http://r-c.replicas:9464']);
    // Steady: renewals keep the same split.
    const split = held();
    await sleep(1500);
    expect(held()).toEqual(split);
    expect(overlaps).toEqual([]);
  });

  it('hands a stopped replica\'s shard to the others at once, and takes one back when a replica joins', async () => {
    const store = new MemoryLeases();
    const { list, overlaps, held } = replicas(store, ['r-a', 'r-b', 'r-c'].map((identity) => ({ identity, count: 3 })));
    for (const e of list) void e.run();
    await until(() => held().every((shards) => shards.length === 1), 'one shard each');
    const [leaving, ...staying] = list as [ShardElection, ShardElection, ShardElection];
    const itsShard = leaving.held()[0]!;
    await leaving.stop();
    expect(store.record(shardLeaseName(itsShard, 3))?.holderIdentity).toBe('');
    await until(() => staying.flatMap((e) => e.held()).length === 3, 'the two left to hold all three shards');
    expect(staying.map((e) => e.held().length).sort()).toEqual([1, 2]);
    // A replica joining takes its even share back from the one holding two.
    const { list: [joined], held: heldByJoined } = replicas(store, [{ identity: 'r-d', count: 3 }]);
    void joined!.run();
    await until(() => heldByJoined()[0]!.length === 1 && staying.every((e) => e.held().length === 1), 'one shard each again');
    expect(overlaps).toEqual([]);
  });

  it('takes over a partitioned replica\'s shard once its Lease expires, after it stopped writing under it', async () => {
    const store = new MemoryLeases();
    let cutOff = false;
    const { list, overlaps, held } = replicas(store, [
      { identity: 'r-a', count: 3, partitioned: () => cutOff }, { identity: 'r-b', count: 3 }, { identity: 'r-c', count: 3 },
    ]);
    for (const e of list) void e.run();
    await until(() => held().every((shards) => shards.length === 1), 'one shard each');
    const [cut, ...others] = list as [ShardElection, ShardElection, ShardElection];
    const itsShard = cut.held()[0]!;
    cutOff = true;
    await until(() => cut.held().length === 0, 'the partitioned replica to step down');
    await until(() => others.some((e) => e.held().includes(itsShard)), 'its shard to be taken over');
    expect(others.flatMap((e) => e.held()).sort()).toEqual([0, 1, 2]);
    expect(overlaps).toEqual([]);
  });

  it('holds nothing while a live replica runs with another shard count, and says why', async () => {
    const store = new MemoryLeases();
    const { list, held, logs } = replicas(store, [{ identity: 'r-a', count: 3 }, { identity: 'r-b', count: 2 }]);
    for (const e of list) void e.run();
    await until(() => logs.some((line) => line.includes('runs with 3 shards and this one with 2')), 'the disagreement logged');
    await sleep(500);
    expect(held()).toEqual([[], []]);
    expect(list[1]!.members().disagreement).toContain('holding no shard until every replica runs with the same --shards');
  });

  it('deletes the membership Lease of a replica gone for good, and never a live one\'s', async () => {
    const store = new MemoryLeases();
    let cutOff = false;
    const { list, held } = replicas(store, [
      { identity: 'r-a', count: 2, partitioned: () => cutOff }, { identity: 'r-b', count: 2, staleAfterLeases: 2 }, { identity: 'r-c', count: 2, staleAfterLeases: 2 },
    ]);
    for (const e of list) void e.run();
    await until(() => held().flat().length === 2, 'both shards held');
    expect(store.names().filter((name) => name.includes('-member-'))).toEqual(['essg-reconciler-member-r-a', 'essg-reconciler-member-r-b', 'essg-reconciler-member-r-c']);
    cutOff = true;
    await until(() => !store.names().includes('essg-reconciler-member-r-a'), 'the partitioned replica\'s membership Lease deleted');
    await sleep(3000);
    expect(store.names().filter((name) => name.includes('-member-'))).toEqual(['essg-reconciler-member-r-b', 'essg-reconciler-member-r-c']);
  });

  it('refuses a count of one: that is plain leader election', () => {
    const store = new MemoryLeases();
    expect(() => new ShardElection({ count: 1, lease: (name) => store.client(name), listMembers: store.lister('k', 'v'), onHold: () => undefined, onRelease: () => undefined }))
      .toThrow(/must be a whole number >= 2/);
  });
});
