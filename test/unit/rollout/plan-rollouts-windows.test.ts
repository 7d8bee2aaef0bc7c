// The rollout and maintenance windows: outside its customer's windows no change starts on a
// running gateway (it is deferred, with the next opening); what started goes on; a wave of
// only such gateways waits; brand-new gateways install at once; removals wait; emergencies
// bypass windows only when the fleet says so.
import { describe, expect, it } from 'vitest';
import {
  planRollouts, type GatewayRolloutInput, type GatewayRolloutState, type GatewayVerdict, type RolloutSettings, type WindowOpening, type WindowState,
} from '../../../src/rollout/index.ts';

const settings: RolloutSettings = { canarySelector: { tier: 'canary' }, maxUnavailable: 2, soakSeconds: 60, autoRollback: true, emergencyBypassesWindows: true };
const NOW = '2026-12-01T12:00:00.000Z';
const NEXT: WindowOpening = { at: '2026-12-04T18:00:00.000Z', local: '2026-12-05T02:00:00+08:00', timezone: 'Asia/Shanghai' };
const CLOSED: WindowState = { open: false, nextOpen: NEXT };
const OPEN: WindowState = { open: true, closesAt: '2026-12-01T14:00:00.000Z' };
const on = (revision: string): GatewayRolloutState => ({ revision, renderHash: `${revision}-render`, healthy: { revision, renderHash: `${revision}-render` } });
const ready: GatewayVerdict = { status: 'ready' };

function input(gateway: string, window: WindowState | undefined, extra: Partial<GatewayRolloutInput> = {}): GatewayRolloutInput {
  return {
    gateway, labels: gateway.includes('canary') ? { tier: 'canary' } : {}, state: on('r1'),
    target: { revision: 'r2', renderHash: 'r2-render', emergency: false }, verdict: ready,
    ...(window ? { window } : {}), ...extra,
  };
}

