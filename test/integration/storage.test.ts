import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad, removeDir, startTestServer, tempDataDir } from '../helpers/server.js';
import { connectSynced } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { SNAPSHOT_MAX_INTERVALS, type Peer } from '../../server/sync/section-document.js';
import { SqliteStore } from '../../server/storage/sqlite-store.js';
import type { StoredRevision } from '../../server/storage/store.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A writer inside the server process: what a connection is to its document, minus the socket. */
const writerPeer = (session: string): Peer => ({
  role: 'contributor',
  session,
  quarantine: null,
  demote: () => undefined,
  send: () => undefined,
  refuse: () => undefined,
  close: () => undefined,
  recordRewrites: () => null,
});
const entryUpdate = (title: string) => {
  const doc = new Y.Doc();
  entriesOf(doc).push([createEntry({ title, addedBy: 'w' })]);
  return Y.encodeStateAsUpdate(doc);
};

/** A test server (closed and removed after the test) and the proposed section of a fresh pad on it. */
async function serverWithPad(name: string, config: Parameters<typeof startTestServer>[1] = {}) {
  const server = await startTestServer(tempDataDir(), config);
  cleanups.push(() => removeDir(server.dataDir), () => server.close());
  const { padId } = await createPad(server.url, name);
  return { server, padId, ref: { padId, section: 'proposed' as const } };
}

