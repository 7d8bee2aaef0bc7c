import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from '../../../src/report/http-server.ts';
import { FleetMetrics, type GatewayReport, type StatusServer, StatusStore, type HttpHandler, createStatusServer } from '../../../src/report/index.ts';
import { createWebhookHandler, signBody } from '../../../src/source/webhook.ts';
import { fetchAsOperator, operatorAuth } from '../../support/status-auth.ts';

const servers: StatusServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function gateway(name: string, customer: string, phase: GatewayReport['phase']): GatewayReport {
  return {
    gateway: name,
    customer,
    node: { name, ready: phase === 'Offline' ? 'Unknown' : 'True', pressure: { memory: false, disk: false, pid: false } },
    phase,
    reason: phase,
    message: `${name} is ${phase}`,
    appliedRevision: 'a'.repeat(40),
    services: [{ name: 'ids', desiredVersion: '1.0.0', runningVersion: '1.0.0', ready: phase === 'Ready', restarts: 0 }],
  };
}

async function start(options: { webhook?: HttpHandler; isReady?: () => boolean; timeouts?: Partial<HttpTimeouts> } = {}) {
  const store = new StatusStore();
  const metrics = new FleetMetrics({ phases: () => store.phaseCounts() });
  const server = createStatusServer({ store, auth: operatorAuth(store), metrics, host: '127.0.0.1', port: 0, ...options });
  servers.push(server);
  const url = await server.listen();
  return { store, metrics, server, url };
}

