/** The words the editor, the mirror (with and without JavaScript) and the exports show for sections and kinds. */
import { timestamp, type EntryKind, type Section } from './schema.js';
import { chipLabel, parseLink } from './links.js';

/** Section headings, in the order the pages show them (ready first). */
export const SECTION_HEADINGS: Readonly<Record<Section, string>> = { ready: 'Ready to review', proposed: 'Proposed patches' };

/** The sections in the order the pages show them. */
export const SECTIONS_SHOWN = ['ready', 'proposed'] as const satisfies readonly Section[];

/** Kind headings inside a section. */
export const KIND_HEADINGS: Readonly<Record<EntryKind, string>> = { feature: 'Features', bug: 'Bugs', other: 'Other' };

/**
 * How an entry is named wherever a sentence or a label names it (its menu, the delete notice, announcements, the
 * scrub, an import's report, history): its title; else the chip of its Launchpad link or of its first review; else
 * the start of its note; else "an untitled entry".
 */
export function entryLabel(entry: { title: string; launchpad: string; reviews: readonly string[]; note: string }): string {
  const title = entry.title.trim();
  if (title) return title;
  for (const link of [entry.launchpad, entry.reviews[0]]) {
    const parsed = link ? parseLink(link) : null;
    if (parsed) return chipLabel(parsed);
  }
  const note = entry.note.trim().replace(/\s+/g, ' ');
  if (note) return note.length > 40 ? `${note.slice(0, 40)}…` : note;
  return entry.launchpad.trim().slice(0, 80) || 'an untitled entry';
}

/** A time as its day (YYYY-MM-DD, UTC; years past 9999 as ISO writes them, +275760-09-13), as the pages and exports show "scrubbed on"; null for none or a time no date holds. */
export function isoDay(epochMs: unknown): string | null {
  const ms = timestamp(epochMs);
  return ms === null || ms === 0 ? null : new Date(ms).toISOString().split('T')[0]!;
}
