// How long each step of a pass took: in the pass summary, its log line and the
// essg_pass_step_seconds histogram, so a slow pass says where its time went.

/** The steps of a pass, in the order they run. */
export const PASS_STEPS = ['fetch', 'observe', 'load', 'gate', 'rollout', 'plan', 'apply', 'report'] as const;
export type PassStep = (typeof PASS_STEPS)[number];

/** Milliseconds spent in each step; a step that ran several times (observe) adds up. */
export type StepTimings = Readonly<Record<PassStep, number>>;

export class PassTimings {
  private readonly spent: Record<PassStep, number> = Object.fromEntries(PASS_STEPS.map((s) => [s, 0])) as Record<PassStep, number>;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Runs `work`, counting its time to `step` whether it returns or throws. */
  async time<T>(step: PassStep, work: () => Promise<T>): Promise<T> {
    const started = this.clock();
    try {
      return await work();
    } finally {
      this.spent[step] += this.clock() - started;
    }
  }

  get timings(): StepTimings {
    return { ...this.spent };
  }
}

/** `fetch 0.1 s, observe 2.3 s, …`: every step, in order, to the tenth of a second. */
export function describeTimings(timings: StepTimings): string {
  return PASS_STEPS.map((step) => `${step} ${(timings[step] / 1000).toFixed(1)} s`).join(', ');
}
