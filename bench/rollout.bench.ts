// Two benchmarks of the reconciler on 1,000 gateways × 4 services on the running test bed,
// sharing one first sync: one version rolled to the whole fleet in waves of 25 % with a
// short soak (total time and the overhead over the soak time), and a full GitHub outage
// with 5 pending commits for every gateway (how long a pass takes that holds them all).
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { describeTimings } from '../src/engine/pass-timings.ts';
import type { PassSummary } from '../src/engine/engine.ts';
import { startRuntime, type Runtime, type RuntimeOptions } from '../src/runtime/runtime.ts';
import { ensureGateways } from '../src/testbed/gateways.ts';
import { startGitHubFake } from '../test/github-fake/index.ts';
import { commitAndPush, createBareRepo } from '../test/integration/helpers/git.ts';
import { generateFleet, upgradeFirstService } from './fleet-generator.ts';
import { cleanUp, renamedFleet, testbedSizedFor } from './reconcile-cluster.ts';
import { writeSection } from './report.ts';
import { LABEL, SYSTEM_NAMESPACE } from '../src/contract/index.ts';

/** `ESSG_BENCH_GATEWAYS=N` runs a smaller fleet for a quick look, printed only: BENCHMARKS.md keeps the 1,000-gateway figures. */
const GATEWAYS = Number(process.env.ESSG_BENCH_GATEWAYS ?? 1_000);
const RECORD = process.env.ESSG_BENCH_GATEWAYS === undefined;
/** `ESSG_BENCH_PARTS=outage` (or `rollout`) runs one of the two after the first sync; each writes its own section. */
const PARTS = new Set((process.env.ESSG_BENCH_PARTS ?? 'rollout,outage').split(','));
const SERVICES = 4;
const SOAK_SECONDS = 5;
const PENDING_COMMITS = 5;
const TOKEN = 'ghp_' + 'RolloutBenchmarkToken'.repeat(2);
interface TimedPass {
  readonly seconds: number;
  readonly summary: PassSummary | undefined;
  readonly writes: number;
  readonly githubRequests: number;
}

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
const seconds = (from: number) => (performance.now() - from) / 1000;

/** Moves the first service of every gateway to another catalog version of it: one change for the whole fleet. */
function upgradeAll(files: Record<string, string>): Record<string, string> {
  return upgradeFirstService(files, Object.keys(files).filter((file) => file.startsWith('gateways/')));
}

