/** Text edits of a form control, as index/remove/insert, and caret moves through Yjs deltas. */
export interface TextChange {
  index: number;
  remove: number;
  insert: string;
}

/**
 * The single edit turning `before` into `after`, anchored at the caret (where the edit ended). Anchoring matters in
 * runs of equal characters: typing "a" inside "aa" at 1 is an insert at 1, not at 2, so concurrent edits land right.
 */
export function diffAtCaret(before: string, after: string, caret: number): TextChange | null {
  if (before === after) return null;
  const maxSuffix = Math.min(before.length, after.length - Math.min(caret, after.length));
  let suffix = 0;
  while (suffix < maxSuffix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  const maxPrefix = Math.min(before.length, after.length) - suffix;
  let prefix = 0;
  while (prefix < maxPrefix && before[prefix] === after[prefix]) prefix++;
  return { index: prefix, remove: before.length - prefix - suffix, insert: after.slice(prefix, after.length - suffix) };
}

export type Delta = Array<{ insert?: unknown; delete?: number; retain?: number }>;

/** Where position `pos` ends up after a remote change described by `delta`. */
export function shiftCaret(pos: number, delta: Delta): number {
  let at = 0;
  let result = pos;
  for (const op of delta) {
    if (op.retain !== undefined) at += op.retain;
    else if (op.insert !== undefined) {
      const len = typeof op.insert === 'string' ? op.insert.length : 1;
      if (at < result || (at === result && at < pos)) result += len;
      at += len;
    } else if (op.delete !== undefined) {
      if (at < result) result -= Math.min(op.delete, result - at);
    }
  }
  return result;
}
