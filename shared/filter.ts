/** The pad's filter (local to each person): by kind, owner and free text. */
import type { EntryData, EntryKind } from './schema.js';

export interface EntryFilter {
  kind: EntryKind | 'all';
  owner: string;
  text: string;
}

export const NO_FILTER: EntryFilter = { kind: 'all', owner: '', text: '' };

export const isFiltering = (f: EntryFilter) => f.kind !== 'all' || f.owner.trim() !== '' || f.text.trim() !== '';

/** Every word of `text` must appear somewhere in the entry (title, note, owner, links), case-insensitively. */
export function matchesFilter(entry: EntryData, filter: EntryFilter): boolean {
  if (filter.kind !== 'all' && entry.kind !== filter.kind) return false;
  const owner = filter.owner.trim().toLowerCase();
  if (owner && !entry.owner.toLowerCase().includes(owner)) return false;
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [entry.title, entry.note, entry.owner, entry.launchpad, ...entry.reviews, entry.status].join('\n').toLowerCase();
  return words.every((w) => haystack.includes(w));
}
