// Render synthetic fleets of 1,000 and 10,000 gateways × 4 services: a full render, the
// re-render after a change to one gateway, and the 1,000-gateway fleet as one cdk8s App.
// Every measurement runs in a fresh process (bench/render-child.ts) so its peak RSS is its own.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, type ChildReport } from './child.ts';
import { generateFleet, writeFleet } from './fleet-generator.ts';
import { writeSection } from './report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const child = path.join(root, 'bench/render-child.ts');
const SIZES = [1_000, 10_000];
const RUNS = 3;
const ONE_APP_SIZE = 1_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms: number) => `${ms.toFixed(1)} ms`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const count = (n: number) => n.toLocaleString('en');

async function fleetDir(gateways: number): Promise<string> {
  const dir = path.join(root, '.bench', `render-fleet-${gateways}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFleet(dir, generateFleet({ gateways, servicesPerGateway: 4, seed: 1 }));
  return dir;
}

async function runs(mode: string, dir: string, times: number): Promise<ChildReport[]> {
  const out: ChildReport[] = [];
  for (let i = 0; i < times; i++) out.push(await runChild(child, [mode, dir]));
  return out;
}

export async function main(): Promise<void> {
  const full: string[] = [];
  const rerender: string[] = [];
  const independentMs = new Map<number, number>();
  const dirs = new Map<number, string>();
  for (const gateways of SIZES) {
    const dir = await fleetDir(gateways);
    dirs.set(gateways, dir);
    const reports = await runs('full', dir, RUNS);
    const render = reports.map((r) => r.renderMs as number);
    const yaml = reports.map((r) => r.yamlMs as number);
    independentMs.set(gateways, median(render));
    full.push(
      `| ${count(gateways)} × 4 | ${count(reports[0]!.objects as number)} | ${seconds(median(render))} | ${seconds(Math.min(...render))} | ${seconds(median(reports.map((r) => r.renderCpuMs as number)))} | ${seconds(median(yaml))} | ${(Number(reports[0]!.yamlBytes) / 2 ** 20).toFixed(0)} MiB | ${Math.max(...reports.map((r) => r.peakRssMiB)).toFixed(0)} MiB |`,
    );
    console.log(full.at(-1));
    const [again] = await runs('rerender', dir, 1);
    rerender.push(`| ${count(gateways)} × 4 | ${millis(again!.passMs as number)} | ${again!.synthesized} | ${millis(again!.chartMs as number)} | ${millis(again!.unchangedPassMs as number)} (${again!.unchangedSynthesized} charts) |`);
    console.log(rerender.at(-1));
  }
  const [oneApp] = await runs('one-app', dirs.get(ONE_APP_SIZE)!, 1);
  const oneAppMs = oneApp!.ms as number;
  const independent = independentMs.get(ONE_APP_SIZE)!;
  const oneAppRow = `| ${count(ONE_APP_SIZE)} × 4 | ${seconds(independent)} | ${seconds(oneAppMs)} | ${(oneAppMs / independent).toFixed(1)} × | ${oneApp!.peakRssMiB.toFixed(0)} MiB |`;
  console.log(oneAppRow);

  await writeSection(path.join(root, 'BENCHMARKS.md'), {
    id: 'render',
    title: 'Render gateways to Kubernetes objects (cdk8s)',
    command: 'npm run bench -- render',
    body: `Synthetic fleets from \`bench/fleet-generator.ts\` (seed 1: 4 daemon services per gateway, one ip-block response; image pre-pull jobs are made per wave by the rollout, so no render holds one), loaded by the fleet loader (not counted), then rendered in a fresh Node process per measurement (\`bench/render-child.ts\`). Peak RSS is the whole process, loaded fleet included. Targets: 10,000 gateways ≤ 20 s and ≤ 2 GiB; re-render after a one-gateway change ≤ 100 ms.

**Full render**: \`renderFleet\`, one cdk8s App and chart per gateway, to plain objects (what the reconciler applies); then every gateway serialized to YAML (what \`essg render\` writes). Median and best wall time of ${RUNS} runs, median CPU time (user + system) of the render; on this shared 2-core machine wall time follows the other engineers' load (a run during a parallel Kubernetes build measured 31.6 s wall for 10,000 gateways at 12.2 s CPU), CPU time much less.

| gateways × services | objects | render (median) | render (best) | render CPU | + YAML (median) | YAML size | peak RSS |
|---|---|---|---|---|---|---|---|
${full.join('\n')}

**Re-render after a one-gateway change**: a cached full render, then a gateway's config changes (its file digest with it) and the fleet is rendered again; median of 5 such passes, each changing another gateway. The pass computes every gateway's render key and synthesizes only the changed chart.

| gateways × services | pass after one change | charts synthesized | that chart alone | pass with no change |
|---|---|---|---|---|
${rerender.join('\n')}

**One cdk8s App for the whole fleet**: the same ${count(ONE_APP_SIZE)} gateways as charts of one App, each chart synthesized with \`chart.toJson()\` (how per-gateway objects come out of a shared App). Every chart synthesis resolves and validates the whole App, so the cost grows with the square of the charts; this is why each gateway renders in an App of its own.

| gateways × services | independent Apps | one App | ratio | peak RSS |
|---|---|---|---|---|
${oneAppRow}`,
  });
}
