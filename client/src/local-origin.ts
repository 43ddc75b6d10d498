/**
 * The origin of every change this page makes on the person's behalf. Undo (Y.UndoManager) tracks exactly the
 * transactions whose origin is a {@link LocalOrigin}: never others' changes (their origin is the provider), never a
 * reset or a restore.
 */
import type * as Y from 'yjs';

export class LocalOrigin {
  constructor(readonly what: string) {}
}

/** The page's own actions (add, delete, promote, move, status, milestones…). */
export const LOCAL = new LocalOrigin('page');

/** Runs `fn` as one local change of `doc` (inner transactions join it, so the change is undone as one). */
export function localChange<T>(doc: Y.Doc | null | undefined, fn: () => T): T | undefined {
  if (!doc) return undefined;
  let result: T | undefined;
  doc.transact(() => {
    result = fn();
  }, LOCAL);
  return result;
}
