/**
 * The passes of a background worker (the outbox, bulk invitation jobs): one
 * at a time; a wake during a pass runs one more after it, so that work that
 * came meanwhile is not left for the next poll. A failed pass is reported
 * and the next wake tries again.
 */
export class WorkerPasses {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onFailure: (error: Error) => void,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Starts a pass; false when one is under way (another then follows it). */
  wake(): boolean {
    if (this.stopped) return false;
    if (this.running) {
      this.again = true;
      return false;
    }
    this.running = this.pass()
      .catch(this.onFailure)
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.wake();
        }
      });
    return true;
  }

  /** No more passes; resolves when the one under way is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}