export async function main(): Promise<void> {
  const state = await testbedSizedFor({ gateways: GATEWAYS, benchmark: 'rollout' });
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(state.kubeconfig);
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const run = randomBytes(2).toString('hex');
  const files = renamedFleet(generateFleet({ gateways: GATEWAYS, servicesPerGateway: SERVICES }), { gatewayPrefix: 'ro', namespacePrefix: `o${run}-` });
  files['fleet.yaml'] = files['fleet.yaml']!.replace('rollout: { canarySelector: { tier: canary } }', `rollout: { canarySelector: { tier: canary }, maxUnavailable: 25%, soakSeconds: ${SOAK_SECONDS} }`);
  const names = Object.keys(files).filter((f) => f.startsWith('gateways/')).map((f) => path.basename(f, '.yaml'));
  const before = new Set((await core.listNode()).items.map((n) => n.metadata!.name!));
  await ensureGateways({ state, names, log, timeoutMs: 600_000 });
  const addedNodes = names.filter((n) => !before.has(n));
  const repo = await createBareRepo('bench-rollout');
  const base = (): RuntimeOptions => ({
    repo: repo.url, branch: 'main', cacheDir: path.join(os.tmpdir(), `essg-bench-cache-${randomBytes(3).toString('hex')}`),
    kubeconfig: state.kubeconfig, interval: '0 0 1 1 *', listen: { host: '127.0.0.1', port: 0 }, leaderElection: false, log: () => undefined,
  });
  let runtime: Runtime | undefined;
  try {
    const synced0 = await commitAndPush({ url: repo.url, files, message: 'the benchmark fleet' });
    await core.deleteCollectionNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, labelSelector: LABEL.inventoryOf }).catch(() => undefined);
    runtime = await startRuntime(base(), { mode: 'on-demand' });
    log('first sync, then until every gateway is Ready');
    const synced = performance.now();
    for (let ready = 0; ready < GATEWAYS; ) {
      const pass = await runtime.passOnce();
      if (pass) log(`sync pass ${pass.result}: ${describeTimings(pass.timings)}`);
      ready = runtime.store.snapshot().gateways.filter((g) => g.phase === 'Ready').length;
      if (seconds(synced) > 1200) throw new Error(`only ${ready} gateways Ready after 20 minutes`);
    }
    const syncSeconds = seconds(synced);

    let head = synced0;
    let rolled: { total: number; waves: number; sizes: number[]; passes: number; waveStarts: number[] } | undefined;
    if (PARTS.has('rollout')) {
      log('rolling one change to every gateway');
      head = await commitAndPush({ url: repo.url, files: upgradeAll(files), message: 'one service to another version on every gateway' });
      const started = performance.now();
      const waveStarts: number[] = [];
      let passes = 0;
      for (;;) {
        const summary = await runtime.passOnce();
        passes++;
        if (summary) log(`rollout pass ${passes} ${summary.result}: ${describeTimings(summary.timings)}`);
        const rollout = summary?.rollout?.rollouts.find((r) => r.id === head);
        while (rollout && waveStarts.length < rollout.waves.length) waveStarts.push(seconds(started));
        if (rollout?.halted) throw new Error(`the rollout halted: ${rollout.halted.reason} on ${rollout.halted.by}`);
        if (rollout?.complete) break;
        if (seconds(started) > 1800) throw new Error('the rollout did not complete in 30 minutes');
      }
      const total = seconds(started);
      const waves = waveStarts.length;
      const sizes = runtime.store.snapshot().rollouts.find((r) => r.id === head)?.waves.map((w) => w.gateways.length) ?? [];
      rolled = { total, waves, sizes, passes, waveStarts };
    }
    await runtime.stop();
    runtime = undefined;

    let outaged: { calm: TimedPass; outage: TimedPass; restarted: TimedPass } | undefined;
    if (PARTS.has('outage')) {
      log(`GitHub outage with ${PENDING_COMMITS} pending commits per gateway`);
      const fake = await startGitHubFake({ owner: 'soc', repo: 'fleet', tokens: { [TOKEN]: 'essg-bot' } });
      const gated = (): RuntimeOptions => ({ ...base(), trustedRevision: head, github: { owner: 'soc', repo: 'fleet', baseUrl: fake.baseUrl, auth: { token: TOKEN } } });
      const timed = async (what: string): Promise<TimedPass> => {
        const writes = runtime!.requests.writes;
        const asked = fake.requestsTo(/./).length;
        const from = performance.now();
        const summary = await runtime!.passOnce();
        const pass = { seconds: seconds(from), summary, writes: runtime!.requests.writes - writes, githubRequests: fake.requestsTo(/./).length - asked };
        log(`${what}: ${pass.seconds.toFixed(1)} s (${summary ? describeTimings(summary.timings) : 'no pass'})`);
        return pass;
      };
      // A reconciler with approvals on, every gateway on the trusted head: nothing to ask GitHub.
      runtime = await startRuntime(gated(), { mode: 'on-demand' });
      await timed('first pass of a reconciler with approvals');
      const calm = await timed('a pass with nothing pending');
      // Then GitHub fails every request, and commits that change every gateway arrive.
      fake.injectFault({ path: /./, kind: 'server-error', status: 503, times: 1_000_000 });
      for (let i = 0; i < PENDING_COMMITS; i++) await commitAndPush({ url: repo.url, files: upgradeAll(files), message: `pending change ${i + 1}` });
      const outage = await timed('the same reconciler during the outage');
      await runtime.stop();
      // A reconciler (re)started during the outage: it clones and loads every commit afresh.
      runtime = await startRuntime(gated(), { mode: 'on-demand' });
      const restarted = await timed('a reconciler started during the outage');
      await runtime.stop();
      runtime = undefined;
      await fake.stop();
      outaged = { calm, outage, restarted };
    }
    const held = (pass: TimedPass) => pass.summary?.targets.filter((t) => t.revision === head && t.blockedBy?.result === 'hold').length ?? 0;
    const row = (what: string, pass: TimedPass) =>
      `| ${what} | **${pass.seconds.toFixed(1)} s** (${pass.summary?.result}) | ${pass.summary ? describeTimings(pass.summary.timings) : ''} | ${held(pass).toLocaleString('en')} | ${pass.githubRequests} | ${pass.writes} |`;

    const file = path.resolve(import.meta.dirname, '..', 'BENCHMARKS.md');
    const write = RECORD ? (section: Parameters<typeof writeSection>[1]) => writeSection(file, section) : async () => {};
    if (rolled) {
      const { total, waves, sizes, passes, waveStarts } = rolled;
      await write({
        id: 'rollout',
        title: 'Roll one version to 1,000 gateways in waves',
        command: 'npm run bench -- rollout',
        body: `The synthetic fleet of \`bench/fleet-generator.ts\` (seed 1, ${GATEWAYS.toLocaleString('en')} gateways × ${SERVICES} services, 20 customers, every 20th gateway \`tier: canary\`) with \`rollout: { canarySelector: { tier: canary }, maxUnavailable: 25%, soakSeconds: ${SOAK_SECONDS} }\`, synced on the test bed by an in-process reconciler (\`startRuntime\`, approvals off; ${syncSeconds.toFixed(1)} s until every gateway was Ready). One commit then moves the first service of every gateway to another catalog version; passes run back to back until the rollout is complete. A wave starts only when every gateway of the wave before has been Ready on the new render for the soak.

| measurement | figure |
|---|---|
| waves (canaries first, then 25 % of the rollout's gateways each) | ${waves}: ${sizes.join(', ')} gateways |
| passes | ${passes} |
| total, push to complete | **${total.toFixed(1)} s** |
| of which soak (waves × soak) | ${(waves * SOAK_SECONDS).toFixed(0)} s |
| overhead over the soak (applies, Deployment rollouts on KWOK, passes) | ${(total - waves * SOAK_SECONDS).toFixed(1)} s, ${((total - waves * SOAK_SECONDS) / waves).toFixed(1)} s per wave |
| each wave started at | ${waveStarts.map((s) => `${s.toFixed(1)} s`).join(', ')} |`,
      });
      log(`rollout ${total.toFixed(1)} s over ${waves} waves`);
    }
    if (outaged) {
      const { calm, outage, restarted } = outaged;
      await write({
        id: 'github-outage',
        title: 'Passes during a full GitHub outage',
        command: PARTS.has('rollout') ? 'npm run bench -- rollout' : 'ESSG_BENCH_PARTS=outage npm run bench -- rollout',
        body: `The same ${GATEWAYS.toLocaleString('en')} gateways, all on one trusted revision, and a reconciler with \`--approvals github\` (the runtime's own octokit client, default timeout 10 s and 2 retries) against the GitHub fake. After a pass with nothing pending, the fake answers every request with HTTP 503 and ${PENDING_COMMITS} commits arrive that each change every gateway: one pass of the same reconciler, then the first pass of a reconciler started during the outage (it clones the repo and loads every commit afresh). Target: ≤ 30 s, nothing applied on doubt.

| pass | time | where it went | gateways held, GitHub unavailable | requests GitHub received | Kubernetes writes |
|---|---|---|---|---|---|
${row('nothing pending, GitHub answering', calm)}
${row('during the outage', outage)}
${row('first pass of a reconciler started during the outage', restarted)}

Requests GitHub received are the first lookup and its retries: once GitHub failed, the pass asks nothing more.`,
      });
      log(`outage pass ${outage.seconds.toFixed(1)} s, restarted ${restarted.seconds.toFixed(1)} s, ${outage.githubRequests} GitHub requests, ${held(outage)} held`);
    }
  } finally {
    await runtime?.stop();
    await cleanUp({ kubeconfig, gateways: new Set(names), addedNodes, log });
  }
}
