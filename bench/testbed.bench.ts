// The test bed: cold build (only with ESSG_BENCH_COLD_BUILD=1: it downloads every module
// and compiles Kubernetes from nothing), warm build, warm `testbed up`, and the memory and
// CPU of a running test bed with 10 and 1,000 simulated gateways.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../src/testbed/build.ts';
import { COMPONENTS } from '../src/testbed/components.ts';
import { down, up } from '../src/testbed/lifecycle.ts';
import type { TestbedState } from '../src/testbed/state.ts';
import { testbedUsage, type Usage } from '../src/testbed/usage.ts';
import { writeSection } from './report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COLD_RECORD = path.join(root, '.bench', 'testbed-cold-build.json');
const SIZES = [10, 1_000];
/** How long a running test bed is watched for its steady CPU use. */
const STEADY_SECONDS = 60;

interface ColdBuild {
  readonly seconds: number;
  readonly measuredAt: string;
}

interface SizeFigures {
  readonly gateways: number;
  readonly upSeconds: number;
  readonly usage: Partial<Record<string, Usage>>;
  /** CPU cores used on average while idle (leases renewing), per component. */
  readonly cores: Partial<Record<string, number>>;
}

export async function main(): Promise<void> {
  const cold = process.env.ESSG_BENCH_COLD_BUILD === '1' ? await coldBuild() : await readCold();
  const warmStarted = Date.now();
  await ensureBuilt({ log: () => undefined });
  const warmBuild = (Date.now() - warmStarted) / 1000;
  const sizes: SizeFigures[] = [];
  for (const gateways of SIZES) sizes.push(await measureSize(gateways));

  const mib = (u: Usage | undefined): string => (u ? `${u.rssMiB.toFixed(0)} MiB` : '–');
  const total = (s: SizeFigures): number => Object.values(s.usage).reduce<number>((n, u) => n + (u?.rssMiB ?? 0), 0);
  const cores = (s: SizeFigures): number => Object.values(s.cores).reduce<number>((n, c) => n + (c ?? 0), 0);
  const rows = COMPONENTS.map((c) => `| ${c} | ${sizes.map((s) => `${mib(s.usage[c])} | ${(s.cores[c] ?? 0).toFixed(2)}`).join(' | ')} |`);
  const body = `Cold build: **${cold ? `${(cold.seconds / 60).toFixed(1)} min` : 'not measured'}**${cold ? ` (measured ${cold.measuredAt.slice(0, 10)} with empty GOMODCACHE and GOCACHE: every module downloaded from the Go module proxy, everything compiled; \`ESSG_BENCH_COLD_BUILD=1 npm run bench -- testbed\` measures it again)` : ' (run with ESSG_BENCH_COLD_BUILD=1)'}.
Warm build (nothing changed, in-process): **${(warmBuild * 1000).toFixed(0)} ms**.

Warm \`testbed up\` (binaries built, from nothing running to every gateway Ready, a fresh state folder; target ≤ 30 s):

| gateways | up |
|---|---|
${sizes.map((s) => `| ${s.gateways.toLocaleString('en')} | ${s.upSeconds.toFixed(1)} s |`).join('\n')}

Memory (RSS after ${STEADY_SECONDS} s running) and CPU (cores used on average over those ${STEADY_SECONDS} s, idle apart from heartbeats) of the running test bed:

| component | ${sizes.map((s) => `RSS, ${s.gateways.toLocaleString('en')} gateways | CPU, ${s.gateways.toLocaleString('en')} gateways`).join(' | ')} |
|---|${sizes.map(() => '---|---|').join('')}
${rows.join('\n')}
| **total** | ${sizes.map((s) => `**${total(s).toFixed(0)} MiB** | **${cores(s).toFixed(2)}**`).join(' | ')} |

Heartbeats: ${sizes.map((s) => `${s.gateways.toLocaleString('en')} gateways renew their leases every ${heartbeatLine(s)}`).join('; ')}.`;
  await writeSection(path.join(root, 'BENCHMARKS.md'), { id: 'testbed', title: 'Test bed', command: 'npm run bench -- testbed', body });
  console.log(body);
}

const timings = new Map<number, TestbedState['timing']>();
function heartbeatLine(s: SizeFigures): string {
  const t = timings.get(s.gateways);
  return t ? `${t.renewSeconds} s (Unknown after ${t.gracePeriodSeconds} s silent)` : '?';
}

async function measureSize(gateways: number): Promise<SizeFigures> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'essg-bench-testbed-'));
  try {
    const started = Date.now();
    const state = await up({ gateways, stateDir: dir });
    const upSeconds = (Date.now() - started) / 1000;
    timings.set(gateways, state.timing);
    console.log(`testbed with ${gateways} gateways up in ${upSeconds.toFixed(1)} s`);
    const before = testbedUsage(state);
    await sleep(STEADY_SECONDS * 1000);
    const usage = testbedUsage(state);
    const cores = Object.fromEntries(Object.entries(usage).map(([name, u]) => [name, ((u?.cpuSeconds ?? 0) - (before[name as keyof typeof before]?.cpuSeconds ?? 0)) / STEADY_SECONDS]));
    return { gateways, upSeconds, usage, cores };
  } finally {
    await down({ stateDir: dir });
    await rm(dir, { recursive: true, force: true });
  }
}

async function readCold(): Promise<ColdBuild | undefined> {
  try {
    return JSON.parse(await readFile(COLD_RECORD, 'utf8')) as ColdBuild;
  } catch {
    return undefined;
  }
}

/** The build with empty Go caches and output folder, in a child process as `npm run testbed:build` runs it. */
async function coldBuild(): Promise<ColdBuild> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'essg-bench-cold-'));
  try {
    const env = { ...process.env, GOMODCACHE: path.join(scratch, 'mod'), GOCACHE: path.join(scratch, 'cache'), ESSG_TESTBED_BIN: path.join(scratch, 'bin') };
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/testbed/build.ts')], { env, stdio: 'inherit' });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cold build exited with ${code}`))));
    });
    const record = { seconds: (Date.now() - started) / 1000, measuredAt: new Date().toISOString() };
    await mkdir(path.dirname(COLD_RECORD), { recursive: true });
    await writeFile(COLD_RECORD, `${JSON.stringify(record)}\n`);
    return record;
  } finally {
    // The module cache is read-only by design; make it removable first.
    await new Promise<void>((resolve) => spawn('chmod', ['-R', 'u+w', scratch]).on('close', () => resolve()));
    await rm(scratch, { recursive: true, force: true });
  }
}
