// Validate (load) synthetic fleets of 1,000 and 10,000 gateways × 4 services.
// Each size runs in a fresh process so its peak RSS is its own.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './child.ts';
import { generateFleet, writeFleetToDisk } from './fleet-generator.ts';
import { writeSection } from './report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = [1_000, 10_000];
const RUNS = 3;

export async function main(): Promise<void> {
  const rows: string[] = [];
  for (const gateways of SIZES) {
    const dir = path.join(root, '.bench', `fleet-${gateways}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const files = generateFleet({ gateways, servicesPerGateway: 4, seed: 1 });
    await writeFleetToDisk(dir, files);
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runChild(path.join(root, 'bench/validate-child.ts'), [dir]));
    const times = runs.map((r) => r.ms as number).sort((a, b) => a - b);
    const cpu = runs.map((r) => r.cpuMs as number).sort((a, b) => a - b);
    const rss = Math.max(...runs.map((r) => r.peakRssMiB));
    rows.push(`| ${gateways.toLocaleString('en')} × 4 | ${Object.keys(files).length.toLocaleString('en')} | ${(times[Math.floor(RUNS / 2)]! / 1000).toFixed(2)} s | ${(times[0]! / 1000).toFixed(2)} s | ${(cpu[Math.floor(RUNS / 2)]! / 1000).toFixed(2)} s | ${rss.toFixed(0)} MiB |`);
    console.log(rows.at(-1));
  }
  await writeSection(path.join(root, 'BENCHMARKS.md'), {
    id: 'validate',
    title: 'Validate (load) a fleet repo',
    command: 'npm run bench -- validate',
    body: `Synthetic fleets from \`bench/fleet-generator.ts\` (seed 1), read from disk and checked against every rule; each run in a fresh Node process (process start and module load not counted). Median and best wall time of ${RUNS} runs, and the median CPU time (user + system, less sensitive to a busy machine); peak RSS is the whole process. Target: 10,000 gateways in ≤ 5 s and ≤ 1 GiB.

| gateways × services | files | median wall | best wall | median CPU | peak RSS |
|---|---|---|---|---|---|
${rows.join('\n')}`,
  });
}
