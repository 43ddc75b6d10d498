/**
 * Live review status against local fake Gerrit and Launchpad servers (test/helpers/fake-*.ts): the shared cache (one
 * fetch per item across pads), status.json through the edit and the mirror reference, live notices to editors and
 * viewers, only the configured hosts, nothing fetched when off, backoff (429 + Retry-After, 5xx, timeouts, malformed
 * bodies), ETag/304, topic paging, not-visible items, and "Add from Gerrit".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import type { PadStatus, StatusNotice } from '../../shared/status.js';
import { createPad, removeDir, startTestServer } from '../helpers/server.js';
import { connect, connectSynced, serverNotices } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { FakeGerrit, fakeAccount, fakeChange } from '../helpers/fake-gerrit.js';
import { FakeLaunchpad } from '../helpers/fake-launchpad.js';
import type { StatusConfig } from '../../server/status/service.js';
import { HostClient } from '../../server/status/host-client.js';
import { StatusFetcher } from '../../server/status/fetcher.js';
import type { StatusRow } from '../../server/storage/storage.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

const gerrit = new FakeGerrit();
const launchpad = new FakeLaunchpad();
/** Another host, whose address pads may write: it must never be asked anything. */
const elsewhere = new FakeGerrit();
let server: Server;

const core = fakeAccount('core1', 'Core One');
const zuul = fakeAccount('zuul', 'Zuul');

function statusConfig(extra: Partial<StatusConfig> = {}): StatusConfig {
  return { pollSeconds: 300, gerritUrl: gerrit.url, launchpadUrl: launchpad.base, tickMs: 100, retries: 2, backoffMs: 50, timeoutMs: 1000, ...extra };
}

beforeAll(async () => {
  await Promise.all([gerrit.start(), launchpad.start(), elsewhere.start()]);
  elsewhere.add(fakeChange(5));
  gerrit.add(
    fakeChange(930011, { subject: 'Support vTPM live migration', topic: 'bp/vtpm', votes: { 'Code-Review': [{ account: core, value: 2 }], Verified: [{ account: zuul, value: 1 }] } }),
    fakeChange(930012, { subject: 'Fix a race', status: 'MERGED', updated: '2025-01-10 07:18:30.885000000' }),
    fakeChange(930013, { subject: 'Private work', private: true }),
    fakeChange(930014, { subject: 'vTPM docs', topic: 'bp/vtpm', updated: '2025-01-16 10:00:00.000000000', mergeable: false }),
  );
  launchpad.addBug(
    { id: 2081234, title: 'Live migration fails with vTPM', tasks: [{ target: 'nova', status: 'In Progress', importance: 'High', assignee: 'jdoe', milestone: '2025.1-epoxy-2' }, { target: 'cinder', status: 'New', importance: 'Undecided' }] },
    { id: 2000001, title: 'Security issue', tasks: [], private: true },
  );
  launchpad.addSpec({ project: 'nova', name: 'vtpm', title: 'vTPM live migration', definition: 'Approved', implementation: 'Started', assignee: 'jdoe', approver: 'ptl', milestone: '2025.1' });
  launchpad.addPerson('jdoe', 'Jane Doe');
  launchpad.addPerson('ptl', 'The PTL');
  server = await startTestServer(undefined, { status: statusConfig() });
});

afterAll(async () => {
  await server?.close();
  if (server) removeDir(server.dataDir);
  await Promise.all([gerrit.stop(), launchpad.stop(), elsewhere.stop()]);
});

/** A pad whose proposed section holds these entries (written by a contributor's client, which stays connected). */
async function padWith(url: string, name: string, entries: Array<{ launchpad?: string; reviews?: string[] }>) {
  const pad = await createPad(url, name);
  const writer = await connectSynced(url, pad.padId, 'proposed');
  writer.doc.transact(() => entriesOf(writer.doc).push(entries.map((e) => createEntry({ addedBy: 'test', title: 'x', ...e }))));
  return { ...pad, writer };
}

