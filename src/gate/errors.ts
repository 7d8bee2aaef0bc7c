// The one way a GitHub call fails for the gate. Whatever went wrong (server error,
// timeout, rate limit, bad credentials, a missing object) the gate cannot tell whether a
// change is approved, so the caller holds the fleet at its last approved state: this
// error is never read as "not approved" and never as "approved".
import { type SecretRedactor, patternRedactor } from '../report/redact.ts';
import { FleetError } from '../errors/fleet-error.ts';

export type GitHubFailure = 'rate-limited' | 'server-error' | 'timeout' | 'network' | 'unauthorized' | 'forbidden' | 'not-found' | 'rejected' | 'unexpected';

export interface GitHubUnavailableData {
  readonly component: 'github';
  readonly failure: GitHubFailure;
  /** HTTP status, when GitHub answered. */
  readonly status?: number;
  readonly method?: string;
  /** The request path, without query (never carries a credential). */
  readonly path?: string;
  /** Seconds GitHub asked us to wait (retry-after, or until x-ratelimit-reset). */
  readonly retryAfterSeconds?: number;
  /** GitHub's x-github-request-id, for support tickets. */
  readonly requestId?: string;
}

export class GitHubUnavailable extends FleetError<GitHubUnavailableData> {
  readonly code = 'GITHUB_UNAVAILABLE';
}

interface RequestErrorLike {
  readonly status?: number;
  readonly message?: string;
  readonly name?: string;
  readonly cause?: unknown;
  readonly request?: { readonly method?: string; readonly url?: string };
  readonly response?: { readonly headers?: Readonly<Record<string, string | number | undefined>> };
}

/** Turns anything a GitHub call threw into a redacted `GitHubUnavailable`. */
export function toGitHubUnavailable(error: unknown, redactor: SecretRedactor = patternRedactor): GitHubUnavailable {
  if (error instanceof GitHubUnavailable) return error;
  const e = (error && typeof error === 'object' ? error : { message: String(error) }) as RequestErrorLike;
  const headers = e.response?.headers ?? {};
  const status = typeof e.status === 'number' ? e.status : undefined;
  const failure = classify(e, status, headers);
  const path = pathOf(e.request?.url);
  const method = e.request?.method;
  const retryAfterSeconds = retryAfterOf(headers);
  const requestId = headers['x-github-request-id'];
  const what = method && path ? `${method} ${path}` : 'a GitHub request';
  const detail = redactor.redact(e.message ?? 'unknown error');
  const message = `GitHub is unavailable (${failure}${status ? `, HTTP ${status}` : ''}) for ${what}: ${detail}`;
  return new GitHubUnavailable(message, {
    component: 'github',
    failure,
    ...(status !== undefined ? { status } : {}),
    ...(method ? { method } : {}),
    ...(path ? { path } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(requestId !== undefined ? { requestId: String(requestId) } : {}),
  });
}

function classify(e: RequestErrorLike, status: number | undefined, headers: Readonly<Record<string, unknown>>): GitHubFailure {
  const causeName = (e.cause as { name?: string } | undefined)?.name;
  if (e.name === 'TimeoutError' || causeName === 'TimeoutError' || e.name === 'AbortError' || causeName === 'AbortError') return 'timeout';
  if (status === 429 || (status === 403 && (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(e.message ?? '')))) return 'rate-limited';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status !== undefined && status >= 500 && e.response === undefined) return 'network';
  if (status !== undefined && status >= 500) return 'server-error';
  if (status !== undefined && status >= 400) return 'rejected';
  return 'unexpected';
}

function retryAfterOf(headers: Readonly<Record<string, unknown>>): number | undefined {
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && headers['retry-after'] !== undefined) return retryAfter;
  if (headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset)) return Math.max(0, Math.ceil(reset - Date.now() / 1000));
  }
  return undefined;
}

function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, 'http://github.invalid').pathname;
  } catch {
    return undefined;
  }
}
