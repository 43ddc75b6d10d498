/** The HTTP application: API, pages and the client's static assets. */
import { Hono, type MiddlewareHandler } from 'hono';
import { compress } from 'hono/compress';
import { bodyLimit } from 'hono/body-limit';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppDeps } from './deps.js';
import { jsonError, notFound, onError } from './errors.js';
import { padRoutes } from './pad-routes.js';
import { historyRoutes } from './history-routes.js';
import { statusRoutes } from './status-routes.js';
import { sameOriginWrites, securityHeaders } from './security.js';
import { pageRoutes } from './pages.js';
import { clientAssets } from './assets.js';
import { HeavyReads } from './heavy-reads.js';
import { MAX_REQUEST_BODY_BYTES } from '../../shared/wire.js';
import { clientAddressOf, trustedProxies } from './client-address.js';

/** The built client: dist/client, whether this file runs built (dist/server/http) or from source (server/http). */
const codeRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLIENT_DIR = path.join(codeRoot, path.basename(codeRoot) === 'dist' ? 'client' : 'dist/client');

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError(onError(deps.log));
  app.notFound(notFound);
  app.use('*', securityHeaders);
  // who each request is counted as by the per-address limits (through the proxies TRUST_PROXY names)
  const trust = trustedProxies(deps.config.trustProxy);
  app.use('*', async (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (incoming) c.set('clientAddress', clientAddressOf(incoming, trust));
    await next();
  });
  app.use('/api/*', sameOriginWrites);

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const fanout = {
      fanout: deps.fanout.description,
      fanoutHealthy: deps.fanout.healthy,
      // where the rate limits count: 'redis' shared by every process, or each process's own 'memory' (Redis away)
      limits: deps.limits.shared() ? deps.limits.description : 'memory',
    };
    try {
      await deps.storage.ping();
      if (deps.health.failure && !(await deps.health.check())) {
        return c.json({ status: 'unavailable', error: `storage refuses writes: ${deps.health.failure}`, ...fanout }, 503);
      }
    } catch (err) {
      deps.log.error({ err }, 'storage not reachable');
      return c.json({ status: 'unavailable', error: 'storage not reachable', ...fanout }, 503);
    }
    // Without the fan-out a process still serves (clients converge through the database, more slowly): ready, said so.
    return c.json({ status: 'ready', storage: deps.storage.description, ...fanout });
  });
  app.get('/metrics', async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });

  app.use(
    '/api/*',
    bodyLimit({ maxSize: MAX_REQUEST_BODY_BYTES, onError: (c) => jsonError(c, 413, 'request body larger than 2 MiB') }),
  );
  // Pages and API reads are gzipped for browsers that take it (the editor page carries the pad's state, an export or
  // status.json can be hundreds of KiB); the client's assets are compressed once at build time instead. Only reads,
  // and no read carries a secret beside text others can write (BREACH): keys are shown once, in answers to POSTs.
  const gzipReads = compress({ encoding: 'gzip' });
  const compressReads: MiddlewareHandler = (c, next) => (c.req.method === 'GET' ? gzipReads(c, next) : next());
  app.use('/api/*', compressReads);
  app.use('/p/*', compressReads);
  // one limit and one queue for every read whose cost grows with the pad (pages, exports, status, history)
  const reads = new HeavyReads(deps.config.rateLimits.readsPerMinute, deps.limits);
  app.route('/api/pads', padRoutes(deps, reads));
  app.route('/api/pads', historyRoutes(deps, reads));
  app.route('/api/pads', statusRoutes(deps, reads));
  app.use('/assets/*', clientAssets(CLIENT_DIR));
  app.route('/', pageRoutes(deps, reads));
  return app;
}
