/**
 * Live review status: what Gerrit and Launchpad say about the items a pad links to. Written only by the server
 * (fetched, cached, delivered as `status.json` and as server notices); never part of the `proposed` / `ready`
 * documents, and never written by a client. Every string in it came from another server: untrusted text, to be
 * rendered as text (never as markup or as a URL).
 *
 * The contract (`GET /api/pads/<padRef>/status.json`, and the `status` server notice):
 *
 * ```
 * { "changes":    { "<number>": ChangeStatus | NotVisible },
 *   "bugs":       { "<number>": BugStatus | NotVisible },
 *   "blueprints": { "<project>/<name>": BlueprintStatus | NotVisible },
 *   "topics":     { "<topic>": ["<number>", …] | NotVisible },
 *   "fetchedAt":  <epoch ms of the oldest fetch among the items given> | null,
 *   "enabled":    <false when the server never fetches (STATUS_POLL_SECONDS=0)> }
 * ```
 * An item the server has not fetched yet is absent. Pure functions here (no dependencies) so the page can use them.
 */

/** Gerrit's change states. */
export type ChangeState = 'NEW' | 'MERGED' | 'ABANDONED';

/** One vote on a label of the change's current patch set. */
export interface Vote {
  value: number;
  /** Who voted (Gerrit's name, else username, else `#<account id>`). */
  name: string;
}

/** A label of the current patch set: the highest and lowest vote cast (0 when nobody voted) and every non-zero vote. */
export interface LabelStatus {
  max: number;
  min: number;
  votes: Vote[];
}

/** The labels cyclepad shows; a label the project does not have (or nobody can see) is absent. */
export const LABELS = ['Code-Review', 'Verified', 'Workflow'] as const;
export type LabelName = (typeof LABELS)[number];

export interface ChangeStatus {
  status: ChangeState;
  subject: string;
  /** The owner's name. */
  owner: string;
  /** Last update, ISO 8601 UTC (`2025-01-31T12:00:00.000Z`). */
  updated: string;
  /** The current patch set's number, null if Gerrit did not say. */
  patchset: number | null;
  labels: Partial<Record<LabelName, LabelStatus>>;
  /** Whether the change merges cleanly; `"unknown"` when Gerrit does not compute it (the default since 3.4): never guessed. */
  mergeable: boolean | 'unknown';
  /** Marked work in progress in Gerrit. */
  wip: boolean;
  project: string;
  branch: string;
  topic: string | null;
}

export interface BugStatus {
  title: string;
  /** From the bug task of the entry's project (the first task when the link names no project). */
  status: string;
  importance: string;
  /** The assignee's display name, or null. */
  assignee: string | null;
  /** The target milestone's name, or null. */
  milestone: string | null;
  /** The task's target (`nova`, `nova/2024.2`), null when the bug has no task. */
  project: string | null;
}

export interface BlueprintStatus {
  title: string;
  /** Definition status: `New`, `Discussion`, `Drafting`, `Pending Approval`, `Review`, `Approved`, … */
  definition: string;
  /** Implementation status: `Unknown`, `Not started`, `Started`, `Needs Code Review`, `Implemented`, … */
  implementation: string;
  assignee: string | null;
  approver: string | null;
  milestone: string | null;
}

/** An item Gerrit or Launchpad will not show an anonymous reader (private, or it does not exist): 401 or 404. */
export interface NotVisible {
  visible: false;
}

export const NOT_VISIBLE: NotVisible = Object.freeze({ visible: false as const });

export interface PadStatus {
  changes: Record<string, ChangeStatus | NotVisible>;
  bugs: Record<string, BugStatus | NotVisible>;
  blueprints: Record<string, BlueprintStatus | NotVisible>;
  /** A topic's changes (numbers as strings), newest update first. */
  topics: Record<string, string[] | NotVisible>;
  fetchedAt: number | null;
  enabled: boolean;
}

/**
 * The server notice (message type 20) carrying status. Sent to every peer of the pad (viewers included): on connect
 * with the status of everything the socket's section links to, then with the items that changed. The page MERGES each
 * notice into what it holds (an item's value replaces the previous one; nothing is ever removed by a notice).
 */
export interface StatusNotice {
  type: 'status';
  status: PadStatus;
}

/**
 * Status maps are keyed by what pads link to, and a topic is any word (`topic:constructor`, `topic:__proto__`): the
 * server builds them without a prototype, so every key is an item of its own…
 */
export function emptyStatus(enabled = true): PadStatus {
  const items = <T>() => Object.create(null) as Record<string, T>;
  return { changes: items(), bugs: items(), blueprints: items(), topics: items(), fetchedAt: null, enabled };
}

/** …and an item is read as an own property only (maps parsed from JSON have Object's prototype). */
export function statusItem<T>(items: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(items, key) ? items[key] : undefined;
}

