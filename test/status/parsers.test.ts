/** Parsers of Gerrit and Launchpad answers, on fixtures written from their API documentation, and the summaries. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import {
  changesPath,
  commitMessage,
  commitReferences,
  gerritTime,
  hasMore,
  parseChange,
  parseGerritJson,
  queryResults,
  topicQuery,
} from '../../server/status/gerrit.js';
import { bugStatus, chooseTask, linkName, parseBug, parseBugTasks, parseJson, parsePerson, parseSpecification } from '../../server/status/launchpad.js';
import { cleanText, MalformedResponse } from '../../server/status/text.js';
import { changeFacts, NOT_VISIBLE, summarizeBlueprint, summarizeBug, summarizeChange, type ChangeStatus } from '../../shared/status.js';
import { itemsOfDoc } from '../../server/status/items.js';
import { createEntry, entriesOf } from '../../shared/schema.js';
import { HostClient, ForeignUrl, retryAfterMs } from '../../server/status/host-client.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../fixtures', name), 'utf8');

describe('Gerrit', () => {
  it('strips the )]}\' line and refuses a body without it, or that is not JSON', () => {
    expect(parseGerritJson(")]}'\n[]")).toEqual([]);
    expect(() => parseGerritJson('[]')).toThrow(MalformedResponse);
    expect(() => parseGerritJson(")]}'\n[{")).toThrow(MalformedResponse);
  });

  it('reads a ChangeInfo with detailed labels, accounts and the current revision', () => {
    const [list] = queryResults(parseGerritJson(fixture('gerrit/query-detailed.txt')), 1);
    expect(list).toHaveLength(2);
    expect(hasMore(list!)).toBe(true);
    const change = parseChange(list![0])!;
    expect(change).toMatchObject({
      number: 930011,
      status: 'NEW',
      subject: 'Support live migration of instances with vTPM',
      owner: 'Jane Doe',
      updated: '2025-01-21T11:16:36.775Z',
      patchset: 7,
      mergeable: 'unknown',
      wip: false,
      project: 'openstack/nova',
      topic: 'bp/sample-vtpm-live-migration',
    });
    expect(change.labels['Code-Review']).toEqual({
      max: 2,
      min: 0,
      votes: [
        { value: 2, name: 'Core One' },
        { value: 1, name: 'Reviewer Two' },
      ],
    });
    expect(change.labels.Verified).toEqual({ max: 1, min: 0, votes: [{ value: 1, name: 'Zuul' }] });
    expect(change.labels.Workflow).toEqual({ max: 0, min: 0, votes: [] });
    expect(summarizeChange(change)).toBe('+2 \u00d71, CI ok');
    const merged = parseChange(list![1])!;
    expect(merged).toMatchObject({ number: 930012, status: 'MERGED', mergeable: false, patchset: null });
    expect(summarizeChange(merged)).toBe('merged');
  });

  it('reads several queries as an array of arrays, in order', () => {
    const lists = queryResults(parseGerritJson(fixture('gerrit/query-multi.txt')), 3);
    expect(lists.map((l) => l.length)).toEqual([1, 0, 0]);
    const change = parseChange(lists[0]![0])!;
    expect(change).toMatchObject({ number: 1756, status: 'ABANDONED', wip: true, updated: '2012-07-17T07:19:27.766Z' });
    expect(change.labels).toEqual({ 'Code-Review': { max: 0, min: 0, votes: [] }, Verified: { max: 0, min: 0, votes: [] } });
    expect(() => queryResults(parseGerritJson(fixture('gerrit/query-multi.txt')), 2)).toThrow(MalformedResponse);
  });

  it('falls back to the LABELS summary (one account per kind of vote) without DETAILED_LABELS', () => {
    const [list] = queryResults(parseGerritJson(fixture('gerrit/labels-summary.txt')), 1);
    const change = parseChange(list![0])! as ChangeStatus;
    expect(change.labels['Code-Review']).toEqual({ max: 1, min: -2, votes: [{ value: 1, name: 'Reviewer Three' }, { value: -2, name: 'Core Two' }] });
    expect(change.labels.Verified!.min).toBe(-1);
    expect(summarizeChange(change)).toBe('WIP, \u22122, CI failing');
  });

  it('refuses what is not a ChangeInfo and cleans untrusted text', () => {
    expect(parseChange({ _number: 'x', status: 'NEW' })).toBeNull();
    expect(parseChange({ _number: 5, status: 'DRAFT' })).toBeNull();
    expect(parseChange(null)).toBeNull();
    const change = parseChange({ _number: 5, status: 'NEW', subject: 'a\u0000b\u202e<b>'.repeat(200), owner: { _account_id: 7 }, updated: 'yesterday' })!;
    expect(change.subject.length).toBeLessThanOrEqual(300);
    // eslint-disable-next-line no-control-regex -- the test is that no NUL is left
    expect(change.subject).not.toMatch(/[\u0000\u202e]/);
    expect(change.owner).toBe('#7');
    expect(change.updated).toBe('');
    expect(gerritTime('2025-01-31 12:00:00.000000000')).toBe('2025-01-31T12:00:00.000Z');
  });

  it('reads the footers of a commit message (o=CURRENT_COMMIT)', () => {
    const [list] = queryResults(parseGerritJson(fixture('gerrit/query-detailed.txt')), 1);
    expect(commitReferences(commitMessage(list![0]))).toEqual({ bugs: [2081234, 2070257], blueprints: ['sample-vtpm-live-migration'] });
    expect(commitReferences('x\n\nPartial-Bug: #1\nPartially-Implements: bp foo-bar\n')).toEqual({ bugs: [1], blueprints: ['foo-bar'] });
    expect(commitReferences('Closes-Bug: https://evil.example/1\nImplements: blueprint ../../x')).toEqual({ bugs: [], blueprints: [] });
  });

  it('builds requests with several q, n, S and the options; refuses regular-expression topics', () => {
    const p = changesPath(['change:1 OR change:2', 'topic:"bp/x"'], ['LABELS', 'CURRENT_REVISION'], 50, 100);
    const u = new URL(p, 'http://x');
    expect(u.pathname).toBe('/changes/');
    expect(u.searchParams.getAll('q')).toEqual(['change:1 OR change:2', 'topic:"bp/x"']);
    expect(u.searchParams.get('n')).toBe('50');
    expect(u.searchParams.get('S')).toBe('100');
    expect(u.searchParams.getAll('o')).toEqual(['LABELS', 'CURRENT_REVISION']);
    expect(topicQuery('bp/x')).toBe('topic:"bp/x"');
    expect(topicQuery('^.*')).toBeNull();
    expect(topicQuery('a"b')).toBeNull();
  });
});

describe('Launchpad', () => {
  it('reads a bug, its tasks (per project), a specification and a person', () => {
    const bug = parseBug(parseJson(fixture('launchpad/bug.json')));
    expect(bug.title).toBe('Live migration fails with vTPM <script>alert(1)</script>');
    const { tasks, next } = parseBugTasks(parseJson(fixture('launchpad/bug_tasks.json')));
    expect(next).toBeNull();
    expect(tasks).toEqual([
      { target: 'nova', status: 'In Progress', importance: 'High', assignee: 'jdoe', milestone: '2025.1-epoxy-2' },
      { target: 'nova/2024.2', status: 'Triaged', importance: 'Medium', assignee: null, milestone: null },
    ]);
    const record = { ...bug, tasks };
    expect(chooseTask(record, 'nova')!.target).toBe('nova');
    expect(chooseTask(record, null)!.target).toBe('nova');
    expect(bugStatus(record, 'nova', (n) => (n === 'jdoe' ? 'Jane Doe' : undefined))).toEqual({
      title: bug.title,
      status: 'In Progress',
      importance: 'High',
      assignee: 'Jane Doe',
      milestone: '2025.1-epoxy-2',
      project: 'nova',
    });
    expect(summarizeBug(bugStatus(record, 'nova', () => undefined))).toBe('In Progress, High');
    const spec = parseSpecification(parseJson(fixture('launchpad/specification.json')))!;
    expect(spec).toEqual({
      title: 'Live migration of instances with vTPM',
      definition: 'Approved',
      implementation: 'Needs Code Review',
      assignee: 'jdoe',
      approver: 'ptl',
      milestone: '2025.1',
    });
    expect(summarizeBlueprint(spec)).toBe('Approved / Needs Code Review, 2025.1');
    expect(parseSpecification(null)).toBeNull();
    expect(parsePerson(parseJson(fixture('launchpad/person.json')))).toEqual({ name: 'jdoe', displayName: 'Jane Doe' });
  });

  it('refuses malformed bodies', () => {
    expect(() => parseJson('{"title":')).toThrow(MalformedResponse);
    expect(() => parseBug({ id: 1 })).toThrow(MalformedResponse);
    expect(() => parseBugTasks({ entries: 'x' })).toThrow(MalformedResponse);
    expect(() => parseSpecification({ title: 'x' })).toThrow(MalformedResponse);
    expect(linkName('javascript:alert(1)')).toBe('alert(1)');
    expect(linkName(42)).toBeNull();
    expect(cleanText('a\tb\u0007c')).toBe('a bc');
  });
});

describe('summaries and facts', () => {
  const base: ChangeStatus = {
    status: 'NEW', subject: 's', owner: 'o', updated: '2025-01-01T00:00:00.000Z', patchset: 1, labels: {}, mergeable: 'unknown', wip: false, project: 'p', branch: 'master', topic: null,
  };
  const cr = (...values: number[]) => ({ max: Math.max(0, ...values), min: Math.min(0, ...values), votes: values.map((value, i) => ({ value, name: `r${i}` })) });
  it.each([
    [{}, 'no reviews'],
    [{ status: 'MERGED' as const }, 'merged'],
    [{ status: 'ABANDONED' as const }, 'abandoned'],
    [{ labels: { 'Code-Review': cr(2), Verified: cr(1) } }, '+2 \u00d71, CI ok'],
    [{ labels: { 'Code-Review': cr(2, 2), Workflow: cr(1) } }, '+2 \u00d72, W+1'],
    [{ labels: { 'Code-Review': cr(2, -1) } }, '\u22121'],
    [{ labels: { Verified: cr(-1) } }, 'CI failing'],
    [{ wip: true }, 'WIP'],
    [{ labels: { Workflow: cr(-1) } }, 'WIP'],
    [{ mergeable: false }, 'merge conflict'],
    [{ labels: { 'Code-Review': cr(1, 1) } }, '+1 \u00d72'],
  ])('%j → %s', (fields, summary) => {
    expect(summarizeChange({ ...base, ...fields })).toBe(summary);
  });
  it('not visible, unknown; facts for the filters', () => {
    expect(summarizeChange(NOT_VISIBLE)).toBe('not visible');
    expect(summarizeChange(undefined)).toBe('unknown');
    expect(changeFacts({ ...base, labels: { 'Code-Review': cr(2) } }, Date.parse('2025-01-11T00:00:00Z'))).toMatchObject({
      needsSecondApproval: true,
      needsFirstReview: false,
      ageDays: 10,
    });
    expect(changeFacts(base).needsFirstReview).toBe(true);
    expect(changeFacts({ ...base, mergeable: 'unknown' }).conflict).toBe(false);
  });
});

describe('items of a document: only recognised links, as numbers and names', () => {
  it('keys changes, topics, bugs (with the project the link names) and blueprints; ignores other hosts and junk', () => {
    const doc = new Y.Doc();
    entriesOf(doc).push([
      createEntry({ addedBy: 't', launchpad: 'https://bugs.launchpad.net/nova/+bug/2081234', reviews: ['https://review.opendev.org/c/openstack/nova/+/930011/3', 'topic:"bp/foo"'] }),
      createEntry({ addedBy: 't', launchpad: 'https://blueprints.launchpad.net/nova/+spec/sample-vtpm', reviews: ['https://review.example.com/c/x/+/1', 'http://127.0.0.1:9/c/openstack/nova/+/2', 'topic:^.*'] }),
      createEntry({ addedBy: 't', launchpad: 'https://launchpad.net/bugs/2081234', reviews: ['https://review.openstack.org/#/c/600123/'] }),
    ]);
    const items = itemsOfDoc(doc);
    expect([...items.keys].sort()).toEqual(['blueprint:nova/sample-vtpm', 'bug:2081234', 'change:600123', 'change:930011', 'topic:bp/foo']);
    expect(items.bugProjects.get(2081234)).toBe('nova');
  });
});

describe('host client: only the configured base', () => {
  const client = new HostClient({ base: 'https://api.launchpad.net/devel', userAgent: 'x', concurrency: 1, timeoutMs: 1000, retries: 0, backoffMs: 1, maxWaitMs: 1 });
  it('builds URLs under the base and refuses anything else', () => {
    expect(client.urlOf('/bugs/1').href).toBe('https://api.launchpad.net/devel/bugs/1');
    expect(() => client.urlOf('//evil.example/x')).toThrow(ForeignUrl);
    expect(() => client.urlOf('/../x')).toThrow(ForeignUrl);
    expect(() => client.urlOf('http://evil.example/')).toThrow(ForeignUrl);
    expect(client.pathOfLink('https://api.launchpad.net/devel/bugs/1/bug_tasks?ws.start=75')).toBe('/bugs/1/bug_tasks?ws.start=75');
    expect(client.pathOfLink('https://evil.example/devel/bugs/1')).toBeNull();
    expect(client.pathOfLink('https://api.launchpad.net/1.0/bugs/1')).toBeNull();
  });
  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });
});
