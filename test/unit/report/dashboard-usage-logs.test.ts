// The dashboard's own script against a small stand-in for the DOM: a gateway's node and
// service figures against capacity and limits, the fleet bar saying when there are none, and
// the log view showing what GET /logs answers — the lines, or an offline gateway's message.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src/report/status-model.ts';

const SCRIPT = readFileSync(fileURLToPath(new URL('../../../src/report/dashboard/dashboard.js', import.meta.url)), 'utf8');

class FakeElement {
  className = '';
  hidden = false;
  id = '';
  readonly attributes: Record<string, string> = {};
  readonly listeners: Record<string, () => unknown> = {};
  children: (FakeElement | string)[] = [];
  private ownText: string | undefined;
  constructor(readonly tag: string) {}
  set textContent(value: string) {
    this.ownText = value;
    this.children = [];
  }
  get textContent(): string {
    return this.ownText ?? this.children.map((c) => (typeof c === 'string' ? c : c.textContent)).join('');
  }
  setAttribute(key: string, value: string): void {
    this.attributes[key] = value;
  }
  addEventListener(event: string, listener: () => unknown): void {
    this.listeners[event] = listener;
  }
  append(...nodes: (FakeElement | string)[]): void {
    this.children.push(...nodes);
  }
  replaceChildren(...nodes: (FakeElement | string)[]): void {
    this.ownText = undefined;
    this.children = nodes;
  }
  all(): FakeElement[] {
    return this.children.flatMap((c) => (typeof c === 'string' ? [] : [c, ...c.all()]));
  }
}

const snapshot = (resourceMetrics: StatusSnapshot['fleet']['resourceMetrics'], withUsage: boolean): StatusSnapshot => ({
  fleet: { passes: 1, source: { ok: true }, phases: { Ready: 1, Progressing: 0, Degraded: 0, Offline: 0, AwaitingApproval: 0, OutsideWindow: 0, RolledBack: 0, Failed: 0 }, ...(resourceMetrics ? { resourceMetrics } : {}) },
  rollouts: [],
  gateways: [{
    gateway: 'acme-01', customer: 'acme', phase: 'Ready', reason: 'Converged', message: 'ok', lastTransition: '2026-12-02T09:00:00Z', history: [],
    node: { name: 'acme-01', ready: 'True', pressure: { memory: false, disk: false, pid: false }, ...(withUsage ? { usage: { cpuMillicores: 400, cpuCapacityMillicores: 4000, memoryBytes: 1024 ** 3, memoryCapacityBytes: 8 * 1024 ** 3 } } : {}) },
    services: [{ name: 'ids', desiredVersion: '1.0.0', runningVersion: '1.0.0', ready: true, restarts: 0, ...(withUsage ? { usage: { cpuMillicores: 50, cpuLimitMillicores: 500, memoryBytes: 64 * 1024 ** 2, memoryLimitBytes: 256 * 1024 ** 2 } } : {}) }],
  }],
});

const settle = async () => {
  for (let i = 0; i < 8; i++) await new Promise((resolve) => setImmediate(resolve));
};

async function drawDashboard(status: StatusSnapshot, logs: { status: number; body: string }) {
  const ids = new Map(['glance', 'fleet', 'phases', 'controls', 'rollouts', 'shown', 'customers', 'services', 'detail', 'footer'].map((id) => [id, new FakeElement('section')]));
  const asked: string[] = [];
  const context = {
    document: { createElement: (tag: string) => new FakeElement(tag), getElementById: (id: string) => ids.get(id) },
    window: { location: { hash: '#acme-01' } },
    fetch: async (url: string) => {
      asked.push(url);
      if (url.startsWith('logs/')) return { ok: logs.status === 200, status: logs.status, text: async () => logs.body };
      return { ok: true, json: async () => status };
    },
    setTimeout: () => 0,
  };
  vm.runInNewContext(SCRIPT, context);
  await settle();
  return { page: ids, asked };
}

describe('the dashboard\'s figures and log view', () => {
  it('shows the node\'s and each service\'s use against capacity and limits', async () => {
    const { page } = await drawDashboard(snapshot({ available: true }, true), { status: 200, body: '' });
    const detail = page.get('detail')!;
    expect(detail.all().find((e) => e.className === 'node-use')?.textContent).toBe('node use: CPU 400m/4000m (10%), memory 1024Mi/8192Mi (13%)');
    const row = detail.all().find((e) => e.tag === 'tr' && e.textContent.startsWith('ids'));
    expect(row?.textContent).toContain('50m/500m (10%)64Mi/256Mi (25%)');
  });

  it('says there are no figures, and why, instead of showing zeros', async () => {
    const { page } = await drawDashboard(snapshot({ available: false, message: 'no CPU or memory figures: the cluster serves no metrics API' }, false), { status: 200, body: '' });
    expect(page.get('fleet')!.all().find((e) => e.className === 'bad')?.textContent).toBe('no CPU or memory figures: the cluster serves no metrics API');
    expect(page.get('detail')!.all().find((e) => e.className === 'node-use')?.textContent).toBe('node use: no figures');
    expect(page.get('detail')!.textContent).not.toContain('0m');
  });

  it('shows a service\'s lines from GET /logs when its logs button is pressed', async () => {
    const { page, asked } = await drawDashboard(snapshot({ available: true }, true), { status: 200, body: 'line one\nline two\n' });
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
    const { page } = await drawDashboard(snapshot({ available: true }, true), { status: 503, body: JSON.stringify({ error: message, code: 'LOGS_GATEWAY_OFFLINE' }) });
    page.get('detail')!.all().find((e) => e.attributes['aria-label'] === 'show the logs of ids')!.listeners.click!();
    await settle();
    const pre = page.get('detail')!.all().find((e) => e.tag === 'pre')!;
    expect(pre.textContent).toBe(message);
    expect(pre.className).toBe('logs bad');
  });
});
