/**
 * A section's history, from its log of accepted updates (each with time, role and session):
 * - revisions summarised per entry (added, removed, which fields changed);
 * - the content as of any revision;
 * - undoing a chosen set of updates (everything after a revision, or one session's burst in a time window) while
 *   keeping everyone else's later work: the log is replayed into a replica where a Y.UndoManager tracks exactly
 *   those updates, and the undo is returned as one update to apply to the live document.
 */
import * as Y from "yjs";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shared type
type AnyType = Y.AbstractType<any>;
import { ENTRIES_KEY, META_KEY, metaToJSON, sectionToJSON } from '../shared/schema.js';
import { entryOf } from '../shared/rewrites.js';
import { chipLabel, parseLink } from '../shared/links.js';
import type { DocumentRef, StoredUpdate } from './storage/store.js';
import type { DocumentLog } from './storage/storage.js';
import type { EntryChange, Revision, SectionState } from '../shared/api.js';

export type { EntryChange, Revision, SectionState } from '../shared/api.js';

/** A map entry's raw value for `key`, read even if the entry was deleted in the transaction being looked at. */
function rawValue(map: Y.Map<unknown>, key: string): unknown {
  const item = (map as unknown as { _map: Map<string, Y.Item> })._map.get(key);
  if (!item) return undefined;
  const content = item.content.getContent();
  return content[content.length - 1];
}

/** An entry's title (its Launchpad link's label when it has none): live (`tr` absent), or as it was before transaction `tr` (its deletions undone in the reading). */
function titleOf(map: Y.Map<unknown>, tr?: Y.Transaction): string {
  const title = rawValue(map, 'title');
  let text = typeof title === 'string' ? title : '';
  for (let item = title instanceof Y.Text ? title._start : null; item !== null; item = item.right) {
    const alive = tr
      ? (!item.deleted || Y.isDeleted(tr.deleteSet, item.id)) && item.id.clock < (tr.beforeState.get(item.id.client) ?? 0)
      : !item.deleted;
    if (alive && item.content instanceof Y.ContentString) text += item.content.str;
  }
  return text || launchpadLabel(rawValue(map, 'launchpad'));
}

/** An untitled entry's name: its Launchpad link as its chip reads ("#2082345"), else nothing. */
function launchpadLabel(launchpad: unknown): string {
  const url = launchpad instanceof Y.Text ? launchpad.toString() : launchpad;
  if (typeof url !== 'string' || !url) return '';
  const link = parseLink(url);
  return link ? chipLabel(link) : url.slice(0, 200);
}

/**
 * What one applied update changed, per entry: read from the transaction itself (the entries it added and removed,
 * the fields it touched), so its cost follows the size of the change, not of the section (summarising by converting
 * every entry before and after each update once made one history request take 9 s on a 5,000-entry pad).
 */
function summarize(doc: Y.Doc, update: Uint8Array): Omit<Revision, 'seq' | 'at' | 'role' | 'session'> {
  const added = new Map<string, string>();
  const removed = new Map<string, string>();
  const edited = new Map<string, { entry: Y.Map<unknown>; fields: Set<string> }>();
  let meta = false;
  const onTransaction = (tr: Y.Transaction) => {
    const entries = doc.share.get(ENTRIES_KEY);
    if (entries && tr.changed.has(entries)) {
      for (const [client, after] of tr.afterState) {
        const before = tr.beforeState.get(client) ?? 0;
        if (after <= before) continue;
        const structs = doc.store.clients.get(client) ?? [];
        for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
          const s = structs[i]!;
          if (!(s instanceof Y.Item) || s.parent !== entries || s.deleted || !(s.content instanceof Y.ContentType)) continue;
          const map = s.content.type;
          const id = map instanceof Y.Map ? map.get('id') : undefined;
          if (typeof id === 'string') added.set(id, titleOf(map as Y.Map<unknown>));
        }
      }
      Y.iterateDeletedStructs(tr, tr.deleteSet, (s) => {
        if (!(s instanceof Y.Item) || s.parent !== entries || !(s.content instanceof Y.ContentType)) return;
        if (s.id.clock >= (tr.beforeState.get(s.id.client) ?? 0)) return; // made and deleted in this update
        const map = s.content.type;
        const id = map instanceof Y.Map ? rawValue(map, 'id') : undefined;
        if (typeof id === 'string') removed.set(id, titleOf(map as Y.Map<unknown>, tr));
      });
    }
    for (const [type, keys] of tr.changed) {
      if (type === entries) continue;
      if (type === doc.share.get(META_KEY) || isInside(type, doc.share.get(META_KEY))) {
        meta = true;
        continue;
      }
      const entry = entryOf(type);
      const id = entry?.get('id');
      if (typeof id !== 'string') continue;
      const change = edited.get(id) ?? { entry: entry!, fields: new Set<string>() };
      if ((type as unknown) === entry) {
        for (const k of keys) if (k) change.fields.add(k);
      } else {
        change.fields.add(fieldOf(type, entry!));
      }
      edited.set(id, change);
    }
  };
  doc.on('afterTransaction', onTransaction);
  Y.applyUpdate(doc, update);
  doc.off('afterTransaction', onTransaction);
  const result: EntryChange[] = [];
  for (const [id, title] of added) if (!removed.has(id)) result.push({ id, title, change: 'added' });
  for (const [id, title] of removed) if (!added.has(id)) result.push({ id, title, change: 'removed' });
  for (const [id, { entry, fields }] of edited) {
    if (added.has(id) || removed.has(id) || fields.size === 0) continue;
    result.push({ id, title: titleOf(entry), change: 'edited', fields: [...fields].sort() });
  }
  return { entries: result, meta };
}

