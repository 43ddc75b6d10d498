/** The pad API: `/api/pads`. */
import { isAllText, isText, parsePadJson } from '../pad-json.js';
import { MAX_IMPORT_ENTRIES } from '../../shared/wire.js';
import { claimsPtl, isCleanText } from '../../shared/presence.js';
import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { padNameSchema } from '../../shared/pad-name.js';
import type { ResolvedPad } from '../pads.js';
import { exportPad } from '../pad-export.js';
import { ImportNeedsCurator, importPad } from '../pad-import.js';
import { importAuthor, importerName, rememberImporter } from './importer.js';
import { ImportFormatError, parseEtherpadText, toEtherpadText, toMarkdown } from '../../shared/etherpad-format.js';
import { SESSION_TTL_MS } from '../auth/sessions.js';
import { describeZodError, fail } from './errors.js';
import { WriteRefused } from '../sync/admission.js';
import { RateLimit, padClientKey, rateLimit } from './rate-limit.js';
import type { HeavyReads } from './heavy-reads.js';
import { PadGone } from '../sync/document-registry.js';
import type { AppDeps } from './deps.js';
import type { ApiError, CreatedPad, DelegateIssued, DelegateList, DelegateRevoked, SessionInfo, SignedIn } from '../../shared/api.js';

import { padMiddleware, type PadEnv } from './pad-middleware.js';

type Env = PadEnv;

/** zod validation of a JSON body; a failure is a 400 with what was wrong. */
const jsonBody = <T extends z.ZodType>(schema: T) =>
  zValidator('json', schema, (result) => {
    if (!result.success) fail(400, describeZodError(result.error));
  });


const importBody = z.object({
  text: z.string({ error: 'text must be a string' }),
  name: importerName,
  /** A curator replaces the pad's cycle header with the import's (by default the pad's own is kept). */
  replaceHeader: z.boolean({ error: 'replaceHeader must be true or false' }).optional(),
  /** Only the cycle header is taken from the text (a curator replacing the header after an import kept the pad's). */
  headerOnly: z.boolean({ error: 'headerOnly must be true or false' }).optional(),
  /** Only the proposed entries are taken from the text (a contributor's import of a pad that has a ready list). */
  proposedOnly: z.boolean({ error: 'proposedOnly must be true or false' }).optional(),
});
const createPadBody = z.object({ name: padNameSchema }, { error: 'body must be a JSON object' });
const loginBody = z.object({ key: z.string({ error: 'key must be a string' }).min(1).max(200) });
const delegateBody = z.object({
  label: z
    .string({ error: 'label must be a string' })
    .trim()
    .min(1, 'label must not be empty')
    .max(80)
    // shown to curators and in history beside what the key did: held to what a shown name may carry
    .refine((label) => isCleanText(label, 80), 'label must not contain control, format, invisible or blank characters, or stacks of accents')
    // (the PTL's key is labelled "PTL": no delegate's key reads as it, in the key list or in history)
    .refine((label) => !claimsPtl(label), 'label must not name the PTL: that is the PTL key\'s own label'),
});

