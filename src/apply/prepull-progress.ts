// Which of our ImagePrePullJobs finished on which nodes, as the watch cache sees them change:
// a gateway held while its node pulls moves on as soon as the pull ends, not at the next look
// a rollout asks for.
import type { LiveObject } from '../diff/index.ts';
import { readPrePullJob } from '../rollout/prepull.ts';
import type { CacheObserver } from './kind-cache.ts';

/** A job that finished on nodes since it was last seen: pulled, failed, or unreachable. */
export interface PrePullFinished {
  readonly job: string;
  readonly nodes: readonly string[];
}

export class PrePullProgress implements CacheObserver {
  private readonly finished = new Map<string, ReadonlySet<string>>();
  private readonly listeners = new Set<(finished: PrePullFinished) => void>();

  /** Not for the jobs of the first listing: the startup pass reads them. */
  seen(job: LiveObject, { firstListing }: { readonly firstListing: boolean }): void {
    const view = readPrePullJob(job);
    const before = this.finished.get(view.name) ?? new Set<string>();
    const now = new Set(view.pulls.keys());
    this.finished.set(view.name, now);
    const nodes = [...now].filter((node) => !before.has(node)).sort();
    if (nodes.length === 0 || firstListing) return;
    for (const listener of this.listeners) listener({ job: view.name, nodes });
  }

  /** A deleted job is forgotten: a job of the same name later is a new one. */
  gone(job: LiveObject): void {
    this.finished.delete(job.metadata.name);
  }

  listen(listener: (finished: PrePullFinished) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
