// The dashboard's view by service and its search, on a fleet in the middle of a rollout:
// each service's running versions counted over the gateways, the rollout's gateways done of
// all, and the chips a search or the Offline filter leaves.
import { describe, expect, it } from 'vitest';
import type { GatewayStatus, StatusSnapshot } from '../../../src/report/status-model.ts';
import { drawDashboard, type FakeElement } from './fake-dashboard.ts';

const ROLLOUT = 'b'.repeat(40);

function gateway(name: string, phase: GatewayStatus['phase'], collector: { running: string; ready: boolean }): GatewayStatus {
  return {
    gateway: name, customer: name.split('-')[0]!, phase, reason: phase, message: phase, lastTransition: '2026-12-02T09:00:00Z', history: [],
    node: { name, ready: phase === 'Offline' ? 'Unknown' : 'True', pressure: { memory: false, disk: false, pid: false } },
    rollout: { id: ROLLOUT, state: 'updating', message: '' },
    services: [
      { name: 'firewall', desiredVersion: '3.0.0', runningVersion: '3.0.0', ready: true, restarts: 0 },
      { name: 'log-collector', desiredVersion: '2.4.0', runningVersion: collector.running, ready: collector.ready, restarts: 0 },
    ],
  };
}

const status: StatusSnapshot = {
  fleet: { passes: 3, source: { ok: true }, phases: { Ready: 2, Progressing: 1, Degraded: 0, Offline: 1, Unregistered: 0, AwaitingApproval: 0, OutsideWindow: 0, RolledBack: 0, Failed: 0 } },
  rollouts: [{ id: ROLLOUT, complete: false, pending: ['globex-01'], waves: [{ wave: 0, gateways: [{ gateway: 'acme-01', status: 'done' }] }, { wave: 1, gateways: [{ gateway: 'acme-02', status: 'updating' }, { gateway: 'acme-03', status: 'updating' }] }] }],
  gateways: [
    gateway('acme-01', 'Ready', { running: '2.4.0', ready: true }),
    gateway('acme-02', 'Progressing', { running: '2.4.0', ready: false }),
    gateway('acme-03', 'Ready', { running: '2.3.0', ready: true }),
    gateway('globex-01', 'Offline', { running: '2.3.0', ready: true }),
  ],
};

const cells = (row: FakeElement | undefined) => row?.children.map((c) => (typeof c === 'string' ? c : c.textContent));
const chips = (page: Map<string, FakeElement>) => page.get('customers')!.all().filter((e) => e.tag === 'button').map((e) => e.textContent);

describe('the dashboard by service', () => {
  it('counts each service\'s running versions, its gateways not ready, and the rollout\'s gateways done of all', async () => {
    const { page } = await drawDashboard({ status });
    page.get('controls')!.all().find((e) => e.attributes['id'] === 'view-services')!.listeners.click!();
    const rows = page.get('services')!.all().filter((e) => e.tag === 'tr' && e.attributes['data-service']);
    expect(rows.map(cells)).toEqual([
      ['firewall', '3.0.0 on 4', '4', '0', '4 of 4', 'bbbbbbbb: 1 of 4 done'],
      ['log-collector', '2.4.0 on 2, 2.3.0 on 2', '4', '1', '2 of 4', 'bbbbbbbb: 1 of 4 done'],
    ]);
    expect(page.get('customers')!.hidden).toBe(true);
  });

  it('lists the gateways running a service, with their versions, when its button is pressed', async () => {
    const { page } = await drawDashboard({ status });
    page.get('controls')!.all().find((e) => e.attributes['id'] === 'view-services')!.listeners.click!();
    page.get('services')!.all().find((e) => e.attributes['aria-label'] === 'show the gateways running log-collector')!.listeners.click!();
    const listed = page.get('services')!.all().find((e) => e.attributes['id'] === 'service-gateways')!;
    expect(listed.children.map((c) => (typeof c === 'string' ? c : [c.textContent, c.className]))).toEqual([
      ['acme-01 2.4.0', 'tile Ready'], ['acme-02 2.4.0', 'tile Degraded'], ['acme-03 2.3.0', 'tile Ready'], ['globex-01 2.3.0', 'tile Offline'],
    ]);
  });
});

