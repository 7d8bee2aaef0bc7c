// The dashboard's own script, run against a small stand-in for the DOM it uses, on a status
// snapshot with a gateway outside its maintenance window: the gateway's detail and the
// rollout say when the next window opens, in UTC and in the customer's zone.
import { describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src/report/status-model.ts';
import { drawDashboard } from './fake-dashboard.ts';



const NEXT = { at: '2026-12-11T18:00:00.000Z', local: '2026-12-12T02:00:00+08:00', timezone: 'Asia/Shanghai' };
const REVISION = 'e'.repeat(40);
const snapshot: StatusSnapshot = {
  fleet: { passes: 3, source: { ok: true }, phases: { Ready: 0, Progressing: 0, Degraded: 0, Offline: 0, Unregistered: 0, AwaitingApproval: 0, OutsideWindow: 1, RolledBack: 0, Failed: 0 } },
  rollouts: [{ id: REVISION, waves: [], pending: ['acme-sh-01'], deferred: [{ gateway: 'acme-sh-01', reason: 'outside-window', nextOpen: NEXT }], complete: false }],
  gateways: [{
    gateway: 'acme-sh-01', customer: 'acme', node: { name: 'acme-sh-01', ready: 'True', pressure: { memory: false, disk: false, pid: false } },
    phase: 'OutsideWindow', reason: 'OutsideMaintenanceWindow', message: 'next window opens 2026-12-11T18:00:00Z (2026-12-12T02:00:00+08:00 Asia/Shanghai)',
    pendingRevision: REVISION, services: [], rollout: { id: REVISION, state: 'outside-window', message: 'next window opens …', nextWindow: NEXT },
    lastTransition: '2026-12-08T12:00:00.000Z', history: [],
  }],
};

describe('the dashboard, for a gateway outside its maintenance window', () => {
  it('shows the tile as OutsideWindow, and in its detail when the next window opens in UTC and in the customer’s zone', async () => {
    const { page } = await drawDashboard({ status: snapshot, hash: '#acme-sh-01' });
    const tile = page.get('customers')!.all().find((e) => e.tag === 'button' && e.textContent === 'acme-sh-01');
    expect(tile?.className).toContain('OutsideWindow');
    const detail = page.get('detail')!;
    expect(detail.hidden).toBe(false);
    expect(detail.textContent).toContain('OutsideMaintenanceWindow: next window opens 2026-12-11T18:00:00Z (2026-12-12T02:00:00+08:00 Asia/Shanghai)');
    expect(detail.all().find((e) => e.className === 'next-window')?.textContent).toBe('next maintenance window opens 2026-12-11T18:00:00.000Z UTC · 2026-12-12T02:00:00+08:00 Asia/Shanghai');
  });

  it('lists the gateway as deferred in its rollout, with the next opening on the chip', async () => {
    const { page } = await drawDashboard({ status: snapshot, hash: '#acme-sh-01' });
    const chip = page.get('rollouts')!.all().find((e) => e.className.includes('chip') && e.textContent.startsWith('acme-sh-01'));
    expect(chip?.textContent).toBe('acme-sh-01 outside-window');
    expect(chip?.className).toBe('chip deferred outside-window');
    expect(chip?.attributes['title']).toBe('acme-sh-01: outside its maintenance windows; the next opens 2026-12-11T18:00:00.000Z UTC · 2026-12-12T02:00:00+08:00 Asia/Shanghai');
  });
});
