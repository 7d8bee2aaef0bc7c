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

  it('names the image a held rollout waits for, or the registry that could not be asked, and keeps the gateway Ready', () => {
    const image = `registry.soc.example/essg/ids@sha256:${'1'.repeat(64)}`;
    const missing = standingOf({ action: 'hold', gateway: 'g', revision: OLD, hold: { reason: 'image-unavailable', rollout: REV, registry: 'registry.soc.example', images: [image] } }, none);
    expect(missing).toEqual({ id: REV, state: 'halted', message: `held: ${image} is not in the registry registry.soc.example; the rollout ${REV.slice(0, 12)} goes on once it is published (essg catalog publish)` });
    expect(gatewayPhase({ health: { gateway: 'g', phase: GatewayPhase.Ready, services: [] }, rollout: missing! })).toMatchObject({ phase: GatewayPhase.Ready, reason: 'RolloutHalted' });
    const down = standingOf({ action: 'hold', gateway: 'g', revision: OLD, hold: { reason: 'image-unavailable', rollout: REV, registry: 'registry.soc.example', images: [image, image], failure: 'HTTP 503' } }, none);
    expect(down?.message).toBe(`held: the registry registry.soc.example could not be asked for ${image}, ${image} (HTTP 503); the rollout ${REV.slice(0, 12)} goes on once it answers`);
  });
});
