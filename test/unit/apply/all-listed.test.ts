// Listings run at once report the same failure whichever answers first.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { allListed, ListFailedError } from '../../../src/apply/index.ts';

const forbidden = (kind: string, after: number) => sleep(after).then(() => Promise.reject(new ListFailedError({ kind, selector: 's', status: 403, detail: 'forbidden' })));

describe('allListed', () => {
  it('throws the failure of the first listing in the order given, not the first to fail', async () => {
    await expect(allListed([Promise.resolve([1]), forbidden('Deployment', 20), forbidden('Pod', 0)])).rejects.toThrow(/^listing Deployment /);
  });

  it('gives every listing in order when all succeed', async () => {
    expect(await allListed([sleep(10).then(() => ['a']), Promise.resolve([2])] as const)).toEqual([['a'], [2]]);
  });
});
