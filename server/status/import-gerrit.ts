/**
 * "Add from Gerrit": a Gerrit query (e.g. `project:openstack/nova status:open label:Review-Priority>=1`) becomes
 * proposed entries, one per change, grouped: changes whose commit message names a Launchpad bug (`Closes-Bug: #N`,
 * `Partial-Bug`, `Related-Bug`) share that bug's entry, those naming a blueprint (`Implements: blueprint name`) share
 * its entry, the others share their topic's entry, or stand alone. Changes (and bugs, blueprints, topics) already on
 * the pad are skipped. The entries are written by {@link importPad}: the same dedupe by link identity and the same
 * admission (schema, role, size, storage) as every write.
 */
import type { PadText, PlainEntry } from '../../shared/etherpad-format.js';
import { entryIdentityKeys, topicUrl } from '../../shared/links.js';
import { sectionToJSON } from '../../shared/schema.js';
import type { DocumentRegistry } from '../sync/document-registry.js';
import type { Author } from '../sync/section-document.js';
import { importPad, type ImportReport } from '../pad-import.js';
import type { HostClient } from './host-client.js';
import { FetchFailed } from './host-client.js';
import {
  changesPath,
  commitMessage,
  commitReferences,
  hasMore,
  IMPORT_OPTIONS,
  PAGE_SIZE,
  parseChange,
  parseGerritJson,
  queryResults,
} from './gerrit.js';
import { isObject } from './text.js';
import type { StatusRow } from '../storage/storage.js';
import { keys } from './items.js';

/** Longest query accepted. */
export const MAX_QUERY_LENGTH = 500;
/** Most changes one import reads (five pages; many servers cap anonymous queries at 500). */
export const MAX_IMPORT_CHANGES = 500;

/** Why a query is refused, or null when it may be sent (to the configured Gerrit only). */
export function queryProblem(query: string): string | null {
  if (query.trim() === '') return 'the query is empty';
  if (query.length > MAX_QUERY_LENGTH) return `the query is longer than ${MAX_QUERY_LENGTH} characters`;
  // one line of printable text: no control characters (a query is never a URL and never names a host)
  for (const ch of query) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f) return 'the query must be one line of text';
  }
  return null;
}

export interface GerritChange {
  number: number;
  subject: string;
  project: string;
  topic: string | null;
  /** The owner's Gerrit username (OpenStack's are Launchpad nicks more often than not), else ''. */
  ownerNick: string;
  bugs: number[];
  blueprints: string[];
  info: unknown;
}

/** Reads every change the query matches (paged, at most {@link MAX_IMPORT_CHANGES}). Throws {@link FetchFailed}. */
export async function queryChanges(gerrit: HostClient, query: string): Promise<{ changes: GerritChange[]; truncated: boolean }> {
  const changes: GerritChange[] = [];
  let truncated = false;
  for (let start = 0; ; start += PAGE_SIZE) {
    const result = await gerrit.get(changesPath([query], IMPORT_OPTIONS, PAGE_SIZE, start));
    if (result.kind === 'not-visible') throw new FetchFailed(`Gerrit refused the query (HTTP ${result.status})`);
    if (result.kind !== 'ok') throw new FetchFailed('Gerrit gave no answer');
    const list = queryResults(parseGerritJson(result.text), 1)[0]!;
    for (const info of list) {
      const parsed = parseChange(info);
      if (!parsed || changes.some((c) => c.number === parsed.number)) continue;
      const refs = commitReferences(commitMessage(info));
      const owner = isObject(info) && isObject(info.owner) && typeof info.owner.username === 'string' && /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(info.owner.username)
        ? info.owner.username
        : '';
      changes.push({ number: parsed.number, subject: parsed.subject, project: parsed.project, topic: parsed.topic, ownerNick: owner, ...refs, info });
    }
    if (!hasMore(list) || list.length === 0) break;
    if (changes.length >= MAX_IMPORT_CHANGES) {
      truncated = true;
      break;
    }
  }
  return { changes: changes.slice(0, MAX_IMPORT_CHANGES), truncated: truncated || changes.length > MAX_IMPORT_CHANGES };
}

/** The Launchpad project of a Gerrit project (`openstack/nova` → `nova`). */
const launchpadProject = (gerritProject: string) => gerritProject.split('/').pop() || gerritProject;

