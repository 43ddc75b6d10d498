/**
 * Does an update keep the section within the pad's limits (shared/schema.ts: entries per section, items per list,
 * characters per text and per value)? Checked on the decoded structs, before anything is applied, for every write:
 * a peer's update and the server's own changes (imports, restores) alike, so what a section holds always imports
 * back, and no write path can make an entry the page cannot show.
 *
 * Counted per shared type: what the update inserts into it (less what the update itself deletes again), against
 * what it holds now. Only when that passes the limit are the update's deletions in the type counted too (a title at
 * its limit, selected and typed over, deletes as much as it inserts). A write is refused when it leaves a type over
 * its limit and longer than it was: a type over its limit (written before the limit existed) can always shrink.
 */
import * as Y from 'yjs';
import {
  ENTRIES_KEY,
  MAX_ENTRIES_PER_SECTION,
  MAX_LINE_LENGTH,
  MAX_LIST_ITEMS,
  MAX_NOTE_LENGTH,
} from '../../shared/schema.js';
import type { DeleteRanges } from './update-inspector.js';
import type { Container, KnownPlace } from './update-structure.js';

type Struct = Y.Item | Y.GC | Y.Skip;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shared type
type AnyType = Y.AbstractType<any>;

const count = (n: number) => n.toLocaleString('en');

/** A type's limit, and what a refusal says; `entries`: a section's entries (the refusal says how many it holds). */
type Limit = { max: number; message: string; entries?: true };

/**
 * Every limit, with its words made once: a limit is looked up for every type each update writes to, and formatting
 * its numbers each time (Intl) was as much work as the rest of the limits check.
 */
const LIMITS = {
  entries: { max: MAX_ENTRIES_PER_SECTION, message: `a section may hold at most ${count(MAX_ENTRIES_PER_SECTION)} entries`, entries: true },
  note: { max: MAX_NOTE_LENGTH, message: `a note may hold at most ${count(MAX_NOTE_LENGTH)} characters` },
  title: { max: MAX_LINE_LENGTH, message: `a title may hold at most ${count(MAX_LINE_LENGTH)} characters` },
  text: { max: MAX_LINE_LENGTH, message: `a text may hold at most ${count(MAX_LINE_LENGTH)} characters` },
  reviews: { max: MAX_LIST_ITEMS, message: `an entry may list at most ${count(MAX_LIST_ITEMS)} reviews` },
  milestones: { max: MAX_LIST_ITEMS, message: `the cycle header may list at most ${count(MAX_LIST_ITEMS)} milestones` },
  preamble: { max: MAX_LIST_ITEMS, message: `a list may hold at most ${count(MAX_LIST_ITEMS)} preamble lines` },
  list: { max: MAX_LIST_ITEMS, message: `a list may hold at most ${count(MAX_LIST_ITEMS)} items` },
} as const satisfies Record<string, Limit>;
const VALUE_TOO_LONG = `a value may hold at most ${count(MAX_LINE_LENGTH)} characters`;

/** Null if the update keeps every type it writes within its limit, else what it would take past it. */
export function limitProblem(doc: Y.Doc, structs: Struct[], places: Map<Y.Item, KnownPlace>, deleted: DeleteRanges): string | null {
  // per container (keyed by the root's name, the document's type, or the update's item holding the type)
  const added = new Map<string | AnyType | Y.Item, { container: Container; n: number }>();
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    const place = places.get(s);
    if (!place) continue;
    const value = valueProblem(s.content, place.sub);
    if (value) return value;
    if (place.sub !== null || !s.countable) continue; // a map's value replaces the last one: nothing accumulates
    // only what the document lacks is added (a struct may overlap what it has), less what the update deletes again
    const start = Math.max(s.id.clock, Y.getState(doc.store, s.id.client));
    const end = s.id.clock + s.length;
    if (start >= end) continue;
    const n = end - start - overlap(deleted, s.id.client, start, end - start);
    if (n <= 0) continue;
    // a root is named by the update, or found as the parent of a neighbour: one container either way
    const container: Container = 'type' in place.container && !place.container.type._item ? { root: Y.findRootTypeKey(place.container.type) } : place.container;
    const key = 'root' in container ? container.root : 'type' in container ? container.type : container.holder;
    const entry = added.get(key);
    if (entry) entry.n += n;
    else added.set(key, { container, n });
  }
  // the types it would take past their limit if it deleted nothing
  const over: Array<{ type: AnyType | null; before: number; n: number; limit: Limit }> = [];
  for (const { container, n } of added.values()) {
    const limit = limitOf(container, places);
    const type = 'root' in container ? (doc.share.get(container.root) ?? null) : 'type' in container ? container.type : null;
    const before = type ? type._length : 0;
    if (before + n > limit.max) over.push({ type, before, n, limit });
  }
  if (over.length === 0) return null;
  // what it deletes from those: one pass over its deletions, however many types
  const removed = deletedFrom(doc, deleted, new Set(over.flatMap((o) => (o.type ? [o.type] : []))));
  for (const { type, before, n, limit } of over) {
    const after = before + n - (type ? (removed.get(type) ?? 0) : 0);
    // (a section's count too: an import told only the limit left a person guessing how much room there was)
    if (after > limit.max && after > before) return limit.entries ? `${limit.message} (it holds ${count(before)})` : limit.message;
  }
  return null;
}

