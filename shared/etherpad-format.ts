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
 */
import { ENTRY_KINDS, type CycleMeta, type EntryData, type EntryKind, type EntryStatus, type Milestone } from './schema.js';
import { chipLabel, parseEntryText, parseLink } from './links.js';

export type PlainEntry = Pick<EntryData, 'kind' | 'title' | 'launchpad' | 'owner' | 'reviews' | 'note' | 'status'>;

export interface PadText {
  meta: Pick<CycleMeta, 'title' | 'milestones' | 'preamble'> & { scrubbedAt?: number | null };
  sections: { proposed: PlainEntry[]; ready: PlainEntry[] };
}

const KIND_HEADINGS: Record<EntryKind, string> = { feature: 'Features', bug: 'Bugs', other: 'Other' };
const SECTION_HEADINGS = { proposed: 'Proposed patches (anyone can add)', ready: 'Ready to review (PTL only)' } as const;

const HEADING = /^(?:=+\s*(.+?)\s*=*|#{1,6}\s+(.+?))\s*$/;
const KIND_HEADING = /^(features?|blueprints?|bugs?|bug\s*fixes|others?|misc(?:ellaneous)?)\s*:?$/i;
const BULLET = /^[*•-]\s+/;
const STATUS_LINE = /^status:\s*(merged|abandoned|open)\s*$/i;
const MILESTONE = /^\s*([^:|]+?)\s*:\s*(\d{4}-\d{2}-\d{2})\s*(.*?)\s*$/;

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

function milestonesOf(line: string): Milestone[] | null {
  const parts = line.split('|');
  const milestones: Milestone[] = [];
  for (const part of parts) {
    const m = MILESTONE.exec(part);
    if (!m) return null;
    milestones.push({ label: m[3] ? `${m[1]} ${m[3]}` : m[1]!, date: m[2]! });
  }
  return milestones.length > 0 ? milestones : null;
}

const blankEntry = (kind: EntryKind): PlainEntry => ({ kind, title: '', launchpad: '', owner: '', reviews: [], note: '', status: 'open' });

function addNote(entry: PlainEntry, line: string): void {
  entry.note = entry.note ? `${entry.note}\n${line}` : line;
}

export function parseEtherpadText(text: string): PadText {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const unit = spaceUnit(lines.filter((l) => !l.includes('\t')));
  const result: PadText = { meta: { title: '', milestones: [], preamble: [] }, sections: { proposed: [], ready: [] } };
  let section: 'proposed' | 'ready' | null = null;
  let kind: EntryKind | null = null;
  let current: PlainEntry | null = null;

  const startEntry = (content: string): PlainEntry => {
    const draft = parseEntryText(content);
    const entry: PlainEntry = {
      ...blankEntry(kind ?? draft.kind),
      title: draft.title,
      launchpad: draft.launchpad,
      owner: draft.owner,
      reviews: draft.reviews,
    };
    if (draft.rest) addNote(entry, draft.rest);
    result.sections[section ?? 'proposed'].push(entry);
    return entry;
  };

  for (const raw of lines) {
    if (raw.trim() === '') continue;
    const indent = /^[ \t]*/.exec(raw)![0];
    const level = levelOf(indent, unit);
    let content = raw.slice(indent.length).trimEnd();
    const bullet = BULLET.test(content);
    if (bullet) content = content.replace(BULLET, '');

    if (!section && !(bullet && level === 0)) {
      // the header above the first section: title, milestones, and anything else kept as written
      const milestones = level === 0 ? milestonesOf(content) : null;
      if (!result.meta.title && result.meta.preamble.length === 0 && !milestones && level === 0 && !HEADING.test(content)) {
        result.meta.title = content;
        continue;
      }
      if (milestones && result.meta.milestones.length === 0) {
        result.meta.milestones = milestones;
        continue;
      }
      if (!HEADING.test(content) || level > 0) {
        result.meta.preamble.push(raw.trimEnd());
        continue;
      }
    }

    if (!bullet && level === 0) {
      const heading = HEADING.exec(content);
      if (heading) {
        const name = heading[1] ?? heading[2] ?? '';
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

    if (level === 0 || !current) {
      current = startEntry(content);
      continue;
    }
    const status = STATUS_LINE.exec(content);
    if (level === 1 && status) {
      current.status = status[1]!.toLowerCase() as EntryStatus;
      continue;
    }
    const tokens = content.split(/\s+/);
    if (level === 1 && tokens.every((t) => {
      const link = parseLink(t);
      return link?.type === 'gerrit-change' || link?.type === 'gerrit-topic';
    })) {
      for (const t of tokens) current.reviews.push(parseLink(t)!.url);
      continue;
    }
    addNote(current, content);
  }
  return result;
}

function entryLine(e: PlainEntry): string {
  const parts = [e.launchpad, e.title || !e.launchpad ? `[${e.title}]` : '', e.owner ? `(${e.owner})` : ''];
  return `* ${parts.filter(Boolean).join(' ')}`;
}

/** The pad as Etherpad text in the team's format; importing it gives the same entries back. */
export function toEtherpadText(pad: PadText): string {
  const out: string[] = [];
  if (pad.meta.title) out.push(pad.meta.title);
  if (pad.meta.milestones.length > 0) out.push(pad.meta.milestones.map((m) => `${m.label}: ${m.date}`).join(' | '));
  out.push(...pad.meta.preamble);
  for (const section of ['proposed', 'ready'] as const) {
    if (out.length > 0) out.push('');
    out.push(`== ${SECTION_HEADINGS[section]} ==`);
    for (const kind of ENTRY_KINDS) {
      const entries = pad.sections[section].filter((e) => e.kind === kind);
      if (entries.length === 0) continue;
      out.push(KIND_HEADINGS[kind]);
      for (const e of entries) {
        out.push(entryLine(e));
        for (const r of e.reviews) out.push(`\t* ${r}`);
        if (e.status !== 'open') out.push(`\t* status: ${e.status}`);
        for (const line of e.note ? e.note.split('\n') : []) out.push(`\t\t* ${line}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

const mdEscape = (text: string) => text.replace(/([\\`*_{}[\]()#+!|<>~-])/g, '\\$1');
const mdLink = (label: string, url: string) => (/^https?:\/\//.test(url) ? `[${mdEscape(label)}](<${url.replace(/>/g, '%3E')}>)` : mdEscape(label));

/** The pad as Markdown, ready to paste into a mailing-list post. */
export function toMarkdown(pad: PadText): string {
  const out: string[] = [`# ${mdEscape(pad.meta.title || 'Release cycle tracking')}`, ''];
  for (const m of pad.meta.milestones) out.push(`- **${mdEscape(m.label)}**: ${m.date}`);
  if (pad.meta.milestones.length > 0) out.push('');
  if (pad.meta.scrubbedAt) out.push(`_Ready list scrubbed on ${new Date(pad.meta.scrubbedAt).toISOString().slice(0, 10)}_`, '');
  for (const section of ['ready', 'proposed'] as const) {
    out.push(`## ${section === 'ready' ? 'Ready to review' : 'Proposed patches'}`, '');
    const entries = pad.sections[section];
    if (entries.length === 0) out.push('_No entries._', '');
    for (const kind of ENTRY_KINDS) {
      const group = entries.filter((e) => e.kind === kind);
      if (group.length === 0) continue;
      out.push(`### ${KIND_HEADINGS[kind]}`, '');
      group.forEach((e, i) => {
        const lp = e.launchpad ? parseLink(e.launchpad) : null;
        const title = e.title || (lp ? chipLabel(lp) : '(untitled)');
        const head = e.launchpad ? mdLink(title, e.launchpad) : mdEscape(title);
        const marker = section === 'ready' ? `${i + 1}.` : '-';
        out.push(`${marker} ${head}${e.owner ? ` (${mdEscape(e.owner)})` : ''}${e.status !== 'open' ? ` — **${e.status}**` : ''}`);
        const pad2 = ' '.repeat(marker.length + 1);
        for (const r of e.reviews) {
          const link = parseLink(r);
          out.push(`${pad2}- ${mdLink(link ? chipLabel(link) : r, link?.url ?? r)}`);
        }
        for (const line of e.note ? e.note.split('\n') : []) out.push(`${pad2}- _${mdEscape(line)}_`);
      });
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

