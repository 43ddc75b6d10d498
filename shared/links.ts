/**
 * The links a tracking pad is made of: Gerrit changes and topic queries, Launchpad bugs and blueprints.
 * Parsing gives each a kind, a compact label (for chips) and an identity key (for duplicate warnings).
 */
import { MAX_LINE_LENGTH, MAX_REVIEWS_PER_ENTRY, type EntryKind } from './schema.js';

export type ParsedLink =
  | { type: 'gerrit-change'; url: string; change: number; patchset: number | null; project: string | null; host: string }
  | { type: 'gerrit-topic'; url: string; topic: string }
  | { type: 'launchpad-bug'; url: string; bug: number; project: string | null }
  | { type: 'launchpad-blueprint'; url: string; name: string; project: string };

/** Only http(s) URLs become links; anything else (javascript:, data:, relative junk) renders as inert text. */
export function safeHref(value: string): string | null {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Bidirectional marks, embeddings, overrides and isolates, as a character class's contents (the Markdown export's too). */
export const BIDI_CONTROL_CHARS = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const BIDI_CONTROLS = new RegExp(`[${BIDI_CONTROL_CHARS}]`, 'g');

/**
 * A link as it is shown whole (where no parser knows it, so it has no short label): its bidirectional controls
 * shown as U+FFFD. A right-to-left override in a link reorders how it reads: "https://example.com/\u202Egnp.exe"
 * read ".../exe.png". (Titles and notes keep theirs: right-to-left text is written with them.)
 */
export function linkAsText(value: string): string {
  return value.replace(BIDI_CONTROLS, '\uFFFD');
}

const GERRIT_HOSTS = new Set(['review.opendev.org', 'review.openstack.org']);
const TOPIC_QUERY = /^topic:(?:"([^"]+)"|(\S+))$/;

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

type TopicLink = Extract<ParsedLink, { type: 'gerrit-topic' }>;

function topicLink(query: string, url: string | null): TopicLink | null {
  const m = TOPIC_QUERY.exec(decode(query).trim());
  const topic = m?.[1] ?? m?.[2];
  return topic ? { type: 'gerrit-topic', url: url ?? topicUrl(topic), topic } : null;
}

/** `text` with lone surrogates (which encodeURIComponent refuses) replaced by U+FFFD. */
function wellFormed(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    out += ch.length === 1 && c >= 0xd800 && c <= 0xdfff ? '\uFFFD' : ch;
  }
  return out;
}

/** A Gerrit topic link for `topic`, as the team writes it. */
export function topicUrl(topic: string): string {
  return `https://review.opendev.org/q/topic:${encodeURIComponent(`"${wellFormed(topic)}"`)}`;
}

/**
 * The longest line the link parsers read (characters): the pad's own limit for a line. Far above any real line of a
 * pad; past it a line is not parsed (regular expressions never run over unbounded input).
 */
export { MAX_LINE_LENGTH };

/** `value` without trailing `.`, `,` and `;` (plain code: `/[.,;]+$/` backtracks quadratically on long runs). */
function withoutTrailingPunctuation(value: string): string {
  let end = value.length;
  while (end > 0 && (value[end - 1] === '.' || value[end - 1] === ',' || value[end - 1] === ';')) end--;
  return value.slice(0, end);
}

const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';

/** The end of the run of ASCII digits starting at `from` (`from` itself if there is none). */
function digitsEnd(text: string, from: number): number {
  let i = from;
  while (isDigit(text[i])) i++;
  return i;
}

/**
 * `/c/<project>/+/<change>[/<patchset>][/…]`, as `^\/c\/(.+?)\/\+\/(\d+)(?:\/(\d+))?(?:\/.*)?$` read it (the project is
 * everything up to the first `/+/<digits>` that is followed by `/` or the end), in linear time.
 */
function gerritProjectChange(path: string): { project: string; change: string; patchset: string | null } | null {
  if (!path.startsWith('/c/') || /[\n\r\u2028\u2029]/.test(path)) return null;
  for (let k = path.indexOf('/+/', 4); k !== -1; k = path.indexOf('/+/', k + 1)) {
    const changeEnd = digitsEnd(path, k + 3);
    if (changeEnd === k + 3) continue;
    if (changeEnd !== path.length && path[changeEnd] !== '/') continue;
    let patchset: string | null = null;
    if (changeEnd < path.length) {
      const patchEnd = digitsEnd(path, changeEnd + 1);
      if (patchEnd > changeEnd + 1 && (patchEnd === path.length || path[patchEnd] === '/')) patchset = path.slice(changeEnd + 1, patchEnd);
    }
    return { project: path.slice(3, k), change: path.slice(k + 3, changeEnd), patchset };
  }
  return null;
}