function isInside(type: AnyType, ancestor: AnyType | undefined): boolean {
  let t: AnyType | null = type;
  while (t && t._item) {
    t = t._item.parent as AnyType;
    if (t === ancestor) return true;
  }
  return false;
}

/** The key of the entry field a nested type (a title's Y.Text, the reviews' Y.Array) sits under. */
function fieldOf(type: AnyType, entry: Y.Map<unknown>): string {
  let t = type;
  while (t._item && t._item.parent !== entry) t = t._item.parent as AnyType;
  return t._item?.parentSub ?? '?';
}

/** Revisions, newest first: at most `limit`, older than `beforeSeq` if given. */
export function listRevisions(log: StoredUpdate[], options: { limit: number; beforeSeq?: number }): Revision[] {
  const doc = new Y.Doc();
  const revisions: Revision[] = [];
  for (const u of log) {
    const summary = summarize(doc, u.data);
    if (options.beforeSeq === undefined || u.seq < options.beforeSeq) {
      revisions.push({ seq: u.seq, at: u.at, role: u.role, session: u.session, ...summary });
    }
  }
  doc.destroy();
  return revisions.reverse().slice(0, options.limit);
}

/** How many log rows the history index takes per step while catching up (each step is one write). */
const INDEX_BATCH = 250;

/**
 * The history index: each revision's summary is computed once, by replaying the log from the index's checkpoint
 * (the document as of the last indexed revision) forward, and stored; a page of history is then one indexed read,
 * whatever the log's length. Listing used to replay the whole log for every request, however small the page.
 */
export class HistoryIndex {
  constructor(private readonly store: Pick<DocumentLog, 'readLog' | 'historyCheckpoint' | 'indexRevisions' | 'listRevisionSummaries'>) {}

  /** Indexes what the log has beyond the checkpoint; returns the last indexed seq. */
  async catchUp(ref: DocumentRef): Promise<number> {
    const checkpoint = await this.store.historyCheckpoint(ref);
    let seq = checkpoint?.seq ?? 0;
    let batch = await this.store.readLog(ref, seq, INDEX_BATCH);
    if (batch.length === 0) return seq;
    const doc = new Y.Doc();
    try {
      if (checkpoint) Y.applyUpdate(doc, checkpoint.state);
      while (batch.length > 0) {
        const rows = batch.map((u) => ({
          seq: u.seq,
          at: u.at,
          role: u.role,
          session: u.session,
          summary: JSON.stringify(summarize(doc, u.data)),
        }));
        seq = batch.at(-1)!.seq;
        await this.store.indexRevisions(ref, rows, { seq, state: Y.encodeStateAsUpdate(doc) });
        // let other work run between steps: a long log is indexed without stalling every pad
        await new Promise((resolve) => setImmediate(resolve));
        batch = batch.length < INDEX_BATCH ? [] : await this.store.readLog(ref, seq, INDEX_BATCH);
      }
    } finally {
      doc.destroy();
    }
    return seq;
  }

