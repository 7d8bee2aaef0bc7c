// The fleet files at one commit, as the loader reads them: the tree listed recursively,
// blobs read from the object store. Nothing is checked out, and links are reported as
// links, never followed.
import type { EntryType, FleetFileReader, RepoEntry } from '../model/file-reader.ts';

export interface TreeEntryLike {
  readonly path: string;
  readonly mode: string;
  readonly oid: string;
  readonly type: string;
}

interface IndexedEntry extends RepoEntry {
  readonly oid: string;
}

export interface TreeReaderOptions {
  readonly origin: string;
  readonly rootTree: () => Promise<string>;
  readonly readTree: (oid: string) => Promise<readonly TreeEntryLike[]>;
  readonly readBlob: (oid: string) => Promise<Uint8Array>;
}

/** Git file modes: 120000 is a symbolic link, 160000 a submodule (a commit of another repo). */
function entryType(mode: string): EntryType {
  if (mode === '120000') return 'symlink';
  if (mode === '100644' || mode === '100755') return 'file';
  return 'other';
}

export class TreeReader implements FleetFileReader {
  readonly origin: string;
  private index: Promise<ReadonlyMap<string, IndexedEntry>> | undefined;

  constructor(private readonly options: TreeReaderOptions) {
    this.origin = options.origin;
  }

  async list(): Promise<readonly RepoEntry[]> {
    return [...(await this.entries()).values()].map(({ path, type, size }) => ({ path, type, size }));
  }

  async read(filePath: string, limit: number): Promise<Uint8Array> {
    const entry = (await this.entries()).get(filePath);
    if (!entry) throw new Error(`${filePath} does not exist in ${this.origin}`);
    if (entry.type !== 'file') throw new Error(`${filePath} is not a regular file in ${this.origin}`);
    return (await this.options.readBlob(entry.oid)).subarray(0, limit + 1);
  }

  private entries(): Promise<ReadonlyMap<string, IndexedEntry>> {
    this.index ??= this.build();
    return this.index;
  }

  private async build(): Promise<ReadonlyMap<string, IndexedEntry>> {
    const out = new Map<string, IndexedEntry>();
    const walk = async (treeOid: string, prefix: string): Promise<void> => {
      for (const entry of await this.options.readTree(treeOid)) {
        const rel = prefix ? `${prefix}/${entry.path}` : entry.path;
        if (entry.type === 'tree') {
          await walk(entry.oid, rel);
          continue;
        }
        const type = entryType(entry.mode);
        // The size comes from the blob itself; the blob stays cached for the read that follows.
        const size = type === 'file' ? (await this.options.readBlob(entry.oid)).byteLength : 0;
        out.set(rel, { path: rel, type, size, oid: entry.oid });
      }
    };
    await walk(await this.options.rootTree(), '');
    return out;
  }
}
