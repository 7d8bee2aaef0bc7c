// The rollout states that move only a revision are written between passes: the pass that
// handed them over does not wait for them, a pass that starts waits only for the writes under
// way, records handed over later replace those still waiting, and no answer from the API
// server stops the rest instead of waiting a timeout on each.
import { describe, expect, it } from 'vitest';
import { DeferredStates } from '../../../src/engine/deferred-states.ts';

/** A client whose writes each wait until `release` is called; a write of a gateway in `failing` is refused with `status`, or gets no answer when `status` is undefined. */
function slowClient({ failing = new Set<string>(), status }: { failing?: ReadonlySet<string>; status?: number } = {}) {
  const written: string[] = [];
  const started: string[] = [];
  const waiting: (() => void)[] = [];
  return {
    written, started,
    release(): void {
      for (const go of waiting.splice(0)) go();
    },
    async writeRolloutState(gateway: string, text: string): Promise<void> {
      started.push(gateway);
      await new Promise<void>((resolve) => waiting.push(resolve));
      if (failing.has(gateway)) throw Object.assign(new Error(`refused ${gateway}`), status === undefined ? {} : { data: { status } });
      written.push(`${gateway}=${text}`);
    },
  };
}

const records = (n: number, text = 'r2'): [string, string][] => Array.from({ length: n }, (_, i) => [`gw-${i}`, text]);
const settleMicrotasks = () => new Promise((resolve) => setImmediate(resolve));

describe('rollout states written between passes', () => {
  it('are sent a few at once without being waited for, and all of them get written', async () => {
    const client = slowClient();
    const deferred = new DeferredStates(client, () => {}, 4);
    deferred.write(records(10));
    expect(client.started).toHaveLength(4);
    expect(deferred.waiting).toBe(6);
    const finished = deferred.finish();
    for (let i = 0; i < 4; i++) {
      client.release();
      await settleMicrotasks();
    }
    await finished;
    expect(client.written.sort()).toEqual(records(10).map(([g, t]) => `${g}=${t}`).sort());
  });

  it('a pass that starts waits for the writes under way only, and drops the rest for itself to hand back', async () => {
    const client = slowClient();
    const deferred = new DeferredStates(client, () => {}, 2);
    deferred.write(records(10));
    let settled = false;
    const settling = deferred.settle().then(() => (settled = true));
    await settleMicrotasks();
    expect(settled).toBe(false);
    client.release();
    await settling;
    expect(client.started).toEqual(['gw-0', 'gw-1']);
    expect(client.written).toHaveLength(2);
    expect(deferred.waiting).toBe(0);
  });

  it('records handed over later replace those still waiting, and are written too', async () => {
    const client = slowClient();
    const deferred = new DeferredStates(client, () => {}, 1);
    deferred.write(records(3, 'r2'));
    deferred.write([['gw-9', 'r3']]);
    const finished = deferred.finish();
    client.release();
    await settleMicrotasks();
    client.release();
    await finished;
    expect(client.written).toEqual(['gw-0=r2', 'gw-9=r3']);
  });

  it('a refused write is logged and the rest go on; no answer at all stops the rest', async () => {
    const logged: string[] = [];
    const refused = slowClient({ failing: new Set(['gw-1']), status: 409 });
    const deferred = new DeferredStates(refused, (line) => logged.push(line), 1);
    deferred.write(records(3));
    const finished = deferred.finish();
    for (let i = 0; i < 3; i++) {
      refused.release();
      await settleMicrotasks();
    }
    await finished;
    expect(refused.written).toEqual(['gw-0=r2', 'gw-2=r2']);
    expect(logged).toEqual([expect.stringMatching(/^rollout states: 1 revision-only record\(s\) not written, the next pass writes them \(first: gw-1: refused gw-1\)$/)]);

    const unanswered = slowClient({ failing: new Set(['gw-0']) });
    const stopped = new DeferredStates(unanswered, () => {}, 1);
    stopped.write(records(5));
    const done = stopped.finish();
    unanswered.release();
    await done;
    expect(unanswered.started).toEqual(['gw-0']);
    expect(stopped.waiting).toBe(0);
  });
});
