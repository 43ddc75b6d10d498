import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { watchRedis } from './redis-watchdog.js';
import { waitFor } from '../test/helpers/wait.js';

/** The part of an ioredis connection the watchdog uses; `reply` decides what each PING gets. */
function connection(reply: () => Promise<string>) {
  const c = { status: 'ready', pings: 0, drops: 0 };
  const fake = {
    get status() {
      return c.status;
    },
    ping: () => {
      c.pings++;
      return reply();
    },
    disconnect: () => {
      c.drops++;
    },
  };
  return { c, redis: fake as unknown as Redis };
}

const options = { everyMs: 10, patienceMs: 25 };

describe('watchRedis', () => {
  it('drops a connection that misses two replies in a row (a frozen Redis)', async () => {
    const { c, redis } = connection(() => new Promise<string>(() => undefined));
    let dead = 0;
    const stop = watchRedis(redis, { ...options, onDead: () => dead++ });
    try {
      await waitFor(() => c.drops > 0, 2000, 'the drop');
      expect(dead).toBe(1);
      expect(c.pings).toBeGreaterThanOrEqual(2);
    } finally {
      stop();
    }
  });

  it('keeps a connection whose Redis answers with an error (a user without PING rights answers NOPERM)', async () => {
    const { c, redis } = connection(() => Promise.reject(new Error("NOPERM this user has no permissions to run the 'ping' command")));
    const stop = watchRedis(redis, options);
    try {
      await waitFor(() => c.pings >= 10, 2000, 'ten pings');
      expect(c.drops).toBe(0);
    } finally {
      stop();
    }
  });

  it('one late reply is forgiven (a stall of the event loop), a reply resets the count', async () => {
    let n = 0;
    const { c, redis } = connection(() => (++n % 2 === 1 ? new Promise<string>(() => undefined) : Promise.resolve('PONG')));
    const stop = watchRedis(redis, options);
    try {
      await waitFor(() => c.pings >= 8, 2000, 'eight pings');
      expect(c.drops).toBe(0);
    } finally {
      stop();
    }
  });
});