describe('storage', () => {
  it('compacts the log into a snapshot, unloads idle documents, and reloads them from disk', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    const server = await startTestServer(dataDir, { snapshotEvery: 10, unloadDelayMs: 20 });
    cleanups.push(() => server.close());
    const { padId } = await createPad(server.url, 'snap');
    const writer = await connectSynced(server.url, padId, 'proposed');
    for (let i = 0; i < 25; i++) {
      entriesOf(writer.doc).push([createEntry({ title: `e${i}`, addedBy: 'w' })]);
      await sleep(2);
    }
    await waitFor(() => server.store.loadDocument({ padId, section: 'proposed' }).snapshot !== null);
    const expected = sectionToJSON(writer.doc);
    writer.provider.destroy();
    await waitFor(() => server.registry.loaded().length === 0, 3000, 'unload');
    const stored = server.store.loadDocument({ padId, section: 'proposed' });
    expect(stored.snapshot!.seq).toBeGreaterThanOrEqual(20);
    // the log is kept whole (it is the history); the snapshot only shortens loading
    expect(server.store.readLog({ padId, section: 'proposed' }).length).toBeGreaterThanOrEqual(25);
    const reader = await connectSynced(server.url, padId, 'proposed');
    expect(sectionToJSON(reader.doc)).toEqual(expected);
    reader.provider.destroy();
  });

  it("logs and relays a peer's own bytes when all of it is new, and only the missing part of a step 2 that repeats the pad", async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    const server = await startTestServer(dataDir);
    cleanups.push(() => server.close());
    const { padId } = await createPad(server.url, 'own-bytes');
    const ref = { padId, section: 'proposed' as const };
    const writer = await RawClient.open(server.url, padId, 'proposed');
    const watcher = await RawClient.open(server.url, padId, 'proposed');
    cleanups.push(() => writer.ws.close(), () => watcher.ws.close());

    const local = new Y.Doc();
    entriesOf(local).push([createEntry({ id: 'a', title: 'first', addedBy: 'w' })]);
    const first = Y.encodeStateAsUpdate(local);
    writer.sendUpdate(first);
    await waitFor(() => server.store.readLog(ref).length === 1);
    expect(server.store.readLog(ref)[0]!.data).toEqual(first);
    await waitFor(() => watcher.received.some((m) => m.type === 'update'));
    expect(watcher.received.find((m) => m.type === 'update')!.payload).toEqual(first);

    // a step 2 carrying the whole pad plus one new entry: only the new entry is logged
    entriesOf(local).push([createEntry({ id: 'b', title: 'second', addedBy: 'w' })]);
    const whole = Y.encodeStateAsUpdate(local);
    writer.sendStep2(whole);
    await waitFor(() => server.store.readLog(ref).length === 2);
    const logged = server.store.readLog(ref)[1]!.data;
    expect(logged.byteLength).toBeLessThan(whole.byteLength - first.byteLength / 2);
    const replayed = new Y.Doc();
    for (const u of server.store.readLog(ref)) Y.applyUpdate(replayed, u.data);
    expect(sectionToJSON(replayed)).toEqual(sectionToJSON(local));
    await waitFor(() => sectionToJSON(watcher.doc).length === 2);
    expect(sectionToJSON(watcher.doc)).toEqual(sectionToJSON(local));
  });

  it('snapshots a large section of small edits by the bytes logged, not every N rows; reloads it whole', async () => {
    const { server, padId, ref } = await serverWithPad('large-small', { snapshotEvery: 10, unloadDelayMs: 20 });
    const writer = await connectSynced(server.url, padId, 'proposed');
    // about 80 KB of notes, then small edits: ten rows of them are far less than a quarter of the section
    for (let i = 0; i < 8; i++) entriesOf(writer.doc).push([createEntry({ title: `big ${i}`, note: `${i}`.repeat(10_000), addedBy: 'w' })]);
    const title = entriesOf(writer.doc).get(0).get('title') as Y.Text;
    for (let i = 0; i < 4; i++) title.insert(title.length, '.');
    await waitFor(() => server.store.readLog(ref).length === 12);
    await waitFor(() => server.store.loadDocument(ref).snapshot !== null);
    const first = server.store.loadDocument(ref).snapshot!.seq;
    expect(first).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < 60; i++) {
      title.insert(title.length, 'x');
      await sleep(1);
    }
    await waitFor(() => server.store.readLog(ref).length === 72);
    await sleep(100);
    // 60 rows of one character each: six times the row count, a few KB against 80 KB
    expect(server.store.loadDocument(ref).snapshot!.seq).toBe(first);
    // edits that log a quarter of the section's size bring the next snapshot
    const note = entriesOf(writer.doc).get(1).get('note') as Y.Text;
    for (let i = 0; i < 10; i++) note.insert(0, 'n'.repeat(4_000));
    await waitFor(() => server.store.loadDocument(ref).snapshot!.seq > first, 3000, 'the next snapshot');
    const expected = sectionToJSON(writer.doc);
    writer.provider.destroy();
    await waitFor(() => server.registry.loaded().length === 0, 3000, 'unload');
    const reader = await connectSynced(server.url, padId, 'proposed');
    expect(sectionToJSON(reader.doc)).toEqual(expected);
    reader.provider.destroy();
  });

  it('a process that loses the snapshot lease asks again after another interval, not at every commit', async () => {
    const { server, padId, ref } = await serverWithPad('lease-lost', { snapshotEvery: 10 });
    // another process holds every snapshot lease
    const asked: number[] = [];
    server.storage.tryLease = async () => {
      asked.push(server.store.readLog(ref).length);
      await sleep(5);
      return false;
    };
    const writer = await connectSynced(server.url, padId, 'proposed');
    for (let i = 0; i < 45; i++) {
      entriesOf(writer.doc).push([createEntry({ title: `e${i}`, addedBy: 'w' })]);
      await sleep(2);
    }
    await waitFor(() => server.store.readLog(ref).length === 45);
    await sleep(50);
    // once an interval of 10 rows, about (the rows logged when it asked; commits made while it asked do not ask
    // again): at most 4 times in 45 rows. Asking at every commit past the first interval was about 35 times.
    expect(asked.length).toBeGreaterThanOrEqual(2);
    expect(asked.length).toBeLessThanOrEqual(4);
    expect(asked.every((rows, i) => i === 0 || rows - asked[i - 1]! >= 8)).toBe(true);
    expect(server.store.loadDocument(ref).snapshot).toBeNull();
    writer.provider.destroy();
  });

  it('a snapshot holds committed content only: an update whose commit fails while the lease is asked for is not in it', async () => {
    const { server, ref } = await serverWithPad('snapshot-committed', { snapshotEvery: 5 });
    // the lease takes a while (PostgreSQL is a round trip away): the document goes on taking updates meanwhile
    let leaseAsked!: () => void;
    const asking = new Promise<void>((resolve) => (leaseAsked = resolve));
    let grant!: () => void;
    const granted = new Promise<void>((resolve) => (grant = resolve));
    const tryLease = server.storage.tryLease.bind(server.storage);
    server.storage.tryLease = async (...args) => {
      leaseAsked();
      await granted;
      return tryLease(...args);
    };
    const document = await server.registry.open(ref);
    for (let i = 0; i < 5; i++) document.receiveUpdate(writerPeer(`w${i}`), entryUpdate(`stored ${i}`));
    await asking;
    // a sixth update, whose commit fails (the disk is full)
    const append = server.store.appendUpdates.bind(server.store);
    server.store.appendUpdates = (r, updates) => {
      if (updates.some((u) => u.session === 'lost')) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return append(r, updates);
    };
    document.receiveUpdate(writerPeer('lost'), entryUpdate('never stored'));
    await sleep(20);
    grant();
    await sleep(50);
    const stored = server.store.loadDocument(ref);
    expect(stored.updates.length + (stored.snapshot?.seq ?? 0)).toBe(5);
    const replayed = new Y.Doc();
    if (stored.snapshot) Y.applyUpdate(replayed, stored.snapshot.state);
    for (const u of stored.updates) Y.applyUpdate(replayed, u.data);
    expect(sectionToJSON(replayed).map((e) => e.title).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `stored ${i}`));
  });

  it('after a mass deletion, small edits still bring a snapshot within SNAPSHOT_MAX_INTERVALS intervals (the size bound was the old size)', async () => {
    const { server, padId, ref } = await serverWithPad('deleted-then-small', { snapshotEvery: 5 });
    const writer = await connectSynced(server.url, padId, 'proposed');
    for (let i = 0; i < 8; i++) entriesOf(writer.doc).push([createEntry({ title: `big ${i}`, note: 'n'.repeat(10_000), addedBy: 'w' })]);
    await waitFor(() => server.store.loadDocument(ref).snapshot !== null);
    entriesOf(writer.doc).delete(0, 8);
    entriesOf(writer.doc).push([createEntry({ title: '', addedBy: 'w' })]);
    const title = entriesOf(writer.doc).get(0).get('title') as Y.Text;
    await waitFor(() => server.store.readLog(ref).length === 10);
    const first = server.store.loadDocument(ref).snapshot!.seq;
    // one character a row: a quarter of the old 80 KB would take thousands of rows
    for (let i = 0; i < SNAPSHOT_MAX_INTERVALS * 5 + 10; i++) {
      title.insert(title.length, 'x');
      await sleep(1);
    }
    await waitFor(() => server.store.readLog(ref).length === 10 + SNAPSHOT_MAX_INTERVALS * 5 + 10);
    // (without the cap, none at all)
    await waitFor(() => server.store.loadDocument(ref).snapshot!.seq > first, 3000, 'a snapshot after the deletion');
    writer.provider.destroy();
  });

  it('unloading stores what is queued or in a commit, and waits for it, even when another process holds the snapshot lease', async () => {
    const server = await startTestServer(tempDataDir(), { snapshotEvery: 500 });
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    server.storage.tryLease = async () => false;
    const queued = { padId: (await createPad(server.url, 'keep-queued')).padId, section: 'proposed' as const };
    const inCommit = { padId: (await createPad(server.url, 'keep-in-commit')).padId, section: 'proposed' as const };
    // queued, then unloaded in the same turn
    const first = await server.registry.open(queued);
    first.receiveUpdate(writerPeer('a'), entryUpdate('queued'));
    await first.destroy('keep');
    expect(server.store.readLog(queued).length).toBe(1);
    // in a commit (a slow one) when unloading starts: unloading waits for it (its commit is told to the peers and the
    // other processes only while the document is live)
    const append = server.storage.append.bind(server.storage);
    server.storage.append = async (batches) => {
      await sleep(100);
      return append(batches);
    };
    const second = await server.registry.open(inCommit);
    second.receiveUpdate(writerPeer('b'), entryUpdate('in a commit'));
    await sleep(10);
    expect(second.queued).toBe(0);
    await second.destroy('keep');
    expect(server.store.readLog(inCommit).length).toBe(1);
  });

  it('an unload whose last commit fails asks for no snapshot lease and is gone', async () => {
    const { server, ref } = await serverWithPad('unload-outage', { snapshotEvery: 500 });
    let leases = 0;
    const tryLease = server.storage.tryLease.bind(server.storage);
    server.storage.tryLease = async (...args) => {
      leases += 1;
      return tryLease(...args);
    };
    const document = await server.registry.open(ref);
    server.registry.release(ref);
    // a row stored (a snapshot would have something to hold), then the disk fills
    document.receiveUpdate(writerPeer('a'), entryUpdate('stored'));
    await document.flush();
    server.storage.append = async () => {
      await sleep(20);
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    document.receiveUpdate(writerPeer('b'), entryUpdate('not stored'));
    // unloaded (out of the registry) while its commit fails
    await server.registry.unloadIdle();
    expect(document.isDestroyed).toBe(true);
    expect(leases).toBe(0);
    expect(server.store.readLog(ref).map((r) => r.session)).toEqual(['a']);
  });

  it('a failed commit of a document being unloaded drops that document only, not the one loaded after it', async () => {
    const { server, ref } = await serverWithPad('unload-reload', { snapshotEvery: 500 });
    const old = await server.registry.open(ref);
    server.registry.release(ref);
    const append = server.storage.append.bind(server.storage);
    let fail = true;
    server.storage.append = async (batches) => {
      const failing = fail;
      await sleep(150);
      if (failing) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return append(batches);
    };
    old.receiveUpdate(writerPeer('a'), entryUpdate('lost with the old one'));
    const unloading = server.registry.unloadIdle();
    await sleep(20);
    fail = false;
    // reopened while the old one's commit is still in flight
    const fresh = await server.registry.open(ref);
    expect(fresh).not.toBe(old);
    const closed: number[] = [];
    fresh.peers.add({ ...writerPeer('p'), close: (code: number) => closed.push(code) } as Peer);
    await unloading;
    await sleep(200);
    expect(old.isDestroyed).toBe(true);
    expect(fresh.isDestroyed).toBe(false);
    expect(closed).toEqual([]);
    expect(server.registry.peek(ref)).toBe(fresh);
    expect(server.store.readLog(ref).length).toBe(0);
    server.registry.release(ref);
  });

  it("snapshots rows another process committed (the lease holder does not wait for a commit of its own)", async () => {
    const { server, ref } = await serverWithPad('remote-rows', { snapshotEvery: 5 });
    const document = await server.registry.open(ref);
    // another process's commits: straight into the log, then read by this one's catch-up
    const incarnation = server.store.getPad(ref.padId)!.readOnlyNonce;
    await server.storage.append([{ ref, incarnation, updates: Array.from({ length: 12 }, (_, i) => ({ data: entryUpdate(`remote ${i}`), role: 'contributor' as const, session: `r${i}`, at: Date.now() })) }]);
    await document.catchUpNow();
    await waitFor(() => (server.store.loadDocument(ref).snapshot?.seq ?? 0) >= 12, 3000, 'a snapshot of the remote rows');
    expect(sectionToJSON(document.doc).length).toBe(12);
    server.registry.release(ref);
  });

  it('a corrupt snapshot is detected and the whole log replayed', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    let server = await startTestServer(dataDir, { snapshotEvery: 5, unloadDelayMs: 10 });
    const { padId } = await createPad(server.url, 'corrupt');
    const writer = await connectSynced(server.url, padId, 'proposed');
    for (let i = 0; i < 8; i++) entriesOf(writer.doc).push([createEntry({ title: `e${i}`, addedBy: 'w' })]);
    await waitFor(() => server.store.loadDocument({ padId, section: 'proposed' }).snapshot !== null);
    const expected = sectionToJSON(writer.doc).map((e) => e.title);
    writer.provider.destroy();
    await server.close();
    const db = new Database(path.join(dataDir, 'cyclepad.sqlite'));
    db.prepare('UPDATE snapshots SET state = ?').run(Buffer.from([0, 7, 255, 255, 1, 2, 3]));
    db.close();

    server = await startTestServer(dataDir);
    cleanups.push(() => server.close());
    const reader = await connectSynced(server.url, padId, 'proposed');
    expect(sectionToJSON(reader.doc).map((e) => e.title)).toEqual(expected);
    reader.provider.destroy();
  });
});