export function isVisible<T extends object>(item: T | NotVisible | undefined): item is T {
  return item !== undefined && !('visible' in item && (item as NotVisible).visible === false);
}

/** What a change's state means for the people working the list (the page's filters use these). */
export interface ChangeFacts {
  open: boolean;
  merged: boolean;
  abandoned: boolean;
  /** Work in progress: Gerrit's flag, or a Workflow −1. */
  wip: boolean;
  /** Code-Review votes at the top of the range (+2). */
  approvals: number;
  /** Code-Review +1 votes. */
  recommendations: number;
  /** Someone voted Code-Review −1 or −2. */
  negative: boolean;
  /** Lowest Code-Review vote (0 when none). */
  lowest: number;
  /** Verified (CI) voted negatively. */
  ciFailing: boolean;
  /** Verified voted positively and nobody negatively. */
  ciOk: boolean;
  /** Workflow +1 (approved for the gate). */
  approved: boolean;
  /** Known not to merge cleanly (never guessed: false when unknown). */
  conflict: boolean;
  /** Needs a first review: open, not WIP, no +1/+2 and no negative vote. */
  needsFirstReview: boolean;
  /** Needs a second +2: open, exactly one +2, no negative vote. */
  needsSecondApproval: boolean;
  /** Whole days since the last update (`now` given), else null. */
  ageDays: number | null;
}

const votesOf = (c: ChangeStatus, label: LabelName) => c.labels[label]?.votes ?? [];

export function changeFacts(c: ChangeStatus, now?: number): ChangeFacts {
  const review = votesOf(c, 'Code-Review');
  const approvals = review.filter((v) => v.value >= 2).length;
  const recommendations = review.filter((v) => v.value === 1).length;
  const lowest = review.reduce((low, v) => Math.min(low, v.value), 0);
  const verified = votesOf(c, 'Verified');
  const workflow = votesOf(c, 'Workflow');
  const open = c.status === 'NEW';
  const wip = c.wip || workflow.some((v) => v.value < 0);
  const negative = lowest < 0;
  const updated = Date.parse(c.updated);
  return {
    open,
    merged: c.status === 'MERGED',
    abandoned: c.status === 'ABANDONED',
    wip,
    approvals,
    recommendations,
    negative,
    lowest,
    ciFailing: verified.some((v) => v.value < 0),
    ciOk: verified.some((v) => v.value > 0) && !verified.some((v) => v.value < 0),
    approved: workflow.some((v) => v.value > 0),
    conflict: c.mergeable === false,
    needsFirstReview: open && !wip && approvals === 0 && recommendations === 0 && !negative,
    needsSecondApproval: open && approvals === 1 && !negative,
    ageDays: now !== undefined && Number.isFinite(updated) ? Math.max(0, Math.floor((now - updated) / 86_400_000)) : null,
  };
}

const MINUS = '\u2212';
const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `${MINUS}${-n}` : '0');

/**
 * A short status of a change for a chip and the txt/md exports: "merged", "abandoned", "not visible", or the open
 * change's state, most important first: "WIP", "merge conflict", the Code-Review summary ("−2", "−1", "+2 ×1",
 * "+1 ×2"), "CI failing" / "CI ok", "W+1" — e.g. "+2 ×1, CI ok". An open change nobody voted on: "no reviews".
 */
export function summarizeChange(c: ChangeStatus | NotVisible | undefined): string {
  if (c === undefined) return 'unknown';
  if (!isVisible(c)) return 'not visible';
  if (c.status === 'MERGED') return 'merged';
  if (c.status === 'ABANDONED') return 'abandoned';
  const f = changeFacts(c);
  const parts: string[] = [];
  if (f.wip) parts.push('WIP');
  if (f.conflict) parts.push('merge conflict');
  if (f.negative) parts.push(signed(f.lowest));
  else if (f.approvals > 0) parts.push(`+2 \u00d7${f.approvals}`);
  else if (f.recommendations > 0) parts.push(`+1 \u00d7${f.recommendations}`);
  if (f.ciFailing) parts.push('CI failing');
  else if (f.ciOk) parts.push('CI ok');
  if (f.approved) parts.push('W+1');
  return parts.length > 0 ? parts.join(', ') : 'no reviews';
}

/** "Fix Committed, High" / "not visible". */
export function summarizeBug(b: BugStatus | NotVisible | undefined): string {
  if (b === undefined) return 'unknown';
  if (!isVisible(b)) return 'not visible';
  return [b.status, b.importance].filter(Boolean).join(', ');
}

/** "Approved / Started, 2025.1-epoxy-2" / "not visible". */
export function summarizeBlueprint(b: BlueprintStatus | NotVisible | undefined): string {
  if (b === undefined) return 'unknown';
  if (!isVisible(b)) return 'not visible';
  const state = `${b.definition} / ${b.implementation}`;
  return b.milestone ? `${state}, ${b.milestone}` : state;
}
