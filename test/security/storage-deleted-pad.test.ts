/**
 * A deleted pad is gone from storage: one cascading delete removes every row of it from every table, a stray write
 * for it (a socket still open, an unload snapshot, the history indexer) fails and writes nothing, and a new pad
 * made under the same name starts empty with only its own PTL key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SqliteStorage } from '../../server/storage/sqlite-storage.js';
import { SqliteStore } from '../../server/storage/sqlite-store.js';
import { PadDirectory } from '../../server/pads.js';
import { CuratorKeys } from '../../server/auth/curator-keys.js';
import { CuratorSessions } from '../../server/auth/sessions.js';
import type { DocumentRef } from '../../server/storage/store.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

const cleanups: Array<() => unknown> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup() {
  const dataDir = tempDataDir();
  const store = new SqliteStore(dataDir);
  cleanups.push(() => removeDir(dataDir), () => store.close());
  const storage = new SqliteStorage(store, dataDir);
  return { store, pads: new PadDirectory(storage, randomBytes(32)), keys: new CuratorKeys(storage), sessions: new CuratorSessions(storage) };
}

const update = (n: number) => ({ data: new Uint8Array([n]), role: 'contributor' as const, session: `contributor:${n}`, at: n });

/** Every row, in every table that has a pad_id column, that belongs to `padId` (the table list is read, not assumed). */
function rowsOf(store: SqliteStore, padId: string): Record<string, number> {
  const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[])
    .map((t) => t.name)
    .filter((name) => (store.db.pragma(`table_info(${name})`) as { name: string }[]).some((c) => c.name === 'pad_id'));
  expect(tables).toEqual(expect.arrayContaining(['updates', 'snapshots', 'curator_keys', 'sessions', 'revisions', 'history_checkpoints']));
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = (store.db.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE pad_id = ?`).get(padId) as { n: number }).n;
  counts.pads = (store.db.prepare('SELECT COUNT(*) AS n FROM pads WHERE id = ?').get(padId) as { n: number }).n;
  return counts;
}

/** A pad with a log, a snapshot, a delegate, a sign-in session, a guard notice, a session name and a history index in both sections. */
async function fullPad(s: ReturnType<typeof setup>, name: string) {
  const created = (await s.pads.create(name))!;
  const ptl = (await s.keys.list(name))[0]!;
  const delegate = await s.keys.delegate(name, 'alice', ptl.id);
  await s.sessions.open(name, delegate.record.id);
  s.store.saveGuardNotices(name, [{ id: 'n', section: 'proposed', session: 's', role: 'contributor', at: 1, from: 1, to: 1, entries: ['e'] }]);
  s.store.saveSessionNames(name, created.pad.readOnlyNonce, [{ session: 'contributor:c', name: 'C', at: 1 }]);
  for (const section of ['proposed', 'ready'] as const) {
    const ref = { padId: name, section };
    s.store.appendUpdates(ref, [update(1), update(2), update(3)]);
    s.store.writeSnapshot(ref, 2, new Uint8Array([2, 2]));
    s.store.indexRevisions(ref, [{ seq: 1, at: 1, role: 'contributor', session: 'c', summary: '[]' }], { seq: 1, state: new Uint8Array([1]) });
  }
  return created;
}

describe('a deleted pad', () => {
  it('leaves no row of it in any table, and other pads untouched', async () => {
    const s = setup();
    await fullPad(s, 'doomed');
    await fullPad(s, 'neighbour');
    const before = rowsOf(s.store, 'neighbour');
    expect(Object.values(rowsOf(s.store, 'doomed')).every((n) => n > 0)).toBe(true);
    expect(s.store.deletePad('doomed')).toBe(true);
    expect(Object.values(rowsOf(s.store, 'doomed')).every((n) => n === 0), JSON.stringify(rowsOf(s.store, 'doomed'))).toBe(true);
    expect(rowsOf(s.store, 'neighbour')).toEqual(before);
    expect(s.store.deletePad('doomed')).toBe(false);
  });

  it('refuses stray writes for it (log, snapshot, history index, keys, sessions) and writes nothing', async () => {
    const s = setup();
    await fullPad(s, 'stray');
    const ptlId = (await s.keys.list('stray'))[0]!.id;
    s.store.deletePad('stray');
    const ref: DocumentRef = { padId: 'stray', section: 'proposed' };
    expect(() => s.store.appendUpdates(ref, [update(4), update(5)])).toThrow(/FOREIGN KEY/);
    expect(() => s.store.writeSnapshot(ref, 5, new Uint8Array([5]))).toThrow(/FOREIGN KEY/);
    expect(() => s.store.indexRevisions(ref, [{ seq: 4, at: 4, role: 'x', session: 'x', summary: '[]' }], { seq: 4, state: new Uint8Array([4]) })).toThrow(/FOREIGN KEY/);
    expect(() => s.store.addCuratorKey({ ...CuratorKeys.issue('stray', 'x', ptlId).record })).toThrow(/FOREIGN KEY/);
    expect(() => s.store.createSession({ tokenHash: 'h'.repeat(64), padId: 'stray', keyId: ptlId, expiresAt: Date.now() + 1000 })).toThrow(/FOREIGN KEY/);
    expect(Object.values(rowsOf(s.store, 'stray')).every((n) => n === 0)).toBe(true);
  });

  it('recreated under the same name through the store, has no log, no snapshot, no index, and only its new key', async () => {
    const s = setup();
    const old = await fullPad(s, 'phoenix');
    s.store.deletePad('phoenix');
    const again = await s.pads.create('phoenix');
    expect(again).toBeDefined();
    for (const section of ['proposed', 'ready'] as const) {
      const ref = { padId: 'phoenix', section };
      expect(s.store.loadDocument(ref)).toEqual({ snapshot: null, updates: [] });
      expect(s.store.readLog(ref)).toEqual([]);
      expect(s.store.historyCheckpoint(ref)).toBeNull();
      expect(s.store.listRevisionSummaries(ref, 100)).toEqual([]);
      // a new log starts at 1
      expect(s.store.appendUpdates(ref, [update(1)])).toBe(1);
    }
    const keys = s.store.listCuratorKeys('phoenix');
    expect(keys.map((k) => [k.label, k.ptl, k.createdBy])).toEqual([['PTL', true, null]]);
    expect(await s.keys.verify('phoenix', old.curatorKey)).toBeUndefined();
    expect((await s.keys.verify('phoenix', again!.curatorKey))?.id).toBe(keys[0]!.id);
    // the read-only link is new too
    expect(again!.readOnlyRef).not.toBe(old.readOnlyRef);
    expect(await s.pads.resolve(old.readOnlyRef)).toBeUndefined();
    expect(rowsOf(s.store, 'phoenix')).toMatchObject({ sessions: 0, revisions: 0, history_checkpoints: 0, snapshots: 0, curator_keys: 1 });
  });
});
