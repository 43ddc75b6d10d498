import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addEntry, PastLimits, promoteEntry } from '../../shared/pad-actions.js';
import { createEntry, entriesOf, MAX_ENTRIES_PER_SECTION, MAX_LINE_LENGTH, sectionToJSON } from '../../shared/schema.js';

/** A proposed and a ready document, as a curator's page holds them. */
function pad(proposedEntries: Array<Parameters<typeof createEntry>[0]>, readyCount = 0) {
  const proposed = new Y.Doc();
  const ready = new Y.Doc();
  entriesOf(proposed).push(proposedEntries.map((e) => createEntry(e)));
  if (readyCount > 0) entriesOf(ready).push(Array.from({ length: readyCount }, (_, i) => createEntry({ title: `r${i}`, addedBy: 't' })));
  return { proposed, ready };
}

describe('promoting an entry keeps to the pad limits, or changes nothing', () => {
  it('an entry over a limit is not promoted (nor removed): the server would refuse the copy and accept the removal', () => {
    for (const over of [
      { reviews: Array.from({ length: 201 }, (_, i) => `https://review.opendev.org/${i}`) },
      { title: 't'.repeat(MAX_LINE_LENGTH + 1) },
      { owner: 'o'.repeat(MAX_LINE_LENGTH + 1) },
    ]) {
      const { proposed, ready } = pad([{ id: 'p1', addedBy: 't', ...over }]);
      expect(() => promoteEntry(proposed, ready, 'p1', { remove: true, by: 'ptl' })).toThrow(PastLimits);
      expect(sectionToJSON(proposed).map((e) => e.id)).toEqual(['p1']);
      expect(entriesOf(ready).length).toBe(0);
    }
  });

  it('a full ready list takes no promotion; one below it does', () => {
    const full = pad([{ id: 'p1', title: 'next', addedBy: 't' }], MAX_ENTRIES_PER_SECTION);
    expect(() => promoteEntry(full.proposed, full.ready, 'p1', { remove: true, by: 'ptl' })).toThrow(/the ready list holds 2,000 entries/);
    expect(entriesOf(full.proposed).length).toBe(1);
    const room = pad([{ id: 'p1', title: 'next', addedBy: 't' }], MAX_ENTRIES_PER_SECTION - 1);
    expect(promoteEntry(room.proposed, room.ready, 'p1', { remove: true, by: 'ptl' })).toBeTruthy();
    expect(entriesOf(room.ready).length).toBe(MAX_ENTRIES_PER_SECTION);
    expect(entriesOf(room.proposed).length).toBe(0);
  });

  it('an entry is not added to a full section (the server would refuse it, and the page would lose its unsent edits)', () => {
    const { ready } = pad([], MAX_ENTRIES_PER_SECTION);
    expect(() => addEntry(ready, { kind: 'bug', title: 'one more', launchpad: '', owner: '', reviews: [], note: '' }, 'ptl', true)).toThrow(PastLimits);
    expect(entriesOf(ready).length).toBe(MAX_ENTRIES_PER_SECTION);
  });
});
