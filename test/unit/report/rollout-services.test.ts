import { describe, expect, it } from 'vitest';
import { rolloutServices, type ServicesAt } from '../../../src/report/rollout-services.ts';
import type { GatewayRolloutState, RolloutSummary } from '../../../src/rollout/types.ts';

const OLD = 'a'.repeat(40);
const OLDER = 'b'.repeat(40);
const NEW = 'c'.repeat(40);
const at: Record<string, Record<string, string>> = {
  [OLDER]: { ids: '1.0.0', firewall: '3.0.0', 'asset-discovery': '1.0.0' },
  [OLD]: { ids: '1.0.0', firewall: '3.0.0', 'asset-discovery': '1.0.0' },
  [NEW]: { ids: '1.1.0', firewall: '3.0.0', 'log-collector': '2.4.0' },
};
const servicesAt: ServicesAt = async (revision) => (at[revision] ? new Map(Object.entries(at[revision]!)) : undefined);

const rollout: RolloutSummary = {
  id: NEW,
  waves: [{ wave: 0, gateways: [{ gateway: 'gw-1', status: 'done' }] }, { wave: 1, gateways: [{ gateway: 'gw-2', status: 'updating' }] }],
  pending: ['gw-3'],
  complete: false,
};
const state = (revision: string, from?: string): GatewayRolloutState => ({ revision, renderHash: 'h', ...(from ? { rollout: { id: NEW, wave: 0, startedAt: '2026-12-01T00:00:00Z', from } } : {}) });

describe('the services a rollout changes', () => {
  it('are the difference between where each gateway came from, or still is, and the rollout\'s revision', async () => {
    const states = new Map([['gw-1', state(NEW, OLD)], ['gw-2', state(NEW, OLDER)], ['gw-3', state(OLD)]]);
    expect(await rolloutServices({ rollout, states, servicesAt })).toEqual([
      { service: 'asset-discovery', from: ['1.0.0'], gateways: 3 },
      { service: 'ids', from: ['1.0.0'], to: '1.1.0', gateways: 3 },
      { service: 'log-collector', from: [], to: '2.4.0', gateways: 3 },
    ]);
  });

  it('are not known when no gateway says where it came from (states kept before the rollout recorded it)', async () => {
    const states = new Map([['gw-1', state(NEW)], ['gw-2', state(NEW)]]);
    expect(await rolloutServices({ rollout: { ...rollout, pending: [] }, states, servicesAt })).toBeUndefined();
  });
});
