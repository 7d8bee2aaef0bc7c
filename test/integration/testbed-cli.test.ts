// `essg testbed env` and `status` describe the running test bed; `down` leaves no process
// or port behind (proved on a second, private test bed so the shared one keeps running).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PORT_NAMES } from '../../src/testbed/components.ts';
import { down, up } from '../../src/testbed/lifecycle.ts';
import { portInUse } from '../../src/testbed/ports.ts';
import { isAlive } from '../../src/testbed/processes.ts';
import { readState } from '../../src/testbed/state.ts';
import { testbed } from './helpers/testbed.ts';

const run = promisify(execFile);
const essg = (...args: string[]): Promise<{ stdout: string }> => run(process.execPath, [path.resolve('bin/essg.js'), ...args], { env: process.env });

describe('essg testbed', () => {
  it('env prints exports of the running test bed’s kubeconfig and fleet repo', async () => {
    const state = await testbed();

    const { stdout } = await essg('testbed', 'env');

    expect(stdout).toContain(`export KUBECONFIG='${state.kubeconfig}'`);
    expect(stdout).toContain(`export ESSG_GIT_URL='${state.git.fleetRepoUrl}'`);
  });

  it('status says every component runs and how many gateways are Ready', async () => {
    const { stdout } = await essg('testbed', 'status', '--json');
    const status = JSON.parse(stdout) as { running: boolean; components: { name: string; alive: boolean }[]; nodes: { total: number; ready: number } };

    expect(status.running).toBe(true);
    expect(status.components.filter((c) => !c.alive)).toEqual([]);
    expect(status.nodes.total).toBeGreaterThanOrEqual(3);
  });

  it('down stops every process a test bed started and frees its ports', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'essg-testbed-'));
    try {
      const state = await up({ gateways: 1, stateDir: dir });
      const pids = Object.values(state.processes).map((p) => p.pid);
      expect(pids.every(isAlive)).toBe(true);

      await down({ stateDir: dir });

      expect(pids.filter(isAlive)).toEqual([]);
      const busy = await Promise.all(PORT_NAMES.map((p) => portInUse(state.ports[p])));
      expect(busy.every((b) => !b)).toBe(true);
      expect(await readState(dir)).toBeUndefined();
    } finally {
      await down({ stateDir: dir }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
