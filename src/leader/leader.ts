// Leader election over a coordination.k8s.io/v1 Lease, as client-go's leaderelection does
// it: candidates read the Lease, and write it only with the resourceVersion they read, so
// the API server lets exactly one of two racing writers win. A follower takes the Lease
// only when it has seen no renewal for a whole lease duration (measured on its own clock,
// from when it saw the record change, so clock skew between pods does not matter); a
// leader that cannot renew for `renewDeadline` (< lease duration) steps down first. Hence
// two replicas never apply at once.
import { hostname } from 'node:os';
import { ApiException, type CoordinationV1Api, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { LEASE_NAME, SYSTEM_NAMESPACE } from '../contract/index.ts';
import { FleetError } from '../errors/fleet-error.ts';
import { Campaign } from './campaign.ts';
import { aborted, sleep } from './sleep.ts';


export interface LeaseSpec {
  /** Empty when released. */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime?: Date;
  readonly renewTime?: Date;
  readonly leaseTransitions: number;
  /** Where the holder's HTTP port is reached (annotation essg.io/holder-url): a standby forwards webhooks there. */
  readonly holderUrl?: string;
}

/** The Lease annotation the holder's URL is kept in. */
export const HOLDER_URL_ANNOTATION = 'essg.io/holder-url';

export interface LeaseRecord extends LeaseSpec {
  readonly resourceVersion: string;
}

/** The Lease as the elector needs it. `create`/`update` throw `LeaseConflict` when another writer won. */
export interface LeaseClient {
  get(): Promise<LeaseRecord | undefined>;
  create(spec: LeaseSpec): Promise<LeaseRecord>;
  /** Writes only if the Lease is still at `resourceVersion`. */
  update(spec: LeaseSpec, resourceVersion: string): Promise<LeaseRecord>;
}

export class LeaseConflict extends FleetError<{ readonly lease: string; readonly operation: 'create' | 'update' }> {
  readonly code = 'LEASE_CONFLICT';
  constructor(data: { readonly lease: string; readonly operation: 'create' | 'update' }) {
    super(`lease ${data.lease}: another candidate wrote it first (${data.operation})`, data);
  }
}

export class LeaderElectionConfigError extends FleetError<Readonly<Record<string, number>>> {
  readonly code = 'LEADER_ELECTION_CONFIG';
}

export interface LeaderElectorOptions {
  readonly lease: LeaseClient;
  /** @default defaultIdentity(): POD_NAME, or hostname-pid */
  readonly identity?: string;
  /** Whole seconds, as the Lease stores it. @default 15 */
  readonly leaseDurationSeconds?: number;
  /** A leader that could not renew for this long stops leading. Must be < leaseDurationSeconds. @default 10 */
  readonly renewDeadlineSeconds?: number;
  /** How often the leader renews. @default 5 */
  readonly renewPeriodSeconds?: number;
  /** How often a follower retries, and a leader retries a failed renewal. @default 2 */
  readonly retryPeriodSeconds?: number;
  /** Where other replicas reach this one's HTTP port, written into the Lease while it leads. @default - not written */
  readonly url?: string;
  /** Write the Lease free on stop so a standby takes over at once. @default true */
  readonly releaseOnStop?: boolean;
  /**
   * Whether this candidate wants the Lease now, asked before each attempt. One that does not
   * still reads the Lease (so it knows how fresh it is when it does want it), and a holder
   * that stops wanting it steps down and writes it free: how a shard is handed to the
   * replica it is assigned to. @default always
   */
  readonly wants?: () => boolean;
  /** Called on becoming leader; `signal` aborts when leadership ends. A returned promise is awaited on stop before the Lease is released. */
  readonly onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  readonly onStoppedLeading?: () => void;
  /** Every failed Lease call, for logs and metrics. */
  readonly onError?: (error: unknown) => void;
}

export function defaultIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return env.POD_NAME || `${hostname()}-${process.pid}`;
}

