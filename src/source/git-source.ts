// The reconciler's view of the fleet repo: one branch fetched (whole history, no tags)
// into a bare gitdir under a cache folder, and commits read from there without checkout.
// The gitdir is keyed by the repository URL, so every source of one repo shares its
// objects and caches, and fetches into it take turns.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import git, { type HttpClient } from 'isomorphic-git';
import nodeHttp from 'isomorphic-git/http/node';
import { SecretRedactor } from '../report/redact.ts';
import { type CommitStore, openCommitStore } from './commit-store.ts';
import { GitAuthError, GitBranchMissingError, GitUnreachableError, redactUrl, toGitError } from './errors.ts';
import { DEFAULT_GIT_TIMEOUT_MS, silenceDeadline } from './git-timeout.ts';

export type GitAuth =
  | { readonly username: string; readonly password: string }
  /** A bearer-style token (GitHub, GitLab): sent as the basic-auth password. */
  | { readonly token: string };

export interface GitSourceOptions {
  /** The repository's HTTP(S) URL. Credentials may be embedded; they never reach a log or an error. */
  readonly url: string;
  readonly branch: string;
  /** Where the bare gitdirs live; created when missing. */
  readonly cacheDir: string;
  readonly auth?: GitAuth;
  /**
   * The HTTP client isomorphic-git speaks through.
   * @default isomorphic-git/http/node
   */
  readonly http?: HttpClient;
  /**
   * How long the fetch waits on a silent server (for an answer or the next bytes) before it fails.
   * @default 30000
   */
  readonly timeoutMs?: number;
}

export interface FetchResult {
  /** The branch head after the fetch. */
  readonly head: string;
  /** The branch head known before the fetch; undefined on the first fetch. */
  readonly previousHead: string | undefined;
}

export interface GitSource extends CommitStore {
  readonly url: string;
  readonly branch: string;
  /** The bare gitdir the branch is fetched into. */
  readonly gitdir: string;
  /**
   * Fetches the branch (whole history; a force-push replaces the local ref).
   * @throws GitUnreachableError | GitAuthError | GitBranchMissingError | GitFailedError
   */
  fetch(): Promise<FetchResult>;
  /** The last fetched branch head, without asking the server; undefined before the first fetch. */
  localHead(): Promise<string | undefined>;
}

/** Fetches into one gitdir run one at a time: isomorphic-git does not lock refs itself. */
const fetchQueues = new Map<string, Promise<unknown>>();

export function gitdirFor({ cacheDir, url }: { readonly cacheDir: string; readonly url: string }): string {
  const key = redactUrl(url).replace(/\/+$/, '').replace(/\.git$/, '');
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const base = (key.split('/').pop() ?? 'repo').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'repo';
  return path.join(path.resolve(cacheDir), `${base}-${hash}.git`);
}

