/** A token bucket: `burst` at once, then `perSecond`; time from `now` (milliseconds). */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.at = now();
  }

  /** Takes `amount` tokens (one by default) if there are that many. */
  take(amount = 1): boolean {
    this.refill();
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }

  /** Whether the bucket is full (nothing taken that has not come back): it can be forgotten. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }

  /** Takes a token whether there is one or not: one taken early is owed, and paid by the next refill. */
  spend(): void {
    this.refill();
    this.tokens -= 1;
  }

  /** Milliseconds until `amount` tokens (one by default) are there (0: now). */
  waitMs(amount = 1): number {
    this.refill();
    return this.tokens >= amount ? 0 : Math.ceil(((amount - this.tokens) / this.perSecond) * 1000);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
  }
}
