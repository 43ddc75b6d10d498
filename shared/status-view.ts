/**
 * What a chip says about its link's live status (shared by the editor, the mirror and the exports): a short text, a
 * class for its colour, and the details shown on hover/focus. Pure and dependency-free; every string in the result
 * may come from Gerrit or Launchpad and must be rendered as text.
 */
import { parseLink, type ParsedLink } from './links.js';
import {
  changeFacts,
  isVisible,
  statusItem,
  summarizeBlueprint,
  summarizeBug,
  summarizeChange,
  type ChangeStatus,
  type NotVisible,
  type PadStatus,
} from './status.js';

export interface LinkStatusView {
  /** The chip's short status: "merged", "open, +2 ×1, CI ok", "Fix Committed, High", "not visible". */
  text: string;
  /** `merged`, `abandoned`, `open`, `attention` (a negative vote, CI failing, a conflict), `ok` (+2, nothing wrong), `lp`, `hidden`. */
  cls: 'merged' | 'abandoned' | 'open' | 'attention' | 'ok' | 'lp' | 'hidden';
  /** Subject / owner / patch set / age, or title / assignee / milestone, one per line. */
  detail: string;
}

const DAY = 86_400_000;

export function ageText(updated: string, now: number): string {
  const t = Date.parse(updated);
  if (!Number.isFinite(t)) return '';
  const days = Math.max(0, Math.floor((now - t) / DAY));
  return days === 0 ? 'updated today' : days === 1 ? 'updated 1 day ago' : `updated ${days} days ago`;
}

/** A change's chip status; undefined when the server has not fetched it (yet). */
export function changeView(c: ChangeStatus | NotVisible | undefined, now = Date.now()): LinkStatusView | null {
  if (c === undefined) return null;
  if (!isVisible(c)) return { text: 'not visible', cls: 'hidden', detail: 'Not visible: private, or it does not exist' };
  const summary = summarizeChange(c);
  const f = changeFacts(c);
  const cls = f.merged ? 'merged' : f.abandoned ? 'abandoned' : f.negative || f.ciFailing || f.conflict ? 'attention' : f.approvals > 0 ? 'ok' : 'open';
  const text = f.open ? `open, ${summary}` : summary;
  const detail = [c.subject, `Owner: ${c.owner}`, c.patchset !== null ? `Patch set ${c.patchset}` : '', ageText(c.updated, now)].filter(Boolean).join('\n');
  return { text, cls, detail };
}

/** A topic's chip: how many changes, how many merged / abandoned / open, and any failing CI or negative vote. */
export function topicView(status: PadStatus, topic: string, now = Date.now()): LinkStatusView | null {
  const numbers = statusItem(status.topics, topic);
  if (numbers === undefined) return null;
  if (!Array.isArray(numbers)) return { text: 'not visible', cls: 'hidden', detail: 'Not visible' };
  const changes = numbers.map((n) => statusItem(status.changes, n)).filter((c): c is ChangeStatus => isVisible(c));
  const facts = changes.map((c) => changeFacts(c, now));
  const merged = facts.filter((f) => f.merged).length;
  const abandoned = facts.filter((f) => f.abandoned).length;
  const open = facts.filter((f) => f.open).length;
  const failing = facts.filter((f) => f.open && (f.ciFailing || f.negative || f.conflict)).length;
  const parts = [`${numbers.length} ${numbers.length === 1 ? 'change' : 'changes'}`];
  if (merged) parts.push(`${merged} merged`);
  if (abandoned) parts.push(`${abandoned} abandoned`);
  if (open) parts.push(`${open} open`);
  if (failing) parts.push(`${failing} need attention`);
  const cls = numbers.length > 0 && open === 0 && merged > 0 ? 'merged' : failing ? 'attention' : open ? 'open' : 'abandoned';
  const detail = changes.map((c) => `${summarizeChange(c)}: ${c.subject}`).join('\n');
  return { text: parts.join(', '), cls, detail: detail || `topic:${topic}` };
}

/** The status view of any parsed link, or null when nothing is known about it. */
export function linkStatusView(link: ParsedLink | null, status: PadStatus | null | undefined, now = Date.now()): LinkStatusView | null {
  if (!link || !status) return null;
  switch (link.type) {
    case 'gerrit-change':
      return changeView(statusItem(status.changes, String(link.change)), now);
    case 'gerrit-topic':
      return topicView(status, link.topic, now);
    case 'launchpad-bug': {
      const b = statusItem(status.bugs, String(link.bug));
      if (b === undefined) return null;
      if (!isVisible(b)) return { text: 'not visible', cls: 'hidden', detail: 'Not visible: private, or it does not exist' };
      const detail = [b.title, b.assignee ? `Assignee: ${b.assignee}` : '', b.milestone ? `Milestone: ${b.milestone}` : ''].filter(Boolean).join('\n');
      return { text: summarizeBug(b), cls: 'lp', detail };
    }
    case 'launchpad-blueprint': {
      const b = statusItem(status.blueprints, `${link.project}/${link.name}`);
      if (b === undefined) return null;
      if (!isVisible(b)) return { text: 'not visible', cls: 'hidden', detail: 'Not visible: private, or it does not exist' };
      const detail = [b.title, b.assignee ? `Assignee: ${b.assignee}` : '', b.approver ? `Approver: ${b.approver}` : ''].filter(Boolean).join('\n');
      return { text: summarizeBlueprint(b), cls: 'lp', detail };
    }
  }
}

/**
 * The changes an entry links to, as the status knows them: its change links and its topics' changes (each once).
 * `known` is false when any of them has not been fetched yet (or is not visible): a conclusion about "all" of an
 * entry's changes is only drawn when every one is known.
 */
export function entryChanges(reviews: readonly string[], status: PadStatus): { changes: ChangeStatus[]; known: boolean } {
  const numbers = new Set<string>();
  let known = true;
  for (const url of reviews) {
    const link = parseLink(url);
    if (link?.type === 'gerrit-change') numbers.add(String(link.change));
    else if (link?.type === 'gerrit-topic') {
      const list = statusItem(status.topics, link.topic);
      if (Array.isArray(list)) for (const n of list) numbers.add(n);
      else known = false;
    }
  }
  const changes: ChangeStatus[] = [];
  for (const n of numbers) {
    const c = statusItem(status.changes, n);
    if (isVisible(c)) changes.push(c);
    else known = false;
  }
  return { changes, known };
}
