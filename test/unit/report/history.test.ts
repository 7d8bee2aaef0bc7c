import { describe, expect, it } from 'vitest';
import { appendHistory, HISTORY_LIMIT, lastReachability, parseHistory, serializeHistory, type HistoryEntry } from '../../../src/report/history.ts';
import { historyEventsOfPass, type GatewayPassFacts } from '../../../src/report/history-events.ts';

const T = '2026-12-02T04:00:00.000Z';
const REV = 'b'.repeat(40);

function facts(overrides: Partial<GatewayPassFacts> = {}): GatewayPassFacts {
  return {
    time: T,
    revision: REV,
    applied: true,
    before: { services: new Map([['ids', '1.0.0'], ['vuln-scanner', '2.0.0']]), responses: new Set() },
    after: { services: new Map([['ids', '1.0.0'], ['vuln-scanner', '2.0.0']]), responses: new Set() },
    moveCause: 'rollout bbbbbbbbbbbb wave 1',
    stopCause: (service) => `${service} expired at 2027-01-15T00:00:00Z`,
    responseCause: (response) => `pre-authorised ip-block: ${response}`,
    drift: [],
    reachability: { offline: false, cause: 'edge node gw is back' },
    ...overrides,
  };
}

const kinds = (entries: readonly HistoryEntry[]) => entries.map((e) => [e.kind, e.service, e.from, e.to, e.cause].filter((x) => x !== undefined).join(' '));

describe('history of a pass', () => {
  it.each<[string, Partial<GatewayPassFacts>, readonly HistoryEntry[], string[]]>([
    ['nothing changed: no entry', {}, [], []],
    ['an upgrade: updated from → to, with the rollout as cause',
      { after: { services: new Map([['ids', '1.1.0'], ['vuln-scanner', '2.0.0']]), responses: new Set() } }, [],
      ['updated ids 1.0.0 1.1.0 rollout bbbbbbbbbbbb wave 1']],
    ['a first install: every service installed',
      { before: { services: new Map(), responses: new Set() }, moveCause: 'first install of the gateway' }, [],
      ['installed ids 1.0.0 first install of the gateway', 'installed vuln-scanner 2.0.0 first install of the gateway']],
    ['an expired service: stopped, with the expiry as cause',
      { after: { services: new Map([['ids', '1.0.0']]), responses: new Set() } }, [],
      ['stopped vuln-scanner 2.0.0 vuln-scanner expired at 2027-01-15T00:00:00Z']],
    ['an apply that failed records no service change',
      { applied: false, after: { services: new Map([['ids', '1.1.0']]), responses: new Set() } }, [], []],
    ['a rollback: one entry from the failed revision back to the healthy one, no updates',
      { rollback: { from: 'c'.repeat(40), to: REV, reason: 'ids 1.1.0: CrashLoopBackOff' }, after: { services: new Map([['ids', '0.9.0'], ['vuln-scanner', '2.0.0']]), responses: new Set() } }, [],
      ['rolled-back cccccccccccc bbbbbbbbbbbb ids 1.1.0: CrashLoopBackOff']],
    ['a new response', { after: { services: new Map([['ids', '1.0.0'], ['vuln-scanner', '2.0.0']]), responses: new Set(['block-c2']) } }, [],
      ['response-applied block-c2 pre-authorised ip-block: block-c2']],
    ['drift put back', { drift: ['Deployment gw-ids (modified)'] }, [], ['drift-repaired put back what was changed by hand: Deployment gw-ids (modified)']],
    ['going offline is recorded once', { reachability: { offline: true, cause: 'edge node gw unreachable' } }, [], ['offline edge node gw unreachable']],
    ['still offline: nothing new', { reachability: { offline: true, cause: 'edge node gw unreachable' } }, [{ time: T, kind: 'offline', cause: 'x' }], []],
    ['back online after an offline entry', {}, [{ time: T, kind: 'offline', cause: 'x' }], ['online edge node gw is back']],
    ['online with no offline before: nothing', {}, [{ time: T, kind: 'online', cause: 'x' }, { time: T, kind: 'installed', service: 'ids', cause: 'y' }], []],
  ])('%s', (_name, overrides, history, want) => {
    const entries = historyEventsOfPass(history, facts(overrides));
    expect(kinds(entries)).toEqual(want);
    expect(entries.every((e) => e.time === T && e.revision === REV)).toBe(true);
  });
});

describe('history record', () => {
  it('drops the oldest entries past the limit', () => {
    const many = Array.from({ length: HISTORY_LIMIT + 3 }, (_, i): HistoryEntry => ({ time: T, kind: 'updated', service: 'ids', to: `1.${i}.0`, cause: 'c' }));
    const kept = appendHistory([], many);
    expect(kept).toHaveLength(HISTORY_LIMIT);
    expect(kept[0]?.to).toBe('1.3.0');
    expect(kept.at(-1)?.to).toBe(`1.${HISTORY_LIMIT + 2}.0`);
  });

  it('reads back what it wrote, and refuses a record that is not a history', () => {
    const history: HistoryEntry[] = [{ time: T, kind: 'stopped', service: 'vuln-scanner', from: '2.0.0', revision: REV, cause: 'expired' }];
    expect(parseHistory(serializeHistory(history))).toEqual({ ok: true, history });
    expect(parseHistory('{')).toMatchObject({ ok: false, problem: expect.stringContaining('not JSON') });
    expect(parseHistory('{}')).toEqual({ ok: false, problem: 'not a list of entries' });
    expect(parseHistory(JSON.stringify([{ time: T, kind: 'exploded', cause: 'x' }]))).toEqual({ ok: false, problem: 'entry 0 is not a history entry (time, kind, cause)' });
  });

  it('knows whether the gateway was last seen going offline or coming back', () => {
    expect(lastReachability([])).toBeUndefined();
    expect(lastReachability([{ time: T, kind: 'offline', cause: '' }, { time: T, kind: 'updated', cause: '' }])).toBe('offline');
    expect(lastReachability([{ time: T, kind: 'offline', cause: '' }, { time: T, kind: 'online', cause: '' }])).toBe('online');
  });
});
