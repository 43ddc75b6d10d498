import { describe, expect, it } from 'vitest';
import { diffAtCaret, shiftCaret } from '../../client/src/text-diff.js';

describe('diffAtCaret', () => {
  it.each([
    ['abc', 'abXc', 3, { index: 2, remove: 0, insert: 'X' }],
    ['aa', 'aaa', 1, { index: 0, remove: 0, insert: 'a' }],
    ['aa', 'aaa', 2, { index: 1, remove: 0, insert: 'a' }],
    ['aa', 'aaa', 3, { index: 2, remove: 0, insert: 'a' }],
    ['hello world', 'hello', 5, { index: 5, remove: 6, insert: '' }],
    ['abc', 'aXYc', 3, { index: 1, remove: 1, insert: 'XY' }],
    ['', 'pasted text', 11, { index: 0, remove: 0, insert: 'pasted text' }],
  ])('%j → %j with the caret at %i', (before, after, caret, expected) => {
    expect(diffAtCaret(before, after, caret)).toEqual(expected);
  });

  it('applying the diff gives the new text', () => {
    for (const [before, after, caret] of [['the quick fox', 'the quick brown fox', 15], ['abcabc', 'abc', 3], ['xyz', '', 0]] as const) {
      const d = diffAtCaret(before, after, caret)!;
      expect(before.slice(0, d.index) + d.insert + before.slice(d.index + d.remove)).toBe(after);
    }
  });

  it('no change, no diff', () => {
    expect(diffAtCaret('same', 'same', 2)).toBeNull();
  });
});

describe('shiftCaret', () => {
  it('moves the caret past remote inserts before it, not after it', () => {
    expect(shiftCaret(5, [{ retain: 2 }, { insert: 'abc' }])).toBe(8);
    expect(shiftCaret(1, [{ retain: 2 }, { insert: 'abc' }])).toBe(1);
  });
  it('pulls the caret back over remote deletions before it', () => {
    expect(shiftCaret(5, [{ retain: 1 }, { delete: 2 }])).toBe(3);
    expect(shiftCaret(2, [{ retain: 1 }, { delete: 4 }])).toBe(1);
    expect(shiftCaret(1, [{ retain: 3 }, { delete: 4 }])).toBe(1);
  });
});