describe('status HTTP server', () => {
  it('serves the fleet and its gateways as JSON, filtered by phase and customer', async () => {
    const { store, url } = await start();
    store.reportGateway(gateway('acme-01', 'acme', 'Ready'));
    store.reportGateway(gateway('acme-02', 'acme', 'Offline'));
    store.reportGateway(gateway('zeta-01', 'zeta', 'Ready'));

    const all = await (await fetchAsOperator(`${url}/status`)).json();
    expect(all.gateways.map((g: { gateway: string }) => g.gateway)).toEqual(['acme-01', 'acme-02', 'zeta-01']);
    expect(all.fleet.phases).toMatchObject({ Ready: 2, Offline: 1 });

    const offline = await (await fetchAsOperator(`${url}/status?phase=Offline`)).json();
    expect(offline.gateways.map((g: { gateway: string }) => g.gateway)).toEqual(['acme-02']);
    const zeta = await (await fetchAsOperator(`${url}/status?customer=zeta`)).json();
    expect(zeta.gateways.map((g: { gateway: string }) => g.gateway)).toEqual(['zeta-01']);
  });

  it('serves the fleet list without histories and pods (?view=list), filtered like the full view; the gateway alone keeps them', async () => {
    const { store, url } = await start();
    const withPods = (g: GatewayReport): GatewayReport => ({ ...g, services: g.services.map((s) => ({ ...s, pods: [{ name: `${g.gateway}-ids-0`, version: '1.0.0', phase: 'Running', ready: true, restarts: 0, health: 'Healthy' }] })) });
    store.reportGateway(withPods(gateway('acme-01', 'acme', 'Ready')));
    store.reportGateway(withPods(gateway('zeta-01', 'zeta', 'Ready')));
    store.setHistory('acme-01', [{ time: '2026-12-01T00:00:00.000Z', kind: 'installed', revision: 'a'.repeat(40), cause: 'first apply' }]);

    const full = await (await fetchAsOperator(`${url}/status`)).json();
    const list = await (await fetchAsOperator(`${url}/status?view=list&customer=acme`)).json();
    expect(list.fleet).toEqual(full.fleet);
    expect(list.gateways.map((g: { gateway: string }) => g.gateway)).toEqual(['acme-01']);
    const { history, services, ...rest } = full.gateways[0];
    expect(history).toHaveLength(1);
    expect(list.gateways[0]).toEqual({ ...rest, services: services.map(({ pods: _pods, ...s }: { pods: unknown }) => s) });
    const one = await (await fetchAsOperator(`${url}/status/gateways/acme-01`)).json();
    expect(one.history).toHaveLength(1);
    expect(one.services[0].pods).toEqual([{ name: 'acme-01-ids-0', version: '1.0.0', phase: 'Running', ready: true, restarts: 0, health: 'Healthy' }]);
    expect((await fetchAsOperator(`${url}/status?view=everything`)).status).toBe(400);
  });

  it('rejects an unknown phase filter with 400', async () => {
    const { url } = await start();
    const res = await fetchAsOperator(`${url}/status?phase=Sleeping`);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toContain('Sleeping');
  });

  it('serves one gateway by name, and 404 for an unknown one', async () => {
    const { store, url } = await start();
    store.reportGateway(gateway('acme-01', 'acme', 'Ready'));
    const res = await fetchAsOperator(`${url}/status/gateways/acme-01`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ gateway: 'acme-01', customer: 'acme', phase: 'Ready', services: [{ name: 'ids' }] });
    expect((await fetchAsOperator(`${url}/status/gateways/nope`)).status).toBe(404);
  });

  it('exposes pass, phase, API request and error metrics in the Prometheus format', async () => {
    const { store, metrics, url } = await start();
    store.reportGateway(gateway('acme-01', 'acme', 'Ready'));
    store.reportGateway(gateway('acme-02', 'acme', 'Failed'));
    metrics.observePass({ durationMs: 1500, result: 'partial', timings: { fetch: 200, load: 1300 } });
    metrics.apiRequest('list', 3);
    metrics.apiRequest('patch', 2);
    metrics.applyError('Conflict');
    metrics.driftRestoredObjects(4);
    metrics.gitFetchError();
    metrics.githubError();

    const res = await fetchAsOperator(`${url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('essg_gateways{phase="Ready"} 1');
    expect(text).toContain('essg_gateways{phase="Failed"} 1');
    expect(text).toContain('essg_gateways{phase="Offline"} 0');
    expect(text).toContain('essg_passes_total{result="partial"} 1');
    expect(text).toContain('essg_pass_duration_seconds_bucket{le="2.5",result="partial"} 1');
    expect(text).toContain('essg_pass_duration_seconds_bucket{le="1",result="partial"} 0');
    expect(text).toContain('essg_pass_step_duration_seconds_bucket{le="0.25",step="fetch"} 1');
    expect(text).toContain('essg_pass_step_duration_seconds_bucket{le="1",step="load"} 0');
    expect(text).toContain('essg_pass_step_duration_seconds_sum{step="load"} 1.3');
    expect(text).toContain('essg_api_requests_total{verb="list"} 3');
    expect(text).toContain('essg_api_requests_total{verb="patch"} 2');
    expect(text).toContain('essg_api_writes_total{verb="patch"} 2');
    expect(text).not.toContain('essg_api_writes_total{verb="list"}');
    expect(text).toContain('essg_apply_errors_total{reason="Conflict"} 1');
    expect(text).toContain('essg_drift_restored_total 4');
    expect(text).toContain('essg_git_fetch_errors_total 1');
    expect(text).toContain('essg_github_errors_total 1');
    // Gateway names never become label values: cardinality stays fixed as the fleet grows.
    expect(text).not.toContain('acme-01');
  });

  it('answers /healthz always and /readyz only once a first pass completed', async () => {
    const { store, url } = await start();
    expect((await fetchAsOperator(`${url}/healthz`)).status).toBe(200);
    expect((await fetchAsOperator(`${url}/readyz`)).status).toBe(503);
    store.passStarted();
    store.passFinished({ result: 'success' });
    expect((await fetchAsOperator(`${url}/readyz`)).status).toBe(200);
  });

  it('lets the engine decide readiness, e.g. a standby replica is ready without a pass', async () => {
    const { url } = await start({ isReady: () => true });
    expect((await fetchAsOperator(`${url}/readyz`)).status).toBe(200);
  });

  it('routes a signed GitHub push to the source stage\'s webhook handler, which triggers a pass', async () => {
    const pushes: string[] = [];
    const webhook = createWebhookHandler({ secret: 's3cret', branch: 'main', onPush: (push) => pushes.push(push.after) });
    const { url } = await start({ webhook });
    const payload = JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: 'b'.repeat(40), forced: false, deleted: false });
    const res = await fetchAsOperator(`${url}/webhook`, {
      method: 'POST',
      headers: { 'x-github-event': 'push', 'x-hub-signature-256': signBody({ secret: 's3cret', body: payload }), 'content-type': 'application/json' },
      body: payload,
    });
    expect(res.status).toBe(202);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pushes).toEqual(['b'.repeat(40)]);
    const forged = await fetchAsOperator(`${url}/webhook`, { method: 'POST', headers: { 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=00' }, body: payload });
    expect(forged.status).toBe(401);
    expect(pushes).toHaveLength(1);
  });

  it('answers 404 on /webhook until a handler is mounted, 405 for GET', async () => {
    const { server, url } = await start();
    expect((await fetchAsOperator(`${url}/webhook`, { method: 'POST', body: '{}' })).status).toBe(404);
    server.mountWebhook(async (_req, res) => void res.writeHead(204).end());
    expect((await fetchAsOperator(`${url}/webhook`, { method: 'POST', body: '{}' })).status).toBe(204);
    expect((await fetchAsOperator(`${url}/webhook`)).status).toBe(405);
  });

  it('serves the dashboard page and its script, which loads nothing but its own files', async () => {
    const { url } = await start();
    const page = await fetchAsOperator(`${url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('src="dashboard.js"');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await (await fetchAsOperator(`${url}/dashboard.js`)).text();
    expect(script).toContain("fetch('status?view=list'");
    expect(script).not.toContain('innerHTML');
  });

  it('answers a handler failure with 500 and keeps serving', async () => {
    const errors: unknown[] = [];
    const store = new StatusStore();
    const server = createStatusServer({
      store, auth: operatorAuth(store),
      metrics: new FleetMetrics({ phases: () => store.phaseCounts() }),
      host: '127.0.0.1',
      port: 0,
      webhook: async () => {
        throw new Error('boom');
      },
      onError: (e) => errors.push(e),
    });
    servers.push(server);
    const url = await server.listen();
    expect((await fetchAsOperator(`${url}/webhook`, { method: 'POST', body: '{}' })).status).toBe(500);
    expect(errors).toHaveLength(1);
    expect((await fetchAsOperator(`${url}/healthz`)).status).toBe(200);
  });
});

describe('status HTTP server limits', () => {
  /** Writes `text` on a raw connection and resolves with what the server sent before it closed it. */
  function talk(url: string, text: string): Promise<string> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => socket.write(text));
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  it('sets Node\'s header, request and keep-alive timeouts by default', async () => {
    const { server } = await start();
    expect({ headersTimeout: server.server.headersTimeout, requestTimeout: server.server.requestTimeout, keepAliveTimeout: server.server.keepAliveTimeout }).toEqual(DEFAULT_HTTP_TIMEOUTS);
    expect(DEFAULT_HTTP_TIMEOUTS).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 });
  });

  it('drops a client that never finishes its headers (slowloris) with 408', async () => {
    const { url } = await start({ timeouts: { headersTimeout: 300, requestTimeout: 600 } });
    const answer = await talk(url, 'GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('drops a client that never finishes its body with 408, and the webhook starts nothing', async () => {
    const pushes: string[] = [];
    const webhook = createWebhookHandler({ secret: 's3cret', branch: 'main', onPush: (push) => pushes.push(push.after) });
    const { url } = await start({ webhook, timeouts: { headersTimeout: 300, requestTimeout: 600 } });
    const answer = await talk(url, 'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nX-GitHub-Event: push\r\n\r\n{"ref":');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(pushes).toEqual([]);
  });

  it('closes an idle kept-alive connection', async () => {
    const { url } = await start({ timeouts: { keepAliveTimeout: 200 } });
    const answer = await talk(url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    // The connection ended by itself after the answer: the client never closed it.
    expect(answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*ok\n$/);
  });
});
