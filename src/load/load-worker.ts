// Bounded loading: the reconciler loads and renders each commit in a worker thread (a
// piscina pool of one), never on the event loop that answers /healthz, the webhook and the
// Lease. Each load has a deadline and the worker a heap bound; a load past either is a bad
// commit naming the bound, the worker is terminated and a fresh one takes its place, so one
// pushed commit can cost the fleet one bounded wait, never the reconciler. A cold render of
// many gateways is spread over render threads the worker starts (RenderPool, `--render-threads`),
// each under the same heap bound and ended with the worker.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { RenderedGateway } from '../render/index.ts';
import type { FleetAtCommit, FleetLoader } from './fleet-at.ts';
import { renderId, type LoadAnswer, type LoadTask } from './load-task.ts';
import { SharedModels } from './shared-models.ts';

export interface LoadBounds {
  /** A commit not loaded and rendered within this is bad (`--load-timeout`). @default 120000 */
  readonly timeoutMs: number;
  /** The worker's JS heap (V8 old generation); a load that needs more is bad (`--load-max-memory`). @default 512 */
  readonly maxMemoryMb: number;
}

/**
 * A cold render of 10,000 gateways takes about 20 s on two cores (BENCHMARKS.md), and the
 * reconciler's container is limited to 1 GiB: the defaults leave room for both.
 */
export const DEFAULT_LOAD_BOUNDS: LoadBounds = { timeoutMs: 120_000, maxMemoryMb: 512 };

/** Starting a worker loads the loader and renderer (tsx, cdk8s): bounded too, but not by the commit's deadline. */
const WORKER_START_MS = 60_000;

const TASK_FILE = fileURLToPath(new URL('./load-task.ts', import.meta.url));
/** Resolved here, not by the worker from the process's working directory, which may be anywhere. */
const TSX = import.meta.resolve('tsx');

export interface WorkerLoaderOptions {
  readonly gitdir: string;
  /** The repository as errors name it (no credentials). */
  readonly origin: string;
  readonly bounds?: Partial<LoadBounds>;
  /** Threads a cold render of many gateways is spread over (`--render-threads`); 1 renders on the load worker alone. @default DEFAULT_RENDER_THREADS */
  readonly renderThreads?: number;
  readonly log?: (line: string) => void;
}

/** The machine's cores, up to 4: a reconciler's CPU share is seldom more. */
export const DEFAULT_RENDER_THREADS = Math.min(4, os.availableParallelism());

/** Why a load ended without a fleet, as the reconciler's status says it. */
export type LoadFailure = 'deadline' | 'memory' | 'worker';

const LOAD_CODES: Readonly<Record<LoadFailure, string>> = { deadline: 'LOAD_DEADLINE', memory: 'LOAD_MEMORY', worker: 'LOAD_WORKER' };

export class WorkerLoader implements FleetLoader {
  readonly bounds: LoadBounds;
  private readonly pool: Piscina;
  /** Loads run one at a time, so each deadline counts that load alone, not a queue. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly log: (line: string) => void;
  /** Renders received, by renderId; those no load used during a whole pass are dropped. */
  private readonly renders = new Map<string, RenderedGateway>();
  private used = new Set<string>();
  /** Gateways, customers and catalog entries equal from one commit to the next, held once. */
  private readonly models = new SharedModels();
  private warm = false;
  /** Counts passes, for the worker to forget what the pass before did not read. */
  private pass = 0;
  /** Loads ended by a bound, by reason: the worker was replaced each time. */
  readonly failures: Record<LoadFailure, number> = { deadline: 0, memory: 0, worker: 0 };

