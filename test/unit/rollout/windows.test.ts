// windowAt: whether one of a customer's maintenance windows is open at an instant, and when
// the next opens, in UTC and in the window's zone; a table of instants around acme's
// Saturday 02:00–06:00 Asia/Shanghai window, a DST change in Berlin, and several windows.
import { describe, expect, it } from 'vitest';
import type { MaintenanceWindow } from '../../../src/model/types.generated.ts';
import { describeOpening, localTime, windowAt, type WindowState } from '../../../src/rollout/index.ts';

const ACME: MaintenanceWindow[] = [{ cron: '0 2 * * 6', duration: '4h', timezone: 'Asia/Shanghai' }];
// Tuesdays and Thursdays 22:00–01:00 Berlin time.
const GLOBEX: MaintenanceWindow[] = [{ cron: '0 22 * * 2,4', duration: '3h', timezone: 'Europe/Berlin' }];
const SATURDAY_OPENS = { at: '2026-12-04T18:00:00.000Z', local: '2026-12-05T02:00:00+08:00', timezone: 'Asia/Shanghai' };

describe('windowAt', () => {
  const cases: { name: string; windows: MaintenanceWindow[] | undefined; now: string; want: WindowState }[] = [
    { name: 'no windows: open at any time', windows: undefined, now: '2026-12-01T12:00:00Z', want: { open: true } },
    { name: 'an empty list: open at any time', windows: [], now: '2026-12-01T12:00:00Z', want: { open: true } },
    { name: 'a Tuesday evening in Shanghai: closed until Saturday 02:00 local', windows: ACME, now: '2026-12-01T12:00:00Z', want: { open: false, nextOpen: SATURDAY_OPENS } },
    { name: 'one second before it opens: closed', windows: ACME, now: '2026-12-04T17:59:59Z', want: { open: false, nextOpen: SATURDAY_OPENS } },
    { name: 'the instant it opens: open', windows: ACME, now: '2026-12-04T18:00:00Z', want: { open: true, closesAt: '2026-12-04T22:00:00.000Z' } },
    { name: 'inside: open until 06:00 local', windows: ACME, now: '2026-12-04T21:59:59Z', want: { open: true, closesAt: '2026-12-04T22:00:00.000Z' } },
    {
      name: 'the instant it closes: closed until next Saturday', windows: ACME, now: '2026-12-04T22:00:00Z',
      want: { open: false, nextOpen: { at: '2026-12-11T18:00:00.000Z', local: '2026-12-12T02:00:00+08:00', timezone: 'Asia/Shanghai' } },
    },
    {
      name: 'a window open across midnight (Berlin, winter: UTC+1)', windows: GLOBEX, now: '2026-12-01T23:30:00Z',
      want: { open: true, closesAt: '2026-12-02T00:00:00.000Z' },
    },
    {
      name: 'the next opening in summer time (Berlin, UTC+2)', windows: GLOBEX, now: '2026-06-03T12:00:00Z',
      want: { open: false, nextOpen: { at: '2026-06-04T20:00:00.000Z', local: '2026-06-04T22:00:00+02:00', timezone: 'Europe/Berlin' } },
    },
    {
      name: 'across the change to summer time: 22:00 local is 20:00 UTC after it, 21:00 before', windows: GLOBEX, now: '2026-03-27T12:00:00Z',
      want: { open: false, nextOpen: { at: '2026-03-31T20:00:00.000Z', local: '2026-03-31T22:00:00+02:00', timezone: 'Europe/Berlin' } },
    },
    {
      name: 'no zone: UTC', windows: [{ cron: '30 3 * * *', duration: '1h' }], now: '2026-12-01T04:30:00Z',
      want: { open: false, nextOpen: { at: '2026-12-02T03:30:00.000Z', local: '2026-12-02T03:30:00+00:00', timezone: 'UTC' } },
    },
    {
      name: 'several windows: the soonest opening, in its own zone', windows: [...ACME, ...GLOBEX], now: '2026-12-02T12:00:00Z',
      want: { open: false, nextOpen: { at: '2026-12-03T21:00:00.000Z', local: '2026-12-03T22:00:00+01:00', timezone: 'Europe/Berlin' } },
    },
    {
      name: 'several windows open at once: open until the last closes', windows: [...ACME, { cron: '0 20 * * 5', duration: '6h', timezone: 'UTC' }], now: '2026-12-04T21:00:00Z',
      want: { open: true, closesAt: '2026-12-05T02:00:00.000Z' },
    },
  ];

  it.each(cases)('$name', ({ windows, now, want }) => {
    expect(windowAt(windows, now)).toEqual(want);
  });
});

describe('the next opening as a person reads it', () => {
  it('gives the UTC instant, then the same instant in the customer’s zone', () => {
    expect(describeOpening(SATURDAY_OPENS)).toBe('2026-12-04T18:00:00Z (2026-12-05T02:00:00+08:00 Asia/Shanghai)');
  });

  it.each([
    ['UTC', '2026-12-04T18:00:00+00:00'],
    ['Asia/Kolkata', '2026-12-04T23:30:00+05:30'],
    ['America/New_York', '2026-12-04T13:00:00-05:00'],
  ])('localTime in %s', (zone, want) => {
    expect(localTime(Date.parse('2026-12-04T18:00:00Z'), zone)).toBe(want);
  });
});
