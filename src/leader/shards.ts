// Sharded replicas (`essg reconcile --leader-elect --shards N`): the gateways are split into N
// shards (shard-of.ts), each shard has its own Lease, and a replica applies the gateways of
// the shards it holds. Who should hold which shard comes from membership: every replica keeps
// a Lease of its own renewed, lists the others', and assigns the shards over the live ones,
// as every other replica does from the same list. Membership only says who *should* hold a
// shard; the shard's Lease alone decides who *does*, with the leader election's guarantees
// (one holder at a time, a holder that cannot renew steps down before the Lease expires, a
// pass started under a lost shard writes nothing more). So replicas that briefly disagree on
// membership at worst leave a shard unheld for a retry period, never held twice. A replica
// that dies stops renewing both Leases: a lease duration later the others no longer count it,
// and its shards' Leases have expired for the replicas they are now assigned to.
import { LABEL } from '../contract/index.ts';
import { MEMBER_LEASE_LABEL, memberLeaseName, shardLeaseName } from '../contract/system-objects.ts';
import { defaultIdentity, LeaderElector, type LeaderElectorOptions, type LeaseClient, type ListedLease } from './leader.ts';
import { assignShards } from './shard-of.ts';
import { Campaign } from './campaign.ts';
import { aborted, sleep } from './sleep.ts';

export type ElectionTiming = Pick<LeaderElectorOptions, 'leaseDurationSeconds' | 'renewDeadlineSeconds' | 'renewPeriodSeconds' | 'retryPeriodSeconds'>;

export interface ShardElectionOptions {
  /** Shards the fleet is split into; every replica of the fleet must run with the same count. */
  readonly count: number;
  /** @default defaultIdentity() */
  readonly identity?: string;
  /** Written into this replica's membership Lease: where the others forward webhooks to it. */
  readonly url?: string;
  /** The Lease of that name, written with these labels. */
  readonly lease: (name: string, labels?: Readonly<Record<string, string>>) => LeaseClient;
  /** The membership Leases of every replica (those labelled MEMBER_LEASE_LABEL). */
  readonly listMembers: () => Promise<readonly ListedLease[]>;
  /**
   * Deletes a membership Lease if it is still at that version: how the Leases of replicas
   * gone for good (a scaled-down or replaced pod) are cleared, `staleAfterLeases` Lease
   * durations after they were last renewed. Absent: they stay, counted by no one.
   */
  readonly removeMember?: (name: string, resourceVersion: string) => Promise<void>;
  /** @default STALE_MEMBER_LEASES */
  readonly staleAfterLeases?: number;
  /** @default the leader election's: 15 s Leases, renewed every 5 s, retried every 2 s */
  readonly timing?: ElectionTiming;
  /** This replica holds `shard` now; `signal` aborts when it stops holding it. */
  readonly onHold: (shard: number, signal: AbortSignal) => void;
  readonly onRelease: (shard: number) => void;
  /** The live replicas or the assignment changed. */
  readonly onMembers?: () => void;
  readonly onError?: (error: unknown) => void;
  readonly log?: (line: string) => void;
}

/** A membership Lease unrenewed for this many of its durations belongs to a replica that is gone: it is deleted. */
export const STALE_MEMBER_LEASES = 20;

interface SeenMember {
  readonly lease: ListedLease;
  /** When this replica saw the Lease change, on its own clock. */
  readonly at: number;
}

export class ShardElection extends Campaign {
  readonly identity: string;
  readonly count: number;
  private readonly member: LeaderElector;
  private readonly shards: readonly LeaderElector[];
  private readonly retryMs: number;
  private readonly listDeadlineMs: number;
  private readonly seen = new Map<string, SeenMember>();
  private assignment: readonly (string | undefined)[] = [];
  /** Set while a live replica runs with another shard count: then this one holds nothing. */
  private disagreement: string | undefined;
  /** Successful readings of the membership Leases so far. */
  private readings = 0;

  constructor(private readonly options: ShardElectionOptions) {
    super();
    if (!Number.isInteger(options.count) || options.count < 2) throw new RangeError(`'count' (${options.count}) must be a whole number >= 2: one shard is plain leader election`);
    this.identity = options.identity ?? defaultIdentity();
    this.count = options.count;
    const timing = options.timing ?? {};
    this.retryMs = (timing.retryPeriodSeconds ?? 2) * 1000;
    this.listDeadlineMs = (timing.renewDeadlineSeconds ?? 10) * 1000;
    const onError = options.onError;
    this.member = new LeaderElector({
      ...timing, identity: this.identity, ...(options.url ? { url: options.url } : {}),
      lease: options.lease(memberLeaseName(this.identity), { [MEMBER_LEASE_LABEL.key]: MEMBER_LEASE_LABEL.value, [LABEL.shards]: String(this.count) }),
      onStartedLeading: () => undefined,
      ...(onError ? { onError } : {}),
    });
    this.shards = Array.from({ length: this.count }, (_, shard) => new LeaderElector({
      ...timing, identity: this.identity,
      lease: options.lease(shardLeaseName(shard, this.count)),
      wants: () => this.disagreement === undefined && this.assignment[shard] === this.identity,
      onStartedLeading: (signal) => options.onHold(shard, signal),
      onStoppedLeading: () => options.onRelease(shard),
      ...(onError ? { onError } : {}),
    }));
  }

