/**
 * A fake Launchpad web service (devel) for tests and the benchmark, following https://launchpad.net/+apidoc/devel.html:
 * - `GET /devel/bugs/<id>`: the bug entry (`title`, `self_link`, `web_link`, `bug_tasks_collection_link`,
 *   `http_etag`), with an `ETag` header; `If-None-Match` with the current ETag answers 304; private bugs answer 401
 *   to anonymous readers, missing ones 404;
 * - `GET /devel/bugs/<id>/bug_tasks`: a collection (`start`, `total_size`, `entries`, `next_collection_link` past 75
 *   per page), each task with `bug_target_name`, `status`, `importance`, `assignee_link`, `milestone_link` (absolute
 *   links on this server); no ETag;
 * - `GET /devel/<project>?ws.op=getSpecification&name=<name>`: the blueprint entry or `null`, with an ETag;
 * - `GET /devel/~<nick>`: a person (`name`, `display_name`), with an ETag.
 */
import { createHash } from 'node:crypto';
import { FakeHttp, type FakeReply } from './fake-http.js';

export interface FakeTask {
  target: string;
  status: string;
  importance: string;
  assignee?: string;
  milestone?: string;
}

export interface FakeBug {
  id: number;
  title: string;
  tasks: FakeTask[];
  private?: boolean;
}

export interface FakeSpec {
  project: string;
  name: string;
  title: string;
  definition: string;
  implementation: string;
  assignee?: string;
  approver?: string;
  milestone?: string;
}

const PAGE = 75;

export class FakeLaunchpad extends FakeHttp {
  readonly bugs = new Map<number, FakeBug>();
  readonly specs = new Map<string, FakeSpec>();
  readonly people = new Map<string, string>();

  constructor() {
    super((url, req) => this.answer(url, req.headers['if-none-match'] as string | undefined));
  }

  get base(): string {
    return `${this.url}/devel`;
  }

  addBug(...bugs: FakeBug[]): void {
    for (const b of bugs) this.bugs.set(b.id, b);
  }

  addSpec(...specs: FakeSpec[]): void {
    for (const s of specs) this.specs.set(`${s.project}/${s.name}`, s);
  }

  addPerson(nick: string, displayName: string): void {
    this.people.set(nick, displayName);
  }

  /** Requests for this bug (entry and tasks). */
  requestsFor(bug: number): number {
    return this.seen.filter((r) => r.path === `/devel/bugs/${bug}` || r.path.startsWith(`/devel/bugs/${bug}/`)).length;
  }

  private entry(body: unknown, ifNoneMatch: string | undefined): FakeReply {
    const json = JSON.stringify(body);
    const etag = `"${createHash('sha1').update(json).digest('hex')}-gzip"`;
    if (ifNoneMatch === etag) return { status: 304, headers: { ETag: etag } };
    const withEtag = body && typeof body === 'object' ? JSON.stringify({ ...(body as object), http_etag: etag }) : json;
    return { status: 200, body: withEtag, headers: { ETag: etag } };
  }

  private answer(url: URL, ifNoneMatch: string | undefined): FakeReply {
    const base = this.base;
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if ((m = /^\/devel\/bugs\/(\d+)$/.exec(path))) {
      const bug = this.bugs.get(Number(m[1]));
      if (!bug) return { status: 404, body: `Object: <bug>, name: '${m[1]}'`, headers: { 'Content-Type': 'text/plain' } };
      if (bug.private) return { status: 401, body: 'Unauthorized', headers: { 'Content-Type': 'text/plain' } };
      return this.entry(
        {
          self_link: `${base}/bugs/${bug.id}`,
          web_link: `https://bugs.launchpad.net/bugs/${bug.id}`,
          resource_type_link: `${base}/#bug`,
          id: bug.id,
          title: bug.title,
          tags: [],
          bug_tasks_collection_link: `${base}/bugs/${bug.id}/bug_tasks`,
        },
        ifNoneMatch,
      );
    }
    if ((m = /^\/devel\/bugs\/(\d+)\/bug_tasks$/.exec(path))) {
      const bug = this.bugs.get(Number(m[1]));
      if (!bug) return { status: 404, body: 'not found', headers: { 'Content-Type': 'text/plain' } };
      if (bug.private) return { status: 401, body: 'Unauthorized', headers: { 'Content-Type': 'text/plain' } };
      const start = Number(url.searchParams.get('ws.start') ?? 0) || 0;
      const size = Number(url.searchParams.get('ws.size') ?? PAGE) || PAGE;
      const entries = bug.tasks.slice(start, start + size).map((t) => ({
        self_link: `${base}/${t.target}/+bug/${bug.id}`,
        resource_type_link: `${base}/#bug_task`,
        bug_target_name: t.target,
        bug_target_display_name: t.target,
        status: t.status,
        importance: t.importance,
        assignee_link: t.assignee ? `${base}/~${t.assignee}` : null,
        milestone_link: t.milestone ? `${base}/${t.target.split('/')[0]}/+milestone/${t.milestone}` : null,
        bug_link: `${base}/bugs/${bug.id}`,
        title: `Bug #${bug.id} in ${t.target}: "${bug.title}"`,
      }));
      const body: Record<string, unknown> = { start, total_size: bug.tasks.length, entries, resource_type_link: `${base}/#bug_task-page-resource` };
      if (start + size < bug.tasks.length) body.next_collection_link = `${base}/bugs/${bug.id}/bug_tasks?ws.size=${size}&memo=${start + size}&ws.start=${start + size}`;
      return { status: 200, body: JSON.stringify(body) };
    }
    if ((m = /^\/devel\/~([^/]+)$/.exec(path))) {
      const nick = decodeURIComponent(m[1]!);
      const display = this.people.get(nick);
      if (display === undefined) return { status: 404, body: 'not found', headers: { 'Content-Type': 'text/plain' } };
      return this.entry({ self_link: `${base}/~${nick}`, name: nick, display_name: display, resource_type_link: `${base}/#person` }, ifNoneMatch);
    }
    if ((m = /^\/devel\/([^/~]+)$/.exec(path)) && url.searchParams.get('ws.op') === 'getSpecification') {
      const project = decodeURIComponent(m[1]!);
      const spec = this.specs.get(`${project}/${url.searchParams.get('name') ?? ''}`);
      if (!spec) return { status: 200, body: 'null' };
      return this.entry(
        {
          self_link: `${base}/${project}/+spec/${spec.name}`,
          web_link: `https://blueprints.launchpad.net/${project}/+spec/${spec.name}`,
          resource_type_link: `${base}/#specification`,
          name: spec.name,
          title: spec.title,
          summary: `${spec.title} summary`,
          definition_status: spec.definition,
          implementation_status: spec.implementation,
          lifecycle_status: spec.implementation === 'Implemented' ? 'Complete' : 'Started',
          priority: 'Medium',
          is_complete: spec.implementation === 'Implemented',
          assignee_link: spec.assignee ? `${base}/~${spec.assignee}` : null,
          approver_link: spec.approver ? `${base}/~${spec.approver}` : null,
          drafter_link: null,
          milestone_link: spec.milestone ? `${base}/${project}/+milestone/${spec.milestone}` : null,
          whiteboard: null,
        },
        ifNoneMatch,
      );
    }
    return { status: 404, body: 'not found', headers: { 'Content-Type': 'text/plain' } };
  }
}