export class LeaderElector extends Campaign {
  readonly identity: string;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly renewPeriodMs: number;
  private readonly retryPeriodMs: number;
  private observed: LeaseRecord | undefined;
  private observedAt = 0;
  /** The last attempt found a live Lease of another replica. */
  private heldByOther = false;
  private leading: { readonly controller: AbortController; readonly work: Promise<void>; stepDown: NodeJS.Timeout } | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    super();
    this.identity = options.identity ?? defaultIdentity();
    const lease = options.leaseDurationSeconds ?? 15;
    const deadline = options.renewDeadlineSeconds ?? 10;
    const renew = options.renewPeriodSeconds ?? 5;
    const retry = options.retryPeriodSeconds ?? 2;
    if (!Number.isInteger(lease) || lease < 1) throw new LeaderElectionConfigError(`'leaseDurationSeconds' (${lease}) must be a whole number of seconds >= 1`, { lease });
    if (!(deadline < lease)) throw new LeaderElectionConfigError(`'renewDeadlineSeconds' (${deadline}) must be less than 'leaseDurationSeconds' (${lease})`, { deadline, lease });
    if (!(renew > 0 && renew < deadline)) throw new LeaderElectionConfigError(`'renewPeriodSeconds' (${renew}) must be between 0 and 'renewDeadlineSeconds' (${deadline})`, { renew, deadline });
    if (!(retry > 0 && retry < deadline)) throw new LeaderElectionConfigError(`'retryPeriodSeconds' (${retry}) must be between 0 and 'renewDeadlineSeconds' (${deadline})`, { retry, deadline });
    this.leaseMs = lease * 1000;
    this.renewDeadlineMs = deadline * 1000;
    this.renewPeriodMs = renew * 1000;
    this.retryPeriodMs = retry * 1000;
  }

  get isLeader(): boolean {
    return this.leading !== undefined;
  }

  /** The URL the live holder of the Lease wrote, when that is another replica. */
  get leaderUrl(): string | undefined {
    return this.heldByOther ? this.observed?.holderUrl : undefined;
  }


  /** Until stop(): acquire or renew, then wait; stopped, the Lease is released (if configured). */
  protected async loop(): Promise<void> {
    const stopped = this.stopping.signal;
    while (!stopped.aborted) {
      const attemptStart = Date.now();
      const outcome = await this.tryAcquireOrRenew(attemptStart);
      if (stopped.aborted) break;
      const won = outcome === 'won';
      if (won && !this.leading) this.startLeading(attemptStart);
      else if (won && this.leading) this.extendDeadline(attemptStart);
      // The Lease names another holder: not leading any more, now, not at the renew deadline.
      else if (this.leading && this.heldByOther) await this.stopLeading();
      // Given up: fenced first, then free for the replica that wants it.
      else if (this.leading && outcome === 'declined') {
        await this.stopLeading();
        await this.release();
      }
      await sleep(won ? this.renewPeriodMs : this.retryPeriodMs, stopped);
    }
    const wasLeading = this.leading !== undefined;
    await this.stopLeading();
    if (wasLeading && (this.options.releaseOnStop ?? true)) await this.release();
  }

  private startLeading(renewedAt: number): void {
    const controller = new AbortController();
    const stepDown = this.stepDownTimer(renewedAt);
    const work = Promise.resolve()
      .then(() => this.options.onStartedLeading(controller.signal))
      .catch((error: unknown) => this.options.onError?.(error));
    this.leading = { controller, work, stepDown };
  }

  /** The deadline counts from when the successful renewal was sent, the conservative end. */
  private extendDeadline(renewedAt: number): void {
    if (!this.leading) return;
    clearTimeout(this.leading.stepDown);
    this.leading.stepDown = this.stepDownTimer(renewedAt);
  }

  // A timer, not a check after each attempt: a renewal that hangs must not keep us leading.
  private stepDownTimer(renewedAt: number): NodeJS.Timeout {
    return setTimeout(() => void this.stopLeading(), Math.max(0, renewedAt + this.renewDeadlineMs - Date.now()));
  }

  private async stopLeading(): Promise<void> {
    const leading = this.leading;
    if (!leading) return;
    this.leading = undefined;
    clearTimeout(leading.stepDown);
    leading.controller.abort();
    this.options.onStoppedLeading?.();
    await leading.work;
  }

  /**
   * One attempt, bounded by the renew deadline and by stop(): a request that never comes
   * back (a dead network path) must neither keep a leader leading nor block shutdown.
   */
  private async tryAcquireOrRenew(now: number): Promise<Attempt> {
    const bound = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.renewDeadlineMs)]);
    return Promise.race([this.attempt(now), aborted(bound).then((): Attempt => 'lost')]);
  }

  private async attempt(now: number): Promise<Attempt> {
    try {
      const current = await this.options.lease.get();
      const wanted = this.options.wants?.() ?? true;
      if (!current) {
        if (!wanted) return 'declined';
        this.observe(await this.options.lease.create(this.nextSpec(undefined, now)));
        return 'won';
      }
      if (current.resourceVersion !== this.observed?.resourceVersion) this.observe(current);
      const heldByOther = current.holderIdentity !== '' && current.holderIdentity !== this.identity;
      this.heldByOther = heldByOther && Date.now() < this.observedAt + current.leaseDurationSeconds * 1000;
      if (this.heldByOther) return 'lost';
      if (!wanted) return 'declined';
      this.observe(await this.options.lease.update(this.nextSpec(current, now), current.resourceVersion));
      return 'won';
    } catch (error) {
      this.options.onError?.(error);
      return 'lost';
    }
  }

  private observe(record: LeaseRecord): void {
    this.observed = record;
    this.observedAt = Date.now();
  }

  private nextSpec(current: LeaseRecord | undefined, now: number): LeaseSpec {
    const ours = current?.holderIdentity === this.identity;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseMs / 1000,
      acquireTime: ours && current?.acquireTime ? current.acquireTime : new Date(now),
      renewTime: new Date(now),
      leaseTransitions: (current?.leaseTransitions ?? 0) + (current && !ours ? 1 : 0),
      ...(this.options.url ? { holderUrl: this.options.url } : {}),
    };
  }

  private async release(): Promise<void> {
    const record = this.observed;
    if (!record || record.holderIdentity !== this.identity) return;
    try {
      const { holderUrl: _gone, ...released } = record;
      await this.options.lease.update({ ...released, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new Date() }, record.resourceVersion);
    } catch (error) {
      // Someone else wrote it, or the API is down: the Lease then simply expires.
      this.options.onError?.(error);
    }
  }
}