  /** Revisions, newest first: at most `limit`, older than `beforeSeq` if given (the index is caught up first). */
  async list(ref: DocumentRef, options: { limit: number; beforeSeq?: number }): Promise<{ latest: number; revisions: Revision[] }> {
    const latest = await this.catchUp(ref);
    const revisions = (await this.store.listRevisionSummaries(ref, options.limit, options.beforeSeq)).map((row) => ({
      seq: row.seq,
      at: row.at,
      role: row.role,
      session: row.session,
      ...(JSON.parse(row.summary) as Omit<Revision, 'seq' | 'at' | 'role' | 'session'>),
    }));
    return { latest, revisions };
  }
}

/** How long one step of a replay may run before other work gets its turn. */
const REPLAY_STEP_MS = 10;
/** How many log rows a replay reads at a time (its memory is bounded by this, not by the log). */
const REPLAY_BATCH = 1000;

/**
 * A long loop's turn-taking: awaited after each unit of work, it lets other work run (other pads' writes, /healthz)
 * once the loop has run {@link REPLAY_STEP_MS} since it last did.
 */
function turns(): () => Promise<void> {
  let stepStarted = performance.now();
  return async () => {
    if (performance.now() - stepStarted <= REPLAY_STEP_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    stepStarted = performance.now();
  };
}

/** A section's log rows after `afterSeq` up to `toSeq`, read in batches. */
export async function* logBatches(
  store: Pick<DocumentLog, 'readLog'>,
  ref: DocumentRef,
  afterSeq = 0,
  toSeq = Number.MAX_SAFE_INTEGER,
): AsyncGenerator<StoredUpdate[]> {
  let after = afterSeq;
  while (after < toSeq) {
    const batch = (await store.readLog(ref, after, Math.min(REPLAY_BATCH, toSeq - after))).filter((u) => u.seq <= toSeq);
    if (batch.length === 0) return;
    yield batch;
    after = batch.at(-1)!.seq;
  }
}

/** Log rows in batches: read from the store ({@link logBatches}), or given (one array of rows is one batch). */
export type LogRows = AsyncIterable<readonly StoredUpdate[]> | Iterable<readonly StoredUpdate[]>;

/**
 * Applies rows to `doc` in steps of at most {@link REPLAY_STEP_MS}, letting other work run between them: a log of
 * 60,000 rows took half a second to replay, and three history reads at once held every pad of the process for 0.9 s.
 */
async function replay(doc: Y.Doc, rows: LogRows, origin: (u: StoredUpdate) => unknown = () => null): Promise<void> {
  const turn = turns();
  for await (const batch of rows) {
    for (const u of batch) {
      Y.applyUpdate(doc, u.data, origin(u));
      await turn();
    }
  }
}

/**
 * The section's content as of revision `seq` (after applying it). `base`: a state as of an earlier revision (the
 * history index's checkpoint), from which only the rows after it are replayed; `rows` are those after it.
 */
export async function stateAt(rows: LogRows, seq: number, base: { seq: number; state: Uint8Array } | null = null): Promise<SectionState> {
  const doc = new Y.Doc();
  try {
    if (base && base.seq <= seq) Y.applyUpdate(doc, base.state);
    const floor = base && base.seq <= seq ? base.seq : 0;
    await replay(doc, filterRows(rows, (u) => u.seq > floor && u.seq <= seq));
    return { seq, entries: sectionToJSON(doc), meta: metaToJSON(doc) };
  } finally {
    doc.destroy();
  }
}

async function* filterRows(rows: LogRows, keep: (u: StoredUpdate) => boolean): AsyncGenerator<StoredUpdate[]> {
  for await (const batch of rows) yield batch.filter(keep);
}

const TRACKED = Symbol('tracked');

/**
 * One update that undoes the updates `undo` selects, keeping every other update's effect (later ones included).
 * Null if there is nothing to undo.
 */
export async function undoUpdates(rows: LogRows, undo: (u: StoredUpdate) => boolean): Promise<Uint8Array | null> {
  const replica = new Y.Doc({ gc: false });
  const manager = new Y.UndoManager([replica.getArray(ENTRIES_KEY), replica.getMap(META_KEY)], {
    trackedOrigins: new Set([TRACKED]),
    captureTimeout: 0,
  });
  try {
    await replay(replica, rows, (u) => (undo(u) ? TRACKED : null));
    if (manager.undoStack.length === 0) return null;
    const before = Y.encodeStateVector(replica);
    const turn = turns();
    while (manager.undoStack.length > 0) {
      manager.undo();
      await turn();
    }
    return Y.encodeStateAsUpdate(replica, before);
  } finally {
    manager.destroy();
    replica.destroy();
  }
}

