/**
 * Storage on PostgreSQL (`DATABASE_URL=postgres://…`), shared by every server process.
 *
 * - Versioned migrations at start: a `schema_migrations` table; each migration in its own transaction under a
 *   transaction-level advisory lock, so processes starting together migrate once and never see half a schema.
 * - Sequence numbers in commit order, without gaps: each document has a head row `document_heads(pad_id, section,
 *   seq)`, moved (and so row-locked until commit) by the transaction that appends. A second appender waits for the
 *   first to commit and continues after its last number, so a reader that has seen seq n has also seen every row
 *   below n. A PostgreSQL sequence is never used for seq: its values can commit out of order.
 * - The pad's incarnation (`read_only_nonce`) is checked with the pad row locked FOR SHARE in the appending
 *   transaction: a concurrent delete waits for the append (or the append finds no pad and writes nothing).
 * - Head rows are locked in one order (pad, section) by every appender, so appenders cannot deadlock.
 * - The server secret is one row, made once by whichever process asks first.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SESSION_NAMES_PER_PAD, type AppendBatch, type AppendResult, type PadExport, type SessionName, type StatusRow, type Storage } from './storage.js';
import type {
  CuratorKeyLabel,
  CuratorKeyRecord,
  CuratorSessionRecord,
  DocumentRef,
  PadRecord,
  StoredDocument,
  StoredRevision,
  StoredUpdate,
} from './store.js';
import type { Role } from '../../shared/roles.js';
import type { GuardNoticeData } from '../../shared/presence.js';

/** Never edit a migration that has shipped: add the next one. */
export const PG_MIGRATIONS: readonly { version: number; why: string; sql: string }[] = [
  {
    version: 1,
    why: 'the schema of SQLite migration 5, plus per-document head rows and the shared server secret',
    sql: `
CREATE TABLE pads (
  id TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL,
  read_only_token_hash TEXT NOT NULL UNIQUE,
  read_only_nonce TEXT NOT NULL
);
CREATE TABLE curator_keys (
  id TEXT PRIMARY KEY,
  pad_id TEXT NOT NULL REFERENCES pads(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  created_by TEXT,
  is_ptl BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX curator_keys_pad ON curator_keys(pad_id);
CREATE INDEX curator_keys_created_by ON curator_keys(created_by);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  pad_id TEXT NOT NULL REFERENCES pads(id) ON DELETE CASCADE,
  key_id TEXT NOT NULL REFERENCES curator_keys(id) ON DELETE CASCADE,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_key ON sessions(key_id);
CREATE INDEX sessions_pad ON sessions(pad_id);
CREATE TABLE document_heads (
  pad_id TEXT NOT NULL REFERENCES pads(id) ON DELETE CASCADE,
  section TEXT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (pad_id, section)
);
CREATE TABLE updates (
  pad_id TEXT NOT NULL REFERENCES pads(id) ON DELETE CASCADE,
  section TEXT NOT NULL,
  seq BIGINT NOT NULL,
  data BYTEA NOT NULL,
  role TEXT NOT NULL,
  session TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (pad_id, section, seq)
);
CREATE TABLE snapshots (
  pad_id TEXT NOT NULL REFERENCES pads(id) ON DELETE CASCADE,
  section TEXT NOT NULL,
  seq BIGINT NOT NULL,
  state BYTEA NOT NULL,
  PRIMARY KEY (pad_id, section)
);
CREATE TABLE revisions (
  pad_id TEXT NOT NULL REFERENCES pads(id) ON DELETE CASCADE,
  section TEXT NOT NULL,
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  role TEXT NOT NULL,
  session TEXT NOT NULL,
  summary TEXT NOT NULL,
  PRIMARY KEY (pad_id, section, seq)
);
CREATE TABLE history_checkpoints (
  pad_id TEXT NOT NULL REFERENCES pads(id) ON DELETE CASCADE,
  section TEXT NOT NULL,
  seq BIGINT NOT NULL,
  state BYTEA NOT NULL,
  PRIMARY KEY (pad_id, section)
);
CREATE TABLE guard_notices (
  pad_id TEXT PRIMARY KEY REFERENCES pads(id) ON DELETE CASCADE,
  notices TEXT NOT NULL
);
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE health (
  id INTEGER PRIMARY KEY,
  at BIGINT NOT NULL
);
CREATE TABLE server_secret (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  secret BYTEA NOT NULL CHECK (length(secret) >= 32)
);
`,
  },
  {
    version: 2,
    why: 'live review status: one cache row per Gerrit/Launchpad item for every process (server/status)',
    sql: `
CREATE TABLE status_cache (
  key TEXT PRIMARY KEY,
  value TEXT,
  etag TEXT,
  fetched_at BIGINT NOT NULL DEFAULT 0,
  next_check_at BIGINT NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  wanted_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX status_cache_due ON status_cache (next_check_at);
`,
  },
  {
    version: 3,
    why: 'the names sessions went by, kept with the pad (history names people after a restart and on every process)',
    sql: `
CREATE TABLE session_names (
  pad_id TEXT NOT NULL REFERENCES pads(id) ON DELETE CASCADE,
  session TEXT NOT NULL,
  name TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (pad_id, session)
);
CREATE INDEX session_names_recent ON session_names (pad_id, at);
`,
  },
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;

export interface PostgresStorageOptions {
  /** A schema of its own (created if missing; every table lives in it): tests, or several installations per database. */
  schema?: string;
  /** Connections in the pool (default 10). */
  max?: number;
  /** Bound on getting a connection (default 3000 ms): an unreachable database rejects instead of hanging. */
  connectTimeoutMs?: number;
  /** Bound on one statement, on the server and in the client (default 10 000 ms). */
  queryTimeoutMs?: number;
  /** Told about connection errors of idle pooled clients (they are dropped and replaced; nothing else to do). */
  log?: (msg: string) => void;
}

type Queryable = pg.Pool | pg.PoolClient;

/** int8 columns arrive as strings (they may exceed 2^53); every value here is a millisecond time or a count. */
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

const toPad = (row: Record<string, unknown> | undefined): PadRecord | undefined =>
  row && {
    id: row.id as string,
    createdAt: num(row.created_at),
    readOnlyTokenHash: row.read_only_token_hash as string,
    readOnlyNonce: row.read_only_nonce as string,
  };

const toKey = (row: Record<string, unknown>): CuratorKeyRecord => ({
  id: row.id as string,
  padId: row.pad_id as string,
  label: row.label as string,
  keyHash: row.key_hash as string,
  createdAt: num(row.created_at),
  createdBy: (row.created_by as string | null) ?? null,
  ptl: row.is_ptl === true,
});

const toSession = (row: Record<string, unknown>): CuratorSessionRecord => ({
  tokenHash: row.token_hash as string,
  padId: row.pad_id as string,
  keyId: row.key_id as string,
  expiresAt: num(row.expires_at),
});

const toStored = (row: Record<string, unknown>): StoredUpdate => ({
  seq: num(row.seq),
  data: bytes(row.data as Buffer),
  role: row.role as Role | 'system',
  session: row.session as string,
  at: num(row.at),
});

const KEY_COLUMNS = 'id, pad_id, label, key_hash, created_at, created_by, is_ptl';
/** The database's clock in milliseconds: every process compares lease times on one clock. */
const NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class PostgresStorage implements Storage {
  readonly description: string;
  private secret: Buffer | null = null;
  private closed = false;

  private constructor(
    /** The pool (tests read tables through it). */
    readonly pool: pg.Pool,
    description: string,
  ) {
    this.description = description;
  }

  /** Connects, creates the schema if asked for one, and applies pending migrations; rejects if the database cannot be reached. */
  static async open(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: lower-case letters, digits and _ only`);
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      // An unreachable database rejects instead of hanging: connecting, then every statement, is bounded.
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
      query_timeout: options.queryTimeoutMs ?? 10_000,
      statement_timeout: options.queryTimeoutMs ?? 10_000,
      keepAlive: true,
      ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle client whose connection breaks (a database restart) emits 'error': drop it, never crash the process.
    pool.on('error', (err) => options.log?.(`postgres: idle connection lost: ${err.message}`));
    let where = 'postgres';
    try {
      const u = new URL(url);
      where = `postgres ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
    } catch {
      // a connection string that is not a URL: say nothing more of it (it may hold a password)
    }
    const storage = new PostgresStorage(pool, schema ? `${where} (schema ${schema})` : where);
    try {
      await storage.migrate(schema);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return storage;
  }

  /** Applies pending migrations, each in its own transaction, serialised across processes by an advisory lock. */
  private async migrate(schema: string | undefined): Promise<void> {
    const lockName = `cyclepad:migrate:${schema ?? ''}`;
    for (let i = 0; ; i++) {
      const done = await this.tx(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockName]);
        if (schema !== undefined) await c.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await c.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, why TEXT NOT NULL, applied_at BIGINT NOT NULL)',
        );
        const { rows } = await c.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations');
        const current = num(rows[0].v);
        if (current > PG_SCHEMA_VERSION) {
          throw new Error(`the database is at schema version ${current}, newer than this cyclepad (${PG_SCHEMA_VERSION}): upgrade cyclepad`);
        }
        const next = PG_MIGRATIONS.find((m) => m.version > current);
        if (!next) return true;
        await c.query(next.sql);
        await c.query('INSERT INTO schema_migrations (version, why, applied_at) VALUES ($1, $2, $3)', [next.version, next.why, Date.now()]);
        return false;
      });
      if (done) return;
      if (i > PG_MIGRATIONS.length) throw new Error('schema migration did not converge');
    }
  }

  /** Runs `fn` in one transaction on one pooled connection; a connection that failed mid-way is discarded. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A connection lost while this client is checked out is emitted as 'error' on it: without a listener it would
    // crash the process (the pool listens only while the client is idle). The query in flight rejects as well.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  private async padNonceForShare(c: Queryable, padId: string): Promise<string | undefined> {
    const { rows } = await c.query('SELECT read_only_nonce FROM pads WHERE id = $1 FOR SHARE', [padId]);
    return rows[0]?.read_only_nonce as string | undefined;
  }

  async serverSecret(): Promise<Buffer> {
    if (this.secret) return Buffer.from(this.secret);
    await this.pool.query('INSERT INTO server_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [randomBytes(32)]);
    const { rows } = await this.pool.query('SELECT secret FROM server_secret WHERE id = 1');
    this.secret = Buffer.from(rows[0].secret as Buffer);
    return Buffer.from(this.secret);
  }

  // --- the document log ---------------------------------------------------------------------------------------------

  async loadDocument(ref: DocumentRef): Promise<StoredDocument> {
    // One snapshot of the database for both reads: the snapshot row and the log after it agree.
    return this.tx(async (c) => {
      const snap = await c.query('SELECT seq, state FROM snapshots WHERE pad_id = $1 AND section = $2', [ref.padId, ref.section]);
      const row = snap.rows[0];
      const snapshot = row ? { seq: num(row.seq), state: bytes(row.state as Buffer) } : null;
      return { snapshot, updates: await this.readLogOn(c, ref, snapshot?.seq ?? 0) };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  /**
   * One statement, in autocommit: every batch's pad check (its row share-locked, so a deletion waits), head move and
   * row insert are data-modifying CTEs of a single statement, committed before the answer comes back. The head rows
   * are locked only while PostgreSQL runs and commits it, never across this process's event-loop turns (the first
   * version took the head lock, then came back for the insert and the COMMIT: with three busy processes on one pad
   * every commit then waited ~60 ms on another process's event loop).
   */
  async append(batches: AppendBatch[]): Promise<AppendResult[]> {
    if (batches.length === 0) return [];
    // Locks are taken in (pad, section) order: two processes appending to the same documents cannot deadlock.
    const order = batches
      .map((b, i) => ({ b, i }))
      .sort((x, y) => compareText(x.b.ref.padId, y.b.ref.padId) || compareText(x.b.ref.section, y.b.ref.section) || x.i - y.i);
    const params: unknown[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const ctes: string[] = [];
    const selects: string[] = [];
    order.forEach(({ b, i }, k) => {
      const n = b.updates.length;
      const pad = p(b.ref.padId);
      const section = p(b.ref.section);
      ctes.push(`pad${k} AS (SELECT 1 FROM pads WHERE id = ${pad} AND read_only_nonce = ${p(b.incarnation)} FOR SHARE)`);
      if (n === 0) {
        selects.push(`SELECT ${i}::int AS i, (SELECT COALESCE((SELECT seq FROM document_heads WHERE pad_id = ${pad} AND section = ${section}), 0)) AS seq, 0 AS n FROM pad${k}`);
        return;
      }
      const count = p(n);
      ctes.push(
        `head${k} AS (INSERT INTO document_heads (pad_id, section, seq) SELECT ${pad}, ${section}, ${count} FROM pad${k}
          ON CONFLICT (pad_id, section) DO UPDATE SET seq = document_heads.seq + EXCLUDED.seq RETURNING seq)`,
      );
      ctes.push(
        `ins${k} AS (INSERT INTO updates (pad_id, section, seq, data, role, session, at)
          SELECT ${pad}, ${section}, head${k}.seq - ${count} + r.ord, r.data, r.role, r.session, r.at
          FROM head${k}, unnest(${p(b.updates.map((u) => Buffer.from(u.data)))}::bytea[], ${p(b.updates.map((u) => u.role))}::text[],
            ${p(b.updates.map((u) => u.session))}::text[], ${p(b.updates.map((u) => u.at))}::bigint[]) WITH ORDINALITY AS r(data, role, session, at, ord))`,
      );
      selects.push(`SELECT ${i}::int AS i, seq, ${count}::int AS n FROM head${k}`);
    });
    const { rows } = await this.pool.query(`WITH ${ctes.join(',\n')}\n${selects.join('\nUNION ALL\n')}`, params);
    const results: AppendResult[] = batches.map(() => ({ gone: true }));
    for (const row of rows as Array<{ i: number; seq: unknown; n: unknown }>) {
      const lastSeq = num(row.seq);
      results[row.i] = { firstSeq: lastSeq - num(row.n) + 1, lastSeq };
    }
    return results;
  }

  private async insertRows(c: Queryable, ref: DocumentRef, rows: StoredUpdate[]): Promise<void> {
    await c.query(
      `INSERT INTO updates (pad_id, section, seq, data, role, session, at)
       SELECT $1, $2, r.seq, r.data, r.role, r.session, r.at
       FROM unnest($3::bigint[], $4::bytea[], $5::text[], $6::text[], $7::bigint[]) AS r(seq, data, role, session, at)`,
      [
        ref.padId,
        ref.section,
        rows.map((r) => r.seq),
        rows.map((r) => buf(r.data)),
        rows.map((r) => r.role),
        rows.map((r) => r.session),
        rows.map((r) => r.at),
      ],
    );
  }

  async readLog(ref: DocumentRef, afterSeq = 0, limit?: number): Promise<StoredUpdate[]> {
    return this.readLogOn(this.pool, ref, afterSeq, limit);
  }

  private async readLogOn(c: Queryable, ref: DocumentRef, afterSeq = 0, limit?: number): Promise<StoredUpdate[]> {
    const { rows } = await c.query(
      'SELECT seq, data, role, session, at FROM updates WHERE pad_id = $1 AND section = $2 AND seq > $3 ORDER BY seq LIMIT $4',
      [ref.padId, ref.section, afterSeq, limit === undefined || limit < 0 ? null : limit],
    );
    return rows.map(toStored);
  }

  async headSeq(ref: DocumentRef): Promise<number> {
    return this.headSeqOn(this.pool, ref);
  }

  private async headSeqOn(c: Queryable, ref: DocumentRef): Promise<number> {
    const { rows } = await c.query('SELECT seq FROM document_heads WHERE pad_id = $1 AND section = $2', [ref.padId, ref.section]);
    return rows[0] ? num(rows[0].seq) : 0;
  }

  async writeSnapshot(ref: DocumentRef, incarnation: string, seq: number, state: Uint8Array): Promise<boolean> {
    return this.tx(async (c) => {
      if ((await this.padNonceForShare(c, ref.padId)) !== incarnation) return false;
      await c.query(
        `INSERT INTO snapshots (pad_id, section, seq, state) VALUES ($1, $2, $3, $4)
         ON CONFLICT (pad_id, section) DO UPDATE SET seq = EXCLUDED.seq, state = EXCLUDED.state WHERE EXCLUDED.seq > snapshots.seq`,
        [ref.padId, ref.section, seq, buf(state)],
      );
      return true;
    });
  }

  async listRevisionSummaries(ref: DocumentRef, limit: number, beforeSeq?: number): Promise<StoredRevision[]> {
    const { rows } = await this.pool.query(
      'SELECT seq, at, role, session, summary FROM revisions WHERE pad_id = $1 AND section = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4',
      [ref.padId, ref.section, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit],
    );
    return rows.map((r) => ({ seq: num(r.seq), at: num(r.at), role: r.role as string, session: r.session as string, summary: r.summary as string }));
  }

  async historyCheckpoint(ref: DocumentRef): Promise<{ seq: number; state: Uint8Array } | null> {
    const { rows } = await this.pool.query('SELECT seq, state FROM history_checkpoints WHERE pad_id = $1 AND section = $2', [
      ref.padId,
      ref.section,
    ]);
    return rows[0] ? { seq: num(rows[0].seq), state: bytes(rows[0].state as Buffer) } : null;
  }

  async indexRevisions(ref: DocumentRef, rows: StoredRevision[], checkpoint: { seq: number; state: Uint8Array }): Promise<void> {
    await this.tx(async (c) => {
      if (rows.length > 0) {
        await c.query(
          `INSERT INTO revisions (pad_id, section, seq, at, role, session, summary)
           SELECT $1, $2, r.seq, r.at, r.role, r.session, r.summary
           FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[]) AS r(seq, at, role, session, summary)
           ON CONFLICT DO NOTHING`,
          [ref.padId, ref.section, rows.map((r) => r.seq), rows.map((r) => r.at), rows.map((r) => r.role), rows.map((r) => r.session), rows.map((r) => r.summary)],
        );
      }
      await c.query(
        `INSERT INTO history_checkpoints (pad_id, section, seq, state) VALUES ($1, $2, $3, $4)
         ON CONFLICT (pad_id, section) DO UPDATE SET seq = EXCLUDED.seq, state = EXCLUDED.state WHERE EXCLUDED.seq >= history_checkpoints.seq`,
        [ref.padId, ref.section, checkpoint.seq, buf(checkpoint.state)],
      );
    });
  }

  // --- pads, keys, sessions -----------------------------------------------------------------------------------------

  async createPad(pad: PadRecord, firstCurator: CuratorKeyRecord): Promise<boolean> {
    return this.tx(async (c) => {
      const { rowCount } = await c.query(
        'INSERT INTO pads (id, created_at, read_only_token_hash, read_only_nonce) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
        [pad.id, pad.createdAt, pad.readOnlyTokenHash, pad.readOnlyNonce],
      );
      if (rowCount === 0) return false;
      await this.insertKey(c, firstCurator, null);
      return true;
    });
  }

  async getPad(id: string): Promise<PadRecord | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM pads WHERE id = $1', [id]);
    return toPad(rows[0]);
  }

  async findPadByReadOnlyHash(hash: string): Promise<PadRecord | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM pads WHERE read_only_token_hash = $1', [hash]);
    return toPad(rows[0]);
  }

  async listPads(): Promise<PadRecord[]> {
    const { rows } = await this.pool.query('SELECT * FROM pads ORDER BY created_at, id COLLATE "C"');
    return rows.map((r) => toPad(r)!);
  }

  /** One statement: the keys, sessions, head rows, log, snapshots, history index and notices go with the pad. */
  async deletePad(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM pads WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }

  private async insertKey(c: Queryable, key: CuratorKeyRecord, revokedAt: number | null): Promise<void> {
    await c.query(
      `INSERT INTO curator_keys (id, pad_id, label, key_hash, created_at, created_by, is_ptl, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [key.id, key.padId, key.label, key.keyHash, key.createdAt, key.createdBy, key.ptl, revokedAt],
    );
  }

  async addCuratorKey(key: CuratorKeyRecord): Promise<void> {
    await this.insertKey(this.pool, key, null);
  }

  async listCuratorKeys(padId: string): Promise<CuratorKeyRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT ${KEY_COLUMNS} FROM curator_keys WHERE pad_id = $1 AND revoked_at IS NULL ORDER BY created_at, id COLLATE "C"`,
      [padId],
    );
    return rows.map(toKey);
  }

  async listCuratorKeyLabels(padId: string): Promise<CuratorKeyLabel[]> {
    const { rows } = await this.pool.query<{ id: string; label: string; revoked: boolean }>(
      'SELECT id, label, revoked_at IS NOT NULL AS revoked FROM curator_keys WHERE pad_id = $1 ORDER BY created_at, id COLLATE "C"',
      [padId],
    );
    return rows.map((r) => ({ id: r.id, label: r.label, revoked: r.revoked }));
  }

  async revokeCuratorKeys(padId: string, id: string): Promise<string[]> {
    return this.tx(async (c) => {
      const { rows } = await c.query(
        `WITH RECURSIVE tree(id) AS (
           SELECT id FROM curator_keys WHERE pad_id = $1 AND id = $2 AND revoked_at IS NULL
           UNION
           SELECT k.id FROM curator_keys k JOIN tree t ON k.created_by = t.id
           WHERE k.pad_id = $1 AND k.revoked_at IS NULL AND NOT k.is_ptl
         ) SELECT id FROM tree`,
        [padId, id],
      );
      return this.revokeIds(c, padId, rows.map((r) => r.id as string));
    });
  }

  async replacePtlKey(padId: string, key: CuratorKeyRecord): Promise<string[]> {
    return this.tx(async (c) => {
      const { rows } = await c.query('SELECT id FROM curator_keys WHERE pad_id = $1 AND is_ptl AND revoked_at IS NULL', [padId]);
      const revoked = await this.revokeIds(c, padId, rows.map((r) => r.id as string));
      await this.insertKey(c, { ...key, padId, createdBy: null, ptl: true }, null);
      return revoked;
    });
  }

  /** Revokes the keys still live (another process may have revoked some meanwhile) and ends their sessions. */
  private async revokeIds(c: Queryable, padId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await c.query(
      'UPDATE curator_keys SET revoked_at = $1 WHERE pad_id = $2 AND id = ANY($3::text[]) AND revoked_at IS NULL RETURNING id',
      [Date.now(), padId, ids],
    );
    const revoked = new Set(rows.map((r) => r.id as string));
    await c.query('DELETE FROM sessions WHERE key_id = ANY($1::text[])', [[...revoked]]);
    return ids.filter((i) => revoked.has(i));
  }

  async isCuratorKeyLive(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM curator_keys WHERE id = $1 AND revoked_at IS NULL', [id]);
    return (rowCount ?? 0) > 0;
  }

  async createSession(session: CuratorSessionRecord): Promise<void> {
    await this.pool.query('INSERT INTO sessions (token_hash, pad_id, key_id, expires_at) VALUES ($1, $2, $3, $4)', [
      session.tokenHash,
      session.padId,
      session.keyId,
      session.expiresAt,
    ]);
  }

  async findSession(tokenHash: string, now: number): Promise<CuratorSessionRecord | undefined> {
    const { rows } = await this.pool.query(
      `SELECT s.token_hash, s.pad_id, s.key_id, s.expires_at FROM sessions s
       JOIN curator_keys k ON k.id = s.key_id AND k.revoked_at IS NULL
       WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [tokenHash, now],
    );
    return rows[0] ? toSession(rows[0]) : undefined;
  }

  async isSessionLive(tokenHash: string, now: number): Promise<boolean> {
    return (await this.findSession(tokenHash, now)) !== undefined;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }

  // --- notices, leases, health --------------------------------------------------------------------------------------

  async listGuardNotices(padId: string): Promise<GuardNoticeData[]> {
    const { rows } = await this.pool.query('SELECT notices FROM guard_notices WHERE pad_id = $1', [padId]);
    return rows[0] ? (JSON.parse(rows[0].notices as string) as GuardNoticeData[]) : [];
  }

  async saveSessionNames(padId: string, incarnation: string, names: SessionName[]): Promise<void> {
    if (names.length === 0) return;
    // the newest name per session wins (an older write arriving late changes nothing)
    await this.pool.query(
      `INSERT INTO session_names (pad_id, session, name, at)
       SELECT p.id, g.session, g.name, g.at FROM (
         SELECT DISTINCT ON (session) session, name, at
         FROM unnest($2::text[], $3::text[], $4::bigint[]) AS u(session, name, at) ORDER BY session, at DESC
       ) g JOIN pads p ON p.id = $1 AND p.read_only_nonce = $5
       ON CONFLICT (pad_id, session) DO UPDATE SET name = EXCLUDED.name, at = EXCLUDED.at WHERE EXCLUDED.at >= session_names.at`,
      [padId, names.map((n) => n.session), names.map((n) => n.name), names.map((n) => n.at), incarnation],
    );
    // then the pad keeps its most recently named sessions (on its own: nothing depends on the two being atomic)
    await this.pool.query(
      `DELETE FROM session_names WHERE pad_id = $1 AND at < (
         SELECT at FROM session_names WHERE pad_id = $1 ORDER BY at DESC LIMIT 1 OFFSET ${SESSION_NAMES_PER_PAD - 1})`,
      [padId],
    );
  }

  async listSessionNames(padId: string, sessions?: readonly string[]): Promise<SessionName[]> {
    const { rows } = sessions
      ? await this.pool.query('SELECT session, name, at FROM session_names WHERE pad_id = $1 AND session = ANY($2::text[])', [padId, sessions])
      : await this.pool.query('SELECT session, name, at FROM session_names WHERE pad_id = $1 ORDER BY at, session', [padId]);
    return rows.map((r) => ({ session: r.session as string, name: r.name as string, at: Number(r.at) }));
  }

  async updateGuardNotices(padId: string, change: (notices: GuardNoticeData[]) => GuardNoticeData[] | null): Promise<GuardNoticeData[] | null> {
    return this.tx(async (c) => {
      // the pad's notices row, made if missing, then locked: concurrent changes (any process) take turns
      await c.query(`INSERT INTO guard_notices (pad_id, notices) SELECT id, '[]' FROM pads WHERE id = $1 ON CONFLICT (pad_id) DO NOTHING`, [padId]);
      const { rows } = await c.query('SELECT notices FROM guard_notices WHERE pad_id = $1 FOR UPDATE', [padId]);
      if (!rows[0]) return null; // no such pad
      const next = change(JSON.parse(rows[0].notices as string) as GuardNoticeData[]);
      if (next && next.length > 0) await c.query('UPDATE guard_notices SET notices = $2 WHERE pad_id = $1', [padId, JSON.stringify(next)]);
      else if (next || (rows[0].notices as string) === '[]') await c.query('DELETE FROM guard_notices WHERE pad_id = $1', [padId]); // none: no row
      return next;
    });
  }

  async saveGuardNotices(padId: string, notices: GuardNoticeData[]): Promise<void> {
    if (notices.length === 0) {
      await this.pool.query('DELETE FROM guard_notices WHERE pad_id = $1', [padId]);
      return;
    }
    await this.pool.query(
      `INSERT INTO guard_notices (pad_id, notices) SELECT id, $2 FROM pads WHERE id = $1
       ON CONFLICT (pad_id) DO UPDATE SET notices = EXCLUDED.notices`,
      [padId, JSON.stringify(notices)],
    );
  }

  async tryLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, ${NOW_MS} + $3)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= ${NOW_MS}`,
      [name, holder, Math.max(0, Math.round(ttlMs))],
    );
    return (rowCount ?? 0) > 0;
  }

  // --- live review status (server/status) ---------------------------------------------------------------------------

  async readStatus(keys: string[]): Promise<StatusRow[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.pool.query(
      'SELECT key, value, etag, fetched_at, next_check_at, failures FROM status_cache WHERE key = ANY($1::text[])',
      [[...new Set(keys)]],
    );
    return rows.map((r: Record<string, unknown>) => ({
      key: r.key as string,
      value: (r.value as string | null) ?? null,
      etag: (r.etag as string | null) ?? null,
      fetchedAt: num(r.fetched_at),
      nextCheckAt: num(r.next_check_at),
      failures: num(r.failures),
    }));
  }

  async wantStatus(keys: string[], now: number): Promise<void> {
    if (keys.length === 0) return;
    // sorted: concurrent processes lock rows in one order
    await this.pool.query(
      `INSERT INTO status_cache (key, wanted_at) SELECT k, $2 FROM unnest($1::text[]) AS k ORDER BY k
       ON CONFLICT (key) DO UPDATE SET wanted_at = GREATEST(status_cache.wanted_at, EXCLUDED.wanted_at)`,
      [[...new Set(keys)].sort(), now],
    );
  }

  async dueStatus(now: number, wantedSince: number, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query(
      'SELECT key FROM status_cache WHERE next_check_at <= $1 AND wanted_at >= $2 ORDER BY next_check_at, key LIMIT $3',
      [now, wantedSince, limit],
    );
    return rows.map((r: Record<string, unknown>) => r.key as string);
  }

  async writeStatus(rows: StatusRow[]): Promise<void> {
    if (rows.length === 0) return;
    const sorted = [...rows].sort((a, b) => compareText(a.key, b.key));
    await this.pool.query(
      `INSERT INTO status_cache (key, value, etag, fetched_at, next_check_at, failures)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::int[])
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, etag = EXCLUDED.etag, fetched_at = EXCLUDED.fetched_at,
         next_check_at = EXCLUDED.next_check_at, failures = EXCLUDED.failures`,
      [
        sorted.map((r) => r.key),
        sorted.map((r) => r.value),
        sorted.map((r) => r.etag),
        sorted.map((r) => r.fetchedAt),
        sorted.map((r) => r.nextCheckAt),
        sorted.map((r) => r.failures),
      ],
    );
  }

  async forgetStatus(before: number): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM status_cache WHERE wanted_at < $1 AND fetched_at < $1', [before]);
    return rowCount ?? 0;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async probeWrite(): Promise<void> {
    await this.pool.query('INSERT INTO health (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at', [Date.now()]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  // --- copying between stores (`cyclepad migrate`) ------------------------------------------------------------------

  async exportPad(id: string): Promise<PadExport | undefined> {
    return this.tx(async (c) => {
      const pad = toPad((await c.query('SELECT * FROM pads WHERE id = $1', [id])).rows[0]);
      if (!pad) return undefined;
      const keys = await c.query(`SELECT ${KEY_COLUMNS}, revoked_at FROM curator_keys WHERE pad_id = $1 ORDER BY created_at, id COLLATE "C"`, [id]);
      const sessions = await c.query(
        'SELECT token_hash, pad_id, key_id, expires_at FROM sessions WHERE pad_id = $1 ORDER BY token_hash COLLATE "C"',
        [id],
      );
      return {
        pad,
        keys: keys.rows.map((r) => ({ ...toKey(r), revokedAt: r.revoked_at === null ? null : num(r.revoked_at) })),
        sessions: sessions.rows.map(toSession),
      };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async importPad(data: PadExport): Promise<boolean> {
    return this.tx(async (c) => {
      const { pad } = data;
      const { rowCount } = await c.query(
        'INSERT INTO pads (id, created_at, read_only_token_hash, read_only_nonce) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
        [pad.id, pad.createdAt, pad.readOnlyTokenHash, pad.readOnlyNonce],
      );
      if (rowCount === 0) return false;
      for (const key of data.keys) await this.insertKey(c, { ...key, padId: pad.id }, key.revokedAt);
      for (const s of data.sessions) {
        await c.query('INSERT INTO sessions (token_hash, pad_id, key_id, expires_at) VALUES ($1, $2, $3, $4)', [
          s.tokenHash,
          pad.id,
          s.keyId,
          s.expiresAt,
        ]);
      }
      return true;
    });
  }

  async importLog(ref: DocumentRef, incarnation: string, rows: StoredUpdate[]): Promise<boolean> {
    return this.tx(async (c) => {
      if ((await this.padNonceForShare(c, ref.padId)) !== incarnation) return false;
      if (rows.length === 0) return true;
      for (let k = 1; k < rows.length; k++) {
        if (rows[k]!.seq <= rows[k - 1]!.seq) throw new Error('importLog: rows must be in ascending seq order');
      }
      // Locks the head row (made at 0 if new) and checks the rows come after it.
      await c.query('INSERT INTO document_heads (pad_id, section, seq) VALUES ($1, $2, 0) ON CONFLICT (pad_id, section) DO NOTHING', [
        ref.padId,
        ref.section,
      ]);
      const head = num(
        (await c.query('SELECT seq FROM document_heads WHERE pad_id = $1 AND section = $2 FOR UPDATE', [ref.padId, ref.section])).rows[0].seq,
      );
      if (rows[0]!.seq <= head) throw new Error(`importLog: row ${rows[0]!.seq} is not after the document's head ${head}`);
      await this.insertRows(c, ref, rows);
      await c.query('UPDATE document_heads SET seq = $3 WHERE pad_id = $1 AND section = $2', [ref.padId, ref.section, rows[rows.length - 1]!.seq]);
      return true;
    });
  }
}
