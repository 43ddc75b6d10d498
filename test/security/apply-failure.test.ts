/**
 * Class 6, second half: "applied in memory but not logged" must be impossible. If anything throws after an update
 * was applied to the live document (here: an observer running inside the apply), the document is dropped, its
 * sockets are told to resync (1011), and the next open reloads it from the store: what everyone sees is what is stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad, removeDir, startTestServer } from '../helpers/server.js';
import { connectSynced } from '../helpers/clients.js';
import { waitFor } from '../helpers/wait.js';
import type { Peer } from '../../server/sync/section-document.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('a failure after apply', () => {
  it('drops the document and reloads it from the store; nothing unlogged stays live', async () => {
    const server = await startTestServer();
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId } = await createPad(server.url, 'apply-failure');
    const ref = { padId, section: 'proposed' as const };
    const watcher = await connectSynced(server.url, padId, 'proposed');
    const closes: number[] = [];
    watcher.provider.on('connection-close', (event: { code: number } | null) => closes.push(event?.code ?? 0));
    entriesOf(watcher.doc).push([createEntry({ title: 'stored', addedBy: 'w' })]);
    await waitFor(() => server.store.readLog(ref).length === 1);

    const document = await server.registry.open(ref);
    // a peer whose rewrite bookkeeping throws: the failure happens after Yjs applied its update
    const faulty = {
      role: 'contributor',
      session: 'contributor:faulty',
      quarantine: null,
      send() {},
      refuse() {},
      close() {},
      demote() {},
      recordRewrites() {
        throw new Error('bookkeeping failed');
      },
    } as unknown as Peer;
    document.peers.add(faulty);
    // an update that deletes (the stored entry) and adds one: applied in a transaction of its own, its author the
    // origin, so the guard looks at what it rewrote
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(watcher.doc));
    const before = Y.encodeStateVector(doc);
    entriesOf(doc).delete(0, 1);
    entriesOf(doc).push([createEntry({ title: 'never logged', addedBy: 'x' })]);
    document.receiveUpdate(faulty, Y.encodeStateAsUpdate(doc, before));

    // the live document is gone, its sockets told to resync
    await waitFor(() => document.isDestroyed, 3000, 'document dropped');
    await waitFor(() => closes.includes(1011), 3000, 'resync close');
    // the store has only what was logged, and the reloaded document is exactly that
    expect(server.store.readLog(ref)).toHaveLength(1);
    const reloaded = await server.registry.open(ref);
    expect(reloaded).not.toBe(document);
    expect(sectionToJSON(reloaded.doc).map((e) => e.title)).toEqual(['stored']);
    server.registry.release(ref);
    // the watcher resyncs to the stored state and keeps working
    await waitFor(() => watcher.provider.synced && watcher.provider.wsconnected, 5000, 'reconnected');
    entriesOf(watcher.doc).push([createEntry({ title: 'after', addedBy: 'w' })]);
    await waitFor(() => server.store.readLog(ref).length === 2, 5000, 'later write stored');
    expect(sectionToJSON(watcher.doc).map((e) => e.title)).toEqual(['stored', 'after']);
    watcher.provider.destroy();
  });
});