describe('planRollouts with maintenance windows', () => {
  it('starts nothing on a running gateway whose windows are closed: it is deferred with the next opening', () => {
    const plan = planRollouts({ gateways: [input('acme-canary', CLOSED), input('acme-01', CLOSED)], settings, now: NOW });
    for (const gateway of ['acme-canary', 'acme-01']) {
      expect(plan.decisions.get(gateway)).toEqual({ action: 'hold', gateway, revision: 'r1', hold: { reason: 'outside-window', rollout: 'r2', nextOpen: NEXT } });
      expect(plan.states.get(gateway)).toEqual(on('r1'));
    }
    expect(plan.rollouts).toEqual([{
      id: 'r2', waves: [], pending: ['acme-01', 'acme-canary'], complete: false,
      deferred: [{ gateway: 'acme-01', reason: 'outside-window', nextOpen: NEXT }, { gateway: 'acme-canary', reason: 'outside-window', nextOpen: NEXT }],
    }]);
    // The next look is when the window opens, within the bound a timer can wait.
    expect(plan.recheckAfterSeconds).toBe(6 * 3600);
  });

  it('looks again when the window opens, when that is soon', () => {
    const soon: WindowState = { open: false, nextOpen: { ...NEXT, at: '2026-12-01T12:10:00.000Z' } };
    expect(planRollouts({ gateways: [input('acme-01', soon)], settings, now: NOW }).recheckAfterSeconds).toBe(600);
  });

  it('takes a customer without windows (or an open window) at once', () => {
    const plan = planRollouts({ gateways: [input('a-canary', undefined), input('b-canary', OPEN)], settings, now: NOW });
    expect(plan.decisions.get('a-canary')).toMatchObject({ action: 'advance', why: 'wave', wave: 0 });
    expect(plan.decisions.get('b-canary')).toMatchObject({ action: 'advance', why: 'wave', wave: 0 });
  });

  it('passes over a canary outside its window: a gateway that can take the change tries it first', () => {
    const plan = planRollouts({ gateways: [input('acme-canary', CLOSED), input('globex-01', OPEN), input('globex-02', OPEN)], settings, now: NOW });
    expect(plan.decisions.get('globex-01')).toMatchObject({ action: 'advance', why: 'wave', wave: 0 });
    expect(plan.decisions.get('globex-02')).toMatchObject({ action: 'hold', hold: { reason: 'waiting-for-wave', wave: 1 } });
    expect(plan.decisions.get('acme-canary')).toMatchObject({ action: 'hold', hold: { reason: 'outside-window', nextOpen: NEXT } });
  });

  it('lets an update that started finish after the window closed: the wave member soaks and is done', () => {
    const started: GatewayRolloutState = { ...on('r1'), revision: 'r2', renderHash: 'r2-render', rollout: { id: 'r2', wave: 0, startedAt: '2026-12-01T11:00:00.000Z', readySince: '2026-12-01T11:58:00.000Z' } };
    const plan = planRollouts({ gateways: [input('acme-canary', CLOSED, { state: started })], settings, now: NOW });
    expect(plan.decisions.get('acme-canary')).toEqual({ action: 'advance', gateway: 'acme-canary', revision: 'r2', why: 'wave', wave: 0 });
    expect(plan.states.get('acme-canary')?.rollout).toMatchObject({ soaked: true });
    expect(plan.rollouts[0]).toMatchObject({ complete: true, waves: [{ wave: 0, gateways: [{ gateway: 'acme-canary', status: 'done' }] }] });
  });

  it('rolls a gateway that failed back outside its window: the rollback finishes what started', () => {
    const started: GatewayRolloutState = { ...on('r1'), revision: 'r2', renderHash: 'r2-render', rollout: { id: 'r2', wave: 0, startedAt: '2026-12-01T11:00:00.000Z' } };
    const plan = planRollouts({ gateways: [input('acme-canary', CLOSED, { state: started, verdict: { status: 'failed', reason: 'ids crash-looped' } })], settings, now: NOW });
    expect(plan.decisions.get('acme-canary')).toMatchObject({ action: 'rollback', revision: 'r1' });
  });

  it('waits while the only gateways left are outside their window, and goes on when it opens', () => {
    const soaked: GatewayRolloutState = { ...on('r1'), revision: 'r2', renderHash: 'r2-render', rollout: { id: 'r2', wave: 0, startedAt: '2026-12-01T10:00:00.000Z', readySince: '2026-12-01T10:01:00.000Z', soaked: true } };
    const closed = planRollouts({ gateways: [input('globex-canary', OPEN, { state: soaked }), input('acme-01', CLOSED), input('acme-02', CLOSED)], settings, now: NOW });
    expect(closed.rollouts[0]).toMatchObject({ complete: false, pending: ['acme-01', 'acme-02'] });
    expect([...closed.decisions.values()].filter((d) => d.action === 'advance' && d.gateway !== 'globex-canary')).toEqual([]);

    const opened = planRollouts({ gateways: [input('globex-canary', OPEN, { state: soaked }), input('acme-01', OPEN), input('acme-02', OPEN)], settings, now: NEXT.at });
    expect(opened.decisions.get('acme-01')).toMatchObject({ action: 'advance', why: 'wave', wave: 1 });
    expect(opened.decisions.get('acme-02')).toMatchObject({ action: 'advance', why: 'wave', wave: 1 });
  });

  it('says a halted rollout is halted, not outside a window', () => {
    const failed: GatewayRolloutState = { ...on('r1'), failed: { rollout: 'r2', revision: 'r2', renderHash: 'r2-render', reason: 'ids crash-looped', at: NOW, rolledBackTo: 'r1' } };
    const plan = planRollouts({ gateways: [input('acme-canary', OPEN, { state: failed }), input('acme-01', CLOSED)], settings, now: NOW });
    expect(plan.decisions.get('acme-01')).toMatchObject({ action: 'hold', hold: { reason: 'halted', by: 'acme-canary' } });
  });

  const moves: { name: string; input: Partial<GatewayRolloutInput>; settings?: Partial<RolloutSettings>; want: Record<string, unknown> }[] = [
    { name: 'a brand-new gateway installs at once', input: { state: undefined }, want: { action: 'advance', why: 'install' } },
    { name: 'a move that changes nothing it runs goes at once', input: { target: { revision: 'r2', renderHash: 'r1-render', emergency: false } }, want: { action: 'advance', why: 'same-render' } },
    { name: 'a removal waits for the window', input: { target: { revision: 'r2', renderHash: undefined, emergency: false } }, want: { action: 'hold', hold: { reason: 'outside-window', rollout: 'r2', nextOpen: NEXT } } },
    { name: 'an emergency goes at once when emergencies bypass windows', input: { target: { revision: 'r2', renderHash: 'r2-render', emergency: true } }, want: { action: 'advance', why: 'emergency' } },
    {
      name: 'an emergency waits for the window when emergencies do not bypass windows', input: { target: { revision: 'r2', renderHash: 'r2-render', emergency: true } }, settings: { emergencyBypassesWindows: false },
      want: { action: 'hold', hold: { reason: 'outside-window', rollout: 'r2', nextOpen: NEXT } },
    },
  ];

  it.each(moves)('outside the window: $name', ({ input: extra, settings: changed, want }) => {
    const plan = planRollouts({ gateways: [input('acme-01', CLOSED, extra)], settings: { ...settings, ...changed }, now: NOW });
    expect(plan.decisions.get('acme-01')).toMatchObject(want);
  });

  it('inside the window: a removal and an emergency that waits for windows both go at once', () => {
    const removal = planRollouts({ gateways: [input('acme-01', OPEN, { target: { revision: 'r2', renderHash: undefined, emergency: false } })], settings, now: NOW });
    expect(removal.decisions.get('acme-01')).toMatchObject({ action: 'advance', why: 'removal' });
    const emergency = planRollouts({ gateways: [input('acme-01', OPEN, { target: { revision: 'r2', renderHash: 'r2-render', emergency: true } })], settings: { ...settings, emergencyBypassesWindows: false }, now: NOW });
    expect(emergency.decisions.get('acme-01')).toMatchObject({ action: 'advance', why: 'emergency' });
  });
});
