// The reconciler as a long-running process: the status server, the pass trigger fed by
// polls and webhooks, leader election, and a clean shutdown.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { makeKubeApi, withKubeDeadline, type RequestCounter } from '../apply/index.ts';
import { WatchedClusterClient, type WatchCacheOptions, type WatchStats } from '../apply/watch-cache.ts';
import { createGitHubClient, lineLogger, type GitHubAuth } from '../gate/index.ts';
import type { StatusAuth } from '../report/auth.ts';
import { statusAuth, type StatusAuthSettings } from './status-auth.ts';
import { createStatusServer, FleetMetrics, KubeEventRecorder, openServiceLogs, StatusStore, type StatusServer } from '../report/index.ts';
import type { SecretRedactor } from '../report/redact.ts';
import { createGitSource, createWebhookHandler, schedulePolls, type GitAuth, type PassTrigger, type PushEvent, type WebhookDelivery } from '../source/index.ts';
import { Passes, pushHandler, type Elector } from './passes.ts';
import { clockOf, type ClockOption } from './clock.ts';
import { Reconciler, type PassSummary } from '../engine/engine.ts';
import { WorkerLoader, type LoadBounds } from '../load/index.ts';
import type { GitHubGate } from '../gate/index.ts';
import { defaultIdentity, electInCluster, electShardsInCluster, ReplicaStanding, type LeaderElector, type ShardElection } from '../leader/index.ts';
import { redactorFor } from './secrets.ts';
import { RegistryImages } from '../warehouse/image-availability.ts';
import { OciRegistry, type RegistryCredentials } from '../warehouse/oci-registry.ts';

export interface RuntimeOptions {
  readonly repo: string;
  readonly branch: string;
  readonly cacheDir: string;
  readonly kubeconfig?: string;
  readonly gitAuth?: GitAuth;
  /** How long a Git fetch waits on a silent server before it fails (`--git-timeout`). @default 30000 */
  readonly gitTimeoutMs?: number;
  /** The deadline and heap bound of loading and rendering one commit (`--load-timeout`, `--load-max-memory`). @default DEFAULT_LOAD_BOUNDS */
  readonly loadBounds?: Partial<LoadBounds>;
  /** Gateways applied at once (`--apply-concurrency`); each gateway's writes go in order. @default DEFAULT_APPLY_CONCURRENCY */
  readonly applyConcurrency?: number;
  /** Threads a cold render of many gateways is spread over (`--render-threads`). @default DEFAULT_RENDER_THREADS */
  readonly renderThreads?: number;
  /** undefined: approvals off. */
  readonly github?: GitHubOptions;
  readonly trustedRevision?: string;
  readonly allowMassDeletion?: boolean;
  readonly interval: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly webhookSecret?: string;
  /** Who may read the status API, /metrics and the dashboard, and how they sign in. @default GitHub tokens as bearer tokens only */
  readonly statusAuth?: StatusAuthSettings;
  /**
   * The OCI registry the catalog's images are published to (`--registry`): a rollout whose
   * image is not there is held, the image named. @default - images are not checked
   */
  readonly registry?: { readonly url: string; readonly credentials?: RegistryCredentials };
  /** Webhook bodies over this are answered 413 unread (`--webhook-max-bytes`). @default DEFAULT_WEBHOOK_MAX_BYTES (1 MiB) */
  readonly webhookMaxBytes?: number;
  readonly leaderElection: boolean;
  /**
   * With leader election: the gateways are split into this many shards, each with its own
   * Lease, and every replica applies the shards it holds (`--shards`, src/leader/shards.ts).
   * Every replica of a fleet must run with the same count. @default 1: one leader applies all
   */
  readonly shards?: number;
  /**
   * Where the other replicas reach this one's HTTP port (`--advertise-url`): written into the
   * Lease while this replica leads; a standby forwards the webhooks it receives there.
   * @default - not written: a push delivered to a standby waits for the leader's poll
   */
  readonly advertiseUrl?: string;
  /** How long GET /logs waits for a gateway's first answer (`--logs-timeout`). @default DEFAULT_LOGS_TIMEOUT_MS (10 s) */
  readonly logsTimeoutMs?: number;
  /**
   * The time every pass decides by (soaks, maintenance windows, expiry): `--now` or
   * `--clock-offset`. Status and log timestamps, Events and the Lease keep the system clock.
   * @default the system clock
   */
  readonly clock?: ClockOption;
  /**
   * The watch cache passes read the cluster from (src/apply/watch-cache.ts): how often each
   * kind lists afresh, how long a pass waits for a kind that is listing, how often the metrics
   * API is read. @default resync 10 min, wait 60 s, metrics every 15 s
   */
  readonly watchCache?: Pick<WatchCacheOptions, 'resyncMs' | 'syncTimeoutMs' | 'metricsIntervalMs'>;
  readonly log: (line: string) => void;
}

