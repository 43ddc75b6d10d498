/**
 * Who an import is by, for both import routes (Etherpad text, Gerrit): a curator (by key) or a contributor session of
 * its own; and the name the person goes by in the page, sent with the import, so history names them ("Alice
 * (contributor:g2MQ…)") as it names those who write through their sockets. The name is checked as a presence name
 * is (self-chosen, shown beside the session it came with, never as the server's word).
 */
import { z } from 'zod';
import { NAME_RULE, isValidName } from '../../shared/presence.js';
import { newId } from '../auth/secrets.js';
import type { PadRecord } from '../storage/store.js';
import type { SessionNames } from '../session-names.js';
import type { ImportReport } from '../../shared/api.js';
import type { WriteBudget } from '../sync/write-budget.js';

export const importerName = z
  .string({ error: 'name must be a string' })
  .refine(isValidName, NAME_RULE)
  .optional();

/** `budget`: what the importer's address may still write to the logs (an import is a write like any other). */
export const importAuthor = (curatorKeyId: string | undefined, budget: WriteBudget | undefined) =>
  curatorKeyId
    ? { role: 'curator' as const, session: `curator:${curatorKeyId}`, curator: true, budget }
    : { role: 'contributor' as const, session: `contributor:${newId(6)}`, curator: false, budget };

/** After an import was stored: history names its session by the name sent with it (when it wrote anything). */
export function rememberImporter(names: SessionNames, pad: PadRecord, session: string, name: string | undefined, report: ImportReport): void {
  if (!name || (report.created.proposed + report.created.ready === 0 && report.header !== 'meta')) return;
  names.record(pad.id, pad.readOnlyNonce, session, name);
  names.wrote(pad.id, pad.readOnlyNonce, session);
}
