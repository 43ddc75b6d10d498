/**
 * The links a tracking pad is made of: Gerrit changes and topic queries, Launchpad bugs and blueprints.
 * Parsing gives each a kind, a compact label (for chips) and an identity key (for duplicate warnings).
 */
import type { EntryKind } from './schema.js';

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

/** A Gerrit topic link for `topic`, as the team writes it. */
export function topicUrl(topic: string): string {
  return `https://review.opendev.org/q/topic:${encodeURIComponent(`"${topic}"`)}`;
}

/** Parses one link (or a bare `topic:"…"` query); null if it is none of the team's forms. */
export function parseLink(raw: string): ParsedLink | null {
  const value = raw.trim().replace(/[.,;]+$/, '');
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
    let m = /^\/c\/(.+?)\/\+\/(\d+)(?:\/(\d+))?(?:\/.*)?$/.exec(path);
    if (m) return { type: 'gerrit-change', url: value, change: Number(m[2]), patchset: m[3] ? Number(m[3]) : null, project: decode(m[1]!), host };
    m = /^\/c\/(\d+)(?:\/(\d+))?\/?(?:.*)?$/.exec(path) ?? /^\/(\d+)(?:\/(\d+))?\/?$/.exec(path);
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
      return `topic:${link.topic}`;
    case 'launchpad-bug':
      return `#${link.bug}`;
    case 'launchpad-blueprint':
      return link.name;
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
}

/**
 * Reads what a person pastes into the "add" field: a Launchpad link and/or Gerrit links, an optional `[title]` or
 * the text after the link as title, and the owner as `(nick)`.
 */
export function parseEntryText(text: string): EntryDraft {
  const draft: EntryDraft = { kind: 'other', title: '', launchpad: '', owner: '', reviews: [], rest: '' };
  // bullets of a pasted Etherpad block are not part of the text
  let remaining = text.replace(/^[ \t]*[*•-][ \t]+/gm, ' ').replace(/\s+/g, ' ').trim();
  for (const token of remaining.match(LINK_TOKEN) ?? []) {
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
    remaining = remaining.replace(token, ' ');
  }
  remaining = remaining.replace(/\s+/g, ' ').trim();
  const owner = OWNER.exec(remaining);
  if (owner) {
    draft.owner = owner[1]!;
    remaining = remaining.slice(0, owner.index).trim();
  }
  const bracketed = /\[(.*)\]/.exec(remaining); // greedy: a title may itself contain brackets
  if (bracketed) {
    draft.title = bracketed[1]!.trim();
    draft.rest = (remaining.slice(0, bracketed.index) + remaining.slice(bracketed.index + bracketed[0].length)).trim();
  } else {
    draft.title = remaining.replace(/^[-–—:|]\s*/, '').trim();
  }
  return draft;
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
