import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { inspectUpdate } from '../../server/sync/update-inspector.js';
import {
  createEntry,
  entriesOf,
  MAX_ENTRIES_PER_SECTION,
  MAX_LINE_LENGTH,
  MAX_LIST_ITEMS,
  MAX_NOTE_LENGTH,
  metaOf,
  type EntryMap,
} from '../../shared/schema.js';

/** A document as the server holds it (its content put there directly, as a pad from before the limits could be). */
function docWith(build: (doc: Y.Doc) => void): Y.Doc {
  const doc = new Y.Doc();
  build(doc);
  return doc;
}

/** What a client sends for `change`, made on its own replica of `doc` (gc off: deleted content stays in the update). */
function changeOf(doc: Y.Doc, change: (copy: Y.Doc) => void, gc = true): Uint8Array {
  const copy = new Y.Doc({ gc });
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const sv = Y.encodeStateVector(copy);
  change(copy);
  return Y.encodeStateAsUpdate(copy, sv);
}

const first = (doc: Y.Doc): EntryMap => entriesOf(doc).get(0);
const title = (doc: Y.Doc) => first(doc).get('title') as Y.Text;
const note = (doc: Y.Doc) => first(doc).get('note') as Y.Text;
const reviews = (doc: Y.Doc) => first(doc).get('reviews') as Y.Array<string>;
const review = (i: number) => `https://review.opendev.org/c/openstack/nova/+/${900_000 + i}`;
const verdict = (doc: Y.Doc, update: Uint8Array, section: 'proposed' | 'ready' = 'proposed') => {
  const inspection = inspectUpdate(doc, update, section);
  return inspection.ok ? 'ok' : `${inspection.reason}: ${inspection.detail}`;
};

