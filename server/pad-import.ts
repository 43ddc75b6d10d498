/**
 * Importing an Etherpad text export into a pad: all or nothing. Both sections are changed and committed in one
 * storage transaction (they are queued in one turn: the group commit takes them together), and broadcast only
 * after it succeeded; if storage fails, the in-memory documents are
 * dropped (their peers resync) and nothing of the import remains anywhere.
 */
import * as Y from 'yjs';
import { generateNKeysBetween } from 'fractional-indexing';
import { createEntry, entriesOf, entryToJSON, metaOf, metaToJSON, newEntryId, sectionToJSON, type Section } from '../shared/schema.js';
import { entryIdentityKeys } from '../shared/links.js';
import { entryLabel } from '../shared/labels.js';
import type { PadText, PlainEntry } from '../shared/etherpad-format.js';
import { lastRank } from '../shared/ordering.js';
import type { DocumentRegistry } from './sync/document-registry.js';
import type { Author, ServerChange } from './sync/section-document.js';
import type { ImportReport } from '../shared/api.js';

export type { ImportReport } from '../shared/api.js';

/** What makes an entry "the same" as another for an import: its links' identities, or its text if it has none. */
function identityKeys(e: Pick<PlainEntry, 'kind' | 'title' | 'launchpad' | 'owner' | 'reviews' | 'note'>): string[] {
  const keys = entryIdentityKeys(e);
  return keys.length > 0 ? keys : [`text:${JSON.stringify([e.kind, e.title.trim(), e.owner.trim(), e.note.trim()])}`];
}

/**
 * The import would add entries to the ready list, and its author is not a curator: nothing is imported. Entries the
 * pad already has do not count (a contributor may import the pad's own export: everything in it is skipped).
 */
export class ImportNeedsCurator extends Error {
  constructor(readonly readyEntries: number) {
    super(
      `this import would add ${readyEntries} ${readyEntries === 1 ? 'entry' : 'entries'} to the Ready to review list, which only curators change: sign in as a curator to import it, or import only its Proposed patches part; nothing was imported`,
    );
  }
}

/** Whether a cycle header (an import's, or the pad's own) says anything. */
const hasHeader = (meta: Pick<PadText['meta'], 'title' | 'milestones' | 'preamble'>) =>
  Boolean(meta.title.trim()) || meta.milestones.length > 0 || meta.preamble.length > 0;

