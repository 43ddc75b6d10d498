import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, entriesOf, metaOf, sectionToJSON } from '../../shared/schema.js';
import { listRevisions, logBatches, stateAt, undoUpdates } from '../../server/history.js';
import type { StoredUpdate } from '../../server/storage/store.js';

/** Records every update of `doc` as a log row authored by `session`. */
class Recorder {
  readonly log: StoredUpdate[] = [];
  constructor(readonly doc: Y.Doc) {}
  as(session: string, change: () => void, at = this.log.length * 1000) {
    const handler = (update: Uint8Array) => this.log.push({ seq: this.log.length + 1, data: update, role: 'contributor', session, at });
    this.doc.on('update', handler);
    this.doc.transact(change);
    this.doc.off('update', handler);
  }
}

const titles = (doc: Y.Doc) => sectionToJSON(doc).map((e) => e.title);
const title = (doc: Y.Doc, i: number) => entriesOf(doc).get(i).get('title') as Y.Text;

function scenario() {
  const doc = new Y.Doc();
  const r = new Recorder(doc);
  r.as('alice', () => entriesOf(doc).push([createEntry({ id: 'a', title: 'Alpha', addedBy: 'alice' }), createEntry({ id: 'b', title: 'Beta', addedBy: 'alice' })]));
  r.as('bob', () => title(doc, 1).insert(4, ' fix'));
  // the burst to undo: a translator rewriting both titles
  r.as('translator', () => {
    for (const i of [0, 1]) {
      const t = title(doc, i);
      const old = t.toString();
      t.delete(0, t.length);
      t.insert(0, `Übersetzt ${old}`);
    }
  });
  // later honest work by someone else, on a translated entry and a new one
  r.as('carol', () => {
    entriesOf(doc).push([createEntry({ id: 'c', title: 'Gamma', addedBy: 'carol' })]);
    (entriesOf(doc).get(0).get('note') as Y.Text).insert(0, 'needs +2');
  });
  return { doc, log: r.log };
}

describe('history', () => {
  it('lists revisions newest first, summarised per entry', () => {
    const { log } = scenario();
    const revisions = listRevisions(log, { limit: 10 });
    expect(revisions.map((r) => r.session)).toEqual(['carol', 'translator', 'bob', 'alice']);
    expect(revisions[3]!.entries).toEqual([
      { id: 'a', title: 'Alpha', change: 'added' },
      { id: 'b', title: 'Beta', change: 'added' },
    ]);
    expect(revisions[2]!.entries).toEqual([{ id: 'b', title: 'Beta fix', change: 'edited', fields: ['title'] }]);
    expect(revisions[1]!.entries.map((e) => [e.id, e.change, e.fields])).toEqual([['a', 'edited', ['title']], ['b', 'edited', ['title']]]);
    expect(revisions[0]!.entries.map((e) => [e.id, e.change, e.fields])).toEqual([['c', 'added', undefined], ['a', 'edited', ['note']]]);
    expect(listRevisions(log, { limit: 2, beforeSeq: 3 }).map((r) => r.seq)).toEqual([2, 1]);
  });

  it('shows the content as of any revision', async () => {
    const { log } = scenario();
    expect((await stateAt([log], 2)).entries.map((e) => e.title)).toEqual(['Alpha', 'Beta fix']);
    expect((await stateAt([log], 3)).entries.map((e) => e.title)).toEqual(['Übersetzt Alpha', 'Übersetzt Beta fix']);
  });

  it('reads the content from a checkpoint and the rows after it, from the store in batches, and lets other work run meanwhile', async () => {
    const { log } = scenario();
    // a checkpoint as of revision 2 (as the history index keeps one): only rows 3.. are replayed over it
    const replica = new Y.Doc();
    for (const u of log) if (u.seq <= 2) Y.applyUpdate(replica, u.data);
    const base = { seq: 2, state: Y.encodeStateAsUpdate(replica) };
    const reads: Array<[number, number | undefined]> = [];
    const store = {
      readLog: async (_ref: unknown, after = 0, limit?: number) => {
        reads.push([after, limit]);
        return log.filter((u) => u.seq > after).slice(0, limit);
      },
    };
    const ref = { padId: 'p', section: 'proposed' as const };
    expect((await stateAt(logBatches(store, ref, 2, 3), 3, base)).entries.map((e) => e.title)).toEqual(['Übersetzt Alpha', 'Übersetzt Beta fix']);
    expect(reads).toEqual([[2, 1]]);
    // a checkpoint past the revision asked for is not used
    expect((await stateAt([log], 1, { seq: 3, state: Y.encodeStateAsUpdate(replica) })).entries.map((e) => e.title)).toEqual(['Alpha', 'Beta']);

    // a long log is replayed in steps: a timer set before the replay fires before it ends
    const long = new Y.Doc();
    const rec = new Recorder(long);
    for (let i = 0; i < 3000; i++) rec.as('typist', () => entriesOf(long).push([createEntry({ title: `E${i}`, addedBy: 'typist' })]));
    let ranMeanwhile = false;
    setImmediate(() => (ranMeanwhile = true));
    const state = await stateAt([rec.log], rec.log.length);
    expect(state.entries).toHaveLength(3000);
    expect(ranMeanwhile).toBe(true);
  });

  it("reverts one session's burst without touching others' later work", async () => {
    const { doc, log } = scenario();
    const update = await undoUpdates([log], (u) => u.session === 'translator');
    expect(update).not.toBeNull();
    Y.applyUpdate(doc, update!);
    expect(titles(doc)).toEqual(['Alpha', 'Beta fix', 'Gamma']);
    expect(sectionToJSON(doc)[0]!.note).toBe('needs +2');
  });

  it('restores a past revision as a new change (everything after it undone)', async () => {
    const { doc, log } = scenario();
    Y.applyUpdate(doc, (await undoUpdates([log], (u) => u.seq > 2))!);
    expect(sectionToJSON(doc).map((e) => [e.title, e.note])).toEqual([['Alpha', ''], ['Beta fix', '']]);
    // and the meta map is restored too
    const d2 = new Y.Doc();
    const r = new Recorder(d2);
    r.as('ptl', () => metaOf(d2).set('title', 'Nova 2025.1'));
    r.as('x', () => metaOf(d2).set('title', 'vandalised'));
    Y.applyUpdate(d2, (await undoUpdates([r.log], (u) => u.seq > 1))!);
    expect(metaOf(d2).get('title')).toBe('Nova 2025.1');
  });

  it('undoing nothing gives nothing', async () => {
    const { log } = scenario();
    expect(await undoUpdates([log], () => false)).toBeNull();
  });

  it('names an untitled entry by its Launchpad link as its chip reads (#2082345), when added, edited and removed (not by its id)', () => {
    const doc = new Y.Doc();
    const r = new Recorder(doc);
    r.as('alice', () => entriesOf(doc).push([createEntry({ id: 'u1', launchpad: 'https://bugs.launchpad.net/nova/+bug/2082345', addedBy: 'alice' })]));
    r.as('alice', () => (entriesOf(doc).get(0).get('note') as Y.Text).insert(0, 'needs +2'));
    r.as('bob', () => entriesOf(doc).delete(0, 1));
    const names = listRevisions(r.log, { limit: 10 }).map((rev) => rev.entries.map((e) => `${e.change} ${e.title}`));
    expect(names).toEqual([['removed #2082345'], ['edited #2082345'], ['added #2082345']]);
  });
});
