import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad, removeDir, spawnServer, startTestServer, tempDataDir } from '../helpers/server.js';
import { connect, connectSynced } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { RawClient } from '../helpers/raw-client.js';
import * as syncProtocol from 'y-protocols/sync';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';

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

/** A metric's value from the Prometheus text, for one label set. */
async function metric(url: string, series: string): Promise<number> {
  const line = (await (await fetch(`${url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('a quiet socket stays open', () => {
  it('a socket sent nothing for a keep-alive period is sent an empty presence update, so y-websocket (which reconnects after 30 s without a message) keeps it, and applies nothing from it', async () => {
    const server = await startTestServer(undefined, { keepaliveMs: 150 });
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId, readOnlyUrl } = await createPad(server.url, 'keepalive');
    // as the page opens them: ready without presence, and the mirror's read-only socket
    const ready = track(await connectSynced(server.url, padId, 'ready'));
    ready.provider.awareness.setLocalState(null);
    const mirror = track(await connectSynced(server.url, readOnlyUrl.split('/p/')[1]!, 'proposed'));
    const heard = new Map<unknown, number>();
    const statuses: string[] = [];
    for (const c of [ready, mirror]) {
      const awarenessHandler = c.provider.messageHandlers[1]!;
      c.provider.messageHandlers[1] = (...args) => {
        heard.set(c, (heard.get(c) ?? 0) + 1);
        awarenessHandler(...args);
      };
      c.provider.on('status', ({ status }: { status: string }) => statuses.push(status));
    }
    const last = [ready, mirror].map((c) => c.provider.wsLastMessageReceived);
    await sleep(1000);
    // several keep-alives each (one per quiet period), each counted by y-websocket as a message heard
    expect(heard.get(ready)).toBeGreaterThanOrEqual(3);
    expect(heard.get(mirror)).toBeGreaterThanOrEqual(3);
    expect(ready.provider.wsLastMessageReceived).toBeGreaterThan(last[0]!);
    expect(mirror.provider.wsLastMessageReceived).toBeGreaterThan(last[1]!);
    // nothing was applied: no presence appeared, and the sockets never dropped
    expect([...ready.provider.awareness.getStates().keys()]).toEqual([]);
    expect([...mirror.provider.awareness.getStates().keys()].filter((id) => id !== mirror.provider.awareness.clientID)).toEqual([]);
    expect(statuses).toEqual([]);
    expect(ready.provider.wsconnected && mirror.provider.wsconnected).toBe(true);
  });
});

describe('a peer that is gone', () => {
  it('a peer answering no ping is dropped within two keep-alive periods, and its presence with it (a person whose network went away stops showing as editing)', async () => {
    const server = await startTestServer(undefined, { keepaliveMs: 150 });
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId } = await createPad(server.url, 'gone-peer');
    const watcher = track(await connectSynced(server.url, padId, 'proposed'));
    // a browser whose network vanished: its socket is open, and nothing (not even a pong) comes back
    class Unreachable extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { autoPong: false });
      }
    }
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${server.url.replace(/^http/, 'ws')}/sync/${padId}`, 'proposed', doc, {
      WebSocketPolyfill: Unreachable as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      connect: false,
    });
    provider.awareness.setLocalState({ user: { name: 'Alice' }, cursor: { section: 'proposed', entry: 'e1', field: 'title' } });
    provider.connect();
    cleanups.push(() => provider.destroy());
    await waitFor(() => [...watcher.provider.awareness.getStates().values()].some((s) => (s as { user?: { name?: string } }).user?.name === 'Alice'), 5000, 'Alice present');
    provider.shouldConnect = false; // (it would come back at once; a browser with no network cannot)
    // (y-websocket's own timeout, and the ping every 30 s before, took 30-60 s)
    await waitFor(() => ![...watcher.provider.awareness.getStates().values()].some((s) => (s as { user?: { name?: string } }).user?.name === 'Alice'), 5000, 'Alice gone');
  });
});

describe('someone coming back', () => {
  it('is shown again at once on a new socket: the echo of their leaving takes nothing, and their clock passes their removal', async () => {
    const server = await startTestServer();
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId } = await createPad(server.url, 'presence-back');
    const alice = track(await connectSynced(server.url, padId, 'proposed'));
    const bob = track(await connectSynced(server.url, padId, 'proposed'));
    alice.provider.awareness.setLocalState({ user: { name: 'Alice' } });
    const bobSeesAlice = () => [...bob.provider.awareness.getStates().values()].some((s) => (s as { user?: { name?: string } }).user?.name === 'Alice');
    await waitFor(bobSeesAlice, 5000, 'Alice shown');
    // her network goes (the page closes its sockets); Bob's page echoes her leaving back to the server
    alice.provider.disconnect();
    await waitFor(() => !bobSeesAlice(), 5000, 'Alice gone');
    await sleep(300);
    // back: the same client id, on a new socket, with the clock it had (older than the one her removal was given)
    alice.provider.connect();
    // (it took two of her page's 15 s renewals before, or never while Bob's page stayed)
    await waitFor(bobSeesAlice, 3000, 'Alice shown again');
    // and what she changes next is shown too
    alice.provider.awareness.setLocalStateField('user', { name: 'Alice B' });
    await waitFor(() => [...bob.provider.awareness.getStates().values()].some((s) => (s as { user?: { name?: string } }).user?.name === 'Alice B'), 3000, 'her new name');
  });
});

