// Who asks the running reconciler for a pass, and what it does with a push: polls, webhooks
// (a standby sends them on to the leader), a gateway's edge node coming back online, callers.
import type { WatchedClusterClient } from '../apply/watch-cache.ts';
import type { PassSummary, Reconciler } from '../engine/engine.ts';
import { defaultIdentity, ShardElection, type LeaderElector, type ReplicaStanding } from '../leader/index.ts';
import type { StatusStore } from '../report/index.ts';
import { describeReasons, PassTrigger, type PushEvent, type WebhookDelivery } from '../source/index.ts';
import { forwardDelivery } from './webhook-forward.ts';

export interface PassesArgs {
  readonly reconciler: Reconciler;
  readonly standing: ReplicaStanding;
  /**
   * The service looks again when a rollout's soak ends and when a gateway that waits for its
   * node sees it come back; on-demand runs (`--once`, tests, benchmarks) pass only when asked.
   */
  readonly service: boolean;
  readonly log: (line: string) => void;
  readonly client: Pick<WatchedClusterClient, 'onEdgeNodeReady' | 'onPrePullFinished'>;
  readonly store: Pick<StatusStore, 'awaitsNode'>;
}

/**
 * Passes, one at a time, while this replica leads: asked for by polls, webhooks, returning
 * nodes and callers, coalesced. While a rollout is in flight the next look comes when it is
 * due (a soak ends), not at the next poll. A gateway offline through changes catches up as
 * soon as its node is Ready again, without waiting for a poll (StatusStore.awaitsNode says
 * which nodes are waited for), and a gateway held while its node pre-pulls moves on as soon as
 * the pull ends.
 */
export class Passes {
  readonly trigger: PassTrigger<PassSummary | undefined>;
  private recheck: NodeJS.Timeout | undefined;
  private readonly unsubscribe: readonly (() => void)[];

  constructor({ reconciler, standing, service, log, client, store }: PassesArgs) {
    this.trigger = new PassTrigger<PassSummary | undefined>(async ({ reasons }) => {
      if (!standing.leading) return undefined;
      standing.startPass();
      log(`pass asked for by ${describeReasons(reasons)}`);
      const summary = await reconciler.runPass();
      clearTimeout(this.recheck);
      if (summary.recheckAfterSeconds !== undefined && service) {
        this.recheck = setTimeout(() => void this.trigger.request({ source: 'poll', detail: 'rollout recheck' }), summary.recheckAfterSeconds * 1000);
        this.recheck.unref();
      }
      return summary;
    });
    this.unsubscribe = service
      ? [
        client.onEdgeNodeReady((node) => {
          if (standing.leading && store.awaitsNode(node)) void this.trigger.request({ source: 'node', detail: `edge node ${node} Ready again` });
        }),
        client.onPrePullFinished(({ job, nodes }) => {
          if (standing.leading) void this.trigger.request({ source: 'pre-pull', detail: `${job} finished on ${nodes.join(', ')}` });
        }),
      ]
      : [];
  }

  stop(): void {
    clearTimeout(this.recheck);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }
}

/** What campaigns for this replica: the fleet's Lease, or (sharded) its shards' Leases. */
export type Elector = LeaderElector | ShardElection;

/**
 * The leader passes on a push; a standby sends it on to the leader (webhook-forward.ts).
 * Sharded, every replica applies its own shards: the one GitHub reached passes and sends the
 * push on to every other live replica.
 */
export function pushHandler({ standing, trigger, elector, log }: {
  standing: ReplicaStanding; trigger: PassTrigger<PassSummary | undefined>; elector: () => Elector | undefined; log: (line: string) => void;
}): (push: PushEvent, delivery: WebhookDelivery) => void {
  const forward = (delivery: WebhookDelivery, push: PushEvent, to: string | undefined, identity: string, whom: string): void => {
    void forwardDelivery({ delivery, leaderUrl: to, identity }).then((outcome) => {
      log(outcome.kind === 'forwarded' ? `push ${push.after.slice(0, 12)} forwarded to ${whom} at ${outcome.to}` : `push ${push.after.slice(0, 12)} not forwarded: ${outcome.reason}`);
    });
  };
  return (push, delivery) => {
    const self = elector();
    if (standing.leading) void trigger.request({ source: 'webhook', detail: push.after });
    if (self instanceof ShardElection) {
      if (delivery.forwardedBy === undefined) for (const url of self.peerUrls()) forward(delivery, push, url, self.identity, 'replica');
      return;
    }
    if (!standing.leading) forward(delivery, push, self?.leaderUrl, self?.identity ?? defaultIdentity(), 'the leader');
  };
}
