/**
 * Priority order of `ready`: each entry has a `rank` (a fractional index), so moving an entry is one field write
 * that merges cleanly with concurrent edits (deleting and re-inserting the entry would lose them).
 * The list is shown grouped by kind, so moves happen within a kind's group.
 */
import type * as Y from 'yjs';
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';
import { byPriority, entriesOf, entryPlacement, type EntryMap, type EntryPlacement } from './schema.js';

export interface PlacedEntry extends EntryPlacement {
  map: EntryMap;
}

function ranked(doc: Y.Doc): PlacedEntry[] {
  return entriesOf(doc)
    .toArray()
    .flatMap((map) => {
      const placement = entryPlacement(map);
      return placement ? [{ map, ...placement }] : [];
    });
}

/** Entries in display order, with their placement. */
export function orderedPlacements(doc: Y.Doc): PlacedEntry[] {
  return byPriority(ranked(doc));
}

/** Entry maps in display order. */
export function orderedEntries(doc: Y.Doc): EntryMap[] {
  return orderedPlacements(doc).map((r) => r.map);
}

/** Gives every entry without a rank one, keeping the current display order. */
export function ensureRanks(doc: Y.Doc): void {
  const list = orderedPlacements(doc);
  if (list.every((r) => r.rank !== null)) return;
  const keys = generateNKeysBetween(null, null, list.length);
  doc.transact(() => list.forEach((r, i) => r.map.set('rank', keys[i]!)));
}

/** The highest rank in the section, or null. */
export function lastRank(doc: Y.Doc): string | null {
  let last: string | null = null;
  for (const r of ranked(doc)) if (r.rank !== null && (last === null || r.rank > last)) last = r.rank;
  return last;
}

/** The rank after every other entry's (for a new or promoted entry). */
export function rankAtEnd(doc: Y.Doc): string {
  return generateKeyBetween(lastRank(doc), null);
}

/**
 * Moves entry `id` to position `to` within its kind's group (0 = top). Returns false if it is not there or
 * already at that place.
 */
export function moveWithinGroup(doc: Y.Doc, id: string, to: number): boolean {
  ensureRanks(doc);
  const all = orderedPlacements(doc);
  const moving = all.find((r) => r.id === id);
  if (!moving) return false;
  const group = all.filter((r) => r.kind === moving.kind);
  const from = group.indexOf(moving);
  const target = Math.max(0, Math.min(group.length - 1, to));
  if (target === from) return false;
  const others = group.filter((r) => r !== moving);
  const before = others[target - 1]?.rank ?? null;
  const after = others[target]?.rank ?? null;
  moving.map.set('rank', generateKeyBetween(before, after));
  return true;
}

export function groupPosition(doc: Y.Doc, id: string): { index: number; size: number } | null {
  const all = orderedPlacements(doc);
  const entry = all.find((r) => r.id === id);
  if (!entry) return null;
  const group = all.filter((r) => r.kind === entry.kind);
  return { index: group.indexOf(entry), size: group.length };
}

