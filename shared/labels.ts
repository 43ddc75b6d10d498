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
  // (a title may hold 4,000 characters: as a heading, a menu's name or a message, it would fill screens and be read whole)
  if (title) return clip(title, MAX_LABEL_LENGTH);
  for (const link of [entry.launchpad, entry.reviews[0]]) {
    const parsed = link ? parseLink(link) : null;
    if (parsed) return chipLabel(parsed);
  }
  const note = entry.note.trim().replace(/\s+/g, ' ');
  if (note) return clip(note, 40);
  return entry.launchpad.trim().slice(0, 80) || 'an untitled entry';
}

/** Longest label of an entry (its title, cut with "…"). */
export const MAX_LABEL_LENGTH = 120;

/** `text` cut to `max` characters with "…", never between the two halves of a character. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

/** A time as its day (YYYY-MM-DD, UTC; years past 9999 as ISO writes them, +275760-09-13), as the pages and exports show "scrubbed on"; null for none or a time no date holds. */
export function isoDay(epochMs: unknown): string | null {
  const ms = timestamp(epochMs);
  return ms === null || ms === 0 ? null : new Date(ms).toISOString().split('T')[0]!;
}
