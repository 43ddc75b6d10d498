/** Counts failures per client (e.g. failed sign-ins) in a sliding window; past the limit, the client waits. */
export interface FailureLimiterOptions {
  maxFailures: number;
  windowMs: number;
  /** Clients tracked at most; the oldest are forgotten first. */
  maxClients?: number;
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: FailureLimiterOptions) {}

  private recent(client: string, now: number): number[] {
    const since = now - this.options.windowMs;
    const times = (this.failures.get(client) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(client);
    else this.failures.set(client, times);
    return times;
  }

  /** Milliseconds the client must still wait, or 0. */
  blockedFor(client: string, now = Date.now()): number {
    const times = this.recent(client, now);
    if (times.length < this.options.maxFailures) return 0;
    return times[times.length - this.options.maxFailures]! + this.options.windowMs - now;
  }

  fail(client: string, now = Date.now()): void {
    const times = this.recent(client, now);
    times.push(now);
    this.failures.delete(client);
    this.failures.set(client, times);
    const max = this.options.maxClients ?? 10_000;
    if (this.failures.size > max) this.failures.delete(this.failures.keys().next().value!);
  }
}
