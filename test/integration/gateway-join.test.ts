// A gateway declared in Git before its edge node joins is Unregistered, with what an operator
// must do; an edge node no gateway declares is listed as unmanaged; `essg testbed join NODE`
// (as `keadm join` on the gateway) registers the node and the gateway converges on its own.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readState, writeState } from '../../src/testbed/state.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { ensureGateways, kube, waitFor, type Kube } from './helpers/kube.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';
import { testbed } from './helpers/testbed.ts';

const run = promisify(execFile);

let k: Kube;
let fleet: TestFleet;
let r: TestRuntime;
let spare: string;
let late: string;

printReconcilerLogOnFailure();

describe('gateways not yet joined', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: ['acme-sh-01', 'acme-sh-02'], withGateways: false });
    late = fleet.gateway('acme-sh-02');
    spare = `${fleet.prefix}-spare`;
    // One gateway's node has joined; the other's has not; one node joined that no gateway names.
    await ensureGateways([fleet.gateway('acme-sh-01'), spare]);
    r = await startTestRuntime({ repo: fleet.url });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await k.core.deleteNode({ name: spare }).catch(() => undefined);
    await removeTestFleet(fleet, k);
    // The test bed's own list of gateways as it was before the join.
    const state = await readState((await testbed()).stateDir);
    if (state) await writeState({ ...state, gateways: state.gateways.filter((g) => g !== late) });
  });

  it('is Unregistered, saying which node must join, while the joined one converges', async () => {
    await waitFor('the joined gateway Ready', async () => {
      await r.pass();
      return r.store.gateway(fleet.gateway('acme-sh-01'))?.phase === 'Ready';
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    const status = r.store.gateway(late)!;
    expect(status).toMatchObject({ phase: 'Unregistered', reason: 'NodeNotRegistered' });
    expect(status.message).toContain(`keadm join --edgenode-name=${late}`);
    expect(status.message).toContain('node-role.kubernetes.io/edge');
    // Its objects are in place, waiting for the node: nothing is lost by declaring it first.
    const deployment = await k.apps.readNamespacedDeployment({ namespace: fleet.namespace('acme'), name: `${late}-ids` });
    expect(deployment.spec?.template.spec?.nodeSelector).toMatchObject({ 'kubernetes.io/hostname': late });
    expect(r.store.snapshot().fleet.phases.Unregistered).toBeGreaterThanOrEqual(1);
  });

  it('lists an edge node that no gateway declares as unmanaged', async () => {
    await r.pass();
    const unmanaged = r.store.snapshot().fleet.unmanagedNodes ?? [];
    expect(unmanaged).toContainEqual({ name: spare, ready: 'True' });
    expect(unmanaged.map((n) => n.name)).not.toContain(fleet.gateway('acme-sh-01'));
  });

  it('`essg testbed join` registers the node, and the gateway converges without another change', async () => {
    const state = await testbed();
    const { stdout } = await run(process.execPath, [path.resolve('bin/essg.js'), 'testbed', 'join', late], { env: { ...process.env, ESSG_TESTBED_DIR: state.stateDir } });
    expect(stdout).toContain(`${late}: joined as an edge node, Ready`);
    await waitFor('the late gateway Ready', async () => {
      await r.pass();
      return r.store.gateway(late)?.phase === 'Ready';
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    expect(r.store.gateway(late)!.services.every((s) => s.ready)).toBe(true);
    // Joined again: nothing changes.
    const again = await run(process.execPath, [path.resolve('bin/essg.js'), 'testbed', 'join', late], { env: { ...process.env, ESSG_TESTBED_DIR: state.stateDir } });
    expect(again.stdout).toContain(`${late}: already an edge node of the test bed`);
  });

  it('refuses a name no node can have', async () => {
    const state = await testbed();
    const failed = await run(process.execPath, [path.resolve('bin/essg.js'), 'testbed', 'join', 'Not_A_Node'], { env: { ...process.env, ESSG_TESTBED_DIR: state.stateDir } }).then(() => undefined, (error: { stderr: string; code: number }) => error);
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain("'Not_A_Node' cannot name a node");
  });
});