describe('group commit', () => {
  async function twoPads(name: string) {
    const server = await startTestServer();
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const refs = [];
    const watchers = [];
    for (const suffix of ['a', 'b']) {
      const { padId } = await createPad(server.url, `${name}-${suffix}`);
      refs.push({ padId, section: 'proposed' as const });
      const watcher = await RawClient.open(server.url, padId, 'proposed');
      cleanups.push(() => watcher.ws.close());
      watchers.push(watcher);
    }
    const documents = await Promise.all(refs.map((ref) => server.registry.open(ref)));
    let transactions = 0;
    const transaction = server.store.transaction.bind(server.store);
    server.store.transaction = <T>(fn: () => T): T => {
      transactions += 1;
      return transaction(fn);
    };
    return { server, refs, watchers, documents, transactions: () => transactions };
  }

  it('commits the updates of several pads from one event-loop turn in one transaction, and broadcasts them after it', async () => {
    const { server, refs, watchers, documents, transactions } = await twoPads('group');
    // one synchronous block: one turn
    documents[0]!.receiveUpdate(writerPeer('contributor:a'), entryUpdate('on a'));
    documents[1]!.receiveUpdate(writerPeer('contributor:b'), entryUpdate('on b'));
    expect(refs.map((ref) => server.store.readLog(ref).length)).toEqual([0, 0]);
    await waitFor(() => refs.every((ref) => server.store.readLog(ref).length === 1));
    expect(transactions()).toBe(1);
    await waitFor(() => watchers.every((w) => sectionToJSON(w.doc).length === 1));
    expect(watchers.map((w) => sectionToJSON(w.doc)[0]!.title)).toEqual(['on a', 'on b']);
  });

  it('a failed group transaction stores and broadcasts nothing of any pad in it; their peers resync', async () => {
    const { server, refs, watchers, documents } = await twoPads('group-fail');
    const append = server.store.appendUpdates.bind(server.store);
    server.store.appendUpdates = (ref, updates) => {
      if (ref.padId === refs[1]!.padId) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return append(ref, updates);
    };
    documents[0]!.receiveUpdate(writerPeer('contributor:a'), entryUpdate('on a'));
    documents[1]!.receiveUpdate(writerPeer('contributor:b'), entryUpdate('on b'));
    await waitFor(() => watchers.every((w) => w.closed !== null), 3000, 'both pads to close their sockets');
    expect(watchers.map((w) => w.closed!.code)).toEqual([1013, 1013]);
    expect(refs.map((ref) => server.store.readLog(ref).length)).toEqual([0, 0]);
    expect(watchers.map((w) => sectionToJSON(w.doc).length)).toEqual([0, 0]);
  });
});