  constructor(private readonly options: WorkerLoaderOptions) {
    this.bounds = { ...DEFAULT_LOAD_BOUNDS, ...options.bounds };
    this.log = options.log ?? (() => {});
    this.pool = new Piscina({
      filename: TASK_FILE,
      minThreads: 1,
      maxThreads: 1,
      // The worker's caches (Git objects, renders of unchanged gateways) are what make a pass cheap: keep it.
      idleTimeout: Number.POSITIVE_INFINITY,
      execArgv: ['--import', TSX],
      resourceLimits: { maxOldGenerationSizeMb: this.bounds.maxMemoryMb },
    });
    // A worker that fails between loads is replaced by the pool; unheard, the pool's 'error' would end the process.
    this.pool.on('error', (error: unknown) => this.log(`load: the load worker failed between loads: ${messageOf(error)}`));
  }

  load({ commit, now }: { readonly commit: string; readonly now: string }): Promise<FleetAtCommit> {
    const run = this.queue.then(() => this.loadNow(commit, now));
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * Renders that neither a load of the last pass nor a load carried into this one uses are
   * dropped: a pass that reuses the fleet it carried loads nothing, and the renders of that
   * fleet are still named, not copied, when the next commit is loaded.
   */
  startPass(kept: readonly Extract<FleetAtCommit, { ok: true }>[] = []): void {
    for (const fleet of kept) for (const render of fleet.rendered.values()) this.used.add(renderId(render));
    for (const id of this.renders.keys()) if (!this.used.has(id)) this.renders.delete(id);
    this.used = new Set();
    this.models.startPass();
    this.pass++;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }

  private async loadNow(commit: string, now: string): Promise<FleetAtCommit> {
    // Only a worker that may be starting (the first, or one replaced after a failure) is waited for apart.
    if (!this.warm) {
      try {
        await this.pool.run({ kind: 'ready' } satisfies LoadTask, { signal: AbortSignal.timeout(Math.max(WORKER_START_MS, this.bounds.timeoutMs)) });
      } catch (error) {
        return this.failed(commit, 'worker', `the load worker did not start: ${messageOf(error)}`);
      }
      this.warm = true;
    }
    const task: LoadTask = { kind: 'load', gitdir: this.options.gitdir, origin: this.options.origin, commit, now, known: [...this.renders.keys()], pass: this.pass,
      render: { threads: this.options.renderThreads ?? DEFAULT_RENDER_THREADS, maxMemoryMb: this.bounds.maxMemoryMb, tsx: TSX } };
    let answer: LoadAnswer;
    try {
      answer = (await this.pool.run(task, { signal: AbortSignal.timeout(this.bounds.timeoutMs) })) as LoadAnswer;
    } catch (error) {
      if (isAbort(error)) {
        return this.failed(commit, 'deadline', `loading and rendering the fleet at ${commit.slice(0, 12)} took longer than ${this.bounds.timeoutMs} ms (--load-timeout); the load worker was stopped and replaced`);
      }
      if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        return this.failed(commit, 'memory', `loading and rendering the fleet at ${commit.slice(0, 12)} needed more than ${this.bounds.maxMemoryMb} MiB of heap (--load-max-memory); the load worker was stopped and replaced`);
      }
      return this.failed(commit, 'worker', `the load worker failed on ${commit.slice(0, 12)}: ${messageOf(error)}`);
    }
    return answer.ok ? this.resolved(answer) : answer;
  }

  /** The answer with every render it named by reference taken from those received before. */
  private resolved(answer: Extract<LoadAnswer, { ok: true }>): FleetAtCommit {
    const rendered = new Map<string, RenderedGateway>();
    for (const [gateway, render] of answer.rendered) {
      const full = 'known' in render ? this.renders.get(render.known) : render;
      if (!full) return this.failed(answer.commit, 'worker', `the load worker named a render of ${gateway} this reconciler does not hold`);
      const id = renderId(full);
      this.renders.set(id, full);
      this.used.add(id);
      rendered.set(gateway, full);
    }
    return { ...answer, model: this.models.share(answer.model), rendered };
  }

  private failed(commit: string, reason: LoadFailure, message: string): FleetAtCommit {
    this.warm = false;
    this.failures[reason]++;
    this.log(`load: ${message}`);
    return { ok: false, commit, problems: [{ code: LOAD_CODES[reason], message }] };
  }
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown }).name;
  return name === 'AbortError' || name === 'TimeoutError';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
