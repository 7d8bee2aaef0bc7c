// Read-only access to the commits of one gitdir (bare or a work tree's .git): files at a
// commit without checkout, tree diffs, ancestry and first-parent history. Trees and blobs
// are cached by object id, and the cache is shared by every store over the same gitdir.
import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import type { FleetFileReader } from '../model/file-reader.ts';
import { GitObjectMissingError, GitSourceError, toGitError } from './errors.ts';
import { type SecretRedactor, patternRedactor } from '../report/redact.ts';
import { LruCache } from './lru.ts';
import { type TreeEntryLike, TreeReader } from './tree-reader.ts';

export interface CommitInfo {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly author: { readonly name: string; readonly email: string };
  /** Committer time, seconds since the epoch. */
  readonly committerTime: number;
}

export type PathChangeKind = 'added' | 'modified' | 'deleted';

export interface PathChange {
  /** Repo-relative, '/'-separated. */
  readonly path: string;
  readonly change: PathChangeKind;
}

export interface CommitStore {
  /** The repository as errors name it: its URL without credentials, or the directory. */
  readonly origin: string;
  /** A commit sha for a revision: a full or abbreviated sha, a ref (`HEAD`, `main`, `origin/main`), optionally followed by `~N` or `^`. */
  resolve(rev: string): Promise<string>;
  /** The fleet files at a commit, read from the object store without checkout. */
  readerAt(commit: string): FleetFileReader;
  /** Paths added, modified or deleted from one commit's tree to another's, sorted. */
  changedPaths(args: { readonly from: string; readonly to: string }): Promise<PathChange[]>;
  /** Whether `ancestor` is `commit` or one of its ancestors. */
  isAncestor(args: { readonly ancestor: string; readonly commit: string }): Promise<boolean>;
  /**
   * The first-parent history from `to` back to (not including) `from` or the merge base of
   * the two, newest first; without `from`, back to the root (at most `limit` commits).
   */
  commitsBetween(args: { readonly from?: string; readonly to: string; readonly limit?: number }): Promise<CommitInfo[]>;
  readCommit(sha: string): Promise<CommitInfo>;
}

interface SharedCaches {
  /** isomorphic-git's own cache (pack indexes), shared by every call on the gitdir. */
  readonly git: object;
  readonly trees: LruCache<string, readonly TreeEntryLike[]>;
  readonly blobs: LruCache<string, Uint8Array>;
}

/** Parsed trees kept, counted in entries. */
const TREE_CACHE_ENTRIES = 500_000;
/** Blob bytes kept: a fleet of ten thousand gateways is a few tens of megabytes. */
const BLOB_CACHE_BYTES = 96 * 1024 * 1024;

const sharedByGitdir = new Map<string, SharedCaches>();

function cachesFor(gitdir: string): SharedCaches {
  const key = path.resolve(gitdir);
  let caches = sharedByGitdir.get(key);
  if (!caches) {
    caches = { git: {}, trees: new LruCache(TREE_CACHE_ENTRIES), blobs: new LruCache(BLOB_CACHE_BYTES) };
    sharedByGitdir.set(key, caches);
  }
  return caches;
}

export function openCommitStore({ gitdir, origin, redactor = patternRedactor }: {
  readonly gitdir: string;
  readonly origin: string;
  /** Knows the credentials that must never appear in an error. @default patternRedactor */
  readonly redactor?: SecretRedactor;
}): CommitStore {
  return new GitdirCommitStore(gitdir, origin, redactor);
}

class GitdirCommitStore implements CommitStore {
  private readonly caches: SharedCaches;

  constructor(private readonly gitdir: string, readonly origin: string, private readonly redactor: SecretRedactor) {
    this.caches = cachesFor(gitdir);
  }

  async resolve(rev: string): Promise<string> {
    const match = /^(.*?)((?:~\d*|\^1?)*)$/.exec(rev.trim());
    const name = match?.[1] ?? rev;
    let sha = await this.guard(name, () => this.resolveName(name));
    for (const step of (match?.[2] ?? '').match(/~\d*|\^1?/g) ?? []) {
      const count = step.startsWith('~') ? Number(step.slice(1) || '1') : 1;
      for (let i = 0; i < count; i++) {
        const parent = (await this.readCommit(sha)).parents[0];
        if (!parent) throw this.missing(rev, `${rev} goes past the first commit`);
        sha = parent;
      }
    }
    return sha;
  }

  readerAt(commit: string): FleetFileReader {
    return new TreeReader({
      origin: `${this.origin}@${commit.slice(0, 12)}`,
      rootTree: () => this.treeOf(commit),
      readTree: (oid) => this.readTree(oid),
      readBlob: (oid) => this.readBlob(oid),
    });
  }

