/**
 * PostgreSQL and Redis for the multi-process tests: where they are, whether they answer, and a schema / key prefix
 * of each test run's own. A test needing them is skipped, saying why, when they cannot be reached; where
 * CYCLEPAD_REQUIRE_SERVICES=1 (.ci/run sets it) it fails instead, so CI never passes by skipping them.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SERVICES_REQUIRED = process.env.CYCLEPAD_REQUIRE_SERVICES === '1';

export async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function redisProblem(): Promise<string | null> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause: Error | undefined;
  client.on('error', (err: Error) => (cause ??= err));
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (err) {
    return (cause ?? (err instanceof Error ? err : new Error(String(err)))).message;
  } finally {
    client.disconnect();
  }
}

/** Null when both answer; else the reason, printed (or thrown where the services are required). */
export async function servicesProblem(what: string): Promise<string | null> {
  const problems = [await postgresProblem(), await redisProblem()].filter((p): p is string => p !== null);
  if (problems.length === 0) return null;
  const message = `${what} SKIPPED: PostgreSQL (${PG_URL}) and Redis (${REDIS_URL}) are needed: ${problems.join('; ')}`;
  if (SERVICES_REQUIRED) throw new Error(message.replace('SKIPPED', 'cannot run'));
  console.warn(message);
  return message;
}

/** A database URL of a fresh schema of this run (search_path), and a function dropping it. */
export function freshSchema(tag: string): { schema: string; url: string; drop: () => Promise<void> } {
  const schema = `cp_test_${tag}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