  /** The shards this replica holds now. */
  held(): number[] {
    return this.shards.flatMap((elector, shard) => (elector.isLeader ? [shard] : []));
  }

  /** Where the other live replicas are reached (the URLs they wrote into their membership Leases). */
  peerUrls(): string[] {
    return this.live().filter((m) => m.holderIdentity !== this.identity && m.holderUrl).map((m) => m.holderUrl!);
  }

  /** The live replicas, this one included, and the shard count problem if there is one. */
  members(): { readonly identities: readonly string[]; readonly disagreement?: string } {
    return { identities: this.identities(), ...(this.disagreement ? { disagreement: this.disagreement } : {}) };
  }

  /** Until stop(): read the membership, campaign for the assigned shards; stopped, every shard is given up (written free, so the others take them at once), then membership. */
  protected async loop(): Promise<void> {
    const member = this.member.run();
    let started = false;
    while (!this.stopping.signal.aborted) {
      await this.look();
      // From the second reading on: replicas started together (a Deployment's) have then
      // written their membership, so the first shares are final, not handed over at once.
      if (!started && this.readings >= 2) {
        started = true;
        for (const shard of this.shards) void shard.run();
      }
      await sleep(this.retryMs, this.stopping.signal);
    }
    await Promise.all(this.shards.map((shard) => shard.stop()));
    await this.member.stop();
    await member;
  }

  /** One reading of the membership Leases, and the assignment it gives. */
  private async look(): Promise<void> {
    let listed: readonly ListedLease[] | undefined;
    // Bounded as a Lease renewal is: a list that never comes back must not stop the readings.
    const bound = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.listDeadlineMs)]);
    try {
      listed = await Promise.race([this.options.listMembers(), aborted(bound).then(() => undefined)]);
      if (listed === undefined) {
        if (!this.stopping.signal.aborted) throw new Error(`membership Leases: the list did not answer within ${this.listDeadlineMs / 1000} s`);
        return;
      }
    } catch (error) {
      // The last reading stands; its members expire by this replica's clock as they would unrenewed.
      this.options.onError?.(error);
      return;
    }
    const now = Date.now();
    const names = new Set(listed.map((lease) => lease.name));
    for (const name of this.seen.keys()) if (!names.has(name)) this.seen.delete(name);
    for (const lease of listed) {
      const before = this.seen.get(lease.name);
      if (before?.lease.resourceVersion !== lease.resourceVersion) this.seen.set(lease.name, { lease, at: now });
    }
    this.readings += 1;
    this.removeStale(now);
    const others = this.live().filter((m) => m.holderIdentity !== this.identity && m.labels[LABEL.shards] !== String(this.count));
    const disagreement = others[0]
      ? `replica ${others[0].holderIdentity} runs with ${others[0].labels[LABEL.shards] ?? 'no'} shards and this one with ${this.count}: holding no shard until every replica runs with the same --shards`
      : undefined;
    if (disagreement !== this.disagreement && disagreement) this.options.log?.(disagreement);
    this.disagreement = disagreement;
    const assignment = assignShards(this.identities(), this.count);
    if (assignment.some((holder, shard) => holder !== this.assignment[shard])) {
      const mine = assignment.flatMap((holder, shard) => (holder === this.identity ? [shard] : []));
      this.options.log?.(`shards: ${this.identities().length} replicas live; this one is assigned ${mine.length ? mine.join(', ') : 'none'} of ${this.count}`);
      this.assignment = assignment;
      this.options.onMembers?.();
    }
  }

  private removeStale(now: number): void {
    const remove = this.options.removeMember;
    if (!remove) return;
    const stale = this.options.staleAfterLeases ?? STALE_MEMBER_LEASES;
    for (const [name, { lease, at }] of this.seen) {
      if (lease.holderIdentity === this.identity || now < at + stale * lease.leaseDurationSeconds * 1000) continue;
      this.seen.delete(name);
      this.options.log?.(`shards: removing the membership Lease ${name} of ${lease.holderIdentity || 'a stopped replica'}, unrenewed for ${stale} lease durations`);
      remove(name, lease.resourceVersion).catch((error: unknown) => this.options.onError?.(error));
    }
  }

  private live(): ListedLease[] {
    const now = Date.now();
    return [...this.seen.values()]
      .filter(({ lease, at }) => lease.holderIdentity !== '' && now < at + lease.leaseDurationSeconds * 1000)
      .map(({ lease }) => lease);
  }

  private identities(): string[] {
    return [...new Set([this.identity, ...this.live().map((m) => m.holderIdentity)])].sort();
  }
}
