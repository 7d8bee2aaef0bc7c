// `essg rollout` against a running status server, as an operator runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetMetrics, type StatusServer, StatusStore, createStatusServer } from '../../../src/report/index.ts';
import { runEssg } from '../../support/cli.ts';
import { OPERATOR_TOKEN, operatorAuth } from '../../support/status-auth.ts';

const R2 = 'a2'.repeat(20);
const R3 = 'b3'.repeat(20);
const R4 = 'c4'.repeat(20);
const SATURDAY = { at: '2026-12-11T18:00:00.000Z', local: '2026-12-12T02:00:00+08:00', timezone: 'Asia/Shanghai' };

describe('essg rollout', () => {
  let server: StatusServer;
  let url: string;
  beforeAll(async () => {
    const store = new StatusStore();
    store.setRollouts([
      { id: R2, complete: false, pending: ['gw-05', 'gw-06'], halted: { by: 'gw-07', reason: 'ids 1.1.0: container ids: CrashLoopBackOff' }, waves: [{ wave: 0, gateways: [{ gateway: 'gw-07', status: 'rolled-back' }] }] },
      { id: R3, complete: false, pending: ['gw-09'], waves: [{ wave: 0, gateways: [{ gateway: 'gw-01', status: 'done' }] }, { wave: 1, gateways: [{ gateway: 'gw-02', status: 'soaking' }, { gateway: 'gw-03', status: 'deferred' }] }] },
      {
        id: R4, complete: false, pending: ['acme-bj-01', 'acme-sh-01', 'acme-sh-02'], waves: [{ wave: 0, gateways: [{ gateway: 'globex-fra-01', status: 'done' }] }],
        deferred: [{ gateway: 'acme-bj-01', reason: 'offline' }, { gateway: 'acme-sh-01', reason: 'outside-window', nextOpen: SATURDAY }],
      },
    ]);
    server = createStatusServer({ store, auth: operatorAuth(store), metrics: new FleetMetrics({ phases: () => store.phaseCounts() }), host: '127.0.0.1', port: 0 });
    url = await server.listen();
  });
  afterAll(() => server.close());

  it('lists each rollout with its state and counts, and exits 1 while one is halted', async () => {
    const result = await runEssg(['rollout', 'ls', '--token', OPERATOR_TOKEN, '--url', url]);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^ROLLOUT\s+STATE\s+WAVES\s+DONE\s+IN PROGRESS\s+DEFERRED\s+FAILED\s+PENDING$/);
    expect(lines.find((l) => l.startsWith(R2.slice(0, 8)))).toMatch(/halted\s+1\s+0\s+0\s+0\s+1\s+2$/);
    expect(lines.find((l) => l.startsWith(R3.slice(0, 8)))).toMatch(/in progress\s+2\s+1\s+1\s+1\s+0\s+1$/);
  });

  it('shows one rollout by a prefix of its revision: its waves, who halted it and why', async () => {
    const result = await runEssg(['rollout', 'show', R2.slice(0, 6), '--token', OPERATOR_TOKEN, '--url', url]);
    expect(result.stdout).toContain(`rollout ${R2}: halted`);
    expect(result.stdout).toContain('halted by gw-07: ids 1.1.0: container ids: CrashLoopBackOff');
    expect(result.stdout).toContain('wave 0 (canary): gw-07 rolled-back');
    expect(result.stdout).toContain('not reached yet (2): gw-05, gw-06');
    const json = await runEssg(['rollout', 'show', R3.slice(0, 6), '--token', OPERATOR_TOKEN, '--url', url, '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: R3, waves: [{ wave: 0 }, { wave: 1, gateways: [{ gateway: 'gw-02', status: 'soaking' }, { gateway: 'gw-03', status: 'deferred' }] }] });
  });

  it('shows gateways outside their maintenance windows as deferred, with the next opening in UTC and the customer’s zone', async () => {
    const result = await runEssg(['rollout', 'show', R4.slice(0, 6), '--token', OPERATOR_TOKEN, '--url', url]);
    expect(result.stdout).toContain('wave 0 (canary): globex-fra-01 done');
    expect(result.stdout).toContain('not reached yet (1): acme-sh-02');
    expect(result.stdout).toContain('acme-bj-01 deferred: its edge node is offline');
    expect(result.stdout).toContain('acme-sh-01 deferred: outside its maintenance windows, the next opens 2026-12-11T18:00:00Z (2026-12-12T02:00:00+08:00 Asia/Shanghai)');
    const list = await runEssg(['rollout', 'ls', '--token', OPERATOR_TOKEN, '--url', url]);
    expect(list.stdout.split('\n').find((l) => l.startsWith(R4.slice(0, 8)))).toMatch(/in progress\s+1\s+1\s+0\s+2\s+0\s+3$/);
  });

  it('refuses an unknown rollout with a usage error', async () => {
    const result = await runEssg(['rollout', 'show', 'ffff', '--token', OPERATOR_TOKEN, '--url', url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no rollout ffff in flight');
  });
});