async function statusJson(url: string, ref: string): Promise<PadStatus> {
  const res = await fetch(`${url}/api/pads/${ref}/status.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as PadStatus;
}

const REVIEW = (n: number) => `https://review.opendev.org/c/openstack/nova/+/${n}`;

describe('the status cache', () => {
  it('fetches an item linked by several pads once, and status.json is the same through the edit and the mirror link', async () => {
    gerrit.reset();
    launchpad.reset();
    const links = [
      { launchpad: 'https://bugs.launchpad.net/nova/+bug/2081234', reviews: [REVIEW(930011), REVIEW(930012), REVIEW(930013), 'topic:"bp/vtpm"'] },
      { launchpad: 'https://blueprints.launchpad.net/nova/+spec/vtpm', reviews: [] },
      { launchpad: 'https://bugs.launchpad.net/bugs/2000001', reviews: [] },
    ];
    const pads = await Promise.all(['status-a', 'status-b', 'status-c'].map((name) => padWith(server.url, name, links)));
    const a = pads[0]!;
    const status = await waitFor(
      async () => {
        const s = await statusJson(server.url, a.padId);
        return Object.keys(s.changes).length === 4 && s.bugs['2081234'] && s.blueprints['nova/vtpm'] && s.topics['bp/vtpm'] && s.bugs['2000001'] ? s : null;
      },
      10_000,
      'every item fetched',
    );
    expect(status.enabled).toBe(true);
    expect(status.fetchedAt).toBeGreaterThan(0);
    expect(status.changes['930011']).toMatchObject({ status: 'NEW', subject: 'Support vTPM live migration', owner: expect.any(String), patchset: 3, mergeable: 'unknown', labels: { 'Code-Review': { max: 2, min: 0, votes: [{ value: 2, name: 'Core One' }] } } });
    expect(status.changes['930012']).toMatchObject({ status: 'MERGED' });
    expect(status.changes['930013']).toEqual({ visible: false });
    expect(status.changes['930014']).toMatchObject({ mergeable: false, topic: 'bp/vtpm' });
    expect(status.topics['bp/vtpm']).toEqual(['930014', '930011']);
    expect(status.bugs['2081234']).toEqual({ title: 'Live migration fails with vTPM', status: 'In Progress', importance: 'High', assignee: 'Jane Doe', milestone: '2025.1-epoxy-2', project: 'nova' });
    expect(status.bugs['2000001']).toEqual({ visible: false });
    expect(status.blueprints['nova/vtpm']).toEqual({ title: 'vTPM live migration', definition: 'Approved', implementation: 'Started', assignee: 'Jane Doe', approver: 'The PTL', milestone: '2025.1' });

    // three pads, each item fetched once: changes in batched queries, the topic's changes with the topic
    await sleep(500);
    for (const n of [930011, 930012, 930013]) expect(gerrit.requestsFor(n), `change ${n}`).toBeLessThanOrEqual(1);
    expect(gerrit.requests).toBeLessThanOrEqual(2);
    expect(launchpad.requestsFor(2081234)).toBe(2); // the bug and its tasks
    expect(launchpad.requestsFor(2000001)).toBe(1); // 401: not visible, no tasks asked
    expect(launchpad.seen.filter((r) => r.path === '/devel/~jdoe')).toHaveLength(1);
    for (const r of [...gerrit.seen, ...launchpad.seen]) expect(r.userAgent).toMatch(/^cyclepad\//);
    const q = new URL(gerrit.seen[0]!.path, 'http://x').searchParams;
    expect(q.getAll('o')).toEqual(expect.arrayContaining(['LABELS', 'DETAILED_ACCOUNTS', 'CURRENT_REVISION']));

    // the mirror reference answers the same, and names nothing of the pad
    const mirrorRef = new URL(a.readOnlyUrl).pathname.split('/').pop()!;
    const viaMirror = await statusJson(server.url, mirrorRef);
    expect(viaMirror).toEqual(await statusJson(server.url, a.padId));
    expect(JSON.stringify(viaMirror)).not.toContain('status-a');
    for (const p of pads) p.writer.provider.destroy();
  });

  it('status never enters the documents people write', async () => {
    const { padId, writer } = await padWith(server.url, 'status-clean', [{ reviews: [REVIEW(930011)] }]);
    await waitFor(async () => (await statusJson(server.url, padId)).changes['930011'], 10_000, 'status');
    const entries = sectionToJSON(writer.doc);
    expect(entries).toHaveLength(1);
    expect(Object.keys(entries[0]!).sort()).toEqual(['addedAt', 'addedBy', 'id', 'kind', 'launchpad', 'note', 'owner', 'promotedFrom', 'promotedTo', 'rank', 'reviews', 'status', 'title']);
    expect(JSON.stringify(writer.doc.toJSON())).not.toContain('Support vTPM');
    writer.provider.destroy();
  });

  it('never asks a host that is not configured: a document link to another host is not fetched', async () => {
    elsewhere.reset();
    const { padId, writer } = await padWith(server.url, 'status-ssrf', [
      { launchpad: `${elsewhere.url}/bugs/1`, reviews: [`${elsewhere.url}/c/openstack/nova/+/5`, `${elsewhere.url}/changes/?q=change:5`, 'https://review.example.com/c/x/+/5', 'https://evil.example/5'] },
    ]);
    await sleep(800);
    const status = await statusJson(server.url, padId);
    expect(status.changes).toEqual({});
    expect(elsewhere.requests).toBe(0);
    writer.provider.destroy();
  });

  it('delivers status live to editors and viewers: on connect, then what changes', async () => {
    const pad = await createPad(server.url, 'status-live');
    const mirrorRef = new URL(pad.readOnlyUrl).pathname.split('/').pop()!;
    const editor = connect(server.url, pad.padId, 'proposed');
    const editorNotices = serverNotices(editor.provider);
    const viewer = connect(server.url, mirrorRef, 'proposed');
    const viewerNotices = serverNotices(viewer.provider);
    await waitFor(() => editor.provider.synced && viewer.provider.synced, 5000, 'synced');
    gerrit.add(fakeChange(940001, { subject: 'Live one' }));
    entriesOf(editor.doc).push([createEntry({ addedBy: 't', title: 'live', reviews: [REVIEW(940001)] })]);
    const statusOf = (notices: unknown[]) => (notices as StatusNotice[]).filter((n) => n.type === 'status');
    const first = await waitFor(() => statusOf(viewerNotices).find((n) => n.status.changes['940001']), 10_000, 'viewer notice');
    expect(first.status.changes['940001']).toMatchObject({ status: 'NEW', subject: 'Live one' });
    await waitFor(() => statusOf(editorNotices).find((n) => n.status.changes['940001']), 5000, 'editor notice');

    // Gerrit says it merged: the next poll tells everyone, with only what changed
    gerrit.add(fakeChange(940001, { subject: 'Live one', status: 'MERGED' }));
    await server.status.pollKeys(['change:940001']);
    const merged = await waitFor(() => statusOf(viewerNotices).find((n) => (n.status.changes['940001'] as { status?: string } | undefined)?.status === 'MERGED'), 5000, 'merged notice');
    expect(Object.keys(merged.status.changes)).toEqual(['940001']);
    await waitFor(() => statusOf(editorNotices).some((n) => (n.status.changes['940001'] as { status?: string } | undefined)?.status === 'MERGED'), 5000, 'editor merged');

    // a socket opening later gets the section's status at once
    const late = connect(server.url, mirrorRef, 'proposed');
    const lateNotices = serverNotices(late.provider);
    await waitFor(() => statusOf(lateNotices).find((n) => n.status.changes['940001']), 5000, 'status on connect');
    for (const c of [editor, viewer, late]) c.provider.destroy();
  });
});

describe('fetching, host by host', () => {
  const clients = (extra: { timeoutMs?: number } = {}) => {
    const options = { userAgent: 'cyclepad/test', concurrency: 2, timeoutMs: extra.timeoutMs ?? 1000, retries: 2, backoffMs: 50, maxWaitMs: 5000 };
    return new StatusFetcher(
      new HostClient({ base: gerrit.url, ...options }),
      new HostClient({ base: launchpad.base, ...options }),
      { intervalMs: 60_000, maxBackoffMs: 3600_000, personTtlMs: 86_400_000 },
      { warn: () => undefined },
    );
  };
  const byKey = (rows: StatusRow[]) => new Map(rows.map((r) => [r.key, r]));

  it('waits as a 429 Retry-After says, then succeeds', async () => {
    gerrit.reset();
    gerrit.fail({ kind: 'status', status: 429, retryAfter: '1' });
    const rows = byKey(await clients().poll(['change:930011'], new Map(), Date.now()));
    expect(JSON.parse(rows.get('change:930011')!.value!)).toMatchObject({ status: 'NEW' });
    expect(gerrit.seen.map((r) => r.status)).toEqual([429, 200]);
    expect(gerrit.seen[1]!.at - gerrit.seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('retries 5xx and timeouts with backoff; gives up for now after the retries, keeping the old value', async () => {
    gerrit.reset();
    gerrit.fail({ kind: 'status', status: 502 });
    gerrit.fail({ kind: 'hang' });
    const ok = byKey(await clients({ timeoutMs: 300 }).poll(['change:930012'], new Map(), Date.now()));
    expect(JSON.parse(ok.get('change:930012')!.value!)).toMatchObject({ status: 'MERGED' });
    expect(gerrit.seen.map((r) => r.status)).toEqual([502, 0, 200]);

    gerrit.reset();
    gerrit.fail({ kind: 'status', status: 503 }, 3);
    const now = Date.now();
    const previous: StatusRow = { key: 'change:930012', value: '{"status":"NEW"}', etag: null, fetchedAt: 1, nextCheckAt: 0, failures: 1 };
    const failed = byKey(await clients().poll(['change:930012'], new Map([[previous.key, previous]]), now)).get('change:930012')!;
    expect(gerrit.requests).toBe(3);
    expect(failed).toMatchObject({ value: '{"status":"NEW"}', failures: 2, fetchedAt: 1 });
    expect(failed.nextCheckAt).toBe(now + 120_000); // the interval, doubled per failure
  });

  it('a malformed body fails the item (no retry storm), a body without the XSSI line too', async () => {
    gerrit.reset();
    gerrit.fail({ kind: 'malformed' });
    const rows = byKey(await clients().poll(['change:930011', 'change:930014'], new Map(), Date.now()));
    expect(rows.get('change:930011')).toMatchObject({ value: null, failures: 1 });
    expect(gerrit.requests).toBe(1);
    launchpad.reset();
    launchpad.fail({ kind: 'malformed' });
    const bug = byKey(await clients().poll(['bug:2081234'], new Map(), Date.now())).get('bug:2081234')!;
    expect(bug).toMatchObject({ value: null, failures: 1 });
  });

  it('asks Launchpad conditionally: a known bug answers 304 and keeps its value; tasks are asked every time', async () => {
    launchpad.reset();
    const fetcher = clients();
    const first = byKey(await fetcher.poll(['bug:2081234', 'blueprint:nova/vtpm'], new Map(), Date.now()));
    expect(first.get('bug:2081234')!.etag).toMatch(/^"/);
    launchpad.reset();
    const second = byKey(await fetcher.poll(['bug:2081234', 'blueprint:nova/vtpm'], first, Date.now()));
    const entry = launchpad.seen.find((r) => r.path === '/devel/bugs/2081234')!;
    expect(entry.ifNoneMatch).toBe(first.get('bug:2081234')!.etag);
    expect(entry.status).toBe(304);
    expect(launchpad.seen.find((r) => r.path.startsWith('/devel/nova?'))!.status).toBe(304);
    expect(second.get('bug:2081234')!.value).toBe(first.get('bug:2081234')!.value);
    expect(second.get('blueprint:nova/vtpm')!.value).toBe(first.get('blueprint:nova/vtpm')!.value);
  });

  it('pages a topic with n, S and _more_changes, several topics per request', async () => {
    gerrit.reset();
    for (let i = 0; i < 250; i++) gerrit.add(fakeChange(950000 + i, { topic: 'bp/big', updated: `2025-02-01 10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000000000` }));
    const rows = byKey(await clients().poll(['topic:bp/big', 'topic:bp/vtpm', 'topic:nothing-here'], new Map(), Date.now()));
    const big = JSON.parse(rows.get('topic:bp/big')!.value!) as { changes: number[] };
    expect(big.changes).toHaveLength(250);
    expect(new Set(big.changes).size).toBe(250);
    expect(JSON.parse(rows.get('topic:nothing-here')!.value!)).toEqual({ changes: [] });
    expect(rows.get('change:950000')).toBeDefined();
    // one request for the three topics, then bp/big's pages 2 and 3
    expect(gerrit.requests).toBe(3);
    expect(gerrit.seen.slice(1).map((r) => new URL(r.path, 'http://x').searchParams.get('S'))).toEqual(['100', '200']);
    for (let i = 0; i < 250; i++) gerrit.changes.delete(950000 + i);
  });

  it('re-checks items that are not visible at a slower rate', async () => {
    const now = Date.now();
    const rows = byKey(await clients().poll(['change:930013', 'bug:2000001', 'bug:999', 'blueprint:nova/nope'], new Map(), now));
    for (const key of ['change:930013', 'bug:2000001', 'bug:999', 'blueprint:nova/nope']) {
      expect(JSON.parse(rows.get(key)!.value!), key).toEqual({ visible: false });
      expect(rows.get(key)!.nextCheckAt).toBe(now + 4 * 60_000);
    }
  });
});

describe('when polling is off (STATUS_POLL_SECONDS=0)', () => {
  it('fetches nothing and says so', async () => {
    gerrit.reset();
    launchpad.reset();
    const off = await startTestServer(undefined, { status: statusConfig({ pollSeconds: 0 }) });
    try {
      const { padId, writer } = await padWith(off.url, 'status-off', [{ launchpad: 'https://bugs.launchpad.net/nova/+bug/2081234', reviews: [REVIEW(930011)] }]);
      await sleep(600);
      const status = await statusJson(off.url, padId);
      expect(status).toEqual({ changes: {}, bugs: {}, blueprints: {}, topics: {}, fetchedAt: null, enabled: false });
      expect(gerrit.requests + launchpad.requests).toBe(0);
      const res = await fetch(`${off.url}/api/pads/${padId}/import-gerrit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'status:open' }) });
      expect(res.status).toBe(503);
      writer.provider.destroy();
    } finally {
      await off.close();
      removeDir(off.dataDir);
    }
  });
});

describe('Add from Gerrit', () => {
  it('makes one proposed entry per change, grouped by bug, blueprint or topic, skipping what the pad has', async () => {
    const dev = fakeAccount('dev-a', 'Dev A');
    const prio = (value: number) => ({ 'Review-Priority': [{ account: core, value }] });
    gerrit.add(
      fakeChange(960001, { project: 'openstack/nova', subject: 'Fix bug part 1', owner: dev, votes: prio(1), message: 'Fix bug part 1\n\nCloses-Bug: #2081234\nChange-Id: I1\n' }),
      fakeChange(960002, { project: 'openstack/nova', subject: 'Fix bug part 2', owner: dev, votes: prio(2), message: 'Fix bug part 2\n\nPartial-Bug: 2081234\n' }),
      fakeChange(960003, { project: 'openstack/nova', subject: 'Blueprint work', owner: dev, votes: prio(1), message: 'Blueprint work\n\nImplements: blueprint vtpm\n' }),
      fakeChange(960004, { project: 'openstack/nova', subject: 'Topic work 1', topic: 'refactor-x', owner: dev, votes: prio(1) }),
      fakeChange(960005, { project: 'openstack/nova', subject: 'Topic work 2', topic: 'refactor-x', owner: fakeAccount('dev-b'), votes: prio(1) }),
      fakeChange(960006, { project: 'openstack/nova', subject: 'Lone change', owner: dev, votes: prio(2) }),
      fakeChange(960007, { project: 'openstack/nova', subject: 'Already on the pad', owner: dev, votes: prio(1) }),
      fakeChange(960008, { project: 'openstack/nova', subject: 'No priority', owner: dev }),
    );
    const pad = await createPad(server.url, 'status-import');
    const writer = await connectSynced(server.url, pad.padId, 'proposed');
    entriesOf(writer.doc).push([createEntry({ addedBy: 't', title: 'have it', reviews: [`https://review.opendev.org/${960007}`] })]);
    await waitFor(async () => ((await (await fetch(`${server.url}/api/pads/${pad.padId}/export.json`)).json()) as { sections: { proposed: unknown[] } }).sections.proposed.length === 1, 5000, 'the entry stored');
    gerrit.reset();
    const post = (ref: string, body: unknown, key?: string) =>
      fetch(`${server.url}/api/pads/${ref}/import-gerrit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify(body),
      });
    const res = await post(pad.padId, { query: 'project:openstack/nova status:open label:Review-Priority>=1' });
    expect(res.status).toBe(201);
    const report = (await res.json()) as { created: { proposed: number }; matched: number; skippedChanges: number[]; entries: Array<{ title: string }> };
    expect(report.matched).toBe(7);
    expect(report.skippedChanges).toEqual([960007]);
    expect(report.created.proposed).toBe(4);
    // only the configured Gerrit was asked, with the commit message
    // (the poller may ask about the pad's links meanwhile: look for the import's query among what Gerrit saw)
    expect(gerrit.seen.some((r) => new URL(r.path, 'http://x').searchParams.getAll('o').includes('CURRENT_COMMIT'))).toBe(true);
    await waitFor(() => sectionToJSON(writer.doc).length === 5, 5000, 'entries arrive');
    const entries = sectionToJSON(writer.doc).slice(1);
    const byLaunchpad = (l: string) => entries.find((e) => e.launchpad === l)!;
    expect(byLaunchpad('https://bugs.launchpad.net/nova/+bug/2081234')).toMatchObject({ kind: 'bug', owner: 'dev-a', addedBy: 'import' });
    expect(byLaunchpad('https://bugs.launchpad.net/nova/+bug/2081234').reviews.sort()).toEqual([REVIEW(960001), REVIEW(960002)]);
    expect(byLaunchpad('https://blueprints.launchpad.net/nova/+spec/vtpm')).toMatchObject({ kind: 'feature', reviews: [REVIEW(960003)] });
    const topic = entries.find((e) => e.title === 'refactor-x')!;
    expect(topic.reviews).toEqual(['https://review.opendev.org/q/topic:%22refactor-x%22', REVIEW(960005), REVIEW(960004)].sort((a, b) => (a.includes('topic') ? -1 : b.includes('topic') ? 1 : 0)));
    expect(topic.owner).toBe('');
    expect(entries.find((e) => e.title === 'Lone change')!.reviews).toEqual([REVIEW(960006)]);
    // the imported changes have status at once
    expect((await statusJson(server.url, pad.padId)).changes['960006']).toMatchObject({ status: 'NEW' });

    // again: everything is on the pad now
    const again = (await (await post(pad.padId, { query: 'project:openstack/nova status:open label:Review-Priority>=1' })).json()) as { created: { proposed: number }; skippedChanges: number[] };
    expect(again.created.proposed).toBe(0);
    expect(again.skippedChanges).toHaveLength(7);

    // refused: through the mirror, a query that is not one line, too long, one Gerrit cannot parse
    const mirrorRef = new URL(pad.readOnlyUrl).pathname.split('/').pop()!;
    expect((await post(mirrorRef, { query: 'status:open' })).status).toBe(403);
    expect((await post(pad.padId, { query: 'status:open\nx' })).status).toBe(400);
    expect((await post(pad.padId, { query: 'x'.repeat(501) })).status).toBe(400);
    expect((await post(pad.padId, { query: 42 })).status).toBe(400);
    expect((await post(pad.padId, { query: 'https://evil.example/' })).status).toBe(502);
    writer.provider.destroy();
  });
});

void Y;
