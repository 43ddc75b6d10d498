/** Server configuration, from the environment. */
import path from 'node:path';
import { z } from 'zod';
import { trustedProxies } from './http/client-address.js';
import type { StatusConfig } from './status/service.js';

const int = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

const envSchema = z.object({
  PORT: int(8080).refine((p) => p <= 65535, 'PORT must be at most 65535'),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unload a document this long after its last peer leaves. */
  UNLOAD_DELAY_MS: int(10_000),
  /** Write a document snapshot after this many logged updates. */
  SNAPSHOT_EVERY: int(500).refine((n) => n > 0, 'SNAPSHOT_EVERY must be positive'),
  /** Largest WebSocket message accepted (bytes). */
  MAX_MESSAGE_BYTES: int(1024 * 1024),
  /** Open sync connections allowed from one client address. */
  MAX_CONNECTIONS_PER_ADDRESS: int(100),
  /** Messages per second one connection may send before it is slowed down (and closed if it keeps on). */
  MAX_MESSAGES_PER_SECOND: int(2000),
  /** Bytes per second one connection may send before it is slowed down (its socket paused until the second ends). */
  MAX_BYTES_PER_SECOND: int(2 * 1024 * 1024),
  /** Largest a section document may grow (bytes of its encoded state, approximately). */
  MAX_DOCUMENT_BYTES: int(32 * 1024 * 1024),
  /** Bytes one client address may write to the pads' logs per hour, over every write path (0: no limit). */
  MAX_WRITE_BYTES_PER_HOUR: int(64 * 1024 * 1024),
  /** Rewrite guard: quarantine a connection that rewrites text in more than this many entries … */
  GUARD_MAX_ENTRIES: int(10),
  /** … within this window. */
  GUARD_WINDOW_MS: int(10_000),
  /** Pads one address may create per hour. */
  MAX_PADS_PER_HOUR: int(30),
  /** Imports per pad and address per minute. */
  MAX_IMPORTS_PER_MINUTE: int(10),
  /** Restores (and reverts) per pad per minute. */
  MAX_RESTORES_PER_MINUTE: int(20),
  /** Reads that grow with the pad (pages, exports, status.json, history) per pad and address per minute. */
  MAX_READS_PER_MINUTE: int(120),
  /** Event-loop lag at which the server counts as saturated and sheds new sync connections (503). */
  MAX_EVENT_LOOP_LAG_MS: int(500).refine((n) => n > 0, 'MAX_EVENT_LOOP_LAG_MS must be positive'),
  /** PostgreSQL instead of SQLite (several processes share it): `postgres://user@host/db`. */
  DATABASE_URL: z.string().url().optional(),
  /** Redis fan-out between processes: `redis://host:6379`. */
  REDIS_URL: z.string().url().optional(),
  /** A PostgreSQL schema of its own (created if missing): several installations, or test runs, in one database. */
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'DATABASE_SCHEMA: lower-case letters, digits and _').optional(),
  /** A prefix for every Redis channel: several installations, or test runs, on one Redis. */
  REDIS_PREFIX: z.string().max(100).optional(),
  /** Live review status: poll Gerrit and Launchpad every this many seconds; 0 never fetches (air-gapped installs). */
  STATUS_POLL_SECONDS: int(300),
  /** The Gerrit whose changes the pads link to (only this host is ever asked). */
  GERRIT_URL: z.string().url().refine((u) => /^https?:/.test(u), 'GERRIT_URL must be http(s)').default('https://review.opendev.org'),
  /** Launchpad's web service, devel version (only this host is ever asked). */
  LAUNCHPAD_API_URL: z.string().url().refine((u) => /^https?:/.test(u), 'LAUNCHPAD_API_URL must be http(s)').default('https://api.launchpad.net/devel'),
  /** Requests in flight per host when polling. */
  STATUS_CONCURRENCY: int(4).refine((n) => n > 0, 'STATUS_CONCURRENCY must be positive'),
  /** Bound on one request to Gerrit or Launchpad. */
  STATUS_TIMEOUT_MS: int(10_000).refine((n) => n > 0, 'STATUS_TIMEOUT_MS must be positive'),
  /** The proxies whose X-Forwarded-For is believed (proxy-addr's forms, comma-separated); none by default. */
  TRUST_PROXY: z
    .string()
    .default('')
    .refine((v) => {
      try {
        trustedProxies(v);
        return true;
      } catch {
        return false;
      }
    }, 'TRUST_PROXY must be comma-separated addresses, CIDR ranges, or loopback, linklocal, uniquelocal (not a number of hops)'),
  /** Set when served behind https: cookies get `Secure`. */
  TRUST_PROXY_HTTPS: z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  logLevel: string;
  unloadDelayMs: number;
  snapshotEvery: number;
  maxMessageBytes: number;
  secureCookies: boolean;
  /** TRUST_PROXY: whose X-Forwarded-For is believed (see http/client-address.ts). */
  trustProxy: string;
  guard: { maxEntries: number; windowMs: number };
  maxConnectionsPerAddress: number;
  maxMessagesPerSecond: number;
  maxBytesPerSecond: number;
  /** How often a quiet sync socket is sent a keep-alive (not from the environment: tests shorten it). */
  keepaliveMs?: number;
  maxDocumentBytes: number;
  /** Bytes one client address may write to the logs per hour (write-budget.ts); 0: no limit. */
  maxWriteBytesPerHour: number;
  maxEventLoopLagMs: number;
  rateLimits: { padsPerHour: number; importsPerMinute: number; restoresPerMinute: number; readsPerMinute: number };
  /** PostgreSQL instead of SQLite, when set. */
  databaseUrl?: string | undefined;
  /** Redis fan-out, when set. */
  redisUrl?: string | undefined;
  databaseSchema?: string | undefined;
  redisPrefix?: string | undefined;
  /** Live review status (server/status); absent: never fetched (tests that do not need it). */
  status?: StatusConfig | undefined;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    unloadDelayMs: e.UNLOAD_DELAY_MS,
    snapshotEvery: e.SNAPSHOT_EVERY,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    secureCookies: e.TRUST_PROXY_HTTPS,
    trustProxy: e.TRUST_PROXY,
    guard: { maxEntries: e.GUARD_MAX_ENTRIES, windowMs: e.GUARD_WINDOW_MS },
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    maxMessagesPerSecond: e.MAX_MESSAGES_PER_SECOND,
    maxBytesPerSecond: e.MAX_BYTES_PER_SECOND,
    maxDocumentBytes: e.MAX_DOCUMENT_BYTES,
    maxWriteBytesPerHour: e.MAX_WRITE_BYTES_PER_HOUR,
    maxEventLoopLagMs: e.MAX_EVENT_LOOP_LAG_MS,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    databaseSchema: e.DATABASE_SCHEMA,
    redisPrefix: e.REDIS_PREFIX,
    status: {
      pollSeconds: e.STATUS_POLL_SECONDS,
      gerritUrl: e.GERRIT_URL,
      launchpadUrl: e.LAUNCHPAD_API_URL,
      concurrency: e.STATUS_CONCURRENCY,
      timeoutMs: e.STATUS_TIMEOUT_MS,
    },
    rateLimits: { padsPerHour: e.MAX_PADS_PER_HOUR, importsPerMinute: e.MAX_IMPORTS_PER_MINUTE, restoresPerMinute: e.MAX_RESTORES_PER_MINUTE, readsPerMinute: e.MAX_READS_PER_MINUTE },
  };
}
