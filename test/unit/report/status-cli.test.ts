// `essg status` against a running status server, as an operator runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetMetrics, type GatewayReport, type StatusServer, StatusStore, createStatusServer } from '../../../src/report/index.ts';
import { runEssg } from '../../support/cli.ts';
import { OPERATOR_TOKEN, operatorAuth } from '../../support/status-auth.ts';

function gateway(name: string, customer: string, phase: GatewayReport['phase'], message = `${phase.toLowerCase()}`): GatewayReport {
  return {
    gateway: name,
    customer,
    node: { name, ready: 'True', lastHeartbeat: '2026-01-01T00:00:00.000Z', pressure: { memory: false, disk: phase === 'Degraded', pid: false } },
    phase,
    reason: phase,
    message,
    appliedRevision: '1234567890abcdef'.padEnd(40, '0'),
    services: [
      { name: 'ids', desiredVersion: '1.1.0', runningVersion: '1.0.0', ready: true, restarts: 0 },
      { name: 'fw', desiredVersion: '2.0.0', runningVersion: '2.0.0', ready: phase === 'Ready', restarts: 3 },
    ],
  };
}

async function serve(reports: readonly GatewayReport[]): Promise<{ server: StatusServer; url: string; store: StatusStore }> {
  const store = new StatusStore();
  for (const r of reports) store.reportGateway(r);
  const server = createStatusServer({ store, auth: operatorAuth(store), metrics: new FleetMetrics({ phases: () => store.phaseCounts() }), host: '127.0.0.1', port: 0 });
  return { server, url: await server.listen(), store };
}

