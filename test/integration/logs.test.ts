// Logs on demand: `essg logs` (a child process) and the reconciler's GET /logs read a
// service's lines on a gateway from the real pods/log subresource, which the test bed serves
// through KWOK's log emulation (the node's kubelet endpoint is KWOK's server). An offline
// gateway is answered at once with what is wrong; a gateway whose node looks Ready but whose
// kubelet never answers fails within the bound the option sets, not after a hang.
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendPodLog, EMULATED_LOG_LINES } from '../../src/testbed/index.ts';
import { LABEL } from '../../src/contract/index.ts';
import { ESSG_BIN, runEssg } from '../support/cli.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { bringOnline, kube, namespace, readyStatus, takeOffline, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { testbed } from './helpers/testbed.ts';
import { fetchAsOperator } from '../support/status-auth.ts';

let k: Kube;
let fleet: TestFleet;
let kubeconfig: string;
let reconciler: ReconcilerProcess;
let url: string;
let gateway: string;

const logs = (...args: string[]) => runEssg(['logs', ...args, '--kubeconfig', kubeconfig]);
/** A line no other test wrote, so a test finds exactly its own. */
const unique = (what: string) => `${what} ${randomBytes(4).toString('hex')}`;

describe('logs on demand', () => {
  beforeAll(async () => {
    k = await kube();
    kubeconfig = (await testbed()).kubeconfig;
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: ['acme-bj-01'] });
    gateway = fleet.gateway('acme-bj-01');
    reconciler = startReconciler(['--repo', fleet.url, '--approvals', 'off', '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--cache-dir', path.join(os.tmpdir(), `essg-it-logs-${randomBytes(4).toString('hex')}`), '--logs-timeout', '2000']);
    url = await reconciler.url();
    await waitFor('the ids pod running', async () => {
      const pods = await k.core.listNamespacedPod({ namespace: fleet.namespace('acme'), labelSelector: `${LABEL.gateway}=${gateway},${LABEL.service}=ids` });
      return pods.items.some((p) => p.status?.phase === 'Running');
    });
  });

  afterAll(async () => {
    await reconciler?.stop();
    await removeTestFleet(fleet, k);
  });

  it('prints the lines the gateway\'s service logged, the last N with --tail and only newer ones with --since', async () => {
    const all = await logs(gateway, 'ids');
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(`${EMULATED_LOG_LINES.join('\n')}\n`);

    const [old, recent] = [unique('two hours ago'), unique('just now')];
    await appendPodLog({ text: old, time: new Date(Date.now() - 2 * 3_600_000), stateDir: (await testbed()).stateDir });
    await appendPodLog({ text: recent, stateDir: (await testbed()).stateDir });

    expect((await logs(gateway, 'ids', '--tail', '2')).stdout).toBe(`${old}\n${recent}\n`);
    expect((await logs(gateway, 'ids', '--tail', '2', '--since', '1h')).stdout).toBe(`${recent}\n`);
  });

  it('follows new lines until interrupted', async () => {
    const child = spawn(process.execPath, [ESSG_BIN, 'logs', gateway, 'ids', '--follow', '--tail', '0', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const line = unique('followed');
      // Appended until seen: the follower may not have opened its stream when the first one is written.
      await waitFor('the followed line', async () => {
        if (!out.includes(line)) await appendPodLog({ text: line, stateDir: (await testbed()).stateDir });
        return out.includes(line);
      }, { intervalMs: 1000, timeoutMs: 30_000 });
      expect(out.split('\n').filter(Boolean).every((l) => l === line)).toBe(true);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('serves the same lines on the reconciler\'s GET /logs, naming the pod they came from', async () => {
    const response = await fetchAsOperator(`${url}/logs/${gateway}/ids`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('x-essg-pod')).toMatch(new RegExp(`^${fleet.namespace('acme')}/${gateway}-ids-`));
    expect(await response.text()).toContain(`${EMULATED_LOG_LINES.join('\n')}\n`);
    const latest = unique('the latest');
    await appendPodLog({ text: latest, stateDir: (await testbed()).stateDir });
    expect(await (await fetchAsOperator(`${url}/logs/${gateway}/ids?tail=1`)).text()).toBe(`${latest}\n`);

    const bad = await fetchAsOperator(`${url}/logs/${gateway}/ids?since=yesterday`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^since must be a duration/);
  });

  it('says when the gateway runs no such service', async () => {
    const result = await logs(gateway, 'no-such-service');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`essg logs: no pod of service no-such-service runs on gateway ${gateway}\n`);
    const response = await fetchAsOperator(`${url}/logs/${gateway}/no-such-service`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'LOGS_NO_POD' });
  });

  it('answers an offline gateway at once with what is wrong and when it was last heard of', async () => {
    await takeOffline(gateway);
    try {
      await waitFor('the node not Ready', async () => readyStatus(await k.core.readNode({ name: gateway })) !== 'True', { timeoutMs: 60_000 });
      const result = await logs(gateway, 'ids');
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(new RegExp(`^essg logs: gateway ${gateway} is offline: its edge node ${gateway} is Ready=Unknown \\(last heartbeat \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); logs travel over its uplink, so ids's logs can be read once it is back\\n$`));
      const response = await fetchAsOperator(`${url}/logs/${gateway}/ids`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: 'LOGS_GATEWAY_OFFLINE', data: { gateway, service: 'ids', node: gateway, ready: 'Unknown' } });
    } finally {
      await bringOnline(gateway);
    }
  });

  describe('a gateway whose node reports Ready but whose kubelet never answers', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    const node = `silent-${randomBytes(3).toString('hex')}`;
    let ns: { name: string; remove: () => Promise<void> };

    beforeAll(async () => {
      // Accepts and never says a word: what a half-open uplink looks like from the API server.
      silent = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as { port: number }).port;
      // Not KWOK's (no uplink label), so nothing but this test writes its status.
      await k.core.createNode({ body: { metadata: { name: node } } });
      const now = new Date();
      await k.core.replaceNodeStatus({
        name: node,
        body: {
          metadata: { name: node },
          status: {
            addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
            daemonEndpoints: { kubeletEndpoint: { Port: port } },
            conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now, lastTransitionTime: now }],
          },
        },
      });
      ns = await namespace(k, 'it-logs');
      await k.core.createNamespacedPod({
        namespace: ns.name,
        body: { metadata: { name: 'ids', labels: { [LABEL.gateway]: node, [LABEL.service]: 'ids' } }, spec: { nodeName: node, containers: [{ name: 'ids', image: 'registry.example.com/ids:1' }] } },
      });
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      silent?.close();
      await ns?.remove();
      await k.core.deleteNode({ name: node }).catch(() => undefined);
    });

    it('fails within --timeout, naming the gateway, instead of waiting on it', async () => {
      const result = await logs(node, 'ids', '--timeout', '1');
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`essg logs: gateway ${node} did not answer for ids's logs within 1 s (edge node ${node}): its uplink or KubeEdge's cloud stream may be down\n`);
      const response = await fetchAsOperator(`${url}/logs/${node}/ids`);
      expect(response.status).toBe(504);
      expect(await response.json()).toMatchObject({ code: 'LOGS_GATEWAY_UNREACHABLE', data: { timeoutMs: 2000 } });
    });
  });
});
