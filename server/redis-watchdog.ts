/**
 * Notices a Redis connection that stays open but no longer answers (a network split, a frozen host): ioredis keeps
 * such a connection "ready" for as long as the kernel keeps the socket. Every `everyMs` the connection is pinged;
 * a ping with no reply within `patienceMs` is a miss, and two misses in a row mean the connection is dead: it is
 * dropped and made again (`disconnect(true)`), which its owner handles as any lost connection.
 *
 * Any reply is an answer, an error reply too (a Redis user without PING rights answers NOPERM: alive). Two misses, not
 * one: a single stall of this process's event loop right after a ping must not cost a reconnection (and a catch-up
 * from the database for every open document).
 */
import type { Redis } from 'ioredis';

export interface WatchdogOptions {
  everyMs?: number;
  patienceMs?: number;
  /** Told when the connection is dropped for not answering. */
  onDead?: () => void;
}

/** Starts watching `connection`; returns the function that stops it. */
export function watchRedis(connection: Redis, options: WatchdogOptions = {}): () => void {
  const patience = options.patienceMs ?? 1500;
  let misses = 0;
  let waiting = false;
  const timer = setInterval(() => {
    if (connection.status !== 'ready' || waiting) return;
    waiting = true;
    let answered = false;
    const late = setTimeout(() => {
      waiting = false;
      if (answered || connection.status !== 'ready') return;
      misses++;
      if (misses < 2) return;
      misses = 0;
      options.onDead?.();
      connection.disconnect(true);
    }, patience);
    late.unref();
    connection.ping().then(
      () => answer(),
      (err: unknown) => {
        // a command timeout is no answer (the patience decides); any other error is Redis (or the socket) speaking
        if (!(err instanceof Error && /timed out/i.test(err.message))) answer();
      },
    );
    function answer() {
      answered = true;
      waiting = false;
      misses = 0;
      clearTimeout(late);
    }
  }, options.everyMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}
