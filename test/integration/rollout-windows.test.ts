// Maintenance windows on the real control plane, with the reconciler's clock moved by its
// own option (never a real wait for Saturday): acme's only window is Saturday 02:00–06:00
// Asia/Shanghai. An upgrade merged on a Tuesday waits, the gateways are OutsideWindow with
// the next opening in UTC and in Shanghai time, and it lands once the clock is inside the
// window; a pre-authorised ip-block merged outside the window reaches the firewalls in the
// next pass while emergencies bypass windows, and waits for the window when they do not.
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayStatus, StatusSnapshot } from '../../src/report/status-model.ts';
import { runEssg } from '../support/cli.ts';
import { forgetOtherFleets } from './helpers/fleet.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { createRolloutFleet, deployments, removeRolloutFleet, type RolloutFleet } from './helpers/rollout-fleet.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes } from './helpers/runtime.ts';
import { testbed } from './helpers/testbed.ts';
import { OPERATOR_TOKEN, fetchAsOperator } from '../support/status-auth.ts';

const ACME_WINDOW = '{ cron: "0 2 * * 6", duration: 4h, timezone: Asia/Shanghai }';
/** Tuesday 2026-12-08, 20:00 in Shanghai: the evening the upgrade landed at once. */
const TUESDAY_EVENING = '2026-12-08T12:00:00Z';
/** The next opening of acme's window after it: Saturday 2026-12-12 02:00 Shanghai time. */
const NEXT_OPENING = { at: '2026-12-11T18:00:00.000Z', local: '2026-12-12T02:00:00+08:00', timezone: 'Asia/Shanghai' };
/** Five minutes into that window. */
const SATURDAY_IN_WINDOW = '2026-12-11T18:05:00Z';

/** `--clock-offset` in seconds that puts the reconciler's clock at `instant` now. */
const offsetTo = (instant: string): string => String(Math.round((Date.parse(instant) - Date.now()) / 1000));

let k: Kube;
const fleets: RolloutFleet[] = [];
const processes: ReconcilerProcess[] = [];
const cacheDirs: string[] = [];

printReconcilerLogOnFailure();

async function newFleet(options: Partial<Parameters<typeof createRolloutFleet>[0]>): Promise<RolloutFleet> {
  // A reconciler owns the cluster: earlier fleets' inventories would be pruned as removed gateways.
  await forgetOtherFleets();
  const fleet = await createRolloutFleet({ size: 2, canaries: 1, maxUnavailable: 1, soakSeconds: 1, maintenanceWindows: [ACME_WINDOW], ...options });
  fleets.push(fleet);
  return fleet;
}

async function ipBlockOf(fleet: RolloutFleet, gateway: string): Promise<{ inbound: string[]; outbound: string[] }> {
  const list = await k.core.readNamespacedConfigMap({ namespace: fleet.namespace, name: `${gateway}-ip-block` });
  return JSON.parse(list.data!['ip-block.json']!) as { inbound: string[]; outbound: string[] };
}

const ipBlockResponse = (name: string, cidr: string) => ({
  [`responses/${name}.yaml`]: [
    'apiVersion: essg.io/v1', 'kind: Response', `metadata:\n  name: ${name}`, 'spec:', '  action: ip-block', '  customer: acme',
    '  reason: "INC-5120: scanner hitting acme\'s VPN"', '  expires: "2027-06-01T00:00:00Z"', '  ipBlock:', `    cidrs: [${cidr}]`, '    direction: inbound', '',
  ].join('\n'),
});

