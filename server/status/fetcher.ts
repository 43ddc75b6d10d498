/**
 * One poll of due items: Gerrit topics (several `q` per request, paged), Gerrit changes (`change:A OR change:B …`,
 * several `q` per request), Launchpad bugs (the bug, conditional, and its tasks), blueprints (getSpecification,
 * conditional) and the people they name (conditional, refreshed daily). Every request goes through a
 * {@link HostClient} of a configured host, built from numbers and names, never from a document's URL.
 *
 * Each item gets a new row: its value (unchanged on 304), its next check (the interval; four intervals when not
 * visible; exponential backoff after failures, at least a 429's Retry-After), its failure count.
 */
import { NOT_VISIBLE, type ChangeStatus, type NotVisible } from '../../shared/status.js';
import type { StatusRow } from '../storage/storage.js';
import { FetchFailed, ForeignUrl, type HostClient } from './host-client.js';
import {
  changesPath,
  changesQuery,
  CHANGES_PER_QUERY,
  hasMore,
  PAGE_SIZE,
  parseChange,
  parseGerritJson,
  QUERIES_PER_REQUEST,
  queryResults,
  STATUS_OPTIONS,
  topicQuery,
} from './gerrit.js';
import {
  bugPath,
  bugTasksPath,
  parseBug,
  parseBugTasks,
  parseJson,
  parsePerson,
  parseSpecification,
  personPath,
  specificationPath,
  type BugRecord,
  type BugTask,
} from './launchpad.js';
import { keys, splitKey } from './items.js';
import { parseValue, type PersonValue } from './cache-values.js';
import { MalformedResponse } from './text.js';

export interface FetchPolicy {
  /** The poll interval. */
  intervalMs: number;
  /** Longest backoff after failures. */
  maxBackoffMs: number;
  /** How long a person's display name is kept before it is asked again. */
  personTtlMs: number;
}

/** Most pages of one topic (100 each): a topic with more is shown with its newest 1,000 changes. */
const MAX_TOPIC_PAGES = 10;
/** Most pages of one bug's tasks (75 each). */
const MAX_TASK_PAGES = 4;

export class StatusFetcher {
  constructor(
    private readonly gerrit: HostClient,
    private readonly launchpad: HostClient,
    private readonly policy: FetchPolicy,
    private readonly log: { warn(obj: object, msg: string): void },
  ) {}

  private ok(key: string, value: unknown, etag: string | null, now: number): StatusRow {
    const visible = !(value !== null && typeof value === 'object' && (value as NotVisible).visible === false);
    return {
      key,
      value: JSON.stringify(value),
      etag,
      fetchedAt: now,
      nextCheckAt: now + this.policy.intervalMs * (visible ? 1 : 4),
      failures: 0,
    };
  }

  private failed(previous: StatusRow | undefined, key: string, err: unknown, now: number): StatusRow {
    const failures = (previous?.failures ?? 0) + 1;
    let wait = Math.min(this.policy.maxBackoffMs, this.policy.intervalMs * 2 ** (failures - 1));
    if (err instanceof FetchFailed && err.retryAfterMs !== null) wait = Math.max(wait, err.retryAfterMs);
    return {
      key,
      value: previous?.value ?? null,
      etag: previous?.etag ?? null,
      fetchedAt: previous?.fetchedAt ?? 0,
      nextCheckAt: now + wait,
      failures,
    };
  }

  private warn(err: unknown, what: string): void {
    if (err instanceof FetchFailed || err instanceof MalformedResponse || err instanceof ForeignUrl) {
      this.log.warn({ error: err.message }, `status: ${what} failed; backing off`);
    } else throw err;
  }

  /** New rows for the `due` keys (and for changes a topic brought and people the items name). */
  async poll(due: string[], previous: Map<string, StatusRow>, now = Date.now()): Promise<StatusRow[]> {
    const out = new Map<string, StatusRow>();
    const changes: number[] = [];
    const topics: string[] = [];
    const bugs: number[] = [];
    const blueprints: Array<[string, string]> = [];
    for (const key of due) {
      const [kind, id] = splitKey(key);
      if (kind === 'change') changes.push(Number(id));
      else if (kind === 'topic') topics.push(id);
      else if (kind === 'bug') bugs.push(Number(id));
      else if (kind === 'blueprint') {
        const slash = id.indexOf('/');
        if (slash > 0) blueprints.push([id.slice(0, slash), id.slice(slash + 1)]);
      }
    }
    await Promise.all([this.gerritPhase(topics, changes, previous, out, now), this.launchpadPhase(bugs, blueprints, previous, out, now)]);
    return [...out.values()];
  }

  // --- Gerrit ---------------------------------------------------------------------------------------------------------

  private async gerritPhase(topics: string[], changes: number[], previous: Map<string, StatusRow>, out: Map<string, StatusRow>, now: number) {
    await this.fetchTopics(topics, previous, out, now);
    // a change a topic query just brought is fresh: not asked again
    const rest = changes.filter((n) => !out.has(keys.change(n)));
    await this.fetchChanges(rest, previous, out, now);
  }

