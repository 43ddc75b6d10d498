/**
 * cyclepad's own JSON export (`export.json`) read back as an import: the pad's JSON fed to "Import" is imported as
 * its Etherpad text export would be (the same checks, the same skipping of entries the pad has). It used to be read
 * as Etherpad text, and refused with "line 1 is 4804 characters long".
 */
import { z } from 'zod';
import { ENTRY_KINDS, ENTRY_STATUSES, MAX_LINE_LENGTH, MAX_LIST_ITEMS, MAX_NOTE_LENGTH, MAX_REVIEWS_PER_ENTRY } from '../shared/schema.js';
import { ImportFormatError, LONE_SURROGATE, type PadText, type PlainEntry } from '../shared/etherpad-format.js';
import { kindOfLink, parseLink } from '../shared/links.js';

/** Text as a file holds it: no NUL, no half of a character (the Etherpad text import refuses them too). */
export const isText = (s: string) => !s.includes('\0') && !LONE_SURROGATE.test(s);
const NOT_TEXT = 'holds characters that are not text (a NUL, or half of a character)';

/** A field of one line, as long as a line may be (shared/schema.ts: the limits every write path keeps to). */
const line = z.string().max(MAX_LINE_LENGTH, `a field may hold at most ${MAX_LINE_LENGTH.toLocaleString('en')} characters`).refine(isText, NOT_TEXT);
/** A note: several lines, as long as a note may be. */
const note = z.string().max(MAX_NOTE_LENGTH, `a note may hold at most ${MAX_NOTE_LENGTH.toLocaleString('en')} characters`).refine(isText, NOT_TEXT);

/**
 * Links as the Etherpad text import takes them: only what reads as a Launchpad bug or blueprint, or a Gerrit change or
 * topic, in the form the pad keeps (the JSON would otherwise carry anything, "javascript:…" included, into a link).
 */
const launchpad = line.transform((url, ctx) => {
  if (url === '') return '';
  const link = parseLink(url);
  if (link && kindOfLink(link)) return link.url;
  ctx.addIssue({ code: 'custom', message: 'not a Launchpad bug or blueprint link' });
  return z.NEVER;
});
const review = line.transform((url, ctx) => {
  const link = parseLink(url);
  if (link && (link.type === 'gerrit-change' || link.type === 'gerrit-topic')) return link.url;
  ctx.addIssue({ code: 'custom', message: 'not a Gerrit change or topic link' });
  return z.NEVER;
});

/** An entry's id in the export (what its promotion links name). */
const entryId = z.string().min(1).max(64).refine(isText, NOT_TEXT);

const entry = z.object({
  id: z.optional(entryId),
  promotedTo: z.optional(z.nullable(entryId)),
  promotedFrom: z.optional(z.nullable(entryId)),
  kind: z.enum(ENTRY_KINDS),
  title: line,
  launchpad,
  owner: line,
  reviews: z.array(review).max(MAX_REVIEWS_PER_ENTRY, `an entry may list at most ${MAX_REVIEWS_PER_ENTRY} reviews`),
  note,
  status: z.enum(ENTRY_STATUSES),
});

const padJson = z.object({
  meta: z.object({
    title: line,
    milestones: z.array(z.object({ label: line, date: line })).max(MAX_LIST_ITEMS, `the cycle header may list at most ${MAX_LIST_ITEMS} milestones`),
    preamble: z.array(line).max(MAX_LIST_ITEMS, `the cycle header may hold at most ${MAX_LIST_ITEMS} preamble lines`),
    /** When the ready list was last scrubbed (a time a date holds, as the pad keeps it). */
    scrubbedAt: z.optional(z.nullable(z.number().int().min(0).max(8.64e15))),
  }),
  sections: z.object({ proposed: z.array(entry), ready: z.array(entry) }),
});

/**
 * The pad `text` holds if it is a cyclepad JSON export; null if it is not JSON (it is then read as Etherpad text).
 * Throws {@link ImportFormatError} for JSON that is not an export (what is wrong, and what can be imported).
 */
export function parsePadJson(text: string): PadText | null {
  // (Etherpad text never starts with "{"; it may start with "[", as in "[Nova] 2025.1 tracking")
  if (!text.trimStart().startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ImportFormatError(`this looks like JSON but does not parse (${(err as Error).message}); import an Etherpad text export or a cyclepad JSON export`, 1);
  }
  const result = padJson.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new ImportFormatError(`this JSON is not a cyclepad export (${where}${issue.message}); import an Etherpad text export or a cyclepad JSON export`, 1);
  }
  const { meta, sections } = result.data;
  const plain = (list: typeof sections.proposed): PlainEntry[] =>
    list.map(({ id, promotedTo, promotedFrom, ...e }) => (id ? { ...e, exported: { id, promotedTo: promotedTo ?? null, promotedFrom: promotedFrom ?? null } } : e));
  return {
    meta: { title: meta.title, milestones: meta.milestones, preamble: meta.preamble, scrubbedAt: meta.scrubbedAt ?? null },
    sections: { proposed: plain(sections.proposed), ready: plain(sections.ready) },
  };
}

/**
 * Whether every field of an import is text (no NUL, no half of a character). The raw text is checked before it is
 * read, but the Etherpad text's escapes ("\\u0000") can still produce such characters, which no pad should hold.
 */
export function isAllText(pad: PadText): boolean {
  const fields = [pad.meta.title, ...pad.meta.preamble, ...pad.meta.milestones.flatMap((m) => [m.label, m.date])];
  const entries = [...pad.sections.proposed, ...pad.sections.ready];
  return fields.every(isText) && entries.every((e) => [e.title, e.launchpad, e.owner, e.note].every(isText) && e.reviews.every(isText));
}
