// A customer's maintenance windows, read once for the loader and the rollout alike: the cron
// expression (cron-parser, read in the window's IANA zone from the platform's time-zone
// data), the duration, and the rules a window must keep to be usable: a cron that matches,
// a zone that exists, a positive duration, and no window longer than the gap to its next start
// (such a window never closes, so "outside the window" would never happen).
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import parseDuration from 'parse-duration';
import type { Problem, ProblemCode } from './problems.ts';
import type { ValidDoc } from './references.ts';
import type { Customer, MaintenanceWindow } from './types.generated.ts';

/** The schema's default zone. */
export const DEFAULT_WINDOW_TIMEZONE = 'UTC';

/**
 * "4h", "1h30m", "90s" in milliseconds (parse-duration); undefined when it is not one. The
 * schema has checked the form (common.schema.json Duration) before any rule reads it.
 */
export function windowDurationMs(duration: string): number | undefined {
  if (!/^(?:\d+h)?(?:\d+m)?(?:\d+s)?$/.test(duration) || duration === '') return undefined;
  const ms = parseDuration(duration);
  return typeof ms === 'number' && Number.isSafeInteger(ms) ? ms : undefined;
}

/** The window's starts, read in its zone, counted from `from` (next() is the first start after it, prev() the last before). */
export function windowStarts(window: MaintenanceWindow, from: Date): CronExpression {
  return CronExpressionParser.parse(window.cron, { tz: window.timezone ?? DEFAULT_WINDOW_TIMEZONE, currentDate: from });
}

export function isKnownTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with one window, at which of its fields; undefined: it is usable. */
export interface WindowFault {
  readonly field: 'cron' | 'timezone' | 'duration';
  readonly code: ProblemCode;
  readonly message: string;
  readonly hint: string;
}

// The shortest gap between starts is looked for from fixed instants, so validation never
// depends on the clock: a run of starts from the start of a year, and a short one across
// each change of the zone's UTC offset that year (a spring-forward day is an hour short).
// cron-parser steps through the calendar, so the runs are kept short.
const PERIOD_FROM = Date.parse('2026-01-01T00:00:00Z');
const DAY_MS = 86_400_000;
const YEAR_RUN = { starts: 40, days: 400 };
/** From a week before the change, so a weekly window's start before it is in the run. */
const CHANGE_RUN = { starts: 8, days: 16, before: 8 };
const faults = new Map<string, WindowFault | undefined>();

export function windowFault(window: MaintenanceWindow): WindowFault | undefined {
  const key = JSON.stringify([window.cron, window.timezone, window.duration]);
  if (!faults.has(key)) faults.set(key, findFault(window));
  return faults.get(key);
}

function findFault(window: MaintenanceWindow): WindowFault | undefined {
  const timezone = window.timezone ?? DEFAULT_WINDOW_TIMEZONE;
  if (!isKnownTimeZone(timezone)) {
    return { field: 'timezone', code: 'UNKNOWN_TIMEZONE', message: `time zone \`${timezone}\` is not an IANA time zone this platform knows`, hint: 'name a zone of the IANA database, e.g. Asia/Shanghai, Europe/Berlin or UTC' };
  }
  const length = windowDurationMs(window.duration);
  if (length === undefined || length <= 0) {
    return { field: 'duration', code: 'INVALID_DURATION', message: `duration \`${window.duration}\` is ${length === undefined ? 'not a duration' : 'zero'}: the window would never be open`, hint: 'a positive duration such as 30m, 4h or 1h30m' };
  }
  const cronFault = (reason: string): WindowFault => ({
    field: 'cron', code: 'INVALID_CRON', message: `cron \`${window.cron}\` never opens the window: ${reason}`,
    hint: 'five fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12) day-of-week (0-7), e.g. "0 2 * * 6" for Saturdays at 02:00',
  });
  let starts: CronExpression;
  let previous: number;
  try {
    starts = windowStarts(window, new Date(PERIOD_FROM));
    previous = starts.next().getTime();
  } catch (error) {
    return cronFault(error instanceof Error ? error.message : String(error));
  }
  const gap = shortestGap(window, timezone, starts, previous);
  if (length > gap) {
    return {
      field: 'duration', code: 'WINDOW_LONGER_THAN_PERIOD',
      message: `a ${window.duration} window is longer than the ${describeGap(gap)} between two starts of \`${window.cron}\`${timezone === DEFAULT_WINDOW_TIMEZONE ? '' : ` in ${timezone}`}: it would never close`,
      hint: `make the window at most ${describeGap(gap)}, or let it start less often`,
    };
  }
  return undefined;
}

/** The shortest time between two successive starts; `starts` is already past its first, `first`. */
function shortestGap(window: MaintenanceWindow, timezone: string, starts: CronExpression, first: number): number {
  let gap = Infinity;
  const run = (from: number, expression: CronExpression, start: number, limit: { starts: number; days: number }) => {
    let previous = start;
    for (let i = 0; i < limit.starts && previous < from + limit.days * DAY_MS; i++) {
      const next = expression.next().getTime();
      gap = Math.min(gap, next - previous);
      previous = next;
    }
  };
  run(PERIOD_FROM, starts, first, YEAR_RUN);
  for (const change of offsetChanges(timezone, PERIOD_FROM, 366)) {
    const from = change - CHANGE_RUN.before * DAY_MS;
    const around = windowStarts(window, new Date(from));
    run(from, around, around.next().getTime(), CHANGE_RUN);
  }
  // Starts rarer than the runs reach (a leap day): the gap between the first two.
  if (gap === Infinity) gap = starts.next().getTime() - first;
  return gap;
}

/** The instants (to the day) within `days` of `from` at which the zone's UTC offset changes, read from the platform's time-zone data. */
function offsetChanges(timezone: string, from: number, days: number): number[] {
  const format = new Intl.DateTimeFormat('en', { timeZone: timezone, timeZoneName: 'longOffset' });
  const offsetAt = (at: number) => format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const changes: number[] = [];
  let before = offsetAt(from);
  for (let day = 1; day <= days; day++) {
    const at = from + day * DAY_MS;
    const offset = offsetAt(at);
    if (offset !== before) changes.push(at);
    before = offset;
  }
  return changes;
}

function describeGap(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const [h, m] = [Math.floor(minutes / 60), minutes % 60];
  return `${h > 0 ? `${h}h` : ''}${m > 0 || h === 0 ? `${m}m` : ''}`;
}

/** Every customer's windows, each fault at the field to fix. */
export function checkMaintenanceWindows(customers: readonly ValidDoc<Customer>[]): Problem[] {
  const problems: Problem[] = [];
  for (const { file, doc } of customers) {
    (doc.spec.maintenanceWindows ?? []).forEach((window, index) => {
      const fault = windowFault(window);
      if (!fault) return;
      const pos = file.locate(['spec', 'maintenanceWindows', index, fault.field]);
      problems.push({ file: file.path, line: pos.line, col: pos.col, code: fault.code, message: fault.message, hint: fault.hint });
    });
  }
  return problems;
}
