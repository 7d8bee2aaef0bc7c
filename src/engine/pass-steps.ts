// The steps of a pass share one signature: a step reads what the steps before it handed on
// and says how the pass goes on — continue with what it adds, requeue (continue, and look
// again after some seconds rather than at the next poll), or stop with a result and a
// reason. The order is written once, as a typed chain: a step that reads something no
// earlier step adds does not compile.
import type { PassResult } from '../report/index.ts';
import type { PassStep, PassTimings } from './pass-timings.ts';

export type StepOutcome<Added extends object> =
  | { readonly kind: 'continue'; readonly added: Added }
  | { readonly kind: 'requeue'; readonly added: Added; readonly afterSeconds: number }
  | { readonly kind: 'stop'; readonly result: PassResult; readonly reason: string };

/** One step: what the pass holds so far in, how it goes on out. */
export type Step<Holds extends object, Added extends object> = (pass: Holds) => Promise<StepOutcome<Added>>;

export const proceed = <Added extends object>(added: Added): StepOutcome<Added> => ({ kind: 'continue', added });
export const requeueAfter = <Added extends object>(afterSeconds: number, added: Added): StepOutcome<Added> => ({ kind: 'requeue', added, afterSeconds });
export const stopPass = (result: PassResult, reason: string): StepOutcome<never> => ({ kind: 'stop', result, reason });

/** How a pass through the steps ended: every step ran, or one stopped it with what the earlier ones added. */
export type StepsEnd<Holds extends object> =
  | { readonly kind: 'done'; readonly pass: Holds; readonly requeueAfterSeconds?: number }
  | { readonly kind: 'stopped'; readonly pass: Partial<Holds>; readonly result: PassResult; readonly reason: string };

interface Entry {
  readonly name: string;
  readonly timedAs: PassStep;
  readonly run: Step<object, object>;
}

export class PassSteps<Start extends object, Holds extends object = Start> {
  private constructor(private readonly entries: readonly Entry[]) {}

  static start<Start extends object>(): PassSteps<Start> {
    return new PassSteps<Start>([]);
  }

  /** The next step; its time counts to `timedAs` (several steps may share one, as observing does). */
  then<Added extends object>(name: string, timedAs: PassStep, run: Step<Holds, Added>): PassSteps<Start, Holds & Added> {
    return new PassSteps<Start, Holds & Added>([...this.entries, { name, timedAs, run: run as unknown as Step<object, object> }]);
  }

  get names(): readonly string[] {
    return this.entries.map((e) => e.name);
  }

  /**
   * Runs the steps in order. `stopBefore` is asked before each step: a reason there stops
   * the pass before the step starts (leadership lost). A step that throws ends the run with
   * that error; the engine reports it as a failed pass.
   */
  async run(start: Start, { timings, stopBefore }: { readonly timings: PassTimings; readonly stopBefore?: () => string | undefined }): Promise<StepsEnd<Holds>> {
    let pass: object = start;
    let requeue: number | undefined;
    for (const entry of this.entries) {
      const refused = stopBefore?.();
      if (refused !== undefined) return { kind: 'stopped', pass: pass as Partial<Holds>, result: 'failed', reason: refused };
      const outcome = await timings.time(entry.timedAs, () => entry.run(pass));
      if (outcome.kind === 'stop') return { kind: 'stopped', pass: pass as Partial<Holds>, result: outcome.result, reason: outcome.reason };
      pass = { ...pass, ...outcome.added };
      if (outcome.kind === 'requeue') requeue = Math.min(requeue ?? Infinity, outcome.afterSeconds);
    }
    return { kind: 'done', pass: pass as Holds, ...(requeue !== undefined ? { requeueAfterSeconds: requeue } : {}) };
  }
}
