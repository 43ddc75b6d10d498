/**
 * What one client address may write to the pads' logs: `bytesPerHour` at once, then at that rate, over every write
 * path (its sockets' updates, its imports, its restores) and every pad of this process.
 *
 * Why: the size limit bounds a document, not its log. The log keeps every accepted update (it is the history), so
 * text inserted and deleted again leaves the document small and the log larger each time: an outside attack wrote
 * 68 MB of log in 11 s to a pad whose export was 1 KB, through connections that each kept to their own byte rate.
 * Counted per address (an IPv6 client as its /64, as every per-address limit here), not per connection.
 */
import { TokenBucket } from './token-bucket.js';

/** One address's budget, as admission sees it. */
export interface WriteBudget {
  /** Takes `bytes` from the budget if they are there; false (and nothing taken) if not. */
  take(bytes: number): boolean;
  /** Milliseconds until `bytes` would be there. */
  waitMs(bytes: number): number;
  /** The budget per hour (for the refusal's words). */
  readonly perHour: number;
}

/** How often budgets that are full again are forgotten. */
const SWEEP_MS = 60_000;

export class WriteBudgets {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    /** 0: no budget (every write admitted as far as this limit goes). */
    private readonly bytesPerHour: number,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  /** The budget of the client counted under `address` (client-address.ts), or undefined when there is no limit. */
  for(address: string): WriteBudget | undefined {
    if (this.bytesPerHour === 0) return undefined;
    const perHour = this.bytesPerHour;
    const bucket = () => {
      let b = this.buckets.get(address);
      if (!b) this.buckets.set(address, (b = new TokenBucket(perHour, perHour / 3600, this.now)));
      return b;
    };
    return {
      perHour,
      take: (bytes) => bucket().take(bytes),
      waitMs: (bytes) => bucket().waitMs(Math.min(bytes, perHour)),
    };
  }

  /** Addresses whose budget is full again are forgotten (a fresh one is the same). */
  sweep(): void {
    for (const [address, bucket] of this.buckets) if (bucket.full) this.buckets.delete(address);
  }

  /** Addresses with a budget in use (for tests and metrics). */
  get tracked(): number {
    return this.buckets.size;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
