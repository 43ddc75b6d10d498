/**
 * Rate limits for the HTTP routes that write (pad creation, imports, restores): one mechanism, counted by
 * rate-limiter-flexible (in memory here; the same library counts in Redis or PostgreSQL when several processes
 * share the limits). Over the limit: 429 with a JSON message and Retry-After; nothing is done.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { jsonError } from './errors.js';

export interface RateLimitOptions {
  /** What is limited, for the message: "pad creations". */
  what: string;
  /** How many within `perSeconds`. */
  points: number;
  perSeconds: number;
  /** Who is counted: by default the client's address. */
  key?: (c: Context) => string;
}

/** The address a request is counted under (set by the app from TRUST_PROXY; the socket's when unset). */
export const clientAddress = (c: Context): string => (c.get('clientAddress') as string | undefined) ?? getConnInfo(c).remote.address ?? 'unknown';

/** A limit's counter: `spend` takes a point for the request, or answers the 429 when none is left. */
export class RateLimit {
  private readonly limiter: RateLimiterMemory;

  constructor(private readonly options: RateLimitOptions) {
    this.limiter = new RateLimiterMemory({ points: options.points, duration: options.perSeconds });
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

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const limit = new RateLimit(options);
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
