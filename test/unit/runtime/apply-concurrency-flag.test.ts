// --apply-concurrency (ESSG_APPLY_CONCURRENCY): how many gateways a pass applies at once. A
// value that is no whole number in range is a usage error before anything starts.
import { describe, expect, it } from 'vitest';
import { runEssg } from '../../support/cli.ts';

describe('essg reconcile --apply-concurrency', () => {
  const base = ['reconcile', '--repo', 'http://127.0.0.1:1/fleet.git', '--approvals', 'off'];
  it.each([['0'], ['many'], ['2.5'], ['257']])('%s is a usage error', async (value) => {
    const result = await runEssg([...base, '--apply-concurrency', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--apply-concurrency must be a whole number from 1 to 256, not ${value}`);
  });

  it('reads ESSG_APPLY_CONCURRENCY like the flag', async () => {
    const result = await runEssg(base, { env: { ESSG_APPLY_CONCURRENCY: '-4' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--apply-concurrency must be a whole number from 1 to 256, not -4');
  });
});
