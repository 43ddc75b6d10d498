/**
 * cyclepad's own JSON export (`export.json`) read back as an import: the pad's JSON fed to "Import" is imported as
 * its Etherpad text export would be (the same checks, the same skipping of entries the pad has). It used to be read
 * as Etherpad text, and refused with "line 1 is 4804 characters long".
 */
import { z } from 'zod';
import { ENTRY_KINDS, ENTRY_STATUSES } from '../shared/schema.js';
import { ImportFormatError, type PadText } from '../shared/etherpad-format.js';
import { MAX_LINE_LENGTH } from '../shared/links.js';

/** A field of one line, as long as a line of the Etherpad text may be. */
const line = z.string().max(MAX_LINE_LENGTH);
/** A field of several lines (a note, a preamble line), each as long as a line may be. */
const lines = z.string().refine((s) => s.split('\n').every((l) => l.length <= MAX_LINE_LENGTH), `a line may have at most ${MAX_LINE_LENGTH} characters`);

const entry = z.object({
  kind: z.enum(ENTRY_KINDS),
  title: line,
  launchpad: line,
  owner: line,
  reviews: z.array(line),
  note: lines,
  status: z.enum(ENTRY_STATUSES),
});

const padJson = z.object({
  meta: z.object({
    title: line,
    milestones: z.array(z.object({ label: line, date: line })),
    preamble: z.array(lines),
  }),
  sections: z.object({ proposed: z.array(entry), ready: z.array(entry) }),
});

/**
 * The pad `text` holds if it is a cyclepad JSON export; null if it is not JSON (it is then read as Etherpad text).
 * Throws {@link ImportFormatError} for JSON that is not an export (what is wrong, and what can be imported).
 */
export function parsePadJson(text: string): PadText | null {
  if (!text.trimStart().startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const result = padJson.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new ImportFormatError(`this JSON is not a cyclepad export (${where}${issue.message}); import an Etherpad text export or a cyclepad JSON export`, 1);
  }
  const { meta, sections } = result.data;
  return { meta: { title: meta.title, milestones: meta.milestones, preamble: meta.preamble }, sections };
}
