/**
 * Reads whose cost grows with the pad: the editor page (it carries the pad's state), the mirror page (it renders
 * every entry), the exports, status.json and history. One mechanism for all of them, so that nobody holding a pad or
 * mirror link can stall the server by asking for them over and over (measured before: 40 concurrent exports of a
 * 6 MB pad kept /healthz, and every pad's sockets, waiting 2.4 s).
 * - Each pad and address gets at most `perMinute` of them (counted by rate-limiter-flexible, like the writes'
 *   limits); past it: 429 with a JSON message and Retry-After.
 * - At most {@link HEAVY_READS_AT_ONCE} run at a time in this process (p-limit), each starting after a timer
 *   ({@link nextTurn}), so the event loop's I/O is done between two of them; at most {@link HEAVY_READS_WAITING} wait,
 *   and at most {@link HEAVY_READS_PER_PAD} of one pad's (so a flood of one pad's reads, from however many
 *   addresses, leaves room for other pads' readers); past that: 503 with Retry-After.
 * - A read whose client has gone by its turn is not made.
 */
import type { Context, MiddlewareHandler } from 'hono';
import pLimit from 'p-limit';
import { jsonError } from './errors.js';
import type { PadEnv } from './pad-middleware.js';
import { RateLimit, padClientKey, type LimitStore } from './rate-limit.js';

/** Heavy reads running at once in a process. */
export const HEAVY_READS_AT_ONCE = 2;
/** Heavy reads waiting for their turn; more are answered 503 at once. */
export const HEAVY_READS_WAITING = 64;
/** One pad's heavy reads running or waiting; more are answered 503 at once. */
export const HEAVY_READS_PER_PAD = 16;

/**
 * A turn of the event loop with its I/O: a timer, not setImmediate. Measured: with reads chained through
 * setImmediate, a /healthz on a new connection still waited 2.7 s behind 40 exports of a 6 MB pad, and clients that
 * had left were noticed only after their reads were made; with a timer, 0.6 s, and their reads are skipped.
 */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class HeavyReads {
  private readonly perPadAndAddress: RateLimit;
  private readonly turns = pLimit(HEAVY_READS_AT_ONCE);
  /** Reads running or waiting, per pad. */
  private readonly perPad = new Map<string, number>();

  constructor(perMinute: number, limits: LimitStore) {
    this.perPadAndAddress = new RateLimit(
      {
        name: 'reads',
        what: 'reads of this pad from this address',
        points: perMinute,
        perSeconds: 60,
      },
      limits,
    );
  }

  /** For the routes after `resolvePad`. */
  readonly middleware: MiddlewareHandler<PadEnv> = (c, next) => this.run(c, c.get('resolved').pad.id, next);

  /** Runs `read` (the handler's work for pad `padId`) in its turn, or answers 429/503 without running it. */
  async run<T>(c: Context, padId: string, read: () => Promise<T>): Promise<T | Response> {
    const busy = () => this.turns.pendingCount >= HEAVY_READS_WAITING || (this.perPad.get(padId) ?? 0) >= HEAVY_READS_PER_PAD;
    const refuseBusy = () => {
      c.header('Retry-After', '1');
      return jsonError(c, 503, 'the server is busy answering other reads of large pads; try again in a second');
    };
    // a read refused as busy costs its client nothing: it was told to come back in a second
    if (busy()) return refuseBusy();
    const key = padClientKey(c, padId);
    const refused = await this.perPadAndAddress.spend(c, key);
    if (refused) return refused;
    if (busy()) {
      // (the queue filled while the point was counted, which may have waited on Redis)
      await this.perPadAndAddress.refund(key);
      return refuseBusy();
    }
    this.perPad.set(padId, (this.perPad.get(padId) ?? 0) + 1);
    try {
      return await this.turns(async () => {
        await nextTurn();
        // the client left while its read waited: nobody would get the answer
        if (c.req.raw.signal.aborted) return jsonError(c, 503, 'the request was abandoned before its turn');
        return read();
      });
    } finally {
      const left = this.perPad.get(padId)! - 1;
      if (left === 0) this.perPad.delete(padId);
      else this.perPad.set(padId, left);
    }
  }
}
