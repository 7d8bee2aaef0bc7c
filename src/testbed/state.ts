// The record of a running test bed (state.json in its state folder): what was started,
// on which ports, and where its kubeconfig and Git server are. `up` writes it as each
// component starts, so `down` can stop even a half-started test bed.
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ComponentName, HeartbeatTiming, Ports } from './components.ts';
import type { TestbedVersions } from './versions.ts';
import type { RegistryRecord } from './registry.ts';

export interface ProcessRecord {
  readonly pid: number;
  readonly log: string;
  /** How it was started, so a fault can restart it the same way (faults.ts); absent in a test bed started before they were kept. */
  readonly command?: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
}

export interface GitServerRecord {
  /** http://127.0.0.1:PORT, without credentials. */
  readonly baseUrl: string;
  /** The folder of bare repos it serves. */
  readonly root: string;
  /** The bare repo `up` makes ready for the fleet. */
  readonly fleetRepoUrl: string;
  readonly username?: string;
  readonly password?: string;
}

export interface TestbedState {
  readonly version: 1;
  readonly stateDir: string;
  readonly startedAt: string;
  readonly versions: TestbedVersions;
  readonly ports: Ports;
  readonly timing: HeartbeatTiming;
  readonly server: string;
  /** Admin kubeconfig (system:masters). */
  readonly kubeconfig: string;
  readonly caCert: string;
  readonly processes: Readonly<Partial<Record<ComponentName, ProcessRecord>>>;
  readonly git: GitServerRecord;
  /** The OCI registry and its basic-auth credentials. @default - none (a test bed started before it had one) */
  readonly registry?: RegistryRecord;
  /** Gateways (edge nodes) `up` was asked for; tests may add more. */
  readonly gateways: readonly string[];
  /** True once every component answered its health check and the gateways were Ready. */
  readonly ready: boolean;
}

export function stateFile(stateDir: string): string {
  return path.join(stateDir, 'state.json');
}

export async function readState(stateDir: string): Promise<TestbedState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(stateDir), 'utf8')) as TestbedState;
  } catch {
    return undefined;
  }
}

export async function writeState(state: TestbedState): Promise<void> {
  // Written beside and renamed, so a concurrent reader never sees half a file.
  const file = stateFile(state.stateDir);
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
