// Every Kubernetes request has a deadline: against a real TCP server that accepts and never
// answers (or answers headers and then stalls the body), the request fails with a timeout
// error naming the server, instead of holding the pass or a shutdown for ever.
import net from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeHttp } from '../../../src/apply/kube-http.ts';
import { DEFAULT_RETRY, KubeClusterClient, withKubeDeadline } from '../../../src/apply/index.ts';
import { RetriesExhausted, withRetry } from '../../../src/apply/retry.ts';

interface Server {
  readonly url: string;
  close(): Promise<void>;
}

/** `onSocket` decides what the server ever sends; by default nothing. */
async function tcpServer(onSocket: (socket: net.Socket) => void = () => undefined): Promise<Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => onSocket(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function kubeconfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'silent', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'not-a-secret' }],
    contexts: [{ name: 'c', cluster: 'silent', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('Kubernetes request timeouts', () => {
  it('fails a client-node API call (an Event, the Lease) to a server that never answers', async () => {
    const server = await tcpServer();
    servers.push(server);
    const core = withKubeDeadline(kubeconfigFor(server.url).makeApiClient(CoreV1Api), { timeoutMs: 300, server: server.url });
    const error = await core.createNamespacedEvent({ namespace: 'default', body: { metadata: { name: 'e' }, involvedObject: {} } }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ name: 'KubeRequestFailure', reason: 'Timeout', message: `createNamespacedEvent: no answer from ${server.url} within 300 ms` });
  });

  it('fails an apply-client request to a server that never answers', async () => {
    const server = await tcpServer();
    servers.push(server);
    const http = new KubeHttp({ kubeconfig: kubeconfigFor(server.url), timeoutMs: 300 });
    const error = await http.send({ verb: 'get', path: '/api/v1/namespaces' }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ name: 'KubeRequestFailure', reason: 'Timeout', message: `no answer from ${server.url} within 300 ms` });
  });

  it('fails an apply-client request whose server sends headers and then stalls the body', async () => {
    const server = await tcpServer((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"kind":'));
    servers.push(server);
    const http = new KubeHttp({ kubeconfig: kubeconfigFor(server.url), timeoutMs: 300 });
    const error = await http.send({ verb: 'get', path: '/api/v1/namespaces' }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ name: 'KubeRequestFailure', reason: 'Timeout' });
  });

  it('passes an answer through unchanged', async () => {
    const body = '{"kind":"NamespaceList","items":[]}';
    const server = await tcpServer((socket) => socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`));
    servers.push(server);
    const core = withKubeDeadline(kubeconfigFor(server.url).makeApiClient(CoreV1Api), { timeoutMs: 5000 });
    const list = await core.listNamespace();
    expect(list.items).toEqual([]);
  });
});

describe('a request that timed out', () => {
  it('is not tried again: a listing of a server that never answers costs one wait, and fails naming the kind and the timeout', async () => {
    let requests = 0;
    const server = await tcpServer(() => (requests += 1));
    servers.push(server);
    const client = new KubeClusterClient({ kubeconfig: kubeconfigFor(server.url), timeoutMs: 300 });
    const error = await withRetry({ policy: DEFAULT_RETRY }, () => client.listInventories()).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect((error as RetriesExhausted).attempts).toBe(1);
    expect((error as RetriesExhausted).lastError).toMatchObject({ code: 'CLUSTER_LIST_FAILED', data: { reason: 'Timeout' } });
    expect(String((error as Error).message)).toMatch(/^listing ConfigMap .*failed: no answer from .* within 300 ms$/);
    expect(requests).toBe(1);
  });
});
