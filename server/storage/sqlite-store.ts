import Database from 'better-sqlite3';
import path from 'node:path';
import type {
  CuratorKeyLabel,
  CuratorKeyRecord,
  CuratorSessionRecord,
  DocumentRef,
  PadRecord,
  PadStore,
  StoredDocument,
  StoredRevision,
  StoredUpdate,
  UpdateRecord,
} from './store.js';
import { ensurePrivateDir, ensurePrivateFile, tightenIfPresent } from './files.js';
import type { Role } from '../../shared/roles.js';
import type { GuardNoticeData } from '../../shared/presence.js';
import { SESSION_NAMES_PER_PAD, type AppendBatch, type AppendResult, type PadExport, type SessionName, type StatusRow } from './storage.js';

/**
 * Schema migrations, applied in order at open, all pending ones in one (immediate) transaction, and recorded in
 * `PRAGMA user_version`. Never edit a migration that has shipped: add the next one.
 */
export const MIGRATIONS: readonly { version: number; why: string; sql: string }[] = [
  {
    version: 1,
    why: 'the original schema (databases made before versioning have these tables at user_version 0)',
    sql: `
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
`,
  },
  {
    version: 2,
    why: 'log and snapshot rows belong to their pad: a write for a missing pad fails, deleting a pad deletes them',
    sql: `
CREATE TABLE updates_v2 (
  pad_id TEXT NOT NULL,
  section TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  role TEXT NOT NULL,
  session TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (pad_id, section, seq),
  FOREIGN KEY (pad_id) REFERENCES pads(id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO updates_v2 (pad_id, section, seq, data, role, session, at)
  SELECT pad_id, section, seq, data, role, session, at FROM updates WHERE pad_id IN (SELECT id FROM pads);
DROP TABLE updates;
ALTER TABLE updates_v2 RENAME TO updates;
CREATE TABLE snapshots_v2 (
  pad_id TEXT NOT NULL,
  section TEXT NOT NULL,
  seq INTEGER NOT NULL,
  state BLOB NOT NULL,
  PRIMARY KEY (pad_id, section),
  FOREIGN KEY (pad_id) REFERENCES pads(id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO snapshots_v2 (pad_id, section, seq, state)
  SELECT pad_id, section, seq, state FROM snapshots WHERE pad_id IN (SELECT id FROM pads);
DROP TABLE snapshots;
ALTER TABLE snapshots_v2 RENAME TO snapshots;
`,
  },
  {
    version: 3,
    why: 'curator hierarchy: who made each key, and which key is the PTL key',
    // Keys made before this have no recorded maker (NULL: only the PTL may revoke them). The PTL key of an existing
    // pad is its oldest live key labelled "PTL": the one made with the pad, or the one `reset-ptl` made after
    // revoking every other "PTL" key.
    sql: `
ALTER TABLE curator_keys ADD COLUMN created_by TEXT;
ALTER TABLE curator_keys ADD COLUMN is_ptl INTEGER NOT NULL DEFAULT 0;
UPDATE curator_keys SET is_ptl = 1 WHERE id IN (
  SELECT (SELECT k.id FROM curator_keys k
          WHERE k.pad_id = p.id AND k.label = 'PTL' AND k.revoked_at IS NULL
          ORDER BY k.created_at, k.id LIMIT 1)
  FROM pads p
);
CREATE INDEX curator_keys_created_by ON curator_keys(created_by);
CREATE INDEX sessions_key ON sessions(key_id);
`,
  },
  {
    version: 4,
    why: 'history index: one summary per revision, and the state as of the last indexed revision',
    sql: `
CREATE TABLE revisions (
  pad_id TEXT NOT NULL,
  section TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  role TEXT NOT NULL,
  session TEXT NOT NULL,
  summary TEXT NOT NULL,
  PRIMARY KEY (pad_id, section, seq),
  FOREIGN KEY (pad_id) REFERENCES pads(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE history_checkpoints (
  pad_id TEXT NOT NULL,
  section TEXT NOT NULL,
  seq INTEGER NOT NULL,
  state BLOB NOT NULL,
  PRIMARY KEY (pad_id, section),
  FOREIGN KEY (pad_id) REFERENCES pads(id) ON DELETE CASCADE
) WITHOUT ROWID;
`,
  },
  {
    version: 5,
    why: 'guard notices kept with the pad (shared by every process), and leases (one process at a time for a job)',
    sql: `
CREATE TABLE guard_notices (
  pad_id TEXT PRIMARY KEY REFERENCES pads(id) ON DELETE CASCADE,
  notices TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 6,
    why: 'live review status: one cache row per Gerrit/Launchpad item for the whole installation (server/status)',
    sql: `
CREATE TABLE status_cache (
  key TEXT PRIMARY KEY,
  value TEXT,
  etag TEXT,
  fetched_at INTEGER NOT NULL DEFAULT 0,
  next_check_at INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  wanted_at INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX status_cache_due ON status_cache (next_check_at);
`,
  },
  {
    version: 7,
    why: 'the names sessions went by, kept with the pad (history names people after a restart and on every process)',
    sql: `
CREATE TABLE session_names (
  pad_id TEXT NOT NULL REFERENCES pads(id) ON DELETE CASCADE,
  session TEXT NOT NULL,
  name TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (pad_id, session)
) WITHOUT ROWID;
CREATE INDEX session_names_recent ON session_names (pad_id, at);
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Brings the database to SCHEMA_VERSION; refuses a database made by a newer version. */
export function migrate(db: Database.Database): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  if (version() > SCHEMA_VERSION) {
    throw new Error(`the database is at schema version ${version()}, newer than this cyclepad (${SCHEMA_VERSION}): upgrade cyclepad`);
  }
  if (version() === SCHEMA_VERSION) return;
  // Table rebuilds need foreign key enforcement off (it cannot change inside a transaction); the migrated
  // database is checked with foreign_key_check before it commits.
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      // Re-read inside the (immediate, so exclusive for writers) transaction: another process may have migrated.
      let current = version();
      if (current === 0 && db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pads'").get()) {
        current = 1; // made before versioning: exactly migration 1's schema
      }
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        db.exec(m.sql);
        current = m.version;
      }
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) throw new Error(`schema migration left ${violations.length} foreign key violations`);
      db.pragma(`user_version = ${current}`);
    }).immediate();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

