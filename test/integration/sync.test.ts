import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad, removeDir, spawnServer, startTestServer, tempDataDir } from '../helpers/server.js';
import { connect, connectSynced } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function track<T extends { provider: { destroy(): void } }>(client: T): T {
  cleanups.push(() => client.provider.destroy());
  return client;
}

const titles = (doc: Y.Doc) => sectionToJSON(doc).map((e) => e.title);

describe('sync between real y-websocket clients', () => {
  it('two clients converge, and a third joining later gets the full state', async () => {
    const server = await startTestServer();
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId } = await createPad(server.url, 'nova-sync');

    const a = track(await connectSynced(server.url, padId, 'proposed'));
    const b = track(await connectSynced(server.url, padId, 'proposed'));
    entriesOf(a.doc).push([createEntry({ title: 'from a', addedBy: 'alice' })]);
    entriesOf(b.doc).push([createEntry({ title: 'from b', addedBy: 'bob' })]);
    await waitFor(() => titles(a.doc).length === 2 && titles(b.doc).length === 2, 5000, 'convergence');
    expect(titles(a.doc)).toEqual(titles(b.doc));

    // concurrent text edits in the same entry merge
    const titleA = entriesOf(a.doc).get(0).get('title') as Y.Text;
    const titleB = entriesOf(b.doc).get(0).get('title') as Y.Text;
    titleA.insert(0, '[A]');
    titleB.insert(titleB.length, '[B]');
    await waitFor(() => titleA.toString() === titleB.toString() && titleA.toString().includes('[A]') && titleA.toString().includes('[B]'));

    const c = track(await connectSynced(server.url, padId, 'proposed'));
    await waitFor(() => titles(c.doc).length === 2);
    expect(titles(c.doc)).toEqual(titles(a.doc));
  });

  it('keeps the two sections apart', async () => {
    const server = await startTestServer();
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId, curatorKey } = await createPad(server.url, 'nova-sections');
    const proposed = track(await connectSynced(server.url, padId, 'proposed'));
    const ready = track(await connectSynced(server.url, padId, 'ready', { params: { key: curatorKey } }));
    entriesOf(ready.doc).push([createEntry({ title: 'curated', addedBy: 'ptl' })]);
    entriesOf(proposed.doc).push([createEntry({ title: 'proposed', addedBy: 'dev' })]);
    const res = await waitFor(async () => {
      const body = (await (await fetch(`${server.url}/api/pads/${padId}/export.json`)).json()) as {
        sections: { proposed: { title: string }[]; ready: { title: string }[] };
      };
      return body.sections.proposed.length === 1 && body.sections.ready.length === 1 && body;
    });
    expect(res.sections.proposed[0]!.title).toBe('proposed');
    expect(res.sections.ready[0]!.title).toBe('curated');
  });

  it('a restarted server (new process, same data dir) serves the same content', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    const first = await spawnServer(dataDir);
    const { padId } = await createPad(first.url, 'nova-restart');
    const writer = connect(first.url, padId, 'proposed');
    await waitFor(() => writer.provider.synced);
    for (let i = 0; i < 20; i++) entriesOf(writer.doc).push([createEntry({ title: `entry ${i}`, addedBy: 'w' })]);
    const reader = connect(first.url, padId, 'proposed');
    await waitFor(() => titles(reader.doc).length === 20, 5000, 'reader to see 20 entries');
    writer.provider.destroy();
    reader.provider.destroy();
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await spawnServer(dataDir);
    cleanups.push(() => second.process.kill('SIGKILL'));
    const later = track(await connectSynced(second.url, padId, 'proposed'));
    expect(titles(later.doc)).toEqual(Array.from({ length: 20 }, (_, i) => `entry ${i}`));
  });

  it('a SIGKILLed server loses nothing that any client received', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    const first = await spawnServer(dataDir);
    const { padId } = await createPad(first.url, 'nova-kill');
    const writer = connect(first.url, padId, 'proposed');
    const observer = connect(first.url, padId, 'proposed');
    await waitFor(() => writer.provider.synced && observer.provider.synced);

    // Write continuously; kill the server mid-stream without warning.
    let written = 0;
    const timer = setInterval(() => {
      entriesOf(writer.doc).push([createEntry({ title: `w${written++}`, addedBy: 'w' })]);
    }, 2);
    await waitFor(() => titles(observer.doc).length >= 50, 10_000, 'observer to receive 50 entries');
    first.process.kill('SIGKILL');
    await first.exited;
    clearInterval(timer);
    const received = titles(observer.doc);
    writer.provider.destroy();
    observer.provider.destroy();

    const second = await spawnServer(dataDir);
    cleanups.push(() => second.process.kill('SIGKILL'));
    const after = track(await connectSynced(second.url, padId, 'proposed'));
    const stored = new Set(titles(after.doc));
    expect(received.length).toBeGreaterThanOrEqual(50);
    expect(received.filter((t) => !stored.has(t))).toEqual([]);
  });

  it('merges offline edits after a reconnect', async () => {
    const server = await startTestServer();
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId } = await createPad(server.url, 'nova-offline');
    const a = track(await connectSynced(server.url, padId, 'proposed'));
    const b = track(await connectSynced(server.url, padId, 'proposed'));
    a.provider.disconnect();
    entriesOf(a.doc).push([createEntry({ title: 'written offline', addedBy: 'a' })]);
    entriesOf(b.doc).push([createEntry({ title: 'written online', addedBy: 'b' })]);
    await sleep(100);
    expect(titles(b.doc)).toEqual(['written online']);
    a.provider.connect();
    await waitFor(() => titles(b.doc).length === 2 && titles(a.doc).length === 2, 5000, 'offline merge');
    expect(new Set(titles(a.doc))).toEqual(new Set(['written offline', 'written online']));
  });
});
