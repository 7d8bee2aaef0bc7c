// The order in which a pass records rollout states: what happened (a wave soaked) before what
// starts (the next wave), so a reconciler killed between two writes never leaves a wave
// recorded as started while the one before it is not recorded as passed.
import { describe, expect, it } from 'vitest';
import { changedStates, persistStates, revisionOnlyMoves } from '../../../src/engine/rollout-step.ts';
import { InventoryError } from '../../../src/apply/index.ts';
import type { Inventory } from '../../../src/diff/index.ts';
import { planRollouts, serializeRolloutState, type GatewayRolloutInput, type GatewayRolloutState, type RolloutPlan } from '../../../src/rollout/index.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const GATEWAYS = ['gw-01', 'gw-02', 'gw-03', 'gw-04', 'gw-05'];

/** gw-01, the canary, has been Ready on r2 for longer than the soak; the others are on r1. */
function soakedCanaryPass(): { plan: RolloutPlan; before: Map<string, Inventory> } {
  const onR1: GatewayRolloutState = { revision: 'r1', renderHash: 'h1', healthy: { revision: 'r1', renderHash: 'h1' } };
  const canary: GatewayRolloutState = { revision: 'r2', renderHash: 'h2', healthy: { revision: 'r1', renderHash: 'h1' }, rollout: { id: 'r2', wave: 0, startedAt: at(0), readySince: at(10) } };
  const states = new Map(GATEWAYS.map((g) => [g, g === 'gw-01' ? canary : onR1]));
  const inputs: GatewayRolloutInput[] = GATEWAYS.map((gateway) => ({
    gateway, labels: gateway === 'gw-01' ? { tier: 'canary' } : ({} as Record<string, string>), state: states.get(gateway),
    target: { revision: 'r2', renderHash: 'h2', emergency: false }, verdict: { status: 'ready' },
  }));
  const plan = planRollouts({ gateways: inputs, settings: { canarySelector: { tier: 'canary' }, maxUnavailable: 2, soakSeconds: 30, autoRollback: true, emergencyBypassesWindows: true }, now: at(60) });
  const before = new Map(GATEWAYS.map((g) => [g, { gateway: g, revision: states.get(g)!.revision, renderHash: states.get(g)!.renderHash, objects: [], rolloutState: serializeRolloutState(states.get(g)!) }]));
  return { plan, before };
}

/** Records the order in which writes complete; the canary's write is the slowest; a write of a gateway in `failing` is refused. */
function recordingClient(failing: ReadonlySet<string> = new Set(), status: number | null = 409) {
  const written: string[] = [];
  return {
    written,
    writeRolloutState: async (gateway: string) => {
      for (let i = 0; i < (gateway === 'gw-01' ? 5 : 1); i++) await new Promise((resolve) => setImmediate(resolve));
      if (failing.has(gateway)) throw new InventoryError({ gateway, operation: 'write', ...(status !== null ? { status } : {}), detail: status !== null ? `HTTP ${status}` : 'no answer within 30000 ms' });
      written.push(gateway);
    },
  };
}

