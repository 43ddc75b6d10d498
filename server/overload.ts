/**
 * Is the server saturated? The event loop's lag, sampled by a timer: when the loop answers late, every socket, every
 * pad and `/healthz` wait. While saturated the server sheds what it can refuse cheaply (new sync connections, with
 * a clear reason and a Retry-After), so the load it already carries can drain, instead of spiralling.
 */
export interface OverloadOptions {
  /** Lag at or above this is saturation. */
  maxLagMs: number;
  /** How often the loop is sampled. */
  sampleMs?: number;
  /** Saturation lasts at least this long after the last late sample. */
  holdMs?: number;
}

export class OverloadMonitor {
  private expected = 0;
  private saturatedUntil = 0;
  private lastLag = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly sampleMs: number;
  private readonly holdMs: number;

  constructor(private readonly options: OverloadOptions) {
    this.sampleMs = options.sampleMs ?? 100;
    this.holdMs = options.holdMs ?? 2000;
    this.expected = performance.now() + this.sampleMs;
    this.timer = setInterval(this.sample, this.sampleMs);
    this.timer.unref();
  }

  private sample = (): void => {
    const now = performance.now();
    this.lastLag = Math.max(0, now - this.expected);
    this.expected = now + this.sampleMs;
    if (this.lastLag >= this.options.maxLagMs) this.saturatedUntil = now + this.holdMs;
  };

  /** True while the loop has been late recently. */
  get saturated(): boolean {
    return performance.now() < this.saturatedUntil;
  }

  /** The event-loop lag of the last sample, in milliseconds. */
  get lagMs(): number {
    return this.lastLag;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
