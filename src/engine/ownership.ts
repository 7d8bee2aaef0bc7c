// What one pass of a sharded replica writes (src/leader/shards.ts): the gateways of the shards
// it held when the pass started, and, while it holds the primary shard, what the gateways
// share (their Namespaces' updates and prunes, the pre-pull jobs) and the commit status. Every
// replica still reads and decides over the whole fleet (rollout waves count every gateway, the
// status shows every gateway): only the writes are split. Unsharded, a pass owns everything.
import type { SharedPlan } from '../diff/index.ts';
import type { GatewayTarget } from '../gate/index.ts';
import { ownsGateway, ownsShared, type GatewayShards } from '../leader/shard-of.ts';
import type { RolloutPlan } from '../rollout/index.ts';

export class PassOwnership {
  /** Writes everything: one replica, or the leader of an unsharded fleet. */
  static readonly ALL = new PassOwnership(undefined);

  constructor(readonly shards: GatewayShards | undefined) {}

  owns(gateway: string): boolean {
    return ownsGateway(this.shards, gateway);
  }

  /** Holds the primary shard: writes the shared objects and the commit status. */
  get primary(): boolean {
    return ownsShared(this.shards);
  }

  targets(targets: readonly GatewayTarget[]): readonly GatewayTarget[] {
    return this.shards ? targets.filter((t) => this.owns(t.gateway)) : targets;
  }

  /** The rollout's decisions and states of the owned gateways: the states this pass records. */
  rollout(plan: RolloutPlan): RolloutPlan {
    if (!this.shards) return plan;
    const mine = <T>(map: ReadonlyMap<string, T>) => new Map([...map].filter(([gateway]) => this.owns(gateway)));
    return { ...plan, decisions: mine(plan.decisions), states: mine(plan.states) };
  }

  /**
   * The shared plan this pass applies. Without the primary shard only the creates: a gateway
   * of ours needs its Namespace before its objects, whoever creates it first (the objects are
   * the same for every replica); changing and pruning them is the primary's alone.
   */
  sharedPlan(plan: SharedPlan): SharedPlan {
    return this.primary ? plan : { ...plan, updates: [], deletes: [] };
  }
}
