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

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const limiter = new RateLimiterMemory({ points: options.points, duration: options.perSeconds });
  const key = options.key ?? clientAddress;
  return async (c, next) => {
    try {
      await limiter.consume(key(c));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      c.header('Retry-After', String(seconds));
      return jsonError(c, 429, `too many ${options.what} (at most ${options.points} per ${describe(options.perSeconds)}); try again in ${seconds} s`);
    }
    await next();
  };
}

function describe(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
  return `${seconds} s`;
}