describe('sync answers', () => {
  it('the same state vector asked while the document is unchanged is answered from one encoding; a change is in the next answer', async () => {
    const server = await startTestServer();
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId, readOnlyUrl } = await createPad(server.url, 'shared-answers');
    const writer = track(await connectSynced(server.url, padId, 'proposed'));
    entriesOf(writer.doc).push([createEntry({ title: 'first', addedBy: 'w' })]);
    await waitFor(async () => (await (await fetch(`${server.url}/api/pads/${padId}/export.json`)).text()).includes('first'), 5000, 'the entry stored');
    const encoded = () => metric(server.url, 'cyclepad_sync_answers_total{source="encoded"}');
    const shared = () => metric(server.url, 'cyclepad_sync_answers_total{source="shared"}');
    const mirror = readOnlyUrl.split('/p/')[1]!;
    // clients with nothing (an empty state vector), one after the other: a contributor, a viewer, another contributor
    const readers = [await RawClient.open(server.url, padId, 'proposed'), await RawClient.open(server.url, mirror, 'proposed')];
    const encodedBefore = await encoded();
    const sharedBefore = await shared();
    readers.push(await RawClient.open(server.url, padId, 'proposed'));
    expect(await encoded()).toBe(encodedBefore);
    expect(await shared()).toBe(sharedBefore + 1);
    for (const r of readers) {
      Y.applyUpdate(r.doc, r.received.find((m) => m.type === 'step2')!.payload as Uint8Array);
      expect(titles(r.doc)).toEqual(['first']);
    }
    // a change: the next client with the same (empty) state vector gets it, from a new encoding
    entriesOf(writer.doc).push([createEntry({ title: 'second', addedBy: 'w' })]);
    await waitFor(() => readers.every((r) => r.count('update') > 0), 5000, 'the change to reach the readers');
    const late = await RawClient.open(server.url, padId, 'proposed');
    Y.applyUpdate(late.doc, late.received.find((m) => m.type === 'step2')!.payload as Uint8Array);
    expect(titles(late.doc)).toEqual(['first', 'second']);
    expect(await encoded()).toBe(encodedBefore + 1);
    for (const r of [...readers, late]) r.close();
  });

  it('a flood of sync requests from a mirror socket that reads nothing costs one encoding, and the pad stays served', async () => {
    const server = await startTestServer(undefined, { maxBytesPerSecond: 64 * 1024 * 1024 });
    cleanups.push(() => removeDir(server.dataDir), () => server.close());
    const { padId, readOnlyUrl } = await createPad(server.url, 'step1-flood');
    const writer = track(await connectSynced(server.url, padId, 'proposed'));
    // about 6 MB: over the 4 MiB a socket may hold unsent before it counts as not reading
    for (let i = 0; i < 60; i++) entriesOf(writer.doc).push([createEntry({ title: `big ${i}`, note: 'n'.repeat(100_000), addedBy: 'w' })]);
    await waitFor(async () => (await (await fetch(`${server.url}/api/pads/${padId}/export.json`)).text()).includes('big 59'), 15_000, 'the pad stored');
    const encodedBefore = await metric(server.url, 'cyclepad_sync_answers_total{source="encoded"}');
    const viewer = await RawClient.open(server.url, readOnlyUrl.split('/p/')[1]!, 'proposed');
    (viewer.ws as unknown as { _socket: import('node:net').Socket })._socket.pause(); // reads nothing from here on
    const emptyStateVector = RawClient.syncMessage(syncProtocol.messageYjsSyncStep1, new Uint8Array([0]));
    for (let i = 0; i < 200; i++) viewer.send(emptyStateVector);
    await sleep(1500);
    // the viewer's own first answer was encoded when it connected: the 200 requests added at most one more encoding
    expect(await metric(server.url, 'cyclepad_sync_answers_total{source="encoded"}')).toBeLessThanOrEqual(encodedBefore + 2);
    // and the socket holds one answer more than it read, not 200 copies (which would have been over the 64 MiB at
    // which a socket is dropped)
    const connection = [...server.sync.connections].find((c) => c.role === 'viewer');
    expect(connection).toBeDefined();
    expect((connection as unknown as { socket: { bufferedAmount: number } }).socket.bufferedAmount).toBeLessThan(2 * 6_500_000);
    const reader = await RawClient.open(server.url, padId, 'proposed');
    Y.applyUpdate(reader.doc, reader.received.find((m) => m.type === 'step2')!.payload as Uint8Array);
    expect(titles(reader.doc)).toHaveLength(60);
    reader.close();
    viewer.ws.terminate();
  }, 60_000);
});