/** `/c/<change>[/<patchset>]…`, as `^\/c\/(\d+)(?:\/(\d+))?\/?(?:.*)?$` read it, in linear time. */
function gerritShortChange(path: string): { change: string; patchset: string | null } | null {
  if (!path.startsWith('/c/')) return null;
  const changeEnd = digitsEnd(path, 3);
  if (changeEnd === 3 || /[\n\r\u2028\u2029]/.test(path)) return null;
  let patchset: string | null = null;
  if (path[changeEnd] === '/') {
    const patchEnd = digitsEnd(path, changeEnd + 1);
    if (patchEnd > changeEnd + 1) patchset = path.slice(changeEnd + 1, patchEnd);
  }
  return { change: path.slice(3, changeEnd), patchset };
}

/** Parses one link (or a bare `topic:"…"` query); null if it is none of the team's forms. */
export function parseLink(raw: string): ParsedLink | null {
  if (raw.length > MAX_LINE_LENGTH) return null;
  const value = withoutTrailingPunctuation(raw.trim());
  // a bare query, as people paste it: topic:"bug/2070257"
  if (value.startsWith('topic:')) return topicLink(value, null);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const host = url.hostname.toLowerCase();

  if (GERRIT_HOSTS.has(host)) {
    // legacy UI: everything is in the fragment (#/c/931234/, #/q/topic:…)
    const path = url.hash.startsWith('#/') ? url.hash.slice(1) : url.pathname;
    const full = gerritProjectChange(path);
    if (full) return { type: 'gerrit-change', url: value, change: Number(full.change), patchset: full.patchset ? Number(full.patchset) : null, project: decode(full.project), host };
    const short = gerritShortChange(path);
    if (short) return { type: 'gerrit-change', url: value, change: Number(short.change), patchset: short.patchset ? Number(short.patchset) : null, project: null, host };
    let m = /^\/(\d+)(?:\/(\d+))?\/?$/.exec(path);
    if (m) return { type: 'gerrit-change', url: value, change: Number(m[1]), patchset: m[2] ? Number(m[2]) : null, project: null, host };
    m = /^\/q\/(.+)$/.exec(path);
    if (m) return topicLink(m[1]!, value);
    return null;
  }
  if (host === 'bugs.launchpad.net') {
    const m = /^\/(?:([^/]+)\/)?\+bug\/(\d+)(?:\/|$)/.exec(url.pathname) ?? /^\/()bugs\/(\d+)\/?$/.exec(url.pathname);
    if (m) return { type: 'launchpad-bug', url: value, bug: Number(m[2]), project: m[1] || null };
  }
  if (host === 'launchpad.net' || host === 'www.launchpad.net') {
    const m = /^\/bugs\/(\d+)\/?$/.exec(url.pathname);
    if (m) return { type: 'launchpad-bug', url: value, bug: Number(m[1]), project: null };
  }
  if (host === 'blueprints.launchpad.net') {
    const m = /^\/([^/]+)\/\+spec\/([^/?#]+)\/?$/.exec(url.pathname);
    if (m) return { type: 'launchpad-blueprint', url: value, name: decode(m[2]!), project: decode(m[1]!) };
  }
  return null;
}

/** The compact label of a chip: change number, bug number, blueprint name, topic. */
export function chipLabel(link: ParsedLink): string {
  switch (link.type) {
    case 'gerrit-change':
      return link.patchset ? `${link.change},${link.patchset}` : String(link.change);
    case 'gerrit-topic':
      // (decoded from the link: "%E2%80%AE" in a topic is a right-to-left override)
      return linkAsText(`topic:${link.topic}`);
    case 'launchpad-bug':
      return `#${link.bug}`;
    case 'launchpad-blueprint':
      return linkAsText(link.name);
  }
}

/** What makes two links "the same item" on a pad (a patchset or a host alias is still the same change). */
export function identityKey(link: ParsedLink): string {
  switch (link.type) {
    case 'gerrit-change':
      return `change:${link.change}`;
    case 'gerrit-topic':
      return `topic:${link.topic}`;
    case 'launchpad-bug':
      return `bug:${link.bug}`;
    case 'launchpad-blueprint':
      return `blueprint:${link.project}/${link.name}`;
  }
}

export function kindOfLink(link: ParsedLink | null): EntryKind | null {
  if (link?.type === 'launchpad-blueprint') return 'feature';
  if (link?.type === 'launchpad-bug') return 'bug';
  return null;
}

const LINK_TOKEN = /https?:\/\/\S+|topic:(?:"[^"]*"|\S+)/g;
const OWNER = /\(([A-Za-z0-9][A-Za-z0-9._+-]{0,63})\)\s*$/;

export interface EntryDraft {
  kind: EntryKind;
  title: string;
  launchpad: string;
  owner: string;
  reviews: string[];
  /** Text that was neither a link, the title nor the owner. */
  rest: string;
  /** Review links past the most an entry may list, left out (a paste: said to the person). */
  reviewsLeftOut?: number;
}

/**
 * Reads what a person pastes into the "add" field: a Launchpad link and/or Gerrit links, an optional `[title]` or
 * the text after the link as title, and the owner as `(nick)`. Lines longer than {@link MAX_LINE_LENGTH} are not
 * read (nobody pastes such a line on purpose, and no pattern should run over unbounded input).
 */
export function parseEntryText(text: string): EntryDraft {
  const draft: EntryDraft = { kind: 'other', title: '', launchpad: '', owner: '', reviews: [], rest: '' };
  const lines = text.split('\n');
  if (lines.some((line) => line.length > MAX_LINE_LENGTH)) text = lines.filter((line) => line.length <= MAX_LINE_LENGTH).join('\n');
  // bullets of a pasted Etherpad block are not part of the text
  const collapsed = text.replace(/^[ \t]*[*•-][ \t]+/gm, ' ').replace(/\s+/g, ' ').trim();
  // the links are cut out where they were found (kept: every other piece of text, in order)
  const kept: string[] = [];
  let from = 0;
  for (const match of collapsed.matchAll(LINK_TOKEN)) {
    const token = match[0];
    const link = parseLink(token);
    if (!link) continue;
    const clean = link.url;
    if ((link.type === 'launchpad-bug' || link.type === 'launchpad-blueprint') && !draft.launchpad) {
      draft.launchpad = clean;
      draft.kind = kindOfLink(link) ?? draft.kind;
    } else if (link.type === 'gerrit-change' || link.type === 'gerrit-topic') {
      draft.reviews.push(clean);
    } else {
      continue;
    }
    kept.push(collapsed.slice(from, match.index));
    from = match.index + token.length;
  }
  kept.push(collapsed.slice(from));
  let remaining = kept.join(' ').replace(/\s+/g, ' ').trim();
  const owner = OWNER.exec(remaining);
  if (owner) {
    draft.owner = owner[1]!;
    remaining = remaining.slice(0, owner.index).trim();
  }
  // greedy, as `/\[(.*)\]/` read it: from the first `[` to the last `]` (a title may itself contain brackets)
  const open = remaining.indexOf('[');
  const close = remaining.lastIndexOf(']');
  if (open !== -1 && close > open) {
    draft.title = remaining.slice(open + 1, close).trim();
    draft.rest = (remaining.slice(0, open) + remaining.slice(close + 1)).trim();
  } else {
    draft.title = remaining.replace(/^[-–—:|]\s*/, '').trim();
  }
  return draft;
}

/** A bullet at the start of a line (Etherpad's lists, Markdown's). */
const BULLET = /^[*•-][ \t]+/;

/** Whether a line holds a Launchpad bug or blueprint link. */
function hasLaunchpad(line: string): boolean {
  for (const match of line.matchAll(LINK_TOKEN)) if (kindOfLink(parseLink(match[0]))) return true;
  return false;
}

/**
 * Reads a paste that may hold several entries, as Etherpad lists and plain line lists are written. A new entry begins
 * at an unindented line that is a bullet, or that has a Launchpad link when the entry before has one already (a title
 * line followed by its bug link is one entry). The entry's first line gives its title and owner
 * ({@link parseEntryText}); each line under it gives its links, and its other text goes to the note. (The whole paste
 * used to be read as one line: two bugs became one entry, and the owner, no longer at the end, went to the note.)
 */
export function parseEntryPaste(text: string): EntryDraft[] {
  const entries: string[][] = [];
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '' || line.length > MAX_LINE_LENGTH) continue;
    const current = entries.at(-1);
    const unindented = !/^[ \t]/.test(line);
    const begins = !current || (unindented && (BULLET.test(line) || (hasLaunchpad(line) && current.some(hasLaunchpad))));
    if (begins) entries.push([line]);
    else current.push(line);
  }
  return entries.map(([first, ...under]) => {
    const draft = parseEntryText(first!);
    const notes = draft.rest ? [draft.rest] : [];
    // (a Set: a title with 20,000 review lines under it took 3.9 s to read with a list's includes)
    const reviews = new Set(draft.reviews);
    const leftOut = new Set<string>();
    for (const line of under) {
      const more = parseEntryText(line);
      for (const r of more.reviews) {
        if (reviews.size < MAX_REVIEWS_PER_ENTRY) reviews.add(r);
        else if (!reviews.has(r)) leftOut.add(r);
      }
      if (!draft.launchpad && more.launchpad) Object.assign(draft, { launchpad: more.launchpad, kind: more.kind });
      else if (more.launchpad && more.launchpad !== draft.launchpad) notes.push(more.launchpad);
      const words = [more.title, more.owner ? `(${more.owner})` : '', more.rest].filter(Boolean).join(' ');
      if (words) notes.push(words);
    }
    for (const r of [...reviews].slice(MAX_REVIEWS_PER_ENTRY)) leftOut.add(r);
    return {
      ...draft,
      reviews: [...reviews].slice(0, MAX_REVIEWS_PER_ENTRY),
      rest: notes.join('\n'),
      ...(leftOut.size > 0 ? { reviewsLeftOut: leftOut.size } : {}),
    };
  });
}

/** Identity keys of an entry's links (its Launchpad item and every review). */
export function entryIdentityKeys(entry: { launchpad: string; reviews: readonly string[] }): string[] {
  const keys: string[] = [];
  for (const url of [entry.launchpad, ...entry.reviews]) {
    const link = url ? parseLink(url) : null;
    if (link) keys.push(identityKey(link));
  }
  return keys;
}
