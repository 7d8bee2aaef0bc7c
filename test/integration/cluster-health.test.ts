// Gateway health as the reconciler reports it (built as `essg reconcile --once` builds it),
// read from the test bed: a gateway running its services is Ready with the version its
// ready pods run; a gateway whose uplink drops is Offline with its last heartbeat, and
// follows its services again when it returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayStatus } from '../../src/report/index.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { bringOnline, gatewayEvents, kube, passUntilOffline, takeOffline, waitFor, type Kube } from './helpers/kube.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';

describe('gateway health on the cluster', () => {
  let k: Kube;
  let fleet: TestFleet;
  let r: TestRuntime;
  let gateway: string;
  let installed: GatewayStatus | undefined;

  printReconcilerLogOnFailure();

  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: ['acme-sh-02'] });
    gateway = fleet.gateway('acme-sh-02');
    r = await startTestRuntime({ repo: fleet.url });
    expect((await r.pass()).result).toBe('success');
    installed = r.store.gateway(gateway);
  });

  afterAll(async () => {
    if (gateway) await bringOnline(gateway).catch(() => undefined);
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
  });

  /** Passes until the gateway's status satisfies `done`; returns that status. */
  function passUntil(what: string, done: (status: GatewayStatus) => boolean): Promise<GatewayStatus> {
    return waitFor(what, async () => {
      await r.pass();
      const status = r.store.gateway(gateway);
      return status && done(status) ? status : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1000 });
  }

  it('is Progressing, not Ready with no services, after the pass that installs it', () => {
    expect(installed).toMatchObject({ phase: 'Progressing', reason: 'RolloutInProgress' });
    expect(installed!.message).toMatch(/^installing [0-9a-f]{12}$/);
  });

  it('is Ready once every service runs, with the version its ready pods run', async () => {
    const ready = await passUntil('the gateway Ready', (s) => s.phase === 'Ready');
    expect(ready.services.map((s) => [s.name, s.desiredVersion, s.runningVersion, s.ready])).toEqual([
      ['firewall', '3.0.0', '3.0.0', true],
      ['ids', '1.0.0', '1.0.0', true],
      ['log-collector', '2.3.0', '2.3.0', true],
    ]);
    expect(ready.node).toMatchObject({ name: gateway, ready: 'True' });
    expect(ready.node.lastHeartbeat).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('is Offline with its last heartbeat when its uplink drops, and no longer Offline when it returns', async () => {
    await takeOffline(gateway);
    await passUntilOffline(k, { gateway, pass: () => r.pass(), phase: () => r.store.gateway(gateway)?.phase });
    const offline = r.store.gateway(gateway)!;
    expect(offline).toMatchObject({ reason: 'NodeOffline', node: { ready: 'Unknown' } });
    expect(offline.node.lastHeartbeat).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await gatewayEvents(k, { gateway, reason: 'GatewayOffline' })).toMatchObject([{ type: 'Warning', message: expect.stringContaining(`last heartbeat ${offline.node.lastHeartbeat}`) }]);

    await bringOnline(gateway);
    // Back online, the phase follows the services again (they may still be turning Ready).
    const back = await passUntil('the gateway online again', (s) => s.phase !== 'Offline');
    expect(back.node).toMatchObject({ ready: 'True' });
    expect(['Ready', 'Progressing']).toContain(back.phase);
    expect(await gatewayEvents(k, { gateway, reason: 'GatewayOnline' })).toMatchObject([{ type: 'Normal' }]);
  });
});