/** The Lease in the cluster, through client-node's CoordinationV1Api. */
export function kubeLeaseClient({ api, name = LEASE_NAME, namespace = SYSTEM_NAMESPACE, labels, ensureNamespace }: {
  readonly api: Pick<CoordinationV1Api, 'readNamespacedLease' | 'createNamespacedLease' | 'replaceNamespacedLease'>;
  readonly name?: string;
  readonly namespace?: string;
  /** Written on every create and update: how a replica's membership Lease is found (see shards.ts). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Creates the Lease's namespace when the first Lease finds it missing (a cluster the reconciler's manifests did not set up). */
  readonly ensureNamespace?: () => Promise<void>;
}): LeaseClient {
  const lease = `${namespace}/${name}`;
  const body = (spec: LeaseSpec, resourceVersion?: string): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name, namespace, ...(resourceVersion ? { resourceVersion } : {}), ...(labels ? { labels: { ...labels } } : {}),
      ...(spec.holderUrl ? { annotations: { [HOLDER_URL_ANNOTATION]: spec.holderUrl } } : {}),
    },
    spec: {
      holderIdentity: spec.holderIdentity,
      leaseDurationSeconds: spec.leaseDurationSeconds,
      leaseTransitions: spec.leaseTransitions,
      // MicroTime: the API server rejects the millisecond form a plain Date serializes to.
      ...(spec.acquireTime ? { acquireTime: new V1MicroTime(spec.acquireTime.getTime()) } : {}),
      ...(spec.renewTime ? { renewTime: new V1MicroTime(spec.renewTime.getTime()) } : {}),
    },
  });
  const conflict = (operation: 'create' | 'update') => (error: unknown): never => {
    if (error instanceof ApiException && error.code === 409) throw new LeaseConflict({ lease, operation });
    throw error;
  };
  return {
    async get() {
      try {
        return toRecord(await api.readNamespacedLease({ name, namespace }));
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    async create(spec) {
      const create = () => api.createNamespacedLease({ namespace, body: body(spec) });
      try {
        return toRecord(await create());
      } catch (error) {
        if (!(ensureNamespace && error instanceof ApiException && error.code === 404)) return conflict('create')(error);
        await ensureNamespace();
        return create().then(toRecord, conflict('create'));
      }
    },
    update: (spec, resourceVersion) => api.replaceNamespacedLease({ name, namespace, body: body(spec, resourceVersion) }).then(toRecord, conflict('update')),
  };
}

/** A Lease found by listing: its name and labels beside the record. */
export interface ListedLease extends LeaseRecord {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The Leases in the namespace that carry the label selector's labels. */
export function kubeLeaseList({ api, namespace = SYSTEM_NAMESPACE, labelSelector }: {
  readonly api: Pick<CoordinationV1Api, 'listNamespacedLease'>;
  readonly namespace?: string;
  readonly labelSelector: string;
}): () => Promise<readonly ListedLease[]> {
  return async () => (await api.listNamespacedLease({ namespace, labelSelector })).items.map((lease) => ({
    ...toRecord(lease), name: lease.metadata?.name ?? '', labels: lease.metadata?.labels ?? {},
  }));
}

/** Deletes a Lease if it is still at `resourceVersion` (one renewed since is kept); one already gone or changed is no error. */
export function kubeLeaseDelete({ api, namespace = SYSTEM_NAMESPACE }: {
  readonly api: Pick<CoordinationV1Api, 'deleteNamespacedLease'>;
  readonly namespace?: string;
}): (name: string, resourceVersion: string) => Promise<void> {
  return async (name, resourceVersion) => {
    try {
      await api.deleteNamespacedLease({ name, namespace, body: { preconditions: { resourceVersion } } });
    } catch (error) {
      if (error instanceof ApiException && (error.code === 404 || error.code === 409)) return;
      throw error;
    }
  };
}

function toRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  const date = (value: unknown): Date | undefined => (value === undefined || value === null ? undefined : new Date(value as string));
  const acquireTime = date(spec.acquireTime);
  const renewTime = date(spec.renewTime);
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 15,
    leaseTransitions: spec.leaseTransitions ?? 0,
    ...(acquireTime ? { acquireTime } : {}),
    ...(renewTime ? { renewTime } : {}),
    ...(lease.metadata?.annotations?.[HOLDER_URL_ANNOTATION] ? { holderUrl: lease.metadata.annotations[HOLDER_URL_ANNOTATION] } : {}),
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}

/** won: this candidate holds the Lease now; lost: another does, or the attempt failed; declined: free to take, but not wanted. */
type Attempt = 'won' | 'lost' | 'declined';
