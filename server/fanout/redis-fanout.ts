/**
 * The fan-out of several processes (`REDIS_URL=redis://…`): Redis pub/sub, one connection publishing and one
 * subscribed. A wake-up only: Redis drops what a disconnected subscriber misses, so after a loss the
 * {@link FanOut.onReconnect} handlers run (and the server catches up from the database).
 *
 * Reconnection is ours, not ioredis': its `autoResubscribe` sends SUBSCRIBE again without waiting for the reply,
 * after it has already emitted 'ready', so a catch-up started on 'ready' could read the database before the
 * subscription is active and miss an update published in between. Here, when the subscriber connection is back:
 * every channel is subscribed again and Redis has confirmed it, then `healthy` turns true, then the handlers run.
 *
 * Nothing queues while Redis is away (`enableOfflineQueue: false`): a publish or subscribe then rejects at once.
 *
 * A Redis that stops answering without closing the connections (a network split, a frozen host) looks "ready" to
 * ioredis for as long as the kernel keeps the socket (minutes): the fan-out would call itself healthy while carrying
 * nothing, and every document opened meanwhile would wait out a SUBSCRIBE's timeout. A watchdog (redis-watchdog.ts)
 * pings both connections every second; one that misses two replies in a row is dropped and made again, which is then
 * a lost connection like any other (`healthy` false, catch-up on its return).
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { FanOut, FanOutSubscription } from './fanout.js';
import { watchRedis } from '../redis-watchdog.js';

export interface RedisFanOutOptions {
  /** Prepended to every channel name (tests, or several installations on one Redis). */
  prefix?: string;
  /** Told about connection losses and returns (no secrets, no channel names: they carry pad names). */
  log?: (msg: string) => void;
  /** Bound on one command (PUBLISH, SUBSCRIBE) while connected; default 3000 ms. */
  commandTimeoutMs?: number;
  /** Bound on connecting; default 3000 ms. */
  connectTimeoutMs?: number;
  /** How often the watchdog pings each connection (default 1000 ms), and how long a reply may take (default 1500 ms). */
  watchdogMs?: number;
  pingTimeoutMs?: number;
}

type Handler = (message: string) => void;

interface Channel {
  handlers: Set<Handler>;
  /** Resolves when Redis confirmed the SUBSCRIBE on the current connection. */
  active: Promise<void>;
}

export class RedisFanOut implements FanOut {
  readonly crossProcess = true;
  readonly processId = randomUUID();
  readonly description: string;
  private readonly prefix: string;
  private readonly channels = new Map<string, Channel>();
  private readonly reconnectHandlers: Array<() => void> = [];
  /** True while the subscriber connection is up and every channel is subscribed on it. */
  private subscribed = false;
  /** The subscriber connection was lost since it was last fully subscribed: the next return runs onReconnect. */
  private lost = false;
  private closed = false;
  private stopWatchdog: () => void = () => undefined;

  private constructor(
    /** The publishing connection (tests kill it to see `healthy` fall). */
    readonly publisher: Redis,
    /** The subscribed connection. */
    readonly subscriber: Redis,
    description: string,
    private readonly options: RedisFanOutOptions,
  ) {
    this.description = description;
    this.prefix = options.prefix ?? '';
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
    subscriber.on('close', () => {
      if (!this.lost && !this.closed) options.log?.('redis fan-out: subscriber connection lost');
      this.subscribed = false;
      this.lost = true;
    });
    subscriber.on('ready', () => void this.resubscribe());
    publisher.on('close', () => {
      if (!this.closed) options.log?.('redis fan-out: publisher connection lost');
    });
    // ioredis emits 'error' for every failed reconnection attempt: without a listener they would crash the process.
    const onError = (which: string) => (err: Error) => options.log?.(`redis fan-out: ${which}: ${err.message}`);
    publisher.on('error', onError('publisher'));
    subscriber.on('error', onError('subscriber'));
  }