describe('presence', () => {
  it("a connection cannot overwrite another person's presence", async () => {
    const server = await startTestServer();
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId } = await createPad(server.url, 'presence');
    const alice = await connectSynced(server.url, padId, 'proposed');
    alice.provider.awareness.setLocalStateField('user', { name: 'alice' });
    const observer = await connectSynced(server.url, padId, 'proposed');
    const aliceName = () => (observer.provider.awareness.getStates().get(alice.doc.clientID) as { user?: { name: string } } | undefined)?.user?.name;
    await waitFor(() => aliceName() === 'alice');

    const mallory = await RawClient.open(server.url, padId, 'proposed');
    const fake = new Y.Doc();
    fake.clientID = alice.doc.clientID;
    const { Awareness, encodeAwarenessUpdate } = await import('y-protocols/awareness');
    const awareness = new Awareness(fake);
    for (let i = 0; i < 5; i++) awareness.setLocalState({ user: { name: `mallory-${i}` } });
    const encoding = await import('lib0/encoding');
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(e, encodeAwarenessUpdate(awareness, [fake.clientID]));
    mallory.send(encoding.toUint8Array(e));
    await sleep(150);
    expect(aliceName()).toBe('alice');
    awareness.destroy();
    mallory.close();
    alice.provider.destroy();
    observer.provider.destroy();
  });
});