/** The limit of a container, by what it is: the entries, an entry's reviews or note, a title, the header's lists. */
function limitOf(container: Container, places: Map<Y.Item, KnownPlace>): Limit {
  if ('root' in container) {
    return container.root === ENTRIES_KEY ? LIMITS.entries : LIMITS.list;
  }
  // the type, and the key its holder has in the map holding it ("reviews", "note", …)
  let type: unknown;
  let key: string | null;
  if ('type' in container) {
    type = container.type;
    key = container.type._item?.parentSub ?? null;
  } else {
    const { holder } = container;
    type = holder.content instanceof Y.ContentType ? holder.content.type : null;
    key = places.get(holder)?.sub ?? null;
  }
  if (type instanceof Y.Text) {
    return key === 'note' ? LIMITS.note : key === 'title' ? LIMITS.title : LIMITS.text;
  }
  return listLimit(key);
}

/** The limit of a list, by the key it is under ("reviews", "milestones", …). */
function listLimit(key: string | null): Limit {
  return key === 'reviews' ? LIMITS.reviews : key === 'milestones' ? LIMITS.milestones : key === 'preamble' ? LIMITS.preamble : LIMITS.list;
}

/**
 * What is wrong with a plain value (at any depth, keys included): a string longer than a line may be, or an array
 * (a list written as a plain value, under `sub` if it is a map's value) longer than a list may be. The schema check
 * (update-structure.ts) has already bounded their depth and kept them to JSON.
 */
function valueProblem(content: Y.Item['content'], sub: string | null): string | null {
  if (!(content instanceof Y.ContentAny || content instanceof Y.ContentJSON)) return null;
  // a loop over an explicit stack: the schema check bounded the depth, not the width
  const stack: unknown[] = [...(content.arr as unknown[])];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.length > MAX_LINE_LENGTH) return VALUE_TOO_LONG;
    } else if (Array.isArray(value)) {
      if (value.length > MAX_LIST_ITEMS) return listLimit(sub).message;
      for (const v of value) stack.push(v);
    } else if (value !== null && typeof value === 'object') {
      for (const k in value) {
        if (k.length > MAX_LINE_LENGTH) return VALUE_TOO_LONG;
        stack.push((value as Record<string, unknown>)[k]);
      }
    }
  }
  return null;
}

/** How much of [clock, clock+len) of `client` the deletions cover. */
function overlap(deleted: DeleteRanges, client: number, clock: number, len: number): number {
  const ranges = deleted.get(client);
  if (!ranges) return 0;
  const end = clock + len;
  // the first range ending after `clock`
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![1] <= clock) lo = mid + 1;
    else hi = mid;
  }
  let covered = 0;
  for (let i = lo; i < ranges.length && ranges[i]![0] < end; i++) covered += Math.min(end, ranges[i]![1]) - Math.max(clock, ranges[i]![0]);
  return covered;
}

/**
 * How much of what each of `types` shows now the deletions remove (their own elements, not deeper content). The
 * ranges are merged, so each struct of the document is looked at once at most.
 */
function deletedFrom(doc: Y.Doc, deleted: DeleteRanges, types: Set<AnyType>): Map<AnyType, number> {
  const removed = new Map<AnyType, number>();
  if (types.size === 0) return removed;
  for (const [client, ranges] of deleted) {
    const structs = doc.store.clients.get(client);
    if (!structs) continue;
    const known = Y.getState(doc.store, client);
    for (const [start, rangeEnd] of ranges) {
      if (start >= known) break;
      const end = Math.min(rangeEnd, known);
      for (let i = Y.findIndexSS(structs, start); i < structs.length; i++) {
        const s = structs[i]!;
        if (s.id.clock >= end) break;
        if (!(s instanceof Y.Item) || s.deleted || !s.countable || s.parentSub !== null || !types.has(s.parent as AnyType)) continue;
        const type = s.parent as AnyType;
        removed.set(type, (removed.get(type) ?? 0) + Math.min(end, s.id.clock + s.length) - Math.max(start, s.id.clock));
      }
    }
  }
  return removed;
}
