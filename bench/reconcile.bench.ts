// The reconciler at 1,000 gateways × 4 services on the running test bed: first sync, a no-op
// pass, push-to-applied latency through the webhook, and `kubectl apply --server-side` of
// the same rendered objects as the baseline. Leaves the cluster as it found it.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startRuntime, type Runtime } from '../src/runtime/runtime.ts';
import type { PassSummary } from '../src/engine/engine.ts';
import { signBody } from '../src/source/index.ts';
import { ensureGateways } from '../src/testbed/gateways.ts';
import { setGatewayUplink } from '../src/testbed/index.ts';
import { commitAndPush, createBareRepo } from '../test/integration/helpers/git.ts';
import { generateFleet } from './fleet-generator.ts';
import { cleanUp, kubectlApply, renamedFleet, renderFiles, testbedSizedFor, uniqueObjects } from './reconcile-cluster.ts';
import { writeSection } from './report.ts';
import { ANNOTATION, LABEL, SYSTEM_NAMESPACE } from '../src/contract/index.ts';

const GATEWAYS = 1_000;
const SERVICES = 4;
const WEBHOOK_CHANGES = 10;
/** One-gateway config changes: the same image, so no pre-pull and one pass. */
const CONFIG_CHANGES = 10;
const NOOP_PASSES = 10;
/** Gateways taken offline one after the other, each through this many changes, for the reconnect catch-up. */
const RECONNECTS = 3;
const RECONNECT_CHANGES = 3;
/**
 * kubectl applies one object at a time: a full 1,000-gateway run took longer than the whole
 * benchmark may, so it applies this many gateways' objects and its rate is scaled up.
 */
const KUBECTL_GATEWAYS = 100;
const RECONCILER_LOG = path.resolve(import.meta.dirname, '..', '.bench', 'reconcile-reconciler.log');
/** The operator token the benchmark reads status and /metrics with. */
const STATUS_TOKEN = randomBytes(24).toString('hex');
const authorized = { headers: { authorization: `Bearer ${STATUS_TOKEN}` } };
const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

type Counts = Record<string, number>;

async function requestCounts(url: string): Promise<Counts> {
  const text = await (await fetch(`${url}/metrics`, authorized)).text();
  const counts: Counts = {};
  for (const m of text.matchAll(/^essg_api_requests_total\{verb="(\w+)"\} (\d+)/gm)) counts[m[1]!] = Number(m[2]);
  return counts;
}

const delta = (before: Counts, after: Counts): Counts => Object.fromEntries(Object.entries(after).map(([verb, n]) => [verb, n - (before[verb] ?? 0)]).filter(([, n]) => (n as number) > 0));
const WRITES = ['create', 'update', 'patch', 'delete', 'deletecollection', 'apply'];
const writes = (c: Counts) => Object.entries(c).filter(([verb]) => WRITES.includes(verb)).reduce((n, [, v]) => n + v, 0);
const verbs = (c: Counts) => Object.entries(c).sort().map(([verb, n]) => `${verb} ${n.toLocaleString('en')}`).join(', ') || 'none';

export async function timed<T>(action: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await action();
  return { value, seconds: (performance.now() - started) / 1000 };
}

