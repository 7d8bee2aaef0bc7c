// `npm run demo [-- up | upgrade | down]`: the local demo on the embedded test bed.
//   up (default): build and start the test bed with one simulated gateway per gateway of
//     fleet-repo-template, push the template to the test bed's Git server, start the
//     reconciler with approvals OFF, and wait until every gateway is Ready.
//   upgrade: upgrade log-collector 2.3.0 → 2.4.0 on acme-sh-02 by a commit; while acme's maintenance
//     window is closed the change waits, so a second commit opens one; then watch the rolling update
//     (the new pod is ready before the old one goes).
//   down: stop the reconciler and the test bed.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { ensureBuilt } from '../src/testbed/build.ts';
import { runningState } from '../src/testbed/control.ts';
import { down, up } from '../src/testbed/lifecycle.ts';
import { stateDir as testbedDir } from '../src/testbed/paths.ts';
import { LABEL } from '../src/contract/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATE = path.join(root, 'fleet-repo-template');
const STATUS = 'http://127.0.0.1:9464';
const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const AUTHOR = { name: 'SOC operator (demo)', email: 'soc@example.com' };

async function pushTemplate(url: string, auth?: { username: string; password: string }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'essg-demo-'));
  await cp(TEMPLATE, dir, { recursive: true });
  await git.init({ fs, dir, defaultBranch: 'main' });
  await git.add({ fs, dir, filepath: '.' });
  const sha = await git.commit({ fs, dir, message: 'Fleet repo from fleet-repo-template', author: AUTHOR });
  await git.push({ fs, http, dir, url, ref: 'main', force: true, ...(auth ? { onAuth: () => auth } : {}) });
  await rm(dir, { recursive: true, force: true });
  return sha;
}

/** The demo reconciler's status token (ESSG_STATUS_TOKEN): what the demo, `essg status` and the dashboard sign in with. */
const tokenFile = (): string => path.join(testbedDir(), 'demo-status-token');

async function demoToken(): Promise<string> {
  const existing = await readFile(tokenFile(), 'utf8').catch(() => '');
  if (existing) return existing.trim();
  const token = randomBytes(24).toString('hex');
  await writeFile(tokenFile(), `${token}\n`, { mode: 0o600 });
  return token;
}

async function fleetStatus(): Promise<{ gateways: { gateway: string; phase: string; message?: string; services: { name: string; runningVersion?: string; ready: boolean }[] }[] } | undefined> {
  try {
    const response = await fetch(`${STATUS}/status`, { headers: { authorization: `Bearer ${await demoToken()}` } });
    return response.ok ? ((await response.json()) as never) : undefined;
  } catch {
    return undefined;
  }
}