  private recordChange(info: unknown, out: Map<string, StatusRow>, now: number): number | null {
    const parsed = parseChange(info);
    if (!parsed) return null;
    const { number, ...status } = parsed;
    out.set(keys.change(number), this.ok(keys.change(number), status satisfies ChangeStatus, null, now));
    return number;
  }

  async fetchChanges(numbers: number[], previous: Map<string, StatusRow>, out: Map<string, StatusRow>, now: number): Promise<void> {
    const chunks: number[][] = [];
    for (let i = 0; i < numbers.length; i += CHANGES_PER_QUERY) chunks.push(numbers.slice(i, i + CHANGES_PER_QUERY));
    const requests: number[][][] = [];
    for (let i = 0; i < chunks.length; i += QUERIES_PER_REQUEST) requests.push(chunks.slice(i, i + QUERIES_PER_REQUEST));
    await Promise.all(
      requests.map(async (queries) => {
        const all = queries.flat();
        try {
          const result = await this.gerrit.get(changesPath(queries.map(changesQuery), STATUS_OPTIONS, CHANGES_PER_QUERY));
          if (result.kind !== 'ok') throw new FetchFailed(`Gerrit answered ${result.kind}`);
          const lists = queryResults(parseGerritJson(result.text), queries.length);
          const found = new Set<number>();
          for (const list of lists) for (const info of list) {
            const n = this.recordChange(info, out, now);
            if (n !== null) found.add(n);
          }
          // not in the results: private, or no such change
          for (const n of all) if (!found.has(n)) out.set(keys.change(n), this.ok(keys.change(n), NOT_VISIBLE, null, now));
        } catch (err) {
          this.warn(err, `Gerrit query of ${all.length} changes`);
          for (const n of all) out.set(keys.change(n), this.failed(previous.get(keys.change(n)), keys.change(n), err, now));
        }
      }),
    );
  }

  async fetchTopics(topics: string[], previous: Map<string, StatusRow>, out: Map<string, StatusRow>, now: number): Promise<void> {
    const valid = topics.filter((t) => topicQuery(t) !== null);
    const groups: string[][] = [];
    for (let i = 0; i < valid.length; i += QUERIES_PER_REQUEST) groups.push(valid.slice(i, i + QUERIES_PER_REQUEST));
    await Promise.all(
      groups.map(async (group) => {
        let lists: unknown[][];
        try {
          const result = await this.gerrit.get(changesPath(group.map((t) => topicQuery(t)!), STATUS_OPTIONS, PAGE_SIZE));
          if (result.kind !== 'ok') throw new FetchFailed(`Gerrit answered ${result.kind}`);
          lists = queryResults(parseGerritJson(result.text), group.length);
        } catch (err) {
          if (group.length > 1) {
            // one topic Gerrit refuses must not blank the others asked with it: ask each alone
            await Promise.all(group.map((t) => this.fetchTopics([t], previous, out, now)));
            return;
          }
          this.warn(err, `Gerrit query of ${group.length} topics`);
          for (const t of group) out.set(keys.topic(t), this.failed(previous.get(keys.topic(t)), keys.topic(t), err, now));
          return;
        }
        await Promise.all(
          group.map(async (topic, i) => {
            const numbers: number[] = [];
            let list = lists[i]!;
            try {
              for (let page = 1; ; page++) {
                for (const info of list) {
                  const n = this.recordChange(info, out, now);
                  if (n !== null && !numbers.includes(n)) numbers.push(n);
                }
                if (!hasMore(list) || page >= MAX_TOPIC_PAGES) break;
                // the next page of this query alone: S skips what we have
                const next = await this.gerrit.get(changesPath([topicQuery(topic)!], STATUS_OPTIONS, PAGE_SIZE, page * PAGE_SIZE));
                if (next.kind !== 'ok') throw new FetchFailed(`Gerrit answered ${next.kind}`);
                list = queryResults(parseGerritJson(next.text), 1)[0]!;
              }
              out.set(keys.topic(topic), this.ok(keys.topic(topic), { changes: numbers }, null, now));
            } catch (err) {
              this.warn(err, `Gerrit topic ${topic}`);
              out.set(keys.topic(topic), this.failed(previous.get(keys.topic(topic)), keys.topic(topic), err, now));
            }
          }),
        );
      }),
    );
  }

  // --- Launchpad ------------------------------------------------------------------------------------------------------

  private async launchpadPhase(
    bugs: number[],
    blueprints: Array<[string, string]>,
    previous: Map<string, StatusRow>,
    out: Map<string, StatusRow>,
    now: number,
  ) {
    const nicks = new Set<string>();
    await Promise.all([
      ...bugs.map((bug) => this.fetchBug(bug, previous, out, now, nicks)),
      ...blueprints.map(([project, name]) => this.fetchBlueprint(project, name, previous, out, now, nicks)),
    ]);
    await this.fetchPeople([...nicks], out, now);
  }