export async function main(): Promise<void> {
  const state = await testbedSizedFor({ gateways: GATEWAYS, benchmark: 'reconcile' });
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(state.kubeconfig);
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const apps = kubeconfig.makeApiClient(AppsV1Api);

  // Fresh namespaces every run: an earlier run's may still be terminating.
  const run = randomBytes(2).toString('hex');
  const files = renamedFleet(generateFleet({ gateways: GATEWAYS, servicesPerGateway: SERVICES }), { gatewayPrefix: 'gw', namespacePrefix: `r${run}-` });
  const gatewayFiles = Object.keys(files).filter((f) => f.startsWith('gateways/'));
  const names = gatewayFiles.map((f) => path.basename(f, '.yaml'));
  const kubectlFiles = renamedFleet(generateFleet({ gateways: GATEWAYS, servicesPerGateway: SERVICES }), { gatewayPrefix: 'kgw', namespacePrefix: `k${run}-` });
  const kubectlGateways = Object.keys(kubectlFiles).filter((f) => f.startsWith('gateways/')).map((f) => path.basename(f, '.yaml'));
  const kubectlSlice = new Set(kubectlGateways.slice(0, KUBECTL_GATEWAYS));

  const before = new Set((await core.listNode()).items.map((n) => n.metadata!.name!));
  log(`adding ${GATEWAYS} gateway nodes`);
  await ensureGateways({ state, names, log, timeoutMs: 600_000 });
  const addedNodes = names.filter((n) => !before.has(n));

  let runtime: Runtime | undefined;
  /** The reconciler's log: to tell which pass a returning node asked for, and kept in .bench/ after the run. */
  const lines: string[] = [];
  try {
    // Before the reconciler's sync, so kubectl meets the same quiet cluster.
    log(`kubectl apply --server-side of ${KUBECTL_GATEWAYS} of the gateways under fresh names`);
    const rendered = await renderFiles(kubectlFiles);
    // A customer's Namespace is rendered into each of its gateways: count and apply it once.
    const ofSlice = rendered.filter((o) => kubectlSlice.has(o.metadata.labels?.[LABEL.gateway] ?? ''));
    const sliceNamespaces = new Set(ofSlice.map((o) => o.metadata.namespace));
    const inSlice = [...rendered.filter((o) => o.kind === 'Namespace' && sliceNamespaces.has(o.metadata.name)), ...ofSlice];
    const kubectlObjects = uniqueObjects(inSlice);
    const fullCount = uniqueObjects(rendered).length;
    const kubectl = await kubectlApply({ objects: kubectlObjects, kubeconfig: state.kubeconfig });
    const kubectlRate = kubectlObjects.length / kubectl.seconds;
    const kubectlFull = fullCount / kubectlRate;
    log(`kubectl: ${kubectlObjects.length} objects in ${kubectl.seconds.toFixed(1)} s`);
    const repo = await createBareRepo('bench-reconcile');
    const secret = randomBytes(16).toString('hex');
    runtime = await startBenchRuntime({ repo: repo.url, files, kubeconfig: state.kubeconfig, core, secret, log: (line) => lines.push(`${new Date().toISOString()} ${line}`) });
    const url = runtime.url!;
    log('first sync');
    let counts = await requestCounts(url);
    const first = await timed(() => runtime!.passOnce());
    const firstCounts = delta(counts, (counts = await requestCounts(url)));
    if (first.value?.result !== 'success') throw new Error(`first sync: ${first.value?.result} ${first.value?.error ?? ''}`);
    const objects = first.value.plans.reduce((n, p) => n + p.creates.length, 0);

    // A no-op pass is one with nothing to do: measured once KWOK has moved the synced pods and
    // Deployments to Ready.
    log('waiting for the cluster to settle');
    const settleSeconds = await untilSettled(apps, `r${run}-`);
    log(`no-op passes (settled after ${settleSeconds.toFixed(1)} s)`);
    // The first pass after the sync settled records every gateway Ready: writes, not a no-op.
    const recordingBefore = runtime.requests.total;
    const recording = await timed(() => runtime!.passOnce());
    const recordingRequests = runtime.requests.total - recordingBefore;
    counts = await requestCounts(url);
    const noops: { ms: number; summary: PassSummary; requests: number; watchListings: number }[] = [];
    for (let i = 0; i < NOOP_PASSES; i++) {
      const requestsBefore = runtime.requests.total;
      const listingsBefore = runtime.watches().listings;
      const pass = await timed(() => runtime!.passOnce());
      noops.push({ ms: pass.seconds * 1000, summary: pass.value!, requests: runtime.requests.total - requestsBefore, watchListings: runtime.watches().listings - listingsBefore });
    }
    const noopCounts = delta(counts, (counts = await requestCounts(url)));
    const noop = [...noops].sort((a, b) => a.ms - b.ms)[Math.floor(noops.length / 2)]!;

    log('push-to-applied via webhook');
    const latencies: number[] = [];
    const stageSums: Record<string, number> = {};
    for (let i = 0; i < WEBHOOK_CHANGES; i++) {
      const before = await stepSeconds(url);
      latencies.push(await webhookChange({ repo: repo.url, url, secret, files, gateway: gatewayFiles[i * 97]!, namespacePrefix: `r${run}-`, apps }));
      // The pass it started has ended once status has it: its steps are the histogram's growth.
      await waitForIdle(url);
      const after = await stepSeconds(url);
      for (const [step, sum] of Object.entries(after)) stageSums[step] = (stageSums[step] ?? 0) + sum - (before[step] ?? 0);
    }
    const stages = Object.entries(stageSums).map(([step, sum]) => `${step} ${((sum / WEBHOOK_CHANGES) * 1000).toFixed(0)} ms`).join(', ');

    log('push-to-applied of config changes via webhook');
    const configLatencies: number[] = [];
    const configSums: Record<string, number> = {};
    for (let i = 0; i < CONFIG_CHANGES; i++) {
      const before = await stepSeconds(url);
      configLatencies.push(await configChange({ repo: repo.url, url, secret, files, gateway: gatewayFiles[i * 97 + 20]!, namespacePrefix: `r${run}-`, apps }));
      await waitForIdle(url);
      const after = await stepSeconds(url);
      for (const [step, sum] of Object.entries(after)) configSums[step] = (configSums[step] ?? 0) + sum - (before[step] ?? 0);
    }
    const configStages = Object.entries(configSums).map(([step, sum]) => `${step} ${((sum / CONFIG_CHANGES) * 1000).toFixed(0)} ms`).join(', ');
    const configMedian = [...configLatencies].sort((a, b) => a - b)[Math.floor(configLatencies.length / 2)]!;

    log(`reconnect catch-up: ${RECONNECTS} gateways, each offline through ${RECONNECT_CHANGES} changes`);
    const catchUps: CatchUp[] = [];
    for (let i = 0; i < RECONNECTS; i++) {
      catchUps.push(await reconnectCatchUp({ core, apps, stateDir: state.stateDir, repo: repo.url, url, secret, files, gateway: gatewayFiles[i * 97 + 50]!, namespacePrefix: `r${run}-`, lines }));
      await waitForIdle(url);
    }
    const catchUp = [...catchUps].sort((a, b) => a.seconds - b.seconds)[Math.floor(catchUps.length / 2)]!;
    const watchStats = runtime.watches();


    const median = [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length / 2)]!;
    await writeSection(path.resolve(import.meta.dirname, '..', 'BENCHMARKS.md'), {
      id: 'reconcile',
      title: 'Reconcile 1,000 gateways on the test bed',
      command: 'npm run bench -- reconcile',
      body: `The synthetic fleet of \`bench/fleet-generator.ts\` (seed 1, ${GATEWAYS.toLocaleString('en')} gateways × ${SERVICES} services, 20 customers), pushed to a fresh bare repo on the test bed's Git server; one in-process reconciler (\`startRuntime\`, approvals off) against the running test bed (one API server, etcd, KWOK gateway nodes; ${GATEWAYS.toLocaleString('en')} gateway nodes added for the run). API requests are those of the reconciler's cluster client (essg_api_requests_total, by verb: the passes' and the watch cache's listings and metrics reads together; Events go through their own client and are not in them); a pass's own requests are the runtime's \`requests\` count. Passes read the cluster from the watch cache: ${watchStats.listings} listings and ${watchStats.watches} watch connections over the whole run, ${watchStats.events.toLocaleString('en')} watch events. One run; the machine is shared, so read the ratio more than the seconds.

| measurement | time | API requests | writes |
|---|---|---|---|
| first sync (${fullCount.toLocaleString('en')} objects; ${objects.toLocaleString('en')} planned creates, as every gateway's plan carries its customer's shared Namespace, plus one inventory per gateway) | ${first.seconds.toFixed(1)} s | ${verbs(firstCounts)} | ${writes(firstCounts).toLocaleString('en')} |
| no-op pass, median of ${NOOP_PASSES}, once the cluster settled (every Deployment Available, ${settleSeconds.toFixed(0)} s after the sync, then ${QUIET_MS / 1000} s more; result ${noop.summary.result}; targets 0 requests, ≤ 100 ms) | **${noop.ms.toFixed(0)} ms** (${noops.map((n) => n.ms.toFixed(0)).join(', ')} ms) | passes: ${noops.map((n) => n.requests).join(', ')} requests; the watch cache meanwhile: ${verbs(noopCounts)}, ${noops.reduce((n, p) => n + p.watchListings, 0)} listings | **${writes(noopCounts)}** |
| \`kubectl apply --server-side\` of the same rendered objects under fresh names (a first sync too), ${KUBECTL_GATEWAYS} gateways: ${kubectlObjects.length.toLocaleString('en')} objects, namespaces first, ${kubectl.files} files | ${kubectl.seconds.toFixed(1)} s (${kubectlRate.toFixed(1)} objects/s) | one request per object (not counted) | – |
| the same kubectl rate over all ${fullCount.toLocaleString('en')} objects (scaled, not measured) | ≈ ${kubectlFull.toFixed(0)} s | | |

**First sync, reconciler vs kubectl: ${(kubectlFull / first.seconds).toFixed(1)} ×** as fast (kubectl's scaled time ÷ the reconciler's measured time; the reconciler's pass includes fetch, load, render, plan, inventories and health observation). kubectl applies one object after another; a full 1,000-gateway kubectl run was started first and stopped after 8 minutes at under a third of the objects, as the 4,000 pods of its Deployments (pending: its nodes do not exist) and the reconciler's 4,000 running pods loaded the API server, so kubectl now runs on ${KUBECTL_GATEWAYS} gateways before the reconciler's sync and its rate is scaled. Its ${KUBECTL_GATEWAYS * SERVICES} pending pods stay while the reconciler syncs.

**Push-to-applied latency** of a one-gateway change (a service's version flipped on one gateway), from the end of \`git push\` to the Deployment carrying the new version in the API server: a signed GitHub push event POSTed to /webhook, the pass it triggers fetches, loads, renders (the other 999 gateways from the render cache), plans against every gateway's live objects and applies; the fleet pre-pulls (\`spec.prePull\`), so that is two passes: the first records the gateway's wave and sends its new image out in an ImagePrePullJob, the job's end on the node (the test bed's pull takes 1 s) asks for the second, which switches the Deployment. ${WEBHOOK_CHANGES} changes, each on another gateway: ${latencies.map((s) => `${s.toFixed(2)} s`).join(', ')}; median **${median.toFixed(2)} s** (target ≤ 1 s). Where the triggered pass spent its time, the mean over the changes (essg_pass_step_duration_seconds): ${stages}; the rest is the Deployment's update reaching the API server's answer to the benchmark's poll (every 50 ms).

**Push-to-applied of a config change** (one service's config changed on one gateway: the same image, so nothing to pre-pull and one pass), from the end of \`git push\` to the Deployment's pod template carrying the new config hash, delivered the same way: ${CONFIG_CHANGES} changes, each on another gateway: ${configLatencies.map((s) => `${s.toFixed(2)} s`).join(', ')}; median **${configMedian.toFixed(2)} s** (target ≤ 1 s). Where the pass spent its time, the mean over the changes: ${configStages}.

**Reconnect catch-up** (target ≤ 10 s): a gateway's uplink cut (\`essg testbed offline\`: its simulated node stops heartbeating until the node lifecycle controller marks it not Ready), ${RECONNECT_CHANGES} changes to it pushed and delivered by webhook while it is away (each pass on them ended, the gateway deferred), then its uplink back; from the API server showing its node Ready to its Deployment carrying the last change. ${RECONNECTS} gateways, one after the other: ${catchUps.map((c) => `${c.seconds.toFixed(2)} s`).join(', ')}; median **${catchUp.seconds.toFixed(2)} s**. The pass that caught each up was asked for by its node's return (\`pass asked for by node (edge node … Ready again)\` in the reconciler's log): ${catchUps.map((c) => (c.askedByNode ? 'yes' : 'no')).join(', ')}; polls are once a year in this run.

Before the no-op passes, the first pass after the cluster settled recorded every gateway Ready (result ${recording.value?.result}): ${(recording.seconds * 1000).toFixed(0)} ms, ${recordingRequests.toLocaleString('en')} requests; the no-op passes are the ${NOOP_PASSES} after it. The no-op pass of the median, by step: ${Object.entries(noop.summary.timings).map(([step, ms]) => `${step} ${ms.toFixed(0)} ms`).join(', ')}.

Afterwards the benchmark deletes the run's namespaces, cluster-scoped objects, inventories and the gateway nodes it added.`,
    });
    log(`first sync ${first.seconds.toFixed(1)} s, no-op ${noop.ms.toFixed(0)} ms (${writes(noopCounts)} writes), webhook ${latencies.map((s) => s.toFixed(2)).join('/')} s, config ${configLatencies.map((s) => s.toFixed(2)).join('/')} s, catch-up ${catchUps.map((c) => c.seconds.toFixed(2)).join('/')} s, kubectl ${kubectl.seconds.toFixed(1)} s for ${kubectlObjects.length} objects`);
  } finally {
    await runtime?.stop();
    await mkdir(path.dirname(RECONCILER_LOG), { recursive: true });
    await writeFile(RECONCILER_LOG, lines.map((line) => `${line}\n`).join(''));
    log(`the reconciler's log: ${path.relative(process.cwd(), RECONCILER_LOG)}`);
    await cleanUp({ kubeconfig, gateways: new Set([...names, ...kubectlGateways]), addedNodes, log });
  }
}

