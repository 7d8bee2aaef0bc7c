// One replica's standing: whether it leads, and the leadership each of its passes writes
// under. A pass begun under a leadership that has since ended stays fenced, even once the
// replica leads again: its writes carry the signal it started with.
import { CoordinationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { makeKubeApi, withKubeDeadline } from '../apply/index.ts';
import { MEMBER_LEASE_LABEL, SYSTEM_LABELS, SYSTEM_NAMESPACE } from '../contract/index.ts';
import { kubeLeaseClient, kubeLeaseDelete, kubeLeaseList, LeaderElector } from './leader.ts';
import type { GatewayShards } from './shard-of.ts';
import { ShardElection } from './shards.ts';

export class ReplicaStanding {
  /** The shards held now, each with the signal that aborts when it is lost. Unelected: none kept, every shard is ours. */
  private readonly held = new Map<number, AbortSignal>();
  private pass: { readonly signal: AbortSignal | undefined; readonly shards: GatewayShards | undefined };

  /**
   * `elected`: the replica writes only the shards whose Lease it holds (one shard: the
   * fleet's Lease, leader election); otherwise it always leads, every gateway its own.
   */
  constructor(private readonly elected: boolean, readonly shardCount = 1) {
    this.pass = this.standingNow();
  }

  get leading(): boolean {
    return !this.elected || this.held.size > 0;
  }

  /** The shards held now, in order. */
  heldShards(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** A pass starts: it writes under the shards held now, and is fenced when any of them is lost. */
  startPass(): void {
    this.pass = this.standingNow();
  }

  /** The leadership the running pass started under; undefined: never fenced. */
  passLeadership(): AbortSignal | undefined {
    return this.pass.signal;
  }

  /** The shards the running pass writes; undefined: every gateway (one shard). */
  passShards(): GatewayShards | undefined {
    return this.pass.shards;
  }

  lead(signal: AbortSignal, shard = 0): void {
    this.held.set(shard, signal);
  }

  standBy(shard = 0): void {
    this.held.delete(shard);
  }

  private standingNow(): { readonly signal: AbortSignal | undefined; readonly shards: GatewayShards | undefined } {
    if (!this.elected) return { signal: undefined, shards: undefined };
    const signals = [...this.held.values()];
    return {
      signal: signals.length === 0 ? AbortSignal.abort() : signals.length === 1 ? signals[0] : AbortSignal.any(signals),
      shards: this.shardCount > 1 ? { count: this.shardCount, held: new Set(this.held.keys()) } : undefined,
    };
  }
}

/** The Lease API, and the system namespace created when the first Lease finds it missing. */
function leaseApis(kubeconfig: KubeConfig) {
  const core = withKubeDeadline(makeKubeApi(kubeconfig, CoreV1Api));
  const api = withKubeDeadline(makeKubeApi(kubeconfig, CoordinationV1Api));
  const ensureNamespace = async (): Promise<void> => {
    await core.createNamespace({ body: { metadata: { name: SYSTEM_NAMESPACE, labels: { ...SYSTEM_LABELS } } } }).catch((error: unknown) => {
      if ((error as { code?: number }).code !== 409) throw error;
    });
  };
  return { api, ensureNamespace };
}

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Campaigns for the fleet's Lease in the cluster and keeps `standing` in step with it; `onLead` runs each time the replica starts leading. */
export function electInCluster({ kubeconfig, standing, onLead, onStandBy, log, url }: {
  readonly kubeconfig: KubeConfig;
  /** Where other replicas reach this one (see LeaderElectorOptions.url). */
  readonly url?: string;
  readonly standing: ReplicaStanding;
  readonly onLead: (identity: string) => void;
  readonly onStandBy: (identity: string) => void;
  readonly log: (line: string) => void;
}): LeaderElector {
  const { api, ensureNamespace } = leaseApis(kubeconfig);
  const elector: LeaderElector = new LeaderElector({
    lease: kubeLeaseClient({ api, ensureNamespace }),
    ...(url ? { url } : {}),
    onStartedLeading: (signal) => {
      standing.lead(signal);
      onLead(elector.identity);
    },
    onStoppedLeading: () => {
      standing.standBy();
      onStandBy(elector.identity);
    },
    onError: (error) => log(`lease: ${describeError(error)}`),
  });
  return elector;
}

/** Campaigns for `standing.shardCount` shards in the cluster (shards.ts); `onChange` runs each time this replica gains or loses one. */
export function electShardsInCluster({ kubeconfig, standing, onChange, onMembers, log, url }: {
  readonly kubeconfig: KubeConfig;
  readonly url?: string;
  readonly standing: ReplicaStanding;
  readonly onChange: (change: { readonly shard: number; readonly held: boolean }) => void;
  readonly onMembers: () => void;
  readonly log: (line: string) => void;
}): ShardElection {
  const { api, ensureNamespace } = leaseApis(kubeconfig);
  return new ShardElection({
    count: standing.shardCount,
    ...(url ? { url } : {}),
    lease: (name, labels) => kubeLeaseClient({ api, name, ensureNamespace, ...(labels ? { labels } : {}) }),
    listMembers: kubeLeaseList({ api, labelSelector: `${MEMBER_LEASE_LABEL.key}=${MEMBER_LEASE_LABEL.value}` }),
    removeMember: kubeLeaseDelete({ api }),
    onHold: (shard, signal) => {
      standing.lead(signal, shard);
      onChange({ shard, held: true });
    },
    onRelease: (shard) => {
      standing.standBy(shard);
      onChange({ shard, held: false });
    },
    onMembers,
    onError: (error) => log(`lease: ${describeError(error)}`),
    log,
  });
}
