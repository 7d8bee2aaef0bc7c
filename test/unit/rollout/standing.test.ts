// Where a gateway stands in its rollout, as status shows it: a new gateway is installing
// (never Ready with nothing to run), a wave member carries its wave's state, a rollback
// names what failed, and a gateway that stays takes part in no rollout.
import { describe, expect, it } from 'vitest';
import { gatewayPhase, GatewayPhase } from '../../../src/health/index.ts';
import { standingOf, type RolloutSummary } from '../../../src/rollout/index.ts';

const REV = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const none = new Map<string, RolloutSummary>();

describe('a gateway\'s standing in its rollout', () => {
  it('is installing on the pass that first applies it, and its phase is Progressing, not Ready with 0 services', () => {
    const standing = standingOf({ action: 'advance', gateway: 'acme-sh-01', revision: REV, why: 'install' }, none);
    expect(standing).toEqual({ id: REV, state: 'updating', message: `installing ${REV.slice(0, 12)}` });
    const phase = gatewayPhase({ health: { gateway: 'acme-sh-01', phase: GatewayPhase.Ready, services: [] }, rollout: standing! });
    expect(phase).toMatchObject({ phase: GatewayPhase.Progressing, reason: 'RolloutInProgress' });
  });

  it('is none for a gateway that stays or moves without a rollout', () => {
    expect(standingOf({ action: 'stay', gateway: 'g', revision: REV }, none)).toBeUndefined();
    expect(standingOf({ action: 'advance', gateway: 'g', revision: REV, why: 'same-render' }, none)).toBeUndefined();
  });

  it('carries its wave and the state its wave records for it', () => {
    const rollouts = new Map<string, RolloutSummary>([[REV, { waves: [{ wave: 1, gateways: [{ gateway: 'g', status: 'soaking' }] }] } as unknown as RolloutSummary]]);
    expect(standingOf({ action: 'advance', gateway: 'g', revision: REV, why: 'wave', wave: 1 }, rollouts)).toEqual({
      id: REV, state: 'soaking', wave: 1, message: `soaking in wave 1 of rollout ${REV.slice(0, 12)}`,
    });
    expect(standingOf({ action: 'advance', gateway: 'g', revision: REV, why: 'wave', wave: 2 }, rollouts)).toMatchObject({ state: 'updating', wave: 2 });
  });

  it('names the failure and the revision it went back to on a rollback', () => {
    const failure = { rollout: REV, revision: REV, renderHash: 'h', reason: 'ids CrashLoopBackOff', at: '2026-12-01T00:00:00Z' };
    expect(standingOf({ action: 'rollback', gateway: 'g', revision: OLD, failure }, none)).toEqual({
      id: REV, state: 'rolled-back', message: `ids CrashLoopBackOff on g; back on ${OLD.slice(0, 12)}`,
    });
  });
});
