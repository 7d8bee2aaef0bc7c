import { describe, expect, it } from 'vitest';
import { describeReasons, InvalidCronError, PassTrigger, type TriggerReason, TriggerClosedError, schedulePolls } from '../../../src/source/trigger.ts';

/** A pass the test finishes by hand, so overlap is decided by the test, never by timing. */
function controlledPasses() {
  const started: { pass: number; reasons: readonly TriggerReason[]; finish: (error?: Error) => void }[] = [];
  const waiters: (() => void)[] = [];
  const trigger = new PassTrigger<number>(({ pass, reasons }) => new Promise<number>((resolve, reject) => {
    started.push({ pass, reasons, finish: (error) => (error ? reject(error) : resolve(pass)) });
    waiters.splice(0).forEach((w) => w());
  }));
  const nextStart = (count: number) => new Promise<void>((resolve) => {
    const check = () => (started.length >= count ? resolve() : waiters.push(check));
    check();
  });
  return { trigger, started, nextStart };
}

describe('PassTrigger', () => {
  it('starts a pass at once when none is running', async () => {
    const { trigger, started, nextStart } = controlledPasses();
    const outcome = trigger.request({ source: 'manual' });
    await nextStart(1);
    started[0]?.finish();
    expect(await outcome).toEqual({ ok: true, pass: 1, value: 1 });
  });

  it('folds every request made during a pass into exactly one follow-up pass', async () => {
    const { trigger, started, nextStart } = controlledPasses();
    const first = trigger.request({ source: 'poll' });
    await nextStart(1);
    const during = [
      trigger.request({ source: 'webhook', detail: 'a1' }),
      trigger.request({ source: 'webhook', detail: 'b2' }),
      trigger.request({ source: 'manual' }),
    ];
    started[0]?.finish();
    await nextStart(2);
    expect(started[1]?.reasons).toEqual([{ source: 'webhook', detail: 'a1' }, { source: 'webhook', detail: 'b2' }, { source: 'manual' }]);
    started[1]?.finish();
    expect((await first).pass).toBe(1);
    // Each request made during pass 1 is answered by pass 2: pass 1 may have read the repo before the push.
    expect((await Promise.all(during)).map((o) => o.pass)).toEqual([2, 2, 2]);
    expect(started).toHaveLength(2);
    expect(trigger.passCount).toBe(2);
  });

  it('never runs two passes at once', async () => {
    let running = 0;
    let maxRunning = 0;
    const trigger = new PassTrigger(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setImmediate(r));
      running--;
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => trigger.request({ source: i % 2 ? 'poll' : 'webhook' })));
    expect(maxRunning).toBe(1);
    expect(trigger.passCount).toBeLessThanOrEqual(2);
  });

  it('reports a failed pass to its requesters and keeps serving later requests', async () => {
    const { trigger, started, nextStart } = controlledPasses();
    const failed = trigger.request();
    await nextStart(1);
    started[0]?.finish(new Error('git server down'));
    const outcome = await failed;
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? undefined : (outcome.error as Error).message).toBe('git server down');
    const next = trigger.request();
    await nextStart(2);
    started[1]?.finish();
    expect(await next).toEqual({ ok: true, pass: 2, value: 2 });
  });

  it('refuses requests after close and waits for the running pass', async () => {
    const { trigger, started, nextStart } = controlledPasses();
    const running = trigger.request();
    await nextStart(1);
    const closed = trigger.close();
    const refused = await trigger.request({ source: 'webhook' });
    expect(refused.ok).toBe(false);
    expect(refused.ok ? undefined : refused.error).toBeInstanceOf(TriggerClosedError);
    started[0]?.finish();
    await closed;
    expect((await running).ok).toBe(true);
    expect(trigger.busy).toBe(false);
  });
});

describe('schedulePolls', () => {
  it('refuses an invalid cron expression before scheduling', () => {
    const trigger = new PassTrigger(async () => undefined);
    expect(() => schedulePolls({ cron: 'every minute', trigger })).toThrow(InvalidCronError);
    expect(() => schedulePolls({ cron: '61 * * * *', trigger })).toThrow(/invalid poll schedule "61 \* \* \* \*"/);
  });

  it('schedules a valid expression and stops', async () => {
    const requests: TriggerReason[] = [];
    const schedule = schedulePolls({ cron: '0 0 1 1 *', trigger: { request: async (reason) => { requests.push(reason ?? { source: 'manual' }); return { ok: true, pass: 1, value: undefined }; } } });
    await schedule.stop();
    expect(requests).toEqual([]);
  });
});

describe('describeReasons', () => {
  it('names each source once with what it said, in the order asked', () => {
    expect(describeReasons([{ source: 'webhook', detail: '3f2a' }, { source: 'node', detail: 'edge node gw-7 Ready again' }, { source: 'webhook', detail: '3f2a' }, { source: 'poll' }]))
      .toBe('webhook (3f2a), node (edge node gw-7 Ready again), poll');
  });
});
