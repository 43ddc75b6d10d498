/**
 * Limits counted in Redis (`REDIS_URL`): every process serving the same pads counts against the same totals.
 * Its own connection, set up like the fan-out's: nothing queues while Redis is away. When Redis cannot answer, each
 * limit counts in this process's memory instead (rate-limiter-flexible's insurance limiter), so a Redis outage
 * never refuses a request the limits would allow, nor lets one through unlimited.
 *
 * A Redis that stops answering without closing the connection (a network split, a frozen host) is the hard case:
 * every count would wait for its command's timeout. A watchdog (redis-watchdog.ts) pings it; when two pings in a row
 * get no reply, the connection is dropped and made again, and until Redis is ready on it the limits count in memory
 * without waiting at all. The limits need these commands on `${REDIS_PREFIX}limit:*` keys: EVAL/EVALSHA, SET,
 * INCRBY, PTTL, PEXPIRE, GET, DEL (and PING, for the watchdog: a user without it still works, answering NOPERM).
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { LimitStore } from './rate-limit.js';
import { watchRedis } from '../redis-watchdog.js';

/** A count waits at most this long for Redis (then it is made in memory). */
export const LIMIT_COMMAND_TIMEOUT_MS = 250;

export async function redisLimits(url: string, prefix: string, log: Pick<Logger, 'warn' | 'info'>): Promise<LimitStore> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    commandTimeout: LIMIT_COMMAND_TIMEOUT_MS,
    keepAlive: 10_000,
    connectionName: 'cyclepad-limits',
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  });
  let away = false;
  const lost = (why: string) => {
    if (away) return;
    away = true;
    log.warn({ why }, 'rate limits: Redis is not answering; each process counts in its own memory until it is back');
  };
  client.on('error', (err: Error) => lost(err.message));
  client.on('ready', () => {
    if (!away) return;
    away = false;
    log.info('rate limits: counting in Redis again');
  });
  await client.connect().catch((err: unknown) => lost(err instanceof Error ? err.message : String(err)));
  // a connection that stopped answering stays "ready" to ioredis: dropped, so that counts stop waiting on it
  const stopWatchdog = watchRedis(client, { onDead: () => lost('no reply to two pings in a row') });
  return {
    description: 'redis',
    shared: () => client.status === 'ready' && !away,
    counter: (name, points, perSeconds) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `${prefix}limit:${name}`,
        points,
        duration: perSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: perSeconds }),
      }),
    close: async () => {
      stopWatchdog();
      client.disconnect();
    },
  };
}
