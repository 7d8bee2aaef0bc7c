import { describe, expect, it } from 'vitest';
import { describeTimings, PASS_STEPS, PassTimings } from '../../../src/engine/pass-timings.ts';

/** A clock that moves only when told. */
function manualClock() {
  let now = 0;
  return { read: () => now, advance: (ms: number) => (now += ms) };
}

describe('pass timings', () => {
  it('adds up each step, also a step that runs twice, and leaves the others at zero', async () => {
    const clock = manualClock();
    const t = new PassTimings(clock.read);
    await t.time('observe', async () => clock.advance(120));
    await t.time('load', async () => clock.advance(3000));
    await t.time('observe', async () => clock.advance(80));
    expect(t.timings).toEqual({ fetch: 0, observe: 200, load: 3000, gate: 0, rollout: 0, plan: 0, apply: 0, report: 0 });
  });

  it('counts the time of a step that throws, and passes the error on', async () => {
    const clock = manualClock();
    const t = new PassTimings(clock.read);
    await expect(t.time('fetch', async () => { clock.advance(10_000); throw new Error('the Git server did not answer'); })).rejects.toThrow('the Git server did not answer');
    expect(t.timings.fetch).toBe(10_000);
  });

  it('returns what the step returns', async () => {
    const t = new PassTimings(manualClock().read);
    await expect(t.time('plan', async () => 42)).resolves.toBe(42);
  });

  it('describes every step in order, to the tenth of a second', () => {
    const timings = Object.fromEntries(PASS_STEPS.map((s, i) => [s, i * 1050])) as Record<(typeof PASS_STEPS)[number], number>;
    expect(describeTimings(timings)).toBe('fetch 0.0 s, observe 1.1 s, load 2.1 s, gate 3.1 s, rollout 4.2 s, plan 5.3 s, apply 6.3 s, report 7.3 s');
  });
});
