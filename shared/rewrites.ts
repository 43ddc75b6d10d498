/**
 * Which entries a transaction rewrote: entries with a text field (title, note) that had content both deleted and
 * inserted in the same transaction. Typing, pasting or cutting touches one entry per transaction; a page
 * translator rewriting the pad touches many at once. The client holds such a change back for confirmation, and
 * the server quarantines a connection that keeps doing it.
 */
import * as Y from "yjs";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shared type
type AnyType = Y.AbstractType<any>;

/** The entry map a shared type belongs to (its ancestor directly inside the `entries` array), or null. */
export function entryOf(type: AnyType | null): Y.Map<unknown> | null {
  let t: AnyType | null = type;
  while (t && t._item) {
    const parent = t._item.parent as AnyType | null;
    // the entry is a map directly inside a root type (`entries`), whether or not this doc has typed that root yet
    if (parent && parent._item === null && t instanceof Y.Map) return t;
    t = parent;
  }
  return null;
}

/** Ids of the entries whose text this transaction both deleted from and inserted into. */
export function rewrittenEntries(transaction: Y.Transaction): Set<string> {
  const deletedFrom = new Set<Y.Text>();
  Y.iterateDeletedStructs(transaction, transaction.deleteSet, (struct) => {
    if (struct instanceof Y.Item && struct.parent instanceof Y.Text && struct.id.clock < (transaction.beforeState.get(struct.id.client) ?? 0)) {
      deletedFrom.add(struct.parent);
    }
  });
  if (deletedFrom.size === 0) return new Set();
  const ids = new Set<string>();
  const store = transaction.doc.store;
  for (const [client, after] of transaction.afterState) {
    const before = transaction.beforeState.get(client) ?? 0;
    if (after <= before) continue;
    const structs = store.clients.get(client);
    if (!structs) continue;
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const struct = structs[i]!;
      if (!(struct instanceof Y.Item) || !(struct.parent instanceof Y.Text) || !deletedFrom.has(struct.parent)) continue;
      const entry = entryOf(struct.parent);
      const id = entry?.get('id');
      if (typeof id === 'string') ids.add(id);
    }
  }
  return ids;
}
