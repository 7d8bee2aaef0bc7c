// The fleet at a commit: loaded and rendered. This is the one composition of the loader and
// the renderer: the reconciler's passes (inside the load worker, see load-worker.ts),
// `essg plan` (both sides of a pull request) and `essg plan --cluster` all call `fleetAt`.
// A gateway that cannot be rendered is a value in `failures`, naming its file, never a throw.
import { nextExpiry } from '../model/expiry.ts';
import type { FleetFileReader } from '../model/file-reader.ts';
import type { FleetModel } from '../model/fleet-model.ts';
import { loadFleet, type ParsedFiles } from '../model/load.ts';
import { type CommitProblem, type Problem } from '../model/problems.ts';
import type { GatewayModel } from '../model/fleet-model.ts';
import { failedRender, gatewayInputs, operatorKey, RenderCache, renderJob, renderKey, renderTime, type RenderedGateway, type RenderJob, type RenderOutcome, type RenderPool } from '../render/index.ts';

/** A gateway whose render failed: at its gateway file, with the render error's code. */
export interface RenderFailure {
  readonly gateway: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The render error's stable code (`RENDER_…`); RENDER_FAILED for an error without one. */
  readonly code: string;
  readonly message: string;
}

export interface RenderedGateways {
  /** By gateway name, every gateway that rendered. */
  readonly rendered: ReadonlyMap<string, RenderedGateway>;
  /** By gateway name, every gateway that did not. */
  readonly failures: ReadonlyMap<string, RenderFailure>;
}

export type FleetAt =
  | ({ readonly ok: true; readonly model: FleetModel } & RenderedGateways)
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Renders kept between commits: one cache per gateway, so a gateway unchanged from one commit
 * to the next is rendered once (one cache for the whole fleet would hold only the last commit).
 */
export class GatewayRenders {
  private readonly byGateway = new Map<string, RenderCache>();

  cacheFor(gateway: string): RenderCache {
    let cache = this.byGateway.get(gateway);
    if (!cache) this.byGateway.set(gateway, (cache = new RenderCache()));
    return cache;
  }

  /** Forgets the gateways a fleet no longer declares. */
  retain(model: FleetModel): void {
    for (const gateway of this.byGateway.keys()) if (!model.gateways.has(gateway)) this.byGateway.delete(gateway);
  }
}

/** Each gateway rendered on its own as of `now`, so one failure names its own file and spares the rest. */
export function renderGateways({ model, now, renders }: { readonly model: FleetModel; readonly now: string; readonly renders?: GatewayRenders }): RenderedGateways {
  const gathered = gatherRenders({ model, now, ...(renders ? { renders } : {}) });
  return gathered.finish(gathered.jobs.map(renderJob));
}

/** renderGateways with the gateways not in `renders` synthesized on `pool`'s threads when there are enough of them. */
export async function renderGatewaysOn({ model, now, renders, pool }: { readonly model: FleetModel; readonly now: string; readonly renders?: GatewayRenders; readonly pool: RenderPool }): Promise<RenderedGateways> {
  const gathered = gatherRenders({ model, now, ...(renders ? { renders } : {}) });
  return gathered.finish(await pool.render(gathered.jobs));
}

/**
 * Each gateway's render from `renders` where its key is there, its inputs gathered where not:
 * `finish` takes the outcomes of those jobs, in order, and keeps the new renders.
 */
