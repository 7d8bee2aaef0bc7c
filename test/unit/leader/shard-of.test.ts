import { describe, expect, it } from 'vitest';
import { assignShards, ownsGateway, ownsShared, PRIMARY_SHARD, shardOf } from '../../../src/leader/index.ts';

const gateways = Array.from({ length: 10_000 }, (_, i) => `cust-${i % 97}-gw-${String(i).padStart(5, '0')}`);

describe('shardOf', () => {
  it('puts a gateway in the same shard on every replica and every run', () => {
    // Pinned: a changed hash would move every gateway to another replica on upgrade.
    expect([shardOf('acme-gw-01', 3), shardOf('acme-gw-02', 3), shardOf('globex-gw-17', 8)]).toEqual([1, 0, 6]);
    expect(gateways.slice(0, 10).map((gateway) => shardOf(gateway, 3))).toEqual([1, 0, 1, 2, 1, 1, 0, 1, 1, 0]);
    expect(shardOf('anything', 1)).toBe(0);
  });

  it('spreads gateways evenly over the shards', () => {
    for (const count of [2, 3, 8, 13]) {
      const sizes = Array.from({ length: count }, () => 0);
      for (const gateway of gateways) sizes[shardOf(gateway, count)]! += 1;
      const even = gateways.length / count;
      for (const size of sizes) expect(Math.abs(size - even) / even).toBeLessThan(0.15);
    }
  });

  it('writes every gateway when there are no shards, and only the held shards\' gateways when there are', () => {
    expect(ownsGateway(undefined, 'acme-gw-01')).toBe(true);
    expect(ownsShared(undefined)).toBe(true);
    const held = { count: 3, held: new Set([1, 2]) };
    for (const gateway of gateways.slice(0, 300)) expect(ownsGateway(held, gateway)).toBe(shardOf(gateway, 3) !== 0);
    expect(ownsShared(held)).toBe(false);
    expect(ownsShared({ count: 3, held: new Set([PRIMARY_SHARD]) })).toBe(true);
  });
});

describe('assignShards', () => {
  const replicas = (n: number) => Array.from({ length: n }, (_, i) => `essg-reconciler-${i}`);

  it('gives every shard one member, and no member more than its even share', () => {
    for (const [members, count] of [[1, 3], [2, 3], [3, 3], [3, 8], [5, 16], [4, 2]] as const) {
      const assignment = assignShards(replicas(members), count);
      expect(assignment).toHaveLength(count);
      expect(assignment.every((m) => m !== undefined)).toBe(true);
      const counts = new Map<string, number>();
      for (const m of assignment) counts.set(m!, (counts.get(m!) ?? 0) + 1);
      for (const held of counts.values()) expect(held).toBeLessThanOrEqual(Math.ceil(count / members));
    }
    expect(new Set(assignShards(replicas(3), 3)).size).toBe(3);
  });

  it('agrees whatever order the members are listed in, and assigns nothing without members', () => {
    const members = replicas(4);
    expect(assignShards([...members].reverse(), 10)).toEqual(assignShards(members, 10));
    expect(assignShards([...members, members[0]!], 10)).toEqual(assignShards(members, 10));
    expect(assignShards([], 3)).toEqual([undefined, undefined, undefined]);
  });

  it('moves only the leaving member\'s shards when one leaves, and few when one joins', () => {
    const count = 64;
    const before = assignShards(replicas(4), count);
    const gone = 'essg-reconciler-2';
    const after = assignShards(replicas(4).filter((m) => m !== gone), count);
    const moved = before.filter((m, shard) => m !== after[shard]).length;
    const theirs = before.filter((m) => m === gone).length;
    // The even-share cap may move a few more than the leaver's own; never a reshuffle.
    expect(after.includes(gone)).toBe(false);
    expect(moved).toBeLessThanOrEqual(theirs + Math.ceil(count / 3) / 2);
    const joined = assignShards([...replicas(4), 'essg-reconciler-new'], count);
    const movedOnJoin = before.filter((m, shard) => m !== joined[shard]).length;
    expect(movedOnJoin).toBeLessThan(count / 2);
    expect(joined.filter((m) => m === 'essg-reconciler-new').length).toBeGreaterThan(0);
  });
});
