// Faults on a running test bed, for the fault tests and for trying the reconciler by hand:
// a component restarted (killed, then started again as `up` started it) or paused (SIGSTOP:
// it holds its connections and answers nothing, as a hung process does) and resumed.
import path from 'node:path';
import { COMPONENTS, type ComponentName } from './components.ts';
import { answers200, waitUntil } from './health.ts';
import { signalGroup, startDetached, stopGroup } from './processes.ts';
import { readState, writeState, type TestbedState } from './state.ts';
import { stateDir as defaultStateDir } from './paths.ts';
import { NotRunningError } from './errors.ts';

export function isComponent(name: string): name is ComponentName {
  return (COMPONENTS as readonly string[]).includes(name);
}

async function running(stateDir: string): Promise<TestbedState> {
  const state = await readState(stateDir);
  if (!state?.ready) throw new NotRunningError(stateDir);
  return state;
}

/**
 * Kills the component (SIGTERM, then SIGKILL after `graceMs`) and starts it again with the
 * command, arguments and log it had; for the API server, waits until it is ready again.
 */
export async function restartComponent({ component, stateDir = defaultStateDir(), graceMs = 5000, downForMs = 0 }: {
  readonly component: ComponentName; readonly stateDir?: string; readonly graceMs?: number;
  /** How long it stays down before it starts again. @default 0 */
  readonly downForMs?: number;
}): Promise<TestbedState> {
  const state = await running(stateDir);
  const proc = state.processes[component];
  if (!proc?.command || !proc.args) throw new Error(`the test bed did not record how it started ${component}: restart the test bed (essg testbed down, then up)`);
  await stopGroup(proc.pid, graceMs);
  if (downForMs > 0) await new Promise((resolve) => setTimeout(resolve, downForMs));
  const again = startDetached({ command: proc.command, args: proc.args, log: proc.log, ...(proc.cwd ? { cwd: proc.cwd } : {}) });
  const next: TestbedState = { ...state, processes: { ...state.processes, [component]: again } };
  await writeState(next);
  if (component === 'kube-apiserver') {
    const pki = path.join(state.stateDir, 'pki');
    const admin = { ca: state.caCert, cert: path.join(pki, 'admin.crt'), key: path.join(pki, 'admin.key') };
    await waitUntil({ component, process: again, timeoutMs: 90_000, check: () => answers200(`${state.server}/readyz`, admin) });
  }
  return next;
}

/** SIGSTOP to the component's process group: it keeps its sockets open and answers nothing until resumed. */
export async function pauseComponent({ component, stateDir = defaultStateDir() }: { readonly component: ComponentName; readonly stateDir?: string }): Promise<void> {
  const proc = (await running(stateDir)).processes[component];
  if (!proc || !signalGroup(proc.pid, 'SIGSTOP')) throw new Error(`${component} is not running`);
}

export async function resumeComponent({ component, stateDir = defaultStateDir() }: { readonly component: ComponentName; readonly stateDir?: string }): Promise<void> {
  const proc = (await running(stateDir)).processes[component];
  if (!proc || !signalGroup(proc.pid, 'SIGCONT')) throw new Error(`${component} is not running`);
}
