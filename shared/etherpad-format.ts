/**
 * The team's Etherpad tracking format, read and written:
 *
 *     Nova 2025.1 Epoxy - cycle tracking              <- title (first line)
 *     Spec freeze: 2025-01-09 | Feature freeze: …     <- milestones (label: YYYY-MM-DD, separated by |)
 *     == Proposed patches (anyone can add) ==         <- section heading (one naming the ready/curated list → ready)
 *     Features                                        <- kind heading (Features / Bugs / Other)
 *     * <launchpad link> [title] (owner)              <- entry
 *     <TAB>* <gerrit change or topic link>            <- review
 *     <TAB><TAB>* short status note                   <- note line
 *
 * Reading is forgiving (CRLF, spaces for tabs, missing titles, several reviews, stray text) and loses no line:
 * what is not a heading, a link or an owner is kept as a note (inside a section) or as preamble (before one).
 * A line longer than MAX_LINE_LENGTH (4,000) characters is refused with ImportFormatError.
 *
 * Writing is exact: importing the export gives the same header and entries back, in order, whatever the fields
 * hold. Content that would not read back as written (a newline in an owner, a link in a title, a leading space in a
 * note, …) goes on a line that starts with `\ ` and uses backslash escapes (see "Escapes" below):
 *
 *     * \ <launchpad> [title] (owner)                <- entry (each part optional; `\>` `\]` `\)` inside)
 *     <TAB>* \ <review url>                           <- review
 *     <TAB><TAB>* \ note line                         <- note line (`\` alone: an empty line)
 *     \ title / \ label: date | … / \ preamble line   <- header: title, milestones, other lines, in that order
 */
import { ENTRY_KINDS, MAX_REVIEWS_PER_ENTRY, type CycleMeta, type EntryData, type EntryKind, type EntryStatus, type Milestone } from './schema.js';
import { BIDI_CONTROL_CHARS, chipLabel, kindOfLink, MAX_LINE_LENGTH, parseEntryText, parseLink, safeHref } from './links.js';
import { KIND_HEADINGS, SECTION_HEADINGS as SECTION_HEADINGS_SHOWN, isoDay } from './labels.js';
import type { PadStatus } from './status.js';
import { linkStatusView } from './status-view.js';

export { MAX_LINE_LENGTH };

export type PlainEntry = Pick<EntryData, 'kind' | 'title' | 'launchpad' | 'owner' | 'reviews' | 'note' | 'status'> & {
  /**
   * Read from a JSON export only: the entry's id there and its promotion links by those ids, so that a promoted
   * entry and its ready copy, imported together, are linked again (the text formats do not carry them).
   */
  exported?: { id: string; promotedTo: string | null; promotedFrom: string | null };
};

export interface PadText {
  meta: Pick<CycleMeta, 'title' | 'milestones' | 'preamble'> & { scrubbedAt?: number | null };
  sections: { proposed: PlainEntry[]; ready: PlainEntry[] };
}

/** Text that cannot be imported (a line longer than {@link MAX_LINE_LENGTH}): the HTTP import answers it with 400. */
export class ImportFormatError extends Error {
  constructor(
    message: string,
    /** 1-based number of the offending line. */
    readonly line: number,
  ) {
    super(message);
    this.name = 'ImportFormatError';
  }
}

const SECTION_HEADINGS = { proposed: 'Proposed patches (anyone can add)', ready: 'Ready to review (PTL only)' } as const;

const KIND_HEADING = /^(features?|blueprints?|bugs?|bug\s*fixes|others?|misc(?:ellaneous)?)\s*:?$/i;
const BULLET = /^[*•-]\s+/;
const STATUS_LINE = /^status:\s*(merged|abandoned|open)\s*$/i;
/**
 * A review's live status in the text export (`\t\t* » live: merged`), written right after its review line when the
 * server knows it: facts from Gerrit / Launchpad, not the pad's content, so reading skips these lines (a note line
 * that looks like one is written escaped, so nothing a person wrote is ever skipped).
 */
