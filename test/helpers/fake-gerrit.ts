/**
 * A fake Gerrit for tests and the benchmark, answering `GET /changes/` the way Gerrit's REST documentation says
 * (Documentation/rest-api.txt, rest-api-changes.txt): every body starts with `)]}'`; several `q` give an array of
 * arrays, one `q` a flat array; results newest-updated first; `n` limits (at most 500, the anonymous cap of many
 * servers) and the last result of a cut list carries `_more_changes: true`; `S` skips; `o=LABELS` gives the label
 * summary (one approved/rejected/recommended/disliked account), `o=DETAILED_LABELS` every vote (`all`) and `values`,
 * `o=DETAILED_ACCOUNTS` account ids, usernames and emails, `o=CURRENT_REVISION` the current revision and its
 * `_number`, `o=CURRENT_COMMIT` its commit message; `mergeable` only when the change has it. Private changes are
 * never in an anonymous query's results.
 *
 * Queries understood: `change:N` terms joined by `OR`, `topic:"T"` / `topic:T`, and conjunctions of `project:P`,
 * `status:open|merged|abandoned`, `label:Review-Priority>=N` / `=N`; anything else is a 400, as Gerrit answers a
 * query it cannot parse.
 */
import { FakeHttp } from './fake-http.js';

export interface FakeAccount {
  id: number;
  name: string;
  username: string;
}

export interface FakeChange {
  number: number;
  project: string;
  branch?: string;
  subject: string;
  status: 'NEW' | 'MERGED' | 'ABANDONED';
  owner: FakeAccount;
  /** Gerrit's format, UTC: `2025-01-31 12:00:00.000000000`. */
  updated: string;
  topic?: string;
  patchset?: number;
  /** label → votes */
  votes?: Partial<Record<'Code-Review' | 'Verified' | 'Workflow' | 'Review-Priority', Array<{ account: FakeAccount; value: number }>>>;
  mergeable?: boolean;
  wip?: boolean;
  private?: boolean;
  message?: string;
}

const RANGES: Record<string, [number, number]> = { 'Code-Review': [-2, 2], Verified: [-2, 2], Workflow: [-1, 1], 'Review-Priority': [0, 2] };
const ANON_CAP = 500;

const account = (a: FakeAccount, detailed: boolean) =>
  detailed ? { _account_id: a.id, name: a.name, email: `${a.username}@example.org`, username: a.username } : { name: a.name };

const valueKey = (v: number) => (v > 0 ? `+${v}` : v === 0 ? ' 0' : String(v));

function tokens(query: string): string[] {
  const out: string[] = [];
  const re = /(\S+?:"[^"]*"|\S+)/g;
  for (const m of query.matchAll(re)) out.push(m[0]);
  return out;
}

export class FakeGerrit extends FakeHttp {
  readonly changes = new Map<number, FakeChange>();

  constructor() {
    super((url) => this.answer(url));
  }

  add(...changes: FakeChange[]): void {
    for (const c of changes) this.changes.set(c.number, c);
  }

  /** Requests whose `q` asked for this change (by number). */
  requestsFor(n: number): number {
    return this.seen.filter((r) => new URL(r.path, 'http://x').searchParams.getAll('q').some((q) => q.split(' OR ').includes(`change:${n}`))).length;
  }

  private matcher(query: string): (c: FakeChange) => boolean {
    const parts = query.split(' OR ');
    if (parts.length > 1 || query.startsWith('change:')) {
      const numbers = new Set(
        parts.map((p) => {
          const m = /^change:(\d+)$/.exec(p.trim());
          if (!m) throw new Error(`bad query: ${p}`);
          return Number(m[1]);
        }),
      );
      return (c) => numbers.has(c.number);
    }
    const tests: Array<(c: FakeChange) => boolean> = [];
    for (const token of tokens(query)) {
      let m: RegExpExecArray | null;
      if ((m = /^topic:(?:"([^"]*)"|(\S+))$/.exec(token))) {
        const t = m[1] ?? m[2];
        tests.push((c) => c.topic === t);
      } else if ((m = /^project:(\S+)$/.exec(token))) {
        const p = m[1];
        tests.push((c) => c.project === p);
      } else if ((m = /^status:(open|merged|abandoned)$/.exec(token))) {
        const s = { open: 'NEW', merged: 'MERGED', abandoned: 'ABANDONED' }[m[1] as 'open'];
        tests.push((c) => c.status === s);
      } else if ((m = /^label:Review-Priority(>=|=)(\d)$/.exec(token))) {
        const [op, v] = [m[1], Number(m[2])];
        tests.push((c) => {
          const best = Math.max(0, ...(c.votes?.['Review-Priority'] ?? []).map((x) => x.value));
          return op === '>=' ? best >= v : best === v;
        });
      } else throw new Error(`bad query: ${token}`);
    }
    return (c) => tests.every((t) => t(c));
  }