describe('persisting rollout states', () => {
  it('records the canary wave as soaked before any gateway of the next wave is recorded as started', async () => {
    const { plan, before } = soakedCanaryPass();
    expect(plan.states.get('gw-01')?.rollout?.soaked).toBe(true);
    const starting = [...plan.states].filter(([g, s]) => g !== 'gw-01' && s.revision === 'r2').map(([g]) => g);
    expect(starting).toHaveLength(2);

    const client = recordingClient();
    expect(await persistStates({ client, before, plan, concurrency: 16 })).toEqual(new Map());

    expect(client.written[0]).toBe('gw-01');
    expect(client.written.slice(1).sort()).toEqual(starting.sort());
  });

  it('starts nothing when the record of what happened could not be written, and names every gateway it held', async () => {
    const { plan, before } = soakedCanaryPass();
    const starting = [...plan.states].filter(([g, s]) => g !== 'gw-01' && s.revision === 'r2').map(([g]) => g);
    const client = recordingClient(new Set(['gw-01']));

    const unsaved = await persistStates({ client, before, plan });

    expect(client.written).toEqual([]);
    expect([...unsaved.keys()].sort()).toEqual(['gw-01', ...starting].sort());
    // Each says why: the failed write's own error, or that it was held behind it.
    const why = 'writing the inventory of gateway gw-01 failed: HTTP 409';
    expect(unsaved.get('gw-01')).toEqual({ message: why, unanswered: false });
    for (const gateway of starting) expect(unsaved.get(gateway)).toEqual({ message: `held: the rollout state of gw-01 could not be recorded first (${why})`, unanswered: false });
  });

  it('says when a write got no answer at all: the API server is out of reach', async () => {
    const { plan, before } = soakedCanaryPass();
    const unsaved = await persistStates({ client: recordingClient(new Set(['gw-01']), null), before, plan });
    expect(unsaved.get('gw-01')).toEqual({ message: 'writing the inventory of gateway gw-01 failed: no answer within 30000 ms', unanswered: true });
  });

  it('writes nothing for states the pass did not change', async () => {
    const { plan } = soakedCanaryPass();
    const before = new Map([...plan.states].map(([g, s]) => [g, { gateway: g, revision: s.revision, renderHash: s.renderHash, objects: [], rolloutState: serializeRolloutState(s) }]));
    const client = recordingClient();
    expect(await persistStates({ client, before, plan })).toEqual(new Map());
    expect(client.written).toEqual([]);
  });

  it('stops sending once a write got no answer, and fails the rest with that write\'s error', async () => {
    const states = new Map(Array.from({ length: 40 }, (_, i): [string, GatewayRolloutState] => [`gw-${i}`, { revision: 'r2', renderHash: 'h2' }]));
    const plan = { states } as unknown as RolloutPlan;
    let sent = 0;
    const client = {
      writeRolloutState: async (gateway: string) => {
        sent++;
        await new Promise((resolve) => setImmediate(resolve));
        throw new InventoryError({ gateway, operation: 'write', detail: 'no answer within 30000 ms' });
      },
    };
    const unsaved = await persistStates({ client, before: new Map(), plan, concurrency: 4 });
    // The first four were under way together; none after them was sent.
    expect(sent).toBe(4);
    expect(unsaved.size).toBe(40);
    expect([...unsaved.values()].every((u) => u.unanswered)).toBe(true);
  });
});

describe('states that move only the revision', () => {
  const stored = (state: GatewayRolloutState): Inventory => ({ gateway: 'x', revision: state.revision, renderHash: state.renderHash, objects: [], rolloutState: serializeRolloutState(state) });
  const settled: GatewayRolloutState = { revision: 'r1', renderHash: 'h1', healthy: { revision: 'r1', renderHash: 'h1' } };

  it('are those of gateways with nothing to apply whose state differs in its revision alone', () => {
    const onNewRender: GatewayRolloutState = { revision: 'r1', renderHash: 'h1', healthy: { revision: 'r0', renderHash: 'h0' } };
    const before = new Map([['same', stored(settled)], ['ready', stored(settled)], ['rollback-target', stored(onNewRender)], ['busy', stored(settled)], ['new-render', stored(settled)], ['stays', stored(settled)], ['fresh', { gateway: 'fresh', revision: '', renderHash: '', objects: [] }]]);
    const states = new Map<string, GatewayRolloutState>([
      // The key order the planner builds need not be the stored one.
      ['same', { healthy: { revision: 'r1', renderHash: 'h1' }, renderHash: 'h1', revision: 'r2' }],
      // Ready on the same render: healthy on the new revision too.
      ['ready', { revision: 'r2', renderHash: 'h1', healthy: { revision: 'r2', renderHash: 'h1' } }],
      // Ready for the first time on its render: where a rollback goes changes, a record that counts.
      ['rollback-target', { revision: 'r2', renderHash: 'h1', healthy: { revision: 'r2', renderHash: 'h1' } }],
      ['busy', { ...settled, revision: 'r2' }],
      ['new-render', { ...settled, revision: 'r2', renderHash: 'h2' }],
      ['stays', settled],
      ['fresh', { revision: 'r2', renderHash: 'h1' }],
    ]);
    const plan = { states } as unknown as RolloutPlan;
    expect(revisionOnlyMoves({ before, plan, idle: new Set(['same', 'ready', 'rollback-target', 'new-render', 'stays', 'fresh']) })).toEqual(new Set(['same', 'ready']));
  });

  it('are written apart: `except` leaves them out of the pass, and they are the records handed on for after it', async () => {
    const before = new Map([['a', stored(settled)], ['b', stored(settled)]]);
    const plan = { states: new Map<string, GatewayRolloutState>([['a', { ...settled, revision: 'r2' }], ['b', { ...settled, revision: 'r2' }]]) } as unknown as RolloutPlan;
    const first = recordingClient();
    await persistStates({ client: first, before, plan, except: new Set(['b']) });
    expect(first.written).toEqual(['a']);
    expect(changedStates({ before, plan, only: new Set(['b']) })).toEqual([['b', serializeRolloutState({ ...settled, revision: 'r2' })]]);
  });
});