export const LIVE_STATUS_LINE = /^\u00bb live: /;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LINE_BREAK = /[\n\r\u2028\u2029]/;

const isLineBreak = (ch: string) => ch === '\n' || ch === '\r' || ch === '\u2028' || ch === '\u2029';
/** `\s` and `String.prototype.trim` know the same white space (WhiteSpace and LineTerminator). */
const isSpace = (ch: string) => ch.trim() === '';

/**
 * The name of a heading line (`== name ==`, `## name`), or null: what `^(?:=+\s*(.+?)\s*=*|#{1,6}\s+(.+?))\s*$`
 * captured, computed in linear time (that pattern backtracks quadratically on long runs of white space). Exported for tests.
 */
export function headingName(content: string): string | null {
  if (content.startsWith('=')) {
    let i = 0;
    while (content[i] === '=') i++;
    const rest = content.slice(i);
    const body = rest.trimStart();
    if (body !== '') {
      const core = body.trimEnd();
      let end = core.length;
      while (end > 0 && core[end - 1] === '=') end--;
      const name = core.slice(0, end).trimEnd() || body[0]!;
      return LINE_BREAK.test(name) ? null : name;
    }
    // only `=` and white space: the name is the last character that `.` matches
    for (let t = rest.length - 1; t >= 0; t--) if (!isLineBreak(rest[t]!)) return rest[t]!;
    return i >= 2 ? '=' : null;
  }
  if (content.startsWith('#')) {
    let h = 0;
    while (content[h] === '#') h++;
    const rest = content.slice(h);
    if (h > 6 || rest === '' || !isSpace(rest[0]!)) return null;
    const body = rest.trimStart();
    if (body !== '') {
      const name = body.trimEnd();
      return LINE_BREAK.test(name) ? null : name;
    }
    for (let t = rest.length - 1; t >= 1; t--) if (!isLineBreak(rest[t]!)) return rest[t]!;
    return null;
  }
  return null;
}

function kindOfHeading(text: string): EntryKind {
  const word = text.toLowerCase();
  if (word.startsWith('feature') || word.startsWith('blueprint')) return 'feature';
  if (word.startsWith('bug')) return 'bug';
  return 'other';
}

/** The indentation unit of space-indented text: the smallest indent of an indented line (2 if none). */
function spaceUnit(lines: string[]): number {
  let unit = 0;
  for (const line of lines) {
    const m = /^( +)\S/.exec(line);
    if (m && (unit === 0 || m[1]!.length < unit)) unit = m[1]!.length;
  }
  return unit || 2;
}

function levelOf(indent: string, unit: number): number {
  let level = 0;
  let spaces = 0;
  for (const ch of indent) {
    if (ch === '\t') {
      level += 1 + Math.floor(spaces / unit);
      spaces = 0;
    } else spaces++;
  }
  return level + Math.floor(spaces / unit);
}

/**
 * One `label: YYYY-MM-DD [more label]` part of a milestones line, as `^\s*([^:|]+?)\s*:\s*(\d{4}-\d{2}-\d{2})\s*(.*?)\s*$`
 * read it, in linear time.
 */
function milestoneOf(part: string): Milestone | null {
  const colon = part.indexOf(':');
  if (colon === -1) return null;
  const before = part.slice(0, colon);
  const label = before.trim() || before.slice(-1);
  if (!label) return null;
  const after = part.slice(colon + 1).trimStart();
  const date = after.slice(0, 10);
  if (!ISO_DATE.test(date)) return null;
  const tail = after.slice(10).trim();
  if (LINE_BREAK.test(tail)) return null;
  return { label: tail ? `${label} ${tail}` : label, date };
}