  /** People whose rows are missing or older than the TTL are asked again (conditionally). */
  private peopleRows: ((keys: string[]) => Promise<StatusRow[]>) | null = null;

  /** How the fetcher reads person rows it was not given (the cache). */
  readPeopleWith(read: (keys: string[]) => Promise<StatusRow[]>): void {
    this.peopleRows = read;
  }

  private async fetchPeople(nicks: string[], out: Map<string, StatusRow>, now: number): Promise<void> {
    if (nicks.length === 0) return;
    const known = new Map<string, StatusRow>();
    if (this.peopleRows) for (const row of await this.peopleRows(nicks.map(keys.person))) known.set(row.key, row);
    await Promise.all(
      nicks.map(async (nick) => {
        const key = keys.person(nick);
        const row = known.get(key);
        if (row && row.value !== null && row.nextCheckAt > now) return;
        try {
          const result = await this.launchpad.get(personPath(nick), row?.etag);
          let value: PersonValue;
          let etag = row?.etag ?? null;
          if (result.kind === 'not-modified') value = parseValue<PersonValue>(row) ?? NOT_VISIBLE;
          else if (result.kind === 'not-visible') value = NOT_VISIBLE;
          else {
            value = { displayName: parsePerson(parseJson(result.text)).displayName };
            etag = result.etag;
          }
          out.set(key, { ...this.ok(key, value, etag, now), nextCheckAt: now + this.policy.personTtlMs });
        } catch (err) {
          this.warn(err, `Launchpad person ${nick}`);
          out.set(key, this.failed(row, key, err, now));
        }
      }),
    );
  }

  private async fetchBug(bug: number, previous: Map<string, StatusRow>, out: Map<string, StatusRow>, now: number, nicks: Set<string>) {
    const key = keys.bug(bug);
    const before = previous.get(key);
    try {
      const result = await this.launchpad.get(bugPath(bug), before?.etag);
      if (result.kind === 'not-visible') {
        out.set(key, this.ok(key, NOT_VISIBLE, null, now));
        return;
      }
      let title: string;
      let etag: string | null;
      if (result.kind === 'not-modified') {
        const old = parseValue<BugRecord>(before);
        if (!old || typeof old.title !== 'string') throw new MalformedResponse('304 for a bug not cached');
        title = old.title;
        etag = before?.etag ?? null;
      } else {
        title = parseBug(parseJson(result.text)).title;
        etag = result.etag;
      }
      // tasks are a collection: no ETag, asked every time
      const tasks: BugTask[] = [];
      let path: string | null = bugTasksPath(bug);
      for (let page = 0; path !== null && page < MAX_TASK_PAGES; page++) {
        const r = await this.launchpad.get(path);
        if (r.kind === 'not-visible') {
          out.set(key, this.ok(key, NOT_VISIBLE, null, now));
          return;
        }
        if (r.kind !== 'ok') throw new FetchFailed(`Launchpad answered ${r.kind} for bug tasks`);
        const parsed = parseBugTasks(parseJson(r.text));
        for (const task of parsed.tasks) tasks.push(task);
        path = parsed.next ? this.launchpad.pathOfLink(parsed.next) : null;
      }
      for (const t of tasks) if (t.assignee) nicks.add(t.assignee);
      out.set(key, this.ok(key, { title, tasks } satisfies BugRecord, etag, now));
    } catch (err) {
      this.warn(err, `Launchpad bug ${bug}`);
      out.set(key, this.failed(before, key, err, now));
    }
  }

  private async fetchBlueprint(
    project: string,
    name: string,
    previous: Map<string, StatusRow>,
    out: Map<string, StatusRow>,
    now: number,
    nicks: Set<string>,
  ) {
    const key = keys.blueprint(project, name);
    const before = previous.get(key);
    try {
      const result = await this.launchpad.get(specificationPath(project, name), before?.etag);
      if (result.kind === 'not-visible') {
        out.set(key, this.ok(key, NOT_VISIBLE, null, now));
        return;
      }
      if (result.kind === 'not-modified') {
        if (!before || before.value === null) throw new MalformedResponse('304 for a blueprint not cached');
        out.set(key, this.ok(key, JSON.parse(before.value) as unknown, before.etag, now));
        return;
      }
      const spec = parseSpecification(parseJson(result.text));
      if (spec === null) {
        out.set(key, this.ok(key, NOT_VISIBLE, null, now));
        return;
      }
      if (spec.assignee) nicks.add(spec.assignee);
      if (spec.approver) nicks.add(spec.approver);
      out.set(key, this.ok(key, spec, result.etag, now));
    } catch (err) {
      this.warn(err, `Launchpad blueprint ${project}/${name}`);
      out.set(key, this.failed(before, key, err, now));
    }
  }
}
