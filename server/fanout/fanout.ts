/**
 * Fan-out between server processes: a wake-up, never the record. Every process publishes what it committed (and
 * presence, revocations, sign-outs, guard notices, pad deletions); every process serving a document subscribes to
 * its channel. Delivery is best effort (Redis pub/sub loses what a disconnected subscriber misses): the database is
 * the record, and a process that sees a gap, reconnects, or hears nothing for a while catches up from it.
 *
 * Implementations: {@link LocalFanOut} (one process, in memory) and the Redis one (`REDIS_URL`).
 */

export interface FanOutSubscription {
  unsubscribe(): Promise<void>;
}

export interface FanOut {
  /** This process's id: messages carry it, so a process can skip its own. */
  readonly processId: string;
  /** What it is, for logs and /readyz. */
  readonly description: string;
  /** Whether other processes hear what is published (false in-process: a document's own wake-ups are not sent). */
  readonly crossProcess: boolean;
  /** Publishes a message to everyone subscribed to `channel` (this process included). */
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes; resolves once the subscription is active (so nothing published after it resolves is missed). */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<FanOutSubscription>;
  /** Told when the connection to the broker came back after a loss (messages may have been missed: catch up). */
  onReconnect(handler: () => void): void;
  /** Whether messages are flowing now (false while a broker is unreachable). */
  readonly healthy: boolean;
  close(): Promise<void>;
}

/** Channel names: one per section document, one per pad. */
export const channels = {
  document: (padId: string, section: string) => `cyclepad:doc:${padId}:${section}`,
  pad: (padId: string) => `cyclepad:pad:${padId}`,
};