/** The milestones of a header line (`label: YYYY-MM-DD | …`), or null if it is not one. Exported for tests. */
export function milestonesOf(line: string): Milestone[] | null {
  const milestones: Milestone[] = [];
  for (const part of line.split('|')) {
    const m = milestoneOf(part);
    if (!m) return null;
    milestones.push(m);
  }
  return milestones.length > 0 ? milestones : null;
}

/*
 * Escapes. A line whose text (after its indentation and bullet) starts with a backslash and a space, or is a lone
 * backslash, was written with escapes: cyclepad writes a line so only when the plain form would not read back
 * exactly (a newline in an owner, a link in a title, a leading space in a note, …). In such a line `\\` is a
 * backslash, `\n` `\r` `\t` are newline, carriage return and tab, `\uXXXX` is that UTF-16 code unit, and a
 * backslash before any other character makes it literal (`\]`, `\)`, `\>`, `\|`, `\:`). Lines people write
 * (which never start with `\ `) are read exactly as before.
 */

/** The text after the escape marker, or null if `content` is not an escaped line. */
function escapedRest(content: string): string | null {
  if (content === '\\') return '';
  return content.startsWith('\\ ') ? content.slice(2) : null;
}

const escapedLine = (rest: string) => (rest ? `\\ ${rest}` : '\\');

/** Control characters, line and paragraph separators, the BOM and lone surrogates: never written raw. */
function isUnsafeAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x20 && c !== 0x09) return true;
  if ((c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff) return true;
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const prev = text.charCodeAt(i - 1);
    return !(prev >= 0xd800 && prev <= 0xdbff);
  }
  return false;
}

function hasUnsafe(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isUnsafeAt(text, i)) return true;
  return false;
}

