// Is one of a customer's maintenance windows open at `now`, and if not, when does the next
// one open? Pure: the starts come from cron-parser in each window's IANA zone (the
// platform's time-zone data), never from date arithmetic of our own. The loader has refused
// windows that never open or never close, so every window here has a last and a next start.
import { DEFAULT_WINDOW_TIMEZONE, windowDurationMs, windowStarts } from '../model/maintenance-windows.ts';
import type { MaintenanceWindow } from '../model/types.generated.ts';
import type { WindowOpening, WindowState } from './types.ts';

/** No windows: changes may start at any time. */
export const ALWAYS_OPEN: WindowState = { open: true };

export function windowAt(windows: readonly MaintenanceWindow[] | undefined, now: string): WindowState {
  if (!windows || windows.length === 0) return ALWAYS_OPEN;
  const time = Date.parse(now);
  let closesAt: number | undefined;
  let next: { at: number; timezone: string } | undefined;
  for (const window of windows) {
    const length = windowDurationMs(window.duration) ?? 0;
    // prev() and next() exclude the instant they start from: the last start at or before now, the first after it.
    const last = windowStarts(window, new Date(time + 1)).prev().getTime();
    if (last <= time && time < last + length) closesAt = Math.max(closesAt ?? 0, last + length);
    const upcoming = windowStarts(window, new Date(time)).next().getTime();
    if (!next || upcoming < next.at) next = { at: upcoming, timezone: window.timezone ?? DEFAULT_WINDOW_TIMEZONE };
  }
  if (closesAt !== undefined) return { open: true, closesAt: new Date(closesAt).toISOString() };
  return { open: false, nextOpen: opening(next!.at, next!.timezone) };
}

export function opening(at: number, timezone: string): WindowOpening {
  return { at: new Date(at).toISOString(), local: localTime(at, timezone), timezone };
}

/** RFC 3339 with the zone's offset at that instant, e.g. 2026-12-05T02:00:00+08:00. */
export function localTime(at: number, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset',
  }).formatToParts(new Date(at));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = part('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}${offset}`;
}

/** "2026-12-04T18:00:00Z (2026-12-05T02:00:00+08:00 Asia/Shanghai)": the UTC time, then the customer's. */
export function describeOpening(next: WindowOpening): string {
  return `${next.at.replace(/\.000Z$/, 'Z')} (${next.local} ${next.timezone})`;
}