/** Where the pull requests are and how to reach them (`--github-*` flags). */
export interface GitHubOptions {
  readonly owner: string;
  readonly repo: string;
  /** @default https://api.github.com */
  readonly baseUrl?: string;
  readonly auth: GitHubAuth;
  /** A GitHub request not answered by then has failed. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** Retries of a request that failed with a server error, a timeout or a short rate limit. @default 2 */
  readonly maxRetries?: number;
}

export type { StatusAuthSettings };

export interface Runtime {
  readonly reconciler: Reconciler;
  readonly store: StatusStore;
  /** Every request the passes sent to the Kubernetes API, by verb; what keeps the watch cache is in `watches`. */
  readonly requests: RequestCounter;
  /** What keeping the watch cache took: listings, watch connections, events. */
  readonly watches: () => WatchStats;
  readonly url: string | undefined;
  /**
   * The runtime's secrets (Git credentials, GitHub token or App key, webhook secret, and
   * credentials seen on the wire): what the CLI prints passes it too.
   */
  readonly redactor: SecretRedactor;
  /** One pass now (coalesced with any pass already asked for). */
  passOnce(): Promise<PassSummary | undefined>;
  stop(): Promise<void>;
}

function loadKubeconfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault(); // KUBECONFIG, ~/.kube/config, or the in-cluster service account
  return kc;
}

function gitHubGate(github: GitHubOptions, log: (line: string) => void, redactor: SecretRedactor): GitHubGate {
  const { octokit } = createGitHubClient({
    auth: github.auth,
    redactor,
    logger: lineLogger(log),
    ...(github.baseUrl ? { baseUrl: github.baseUrl } : {}),
    ...(github.requestTimeoutMs !== undefined ? { requestTimeoutMs: github.requestTimeoutMs } : {}),
    ...(github.maxRetries !== undefined ? { maxRetries: github.maxRetries } : {}),
  });
  return { octokit, owner: github.owner, repo: github.repo };
}

/**
 * How the runtime is driven. `service` is `essg reconcile` as a process: it serves the HTTP
 * port (status, dashboard, /metrics with the process's own metrics, the webhook), runs passes
 * on the poll schedule and looks again when a rollout's soak ends. `on-demand` runs a pass
 * only when `pass()` is called and does none of that: `--once`, the tests and the benchmarks,
 * which must decide when passes happen and must not open ports or timers of their own.
 */
export type RuntimeMode = 'service' | 'on-demand';