export async function importPad(
  registry: DocumentRegistry,
  padId: string,
  parsed: PadText,
  author: Author & { curator: boolean },
  options: { replaceHeader?: boolean } = {},
): Promise<ImportReport> {
  const report: ImportReport = { created: { proposed: 0, ready: 0 }, skipped: [], entries: [], header: 'none' };
  const proposedEntries: PlainEntry[] = [...parsed.sections.proposed];
  const refs = { proposed: { padId, section: 'proposed' as const }, ready: { padId, section: 'ready' as const } };
  const proposed = await registry.open(refs.proposed);
  let ready;
  try {
    ready = await registry.open(refs.ready);
  } catch (err) {
    registry.release(refs.proposed);
    throw err;
  }
  // A header the pad already has (its own export, imported back) is not imported again, as a note or otherwise.
  const header = hasHeader(parsed.meta) && !sameHeader(parsed, ready.doc);
  // A pad's own cycle header (set by its PTL) is never replaced by an import's unless a curator asks for it.
  const kept = header && hasHeader(metaToJSON(ready.doc)) && !(options.replaceHeader && author.curator);
  // A contributor cannot write the cycle header (it lives in `ready`): its lines become a note, not lost.
  let headerNote: PlainEntry | null = null;
  if (kept) {
    report.header = 'kept';
    report.headerKept = { title: parsed.meta.title, replaceable: author.curator };
  } else if (header && !author.curator) {
    const lines = [
      parsed.meta.title,
      ...parsed.meta.milestones.map((m) => `${m.label}: ${m.date}`),
      ...parsed.meta.preamble.map((l) => l.trim()),
    ].filter(Boolean);
    headerNote = { kind: 'other', title: 'Imported header', launchpad: '', owner: '', reviews: [], note: lines.join('\n'), status: 'open' };
    proposedEntries.unshift(headerNote);
  } else if (header) report.header = 'meta';

  // Entries the pad already has (either section) are skipped, so importing the same export twice changes nothing.
  const known = new Map<string, Section>();
  for (const [section, doc] of [['ready', ready.doc], ['proposed', proposed.doc]] as const) {
    for (const e of sectionToJSON(doc)) for (const k of identityKeys(e)) if (!known.has(k)) known.set(k, section);
  }
  const fresh = (section: Section, list: PlainEntry[]) =>
    list.filter((e) => {
      const key = identityKeys(e).find((k) => known.has(k));
      if (key === undefined) return true;
      report.skipped.push({ section, title: entryLabel(e), key, existing: known.get(key)! });
      return false;
    });
  const newProposed = fresh('proposed', proposedEntries);
  // (the note of the header is reported only when it is written: imported again, it is skipped like any entry)
  if (headerNote && newProposed.includes(headerNote)) report.header = 'note';
  const newReady = fresh('ready', parsed.sections.ready);
  if (newReady.length > 0 && !author.curator) {
    registry.release(refs.proposed);
    registry.release(refs.ready);
    throw new ImportNeedsCurator(newReady.length);
  }
  const addedAt = Date.now();
  // Ids for what is created, so a promoted entry and its ready copy, both imported (from a JSON export), are linked
  // again: a proposed entry only to a ready entry of the import and back. A link to anything else (an entry not
  // created here, one of its own section, itself) is dropped; of two entries giving one id, the first is linked.
  const ids = new Map<PlainEntry, string>();
  const created = { proposed: new Map<string, string>(), ready: new Map<string, string>() };
  for (const [section, list] of [['proposed', newProposed], ['ready', newReady]] as const) {
    for (const e of list) {
      const id = newEntryId();
      ids.set(e, id);
      if (e.exported && !created[section].has(e.exported.id)) created[section].set(e.exported.id, id);
    }
  }
  const linked = (section: Section, exportedId: string | null | undefined) => (exportedId ? (created[section].get(exportedId) ?? null) : null);
  const add = (section: Section, doc: Y.Doc, list: PlainEntry[], ranks: (string | null)[]) => {
    const maps = list.map(({ exported, ...fields }, i) =>
      createEntry({
        ...fields,
        id: ids.get(list[i]!)!,
        promotedTo: section === 'proposed' ? linked('ready', exported?.promotedTo) : null,
        promotedFrom: section === 'ready' ? linked('proposed', exported?.promotedFrom) : null,
        addedBy: 'import',
        addedAt,
        rank: ranks[i] ?? null,
      }),
    );
    entriesOf(doc).push(maps);
    for (const m of maps) {
      const json = entryToJSON(m)!;
      report.entries.push({ section, id: json.id, kind: json.kind, title: json.title });
    }
    report.created[section] = maps.length;
  };
  // Each section's change is made on a copy and goes through the same admission as any write (schema, role, size,
  // storage): both are checked before either is applied, so a refused import changes nothing.
  let proposedChange: ServerChange | null = null;
  let readyChange: ServerChange | null = null;
  try {
    if (newProposed.length > 0) proposedChange = proposed.prepare(author, (doc) => add('proposed', doc, newProposed, []));
    if (newReady.length > 0 || report.header === 'meta') {
      readyChange = ready.prepare(author, (doc) => {
        const ranks = generateNKeysBetween(lastRank(doc), null, newReady.length);
        add('ready', doc, newReady, ranks);
        if (report.header === 'meta') {
          // written into a pad without one, or replacing the pad's whole header (not mixed with what it had)
          const meta = metaOf(doc);
          const whole = Boolean(options.replaceHeader);
          if (parsed.meta.title || whole) meta.set('title', parsed.meta.title);
          if (parsed.meta.milestones.length > 0 || whole) {
            meta.set('milestones', Y.Array.from(parsed.meta.milestones.map((m) => new Y.Map(Object.entries(m)))));
          }
          if (parsed.meta.preamble.length > 0 || whole) meta.set('preamble', Y.Array.from(parsed.meta.preamble));
          // (the JSON export says when its ready list was scrubbed: the ready entries imported with it are that list)
          if (parsed.meta.scrubbedAt) meta.set('scrubbedAt', parsed.meta.scrubbedAt);
        }
      });
    }
  } catch (err) {
    registry.release(refs.proposed);
    registry.release(refs.ready);
    throw err;
  }
  try {
    // Applied in the turn they were checked in, and queued together: both go into one storage transaction (the
    // group commit's), broadcast after it.
    if (proposedChange) proposed.apply(proposedChange);
    if (readyChange) ready.apply(readyChange);
    await Promise.all([proposed.flush(), ready.flush()]);
    return report;
  } catch (err) {
    registry.discard(refs.proposed);
    registry.discard(refs.ready);
    throw err;
  } finally {
    registry.release(refs.proposed);
    registry.release(refs.ready);
  }
}

/** Whether the pad's cycle header already reads as the import's (title, milestones, preamble). */
function sameHeader(parsed: PadText, readyDoc: Y.Doc): boolean {
  const meta = metaToJSON(readyDoc);
  const norm = (m: { title: string; milestones: Array<{ label: string; date: string }>; preamble: string[] }) =>
    JSON.stringify([m.title.trim(), m.milestones.map((x) => [x.label.trim(), x.date.trim()]), m.preamble.map((l) => l.trim())]);
  return norm(meta) === norm(parsed.meta);
}
