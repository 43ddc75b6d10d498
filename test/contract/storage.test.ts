/**
 * The storage contract against every implementation: SQLite (a temporary data directory) and PostgreSQL (a schema
 * of its own per run, dropped afterwards). Also `copyStorage` (what `cyclepad migrate` runs) both ways.
 *
 * PostgreSQL: TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test. When it cannot be reached the
 * PostgreSQL suites are skipped, and say so.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { storageContract } from './storage.contract.js';
import { SqliteStorage } from '../../server/storage/sqlite-storage.js';
import { PostgresStorage } from '../../server/storage/postgres-storage.js';
import { copyStorage } from '../../server/storage/copy.js';
import type { Storage } from '../../server/storage/storage.js';
import type { DocumentRef } from '../../server/storage/store.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

import { PG_URL, postgresProblem } from '../helpers/services.js';

const pgProblem = await postgresProblem();
if (pgProblem && process.env.CYCLEPAD_REQUIRE_SERVICES === '1') {
  throw new Error(`PostgreSQL is required here (CYCLEPAD_REQUIRE_SERVICES=1) but cannot be reached: ${pgProblem}`);
}
if (pgProblem) {
  console.warn(`PostgreSQL storage tests SKIPPED: cannot reach ${PG_URL} (${pgProblem}); start PostgreSQL or set TEST_DATABASE_URL`);
}

const newSchema = (tag: string) => `cp_test_${tag}_${process.pid}_${randomBytes(4).toString('hex')}`;

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

async function sqliteRowsOf(storage: Storage, padId: string): Promise<Record<string, number>> {
  const db = (storage as SqliteStorage).sync.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[])
    .map((t) => t.name)
    .filter((name) => (db.pragma(`table_info(${name})`) as { name: string }[]).some((c) => c.name === 'pad_id'));
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = (db.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE pad_id = ?`).get(padId) as { n: number }).n;
  counts.pads = (db.prepare('SELECT COUNT(*) AS n FROM pads WHERE id = ?').get(padId) as { n: number }).n;
  return counts;
}

async function postgresRowsOf(storage: Storage, padId: string): Promise<Record<string, number>> {
  const pool = (storage as PostgresStorage).pool;
  const { rows } = await pool.query(
    `SELECT table_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_name = 'pad_id' ORDER BY table_name`,
  );
  const tables = rows.map((r) => r.table_name as string);
  expect(tables).toEqual(expect.arrayContaining(['updates', 'snapshots', 'curator_keys', 'sessions', 'revisions', 'history_checkpoints', 'guard_notices', 'document_heads']));
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = Number((await pool.query(`SELECT COUNT(*) AS n FROM "${t}" WHERE pad_id = $1`, [padId])).rows[0].n);
  counts.pads = Number((await pool.query('SELECT COUNT(*) AS n FROM pads WHERE id = $1', [padId])).rows[0].n);
  return counts;
}

const socketsOf = new WeakMap<net.Server, Set<net.Socket>>();
function openSockets(server: net.Server): Set<net.Socket> {
  let set = socketsOf.get(server);
  if (!set) {
    set = new Set();
    socketsOf.set(server, set);
    const s = set;
    server.on('connection', (c) => {
      s.add(c);
      c.on('close', () => s.delete(c));
    });
  }
  return set;
}

/** A TCP proxy to PostgreSQL that can stop passing bytes (a database that hangs) and drop every connection. */
async function freezableProxy(targetHost: string, targetPort: number) {
  let frozen = false;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const pass = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk) => {
        if (!frozen) to.write(chunk);
      });
    pass(client, upstream);
    pass(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: (on: boolean) => {
      frozen = on;
    },
    dropAll: () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
    },
    close: async () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

// --- the contract, per implementation ---------------------------------------------------------------------------------

{
  const dir = tempDataDir();
  storageContract('SqliteStorage', async () => SqliteStorage.open(dir), async () => removeDir(dir), { rowsOf: sqliteRowsOf });
}

describe.skipIf(pgProblem !== null)('PostgreSQL', () => {
  const schema = newSchema('contract');
  storageContract('PostgresStorage', () => PostgresStorage.open(PG_URL, { schema }), () => dropSchema(schema), { rowsOf: postgresRowsOf });
});

