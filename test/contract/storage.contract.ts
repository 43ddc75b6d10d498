/**
 * The contract every {@link Storage} keeps (see server/storage/storage.ts), run against each implementation by
 * storage.test.ts. `open` returns a new handle (its own connection(s)) on the SAME store each time it is called, so
 * the suite can append from several connections at once and reopen the store; `cleanup` removes the store after
 * every handle was closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SESSION_NAMES_PER_PAD, type AppendResult, type StatusRow, type Storage } from '../../server/storage/storage.js';
import type { CuratorKeyRecord, DocumentRef, PadRecord, StoredUpdate, UpdateRecord } from '../../server/storage/store.js';
import type { GuardNoticeData } from '../../shared/presence.js';

export interface StorageContractOptions {
  /** Rows of the pad in every table of the store that has a pad_id column (plus `pads`), read from the tables. */
  rowsOf?: (storage: Storage, padId: string) => Promise<Record<string, number>>;
}

const hex = (n: number) => randomBytes(n).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function padRecord(tag: string, createdAt = Date.now()): PadRecord {
  return { id: `${tag}-${hex(6)}`, createdAt, readOnlyTokenHash: hex(32), readOnlyNonce: hex(16) };
}

function keyRecord(padId: string, label: string, createdBy: string | null, ptl = false, createdAt = Date.now()): CuratorKeyRecord {
  return { id: `k-${label}-${hex(6)}`, padId, label, keyHash: hex(32), createdAt, createdBy, ptl };
}

const update = (n: number, role: UpdateRecord['role'] = 'contributor'): UpdateRecord => ({
  data: new Uint8Array([n & 0xff, (n >> 8) & 0xff, 7]),
  role,
  session: `${role}:s${n}`,
  at: 1_700_000_000_000 + n,
});

/** The stored fields, as plain values (Buffer and Uint8Array compare alike). */
const plain = (u: StoredUpdate) => ({ seq: u.seq, data: [...u.data], role: u.role, session: u.session, at: u.at });

const notice = (id: string): GuardNoticeData => ({
  id,
  section: 'proposed',
  session: 'contributor:abc',
  role: 'contributor',
  at: 1_700_000_000_123,
  from: 1_700_000_000_000,
  to: 1_700_000_000_100,
  entries: ['entry-1', 'entry-2'],
});