describe('the limits every write keeps to (checked before anything is applied)', () => {
  it('a title takes characters up to its limit, and not one more', () => {
    const doc = docWith((d) => entriesOf(d).push([createEntry({ title: 'x'.repeat(MAX_LINE_LENGTH - 5), addedBy: 't' })]));
    expect(verdict(doc, changeOf(doc, (c) => title(c).insert(0, 'abcde')))).toBe('ok');
    expect(verdict(doc, changeOf(doc, (c) => title(c).insert(3, 'abcdef')))).toBe('limit: a title may hold at most 4,000 characters');
  });

  it('a full title can be typed over: what the same update deletes is counted', () => {
    const doc = docWith((d) => entriesOf(d).push([createEntry({ title: 'x'.repeat(MAX_LINE_LENGTH), addedBy: 't' })]));
    expect(verdict(doc, changeOf(doc, (c) => c.transact(() => { title(c).delete(0, MAX_LINE_LENGTH); title(c).insert(0, 'New title'); })))).toBe('ok');
    expect(verdict(doc, changeOf(doc, (c) => c.transact(() => { title(c).delete(10, 5); title(c).insert(10, 'fives'); })))).toBe('ok');
    expect(verdict(doc, changeOf(doc, (c) => c.transact(() => { title(c).delete(10, 5); title(c).insert(10, 'sixsix'); })))).toMatch(/^limit: a title/);
  });

  it('a note takes up to its own, larger limit, whatever its lines', () => {
    const doc = docWith((d) => entriesOf(d).push([createEntry({ note: `${'n'.repeat(5000)}\n`.repeat(19), addedBy: 't' })]));
    const room = MAX_NOTE_LENGTH - note(doc).length;
    expect(verdict(doc, changeOf(doc, (c) => note(c).insert(0, 'y'.repeat(room))))).toBe('ok');
    expect(verdict(doc, changeOf(doc, (c) => note(c).insert(0, 'y'.repeat(room + 1))))).toBe('limit: a note may hold at most 100,000 characters');
  });

  it('an entry lists at most 200 reviews, whether made at once or added one by one', () => {
    const empty = new Y.Doc();
    const many = Array.from({ length: MAX_LIST_ITEMS + 1 }, (_, i) => review(i));
    expect(verdict(empty, changeOf(empty, (c) => entriesOf(c).push([createEntry({ reviews: many, addedBy: 't' })])))).toBe('limit: an entry may list at most 200 reviews');
    expect(verdict(empty, changeOf(empty, (c) => entriesOf(c).push([createEntry({ reviews: many.slice(1), addedBy: 't' })])))).toBe('ok');
    const full = docWith((d) => entriesOf(d).push([createEntry({ reviews: many.slice(1), addedBy: 't' })]));
    expect(verdict(full, changeOf(full, (c) => reviews(c).push([review(999)])))).toBe('limit: an entry may list at most 200 reviews');
    expect(verdict(full, changeOf(full, (c) => c.transact(() => { reviews(c).delete(0, 1); reviews(c).push([review(999)]); })))).toBe('ok');
  });

  it('a section holds at most 2,000 entries; one can be replaced when it is full', () => {
    const full = docWith((d) => entriesOf(d).push(Array.from({ length: MAX_ENTRIES_PER_SECTION }, (_, i) => createEntry({ title: `e${i}`, addedBy: 't' }))));
    expect(verdict(full, changeOf(full, (c) => entriesOf(c).push([createEntry({ title: 'one more', addedBy: 't' })])))).toBe('limit: a section may hold at most 2,000 entries (it holds 2,000)');
    expect(verdict(full, changeOf(full, (c) => c.transact(() => { entriesOf(c).delete(5, 1); entriesOf(c).push([createEntry({ title: 'instead', addedBy: 't' })]); })))).toBe('ok');
    // and an entry's own fields can still change
    expect(verdict(full, changeOf(full, (c) => title(c).insert(0, 'renamed ')))).toBe('ok');
  });

  it('a plain value (an owner, a link, a header line, anything a peer sets) holds at most a line, however deep in the value', () => {
    const doc = docWith((d) => entriesOf(d).push([createEntry({ addedBy: 't' })]));
    const long = 'o'.repeat(MAX_LINE_LENGTH + 1);
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('owner', 'o'.repeat(MAX_LINE_LENGTH))))).toBe('ok');
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('owner', long)))).toBe('limit: a value may hold at most 4,000 characters');
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('extra', { a: [long] })))).toMatch(/^limit: a value/);
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('extra', { [long]: 1 })))).toMatch(/^limit: a value/);
    expect(verdict(doc, changeOf(doc, (c) => metaOf(c).set('preamble', Y.Array.from([long]))), 'ready')).toMatch(/^limit: a value/);
  });

  it("the cycle header's lists hold at most 200 items", () => {
    const doc = new Y.Doc();
    const lines = Array.from({ length: MAX_LIST_ITEMS + 1 }, (_, i) => `line ${i}`);
    expect(verdict(doc, changeOf(doc, (c) => metaOf(c).set('preamble', Y.Array.from(lines))), 'ready')).toBe('limit: a list may hold at most 200 preamble lines');
    const milestones = lines.map((label) => new Y.Map(Object.entries({ label, date: '2026-01-01' })));
    expect(verdict(doc, changeOf(doc, (c) => metaOf(c).set('milestones', Y.Array.from(milestones))), 'ready')).toBe('limit: the cycle header may list at most 200 milestones');
  });

  it('an over-limit field written before the limits can shrink, and cannot grow', () => {
    const doc = docWith((d) => entriesOf(d).push([createEntry({ title: 'x'.repeat(MAX_LINE_LENGTH + 500), reviews: Array.from({ length: 300 }, (_, i) => review(i)), addedBy: 't' })]));
    expect(verdict(doc, changeOf(doc, (c) => title(c).delete(0, 100)))).toBe('ok');
    expect(verdict(doc, changeOf(doc, (c) => c.transact(() => { title(c).delete(0, 100); title(c).insert(0, 'y'.repeat(50)); })))).toBe('ok');
    expect(verdict(doc, changeOf(doc, (c) => title(c).insert(0, 'y')))).toMatch(/^limit: a title/);
    expect(verdict(doc, changeOf(doc, (c) => reviews(c).delete(0, 50)))).toBe('ok');
    expect(verdict(doc, changeOf(doc, (c) => reviews(c).push([review(999)])))).toMatch(/^limit: an entry may list/);
  });

  it('what an update adds and deletes again itself (edits made offline, sent at once) counts as what is left', () => {
    const doc = docWith((d) => entriesOf(d).push([createEntry({ addedBy: 't' })]));
    const offline = changeOf(doc, (c) => {
      title(c).insert(0, 'y'.repeat(MAX_LINE_LENGTH)); // typed…
      title(c).delete(0, 1000); // …then partly removed, in later transactions: the deleted characters stay in the update
      title(c).insert(0, 'z'.repeat(500));
    }, false);
    expect(verdict(doc, offline)).toBe('ok');
    const tooMuch = changeOf(doc, (c) => {
      title(c).insert(0, 'y'.repeat(MAX_LINE_LENGTH));
      title(c).delete(0, 10);
      title(c).insert(0, 'z'.repeat(11));
    }, false);
    expect(verdict(doc, tooMuch)).toMatch(/^limit: a title/);
  });

  it('a field is judged by its key, not by a key a peer names: a text under another key has the line limit', () => {
    const doc = docWith((d) => entriesOf(d).push([createEntry({ addedBy: 't' })]));
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('notes', new Y.Text('w'.repeat(MAX_LINE_LENGTH + 1)))))).toBe('limit: a text may hold at most 4,000 characters');
    // a new value for a key is positioned by the old one: it still counts as that key's
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('note', new Y.Text('w'.repeat(MAX_LINE_LENGTH + 1)))))).toBe('ok');
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('title', new Y.Text('w'.repeat(MAX_LINE_LENGTH + 1)))))).toMatch(/^limit: a title/);
  });

  it('a list written as a plain value (not a Y.Array) holds at most 200 items too', () => {
    const doc = docWith((d) => entriesOf(d).push([createEntry({ addedBy: 't' })]));
    const many = Array.from({ length: MAX_LIST_ITEMS + 1 }, (_, i) => review(i));
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('reviews', many)))).toBe('limit: an entry may list at most 200 reviews');
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('reviews', many.slice(1))))).toBe('ok');
    expect(verdict(doc, changeOf(doc, (c) => metaOf(c).set('preamble', many)), 'ready')).toBe('limit: a list may hold at most 200 preamble lines');
    expect(verdict(doc, changeOf(doc, (c) => metaOf(c).set('milestones', many)), 'ready')).toBe('limit: the cycle header may list at most 200 milestones');
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('extra', { deep: [many] })))).toBe('limit: a list may hold at most 200 items');
  });

  it('binary content or a bigint in a value is outside the schema (and is not walked byte by byte)', () => {
    const doc = docWith((d) => entriesOf(d).push([createEntry({ addedBy: 't' })]));
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('extra', new Uint8Array(10))))).toBe('schema: content of type ContentBinary is not part of the schema');
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('extra', [new Uint8Array(1_000_000)])))).toBe('schema: a value that is not JSON (binary content, a bigint) is not part of the schema');
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('extra', ['x'.repeat(MAX_LINE_LENGTH + 1), new Uint8Array(10)])))).toMatch(/^schema: a value that is not JSON/);
    expect(verdict(doc, changeOf(doc, (c) => first(c).set('extra', { n: 10n } as unknown as object)))).toMatch(/^schema: a value that is not JSON/);
  });

  it('a struct overlapping what the document has counts only for what it adds (a client sending merged state again)', () => {
    const doc = new Y.Doc();
    const client = new Y.Doc();
    entriesOf(client).push([createEntry({ title: 'x'.repeat(MAX_LINE_LENGTH - 3), addedBy: 't' })]);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(client));
    const sv = Y.encodeStateVector(client);
    title(client).insert(MAX_LINE_LENGTH - 3, 'ab');
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(client, sv)); // the server has 3,999 characters
    title(client).insert(MAX_LINE_LENGTH - 1, 'c'); // the client's 'abc' is one struct now (Yjs merges a typist's string)
    const again = Y.encodeStateAsUpdate(client, sv); // sent from before 'ab': 'abc', of which 'c' alone is new
    expect(verdict(doc, again)).toBe('ok');
    Y.applyUpdate(doc, again);
    expect(title(doc).length).toBe(MAX_LINE_LENGTH);
  });

  it('deletions repeated or overlapping are judged as the ranges they cover (each part of the document looked at once)', () => {
    const doc = docWith((d) => entriesOf(d).push([createEntry({ title: 'abcdef', addedBy: 't' })]));
    const { client } = entriesOf(doc).get(0)._item!.id;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0); // no structs
    encoding.writeVarUint(encoder, 1); // one client in the delete set
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, 20_000);
    for (let i = 0; i < 20_000; i++) {
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarUint(encoder, 1);
    }
    const repeated = encoding.toUint8Array(encoder);
    const inspection = inspectUpdate(doc, repeated, 'proposed');
    // it deletes the entry's first struct (once, however often it says so), as applying it does
    expect(inspection).toMatchObject({ ok: true, changes: true, deletes: true, splits: 0 });
  });
});
