// Every request to the API server shares one keep-alive connection pool per kubeconfig:
// client-node's typed API clients (Events, the Lease, logs) and the apply client alike. Against
// a real HTTPS server, twenty Events and a listing cost one TLS handshake, not twenty-one.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKubeApi } from '../../../src/apply/index.ts';
import { KubeHttp } from '../../../src/apply/kube-http.ts';
import { ensurePki } from '../../../src/testbed/pki.ts';

let dir: string;
let server: https.Server;
let url: string;
let ca: string;
let handshakes = 0;
const requests: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'essg-kube-connections-'));
  const pki = await ensurePki(dir);
  ca = await readFile(pki.caCert, 'utf8');
  server = https.createServer({ key: await readFile(pki.serverKey), cert: await readFile(pki.serverCert) }, (req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.method === 'POST' ? { metadata: { name: 'e', namespace: 'essg-system' }, involvedObject: {} } : { items: [] }));
    });
  });
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function kubeconfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bed', server: url, caData: Buffer.from(ca).toString('base64') }],
    users: [{ name: 'u', token: 'token-1' }],
    contexts: [{ name: 'c', cluster: 'bed', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

describe('connections to the API server', () => {
  it('sends every Event and listing of one kubeconfig over one kept-alive TLS connection, with auth on each request', async () => {
    handshakes = 0;
    requests.length = 0;
    const kc = kubeconfig();
    const core = makeKubeApi(kc, CoreV1Api);
    for (let i = 0; i < 20; i++) await core.createNamespacedEvent({ namespace: 'essg-system', body: { metadata: { name: `e${i}` }, involvedObject: {} } });
    const listed = await new KubeHttp({ kubeconfig: kc }).send({ verb: 'list', path: '/api/v1/namespaces/essg-system/configmaps' });
    expect(listed.status).toBe(200);
    expect(requests).toHaveLength(21);
    expect(requests.every((r) => r.endsWith('Bearer token-1'))).toBe(true);
    expect(handshakes).toBe(1);
  });

  it('keeps a kubeconfig of its own apart: another kubeconfig opens its own connection', async () => {
    handshakes = 0;
    await makeKubeApi(kubeconfig(), CoreV1Api).createNamespacedEvent({ namespace: 'essg-system', body: { metadata: { name: 'a' }, involvedObject: {} } });
    await makeKubeApi(kubeconfig(), CoreV1Api).createNamespacedEvent({ namespace: 'essg-system', body: { metadata: { name: 'b' }, involvedObject: {} } });
    expect(handshakes).toBe(2);
  });
});