const hex4 = (code: number) => `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Escapes `text` for an escaped line: backslashes, newlines, tabs, unsafe characters, the characters of `specials`,
 * and white space at either end (which trimming would lose) as `\uXXXX`.
 */
function escapeText(text: string, specials = ''): string {
  let start = 0;
  while (start < text.length && isSpace(text[start]!)) start++;
  let end = text.length;
  while (end > start && isSpace(text[end - 1]!)) end--;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (i < start || i >= end || isUnsafeAt(text, i)) out += hex4(text.charCodeAt(i));
    else if (specials.includes(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

const HEX4 = /^[0-9A-Fa-f]{4}$/;

/**
 * Decodes `text` from `from` up to the first unescaped `stop` (to the end if `stop` is null). Null if `stop` never
 * comes; `end` is the index after `stop`.
 */
function readEscaped(text: string, from: number, stop: string | null): { value: string; end: number } | null {
  let value = '';
  let i = from;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === stop) return { value, end: i + 1 };
    if (ch !== '\\' || i + 1 === text.length) {
      value += ch;
      i++;
      continue;
    }
    const next = text[i + 1]!;
    const code = text.slice(i + 2, i + 6);
    if (next === 'n') value += '\n';
    else if (next === 'r') value += '\r';
    else if (next === 't') value += '\t';
    else if (next === 'u' && HEX4.test(code)) {
      value += String.fromCharCode(parseInt(code, 16));
      i += 4;
    } else value += next;
    i += 2;
  }
  return stop === null ? { value, end: i } : null;
}

const unescapeAll = (text: string) => readEscaped(text, 0, null)!.value;

/** Splits an escaped text at each unescaped `separator`, keeping the escapes. */
function splitEscaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === separator) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}

function trimSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === ' ') start++;
  while (end > start && text[end - 1] === ' ') end--;
  return text.slice(start, end);
}

/** An escaped milestones line: `label: date | label: date` (a lone marker for none); null if it is not one. */
function readEscapedMilestones(rest: string): Milestone[] | null {
  if (rest === '') return [];
  const milestones: Milestone[] = [];
  for (const item of splitEscaped(rest, '|')) {
    const pieces = splitEscaped(item, ':');
    if (pieces.length !== 2) return null;
    milestones.push({ label: unescapeAll(trimSpaces(pieces[0]!)), date: unescapeAll(trimSpaces(pieces[1]!)) });
  }
  return milestones;
}

function writeEscapedMilestones(milestones: readonly Milestone[]): string {
  return milestones.map((m) => `${escapeText(m.label, ':|')}: ${escapeText(m.date, ':|')}`).join(' | ');
}

const FIELD_DELIMITERS = { launchpad: ['<', '>'], title: ['[', ']'], owner: ['(', ')'] } as const;
type EntryField = keyof typeof FIELD_DELIMITERS;

/** An escaped entry line: `<launchpad> [title] (owner)`, each optional; null if it is not one. */
function readEscapedEntry(rest: string): Record<EntryField, string> | null {
  const fields: Record<EntryField, string | null> = { launchpad: null, title: null, owner: null };
  let i = 0;
  while (i < rest.length) {
    if (rest[i] === ' ') {
      i++;
      continue;
    }
    const field = (Object.keys(FIELD_DELIMITERS) as EntryField[]).find((f) => FIELD_DELIMITERS[f][0] === rest[i]);
    if (!field || fields[field] !== null) return null;
    const read = readEscaped(rest, i + 1, FIELD_DELIMITERS[field][1]);
    if (!read) return null;
    fields[field] = read.value;
    i = read.end;
  }
  return { launchpad: fields.launchpad ?? '', title: fields.title ?? '', owner: fields.owner ?? '' };
}

function writeEscapedEntry(e: PlainEntry): string {
  const parts = (Object.keys(FIELD_DELIMITERS) as EntryField[])
    .filter((f) => e[f])
    .map((f) => `${FIELD_DELIMITERS[f][0]}${escapeText(e[f], FIELD_DELIMITERS[f][1])}${FIELD_DELIMITERS[f][1]}`);
  return escapedLine(parts.join(' '));
}

/** An escaped review line: `<url>`; null if it is not one. */
function readEscapedReview(rest: string): string | null {
  if (!rest.startsWith('<')) return null;
  const read = readEscaped(rest, 1, '>');
  return read && read.end === rest.length ? read.value : null;
}

const blankEntry = (kind: EntryKind): PlainEntry => ({ kind, title: '', launchpad: '', owner: '', reviews: [], note: '', status: 'open' });

interface LineShape {
  level: number;
  bullet: boolean;
  /** The text after indentation and bullet, without trailing white space. */
  content: string;
}

function shapeOf(raw: string, unit: number): LineShape {
  const indent = /^[ \t]*/.exec(raw)![0];
  let content = raw.slice(indent.length).trimEnd();
  const bullet = BULLET.test(content);
  if (bullet) content = content.replace(BULLET, '');
  return { level: levelOf(indent, unit), bullet, content };
}

/** The Gerrit links of a review line, or null if it has anything else. */
function reviewsOf(content: string): string[] | null {
  const urls: string[] = [];
  for (const token of content.split(/\s+/)) {
    const link = parseLink(token);
    if (link?.type !== 'gerrit-change' && link?.type !== 'gerrit-topic') return null;
    urls.push(link.url);
  }
  return urls;
}

/**
 * A link as the Markdown export writes every link (`[label](<https://…>)`, {@link mdLink}): read as Etherpad text,
 * that export would turn its links into notes and its milestones into entries, so it is refused instead.
 */
const MARKDOWN_EXPORT_LINK = /\]\(<https?:\/\/[^<>\s]*>\)/;

/**
 * The index of a line showing `lines` are the Markdown export ({@link toMarkdown}), or -1: a link as it writes links,
 * or, for an export without links, its shape: a `# ` title first, then both of its section headings as it writes them.
 */
function markdownExportLine(lines: string[]): number {
  const link = lines.findIndex((l) => MARKDOWN_EXPORT_LINK.test(l));
  if (link >= 0) return link;
  const first = lines.find((l) => l.trim() !== '');
  if (!first?.startsWith('# ')) return -1;
  const ready = lines.indexOf(`## ${SECTION_HEADINGS_SHOWN.ready}`);
  return ready >= 0 && lines.includes(`## ${SECTION_HEADINGS_SHOWN.proposed}`) ? ready : -1;
}

