import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LeaderElectionConfigError,
  LeaderElector,
  type LeaderElectorOptions,
} from '../../../src/leader/index.ts';
import { MemoryLease } from './memory-leases.ts';

const FAST = { leaseDurationSeconds: 1, renewDeadlineSeconds: 0.6, renewPeriodSeconds: 0.15, retryPeriodSeconds: 0.1 } as const;
const electors: LeaderElector[] = [];
afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop()));
});

/** Electors that fail the test the moment two of them lead at once. */
function candidates(lease: MemoryLease, names: readonly string[], extra: (name: string) => Partial<LeaderElectorOptions> = () => ({})) {
  const overlaps: string[] = [];
  const started: string[] = [];
  const list = names.map((identity) => {
    const elector: LeaderElector = new LeaderElector({
      ...FAST,
      identity,
      lease: lease.client(),
      onStartedLeading: () => {
        started.push(identity);
        const others = list.filter((e) => e !== elector && e.isLeader).map((e) => e.identity);
        if (others.length > 0) overlaps.push(`${identity} started while ${others.join(', ')} led`);
      },
      ...extra(identity),
    });
    electors.push(elector);
    return elector;
  });
  return { list, overlaps, started };
}

async function until(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('LeaderElector', () => {
  it('elects exactly one leader among three candidates, and it keeps the lease by renewing', async () => {
    const lease = new MemoryLease();
    const { list, overlaps } = candidates(lease, ['a', 'b', 'c']);
    list.forEach((e) => void e.run());
    await until(() => list.some((e) => e.isLeader), 'a leader');
    const leader = list.find((e) => e.isLeader);
    const renewedAt = lease.record?.renewTime?.getTime() ?? 0;
    await until(() => (lease.record?.renewTime?.getTime() ?? 0) > renewedAt, 'a renewal');
    expect(list.filter((e) => e.isLeader)).toEqual([leader]);
    expect(lease.record?.holderIdentity).toBe(leader?.identity);
    expect(overlaps).toEqual([]);
  });

  it('releases the lease on stop so a standby takes over, after the leader has finished its work', async () => {
    const lease = new MemoryLease();
    const order: string[] = [];
    const { list, overlaps } = candidates(lease, ['a', 'b'], (name) => ({
      onStartedLeading: (signal) =>
        new Promise<void>((resolve) => {
          order.push(`${name} leads`);
          signal.addEventListener('abort', () => setTimeout(() => (order.push(`${name} work done`), resolve()), 50));
        }),
    }));
    const [a, b] = list as [LeaderElector, LeaderElector];
    void a.run();
    await until(() => a.isLeader, 'a to lead');
    void b.run();
    await a.stop();
    order.push(`lease holder after stop: ${lease.record?.holderIdentity || '(none)'}`);
    await until(() => b.isLeader, 'b to take over');
    expect(order).toEqual(['a leads', 'a work done', 'lease holder after stop: (none)', 'b leads']);
    expect(lease.record?.leaseTransitions).toBe(1);
    expect(overlaps).toEqual([]);
  });

  it('hands over after the lease expires when the leader dies without releasing', async () => {
    const lease = new MemoryLease();
    const { list, overlaps } = candidates(lease, ['a', 'b'], () => ({ releaseOnStop: false }));
    const [a, b] = list as [LeaderElector, LeaderElector];
    void a.run();
    await until(() => a.isLeader, 'a to lead');
    void b.run();
    await a.stop();
    expect(lease.record?.holderIdentity).toBe('a');
    await until(() => b.isLeader, 'b to take over');
    expect(lease.record?.holderIdentity).toBe('b');
    expect(overlaps).toEqual([]);
  });

  it('stops leading when it cannot renew, before a standby can take the lease', async () => {
    const lease = new MemoryLease();
    let cutOff = false;
    const stopped: string[] = [];
    const { list, overlaps, started } = candidates(lease, ['a', 'b'], (name) => ({
      lease: lease.client({ partitioned: () => name === 'a' && cutOff }),
      onStoppedLeading: () => stopped.push(name),
    }));
    const [a, b] = list as [LeaderElector, LeaderElector];
    void a.run();
    await until(() => a.isLeader, 'a to lead');
    void b.run();
    cutOff = true;
    await until(() => b.isLeader, 'b to take over');
    expect(stopped).toEqual(['a']);
    expect(started).toEqual(['a', 'b']);
    expect(overlaps).toEqual([]);
  });

  it('aborts the signal given to the leader when leadership ends', async () => {
    const lease = new MemoryLease();
    let signal: AbortSignal | undefined;
    const elector = new LeaderElector({ ...FAST, identity: 'a', lease: lease.client(), onStartedLeading: (s) => void (signal = s) });
    electors.push(elector);
    void elector.run();
    await until(() => elector.isLeader, 'a to lead');
    expect(signal?.aborted).toBe(false);
    await elector.stop();
    expect(signal?.aborted).toBe(true);
    expect(elector.isLeader).toBe(false);
  });

  it('tells a standby where the leader is reached, and forgets it once the leader released the Lease', async () => {
    const lease = new MemoryLease();
    const { list } = candidates(lease, ['a', 'b'], (name) => ({ url: `http://${name}.replicas:9464` }));
    for (const e of list) void e.run();
    await until(() => list.some((e) => e.isLeader), 'a leader');
    const leader = list.find((e) => e.isLeader)!;
    const standby = list.find((e) => e !== leader)!;
    await until(() => standby.leaderUrl !== undefined, 'the standby to read the leader\'s URL');
    expect(standby.leaderUrl).toBe(`http://${leader.identity}.replicas:9464`);
    expect(leader.leaderUrl).toBeUndefined();
    await leader.stop();
    // The released Lease names no holder and no URL; the standby takes it and leads.
    await until(() => standby.isLeader, 'the standby to lead');
    expect(standby.leaderUrl).toBeUndefined();
    expect(lease.record?.holderUrl).toBe(`http://${standby.identity}.replicas:9464`);
  });

  it('gives the Lease up at once when it stops wanting it, and never takes it while it does not', async () => {
    const lease = new MemoryLease();
    let aWants = true;
    // A Lease that would outlast the test: b can only lead if a released it.
    const { list, overlaps } = candidates(lease, ['a', 'b'], (name) => ({
      leaseDurationSeconds: 60, renewDeadlineSeconds: 30, wants: () => (name === 'a' ? aWants : !aWants),
    }));
    for (const e of list) void e.run();
    const [a, b] = list as [LeaderElector, LeaderElector];
    await until(() => a.isLeader, 'a to lead');
    await sleep(300);
    expect(b.isLeader).toBe(false);
    aWants = false;
    await until(() => b.isLeader, 'b to lead');
    expect(a.isLeader).toBe(false);
    expect(lease.record?.holderIdentity).toBe('b');
    expect(overlaps).toEqual([]);
  });

  it('refuses a renew deadline that is not shorter than the lease duration', () => {
    const make = () => new LeaderElector({ lease: new MemoryLease().client(), leaseDurationSeconds: 10, renewDeadlineSeconds: 10, onStartedLeading: () => undefined });
    expect(make).toThrow(LeaderElectionConfigError);
    expect(make).toThrow("'renewDeadlineSeconds' (10) must be less than 'leaseDurationSeconds' (10)");
  });
});
