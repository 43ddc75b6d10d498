import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { inspectUpdate } from '../../server/sync/update-inspector.js';
import { createEntry, entriesOf } from '../../shared/schema.js';

function docWith(titles: string[]): Y.Doc {
  const doc = new Y.Doc();
  entriesOf(doc).push(titles.map((title) => createEntry({ title, addedBy: 't' })));
  return doc;
}

/** A change made on a copy of `doc`, as the update it produces. */
function changeOf(doc: Y.Doc, change: (copy: Y.Doc) => void): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const sv = Y.encodeStateVector(copy);
  change(copy);
  return Y.encodeStateAsUpdate(copy, sv);
}

describe('inspectUpdate', () => {
  it('sees new content as a change', () => {
    const doc = docWith(['a']);
    expect(inspectUpdate(doc, changeOf(doc, (c) => entriesOf(c).push([createEntry({ title: 'b', addedBy: 't' })])))).toMatchObject({ ok: true, changes: true, fresh: true });
  });

  it('sees a deletion of live content as a change, and a repeated one as none', () => {
    const doc = docWith(['a', 'b']);
    const deletion = changeOf(doc, (c) => entriesOf(c).delete(0, 1));
    expect(inspectUpdate(doc, deletion)).toMatchObject({ ok: true, changes: true, fresh: true });
    Y.applyUpdate(doc, deletion);
    expect(inspectUpdate(doc, deletion)).toMatchObject({ ok: true, changes: false, fresh: true });
  });

  it('sees an honest sync step 2 of a peer that has nothing new as no change', () => {
    const doc = docWith(['a', 'b']);
    entriesOf(doc).delete(0, 1);
    const peer = new Y.Doc();
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
    // what a read-only peer answers to the server's step 1: its whole delete set, no new structs
    expect(inspectUpdate(doc, Y.encodeStateAsUpdate(peer, Y.encodeStateVector(doc)))).toMatchObject({ ok: true, changes: false, fresh: true });
    expect(inspectUpdate(doc, Y.encodeStateAsUpdate(new Y.Doc()))).toMatchObject({ ok: true, changes: false, fresh: true });
  });

  it('rejects an update that depends on content the document lacks (it would stay pending)', () => {
    const source = docWith(['a']);
    const first = Y.encodeStateAsUpdate(source);
    const sv = Y.encodeStateVector(source);
    entriesOf(source).push([createEntry({ title: 'b', addedBy: 't' })]);
    const second = Y.encodeStateAsUpdate(source, sv);
    const empty = new Y.Doc();
    expect(inspectUpdate(empty, second)).toMatchObject({ ok: false, reason: 'incomplete' });
    Y.applyUpdate(empty, first);
    expect(inspectUpdate(empty, second)).toMatchObject({ ok: true, changes: true, fresh: true });
  });

  it('sees an update that repeats known content besides new content as a change that is not fresh', () => {
    const doc = docWith(['a']);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    entriesOf(copy).push([createEntry({ title: 'b', addedBy: 't' })]);
    // a reconnecting client's sync step 2 when it missed the server's step 1: everything it has
    expect(inspectUpdate(doc, Y.encodeStateAsUpdate(copy))).toMatchObject({ ok: true, changes: true, fresh: false });
  });

  it('rejects deletions of unknown content and garbage', () => {
    const source = docWith(['a']);
    const deletion = changeOf(source, (c) => entriesOf(c).delete(0, 1));
    expect(inspectUpdate(new Y.Doc(), deletion)).toMatchObject({ ok: false, reason: 'incomplete' });
    for (const bytes of [[255, 255, 255], [1, 2, 3, 4, 5], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]]) {
      expect(inspectUpdate(new Y.Doc(), new Uint8Array(bytes)).ok).toBe(false);
    }
  });

  it('rejects a V2 update sent where V1 is expected', () => {
    const source = docWith(['a', 'b']);
    const v2 = Y.encodeStateAsUpdateV2(source);
    const doc = new Y.Doc();
    const result = inspectUpdate(doc, v2);
    expect(result.ok).toBe(false);
  });
});
