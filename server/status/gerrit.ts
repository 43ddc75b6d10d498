/**
 * Gerrit's REST API, read anonymously (Documentation/rest-api.txt, rest-api-changes.txt, user-search.txt):
 * - every JSON body starts with the line `)]}'` (XSSI protection), stripped before parsing;
 * - `GET /changes/?q=…&q=…` with several `q` answers an array of arrays, one per query in order (one `q`: one array);
 * - results are newest-updated first; when `n` cuts a list short its last ChangeInfo carries `_more_changes: true`,
 *   and `S` skips that many for the next page;
 * - `o=LABELS` gives a summary per label (one approving / rejecting account), `o=DETAILED_LABELS` every vote
 *   (`all`: ApprovalInfo with `value`) — cyclepad counts +2s, so it asks for both; `o=DETAILED_ACCOUNTS` names;
 *   `o=CURRENT_REVISION` the patch set number (`revisions[current_revision]._number`); `o=CURRENT_COMMIT` the commit
 *   message (only for "Add from Gerrit", which reads its footers);
 * - `mergeable` is absent unless the server computes it (not by default since 3.4): then "unknown".
 * A change that does not exist or that anonymous users may not see is simply not in the results: not visible.
 */
import { LABELS, type ChangeState, type ChangeStatus, type LabelName, type LabelStatus, type Vote } from '../../shared/status.js';
import { cleanText, isObject, MalformedResponse, optionalText } from './text.js';

export const XSSI_PREFIX = ")]}'";

/** Options every status query asks for. */
export const STATUS_OPTIONS = ['LABELS', 'DETAILED_LABELS', 'DETAILED_ACCOUNTS', 'CURRENT_REVISION'] as const;
/** …and "Add from Gerrit", which reads commit messages. */
export const IMPORT_OPTIONS = [...STATUS_OPTIONS, 'CURRENT_COMMIT'] as const;

/** Changes per `change:A OR change:B …` query (a request URL stays under about 4 KB). */
export const CHANGES_PER_QUERY = 50;
/** `q` parameters per request. */
export const QUERIES_PER_REQUEST = 4;
/** Page size of a topic (or "Add from Gerrit") query; many servers cap anonymous results at 500. */
export const PAGE_SIZE = 100;

/** Parses a Gerrit JSON body: strips the XSSI line; throws {@link MalformedResponse}. */
export function parseGerritJson(text: string): unknown {
  let body = text;
  if (body.startsWith(XSSI_PREFIX)) body = body.slice(XSSI_PREFIX.length);
  else throw new MalformedResponse(`Gerrit body does not start with ${XSSI_PREFIX}`);
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new MalformedResponse('Gerrit body is not JSON');
  }
}

/** The per-query result lists of a `/changes/` answer to `queries` queries. */
export function queryResults(body: unknown, queries: number): unknown[][] {
  if (!Array.isArray(body)) throw new MalformedResponse('Gerrit query result is not an array');
  if (queries === 1) {
    // one q: a flat list (some servers nest it anyway)
    if (body.length === 1 && Array.isArray(body[0])) return [body[0] as unknown[]];
    return [body];
  }
  if (body.length !== queries || !body.every(Array.isArray)) throw new MalformedResponse(`expected ${queries} result lists`);
  return body as unknown[][];
}

/** Whether a result list was cut short (its last ChangeInfo says `_more_changes`). */
export function hasMore(list: unknown[]): boolean {
  const last = list[list.length - 1];
  return isObject(last) && last._more_changes === true;
}

