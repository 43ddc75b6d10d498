/**
 * Several built server processes (`dist/server/main.js`, as `npm start` runs it) on one PostgreSQL schema and one
 * Redis prefix of their own, and TCP proxies in front of PostgreSQL and Redis that a test can cut and restore (the
 * machine's services are shared: a test never stops them, it cuts its own path to them).
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { spawnServer, tempDataDir, removeDir, type ChildServer } from './server.js';
import { PG_URL, REDIS_URL, freshSchema } from './services.js';

/**
 * A TCP proxy to `target` that can be cut (every connection dropped, new ones refused) and restored, or frozen
 * (connections stay open, and are accepted, but no byte passes either way: a network split) and thawed.
 */
export class CuttableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private frozen = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(port = 0): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      this.sockets.add(client).add(upstream);
      const pair: [net.Socket, net.Socket] = [client, upstream];
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
        this.pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      this.pairs.add(pair);
      if (!this.frozen) client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Drops every connection and stops listening (the service looks gone). */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** No byte passes any more, on open connections or new ones; nothing is closed. */
  freeze(): void {
    this.frozen = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Bytes pass again (what was sent meanwhile is delivered, as TCP would after a split heals). */
  thaw(): void {
    this.frozen = false;
    for (const [client, upstream] of this.pairs) {
      client.pipe(upstream).pipe(client);
      client.resume();
      upstream.resume();
    }
  }

  /** Listens again on the same port (the service is back). */
  async restore(): Promise<void> {
    await this.start(this.port);
  }
}

export interface Cluster {
  servers: ChildServer[];
  pg: CuttableProxy;
  redis: CuttableProxy;
  env: Record<string, string>;
  /** Starts one more process (or a replacement) with the cluster's settings. */
  spawn(extra?: Record<string, string>): Promise<ChildServer>;
  stop(): Promise<void>;
}

const hostPort = (url: string, defaultPort: number) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || defaultPort) };
};

export async function startCluster(processes: number, extra: Record<string, string> = {}): Promise<Cluster> {
  const schema = freshSchema('cluster');
  const pgProxy = new CuttableProxy(hostPort(PG_URL, 5432));
  const redisProxy = new CuttableProxy(hostPort(REDIS_URL, 6379));
  await pgProxy.start();
  await redisProxy.start();
  const pgUrl = new URL(PG_URL);
  pgUrl.hostname = '127.0.0.1';
  pgUrl.port = String(pgProxy.port);
  const env: Record<string, string> = {
    DATABASE_URL: pgUrl.toString(),
    DATABASE_SCHEMA: schema.schema,
    REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
    REDIS_PREFIX: `cptest:${process.pid}:${randomBytes(4).toString('hex')}:`,
    UNLOAD_DELAY_MS: '500',
    LOG_LEVEL: 'info',
    ...extra,
  };
  const dirs: string[] = [];
  const servers: ChildServer[] = [];
  const spawn = async (more: Record<string, string> = {}) => {
    const dir = tempDataDir();
    dirs.push(dir);
    const server = await spawnServer(dir, { ...env, ...more });
    servers.push(server);
    return server;
  };
  // the first migrates the schema; the others start together
  await spawn();
  await Promise.all(Array.from({ length: processes - 1 }, () => spawn()));
  return {
    servers,
    pg: pgProxy,
    redis: redisProxy,
    env,
    spawn,
    stop: async () => {
      for (const s of servers) if (s.process.exitCode === null) s.process.kill('SIGKILL');
      await Promise.all(servers.map((s) => s.exited));
      await pgProxy.cut();
      await redisProxy.cut();
      await schema.drop().catch(() => undefined);
      for (const d of dirs) removeDir(d);
    },
  };
}
