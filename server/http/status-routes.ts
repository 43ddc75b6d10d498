/**
 * Live review status over HTTP:
 * - `GET /api/pads/<padRef>/status.json`: the status of everything the pad links to (shared/status.ts), through the
 *   edit link or the mirror (`r.<token>`: nothing in it names the pad);
 * - `POST /api/pads/<pad>/import-gerrit` `{"query"}`: "Add from Gerrit" (server/status/import-gerrit.ts).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { describeZodError, fail } from './errors.js';
import { padClientKey, rateLimit } from './rate-limit.js';
import { importAuthor, importerName, rememberImporter } from './importer.js';
import type { HeavyReads } from './heavy-reads.js';
import { padMiddleware, type PadEnv } from './pad-middleware.js';
import type { AppDeps } from './deps.js';
import { emptyStatus } from '../../shared/status.js';
import { changeRows, importGerrit, MAX_QUERY_LENGTH, queryChanges, queryProblem } from '../status/import-gerrit.js';
import { FetchFailed } from '../status/host-client.js';
import { MalformedResponse } from '../status/text.js';
import { WriteRefused } from '../sync/admission.js';
import { PadGone } from '../sync/document-registry.js';

const importBody = z.object({ query: z.string({ error: 'query must be a string' }).max(MAX_QUERY_LENGTH * 4), name: importerName }, { error: 'body must be a JSON object' });

export function statusRoutes(deps: AppDeps, reads: HeavyReads): Hono<PadEnv> {
  const app = new Hono<PadEnv>();
  const { resolvePad, curatorKeyIdOf } = padMiddleware(deps);
  const imports = rateLimit({
    name: 'gerrit-imports',
    what: 'imports from Gerrit into this pad from this address',
    points: deps.config.rateLimits.importsPerMinute,
    perSeconds: 60,
    key: (c) => padClientKey(c, c.get('resolved').pad.id),
  }, deps.limits);

  app.get('/:ref/status.json', resolvePad, reads.middleware, async (c) => {
    const { pad } = c.get('resolved');
    c.header('Cache-Control', 'no-cache');
    if (!deps.status) return c.json(emptyStatus(false));
    return c.json(await deps.status.padStatus(pad.id));
  });

  app.post('/:ref/import-gerrit', resolvePad, imports, async (c) => {
    const { pad, readOnly } = c.get('resolved');
    if (readOnly) fail(403, 'read-only links cannot import');
    const status = deps.status;
    if (!status?.enabled) fail(503, 'this server does not fetch from Gerrit (STATUS_POLL_SECONDS=0)');
    const body = importBody.safeParse(await c.req.json().catch(() => fail(400, 'malformed JSON body')));
    if (!body.success) fail(400, describeZodError(body.error));
    const query = body.data.query.trim();
    const problem = queryProblem(query);
    if (problem) fail(400, `${problem}; nothing was imported`);
    let found;
    try {
      // only the configured Gerrit is asked; the query is a parameter, never a URL
      found = await queryChanges(status.gerrit, query);
    } catch (err) {
      if (err instanceof FetchFailed || err instanceof MalformedResponse) {
        deps.log.warn({ error: err.message }, 'import from Gerrit: the query failed');
        fail(502, `Gerrit did not answer the query (${err.message}); nothing was imported`);
      }
      throw err;
    }
    if (found.changes.length === 0) fail(400, 'no changes match that query; nothing was imported');
    const keyId = await curatorKeyIdOf(c);
    const author = importAuthor(keyId, deps.budgets?.for(c.get('clientAddress')));
    let report;
    try {
      report = await importGerrit(deps.registry, pad.id, query, found.changes, found.truncated, author);
    } catch (err) {
      if (err instanceof WriteRefused || err instanceof PadGone) throw err;
      deps.log.error({ err, pad: pad.id }, 'import from Gerrit failed in storage');
      fail(503, 'storage failed during the import; nothing was imported');
    }
    rememberImporter(deps.names, pad, author.session, body.data.name, report);
    // what the query brought is fresh status: the new chips show it at once
    await status.store(changeRows(found.changes, Date.now(), Math.max(1000, (deps.config.status?.pollSeconds ?? 300) * 1000))).catch((err: unknown) =>
      deps.log.warn({ err }, 'could not cache the imported changes'),
    );
    return c.json(report, 201);
  });

  return app;
}