describe('history index storage', () => {
  function store() {
    const dataDir = tempDataDir();
    const s = new SqliteStore(dataDir);
    cleanups.push(() => removeDir(dataDir), () => s.close());
    s.createPad(
      { id: 'hist', createdAt: 1, readOnlyTokenHash: 'a'.repeat(64), readOnlyNonce: 'n' },
      { id: 'k', padId: 'hist', label: 'PTL', keyHash: 'b'.repeat(64), createdAt: 1, createdBy: null, ptl: true },
    );
    return s;
  }
  const ref = { padId: 'hist', section: 'proposed' as const };
  const other = { padId: 'hist', section: 'ready' as const };
  const rev = (seq: number, summary = `[{"seq":${seq}}]`): StoredRevision => ({ seq, at: 1000 + seq, role: 'contributor', session: `contributor:${seq}`, summary });

  it('readLog pages the log: after a seq, at most a limit, in order', () => {
    const s = store();
    s.appendUpdates(ref, [1, 2, 3, 4, 5].map((n) => ({ data: new Uint8Array([n]), role: 'contributor' as const, session: 's', at: n })));
    expect(s.readLog(ref).map((u) => u.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(s.readLog(ref, 2).map((u) => u.seq)).toEqual([3, 4, 5]);
    expect(s.readLog(ref, 1, 2).map((u) => u.seq)).toEqual([2, 3]);
    expect(s.readLog(ref, 4, 10).map((u) => [u.seq, [...u.data]])).toEqual([[5, [5]]]);
    expect(s.readLog(ref, 5, 10)).toEqual([]);
    expect(s.readLog(other)).toEqual([]);
  });

  it('indexRevisions stores summaries and moves the checkpoint together; listing is newest first, paged by beforeSeq', () => {
    const s = store();
    expect(s.historyCheckpoint(ref)).toBeNull();
    expect(s.listRevisionSummaries(ref, 10)).toEqual([]);
    s.indexRevisions(ref, [rev(1), rev(2), rev(3)], { seq: 3, state: new Uint8Array([3, 3]) });
    expect(s.historyCheckpoint(ref)).toEqual({ seq: 3, state: new Uint8Array([3, 3]) });
    s.indexRevisions(ref, [rev(4), rev(5)], { seq: 5, state: new Uint8Array([5]) });
    expect(s.historyCheckpoint(ref)).toEqual({ seq: 5, state: new Uint8Array([5]) });
    expect(s.listRevisionSummaries(ref, 10)).toEqual([rev(5), rev(4), rev(3), rev(2), rev(1)]);
    expect(s.listRevisionSummaries(ref, 2).map((r) => r.seq)).toEqual([5, 4]);
    expect(s.listRevisionSummaries(ref, 2, 4).map((r) => r.seq)).toEqual([3, 2]);
    expect(s.listRevisionSummaries(ref, 10, 1)).toEqual([]);
    // sections are separate
    expect(s.listRevisionSummaries(other, 10)).toEqual([]);
    expect(s.historyCheckpoint(other)).toBeNull();
  });

  it('ignores rows already indexed, never moves the checkpoint back, and writes nothing if it fails', () => {
    const s = store();
    s.indexRevisions(ref, [rev(1), rev(2)], { seq: 2, state: new Uint8Array([2]) });
    // a second indexer (or a retry) repeating rows: the first summary stays, the new row is added
    s.indexRevisions(ref, [rev(2, '"changed"'), rev(3)], { seq: 3, state: new Uint8Array([3]) });
    expect(s.listRevisionSummaries(ref, 10).map((r) => [r.seq, r.summary])).toEqual([
      [3, '[{"seq":3}]'],
      [2, '[{"seq":2}]'],
      [1, '[{"seq":1}]'],
    ]);
    s.indexRevisions(ref, [], { seq: 1, state: new Uint8Array([1]) });
    expect(s.historyCheckpoint(ref)!.seq).toBe(3);
    // one transaction: a row that cannot be stored takes the checkpoint move with it
    const bad = { ...rev(4), summary: null as unknown as string };
    expect(() => s.indexRevisions(ref, [rev(5), bad], { seq: 5, state: new Uint8Array([5]) })).toThrow();
    expect(s.listRevisionSummaries(ref, 10).map((r) => r.seq)).toEqual([3, 2, 1]);
    expect(s.historyCheckpoint(ref)!.seq).toBe(3);
  });
});