async function startReconciler(stateDir: string, kubeconfig: string, repo: string): Promise<void> {
  const pidFile = path.join(stateDir, 'demo-reconciler.pid');
  const old = await readFile(pidFile, 'utf8').catch(() => '');
  if (old) {
    try {
      process.kill(-Number(old), 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const log = fs.openSync(path.join(stateDir, 'demo-reconciler.log'), 'a');
  const env = { ...process.env, ESSG_STATUS_TOKEN: await demoToken() };
  const child = spawn(process.execPath, [path.join(root, 'bin/essg.js'), 'reconcile', '--repo', repo, '--branch', 'main', '--approvals', 'off', '--interval', '*/5 * * * * *', '--listen', '127.0.0.1:9464', '--kubeconfig', kubeconfig, '--cache-dir', path.join(stateDir, 'demo-cache')], { detached: true, stdio: ['ignore', log, log], env });
  await writeFile(pidFile, String(child.pid));
  child.unref();
}

async function demoUp(): Promise<void> {
  say('== building the test bed (first time: several minutes; later: seconds)');
  await ensureBuilt({ log: (line) => say(`   ${line}`) });
  say('== starting the test bed: control plane, KWOK gateways (one per gateway of fleet-repo-template), Git server');
  const state = await up({ fleet: TEMPLATE, log: (line) => say(`   ${line}`) });
  const repo = state.git.fleetRepoUrl;
  const auth = state.git.username !== undefined ? { username: state.git.username, password: state.git.password! } : undefined;
  const sha = await pushTemplate(repo, auth);
  say(`== pushed fleet-repo-template to ${repo} (commit ${sha.slice(0, 12)})`);
  say('');
  say('   *** APPROVALS ARE OFF in this demo: every commit on main is applied at once. ***');
  say('   In production, `essg reconcile --approvals github` applies a change to a customer\'s');
  say('   gateways only when a merged pull request carries that customer\'s approval.');
  say('');
  await startReconciler(state.stateDir, state.kubeconfig, repo);
  say(`== reconciler started (log: ${path.join(state.stateDir, 'demo-reconciler.log')})`);
  for (let i = 0; i < 180; i++) {
    const status = await fleetStatus();
    const ready = status?.gateways.filter((g) => g.phase === 'Ready').length ?? 0;
    if (status && status.gateways.length > 0 && ready === status.gateways.length) {
      say(`== all ${ready} gateways Ready`);
      for (const g of status.gateways) say(`   ${g.gateway.padEnd(16)} ${g.phase.padEnd(10)} ${g.services.map((s) => `${s.name}@${s.runningVersion ?? '-'}`).join(' ')}`);
      break;
    }
    await sleep(1000);
  }
  say('');
  say('Where to look:');
  const token = await demoToken();
  say(`  dashboard             ${STATUS}/   (sign in with the status token: ${token})`);
  say(`  status                ESSG_STATUS_TOKEN=${token} node bin/essg.js status --url ${STATUS}`);
  say(`  metrics               curl -H 'Authorization: Bearer ${token}' ${STATUS}/metrics`);
  say(`  (the token is in ${tokenFile()}; in production readers sign in with GitHub: --oauth-client-id)`);
  say(`  the cluster           export KUBECONFIG=${state.kubeconfig}; .testbed/bin/kubectl get pods -A -o wide`);
  say(`  events                .testbed/bin/kubectl get events -n essg-system`);
  say('Next: npm run demo -- upgrade   (a rolling update of log-collector on acme-sh-02)');
  say('Stop: npm run demo -- down');
}

/** Clones the test bed's fleet repo, changes one file, commits and pushes; returns the commit. */
async function pushChange(file: string, change: (content: string) => string, message: string): Promise<string> {
  const state = await runningState();
  const url = state.git.fleetRepoUrl;
  const auth = state.git.username !== undefined ? { onAuth: () => ({ username: state.git.username!, password: state.git.password! }) } : {};
  const dir = await mkdtemp(path.join(os.tmpdir(), 'essg-demo-'));
  try {
    await git.clone({ fs, http, dir, url, ref: 'main', singleBranch: true, ...auth });
    await writeFile(path.join(dir, file), change(await readFile(path.join(dir, file), 'utf8')));
    await git.add({ fs, dir, filepath: file });
    const sha = await git.commit({ fs, dir, message, author: AUTHOR });
    await git.push({ fs, http, dir, url, ref: 'main', ...auth });
    return sha;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The gateway's phase once the reconciler has seen the commit (it polls every 5 s), or undefined. */
async function phaseAfterPush(gateway: string): Promise<{ phase: string; message?: string } | undefined> {
  let seen: { phase: string; message?: string } | undefined;
  for (let i = 0; i < 20; i++) {
    await sleep(1000);
    seen = (await fleetStatus())?.gateways.find((g) => g.gateway === gateway);
    if (seen && seen.phase !== 'Ready') return seen;
  }
  return seen;
}

async function demoUpgrade(): Promise<void> {
  const state = await runningState();
  const gateway = 'acme-sh-02';
  const from = 'name: log-collector\n      version: 2.3.0';
  const sha = await pushChange(`gateways/acme/${gateway}.yaml`, (content) => {
    if (!content.includes(from)) throw new Error(`${gateway} does not run log-collector 2.3.0: the upgrade was already done (npm run demo -- down, then npm run demo)`);
    return content.replace(from, 'name: log-collector\n      version: 2.4.0');
  }, `Upgrade log-collector to 2.4.0 on ${gateway}`);
  say(`== pushed ${sha.slice(0, 12)}: log-collector 2.3.0 → 2.4.0 on ${gateway}`);
  const held = await phaseAfterPush(gateway);
  if (held?.phase === 'OutsideWindow') {
    say(`   ${gateway} is OutsideWindow: ${held.message ?? 'outside acme\'s maintenance windows'}`);
    say('   A change to a running gateway starts only inside its customer\'s maintenance window (customers/acme.yaml).');
    const opened = await pushChange('customers/acme.yaml', (content) => content.replace(/( *)maintenanceWindows:\n/, (line, indent: string) => `${line}${indent}  - { cron: "0 * * * *", duration: 1h, timezone: UTC }   # the demo's: open at every hour\n`), 'Demo: give acme a maintenance window that is open now');
    say(`== pushed ${opened.slice(0, 12)}: acme gets a window open at every hour (customers/acme.yaml), so the upgrade starts now`);
  }
  say('   watching the rollout (ready pods by version)');
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  let last = '';
  for (let i = 0; i < 240; i++) {
    const pods = (await core.listNamespacedPod({ namespace: 'essg-acme', labelSelector: `${LABEL.instance}=${gateway}-log-collector` })).items;
    const line = pods.map((p) => `${p.metadata?.labels?.[LABEL.serviceVersion]}:${p.metadata?.deletionTimestamp ? 'terminating' : p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'ready' : 'starting'}`).sort().join('  ');
    if (line !== last) say(`   ${new Date().toISOString().slice(11, 19)}  ${line || '(no pod)'}`);
    last = line;
    if (pods.length === 1 && line === '2.4.0:ready') {
      say('   log-collector rolls with maxSurge 1, maxUnavailable 0: the 2.3.0 pod is removed only once the 2.4.0 pod is ready.');
      say('   (Services that bind fixed host ports, like ids, cannot surge on one gateway: they use Recreate; see src/render.)');
      return;
    }
    await sleep(500);
  }
  const now = (await fleetStatus())?.gateways.find((g) => g.gateway === gateway);
  say(`   the upgrade has not finished in 2 minutes: ${gateway} is ${now?.phase ?? 'unknown'}${now?.message ? ` (${now.message})` : ''}; see ESSG_STATUS_TOKEN=$(cat ${tokenFile()}) node bin/essg.js status --url ${STATUS} --gateway ${gateway}`);
}

async function demoDown(): Promise<void> {
  const stateDir = testbedDir();
  const pid = await readFile(path.join(stateDir, 'demo-reconciler.pid'), 'utf8').catch(() => '');
  if (pid) {
    try {
      process.kill(-Number(pid), 'SIGTERM');
    } catch {
      // already gone
    }
    await rm(path.join(stateDir, 'demo-reconciler.pid'), { force: true });
  }
  await down({ log: say });
  say('== demo stopped');
}

const step = process.argv[2] ?? 'up';
const steps: Record<string, () => Promise<void>> = { up: demoUp, upgrade: demoUpgrade, down: demoDown };
if (!steps[step]) {
  process.stderr.write(`usage: npm run demo [-- up|upgrade|down]\n`);
  process.exit(2);
}
await steps[step]!();
