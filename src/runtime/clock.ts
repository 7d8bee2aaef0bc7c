// The reconciler's one clock: every time-based decision of a pass (soaks, maintenance
// windows, expiry) reads it once, at the start of the pass. By default the system clock;
// `--now` fixes it (one pass as of that instant), `--clock-offset` shifts it (a test bed
// that lives through a Saturday window on a Tuesday).
import parseDuration from 'parse-duration';

/** How the reconciler tells the time. @default the system clock */
export type ClockOption =
  /** A fixed instant, RFC 3339: every pass happens then. */
  | { readonly now: string }
  /** The system clock shifted by this many milliseconds (negative: earlier). */
  | { readonly offsetMs: number };

export function clockOf(option: ClockOption | undefined): () => string {
  if (option && 'now' in option) {
    const fixed = new Date(option.now).toISOString();
    return () => fixed;
  }
  const offset = option?.offsetMs ?? 0;
  return () => new Date(Date.now() + offset).toISOString();
}

/** Seconds, or days, hours, minutes and seconds in that order, each at most once; a sign in front. */
const OFFSET = /^[+-]?(?:\d+|(?=\d)(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?)$/;

/**
 * `--clock-offset`: a whole number of seconds ("3600", "-90") or days, hours, minutes and
 * seconds in that order ("+3d4h", "-1h30m"), in milliseconds; undefined when it is neither.
 */
export function parseClockOffset(text: string): number | undefined {
  if (!OFFSET.test(text)) return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[+-]/, '');
  const ms = /^\d+$/.test(body) ? Number(body) * 1000 : parseDuration(body);
  return typeof ms === 'number' && Number.isSafeInteger(ms) ? sign * ms : undefined;
}

/** `--now`: an RFC 3339 instant with its offset (or Z); undefined when it is not one. */
export function parseNow(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
