import { describe, expect, it } from 'vitest';
import type { SharedPlan } from '../../../src/diff/index.ts';
import { PassOwnership } from '../../../src/engine/ownership.ts';
import type { GatewayTarget } from '../../../src/gate/index.ts';
import { shardOf } from '../../../src/leader/index.ts';
import type { RolloutPlan } from '../../../src/rollout/index.ts';

const gateways = Array.from({ length: 60 }, (_, i) => `acme-gw-${String(i).padStart(2, '0')}`);
const targets = gateways.map((gateway) => ({ gateway }) as GatewayTarget);
const perGateway = <T>(value: T) => new Map(gateways.map((gateway) => [gateway, value]));
const rollout = { decisions: perGateway({ action: 'apply' }), states: perGateway({ phase: 'applied' }), rollouts: [] } as unknown as RolloutPlan;
const object = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', name });
const shared = {
  creates: [{ ref: object('acme-new') }], updates: [{ ref: object('acme') }], deletes: [object('gone')], unchanged: [],
} as unknown as SharedPlan;

describe('PassOwnership', () => {
  it('writes everything when unsharded, returning the inputs as they are', () => {
    const all = PassOwnership.ALL;
    expect(all.primary).toBe(true);
    expect(all.targets(targets)).toBe(targets);
    expect(all.rollout(rollout)).toBe(rollout);
    expect(all.sharedPlan(shared)).toBe(shared);
  });

  it('writes only the gateways of the held shards, and their rollout decisions and states', () => {
    const ownership = new PassOwnership({ count: 3, held: new Set([1]) });
    const mine = gateways.filter((gateway) => shardOf(gateway, 3) === 1);
    expect(mine.length).toBeGreaterThan(5);
    expect(ownership.targets(targets).map((t) => t.gateway)).toEqual(mine);
    const owned = ownership.rollout(rollout);
    expect([...owned.decisions.keys()]).toEqual(mine);
    expect([...owned.states.keys()]).toEqual(mine);
  });

  it('leaves changing and pruning shared objects to the primary shard, but creates what its gateways need', () => {
    const secondary = new PassOwnership({ count: 3, held: new Set([1, 2]) }).sharedPlan(shared);
    expect(secondary).toEqual({ ...shared, updates: [], deletes: [] });
    const primary = new PassOwnership({ count: 3, held: new Set([0]) });
    expect(primary.primary).toBe(true);
    expect(primary.sharedPlan(shared)).toBe(shared);
  });
});
