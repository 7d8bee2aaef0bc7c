import { describe, expect, it } from 'vitest';
import { OTHER_GATEWAY, scopeSnapshot, viewerOf, type FleetAccess, type Viewer } from '../../../src/report/access.ts';
import { StatusStore, type GatewayReport } from '../../../src/report/index.ts';

const ACCESS: FleetAccess = {
  operators: ['soc-lead', 'example-soc/fleet-operators'],
  customers: new Map([['acme', ['acme-secops-lead', 'acme-bank/secops']], ['globex', ['globex-ciso', 'acme-secops-lead']]]),
};

const members = new Map([['acme-bank/secops', ['acme-analyst']], ['example-soc/fleet-operators', ['soc-operator']]]);
const isTeamMember = async (team: string, login: string) => members.get(team)?.includes(login) ?? false;

function report(gateway: string, customer: string, phase: GatewayReport['phase']): GatewayReport {
  return {
    gateway, customer, phase, reason: phase, message: `${gateway} is ${phase}`,
    node: { name: gateway, ready: phase === 'Offline' ? 'Unknown' : 'True', pressure: { memory: false, disk: false, pid: false } },
    services: [{ name: 'ids', desiredVersion: '1.0.0', runningVersion: '1.0.0', ready: phase === 'Ready', restarts: 0 }],
  };
}

const ACME: Viewer = { login: 'acme-analyst', role: 'customer', customers: ['acme'] };

describe('who may see what', () => {
  it('an operator by login or team sees the fleet; an approver by login or team sees their customers; anyone else nothing', async () => {
    expect(await viewerOf({ login: 'SOC-Lead', access: ACCESS, isTeamMember })).toEqual({ login: 'SOC-Lead', role: 'operator' });
    expect(await viewerOf({ login: 'soc-operator', access: ACCESS, isTeamMember })).toEqual({ login: 'soc-operator', role: 'operator' });
    expect(await viewerOf({ login: 'acme-analyst', access: ACCESS, isTeamMember })).toEqual(ACME);
    expect(await viewerOf({ login: 'acme-secops-lead', access: ACCESS, isTeamMember })).toEqual({ login: 'acme-secops-lead', role: 'customer', customers: ['acme', 'globex'] });
    expect(await viewerOf({ login: 'globex-ciso', access: ACCESS, isTeamMember })).toEqual({ login: 'globex-ciso', role: 'customer', customers: ['globex'] });
    expect(await viewerOf({ login: 'mallory', access: ACCESS, isTeamMember })).toBeUndefined();
    // Without a way to ask GitHub, a team grants nothing.
    expect(await viewerOf({ login: 'acme-analyst', access: ACCESS })).toBeUndefined();
  });

  it("a customer's view holds its gateways, counts over them, rollouts cut to them, its own bad-commit problems, and no other gateway's name", () => {
    const store = new StatusStore();
    store.reportGateway(report('acme-01', 'acme', 'Ready'));
    store.reportGateway({ ...report('acme-02', 'acme', 'Progressing'), rollout: { id: 'r'.repeat(40), state: 'halted', message: 'rollout halted because globex-01 failed' } });
    store.reportGateway(report('globex-01', 'globex', 'Failed'));
    store.reportGateway(report('globex-02', 'globex', 'Offline'));
    store.setUnmanagedNodes([{ name: 'edge-unknown', ready: 'True' }]);
    store.revisionBad({
      revision: 'b'.repeat(40),
      problems: [
        { code: 'SCHEMA', message: 'bad', file: 'gateways/acme/acme-01.yaml', line: 3, col: 1 },
        { code: 'SCHEMA', message: 'bad', file: 'gateways/globex/globex-01.yaml', line: 4, col: 1 },
        { code: 'SCHEMA', message: 'bad', file: 'customers/acme.yaml', line: 5, col: 1 },
        { code: 'RENDER_FAILED', message: 'no render', gateway: 'globex-02' },
      ],
    });
    store.setRollouts([
      {
        id: 'r'.repeat(40), complete: false,
        waves: [{ wave: 0, gateways: [{ gateway: 'globex-01', status: 'failed' }] }, { wave: 1, gateways: [{ gateway: 'acme-01', status: 'done' }, { gateway: 'globex-02', status: 'updating' }] }],
        pending: ['acme-02'], deferred: [{ gateway: 'globex-02', reason: 'offline' }],
        halted: { by: 'globex-01', reason: 'ids on globex-01 is CrashLoopBackOff' },
        services: [{ service: 'ids', from: ['1.0.0'], to: '1.1.0', gateways: 4 }],
      },
      { id: 's'.repeat(40), complete: false, waves: [{ wave: 0, gateways: [{ gateway: 'globex-02', status: 'updating' }] }], pending: [] },
    ]);

    const view = scopeSnapshot(store.snapshot(), ACME);
    expect(view.gateways.map((g) => g.gateway)).toEqual(['acme-01', 'acme-02']);
    expect(view.fleet.phases).toMatchObject({ Ready: 1, Progressing: 1, Failed: 0, Offline: 0 });
    expect(view.fleet.unmanagedNodes).toBeUndefined();
    expect(view.fleet.badCommit?.problems.map((p) => p.file)).toEqual(['gateways/acme/acme-01.yaml', 'customers/acme.yaml']);
    expect(view.rollouts).toEqual([{
      id: 'r'.repeat(40), complete: false,
      waves: [{ wave: 1, gateways: [{ gateway: 'acme-01', status: 'done' }] }],
      pending: ['acme-02'],
      halted: { by: OTHER_GATEWAY, reason: 'a gateway of another customer failed in this rollout' },
    }]);
    expect(view.gateways[1]!.rollout?.message).toBe(`rollout halted because ${OTHER_GATEWAY} failed`);
    expect(JSON.stringify(view)).not.toMatch(/globex-0[12]|edge-unknown/);

    // The list view is cut the same way; an operator's is the fleet's.
    expect(scopeSnapshot(store.summary(), ACME).gateways.map((g) => g.gateway)).toEqual(['acme-01', 'acme-02']);
    expect(scopeSnapshot(store.snapshot(), { login: 'soc-lead', role: 'operator' })).toEqual(store.snapshot());
  });
});
