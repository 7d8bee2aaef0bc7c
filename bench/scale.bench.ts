// Beyond the test bed: validate, render and plan (against a synthetic live state) 10,000 and
// 100,000 gateways × 4 services in one process, with its time and peak RSS, and from the
// measured per-gateway cost the replicas (shards) 100,000 gateways need at 1 GiB each.
// Every measurement runs in a fresh process (bench/scale-child.ts).
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, type ChildReport } from './child.ts';
import { generateFleet, writeFleetToDisk } from './fleet-generator.ts';
import { writeSection } from './report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const child = path.join(root, 'bench/scale-child.ts');
const SIZES = [10_000, 100_000] as const;
/** Enough heap for 100,000 gateways' renders and live state in one process. */
const HEAP_MIB = 20_480;
const REPLICA_MIB = 1024;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms: number) => `${ms.toFixed(1)} ms`;
const mib = (value: number) => `${value.toFixed(0)} MiB`;
const count = (n: number) => n.toLocaleString('en');
const num = (report: ChildReport, key: string) => report[key] as number;

async function fleetDir(gateways: number): Promise<string> {
  const dir = path.join(root, '.bench', `scale-fleet-${gateways}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFleetToDisk(dir, generateFleet({ gateways, servicesPerGateway: 4, seed: 1 }));
  return dir;
}

export async function main(): Promise<void> {
  const results = new Map<number, { validate: ChildReport; render: ChildReport; threads: ChildReport; plan: ChildReport }>();
  for (const gateways of SIZES) {
    const dir = await fleetDir(gateways);
    const run = (mode: string) => runChild(child, [mode, dir], { maxOldSpaceMiB: HEAP_MIB });
    const validate = await run('validate');
    console.log(`${gateways} validate ${seconds(num(validate, 'ms'))}, ${mib(validate.peakRssMiB)}`);
    const render = await run('render');
    console.log(`${gateways} render ${seconds(num(render, 'ms'))}, ${mib(render.peakRssMiB)}`);
    const threads = await run('render-threads');
    if (num(threads, 'offloaded') !== gateways) throw new Error(`render-threads sent ${num(threads, 'offloaded')} of ${gateways} gateways to its threads`);
    if (num(threads, 'objects') !== num(render, 'objects')) throw new Error(`render-threads made ${num(threads, 'objects')} objects, one thread ${num(render, 'objects')}`);
    console.log(`${gateways} render on ${num(threads, 'threads')} threads ${seconds(num(threads, 'ms'))}, ${mib(threads.peakRssMiB)}`);
    const plan = await run('plan');
    console.log(`${gateways} plan ${millis(num(plan, 'fullPlanMs'))}, one change re-planned in ${millis(num(plan, 'replanMs'))}, ${mib(plan.peakRssMiB)}`);
    results.set(gateways, { validate, render, threads, plan });
    await rm(dir, { recursive: true, force: true });
  }
  const small = results.get(SIZES[0])!;
  const threadCount = num(small.threads, 'threads');
  const large = results.get(SIZES[1])!;
  const rows = SIZES.map((n) => {
    const { validate, render, threads, plan } = results.get(n)!;
    return `| ${count(n)} × 4 | ${seconds(num(validate, 'ms'))} (${mib(validate.peakRssMiB)}) | ${seconds(num(render, 'ms'))} (${mib(render.peakRssMiB)}) | ${seconds(num(threads, 'ms'))} (${mib(threads.peakRssMiB)}; ${(num(render, 'ms') / num(threads, 'ms')).toFixed(2)} ×) | ${seconds(num(plan, 'firstPlanMs'))} | ${seconds(num(plan, 'fullPlanMs'))} | ${millis(num(plan, 'memoPassMs'))} | ${millis(num(plan, 'rerenderMs'))} | ${millis(num(plan, 'replanMs'))} (${num(plan, 'replanMade')} planned) | ${mib(plan.peakRssMiB)} |`;
  });
  const liveRows = SIZES.map((n) => {
    const { plan } = results.get(n)!;
    return `| ${count(n)} | ${count(num(plan, 'objects'))} + ${count(num(plan, 'pods'))} pods + ${count(num(plan, 'nodes'))} nodes | ${mib(num(plan, 'rssAfterLoadMiB'))} | ${mib(num(plan, 'rssAfterRenderMiB'))} | ${mib(num(plan, 'rssAfterLiveMiB'))} | ${mib(num(plan, 'rssEndMiB'))} |`;
  });
  // Per-gateway memory from the two sizes; what is left of a replica's 1 GiB after the fixed part.
  const perGatewayMiB = (num(large.plan, 'rssEndMiB') - num(small.plan, 'rssEndMiB')) / (SIZES[1] - SIZES[0]);
  const fixedMiB = Math.max(0, num(small.plan, 'rssEndMiB') - SIZES[0] * perGatewayMiB);
  const perReplica = Math.floor((REPLICA_MIB - fixedMiB) / perGatewayMiB);
  const shards = Math.ceil(SIZES[1] / perReplica);
  const replicaMiB = fixedMiB + (SIZES[1] / shards) * perGatewayMiB;
  const summary = `From the two sizes: **${(perGatewayMiB * 1024).toFixed(0)} KiB per gateway** (its render, live objects, pod, node, inventory and plan) over a fixed ${mib(fixedMiB)}, so one replica holds at most **${count(perReplica)} gateways in ${REPLICA_MIB / 1024} GiB**: 100,000 gateways need **${shards} shards** of about ${mib(replicaMiB)} each (before the status store, histories and Git objects, which grow with the same gateways). That is the memory of a replica that holds only its shard's gateways; the sharded replicas of today (\`--shards\`, the shards section) split the writes, but each still loads, renders and watches the whole fleet, so their memory is the whole fleet's.`;
  console.log(summary);

  await writeSection(path.join(root, 'BENCHMARKS.md'), {
    id: 'scale',
    title: 'Beyond the test bed: 10,000 and 100,000 gateways, simulated',
    command: 'npm run bench -- scale',
    body: `Synthetic fleets from \`bench/fleet-generator.ts\` (seed 1, 4 services per gateway, 50 gateways per customer), written and flushed to disk (\`sync\`) before anything is timed, one run per figure, each stage in a fresh Node process (\`bench/scale-child.ts\`, heap limit ${count(HEAP_MIB)} MiB) with its own peak RSS. Nothing runs on a cluster: **plan** plans every gateway against a synthetic live state the size of what the watch cache would hold for the fleet (each rendered object as the API server serves it back, with its metadata, defaulted fields and status; one pod per workload; one node per gateway) as the plan step does: each gateway through the plan memo, the customers' Namespaces once, on one thread. **Render on render threads** is the load worker's path for a cold commit (\`renderGatewaysOn\` with a \`RenderPool\` of \`DEFAULT_RENDER_THREADS\`, the machine's cores up to 4: each thread synthesizes batches of 250 gateways' inputs, copied there and back); the one-thread render is the same gateways with no threads. Targets: 100,000 gateways validated ≤ 8 s, rendered ≤ 90 s, a one-gateway change re-planned ≤ 50 ms.

| gateways × services | validate (peak RSS) | render on one thread (peak RSS) | render on ${threadCount} render threads, as the load worker renders a cold commit (peak RSS; speed-up) | first-sync plan | plan, memo empty (a restart) | plan, nothing changed (memo) | re-render after one change | re-plan after it | peak RSS of plan |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Memory of the plan process as it goes (RSS after each stage):

| gateways | live state | after load | after render | after live state | at the end |
|---|---|---|---|---|---|
${liveRows.join('\n')}

${summary}`,
  });
}