/**
 * The fleet pushed to `repo` and one in-process reconciler on it (approvals off, polls once a
 * year, webhook on `secret`), the only reconciler of the cluster: other fleets' inventories are
 * forgotten so it does not prune their gateways.
 */
export async function startBenchRuntime({ repo, files, kubeconfig, core, secret, log }: { repo: string; files: Record<string, string>; kubeconfig: string; core: CoreV1Api; secret: string; log: (line: string) => void }): Promise<Runtime> {
  await commitAndPush({ url: repo, files, message: 'the benchmark fleet' });
  const runtime = await startRuntime({
    repo, branch: 'main', cacheDir: path.join(os.tmpdir(), `essg-bench-cache-${randomBytes(3).toString('hex')}`),
    kubeconfig, interval: '0 0 1 1 *', listen: { host: '127.0.0.1', port: 0 }, webhookSecret: secret, leaderElection: false, log, statusAuth: { statusTokens: [STATUS_TOKEN] },
    // As `essg reconcile` reads it: the product's default unless set.
    ...(process.env['ESSG_APPLY_CONCURRENCY'] ? { applyConcurrency: Number(process.env['ESSG_APPLY_CONCURRENCY']) } : {}),
  });
  await core.deleteCollectionNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, labelSelector: LABEL.inventoryOf }).catch(() => undefined);
  return runtime;
}

