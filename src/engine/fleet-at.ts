// The fleet at a commit: loaded from the Git object store (no checkout) and rendered,
// kept per commit for the pass, with gateway renders shared across commits by input hash.
import type { CommitStore } from '../source/index.ts';
import { loadFleet, type LoadResult } from '../model/load.ts';
import type { FleetModel } from '../model/fleet-model.ts';
import { formatProblem, type Problem } from '../model/problems.ts';
import { RenderCache, renderFleet, type RenderedGateway } from '../render/index.ts';

export type FleetAtCommit =
  | { readonly ok: true; readonly commit: string; readonly model: FleetModel; readonly rendered: ReadonlyMap<string, RenderedGateway> }
  | { readonly ok: false; readonly commit: string; readonly problems: readonly string[] };

export class FleetRevisions {
  private readonly byCommit = new Map<string, Promise<FleetAtCommit>>();
  /** One render cache per commit would defeat it: gateways unchanged between commits are rendered once. */
  private readonly renders = new Map<string, RenderCache>();

  constructor(private readonly store: CommitStore) {}

  /** The fleet at `commit`, rendered as of `now`. Renders depend on `now` only through expiry. */
  at(commit: string, now: string): Promise<FleetAtCommit> {
    const key = `${commit}@${now}`;
    let entry = this.byCommit.get(key);
    if (!entry) {
      entry = this.load(commit, now);
      this.byCommit.set(key, entry);
    }
    return entry;
  }

  /** Forgets every commit: call at the start of a pass so memory stays bounded by one pass. */
  startPass(): void {
    this.byCommit.clear();
  }

  private async load(commit: string, now: string): Promise<FleetAtCommit> {
    let result: LoadResult;
    try {
      result = await loadFleet({ reader: this.store.readerAt(commit) });
    } catch (error) {
      return { ok: false, commit, problems: [`${this.store.origin}@${commit.slice(0, 12)}: ${error instanceof Error ? error.message : String(error)}`] };
    }
    if (!result.ok) return { ok: false, commit, problems: result.problems.map((p: Problem) => formatProblem(p)) };
    try {
      const rendered = new Map<string, RenderedGateway>();
      for (const gateway of result.model.gateways.keys()) {
        let cache = this.renders.get(gateway);
        if (!cache) this.renders.set(gateway, (cache = new RenderCache()));
        const [one] = renderFleet({ model: result.model, now, cache, gateways: [gateway] }).gateways;
        rendered.set(gateway, one!);
      }
      for (const gateway of this.renders.keys()) if (!result.model.gateways.has(gateway)) this.renders.delete(gateway);
      return { ok: true, commit, model: result.model, rendered };
    } catch (error) {
      return { ok: false, commit, problems: [`render: ${error instanceof Error ? error.message : String(error)}`] };
    }
  }
}
