import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parseClockOffset, parseNow, type ClockOption } from '../runtime/clock.ts';
import type { StatusAuthSettings } from '../runtime/runtime.ts';
import type { GitHubAuth } from '../gate/index.ts';
import { DEFAULT_APPLY_CONCURRENCY } from '../apply/index.ts';
import { DEFAULT_LOAD_BOUNDS, DEFAULT_RENDER_THREADS } from '../load/index.ts';
import { DEFAULT_WEBHOOK_MAX_BYTES } from '../source/webhook.ts';
import { EXIT } from './exit-codes.ts';
import { registryOptionsFromEnv } from '../warehouse/oci-registry.ts';

interface ReconcileOptions {
  repo?: string;
  branch: string;
  once?: boolean;
  kubeconfig?: string;
  interval: string;
  approvals: string;
  githubRepo?: string;
  githubUrl?: string;
  githubTimeout: string;
  githubRetries: string;
  gitTimeout: string;
  loadTimeout: string;
  loadMaxMemory: string;
  renderThreads: string;
  applyConcurrency: string;
  trustedRevision?: string;
  allowMassDeletion?: boolean;
  cacheDir: string;
  listen: string;
  leaderElect?: boolean;
  shards: string;
  now?: string;
  clockOffset?: string;
  webhookMaxBytes: string;
  logsTimeout: string;
  registry?: string;
  advertiseUrl?: string;
  oauthClientId?: string;
  publicUrl?: string;
}

const env = process.env;

function githubAuth(): GitHubAuth | string {
  if (env.GITHUB_TOKEN) return { token: env.GITHUB_TOKEN };
  if (env.GITHUB_APP_ID && env.GITHUB_APP_INSTALLATION_ID && env.GITHUB_APP_PRIVATE_KEY_FILE) {
    return { appId: Number(env.GITHUB_APP_ID), installationId: Number(env.GITHUB_APP_INSTALLATION_ID), privateKey: readFileSync(env.GITHUB_APP_PRIVATE_KEY_FILE, 'utf8') } as GitHubAuth;
  }
  return 'with --approvals github, set GITHUB_TOKEN, or GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY_FILE';
}

