/**
 * The pad's document schema: the public contract every client (the web page, bots, scripts) writes to.
 *
 * A pad is two Yjs documents, one per permission domain (Yjs cannot enforce permissions inside one document):
 * - `proposed`: anyone with the pad's link writes;
 * - `ready`: only curators write; it also holds the cycle header in the root map `meta`.
 *
 * Each section document has a root `Y.Array` named `entries` of `Y.Map` entries (see {@link EntryData}).
 */
import * as Y from 'yjs';

export const SECTIONS = ['proposed', 'ready'] as const;
export type Section = (typeof SECTIONS)[number];

export const ENTRY_KINDS = ['feature', 'bug', 'other'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export const ENTRY_STATUSES = ['open', 'merged', 'abandoned'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

export const ENTRIES_KEY = 'entries';
export const META_KEY = 'meta';

/** An entry as plain JSON (export.json, server-rendered pages, tests). In the document `title` and `note` are `Y.Text`, `reviews` a `Y.Array<string>`. */
export interface EntryData {
  id: string;
  kind: EntryKind;
  title: string;
  /** Launchpad bug or blueprint URL, or empty. */
  launchpad: string;
  /** Launchpad nick of the person doing the work. */
  owner: string;
  /** Gerrit change URLs or topic queries. */
  reviews: string[];
  /** Short status note, e.g. "needs second +2". */
  note: string;
  addedBy: string;
  /** Epoch milliseconds. */
  addedAt: number;
  /** `open` unless the change merged or was abandoned. */
  status: EntryStatus;
  /** Priority order in `ready`: a fractional index (sorts as a string); null where none was given. */
  rank: string | null;
  /** In `ready`: the id of the `proposed` entry this one was promoted from. */
  promotedFrom: string | null;
  /** In `proposed`: the id of the `ready` entry it was promoted to. */
  promotedTo: string | null;
}

export interface Milestone {
  label: string;
  /** ISO date, YYYY-MM-DD. */
  date: string;
}

/** The `ready` document's `meta` map as plain JSON. */
export interface CycleMeta {
  title: string;
  milestones: Milestone[];
  /** Epoch milliseconds of the last "list scrubbed" stamp, or null. */
  scrubbedAt: number | null;
  /** Header lines of an imported Etherpad kept as written (links to old pads, format reminders). */
  preamble: string[];
}

export type EntryMap = Y.Map<unknown>;

export function isSection(value: string): value is Section {
  return (SECTIONS as readonly string[]).includes(value);
}

export function isEntryStatus(value: unknown): value is EntryStatus {
  return typeof value === 'string' && (ENTRY_STATUSES as readonly string[]).includes(value);
}

export function isEntryKind(value: unknown): value is EntryKind {
  return typeof value === 'string' && (ENTRY_KINDS as readonly string[]).includes(value);
}

export function entriesOf(doc: Y.Doc): Y.Array<EntryMap> {
  return doc.getArray<EntryMap>(ENTRIES_KEY);
}

export function metaOf(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(META_KEY);
}

export function newEntryId(): string {
  return globalThis.crypto.randomUUID();
}

/** Builds a new entry map, ready to be inserted into a section's `entries`. */
export function createEntry(fields: Partial<EntryData> & { addedBy: string }): EntryMap {
  const entry = new Y.Map<unknown>();
  entry.set('id', fields.id ?? newEntryId());
  entry.set('kind', fields.kind && isEntryKind(fields.kind) ? fields.kind : 'other');
  entry.set('title', new Y.Text(fields.title ?? ''));
  entry.set('launchpad', fields.launchpad ?? '');
  entry.set('owner', fields.owner ?? '');
  entry.set('reviews', Y.Array.from(fields.reviews ?? []));
  entry.set('note', new Y.Text(fields.note ?? ''));
  entry.set('addedBy', fields.addedBy);
  entry.set('addedAt', fields.addedAt ?? Date.now());
  if (fields.status && fields.status !== 'open') entry.set('status', fields.status);
  if (fields.rank) entry.set('rank', fields.rank);
  if (fields.promotedFrom) entry.set('promotedFrom', fields.promotedFrom);
  if (fields.promotedTo) entry.set('promotedTo', fields.promotedTo);
  return entry;
}

function text(value: unknown): string {
  if (value instanceof Y.Text) return value.toString();
  return typeof value === 'string' ? value : '';
}

function stringList(value: unknown): string[] {
  const items = value instanceof Y.Array ? value.toArray() : Array.isArray(value) ? value : [];
  return items.filter((item): item is string => typeof item === 'string');
}

/** What places an entry in its section: identity, kind (its group) and rank (its priority). */
export interface EntryPlacement {
  id: string;
  kind: EntryKind;
  rank: string | null;
}

/**
 * An entry's placement, read without converting any of its texts: ordering and grouping a section of hundreds of
 * entries needs no more (converting every entry to JSON for it took about 25 ms of a 500-entry pad's first load).
 */
export function entryPlacement(entry: unknown): EntryPlacement | null {
  if (!(entry instanceof Y.Map)) return null;
  const id = entry.get('id');
  const kind = entry.get('kind');
  return { id: typeof id === 'string' ? id : '', kind: isEntryKind(kind) ? kind : 'other', rank: optionalString(entry, 'rank') };
}

function optionalString(entry: Y.Map<unknown>, key: string): string | null {
  const value = entry.get(key);
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The proposed entry a ready entry was promoted from, read without converting the entry (null if none). */
export function entryPromotedFrom(entry: unknown): string | null {
  return entry instanceof Y.Map ? optionalString(entry, 'promotedFrom') : null;
}

/**
 * Reads an entry as plain JSON. Documents are written by untrusted clients, so every field is read defensively:
 * a missing or mistyped field reads as its empty value, never as an exception.
 */
export function entryToJSON(entry: unknown): EntryData | null {
  const placement = entryPlacement(entry);
  if (!placement) return null;
  const map = entry as Y.Map<unknown>;
  const addedAt = map.get('addedAt');
  const status = map.get('status');
  return {
    id: placement.id,
    kind: placement.kind,
    title: text(map.get('title')),
    launchpad: text(map.get('launchpad')),
    owner: text(map.get('owner')),
    reviews: stringList(map.get('reviews')),
    note: text(map.get('note')),
    addedBy: text(map.get('addedBy')),
    addedAt: timestamp(addedAt) ?? 0,
    status: isEntryStatus(status) ? status : 'open',
    rank: placement.rank,
    promotedFrom: optionalString(map, 'promotedFrom'),
    promotedTo: optionalString(map, 'promotedTo'),
  };
}

/** A section's entries as plain JSON, in display order (see {@link byPriority}). */
export function sectionToJSON(doc: Y.Doc): EntryData[] {
  const entries: EntryData[] = [];
  for (const item of entriesOf(doc).toArray()) {
    const entry = entryToJSON(item);
    if (entry) entries.push(entry);
  }
  return byPriority(entries);
}

/**
 * Display order: entries with a rank by rank (ties by id), then the rest in document order. `proposed` has no ranks
 * and keeps its order; `ready` is ordered by the curators.
 */
export function byPriority<T extends { rank: string | null; id: string }>(entries: readonly T[]): T[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => {
      const ra = a.entry.rank;
      const rb = b.entry.rank;
      if (ra !== null && rb !== null) return ra < rb ? -1 : ra > rb ? 1 : a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0;
      if (ra !== null) return -1;
      if (rb !== null) return 1;
      return a.index - b.index;
    })
    .map(({ entry }) => entry);
}

/** The largest time a JavaScript Date holds (ms from the epoch, either way): beyond it, formatting one throws. */
export const MAX_TIME_MS = 8.64e15;

/**
 * What a section may hold, on every write path: a peer's update, an import, a paste, a restore. The server checks
 * each write against them before applying it (server/sync/update-limits.ts, part of admission); the imports read
 * the same constants, so whatever the pad holds, its JSON export imports back.
 *
 * A write that would take a field past its limit, and leave it longer than it was, is refused whole: a field over
 * its limit (written before the limit existed) can always be shortened.
 */
/** Characters of a one-line text: a title, an owner, a link, a milestone, any plain string value. */
export const MAX_LINE_LENGTH = 4000;
/** Characters of an entry's note (it may have several lines). */
export const MAX_NOTE_LENGTH = 100_000;
/**
 * Items of a list: an entry's reviews (a long blueprint's series has a few dozen), the cycle's milestones, its
 * preamble lines. Without a bound, one imported entry with 400,000 "reviews" overflowed the stack building its
 * Y.Array and held the process for seconds.
 */
export const MAX_LIST_ITEMS = 200;
export const MAX_REVIEWS_PER_ENTRY = MAX_LIST_ITEMS;
/** Entries of a section (Nova's tracking pad has about 150; a page of 100,000 tiny entries would freeze every reader). */
export const MAX_ENTRIES_PER_SECTION = 2000;

/**
 * What in an entry is over the limits (one given more before the limits existed), said as what to do first; null if
 * nothing is. For a page writing it again elsewhere (a promotion): the server would refuse the copy.
 */
export function entryLimitProblem(entry: Pick<EntryData, 'title' | 'launchpad' | 'owner' | 'reviews' | 'note'>): string | null {
  const n = (x: number) => x.toLocaleString('en');
  if (entry.reviews.length > MAX_REVIEWS_PER_ENTRY) return `it lists ${n(entry.reviews.length)} reviews, and an entry may list at most ${MAX_REVIEWS_PER_ENTRY}: remove some first`;
  for (const [field, value] of [['title', entry.title], ['Launchpad link', entry.launchpad], ['owner', entry.owner]] as const) {
    if (value.length > MAX_LINE_LENGTH) return `its ${field} has more than ${n(MAX_LINE_LENGTH)} characters: shorten it first`;
  }
  if (entry.reviews.some((r) => r.length > MAX_LINE_LENGTH)) return `a review link has more than ${n(MAX_LINE_LENGTH)} characters: remove it first`;
  if (entry.note.length > MAX_NOTE_LENGTH) return `its note has more than ${n(MAX_NOTE_LENGTH)} characters: shorten it first`;
  return null;
}

/**
 * The reviews of an entry that are shown (at most {@link MAX_REVIEWS_PER_ENTRY}), and how many more it has. A peer
 * writing through its socket can give an entry many more: shown all, 100,000 review chips would freeze every page
 * that shows the pad, the one a person would use to remove them included.
 */
export function shownReviews<T>(reviews: readonly T[]): { shown: readonly T[]; more: number } {
  return reviews.length <= MAX_REVIEWS_PER_ENTRY
    ? { shown: reviews, more: 0 }
    : { shown: reviews.slice(0, MAX_REVIEWS_PER_ENTRY), more: reviews.length - MAX_REVIEWS_PER_ENTRY };
}

/** A time a peer wrote (milliseconds since the epoch) that every page and export can show, or null. */
export function timestamp(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_TIME_MS ? value : null;
}

export function metaToJSON(doc: Y.Doc): CycleMeta {
  const meta = metaOf(doc);
  const milestones = meta.get('milestones');
  const scrubbedAt = meta.get('scrubbedAt');
  const list = milestones instanceof Y.Array ? milestones.toArray() : Array.isArray(milestones) ? milestones : [];
  return {
    preamble: stringList(meta.get('preamble')),
    title: text(meta.get('title')),
    milestones: list.flatMap((m): Milestone[] => {
      const value = m instanceof Y.Map ? m.toJSON() : m;
      if (typeof value !== 'object' || value === null) return [];
      const { label, date } = value as Record<string, unknown>;
      return typeof label === 'string' && typeof date === 'string' ? [{ label, date }] : [];
    }),
    scrubbedAt: timestamp(scrubbedAt),
  };
}

/** Finds an entry's index by id, or -1. */
export function indexOfEntry(doc: Y.Doc, id: string): number {
  const entries = entriesOf(doc);
  for (let i = 0; i < entries.length; i++) {
    if (entries.get(i)?.get('id') === id) return i;
  }
  return -1;
}
