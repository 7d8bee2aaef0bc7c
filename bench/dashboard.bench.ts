// The dashboard at 1,000 gateways: the product's status store filled with 1,000 gateway
// records (4 services each, a full history), served by the product's HTTP server, loaded
// in headless Chromium. Measures the time from navigation to every gateway's chip drawn,
// and from a keystroke of search or a phase filter to its result drawn.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetMetrics } from '../src/report/metrics.ts';
import { HISTORY_LIMIT, type HistoryEntry } from '../src/report/history.ts';
import { createStatusServer } from '../src/report/http-server.ts';
import type { Phase } from '../src/report/status-model.ts';
import { StatusStore } from '../src/report/status-store.ts';
import type { GatewayReport } from '../src/report/status-update.ts';
import { launchChromium } from '../test/support/browser.ts';
import { writeSection } from './report.ts';
import { OPERATOR_HEADERS, fetchAsOperator, operatorAuth } from '../test/support/status-auth.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GATEWAYS = 1_000;
const CUSTOMERS = 20;
const RUNS = 5;
const SERVICES = ['ids', 'log-collector', 'firewall', 'vuln-scanner', 'edr-adapter', 'netflow-exporter'] as const;
const REVISION = 'c0ffee'.padEnd(40, '0');

/** Gateway i: mostly Ready, a few in each other phase, as a fleet in the middle of a working day. */
function report(i: number): GatewayReport {
  const name = `gw-${String(i).padStart(4, '0')}`;
  const phase: Phase = i % 50 === 0 ? 'Offline' : i % 37 === 0 ? 'Degraded' : i % 23 === 0 ? 'Progressing' : 'Ready';
  return {
    gateway: name,
    customer: `customer-${String(i % CUSTOMERS).padStart(2, '0')}`,
    node: {
      name, ready: phase === 'Offline' ? 'Unknown' : 'True', lastHeartbeat: new Date().toISOString(), pressure: { memory: false, disk: false, pid: false },
      usage: { cpuMillicores: 200 + (i % 300), cpuCapacityMillicores: 4000, memoryBytes: (512 + (i % 512)) * 2 ** 20, memoryCapacityBytes: 8 * 2 ** 30 },
    },
    phase, reason: phase, message: `${phase} (synthetic)`, appliedRevision: REVISION,
    services: [0, 1, 2, 3].map((k) => {
      const service = SERVICES[(i + k) % SERVICES.length]!;
      const desiredVersion = `1.${k}.0`;
      const ready = phase !== 'Degraded' || k !== 0;
      const pods = [{ name: `${name}-${service}-7d9f8b6c5d-x${k}q2z`, version: desiredVersion, phase: 'Running', ready, restarts: 0, health: ready ? 'Healthy' : 'Progressing', ...(ready ? {} : { message: 'running, not ready yet' }) }];
      return { name: service, desiredVersion, runningVersion: phase === 'Progressing' && k === 0 ? '1.0.0-old' : desiredVersion, ready, restarts: 0, pods };
    }),
  };
}

