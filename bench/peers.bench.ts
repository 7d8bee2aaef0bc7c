// The reconciler against its peers on the same fleet and the same running test bed: Flux's
// apply library (bench/flux-ssa), `kubectl apply --server-side`, and the API server's own
// server-side-apply limit. Each peer applies the same rendered objects under its own names,
// so each first sync is a real one; each is cleaned away before the next starts.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { K8sObject } from '../src/render/index.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { ensureGateways } from '../src/testbed/gateways.ts';
import { createBareRepo } from '../test/integration/helpers/git.ts';
import { generateFleet, type FleetFiles } from './fleet-generator.ts';
import { cleanUp, kubectlApply, renamedFleet, renderFiles, testbedSizedFor, uniqueObjects, writeManifests } from './reconcile-cluster.ts';
import { flipVersion, startBenchRuntime, timed, untilApplied, waitForIdle, webhookChange, type Flip } from './reconcile.bench.ts';
import { writeSection } from './report.ts';

/** `ESSG_BENCH_PEERS_GATEWAYS`: the fleet's size. @default 1000 */
const GATEWAYS = Number(process.env.ESSG_BENCH_PEERS_GATEWAYS ?? 1_000);
const SERVICES = 4;
const NOOP_PASSES = 3;
const LOAD_CONCURRENCIES = [1, 4, 16, 64];
/** The API server's rate counts as saturated once a 4× concurrency adds less than this. */
const STILL_RISING = 1.05;
const FLUX_DIR = path.resolve(import.meta.dirname, 'flux-ssa');
const FLUX_BIN = path.resolve(import.meta.dirname, '..', '.bench', 'bin', 'flux-ssa');
const run = promisify(execFile);
const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

/** One peer's fleet: the benchmark's fleet under its own gateway names and namespaces. */
interface PeerFleet {
  readonly files: FleetFiles;
  readonly gateways: ReadonlySet<string>;
  readonly namespacePrefix: string;
  /** The gateway file whose first service's version the one change flips. */
  readonly changed: string;
}

interface PeerFigures {
  readonly peer: string;
  readonly objects: number;
  readonly firstSeconds: number;
  readonly noopSeconds: number;
  readonly changeSeconds: number;
  readonly note: string;
}

function peerFleet(gatewayPrefix: string, namespacePrefix: string): PeerFleet {
  const files = renamedFleet(generateFleet({ gateways: GATEWAYS, servicesPerGateway: SERVICES }), { gatewayPrefix, namespacePrefix });
  const gatewayFiles = Object.keys(files).filter((f) => f.startsWith('gateways/')).sort();
  return { files, gateways: new Set(gatewayFiles.map((f) => path.basename(f, '.yaml'))), namespacePrefix, changed: gatewayFiles[Math.floor(gatewayFiles.length / 2)]! };
}

const rendered = async (fleet: PeerFleet): Promise<K8sObject[]> => uniqueObjects(await renderFiles(fleet.files));

/** A peer that applies whole directories: first sync, the same again (no-op), then one Deployment's version flipped, timed until the API server serves it. */
async function applyPeer({ peer, fleet, apps, apply, note }: {
  peer: string; fleet: PeerFleet; apps: AppsV1Api; note: string;
  apply: (objects: readonly K8sObject[]) => Promise<{ seconds: number; detail: string }>;
}): Promise<PeerFigures> {
  const objects = await rendered(fleet);
  log(`${peer}: first sync of ${objects.length} objects`);
  const first = await apply(objects);
  log(`${peer}: no-op`);
  const noop = await apply(objects);
  const flip: Flip = flipVersion({ files: fleet.files, gateway: fleet.changed, namespacePrefix: fleet.namespacePrefix });
  const changed = await rendered(fleet);
  log(`${peer}: one change`);
  const started = performance.now();
  const [, changeSeconds] = await Promise.all([apply(changed), untilApplied({ apps, flip, started })]);
  return { peer, objects: objects.length, firstSeconds: first.seconds, noopSeconds: noop.seconds, changeSeconds, note: `${note}; first sync: ${first.detail}; no-op: ${noop.detail}` };
}

