// Long histories: 1,000 gateways × 4 services, each with the same 200 pending commits (each
// commit changes 5 gateways, so every gateway's own change is somewhere in them). The gate's
// passes over them as the reconciler runs them: its load worker, its GitHub client, the
// GitHub fake. A pass must read each commit once, however many gateways walk through it.
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './child.ts';
import { generateFleet, upgradeFirstService, writeFleet } from './fleet-generator.ts';
import type { HistoryScenario } from './history-child.ts';
import { writeSection } from './report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** `ESSG_BENCH_GATEWAYS=N` runs a smaller fleet for a quick look, printed only. */
const GATEWAYS = Number(process.env.ESSG_BENCH_GATEWAYS ?? 1_000);
const RECORD = process.env.ESSG_BENCH_GATEWAYS === undefined;
const PENDING = 200;
const PER_COMMIT = Math.max(1, Math.round(GATEWAYS / PENDING));
const PASSES = 2;

interface PassFigures {
  readonly seconds: number; readonly headSeconds: number; readonly loadSeconds: number; readonly commitsLoaded: number; readonly lookups: number; readonly githubRequests: number;
  readonly heldMiB: number; readonly rssMiB: number; readonly atHead: number; readonly held: number; readonly walked: number;
}

export async function main(): Promise<void> {
  const dir = path.join(root, '.bench', `history-${GATEWAYS}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=ops', '-c', 'user.email=ops@example.com', ...args], { encoding: 'utf8' }).trim();
  const files = generateFleet({ gateways: GATEWAYS, servicesPerGateway: 4, seed: 1 });
  await writeFleet(dir, files);
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'the benchmark fleet');
  const trusted = git('rev-parse', 'HEAD');
  const gatewayFiles = Object.keys(files).filter((f) => f.startsWith('gateways/')).sort();
  const pending: { sha: string; customers: string[] }[] = [];
  for (let i = 0; i < PENDING; i++) {
    const touched = gatewayFiles.slice((i * PER_COMMIT) % gatewayFiles.length).slice(0, PER_COMMIT);
    await writeFleet(dir, upgradeFirstService(files, touched));
    git('commit', '-q', '-am', `change ${i + 1}: ${touched.length} gateways`);
    pending.push({ sha: git('rev-parse', 'HEAD'), customers: [...new Set(touched.map((f) => f.split('/')[1]!))] });
  }
  const gateways = gatewayFiles.map((f) => path.basename(f, '.yaml'));
  const scenarios: { readonly name: string; readonly pending: typeof pending; readonly approved: boolean }[] = [
    { name: 'nothing pending', pending: [], approved: false },
    { name: `${PENDING / 10} pending, none approved`, pending: pending.slice(0, PENDING / 10), approved: false },
    { name: `${PENDING} pending, none approved`, pending, approved: false },
    { name: `${PENDING} pending, all approved`, pending, approved: true },
  ];
  const rows: string[] = [];
  for (const { name, pending: commits, approved } of scenarios) {
    console.log(`== ${name}`);
    const file = path.join(dir, '..', `history-${GATEWAYS}-scenario.json`);
    const scenario: HistoryScenario = { dir, trusted, pending: commits, approved, gateways, passes: PASSES };
    await writeFile(file, JSON.stringify(scenario));
    const report = await runChild(path.join(root, 'bench/history-child.ts'), [file]);
    const passes = report.passes as PassFigures[];
    passes.forEach((p, i) => {
      rows.push(`| ${i === 0 ? name : ''} | ${i === 0 ? 'first (worker cold)' : `${i + 1}`} | **${p.seconds.toFixed(2)} s** | ${p.headSeconds.toFixed(2)} s | ${p.loadSeconds.toFixed(2)} s | ${p.commitsLoaded} | ${(p.walked).toLocaleString('en')} | ${p.lookups} (${p.githubRequests} requests) | ${p.atHead.toLocaleString('en')} / ${p.held.toLocaleString('en')} | ${p.heldMiB.toFixed(0)} MiB | ${i === 0 ? `${report.peakRssMiB.toFixed(0)} MiB` : ''} |`);
      console.log(rows.at(-1));
    });
  }
  if (!RECORD) return;
  await writeSection(path.join(root, 'BENCHMARKS.md'), {
    id: 'history',
    title: `Long histories: ${GATEWAYS.toLocaleString('en')} gateways, ${PENDING} pending commits each`,
    command: 'npm run bench -- history',
    body: `The synthetic fleet of \`bench/fleet-generator.ts\` (seed 1, ${GATEWAYS.toLocaleString('en')} gateways × 4 services, 20 customers) committed once (the trusted revision every gateway is on), then ${PENDING} commits, each merged by its own pull request on the GitHub fake and each moving the first service of ${PER_COMMIT} gateways to another version: every gateway has all ${PENDING} commits pending, its own change among them. Each scenario runs in a fresh process: the gate's load and decide steps of ${PASSES} passes (\`revisions.at(head)\`, then \`chooseTargets\` with approvals on), with the reconciler's own load worker (\`WorkerLoader\`: a worker thread that keeps Git objects, unchanged renders and each file's own checks between passes; the main thread holds the parts of the fleet equal between commits once) and its own GitHub client (\`createGitHubClient\`). The other steps of a pass (observe, plan, apply, report) do not depend on the history; their cost at 1,000 gateways is in the rollout section.

"Decisions" counts what the walks decided: one per commit that changes the gateway walking it (the walks step over the other commits, already loaded); "loaded" the commits loaded and rendered; "asked" the commits GitHub was asked about. "Loading" is the time the pass waited on the load worker. "Retained" is the main thread's heap the pass holds once it has decided (after a forced GC), "peak RSS" the whole process, worker included.

| scenario | pass | gate time | of which the head | loading, head included | commits loaded | decisions | commits asked | at head / held | retained | peak RSS |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}`,
  });
}
