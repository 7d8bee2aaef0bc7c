// The dashboard's own script against a small stand-in for the DOM: a gateway's node and
// service figures against capacity and limits, the fleet bar saying when there are none, and
// the log view showing what GET /logs answers — the lines, or an offline gateway's message.
import { describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src/report/status-model.ts';
import { drawDashboard, settle } from './fake-dashboard.ts';



const snapshot = (resourceMetrics: StatusSnapshot['fleet']['resourceMetrics'], withUsage: boolean): StatusSnapshot => ({
  fleet: { passes: 1, source: { ok: true }, phases: { Ready: 1, Progressing: 0, Degraded: 0, Offline: 0, Unregistered: 0, AwaitingApproval: 0, OutsideWindow: 0, RolledBack: 0, Failed: 0 }, ...(resourceMetrics ? { resourceMetrics } : {}) },
  rollouts: [],
  gateways: [{
    gateway: 'acme-01', customer: 'acme', phase: 'Ready', reason: 'Converged', message: 'ok', lastTransition: '2026-12-02T09:00:00Z', history: [],
    node: { name: 'acme-01', ready: 'True', pressure: { memory: false, disk: false, pid: false }, ...(withUsage ? { usage: { cpuMillicores: 400, cpuCapacityMillicores: 4000, memoryBytes: 1024 ** 3, memoryCapacityBytes: 8 * 1024 ** 3 } } : {}) },
    services: [{ name: 'ids', desiredVersion: '1.0.0', runningVersion: '1.0.0', ready: true, restarts: 0, ...(withUsage ? { usage: { cpuMillicores: 50, cpuLimitMillicores: 500, memoryBytes: 64 * 1024 ** 2, memoryLimitBytes: 256 * 1024 ** 2 } } : {}) }],
  }],
});

describe('the dashboard\'s figures and log view', () => {
  it('shows the node\'s and each service\'s use against capacity and limits', async () => {
    const { page } = await drawDashboard({ status: snapshot({ available: true }, true), hash: '#acme-01', logs: { status: 200, body: '' } });
    const detail = page.get('detail')!;
    expect(detail.all().find((e) => e.className === 'node-use')?.textContent).toBe('node use: CPU 400m/4000m (10%), memory 1024Mi/8192Mi (13%)');
    const row = detail.all().find((e) => e.tag === 'tr' && e.textContent.startsWith('ids'));
    expect(row?.textContent).toContain('50m/500m (10%)64Mi/256Mi (25%)');
  });

  it('says there are no figures, and why, instead of showing zeros', async () => {
    const { page } = await drawDashboard({ status: snapshot({ available: false, message: 'no CPU or memory figures: the cluster serves no metrics API' }, false), hash: '#acme-01', logs: { status: 200, body: '' } });
    expect(page.get('fleet')!.all().find((e) => e.className === 'bad')?.textContent).toBe('no CPU or memory figures: the cluster serves no metrics API');
    expect(page.get('detail')!.all().find((e) => e.className === 'node-use')?.textContent).toBe('node use: no figures');
    expect(page.get('detail')!.textContent).not.toContain('0m');
  });

  it('shows a service\'s lines from GET /logs when its logs button is pressed', async () => {
    const { page, asked } = await drawDashboard({ status: snapshot({ available: true }, true), hash: '#acme-01', logs: { status: 200, body: 'line one\nline two\n' } });
    const button = page.get('detail')!.all().find((e) => e.attributes['aria-label'] === 'show the logs of ids')!;
    button.listeners.click!();
    await settle();
    expect(asked).toContain('logs/acme-01/ids?tail=200');
    const pre = page.get('detail')!.all().find((e) => e.tag === 'pre')!;
    expect(pre.textContent).toBe('line one\nline two\n');
    expect(pre.className).toBe('logs');
  });

  it('shows an offline gateway\'s message in the log view', async () => {
    const message = 'gateway acme-01 is offline: its edge node acme-01 is Ready=Unknown; logs travel over its uplink, so ids\'s logs can be read once it is back';
    const { page } = await drawDashboard({ status: snapshot({ available: true }, true), hash: '#acme-01', logs: { status: 503, body: JSON.stringify({ error: message, code: 'LOGS_GATEWAY_OFFLINE' }) } });
    page.get('detail')!.all().find((e) => e.attributes['aria-label'] === 'show the logs of ids')!.listeners.click!();
    await settle();
    const pre = page.get('detail')!.all().find((e) => e.tag === 'pre')!;
    expect(pre.textContent).toBe(message);
    expect(pre.className).toBe('logs bad');
  });

  it('draws the gateway\'s data flows between the site, its services, the SOC and the customer, and lists them as text', async () => {
    const base = snapshot({ available: true }, true);
    const withFlows: StatusSnapshot = {
      ...base,
      gateways: [{
        ...base.gateways[0]!,
        services: [...base.gateways[0]!.services, { name: 'firewall', desiredVersion: '3.0.0', runningVersion: '3.0.0', ready: true, restarts: 0 }],
        flows: [
          { from: 'site', to: 'service:ids', what: 'packet-captures' },
          { from: 'soc', to: 'service:firewall', what: 'ip-block list' },
          { from: 'service:firewall', to: 'service:ids', what: 'dropped-connection logs' },
          { from: 'service:ids', to: 'soc', what: 'intrusion alerts' },
        ],
      }],
    };
    const { page } = await drawDashboard({ status: withFlows, hash: '#acme-01' });
    const detail = page.get('detail')!;
    expect(detail.all().find((e) => e.attributes['id'] === 'flows')!.children.map((c) => (typeof c === 'string' ? c : c.textContent))).toEqual([
      'site network → ids: packet-captures',
      'SOC → firewall: ip-block list',
      'firewall → ids: dropped-connection logs',
      'ids → SOC: intrusion alerts',
    ]);
    const graph = detail.all().find((e) => e.attributes['id'] === 'flow-graph')!;
    expect(graph.attributes['aria-label']).toBe('data flows of acme-01');
    expect(graph.all().filter((e) => e.tag === 'path' && e.attributes['class'] === 'flow')).toHaveLength(4);
    // One box per service, and one for each end outside the gateway that a flow reaches: no customer box here.
    expect(graph.all().filter((e) => e.tag === 'text').map((e) => e.textContent).sort()).toEqual(['SOC', 'firewall', 'ids', 'site network']);
  });
});
