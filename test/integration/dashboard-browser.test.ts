// The dashboard in headless Chromium against `essg reconcile` as an operator runs it (a
// child process serving its HTTP port) on the test bed: the figures it shows are /status's,
// a gateway's drill-down shows its services, node figures, history and its pod's log lines,
// the service view follows a rollout, and a gateway that goes offline turns Offline on the
// open page, with no reload.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/report/index.ts';
import { EMULATED_LOG_LINES } from '../../src/testbed/pod-logs.ts';
import { launchChromium, screenshot, signInWithToken } from '../support/browser.ts';
import { forgetOtherFleets } from './helpers/fleet.ts';
import { bringOnline, kube, takeOffline, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { createRolloutFleet, removeRolloutFleet, ROLLOUT_SERVICE, type RolloutFleet } from './helpers/rollout-fleet.ts';
import { testbed } from './helpers/testbed.ts';
import { OPERATOR_TOKEN, fetchAsOperator } from '../support/status-auth.ts';

// Long enough that the rollout is still at its canary while the test looks at it.
const SOAK_SECONDS = 120;

let k: Kube;
let fleet: RolloutFleet;
let reconciler: ReconcilerProcess;
let url: string;
let browser: Browser;
let page: Page;
let offline: string | undefined;

const status = async (): Promise<StatusSnapshot> => (await fetchAsOperator(`${url}/status`)).json() as Promise<StatusSnapshot>;

/** The text of every element matching `selector`, in page order. */
const texts = (selector: string): Promise<string[]> => page.$$eval(selector, (nodes) => nodes.map((n) => n.textContent ?? ''));

/** Polls the open page (never reloading it) until `probe` gives a value. */
const onPage = <T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> => waitFor(what, probe, { timeoutMs, intervalMs: 250 });

describe('the dashboard in a browser', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createRolloutFleet({ size: 3, canaries: 1, maxUnavailable: 1, soakSeconds: SOAK_SECONDS });
    // Polls every two seconds, so the rollout and the offline gateway show up within the test's deadlines.
    reconciler = startReconciler([
      '--repo', fleet.url, '--branch', 'main', '--approvals', 'off', '--kubeconfig', (await testbed()).kubeconfig,
      '--cache-dir', path.join(os.tmpdir(), `essg-it-dash-${randomBytes(3).toString('hex')}`), '--listen', '127.0.0.1:0', '--interval', '*/2 * * * * *',
    ]);
    url = await reconciler.url();
    await waitFor('every gateway Ready', async () => {
      const { gateways } = await status();
      return gateways.length === fleet.gateways.length && gateways.every((g) => g.phase === 'Ready');
    }, { timeoutMs: 120_000, intervalMs: 500 });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    await signInWithToken(page, url, OPERATOR_TOKEN);
    // A reload would drop this marker: the live updates below must come without one.
    await page.evaluate(() => { (window as unknown as { loadedOnce: boolean }).loadedOnce = true; });
  }, 240_000);

  afterAll(async () => {
    if (offline) await bringOnline(offline).catch(() => undefined);
    await browser?.close();
    await reconciler?.stop();
    await removeRolloutFleet(fleet, k);
  }, 120_000);

  it('shows the phase counts, rollouts, offline and failed figures that /status gives', async () => {
    await onPage('a chip per gateway', async () => (await page.$$('#customers .tile')).length === fleet.gateways.length);
    const snapshot = await status();
    const phases = await page.$$eval('#phases button', (buttons) => buttons.map((b) => [b.getAttribute('data-phase'), b.textContent]));
    expect(phases).toEqual(Object.entries(snapshot.fleet.phases).map(([phase, n]) => [phase, `${phase} ${n}`]));
    const figure = async (name: string) => (await texts(`#glance [data-figure="${name}"] b`))[0];
    expect(await figure('gateways')).toBe(String(snapshot.gateways.length));
    expect(await figure('offline')).toBe(String(snapshot.fleet.phases.Offline));
    expect(await figure('failed')).toBe(String(snapshot.fleet.phases.Failed + snapshot.fleet.phases.RolledBack));
    expect(await figure('rollouts')).toBe(String(snapshot.rollouts.filter((r) => !r.complete && !r.halted).length));
    expect((await texts('#customers .tile')).sort()).toEqual(snapshot.gateways.map((g) => g.gateway).sort());
  });

  it('filters the chips by search text and by phase', async () => {
    const [first] = fleet.gateways;
    await page.type('#search', first!);
    await onPage('only the searched gateway', async () => JSON.stringify(await texts('#customers .tile')) === JSON.stringify([first]));
    await page.$eval('#search', (input) => { (input as HTMLInputElement).value = ''; input.dispatchEvent(new Event('input')); });
    await page.click('#phases button[data-phase="Offline"]');
    expect(await texts('#customers .tile')).toEqual([]);
    await page.click('#phases button[data-phase="Offline"]');
    expect(await texts('#customers .tile')).toHaveLength(fleet.gateways.length);
  });

  it('drills into a gateway: its services, its node\'s figures, its history, and a service\'s log lines from its pod', async () => {
    const gateway = fleet.gateways[1]!;
    await page.click(`#customers .tile[data-gateway="${gateway}"]`);
    const services = await onPage('the gateway\'s services', async () => {
      const rows = await page.$$eval('#detail table:first-of-type tr', (trs) => trs.slice(1).map((tr) => tr.firstChild?.textContent));
      return rows.length ? rows : undefined;
    });
    expect(services).toEqual((await status()).gateways.find((g) => g.gateway === gateway)!.services.map((s) => s.name));
    // metrics-server scrapes every 10 s: the figures arrive on the open page with a later /status.
    const nodeUse = await onPage('the node\'s CPU and memory', async () => (await texts('#detail .node-use')).find((t) => t.includes('CPU') && !t.includes('no figures')), 90_000);
    expect(nodeUse).toMatch(/^node use: CPU \d+m\/\d+m \(\d+%\), memory \d+Mi\/\d+Mi \(\d+%\)$/);
    // Its pods, as the cluster runs them: name, version, phase, readiness, restarts and health.
    const pods = await onPage('the gateway\'s pods', async () => {
      const rows = await texts('#pods tr');
      return rows.some((row) => row.startsWith(ROLLOUT_SERVICE)) ? rows : undefined;
    });
    expect(pods.find((row) => row.startsWith(ROLLOUT_SERVICE))).toMatch(new RegExp(`^${ROLLOUT_SERVICE}${gateway}-${ROLLOUT_SERVICE}-\\S+?2\\.3\\.0Runningready0 restartsHealthylogs$`));
    const history = await texts('#history tr');
    expect(history.length).toBeGreaterThan(0);
    expect(history.some((row) => row.includes(ROLLOUT_SERVICE))).toBe(true);

    // Its services' data flows, as the catalog declares them: drawn, and listed as text.
    const flows = await texts('#flows li');
    const declared = (await (await fetchAsOperator(`${url}/status/gateways/${gateway}`)).json() as { flows: { from: string; to: string; what: string }[] }).flows;
    expect(flows).toHaveLength(declared.length);
    expect(flows).toContain(`${ROLLOUT_SERVICE} → SOC: security events and alerts`);
    expect(flows.some((f) => f.startsWith(`site network → ${ROLLOUT_SERVICE}: `))).toBe(true);
    expect(await page.$$eval('#flow-graph path.flow', (paths) => paths.length)).toBe(declared.length);

    await page.click(`#detail button[aria-label="show the logs of ${ROLLOUT_SERVICE}"]`);
    const logs = await onPage('the log lines', async () => (await texts('#logs')).find((t) => t.includes(EMULATED_LOG_LINES.at(-1)!)), 30_000);
    for (const line of EMULATED_LOG_LINES) expect(logs).toContain(line);
    expect((await texts('#detail h3')).find((t) => t.startsWith(`logs of ${ROLLOUT_SERVICE}`))).toMatch(new RegExp(`from pod ${fleet.namespace}/`));
    await screenshot(page, 'dashboard-gateway-detail');
  });

  it('shows in the service view the rollout of a new version: its progress and the versions that run', async () => {
    const id = await fleet.push(fleet.withVersion('2.4.0'), 'log-collector 2.4.0 on every gateway');
    await page.click('#view-services');
    const row = `#service-table tr[data-service="${ROLLOUT_SERVICE}"]`;
    const running = await onPage('the canary on 2.4.0', async () => (await texts(`${row} td:nth-child(2)`)).find((t) => t.includes('2.4.0 on 1')), 90_000);
    expect(running).toContain(`2.3.0 on ${fleet.gateways.length - 1}`);
    const progress = (await texts(`${row} .service-rollouts`))[0];
    const rollout = (await status()).rollouts.find((r) => r.id === id)!;
    const done = rollout.waves.flatMap((w) => w.gateways).filter((g) => g.status === 'done').length;
    // The rollout is attributed to the service it changes, with what it changes.
    expect(rollout.services).toEqual([{ service: ROLLOUT_SERVICE, from: ['2.3.0'], to: '2.4.0', gateways: fleet.gateways.length }]);
    expect(progress).toBe(`${id.slice(0, 8)}: ${done} of ${fleet.gateways.length} done 2.3.0 → 2.4.0`);
    await page.click(`${row} button`);
    expect((await texts('#service-gateways .tile')).sort()).toEqual(expect.arrayContaining([`${fleet.canaries[0]} 2.4.0`]));
    await screenshot(page, 'dashboard-services');
  });

  it('turns a gateway\'s chip Offline when its uplink drops, without a reload', async () => {
    await page.click('#view-customers');
    offline = fleet.gateways.at(-1)!;
    await takeOffline(offline);
    await onPage('the chip Offline', async () => (await page.$eval(`#customers .tile[data-gateway="${offline}"]`, (chip) => chip.className)).includes('Offline'), 90_000);
    expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    expect((await texts('#glance [data-figure="offline"] b'))[0]).toBe('1');
    await screenshot(page, 'dashboard-offline');
  });
});
