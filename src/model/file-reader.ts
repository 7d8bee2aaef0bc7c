// The loader reads a fleet repo through this interface: a directory now, a Git commit
// (without checkout) in the reconciler. Readers never follow links: they report them.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export type EntryType = 'file' | 'symlink' | 'other';

export interface RepoEntry {
  /** Repo-relative, '/'-separated. */
  readonly path: string;
  readonly type: EntryType;
  /** Bytes, for files. */
  readonly size: number;
}

export interface FleetFileReader {
  /** A description for errors, e.g. the directory or `repo@commit`. */
  readonly origin: string;
  /** Every entry below the root, folders excluded. */
  list(): Promise<readonly RepoEntry[]>;
  /** The bytes of a file listed as `file`; reads at most `limit` bytes plus one. */
  read(filePath: string, limit: number): Promise<Uint8Array>;
}

/** Folders no fleet file lives in: skipped whole, never read. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

export class DirectoryReader implements FleetFileReader {
  readonly origin: string;
  constructor(private readonly root: string) {
    this.origin = root;
  }

  async list(): Promise<readonly RepoEntry[]> {
    const entries: RepoEntry[] = [];
    const walk = async (relDir: string): Promise<void> => {
      const dirents = await readdir(path.join(this.root, relDir), { withFileTypes: true });
      for (const dirent of dirents) {
        const rel = relDir ? `${relDir}/${dirent.name}` : dirent.name;
        if (dirent.isDirectory()) {
          if (!SKIPPED_DIRS.has(dirent.name)) await walk(rel);
        } else if (dirent.isSymbolicLink()) {
          entries.push({ path: rel, type: 'symlink', size: 0 });
        } else if (dirent.isFile()) {
          entries.push({ path: rel, type: 'file', size: -1 });
        } else {
          entries.push({ path: rel, type: 'other', size: 0 });
        }
      }
    };
    await walk('');
    // Sizes only matter for the files the loader will read; stat those lazily in read().
    return entries;
  }

  /**
   * Synchronous on purpose: fleet files are small, and for ten thousand of them the
   * promise-based FileHandle costs more CPU than the reads themselves (see BENCHMARKS.md).
   */
  async read(filePath: string, limit: number): Promise<Uint8Array> {
    // O_NOFOLLOW: a file swapped for a link after listing is refused, not followed.
    const fd = openSync(path.join(this.root, filePath), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const info = fstatSync(fd);
      if (!info.isFile()) throw new Error(`${filePath} is not a regular file`);
      const size = Math.min(info.size, limit + 1);
      const buffer = new Uint8Array(size);
      const bytesRead = readSync(fd, buffer, 0, size, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      closeSync(fd);
    }
  }
}

/** An in-memory repo: for tests, benchmarks and generated fleets. */
export class MemoryReader implements FleetFileReader {
  readonly origin: string;
  private readonly files: ReadonlyMap<string, Uint8Array>;
  private readonly links: ReadonlySet<string>;
  constructor({ files, symlinks = [], origin = 'memory' }: { files: Record<string, string | Uint8Array>; symlinks?: readonly string[]; origin?: string }) {
    this.origin = origin;
    this.files = new Map(Object.entries(files).map(([p, c]) => [p, typeof c === 'string' ? new TextEncoder().encode(c) : c]));
    this.links = new Set(symlinks);
  }
  async list(): Promise<readonly RepoEntry[]> {
    return [
      ...[...this.files].map(([p, c]) => ({ path: p, type: 'file' as const, size: c.byteLength })),
      ...[...this.links].map((p) => ({ path: p, type: 'symlink' as const, size: 0 })),
    ];
  }
  async read(filePath: string, limit: number): Promise<Uint8Array> {
    const content = this.files.get(filePath);
    if (!content) throw new Error(`${filePath} does not exist`);
    return content.subarray(0, limit + 1);
  }
}
