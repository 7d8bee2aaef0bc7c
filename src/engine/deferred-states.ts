// The rollout states that move only a revision (revisionOnlyMoves), written between passes.
import type { ClusterClient } from '../apply/index.ts';
import { unrecordedBy } from './rollout-step.ts';

/**
 * A push that changes one gateway moves every other gateway's recorded revision, and none of
 * those records guards an apply: the pass that applied the change hands them here and ends,
 * and they are written while no pass runs, a few at once. A pass that starts waits only for
 * the writes under way (settle) and drops the rest: it plans from the states as recorded, finds
 * the same records still to write, and hands them back at its end. A write that fails, or a
 * reconciler stopped in between, loses nothing: the next pass finds the record unwritten.
 */
export class DeferredStates {
  private pending: (readonly [string, string])[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly client: Pick<ClusterClient, 'writeRolloutState'>,
    private readonly log: (line: string) => void,
    private readonly concurrency = 16,
  ) {}

  /** These records (gateway, state text) instead of any still waiting; written from now on. */
  write(entries: readonly (readonly [string, string])[]): void {
    this.pending = [...entries];
    if (this.pending.length > 0) this.draining ??= this.drain();
  }

  /** Drops the records not yet sent and resolves once those under way are answered. */
  async settle(): Promise<void> {
    this.pending = [];
    await this.draining;
  }

  /** Resolves once every record handed over is written, or failed. */
  async finish(): Promise<void> {
    await this.draining;
  }

  /** How many records wait to be sent. */
  get waiting(): number {
    return this.pending.length;
  }

  private async drain(): Promise<void> {
    let failures = 0;
    let first: string | undefined;
    // `concurrency` writers, each taking the next record until none is left.
    const writer = async (): Promise<void> => {
      for (let entry = this.pending.shift(); entry; entry = this.pending.shift()) {
        const [gateway, text] = entry;
        try {
          await this.client.writeRolloutState(gateway, text);
        } catch (error) {
          const { message, unanswered } = unrecordedBy(error);
          failures++;
          first ??= `${gateway}: ${message}`;
          // No answer from the API server: the rest would each wait their own timeout.
          if (unanswered) this.pending = [];
        }
      }
    };
    try {
      // Records handed over while the last writers finished are written too.
      while (this.pending.length > 0) await Promise.all(Array.from({ length: this.concurrency }, writer));
    } finally {
      this.draining = undefined;
    }
    if (failures > 0) this.log(`rollout states: ${failures} revision-only record(s) not written, the next pass writes them (first: ${first})`);
  }
}