/**
 * Reads Etherpad text. Throws {@link ImportFormatError} if a line is longer than {@link MAX_LINE_LENGTH} characters
 * (before any pattern runs over it).
 */
export function parseEtherpadText(text: string): PadText {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  lines.forEach((line, i) => {
    if (line.length > MAX_LINE_LENGTH) {
      throw new ImportFormatError(`line ${i + 1} is ${line.length} characters long; a line may have at most ${MAX_LINE_LENGTH} (a pad's JSON export imports back whatever its lines)`, i + 1);
    }
  });
  const markdown = markdownExportLine(lines);
  if (markdown >= 0) {
    throw new ImportFormatError(
      `line ${markdown + 1} is from a Markdown export, which is made for reading and cannot be imported back; import the pad's JSON export (export.json) or its text export (export.txt) instead`,
      markdown + 1,
    );
  }
  const unit = spaceUnit(lines.filter((l) => !l.includes('\t')));
  const result: PadText = { meta: { title: '', milestones: [], preamble: [] }, sections: { proposed: [], ready: [] } };
  let section: 'proposed' | 'ready' | null = null;
  let kind: EntryKind | null = null;
  let current: PlainEntry | null = null;
  // the header's title and milestones were read (an escaped header line may give an empty title or no milestones)
  let titleDone = false;
  let milestonesDone = false;
  const noted = new Set<PlainEntry>();

  const addNote = (entry: PlainEntry, line: string): void => {
    entry.note = noted.has(entry) ? `${entry.note}\n${line}` : line;
    noted.add(entry);
  };

  const startEntry = (content: string): PlainEntry => {
    const rest = escapedRest(content);
    const fields = rest === null ? null : readEscapedEntry(rest);
    let entry: PlainEntry;
    if (fields) {
      entry = { ...blankEntry(kind ?? kindOfLink(parseLink(fields.launchpad)) ?? 'other'), ...fields };
    } else {
      const draft = parseEntryText(content);
      entry = { ...blankEntry(kind ?? draft.kind), title: draft.title, launchpad: draft.launchpad, owner: draft.owner, reviews: [] };
      for (const review of draft.reviews) addReview(entry, review);
      if (draft.rest) addNote(entry, draft.rest);
    }
    result.sections[section ?? 'proposed'].push(entry);
    return entry;
  };

  let lineNumber = 0;
  const addReview = (entry: PlainEntry, review: string): void => {
    if (entry.reviews.length >= MAX_REVIEWS_PER_ENTRY) {
      throw new ImportFormatError(`line ${lineNumber}: an entry may list at most ${MAX_REVIEWS_PER_ENTRY} reviews`, lineNumber);
    }
    entry.reviews.push(review);
  };

  for (const raw of lines) {
    lineNumber++;
    if (raw.trim() === '') continue;
    const { level, bullet, content } = shapeOf(raw, unit);
    const escaped = escapedRest(content);

    if (!section && !current && !(bullet && level === 0)) {
      // the header above the first section (and above any entry: once a list has begun without a heading, what
      // follows belongs to its entries, as under a heading): title, milestones, and anything else kept as written
      if (escaped !== null && level === 0 && !bullet) {
        // written with escapes: the title, then the milestones, then the other lines
        const milestones = milestonesDone || result.meta.preamble.length > 0 ? null : readEscapedMilestones(escaped);
        if (!titleDone && !milestonesDone && result.meta.preamble.length === 0) {
          result.meta.title = unescapeAll(escaped);
          titleDone = true;
        } else if (milestones) {
          result.meta.milestones = milestones;
          milestonesDone = true;
        } else result.meta.preamble.push(unescapeAll(escaped));
        continue;
      }
      const milestones = level === 0 ? milestonesOf(content) : null;
      if (!titleDone && result.meta.preamble.length === 0 && !milestones && level === 0 && headingName(content) === null) {
        result.meta.title = content;
        titleDone = true;
        continue;
      }
      if (milestones && !milestonesDone) {
        result.meta.milestones = milestones;
        milestonesDone = true;
        continue;
      }
      if (headingName(content) === null || level > 0) {
        result.meta.preamble.push(raw.trimEnd());
        continue;
      }
    }

    if (!bullet && level === 0) {
      const name = headingName(content);
      if (name !== null) {
        if (KIND_HEADING.test(name) && section) {
          kind = kindOfHeading(name);
        } else {
          section = /ready|curated/i.test(name) ? 'ready' : 'proposed';
          kind = null;
        }
        current = null;
        continue;
      }
      if (KIND_HEADING.test(content) && section) {
        kind = kindOfHeading(content);
        current = null;
        continue;
      }
      // stray text inside a section: a note of the entry above, or an entry of its own
      if (current) addNote(current, content);
      else current = startEntry(content);
      continue;
    }

    if (level === 2 && current && escaped === null && LIVE_STATUS_LINE.test(content)) continue;
    if (level === 0 || !current) {
      current = startEntry(content);
      continue;
    }
    if (escaped !== null) {
      const review = level === 1 ? readEscapedReview(escaped) : null;
      if (review !== null) addReview(current, review);
      else addNote(current, unescapeAll(escaped));
      continue;
    }
    const status = STATUS_LINE.exec(content);
    if (level === 1 && status) {
      current.status = status[1]!.toLowerCase() as EntryStatus;
      continue;
    }
    const reviews = level === 1 ? reviewsOf(content) : null;
    if (reviews) {
      for (const review of reviews) addReview(current, review);
      continue;
    }
    addNote(current, content);
  }
  return result;
}

