/**
 * Rate limits (pad creation, imports, restores, failed sign-ins, heavy reads): one mechanism, counted by
 * rate-limiter-flexible. A {@link LimitStore} says where the counts live: in this process's memory (the embedded
 * default), or in Redis when several processes serve the same pads (`REDIS_URL`), so that a client spreading its
 * requests over the processes behind a proxy gets the limit once, not once per process.
 * Over the limit: 429 with a JSON message and Retry-After; nothing is done.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { jsonError } from './errors.js';
import { clientKey } from './client-address.js';

/** Where limits count. */
export interface LimitStore {
  /** Where the counts live: 'memory' or 'redis'. */
  readonly description: string;
  /** Whether the counts are, right now, the ones every process sharing this store sees. */
  shared(): boolean;
  /** A counter of `points` per `perSeconds` for each key; `name` keeps different limits' keys apart. */
  counter(name: string, points: number, perSeconds: number): RateLimiterAbstract;
  close(): Promise<void>;
}

/** Counts in this process's memory. */
export const memoryLimits: LimitStore = {
  description: 'memory',
  shared: () => false,
  counter: (_name, points, perSeconds) => new RateLimiterMemory({ points, duration: perSeconds }),
  close: async () => undefined,
};

export interface RateLimitOptions {
  /** Which limit this is, in keys (stable, short: "imports"). */
  name: string;
  /** What is limited, for the message: "pad creations". */
  what: string;
  /** How many within `perSeconds`. */
  points: number;
  perSeconds: number;
  /** Who is counted: by default the client's address. */
  key?: (c: Context) => string;
}

/** The address a request is counted under (set by the app from TRUST_PROXY; the socket's when unset). */
export const clientAddress = (c: Context): string => (c.get('clientAddress') as string | undefined) ?? clientKey(getConnInfo(c).remote.address ?? 'unknown');

/** Who is counted by the limits kept per pad and client (imports, failed sign-ins, heavy reads). */
export const padClientKey = (c: Context, padId: string): string => `${padId}\u0000${clientAddress(c)}`;

/** A limit's counter: `spend` takes a point for the request, or answers the 429 when none is left. */
export class RateLimit {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    private readonly options: RateLimitOptions,
    store: LimitStore,
  ) {
    this.limiter = store.counter(options.name, options.points, options.perSeconds);
  }

  /** Gives back the point `spend` took for `key` (the request was refused for another reason after all). */
  async refund(key: string): Promise<void> {
    await this.limiter.reward(key, 1).catch(() => undefined);
  }

  /** Null when the request may go on; else the 429 (with Retry-After) to answer it with. `key`: who is counted. */
  async spend(c: Context, key = (this.options.key ?? clientAddress)(c)): Promise<Response | null> {
    try {
      await this.limiter.consume(key);
      return null;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const { what, points, perSeconds } = this.options;
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      c.header('Retry-After', String(seconds));
      return jsonError(c, 429, `too many ${what} (at most ${points} per ${describe(perSeconds)}); try again in ${seconds} s`);
    }
  }
}

export function rateLimit(options: RateLimitOptions, store: LimitStore): MiddlewareHandler {
  const limit = new RateLimit(options, store);
  return async (c, next) => {
    const refused = await limit.spend(c);
    if (refused) return refused;
    await next();
  };
}

function describe(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
  return `${seconds} s`;
}