export function storageContract(
  name: string,
  open: () => Promise<Storage>,
  cleanup: () => Promise<void>,
  options: StorageContractOptions = {},
): void {
  describe(`Storage contract: ${name}`, () => {
    const handles: Storage[] = [];
    let s: Storage;
    const openHandle = async () => {
      const h = await open();
      handles.push(h);
      return h;
    };

    beforeAll(async () => {
      s = await openHandle();
    });
    afterAll(async () => {
      for (const h of handles) await h.close();
      await cleanup();
    });

    async function makePad(tag: string, createdAt?: number) {
      const pad = padRecord(tag, createdAt);
      const ptl = keyRecord(pad.id, 'PTL', null, true, createdAt);
      expect(await s.createPad(pad, ptl)).toBe(true);
      return { pad, ptl };
    }

    it('creates a pad with its PTL key, refuses a second pad of the same name, finds it by read-only hash', async () => {
      const { pad, ptl } = await makePad('create', 1000);
      expect(await s.getPad(pad.id)).toEqual(pad);
      expect(await s.findPadByReadOnlyHash(pad.readOnlyTokenHash)).toEqual(pad);
      expect(await s.findPadByReadOnlyHash(hex(32))).toBeUndefined();
      expect(await s.getPad(`${pad.id}-none`)).toBeUndefined();

      const again = { ...padRecord('x'), id: pad.id };
      expect(await s.createPad(again, keyRecord(pad.id, 'PTL', null, true))).toBe(false);
      expect(await s.getPad(pad.id)).toEqual(pad); // unchanged
      expect(await s.listCuratorKeys(pad.id)).toEqual([ptl]); // the refused pad's key was not stored

      const later = await makePad('create-later', 2000);
      const listed = (await s.listPads()).map((p) => p.id);
      expect(listed.indexOf(pad.id)).toBeGreaterThanOrEqual(0);
      expect(listed.indexOf(pad.id)).toBeLessThan(listed.indexOf(later.pad.id)); // oldest first
    });

    it('keeps the key hierarchy; revoking a key revokes every key made under it, never the PTL key', async () => {
      const { pad, ptl } = await makePad('keys', 1);
      const a = keyRecord(pad.id, 'a', ptl.id, false, 2);
      const b = keyRecord(pad.id, 'b', a.id, false, 3);
      const c = keyRecord(pad.id, 'c', ptl.id, false, 4);
      const d = keyRecord(pad.id, 'd', b.id, false, 5);
      for (const k of [a, b, c, d]) await s.addCuratorKey(k);
      expect(await s.listCuratorKeys(pad.id)).toEqual([ptl, a, b, c, d].sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : 1)));

      expect((await s.revokeCuratorKeys(pad.id, a.id)).sort()).toEqual([a.id, b.id, d.id].sort());
      expect((await s.listCuratorKeys(pad.id)).map((k) => k.id)).toEqual([ptl.id, c.id]);
      // every key's label, revoked ones too (for history), oldest first
      expect(await s.listCuratorKeyLabels(pad.id)).toEqual(
        [ptl, a, b, c, d].map((k) => ({ id: k.id, label: k.label, revoked: [a, b, d].includes(k) })),
      );
      expect(await s.listCuratorKeyLabels(`${pad.id}-other`)).toEqual([]);
      expect(await s.isCuratorKeyLive(a.id)).toBe(false);
      expect(await s.isCuratorKeyLive(d.id)).toBe(false);
      expect(await s.isCuratorKeyLive(c.id)).toBe(true);
      expect(await s.revokeCuratorKeys(pad.id, a.id)).toEqual([]); // already revoked
      expect(await s.revokeCuratorKeys(`${pad.id}-other`, c.id)).toEqual([]); // another pad's key: untouched
      expect(await s.isCuratorKeyLive(c.id)).toBe(true);

      // Replacing the PTL key revokes the PTL key only; its delegates stay.
      const newPtl = keyRecord(pad.id, 'PTL', 'ignored', false, 10);
      expect(await s.replacePtlKey(pad.id, newPtl)).toEqual([ptl.id]);
      const live = await s.listCuratorKeys(pad.id);
      expect(live.map((k) => k.id)).toEqual([c.id, newPtl.id]);
      expect(live[1]).toEqual({ ...newPtl, createdBy: null, ptl: true });
      expect(await s.isCuratorKeyLive(ptl.id)).toBe(false);

      // A revoked key's delegates are no longer reached through the revoked key, but a live PTL key never is.
      const e = keyRecord(pad.id, 'e', newPtl.id, false, 11);
      await s.addCuratorKey(e);
      expect((await s.revokeCuratorKeys(pad.id, newPtl.id)).sort()).toEqual([newPtl.id, e.id].sort());
      expect((await s.listCuratorKeys(pad.id)).map((k) => k.id)).toEqual([c.id]);
    });

    it('finds a session until it expires, and never once its key is revoked or it is deleted', async () => {
      const { pad, ptl } = await makePad('sessions');
      const a = keyRecord(pad.id, 'a', ptl.id);
      await s.addCuratorKey(a);
      const now = Date.now();
      const session = { tokenHash: hex(32), padId: pad.id, keyId: a.id, expiresAt: now + 60_000 };
      await s.createSession(session);
      expect(await s.findSession(session.tokenHash, now)).toEqual(session);
      expect(await s.isSessionLive(session.tokenHash, now)).toBe(true);
      expect(await s.findSession(session.tokenHash, session.expiresAt)).toBeUndefined(); // expired at expiresAt
      expect(await s.isSessionLive(session.tokenHash, session.expiresAt + 1)).toBe(false);
      expect(await s.findSession(hex(32), now)).toBeUndefined();

      const other = { tokenHash: hex(32), padId: pad.id, keyId: ptl.id, expiresAt: now + 60_000 };
      await s.createSession(other);
      await s.deleteSession(other.tokenHash);
      expect(await s.isSessionLive(other.tokenHash, now)).toBe(false);

      await s.revokeCuratorKeys(pad.id, a.id);
      expect(await s.findSession(session.tokenHash, now)).toBeUndefined();
      expect(await s.isSessionLive(session.tokenHash, now)).toBe(false);
      expect((await s.exportPad(pad.id))!.sessions).toEqual([]); // deleted with the key, not only hidden
    });

    it('appends with consecutive sequence numbers per document and reads the log back', async () => {
      const { pad } = await makePad('append');
      const proposed: DocumentRef = { padId: pad.id, section: 'proposed' };
      const ready: DocumentRef = { padId: pad.id, section: 'ready' };
      expect(await s.headSeq(proposed)).toBe(0);
      expect(await s.readLog(proposed)).toEqual([]);

      const r1 = await s.append([{ ref: proposed, incarnation: pad.readOnlyNonce, updates: [update(1), update(2), update(3)] }]);
      expect(r1).toEqual([{ firstSeq: 1, lastSeq: 3 }]);
      const r2 = await s.append([
        { ref: ready, incarnation: pad.readOnlyNonce, updates: [update(10, 'curator')] },
        { ref: proposed, incarnation: pad.readOnlyNonce, updates: [update(4), update(5, 'system')] },
      ]);
      expect(r2).toEqual([
        { firstSeq: 1, lastSeq: 1 },
        { firstSeq: 4, lastSeq: 5 },
      ]);
      expect(await s.headSeq(proposed)).toBe(5);
      expect(await s.headSeq(ready)).toBe(1);
      const log = await s.readLog(proposed);
      expect(log.map(plain)).toEqual([1, 2, 3, 4, 5].map((n) => plain({ ...update(n, n === 5 ? 'system' : 'contributor'), seq: n })));
      expect(log[0]!.data).toBeInstanceOf(Uint8Array);
      expect((await s.readLog(ready)).map(plain)).toEqual([plain({ ...update(10, 'curator'), seq: 1 })]);
    });

    it('reads the log after a sequence number, at most `limit` rows', async () => {
      const { pad } = await makePad('limit');
      const ref: DocumentRef = { padId: pad.id, section: 'proposed' };
      await s.append([{ ref, incarnation: pad.readOnlyNonce, updates: [1, 2, 3, 4, 5, 6].map((n) => update(n)) }]);
      expect((await s.readLog(ref, 2, 2)).map((u) => u.seq)).toEqual([3, 4]);
      expect((await s.readLog(ref, 4)).map((u) => u.seq)).toEqual([5, 6]);
      expect((await s.readLog(ref, 0, 1)).map((u) => u.seq)).toEqual([1]);
      expect(await s.readLog(ref, 6)).toEqual([]);
      expect(await s.readLog(ref, 3, 0)).toEqual([]);
    });

    it('writes nothing for a deleted or recreated pad and reports it gone, while the other batches commit', async () => {
      const live = await makePad('gone-live');
      const deleted = await makePad('gone-deleted');
      const recreated = await makePad('gone-recreated');
      expect(await s.deletePad(deleted.pad.id)).toBe(true);
      expect(await s.deletePad(recreated.pad.id)).toBe(true);
      const reborn = { ...padRecord('x'), id: recreated.pad.id };
      expect(await s.createPad(reborn, keyRecord(reborn.id, 'PTL', null, true))).toBe(true);

      const refOf = (padId: string): DocumentRef => ({ padId, section: 'proposed' });
      const results = await s.append([
        { ref: refOf(deleted.pad.id), incarnation: deleted.pad.readOnlyNonce, updates: [update(1)] },
        { ref: refOf(live.pad.id), incarnation: live.pad.readOnlyNonce, updates: [update(1), update(2)] },
        { ref: refOf(recreated.pad.id), incarnation: recreated.pad.readOnlyNonce, updates: [update(1)] },
        { ref: refOf(`never-${hex(4)}`), incarnation: hex(16), updates: [update(1)] },
      ]);
      expect(results).toEqual<AppendResult[]>([{ gone: true }, { firstSeq: 1, lastSeq: 2 }, { gone: true }, { gone: true }]);
      expect((await s.readLog(refOf(live.pad.id))).map((u) => u.seq)).toEqual([1, 2]);
      expect(await s.readLog(refOf(deleted.pad.id))).toEqual([]);
      expect(await s.readLog(refOf(recreated.pad.id))).toEqual([]);
      expect(await s.headSeq(refOf(recreated.pad.id))).toBe(0);
      // The new incarnation takes writes.
      expect(await s.append([{ ref: refOf(reborn.id), incarnation: reborn.readOnlyNonce, updates: [update(9)] }])).toEqual([
        { firstSeq: 1, lastSeq: 1 },
      ]);
    });

    it('gives concurrent appends from several connections sequence numbers 1..N in commit order, no gaps, no duplicates', async () => {
      const { pad } = await makePad('concurrent');
      const ref: DocumentRef = { padId: pad.id, section: 'proposed' };
      const other: DocumentRef = { padId: pad.id, section: 'ready' };
      const writers = [s, ...(await Promise.all([1, 2, 3, 4].map(() => openHandle())))];
      const perBatch = 3;
      const rounds = 6;
      // A reader polling meanwhile must only ever see a gap-free prefix: "seq > last" never skips a row.
      let polling = true;
      let polls = 0;
      const poller = (async () => {
        let last = 0;
        // (and once more after the writers are done: a read begun before the last commits ended does not see them)
        for (let done = false; !done; ) {
          done = !polling;
          const rows = await s.readLog(ref, last);
          for (const row of rows) {
            expect(row.seq).toBe(last + 1);
            last = row.seq;
          }
          polls += 1;
        }
        return last;
      })();
      const results: Array<{ firstSeq: number; lastSeq: number; writer: number }> = [];
      try {
        for (let round = 0; round < rounds; round++) {
          const out = await Promise.all(
            writers.map((w, i) =>
              w.append([
                // Two documents per call, listed in different orders by different writers (lock order is the store's).
                ...(i % 2 === 0 ? [] : [{ ref: other, incarnation: pad.readOnlyNonce, updates: [update(1000 + i)] }]),
                {
                  ref,
                  incarnation: pad.readOnlyNonce,
                  updates: Array.from({ length: perBatch }, (_, k) => update(round * 100 + i * 10 + k)),
                },
                ...(i % 2 === 0 ? [{ ref: other, incarnation: pad.readOnlyNonce, updates: [update(1000 + i)] }] : []),
              ]),
            ),
          );
          out.forEach((r, i) => {
            const mine = r[i % 2 === 0 ? 0 : 1]!;
            if ('gone' in mine) throw new Error('pad reported gone');
            results.push({ ...mine, writer: i });
          });
        }
      } finally {
        polling = false;
      }
      const seenByPoller = await poller;
      const total = writers.length * perBatch * rounds;
      expect(seenByPoller).toBe(total);
      expect(polls).toBeGreaterThan(0);

      // Each batch got a consecutive range; the ranges tile 1..N.
      const seqs = results.flatMap((r) => {
        expect(r.lastSeq - r.firstSeq + 1).toBe(perBatch);
        return Array.from({ length: perBatch }, (_, k) => r.firstSeq + k);
      });
      expect(seqs.sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, k) => k + 1));
      const log = await s.readLog(ref);
      expect(log.map((u) => u.seq)).toEqual(Array.from({ length: total }, (_, k) => k + 1));
      // Each batch's rows are its own updates, in order, under its range.
      for (const r of results) {
        const rows = log.slice(r.firstSeq - 1, r.lastSeq);
        const sessions = rows.map((u) => u.session);
        const n0 = Number(sessions[0]!.split(':s')[1]);
        expect(sessions).toEqual([0, 1, 2].map((k) => `contributor:s${n0 + k}`));
      }
      for (let k = 0; k <= total; k++) {
        expect((await s.readLog(ref, k)).map((u) => u.seq)).toEqual(Array.from({ length: total - k }, (_, j) => k + 1 + j));
      }
      expect(await s.headSeq(ref)).toBe(total);
      expect(await s.headSeq(other)).toBe(writers.length * rounds);
      expect((await s.readLog(other)).map((u) => u.seq)).toEqual(Array.from({ length: writers.length * rounds }, (_, k) => k + 1));
    });

    it('keeps a snapshot only if newer, loads it with the rows after it, and refuses one for a gone pad', async () => {
      const { pad } = await makePad('snapshot');
      const ref: DocumentRef = { padId: pad.id, section: 'ready' };
      expect(await s.loadDocument(ref)).toEqual({ snapshot: null, updates: [] });
      await s.append([{ ref, incarnation: pad.readOnlyNonce, updates: [1, 2, 3, 4, 5].map((n) => update(n, 'curator')) }]);

      const all = await s.loadDocument(ref);
      expect(all.snapshot).toBeNull();
      expect(all.updates.map((u) => u.seq)).toEqual([1, 2, 3, 4, 5]);

      expect(await s.writeSnapshot(ref, pad.readOnlyNonce, 3, new Uint8Array([3, 3, 3]))).toBe(true);
      let doc = await s.loadDocument(ref);
      expect(doc.snapshot && { seq: doc.snapshot.seq, state: [...doc.snapshot.state] }).toEqual({ seq: 3, state: [3, 3, 3] });
      expect(doc.snapshot!.state).toBeInstanceOf(Uint8Array);
      expect(doc.updates.map(plain)).toEqual([4, 5].map((n) => plain({ ...update(n, 'curator'), seq: n })));

      await s.writeSnapshot(ref, pad.readOnlyNonce, 2, new Uint8Array([2])); // older: ignored
      doc = await s.loadDocument(ref);
      expect(doc.snapshot!.seq).toBe(3);

      await s.writeSnapshot(ref, pad.readOnlyNonce, 5, new Uint8Array([5]));
      doc = await s.loadDocument(ref);
      expect(doc.snapshot!.seq).toBe(5);
      expect(doc.updates).toEqual([]);

      expect(await s.writeSnapshot(ref, hex(16), 9, new Uint8Array([9]))).toBe(false); // another incarnation
      expect((await s.loadDocument(ref)).snapshot!.seq).toBe(5);
      await s.deletePad(pad.id);
      expect(await s.writeSnapshot(ref, pad.readOnlyNonce, 9, new Uint8Array([9]))).toBe(false);
      expect(await s.loadDocument(ref)).toEqual({ snapshot: null, updates: [] });
    });

    it('stores the history index: summaries newest first, already indexed rows ignored, the checkpoint only moves on', async () => {
      const { pad } = await makePad('history');
      const ref: DocumentRef = { padId: pad.id, section: 'proposed' };
      const rev = (seq: number, summary = `[${seq}]`) => ({ seq, at: 1000 + seq, role: 'contributor', session: `c${seq}`, summary });
      expect(await s.historyCheckpoint(ref)).toBeNull();
      expect(await s.listRevisionSummaries(ref, 10)).toEqual([]);

      await s.indexRevisions(ref, [rev(1), rev(2), rev(3)], { seq: 3, state: new Uint8Array([1, 2, 3]) });
      expect(await s.listRevisionSummaries(ref, 2)).toEqual([rev(3), rev(2)]);
      expect(await s.listRevisionSummaries(ref, 10, 3)).toEqual([rev(2), rev(1)]);
      const cp = await s.historyCheckpoint(ref);
      expect(cp && { seq: cp.seq, state: [...cp.state] }).toEqual({ seq: 3, state: [1, 2, 3] });

      await s.indexRevisions(ref, [rev(3, 'changed'), rev(4)], { seq: 4, state: new Uint8Array([4]) });
      expect(await s.listRevisionSummaries(ref, 10)).toEqual([rev(4), rev(3), rev(2), rev(1)]);
      await s.indexRevisions(ref, [], { seq: 2, state: new Uint8Array([2]) }); // older checkpoint: kept as is
      expect((await s.historyCheckpoint(ref))!.seq).toBe(4);
      await expect(s.indexRevisions({ padId: `none-${hex(4)}`, section: 'proposed' }, [rev(1)], { seq: 1, state: new Uint8Array([1]) })).rejects.toThrow();
    });

    it('deletes a pad with everything of it, leaving other pads alone; a pad made again under its name starts empty', async () => {
      const full = async (tag: string) => {
        const { pad, ptl } = await makePad(tag);
        const a = keyRecord(pad.id, 'a', ptl.id);
        await s.addCuratorKey(a);
        await s.createSession({ tokenHash: hex(32), padId: pad.id, keyId: a.id, expiresAt: Date.now() + 60_000 });
        for (const section of ['proposed', 'ready'] as const) {
          const ref = { padId: pad.id, section };
          await s.append([{ ref, incarnation: pad.readOnlyNonce, updates: [update(1), update(2), update(3)] }]);
          await s.writeSnapshot(ref, pad.readOnlyNonce, 2, new Uint8Array([2]));
          await s.indexRevisions(ref, [{ seq: 1, at: 1, role: 'contributor', session: 'c', summary: '[]' }], { seq: 1, state: new Uint8Array([1]) });
        }
        await s.saveGuardNotices(pad.id, [notice('n1')]);
        await s.saveSessionNames(pad.id, pad.readOnlyNonce, [{ session: 'contributor:c', name: 'C', at: 1 }]);
        return { pad, ptl, a };
      };
      const doomed = await full('doomed');
      const neighbour = await full('neighbour');
      if (options.rowsOf) {
        const before = await options.rowsOf(s, doomed.pad.id);
        for (const [table, n] of Object.entries(before)) {
          if (table !== 'leases') expect(n, table).toBeGreaterThan(0);
        }
      }

      expect(await s.deletePad(doomed.pad.id)).toBe(true);
      expect(await s.deletePad(doomed.pad.id)).toBe(false);
      const id = doomed.pad.id;
      expect(await s.getPad(id)).toBeUndefined();
      expect(await s.findPadByReadOnlyHash(doomed.pad.readOnlyTokenHash)).toBeUndefined();
      expect(await s.listCuratorKeys(id)).toEqual([]);
      expect(await s.isCuratorKeyLive(doomed.a.id)).toBe(false);
      expect(await s.exportPad(id)).toBeUndefined();
      expect(await s.listGuardNotices(id)).toEqual([]);
      for (const section of ['proposed', 'ready'] as const) {
        const ref = { padId: id, section };
        expect(await s.loadDocument(ref)).toEqual({ snapshot: null, updates: [] });
        expect(await s.headSeq(ref)).toBe(0);
        expect(await s.listRevisionSummaries(ref, 10)).toEqual([]);
        expect(await s.historyCheckpoint(ref)).toBeNull();
      }
      if (options.rowsOf) {
        const after = await options.rowsOf(s, id);
        expect(Object.values(after).every((n) => n === 0), JSON.stringify(after)).toBe(true);
        const neighbourRows = await options.rowsOf(s, neighbour.pad.id);
        expect(neighbourRows.updates).toBe(6);
      }
      expect((await s.readLog({ padId: neighbour.pad.id, section: 'ready' })).length).toBe(3);
      expect(await s.listGuardNotices(neighbour.pad.id)).toEqual([notice('n1')]);

      const reborn = { ...padRecord('x'), id };
      const rebornPtl = keyRecord(id, 'PTL', null, true);
      expect(await s.createPad(reborn, rebornPtl)).toBe(true);
      expect(await s.listCuratorKeys(id)).toEqual([rebornPtl]);
      expect(await s.listSessionNames(id)).toEqual([]);
      expect(await s.headSeq({ padId: id, section: 'proposed' })).toBe(0);
      expect(await s.append([{ ref: { padId: id, section: 'proposed' }, incarnation: reborn.readOnlyNonce, updates: [update(1)] }])).toEqual([
        { firstSeq: 1, lastSeq: 1 },
      ]);
    });

    it('changes guard notices atomically: changes made at once all count; a change to nothing stores nothing', async () => {
      const { pad } = await makePad('notices-at-once');
      const ids = Array.from({ length: 8 }, (_, i) => `n${i}`);
      const stored = await Promise.all(ids.map((id) => s.updateGuardNotices(pad.id, (notices) => [...notices, notice(id)])));
      expect(stored.every((list) => list !== null)).toBe(true);
      expect((await s.listGuardNotices(pad.id)).map((n) => n.id).sort()).toEqual(ids);
      expect(await s.updateGuardNotices(pad.id, () => null)).toBeNull();
      expect(await s.listGuardNotices(pad.id)).toHaveLength(8);
      await Promise.all(ids.map((id) => s.updateGuardNotices(pad.id, (notices) => notices.filter((n) => n.id !== id))));
      expect(await s.listGuardNotices(pad.id)).toEqual([]);
      const ghost = `ghost-${hex(4)}`;
      expect(await s.updateGuardNotices(ghost, () => [notice('x')])).toBeNull();
      expect(await s.listGuardNotices(ghost)).toEqual([]);
    });

    it('round-trips guard notices; an empty list clears them; none are kept for a pad that does not exist', async () => {
      const { pad } = await makePad('notices');
      expect(await s.listGuardNotices(pad.id)).toEqual([]);
      await s.saveGuardNotices(pad.id, [notice('a'), notice('b')]);
      expect(await s.listGuardNotices(pad.id)).toEqual([notice('a'), notice('b')]);
      await s.saveGuardNotices(pad.id, [notice('c')]);
      expect(await s.listGuardNotices(pad.id)).toEqual([notice('c')]);
      await s.saveGuardNotices(pad.id, []);
      expect(await s.listGuardNotices(pad.id)).toEqual([]);
      const ghost = `ghost-${hex(4)}`;
      await s.saveGuardNotices(ghost, [notice('x')]);
      expect(await s.listGuardNotices(ghost)).toEqual([]);
    });

    it('records session names: newest wins per session, only for sessions asked, bounded per pad, gone with the pad', async () => {
      const { pad } = await makePad('names');
      expect(await s.listSessionNames(pad.id)).toEqual([]);
      await s.saveSessionNames(pad.id, pad.readOnlyNonce, [
        { session: 'contributor:a', name: 'Alice', at: 10 },
        { session: 'contributor:b', name: 'Bob', at: 11 },
      ]);
      await s.saveSessionNames(pad.id, pad.readOnlyNonce, [{ session: 'contributor:a', name: 'Alice B.', at: 12 }]);
      // an older write arriving late (another process) never replaces a newer name
      await s.saveSessionNames(pad.id, pad.readOnlyNonce, [{ session: 'contributor:b', name: 'Bobby (stale)', at: 5 }]);
      expect(await s.listSessionNames(pad.id)).toEqual([
        { session: 'contributor:b', name: 'Bob', at: 11 },
        { session: 'contributor:a', name: 'Alice B.', at: 12 },
      ]);
      expect(await s.listSessionNames(pad.id, ['contributor:a', 'curator:zz'])).toEqual([{ session: 'contributor:a', name: 'Alice B.', at: 12 }]);
      expect(await s.listSessionNames(pad.id, [])).toEqual([]);
      // names that look like SQL or JSON are data
      await s.saveSessionNames(pad.id, pad.readOnlyNonce, [{ session: `contributor:'");--`, name: `"]}'; DROP TABLE pads; --`, at: 13 }]);
      expect(await s.listSessionNames(pad.id, [`contributor:'");--`])).toEqual([{ session: `contributor:'");--`, name: `"]}'; DROP TABLE pads; --`, at: 13 }]);

      // bounded: the most recently named sessions stay
      const many = Array.from({ length: SESSION_NAMES_PER_PAD + 50 }, (_, i) => ({ session: `contributor:m${i}`, name: `N${i}`, at: 1000 + i }));
      await s.saveSessionNames(pad.id, pad.readOnlyNonce, many.slice(0, 1000));
      await s.saveSessionNames(pad.id, pad.readOnlyNonce, many.slice(1000));
      await s.saveSessionNames(pad.id, pad.readOnlyNonce, [{ session: 'contributor:last', name: 'Last', at: 10_000 }]);
      const kept = await s.listSessionNames(pad.id);
      expect(kept.length).toBeLessThanOrEqual(SESSION_NAMES_PER_PAD);
      expect(kept.length).toBeGreaterThan(SESSION_NAMES_PER_PAD - 5);
      expect(kept.at(-1)).toEqual({ session: 'contributor:last', name: 'Last', at: 10_000 });
      expect(kept.some((n) => n.session === 'contributor:a')).toBe(false);

      const ghost = `ghost-${hex(4)}`;
      await s.saveSessionNames(ghost, pad.readOnlyNonce, [{ session: 'contributor:g', name: 'G', at: 1 }]);
      expect(await s.listSessionNames(ghost)).toEqual([]);
      // another incarnation of the pad's name (deleted and made again since the names were shown) gets none of them
      await s.saveSessionNames(pad.id, 'f'.repeat(32), [{ session: 'contributor:old', name: 'Old', at: 20_000 }]);
      expect((await s.listSessionNames(pad.id, ['contributor:old']))).toEqual([]);
      expect(await s.deletePad(pad.id)).toBe(true);
      expect(await s.listSessionNames(pad.id)).toEqual([]);
    });

    it('gives a lease to one holder at a time; the holder renews it; it expires when not renewed', async () => {
      const name = `lease-${hex(4)}`;
      const other = await openHandle();
      expect(await s.tryLease(name, 'p1', 600)).toBe(true);
      expect(await other.tryLease(name, 'p2', 600)).toBe(false);
      await sleep(350);
      expect(await s.tryLease(name, 'p1', 600)).toBe(true); // renewed: now runs until ~950 ms
      await sleep(350);
      expect(await other.tryLease(name, 'p2', 600)).toBe(false); // would have expired at 600 ms without the renewal
      await sleep(700);
      expect(await other.tryLease(name, 'p2', 600)).toBe(true); // expired: taken over
      expect(await s.tryLease(name, 'p1', 600)).toBe(false);
      expect(await s.tryLease(`${name}-b`, 'p1', 600)).toBe(true); // leases are independent
    });

    it('keeps one server secret, the same from every handle and after reopening', async () => {
      const secret = await s.serverSecret();
      expect(secret).toBeInstanceOf(Buffer);
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect((await s.serverSecret()).equals(secret)).toBe(true);
      const [h1, h2] = await Promise.all([openHandle(), openHandle()]);
      const [s1, s2] = await Promise.all([h1.serverSecret(), h2.serverSecret()]);
      expect(s1.equals(secret) && s2.equals(secret)).toBe(true);
      await h1.close();
      const reopened = await openHandle();
      expect((await reopened.serverSecret()).equals(secret)).toBe(true);
    });

    it('reads the status cache rows asked for, each once, however many are asked at once', async () => {
      const tag = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
      const row = (n: number): StatusRow => ({ key: `change:${tag}-${n}`, value: JSON.stringify({ n, note: `it's "${n}"` }), etag: n % 2 ? `W/"${n}"` : null, fetchedAt: 1000 + n, nextCheckAt: 2000 + n, failures: n % 3 });
      const rows = Array.from({ length: 1500 }, (_, i) => row(i));
      await s.writeStatus(rows);
      // a pad's page asks for every key of the pad at once: duplicates, and keys never cached, among them
      const asked = [...rows.map((r) => r.key), rows[7]!.key, rows[7]!.key, `change:${tag}-never`, `bug:${tag}`];
      const read = await s.readStatus(asked);
      expect(read).toHaveLength(1500);
      expect(new Map(read.map((r) => [r.key, r]))).toEqual(new Map(rows.map((r) => [r.key, r])));
      expect(await s.readStatus([rows[3]!.key, `topic:${tag}`])).toEqual([rows[3]]);
      expect(await s.readStatus([])).toEqual([]);
    });

    it('answers ping and takes a probe write', async () => {
      await expect(s.ping()).resolves.toBeUndefined();
      await expect(s.probeWrite()).resolves.toBeUndefined();
      await expect(s.probeWrite()).resolves.toBeUndefined();
      expect(typeof s.description).toBe('string');
    });

    it('exports a pad whole (revoked keys too) and imports it and its log with the same sequence numbers', async () => {
      const { pad, ptl } = await makePad('export', 5000);
      const a = keyRecord(pad.id, 'a', ptl.id, false, 5001);
      const b = keyRecord(pad.id, 'b', ptl.id, false, 5002);
      await s.addCuratorKey(a);
      await s.addCuratorKey(b);
      await s.revokeCuratorKeys(pad.id, a.id);
      const session = { tokenHash: hex(32), padId: pad.id, keyId: b.id, expiresAt: Date.now() + 60_000 };
      await s.createSession(session);
      const exported = (await s.exportPad(pad.id))!;
      expect(exported.pad).toEqual(pad);
      expect(exported.keys.map(({ revokedAt, ...k }) => ({ k, revoked: revokedAt !== null }))).toEqual([
        { k: ptl, revoked: false },
        { k: a, revoked: true },
        { k: b, revoked: false },
      ]);
      expect(exported.sessions).toEqual([session]);

      // Import it under new names (ids are unique across pads).
      const copy = { ...padRecord('imported'), createdAt: pad.createdAt };
      const rename = (id: string | null) => (id === null ? null : `${id}-copy`);
      const data = {
        pad: copy,
        keys: exported.keys.map((k) => ({ ...k, id: rename(k.id)!, padId: copy.id, createdBy: rename(k.createdBy) })),
        sessions: exported.sessions.map((x) => ({ ...x, tokenHash: hex(32), padId: copy.id, keyId: rename(x.keyId)! })),
      };
      expect(await s.importPad(data)).toBe(true);
      expect(await s.importPad(data)).toBe(false);
      expect(await s.exportPad(copy.id)).toEqual(data);
      expect((await s.listCuratorKeys(copy.id)).map((k) => k.id)).toEqual([rename(ptl.id), rename(b.id)]);
      expect(await s.findSession(data.sessions[0]!.tokenHash, Date.now())).toEqual(data.sessions[0]);

      const ref: DocumentRef = { padId: copy.id, section: 'proposed' };
      const rows = [4, 5, 7].map((seq) => ({ ...update(seq), seq }));
      expect(await s.importLog(ref, hex(16), rows)).toBe(false);
      expect(await s.importLog(ref, copy.readOnlyNonce, rows)).toBe(true);
      expect((await s.readLog(ref)).map(plain)).toEqual(rows.map(plain));
      expect(await s.headSeq(ref)).toBe(7);
      await expect(s.importLog(ref, copy.readOnlyNonce, [{ ...update(6), seq: 6 }])).rejects.toThrow();
      expect(await s.append([{ ref, incarnation: copy.readOnlyNonce, updates: [update(8)] }])).toEqual([{ firstSeq: 8, lastSeq: 8 }]);
    });
  });
}
