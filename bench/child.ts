// Runs one measurement in a fresh Node process so its peak RSS is its own.
// The child script prints one JSON line last; `reportFromChild` adds its peak RSS.
import { spawn } from 'node:child_process';

export interface ChildReport {
  readonly peakRssMiB: number;
  readonly [key: string]: unknown;
}

/** `maxOldSpaceMiB`: the child's heap limit (default 4 GiB). */
export function runChild(script: string, args: readonly string[] = [], { maxOldSpaceMiB = 4096 }: { maxOldSpaceMiB?: number } = {}): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `--max-old-space-size=${maxOldSpaceMiB}`, script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited with ${code}`));
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as ChildReport);
      } catch {
        reject(new Error(`${script} printed no JSON report: ${last.slice(0, 200)}`));
      }
    });
  });
}

/** Call at the end of a child script: prints its figures, its own peak RSS and CPU time. */
export function reportFromChild(figures: Record<string, unknown>): void {
  const usage = process.resourceUsage();
  const peakRssMiB = usage.maxRSS / 1024;
  const processCpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  process.stdout.write(`${JSON.stringify({ ...figures, peakRssMiB, processCpuMs })}\n`);
}

/** Runs `work` once: its result, wall time and CPU time (user + system) in ms. */
/** measure for work that ends later: its wall time and the CPU of the whole process (its threads too). */
export async function measureAsync<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { result, ms, cpuMs: (used.user + used.system) / 1000 };
}

export function measure<T>(work: () => T): { result: T; ms: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = work();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { result, ms, cpuMs: (used.user + used.system) / 1000 };
}