/** The change's URL as the team writes it (on review.opendev.org, whatever GERRIT_URL is). */
const changeUrl = (c: GerritChange) => `https://review.opendev.org/c/${c.project}/+/${c.number}`;

/** Groups changes into entries (by bug, then blueprint, then topic), in the order Gerrit gave them. */
export function groupChanges(changes: GerritChange[]): PlainEntry[] {
  const groups = new Map<string, { entry: PlainEntry; changes: GerritChange[]; topic: string | null }>();
  for (const c of changes) {
    let key: string;
    let entry: PlainEntry;
    const project = launchpadProject(c.project);
    if (c.bugs.length > 0) {
      key = `bug:${c.bugs[0]}`;
      entry = { kind: 'bug', title: c.subject, launchpad: `https://bugs.launchpad.net/${project}/+bug/${c.bugs[0]}`, owner: c.ownerNick, reviews: [], note: '', status: 'open' };
    } else if (c.blueprints.length > 0) {
      key = `blueprint:${project}/${c.blueprints[0]}`;
      entry = { kind: 'feature', title: c.subject, launchpad: `https://blueprints.launchpad.net/${project}/+spec/${c.blueprints[0]}`, owner: c.ownerNick, reviews: [], note: '', status: 'open' };
    } else if (c.topic) {
      key = `topic:${c.topic}`;
      entry = { kind: 'other', title: c.topic, launchpad: '', owner: c.ownerNick, reviews: [], note: '', status: 'open' };
    } else {
      key = `change:${c.number}`;
      entry = { kind: 'other', title: c.subject, launchpad: '', owner: c.ownerNick, reviews: [], note: '', status: 'open' };
    }
    const group = groups.get(key) ?? { entry, changes: [], topic: key.startsWith('topic:') ? c.topic : null };
    group.changes.push(c);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ entry, changes: members, topic }) => ({
    ...entry,
    // a topic's entry links the topic too (its chip lists the topic's changes, new ones included)
    reviews: [...(topic ? [topicUrl(topic)] : []), ...members.map(changeUrl)],
    // several owners: nobody in particular
    owner: members.every((m) => m.ownerNick === members[0]!.ownerNick) ? members[0]!.ownerNick : '',
  }));
}

export interface GerritImportReport extends ImportReport {
  query: string;
  /** Changes the query matched. */
  matched: number;
  /** Changes already on the pad (not imported again). */
  skippedChanges: number[];
  /** More matched than one import reads. */
  truncated: boolean;
}

/** Identity keys of everything on the pad (both sections). */
async function padIdentityKeys(registry: DocumentRegistry, padId: string): Promise<Set<string>> {
  const known = new Set<string>();
  for (const section of ['proposed', 'ready'] as const) {
    const entries = await registry.use({ padId, section }, (d) => sectionToJSON(d.doc));
    for (const e of entries) for (const k of entryIdentityKeys(e)) known.add(k);
  }
  return known;
}

export async function importGerrit(
  registry: DocumentRegistry,
  padId: string,
  query: string,
  changes: GerritChange[],
  truncated: boolean,
  author: Author & { curator: boolean },
): Promise<GerritImportReport> {
  const known = await padIdentityKeys(registry, padId);
  const skippedChanges = changes.filter((c) => known.has(`change:${c.number}`)).map((c) => c.number);
  const fresh = changes.filter((c) => !known.has(`change:${c.number}`));
  const parsed: PadText = { meta: { title: '', milestones: [], preamble: [] }, sections: { proposed: groupChanges(fresh), ready: [] } };
  const report =
    parsed.sections.proposed.length > 0
      ? await importPad(registry, padId, parsed, author)
      : { created: { proposed: 0, ready: 0 }, skipped: [], entries: [], header: 'none' as const };
  return { ...report, query, matched: changes.length, skippedChanges, truncated };
}

/** Status rows for the changes a query returned (fresh: the chips show at once). */
export function changeRows(changes: GerritChange[], now: number, intervalMs: number): StatusRow[] {
  const rows: StatusRow[] = [];
  for (const c of changes) {
    const parsed = parseChange(c.info);
    if (!parsed) continue;
    const { number, ...status } = parsed;
    rows.push({ key: keys.change(number), value: JSON.stringify(status), etag: null, fetchedAt: now, nextCheckAt: now + intervalMs, failures: 0 });
  }
  return rows;
}
