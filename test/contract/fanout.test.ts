/**
 * The fan-out contract against every implementation (in-process; Redis with two instances standing for two
 * processes), then what only Redis does: losing and regaining its connections.
 *
 * Redis: TEST_REDIS_URL, default redis://127.0.0.1:6379. Every instance here uses a channel prefix of this run's own.
 * When Redis cannot be reached the Redis suites are skipped, and say so.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { fanOutContract } from './fanout.contract.js';
import { LocalFanOut } from '../../server/fanout/local.js';
import { RedisFanOut } from '../../server/fanout/redis-fanout.js';

import { REDIS_URL, redisProblem as redisProblemOf } from '../helpers/services.js';

const redisProblem = await redisProblemOf();
if (redisProblem && process.env.CYCLEPAD_REQUIRE_SERVICES === '1') {
  throw new Error(`Redis is required here (CYCLEPAD_REQUIRE_SERVICES=1) but cannot be reached: ${redisProblem}`);
}
if (redisProblem) {
  console.warn(`Redis fan-out tests SKIPPED: cannot reach ${REDIS_URL} (${redisProblem}); start Redis or set TEST_REDIS_URL`);
}

const prefix = `cptest:${process.pid}:${randomBytes(4).toString('hex')}:`;

fanOutContract('LocalFanOut', async () => new LocalFanOut(), { crossProcess: false });

describe.skipIf(redisProblem !== null)('Redis', () => {
  fanOutContract('RedisFanOut', () => RedisFanOut.open(REDIS_URL, { prefix }), { crossProcess: true });
});

describe.skipIf(redisProblem !== null)('RedisFanOut connection loss', () => {
  const opened: RedisFanOut[] = [];
  let admin: Redis;
  const make = async (p = prefix) => {
    const f = await RedisFanOut.open(REDIS_URL, { prefix: p });
    opened.push(f);
    return f;
  };
  afterAll(async () => {
    for (const f of opened) await f.close();
    if (admin) await admin.quit();
  });

  /** Kills one of the fan-out's connections from outside, as a Redis restart or a network cut would. */
  async function kill(connection: Redis): Promise<void> {
    admin ??= new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const name = connection.options.connectionName!;
    const list = (await admin.client('LIST')) as string;
    const line = list.split('\n').find((l) => l.includes(` name=${name} `));
    expect(line, `a Redis client named ${name}`).toBeDefined();
    const id = /\bid=(\d+)/.exec(line!)![1]!;
    expect(await admin.client('KILL', 'ID', id)).toBe(1);
  }

  const channel = () => `cyclepad:test:loss:${randomBytes(6).toString('hex')}`;

  it('goes unhealthy when the subscriber connection is killed, re-subscribes, tells onReconnect, and delivers again', async () => {
    const a = await make();
    const b = await make();
    const ch = channel();
    const ch2 = channel();
    const got: string[] = [];
    const got2: string[] = [];
    await a.subscribe(ch, (m) => got.push(m));
    await a.subscribe(ch2, (m) => got2.push(m));

    let reconnects = 0;
    let healthyInHandler: boolean | undefined;
    let published: Promise<void> | undefined;
    a.onReconnect(() => {
      reconnects += 1;
      healthyInHandler = a.healthy;
      // Every channel is subscribed again before the handlers run: a message published now is received.
      published = b.publish(ch, 'right after reconnect');
    });

    const down = new Promise<void>((r) => a.subscriber.once('close', () => r()));
    await kill(a.subscriber);
    await down;
    expect(a.healthy).toBe(false);
    await expect(a.subscribe(channel(), () => {})).rejects.toThrow(/unavailable/); // nothing queued while down

    await expect.poll(() => reconnects, { timeout: 10_000 }).toBe(1);
    expect(healthyInHandler).toBe(true);
    expect(a.healthy).toBe(true);
    await published;
    await expect.poll(() => got, { timeout: 3000 }).toEqual(['right after reconnect']);
    await b.publish(ch2, 'second channel too');
    await expect.poll(() => got2, { timeout: 3000 }).toEqual(['second channel too']);
    expect(reconnects).toBe(1);
  });

  it('goes unhealthy when the publisher connection is killed, rejects publishing at once meanwhile, and publishes again', async () => {
    const a = await make();
    const b = await make();
    const ch = channel();
    const got: string[] = [];
    await b.subscribe(ch, (m) => got.push(m));
    let reconnects = 0;
    a.onReconnect(() => reconnects++);

    const down = new Promise<void>((r) => a.publisher.once('close', () => r()));
    await kill(a.publisher);
    await down;
    expect(a.healthy).toBe(false);
    const started = Date.now();
    await expect(a.publish(ch, 'lost')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(500);

    await expect.poll(() => a.healthy, { timeout: 10_000 }).toBe(true);
    await a.publish(ch, 'back');
    await expect.poll(() => got, { timeout: 3000 }).toEqual(['back']);
    expect(reconnects).toBe(0); // only a lost subscription can have missed messages
  });

  it('recovers from repeated losses, each one told once', async () => {
    const a = await make();
    const b = await make();
    const ch = channel();
    const got: string[] = [];
    await a.subscribe(ch, (m) => got.push(m));
    let reconnects = 0;
    a.onReconnect(() => reconnects++);
    for (let i = 1; i <= 3; i++) {
      await kill(a.subscriber);
      await expect.poll(() => reconnects, { timeout: 10_000 }).toBe(i);
      await b.publish(ch, `after loss ${i}`);
      await expect.poll(() => got.length, { timeout: 3000 }).toBe(i);
    }
    expect(got).toEqual(['after loss 1', 'after loss 2', 'after loss 3']);
  });

  it('keeps installations with different prefixes apart', async () => {
    const a = await make(`${prefix}one:`);
    const b = await make(`${prefix}two:`);
    const ch = channel();
    const gotA: string[] = [];
    const gotB: string[] = [];
    await a.subscribe(ch, (m) => gotA.push(m));
    await b.subscribe(ch, (m) => gotB.push(m));
    await a.publish(ch, 'for one');
    await expect.poll(() => gotA).toEqual(['for one']);
    await new Promise((r) => setTimeout(r, 50));
    expect(gotB).toEqual([]);
  });

  it('rejects quickly when Redis cannot be reached, and closes its connections', async () => {
    const started = Date.now();
    await expect(RedisFanOut.open('redis://127.0.0.1:1', { connectTimeoutMs: 500 })).rejects.toThrow(/cannot be reached.*ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(3000);

    const a = await RedisFanOut.open(REDIS_URL, { prefix });
    const name = a.subscriber.options.connectionName!;
    await a.close();
    admin ??= new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await expect.poll(async () => ((await admin.client('LIST')) as string).includes(` name=${name} `)).toBe(false);
    await expect(a.publish('x', 'y')).rejects.toThrow(/closed/);
  });
});