// Export: every line is written plainly when that reads back exactly (all ordinary content), escaped otherwise.

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function entryLine(e: PlainEntry): string {
  const parts = [e.launchpad, e.title || !e.launchpad ? `[${e.title}]` : '', e.owner ? `(${e.owner})` : ''];
  const plain = `* ${parts.filter(Boolean).join(' ')}`;
  const shape = shapeOf(plain, 2);
  if (!hasUnsafe(plain) && shape.bullet && shape.level === 0 && escapedRest(shape.content) === null) {
    const draft = parseEntryText(shape.content);
    if (draft.title === e.title && draft.launchpad === e.launchpad && draft.owner === e.owner && draft.reviews.length === 0 && !draft.rest) return plain;
  }
  return `* ${writeEscapedEntry(e)}`;
}

function reviewLine(url: string): string {
  const plain = `\t* ${url}`;
  const { content } = shapeOf(plain, 2);
  const plainReads = !hasUnsafe(url) && escapedRest(content) === null && !STATUS_LINE.test(content) && sameList(reviewsOf(content) ?? [], [url]);
  return plainReads ? plain : `\t* ${escapedLine(`<${escapeText(url, '>')}>`)}`;
}

function noteLine(line: string): string {
  const plain = `\t\t* ${line}`;
  const { content } = shapeOf(plain, 2);
  const plainReads = line !== '' && !hasUnsafe(line) && content === line && escapedRest(content) === null && !LIVE_STATUS_LINE.test(content);
  return plainReads ? plain : `\t\t* ${escapedLine(escapeText(line))}`;
}

