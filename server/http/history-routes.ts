/**
 * History and restore: `/api/pads/<padId>/history`, `/restore`, and the rewrite guard's notices.
 * Anyone with the pad's link views history; curators restore (both sections: a restore rewrites others' work).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { SECTIONS } from '../../shared/schema.js';
import { HistoryIndex, logBatches, stateAt, undoUpdates } from '../history.js';
import { describeZodError, fail } from './errors.js';
import { rateLimit } from './rate-limit.js';
import type { HeavyReads } from './heavy-reads.js';
import { padMiddleware, type PadEnv } from './pad-middleware.js';
import type { AppDeps } from './deps.js';
import type { GuardNoticeList, HistoryList, RestoreResult } from '../../shared/api.js';

const section = z.enum(SECTIONS, { error: 'section must be "proposed" or "ready"' });
/** A whole number written in decimal digits (not "0x10", "1e3" or " 7", which Number() would also read). */
const decimal = (what: string) => z.string().regex(/^[0-9]{1,15}$/, `${what} must be a whole number in decimal digits`).transform(Number);
const historyQuery = z.object({
  section,
  limit: decimal('limit').pipe(z.number().int().min(1).max(500)).default(100),
  before: decimal('before').pipe(z.number().int().positive()).optional(),
});
const restoreBody = z.union([
  z.object({ section, seq: z.number().int().nonnegative() }).strict(),
  // undo revisions `from`..`to` alone (a removal brought back), keeping every later change
  z
    .object({ section, undo: z.object({ from: z.number().int().positive(), to: z.number().int().positive() }).strict() })
    .strict()
    .refine((b) => b.undo.from <= b.undo.to, 'undo.from must not be after undo.to'),
  z.object({ section, session: z.string().min(1).max(200), from: z.number().int().nonnegative(), to: z.number().int().nonnegative() }).strict(),
], { error: 'body must be {"section", "seq"} (restore a revision) or {"section", "session", "from", "to"} (revert a session\'s changes in a time window)' });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) fail(400, describeZodError(result.error));
  return result.data;
}

export function historyRoutes(deps: AppDeps, heavyReads: HeavyReads): Hono<PadEnv> {
  const { storage: store, registry, notices, names } = deps;
  const { resolvePad, requireEditLink, requireCurator, curatorKeyIdOf } = padMiddleware(deps);
  const app = new Hono<PadEnv>();

  const index = new HistoryIndex(store);
  // Reading history replays (part of) the log: one of the reads that grow with the pad.
  const reads = heavyReads.middleware;

  app.get('/:ref/history', resolvePad, requireEditLink, reads, async (c) => {
    const q = parse(historyQuery, c.req.query());
    const padId = c.get('resolved').pad.id;
    await registry.peek({ padId, section: q.section })?.flush();
    const { latest, revisions } = await index.list({ padId, section: q.section }, { limit: q.limit, beforeSeq: q.before });
    // a curator's revision also names the key it was made with (its label: the name the PTL gave the delegate); for
    // curators a revoked key too (the changes a revoked delegate made are the ones a PTL looks for), which the others
    // are not told of
    const curator = (await curatorKeyIdOf(c)) !== undefined;
    const keys = (await store.listCuratorKeyLabels(padId)).filter((k) => curator || !k.revoked);
    const labels = new Map(keys.map((k) => [`curator:${k.id}`, k.revoked ? `${k.label} (revoked)` : k.label]));
    const named = (await names.withNames(padId, revisions)).map((r) => {
      const keyLabel = labels.get(r.session);
      return keyLabel === undefined ? r : { ...r, keyLabel };
    });
    return c.json({ section: q.section, latest, revisions: named } satisfies HistoryList);
  });

  app.get('/:ref/history/:seq', resolvePad, requireEditLink, reads, async (c) => {
    const s = parse(z.object({ section }), c.req.query()).section;
    const seq = parse(decimal('revision'), c.req.param('seq'));
    const ref = { padId: c.get('resolved').pad.id, section: s };
    // what the live document has not committed yet is committed first
    await registry.peek(ref)?.flush();
    // known before anything is read: a revision past the end costs one query
    if (seq > (await store.headSeq(ref))) fail(404, `no revision ${seq} in ${s}`);
    // from the history index's checkpoint when it is not past the revision: only the rows after it are replayed
    const checkpoint = await store.historyCheckpoint(ref);
    const base = checkpoint && checkpoint.seq <= seq ? checkpoint : null;
    return c.json({ section: s, ...(await stateAt(logBatches(store, ref, base?.seq ?? 0, seq), seq, base)) });
  });

  const restores = rateLimit({
    name: 'restores',
    what: 'restores of this pad',
    points: deps.config.rateLimits.restoresPerMinute,
    perSeconds: 60,
    key: (c) => c.get('resolved').pad.id,
  }, deps.limits);

  app.post('/:ref/restore', resolvePad, requireCurator, restores, async (c) => {
    const body = parse(restoreBody, await c.req.json().catch(() => fail(400, 'malformed JSON body')));
    const padId = c.get('resolved').pad.id;
    const ref = { padId, section: body.section };
    const author = { role: 'curator' as const, session: `curator:${c.get('curatorKeyId')}`, budget: deps.budgets?.for(c.get('clientAddress')) };
    const applied = await registry.use(ref, async (document) => {
      await document.flush();
      // the live document has every logged row (other processes' too) before the undo is computed against the log
      await document.catchUpNow();
      const last = await store.headSeq(ref);
      if ('seq' in body && body.seq > last) fail(404, `no revision ${body.seq} in ${body.section}`);
      if ('undo' in body && body.undo.to > last) fail(404, `no revision ${body.undo.to} in ${body.section}`);
      // the log up to now, replayed in steps (other pads' work goes on meanwhile); what arrives during it is kept
      const log = logBatches(store, ref, 0, last);
      const undo = 'seq' in body
        ? await undoUpdates(log, (u) => u.seq > body.seq)
        : 'undo' in body
          ? await undoUpdates(log, (u) => u.seq >= body.undo.from && u.seq <= body.undo.to)
          : await undoUpdates(log, (u) => u.session === body.session && u.at >= body.from && u.at <= body.to);
      if (!undo) return false;
      // no revision for an undo that changes nothing shown; else the same admission as any write: schema, role, size
      // (measured exactly), storage
      const changed = document.submit(author, undo);
      await document.flush();
      return changed;
    });
    if ('session' in body) await notices.remove(padId, (n) => n.section === body.section && n.session === body.session);
    return c.json({ applied } satisfies RestoreResult);
  });

  app.get('/:ref/guard', resolvePad, requireCurator, async (c) => c.json({ notices: await notices.list(c.get('resolved').pad.id) } satisfies GuardNoticeList));

  app.delete('/:ref/guard/:id', resolvePad, requireCurator, async (c) => {
    if (!(await notices.remove(c.get('resolved').pad.id, (n) => n.id === c.req.param('id')))) fail(404, 'no such notice');
    return c.json({ dismissed: c.req.param('id') });
  });

  return app;
}