/** Who may read status, metrics and the dashboard: secrets from the environment only (never in `ps`). */
function statusAuthSettings(options: ReconcileOptions): StatusAuthSettings | string {
  const statusTokens = (env.ESSG_STATUS_TOKEN ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (statusTokens.some((t) => t.length < 16)) return 'ESSG_STATUS_TOKEN must be at least 16 characters (several: separated by commas)';
  let oauth;
  if (options.oauthClientId) {
    const clientSecret = env.ESSG_OAUTH_CLIENT_SECRET;
    if (!clientSecret) return 'with --oauth-client-id, set ESSG_OAUTH_CLIENT_SECRET';
    if (!options.publicUrl || !/^https?:\/\/[^/]+/.test(options.publicUrl)) return 'with --oauth-client-id, give --public-url http(s)://HOST[:PORT] (where browsers reach this reconciler)';
    oauth = { clientId: options.oauthClientId, clientSecret, publicUrl: options.publicUrl };
  }
  return {
    ...(statusTokens.length > 0 ? { statusTokens } : {}),
    ...(oauth ? { oauth } : {}),
    ...(env.ESSG_SESSION_SECRET ? { sessionSecret: env.ESSG_SESSION_SECRET } : {}),
    ...(options.githubUrl ? { githubApiUrl: options.githubUrl } : {}),
  };
}

export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description('keep the cluster in the state the fleet repo declares: fetch, gate, render, plan, apply, prune, report')
    .option('--repo <url>', 'the fleet repo (HTTP(S) Git URL) [ESSG_REPO]', env.ESSG_REPO)
    .option('--branch <branch>', 'the branch to follow [ESSG_BRANCH]', env.ESSG_BRANCH ?? 'main')
    .option('--once', 'run one pass and exit: 0 converged, 1 a gateway failed or the commit is invalid')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config or the in-cluster service account)')
    .option('--interval <cron>', 'poll schedule, node-cron syntax [ESSG_INTERVAL]', env.ESSG_INTERVAL ?? '*/1 * * * *')
    .option('--approvals <mode>', 'github: merged, reviewed pull requests authorise changes; off: every valid commit applies [ESSG_APPROVALS]', env.ESSG_APPROVALS ?? 'github')
    .option('--github-repo <owner/name>', 'the fleet repo on GitHub, for approvals [ESSG_GITHUB_REPO]', env.ESSG_GITHUB_REPO)
    .option('--github-url <url>', 'GitHub REST API root; GitHub Enterprise: https://HOST/api/v3 [GITHUB_API_URL]', env.GITHUB_API_URL)
    .option('--github-timeout <ms>', 'a GitHub request not answered by then has failed [ESSG_GITHUB_TIMEOUT_MS]', env.ESSG_GITHUB_TIMEOUT_MS ?? '10000')
    .option('--github-retries <n>', 'retries of a GitHub request after a server error, timeout or short rate limit [ESSG_GITHUB_RETRIES]', env.ESSG_GITHUB_RETRIES ?? '2')
    .option('--git-timeout <ms>', 'a Git fetch whose server stays silent this long has failed; the pass goes on from the last fetched state [ESSG_GIT_TIMEOUT_MS]', env.ESSG_GIT_TIMEOUT_MS ?? '30000')
    .option('--load-timeout <ms>', 'a commit not loaded and rendered within this is bad: never applied, the gateways stay on their last good state [ESSG_LOAD_TIMEOUT_MS]', env.ESSG_LOAD_TIMEOUT_MS ?? String(DEFAULT_LOAD_BOUNDS.timeoutMs))
    .option('--load-max-memory <MiB>', 'the heap loading and rendering a commit may use; a commit that needs more is bad [ESSG_LOAD_MAX_MEMORY_MB]', env.ESSG_LOAD_MAX_MEMORY_MB ?? String(DEFAULT_LOAD_BOUNDS.maxMemoryMb))
    .option('--apply-concurrency <n>', 'gateways applied at once; each gateway\'s objects go in one after another, in apply order [ESSG_APPLY_CONCURRENCY]', env.ESSG_APPLY_CONCURRENCY ?? String(DEFAULT_APPLY_CONCURRENCY))
    .option('--render-threads <n>', 'threads a cold render of many gateways (a first load, a change every gateway reads) is spread over [ESSG_RENDER_THREADS]', env.ESSG_RENDER_THREADS ?? String(DEFAULT_RENDER_THREADS))
    .option('--trusted-revision <sha>', 'commits up to this one are trusted as approved (first adoption of an existing fleet) [ESSG_TRUSTED_REVISION]', env.ESSG_TRUSTED_REVISION)
    .option('--allow-mass-deletion', 'let this run delete past the fleet\'s prune.maxDeletionShare [ESSG_ALLOW_MASS_DELETION=true]', env.ESSG_ALLOW_MASS_DELETION === 'true')
    .option('--cache-dir <dir>', 'where the fleet repo is fetched [ESSG_CACHE_DIR]', env.ESSG_CACHE_DIR ?? path.join(os.tmpdir(), 'essg-cache'))
    .option('--listen <host:port>', 'status API, dashboard, metrics and webhook [ESSG_LISTEN]', env.ESSG_LISTEN ?? `0.0.0.0:${env.ESSG_STATUS_PORT ?? '9464'}`)
    .option('--webhook-max-bytes <n>', 'webhook bodies larger than this are answered 413 unread; a push needs only its ref, and a refused one waits for the next poll [ESSG_WEBHOOK_MAX_BYTES]', env.ESSG_WEBHOOK_MAX_BYTES ?? String(DEFAULT_WEBHOOK_MAX_BYTES))
    .option('--logs-timeout <ms>', 'GET /logs answers that a gateway did not answer after this long, instead of waiting on it [ESSG_LOGS_TIMEOUT_MS]', env.ESSG_LOGS_TIMEOUT_MS ?? '10000')
    .option('--registry <url>', 'the OCI registry the catalog images are published to: a rollout whose image is not there is held, the image named (credentials: ESSG_REGISTRY_USERNAME, ESSG_REGISTRY_PASSWORD) [ESSG_REGISTRY_URL]', env.ESSG_REGISTRY_URL)
    .option('--oauth-client-id <id>', 'the GitHub OAuth app browsers sign in to the dashboard with (its secret: ESSG_OAUTH_CLIENT_SECRET) [ESSG_OAUTH_CLIENT_ID]', env.ESSG_OAUTH_CLIENT_ID)
    .option('--public-url <url>', 'where browsers reach this reconciler, for GitHub to send them back after sign-in [ESSG_PUBLIC_URL]', env.ESSG_PUBLIC_URL)
    .option('--leader-elect', 'elect one applying replica with a Lease [ESSG_LEADER_ELECT=true]', env.ESSG_LEADER_ELECT === 'true')
    .option('--shards <n>', 'with --leader-elect: split the gateways into this many shards, each applied by one replica; every replica must run with the same count [ESSG_SHARDS]', env.ESSG_SHARDS ?? '1')
    .option('--advertise-url <url>', 'where the other replicas reach this one\'s HTTP port: the leader writes it into its Lease, a standby forwards the webhooks it receives there [ESSG_ADVERTISE_URL]', env.ESSG_ADVERTISE_URL)
    .option('--now <rfc3339>', 'with --once: decide the pass as of this instant (soaks, maintenance windows, expiry), e.g. 2026-12-05T02:30:00+08:00')
    .option('--clock-offset <duration>', 'shift the clock passes decide by: seconds (-3600) or +3d4h, -1h30m; for test beds [ESSG_CLOCK_OFFSET]', env.ESSG_CLOCK_OFFSET)
    .action(async (options: ReconcileOptions) => {
      const fail = (message: string) => {
        process.stderr.write(`essg reconcile: ${message}\n`);
        process.exitCode = EXIT.usage;
      };
      if (!options.repo) return fail('give --repo URL (or ESSG_REPO)');
      if (options.approvals !== 'github' && options.approvals !== 'off') return fail(`--approvals must be github or off, not ${options.approvals}`);
      const [host, port] = [options.listen.slice(0, options.listen.lastIndexOf(':')), Number(options.listen.slice(options.listen.lastIndexOf(':') + 1))];
      if (!host || !Number.isInteger(port)) return fail(`--listen must be HOST:PORT, not ${options.listen}`);
      let clock: ClockOption | undefined;
      if (options.now !== undefined) {
        const now = parseNow(options.now);
        if (!options.once) return fail('--now fixes the clock for one pass: give it with --once (a running reconciler takes --clock-offset)');
        if (options.clockOffset !== undefined) return fail('give --now or --clock-offset, not both');
        if (!now) return fail(`--now must be an RFC 3339 time such as 2026-12-05T02:30:00Z, not ${options.now}`);
        clock = { now };
      } else if (options.clockOffset !== undefined) {
        const offsetMs = parseClockOffset(options.clockOffset);
        if (offsetMs === undefined) return fail(`--clock-offset must be seconds (-3600) or days, hours, minutes, seconds (+3d4h, -1h30m), not ${options.clockOffset}`);
        clock = { offsetMs };
      }
      const gitTimeoutMs = Number(options.gitTimeout);
      if (!Number.isInteger(gitTimeoutMs) || gitTimeoutMs <= 0) return fail(`--git-timeout must be a positive number of milliseconds, not ${options.gitTimeout}`);
      const loadTimeoutMs = Number(options.loadTimeout);
      if (!Number.isInteger(loadTimeoutMs) || loadTimeoutMs <= 0) return fail(`--load-timeout must be a positive number of milliseconds, not ${options.loadTimeout}`);
      const loadMaxMemoryMb = Number(options.loadMaxMemory);
      if (!Number.isInteger(loadMaxMemoryMb) || loadMaxMemoryMb < 64) return fail(`--load-max-memory must be a whole number of MiB, at least 64 (the loader and renderer need that much to start), not ${options.loadMaxMemory}`);
      const renderThreads = Number(options.renderThreads);
      if (!Number.isInteger(renderThreads) || renderThreads < 1) return fail(`--render-threads must be a whole number, at least 1, not ${options.renderThreads}`);
      const applyConcurrency = Number(options.applyConcurrency);
      if (!Number.isInteger(applyConcurrency) || applyConcurrency < 1 || applyConcurrency > 256) return fail(`--apply-concurrency must be a whole number from 1 to 256, not ${options.applyConcurrency}`);
      const webhookMaxBytes = Number(options.webhookMaxBytes);
      if (!Number.isInteger(webhookMaxBytes) || webhookMaxBytes <= 0) return fail(`--webhook-max-bytes must be a positive number of bytes, not ${options.webhookMaxBytes}`);
      const logsTimeoutMs = Number(options.logsTimeout);
      if (!Number.isInteger(logsTimeoutMs) || logsTimeoutMs <= 0) return fail(`--logs-timeout must be a positive number of milliseconds, not ${options.logsTimeout}`);
      if (options.registry !== undefined && !/^https?:\/\/[^/]+\/?$/.test(options.registry)) return fail(`--registry must be http(s)://HOST[:PORT], not ${options.registry}`);
      const shards = Number(options.shards);
      if (!Number.isInteger(shards) || shards < 1 || shards > 1000) return fail(`--shards must be a whole number from 1 to 1000, not ${options.shards}`);
      if (shards > 1 && !options.leaderElect) return fail('--shards splits the gateways between elected replicas: give --leader-elect with it');
      if (options.advertiseUrl !== undefined && !/^https?:\/\/[^/]+\/?$/.test(options.advertiseUrl)) return fail(`--advertise-url must be http(s)://HOST:PORT, not ${options.advertiseUrl}`);
      const statusAuth = statusAuthSettings(options);
      if (typeof statusAuth === 'string') return fail(statusAuth);
      let github;
      if (options.approvals === 'github') {
        const [owner, repo] = (options.githubRepo ?? '').split('/');
        if (!owner || !repo) return fail('with --approvals github, give --github-repo owner/name (or ESSG_GITHUB_REPO)');
        const auth = githubAuth();
        if (typeof auth === 'string') return fail(auth);
        const requestTimeoutMs = Number(options.githubTimeout);
        const maxRetries = Number(options.githubRetries);
        if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs <= 0) return fail(`--github-timeout must be a positive number of milliseconds, not ${options.githubTimeout}`);
        if (!Number.isInteger(maxRetries) || maxRetries < 0) return fail(`--github-retries must be a whole number, not ${options.githubRetries}`);
        github = { owner, repo, auth, requestTimeoutMs, maxRetries, ...(options.githubUrl ? { baseUrl: options.githubUrl } : {}) };
      } else {
        process.stderr.write('\n*** APPROVALS ARE OFF: every valid commit on the branch is applied at once, with no customer review. ***\n\n');
      }
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const { startRuntime } = await import('../runtime/runtime.ts');
      const runtime = await startRuntime(
        {
          repo: options.repo, branch: options.branch, cacheDir: options.cacheDir, interval: options.interval,
          listen: { host, port }, leaderElection: Boolean(options.leaderElect) && !options.once, ...(shards > 1 ? { shards } : {}), log, gitTimeoutMs, webhookMaxBytes, logsTimeoutMs,
          loadBounds: { timeoutMs: loadTimeoutMs, maxMemoryMb: loadMaxMemoryMb }, renderThreads, applyConcurrency,
          ...(clock ? { clock } : {}),
          ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
          ...(github ? { github } : {}),
          ...(options.trustedRevision ? { trustedRevision: options.trustedRevision } : {}),
          ...(options.allowMassDeletion ? { allowMassDeletion: true } : {}),
          ...(env.ESSG_WEBHOOK_SECRET ? { webhookSecret: env.ESSG_WEBHOOK_SECRET } : {}),
          ...(options.registry ? { registry: registryOptionsFromEnv(options.registry) } : {}),
          ...(options.advertiseUrl ? { advertiseUrl: options.advertiseUrl.replace(/\/$/, '') } : {}),
          statusAuth,
          ...(env.ESSG_GIT_USERNAME && env.ESSG_GIT_PASSWORD ? { gitAuth: { username: env.ESSG_GIT_USERNAME, password: env.ESSG_GIT_PASSWORD } } : {}),
        },
        { mode: options.once ? 'on-demand' : 'service' },
      );
      if (options.once) {
        const summary = await runtime.passOnce().catch((error: unknown) => {
          throw new Error(runtime.redactor.redact(error instanceof Error ? error.message : String(error)));
        });
        await runtime.stop();
        const snapshot = runtime.store.snapshot();
        const report = { result: summary?.result, head: summary?.head, error: summary?.error, gateways: snapshot.gateways.map((g) => ({ gateway: g.gateway, phase: g.phase, appliedRevision: g.appliedRevision, message: g.message })) };
        process.stdout.write(`${JSON.stringify(runtime.redactor.redactValue(report), null, 2)}\n`);
        process.exitCode = summary && ['success', 'noop'].includes(summary.result) ? EXIT.ok : EXIT.problems;
        return;
      }
      void runtime.passOnce();
      const shutdown = async () => {
        log('stopping');
        await runtime.stop();
        process.exit(0);
      };
      process.once('SIGTERM', () => void shutdown());
      process.once('SIGINT', () => void shutdown());
    });
}