export function padRoutes(deps: AppDeps, reads: HeavyReads): Hono<Env> {
  const { pads, curatorKeys, sessions, identifier, registry, config, events } = deps;
  const app = new Hono<Env>();
  /**
   * Failed sign-ins, per (pad, address), 10 in each minute's window. A correct key is never refused: it is checked
   * first, and only a wrong one can get 429. Keys are 192 random bits, so guessing is hopeless at any rate; this
   * limit only tells a client hammering a pad with wrong keys to stop (each wrong key still costs one hash and one
   * lookup: checking the limit first would refuse correct keys too). It is per pad so that one client's failures on
   * one pad never slow the curators of another.
   */
  const signInFailures = new RateLimit(
    { name: 'sign-in-failures', what: 'failed sign-ins on this pad from this address', points: 10, perSeconds: 60 },
    deps.limits,
  );

  const padUrls = (origin: string, padId: string, readOnlyRef: string) => ({
    editUrl: `${origin}/p/${encodeURIComponent(padId)}`,
    readOnlyUrl: `${origin}/p/${readOnlyRef}`,
  });

  const { resolvePad, requireCurator, curatorKeyIdOf } = padMiddleware(deps);

  const limits = config.rateLimits;
  const padCreation = rateLimit({ name: 'pad-creations', what: 'pad creations from this address', points: limits.padsPerHour, perSeconds: 3600 }, deps.limits);
  const imports = rateLimit({
    name: 'imports',
    what: 'imports into this pad from this address',
    points: limits.importsPerMinute,
    perSeconds: 60,
    key: (c) => padClientKey(c, c.get('resolved').pad.id),
  }, deps.limits);

  app.post('/', padCreation, jsonBody(createPadBody), async (c) => {
    const { name } = c.req.valid('json');
    const created = await pads.create(name);
    if (!created) fail(409, `a pad named "${name}" already exists`);
    const origin = new URL(c.req.url).origin;
    return c.json(
      { padId: created.pad.id, ...padUrls(origin, created.pad.id, created.readOnlyRef), curatorKey: created.curatorKey } satisfies CreatedPad,
      201,
    );
  });

  const padExport = (c: { get: (k: 'resolved') => ResolvedPad; req: { param: (k: 'ref') => string } }) => {
    const { pad, readOnly } = c.get('resolved');
    return exportPad(registry, pad.id, readOnly ? c.req.param('ref') : pad.id);
  };
  /** The cached live status of what the pad links to, for the txt/md exports (null when status is off or unreadable). */
  const cachedStatus = async (padId: string) => {
    if (!deps.status?.enabled) return null;
    return deps.status.padStatus(padId).catch((err: unknown) => {
      deps.log.warn({ err }, 'export: could not read the status cache');
      return null;
    });
  };
  const attachment = (name: string) => `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`;

  app.get('/:ref/export.json', resolvePad, reads.middleware, async (c) => c.json(await padExport(c)));

  app.get('/:ref/export.txt', resolvePad, reads.middleware, async (c) => {
    const pad = await padExport(c);
    c.header('Content-Disposition', attachment(`${pad.name}.txt`));
    return c.text(toEtherpadText(pad, await cachedStatus(c.get('resolved').pad.id)));
  });

  app.get('/:ref/export.md', resolvePad, reads.middleware, async (c) => {
    const pad = await padExport(c);
    c.header('Content-Type', 'text/markdown; charset=UTF-8');
    c.header('Content-Disposition', attachment(`${pad.name}.md`));
    return c.body(toMarkdown(pad, await cachedStatus(c.get('resolved').pad.id)));
  });

  /**
   * Import (raw text/plain, or JSON `{"text"}`) of an Etherpad text export or of cyclepad's own JSON export: all or
   * nothing; `ready` entries need a curator.
   */
  app.post('/:ref/import', resolvePad, imports, async (c) => {
    const { pad, readOnly } = c.get('resolved');
    if (readOnly) fail(403, 'read-only links cannot import');
    let text: string;
    let name: string | undefined;
    let replaceHeader: boolean | undefined;
    let headerOnly: boolean | undefined;
    let proposedOnly: boolean | undefined;
    if ((c.req.header('content-type') ?? '').includes('application/json')) {
      const json: unknown = await c.req.json().catch(() => fail(400, 'malformed JSON body'));
      // a pad's JSON export posted as it is, not wrapped in {"text"}
      const exported = typeof json === 'object' && json !== null && !Array.isArray(json) && !('text' in json) && 'sections' in json;
      const body = importBody.safeParse(exported ? { text: JSON.stringify(json) } : json);
      if (!body.success) fail(400, describeZodError(body.error));
      ({ text, name, replaceHeader, headerOnly, proposedOnly } = body.data);
      if (headerOnly && proposedOnly) fail(400, 'headerOnly and proposedOnly cannot both be asked for');
    } else {
      // (not c.req.text(): it turns bytes that are not UTF-8 into U+FFFD, which would be imported as text)
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer());
      } catch {
        fail(400, 'the import is not UTF-8 text; nothing was imported');
      }
    }
    // text is text however it came (a JSON string may carry a NUL or half a surrogate pair, which no file holds)
    const notText = 'the import holds characters that are not text (a NUL, or half of a character); nothing was imported';
    if (!isText(text)) fail(400, notText);
    let parsed;
    try {
      parsed = parsePadJson(text) ?? parseEtherpadText(text);
    } catch (err) {
      if (err instanceof ImportFormatError) fail(400, `${err.message}; nothing was imported`);
      throw err;
    }
    // and however it was read (the Etherpad text's escapes, JSON's, can write such characters too)
    if (!isAllText(parsed)) fail(400, notText);
    if (headerOnly) {
      // the entries are left out (any deleted since the first import must not come back with the header)
      if (!parsed.meta.title && parsed.meta.milestones.length === 0 && parsed.meta.preamble.length === 0) fail(400, 'nothing to import: the text has no cycle header');
      parsed = { ...parsed, sections: { proposed: [], ready: [] } };
    }
    if (proposedOnly) {
      // the proposed entries alone: no ready entries, and no header (which lives with the ready list)
      parsed = { meta: { title: '', milestones: [], preamble: [] }, sections: { proposed: parsed.sections.proposed, ready: [] } };
    }
    const count = parsed.sections.proposed.length + parsed.sections.ready.length;
    if (count === 0 && !headerOnly) fail(400, 'nothing to import: no entries found (expected "* <launchpad link> [title] (owner)" bullets)');
    if (count > MAX_IMPORT_ENTRIES) fail(413, `an import may hold at most ${MAX_IMPORT_ENTRIES} entries (this one has ${count}): import it in parts; nothing was imported`);
    const keyId = await curatorKeyIdOf(c);
    const author = importAuthor(keyId, deps.budgets?.for(c.get('clientAddress')));
    try {
      const report = await importPad(registry, pad.id, parsed, author, { replaceHeader });
      rememberImporter(deps.names, pad, author.session, name, report);
      return c.json(report, 201);
    } catch (err) {
      if (err instanceof ImportNeedsCurator) return c.json({ error: err.message, code: 'ready-needs-curator' } satisfies ApiError, 403);
      if (err instanceof WriteRefused || err instanceof PadGone) throw err; // refused before anything was applied
      deps.log.error({ err, pad: pad.id }, 'import failed in storage');
      fail(503, 'storage failed during the import; nothing was imported');
    }
  });

  /** Who am I on this pad (the page asks, since the sign-in cookie is HttpOnly). */
  app.get('/:ref/session', resolvePad, async (c) => {
    const resolved = c.get('resolved');
    // Sign-in is never offered or reported through the mirror: nothing of it may name the pad there.
    if (resolved.readOnly) fail(403, 'read-only links have no sign-in session');
    const identity = await identifier.identify(resolved, { cookieHeader: c.req.header('cookie') });
    const origin = new URL(c.req.url).origin;
    return c.json({ role: identity.role, readOnlyUrl: padUrls(origin, resolved.pad.id, pads.readOnlyRef(resolved.pad)).readOnlyUrl } satisfies SessionInfo);
  });

  app.post('/:ref/login', resolvePad, jsonBody(loginBody), async (c) => {
    const { pad, readOnly } = c.get('resolved');
    if (readOnly) fail(403, 'read-only links cannot sign in');
    const record = await curatorKeys.verify(pad.id, c.req.valid('json').key);
    if (!record) {
      const refused = await signInFailures.spend(c, padClientKey(c, pad.id));
      if (refused) return refused;
      fail(401, 'that key is not a curator key of this pad');
    }
    const token = await sessions.open(pad.id, record.id);
    setCookie(c, pads.sessionCookieName(pad.id), token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: config.secureCookies,
      path: '/',
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
    return c.json({ role: 'curator', label: record.label } satisfies SignedIn);
  });

  app.post('/:ref/logout', resolvePad, async (c) => {
    const { pad, readOnly } = c.get('resolved');
    if (readOnly) fail(403, 'read-only links cannot sign out');
    const name = pads.sessionCookieName(pad.id);
    const tokenHash = await sessions.close(getCookie(c, name));
    if (tokenHash) events.publish('sessionClosed', { padId: pad.id, tokenHash });
    deleteCookie(c, name, { path: '/', secure: config.secureCookies });
    return c.json({ role: 'contributor' } satisfies SignedIn);
  });

  app.get('/:ref/curators', resolvePad, requireCurator, async (c) => {
    const { pad } = c.get('resolved');
    return c.json({
      curators: (await curatorKeys.list(pad.id))
        .map(({ id, label, createdAt, createdBy, ptl }) => ({ id, label, createdAt, createdBy, ptl })),
    } satisfies DelegateList);
  });

  app.post('/:ref/curators', resolvePad, requireCurator, jsonBody(delegateBody), async (c) => {
    const { pad } = c.get('resolved');
    const issued = await curatorKeys.delegate(pad.id, c.req.valid('json').label, c.get('curatorKeyId'));
    return c.json({ id: issued.record.id, label: issued.record.label, key: issued.key } satisfies DelegateIssued, 201);
  });

  app.delete('/:ref/curators/:id', resolvePad, requireCurator, async (c) => {
    const { pad } = c.get('resolved');
    const target = c.req.param('id');
    const refusal = await curatorKeys.revokeRefusal(pad.id, c.get('curatorKeyId'), target);
    if (refusal === 'not-found') fail(404, 'no such curator key');
    if (refusal === 'ptl') {
      fail(403, "the PTL key cannot be revoked here: it is replaced only with the admin command line (cyclepad reset-ptl <pad>)");
    }
    if (refusal === 'not-yours') fail(403, 'a delegate may revoke only the keys it made (and the keys made under them)');
    if ((await curatorKeys.list(pad.id)).length === 1) fail(409, 'this is the last curator key of the pad; delegate another before revoking it');
    const keyIds = await curatorKeys.revoke(pad.id, target);
    if (keyIds.length > 0) events.publish('keysRevoked', { padId: pad.id, keyIds });
    return c.json({ revoked: target, keyIds } satisfies DelegateRevoked);
  });

  return app;
}
