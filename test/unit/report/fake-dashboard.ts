// The dashboard's own script run against a small stand-in for the DOM it uses, with
// /status (and GET /logs) answered from the test's data: what the dashboard unit tests share.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { StatusSnapshot } from '../../../src/report/status-model.ts';

const SCRIPT = readFileSync(fileURLToPath(new URL('../../../src/report/dashboard/dashboard.js', import.meta.url)), 'utf8');

/** The containers index.html gives the script. */
const PAGE_IDS = ['who-login', 'glance', 'fleet', 'phases', 'controls', 'rollouts', 'shown', 'customers', 'services', 'detail', 'footer'];

/** The part of a DOM element the dashboard touches. */
export class FakeElement {
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
  /** Every element below this one, depth first. */
  all(): FakeElement[] {
    return this.children.flatMap((c) => (typeof c === 'string' ? [] : [c, ...c.all()]));
  }
}

/** Lets refresh() (and a log view's fetch) and their bodies settle. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) await new Promise((resolve) => setImmediate(resolve));
}

export interface FakeDashboard {
  /** The page's containers by id. */
  readonly page: Map<string, FakeElement>;
  /** Every URL the script fetched, in order. */
  readonly asked: string[];
}

/** Runs the script once on `status`, the page opened at `#hash`; GET /logs answers `logs`. */
export async function drawDashboard({ status, hash = '', logs = { status: 200, body: '' } }: { status: StatusSnapshot; hash?: string; logs?: { status: number; body: string } }): Promise<FakeDashboard> {
  const page = new Map(PAGE_IDS.map((id) => [id, new FakeElement('section')]));
  const asked: string[] = [];
  const context = {
    document: { createElement: (tag: string) => new FakeElement(tag), createElementNS: (_ns: string, tag: string) => new FakeElement(tag), getElementById: (id: string) => page.get(id) },
    window: { location: { hash } },
    fetch: async (url: string) => {
      asked.push(url);
      if (url === 'auth/whoami') return { ok: true, status: 200, json: async () => ({ login: 'soc-lead', role: 'operator' }) };
      if (url.startsWith('logs/')) return { ok: logs.status === 200, status: logs.status, text: async () => logs.body };
      // One gateway whole, as GET /status/gateways/NAME answers.
      const one = /^status\/gateways\/(.+)$/.exec(url);
      if (one) {
        const found = status.gateways.find((g) => g.gateway === decodeURIComponent(one[1]!));
        return found ? { ok: true, status: 200, json: async () => found } : { ok: false, status: 404, json: async () => ({ error: 'no such gateway' }) };
      }
      return { ok: true, json: async () => status };
    },
    setTimeout: () => 0,
  };
  vm.runInNewContext(SCRIPT, context);
  await settle();
  return { page, asked };
}
