/**
 * What the status cache holds per key (the JSON in `status_cache.value`), and how a pad's status is built from rows:
 * - `change:N` → ChangeStatus | NotVisible
 * - `topic:T` → { changes: number[] } | NotVisible
 * - `bug:N` → BugRecord (every task, names unresolved) | NotVisible
 * - `blueprint:P/N` → BlueprintStatus with nicks | NotVisible
 * - `person:NICK` → { displayName } | NotVisible
 */
import type { BlueprintStatus, ChangeStatus, NotVisible, PadStatus } from '../../shared/status.js';
import { emptyStatus, isVisible } from '../../shared/status.js';
import type { StatusRow } from '../storage/storage.js';
import { bugStatus, type BugRecord } from './launchpad.js';
import { keys, splitKey, type PadItems } from './items.js';

export type TopicValue = { changes: number[] } | NotVisible;
export type PersonValue = { displayName: string } | NotVisible;

export function parseValue<T>(row: StatusRow | undefined): T | undefined {
  if (!row || row.value === null) return undefined;
  try {
    return JSON.parse(row.value) as T;
  } catch {
    return undefined;
  }
}

/** Reads rows of `keys` into `into` (skipping those already there). */
export type RowReader = (keys: string[]) => Promise<StatusRow[]>;

/**
 * Every row a pad's status needs: its items, the changes of its topics, the people its bugs and blueprints name.
 * Returns the rows by key and the full set of keys the status depends on (to know which changes concern it).
 */
export async function readPadRows(items: PadItems, read: RowReader): Promise<{ rows: Map<string, StatusRow>; depends: Set<string> }> {
  const rows = new Map<string, StatusRow>();
  const depends = new Set(items.keys);
  const load = async (wanted: Iterable<string>) => {
    const missing = [...wanted].filter((k) => !rows.has(k));
    if (missing.length === 0) return;
    for (const row of await read(missing)) rows.set(row.key, row);
  };
  await load(items.keys);
  const second = new Set<string>();
  for (const key of items.keys) {
    const [kind] = splitKey(key);
    if (kind === 'topic') {
      const value = parseValue<TopicValue>(rows.get(key));
      if (value && isVisible(value)) for (const n of value.changes) second.add(keys.change(n));
    }
  }
  const people = new Set<string>();
  const addPeople = (...nicks: Array<string | null | undefined>) => {
    for (const nick of nicks) if (nick) people.add(keys.person(nick));
  };
  for (const key of items.keys) {
    const [kind] = splitKey(key);
    if (kind === 'bug') {
      const value = parseValue<BugRecord | NotVisible>(rows.get(key));
      if (value && isVisible(value)) for (const t of value.tasks) addPeople(t.assignee);
    } else if (kind === 'blueprint') {
      const value = parseValue<BlueprintStatus | NotVisible>(rows.get(key));
      if (value && isVisible(value)) addPeople(value.assignee, value.approver);
    }
  }
  for (const k of [...second, ...people]) depends.add(k);
  await load([...second, ...people]);
  return { rows, depends };
}

/** The status of `items` from cached rows, as the contract shapes it; `only` limits it to those keys. */
export function buildStatus(items: PadItems, rows: Map<string, StatusRow>, enabled: boolean, only?: Set<string>): PadStatus {
  const status = emptyStatus(enabled);
  let oldest = Infinity;
  const seen = (row: StatusRow | undefined) => {
    if (row && row.fetchedAt > 0) oldest = Math.min(oldest, row.fetchedAt);
  };
  const displayName = (nick: string) => {
    const person = parseValue<PersonValue>(rows.get(keys.person(nick)));
    return person && isVisible(person) ? person.displayName : undefined;
  };
  const include = (key: string) => only === undefined || only.has(key);
  const addChange = (n: number | string) => {
    const key = keys.change(Number(n));
    const row = rows.get(key);
    const value = parseValue<ChangeStatus | NotVisible>(row);
    if (value === undefined) return;
    status.changes[String(n)] = value;
    seen(row);
  };
  for (const key of items.keys) {
    const [kind, id] = splitKey(key);
    const row = rows.get(key);
    if (kind === 'change') {
      if (include(key)) addChange(id);
    } else if (kind === 'topic') {
      const value = parseValue<TopicValue>(row);
      if (value === undefined) continue;
      const topicChanged = include(key);
      if (topicChanged) {
        status.topics[id] = isVisible(value) ? value.changes.map(String) : value;
        seen(row);
      }
      if (isVisible(value)) for (const n of value.changes) if (topicChanged || include(keys.change(n))) addChange(n);
    } else if (kind === 'bug') {
      const value = parseValue<BugRecord | NotVisible>(row);
      if (value === undefined) continue;
      const touched = include(key) || (isVisible(value) && value.tasks.some((t) => t.assignee && include(keys.person(t.assignee))));
      if (!touched) continue;
      status.bugs[id] = isVisible(value) ? bugStatus(value, items.bugProjects.get(Number(id)) ?? null, displayName) : value;
      seen(row);
    } else if (kind === 'blueprint') {
      const value = parseValue<BlueprintStatus | NotVisible>(row);
      if (value === undefined) continue;
      const touched = include(key) || (isVisible(value) && [value.assignee, value.approver].some((n) => n && include(keys.person(n))));
      if (!touched) continue;
      status.blueprints[id] = isVisible(value)
        ? {
            ...value,
            assignee: value.assignee ? (displayName(value.assignee) ?? value.assignee) : null,
            approver: value.approver ? (displayName(value.approver) ?? value.approver) : null,
          }
        : value;
      seen(row);
    }
  }
  status.fetchedAt = Number.isFinite(oldest) ? oldest : null;
  return status;
}

export const isEmptyStatus = (s: PadStatus) =>
  Object.keys(s.changes).length + Object.keys(s.bugs).length + Object.keys(s.blueprints).length + Object.keys(s.topics).length === 0;
