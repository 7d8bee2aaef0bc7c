// The rollout decision, pass by pass, with a clock the test moves: canary first, waves of
// maxUnavailable, soak, halt and roll back, offline gateways deferred, never a stall.
import { describe, expect, it } from 'vitest';
import { planRollouts, type GatewayRolloutInput, type GatewayRolloutState, type GatewayVerdict, type RolloutDecision, type RolloutSettings } from '../../../src/rollout/index.ts';

const settings: RolloutSettings = { canarySelector: { tier: 'canary' }, maxUnavailable: 3, soakSeconds: 60, autoRollback: true, emergencyBypassesWindows: true };
const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const on = (revision: string): GatewayRolloutState => ({ revision, renderHash: `${revision}-render`, healthy: { revision, renderHash: `${revision}-render` } });

/** A fleet simulation: each gateway's state, and the verdict its render gets once applied. */
class Fleet {
  states = new Map<string, GatewayRolloutState>();
  offline = new Set<string>();
  /** Renders that fail once applied. */
  failing = new Set<string>();
  /** Gateway → the pass number it was last moved at: a moved gateway is progressing for one pass. */
  movedAt = new Map<string, number>();
  pass = 0;
  log: { pass: number; gateway: string; decision: RolloutDecision }[] = [];

  constructor(readonly names: string[], readonly canaries: string[], start = 'r1') {
    for (const name of names) this.states.set(name, on(start));
  }

  verdict(gateway: string): GatewayVerdict {
    const state = this.states.get(gateway)!;
    if (this.offline.has(gateway)) return { status: 'offline' };
    if (this.movedAt.get(gateway) === this.pass - 1) return { status: 'progressing' };
    if (this.failing.has(state.renderHash)) return { status: 'failed', reason: `ids crash-looped (${state.renderHash})` };
    return { status: 'ready' };
  }

  run(target: string, seconds: number, extra: Partial<RolloutSettings> = {}) {
    const inputs: GatewayRolloutInput[] = this.names.map((gateway) => ({
      gateway,
      labels: this.canaries.includes(gateway) ? { tier: 'canary' } : ({} as Record<string, string>),
      state: this.states.get(gateway),
      target: { revision: target, renderHash: `${target}-render`, emergency: false },
      verdict: this.verdict(gateway),
    }));
    const plan = planRollouts({ gateways: inputs, settings: { ...settings, ...extra }, now: at(seconds) });
    for (const [gateway, state] of plan.states) {
      if (state.renderHash !== this.states.get(gateway)?.renderHash) this.movedAt.set(gateway, this.pass);
      this.states.set(gateway, state);
    }
    for (const [gateway, decision] of plan.decisions) this.log.push({ pass: this.pass, gateway, decision });
    this.pass++;
    return plan;
  }

  /** Gateways that were moved onto `target`'s render, in the order their waves started. */
  started(target: string): string[][] {
    const waves = new Map<number, string[]>();
    for (const [gateway, state] of this.states) if (state.rollout?.id === target) waves.set(state.rollout.wave, [...(waves.get(state.rollout.wave) ?? []), gateway]);
    return [...waves].sort(([a], [b]) => a - b).map(([, g]) => g.sort());
  }
}

const TEN = Array.from({ length: 10 }, (_, i) => `gw-${String(i + 1).padStart(2, '0')}`);

