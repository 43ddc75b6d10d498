import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { inspectUpdate } from '../../server/sync/update-inspector.js';
import { createEntry, entriesOf, metaOf } from '../../shared/schema.js';

/** A change made on a copy of `doc`, as the update it produces. */
function changeOf(doc: Y.Doc, change: (copy: Y.Doc) => void): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const sv = Y.encodeStateVector(copy);
  change(copy);
  return Y.encodeStateAsUpdate(copy, sv);
}

const withEntry = () => {
  const doc = new Y.Doc();
  entriesOf(doc).push([createEntry({ title: 'a', addedBy: 't', reviews: ['https://review.opendev.org/c/openstack/nova/+/1'] })]);
  return doc;
};

describe('the schema check of incoming updates', () => {
  it('accepts what the schema helpers write: entries, their texts and reviews, the cycle header', () => {
    const doc = withEntry();
    const update = changeOf(doc, (c) => {
      entriesOf(c).push([createEntry({ title: 'b', note: 'needs +2', addedBy: 't', reviews: ['x'] })]);
      (entriesOf(c).get(0).get('title') as Y.Text).insert(1, ' more');
      const milestone = new Y.Map(Object.entries({ label: 'M1', date: '2025-01-01' }));
      metaOf(c).set('milestones', Y.Array.from([milestone]));
      metaOf(c).set('preamble', Y.Array.from(['line']));
      metaOf(c).set('title', 'Nova');
    });
    expect(inspectUpdate(doc, update, 'ready')).toMatchObject({ ok: true, changes: true });
  });

  it('judges a plain value holding 200,000 elements without overflowing the stack (Math.max of a spread did)', () => {
    const doc = withEntry();
    const wide = Array.from({ length: 200_000 }, (_, i) => i);
    const flat = changeOf(doc, (c) => entriesOf(c).get(0).set('extra', wide));
    expect(() => inspectUpdate(doc, flat, 'proposed')).not.toThrow();
    // (refused, but for its length: a list holds at most 200 items, update-limits.test.ts)
    expect(inspectUpdate(doc, flat, 'proposed')).toMatchObject({ ok: false, reason: 'limit' });
    const deep = changeOf(doc, (c) => entriesOf(c).get(0).set('extra', [...wide.slice(0, 1000), [[[[1]]]]]));
    expect(inspectUpdate(doc, deep, 'proposed')).toMatchObject({ ok: false });
  });

  it('refuses an entry nested 20,000 maps deep, without overflowing the stack', () => {
    const doc = withEntry();
    const update = changeOf(doc, (c) =>
      c.transact(() => {
        let inner = new Y.Map<unknown>();
        entriesOf(c).push([inner]);
        for (let i = 0; i < 20_000; i++) {
          const next = new Y.Map<unknown>();
          inner.set('x', next);
          inner = next;
        }
      }),
    );
    const inspection = inspectUpdate(doc, update, 'proposed');
    expect(inspection).toMatchObject({ ok: false, reason: 'schema' });
  });

  it('refuses a third level of shared types inside an existing entry', () => {
    const doc = withEntry();
    const update = changeOf(doc, (c) => {
      const entry = entriesOf(c).get(0);
      const nested = new Y.Map<unknown>();
      entry.set('extra', nested);
      nested.set('deeper', new Y.Map());
    });
    expect(inspectUpdate(doc, update, 'proposed')).toMatchObject({ ok: false, reason: 'schema' });
  });

  it('refuses XML types, sub-documents, formatting and binary content', () => {
    const doc = withEntry();
    const cases: Array<(c: Y.Doc) => void> = [
      (c) => entriesOf(c).get(0).set('x', new Y.XmlElement('p')),
      (c) => entriesOf(c).get(0).set('x', new Y.Doc()),
      (c) => (entriesOf(c).get(0).get('title') as Y.Text).format(0, 1, { bold: true }),
      (c) => entriesOf(c).get(0).set('x', new Uint8Array([1, 2, 3])),
    ];
    for (const change of cases) expect(inspectUpdate(doc, changeOf(doc, change), 'proposed')).toMatchObject({ ok: false, reason: 'schema' });
  });

  it('refuses roots other than the section’s own: meta in proposed, anything else anywhere', () => {
    const doc = new Y.Doc();
    expect(inspectUpdate(doc, changeOf(doc, (c) => metaOf(c).set('title', 'x')), 'proposed')).toMatchObject({ ok: false, reason: 'schema' });
    expect(inspectUpdate(doc, changeOf(doc, (c) => c.getMap('other').set('a', 1)), 'ready')).toMatchObject({ ok: false, reason: 'schema' });
    expect(inspectUpdate(doc, changeOf(doc, (c) => metaOf(c).set('title', 'x')), 'ready')).toMatchObject({ ok: true });
  });

  it('refuses deeply nested plain values', () => {
    const doc = withEntry();
    let value: unknown = 'leaf';
    for (let i = 0; i < 10; i++) value = { v: value };
    expect(inspectUpdate(doc, changeOf(doc, (c) => entriesOf(c).get(0).set('owner', value)), 'proposed')).toMatchObject({ ok: false, reason: 'schema' });
  });

  it('places text typed after existing characters (positioned by a neighbour in the document)', () => {
    const doc = withEntry();
    const first = changeOf(doc, (c) => (entriesOf(c).get(0).get('title') as Y.Text).insert(1, 'bc'));
    Y.applyUpdate(doc, first);
    const second = changeOf(doc, (c) => (entriesOf(c).get(0).get('title') as Y.Text).insert(3, 'd'.repeat(3000)));
    expect(inspectUpdate(doc, second, 'proposed')).toMatchObject({ ok: true, changes: true });
  });
});

describe('the schema check, fed a typist’s updates one by one', () => {
  it('accepts text typed at the start, middle and end of an existing title by the same client', () => {
    const server = new Y.Doc();
    const client = new Y.Doc();
    const verdicts: unknown[] = [];
    client.on('update', (u: Uint8Array) => {
      verdicts.push(inspectUpdate(server, u, 'proposed'));
      Y.applyUpdate(server, u);
    });
    entriesOf(client).push([createEntry({ title: 'from a', addedBy: 'alice' })]);
    const title = entriesOf(client).get(0).get('title') as Y.Text;
    title.insert(0, '[A]');
    title.insert(4, 'x');
    title.insert(title.length, '[B]');
    title.delete(1, 2);
    expect(verdicts).toHaveLength(5);
    for (const v of verdicts) expect(v).toMatchObject({ ok: true });
  });
});
