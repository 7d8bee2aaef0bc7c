// `essg testbed up` and `down`: start the control plane, KWOK, the Git server and the image
// pre-pull controller on free loopback ports, or stop every process the test bed started and
// check its ports are free.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { ensureBuilt, type BuildManifest, type Log } from './build.ts';
import { registryAnswers, registryArgs, writeRegistryConfig } from './registry.ts';
import { apiserverArgs, COMPONENTS, controllerManagerArgs, etcdArgs, etcdDataDir, heartbeatTiming, kwokArgs, kwokConfiguration, metricsServerArgs, PORT_NAMES, schedulerArgs, type ComponentFiles, type ComponentName, type Ports } from './components.ts';
import { installCrds } from './crds.ts';
import { installKubeletStages } from './kubelet-stages.ts';
import { readKwokMetricsDocuments, registerMetricsApi } from './metrics-api.ts';
import { writeEmulatedLogs } from './pod-logs.ts';
import { PortsStillBusyError } from './errors.ts';
import { answers200, get, waitUntil } from './health.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { adminClient, ensureGateways, gatewayNames } from './gateways.ts';
import { ensurePki, type ClientName, type Pki } from './pki.ts';
import { freePorts, LOOPBACK, portInUse } from './ports.ts';
import { isAlive, startDetached, stopGroup, type StartedProcess } from './processes.ts';
import { readState, stateFile, writeState, type TestbedState } from './state.ts';
import { REPO_ROOT, stateDir as defaultStateDir, TESTBED_SRC } from './paths.ts';

const run = promisify(execFile);

export interface UpOptions {
  /** Numbered gateways gw-001 … to create. */
  readonly gateways?: number;
  /** A fleet repo folder: one gateway per Gateway it declares, named by its spec.node. */
  readonly fleet?: string;
  readonly gitAuth?: { readonly username: string; readonly password: string };
  /**
   * Times the heartbeats for this many gateways, when more are added later (a benchmark adds
   * its own): 1,000 nodes renewing every 2 s would keep the API server busy.
   * @default the gateways created at start
   */
  readonly sizeFor?: number;
  readonly stateDir?: string;
  readonly log?: Log;
}

const FLEET_REPO = 'fleet.git';
const quiet: Log = () => undefined;

/** Starts a test bed, or reuses the healthy one already running from the state folder (adding any missing gateways). */
export async function up(options: UpOptions = {}): Promise<TestbedState> {
  const log = options.log ?? quiet;
  const dir = options.stateDir ?? defaultStateDir();
  // Read first: a fleet that cannot be loaded fails before anything starts.
  const names = await gatewayNames({ gateways: options.gateways, fleet: options.fleet });
  const previous = await readState(dir);
  if (previous && (await isHealthy(previous))) {
    await ensureGateways({ state: previous, names, log });
    const state = { ...previous, gateways: [...new Set([...previous.gateways, ...names])] };
    if (state.gateways.length > previous.gateways.length) await writeState(state);
    log(`testbed: reusing the test bed running since ${previous.startedAt} (${state.server})`);
    return state;
  }
  if (previous) {
    log('testbed: the recorded test bed is not healthy; stopping what is left of it');
    await down({ stateDir: dir, log });
  }
  const manifest = await ensureBuilt({ log });
  const started = Date.now();
  try {
    return await start({ dir, manifest, options, names, log, started });
  } catch (error) {
    await down({ stateDir: dir, log: quiet }).catch(() => undefined);
    throw error;
  }
}

