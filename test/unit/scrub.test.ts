/** The scrub's suggestions (ready entries whose changes are all done) and its one action (shared/scrub.ts). */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, entriesOf, metaToJSON, sectionToJSON, type EntryData } from '../../shared/schema.js';
import { applyScrub, doneOutcome, scrubSuggestions } from '../../shared/scrub.js';
import { emptyStatus, type ChangeStatus, type PadStatus } from '../../shared/status.js';

const change = (status: ChangeStatus['status']): ChangeStatus => ({
  status, subject: 's', owner: 'o', updated: '2025-01-01T00:00:00.000Z', patchset: 1, labels: {}, mergeable: 'unknown', wip: false,
  project: 'openstack/nova', branch: 'master', topic: null,
});
const R = (n: number) => `https://review.opendev.org/${n}`;
const status: PadStatus = {
  ...emptyStatus(),
  changes: { '1': change('MERGED'), '2': change('ABANDONED'), '3': change('NEW'), '4': { visible: false } },
  topics: { t: ['1', '2'] },
};

describe('the scrub', () => {
  it('suggests only open entries whose every change is known and done', () => {
    expect(doneOutcome({ reviews: [R(1), R(2)] }, status)).toBe('merged');
    expect(doneOutcome({ reviews: [R(2)] }, status)).toBe('abandoned');
    expect(doneOutcome({ reviews: ['topic:t'] }, status)).toBe('merged');
    expect(doneOutcome({ reviews: [R(1), R(3)] }, status)).toBeNull();
    expect(doneOutcome({ reviews: [R(1), R(4)] }, status)).toBeNull(); // not visible: not known
    expect(doneOutcome({ reviews: [R(1), R(5)] }, status)).toBeNull(); // not fetched yet
    expect(doneOutcome({ reviews: [] }, status)).toBeNull();
    expect(doneOutcome({ reviews: [R(1)] }, null)).toBeNull();
    const entries = [
      { id: 'a', title: 'A', reviews: [R(1)], status: 'open' },
      { id: 'b', title: 'B', reviews: [R(1)], status: 'merged' },
      { id: 'c', title: '', launchpad: 'https://launchpad.net/bugs/9', reviews: [R(2)], status: 'open' },
    ] as EntryData[];
    expect(scrubSuggestions(entries, status)).toEqual([
      { id: 'a', title: 'A', outcome: 'merged', marked: false },
      { id: 'b', title: 'B', outcome: 'merged', marked: true },
      { id: 'c', title: '#9', outcome: 'abandoned', marked: false },
    ]);
  });

  it('offers to remove entries a curator already marked merged or abandoned, with no live status at all', () => {
    const entries = [
      { id: 'a', title: 'A', reviews: [], status: 'merged' },
      { id: 'b', title: 'B', reviews: [R(3)], status: 'open' },
      { id: 'c', title: 'C', reviews: [], status: 'abandoned' },
    ] as unknown as EntryData[];
    expect(scrubSuggestions(entries, null)).toEqual([
      { id: 'a', title: 'A', outcome: 'merged', marked: true },
      { id: 'c', title: 'C', outcome: 'abandoned', marked: true },
    ]);
  });

  it('applies the accepted suggestions and stamps scrubbed on, in one transaction', () => {
    const doc = new Y.Doc();
    entriesOf(doc).push(['a', 'b', 'c'].map((id) => createEntry({ id, addedBy: 't', title: id, reviews: [R(1)] })));
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);
    doc.transact(() => applyScrub(doc, [{ id: 'a', action: 'merged' }, { id: 'c', action: 'remove' }], 1234));
    expect(transactions).toBe(1);
    expect(sectionToJSON(doc).map((e) => `${e.id}:${e.status}`)).toEqual(['a:merged', 'b:open']);
    expect(metaToJSON(doc).scrubbedAt).toBe(1234);
  });
});
