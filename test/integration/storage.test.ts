import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad, removeDir, startTestServer, tempDataDir } from '../helpers/server.js';
import { connectSynced } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw-client.js';
import { sleep, waitFor } from '../helpers/wait.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

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
