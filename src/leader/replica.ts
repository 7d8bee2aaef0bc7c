// One replica's standing: whether it leads, and the leadership each of its passes writes
// under. A pass begun under a leadership that has since ended stays fenced, even once the
// replica leads again: its writes carry the signal it started with.
import { CoordinationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { makeKubeApi, withKubeDeadline } from '../apply/index.ts';
import { SYSTEM_LABELS, SYSTEM_NAMESPACE } from '../contract/index.ts';
import { kubeLeaseClient, LeaderElector } from './leader.ts';

export class ReplicaStanding {
  private current: AbortSignal | undefined;
  private pass: AbortSignal | undefined;
  private isLeading: boolean;

  /** `elected`: the replica writes only while it holds the Lease; otherwise it always leads. */
  constructor(elected: boolean) {
    this.current = elected ? AbortSignal.abort() : undefined;
    this.pass = this.current;
    this.isLeading = !elected;
  }

  get leading(): boolean {
    return this.isLeading;
  }

  /** A pass starts: it writes under the leadership held now. */
  startPass(): void {
    this.pass = this.current;
  }

  /** The leadership the running pass started under; undefined: never fenced. */
  passLeadership(): AbortSignal | undefined {
    return this.pass;
  }

  lead(signal: AbortSignal): void {
    this.current = signal;
    this.isLeading = true;
  }

  standBy(): void {
    this.current = AbortSignal.abort();
    this.isLeading = false;
  }
}

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
  const core = withKubeDeadline(makeKubeApi(kubeconfig, CoreV1Api));
  const elector: LeaderElector = new LeaderElector({
    lease: kubeLeaseClient({
      api: withKubeDeadline(makeKubeApi(kubeconfig, CoordinationV1Api)),
      ensureNamespace: async () => {
        await core.createNamespace({ body: { metadata: { name: SYSTEM_NAMESPACE, labels: { ...SYSTEM_LABELS } } } }).catch((error: unknown) => {
          if ((error as { code?: number }).code !== 409) throw error;
        });
      },
    }),
    ...(url ? { url } : {}),
    onStartedLeading: (signal) => {
      standing.lead(signal);
      onLead(elector.identity);
    },
    onStoppedLeading: () => {
      standing.standBy();
      onStandBy(elector.identity);
    },
    onError: (error) => log(`lease: ${error instanceof Error ? error.message : String(error)}`),
  });
  return elector;
}
