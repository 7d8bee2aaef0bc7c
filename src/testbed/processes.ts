// Starting and stopping the test bed's components as detached processes, each the
// leader of its own process group, so they outlive the command that started them and
// `down` can end each one with everything it spawned.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StartedProcess {
  readonly pid: number;
  readonly log: string;
  /** How it was started, so a fault can restart it the same way (faults.ts). */
  readonly command?: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
}

export function startDetached({ command, args, log, env, cwd }: { command: string; args: readonly string[]; log: string; env?: NodeJS.ProcessEnv; cwd?: string }): StartedProcess {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: env ?? process.env, cwd });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    return { pid: child.pid, log, command, args: [...args], ...(cwd ? { cwd } : {}) };
  } finally {
    closeSync(fd);
  }
}

/** Alive and not a zombie (a component started by a still-running parent may be one). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** SIGTERM to the process group, then SIGKILL to whatever is left after the grace period. */
export async function stopGroup(pid: number, graceMs = 5000): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pid)) return;
    await sleep(50);
  }
  signalGroup(pid, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (groupAlive(pid) && Date.now() < killDeadline) await sleep(50);
}

export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
  } catch {
    return false;
  }
  return true;
}

/** The last lines of a log, for an error message. */
export function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