/** Builds the Flux harness (incremental once Go's caches are warm): the seconds it took. */
async function buildFluxHarness(): Promise<number> {
  await mkdir(path.dirname(FLUX_BIN), { recursive: true });
  const { seconds } = await timed(() => run('go', ['build', '-o', FLUX_BIN, '.'], { cwd: FLUX_DIR }));
  return seconds;
}

async function fluxSsa(mode: 'apply' | 'load', objects: readonly K8sObject[], kubeconfig: string, flags: readonly string[]): Promise<Record<string, number>> {
  const { dir } = await writeManifests(objects);
  const { stdout } = await run(FLUX_BIN, [mode, '-dir', dir, '-kubeconfig', kubeconfig, ...flags], { maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(stdout) as Record<string, number>;
}

const fluxApply = (kubeconfig: string, flags: readonly string[]) => async (objects: readonly K8sObject[]) => {
  const r = await fluxSsa('apply', objects, kubeconfig, flags);
  return { seconds: r.seconds!, detail: `${r.created} created, ${r.configured} configured, ${r.unchanged} unchanged` };
};

/** Deletes the fleet's namespaces, cluster-scoped objects and inventories, and waits until its namespaces are gone. */
async function clearPeer({ kubeconfig, core, fleet, addedNodes = [] }: { kubeconfig: KubeConfig; core: CoreV1Api; fleet: PeerFleet; addedNodes?: readonly string[] }): Promise<void> {
  await cleanUp({ kubeconfig, gateways: fleet.gateways, addedNodes, log });
  const started = performance.now();
  while ((await core.listNamespace()).items.some((n) => n.metadata!.name!.startsWith(fleet.namespacePrefix))) {
    if (performance.now() - started > 900_000) throw new Error(`namespaces ${fleet.namespacePrefix}* still there after 15 min`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function main(): Promise<void> {
  if (!Number.isInteger(GATEWAYS) || GATEWAYS < 1) throw new Error(`ESSG_BENCH_PEERS_GATEWAYS (${process.env.ESSG_BENCH_PEERS_GATEWAYS}) must be a whole number ≥ 1`);
  const state = await testbedSizedFor({ gateways: GATEWAYS, benchmark: 'peers' });
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(state.kubeconfig);
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const apps = kubeconfig.makeApiClient(AppsV1Api);
  const runId = randomBytes(2).toString('hex');
  log('building the Flux harness (bench/flux-ssa)');
  const buildSeconds = await buildFluxHarness();

  const figures: PeerFigures[] = [];
  const loads: { concurrency: number; objects: number; seconds: number }[] = [];
  const ours = peerFleet('ogw', `o${runId}-`);
  const oursNodes = [...ours.gateways];
  const before = new Set((await core.listNode()).items.map((n) => n.metadata!.name!));
  let addedNodes: string[] = [];
  let runtime: Runtime | undefined;
  let current: PeerFleet | undefined;
  try {
    for (const concurrency of LOAD_CONCURRENCIES) {
      current = peerFleet(`l${concurrency}gw`, `l${concurrency}${runId}-`);
      const objects = await rendered(current);
      log(`API server limit: ${objects.length} objects at concurrency ${concurrency}`);
      const r = await fluxSsa('load', objects, state.kubeconfig, ['-concurrency', String(concurrency)]);
      loads.push({ concurrency, objects: r.objects!, seconds: r.seconds! });
      await clearPeer({ kubeconfig, core, fleet: current });
      if (saturated(loads)) break;
    }

    current = peerFleet('kgw', `k${runId}-`);
    figures.push(await applyPeer({
      peer: '`kubectl apply --server-side`', fleet: current, apps, note: 'namespaces first, then files of 100 objects; no diff: every object is sent each run',
      apply: async (objects) => {
        const r = await kubectlApply({ objects, kubeconfig: state.kubeconfig });
        return { seconds: r.seconds, detail: `${r.files} files` };
      },
    }));
    await clearPeer({ kubeconfig, core, fleet: current });

    current = peerFleet('fgw', `f${runId}-`);
    figures.push(await applyPeer({ peer: 'Flux (fluxcd/pkg/ssa, kustomize-controller defaults)', fleet: current, apps, note: '--concurrent-ssa 4, --kube-api-qps 50, --kube-api-burst 300', apply: fluxApply(state.kubeconfig, []) }));
    await clearPeer({ kubeconfig, core, fleet: current });

    current = peerFleet('ugw', `u${runId}-`);
    figures.push(await applyPeer({ peer: 'Flux, client rate limit off', fleet: current, apps, note: '--concurrent-ssa 4, no client QPS limit', apply: fluxApply(state.kubeconfig, ['-qps', '-1']) }));
    await clearPeer({ kubeconfig, core, fleet: current });

    current = ours;
    log(`adding ${oursNodes.length} gateway nodes for the reconciler`);
    await ensureGateways({ state, names: oursNodes, log, timeoutMs: 600_000 });
    addedNodes = oursNodes.filter((n) => !before.has(n));
    const repo = await createBareRepo('bench-peers');
    const secret = randomBytes(16).toString('hex');
    runtime = await startBenchRuntime({ repo: repo.url, files: ours.files, kubeconfig: state.kubeconfig, core, secret, log: () => undefined });
    const objects = (await rendered(ours)).length;
    log(`ours: first sync of ${objects} objects`);
    const first = await timed(() => runtime!.passOnce());
    if (first.value?.result !== 'success') throw new Error(`first sync: ${first.value?.result} ${first.value?.error ?? ''}`);
    const noops: number[] = [];
    for (let i = 0; i < NOOP_PASSES; i++) noops.push((await timed(() => runtime!.passOnce())).seconds);
    const noop = [...noops].sort((a, b) => a - b)[Math.floor(NOOP_PASSES / 2)]!;
    log('ours: one change via webhook');
    const changeSeconds = await webhookChange({ repo: repo.url, url: runtime.url!, secret, files: ours.files, gateway: ours.changed, namespacePrefix: ours.namespacePrefix, apps });
    await waitForIdle(runtime.url!);
    figures.unshift({ peer: '**essg reconciler**', objects, firstSeconds: first.seconds, noopSeconds: noop, changeSeconds, note: `a pass: fetch, load, render, plan, apply, inventories (one per gateway), health; no-op the median of ${NOOP_PASSES} (${noops.map((s) => s.toFixed(2)).join(', ')} s); one change from the end of \`git push\` through the webhook` });
  } finally {
    await runtime?.stop();
    if (current) await cleanUp({ kubeconfig, gateways: current.gateways, addedNodes, log });
  }

  await writeSection(path.resolve(import.meta.dirname, '..', 'BENCHMARKS.md'), { id: 'peers', title: `Peers: the reconciler, Flux's apply library, kubectl and the API server's limit at ${GATEWAYS.toLocaleString('en')} gateways`, command: 'npm run bench -- peers', body: body({ figures, loads, buildSeconds }) });
  log(figures.map((f) => `${f.peer}: first ${f.firstSeconds.toFixed(1)} s, no-op ${f.noopSeconds.toFixed(2)} s, change ${f.changeSeconds.toFixed(2)} s`).join('; '));
  log(`API server: ${loads.map((l) => `c${l.concurrency} ${(l.objects / l.seconds).toFixed(0)}/s`).join(', ')}`);
}

/** The last step of concurrency added less than STILL_RISING: the rate stopped rising. */
function saturated(loads: readonly { objects: number; seconds: number }[]): boolean {
  const [previous, last] = loads.slice(-2).map((l) => l.objects / l.seconds);
  return previous !== undefined && last !== undefined && last < previous * STILL_RISING;
}

function body({ figures, loads, buildSeconds }: { figures: readonly PeerFigures[]; loads: readonly { concurrency: number; objects: number; seconds: number }[]; buildSeconds: number }): string {
  const ours = figures[0]!;
  const rate = (f: PeerFigures) => f.objects / f.firstSeconds;
  const times = (peer: number, own: number) => `${(peer / own).toFixed(1)} ×`;
  const rows = figures.map((f) => `| ${f.peer} | ${f.firstSeconds.toFixed(1)} s (${rate(f).toFixed(0)} objects/s) | ${f.noopSeconds.toFixed(2)} s | ${f.changeSeconds.toFixed(2)} s | ${f === ours ? '–' : `first sync ${times(f.firstSeconds, ours.firstSeconds)}, no-op ${times(f.noopSeconds, ours.noopSeconds)}, one change ${times(f.changeSeconds, ours.changeSeconds)}`} |`);
  const flux = figures.find((f) => f.peer.startsWith('Flux ('))!;
  const limit = Math.max(...loads.map((l) => l.objects / l.seconds));
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');
  return `The synthetic fleet of \`bench/fleet-generator.ts\` (seed 1, ${GATEWAYS.toLocaleString('en')} gateways × ${SERVICES} services) rendered by the reconciler's own render stage: ${ours.objects.toLocaleString('en')} objects (each customer's Namespace once). Every peer applies those objects under its own gateway names and namespaces (\`renamedFleet\`), so every first sync creates everything, on the same running test bed (one API server, etcd, KWOK); after each peer its namespaces are deleted and the benchmark waits until they are gone, so each meets a cluster without the others' objects. The reconciler runs last, with its ${GATEWAYS.toLocaleString('en')} gateway nodes added just before it (it defers gateways whose node is not Ready). One run; the machine is shared, so read the ratios more than the seconds.

**Flux is measured through its apply library, not its controllers**: \`bench/flux-ssa\` is a Go harness on \`github.com/fluxcd/pkg/ssa\` v0.78.0 that applies the directory the way kustomize-controller v1.9 applies a Kustomization's build (\`ssa.ResourceManager\`, field manager \`kustomize-controller\`, its owner labels, cleanup and selector options, \`ApplyAllStaged\`: Namespaces first and waited for, then per object a GET and a server-side dry-run to diff, an apply where it drifted). Running the controllers would need source-controller, its artifact server and their polling intervals, which would be timed instead of the apply. Its one change is timed from the harness's start on the changed directory (as if the artifact had just arrived) to the API server serving the Deployment; the harness's own seconds (apply only, not process start or reading YAML) are the first-sync and no-op figures. kubectl's are its whole run; ours is a whole pass and, for the change, from the end of \`git push\` through the webhook.

| peer | first sync (s, objects/s) | no-op (s) | one change (s) | ratio vs ours (peer's time ÷ ours) |
|---|---|---|---|---|
${rows.join('\n')}

${figures.map((f) => `- ${f.peer}: ${f.note}.`).join('\n')}

**The API server's own limit**: the same objects applied once with plain client-go server-side-apply patches (\`flux-ssa load\`: no diff, no wait, no client rate limit; Namespaces first), each concurrency on fresh names, stopping once 4× the workers adds less than ${((STILL_RISING - 1) * 100).toFixed(0)} %: ${loads.map((l) => `${l.concurrency} → ${(l.objects / l.seconds).toFixed(0)} objects/s (${l.seconds.toFixed(1)} s)`).join(', ')}. ${saturated(loads) ? `Saturation rate **${limit.toFixed(0)} objects/s**.` : `Still rising at the highest concurrency: **${limit.toFixed(0)} objects/s** is a floor of the limit, not its saturation.`}

Targets: our first sync ≥ 3 × Flux's rate (kustomize-controller defaults): ${(rate(ours) / rate(flux)).toFixed(1)} ×, ${met(rate(ours) >= 3 * rate(flux))}; ≥ 60 % of the API server's measured limit: ${((rate(ours) / limit) * 100).toFixed(0)} %, ${met(rate(ours) >= 0.6 * limit)}.

Size: \`ESSG_BENCH_PEERS_GATEWAYS\` (default 1000). The Flux harness is built with \`go build\` into \`.bench/bin\` at the start (${buildSeconds.toFixed(1)} s this run; a cold build with modules to download takes minutes). Afterwards the benchmark deletes every peer's namespaces, cluster-scoped objects, inventories and the gateway nodes it added.`;
}
