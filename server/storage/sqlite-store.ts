import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type {
  CuratorKeyRecord,
  CuratorSessionRecord,
  DocumentRef,
  PadRecord,
  PadStore,
  StoredDocument,
  StoredUpdate,
  UpdateRecord,
} from './store.js';
import type { Role } from '../../shared/roles.js';

const SCHEMA = `
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

interface UpdateRow {
  seq: number;
  data: Buffer;
  role: string;
  session: string;
  at: number;
}

const toStored = (row: UpdateRow): StoredUpdate => ({
  seq: row.seq,
  data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
  role: row.role as Role | 'system',
  session: row.session,
  at: row.at,
});

const toPad = (row: Record<string, unknown> | undefined): PadRecord | undefined =>
  row && {
    id: row.id as string,
    createdAt: row.created_at as number,
    readOnlyTokenHash: row.read_only_token_hash as string,
    readOnlyNonce: row.read_only_nonce as string,
  };

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous = FULL`, so a commit is on disk
 * (not just in the OS cache) before the caller goes on to broadcast. Each document's log is append-only:
 * it is the edit history; snapshots only shorten loading.
 */
export class SqliteStore implements PadStore {
  readonly db: Database.Database;
  private readonly stmts;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, 'cyclepad.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmts = {
      insertPad: db.prepare(
        'INSERT INTO pads (id, created_at, read_only_token_hash, read_only_nonce) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING',
      ),
      getPad: db.prepare('SELECT * FROM pads WHERE id = ?'),
      padByReadOnly: db.prepare('SELECT * FROM pads WHERE read_only_token_hash = ?'),
      insertKey: db.prepare(
        'INSERT INTO curator_keys (id, pad_id, label, key_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      listKeys: db.prepare(
        'SELECT id, pad_id, label, key_hash, created_at FROM curator_keys WHERE pad_id = ? AND revoked_at IS NULL ORDER BY created_at, id',
      ),
      revokeKey: db.prepare(
        'UPDATE curator_keys SET revoked_at = ? WHERE pad_id = ? AND id = ? AND revoked_at IS NULL',
      ),
      lastSeq: db.prepare('SELECT MAX(seq) AS seq FROM updates WHERE pad_id = ? AND section = ?'),
      insertUpdate: db.prepare(
        'INSERT INTO updates (pad_id, section, seq, data, role, session, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      readLog: db.prepare(
        'SELECT seq, data, role, session, at FROM updates WHERE pad_id = ? AND section = ? AND seq > ? ORDER BY seq',
      ),
      getSnapshot: db.prepare('SELECT seq, state FROM snapshots WHERE pad_id = ? AND section = ?'),
      putSnapshot: db.prepare(
        'INSERT INTO snapshots (pad_id, section, seq, state) VALUES (?, ?, ?, ?) ON CONFLICT(pad_id, section) DO UPDATE SET seq = excluded.seq, state = excluded.state WHERE excluded.seq > snapshots.seq',
      ),
      insertSession: db.prepare('INSERT INTO sessions (token_hash, pad_id, key_id, expires_at) VALUES (?, ?, ?, ?)'),
      findSession: db.prepare(
        `SELECT s.token_hash, s.pad_id, s.key_id, s.expires_at FROM sessions s
         JOIN curator_keys k ON k.id = s.key_id AND k.revoked_at IS NULL
         WHERE s.token_hash = ? AND s.expires_at > ?`,
      ),
      deleteSession: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
      keyLive: db.prepare('SELECT 1 FROM curator_keys WHERE id = ? AND revoked_at IS NULL'),
      listPads: db.prepare('SELECT * FROM pads ORDER BY created_at, id'),
      deletePadRows: [
        db.prepare('DELETE FROM updates WHERE pad_id = ?'),
        db.prepare('DELETE FROM snapshots WHERE pad_id = ?'),
        db.prepare('DELETE FROM sessions WHERE pad_id = ?'),
        db.prepare('DELETE FROM curator_keys WHERE pad_id = ?'),
      ],
      deletePad: db.prepare('DELETE FROM pads WHERE id = ?'),
      ping: db.prepare('SELECT 1'),
      probe: db.prepare('INSERT INTO health (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at'),
    };
  }

  createPad(pad: PadRecord, firstCurator: CuratorKeyRecord): boolean {
    return this.db.transaction(() => {
      const { changes } = this.stmts.insertPad.run(pad.id, pad.createdAt, pad.readOnlyTokenHash, pad.readOnlyNonce);
      if (changes === 0) return false;
      this.addCuratorKey(firstCurator);
      return true;
    })();
  }

  getPad(id: string): PadRecord | undefined {
    return toPad(this.stmts.getPad.get(id) as Record<string, unknown> | undefined);
  }

  findPadByReadOnlyHash(hash: string): PadRecord | undefined {
    return toPad(this.stmts.padByReadOnly.get(hash) as Record<string, unknown> | undefined);
  }

  loadDocument(ref: DocumentRef): StoredDocument {
    return this.db.transaction((): StoredDocument => {
      const snap = this.stmts.getSnapshot.get(ref.padId, ref.section) as { seq: number; state: Buffer } | undefined;
      const snapshot = snap ? { seq: snap.seq, state: new Uint8Array(snap.state) } : null;
      return { snapshot, updates: this.readLog(ref, snapshot?.seq ?? 0) };
    })();
  }

  appendUpdates(ref: DocumentRef, updates: UpdateRecord[]): number {
    return this.db.transaction(() => {
      let seq = (this.stmts.lastSeq.get(ref.padId, ref.section) as { seq: number | null }).seq ?? 0;
      for (const u of updates) {
        seq += 1;
        this.stmts.insertUpdate.run(ref.padId, ref.section, seq, u.data, u.role, u.session, u.at);
      }
      return seq;
    })();
  }

  writeSnapshot(ref: DocumentRef, seq: number, state: Uint8Array): void {
    this.stmts.putSnapshot.run(ref.padId, ref.section, seq, state);
  }

  readLog(ref: DocumentRef, afterSeq = 0): StoredUpdate[] {
    return (this.stmts.readLog.all(ref.padId, ref.section, afterSeq) as UpdateRow[]).map(toStored);
  }

  addCuratorKey(key: CuratorKeyRecord): void {
    this.stmts.insertKey.run(key.id, key.padId, key.label, key.keyHash, key.createdAt);
  }

  listCuratorKeys(padId: string): CuratorKeyRecord[] {
    return (this.stmts.listKeys.all(padId) as Record<string, unknown>[]).map((row) => ({
      id: row.id as string,
      padId: row.pad_id as string,
      label: row.label as string,
      keyHash: row.key_hash as string,
      createdAt: row.created_at as number,
    }));
  }

  revokeCuratorKey(padId: string, id: string): boolean {
    return this.stmts.revokeKey.run(Date.now(), padId, id).changes > 0;
  }

  createSession(session: CuratorSessionRecord): void {
    this.stmts.insertSession.run(session.tokenHash, session.padId, session.keyId, session.expiresAt);
  }

  findSession(tokenHash: string, now: number): CuratorSessionRecord | undefined {
    const row = this.stmts.findSession.get(tokenHash, now) as Record<string, unknown> | undefined;
    return row && {
      tokenHash: row.token_hash as string,
      padId: row.pad_id as string,
      keyId: row.key_id as string,
      expiresAt: row.expires_at as number,
    };
  }

  deleteSession(tokenHash: string): void {
    this.stmts.deleteSession.run(tokenHash);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  isCuratorKeyLive(id: string): boolean {
    return this.stmts.keyLive.get(id) !== undefined;
  }

  listPads(): PadRecord[] {
    return (this.stmts.listPads.all() as Record<string, unknown>[]).map((row) => toPad(row)!);
  }

  deletePad(id: string): boolean {
    return this.db.transaction(() => {
      for (const stmt of this.stmts.deletePadRows) stmt.run(id);
      return this.stmts.deletePad.run(id).changes > 0;
    })();
  }

  vacuum(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.exec('VACUUM');
  }

  ping(): void {
    this.stmts.ping.get();
  }

  probeWrite(): void {
    this.stmts.probe.run(Date.now());
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
