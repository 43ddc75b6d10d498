/**
 * Importing an Etherpad text export into a pad: all or nothing. Both sections are changed and committed in one
 * storage transaction, and broadcast only after it succeeded; if storage fails, the in-memory documents are
 * dropped (their peers resync) and nothing of the import remains anywhere.
 */
import * as Y from 'yjs';
import { generateNKeysBetween } from 'fractional-indexing';
import { createEntry, entriesOf, entryToJSON, metaOf, type Section } from '../shared/schema.js';
import type { PadText, PlainEntry } from '../shared/etherpad-format.js';
import { lastRank } from '../shared/ordering.js';
import type { PadStore } from './storage/store.js';
import type { DocumentRegistry } from './sync/document-registry.js';
import type { Author } from './sync/section-document.js';

export interface ImportReport {
  created: { proposed: number; ready: number };
  entries: Array<{ section: Section; id: string; kind: string; title: string }>;
  /** What happened to the header lines (title, milestones, other lines). */
  header: 'meta' | 'note' | 'none';
}

/** The import needs a curator when it writes `ready` (entries under a ready/curated heading). */
export const importNeedsCurator = (parsed: PadText) => parsed.sections.ready.length > 0;

const hasHeader = (parsed: PadText) =>
  Boolean(parsed.meta.title) || parsed.meta.milestones.length > 0 || parsed.meta.preamble.length > 0;

export function importPad(
  store: PadStore,
  registry: DocumentRegistry,
  padId: string,
  parsed: PadText,
  author: Author & { curator: boolean },
): ImportReport {
  const report: ImportReport = { created: { proposed: 0, ready: 0 }, entries: [], header: 'none' };
  const proposedEntries: PlainEntry[] = [...parsed.sections.proposed];
  // A contributor cannot write the cycle header (it lives in `ready`): its lines become a note, not lost.
  if (hasHeader(parsed) && !author.curator) {
    const lines = [
      parsed.meta.title,
      ...parsed.meta.milestones.map((m) => `${m.label}: ${m.date}`),
      ...parsed.meta.preamble.map((l) => l.trim()),
    ].filter(Boolean);
    proposedEntries.unshift({ kind: 'other', title: 'Imported header', launchpad: '', owner: '', reviews: [], note: lines.join('\n'), status: 'open' });
    report.header = 'note';
  } else if (hasHeader(parsed)) report.header = 'meta';

  const refs = { proposed: { padId, section: 'proposed' as const }, ready: { padId, section: 'ready' as const } };
  const proposed = registry.open(refs.proposed);
  let ready;
  try {
    ready = registry.open(refs.ready);
  } catch (err) {
    registry.release(refs.proposed);
    throw err;
  }
  const addedAt = Date.now();
  const add = (section: Section, doc: Y.Doc, list: PlainEntry[], ranks: (string | null)[]) => {
    const maps = list.map((e, i) => createEntry({ ...e, addedBy: 'import', addedAt, rank: ranks[i] ?? null }));
    entriesOf(doc).push(maps);
    for (const m of maps) {
      const json = entryToJSON(m)!;
      report.entries.push({ section, id: json.id, kind: json.kind, title: json.title });
    }
    report.created[section] = maps.length;
  };
  // Each section's change is made on a copy, then goes through the same admission as any write (schema, role,
  // size, storage): both are checked before either is applied, so a refused import changes nothing.
  const proposedUpdate = proposedEntries.length > 0 ? proposed.changeAsUpdate((doc) => add('proposed', doc, proposedEntries, [])) : null;
  let readyUpdate: Uint8Array | null = null;
  if (parsed.sections.ready.length > 0 || report.header === 'meta') {
    readyUpdate = ready.changeAsUpdate((doc) => {
      const ranks = generateNKeysBetween(lastRank(doc), null, parsed.sections.ready.length);
      add('ready', doc, parsed.sections.ready, ranks);
      if (report.header === 'meta') {
        const meta = metaOf(doc);
        if (parsed.meta.title) meta.set('title', parsed.meta.title);
        if (parsed.meta.milestones.length > 0) {
          meta.set('milestones', Y.Array.from(parsed.meta.milestones.map((m) => new Y.Map(Object.entries(m)))));
        }
        if (parsed.meta.preamble.length > 0) meta.set('preamble', Y.Array.from(parsed.meta.preamble));
      }
    });
  }
  try {
    if (proposedUpdate) proposed.check(author, proposedUpdate);
    if (readyUpdate) ready.check(author, readyUpdate);
  } catch (err) {
    registry.release(refs.proposed);
    registry.release(refs.ready);
    throw err;
  }
  try {
    const batches = store.transaction(() => {
      if (proposedUpdate) proposed.submit(author, proposedUpdate);
      if (readyUpdate) ready.submit(author, readyUpdate);
      return [proposed.commit(), ready.commit()] as const;
    });
    proposed.broadcast(batches[0]);
    ready.broadcast(batches[1]);
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