  /** Connects both connections; rejects (and leaves nothing open) if Redis cannot be reached. */
  static async open(url: string, options: RedisFanOutOptions = {}): Promise<RedisFanOut> {
    const base: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      connectTimeout: options.connectTimeoutMs ?? 3000,
      commandTimeout: options.commandTimeoutMs ?? 3000,
      // Reconnect for ever, quickly at first, at most every 2 s.
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    };
    const processTag = randomUUID().slice(0, 8);
    const publisher = new Redis(url, { ...base, connectionName: `cyclepad-pub-${processTag}` });
    const subscriber = new Redis(url, { ...base, connectionName: `cyclepad-sub-${processTag}` });
    const where = (() => {
      try {
        const u = new URL(url);
        return `redis ${u.hostname}${u.port ? `:${u.port}` : ''}`;
      } catch {
        return 'redis';
      }
    })();
    const fanOut = new RedisFanOut(publisher, subscriber, `${where}${options.prefix ? ` (prefix ${options.prefix})` : ''}`, options);
    // The socket's own error (ECONNREFUSED, a timeout) says more than connect()'s "Connection is closed".
    let cause: Error | undefined;
    const remember = (err: Error) => (cause ??= err);
    publisher.on('error', remember);
    subscriber.on('error', remember);
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
    } catch (err) {
      fanOut.closed = true;
      publisher.disconnect();
      subscriber.disconnect();
      throw new Error(`Redis cannot be reached at ${where}: ${(cause ?? (err instanceof Error ? err : new Error(String(err)))).message}`, { cause: err });
    } finally {
      publisher.off('error', remember);
      subscriber.off('error', remember);
    }
    fanOut.subscribed = true;
    fanOut.startWatchdog();
    return fanOut;
  }

  private startWatchdog(): void {
    const stops = (['publisher', 'subscriber'] as const).map((which) =>
      watchRedis(this[which], {
        ...(this.options.watchdogMs !== undefined ? { everyMs: this.options.watchdogMs } : {}),
        ...(this.options.pingTimeoutMs !== undefined ? { patienceMs: this.options.pingTimeoutMs } : {}),
        onDead: () => this.options.log?.(`redis fan-out: ${which} connection not answering; connecting again`),
      }),
    );
    this.stopWatchdog = () => stops.forEach((stop) => stop());
  }

  get healthy(): boolean {
    return !this.closed && this.publisher.status === 'ready' && this.subscriber.status === 'ready' && this.subscribed;
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.closed) throw new Error('fan-out closed');
    await this.publisher.publish(this.prefix + channel, message);
  }

  async subscribe(channel: string, onMessage: Handler): Promise<FanOutSubscription> {
    if (this.closed) throw new Error('fan-out closed');
    if (!this.subscribed) throw new Error('Redis fan-out unavailable: the subscriber connection is down');
    const name = this.prefix + channel;
    let entry = this.channels.get(name);
    if (!entry) {
      const created: Channel = { handlers: new Set(), active: this.subscriber.subscribe(name).then(() => {}) };
      entry = created;
      this.channels.set(name, created);
      // A failed SUBSCRIBE leaves no channel behind (unless a reconnection subscribed it meanwhile).
      created.active.catch(() => {
        if (this.channels.get(name) === created && created.handlers.size === 0) this.channels.delete(name);
      });
    }
    const current = entry;
    try {
      await current.active;
    } catch (err) {
      throw new Error(`Redis SUBSCRIBE failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    current.handlers.add(onMessage);
    let done = false;
    return {
      unsubscribe: async () => {
        if (done) return;
        done = true;
        current.handlers.delete(onMessage);
        if (current.handlers.size > 0 || this.channels.get(name) !== current) return;
        this.channels.delete(name);
        // Best effort: a connection that is down has no subscription to end (it is not renewed on reconnect).
        if (this.subscriber.status === 'ready') await this.subscriber.unsubscribe(name).catch(() => {});
      },
    };
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatchdog();
    this.channels.clear();
    await Promise.all([quit(this.publisher), quit(this.subscriber)]);
  }

  private deliver(channel: string, message: string): void {
    const entry = this.channels.get(channel);
    if (!entry) return;
    for (const handler of [...entry.handlers]) {
      try {
        handler(message);
      } catch (err) {
        this.options.log?.(`redis fan-out: a message handler threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** The subscriber connection is (back) up: subscribe every channel again, confirmed, then tell the handlers. */
  private async resubscribe(): Promise<void> {
    if (this.closed || !this.lost) return; // the first connection: open() subscribes nothing yet
    const names = [...this.channels.keys()];
    try {
      if (names.length > 0) {
        // in chunks: a spread of every channel into one call would overflow the stack past ~100,000 of them
        const chunks: string[][] = [];
        for (let i = 0; i < names.length; i += 1000) chunks.push(names.slice(i, i + 1000));
        // eslint-disable-next-line no-restricted-syntax -- 1,000 names at most per call
        const confirmed = Promise.all(chunks.map((chunk) => this.subscriber.subscribe(...chunk))).then(() => {});
        for (const name of names) {
          const entry = this.channels.get(name);
          if (entry) entry.active = confirmed;
        }
        await confirmed;
      }
    } catch (err) {
      // Lost again before Redis answered: the next 'ready' tries again.
      this.options.log?.(`redis fan-out: re-subscribing failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (this.closed || this.subscriber.status !== 'ready') return;
    this.lost = false;
    this.subscribed = true;
    this.options.log?.(`redis fan-out: subscriber connection back, ${names.length} channels subscribed again`);
    for (const handler of [...this.reconnectHandlers]) {
      try {
        handler();
      } catch (err) {
        this.options.log?.(`redis fan-out: a reconnect handler threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}