export function createGitSource(options: GitSourceOptions): GitSource {
  const { url, branch, cacheDir } = options;
  const http = options.http ?? nodeHttp;
  const gitdir = gitdirFor({ cacheDir, url });
  const safeUrl = redactUrl(url);
  const redactor = redactorOf(options);
  const store = openCommitStore({ gitdir, origin: safeUrl, redactor });
  const remoteRef = `refs/remotes/origin/${branch}`;

  const localHead = async (): Promise<string | undefined> => {
    try {
      return await git.resolveRef({ fs, gitdir, ref: remoteRef });
    } catch {
      return undefined;
    }
  };

  const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;

  const doFetch = async (): Promise<FetchResult> => {
    const deadline = silenceDeadline({ http, timeoutMs });
    try {
      await ensureBareRepo({ gitdir, safeUrl });
      const previousHead = await localHead();
      let authTries = 0;
      // Credentials go through onAuth (never into the stored URL or config).
      const onAuth = () => (authTries++ === 0 && options.auth ? authOf(options.auth) : { cancel: true });
      const onAuthFailure = () => ({ cancel: true }) as const;
      if (previousHead) {
        // One request for the branch's head: when it is the one we hold there is nothing to fetch.
        const refs = await Promise.race([deadline.expired, git.listServerRefs({ http: deadline.http, url, prefix: `refs/heads/${branch}`, protocolVersion: 1, onAuth, onAuthFailure })]);
        if (refs.find((r) => r.ref === `refs/heads/${branch}`)?.oid === previousHead) return { head: previousHead, previousHead };
        authTries = 0;
      }
      const result = await Promise.race([deadline.expired, git.fetch({
        fs, http: deadline.http, gitdir, url,
        ref: branch,
        remote: 'origin',
        singleBranch: true,
        tags: false,
        onAuth,
        onAuthFailure,
      })]);
      if (!result.fetchHead) throw new GitBranchMissingError(`git: ${safeUrl} has no branch ${branch} (the repository is empty)`, { component: 'git', failure: 'branch-missing', url: safeUrl, branch });
      // isomorphic-git tells the server what it has from the local branch of that name only,
      // not the remote-tracking ref it writes: kept at the fetched head, the next fetch asks
      // for what came since, not the whole history again.
      await git.writeRef({ fs, gitdir, ref: `refs/heads/${branch}`, value: result.fetchHead, force: true });
      return { head: result.fetchHead, previousHead };
    } catch (error) {
      if (deadline.signal.aborted) {
        throw new GitUnreachableError(`git: no answer from ${safeUrl} within ${timeoutMs} ms (--git-timeout)`, { component: 'git', failure: 'unreachable', url: safeUrl, branch });
      }
      const code = (error as { code?: string } | null)?.code;
      // isomorphic-git reports "asked for credentials and none were accepted" as a cancelled auth.
      if (code === 'UserCanceledError') {
        throw new GitAuthError(`git: ${safeUrl} needs credentials that were not accepted`, { component: 'git', failure: 'auth', url: safeUrl, branch, status: 401 });
      }
      throw toGitError({ error, url, branch, redactor });
    } finally {
      deadline.done();
    }
  };

  return {
    ...bind(store),
    url: safeUrl,
    branch,
    gitdir,
    localHead,
    fetch: () => {
      const previous = fetchQueues.get(gitdir) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(doFetch);
      fetchQueues.set(gitdir, next);
      return next;
    },
  };
}

/** The store's methods bound, so the source can spread them. */
function bind(store: CommitStore): CommitStore {
  return {
    origin: store.origin,
    resolve: (rev) => store.resolve(rev),
    readerAt: (commit) => store.readerAt(commit),
    changedPaths: (args) => store.changedPaths(args),
    isAncestor: (args) => store.isAncestor(args),
    commitsBetween: (args) => store.commitsBetween(args),
    readCommit: (sha) => store.readCommit(sha),
  };
}

async function ensureBareRepo({ gitdir, safeUrl }: { readonly gitdir: string; readonly safeUrl: string }): Promise<void> {
  if (fs.existsSync(path.join(gitdir, 'HEAD'))) return;
  await fs.promises.mkdir(gitdir, { recursive: true });
  await git.init({ fs, gitdir, bare: true, dir: gitdir });
  // Only the URL without credentials is written to disk.
  await git.setConfig({ fs, gitdir, path: 'remote.origin.url', value: safeUrl });
  // '+': a force-pushed branch replaces the local ref; old objects stay readable.
  await git.setConfig({ fs, gitdir, path: 'remote.origin.fetch', value: '+refs/heads/*:refs/remotes/origin/*' });
}

function authOf(auth: GitAuth): { username: string; password: string } {
  return 'token' in auth ? { username: 'x-access-token', password: auth.token } : { username: auth.username, password: auth.password };
}

/** The source's credentials (from its options and its URL), in the forms they travel in. */
function redactorOf(options: GitSourceOptions): SecretRedactor {
  const redactor = new SecretRedactor();
  redactor.addUrlCredentials(options.url);
  if (options.auth) redactor.addCredentials(authOf(options.auth));
  return redactor;
}