export async function startRuntime(options: RuntimeOptions, { mode = 'service' }: { readonly mode?: RuntimeMode } = {}): Promise<Runtime> {
  const service = mode === 'service';
  const redactor = runtimeRedactor(options);
  const log = (line: string): void => options.log(redactor.redact(line));
  const kubeconfig = loadKubeconfig(options.kubeconfig);
  const store = new StatusStore({ redact: (value) => redactor.redactValue(value) });
  const metrics = new FleetMetrics({ phases: () => store.phaseCounts(), processMetrics: service, redact: (text) => redactor.redact(text) });
  // Writes are fenced by the leadership they are made under (see electInCluster).
  const standing = new ReplicaStanding(options.leaderElection, options.leaderElection ? (options.shards ?? 1) : 1);
  const github = options.github ? gitHubGate(options.github, log, redactor) : undefined;
  const { reconciler, client, loader } = buildReconciler({ options, kubeconfig, store, metrics, redactor, log, standing, github });
  const passes = new Passes({ reconciler, standing, service, log, client, store });
  const auth = statusAuth({ ...(options.statusAuth ? { settings: options.statusAuth } : {}), githubBaseUrl: options.github?.baseUrl, store, octokit: github?.octokit });
  const election: { elector?: Elector } = {}, onPush = pushHandler({ standing, trigger: passes.trigger, elector: () => election.elector, log });
  const server = service ? await serveStatus({ options, kubeconfig, store, metrics, auth, onPush, isReady: () => !standing.leading || store.hasCompletedPass() }) : undefined;
  if (server) log(`status, dashboard and metrics on ${server.url}`);
  const polls = service ? schedulePolls({ cron: options.interval, trigger: passes.trigger }) : undefined;
  const elector = (election.elector = options.leaderElection ? elect({ kubeconfig, standing, metrics, store, trigger: passes.trigger, log, ...(options.advertiseUrl ? { url: options.advertiseUrl } : {}) }) : undefined);
  return {
    reconciler,
    store,
    requests: client.requests,
    watches: () => client.watchStats,
    url: server?.url,
    redactor,
    async passOnce() {
      const outcome = await passes.trigger.request({ source: 'manual' });
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    },
    async stop() {
      passes.stop();
      polls?.stop();
      await elector?.stop();
      passes.trigger.close();
      await Promise.all([server?.close(), reconciler.settle({ all: !service })]);
      client.stop();
      await loader.close();
    },
  };
}

/** The one redaction point: every line, status field, Event and metric leaves through it. */
function runtimeRedactor(options: RuntimeOptions): SecretRedactor {
  return redactorFor({
    repo: options.repo,
    ...(options.gitAuth ? { gitAuth: options.gitAuth } : {}),
    ...(options.github ? { githubAuth: options.github.auth } : {}),
    ...(options.webhookSecret ? { webhookSecret: options.webhookSecret } : {}),
    ...(options.registry?.credentials ? { registryCredentials: options.registry.credentials } : {}),
    ...(options.statusAuth ? { statusAuth: options.statusAuth } : {}),
  });
}

/** The reconciler with the product's clients: Kubernetes (fenced by the pass's leadership), Git, GitHub, the bounded load worker, Events. */
function buildReconciler({ options, kubeconfig, store, metrics, redactor, log, standing, github }: {
  options: RuntimeOptions; kubeconfig: KubeConfig; store: StatusStore; metrics: FleetMetrics; redactor: SecretRedactor; log: (line: string) => void; standing: ReplicaStanding; github: GitHubGate | undefined;
}): { reconciler: Reconciler; client: WatchedClusterClient; loader: WorkerLoader } {
  const client = new WatchedClusterClient({ kubeconfig, fence: () => standing.passLeadership(), ...options.watchCache });
  client.requests.onRequest((verb) => metrics.apiRequest(verb));
  client.backgroundRequests.onRequest((verb) => metrics.apiRequest(verb));
  client.start();
  const source = createGitSource({
    url: options.repo, branch: options.branch, cacheDir: options.cacheDir,
    ...(options.gitAuth ? { auth: options.gitAuth } : {}),
    ...(options.gitTimeoutMs !== undefined ? { timeoutMs: options.gitTimeoutMs } : {}),
  });
  const loader = new WorkerLoader({ gitdir: source.gitdir, origin: redactor.redact(source.origin), log, ...(options.loadBounds ? { bounds: options.loadBounds } : {}), ...(options.renderThreads ? { renderThreads: options.renderThreads } : {}) });
  const reconciler = new Reconciler({
    source, loader, client, store, metrics,
    events: new KubeEventRecorder({ core: withKubeDeadline(makeKubeApi(kubeconfig, CoreV1Api)), instance: defaultIdentity(), redact: (text) => redactor.redact(text) }),
    ...(github ? { github } : {}),
    ...(options.trustedRevision ? { trustedRevision: options.trustedRevision } : {}),
    ...(options.allowMassDeletion ? { allowMassDeletion: true } : {}),
    ...(options.applyConcurrency ? { concurrency: options.applyConcurrency } : {}),
    ...(options.registry ? { images: new RegistryImages(new OciRegistry(options.registry)) } : {}),
    leadership: () => standing.passLeadership(),
    shards: () => standing.passShards(),
    now: clockOf(options.clock),
    log,
  });
  return { reconciler, client, loader };
}