function history(gateway: GatewayReport): HistoryEntry[] {
  return Array.from({ length: HISTORY_LIMIT }, (_, k) => ({
    time: new Date(Date.UTC(2026, 10, 1) + k * 3_600_000).toISOString(), kind: 'updated', revision: REVISION,
    service: gateway.services[k % gateway.services.length]!.name, from: `1.${k}.0`, to: `1.${k + 1}.0`, cause: `rollout ${REVISION.slice(0, 12)}, wave ${k % 4}`,
  }));
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function main(): Promise<void> {
  const store = new StatusStore();
  const reports = Array.from({ length: GATEWAYS }, (_, i) => report(i + 1));
  for (const r of reports) {
    store.reportGateway(r);
    store.setHistory(r.gateway, history(r));
  }
  const server = createStatusServer({ store, auth: operatorAuth(store), metrics: new FleetMetrics({ phases: () => store.phaseCounts() }), host: '127.0.0.1', port: 0 });
  const url = await server.listen();
  // What the page polls (the list) against the full snapshot: size, and the server's answer time, median of 9 each.
  const answer = async (p: string) => {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      bytes = (await (await fetchAsOperator(`${url}${p}`)).arrayBuffer()).byteLength;
      times.push(performance.now() - t0);
    }
    return { bytes, ms: median(times) };
  };
  const full = await answer('/status');
  const list = await answer('/status?view=list');
  const one = await answer(`/status/gateways/${reports[1]!.gateway}`);
  const searched = 'gw-01';
  const searchHits = reports.filter((r) => r.gateway.includes(searched)).length;
  const offline = reports.filter((r) => r.phase === 'Offline').length;
  const browser = await launchChromium();
  const load: number[] = [];
  const search: number[] = [];
  const filter: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 900 });
      await page.setExtraHTTPHeaders(OPERATOR_HEADERS);
      const started = Date.now();
      await page.goto(url);
      await page.waitForFunction((n) => document.querySelectorAll('#customers .tile').length === n, { polling: 'raf', timeout: 60_000 }, GATEWAYS);
      load.push(Date.now() - started);
      // In the page: from the input event to the next frame drawn with its result.
      const timed = (action: 'search' | 'filter', expected: number) => page.evaluate(async (what, term, want) => {
        const t0 = performance.now();
        if (what === 'search') {
          const input = document.getElementById('search') as HTMLInputElement;
          input.value = term;
          input.dispatchEvent(new Event('input'));
        } else {
          (document.querySelector('#phases button[data-phase="Offline"]') as HTMLButtonElement).click();
        }
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const shown = document.querySelectorAll('#customers .tile').length;
        if (shown !== want) throw new Error(`${what}: ${shown} chips shown, ${want} expected`);
        return performance.now() - t0;
      }, action, searched, expected);
      search.push(await timed('search', searchHits));
      await page.evaluate(() => {
        const input = document.getElementById('search') as HTMLInputElement;
        input.value = '';
        input.dispatchEvent(new Event('input'));
      });
      filter.push(await timed('filter', offline));
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const row = (what: string, ms: number[]) => `| ${what} | ${median(ms).toFixed(0)} ms | ${Math.min(...ms).toFixed(0)} ms | ${Math.max(...ms).toFixed(0)} ms |`;
  const answerRow = (what: string, a: { bytes: number; ms: number }) => `| ${what} | ${(a.bytes / 2 ** 20).toFixed(2)} MiB | ${a.ms.toFixed(0)} ms |`;
  const answers = [answerRow('`/status` (every gateway whole)', full), answerRow('`/status?view=list` (what the page polls every 3 s)', list), answerRow('`/status/gateways/NAME` (the open gateway)', one)];
  console.log(answers.join('\n'));
  const rows = [row('navigation → every chip drawn', load), row(`search "${searched}" → ${searchHits} chips drawn`, search), row(`phase filter Offline → ${offline} chips drawn`, filter)];
  console.log(rows.join('\n'));
  await writeSection(path.join(root, 'BENCHMARKS.md'), {
    id: 'dashboard',
    title: 'Dashboard at 1,000 gateways',
    command: 'npm run bench -- dashboard',
    body: `The product's status store holds ${GATEWAYS.toLocaleString('en')} gateways of ${CUSTOMERS} customers, 4 services each with its pod, ${HISTORY_LIMIT} history entries each (a full history); its HTTP server serves the dashboard on loopback, and headless Chromium (Debian's \`chromium\`, puppeteer-core) loads it in a fresh tab, ${RUNS} times. Load: from navigation until every gateway's chip is in the page (HTML, script, the fleet list fetched and parsed, drawn). Search and filter: in the page, from the input event to the next frame with its result.

| answer | size | server answer (median of 9) |
|---|---|---|
${answers.join('\n')}

| measured | median | best | worst |
|---|---|---|---|
${rows.join('\n')}`,
  });
}
