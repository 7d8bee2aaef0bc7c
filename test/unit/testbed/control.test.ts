import { describe, expect, it } from 'vitest';
import { envExports } from '../../../src/testbed/control.ts';
import { heartbeatTiming } from '../../../src/testbed/components.ts';
import type { TestbedState } from '../../../src/testbed/state.ts';

const state: TestbedState = {
  version: 1,
  stateDir: "/it's/tb",
  startedAt: '2026-01-01T00:00:00Z',
  versions: { kubernetes: 'v1.32.2', kubeedge: 'v1.23.0', kwok: 'v0.7.0', etcd: 'v3.5.21', metricsServer: 'v0.8.0', registry: 'v3.1.2' },
  ports: { etcdClient: 1, etcdPeer: 2, apiserver: 3, controllerManager: 4, scheduler: 5, git: 6, kwokServer: 7, metricsServer: 8, registry: 9 },
  timing: heartbeatTiming(3),
  server: 'https://127.0.0.1:3',
  kubeconfig: "/it's/tb/kubeconfig",
  caCert: '/tb/pki/ca.crt',
  processes: {},
  git: { baseUrl: 'http://127.0.0.1:6', root: '/tb/git', fleetRepoUrl: 'http://127.0.0.1:6/fleet.git' },
  gateways: [],
  ready: true,
};

describe('essg testbed env', () => {
  it('prints exports a shell can eval, quoting paths safely', () => {
    expect(envExports(state)).toEqual([`export KUBECONFIG='/it'\\''s/tb/kubeconfig'`, `export ESSG_GIT_URL='http://127.0.0.1:6/fleet.git'`, `export ESSG_TESTBED_DIR='/it'\\''s/tb'`]);
  });

  it('adds the Git credentials when the server requires them', () => {
    expect(envExports({ ...state, git: { ...state.git, username: 'bot', password: 'pw' } })).toContain(`export ESSG_GIT_PASSWORD='pw'`);
  });
});
