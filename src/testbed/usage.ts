// Memory and CPU of the test bed's components, read from /proc: every process in each
// component's process group, so a component's children count too.
import { readdirSync, readFileSync } from 'node:fs';
import type { ComponentName } from './components.ts';
import type { TestbedState } from './state.ts';

export interface Usage {
  readonly rssMiB: number;
  /** User + system CPU time consumed so far. */
  readonly cpuSeconds: number;
}

const TICKS_PER_SECOND = 100;

/** Fields of /proc/PID/stat after the command name: [state, ppid, pgrp, …]. */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function rssKiB(pid: string): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export function groupUsage(pgid: number): Usage {
  let kib = 0;
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const fields = statFields(pid);
    if (!fields || Number(fields[2]) !== pgid) continue;
    kib += rssKiB(pid);
    // utime and stime are fields 14 and 15 of stat: indices 11 and 12 after the command name.
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return { rssMiB: kib / 1024, cpuSeconds: ticks / TICKS_PER_SECOND };
}

export function testbedUsage(state: TestbedState): Partial<Record<ComponentName, Usage>> {
  return Object.fromEntries(Object.entries(state.processes).map(([name, proc]) => [name, groupUsage(proc.pid)]));
}
