// The fleet at a commit is loaded once, and kept for the next pass while nothing in it has
// expired: renders depend on time only through expiry, so a pass at an unchanged head loads
// nothing, and the first pass past a service's `expires` loads it afresh.
import { describe, expect, it } from 'vitest';
import { FleetRevisions, type FleetAtCommit, type FleetLoader } from '../../../src/load/index.ts';

const EXPIRES = '2026-12-05T00:00:00Z';

/** A loader of good commits whose one gateway runs a service until EXPIRES; it counts loads. */
function countingLoader(): FleetLoader & { loads: string[] } {
  const loads: string[] = [];
  return {
    loads,
    load: async ({ commit, now }) => {
      loads.push(`${commit}@${now}`);
      const model = { gateways: new Map([['gw-1', { services: [{ entry: { expires: EXPIRES } }] }]]), responses: new Map() };
      return { ok: true, commit, model, rendered: new Map() } as unknown as FleetAtCommit;
    },
    close: async () => {},
  };
}

describe('the fleet at each commit', () => {
  it('is loaded once per pass, kept for the next pass until something in it expires, then loaded again', async () => {
    const loader = countingLoader();
    const revisions = new FleetRevisions(loader);
    revisions.startPass();
    const first = await revisions.at('c1', '2026-12-03T10:00:00Z');
    expect(await revisions.at('c1', '2026-12-03T10:00:00Z')).toBe(first);
    expect(revisions.commitsLoaded).toBe(1);

    revisions.startPass();
    expect(await revisions.at('c1', '2026-12-04T23:59:59Z')).toBe(first);
    expect(revisions.commitsLoaded).toBe(0);

    // Past the expiry the service is gone from the render: loaded as of then.
    revisions.startPass();
    expect(await revisions.at('c1', EXPIRES)).not.toBe(first);
    expect(revisions.commitsLoaded).toBe(1);
    expect(loader.loads).toEqual(['c1@2026-12-03T10:00:00Z', `c1@${EXPIRES}`]);
  });

  it('forgets what a pass did not use, and never carries a bad commit', async () => {
    const loader = countingLoader();
    const bad: FleetLoader = { load: async ({ commit }) => ({ ok: false, commit, problems: [{ code: 'LOAD_TIMEOUT', message: 'too slow' }] }), close: async () => {} };
    const revisions = new FleetRevisions({ load: (args) => (args.commit === 'bad' ? bad.load(args) : loader.load(args)), close: async () => {} });
    revisions.startPass();
    await revisions.at('c1', '2026-12-03T10:00:00Z');
    await revisions.at('bad', '2026-12-03T10:00:00Z');
    revisions.startPass();
    await revisions.at('bad', '2026-12-03T10:00:01Z');
    expect(revisions.commitsLoaded).toBe(1);
    // c1 was not used by that pass: the one after loads it again.
    revisions.startPass();
    await revisions.at('c1', '2026-12-03T10:00:02Z');
    expect(revisions.commitsLoaded).toBe(1);
    expect(loader.loads).toHaveLength(2);
  });

  it('loads again when the clock goes back before the load (a --now in the past)', async () => {
    const loader = countingLoader();
    const revisions = new FleetRevisions(loader);
    revisions.startPass();
    await revisions.at('c1', '2026-12-03T10:00:00Z');
    revisions.startPass();
    await revisions.at('c1', '2026-12-01T10:00:00Z');
    expect(loader.loads).toHaveLength(2);
  });
});
