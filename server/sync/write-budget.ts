/**
 * What one client address may write to the pads' logs: `bytesPerHour` an hour, of which an eighth (at least 4 MiB, two
 * of the largest imports) at once, over every write path (its sockets' updates, its imports) and every pad of this
 * process. Curators' writes are not counted (admission.ts): their keys can be revoked, and a PTL repairing a pad from
 * an address an attacker shares (a conference's NAT, an IPv6 /64) must not be refused for the attacker's writes.
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

/** What is allowed at once, when the hour's budget is larger. */
export const MIN_WRITE_BURST_BYTES = 4 * 1024 * 1024;

/** How much of `bytesPerHour` may be written at once. */
export const writeBurst = (bytesPerHour: number): number => Math.min(bytesPerHour, Math.max(bytesPerHour / 8, MIN_WRITE_BURST_BYTES));

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
      // (the whole hour at once let one address write 64 MiB of log in seconds, once an hour)
      if (!b) this.buckets.set(address, (b = new TokenBucket(writeBurst(perHour), perHour / 3600, this.now)));
      return b;
    };
    return {
      perHour,
      take: (bytes) => bucket().take(bytes),
      waitMs: (bytes) => bucket().waitMs(Math.min(bytes, writeBurst(perHour))),
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