async function start({ dir, manifest, options, names, log, started }: { dir: string; manifest: BuildManifest; options: UpOptions; names: readonly string[]; log: Log; started: number }): Promise<TestbedState> {
  const logs = path.join(dir, 'logs');
  const gitRoot = path.join(dir, 'git');
  // A new test bed starts from an empty cluster and empty repos; only the PKI is kept.
  await Promise.all([etcdDataDir(dir), logs, gitRoot, path.join(dir, 'kubeconfigs')].map((d) => rm(d, { recursive: true, force: true })));
  await Promise.all([logs, gitRoot, path.join(dir, 'kubeconfigs')].map((d) => mkdir(d, { recursive: true })));
  const pki = await ensurePki(path.join(dir, 'pki'));
  const ports = await freePorts(PORT_NAMES);
  const server = `https://${LOOPBACK}:${ports.apiserver}`;
  const kubeconfigs = await writeKubeconfigs({ dir, pki, server });
  const kwokConfig = path.join(dir, 'kwok.yaml');
  await writeFile(kwokConfig, kwokConfiguration({ podLogs: await writeEmulatedLogs({ stateDir: dir }), metrics: await readKwokMetricsDocuments(manifest.kwokDir) }));
  const files: ComponentFiles = { stateDir: dir, pki, kubeconfigs, kwokConfig };
  const timing = heartbeatTiming(Math.max(names.length, options.sizeFor ?? 0));
  const git = { baseUrl: `http://${LOOPBACK}:${ports.git}`, root: gitRoot, fleetRepoUrl: `http://${LOOPBACK}:${ports.git}/${FLEET_REPO}`, ...options.gitAuth };
  let state: TestbedState = { version: 1, stateDir: dir, startedAt: new Date().toISOString(), versions: manifest.versions, ports, timing, server, kubeconfig: kubeconfigs.admin, caCert: pki.caCert, processes: {}, git, gateways: [], ready: false };
  const launch = async (name: ComponentName, command: string, args: readonly string[]): Promise<StartedProcess> => {
    const proc = startDetached({ command, args, log: path.join(logs, `${name}.log`), cwd: name === 'git-server' || name === 'prepull-controller' ? REPO_ROOT : dir });
    state = { ...state, processes: { ...state.processes, [name]: proc } };
    await writeState(state);
    return proc;
  };
  const step = (what: string): void => log(`testbed: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  const etcd = await launch('etcd', manifest.binaries.etcd, etcdArgs({ files, ports }));
  await waitUntil({ component: 'etcd', process: etcd, timeoutMs: 30_000, check: () => answers200(`http://${LOOPBACK}:${ports.etcdClient}/health`) });
  step(`etcd ${manifest.versions.etcd} ready on ${ports.etcdClient}`);
  const apiserver = await launch('kube-apiserver', manifest.binaries['kube-apiserver'], apiserverArgs({ files, ports }));
  const admin = { ca: pki.caCert, cert: pki.clients.admin.cert, key: pki.clients.admin.key };
  await waitUntil({ component: 'kube-apiserver', process: apiserver, timeoutMs: 90_000, check: () => answers200(`${server}/readyz`, admin) });
  step(`kube-apiserver ${manifest.versions.kubernetes} ready on ${ports.apiserver}`);

  const authFile = options.gitAuth ? path.join(dir, 'git-auth') : undefined;
  if (authFile && options.gitAuth) await writeFile(authFile, `${options.gitAuth.username}:${options.gitAuth.password}\n`, { mode: 0o600 });
  await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', path.join(gitRoot, FLEET_REPO)]);
  const [cm, scheduler] = [
    await launch('kube-controller-manager', manifest.binaries['kube-controller-manager'], controllerManagerArgs({ files, ports, timing })),
    await launch('kube-scheduler', manifest.binaries['kube-scheduler'], schedulerArgs({ files, ports })),
  ];
  // KWOK reads its stages from the API server: they are there before it starts.
  const stages = await installKubeletStages({ kubeconfig: adminClient(state), kwokDir: manifest.kwokDir, timing });
  step(`${stages.length} KWOK ${manifest.versions.kwok} kubelet stages installed`);
  const [kwok, gitServer] = [
    await launch('kwok', manifest.binaries.kwok, kwokArgs({ files, ports, timing })),
    await launch('git-server', process.execPath, ['--import', 'tsx', path.join(TESTBED_SRC, 'git-server-main.ts'), gitRoot, String(ports.git), ...(authFile ? [authFile] : [])]),
  ];
  const metricsServer = await launch('metrics-server', manifest.binaries['metrics-server'], metricsServerArgs({ files, ports }));
  const registryConfig = await writeRegistryConfig({ stateDir: dir, port: ports.registry });
  const registry = await launch('registry', manifest.binaries.registry, registryArgs(registryConfig.config));
  state = { ...state, registry: registryConfig.record };
  await registerMetricsApi({ kubeconfig: adminClient(state), port: ports.metricsServer });
  const crds = await installCrds({ kubeconfig: adminClient(state), dir: manifest.crdDir });
  step(`${crds.length} KubeEdge ${manifest.versions.kubeedge} CRDs established`);
  // CloudCore's part for ImagePrePullJob status, as KWOK plays the kubelet's: a simulation (see prepull-controller.ts).
  const prePull = await launch('prepull-controller', process.execPath, ['--import', 'tsx', path.join(TESTBED_SRC, 'prepull-controller-main.ts'), state.kubeconfig]);
  await Promise.all([
    waitUntil({ component: 'kube-controller-manager', process: cm, timeoutMs: 60_000, check: () => answers200(`https://${LOOPBACK}:${ports.controllerManager}/healthz`, { insecure: true }) }),
    waitUntil({ component: 'kube-scheduler', process: scheduler, timeoutMs: 60_000, check: () => answers200(`https://${LOOPBACK}:${ports.scheduler}/healthz`, { insecure: true }) }),
    // Live, not ready: its figures come within two scrapes of the gateways, which tests wait for.
    waitUntil({ component: 'metrics-server', process: metricsServer, timeoutMs: 60_000, check: () => answers200(`https://${LOOPBACK}:${ports.metricsServer}/livez`, { insecure: true }) }),
    waitUntil({ component: 'git-server', process: gitServer, timeoutMs: 30_000, check: () => gitAnswers(state) }),
    waitUntil({ component: 'registry', process: registry, timeoutMs: 30_000, check: () => registryAnswers(registryConfig.record.url) }),
    waitUntil({ component: 'prepull-controller', process: prePull, timeoutMs: 30_000, check: async () => (await readFile(prePull.log, 'utf8').catch(() => '')).includes('image pre-pull controller:') }),
    // The controllers are really working once they have given the default namespace its service account.
    waitUntil({ component: 'kube-controller-manager (service accounts)', process: cm, timeoutMs: 60_000, check: () => hasDefaultServiceAccount(state) }),
  ]);
  step('kube-controller-manager, kube-scheduler, metrics-server, the registry and the Git server ready');
  await ensureGateways({ state, names, log, kwok });
  step(`${names.length} gateways Ready`);
  state = { ...state, gateways: names, ready: true };
  await writeState(state);
  log(`testbed: up in ${((Date.now() - started) / 1000).toFixed(1)} s; kubeconfig ${state.kubeconfig}; git ${state.git.fleetRepoUrl}; registry ${registryConfig.record.url} (user ${registryConfig.record.username})`);
  return state;
}

async function writeKubeconfigs({ dir, pki, server }: { dir: string; pki: Pki; server: string }): Promise<ComponentFiles['kubeconfigs'] & { admin: string }> {
  const write = async (client: ClientName, file: string): Promise<string> => {
    const { cert, key } = pki.clients[client];
    await writeKubeconfig(file, { server, caCert: pki.caCert, clientCert: cert, clientKey: key, user: client });
    return file;
  };
  const inDir = (name: string): string => path.join(dir, 'kubeconfigs', name);
  return {
    admin: await write('admin', path.join(dir, 'kubeconfig')),
    controllerManager: await write('kube-controller-manager', inDir('kube-controller-manager')),
    scheduler: await write('kube-scheduler', inDir('kube-scheduler')),
    kwok: await write('kwok', inDir('kwok')),
  };
}

async function gitAnswers(state: TestbedState): Promise<boolean> {
  try {
    const { status } = await get(`${state.git.baseUrl}/${FLEET_REPO}/info/refs?service=git-upload-pack`);
    return status === 200 || status === 401;
  } catch {
    return false;
  }
}

async function hasDefaultServiceAccount(state: TestbedState): Promise<boolean> {
  try {
    await adminClient(state).makeApiClient(CoreV1Api).readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    return true;
  } catch {
    return false;
  }
}

/** Every recorded process alive and the API server ready: cheap enough to call before each test run. */
export async function isHealthy(state: TestbedState): Promise<boolean> {
  if (!state.ready) return false;
  if (!COMPONENTS.every((c) => state.processes[c] && isAlive(state.processes[c].pid))) return false;
  const admin = path.join(state.stateDir, 'pki');
  return answers200(`${state.server}/readyz`, { ca: state.caCert, cert: path.join(admin, 'admin.crt'), key: path.join(admin, 'admin.key') });
}

/** Stops every process the test bed started (newest first) and checks that its ports are free again. */
export async function down({ stateDir = defaultStateDir(), log = quiet }: { stateDir?: string; log?: Log } = {}): Promise<boolean> {
  const state = await readState(stateDir);
  if (!state) return false;
  // Clients first, all at once; etcd last, so the API server never loses its storage mid-request.
  const stop = async (name: ComponentName): Promise<void> => {
    const proc = state.processes[name];
    if (!proc) return;
    const started = Date.now();
    await stopGroup(proc.pid);
    log(`testbed: stopped ${name} (pid ${proc.pid}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  await Promise.all(COMPONENTS.filter((c) => c !== 'etcd' && c !== 'kube-apiserver').map(stop));
  await stop('kube-apiserver');
  await stop('etcd');
  // A test bed started before a port was added has none recorded for it.
  const ports = PORT_NAMES.map((p) => state.ports[p]).filter((p): p is number => Number.isInteger(p));
  const deadline = Date.now() + 10_000;
  let busy = await busyPorts(ports);
  while (busy.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    busy = await busyPorts(ports);
  }
  await rm(stateFile(stateDir), { force: true });
  await rm(etcdDataDir(stateDir), { recursive: true, force: true });
  if (busy.length > 0) throw new PortsStillBusyError(busy);
  return true;
}

async function busyPorts(ports: readonly number[]): Promise<number[]> {
  const inUse = await Promise.all(ports.map(async (p) => ((await portInUse(p)) ? p : undefined)));
  return inUse.filter((p): p is number => p !== undefined);
}

export type { Ports };