describe.skipIf(pgProblem !== null)('PostgresStorage specifics', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it('migrates once when several processes start at once, and records the version', async () => {
    const schema = newSchema('migrate');
    schemas.push(schema);
    const opened = await Promise.all([1, 2, 3, 4].map(() => PostgresStorage.open(PG_URL, { schema, max: 2 })));
    try {
      const { rows } = await opened[0]!.pool.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual([1, 2, 3]); // 2: the live review status cache, 3: session names
      const again = await PostgresStorage.open(PG_URL, { schema });
      await again.close();
    } finally {
      await Promise.all(opened.map((s) => s.close()));
    }
  });

  it('refuses a database migrated by a newer cyclepad', async () => {
    const schema = newSchema('newer');
    schemas.push(schema);
    const s = await PostgresStorage.open(PG_URL, { schema });
    await s.pool.query("INSERT INTO schema_migrations (version, why, applied_at) VALUES (999, 'from the future', 0)");
    await s.close();
    await expect(PostgresStorage.open(PG_URL, { schema })).rejects.toThrow(/newer than this cyclepad/);
  });

  it('rejects quickly, not hanging, when the database cannot be reached', async () => {
    const started = Date.now();
    await expect(PostgresStorage.open('postgres://postgres@127.0.0.1:1/test')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('rejects a connection that is accepted but never answered within the connect timeout', async () => {
    const silent = net.createServer(() => {}); // accepts, never speaks
    const sockets = openSockets(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    try {
      await expect(PostgresStorage.open(`postgres://postgres@127.0.0.1:${port}/test`, { connectTimeoutMs: 500 })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      silent.close();
      for (const c of sockets) c.destroy();
    }
  });

  it('rejects writes when the database stops answering, and takes them again when it answers', async () => {
    const target = new URL(PG_URL);
    const proxy = await freezableProxy(target.hostname, Number(target.port || 5432));
    const schema = newSchema('frozen');
    schemas.push(schema);
    target.host = `127.0.0.1:${proxy.port}`;
    const s = await PostgresStorage.open(target.toString(), { schema, connectTimeoutMs: 500, queryTimeoutMs: 800 });
    try {
      await s.probeWrite();
      proxy.freeze(true);
      const started = Date.now();
      await expect(s.probeWrite()).rejects.toThrow();
      await expect(s.append([{ ref: { padId: 'p', section: 'proposed' }, incarnation: 'x', updates: [] }])).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(6000);
      proxy.freeze(false);
      proxy.dropAll(); // what a database restart does to the connections
      await expect.poll(async () => s.probeWrite().then(() => true, () => false), { timeout: 10_000 }).toBe(true);
      await s.ping();
    } finally {
      await s.close().catch(() => {});
      await proxy.close();
    }
  });

  it('refuses a schema name it would have to quote', async () => {
    await expect(PostgresStorage.open(PG_URL, { schema: 'x"; DROP TABLE pads; --' })).rejects.toThrow(/invalid PostgreSQL schema/);
  });
});

// --- copying between stores (cyclepad migrate) ---------------------------------------------------------------------------

/** A store with pads that use everything: delegates (one revoked), sessions, logs in both sections, snapshots, notices. */
async function fill(s: Storage, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `copy-${i}-${randomBytes(4).toString('hex')}`;
    ids.push(id);
    const nonce = randomBytes(16).toString('hex');
    const key = (label: string, createdBy: string | null, ptl: boolean, at: number) => ({
      id: `${id}-k-${label}`,
      padId: id,
      label,
      keyHash: randomBytes(32).toString('hex'),
      createdAt: at,
      createdBy,
      ptl,
    });
    const ptl = key('PTL', null, true, 1000 + i);
    expect(await s.createPad({ id, createdAt: 1000 + i, readOnlyTokenHash: randomBytes(32).toString('hex'), readOnlyNonce: nonce }, ptl)).toBe(true);
    const a = key('alice', ptl.id, false, 2000 + i);
    const b = key('bob', a.id, false, 3000 + i);
    await s.addCuratorKey(a);
    await s.addCuratorKey(b);
    await s.createSession({ tokenHash: randomBytes(32).toString('hex'), padId: id, keyId: a.id, expiresAt: Date.now() + 3_600_000 });
    if (i % 2 === 0) await s.revokeCuratorKeys(id, b.id);
    for (const section of ['proposed', 'ready'] as const) {
      const ref = { padId: id, section };
      const n = section === 'proposed' ? 1500 + i : 3 + i; // one log longer than a copy page
      for (let done = 0; done < n; done += 500) {
        const updates = Array.from({ length: Math.min(500, n - done) }, (_, k) => ({
          data: randomBytes(1 + ((done + k) % 40)),
          role: (section === 'ready' ? 'curator' : (done + k) % 3 === 0 ? 'system' : 'contributor') as 'curator' | 'system' | 'contributor',
          session: `s-${(done + k) % 7}`,
          at: 1_700_000_000_000 + done + k,
        }));
        await s.append([{ ref, incarnation: nonce, updates }]);
      }
      if (i % 3 !== 2) await s.writeSnapshot(ref, nonce, Math.max(1, n - 2), randomBytes(64));
    }
    await s.saveSessionNames(id, nonce, Array.from({ length: 3 + i }, (_, k) => ({ session: `s-${k}`, name: `Person ${k} of ${i}`, at: 1_700_000_000_000 + k })));
    if (i % 2 === 1) {
      await s.saveGuardNotices(id, [
        { id: `n-${i}`, section: 'proposed', session: 's-1', role: 'contributor', at: 5, from: 1, to: 4, entries: ['e1', 'e2'] },
      ]);
    }
  }
  return ids;
}

/** Everything copyStorage promises to keep, in comparable form. */
async function dump(s: Storage, ids: string[]) {
  const out: unknown[] = [];
  for (const id of ids) {
    const sections: unknown[] = [];
    for (const section of ['proposed', 'ready'] as const) {
      const ref: DocumentRef = { padId: id, section };
      const doc = await s.loadDocument(ref);
      sections.push({
        head: await s.headSeq(ref),
        log: (await s.readLog(ref)).map((u) => ({ ...u, data: Buffer.from(u.data).toString('base64') })),
        snapshot: doc.snapshot && { seq: doc.snapshot.seq, state: Buffer.from(doc.snapshot.state).toString('base64') },
      });
    }
    out.push({ pad: await s.exportPad(id), keys: await s.listCuratorKeys(id), notices: await s.listGuardNotices(id), names: await s.listSessionNames(id), sections });
  }
  return out;
}

describe.skipIf(pgProblem !== null)('copyStorage (cyclepad migrate)', () => {
  const dirs: string[] = [];
  const schemas: string[] = [];
  const open: Storage[] = [];
  afterAll(async () => {
    for (const s of open) await s.close();
    for (const d of dirs) removeDir(d);
    for (const schema of schemas) await dropSchema(schema);
  });
  const sqlite = () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const s = SqliteStorage.open(dir);
    open.push(s);
    return s;
  };
  const postgres = async () => {
    const schema = newSchema('copy');
    schemas.push(schema);
    const s = await PostgresStorage.open(PG_URL, { schema });
    open.push(s);
    return s;
  };

  it('copies SQLite into PostgreSQL and back: pads, every key, sessions, whole logs with their seqs, snapshots, notices, session names', async () => {
    const source = sqlite();
    const ids = await fill(source, 4);
    const expected = await dump(source, ids);
    const messages: string[] = [];

    const target = await postgres();
    const counts = await copyStorage(source, target, (m) => messages.push(m));
    const updates = ids.reduce((n, _id, i) => n + 1500 + i + 3 + i, 0);
    expect(counts).toEqual({ pads: 4, updates });
    expect(await dump(target, ids)).toEqual(expected);
    expect((await target.listPads()).map((p) => p.id)).toEqual(ids);
    // A copied pad goes on where it stopped.
    const pad = (await target.getPad(ids[0]!))!;
    const ref: DocumentRef = { padId: pad.id, section: 'proposed' };
    const head = await target.headSeq(ref);
    expect(await target.append([{ ref, incarnation: pad.readOnlyNonce, updates: [{ data: new Uint8Array([1]), role: 'contributor', session: 'x', at: 1 }] }])).toEqual([
      { firstSeq: head + 1, lastSeq: head + 1 },
    ]);
    // The log never names a pad (a pad's name is its edit link).
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) for (const id of ids) expect(m).not.toContain(id);

    const back = sqlite();
    await copyStorage(target, back);
    const expectedBack = await dump(target, ids);
    expect(await dump(back, ids)).toEqual(expectedBack);
  });

  it('refuses to copy into a store that already holds one of the pads, writing nothing', async () => {
    const source = sqlite();
    const ids = await fill(source, 2);
    const target = await postgres();
    const clash = (await source.exportPad(ids[1]!))!;
    expect(await target.importPad({ ...clash, keys: [], sessions: [] })).toBe(true);
    await expect(copyStorage(source, target)).rejects.toThrow(/already holds 1 of the 2 pads/);
    expect((await target.listPads()).map((p) => p.id)).toEqual([ids[1]]);
  });
});
