/**
 * Versioned schema migrations: a database made by the schema before versioning (user_version 0) is recognised as
 * migration 1 and brought up to date in place, keeping its pads, keys, sessions, log and snapshots; log and
 * snapshot rows then belong to their pad (foreign keys), and the result is the schema a fresh database gets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import path from 'node:path';
import { SCHEMA_VERSION, SqliteStore } from '../../server/storage/sqlite-store.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

const cleanups: Array<() => unknown> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** The schema exactly as cyclepad created it before migrations existed. */
const OLD_SCHEMA = `
CREATE TABLE IF NOT EXISTS pads (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  read_only_token_hash TEXT NOT NULL UNIQUE,
  read_only_nonce TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS curator_keys (
  id TEXT PRIMARY KEY,
  pad_id TEXT NOT NULL REFERENCES pads(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS curator_keys_pad ON curator_keys(pad_id);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  pad_id TEXT NOT NULL REFERENCES pads(id) ON DELETE CASCADE,
  key_id TEXT NOT NULL REFERENCES curator_keys(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS updates (
  pad_id TEXT NOT NULL,
  section TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  role TEXT NOT NULL,
  session TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (pad_id, section, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
  pad_id TEXT NOT NULL,
  section TEXT NOT NULL,
  seq INTEGER NOT NULL,
  state BLOB NOT NULL,
  PRIMARY KEY (pad_id, section)
) WITHOUT ROWID;
`;

const FAR = Date.now() + 3600_000;

/** A database as the old version left it, with two pads (one whose PTL key was reset) and a stray log row. */
function oldDatabase(dataDir: string): void {
  const db = new Database(path.join(dataDir, 'cyclepad.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(OLD_SCHEMA);
  const pad = db.prepare('INSERT INTO pads VALUES (?, ?, ?, ?)');
  pad.run('nova', 1000, 'a'.repeat(64), 'n1');
  pad.run('reset', 2000, 'b'.repeat(64), 'n2');
  const key = db.prepare('INSERT INTO curator_keys VALUES (?, ?, ?, ?, ?, ?)');
  key.run('k-ptl', 'nova', 'PTL', 'c'.repeat(64), 1000, null);
  key.run('k-del', 'nova', 'alice', 'd'.repeat(64), 1500, null);
  key.run('k-gone', 'nova', 'bob', 'e'.repeat(64), 1600, 1700);
  key.run('r-old', 'reset', 'PTL', 'f'.repeat(64), 2000, 2500); // reset-ptl revoked it…
  key.run('r-new', 'reset', 'PTL', '1'.repeat(64), 2500, null); // …and made this one
  db.prepare('INSERT INTO sessions VALUES (?, ?, ?, ?)').run('s'.repeat(64), 'nova', 'k-del', FAR);
  const update = db.prepare('INSERT INTO updates VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (let seq = 1; seq <= 3; seq++) update.run('nova', 'proposed', seq, Buffer.from([seq, 9]), 'contributor', `contributor:x${seq}`, 1000 + seq);
  update.run('nova', 'ready', 1, Buffer.from([7]), 'curator', 'curator:k-ptl', 1100);
  update.run('deleted-long-ago', 'proposed', 1, Buffer.from([1]), 'contributor', 'contributor:y', 900); // no pad
  db.prepare('INSERT INTO snapshots VALUES (?, ?, ?, ?)').run('nova', 'proposed', 2, Buffer.from([4, 2]));
  db.prepare('INSERT INTO snapshots VALUES (?, ?, ?, ?)').run('deleted-long-ago', 'proposed', 1, Buffer.from([1]));
  expect(db.pragma('user_version', { simple: true })).toBe(0);
  db.close();
}

const schemaOf = (db: Database.Database) =>
  (db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { sql: string | null }[])
    .map((row) => ({ ...row, sql: row.sql?.replace(/\s+/g, ' ').replace(/"/g, '') }));

function open(dataDir: string): SqliteStore {
  const store = new SqliteStore(dataDir);
  cleanups.push(() => store.close());
  return store;
}

describe('schema migrations', () => {
  it('migrates a database made by the old schema in place, keeping its pads, keys, sessions, log and snapshots', () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    oldDatabase(dataDir);
    const store = open(dataDir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(7);

    expect(store.listPads().map((p) => p.id)).toEqual(['nova', 'reset']);
    expect(store.getPad('nova')!.readOnlyTokenHash).toBe('a'.repeat(64));
    // live keys kept; the PTL key recognised; makers unknown before migration 3
    expect(store.listCuratorKeys('nova').map((k) => [k.id, k.ptl, k.createdBy])).toEqual([
      ['k-ptl', true, null],
      ['k-del', false, null],
    ]);
    expect(store.listCuratorKeys('reset').map((k) => [k.id, k.ptl])).toEqual([['r-new', true]]);
    expect(store.findSession('s'.repeat(64), Date.now())?.keyId).toBe('k-del');
    // the log and the snapshot, byte for byte
    const proposed = store.loadDocument({ padId: 'nova', section: 'proposed' });
    expect(proposed.snapshot).toEqual({ seq: 2, state: new Uint8Array([4, 2]) });
    expect(store.readLog({ padId: 'nova', section: 'proposed' }).map((u) => [u.seq, [...u.data], u.session, u.at])).toEqual([
      [1, [1, 9], 'contributor:x1', 1001],
      [2, [2, 9], 'contributor:x2', 1002],
      [3, [3, 9], 'contributor:x3', 1003],
    ]);
    expect(store.readLog({ padId: 'nova', section: 'ready' })).toHaveLength(1);
    // rows of no pad are not carried over
    expect(store.readLog({ padId: 'deleted-long-ago', section: 'proposed' })).toEqual([]);
    expect(store.loadDocument({ padId: 'deleted-long-ago', section: 'proposed' }).snapshot).toBeNull();
    // and it keeps working: appending continues the sequence
    expect(store.appendUpdates({ padId: 'nova', section: 'proposed' }, [{ data: new Uint8Array([5]), role: 'contributor', session: 's', at: 5 }])).toBe(4);
  });

  it('ends with exactly the schema a fresh database gets, with foreign keys on the log and snapshots', () => {
    const oldDir = tempDataDir();
    const freshDir = tempDataDir();
    cleanups.push(() => removeDir(oldDir), () => removeDir(freshDir));
    oldDatabase(oldDir);
    const migrated = open(oldDir);
    const fresh = open(freshDir);
    expect(schemaOf(migrated.db)).toEqual(schemaOf(fresh.db));
    for (const table of ['updates', 'snapshots', 'revisions', 'history_checkpoints', 'curator_keys', 'sessions']) {
      const fks = migrated.db.pragma(`foreign_key_list(${table})`) as { table: string; on_delete: string }[];
      expect(fks.some((fk) => fk.table === 'pads' && fk.on_delete === 'CASCADE'), table).toBe(true);
    }
    expect(migrated.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('opening again (another process, a restart) migrates nothing twice', () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    oldDatabase(dataDir);
    open(dataDir).close();
    const again = open(dataDir);
    const also = open(dataDir); // two open at once, as the admin CLI beside a server
    expect(again.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(also.listCuratorKeys('nova')).toHaveLength(2);
    expect(again.readLog({ padId: 'nova', section: 'proposed' })).toHaveLength(3);
  });

  it('refuses a database from a newer cyclepad instead of guessing', () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    open(dataDir).close();
    const db = new Database(path.join(dataDir, 'cyclepad.sqlite'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStore(dataDir)).toThrow(/newer than this cyclepad/);
  });
});
