/**
 * Limits counted in Redis (`REDIS_URL`): every process serving the same pads counts against the same totals.
 * Its own connection, set up like the fan-out's: nothing queues while Redis is away. When Redis cannot answer, each
 * limit falls back to counting in this process's memory (rate-limiter-flexible's insurance limiter), so a Redis
 * outage never refuses a request the limits would allow, nor lets one through unlimited.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { LimitStore } from './rate-limit.js';

export async function redisLimits(url: string, prefix = ''): Promise<LimitStore> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    commandTimeout: 1000,
    connectionName: 'cyclepad-limits',
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  });
  // errors are the fan-out's to report (same server); here they only mean "count in memory for now"
  client.on('error', () => undefined);
  await client.connect().catch(() => undefined);
  return {
    shared: true,
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
      client.disconnect();
    },
  };
}