describe('essg status', () => {
  let healthy: Awaited<ReturnType<typeof serve>>;
  let broken: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    healthy = await serve([gateway('acme-01', 'acme', 'Ready'), gateway('zeta-01', 'zeta', 'Offline', 'node zeta-01 Ready=Unknown')]);
    broken = await serve([gateway('acme-01', 'acme', 'Ready'), gateway('acme-02', 'acme', 'Degraded', 'fw not ready: CrashLoopBackOff')]);
    broken.store.revisionBad({ revision: 'f'.repeat(40), problems: [{ file: 'gateways/acme/acme-02.yaml', line: 9, col: 7, code: 'UNKNOWN_SERVICE', message: 'unknown service "fww"' }] });
  });
  afterAll(async () => {
    await healthy.server.close();
    await broken.server.close();
  });

  it('prints one row per gateway with phase, applied revision and ready services, and exits 0 when none is Failed or Degraded', async () => {
    const result = await runEssg(['status', '--token', OPERATOR_TOKEN, '--url', healthy.url]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('GATEWAY'))).toMatch(/^GATEWAY\s+CUSTOMER\s+PHASE\s+APPLIED\s+READY\s+ROLLOUT\s+MESSAGE$/);
    expect(lines.find((l) => l.startsWith('acme-01'))).toMatch(/^acme-01\s+acme\s+Ready\s+12345678\s+2\/2\s+-\s+ready$/);
    expect(lines.find((l) => l.startsWith('zeta-01'))).toMatch(/^zeta-01\s+zeta\s+Offline\s+12345678\s+1\/2\s+-\s+node zeta-01 Ready=Unknown$/);
  });

  it('exits 1 when a gateway is Degraded, and shows a bad commit with its FILE:LINE problems', async () => {
    const result = await runEssg(['status', '--token', OPERATOR_TOKEN, '--url', broken.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('gateways/acme/acme-02.yaml:9:7: UNKNOWN_SERVICE: unknown service "fww"');
    expect(result.stdout).toMatch(/acme-02\s+acme\s+Degraded\s+12345678→ffffffff\s+1\/2\s+-\s+fw not ready: CrashLoopBackOff; commit f{12} is not applied/);
  });

  it('prints the status as JSON with --format json, with the same exit code', async () => {
    const result = await runEssg(['status', '--token', OPERATOR_TOKEN, '--url', broken.url, '--format', 'json']);
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout);
    expect(body.gateways.map((g: { gateway: string; phase: string }) => [g.gateway, g.phase])).toEqual([['acme-01', 'Ready'], ['acme-02', 'Degraded']]);
    expect(body.fleet.badCommit).toEqual({ revision: 'f'.repeat(40), problems: [{ file: 'gateways/acme/acme-02.yaml', line: 9, col: 7, code: 'UNKNOWN_SERVICE', message: 'unknown service "fww"' }] });
  });

  it('shows one gateway in detail with --gateway: services desired against running, node and pressure', async () => {
    const result = await runEssg(['status', '--token', OPERATOR_TOKEN, '--url', broken.url, '--gateway', 'acme-02']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('acme-02 (acme): Degraded');
    expect(result.stdout).toContain('pressure disk');
    expect(result.stdout).toMatch(/ids\s+1\.1\.0\s+1\.0\.0\s+yes\s+0/);
    expect(result.stdout).toMatch(/fw\s+2\.0\.0\s+2\.0\.0\s+no\s+3/);
  });

  it('shows a gateway outside its window with the next opening in UTC and the customer’s zone, in the table and in detail, and exits 0', async () => {
    const next = { at: '2026-12-11T18:00:00.000Z', local: '2026-12-12T02:00:00+08:00', timezone: 'Asia/Shanghai' };
    const message = 'next window opens 2026-12-11T18:00:00Z (2026-12-12T02:00:00+08:00 Asia/Shanghai)';
    const held = await serve([{ ...gateway('acme-03', 'acme', 'OutsideWindow', message), reason: 'OutsideMaintenanceWindow', pendingRevision: 'e'.repeat(40), rollout: { id: 'e'.repeat(40), state: 'outside-window', message, nextWindow: next } }]);
    try {
      const table = await runEssg(['status', '--token', OPERATOR_TOKEN, '--url', held.url]);
      expect(table.code).toBe(0);
      expect(table.stdout.split('\n').find((l) => l.startsWith('acme-03'))).toMatch(/^acme-03\s+acme\s+OutsideWindow\s+12345678→eeeeeeee\s+1\/2\s+eeeeeeee outside-window\s+next window opens 2026-12-11T18:00:00Z \(2026-12-12T02:00:00\+08:00 Asia\/Shanghai\)$/);
      const detail = await runEssg(['status', '--token', OPERATOR_TOKEN, '--url', held.url, '--gateway', 'acme-03']);
      expect(detail.stdout).toContain('acme-03 (acme): OutsideWindow');
      expect(detail.stdout).toContain('  next maintenance window opens 2026-12-11T18:00:00.000Z UTC, 2026-12-12T02:00:00+08:00 Asia/Shanghai');
    } finally {
      await held.server.close();
    }
  });

  it('shows a gateway\'s history with --gateway, newest first: kind, service, from → to, revision and cause', async () => {
    healthy.store.setHistory('acme-01', [
      { time: '2026-01-01T00:00:00.000Z', kind: 'installed', service: 'ids', to: '1.0.0', revision: 'a'.repeat(40), cause: 'first install of the gateway' },
      { time: '2026-01-02T00:00:00.000Z', kind: 'updated', service: 'ids', from: '1.0.0', to: '1.1.0', revision: 'b'.repeat(40), cause: 'rollout bbbbbbbbbbbb wave 1, PR #7 approved by acme-lead' },
      { time: '2026-01-03T00:00:00.000Z', kind: 'offline', revision: 'b'.repeat(40), cause: 'edge node acme-01 unreachable' },
    ]);
    const result = await runEssg(['status', '--token', OPERATOR_TOKEN, '--url', healthy.url, '--gateway', 'acme-01']);
    const history = result.stdout.split('\n').slice(result.stdout.split('\n').indexOf('HISTORY') + 1).filter(Boolean);
    expect(history).toEqual([
      '  2026-01-03T00:00:00.000Z  offline  @bbbbbbbb  edge node acme-01 unreachable',
      '  2026-01-02T00:00:00.000Z  updated  ids  1.0.0 → 1.1.0  @bbbbbbbb  rollout bbbbbbbbbbbb wave 1, PR #7 approved by acme-lead',
      '  2026-01-01T00:00:00.000Z  installed  ids  1.0.0  @aaaaaaaa  first install of the gateway',
    ]);
  });

  it('reads the endpoint from ESSG_STATUS_URL and the token from ESSG_STATUS_TOKEN', async () => {
    const result = await runEssg(['status', '--format', 'json'], { env: { ESSG_STATUS_URL: healthy.url, ESSG_STATUS_TOKEN: OPERATOR_TOKEN } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).gateways).toHaveLength(2);
  });

  it('says how to sign in when it has no token, with exit code 2', async () => {
    const result = await runEssg(['status', '--url', healthy.url], { env: { ESSG_STATUS_TOKEN: '', GITHUB_TOKEN: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('set ESSG_STATUS_TOKEN (or GITHUB_TOKEN) to a GitHub token or the status token');
  });

  it('says which gateway is unknown, with exit code 2', async () => {
    const result = await runEssg(['status', '--token', OPERATOR_TOKEN, '--url', healthy.url, '--gateway', 'nope-01']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no gateway nope-01');
  });

  it('says how to reach the reconciler when nothing answers, with exit code 2', async () => {
    const result = await runEssg(['status', '--token', OPERATOR_TOKEN, '--url', 'http://127.0.0.1:1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot reach the reconciler at http://127.0.0.1:1');
    expect(result.stderr).toContain('port-forward');
  });
});
