/**
 * What a pad links to, as status cache keys: only links the link parser recognises (shared/links.ts) become items,
 * and an item is a number or a name (`change:930011`, `topic:bp/foo`, `bug:2081234`, `blueprint:nova/foo`), never a
 * URL: the fetcher builds every request from the configured host and these, so no URL from a document is fetched.
 */
import type * as Y from 'yjs';
import { parseLink } from '../../shared/links.js';
import { entriesOf } from '../../shared/schema.js';
import { topicQuery } from './gerrit.js';
import { isLaunchpadName } from './launchpad.js';

export interface PadItems {
  keys: Set<string>;
  /** A bug's project as the pad's link names it (`bugs.launchpad.net/nova/+bug/N` → nova), first link wins. */
  bugProjects: Map<number, string | null>;
}

export const emptyItems = (): PadItems => ({ keys: new Set(), bugProjects: new Map() });

export const keys = {
  change: (n: number) => `change:${n}`,
  topic: (t: string) => `topic:${t}`,
  bug: (n: number) => `bug:${n}`,
  blueprint: (project: string, name: string) => `blueprint:${project}/${name}`,
  person: (nick: string) => `person:${nick}`,
};

/** Most items one pad contributes (a flood of links costs the poller nothing past this). */
export const MAX_ITEMS_PER_PAD = 5000;

/** Adds the items of one link (as written in an entry) to `items`. */
export function addLink(items: PadItems, raw: string): void {
  if (items.keys.size >= MAX_ITEMS_PER_PAD) return;
  const link = parseLink(raw);
  if (!link) return;
  switch (link.type) {
    case 'gerrit-change':
      if (Number.isSafeInteger(link.change) && link.change > 0) items.keys.add(keys.change(link.change));
      return;
    case 'gerrit-topic':
      if (topicQuery(link.topic) !== null) items.keys.add(keys.topic(link.topic));
      return;
    case 'launchpad-bug':
      if (!Number.isSafeInteger(link.bug) || link.bug <= 0) return;
      items.keys.add(keys.bug(link.bug));
      if (!items.bugProjects.has(link.bug) || items.bugProjects.get(link.bug) === null) {
        items.bugProjects.set(link.bug, link.project && isLaunchpadName(link.project) ? link.project : null);
      }
      return;
    case 'launchpad-blueprint':
      if (isLaunchpadName(link.project) && isLaunchpadName(link.name)) items.keys.add(keys.blueprint(link.project, link.name));
      return;
  }
}

/** The items a section document links to (every entry's Launchpad link and reviews; mistyped fields ignored). */
export function itemsOfDoc(doc: Y.Doc, into: PadItems = emptyItems()): PadItems {
  for (const entry of entriesOf(doc).toArray()) {
    if (typeof (entry as { get?: unknown }).get !== 'function') continue;
    const launchpad = entry.get('launchpad');
    if (typeof launchpad === 'string' && launchpad) addLink(into, launchpad);
    const reviews = entry.get('reviews') as { toArray?: () => unknown[] } | undefined;
    if (reviews && typeof reviews.toArray === 'function') {
      for (const r of reviews.toArray()) if (typeof r === 'string') addLink(into, r);
    }
  }
  return into;
}

export function mergeItems(a: PadItems, b: PadItems): PadItems {
  const out: PadItems = { keys: new Set([...a.keys, ...b.keys]), bugProjects: new Map(a.bugProjects) };
  for (const [bug, project] of b.bugProjects) if (!out.bugProjects.has(bug) || out.bugProjects.get(bug) === null) out.bugProjects.set(bug, project);
  return out;
}

/** The parts of a key: `change:12` → ['change', '12']. */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf(':');
  return i < 0 ? [key, ''] : [key.slice(0, i), key.slice(i + 1)];
}