function gatherRenders({ model, now, renders }: { readonly model: FleetModel; readonly now: string; readonly renders?: GatewayRenders }): {
  readonly jobs: readonly RenderJob[];
  finish(outcomes: readonly RenderOutcome[]): RenderedGateways;
} {
  const rendered = new Map<string, RenderedGateway>();
  const failures = new Map<string, RenderFailure>();
  const fail = (gateway: GatewayModel, code: string, message: string) => failures.set(gateway.name, { gateway: gateway.name, file: gateway.source.path, line: 1, col: 1, code, message });
  const jobs: RenderJob[] = [];
  const jobGateways: GatewayModel[] = [];
  for (const gateway of model.gateways.values()) {
    try {
      const time = renderTime(now);
      const key = renderKey({ model, gateway, now: time });
      const cached = renders?.cacheFor(gateway.name).get(gateway.name, key);
      if (cached) {
        rendered.set(gateway.name, cached);
        continue;
      }
      jobs.push({ inputs: gatewayInputs({ model, gateway, now: time }), key, operatorKey: operatorKey({ model, gateway, now: time }) });
      jobGateways.push(gateway);
    } catch (error) {
      const outcome = failedRender(error);
      fail(gateway, outcome.code, outcome.message);
    }
  }
  return {
    jobs,
    finish: (outcomes) => {
      outcomes.forEach((outcome, i) => {
        const gateway = jobGateways[i]!;
        if (!outcome.ok) return fail(gateway, outcome.code, outcome.message);
        renders?.cacheFor(gateway.name).set(jobs[i]!.key, outcome.rendered);
        rendered.set(gateway.name, outcome.rendered);
      });
      renders?.retain(model);
      // In the model's order, as a render on one thread gives them.
      return { rendered: new Map([...model.gateways.keys()].filter((name) => rendered.has(name)).map((name) => [name, rendered.get(name)!])), failures };
    },
  };
}

/**
 * The fleet a reader holds, loaded and rendered as of `now` (RFC 3339; renders depend on it
 * only through expiry).
 * @throws FleetReadError when the reader cannot list the repo at all
 */
export async function fleetAt({ reader, now, renders, parsed, pool }: {
  readonly reader: FleetFileReader; readonly now: string; readonly renders?: GatewayRenders;
  /** Files checked by earlier loads (see ParsedFiles). */
  readonly parsed?: ParsedFiles;
  /** Render threads for a cold render of many gateways (see RenderPool); without it every render is on this thread. */
  readonly pool?: RenderPool;
}): Promise<FleetAt> {
  const loaded = await loadFleet({ reader, ...(parsed ? { parsed } : {}) });
  if (!loaded.ok) return loaded;
  const args = { model: loaded.model, now, ...(renders ? { renders } : {}) };
  return { ok: true, model: loaded.model, ...(pool ? await renderGatewaysOn({ ...args, pool }) : renderGateways(args)) };
}

/**
 * How the reconciler sees a commit: good (every gateway loaded and rendered) or bad, with
 * each problem structured (file, line, col, code), or a `LOAD_…` problem when the load itself
 * failed or went past its bounds. A bad commit is never applied, not even in part.
 */
export type FleetAtCommit =
  | { readonly ok: true; readonly commit: string; readonly model: FleetModel; readonly rendered: ReadonlyMap<string, RenderedGateway> }
  | { readonly ok: false; readonly commit: string; readonly problems: readonly CommitProblem[] };

/** `FILE:LINE:COL: CODE: message`, as the loader's problems read. */
export function formatRenderFailure(failure: RenderFailure): string {
  return `${failure.file}:${failure.line}:${failure.col}: ${failure.code}: ${failure.message}`;
}