  render(c: FakeChange, options: Set<string>): Record<string, unknown> {
    const detailed = options.has('DETAILED_ACCOUNTS');
    const info: Record<string, unknown> = {
      id: `${encodeURIComponent(c.project)}~${c.branch ?? 'master'}~I${c.number.toString(16).padStart(40, '0')}`,
      project: c.project,
      branch: c.branch ?? 'master',
      change_id: `I${c.number.toString(16).padStart(40, '0')}`,
      subject: c.subject,
      status: c.status,
      created: c.updated,
      updated: c.updated,
      insertions: 10,
      deletions: 2,
      _number: c.number,
      owner: account(c.owner, detailed),
    };
    if (c.topic) info.topic = c.topic;
    if (c.mergeable !== undefined) info.mergeable = c.mergeable;
    if (c.wip) info.work_in_progress = true;
    if (options.has('LABELS') || options.has('DETAILED_LABELS')) {
      const labels: Record<string, Record<string, unknown>> = {};
      for (const name of ['Code-Review', 'Verified', 'Workflow', 'Review-Priority']) {
        const [min, max] = RANGES[name]!;
        const votes = c.votes?.[name as 'Code-Review'] ?? [];
        const label: Record<string, unknown> = {};
        if (options.has('LABELS')) {
          const top = votes.find((v) => v.value === max);
          const bottom = votes.find((v) => v.value === min && min < 0);
          const plus = votes.find((v) => v.value > 0 && v.value < max);
          const minus = votes.find((v) => v.value < 0 && v.value > min);
          if (top) label.approved = account(top.account, detailed);
          if (bottom) label.rejected = account(bottom.account, detailed);
          if (plus) label.recommended = account(plus.account, detailed);
          if (minus) label.disliked = account(minus.account, detailed);
          label.default_value = 0;
        }
        if (options.has('DETAILED_LABELS')) {
          label.all = votes.map((v) => ({ value: v.value, date: c.updated, permitted_voting_range: { min, max }, ...account(v.account, detailed) }));
          label.values = Object.fromEntries(Array.from({ length: max - min + 1 }, (_, i) => [valueKey(min + i), `value ${min + i}`]));
        }
        labels[name] = label;
      }
      info.labels = labels;
    }
    if (options.has('CURRENT_REVISION')) {
      const sha = (c.number * 7919).toString(16).padStart(40, 'a');
      const revision: Record<string, unknown> = { kind: 'REWORK', _number: c.patchset ?? 1, ref: `refs/changes/${String(c.number % 100).padStart(2, '0')}/${c.number}/${c.patchset ?? 1}` };
      if (options.has('CURRENT_COMMIT')) {
        revision.commit = {
          parents: [{ commit: 'b'.repeat(40), subject: 'parent' }],
          author: { name: c.owner.name, email: `${c.owner.username}@example.org`, date: c.updated, tz: 0 },
          committer: { name: c.owner.name, email: `${c.owner.username}@example.org`, date: c.updated, tz: 0 },
          subject: c.subject,
          message: c.message ?? `${c.subject}\n\nChange-Id: I${c.number.toString(16).padStart(40, '0')}\n`,
        };
      }
      info.current_revision = sha;
      info.revisions = { [sha]: revision };
    }
    return info;
  }

  private answer(url: URL) {
    if (url.pathname !== '/changes/') return { status: 404, body: 'Not found', headers: { 'Content-Type': 'text/plain' } };
    const queries = url.searchParams.getAll('q');
    if (queries.length === 0) return { status: 400, body: 'missing q', headers: { 'Content-Type': 'text/plain' } };
    const options = new Set(url.searchParams.getAll('o'));
    const n = Math.min(Number(url.searchParams.get('n') ?? ANON_CAP) || ANON_CAP, ANON_CAP);
    const start = Number(url.searchParams.get('S') ?? url.searchParams.get('start') ?? 0) || 0;
    const lists = queries.map((q) => {
      const match = this.matcher(q);
      const all = [...this.changes.values()]
        .filter((c) => !c.private && match(c))
        .sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : b.number - a.number));
      const page = all.slice(start, start + n).map((c) => this.render(c, options));
      if (start + n < all.length && page.length > 0) page[page.length - 1]!._more_changes = true;
      return page;
    });
    const body = queries.length === 1 ? lists[0] : lists;
    return { status: 200, body: `)]}'\n${JSON.stringify(body)}` };
  }
}

let accountIds = 1000000;
export function fakeAccount(username: string, name = username): FakeAccount {
  return { id: accountIds++, name, username };
}

/** A change with sensible defaults. */
export function fakeChange(number: number, fields: Partial<FakeChange> = {}): FakeChange {
  return {
    number,
    project: 'openstack/nova',
    subject: `Change ${number}`,
    status: 'NEW',
    owner: fields.owner ?? fakeAccount(`dev${number % 97}`, `Developer ${number % 97}`),
    updated: '2025-01-15 10:00:00.000000000',
    patchset: 3,
    ...fields,
  };
}
