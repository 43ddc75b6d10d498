import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, entriesOf } from '../../shared/schema.js';
import { rewrittenEntries } from '../../shared/rewrites.js';

function pad(n: number): Y.Doc {
  const doc = new Y.Doc();
  entriesOf(doc).push(Array.from({ length: n }, (_, i) => createEntry({ id: `e${i}`, title: `Entry number ${i}`, note: 'needs review', addedBy: 't' })));
  return doc;
}

function observe(doc: Y.Doc, change: () => void): Set<string> {
  let seen = new Set<string>();
  const handler = (tr: Y.Transaction) => {
    seen = rewrittenEntries(tr);
  };
  doc.on('afterTransaction', handler);
  doc.transact(change);
  doc.off('afterTransaction', handler);
  return seen;
}

const text = (doc: Y.Doc, i: number, key = 'title') => entriesOf(doc).get(i).get(key) as Y.Text;

describe('rewrittenEntries', () => {
  it('typing, deleting and replacing a word in one entry: at most that entry', () => {
    const doc = pad(3);
    expect(observe(doc, () => text(doc, 0).insert(5, 'x'))).toEqual(new Set());
    expect(observe(doc, () => text(doc, 0).delete(0, 2))).toEqual(new Set());
    expect(observe(doc, () => { text(doc, 1).delete(0, 5); text(doc, 1).insert(0, 'Item'); })).toEqual(new Set(['e1']));
  });

  it('a translator rewriting every title and note at once: every entry', () => {
    const doc = pad(5);
    const ids = observe(doc, () => {
      for (let i = 0; i < 5; i++) {
        for (const key of ['title', 'note']) {
          const t = text(doc, i, key);
          const old = t.toString();
          t.delete(0, t.length);
          t.insert(0, `übersetzt ${old}`);
        }
      }
    });
    expect(ids).toEqual(new Set(['e0', 'e1', 'e2', 'e3', 'e4']));
  });

  it('adding or deleting whole entries is not a rewrite', () => {
    const doc = pad(3);
    expect(observe(doc, () => entriesOf(doc).push([createEntry({ title: 'new', addedBy: 't' })]))).toEqual(new Set());
    expect(observe(doc, () => entriesOf(doc).delete(0, 2))).toEqual(new Set());
  });
});
