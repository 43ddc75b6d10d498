import { describe, expect, it } from 'vitest';
import type { Revision } from '../../shared/api.js';
import { BURST_GAP_MS, groupRevisions } from '../../client/src/revision-groups.js';

let seq = 100;
const rev = (over: Partial<Revision> & Pick<Revision, 'entries'>): Revision => ({
  seq: seq--,
  at: 1_000_000,
  role: 'contributor',
  session: 'contributor:aaaa',
  meta: false,
  ...over,
});
const edit = (id: string, fields: string[]) => ({ id, title: `T ${id}`, change: 'edited' as const, fields });

describe('groupRevisions', () => {
  it('one person typing in one entry is one row, standing for the newest revision, with every field edited', () => {
    const typed = [
      rev({ at: 50_000, entries: [edit('e1', ['note'])] }),
      rev({ at: 40_000, entries: [edit('e1', ['note'])] }),
      rev({ at: 30_000, entries: [edit('e1', ['title'])] }),
    ];
    const groups = groupRevisions(typed);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.last.seq).toBe(typed[0]!.seq);
    expect(groups[0]!.first.seq).toBe(typed[2]!.seq);
    expect(groups[0]!.count).toBe(3);
    expect(groups[0]!.entries[0]!.fields).toEqual(['note', 'title']);
    // each of its revisions stays reachable, newest first
    expect(groups[0]!.revisions.map((r) => r.seq)).toEqual(typed.map((r) => r.seq));
  });

  it('another person, another entry, an addition or a pause of more than two minutes starts a new row', () => {
    const t = 10 * BURST_GAP_MS;
    const revisions = [
      rev({ at: t, entries: [edit('e1', ['note'])] }),
      rev({ at: t - 1000, session: 'curator:bbbb', entries: [edit('e1', ['note'])] }),
      rev({ at: t - 2000, session: 'curator:bbbb', entries: [edit('e2', ['note'])] }),
      rev({ at: t - 3000, session: 'curator:bbbb', entries: [{ id: 'e2', title: 'T e2', change: 'added' }] }),
      rev({ at: t - 4000, session: 'curator:bbbb', entries: [{ id: 'e3', title: 'T e3', change: 'added' }] }),
      rev({ at: t - 4000 - BURST_GAP_MS - 1, session: 'curator:bbbb', entries: [edit('e3', ['note'])] }),
    ];
    expect(groupRevisions(revisions).map((g) => g.count)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('cycle header typing groups on its own', () => {
    const revisions = [rev({ at: 3000, meta: true, entries: [] }), rev({ at: 2000, meta: true, entries: [] }), rev({ at: 1000, entries: [edit('e1', ['note'])] })];
    expect(groupRevisions(revisions).map((g) => g.count)).toEqual([2, 1]);
  });
});