  async changedPaths({ from, to }: { readonly from: string; readonly to: string }): Promise<PathChange[]> {
    const out: PathChange[] = [];
    await this.diffTrees(await this.treeOf(from), await this.treeOf(to), '', out);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async isAncestor({ ancestor, commit }: { readonly ancestor: string; readonly commit: string }): Promise<boolean> {
    if (ancestor === commit) {
      await this.readCommit(commit);
      return true;
    }
    return this.guard(commit, () => git.isDescendent({ fs, gitdir: this.gitdir, oid: commit, ancestor, depth: -1, cache: this.caches.git }));
  }

  async commitsBetween({ from, to, limit = 1000 }: { readonly from?: string; readonly to: string; readonly limit?: number }): Promise<CommitInfo[]> {
    const stops = new Set<string>();
    if (from) {
      stops.add(from);
      const bases = await this.guard(from, () => git.findMergeBase({ fs, gitdir: this.gitdir, oids: [from, to], cache: this.caches.git }));
      for (const base of bases as string[]) stops.add(base);
    }
    const out: CommitInfo[] = [];
    let sha: string | undefined = to;
    while (sha && !stops.has(sha) && out.length < limit) {
      const info = await this.readCommit(sha);
      out.push(info);
      sha = info.parents[0];
    }
    return out;
  }

  async readCommit(sha: string): Promise<CommitInfo> {
    const { commit } = await this.guard(sha, () => git.readCommit({ fs, gitdir: this.gitdir, oid: sha, cache: this.caches.git }));
    return {
      sha,
      parents: commit.parent,
      message: commit.message,
      author: { name: commit.author.name, email: commit.author.email },
      committerTime: commit.committer.timestamp,
    };
  }

  private async resolveName(name: string): Promise<string> {
    try {
      return await git.resolveRef({ fs, gitdir: this.gitdir, ref: name });
    } catch (error) {
      if (!/^[0-9a-f]{4,40}$/i.test(name)) throw error;
      return git.expandOid({ fs, gitdir: this.gitdir, oid: name.toLowerCase(), cache: this.caches.git });
    }
  }

  private async treeOf(commit: string): Promise<string> {
    const { commit: parsed } = await this.guard(commit, () => git.readCommit({ fs, gitdir: this.gitdir, oid: commit, cache: this.caches.git }));
    return parsed.tree;
  }

  private async readTree(oid: string): Promise<readonly TreeEntryLike[]> {
    const cached = this.caches.trees.get(oid);
    if (cached) return cached;
    const { tree } = await this.guard(oid, () => git.readTree({ fs, gitdir: this.gitdir, oid, cache: this.caches.git }));
    const entries = tree.map((e) => ({ path: e.path, mode: e.mode, oid: e.oid, type: e.type }));
    this.caches.trees.set(oid, entries, Math.max(1, entries.length));
    return entries;
  }

  private async readBlob(oid: string): Promise<Uint8Array> {
    const cached = this.caches.blobs.get(oid);
    if (cached) return cached;
    const { blob } = await this.guard(oid, () => git.readBlob({ fs, gitdir: this.gitdir, oid, cache: this.caches.git }));
    this.caches.blobs.set(oid, blob, Math.max(1, blob.byteLength));
    return blob;
  }

  private async diffTrees(a: string | undefined, b: string | undefined, prefix: string, out: PathChange[]): Promise<void> {
    if (a === b) return;
    const before = new Map((a ? await this.readTree(a) : []).map((e) => [e.path, e]));
    const after = new Map((b ? await this.readTree(b) : []).map((e) => [e.path, e]));
    for (const name of new Set([...before.keys(), ...after.keys()])) {
      const x = before.get(name);
      const y = after.get(name);
      if (x && y && x.oid === y.oid && x.mode === y.mode) continue;
      const full = prefix ? `${prefix}/${name}` : name;
      const xTree = x?.type === 'tree';
      const yTree = y?.type === 'tree';
      if (xTree || yTree) {
        await this.diffTrees(xTree ? x.oid : undefined, yTree ? y.oid : undefined, full, out);
        // A file replaced by a folder (or the reverse) is a delete plus adds.
        if (x && !xTree) out.push({ path: full, change: 'deleted' });
        if (y && !yTree) out.push({ path: full, change: 'added' });
      } else {
        out.push({ path: full, change: x && y ? 'modified' : x ? 'deleted' : 'added' });
      }
    }
  }

  private missing(ref: string, message: string): GitObjectMissingError {
    return new GitObjectMissingError(`git: ${message} in ${this.origin}`, { component: 'git', failure: 'object-missing', url: this.origin, ref });
  }

  /** Runs a read; a missing object becomes GitObjectMissingError naming what was asked for. */
  private async guard<T>(ref: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof GitSourceError) throw error;
      const code = (error as { code?: string } | null)?.code;
      if (code === 'NotFoundError' || code === 'ObjectTypeError' || code === 'AmbiguousError' || code === 'ENOENT') {
        throw this.missing(ref, `${ref} is not a commit known`);
      }
      throw toGitError({ error, url: this.origin, redactor: this.redactor });
    }
  }
}