describe('the dashboard by service, with rollouts that say what they change', () => {
  const attributed: StatusSnapshot = {
    ...status,
    rollouts: [{ ...status.rollouts[0]!, services: [{ service: 'log-collector', from: ['2.3.0'], to: '2.4.0', gateways: 4 }, { service: 'ids', from: [], to: '1.1.0', gateways: 4 }] }],
  };

  it('attributes a rollout to the services it changes only, and gives a service it installs a row of its own', async () => {
    const { page } = await drawDashboard({ status: attributed });
    page.get('controls')!.all().find((e) => e.attributes['id'] === 'view-services')!.listeners.click!();
    const rows = page.get('services')!.all().filter((e) => e.tag === 'tr' && e.attributes['data-service']);
    expect(rows.map(cells)).toEqual([
      ['firewall', '3.0.0 on 4', '4', '0', '4 of 4', '—'],
      ['ids', '', '0', '0', '0 of 0', 'bbbbbbbb: 1 of 4 done installs 1.1.0'],
      ['log-collector', '2.4.0 on 2, 2.3.0 on 2', '4', '1', '2 of 4', 'bbbbbbbb: 1 of 4 done 2.3.0 → 2.4.0'],
    ]);
  });
});

describe('gateways not joined and nodes no gateway declares', () => {
  it('counts the gateways whose node has not joined, and names the edge nodes no gateway declares', async () => {
    const waiting: StatusSnapshot = {
      ...status,
      fleet: { ...status.fleet, phases: { ...status.fleet.phases, Unregistered: 1 }, unmanagedNodes: [{ name: 'edge-spare', ready: 'True' }] },
      gateways: [...status.gateways, { ...gateway('globex-02', 'Unregistered', { running: '', ready: false }), reason: 'NodeNotRegistered', message: 'edge node globex-02 is not registered: join the gateway with `keadm join --edgenode-name=globex-02`' }],
    };
    const { page } = await drawDashboard({ status: waiting });
    const figure = page.get('glance')!.children.find((c) => (c as FakeElement).attributes['data-figure'] === 'unregistered') as FakeElement;
    expect([figure.textContent, figure.className]).toEqual(['not joined 1', 'figure bad']);
    expect(page.get('fleet')!.all().find((e) => e.attributes['id'] === 'unmanaged')!.textContent).toBe('1 edge node(s) no gateway declares: edge-spare');
    const chip = page.get('customers')!.all().find((e) => e.attributes['data-gateway'] === 'globex-02')!;
    expect(chip.className).toContain('Unregistered');
  });
});

describe('the dashboard\'s figures, search and filters', () => {
  it('shows the fleet at a glance from the snapshot', async () => {
    const { page } = await drawDashboard({ status });
    const figures = Object.fromEntries(page.get('glance')!.children.map((c) => [(c as FakeElement).attributes['data-figure'], (c as FakeElement).textContent]));
    expect(figures).toEqual({ gateways: 'gateways 4', ready: 'ready 2', rollouts: 'rollouts in progress 1', halted: 'rollouts halted 0', offline: 'offline 1', unregistered: 'not joined 0', failed: 'failed 0', degraded: 'degraded 0' });
  });

  it('keeps the chips whose gateway, customer, node or service matches the search, and those in the chosen phase', async () => {
    const { page } = await drawDashboard({ status });
    const search = page.get('controls')!.all().find((e) => e.attributes['id'] === 'search')! as FakeElement & { value: string };
    search.value = 'GLOBEX';
    search.listeners.input!();
    expect(chips(page)).toEqual(['globex-01']);
    expect(page.get('shown')!.textContent).toBe('1 of 4 gateways shown');
    search.value = 'log-collector';
    search.listeners.input!();
    expect(chips(page)).toHaveLength(4);
    search.value = '';
    search.listeners.input!();
    page.get('phases')!.all().find((e) => e.attributes['data-phase'] === 'Offline')!.listeners.click!();
    expect(chips(page)).toEqual(['globex-01']);
  });
});