describe('planRollouts', () => {
  it('goes to the canary first, then in waves of maxUnavailable, each after the one before soaked', () => {
    const fleet = new Fleet(TEN, ['gw-07']);
    let seconds = 0;
    for (let i = 0; i < 40 && !fleet.run('r2', seconds).rollouts[0]?.complete; i++) seconds += 30;
    expect(fleet.started('r2')).toEqual([['gw-07'], ['gw-01', 'gw-02', 'gw-03'], ['gw-04', 'gw-05', 'gw-06'], ['gw-08', 'gw-09', 'gw-10']]);
    // Each wave started only once every gateway of the wave before had been Ready for 60 s.
    const startedAt = (g: string) => Date.parse(fleet.states.get(g)!.rollout!.startedAt);
    expect(startedAt('gw-01') - startedAt('gw-07')).toBeGreaterThanOrEqual(60_000);
    expect(startedAt('gw-04') - startedAt('gw-01')).toBeGreaterThanOrEqual(60_000);
    expect([...fleet.states.values()].every((s) => s.revision === 'r2' && s.healthy?.revision === 'r2')).toBe(true);
  });

  it('sizes waves by a share of the rollout’s gateways, rounded up', () => {
    const fleet = new Fleet(TEN, []);
    let seconds = 0;
    for (let i = 0; i < 40 && !fleet.run('r2', seconds, { maxUnavailable: '25%' }).rollouts[0]?.complete; i++) seconds += 30;
    expect(fleet.started('r2').map((w) => w.length)).toEqual([1, 3, 3, 3]);
  });

  it('holds the others with the wave they wait for, and says when the wave before finishes soaking', () => {
    const fleet = new Fleet(TEN, ['gw-07']);
    fleet.run('r2', 0);
    fleet.run('r2', 10);
    const plan = fleet.run('r2', 20);
    expect(plan.decisions.get('gw-07')).toMatchObject({ action: 'advance', why: 'wave', wave: 0 });
    expect(plan.decisions.get('gw-01')).toMatchObject({ action: 'hold', revision: 'r1', hold: { reason: 'waiting-for-wave', rollout: 'r2', wave: 1, soakUntil: at(80) } });
    expect(plan.recheckAfterSeconds).toBe(60);
  });

  it('halts on a failure, rolls the failed gateway back to its last healthy revision, and touches no other gateway', () => {
    const fleet = new Fleet(TEN, ['gw-07']);
    fleet.failing.add('r2-render');
    fleet.run('r2', 0);
    fleet.run('r2', 10);
    const plan = fleet.run('r2', 20);
    expect(plan.decisions.get('gw-07')).toMatchObject({ action: 'rollback', revision: 'r1', failure: { rollout: 'r2', reason: expect.stringContaining('crash-looped'), rolledBackTo: 'r1' } });
    expect(fleet.states.get('gw-07')).toMatchObject({ revision: 'r1', renderHash: 'r1-render', failed: { renderHash: 'r2-render' } });
    expect(plan.rollouts[0]).toMatchObject({ id: 'r2', halted: { by: 'gw-07' }, complete: false });
    for (let seconds = 30; seconds < 600; seconds += 30) fleet.run('r2', seconds);
    // Nothing else ever started r2, and gw-07 was not tried again on the same render.
    expect(fleet.started('r2')).toEqual([['gw-07']]);
    expect(fleet.states.get('gw-07')!.revision).toBe('r1');
    expect(fleet.log.filter((l) => l.pass > 2 && l.gateway === 'gw-01').every((l) => l.decision.action === 'hold' && l.decision.hold.reason === 'halted')).toBe(true);
    expect(fleet.log.filter((l) => l.gateway === 'gw-07' && l.pass > 2).every((l) => l.decision.action === 'hold' && l.decision.hold.reason === 'failed-render')).toBe(true);
  });

  it('resumes with a fixed version: a new revision is a new rollout, tried on the canary again', () => {
    const fleet = new Fleet(TEN, ['gw-07']);
    fleet.failing.add('r2-render');
    for (let seconds = 0; seconds <= 30; seconds += 10) fleet.run('r2', seconds);
    let seconds = 40;
    for (let i = 0; i < 40 && !fleet.run('r3', seconds).rollouts[0]?.complete; i++) seconds += 30;
    expect(fleet.started('r3')).toEqual([['gw-07'], ['gw-01', 'gw-02', 'gw-03'], ['gw-04', 'gw-05', 'gw-06'], ['gw-08', 'gw-09', 'gw-10']]);
  });

  it('with autoRollback off leaves the failed gateway as it is, still halting', () => {
    const fleet = new Fleet(TEN, ['gw-07']);
    fleet.failing.add('r2-render');
    for (let seconds = 0; seconds <= 60; seconds += 10) fleet.run('r2', seconds, { autoRollback: false });
    expect(fleet.states.get('gw-07')).toMatchObject({ revision: 'r2', failed: { rollout: 'r2' } });
    expect(fleet.log.some((l) => l.decision.action === 'rollback')).toBe(false);
    expect(fleet.started('r2')).toEqual([['gw-07']]);
  });

  it('defers an offline gateway without stalling the rest, and takes it in a later wave when it is back', () => {
    const fleet = new Fleet(TEN, ['gw-07']);
    fleet.offline.add('gw-02');
    let seconds = 0;
    for (let i = 0; i < 24; i++, seconds += 30) fleet.run('r2', seconds);
    expect(fleet.started('r2').flat()).not.toContain('gw-02');
    expect(fleet.started('r2').flat()).toHaveLength(9);
    expect(fleet.log.at(-1)).toBeDefined();
    expect(fleet.log.filter((l) => l.gateway === 'gw-02').at(-1)!.decision).toMatchObject({ action: 'hold', hold: { reason: 'deferred-offline' } });
    fleet.offline.delete('gw-02');
    for (let i = 0; i < 8; i++, seconds += 30) fleet.run('r2', seconds);
    expect(fleet.states.get('gw-02')!.revision).toBe('r2');
    expect(fleet.run('r2', seconds).rollouts[0]?.complete).toBe(true);
  });

  it('lets a canary that goes offline after it soaked count as passed, and one that never soaked hold its wave', () => {
    const fleet = new Fleet(['gw-01', 'gw-02'], ['gw-01']);
    fleet.run('r2', 0);
    fleet.offline.add('gw-01');
    for (let seconds = 10; seconds < 300; seconds += 30) fleet.run('r2', seconds);
    // The only canary went offline before it was ever Ready on r2: the wave waits, nothing else gets r2 untried.
    expect(fleet.started('r2')).toEqual([['gw-01']]);
  });

  it('picks another gateway as the canary when every canary is offline', () => {
    const fleet = new Fleet(['gw-01', 'gw-02', 'gw-03'], ['gw-03']);
    fleet.offline.add('gw-03');
    fleet.run('r2', 0);
    expect(fleet.started('r2')).toEqual([['gw-01']]);
  });

  it('installs a brand-new gateway, moves a gateway whose render does not change, and lets an emergency skip the waves', () => {
    const input = (gateway: string, extra: Partial<GatewayRolloutInput>): GatewayRolloutInput => ({ gateway, labels: {}, state: on('r1'), target: { revision: 'r2', renderHash: 'r2-render', emergency: false }, verdict: { status: 'ready' }, ...extra });
    const plan = planRollouts({
      now: at(0), settings,
      gateways: [
        input('new', { state: undefined }),
        input('same', { target: { revision: 'r2', renderHash: 'r1-render', emergency: false } }),
        input('block', { target: { revision: 'r2', renderHash: 'r2-block', emergency: true } }),
        input('removed', { target: { revision: 'r2', renderHash: undefined, emergency: false } }),
        input('held', { target: undefined }),
      ],
    });
    expect(Object.fromEntries([...plan.decisions].map(([g, d]) => [g, d.action === 'advance' ? d.why : d.action]))).toEqual({
      new: 'install', same: 'same-render', block: 'emergency', removed: 'removal', held: 'stay',
    });
    expect(plan.states.get('same')).toMatchObject({ revision: 'r2', renderHash: 'r1-render' });
    expect(plan.rollouts).toEqual([]);
  });

  it('records a Ready gateway moved on the same render as healthy on the new revision at once, so the move is one write, not two', () => {
    const input = (gateway: string, verdict: GatewayRolloutInput['verdict']): GatewayRolloutInput => ({ gateway, labels: {}, state: on('r1'), target: { revision: 'r2', renderHash: 'r1-render', emergency: false }, verdict });
    const gateways = [input('ready', { status: 'ready' }), input('progressing', { status: 'progressing' })];
    const first = planRollouts({ now: at(0), settings, gateways });
    expect(first.states.get('ready')).toMatchObject({ revision: 'r2', healthy: { revision: 'r2', renderHash: 'r1-render' } });
    // Not Ready: its last healthy revision stays where it was.
    expect(first.states.get('progressing')?.healthy?.revision).not.toBe('r2');
    // The pass after, on the states just recorded, records nothing new for the Ready one.
    const next = planRollouts({ now: at(30), settings, gateways: gateways.map((g) => ({ ...g, state: first.states.get(g.gateway) })) });
    expect(next.states.get('ready')).toEqual(first.states.get('ready'));
  });

  it('resumes where the durable state says: a restarted reconciler restarts no wave and re-applies no gateway', () => {
    const fleet = new Fleet(TEN, ['gw-07']);
    let seconds = 0;
    for (let i = 0; i < 6; i++, seconds += 30) fleet.run('r2', seconds);
    const before = fleet.started('r2');
    // A new process: only the states survive (they are all planRollouts reads).
    const restarted = new Fleet(TEN, ['gw-07']);
    restarted.states = new Map([...fleet.states].map(([g, s]) => [g, JSON.parse(JSON.stringify(s)) as GatewayRolloutState]));
    restarted.pass = 10;
    const plan = restarted.run('r2', seconds);
    const startedNow = [...plan.decisions.values()].filter((d) => d.action === 'advance' && fleet.states.get(d.gateway)?.rollout?.id !== 'r2');
    expect(restarted.started('r2').slice(0, before.length)).toEqual(before);
    expect(startedNow.length).toBeLessThanOrEqual(3);
  });
});
