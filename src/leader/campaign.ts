/**
 * What campaigns for Leases until it is stopped (a leader election, a shard election): run()
 * starts its loop once, stop() tells the loop to end and waits until it has (its Leases given
 * up as the loop decides).
 */
export abstract class Campaign {
  /** Aborted by stop(): the loop ends, and every wait and request bound by it returns. */
  protected readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  /** Campaigns until stop(); resolves once stopped. */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  protected abstract loop(): Promise<void>;
}
