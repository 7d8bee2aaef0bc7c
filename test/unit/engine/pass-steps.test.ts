import { describe, expect, it } from 'vitest';
import { PassSteps, proceed, requeueAfter, stopPass } from '../../../src/engine/pass-steps.ts';
import { PassTimings } from '../../../src/engine/pass-timings.ts';

/** A clock that moves 10 ms each time it is read: each step then takes 10 ms. */
function steppingClock(): () => number {
  let t = 0;
  return () => (t += 10);
}

describe('the steps of a pass', () => {
  it('run in order, each reading what the ones before it added', async () => {
    const ran: string[] = [];
    const steps = PassSteps.start<{ now: string }>()
      .then('fetch', 'fetch', async ({ now }) => (ran.push(`fetch ${now}`), proceed({ head: 'abc' })))
      .then('load', 'load', async ({ head }) => (ran.push(`load ${head}`), proceed({ fleet: `fleet@${head}` })))
      .then('plan', 'plan', async ({ fleet, head }) => (ran.push(`plan ${fleet} ${head}`), proceed({ plans: 2 })));
    const end = await steps.run({ now: 'T' }, { timings: new PassTimings() });
    expect(ran).toEqual(['fetch T', 'load abc', 'plan fleet@abc abc']);
    expect(end).toEqual({ kind: 'done', pass: { now: 'T', head: 'abc', fleet: 'fleet@abc', plans: 2 } });
    expect(steps.names).toEqual(['fetch', 'load', 'plan']);
  });

  it('stop with a result and a reason: no later step runs, and what was added so far is handed back', async () => {
    let applied = false;
    const end = await PassSteps.start<object>()
      .then('plan', 'plan', async () => proceed({ plans: 3 }))
      .then('guard', 'plan', async () => stopPass('refused', 'would delete 4 of 5 gateways'))
      .then('apply', 'apply', async () => ((applied = true), proceed({})))
      .run({}, { timings: new PassTimings() });
    expect(end).toEqual({ kind: 'stopped', pass: { plans: 3 }, result: 'refused', reason: 'would delete 4 of 5 gateways' });
    expect(applied).toBe(false);
  });

  it('a requeue goes on, and the pass asks to be looked at again after the shortest requeue', async () => {
    const end = await PassSteps.start<object>()
      .then('rollout', 'rollout', async () => requeueAfter(300, { a: 1 }))
      .then('report', 'report', async () => requeueAfter(60, { b: 2 }))
      .then('last', 'report', async () => proceed({ c: 3 }))
      .run({}, { timings: new PassTimings() });
    expect(end).toEqual({ kind: 'done', pass: { a: 1, b: 2, c: 3 }, requeueAfterSeconds: 60 });
  });

  it('a pass with no requeue says none', async () => {
    const end = await PassSteps.start<object>().then('only', 'fetch', async () => proceed({})).run({}, { timings: new PassTimings() });
    expect(end).toEqual({ kind: 'done', pass: {} });
  });

  it('stops before the next step once `stopBefore` gives a reason (leadership lost mid-pass)', async () => {
    let leading = true;
    const ran: string[] = [];
    const end = await PassSteps.start<object>()
      .then('fetch', 'fetch', async () => (ran.push('fetch'), (leading = false), proceed({ head: 'h' })))
      .then('apply', 'apply', async () => (ran.push('apply'), proceed({})))
      .run({}, { timings: new PassTimings(), stopBefore: () => (leading ? undefined : 'no longer leads') });
    expect(ran).toEqual(['fetch']);
    expect(end).toEqual({ kind: 'stopped', pass: { head: 'h' }, result: 'failed', reason: 'no longer leads' });
  });

  it('counts each step to the timing it names, steps sharing one adding up, a throwing step included', async () => {
    const timings = new PassTimings(steppingClock());
    const run = PassSteps.start<object>()
      .then('records', 'observe', async () => proceed({}))
      .then('observe', 'observe', async () => proceed({}))
      .then('gate', 'gate', async () => {
        throw new Error('GitHub broke');
      })
      .run({}, { timings });
    await expect(run).rejects.toThrow('GitHub broke');
    expect(timings.timings).toMatchObject({ observe: 20, gate: 10, fetch: 0, apply: 0 });
  });
});
