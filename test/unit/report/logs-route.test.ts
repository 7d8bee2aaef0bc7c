import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStatusServer, FleetMetrics, GatewayOfflineError, LogsUnreachableError, NoServicePodError, parseLogsSince, StatusStore, type LogsReader, type ServiceLogsRequest, type StatusServer } from '../../../src/report/index.ts';
import { fetchAsOperator, operatorAuth } from '../../support/status-auth.ts';

const servers: StatusServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(logs?: LogsReader): Promise<string> {
  const store = new StatusStore();
  const server = createStatusServer({ store, auth: operatorAuth(store), metrics: new FleetMetrics({ phases: () => store.phaseCounts() }), host: '127.0.0.1', port: 0, ...(logs ? { logs } : {}) });
  servers.push(server);
  return server.listen();
}

describe('GET /logs/GATEWAY/SERVICE', () => {
  it('passes tail, since, follow and timestamps on and streams the text as it comes', async () => {
    const asked: ServiceLogsRequest[] = [];
    const stream = new PassThrough();
    let stopped = false;
    const url = await start(async (request) => {
      asked.push(request);
      return { namespace: 'essg-acme', pod: 'acme-01-ids-1', container: 'ids', node: 'acme-01', stream, stop: () => (stopped = true) };
    });
    const response = await fetchAsOperator(`${url}/logs/acme-01/ids?tail=5&since=1h30m&follow=true&timestamps=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-essg-pod')).toBe('essg-acme/acme-01-ids-1');
    const reader = response.body!.getReader();
    stream.write('first\n');
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first\n');
    await reader.cancel();
    expect(asked).toEqual([{ gateway: 'acme-01', service: 'ids', tailLines: 5, sinceSeconds: 5400, follow: true, timestamps: true }]);
    // The client went: the gateway's stream is closed with it.
    await vi.waitFor(() => expect(stopped).toBe(true));
  });

  it.each([
    ['an offline gateway', new GatewayOfflineError({ gateway: 'acme-01', service: 'ids', node: 'acme-01', ready: 'Unknown' }), 503, 'LOGS_GATEWAY_OFFLINE'],
    ['a gateway that does not answer', new LogsUnreachableError({ gateway: 'acme-01', service: 'ids', node: 'acme-01', timeoutMs: 10_000 }), 504, 'LOGS_GATEWAY_UNREACHABLE'],
    ['a service not running there', new NoServicePodError({ gateway: 'acme-01', service: 'ids' }), 404, 'LOGS_NO_POD'],
  ])('answers %s with its code, message and data', async (_, error, status, code) => {
    const url = await start(() => Promise.reject(error));
    const response = await fetchAsOperator(`${url}/logs/acme-01/ids`);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: error.message, code, message: error.message, data: error.data });
  });

  it.each([
    ['tail=-1', 'tail must be a whole number of lines, not "-1"'],
    ['since=yesterday', 'since must be a duration such as 30s, 10m, 2h, 1d or 1h30m, not "yesterday"'],
  ])('refuses %s with 400 before asking the gateway', async (query, message) => {
    let asked = false;
    const url = await start(() => {
      asked = true;
      return Promise.reject(new Error('not reached'));
    });
    const response = await fetchAsOperator(`${url}/logs/acme-01/ids?${query}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: message });
    expect(asked).toBe(false);
  });

  it('answers 404 where no logs are served', async () => {
    const url = await start();
    expect((await fetchAsOperator(`${url}/logs/acme-01/ids`)).status).toBe(404);
  });
});

describe('parseLogsSince', () => {
  it.each([
    ['30s', 30],
    ['10m', 600],
    ['2h', 7200],
    ['1d', 86_400],
    ['1h30m', 5400],
    ['1d2h3m4s', 93_784],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseLogsSince(text)).toBe(seconds);
  });

  it.each(['', '0s', '-10m', '10', 'm', '10m1h', 'yesterday', '1.5h'])('refuses %j', (text) => {
    expect(parseLogsSince(text)).toBeNull();
  });
});