interface UpdateRow {
  seq: number;
  data: Buffer;
  role: string;
  session: string;
  at: number;
}

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

const toStored = (row: UpdateRow): StoredUpdate => ({
  seq: row.seq,
  data: bytes(row.data),
  role: row.role as Role | 'system',
  session: row.session,
  at: row.at,
});

const toStatusRow = (row: Record<string, unknown>): StatusRow => ({
  key: row.key as string,
  value: (row.value as string | null) ?? null,
  etag: (row.etag as string | null) ?? null,
  fetchedAt: Number(row.fetched_at),
  nextCheckAt: Number(row.next_check_at),
  failures: Number(row.failures),
});

const toPad = (row: Record<string, unknown> | undefined): PadRecord | undefined =>
  row && {
    id: row.id as string,
    createdAt: row.created_at as number,
    readOnlyTokenHash: row.read_only_token_hash as string,
    readOnlyNonce: row.read_only_nonce as string,
  };

const toKey = (row: Record<string, unknown>): CuratorKeyRecord => ({
  id: row.id as string,
  padId: row.pad_id as string,
  label: row.label as string,
  keyHash: row.key_hash as string,
  createdAt: row.created_at as number,
  createdBy: (row.created_by as string | null) ?? null,
  ptl: row.is_ptl === 1,
});

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous = FULL`, so a commit is on disk
 * (not just in the OS cache) before the caller goes on to broadcast. Each document's log is append-only:
 * it is the edit history; snapshots only shorten loading. Every row of a pad references it (ON DELETE CASCADE), so
 * nothing can be written for a pad that does not exist and deleting a pad is one statement.
 */
export class SqliteStore implements PadStore {
  readonly db: Database.Database;
  private readonly stmts;
  /**
   * Runs a function in a transaction. Made once: better-sqlite3 builds a transaction function's four variants each
   * time one is made, and the group commit runs one for every commit.
   */
  private readonly runInTransaction: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(dataDir: string) {
    ensurePrivateDir(dataDir);
    const file = path.join(dataDir, 'cyclepad.sqlite');
    // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database file's mode.
    ensurePrivateFile(file);
    tightenIfPresent(`${file}-wal`);
    tightenIfPresent(`${file}-shm`);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.db.pragma('foreign_keys = ON');
    const db = this.db;
    this.stmts = {
      insertPad: db.prepare(
        'INSERT INTO pads (id, created_at, read_only_token_hash, read_only_nonce) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING',
      ),
      getPad: db.prepare('SELECT * FROM pads WHERE id = ?'),
      /** A pad's incarnation (its read_only_nonce), or undefined if there is no such pad. */
      padIncarnation: db.prepare('SELECT read_only_nonce FROM pads WHERE id = ?').pluck(),
      padByReadOnly: db.prepare('SELECT * FROM pads WHERE read_only_token_hash = ?'),
      insertKey: db.prepare(
        'INSERT INTO curator_keys (id, pad_id, label, key_hash, created_at, created_by, is_ptl) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      listKeys: db.prepare(
        'SELECT id, pad_id, label, key_hash, created_at, created_by, is_ptl FROM curator_keys WHERE pad_id = ? AND revoked_at IS NULL ORDER BY created_at, id',
      ),
      /** The live key and every live key made under it, transitively (never the PTL key through the cascade). */
      keyTree: db.prepare(
        `WITH RECURSIVE tree(id) AS (
           SELECT id FROM curator_keys WHERE pad_id = @pad AND id = @id AND revoked_at IS NULL
           UNION
           SELECT k.id FROM curator_keys k JOIN tree t ON k.created_by = t.id
           WHERE k.pad_id = @pad AND k.revoked_at IS NULL AND k.is_ptl = 0
         ) SELECT id FROM tree`,
      ),
      livePtlKeys: db.prepare('SELECT id FROM curator_keys WHERE pad_id = ? AND is_ptl = 1 AND revoked_at IS NULL'),
      revokeKey: db.prepare('UPDATE curator_keys SET revoked_at = ? WHERE pad_id = ? AND id = ? AND revoked_at IS NULL'),
      deleteKeySessions: db.prepare('DELETE FROM sessions WHERE key_id = ?'),
      lastSeq: db.prepare('SELECT MAX(seq) AS seq FROM updates WHERE pad_id = ? AND section = ?'),
      insertUpdate: db.prepare(
        'INSERT INTO updates (pad_id, section, seq, data, role, session, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      readLog: db.prepare(
        'SELECT seq, data, role, session, at FROM updates WHERE pad_id = ? AND section = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      getSnapshot: db.prepare('SELECT seq, state FROM snapshots WHERE pad_id = ? AND section = ?'),
      putSnapshot: db.prepare(
        'INSERT INTO snapshots (pad_id, section, seq, state) VALUES (?, ?, ?, ?) ON CONFLICT(pad_id, section) DO UPDATE SET seq = excluded.seq, state = excluded.state WHERE excluded.seq > snapshots.seq',
      ),
      listRevisions: db.prepare(
        'SELECT seq, at, role, session, summary FROM revisions WHERE pad_id = ? AND section = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
      ),
      insertRevision: db.prepare(
        'INSERT INTO revisions (pad_id, section, seq, at, role, session, summary) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      getCheckpoint: db.prepare('SELECT seq, state FROM history_checkpoints WHERE pad_id = ? AND section = ?'),
      putCheckpoint: db.prepare(
        'INSERT INTO history_checkpoints (pad_id, section, seq, state) VALUES (?, ?, ?, ?) ON CONFLICT(pad_id, section) DO UPDATE SET seq = excluded.seq, state = excluded.state WHERE excluded.seq >= history_checkpoints.seq',
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
      deletePad: db.prepare('DELETE FROM pads WHERE id = ?'),
      ping: db.prepare('SELECT 1'),
      probe: db.prepare('INSERT INTO health (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at'),
    };
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, prepared once (preparing on every call cost more than running some of them). */
  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  createPad(pad: PadRecord, firstCurator: CuratorKeyRecord): boolean {
    return this.transaction(() => {
      const { changes } = this.stmts.insertPad.run(pad.id, pad.createdAt, pad.readOnlyTokenHash, pad.readOnlyNonce);
      if (changes === 0) return false;
      this.addCuratorKey(firstCurator);
      return true;
    });
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

  /**
   * Appends to a document's log, in the caller's transaction if there is one (the group commit's: a nested one would
   * cost a SAVEPOINT and a RELEASE per document), else in its own.
   */
  appendUpdates(ref: DocumentRef, updates: UpdateRecord[]): number {
    return this.db.inTransaction ? this.insertUpdates(ref, updates) : this.transaction(() => this.insertUpdates(ref, updates));
  }

  private insertUpdates(ref: DocumentRef, updates: UpdateRecord[]): number {
    let seq = (this.stmts.lastSeq.get(ref.padId, ref.section) as { seq: number | null }).seq ?? 0;
    for (const u of updates) {
      seq += 1;
      this.stmts.insertUpdate.run(ref.padId, ref.section, seq, u.data, u.role, u.session, u.at);
    }
    return seq;
  }

  writeSnapshot(ref: DocumentRef, seq: number, state: Uint8Array): void {
    this.stmts.putSnapshot.run(ref.padId, ref.section, seq, state);
  }

  readLog(ref: DocumentRef, afterSeq = 0, limit = -1): StoredUpdate[] {
    return (this.stmts.readLog.all(ref.padId, ref.section, afterSeq, limit) as UpdateRow[]).map(toStored);
  }

  listRevisionSummaries(ref: DocumentRef, limit: number, beforeSeq?: number): StoredRevision[] {
    const before = beforeSeq ?? Number.MAX_SAFE_INTEGER;
    return (this.stmts.listRevisions.all(ref.padId, ref.section, before, limit) as StoredRevision[]).map((r) => ({
      seq: r.seq,
      at: r.at,
      role: r.role,
      session: r.session,
      summary: r.summary,
    }));
  }

  historyCheckpoint(ref: DocumentRef): { seq: number; state: Uint8Array } | null {
    const row = this.stmts.getCheckpoint.get(ref.padId, ref.section) as { seq: number; state: Buffer } | undefined;
    return row ? { seq: row.seq, state: new Uint8Array(row.state) } : null;
  }

  indexRevisions(ref: DocumentRef, rows: StoredRevision[], checkpoint: { seq: number; state: Uint8Array }): void {
    this.transaction(() => {
      for (const r of rows) this.stmts.insertRevision.run(ref.padId, ref.section, r.seq, r.at, r.role, r.session, r.summary);
      this.stmts.putCheckpoint.run(ref.padId, ref.section, checkpoint.seq, checkpoint.state);
    });
  }

  addCuratorKey(key: CuratorKeyRecord): void {
    this.stmts.insertKey.run(key.id, key.padId, key.label, key.keyHash, key.createdAt, key.createdBy, key.ptl ? 1 : 0);
  }

  listCuratorKeys(padId: string): CuratorKeyRecord[] {
    return (this.stmts.listKeys.all(padId) as Record<string, unknown>[]).map(toKey);
  }

  listCuratorKeyLabels(padId: string): CuratorKeyLabel[] {
    const rows = this.stmt('SELECT id, label, revoked_at FROM curator_keys WHERE pad_id = ? ORDER BY created_at, id').all(padId) as Array<{ id: string; label: string; revoked_at: number | null }>;
    return rows.map((r) => ({ id: r.id, label: r.label, revoked: r.revoked_at !== null }));
  }

  revokeCuratorKeys(padId: string, id: string): string[] {
    return this.transaction(() => {
      const ids = (this.stmts.keyTree.all({ pad: padId, id }) as { id: string }[]).map((r) => r.id);
      this.revokeIds(padId, ids);
      return ids;
    });
  }

  replacePtlKey(padId: string, key: CuratorKeyRecord): string[] {
    return this.transaction(() => {
      const ids = (this.stmts.livePtlKeys.all(padId) as { id: string }[]).map((r) => r.id);
      this.revokeIds(padId, ids);
      this.addCuratorKey({ ...key, padId, createdBy: null, ptl: true });
      return ids;
    });
  }

  private revokeIds(padId: string, ids: string[]): void {
    const now = Date.now();
    for (const id of ids) {
      this.stmts.revokeKey.run(now, padId, id);
      this.stmts.deleteKeySessions.run(id);
    }
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

  isSessionLive(tokenHash: string, now: number): boolean {
    return this.stmts.findSession.get(tokenHash, now) !== undefined;
  }

  deleteSession(tokenHash: string): void {
    this.stmts.deleteSession.run(tokenHash);
  }

  transaction<T>(fn: () => T): T {
    // BEGIN IMMEDIATE: the write lock first (waiting up to busy_timeout), never a read that must later upgrade:
    // in WAL mode that upgrade fails at once (SQLITE_BUSY_SNAPSHOT) when another process (the admin command line)
    // committed in between, and the commit would count as a storage failure
    return this.runInTransaction.immediate(fn) as T;
  }

  /** Whether the pad exists and is the one a document was loaded for (not another pad made since under its name). */
  private isIncarnation(padId: string, incarnation: string): boolean {
    return this.stmts.padIncarnation.get(padId) === incarnation;
  }

  isCuratorKeyLive(id: string): boolean {
    return this.stmts.keyLive.get(id) !== undefined;
  }

  listPads(): PadRecord[] {
    return (this.stmts.listPads.all() as Record<string, unknown>[]).map((row) => toPad(row)!);
  }

  /** One statement, so one transaction: the keys, sessions, log, snapshots and history index go with the pad. */
  deletePad(id: string): boolean {
    return this.transaction(() => this.stmts.deletePad.run(id).changes > 0);
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

  /** See {@link Storage.append}: one transaction for every batch; a batch whose pad is gone writes nothing. */
  appendBatches(batches: AppendBatch[]): AppendResult[] {
    return this.transaction(() =>
      batches.map((b): AppendResult => {
        if (!this.isIncarnation(b.ref.padId, b.incarnation)) return { gone: true };
        const lastSeq = this.appendUpdates(b.ref, b.updates);
        return { firstSeq: lastSeq - b.updates.length + 1, lastSeq };
      }),
    );
  }

  headSeq(ref: DocumentRef): number {
    return (this.stmt('SELECT MAX(seq) AS seq FROM updates WHERE pad_id = ? AND section = ?').get(ref.padId, ref.section) as { seq: number | null }).seq ?? 0;
  }

  /** Stores the snapshot unless the pad is gone (or is another pad of the same name); false if so. */
  writeSnapshotOf(ref: DocumentRef, incarnation: string, seq: number, state: Uint8Array): boolean {
    return this.transaction(() => {
      if (!this.isIncarnation(ref.padId, incarnation)) return false;
      this.writeSnapshot(ref, seq, state);
      return true;
    });
  }

  listGuardNotices(padId: string): GuardNoticeData[] {
    const row = this.stmt('SELECT notices FROM guard_notices WHERE pad_id = ?').get(padId) as { notices: string } | undefined;
    return row ? (JSON.parse(row.notices) as GuardNoticeData[]) : [];
  }

  updateGuardNotices(padId: string, change: (notices: GuardNoticeData[]) => GuardNoticeData[] | null): GuardNoticeData[] | null {
    return this.transaction(() => {
      if (this.stmts.padIncarnation.get(padId) === undefined) return null; // no such pad
      const next = change(this.listGuardNotices(padId));
      if (next) this.saveGuardNotices(padId, next);
      return next;
    });
  }

  saveGuardNotices(padId: string, notices: GuardNoticeData[]): void {
    if (notices.length === 0) this.stmt('DELETE FROM guard_notices WHERE pad_id = ?').run(padId);
    else {
      this.db
        .prepare('INSERT INTO guard_notices (pad_id, notices) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM pads WHERE id = ?) ON CONFLICT(pad_id) DO UPDATE SET notices = excluded.notices')
        .run(padId, JSON.stringify(notices), padId);
    }
  }

  saveSessionNames(padId: string, incarnation: string, names: readonly SessionName[]): void {
    if (names.length === 0) return;
    this.transaction(() => {
      const upsert = this.stmt(
        `INSERT INTO session_names (pad_id, session, name, at) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM pads WHERE id = ? AND read_only_nonce = ?)
         ON CONFLICT(pad_id, session) DO UPDATE SET name = excluded.name, at = excluded.at WHERE excluded.at >= session_names.at`,
      );
      for (const n of names) upsert.run(padId, n.session, n.name, n.at, padId, incarnation);
      // the pad's most recently named sessions stay (an index walk of at most that many rows)
      this.stmt(
        `DELETE FROM session_names WHERE pad_id = ? AND at < (SELECT at FROM session_names WHERE pad_id = ? ORDER BY at DESC LIMIT 1 OFFSET ${SESSION_NAMES_PER_PAD - 1})`,
      ).run(padId, padId);
    });
  }

  listSessionNames(padId: string, sessions?: readonly string[]): SessionName[] {
    const rows = sessions
      ? this.stmt("SELECT session, name, at FROM session_names WHERE pad_id = ? AND session IN (SELECT value FROM json_each(?))").all(padId, JSON.stringify(sessions))
      : this.stmt('SELECT session, name, at FROM session_names WHERE pad_id = ? ORDER BY at, session').all(padId);
    return rows as SessionName[];
  }

  tryLease(name: string, holder: string, ttlMs: number, now = Date.now()): boolean {
    const { changes } = this.db
      .prepare(
        `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
      )
      .run(name, holder, now + ttlMs, now);
    return changes > 0;
  }

  // --- live review status (server/status) ---------------------------------------------------------------------------

  readStatus(keys: string[]): StatusRow[] {
    if (keys.length === 0) return [];
    // one statement for all (a 500-entry pad asks for 1,500 keys: a statement each took 12 ms of every page it rendered)
    const rows = this.stmt('SELECT key, value, etag, fetched_at, next_check_at, failures FROM status_cache WHERE key IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify([...new Set(keys)])) as Array<Record<string, unknown>>;
    return rows.map(toStatusRow);
  }

  wantStatus(keys: string[], now: number): void {
    const want = this.stmt(
      'INSERT INTO status_cache (key, wanted_at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET wanted_at = MAX(wanted_at, excluded.wanted_at)',
    );
    this.transaction(() => {
      for (const key of new Set(keys)) want.run(key, now);
    });
  }

  dueStatus(now: number, wantedSince: number, limit: number): string[] {
    return (
      this.db
        .prepare('SELECT key FROM status_cache WHERE next_check_at <= ? AND wanted_at >= ? ORDER BY next_check_at, key LIMIT ?')
        .all(now, wantedSince, limit) as Array<{ key: string }>
    ).map((r) => r.key);
  }

  writeStatus(rows: StatusRow[]): void {
    const write = this.stmt(
      `INSERT INTO status_cache (key, value, etag, fetched_at, next_check_at, failures) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, etag = excluded.etag, fetched_at = excluded.fetched_at,
         next_check_at = excluded.next_check_at, failures = excluded.failures`,
    );
    this.transaction(() => {
      for (const r of rows) write.run(r.key, r.value, r.etag, r.fetchedAt, r.nextCheckAt, r.failures);
    });
  }

  forgetStatus(before: number): number {
    return this.stmt('DELETE FROM status_cache WHERE wanted_at < ? AND fetched_at < ?').run(before, before).changes;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** See {@link PadCopy.exportPad}. */
  exportPad(id: string): PadExport | undefined {
    return this.db.transaction((): PadExport | undefined => {
      const pad = this.getPad(id);
      if (!pad) return undefined;
      const keys = (
        this.db
          .prepare('SELECT id, pad_id, label, key_hash, created_at, created_by, is_ptl, revoked_at FROM curator_keys WHERE pad_id = ? ORDER BY created_at, id')
          .all(id) as Record<string, unknown>[]
      ).map((row) => ({ ...toKey(row), revokedAt: (row.revoked_at as number | null) ?? null }));
      const sessions = (
        this.stmt('SELECT token_hash, pad_id, key_id, expires_at FROM sessions WHERE pad_id = ? ORDER BY token_hash').all(id) as Record<string, unknown>[]
      ).map((row) => ({
        tokenHash: row.token_hash as string,
        padId: row.pad_id as string,
        keyId: row.key_id as string,
        expiresAt: row.expires_at as number,
      }));
      return { pad, keys, sessions };
    })();
  }

  /** See {@link PadCopy.importPad}. */
  importPad(data: PadExport): boolean {
    return this.transaction(() => {
      const { pad } = data;
      if (this.stmts.insertPad.run(pad.id, pad.createdAt, pad.readOnlyTokenHash, pad.readOnlyNonce).changes === 0) return false;
      const insertKey = this.stmt(
        'INSERT INTO curator_keys (id, pad_id, label, key_hash, created_at, created_by, is_ptl, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const k of data.keys) insertKey.run(k.id, pad.id, k.label, k.keyHash, k.createdAt, k.createdBy, k.ptl ? 1 : 0, k.revokedAt);
      for (const s of data.sessions) this.stmts.insertSession.run(s.tokenHash, pad.id, s.keyId, s.expiresAt);
      return true;
    });
  }

  /** See {@link PadCopy.importLog}. */
  importLog(ref: DocumentRef, incarnation: string, rows: StoredUpdate[]): boolean {
    return this.transaction(() => {
      if (!this.isIncarnation(ref.padId, incarnation)) return false;
      let last = this.headSeq(ref);
      for (const r of rows) {
        if (r.seq <= last) throw new Error(`importLog: row ${r.seq} is not after ${last}`);
        this.stmts.insertUpdate.run(ref.padId, ref.section, r.seq, r.data, r.role, r.session, r.at);
        last = r.seq;
      }
      return true;
    });
  }
}
