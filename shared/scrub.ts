/**
 * The scrub: the ready list's entries whose changes have all merged or been abandoned, as suggestions a curator
 * accepts in one action (mark merged / abandoned, or remove), which also stamps `meta.scrubbedAt`.
 */
import type * as Y from 'yjs';
import { entriesOf, metaOf, type EntryData } from './schema.js';
import { removeEntry } from './pad-actions.js';
import { entryLabel } from './labels.js';
import { changeFacts, type PadStatus } from './status.js';
import { entryChanges } from './status-view.js';

/** What the live status says of an entry: all its changes are done (merged, or all abandoned), else null. */
export function doneOutcome(entry: Pick<EntryData, 'reviews'>, status: PadStatus | null): 'merged' | 'abandoned' | null {
  if (!status) return null;
  const { changes, known } = entryChanges(entry.reviews, status);
  if (!known || changes.length === 0) return null;
  const facts = changes.map((c) => changeFacts(c));
  if (facts.some((f) => f.open)) return null;
  return facts.some((f) => f.merged) ? 'merged' : 'abandoned';
}

export interface ScrubSuggestion {
  id: string;
  title: string;
  /** Every change merged (at least one), or every change abandoned; or what the entry is marked already. */
  outcome: 'merged' | 'abandoned';
  /** Already marked so (by a curator): the scrub offers to remove it, live status or not. */
  marked: boolean;
}

/**
 * In list order: ready entries still marked open whose changes are all done (by the live status), and entries
 * already marked merged or abandoned (the scrub's other half: clearing what is done off the list).
 */
export function scrubSuggestions(entries: readonly EntryData[], status: PadStatus | null): ScrubSuggestion[] {
  const out: ScrubSuggestion[] = [];
  for (const e of entries) {
    if (e.status === 'merged' || e.status === 'abandoned') {
      out.push({ id: e.id, title: entryLabel(e), outcome: e.status, marked: true });
      continue;
    }
    if (e.status !== 'open') continue;
    const outcome = doneOutcome(e, status);
    if (outcome) out.push({ id: e.id, title: entryLabel(e), outcome, marked: false });
  }
  return out;
}

export type ScrubAction = 'merged' | 'abandoned' | 'remove';

/** Applies the accepted suggestions to the ready document and stamps it scrubbed (call inside one transaction). */
export function applyScrub(ready: Y.Doc, actions: ReadonlyArray<{ id: string; action: ScrubAction }>, now = Date.now()): void {
  const entries = entriesOf(ready);
  for (const { id, action } of actions) {
    if (action === 'remove') {
      removeEntry(ready, id);
      continue;
    }
    for (const map of entries) {
      if (map.get('id') === id) map.set('status', action);
    }
  }
  metaOf(ready).set('scrubbedAt', now);
}