/** `fleetAt` for one commit, as the reconciler takes it: never throws. */
export async function fleetAtCommit({ reader, commit, now, renders, parsed, pool }: {
  readonly reader: FleetFileReader; readonly commit: string; readonly now: string; readonly renders?: GatewayRenders; readonly parsed?: ParsedFiles; readonly pool?: RenderPool;
}): Promise<FleetAtCommit> {
  let fleet: FleetAt;
  try {
    fleet = await fleetAt({ reader, now, ...(renders ? { renders } : {}), ...(parsed ? { parsed } : {}), ...(pool ? { pool } : {}) });
  } catch (error) {
    return { ok: false, commit, problems: [{ code: 'LOAD_FAILED', message: `${reader.origin}: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  if (!fleet.ok) return { ok: false, commit, problems: fleet.problems.map(({ file, line, col, code, message, hint }) => ({ file, line, col, code, message, ...(hint ? { hint } : {}) })) };
  if (fleet.failures.size > 0) return { ok: false, commit, problems: [...fleet.failures.values()].map(({ gateway, file, line, col, code, message }) => ({ gateway, file, line, col, code, message })) };
  return { ok: true, commit, model: fleet.model, rendered: fleet.rendered };
}

/** Loads the fleet at a commit for the reconciler: in this thread, or in a bounded worker (load-worker.ts). */
export interface FleetLoader {
  load(args: { readonly commit: string; readonly now: string }): Promise<FleetAtCommit>;
  /**
   * A pass begins: what the loader keeps for the passes may be trimmed to what the last one
   * used, besides what `kept` (the loads carried into this pass) still holds.
   */
  startPass?(kept: readonly Extract<FleetAtCommit, { ok: true }>[]): void;
  /** Stops whatever the loader keeps running. */
  close(): Promise<void>;
}

/** Loads in this thread, with no deadline or memory bound: for tools and tests, not for `essg reconcile`. */
export function inThreadLoader(store: { readerAt(commit: string): FleetFileReader }): FleetLoader {
  const renders = new GatewayRenders();
  return {
    load: ({ commit, now }) => fleetAtCommit({ reader: store.readerAt(commit), commit, now, renders }),
    close: async () => {},
  };
}

/**
 * The fleet at each commit a pass needs, loaded once per pass. What the pass before loaded is
 * kept for the next: a good commit loaded as of an earlier time is the same as of a later one
 * until something in it expires (renders depend on time only through expiry), so a pass at an
 * unchanged head loads nothing.
 */
export class FleetRevisions {
  private byCommit = new Map<string, Promise<FleetAtCommit>>();
  /** The pass before's good loads, by commit: reused while nothing in them has expired since. */
  private carried = new Map<string, CarriedLoad>();
  private readonly thisPass = new Map<string, CarriedLoad>();
  private readonly loadedThisPass = new Set<string>();

  constructor(private readonly loader: FleetLoader) {}

  /** The fleet at `commit`, rendered as of `now`. */
  at(commit: string, now: string): Promise<FleetAtCommit> {
    const key = `${commit}@${now}`;
    let entry = this.byCommit.get(key);
    if (entry) return entry;
    const time = Date.parse(now);
    const carried = this.carried.get(commit);
    if (carried && time >= carried.loadedAt && time < carried.validUntil) {
      entry = Promise.resolve(carried.fleet);
      this.thisPass.set(commit, carried);
    } else {
      entry = this.loader.load({ commit, now });
      this.loadedThisPass.add(commit);
      void entry.then((fleet) => {
        if (fleet.ok && !Number.isNaN(time)) this.thisPass.set(commit, { fleet, loadedAt: time, validUntil: nextExpiry(fleet.model, time) });
      });
    }
    this.byCommit.set(key, entry);
    return entry;
  }

  /** How many commits this pass loaded: each once, however many gateways walked through it. */
  get commitsLoaded(): number {
    return this.loadedThisPass.size;
  }

  /** A pass begins: what the pass before used is kept for this one, the rest forgotten, so memory stays bounded by one pass. */
  startPass(): void {
    this.carried = new Map(this.thisPass);
    this.thisPass.clear();
    this.byCommit = new Map();
    this.loadedThisPass.clear();
    this.loader.startPass?.([...this.carried.values()].map((c) => c.fleet));
  }
}

interface CarriedLoad {
  readonly fleet: Extract<FleetAtCommit, { ok: true }>;
  /** The time it was rendered as of (epoch ms). */
  readonly loadedAt: number;
  /** The first instant it may render otherwise: the next expiry in it. */
  readonly validUntil: number;
}
