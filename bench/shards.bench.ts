// Sharded replicas against one replica, in the same run on the running test bed: the same
// synthetic fleet (under other names each time) applied by `essg reconcile --leader-elect`
// as shipped (child processes), first by one replica, then by REPLICAS replicas with
// `--shards REPLICAS`. First sync, the no-op passes of the periodic poll, push-to-applied of a
// one-gateway change delivered to any replica, and each replica's memory. Leaves the cluster
// as it found it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { LABEL, MANAGED_BY, MEMBER_LEASE_LABEL, RECONCILER_NAME, SYSTEM_NAMESPACE } from '../src/contract/index.ts';
import { ensureGateways } from '../src/testbed/gateways.ts';
import { commitAndPush, createBareRepo } from '../test/integration/helpers/git.ts';
import { unusedPort } from '../test/integration/helpers/ports.ts';
import { generateFleet } from './fleet-generator.ts';
import { flipVersion, pushAndDeliver, untilApplied } from './reconcile.bench.ts';
import { cleanUp, renamedFleet, renderFiles, testbedSizedFor } from './reconcile-cluster.ts';
import type { TestbedState } from '../src/testbed/state.ts';
import { writeSection } from './report.ts';

const GATEWAYS = Number(process.env.ESSG_BENCH_SHARDS_GATEWAYS ?? 1_000);
const SERVICES = 4;
const REPLICAS = 3;
const CHANGES = 6;
/** The poll: after the first sync each of its passes is a no-op, timed by the replica. */
const POLL = '*/20 * * * * *';
const NOOP_WINDOW_MS = 65_000;
const STATUS_TOKEN = randomBytes(24).toString('hex');
const authorized = { headers: { authorization: `Bearer ${STATUS_TOKEN}` } };
const ESSG_BIN = path.resolve(import.meta.dirname, '..', 'bin', 'essg.js');
const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface Replica {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

interface StatusView {
  readonly fleet: {
    readonly revision?: string;
    readonly currentPass?: unknown;
    readonly lastPass?: { readonly started: string; readonly durationMs?: number; readonly result?: string };
    readonly replica?: { readonly shards?: { readonly held: readonly number[] } };
  };
}

const statusOf = async (r: Replica): Promise<StatusView> => (await (await fetch(`${r.url}/status?view=list`, authorized)).json()) as StatusView;

interface Run {
  readonly label: string;
  readonly replicas: number;
  readonly firstSyncSeconds: number;
  readonly noopMs: readonly number[];
  readonly changes: readonly number[];
  /** Peak and current RSS of each replica, MiB. */
  readonly memory: readonly { readonly peak: number; readonly now: number }[];
  readonly held: readonly (readonly number[])[];
}

async function startReplicas({ count, shards, repo, kubeconfig, secret, prefix }: { count: number; shards: number; repo: string; kubeconfig: string; secret: string; prefix: string }): Promise<Replica[]> {
  const replicas: Replica[] = [];
  for (let i = 0; i < count; i++) {
    const port = await unusedPort();
    const url = `http://127.0.0.1:${port}`;
    const name = `${prefix}-replica-${i}`;
    const args = ['reconcile', '--repo', repo, '--approvals', 'off', '--kubeconfig', kubeconfig, '--cache-dir', path.join(os.tmpdir(), `essg-bench-shards-${randomBytes(3).toString('hex')}`),
      '--interval', POLL, '--listen', `127.0.0.1:${port}`, '--advertise-url', url, '--leader-elect', ...(shards > 1 ? ['--shards', String(shards)] : [])];
    const child = spawn(process.execPath, [ESSG_BIN, ...args], {
      env: { ...process.env, POD_NAME: name, ESSG_STATUS_TOKEN: STATUS_TOKEN, ESSG_WEBHOOK_SECRET: secret }, stdio: ['ignore', 'ignore', 'ignore'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    replicas.push({ name, url, child, exited });
  }
  for (const r of replicas) await until(`${r.name} listening`, async () => (await fetch(`${r.url}/healthz`).catch(() => undefined))?.ok === true);
  return replicas;
}

async function stopReplicas(replicas: readonly Replica[]): Promise<void> {
  for (const r of replicas) r.child.kill('SIGTERM');
  await Promise.race([Promise.all(replicas.map((r) => r.exited)), sleep(30_000)]);
  for (const r of replicas) r.child.kill('SIGKILL');
}

async function memoryOf(pid: number): Promise<{ peak: number; now: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { peak: kib('VmHWM') / 1024, now: kib('VmRSS') / 1024 };
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 900_000, intervalMs = 200): Promise<void> {
  const started = performance.now();
  while (!(await probe().catch(() => false))) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(intervalMs);
  }
}

/** One configuration, start to finish, on its own copy of the fleet. */
async function measure({ label, count, shards, state, kubeconfig }: { label: string; count: number; shards: number; state: TestbedState; kubeconfig: KubeConfig }): Promise<Run> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const apps = kubeconfig.makeApiClient(AppsV1Api);
  const run = `s${randomBytes(2).toString('hex')}`;
  const namespacePrefix = `${run}-`;
  const files = renamedFleet(generateFleet({ gateways: GATEWAYS, servicesPerGateway: SERVICES }), { gatewayPrefix: `${run}gw`, namespacePrefix });
  const gatewayFiles = Object.keys(files).filter((f) => f.startsWith('gateways/'));
  const names = gatewayFiles.map((f) => path.basename(f, '.yaml'));
  const before = new Set((await core.listNode()).items.map((n) => n.metadata!.name!));
  log(`${label}: adding ${GATEWAYS} gateway nodes`);
  await ensureGateways({ state, names, log, timeoutMs: 900_000 });
  const addedNodes = names.filter((n) => !before.has(n));
  const repo = await createBareRepo(`bench-shards-${run}`);
  const head = await commitAndPush({ url: repo.url, files, message: 'the benchmark fleet' });
  const secret = randomBytes(16).toString('hex');
  const expected = (await renderFiles(files)).filter((o) => o.kind === 'Deployment').length;
  let replicas: Replica[] = [];
  try {
    log(`${label}: first sync of ${expected} Deployments`);
    const started = performance.now();
    replicas = await startReplicas({ count, shards, repo: repo.url, kubeconfig: state.kubeconfig, secret, prefix: run });
    const deploymentsOfRun = async () => (await apps.listDeploymentForAllNamespaces({ labelSelector: `${LABEL.managedBy}=${MANAGED_BY}` })).items.filter((d) => d.metadata?.namespace?.startsWith(namespacePrefix)).length;
    await until('every Deployment of the fleet', async () => (await deploymentsOfRun()) >= expected, 1_800_000, 2000);
    const firstSyncSeconds = (performance.now() - started) / 1000;
    await until('every replica idle on the head', async () => (await Promise.all(replicas.map(statusOf))).every((s) => s.fleet.revision === head && !s.fleet.currentPass));

    log(`${label}: no-op passes of the poll for ${NOOP_WINDOW_MS / 1000} s`);
    const noops = new Map<string, number>();
    const windowEnd = performance.now() + NOOP_WINDOW_MS;
    while (performance.now() < windowEnd) {
      for (const [i, s] of (await Promise.all(replicas.map(statusOf))).entries()) {
        const pass = s.fleet.lastPass;
        if (pass?.result === 'noop' && pass.durationMs !== undefined) noops.set(`${i} ${pass.started}`, pass.durationMs);
      }
      await sleep(1000);
    }

    log(`${label}: ${CHANGES} one-gateway changes, each delivered to one replica`);
    const changes: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const target = replicas[i % replicas.length]!;
      const flip = flipVersion({ files, gateway: gatewayFiles[(i * 97 + 13) % gatewayFiles.length]!, namespacePrefix });
      const { pushedAt } = await pushAndDeliver({ repo: repo.url, url: target.url, secret, files, flip, token: STATUS_TOKEN });
      changes.push(await untilApplied({ apps, flip, started: pushedAt }));
      await until('every replica idle', async () => (await Promise.all(replicas.map(statusOf))).every((s) => !s.fleet.currentPass));
    }
    const memory = await Promise.all(replicas.map((r) => memoryOf(r.child.pid!)));
    const held = (await Promise.all(replicas.map(statusOf))).map((s) => s.fleet.replica?.shards?.held ?? []);
    log(`${label}: first sync ${firstSyncSeconds.toFixed(1)} s, no-op ${median([...noops.values()]).toFixed(0)} ms, changes ${changes.map((s) => s.toFixed(2)).join('/')} s, peak RSS ${memory.map((m) => m.peak.toFixed(0)).join('/')} MiB`);
    return { label, replicas: count, firstSyncSeconds, noopMs: [...noops.values()], changes, memory, held };
  } finally {
    await stopReplicas(replicas);
    await cleanUp({ kubeconfig, gateways: new Set(names), addedNodes, log });
    await until('the run\'s namespaces gone', async () => (await core.listNamespace()).items.every((n) => !n.metadata?.name?.startsWith(namespacePrefix)), 900_000, 2000);
  }
}

/** Shard and membership Leases of earlier runs: a replica counts a member until its Lease expires. */
async function removeShardLeases(kubeconfig: KubeConfig): Promise<void> {
  const leases = kubeconfig.makeApiClient(CoordinationV1Api);
  const all = (await leases.listNamespacedLease({ namespace: SYSTEM_NAMESPACE }).catch(() => ({ items: [] }))).items;
  const ours = all.filter((l) => l.metadata?.labels?.[MEMBER_LEASE_LABEL.key] === MEMBER_LEASE_LABEL.value || l.metadata?.name?.startsWith(RECONCILER_NAME));
  await Promise.all(ours.map((l) => leases.deleteNamespacedLease({ namespace: SYSTEM_NAMESPACE, name: l.metadata!.name! }).catch(() => undefined)));
}

const mib = (values: readonly number[]) => values.map((v) => `${v.toFixed(0)} MiB`).join(', ');

export async function main(): Promise<void> {
  const state = await testbedSizedFor({ gateways: GATEWAYS, benchmark: 'shards' });
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(state.kubeconfig);
  const core = kubeconfig.makeApiClient(CoreV1Api);
  // The replicas are the only reconcilers of the cluster: other fleets' inventories would be pruned.
  await core.deleteCollectionNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, labelSelector: LABEL.inventoryOf }).catch(() => undefined);
  await removeShardLeases(kubeconfig);
  const runs: Run[] = [];
  runs.push(await measure({ label: 'one replica', count: 1, shards: 1, state, kubeconfig }));
  await removeShardLeases(kubeconfig);
  runs.push(await measure({ label: `${REPLICAS} replicas, --shards ${REPLICAS}`, count: REPLICAS, shards: REPLICAS, state, kubeconfig }));
  await removeShardLeases(kubeconfig);
  const [one, sharded] = runs as [Run, Run];
  const rows = runs.map((r) => `| ${r.label} | ${r.firstSyncSeconds.toFixed(1)} s | ${median(r.noopMs).toFixed(0)} ms (${r.noopMs.length} passes over the replicas) | ${median(r.changes).toFixed(2)} s (${r.changes.map((s) => s.toFixed(2)).join(', ')}) | ${mib(r.memory.map((m) => m.peak))} | ${mib(r.memory.map((m) => m.now))} | ${r.replicas === 1 ? '– (unsharded)' : r.held.map((h) => (h.length ? `shard ${h.join(' + ')}` : 'none')).join(' / ')} |`);
  await writeSection(path.resolve(import.meta.dirname, '..', 'BENCHMARKS.md'), {
    id: 'shards',
    title: `Sharded replicas: ${GATEWAYS.toLocaleString('en')} gateways, one replica and ${REPLICAS} in the same run`,
    command: `${GATEWAYS === 1_000 ? '' : `ESSG_BENCH_SHARDS_GATEWAYS=${GATEWAYS} `}npm run bench -- shards`,
    body: `The synthetic fleet of \`bench/fleet-generator.ts\` (seed 1, ${GATEWAYS.toLocaleString('en')} gateways × ${SERVICES} services, image pre-pull on), under fresh gateway and namespace names for each configuration, on the running test bed (one API server and etcd on this 2-core machine, KWOK gateway nodes added for each configuration and removed after it). Each replica is \`essg reconcile --leader-elect\` as shipped, a child process with its own Git cache, polling every 20 s (\`${POLL}\`); the sharded ones run with \`--shards ${REPLICAS}\` and started together. **First sync**: from starting the replicas to the API server holding every Deployment of the fleet (listed every 2 s). **No-op**: the passes of the poll once the fleet is applied, as each replica times them (\`lastPass.durationMs\` with result \`noop\`, read every second for ${NOOP_WINDOW_MS / 1000} s), the median over all replicas. **Push-to-applied**: a service's version flipped on one gateway, pushed, the signed push event POSTed to one replica in turn (as a Service would pick one), until the Deployment carries the new version; with pre-pull that is two passes of the replica holding the gateway's shard, the first sends the new image out, the job's end asks for the second. **Memory**: each replica's peak (VmHWM) and current RSS at the end.

| configuration | first sync | no-op pass, median | push-to-applied, median of ${CHANGES} | peak RSS per replica | RSS at the end | shards each replica held at the end |
|---|---|---|---|---|---|---|
${rows.join('\n')}

First sync, ${REPLICAS} sharded replicas vs one: **${(one.firstSyncSeconds / sharded.firstSyncSeconds).toFixed(2)} ×** as fast; peak RSS of the largest sharded replica ÷ the single replica's: ${(Math.max(...sharded.memory.map((m) => m.peak)) / one.memory[0]!.peak).toFixed(2)}. On one machine the replicas share its two cores with the API server and etcd, which set the pace of a first sync (BENCHMARKS.md, peers: the API server's own limit); sharding is for spreading the reconcilers' CPU and memory over the cluster's nodes, and this run shows what each replica then carries. Every replica still loads, renders and watches the whole fleet (it decides rollouts over every gateway and reports every gateway), so its memory does not fall with its share of the writes: what it sheds is the plans and applies of the other shards' gateways, small beside the renders and the watch cache. And every replica passes on every push (the one GitHub reached sends it on to the others), so on one machine a push costs three fetches, loads and renders competing for two cores, which is what push-to-applied and the no-op passes show here.`,
  });
}
