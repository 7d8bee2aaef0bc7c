// The reconciler's one clock: `--now` fixes it, `--clock-offset` shifts the system clock,
// and `essg reconcile` refuses values it cannot read before it touches anything.
import { describe, expect, it } from 'vitest';
import { clockOf, parseClockOffset, parseNow } from '../../../src/runtime/clock.ts';
import { runEssg } from '../../support/cli.ts';

describe('--clock-offset', () => {
  it.each([
    ['3600', 3_600_000], ['-90', -90_000], ['+0', 0], ['+3d4h', (3 * 86_400 + 4 * 3600) * 1000], ['-1h30m', -5_400_000], ['2d', 172_800_000], ['45s', 45_000], ['1d2h3m4s', 93_784_000],
  ])('%s is %d ms', (text, ms) => expect(parseClockOffset(text)).toBe(ms));

  it.each(['', '+', '3 days', '4h3d', '1h1h', 'h', '1.5h', '--3600', '3600ms'])('%j is refused', (text) => expect(parseClockOffset(text)).toBeUndefined());
});

describe('--now', () => {
  it.each([
    ['2026-12-05T02:30:00+08:00', '2026-12-04T18:30:00.000Z'], ['2026-12-04T18:30:00Z', '2026-12-04T18:30:00.000Z'], ['2026-12-04T18:30Z', '2026-12-04T18:30:00.000Z'], ['2026-12-04T18:30:00.250Z', '2026-12-04T18:30:00.250Z'],
  ])('%s is %s', (text, iso) => expect(parseNow(text)).toBe(iso));

  it.each(['2026-12-04', '2026-12-04 18:30:00Z', '2026-12-04T18:30:00', 'saturday', '2026-13-04T18:30:00Z'])('%j is refused', (text) => expect(parseNow(text)).toBeUndefined());
});

describe('clockOf', () => {
  it('gives the same fixed instant every time with now', () => {
    const clock = clockOf({ now: '2026-12-05T02:30:00+08:00' });
    expect([clock(), clock()]).toEqual(['2026-12-04T18:30:00.000Z', '2026-12-04T18:30:00.000Z']);
  });

  it('shifts the system clock by the offset', () => {
    const offsetMs = 3 * 86_400_000;
    const before = Date.now();
    const shifted = Date.parse(clockOf({ offsetMs })());
    expect(shifted).toBeGreaterThanOrEqual(before + offsetMs);
    expect(shifted).toBeLessThanOrEqual(Date.now() + offsetMs);
  });

  it('is the system clock by default', () => {
    const before = Date.now();
    const now = Date.parse(clockOf(undefined)());
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

describe('essg reconcile clock flags', () => {
  const base = ['reconcile', '--repo', 'http://127.0.0.1:1/fleet.git', '--approvals', 'off'];
  it.each([
    [['--now', '2026-12-05T02:30:00Z'], /--now fixes the clock for one pass: give it with --once/],
    [['--once', '--now', 'saturday'], /--now must be an RFC 3339 time/],
    [['--once', '--now', '2026-12-05T02:30:00Z', '--clock-offset', '60'], /give --now or --clock-offset, not both/],
    [['--clock-offset', '3 days'], /--clock-offset must be seconds \(-3600\) or days, hours, minutes, seconds/],
  ])('%j is a usage error', async (flags, message) => {
    const result = await runEssg([...base, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('reads ESSG_CLOCK_OFFSET like --clock-offset', async () => {
    const result = await runEssg(base, { env: { ESSG_CLOCK_OFFSET: 'next week' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--clock-offset must be seconds (-3600) or days, hours, minutes, seconds (+3d4h, -1h30m), not next week');
  });
});
