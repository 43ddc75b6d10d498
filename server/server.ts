/** Wires the pieces together and starts the HTTP + sync server. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { SqliteStore } from './storage/sqlite-store.js';
import type { PadStore } from './storage/store.js';
import { loadServerSecret } from './auth/secrets.js';
import { PadDirectory } from './pads.js';
import { CuratorKeys } from './auth/curator-keys.js';
import { CuratorSessions } from './auth/sessions.js';
import { Identifier } from './auth/identify.js';
import { DocumentRegistry } from './sync/document-registry.js';
import { SyncServer } from './sync/sync-server.js';
import { createApp } from './http/app.js';
import { GuardNotices } from './guard-notices.js';
import { Metrics } from './metrics.js';
import { StorageHealth } from './storage/health.js';
import { PadEvents } from './events.js';
import { OverloadMonitor } from './overload.js';

export interface RunningServer {
  url: string;
  port: number;
  store: PadStore;
  registry: DocumentRegistry;
  sync: SyncServer;
  log: Logger;
  /** Key revocations, sign-outs and deletions, as the HTTP routes emit them. */
  events: PadEvents;
  /** Stops accepting, closes sockets with `code`, flushes every document and closes storage. */
  close(code?: number): Promise<void>;
}

export interface ServerParts {
  /** Storage other than the embedded SQLite default (tests inject faults through this). */
  store?: PadStore;
}

export async function startServer(
  config: Config,
  log: Logger = pino({ level: config.logLevel }),
  parts: ServerParts = {},
): Promise<RunningServer> {
  const store = parts.store ?? new SqliteStore(config.dataDir);
  const pads = new PadDirectory(store, loadServerSecret(config.dataDir));
  const curatorKeys = new CuratorKeys(store);
  const sessions = new CuratorSessions(store);
  const identifier = new Identifier(curatorKeys, sessions, pads);
  const events = new PadEvents();
  const notices = new GuardNotices();
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
  const registry = new DocumentRegistry(store, log, {
    metrics,
    health,
    maxDocumentBytes: config.maxDocumentBytes,
    unloadDelayMs: config.unloadDelayMs,
    snapshotEvery: config.snapshotEvery,
    onQuarantine: (ref, notice) => notices.add(ref.padId, notice),
    onPadGone: (padId) => notices.forget(padId),
    curatorLive: (peer) =>
      peer.curatorKeyId !== undefined &&
      store.isCuratorKeyLive(peer.curatorKeyId) &&
      (peer.sessionTokenHash === undefined || store.isSessionLive(peer.sessionTokenHash, Date.now())),
  });
  notices.attach(registry);
  const overload = new OverloadMonitor({ maxLagMs: config.maxEventLoopLagMs });
  sync = new SyncServer(
    pads,
    identifier,
    registry,
    log,
    {
      maxMessageBytes: config.maxMessageBytes,
      guard: config.guard,
      maxConnectionsPerAddress: config.maxConnectionsPerAddress,
      maxMessagesPerSecond: config.maxMessagesPerSecond,
    },
    { events, overload, notices },
  );
  const app = createApp({ config, log, store, pads, curatorKeys, sessions, identifier, registry, notices, metrics, health, events });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  server.on('upgrade', sync.handleUpgrade);
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, dataDir: config.dataDir }, 'cyclepad listening');

  let closing: Promise<void> | undefined;
  const close = (code = 1001) =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      sync.closeAll(code, code === 1012 ? 'server restarting' : 'server shutting down');
      server.closeAllConnections();
    }).then(() => {
      overload.close();
      health.close();
      registry.closeAll();
      store.close();
    }));

  return { url, port, store, registry, sync, log, events, close };
}
