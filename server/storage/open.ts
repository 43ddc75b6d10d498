/**
 * Which storage and fan-out a process uses, from its configuration: no configuration is the embedded default
 * (SQLite in DATA_DIR, one process, in-process fan-out); `DATABASE_URL` selects PostgreSQL, `REDIS_URL` Redis.
 * The PostgreSQL and Redis clients are only loaded when configured.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Storage } from './storage.js';
import type { FanOut } from '../fanout/fanout.js';
import { SqliteStorage } from './sqlite-storage.js';
import { LocalFanOut } from '../fanout/local.js';
import { memoryLimits, type LimitStore } from '../http/rate-limit.js';

export async function openStorage(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'databaseSchema'>): Promise<Storage> {
  if (config.databaseUrl) {
    const { PostgresStorage } = await import('./postgres-storage.js');
    return PostgresStorage.open(config.databaseUrl, config.databaseSchema ? { schema: config.databaseSchema } : {});
  }
  return SqliteStorage.open(config.dataDir);
}

export async function openFanOut(config: Pick<Config, 'redisUrl' | 'redisPrefix'>): Promise<FanOut> {
  if (config.redisUrl) {
    const { RedisFanOut } = await import('../fanout/redis-fanout.js');
    return RedisFanOut.open(config.redisUrl, config.redisPrefix ? { prefix: config.redisPrefix } : {});
  }
  return new LocalFanOut();
}

/** Where the rate limits count: Redis when several processes share pads, else this process's memory. */
export async function openLimits(config: Pick<Config, 'redisUrl' | 'redisPrefix'>, log: Logger): Promise<LimitStore> {
  if (config.redisUrl) {
    const { redisLimits } = await import('../http/redis-limits.js');
    return redisLimits(config.redisUrl, config.redisPrefix ?? '', log);
  }
  return memoryLimits;
}
