import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import path from 'node:path';
import WebSocket from 'ws';
import { SqliteStore } from '../../server/storage/sqlite-store.js';
import { SqliteStorage } from '../../server/storage/sqlite-storage.js';
import { createEntry, entriesOf, sectionToJSON } from '../../shared/schema.js';
import { createPad, removeDir, spawnServer, startTestServer, tempDataDir } from '../helpers/server.js';
import { connect, connectSynced } from '../helpers/clients.js';
import { sleep, waitFor } from '../helpers/wait.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
const titles = (doc: import('yjs').Doc) => sectionToJSON(doc).map((e) => e.title);

describe('storage that refuses writes (disk full, read-only)', () => {
  it('refuses writes with a clear reason instead of keeping them in memory, and loses nothing once storage is back', async () => {
    const dataDir = tempDataDir();
    const store = new SqliteStore(dataDir);
    let broken = false;
    // Injected fault: this machine offers no full or read-only disk to a test; the store's writes throw as SQLite's would.
    const faulty = new Proxy(store, {
      get(target, prop, receiver) {
        if (broken && (prop === 'appendUpdates' || prop === 'appendBatches' || prop === 'probeWrite')) {
          return () => {
            throw new Error('SQLITE_FULL: database or disk is full');
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const server = await startTestServer(dataDir, {}, { store: faulty });
    cleanups.push(() => removeDir(dataDir), () => server.close());
    const { padId } = await createPad(server.url, 'disk-full');
    const writer = await connectSynced(server.url, padId, 'proposed');
    const reader = await connectSynced(server.url, padId, 'proposed');
    const closes: Array<{ code: number; reason: string }> = [];
    writer.provider.on('connection-close', (event: { code: number; reason: string } | null) => {
      if (event) closes.push({ code: event.code, reason: event.reason });
    });

    broken = true;
    entriesOf(writer.doc).push([createEntry({ title: 'written while the disk is full', addedBy: 'w' })]);
    await waitFor(() => closes.length > 0, 5000, 'the writer to be told');
    expect(closes[0]!.code).toBe(1013);
    expect(closes[0]!.reason).toMatch(/storage/);
    expect(server.store.readLog({ padId, section: 'proposed' })).toEqual([]);
    expect(titles(reader.doc)).toEqual([]);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: string }).error).toContain('disk is full');
    // while broken, the writer keeps retrying and is refused each time; its edit stays in its own document
    await sleep(1500);
    expect(titles(writer.doc)).toEqual(['written while the disk is full']);

    broken = false;
    await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 200, 5000, 'storage to recover');
    await waitFor(() => titles(reader.doc).length === 1, 10_000, 'the edit to arrive once storage is back');
    expect(server.store.readLog({ padId, section: 'proposed' }).length).toBeGreaterThan(0);
    writer.provider.destroy();
    reader.provider.destroy();
  });
});

describe('storage slow to commit', () => {
  it('pages and exports show an update only once it is stored (the mirror, the editor\'s first view, the exports)', async () => {
    const dataDir = tempDataDir();
    const inner = SqliteStorage.open(dataDir);
    let held: Promise<void> | null = null;
    let storedAt = Infinity;
    // Injected delay: a commit that takes as long as the test says (a slow disk, a busy database)
    const storage = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'append') {
          return async (batches: Parameters<SqliteStorage['append']>[0]) => {
            const wait = held;
            if (wait) await wait;
            const result = await target.append(batches);
            if (wait) storedAt = Date.now();
            return result;
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const server = await startTestServer(dataDir, {}, { storage });
    cleanups.push(() => removeDir(dataDir), () => server.close());
    const { padId, readOnlyUrl } = await createPad(server.url, 'slow-commit');
    const writer = await connectSynced(server.url, padId, 'proposed');
    let release!: () => void;
    held = new Promise<void>((resolve) => (release = resolve));
    entriesOf(writer.doc).push([createEntry({ title: 'still being stored', addedBy: 'w' })]);
    await sleep(300); // the update is on the server, in its commit
    const answers = [readOnlyUrl, `${server.url}/p/${padId}`, `${server.url}/api/pads/${padId}/export.json`, `${server.url}/api/pads/${padId}/export.md`].map(
      async (url) => {
        const text = await (await fetch(url)).text();
        return { url, at: Date.now(), shows: text.includes('still being stored') };
      },
    );
    await sleep(300);
    release();
    for (const answer of await Promise.all(answers)) {
      // an answer showing the update came after the update was stored
      if (answer.shows) expect(answer.at, answer.url).toBeGreaterThanOrEqual(storedAt);
    }
    expect(storedAt).toBeLessThan(Infinity);
    writer.provider.destroy();
  });
});

/** A real, tiny file system for DATA_DIR (tmpfs), where the test may mount one (root, as in CI). */
function tinyFileSystem(): { dir: string; unmount: () => void } | null {
  const dir = mkdtempSync(path.join(tmpdir(), 'cyclepad-tinyfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
    return { dir, unmount: () => execFileSync('umount', ['-l', dir], { stdio: 'ignore' }) };
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

const tinyfs = tinyFileSystem();
tinyfs?.unmount();

describe('a real full disk', () => {
  it.skipIf(!tinyfs)('the server refuses writes it cannot keep, stays up, and stores them once space is back (tmpfs; needs mount rights)', async () => {
    const fs = tinyFileSystem()!;
    cleanups.push(() => fs.unmount());
    const server = await spawnServer(fs.dir, { SNAPSHOT_EVERY: '100000' });
    cleanups.push(() => server.process.kill('SIGKILL'));
    const { padId } = await createPad(server.url, 'full-disk');
    const writer = await connectSynced(server.url, padId, 'proposed');
    const reader = await connectSynced(server.url, padId, 'proposed');
    entriesOf(writer.doc).push([createEntry({ title: 'stored before the disk filled', addedBy: 'w' })]);
    await waitFor(() => titles(reader.doc).length === 1);
    // fill the file system
    const filler = path.join(fs.dir, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(64 * 1024));
    } catch {
      /* ENOSPC: full */
    }
    closeSync(fd);
    const closes: number[] = [];
    writer.provider.on('connection-close', (e: { code: number } | null) => e && closes.push(e.code));
    entriesOf(writer.doc).push([createEntry({ title: 'x', note: 'x'.repeat(100_000), addedBy: 'w' })]);
    await waitFor(() => closes.includes(1013), 10_000, 'the writer to be refused with 1013');
    expect(titles(reader.doc)).toHaveLength(1);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    rmSync(filler);
    await waitFor(() => titles(reader.doc).length === 2, 15_000, 'the refused edit to be stored once space is back');
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    writer.provider.destroy();
    reader.provider.destroy();
  }, 40_000);
});

describe('process faults', () => {
  it('SIGTERM: closes sockets with 1012, exits 0; clients reconnect by themselves when it is back', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    const first = await spawnServer(dataDir, { PORT: '0' });
    const { padId } = await createPad(first.url, 'sigterm');
    const port = new URL(first.url).port;
    const raw = new WebSocket(`${first.url.replace('http', 'ws')}/sync/${padId}/proposed`);
    await new Promise((r) => raw.once('open', r));
    const closed = new Promise<number>((r) => raw.once('close', (code) => r(code)));
    const client = connect(first.url, padId, 'proposed');
    await waitFor(() => client.provider.synced);
    entriesOf(client.doc).push([createEntry({ title: 'before restart', addedBy: 'c' })]);
    await waitFor(() => {
      const db = new Database(path.join(dataDir, 'cyclepad.sqlite'), { readonly: true });
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM updates').get() as { n: number }).n > 0;
      } finally {
        db.close();
      }
    }, 5000, 'the edit to be stored');
    first.process.kill('SIGTERM');
    expect(await closed).toBe(1012);
    expect(await first.exited).toBe(0);

    const second = await spawnServer(dataDir, { PORT: port });
    cleanups.push(() => second.process.kill('SIGKILL'), () => client.provider.destroy());
    entriesOf(client.doc).push([createEntry({ title: 'while the server was down', addedBy: 'c' })]);
    await waitFor(() => client.provider.synced && client.provider.wsconnected, 10_000, 'the client to reconnect by itself');
    const other = await connectSynced(second.url, padId, 'proposed');
    await waitFor(() => titles(other.doc).length === 2, 5000, 'the offline edit to arrive');
    expect(titles(other.doc)).toEqual(['before restart', 'while the server was down']);
    other.provider.destroy();
  });

  it('history still names people after a restart (names are stored with the pad, written within a second)', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    let server = await spawnServer(dataDir);
    const { padId } = await createPad(server.url, 'names-restart');
    const bob = await connectSynced(server.url, padId, 'proposed');
    bob.provider.awareness.setLocalStateField('user', { name: 'Bob' });
    entriesOf(bob.doc).push([createEntry({ title: 'by Bob', addedBy: 'bob' })]);
    type History = { revisions: Array<{ session: string; name?: string }> };
    const history = async () => ((await (await fetch(`${server.url}/api/pads/${padId}/history?section=proposed`)).json()) as History).revisions;
    await waitFor(async () => (await history()).some((r) => r.name === 'Bob'), 5000, 'the name in history');
    bob.provider.awareness.setLocalStateField('user', { name: 'Robert' });
    await sleep(1500); // written in the next batch
    bob.provider.destroy();
    server.process.kill('SIGKILL');
    await server.exited;
    server = await spawnServer(dataDir);
    const after = await history();
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => r.name === 'Robert')).toBe(true);
    server.process.kill('SIGTERM');
    await server.exited;
  });

  it('SIGKILL under sustained writes, many times: nothing any client received is lost, the log stays sound', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    let server = await spawnServer(dataDir);
    const { padId } = await createPad(server.url, 'sigkill-loop');
    const seen = new Set<string>();
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      const writer = connect(server.url, padId, 'proposed');
      const observer = connect(server.url, padId, 'proposed');
      await waitFor(() => writer.provider.synced && observer.provider.synced, 5000, 'sync');
      let n = 0;
      const timer = setInterval(() => entriesOf(writer.doc).push([createEntry({ title: `r${round}-${n++}`, addedBy: 'w' })]), 1);
      await sleep(100 + Math.floor(Math.random() * 300));
      server.process.kill('SIGKILL');
      await server.exited;
      clearInterval(timer);
      for (const t of titles(observer.doc)) seen.add(t);
      writer.provider.destroy();
      observer.provider.destroy();
      server = await spawnServer(dataDir);
      const check = await connectSynced(server.url, padId, 'proposed');
      const stored = new Set(titles(check.doc));
      expect([...seen].filter((t) => !stored.has(t)), `round ${round}`).toEqual([]);
      check.provider.destroy();
    }
    server.process.kill('SIGTERM');
    await server.exited;
    expect(seen.size).toBeGreaterThan(rounds * 10);
    const db = new Database(path.join(dataDir, 'cyclepad.sqlite'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  }, 60_000);
});
