/**
 * The data directory holds every pad's name (= its edit link), curator key hashes and the server secret: only the
 * server's own user may read any of it, on a fresh directory and on one an older version left world-readable.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createPad, removeDir, startTestServer, tempDataDir } from '../helpers/server.js';
import { connectSynced } from '../helpers/clients.js';
import { createEntry, entriesOf } from '../../shared/schema.js';
import { waitFor } from '../helpers/wait.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const mode = (file: string) => statSync(file).mode & 0o777;

/** Starts a server on `dataDir`, writes through it (so the WAL and its index exist), and returns the files' modes. */
async function modesAfterUse(dataDir: string) {
  const server = await startTestServer(dataDir);
  cleanups.push(() => server.close());
  const { padId } = await createPad(server.url, `files-${Math.random().toString(36).slice(2, 8)}`);
  const writer = await connectSynced(server.url, padId, 'proposed');
  entriesOf(writer.doc).push([createEntry({ title: 'on disk', addedBy: 'w' })]);
  await waitFor(() => server.store.readLog({ padId, section: 'proposed' }).length === 1);
  writer.provider.destroy();
  const db = path.join(dataDir, 'cyclepad.sqlite');
  for (const f of [db, `${db}-wal`, `${db}-shm`, path.join(dataDir, 'server-secret')]) expect(existsSync(f), f).toBe(true);
  return {
    dir: mode(dataDir),
    db: mode(db),
    wal: mode(`${db}-wal`),
    shm: mode(`${db}-shm`),
    secret: mode(path.join(dataDir, 'server-secret')),
  };
}

const PRIVATE = { dir: 0o700, db: 0o600, wal: 0o600, shm: 0o600, secret: 0o600 };

describe('files at rest', () => {
  it('a fresh data directory is 0700 and the database, its WAL and index, and the server secret are 0600', async () => {
    const parent = tempDataDir();
    cleanups.push(() => removeDir(parent));
    const dataDir = path.join(parent, 'nested', 'data'); // does not exist yet
    expect(await modesAfterUse(dataDir)).toEqual(PRIVATE);
  });

  it('tightens a pre-existing 0755 directory and world-readable files an older version left', async () => {
    const parent = tempDataDir();
    cleanups.push(() => removeDir(parent));
    const dataDir = path.join(parent, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    // an older version's database (WAL mode, left with its -wal and -shm) and secret, all world-readable
    const dbFile = path.join(dataDir, 'cyclepad.sqlite');
    const old = new Database(dbFile);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY, at INTEGER NOT NULL)');
    writeFileSync(path.join(dataDir, 'server-secret'), 'ab'.repeat(32), { mode: 0o644 });
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, path.join(dataDir, 'server-secret')]) {
      if (existsSync(f)) chmodSync(f, 0o644);
    }
    old.close();
    expect(mode(dataDir)).toBe(0o755);
    expect(mode(dbFile)).toBe(0o644);
    expect(await modesAfterUse(dataDir)).toEqual(PRIVATE);
  });
});
