// The log lines KWOK serves for the simulated gateways' containers (its log emulation): one
// file in the CRI log format a kubelet reads container logs from, which KWOK's ClusterLogs
// names for every pod (components.ts). KWOK reads it as the kubelet would, so tailLines,
// sinceSeconds and follow behave as on a real node; lines appended later reach a follower.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { podLogFile } from './components.ts';
import { stateDir as defaultStateDir } from './paths.ts';

/** What every container of the test bed has logged when `up` returns, oldest first. */
export const EMULATED_LOG_LINES: readonly string[] = [
  'essg-testbed: emulated container started (KWOK log emulation)',
  'essg-testbed: configuration loaded from /etc/essg/config.yaml',
  'essg-testbed: connected to the SOC endpoint',
  'essg-testbed: ready',
];

/** One line as a container runtime writes it: `TIME STREAM F TEXT` (F: a full line). */
export function criLogLine({ time, text, stream = 'stdout' }: { time: Date; text: string; stream?: 'stdout' | 'stderr' }): string {
  return `${time.toISOString()} ${stream} F ${text.replace(/\n/g, ' ')}\n`;
}

/** Starts the log file with EMULATED_LOG_LINES, stamped one millisecond apart ending at `now`. */
export async function writeEmulatedLogs({ stateDir, now = new Date() }: { stateDir: string; now?: Date }): Promise<string> {
  const file = podLogFile(stateDir);
  await mkdir(path.dirname(file), { recursive: true });
  const count = EMULATED_LOG_LINES.length;
  await writeFile(file, EMULATED_LOG_LINES.map((text, i) => criLogLine({ time: new Date(now.getTime() - (count - 1 - i)), text })).join(''));
  return file;
}

/** Adds a line every container of the test bed has logged, at `time` (default now): what a follower sees next. */
export async function appendPodLog({ text, time = new Date(), stateDir = defaultStateDir() }: { text: string; time?: Date; stateDir?: string }): Promise<void> {
  await appendFile(podLogFile(stateDir), criLogLine({ time, text }));
}
