/**
 * What people do to a pad, as Yjs operations: the web page calls these, and so can bots.
 * Each runs in one transaction per document.
 */
import type * as Y from 'yjs';
import {
  createEntry,
  entriesOf,
  entryLimitProblem,
  entryPlacement,
  entryPromotedFrom,
  entryToJSON,
  indexOfEntry,
  MAX_ENTRIES_PER_SECTION,
  newEntryId,
  type EntryData,
} from './schema.js';
import { groupPosition, moveWithinGroup, rankAtEnd } from './ordering.js';

export type NewEntryFields = Pick<EntryData, 'kind' | 'title' | 'launchpad' | 'owner' | 'reviews' | 'note'>;

/** Adds an entry; in `ready` (ranked) it goes to the end of the priority order. */
/** Adds an entry at the end; throws {@link PastLimits}, changing nothing, if the section is full. */
export function addEntry(doc: Y.Doc, fields: NewEntryFields, addedBy: string, ranked: boolean): string {
  if (entriesOf(doc).length >= MAX_ENTRIES_PER_SECTION) {
    throw new PastLimits(`the section holds ${MAX_ENTRIES_PER_SECTION.toLocaleString('en')} entries, as many as a section may: remove some first`);
  }
  const id = newEntryId();
  doc.transact(() => {
    entriesOf(doc).push([createEntry({ ...fields, id, addedBy, rank: ranked ? rankAtEnd(doc) : null })]);
  });
  return id;
}

export function removeEntry(doc: Y.Doc, id: string): boolean {
  const index = indexOfEntry(doc, id);
  if (index < 0) return false;
  entriesOf(doc).delete(index, 1);
  return true;
}

/** An action that would write past the pad's limits (the server would refuse it): nothing was changed. */
export class PastLimits extends Error {
  override readonly name = 'PastLimits';
}

/**
 * Promotes a proposed entry to ready: a copy goes to the end of `ready` with `promotedFrom`; the original is marked
 * `promotedTo` (or removed, if the curator chooses). Returns the new ready entry's id.
 *
 * Throws {@link PastLimits}, changing nothing, if the copy would take ready past its limits: the two writes go to two
 * documents, and a refused copy with an accepted removal lost the entry from both.
 */
export function promoteEntry(proposed: Y.Doc, ready: Y.Doc, id: string, options: { remove: boolean; by: string }): string | null {
  const index = indexOfEntry(proposed, id);
  const source = index >= 0 ? entryToJSON(entriesOf(proposed).get(index)) : null;
  if (!source) return null;
  // Already promoted (its copy is still in ready): promoting again adds nothing; "promote & remove" only removes it.
  const existing = alreadyPromoted(ready, source);
  if (existing) {
    if (options.remove) {
      proposed.transact(() => {
        const at = indexOfEntry(proposed, id);
        if (at >= 0) entriesOf(proposed).delete(at, 1);
      });
    }
    return existing;
  }
  if (entriesOf(ready).length >= MAX_ENTRIES_PER_SECTION) {
    throw new PastLimits(`the ready list holds ${MAX_ENTRIES_PER_SECTION.toLocaleString('en')} entries, as many as a section may: remove some first`);
  }
  const problem = entryLimitProblem(source);
  if (problem) throw new PastLimits(problem);
  const readyId = newEntryId();
  ready.transact(() => {
    entriesOf(ready).push([
      createEntry({ ...source, id: readyId, addedBy: options.by, addedAt: Date.now(), rank: rankAtEnd(ready), promotedFrom: source.id, promotedTo: null }),
    ]);
  });
  proposed.transact(() => {
    const at = indexOfEntry(proposed, id);
    if (at < 0) return;
    if (options.remove) entriesOf(proposed).delete(at, 1);
    else entriesOf(proposed).get(at).set('promotedTo', readyId);
  });
  return readyId;
}

/**
 * The id of the ready copy of a proposed entry, if one is still in ready. Only the ready list says so (its copy's
 * `promotedFrom`, written by a curator): the proposed entry's own `promotedTo` is anyone's to write, and a forged one
 * pointing at another ready entry made "Promote & remove" remove the entry without copying it.
 */
function alreadyPromoted(ready: Y.Doc, source: EntryData): string | null {
  const copy = entriesOf(ready).toArray().find((item) => entryPromotedFrom(item) === source.id);
  return copy ? (entryPlacement(copy)?.id ?? null) : null;
}

/**
 * The proposed entries the ready list holds a copy of (its entries' `promotedFrom`): what "promoted to ready" is
 * shown on, by the page and the mirror. Not the proposed entries' own `promotedTo`, which any contributor can write.
 */
export function promotedIds(readyEntries: Iterable<Pick<EntryData, 'promotedFrom'>>): Set<string> {
  const ids = new Set<string>();
  for (const e of readyEntries) if (e.promotedFrom) ids.add(e.promotedFrom);
  return ids;
}

/** Moves an entry up (-1) or down (+1) within its kind's group. */
export function moveEntryBy(doc: Y.Doc, id: string, delta: number): boolean {
  const at = groupPosition(doc, id);
  return at ? doc.transact(() => moveWithinGroup(doc, id, at.index + delta)) : false;
}

/** Moves an entry to where `targetId` is (drag and drop); both must be of the same kind. */
export function moveEntryTo(doc: Y.Doc, id: string, targetId: string): boolean {
  const from = groupPosition(doc, id);
  const to = groupPosition(doc, targetId);
  const kindOf = (entryId: string) => entryToJSON(entriesOf(doc).get(indexOfEntry(doc, entryId)))?.kind;
  if (!from || !to || kindOf(id) !== kindOf(targetId)) return false;
  return doc.transact(() => moveWithinGroup(doc, id, to.index));
}
