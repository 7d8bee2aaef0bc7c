// Renders many gateways at once on worker threads: a cold render (the first load of a large
// fleet, or a change to what every gateway reads) costs about a millisecond of cdk8s synthesis
// per gateway on one core. Copying a gateway's inputs to a thread and its objects back costs
// far less than rendering them, so past a few thousand gateways the threads pay; below that
// the threads' start (loading cdk8s) would cost more than they save, and renders stay on the
// caller's thread. The threads end when idle: a reconciler between cold renders runs none.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { renderJob, type RenderJob, type RenderOutcome } from './render-task.ts';

const TASK_FILE = fileURLToPath(new URL('./render-task.ts', import.meta.url));

export interface RenderPoolOptions {
  /** Render threads. @default os.availableParallelism() */
  readonly threads?: number;
  /** Fewer renders than this stay on the caller's thread. @default 2000 */
  readonly minJobs?: number;
  /** Each thread's JS heap (V8 old generation), in MiB. @default 512 */
  readonly maxMemoryMb?: number;
  /** A thread with no work ends after this. @default 10000 */
  readonly idleTimeoutMs?: number;
  /**
   * What each thread imports first to read TypeScript: tsx's URL. Given by a caller that
   * runs where `import.meta.resolve` does not (a worker thread's CommonJS view of this module).
   * @default import.meta.resolve('tsx')
   */
  readonly tsx?: string;
}

/** Gateways sent to a thread at once: enough to keep each copy's overhead small, few enough to spread the work evenly. */
const BATCH = 250;

export class RenderPool {
  readonly threads: number;
  readonly minJobs: number;
  private pool: Piscina | undefined;
  private sent = 0;

  /** How many renders went to the threads since this pool was made. */
  get offloaded(): number {
    return this.sent;
  }

  constructor(private readonly options: RenderPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? os.availableParallelism());
    this.minJobs = options.minJobs ?? 2000;
  }

  /** Each job's outcome, in the order given: on the threads when there are enough of them, else here. */
  async render(jobs: readonly RenderJob[]): Promise<RenderOutcome[]> {
    if (jobs.length < this.minJobs || this.threads < 2) return jobs.map(renderJob);
    const pool = (this.pool ??= new Piscina({
      filename: TASK_FILE,
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: this.options.idleTimeoutMs ?? 10_000,
      // Resolved here, not by the thread from the process's working directory, which may be anywhere.
      execArgv: ['--import', this.options.tsx ?? import.meta.resolve('tsx')],
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxMemoryMb ?? 512 },
    }));
    const batches: RenderJob[][] = [];
    for (let i = 0; i < jobs.length; i += BATCH) batches.push(jobs.slice(i, i + BATCH));
    this.sent += jobs.length;
    const answers = (await Promise.all(batches.map((batch) => pool.run(batch)))) as RenderOutcome[][];
    return answers.flat();
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}
