/**
 * Launchpad's web service (https://launchpad.net/+apidoc/devel.html), read anonymously:
 * - a bug: `GET <api>/bugs/<id>` (an entry: `title`, `http_etag`, `bug_tasks_collection_link`); single entries carry
 *   an ETag, so `If-None-Match` answers 304;
 * - its tasks: `GET <api>/bugs/<id>/bug_tasks` (a collection: `entries`, `total_size`, `next_collection_link`, 75 per
 *   page; no ETag): per target (`bug_target_name`) a `status`, `importance`, `assignee_link`, `milestone_link`;
 * - a blueprint: `GET <api>/<project>?ws.op=getSpecification&name=<name>` (devel only): `title`,
 *   `definition_status`, `implementation_status`, `assignee_link`, `approver_link`, `milestone_link`; `null` when the
 *   project has no such blueprint;
 * - people and milestones come as links (`<api>/~nick`, `<api>/<project>/+milestone/<name>`): the name is in the
 *   link; a person's `display_name` costs a GET, cached for a day.
 * Private objects answer 401 to anonymous readers, missing ones 404: both "not visible".
 */
import type { BlueprintStatus, BugStatus } from '../../shared/status.js';
import { cleanText, isObject, MalformedResponse, optionalText } from './text.js';

/** A bug task, as cached (names not yet resolved). */
export interface BugTask {
  target: string;
  status: string;
  importance: string;
  /** The assignee's nick (from `assignee_link`), or null. */
  assignee: string | null;
  milestone: string | null;
}

/** What is cached for a bug: every task, so a pad links the bug under any of its projects. */
export interface BugRecord {
  title: string;
  tasks: BugTask[];
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedResponse('Launchpad body is not JSON');
  }
}

/** The last path segment of a Launchpad link (`…/~nick` → `nick`, `…/+milestone/2025.1` → `2025.1`), or null. */
export function linkName(link: unknown): string | null {
  if (typeof link !== 'string' || link.length > 500) return null;
  let path: string;
  try {
    path = new URL(link).pathname;
  } catch {
    return null;
  }
  const last = path.split('/').filter(Boolean).pop();
  if (!last) return null;
  let name: string;
  try {
    name = decodeURIComponent(last);
  } catch {
    return null;
  }
  return optionalText(name.startsWith('~') ? name.slice(1) : name, 100);
}

export function parseBug(body: unknown): { title: string } {
  if (!isObject(body) || typeof body.title !== 'string') throw new MalformedResponse('not a Launchpad bug');
  return { title: cleanText(body.title, 300) };
}

export function parseBugTasks(body: unknown): { tasks: BugTask[]; next: string | null } {
  if (!isObject(body) || !Array.isArray(body.entries)) throw new MalformedResponse('not a Launchpad collection');
  const tasks: BugTask[] = [];
  for (const e of body.entries) {
    if (!isObject(e)) continue;
    tasks.push({
      target: cleanText(e.bug_target_name, 200),
      status: cleanText(e.status, 50),
      importance: cleanText(e.importance, 50),
      assignee: linkName(e.assignee_link),
      milestone: linkName(e.milestone_link),
    });
  }
  return { tasks, next: typeof body.next_collection_link === 'string' ? body.next_collection_link : null };
}

/** The spec, or null when Launchpad answered `null` (no such blueprint). */
export function parseSpecification(body: unknown): Omit<BlueprintStatus, 'assignee' | 'approver'> & { assignee: string | null; approver: string | null } | null {
  if (body === null) return null;
  if (!isObject(body) || typeof body.name !== 'string') throw new MalformedResponse('not a Launchpad specification');
  return {
    title: cleanText(body.title, 300),
    definition: cleanText(body.definition_status, 50),
    implementation: cleanText(body.implementation_status, 50),
    assignee: linkName(body.assignee_link),
    approver: linkName(body.approver_link),
    milestone: linkName(body.milestone_link),
  };
}

export function parsePerson(body: unknown): { name: string; displayName: string } {
  if (!isObject(body) || typeof body.name !== 'string') throw new MalformedResponse('not a Launchpad person');
  return { name: cleanText(body.name, 100), displayName: cleanText(body.display_name, 100) || cleanText(body.name, 100) };
}

/**
 * The task a pad shows for a bug: the one whose target is the link's project (`nova`), else the first whose target
 * starts with it (`nova/2024.2`), else the first task.
 */
export function chooseTask(record: BugRecord, project: string | null): BugTask | null {
  if (project) {
    const exact = record.tasks.find((t) => t.target === project);
    if (exact) return exact;
    const series = record.tasks.find((t) => t.target.startsWith(`${project}/`));
    if (series) return series;
  }
  return record.tasks[0] ?? null;
}

/** A bug as the pad shows it; `people` gives display names of nicks. */
export function bugStatus(record: BugRecord, project: string | null, people: (nick: string) => string | undefined): BugStatus {
  const task = chooseTask(record, project);
  return {
    title: record.title,
    status: task?.status ?? '',
    importance: task?.importance ?? '',
    assignee: task?.assignee ? (people(task.assignee) ?? task.assignee) : null,
    milestone: task?.milestone ?? null,
    project: task?.target || null,
  };
}

export const bugPath = (bug: number) => `/bugs/${bug}`;
export const bugTasksPath = (bug: number) => `/bugs/${bug}/bug_tasks`;
export const personPath = (nick: string) => `/~${encodeURIComponent(nick)}`;
export function specificationPath(project: string, name: string): string {
  const params = new URLSearchParams({ 'ws.op': 'getSpecification', name });
  return `/${encodeURIComponent(project)}?${params.toString()}`;
}

/** Launchpad names: projects and blueprints (`[a-z0-9][a-z0-9+.-]*`), nicks likewise. */
export const isLaunchpadName = (name: string) => /^[A-Za-z0-9][A-Za-z0-9+._-]{0,99}$/.test(name);
