/**
 * When a document's updates go out to its peers. Every flush sends what was queued since the last one, merged, to
 * each peer, so a peer gets one message per flush however many updates it carries. Flushes happen at the end of the
 * turn while they are few (a token bucket: {@link PACER_BURST} at once, then {@link PACER_PER_SECOND}); past that
 * rate, updates wait for the next flush and go out together.
 *
 * Why: a message costs a socket write per peer. With hundreds of authors on a pad and a flush per commit (or per
 * row from another process), the writes alone saturated a process; paced, the writes per peer are bounded while a
 * lightly used pad (a few edits a second) sends every update at once, as before.
 */
import { TokenBucket } from './token-bucket.js';

export const PACER_PER_SECOND = 30;
export const PACER_BURST = 5;

export class BroadcastPacer<T> {
  private queue: T[] = [];
  private pending: { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout } | null = null;
  private readonly flushes: TokenBucket;
  private closed = false;

  constructor(
    private readonly flush: (items: T[]) => void,
    perSecond = PACER_PER_SECOND,
    burst = PACER_BURST,
    now: () => number = () => performance.now(),
  ) {
    this.flushes = new TokenBucket(burst, perSecond, now);
  }

  /**
   * Queues `items` for the next flush: at the end of this turn, or when the rate allows. With `now`, the flush is
   * made at once if the rate allows (the caller is already at the end of its work: a commit just completed).
   */
  add(items: readonly T[], now = false): void {
    if (this.closed || items.length === 0) return;
    // one by one: a spread of a commit's batch (hundreds of thousands of updates can be) overflows the stack
    for (const item of items) this.queue.push(item);
    if (this.pending) return;
    const wait = this.flushes.waitMs();
    if (now && wait === 0) this.run();
    else if (wait === 0) this.pending = { immediate: setImmediate(this.run) };
    else this.pending = { timeout: setTimeout(this.run, wait) };
  }

  /** Items waiting for a flush. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Nothing more is sent (the document is gone). */
  close(): void {
    this.closed = true;
    this.queue = [];
    if (this.pending && 'immediate' in this.pending) clearImmediate(this.pending.immediate);
    else if (this.pending) clearTimeout(this.pending.timeout);
    this.pending = null;
  }

  private run = (): void => {
    this.pending = null;
    if (this.closed || this.queue.length === 0) return;
    this.flushes.spend();
    const items = this.queue;
    this.queue = [];
    this.flush(items);
  };
}