function headerLines(meta: PadText['meta']): string[] {
  const plain: string[] = [];
  if (meta.title) plain.push(meta.title);
  if (meta.milestones.length > 0) plain.push(meta.milestones.map((m) => `${m.label}: ${m.date}`).join(' | '));
  for (const line of meta.preamble) plain.push(line);
  if (plain.length === 0) return plain;
  if (!plain.some(hasUnsafe)) {
    try {
      const back = parseEtherpadText(plain.join('\n'));
      const reads =
        back.meta.title === meta.title &&
        sameList(back.meta.preamble, meta.preamble) &&
        back.meta.milestones.length === meta.milestones.length &&
        back.meta.milestones.every((m, i) => m.label === meta.milestones[i]!.label && m.date === meta.milestones[i]!.date) &&
        back.sections.proposed.length === 0 &&
        back.sections.ready.length === 0;
      if (reads) return plain;
    } catch (err) {
      if (!(err instanceof ImportFormatError)) throw err;
    }
  }
  return [
    escapedLine(escapeText(meta.title)),
    escapedLine(writeEscapedMilestones(meta.milestones)),
    ...meta.preamble.map((line) => escapedLine(escapeText(line))),
  ];
}

/**
 * The pad as Etherpad text in the team's format; importing it gives the same entries back, in the same order
 * (a kind heading is written wherever the kind changes). Fields that would not read back as written are escaped.
 */
export function toEtherpadText(pad: PadText, status: PadStatus | null = null): string {
  const out: string[] = headerLines(pad.meta);
  for (const section of ['proposed', 'ready'] as const) {
    if (out.length > 0) out.push('');
    out.push(`== ${SECTION_HEADINGS[section]} ==`);
    // grouped by kind, as the editor, the mirror and the Markdown show them (in the pad's order within each kind):
    // written in the pad's order, a proposed list whose kinds alternate repeated its headings ("Bugs" twice)
    const grouped = ENTRY_KINDS.flatMap((kind) => pad.sections[section].filter((e) => e.kind === kind));
    let kind: EntryKind | null = null;
    for (const e of grouped) {
      if (e.kind !== kind) out.push(KIND_HEADINGS[e.kind]);
      kind = e.kind;
      out.push(entryLine(e));
      const lpLive = e.launchpad ? liveStatus(e.launchpad, status) : null;
      if (lpLive) out.push(`\t\t* \u00bb live: ${lpLive}`);
      for (const r of e.reviews) {
        out.push(reviewLine(r));
        const live = liveStatus(r, status);
        if (live) out.push(`\t\t* \u00bb live: ${live}`);
      }
      if (e.status === 'merged' || e.status === 'abandoned') out.push(`\t* status: ${e.status}`);
      for (const line of e.note ? e.note.split('\n') : []) out.push(noteLine(line));
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * A review's (or Launchpad link's) short live status for the exports ("merged", "+2 ×1, CI ok", "3 changes, 2 merged, 1 open"), on one
 * line of plain text (white space collapsed, no control characters), or null when the server knows nothing of it.
 */
function liveStatus(url: string, status: PadStatus | null): string | null {
  if (!status) return null;
  const view = linkStatusView(parseLink(url), status);
  if (!view) return null;
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const text = view.text.replace(/^open, /, '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
  return text || null;
}

/** Half of a character: a high surrogate not followed by a low one, or a low one not preceded by a high one. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What Markdown text never carries raw: control characters (C0, DEL, C1: a terminal obeys ESC sequences, which
 * `cyclepad export --format md` would print to it), bidirectional marks, embeddings, overrides and isolates (a mail
 * reader would show the text reordered) and lone surrogates. Each is shown as U+FFFD.
 */
const MD_CONTROLS = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI_CONTROL_CHARS}]`);
const MD_UNSAFE = new RegExp(`${MD_CONTROLS.source}|${LONE_SURROGATE.source}`, 'g');

/**
 * A field as Markdown text: white space (newlines too) collapsed to single spaces, and every character Markdown
 * could read as syntax escaped: emphasis, code, links, images, HTML, entities, tables, what begins a list or a
 * heading (at the start, the only place it would), and the `://` of bare URLs and the `@` of e-mail addresses (which
 * renderers with autolinking turn into links).
 */
