// What the load worker runs (see load-worker.ts): the fleet at one commit of a gitdir,
// read from the object store and rendered, returned as plain data. It keeps, for as long as
// the worker lives, the gitdir's object caches and the renders of every gateway, so a pass
// over unchanged commits reads and renders nothing twice; and it sends back only the
// renders the reconciler does not hold yet (copying a render between threads costs about as
// much as taking it from the cache). A cold render of many gateways is spread over render
// threads of its own (RenderPool). It keeps each file's own checks too (ParsedFiles), so the
// next commit of a branch parses only the files it changed; those no load of the last pass
// read are dropped when a pass begins.
import { RenderPool, type RenderedGateway } from '../render/index.ts';
import { openCommitStore, type CommitStore } from '../source/commit-store.ts';
import { ParsedFiles } from '../model/load.ts';
import { fleetAtCommit, GatewayRenders, type FleetAtCommit } from './fleet-at.ts';

export type LoadTask =
  /** Answers once the worker has loaded its modules: the deadline of a load starts after it. */
  | { readonly kind: 'ready' }
  | {
    readonly kind: 'load'; readonly gitdir: string; readonly origin: string; readonly commit: string; readonly now: string;
    /** The renders the reconciler holds, by renderId: answered by reference. */
    readonly known: readonly string[];
    /** The reconciler's pass: files no load of the pass before read are forgotten when it changes. */
    readonly pass: number;
    /** Render threads for a cold render of many gateways, and each one's heap bound (see RenderPool). */
    readonly render: { readonly threads: number; readonly maxMemoryMb: number; readonly tsx: string };
  };

/** A render the reconciler already holds, named instead of copied. */
export interface KnownRender {
  readonly known: string;
}

export type LoadAnswer =
  | Extract<FleetAtCommit, { ok: false }>
  | (Omit<Extract<FleetAtCommit, { ok: true }>, 'rendered'> & { readonly rendered: ReadonlyMap<string, RenderedGateway | KnownRender> });

/** A render's identity: equal input hashes of one gateway are equal renders. */
export function renderId(render: Pick<RenderedGateway, 'gateway' | 'inputHash'>): string {
  return `${render.gateway}@${render.inputHash}`;
}

interface OpenedRepo {
  readonly store: CommitStore;
  readonly renders: GatewayRenders;
  readonly parsed: ParsedFiles;
  pass: number;
}

const opened = new Map<string, OpenedRepo>();
/** This worker's render threads, made on the first load that asks for them; they end when idle. */
let pool: RenderPool | undefined;

export default async function runLoadTask(task: LoadTask): Promise<LoadAnswer | 'ready'> {
  if (task.kind === 'ready') return 'ready';
  let repo = opened.get(task.gitdir);
  if (!repo) {
    repo = { store: openCommitStore({ gitdir: task.gitdir, origin: task.origin }), renders: new GatewayRenders(), parsed: new ParsedFiles(), pass: task.pass };
    opened.set(task.gitdir, repo);
  }
  if (task.pass !== repo.pass) {
    repo.parsed.nextGeneration();
    repo.pass = task.pass;
  }
  pool ??= new RenderPool(task.render);
  const fleet = await fleetAtCommit({ reader: repo.store.readerAt(task.commit), commit: task.commit, now: task.now, renders: repo.renders, parsed: repo.parsed, pool });
  if (!fleet.ok) return fleet;
  const known = new Set(task.known);
  const rendered = new Map<string, RenderedGateway | KnownRender>();
  for (const [gateway, render] of fleet.rendered) {
    const id = renderId(render);
    rendered.set(gateway, known.has(id) ? { known: id } : render);
  }
  return { ...fleet, rendered };
}
