// The IO around planChanges: read two revisions of a fleet repo from Git (no checkout),
// load and render both as of one fixed time, and plan. Used by `essg plan`.
import { loadFleet } from '../model/load.ts';
import type { FleetModel } from '../model/fleet-model.ts';
import { RenderCache, RenderError, type RenderedGateway, renderFleet } from '../render/index.ts';
import type { CommitStore } from '../source/index.ts';
import { type FileTexts, isPublishedCatalogEdit } from './catalog-immutable.ts';
import { type PlanSide, planChanges } from './plan-changes.ts';
import type { ChangePlan, PlanProblem } from './types.ts';

export interface PlanBetweenArgs {
  readonly store: CommitStore;
  /** Revisions as `CommitStore.resolve` reads them (`origin/main`, `HEAD`, a sha). */
  readonly base: string;
  readonly head: string;
  /**
   * The plan time (RFC 3339): what expires by then is left out on both sides.
   * @default the head commit's committer time, so the same commits always give the same plan
   */
  readonly now?: string;
}

export interface PlanBetweenResult {
  readonly plan: ChangePlan;
  readonly baseSha: string;
  readonly headSha: string;
}

/** @throws GitSourceError when a revision cannot be read; FleetReadError when a tree cannot be listed. */
export async function planBetween({ store, base, head, now }: PlanBetweenArgs): Promise<PlanBetweenResult> {
  const [baseSha, headSha] = [await store.resolve(base), await store.resolve(head)];
  const time = now ?? new Date((await store.readCommit(headSha)).committerTime * 1000).toISOString();
  const changedPaths = await store.changedPaths({ from: baseSha, to: headSha });
  const cache = new RenderCache();
  const baseSide = await sideAt({ store, sha: baseSha, now: time, cache });
  const headSide = await sideAt({ store, sha: headSha, now: time, cache });
  const texts = new Map<string, { base: string; head: string }>();
  for (const change of changedPaths.filter(isPublishedCatalogEdit)) {
    texts.set(change.path, { base: await textAt(store, baseSha, change.path), head: await textAt(store, headSha, change.path) });
  }
  const plan = planChanges({
    base: 'problems' in baseSide ? undefined : baseSide,
    head: headSide,
    changedPaths,
    now: time,
    revisions: { base: baseSha, head: headSha },
    texts: texts as FileTexts,
  });
  return { plan, baseSha, headSha };
}

async function sideAt({ store, sha, now, cache }: { readonly store: CommitStore; readonly sha: string; readonly now: string; readonly cache: RenderCache }): Promise<PlanSide | { problems: readonly PlanProblem[] }> {
  const loaded = await loadFleet({ reader: store.readerAt(sha) });
  if (!loaded.ok) return { problems: loaded.problems };
  return renderSide({ model: loaded.model, now, cache });
}

/** Renders each gateway on its own, so a render failure names the gateway file at fault. */
export function renderSide({ model, now, cache }: { readonly model: FleetModel; readonly now: string; readonly cache?: RenderCache }): PlanSide | { problems: readonly PlanProblem[] } {
  const rendered: RenderedGateway[] = [];
  const problems: PlanProblem[] = [];
  for (const gateway of model.gateways.values()) {
    try {
      rendered.push(...renderFleet({ model, now, gateways: [gateway.name], ...(cache ? { cache } : {}) }).gateways);
    } catch (error) {
      if (!(error instanceof RenderError)) throw error;
      problems.push({ file: gateway.source.path, line: 1, col: 1, code: error.code, message: error.message });
    }
  }
  return problems.length > 0 ? { problems } : { model, rendered };
}

async function textAt(store: CommitStore, sha: string, path: string): Promise<string> {
  const bytes = await store.readerAt(sha).read(path, 4 * 1024 * 1024);
  return new TextDecoder().decode(bytes);
}