function mdEscape(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(MD_UNSAFE, '\uFFFD')
    .replace(/[\\`*_{}[\]()!|<>~&@]/g, '\\$&')
    // a list item, a heading or a thematic break begins only at the start: "sean-k-mooney" and "needs +2" are left
    // as written (escaped, they read "sean\-k\-mooney" in a plain-text post)
    .replace(/^[-+#]/, '\\$&')
    .replace(/:\/\//g, '\\://')
    .replace(/^(\d+)\./, '$1\\.');
}

/** Characters a link destination keeps as they are; everything else is percent-encoded (`&` is escaped). */
const URL_SAFE = /^[A-Za-z0-9\-._~:/?#@!$&+,;=%]$/;

/** A safe (http/https) URL for `<…>` in a Markdown link: nothing in it can end the destination or the link. */
function mdDestination(href: string): string {
  let out = '';
  for (const ch of href) out += !URL_SAFE.test(ch) ? encodeURIComponent(ch) : ch === '&' ? '\\&' : ch;
  return out;
}

/** A link for URLs that pass {@link safeHref}; anything else is plain escaped text. */
function mdLink(label: string, url: string): string {
  const href = safeHref(url);
  const text = mdEscape(label);
  if (!href) return text;
  return `[${text || mdEscape(href)}](<${mdDestination(href)}>)`;
}

const mdDate = (date: string) => (ISO_DATE.test(date) ? date : mdEscape(date));

/**
 * The pad as Markdown, ready to paste into a mailing-list post. Every field is escaped so it renders as text; only
 * http(s) URLs become links.
 */
export function toMarkdown(pad: PadText, live: PadStatus | null = null): string {
  const out: string[] = [`# ${mdEscape(pad.meta.title) || 'Release cycle tracking'}`, ''];
  for (const m of pad.meta.milestones) {
    const label = mdEscape(m.label);
    out.push(label ? `- **${label}**: ${mdDate(m.date)}` : `- ${mdDate(m.date)}`);
  }
  if (pad.meta.milestones.length > 0) out.push('');
  const scrubbed = isoDay(pad.meta.scrubbedAt);
  if (scrubbed) out.push(`_Ready list scrubbed on ${scrubbed}_`, '');
  for (const section of ['ready', 'proposed'] as const) {
    out.push(`## ${SECTION_HEADINGS_SHOWN[section]}`, '');
    const entries = pad.sections[section];
    if (entries.length === 0) out.push('_No entries._', '');
    for (const kind of ENTRY_KINDS) {
      const group = entries.filter((e) => e.kind === kind);
      if (group.length === 0) continue;
      out.push(`### ${KIND_HEADINGS[kind]}`, '');
      group.forEach((e, i) => {
        const lp = e.launchpad ? parseLink(e.launchpad) : null;
        const title = e.title.trim() ? e.title : lp ? chipLabel(lp) : '(untitled)';
        const head = e.launchpad ? mdLink(title, e.launchpad) : mdEscape(title);
        const owner = mdEscape(e.owner);
        const marker = section === 'ready' ? `${i + 1}.` : '-';
        const status = e.status === 'merged' || e.status === 'abandoned' ? ` — **${e.status}**` : '';
        const lpLive = e.launchpad ? liveStatus(e.launchpad, live) : null;
        out.push(`${marker} ${head}${owner ? ` (${owner})` : ''}${status}${lpLive ? ` — ${mdEscape(lpLive)}` : ''}`);
        const pad2 = ' '.repeat(marker.length + 1);
        for (const r of e.reviews) {
          const link = parseLink(r);
          const said = liveStatus(r, live);
          out.push(`${pad2}- ${mdLink(link ? chipLabel(link) : r, link?.url ?? r) || '\\-'}${said ? ` — ${mdEscape(said)}` : ''}`);
        }
        for (const line of e.note ? e.note.split('\n') : []) {
          const text = mdEscape(line);
          if (text) out.push(`${pad2}- _${text}_`);
        }
      });
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