/** The HTTP port: status, dashboard, /metrics, logs (any replica serves them: reading changes nothing) and the signed webhook. */
async function serveStatus({ options, kubeconfig, store, metrics, auth, onPush, isReady }: {
  options: RuntimeOptions; kubeconfig: KubeConfig; store: StatusStore; metrics: FleetMetrics; auth: StatusAuth; onPush: (push: PushEvent, delivery: WebhookDelivery) => void; isReady: () => boolean;
}): Promise<StatusServer & { url: string }> {
  const server = createStatusServer({
    store, metrics, auth, host: options.listen.host, port: options.listen.port, isReady,
    logs: (request) => openServiceLogs({ kubeconfig, request: { ...request, ...(options.logsTimeoutMs !== undefined ? { timeoutMs: options.logsTimeoutMs } : {}) } }),
  });
  if (options.webhookSecret) {
    server.mountWebhook(createWebhookHandler({
      secret: options.webhookSecret, branch: options.branch,
      ...(options.webhookMaxBytes !== undefined ? { maxBodyBytes: options.webhookMaxBytes } : {}),
      onPush,
      onVerdict: (verdict) => metrics.webhookDelivery(verdict.kind === 'rejected' ? verdict.reason : verdict.kind),
    }));
  }
  const url = await server.listen();
  return Object.assign(server, { url });
}

interface ElectionArgs {
  kubeconfig: KubeConfig; standing: ReplicaStanding; metrics: FleetMetrics; store: StatusStore; trigger: PassTrigger<PassSummary | undefined>; log: (line: string) => void; url?: string;
}

/** One Lease for the fleet, or one per shard with `--shards`. */
function elect(args: ElectionArgs): Elector {
  return args.standing.shardCount > 1 ? electShards(args) : electLeader(args);
}

/**
 * Sharded replicas: each shard gained or lost is logged and shown in /status, and a gained
 * one passes at once (its gateways may have waited a lease duration for a new holder).
 */
function electShards({ kubeconfig, standing, metrics, store, trigger, log, url }: ElectionArgs): ShardElection {
  const shown = (): void => {
    const held = standing.heldShards();
    metrics.setLeader(held.length > 0);
    store.setReplica({ identity: election.identity, leading: held.length > 0, shards: { count: standing.shardCount, held, replicas: election.members().identities.length } });
  };
  const election: ShardElection = electShardsInCluster({
    kubeconfig, standing, log, ...(url ? { url } : {}),
    onMembers: shown,
    onChange: ({ shard, held }) => {
      shown();
      log(held ? `${election.identity} holds shard ${shard} of ${standing.shardCount}: applying its gateways` : `${election.identity} gave up shard ${shard} of ${standing.shardCount}`);
      if (held) void trigger.request({ source: 'startup', detail: `shard ${shard} taken` });
    },
  });
  shown();
  void election.run();
  return election;
}

/** Leader election through the fleet's Lease: a new leader passes at once; /status names this replica from the start, so a standby is told from a stalled leader. */
function electLeader({ kubeconfig, standing, metrics, store, trigger, log, url }: ElectionArgs): LeaderElector {
  const elector = electInCluster({
    kubeconfig, standing, log, ...(url ? { url } : {}),
    onLead: (identity) => {
      metrics.setLeader(true);
      store.setReplica({ identity, leading: true });
      log(`${identity} leads: applying`);
      void trigger.request({ source: 'startup' });
    },
    onStandBy: (identity) => {
      metrics.setLeader(false);
      store.setReplica({ identity, leading: false });
      log('no longer the leader: standing by');
    },
  });
  store.setReplica({ identity: elector.identity, leading: false });
  void elector.run();
  return elector;
}
