// The ways reading the fleet repo from Git fails. Each has a stable code; the reconciler
// keeps the last good state on any of them and reports it. No error text or payload ever
// carries a credential: URLs are redacted before they are stored, and messages pass the
// one redactor (report/redact.ts).
import { type SecretRedactor, patternRedactor } from '../report/redact.ts';
import { FleetError } from '../errors/fleet-error.ts';

export type GitFailure = 'unreachable' | 'auth' | 'branch-missing' | 'object-missing' | 'failed';

export interface GitErrorData {
  readonly component: 'git';
  readonly failure: GitFailure;
  /** The repository URL without credentials. */
  readonly url: string;
  readonly branch?: string;
  /** The commit or ref asked for, for object-missing. */
  readonly ref?: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
}

export abstract class GitSourceError extends FleetError<GitErrorData> {}

/** The server could not be reached: DNS, refused connection, timeout, 5xx. */
export class GitUnreachableError extends GitSourceError {
  readonly code = 'GIT_UNREACHABLE';
  override readonly name = 'GitUnreachableError';
}

/** The server refused the credentials (or asked for some and none were given). */
export class GitAuthError extends GitSourceError {
  readonly code = 'GIT_AUTH';
  override readonly name = 'GitAuthError';
}

/** The repository has no such branch (or is empty). */
export class GitBranchMissingError extends GitSourceError {
  readonly code = 'GIT_BRANCH_MISSING';
  override readonly name = 'GitBranchMissingError';
}

/** A commit, tree or revision is not in the local object store. */
export class GitObjectMissingError extends GitSourceError {
  readonly code = 'GIT_OBJECT_MISSING';
  override readonly name = 'GitObjectMissingError';
}

/** Any other Git failure (corrupt pack, protocol error). */
export class GitFailedError extends GitSourceError {
  readonly code = 'GIT_FAILED';
  override readonly name = 'GitFailedError';
}

/** The URL with any user, password or token removed, for messages and cache keys. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '';
      parsed.password = '';
    }
    // Tokens sometimes ride in the query string (e.g. `?access_token=`).
    for (const key of [...parsed.searchParams.keys()]) if (/token|key|secret|password|auth/i.test(key)) parsed.searchParams.set(key, 'REDACTED');
    return parsed.toString();
  } catch {
    // Not a URL (a path): nothing embedded that we could strip safely except `user:pass@`.
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

interface IsoGitErrorLike {
  readonly code?: string;
  readonly message?: string;
  readonly data?: { readonly statusCode?: number; readonly what?: string };
}

/** Maps what isomorphic-git or the HTTP client threw to one of the typed errors. */
export function toGitError({ error, url, branch, redactor = patternRedactor }: {
  readonly error: unknown;
  readonly url: string;
  readonly branch?: string;
  /** Knows the source's credentials, so none reaches the message. @default patternRedactor */
  readonly redactor?: SecretRedactor;
}): GitSourceError {
  if (error instanceof GitSourceError) return error;
  const e = (error && typeof error === 'object' ? error : { message: String(error) }) as IsoGitErrorLike;
  const safeUrl = redactUrl(url);
  const detail = redactor.redact(e.message ?? 'unknown error');
  const base = { component: 'git' as const, url: safeUrl, ...(branch ? { branch } : {}) };
  const status = e.data?.statusCode;
  if (e.code === 'HttpError' && (status === 401 || status === 403)) {
    return new GitAuthError(`git: ${safeUrl} refused the credentials (HTTP ${status})`, { ...base, failure: 'auth', status });
  }
  if (e.code === 'HttpError' && status !== undefined && status >= 500) {
    return new GitUnreachableError(`git: ${safeUrl} failed (HTTP ${status}): ${detail}`, { ...base, failure: 'unreachable', status });
  }
  if (e.code === 'HttpError' && status === 404) {
    return new GitUnreachableError(`git: no repository at ${safeUrl} (HTTP 404)`, { ...base, failure: 'unreachable', status });
  }
  if (e.code === 'NotFoundError' && branch) {
    return new GitBranchMissingError(`git: ${safeUrl} has no branch ${branch}`, { ...base, failure: 'branch-missing' });
  }
  if (e.code && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|UND_ERR_.*)$/.test(e.code)) {
    return new GitUnreachableError(`git: cannot reach ${safeUrl} (${e.code})`, { ...base, failure: 'unreachable' });
  }
  return new GitFailedError(`git: ${safeUrl}: ${detail}`, { ...base, failure: 'failed' });
}