/** `2012-07-17 07:19:27.766000000` (UTC) → ISO 8601; '' when it is not a Gerrit timestamp. */
export function gerritTime(value: unknown): string {
  if (typeof value !== 'string') return '';
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$/.exec(value);
  if (!m) return '';
  const ms = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
  const date = new Date(`${m[1]}T${m[2]}.${ms}Z`);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

export function accountName(account: unknown): string {
  if (!isObject(account)) return '';
  return (
    optionalText(account.name, 100) ??
    optionalText(account.display_name, 100) ??
    optionalText(account.username, 100) ??
    (typeof account._account_id === 'number' ? `#${account._account_id}` : '')
  );
}

/** OpenStack's ranges, used only when a label's summary names voters without their values (no DETAILED_LABELS). */
const DEFAULT_RANGE: Record<LabelName, number> = { 'Code-Review': 2, Verified: 2, Workflow: 1 };

function labelStatus(name: LabelName, info: unknown): LabelStatus | undefined {
  if (!isObject(info)) return undefined;
  const votes: Vote[] = [];
  if (Array.isArray(info.all)) {
    for (const approval of info.all) {
      if (!isObject(approval) || typeof approval.value !== 'number' || !Number.isInteger(approval.value)) continue;
      if (approval.value === 0) continue;
      votes.push({ value: Math.max(-9, Math.min(9, approval.value)), name: accountName(approval) });
    }
  } else {
    // LABELS only: one account per kind of vote
    const keys = isObject(info.values) ? Object.keys(info.values).map((k) => Number(k.trim())).filter(Number.isInteger) : [];
    // (reduce, not a spread: an answer is outside input, and a spread of a huge array overflows the stack)
    const top = keys.length > 0 ? keys.reduce((a, b) => Math.max(a, b)) : DEFAULT_RANGE[name];
    const bottom = keys.length > 0 ? keys.reduce((a, b) => Math.min(a, b)) : -DEFAULT_RANGE[name];
    const value = typeof info.value === 'number' ? info.value : undefined;
    if (info.approved) votes.push({ value: top, name: accountName(info.approved) });
    if (info.recommended) votes.push({ value: value !== undefined && value > 0 ? value : 1, name: accountName(info.recommended) });
    if (info.disliked) votes.push({ value: value !== undefined && value < 0 ? value : -1, name: accountName(info.disliked) });
    if (info.rejected) votes.push({ value: bottom, name: accountName(info.rejected) });
  }
  votes.sort((a, b) => b.value - a.value || a.name.localeCompare(b.name));
  const values = votes.map((v) => v.value);
  return { max: values.reduce((a, b) => Math.max(a, b), 0), min: values.reduce((a, b) => Math.min(a, b), 0), votes: votes.slice(0, 50) };
}

const STATES = new Set<ChangeState>(['NEW', 'MERGED', 'ABANDONED']);

/** A ChangeInfo read into what cyclepad shows; null if it is not one (no number or no state). */
export function parseChange(info: unknown): (ChangeStatus & { number: number }) | null {
  if (!isObject(info)) return null;
  const number = info._number;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number <= 0) return null;
  const status = info.status;
  if (typeof status !== 'string' || !STATES.has(status as ChangeState)) return null;
  let patchset: number | null = null;
  if (typeof info.current_revision_number === 'number') patchset = info.current_revision_number;
  else if (typeof info.current_revision === 'string' && isObject(info.revisions)) {
    const revision = info.revisions[info.current_revision];
    if (isObject(revision) && typeof revision._number === 'number') patchset = revision._number;
  }
  const labels: ChangeStatus['labels'] = {};
  if (isObject(info.labels)) {
    for (const name of LABELS) {
      const label = labelStatus(name, info.labels[name]);
      if (label) labels[name] = label;
    }
  }
  return {
    number,
    status: status as ChangeState,
    subject: cleanText(info.subject, 300),
    owner: accountName(info.owner),
    updated: gerritTime(info.updated),
    patchset,
    labels,
    mergeable: typeof info.mergeable === 'boolean' ? info.mergeable : 'unknown',
    wip: info.work_in_progress === true,
    project: cleanText(info.project, 200),
    branch: cleanText(info.branch, 200),
    topic: optionalText(info.topic, 200),
  };
}

/** The current revision's commit message (`o=CURRENT_COMMIT`), or ''. */
export function commitMessage(info: unknown): string {
  if (!isObject(info) || typeof info.current_revision !== 'string' || !isObject(info.revisions)) return '';
  const revision = info.revisions[info.current_revision];
  if (!isObject(revision)) return '';
  if (typeof revision.commit_with_footers === 'string') return revision.commit_with_footers.slice(0, 20_000);
  return isObject(revision.commit) && typeof revision.commit.message === 'string' ? revision.commit.message.slice(0, 20_000) : '';
}

/** What a commit message's footers name: the bugs it closes or is related to, and the blueprint it implements. */
export interface CommitReferences {
  bugs: number[];
  blueprints: string[];
}

/**
 * OpenStack's footers (the contributor guide): `Closes-Bug: #N`, `Partial-Bug: #N`, `Related-Bug: #N` (one per line,
 * the `#` optional) and `Implements: blueprint <name>` / `Partially-Implements: blueprint <name>` (also `bp <name>`).
 */
export function commitReferences(message: string): CommitReferences {
  const bugs: number[] = [];
  const blueprints: string[] = [];
  for (const raw of message.split('\n')) {
    const line = raw.trim();
    if (line.length > 300) continue;
    const bug = /^(?:Closes|Partial|Related)-Bug:\s*#?(\d{1,9})\s*$/i.exec(line);
    if (bug) {
      const n = Number(bug[1]);
      if (!bugs.includes(n)) bugs.push(n);
      continue;
    }
    const bp = /^(?:Partially-)?Implements:\s*(?:blueprint|bp)\s+([A-Za-z0-9][A-Za-z0-9._+-]{0,99})\s*$/i.exec(line);
    if (bp && !blueprints.includes(bp[1]!)) blueprints.push(bp[1]!);
  }
  return { bugs, blueprints };
}

/** `change:1 OR change:2 …` */
export const changesQuery = (numbers: readonly number[]) => numbers.map((n) => `change:${n}`).join(' OR ');

/**
 * A topic's query, or null for a topic cyclepad will not ask for: a leading `^` (a regular expression, which costs
 * Gerrit a scan) or a `"` or backslash (it could not be quoted) or an unreasonable length.
 */
export function topicQuery(topic: string): string | null {
  if (topic.length === 0 || topic.length > 200 || topic.startsWith('^') || /["\\\n\r]/.test(topic)) return null;
  return `topic:"${topic}"`;
}

/** The path and query of a `/changes/` request (relative to GERRIT_URL). */
export function changesPath(queries: readonly string[], options: readonly string[], n?: number, start?: number): string {
  const params = new URLSearchParams();
  for (const q of queries) params.append('q', q);
  if (n !== undefined) params.set('n', String(n));
  if (start !== undefined && start > 0) params.set('S', String(start));
  for (const o of options) params.append('o', o);
  return `/changes/?${params.toString()}`;
}