describe('maintenance windows', () => {
  beforeAll(async () => {
    k = await kube();
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await stopTestRuntimes();
  });

  afterAll(async () => {
    for (const fleet of fleets) await removeRolloutFleet(fleet, k);
    for (const dir of cacheDirs) await rm(dir, { recursive: true, force: true });
  });

  it('an upgrade merged outside acme\'s window waits, OutsideWindow with the next opening in UTC and Shanghai time, and lands once the clock is in the window', async () => {
    const fleet = await newFleet({});
    const { kubeconfig } = await testbed();
    const cacheDir = path.join(os.tmpdir(), `essg-it-win-${fleet.prefix}`);
    cacheDirs.push(cacheDir);
    const reconcile = (instant: string) => {
      const p = startReconciler([
        '--repo', fleet.url, '--branch', 'main', '--approvals', 'off', '--kubeconfig', kubeconfig, '--cache-dir', cacheDir,
        '--listen', '127.0.0.1:0', '--interval', '*/2 * * * * *',
      ], { ESSG_CLOCK_OFFSET: offsetTo(instant) });
      processes.push(p);
      return p;
    };
    const statusOf = async (url: string): Promise<StatusSnapshot> => (await fetchAsOperator(`${url}/status`)).json() as Promise<StatusSnapshot>;
    const ours = (snapshot: StatusSnapshot): GatewayStatus[] => snapshot.gateways.filter((g) => fleet.gateways.includes(g.gateway));
    const oldImage = fleet.image('2.3.0');
    const newImage = fleet.image('2.4.0');

    // Tuesday evening: brand-new gateways are installed at once, window or not.
    const tuesday = reconcile(TUESDAY_EVENING);
    const url = await tuesday.url();
    await waitFor('both gateways Ready on 2.3.0', async () => {
      const live = await deployments(k, fleet);
      const status = ours(await statusOf(url));
      return fleet.gateways.every((g) => live.get(g)?.image === oldImage && live.get(g)?.ready) && status.length === 2 && status.every((g) => g.phase === 'Ready');
    }, { timeoutMs: 180_000, intervalMs: 500 });

    const upgrade = await fleet.push(fleet.withVersion('2.4.0'), 'log-collector 2.4.0 on a Tuesday evening');
    const held = await waitFor('both gateways OutsideWindow for the upgrade', async () => {
      const status = ours(await statusOf(url));
      return status.every((g) => g.phase === 'OutsideWindow' && g.pendingRevision === upgrade) && status;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    for (const g of held) {
      expect(g.reason).toBe('OutsideMaintenanceWindow');
      expect(g.rollout).toMatchObject({ id: upgrade, state: 'outside-window', nextWindow: NEXT_OPENING });
      expect(g.message).toBe('next window opens 2026-12-11T18:00:00Z (2026-12-12T02:00:00+08:00 Asia/Shanghai)');
    }
    // Passes went on (the polls run every 2 s), and nothing of the upgrade reached the cluster.
    const passesWhenHeld = (await statusOf(url)).fleet.passes;
    await waitFor('two more passes', async () => (await statusOf(url)).fleet.passes >= passesWhenHeld + 2, { timeoutMs: 60_000, intervalMs: 500 });
    const live = await deployments(k, fleet);
    for (const g of fleet.gateways) expect(live.get(g)?.image).toBe(oldImage);
    expect(ours(await statusOf(url)).map((g) => g.phase)).toEqual(['OutsideWindow', 'OutsideWindow']);

    // What an operator reads: the table, one gateway in detail, the rollout.
    const table = await runEssg(['status', '--token', OPERATOR_TOKEN, '--url', url]);
    expect(table.code).toBe(0);
    for (const g of fleet.gateways) expect(table.stdout).toMatch(new RegExp(`${g}\\s+acme\\s+OutsideWindow`));
    expect(table.stdout).toContain('2026-12-12T02:00:00+08:00 Asia/Shanghai');
    const detail = await runEssg(['status', '--token', OPERATOR_TOKEN, '--url', url, '--gateway', fleet.gateways[1]!]);
    expect(detail.stdout).toContain(`${fleet.gateways[1]} (acme): OutsideWindow`);
    expect(detail.stdout).toContain('next maintenance window opens 2026-12-11T18:00:00.000Z UTC, 2026-12-12T02:00:00+08:00 Asia/Shanghai');
    const rollout = await runEssg(['rollout', 'show', upgrade.slice(0, 12), '--token', OPERATOR_TOKEN, '--url', url]);
    expect(rollout.code).toBe(0);
    for (const g of fleet.gateways) expect(rollout.stdout).toContain(`${g} deferred: outside its maintenance windows, the next opens 2026-12-11T18:00:00Z (2026-12-12T02:00:00+08:00 Asia/Shanghai)`);
    await tuesday.stop();

    // The same reconciler, its clock five minutes into Saturday's window: the upgrade lands, canary first.
    const saturday = reconcile(SATURDAY_IN_WINDOW);
    const inWindow = await saturday.url();
    await waitFor('both gateways Ready on 2.4.0', async () => {
      const now = await deployments(k, fleet);
      const status = ours(await statusOf(inWindow));
      return fleet.gateways.every((g) => now.get(g)?.image === newImage && now.get(g)?.ready) && status.length === 2 && status.every((g) => g.phase === 'Ready' && g.appliedRevision === upgrade);
    }, { timeoutMs: 180_000, intervalMs: 500 });
    const after = await deployments(k, fleet);
    const [canary, other] = fleet.gateways;
    // The canary changed first: its Deployment was applied no later than the other gateway's.
    expect(Date.parse(after.get(canary!)!.appliedAt!)).toBeLessThanOrEqual(Date.parse(after.get(other!)!.appliedAt!));
  }, 480_000);

  it('an ip-block merged outside acme\'s window reaches every acme firewall in the next pass while emergencies bypass windows', async () => {
    const fleet = await newFleet({ preauthorized: ['ip-block'], emergencyBypassesWindows: true });
    const r = await startTestRuntime({ repo: fleet.url, clock: { offsetMs: Date.parse(TUESDAY_EVENING) - Date.now() } });
    await waitFor('both gateways installed', async () => {
      await r.pass();
      const live = await deployments(k, fleet);
      return fleet.gateways.every((g) => live.get(g)?.ready);
    }, { timeoutMs: 180_000, intervalMs: 300 });

    await fleet.push(ipBlockResponse('block-vpn-scanner', '192.0.2.77/32'), 'block a scanner on a Tuesday evening');
    const pass = await r.pass();
    for (const g of fleet.gateways) {
      expect(pass.rollout?.decisions.get(g)).toMatchObject({ action: 'advance', why: 'emergency' });
      expect((await ipBlockOf(fleet, g)).inbound).toContain('192.0.2.77/32');
      expect(r.store.gateway(g)?.phase).not.toBe('OutsideWindow');
    }

    // A window that can never open is refused at its line and column; the reconciler says so and applies nothing of it.
    const customer = fleet.files['customers/acme.yaml']!.replace('"0 2 * * 6"', '"0 0 31 2 *"');
    const line = customer.split('\n').findIndex((l) => l.includes('"0 0 31 2 *"'));
    const bad = await fleet.push({ 'customers/acme.yaml': customer }, 'a window on 31 February');
    expect((await r.pass()).result).toBe('bad-commit');
    const { badCommit } = r.store.snapshot().fleet;
    expect(badCommit?.revision).toBe(bad);
    expect(badCommit?.problems).toEqual([expect.objectContaining({
      file: 'customers/acme.yaml', line: line + 1, col: customer.split('\n')[line]!.indexOf('"0 0 31 2 *"') + 1, code: 'INVALID_CRON', message: expect.stringMatching(/^cron `0 0 31 2 \*` never opens the window/),
    })]);
    for (const g of fleet.gateways) expect(r.store.gateway(g)?.appliedRevision).not.toBe(bad);
  }, 300_000);

  it('an ip-block merged outside the window waits for it when emergencies do not bypass windows, and lands once the clock is in the window', async () => {
    const fleet = await newFleet({ preauthorized: ['ip-block'], emergencyBypassesWindows: false });
    const tuesday = await startTestRuntime({ repo: fleet.url, clock: { offsetMs: Date.parse(TUESDAY_EVENING) - Date.now() } });
    await waitFor('both gateways installed', async () => {
      await tuesday.pass();
      const live = await deployments(k, fleet);
      return fleet.gateways.every((g) => live.get(g)?.ready);
    }, { timeoutMs: 180_000, intervalMs: 300 });

    const block = await fleet.push(ipBlockResponse('block-vpn-scanner', '192.0.2.78/32'), 'block a scanner on a Tuesday evening');
    for (let i = 0; i < 2; i++) {
      const pass = await tuesday.pass();
      for (const g of fleet.gateways) {
        expect(pass.rollout?.decisions.get(g)).toMatchObject({ action: 'hold', hold: { reason: 'outside-window', rollout: block, nextOpen: NEXT_OPENING } });
        expect((await ipBlockOf(fleet, g)).inbound).not.toContain('192.0.2.78/32');
        expect(tuesday.store.gateway(g)).toMatchObject({ phase: 'OutsideWindow', pendingRevision: block, rollout: { nextWindow: NEXT_OPENING } });
      }
    }
    await tuesday.stop();

    const saturday = await startTestRuntime({ repo: fleet.url, clock: { offsetMs: Date.parse(SATURDAY_IN_WINDOW) - Date.now() } });
    const pass = await saturday.pass();
    for (const g of fleet.gateways) {
      expect(pass.rollout?.decisions.get(g)).toMatchObject({ action: 'advance', why: 'emergency', revision: block });
      expect((await ipBlockOf(fleet, g)).inbound).toContain('192.0.2.78/32');
    }
  }, 300_000);
});
