/** The pad's filter (local to each person): by kind, owner, free text, and what the entry's reviews need (live status). */
import type { EntryData, EntryKind } from './schema.js';
import { changeFacts, type PadStatus } from './status.js';
import { entryChanges } from './status-view.js';

/**
 * What needs doing, from the live status of an entry's changes (its change links and its topics' changes):
 * - `first-review`: an open change needs a first review (no +1/+2, no negative vote, not WIP);
 * - `second-approval`: an open change has exactly one +2 and no negative vote;
 * - `negative`: an open change has a Code-Review −1 or −2;
 * - `ci-failing`: an open change fails CI (Verified negative);
 * - `merged`: every change of the entry merged or was abandoned, at least one merged;
 * - `stale`: an open change had no update in `staleDays` days.
 */
export const NEEDS = ['first-review', 'second-approval', 'negative', 'ci-failing', 'merged', 'stale'] as const;
export type Need = (typeof NEEDS)[number];

export const NEED_LABELS: Record<Need, string> = {
  'first-review': 'needs a first review',
  'second-approval': 'needs a second +2',
  negative: 'has a \u22121/\u22122',
  'ci-failing': 'failing CI',
  merged: 'merged',
  stale: 'stale',
};

export const isNeed = (v: string): v is Need => (NEEDS as readonly string[]).includes(v);

export interface EntryFilter {
  kind: EntryKind | 'all';
  owner: string;
  text: string;
  /** What the entry's reviews need (live status); absent: anything. */
  need?: Need | 'any';
  /** For `stale`: days without an update (default 14). */
  staleDays?: number;
}

export const DEFAULT_STALE_DAYS = 14;

export const NO_FILTER: EntryFilter = { kind: 'all', owner: '', text: '', need: 'any', staleDays: DEFAULT_STALE_DAYS };

export const isFiltering = (f: EntryFilter) =>
  f.kind !== 'all' || f.owner.trim() !== '' || f.text.trim() !== '' || (f.need !== undefined && f.need !== 'any');

/** Whether the entry's changes (as the status knows them) need what the filter asks. */
export function matchesNeed(entry: Pick<EntryData, 'reviews'>, need: Need, status: PadStatus | null, now = Date.now(), staleDays = DEFAULT_STALE_DAYS): boolean {
  if (!status) return false;
  const { changes, known } = entryChanges(entry.reviews, status);
  const facts = changes.map((c) => changeFacts(c, now));
  const open = facts.filter((f) => f.open);
  switch (need) {
    case 'first-review':
      return open.some((f) => f.needsFirstReview);
    case 'second-approval':
      return open.some((f) => f.needsSecondApproval);
    case 'negative':
      return open.some((f) => f.negative);
    case 'ci-failing':
      return open.some((f) => f.ciFailing);
    case 'merged':
      return known && facts.length > 0 && open.length === 0 && facts.some((f) => f.merged);
    case 'stale':
      return open.some((f) => f.ageDays !== null && f.ageDays >= staleDays);
  }
}

/**
 * Every word of `text` must appear somewhere in the entry (title, note, owner, links), case-insensitively; with a
 * `need`, the entry's live status must say so too (nothing matches a need while no status is known).
 */
export function matchesFilter(entry: EntryData, filter: EntryFilter, status: PadStatus | null = null, now = Date.now()): boolean {
  if (filter.kind !== 'all' && entry.kind !== filter.kind) return false;
  const owner = filter.owner.trim().toLowerCase();
  if (owner && !entry.owner.toLowerCase().includes(owner)) return false;
  if (filter.need && filter.need !== 'any' && !matchesNeed(entry, filter.need, status, now, filter.staleDays)) return false;
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [entry.title, entry.note, entry.owner, entry.launchpad, ...entry.reviews, entry.status].join('\n').toLowerCase();
  return words.every((w) => haystack.includes(w));
}
