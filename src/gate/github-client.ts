// The gate's GitHub connection: an Octokit (retry and throttling plugins included) for
// github.com or a GitHub Enterprise Server base URL, authenticated by a token or as a
// GitHub App installation. Retries are bounded so a struggling GitHub turns into a
// `GitHubUnavailable` (and the fleet holds) instead of a pass that never ends, and no
// credential ever reaches a log line or an error text.
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from 'octokit';
import { randomUUID } from 'node:crypto';
import { toGitHubUnavailable } from './errors.ts';
import { SecretRedactor } from '../report/redact.ts';

export type GateOctokit = Octokit;

export type GitHubAuth =
  | { readonly token: string }
  | { readonly appId: number | string; readonly privateKey: string; readonly installationId: number };

export interface GateLogger {
  debug(message: string, data?: Readonly<Record<string, unknown>>): void;
  info(message: string, data?: Readonly<Record<string, unknown>>): void;
  warn(message: string, data?: Readonly<Record<string, unknown>>): void;
  error(message: string, data?: Readonly<Record<string, unknown>>): void;
}

export interface GitHubClientOptions {
  /**
   * The REST API root: GitHub Enterprise Server serves it at `https://<host>/api/v3`.
   * @default https://api.github.com
   */
  readonly baseUrl?: string;
  readonly auth: GitHubAuth;
  /** @default warnings and errors to stderr */
  readonly logger?: GateLogger;
  /** A request that has not answered by then counts as failed (and may be retried). @default 10000 */
  readonly requestTimeoutMs?: number;
  /** Retries after a server error, a timeout or a rate limit, per request. @default 2 */
  readonly maxRetries?: number;
  /** A rate limit that resets later than this is not waited for: the call fails and the fleet holds. @default 60 */
  readonly maxRateLimitWaitSeconds?: number;
  /** Milliseconds per "second" of back-off and retry-after; tests shrink it. @default 1000 */
  readonly retryUnitMs?: number;
  /**
   * The redactor to teach this client's credentials (and each one seen on the wire), so the
   * runtime's one redaction point knows them too. @default a redactor of this client's own
   */
  readonly redactor?: SecretRedactor;
}

export interface GitHubClient {
  readonly octokit: GateOctokit;
  /** Removes every credential this client knows of from a text. */
  readonly redact: (text: string) => string;
}

/**
 * A GateLogger onto a line sink, e.g. the reconciler's log. Octokit reports every failed
 * request through `debug` (an ordinary 404 included), so every method must exist: a
 * missing one would turn an answer into an exception. `debug` lines are dropped unless asked for.
 */
export function lineLogger(log: (line: string) => void, { debug = false }: { readonly debug?: boolean } = {}): GateLogger {
  const line = (level: string) => (message: string, data?: Readonly<Record<string, unknown>>): void =>
    log(`github ${level}: ${message}${data && Object.keys(data).length > 0 ? ` ${JSON.stringify(data)}` : ''}`);
  return { debug: debug ? line('debug') : () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
}

const stderrLogger: GateLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, data) => console.warn(message, data ?? ''),
  error: (message, data) => console.error(message, data ?? ''),
};

interface ThrottledRequest {
  readonly method: string;
  readonly url: string;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const redactor = options.redactor ?? new SecretRedactor();
  redactor.addConfigured('token' in options.auth ? options.auth.token : options.auth.privateKey);
  const logger = redactingLogger(options.logger ?? stderrLogger, redactor);
  const maxRetries = options.maxRetries ?? 2;
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const unit = options.retryUnitMs ?? 1000;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;

  // Rate limits are the throttling plugin's; the retry plugin must not retry them too,
  // or the attempts multiply.
  const onLimited = (kind: string) => (retryAfter: number, request: ThrottledRequest, _octokit: unknown, retryCount: number): boolean => {
    const retry = retryCount < maxRetries && retryAfter <= maxWait;
    logger.warn(`GitHub ${kind} rate limit for ${request.method} ${pathOf(request.url)}`, {
      retryAfterSeconds: retryAfter, retryCount, retrying: retry,
    });
    return retry;
  };

  const octokit = new Octokit({
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    ...('token' in options.auth
      ? { auth: options.auth.token }
      : { authStrategy: createAppAuth, auth: { appId: options.auth.appId, privateKey: options.auth.privateKey, installationId: options.auth.installationId } }),
    log: logger,
    request: { fetch: timedFetch({ timeoutMs, redactor }) },
    retry: { retries: maxRetries, retryAfterBaseValue: unit, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
    throttle: {
      // A separate limiter per client: clients must not queue behind each other's waits.
      id: randomUUID(),
      retryAfterBaseValue: unit,
      fallbackSecondaryRateRetryAfter: 60,
      onRateLimit: onLimited('primary'),
      onSecondaryRateLimit: onLimited('secondary'),
    },
  });

  // Registered last, so it sees the error that remains after every retry.
  octokit.hook.error('request', (error) => {
    const unavailable = toGitHubUnavailable(error, redactor);
    logger.debug(unavailable.message, { ...unavailable.data });
    throw unavailable;
  });

  return { octokit, redact: (text) => redactor.redact(text) };
}

/** fetch with a per-request deadline; it also learns every credential it sends, for redaction. */
function timedFetch({ timeoutMs, redactor }: { readonly timeoutMs: number; readonly redactor: SecretRedactor }): typeof fetch {
  return (input, init = {}) => {
    const headers = new Headers(init.headers);
    redactor.add(/^(?:token|bearer)\s+(.+)$/i.exec(headers.get('authorization') ?? '')?.[1]);
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    return fetch(input, { ...init, signal });
  };
}

function redactingLogger(inner: GateLogger, redactor: SecretRedactor): GateLogger {
  const wrap = (level: keyof GateLogger) => (message: unknown, data?: unknown): void => {
    const text = redactor.redact(typeof message === 'string' ? message : String(message));
    const payload = data === undefined ? undefined : redactor.redactValue(data instanceof Error ? { error: data.message } : data);
    inner[level](text, payload as Readonly<Record<string, unknown>> | undefined);
  };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}

function pathOf(url: string): string {
  try {
    return new URL(url, 'http://github.invalid').pathname;
  } catch {
    return '(unparsable url)';
  }
}
