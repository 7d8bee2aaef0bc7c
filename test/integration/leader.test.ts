// Leader election against the test bed's real API server: its resourceVersion checks are
// what keep two replicas from both holding the Lease. Every test samples both electors
// continuously and fails on any moment with two leaders.
import { CoordinationV1Api } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeaderElector, type LeaseClient, kubeLeaseClient } from '../../src/leader/index.ts';
import { type Kube, kube, namespace, waitFor } from './helpers/kube.ts';

// Short periods so a takeover after expiry happens within seconds; same ratios as production.
const TIMING = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, renewPeriodSeconds: 0.5, retryPeriodSeconds: 0.25 } as const;

let k: Kube;
let ns: { readonly name: string; remove: () => Promise<void> };
let leases: CoordinationV1Api;
const electors: LeaderElector[] = [];
const samplers: NodeJS.Timeout[] = [];

beforeAll(async () => {
  k = await kube();
  ns = await namespace(k, 'it-leader');
  leases = k.config.makeApiClient(CoordinationV1Api);
});
afterEach(async () => {
  samplers.splice(0).forEach(clearInterval);
  await Promise.all(electors.splice(0).map((e) => e.stop()));
});
afterAll(async () => {
  await ns?.remove();
});

/** Two or more electors on one Lease, and a record of every moment two of them led. */
function race(lease: string, names: readonly string[], client: (name: string) => LeaseClient = () => kubeLeaseClient({ api: leases, name: lease, namespace: ns.name })) {
  const overlaps: string[] = [];
  const leaders: string[] = [];
  const list: LeaderElector[] = names.map((identity) => {
    const elector: LeaderElector = new LeaderElector({
      ...TIMING,
      identity,
      lease: client(identity),
      releaseOnStop: false,
      onStartedLeading: () => {
        leaders.push(identity);
        const others = list.filter((e) => e !== elector && e.isLeader);
        if (others.length > 0) overlaps.push(`${identity} started leading while ${others.map((e) => e.identity).join(', ')} led`);
      },
    });
    electors.push(elector);
    return elector;
  });
  const sample = (): void => {
    const leading = list.filter((e) => e.isLeader).map((e) => e.identity);
    if (leading.length > 1) overlaps.push(`${leading.join(' and ')} led at once`);
  };
  samplers.push(setInterval(sample, 10));
  return { list, overlaps, leaders };
}

const holder = async (name: string): Promise<string | undefined> => (await leases.readNamespacedLease({ name, namespace: ns.name })).spec?.holderIdentity;

describe('leader election on a Lease', () => {
  it('lets exactly one of two replicas lead, and the Lease names it', async () => {
    const { list, overlaps } = race('essg-reconciler-one', ['replica-a', 'replica-b']);
    list.forEach((e) => void e.run());
    const leader = await waitFor('a leader', async () => list.find((e) => e.isLeader));
    // Several renewals later, still one leader, the same one.
    const lease = await leases.readNamespacedLease({ name: 'essg-reconciler-one', namespace: ns.name });
    await waitFor('three renewals', async () => {
      const now = await leases.readNamespacedLease({ name: 'essg-reconciler-one', namespace: ns.name });
      return Number(now.metadata?.resourceVersion) > Number(lease.metadata?.resourceVersion) + 2 && now;
    });
    expect(list.filter((e) => e.isLeader).map((e) => e.identity)).toEqual([leader.identity]);
    expect(await holder('essg-reconciler-one')).toBe(leader.identity);
    expect(lease.spec?.leaseDurationSeconds).toBe(3);
    expect(overlaps).toEqual([]);
  });

  it('hands over to the standby after the Lease expires when the leader dies', async () => {
    const { list, overlaps, leaders } = race('essg-reconciler-crash', ['replica-a', 'replica-b']);
    list.forEach((e) => void e.run());
    const first = await waitFor('a leader', async () => list.find((e) => e.isLeader));
    const standby = list.find((e) => e !== first) as LeaderElector;
    await first.stop(); // without releasing the Lease, as a crash leaves it
    expect(await holder('essg-reconciler-crash')).toBe(first.identity);

    await waitFor('the standby to lead', async () => standby.isLeader);
    expect(await holder('essg-reconciler-crash')).toBe(standby.identity);
    expect((await leases.readNamespacedLease({ name: 'essg-reconciler-crash', namespace: ns.name })).spec?.leaseTransitions).toBe(1);
    expect(leaders).toEqual([first.identity, standby.identity]);
    expect(overlaps).toEqual([]);
  });

  it('makes a leader cut off from the API server step down before the standby takes over', async () => {
    const cut: { replica?: string } = {};
    const real = kubeLeaseClient({ api: leases, name: 'essg-reconciler-partition', namespace: ns.name });
    // The cut-off replica's requests hang, as on a dead network path.
    const guarded = (name: string): LeaseClient => {
      const gate = async <T>(call: () => Promise<T>): Promise<T> => (cut.replica === name ? new Promise<T>(() => undefined) : call());
      return { get: () => gate(() => real.get()), create: (s) => gate(() => real.create(s)), update: (s, rv) => gate(() => real.update(s, rv)) };
    };
    const { list, overlaps, leaders } = race('essg-reconciler-partition', ['replica-a', 'replica-b'], guarded);
    list.forEach((e) => void e.run());
    const first = await waitFor('a leader', async () => list.find((e) => e.isLeader));
    const standby = list.find((e) => e !== first) as LeaderElector;
    cut.replica = first.identity;

    await waitFor('the standby to lead', async () => standby.isLeader);
    expect(first.isLeader).toBe(false);
    expect(leaders).toEqual([first.identity, standby.identity]);
    expect(overlaps).toEqual([]);
  });

  it('releases the Lease on a clean shutdown so the standby takes over without waiting for expiry', async () => {
    const lease = 'essg-reconciler-release';
    const a = new LeaderElector({ ...TIMING, identity: 'replica-a', lease: kubeLeaseClient({ api: leases, name: lease, namespace: ns.name }), onStartedLeading: () => undefined });
    electors.push(a);
    void a.run();
    await waitFor('replica-a to lead', async () => a.isLeader);
    await a.stop();
    const released = await leases.readNamespacedLease({ name: lease, namespace: ns.name });
    expect(released.spec?.holderIdentity ?? '').toBe('');

    const b = new LeaderElector({ ...TIMING, identity: 'replica-b', lease: kubeLeaseClient({ api: leases, name: lease, namespace: ns.name }), onStartedLeading: () => undefined });
    electors.push(b);
    void b.run();
    await waitFor('replica-b to lead', async () => b.isLeader);
    expect(await holder(lease)).toBe('replica-b');
  });
});