/** The sum of each pass step's seconds so far, from /metrics. */
async function stepSeconds(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`, authorized)).text();
  const sums: Record<string, number> = {};
  for (const m of text.matchAll(/^essg_pass_step_duration_seconds_sum\{step="(\w+)"\} ([\d.e+-]+)/gm)) sums[m[1]!] = Number(m[2]);
  return sums;
}

/**
 * Seconds until every Deployment of the run's namespaces is Available with all its replicas
 * ready (polled every 2 s, at most SETTLE_MS), then QUIET_MS more for the watch cache to hear
 * the last of it.
 */
const QUIET_MS = 3000;
const SETTLE_MS = 300_000;
async function untilSettled(apps: AppsV1Api, namespacePrefix: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    const listed = (await apps.listDeploymentForAllNamespaces({ labelSelector: LABEL.gateway })).items.filter((d) => d.metadata?.namespace?.startsWith(namespacePrefix));
    const waiting = listed.filter((d) => (d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 1) || d.status?.observedGeneration !== d.metadata?.generation);
    if (waiting.length === 0 || performance.now() - started > SETTLE_MS) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  const settled = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  return settled;
}

/** Until no pass is running. */
export async function waitForIdle(url: string): Promise<void> {
  for (;;) {
    const status = (await (await fetch(`${url}/status`, authorized)).json()) as { fleet: { currentPass?: unknown } };
    if (!status.fleet.currentPass) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A one-gateway change: the first service's version flipped in the gateway's file. */
export interface Flip {
  readonly file: string;
  readonly version: string;
  /** The service's Deployment. */
  readonly namespace: string;
  readonly name: string;
  readonly message: string;
}

export function flipVersion({ files, gateway, namespacePrefix }: { files: Record<string, string>; gateway: string; namespacePrefix: string }): Flip {
  const content = files[gateway]!;
  const m = /- \{ name: ([\w-]+), version: ([\d.]+),/.exec(content)!;
  const [service, version] = [m[1]!, m[2]!];
  const other = Object.keys(files).map((f) => /^catalog\/([\w-]+)\/([\d.]+)\.yaml$/.exec(f)).find((c) => c && c[1] === service && c[2] !== version)![2]!;
  files[gateway] = content.replace(m[0], `- { name: ${service}, version: ${other},`);
  return { file: gateway, version: other, namespace: `${namespacePrefix}${path.basename(path.dirname(gateway))}`, name: `${path.basename(gateway, '.yaml')}-${service}`, message: `${service} ${other} on one gateway` };
}

/** Pushes the flipped file and POSTs the signed push event GitHub would send, once the reconciler accepted it: the commit, and when its push ended. */
export async function pushAndDeliver({ repo, url, secret, files, flip, token = STATUS_TOKEN }: { repo: string; url: string; secret: string; files: Record<string, string>; flip: Flip; token?: string }): Promise<{ head: string; pushedAt: number }> {
  const before = await (async () => (await fetch(`${url}/status`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<{ fleet: { lastPass?: { head?: string } } }>)();
  const after = await commitAndPush({ url: repo, files: { [flip.file]: files[flip.file]! }, message: flip.message });
  const pushedAt = performance.now();
  const body = JSON.stringify({ ref: 'refs/heads/main', before: before.fleet.lastPass?.head ?? '0'.repeat(40), after });
  const response = await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomBytes(8).toString('hex'), 'x-hub-signature-256': signBody({ secret, body }) }, body });
  if (response.status !== 202) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
  return { head: after, pushedAt };
}

/** Seconds from `started` until the API server answers with the flip's Deployment at its version (polled every 50 ms). */
export async function untilApplied({ apps, flip, started }: { apps: AppsV1Api; flip: Flip; started: number }): Promise<number> {
  for (;;) {
    const d = await apps.readNamespacedDeployment({ namespace: flip.namespace, name: flip.name }).catch(() => undefined);
    if (d?.metadata?.labels?.[LABEL.serviceVersion] === flip.version) return (performance.now() - started) / 1000;
    if (performance.now() - started > 300_000) throw new Error(`${flip.namespace}/${flip.name} never reached ${flip.version}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Flips the first service's version on one gateway, pushes, POSTs the signed push event; seconds until the Deployment shows it. */
export async function webhookChange({ repo, url, secret, files, gateway, namespacePrefix, apps }: { repo: string; url: string; secret: string; files: Record<string, string>; gateway: string; namespacePrefix: string; apps: AppsV1Api }): Promise<number> {
  const flip = flipVersion({ files, gateway, namespacePrefix });
  const { pushedAt } = await pushAndDeliver({ repo, url, secret, files, flip });
  return untilApplied({ apps, flip, started: pushedAt });
}

/** Each generated service's config with one value moved, within what its schema allows (bench/fleet-generator.ts). */
const CONFIG_MOVES: readonly [RegExp, (...groups: string[]) => string][] = [
  [/homeNet: \[10\.(\d+)\.(\d+)\.0\/24\]/, (a, b) => `homeNet: [10.${a}.${(Number(b) + 1) % 256}.0/24]`],
  [/bufferMiB: (\d+)/, (n) => `bufferMiB: ${16 + ((Number(n) - 16 + 1) % 240)}`],
  [/defaultPolicy: (accept|drop)/, (p) => `defaultPolicy: ${p === 'accept' ? 'drop' : 'accept'}`],
  [/vendor: (\w+)/, (v) => `vendor: ${{ crowdstrike: 'sentinelone', sentinelone: 'defender' }[v] ?? 'crowdstrike'}`],
  [/sampleRate: (\d+)/, (n) => `sampleRate: ${1 + (Number(n) % 100)}`],
  [/persona: printer-(\d+)/, (n) => `persona: printer-${(Number(n) + 1) % 10}`],
];

/** A one-gateway config change: the first service's config moved in the gateway's file; seconds until its Deployment's pod template carries a new config hash. */
async function configChange({ repo, url, secret, files, gateway, namespacePrefix, apps }: { repo: string; url: string; secret: string; files: Record<string, string>; gateway: string; namespacePrefix: string; apps: AppsV1Api }): Promise<number> {
  const content = files[gateway]!;
  const line = /- \{ name: ([\w-]+), version: [\d.]+, config: (\{.*\}) \}/.exec(content)!;
  const [service, config] = [line[1]!, line[2]!];
  const move = CONFIG_MOVES.find(([pattern]) => pattern.test(config));
  if (!move) throw new Error(`no config move for ${config}`);
  files[gateway] = content.replace(line[0], line[0].replace(config, config.replace(move[0], (_, ...groups: string[]) => move[1](...groups))));
  const flip: Flip = { file: gateway, version: '', namespace: `${namespacePrefix}${path.basename(path.dirname(gateway))}`, name: `${path.basename(gateway, '.yaml')}-${service}`, message: `${service} config on one gateway` };
  const hashOf = async () => (await apps.readNamespacedDeployment({ namespace: flip.namespace, name: flip.name })).spec?.template?.metadata?.annotations?.[ANNOTATION.configHash];
  const before = await hashOf();
  const { pushedAt } = await pushAndDeliver({ repo, url, secret, files, flip });
  await until(`${flip.namespace}/${flip.name} with a new config hash`, async () => (await hashOf()) !== before);
  return (performance.now() - pushedAt) / 1000;
}

/** Until `probe` answers true, every 50 ms; fails naming `what` after `timeoutMs`. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const nodeReady = async (core: CoreV1Api, name: string): Promise<boolean> => (await core.readNode({ name })).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

interface CatchUp {
  readonly gateway: string;
  /** From its node turning Ready in the API server to its Deployment carrying the last change. */
  readonly seconds: number;
  /** The reconciler logged a pass asked for by this node's return. */
  readonly askedByNode: boolean;
}

/**
 * One gateway's uplink cut; `RECONNECT_CHANGES` changes to it pushed and delivered, each pass
 * on them ended; the uplink back. Timed from the API server showing its node Ready.
 */
async function reconnectCatchUp({ core, apps, stateDir, repo, url, secret, files, gateway, namespacePrefix, lines }: {
  core: CoreV1Api; apps: AppsV1Api; stateDir: string; repo: string; url: string; secret: string; files: Record<string, string>; gateway: string; namespacePrefix: string; lines: readonly string[];
}): Promise<CatchUp> {
  const node = path.basename(gateway, '.yaml');
  await setGatewayUplink({ node, uplink: 'down', stateDir });
  await until(`${node} not Ready`, async () => !(await nodeReady(core, node)));
  let flip: Flip | undefined;
  for (let i = 0; i < RECONNECT_CHANGES; i++) {
    flip = flipVersion({ files, gateway, namespacePrefix });
    const { head } = await pushAndDeliver({ repo, url, secret, files, flip });
    // Ended: seen idle at the head, or a pass ended since the head was first seen (passes that
    // follow one another back to back may leave no idle moment to see).
    let endedBefore: number | undefined;
    await until(`the pass on ${head.slice(0, 12)}`, async () => {
      const { fleet } = (await (await fetch(`${url}/status`, authorized)).json()) as { fleet: { revision?: string; currentPass?: unknown; passes: number } };
      if (fleet.revision !== head) return false;
      endedBefore ??= fleet.passes;
      return !fleet.currentPass || fleet.passes > endedBefore;
    });
  }
  await setGatewayUplink({ node, uplink: 'up', stateDir });
  await until(`${node} Ready`, () => nodeReady(core, node));
  const ready = performance.now();
  const logged = lines.length;
  const seconds = await untilApplied({ apps, flip: flip!, started: ready });
  return { gateway: node, seconds, askedByNode: lines.slice(logged - 50).some((line) => line.includes(`pass asked for by node (edge node ${node} Ready again)`)) };
}
