import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, entriesOf, entryPlacement, entryToJSON, sectionToJSON } from '../../shared/schema.js';
import { moveWithinGroup, orderedEntries, orderedPlacements, rankAtEnd } from '../../shared/ordering.js';

function ready(kinds: Array<['feature' | 'bug', string]>): Y.Doc {
  const doc = new Y.Doc();
  entriesOf(doc).push(kinds.map(([kind, title]) => createEntry({ id: title, kind, title, addedBy: 't' })));
  return doc;
}
const titles = (doc: Y.Doc, kind?: string) => sectionToJSON(doc).filter((e) => !kind || e.kind === kind).map((e) => e.title);

describe('ordering of ready', () => {
  it('moves within a kind group, leaving the other group alone', () => {
    const doc = ready([['feature', 'f1'], ['bug', 'b1'], ['feature', 'f2'], ['feature', 'f3'], ['bug', 'b2']]);
    expect(moveWithinGroup(doc, 'f3', 0)).toBe(true);
    expect(titles(doc, 'feature')).toEqual(['f3', 'f1', 'f2']);
    expect(titles(doc, 'bug')).toEqual(['b1', 'b2']);
    expect(moveWithinGroup(doc, 'f3', 2)).toBe(true);
    expect(titles(doc, 'feature')).toEqual(['f1', 'f2', 'f3']);
    expect(moveWithinGroup(doc, 'f1', 0)).toBe(false);
  });

  it('a move is one field write: a concurrent edit of the moved entry survives', () => {
    const a = ready([['bug', 'b1'], ['bug', 'b2']]);
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    moveWithinGroup(a, 'b2', 0);
    const note = orderedEntries(b).find((m) => m.get('id') === 'b2')!.get('note') as Y.Text;
    note.insert(0, 'edited concurrently');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(titles(a)).toEqual(['b2', 'b1']);
    expect(sectionToJSON(a).find((e) => e.id === 'b2')!.note).toBe('edited concurrently');
    expect(sectionToJSON(b)).toEqual(sectionToJSON(a));
  });

  it('new entries rank at the end', () => {
    const doc = ready([['bug', 'b1'], ['bug', 'b2']]);
    moveWithinGroup(doc, 'b2', 0);
    entriesOf(doc).push([createEntry({ id: 'b3', kind: 'bug', title: 'b3', addedBy: 't', rank: rankAtEnd(doc) })]);
    expect(titles(doc)).toEqual(['b2', 'b1', 'b3']);
  });
});

describe('entry placement', () => {
  it('reads what entryToJSON reads for id, kind and rank, and the display order agrees', () => {
    const doc = ready([['feature', 'f1'], ['bug', 'b1'], ['feature', 'f2']]);
    moveWithinGroup(doc, 'f2', 0);
    const placed = orderedPlacements(doc);
    expect(placed.map((p) => p.id)).toEqual(sectionToJSON(doc).map((e) => e.id));
    for (const p of placed) {
      const json = entryToJSON(p.map)!;
      expect({ id: p.id, kind: p.kind, rank: p.rank }).toEqual({ id: json.id, kind: json.kind, rank: json.rank });
    }
  });

  it('falls back like entryToJSON on values a hostile client wrote', () => {
    const doc = new Y.Doc();
    const odd = new Y.Map<unknown>();
    entriesOf(doc).push([odd as never]);
    odd.set('id', 42);
    odd.set('kind', 'nonsense');
    odd.set('rank', '');
    expect(entryPlacement(odd)).toEqual({ id: '', kind: 'other', rank: null });
    expect(entryPlacement('not a map')).toBeNull();
    const json = entryToJSON(odd)!;
    expect([json.id, json.kind, json.rank]).toEqual(['', 'other', null]);
  });
});
