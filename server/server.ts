/** Wires the pieces together and starts the HTTP + sync server. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import type { SqliteStore } from './storage/sqlite-store.js';
import { SqliteStorage } from './storage/sqlite-storage.js';
import { WriteBudgets } from './sync/write-budget.js';
import type { Storage } from './storage/storage.js';
import type { FanOut } from './fanout/fanout.js';
import { openFanOut, openLimits, openStorage } from './storage/open.js';
import { PadDirectory } from './pads.js';
import { CuratorKeys } from './auth/curator-keys.js';
import { CuratorSessions } from './auth/sessions.js';
import { Identifier } from './auth/identify.js';
import { DocumentRegistry } from './sync/document-registry.js';
import { SyncServer } from './sync/sync-server.js';
import { createApp } from './http/app.js';
import { GuardNotices } from './guard-notices.js';
import { SessionNames } from './session-names.js';
import { Metrics } from './metrics.js';
import { StorageHealth } from './storage/health.js';
import { PadEvents } from './events.js';
import { OverloadMonitor } from './overload.js';
import { StatusService } from './status/service.js';

export interface RunningServer {
  url: string;
  port: number;
  /** Where everything is kept (SQLite or PostgreSQL). */
  storage: Storage;
  /** The embedded SQLite store, read synchronously by tests and tools; throws when the storage is PostgreSQL. */
  store: SqliteStore;
  /** The fan-out between processes (in-process without REDIS_URL). */
  fanout: FanOut;
  registry: DocumentRegistry;
  sync: SyncServer;
  log: Logger;
  /** Key revocations, sign-outs and deletions, as the HTTP routes emit them. */
  events: PadEvents;
  /** Live review status (polling Gerrit and Launchpad, notices, status.json). */
  status: StatusService;
  /** Stops accepting, closes sockets with `code`, flushes every document and closes storage. */
  close(code?: number): Promise<void>;
}

export interface ServerParts {
  /** A SQLite store to use (tests inject faults through a proxy of one). */
  store?: SqliteStore;
  /** Storage other than what the configuration says. */
  storage?: Storage;
  /** Fan-out other than what the configuration says. */
  fanout?: FanOut;
}

/** A stand-in for `RunningServer.store` when the storage is not SQLite. */
const noSyncStore = new Proxy({} as SqliteStore, {
  get() {
    throw new Error('this server stores in PostgreSQL: use `storage` (asynchronous), not `store`');
  },
});

export async function startServer(
  config: Config,
  log: Logger = pino({ level: config.logLevel }),
  parts: ServerParts = {},
): Promise<RunningServer> {
  const store = parts.storage ?? (parts.store ? new SqliteStorage(parts.store, config.dataDir) : await openStorage(config));
  const fanout = parts.fanout ?? (await openFanOut(config));
  const limits = await openLimits(config, log);
  const pads = new PadDirectory(store, await store.serverSecret());
  const curatorKeys = new CuratorKeys(store);
  const sessions = new CuratorSessions(store);
  const identifier = new Identifier(curatorKeys, sessions, pads);
  const events = new PadEvents();
  await events.connect(fanout);
  const notices = new GuardNotices(store, events, log);
  const names = new SessionNames(store, log);
  // eslint-disable-next-line prefer-const -- assigned below, once the metrics it reports to exist
  let sync: SyncServer;
  const metrics: Metrics = new Metrics({
    connectionsByRole: () => {
      const counts = { viewer: 0, contributor: 0, curator: 0 };
      for (const c of sync.connections) counts[c.role]++;
      return counts;
    },
    padsLoaded: (): number => registry.loaded().length,
  });
  const health = new StorageHealth(store);
  const registry = new DocumentRegistry(store, fanout, log, {
    metrics,
    health,
    maxDocumentBytes: config.maxDocumentBytes,
    unloadDelayMs: config.unloadDelayMs,
    snapshotEvery: config.snapshotEvery,
    onQuarantine: (ref, notice) => {
      notices.add(ref.padId, notice).catch((err: unknown) => log.error({ err }, 'could not store a guard notice'));
    },
    onPadGone: (padId) => {
      notices.forget(padId);
      names.forget(padId);
    },
    names,
    curatorLive:
      store instanceof SqliteStorage
        ? (peer) =>
            peer.curatorKeyId !== undefined &&
            store.sync.isCuratorKeyLive(peer.curatorKeyId) &&
            (peer.sessionTokenHash === undefined || store.sync.isSessionLive(peer.sessionTokenHash, Date.now()))
        : undefined,
  });
  notices.attach(registry);
  const status = new StatusService(store, fanout, registry, log, config.status ?? { pollSeconds: 0, gerritUrl: 'https://review.opendev.org', launchpadUrl: 'https://api.launchpad.net/devel' });
  await status.start();
  const overload = new OverloadMonitor({ maxLagMs: config.maxEventLoopLagMs });
  const budgets = new WriteBudgets(config.maxWriteBytesPerHour);
  sync = new SyncServer(
    pads,
    identifier,
    registry,
    log,
    {
      maxMessageBytes: config.maxMessageBytes,
      guard: config.guard,
      maxConnectionsPerAddress: config.maxConnectionsPerAddress,
      trustProxy: config.trustProxy,
      maxMessagesPerSecond: config.maxMessagesPerSecond,
      maxBytesPerSecond: config.maxBytesPerSecond,
      keepaliveMs: config.keepaliveMs,
    },
    { events, overload, notices, status, curatorCheck: { keys: curatorKeys, sessions, everyMs: 2000 }, budgets },
  );
  const app = createApp({ config, log, storage: store, fanout, limits, pads, curatorKeys, sessions, identifier, registry, notices, names, metrics, health, events, status, budgets });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  server.on('upgrade', sync.handleUpgrade);
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, storage: store.description, fanout: fanout.description }, 'cyclepad listening');

  let closing: Promise<void> | undefined;
  const close = (code = 1001) =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      sync.closeAll(code, code === 1012 ? 'server restarting' : 'server shutting down');
      server.closeAllConnections();
    }).then(async () => {
      overload.close();
      budgets.close();
      health.close();
      await status.close();
      await registry.closeAll();
      await names.close();
      await fanout.close();
      await limits.close();
      await store.close();
    }));

  const syncStore = store instanceof SqliteStorage ? store.sync : noSyncStore;
  return { url, port, storage: store, store: syncStore, fanout, registry, sync, log, events, status, close };
}
