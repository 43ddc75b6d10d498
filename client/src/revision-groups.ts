/**
 * History reads as bursts of work, not keystrokes: typing a title or a note logs one revision per keystroke, so
 * consecutive revisions by the same person that only edit the same entries (or only the cycle header) within a
 * couple of minutes of each other are shown as one row. The row stands for its newest revision: viewing or
 * restoring it is viewing or restoring the state after the burst; opened, it lists each of its revisions (a restore
 * made right after typing looks like more typing by the same curator, and the state before it must stay reachable).
 */
import type { EntryChange, Revision } from '../../shared/api.js';

/** Two edits further apart than this are two rows. */
export const BURST_GAP_MS = 2 * 60_000;

export interface RevisionGroup {
  /** The newest revision of the group (what View and Restore use). */
  last: Revision;
  /** The oldest revision of the group. */
  first: Revision;
  /** How many revisions it holds. */
  count: number;
  /** Its revisions, newest first (a group can be opened to view or restore any one of them). */
  revisions: Revision[];
  /** The entries changed, with the fields edited over the whole burst. */
  entries: EntryChange[];
  meta: boolean;
}

/** What a revision touched, when it only edits (null: it adds or removes something, and stands alone). */
function editSignature(r: Revision): string | null {
  if (r.entries.some((e) => e.change !== 'edited')) return null;
  return `${r.meta ? 'meta;' : ''}${r.entries.map((e) => e.id).sort().join(',')}`;
}

/** Groups revisions listed newest first into bursts, newest first. */
export function groupRevisions(revisions: readonly Revision[]): RevisionGroup[] {
  const groups: RevisionGroup[] = [];
  for (const r of revisions) {
    const current = groups.at(-1);
    const signature = editSignature(r);
    if (
      current &&
      signature !== null &&
      signature === editSignature(current.first) &&
      r.session === current.first.session &&
      current.first.at - r.at <= BURST_GAP_MS
    ) {
      current.first = r;
      current.count++;
      current.revisions.push(r);
      current.entries = current.entries.map((e) => {
        const older = r.entries.find((o) => o.id === e.id);
        const fields = [...new Set([...(e.fields ?? []), ...(older?.fields ?? [])])].sort();
        return { ...e, fields };
      });
      continue;
    }
    groups.push({ last: r, first: r, count: 1, revisions: [r], entries: r.entries, meta: r.meta });
  }
  return groups;
}
