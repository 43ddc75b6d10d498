import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cleanName, isValidName, parsePresence } from '../../shared/presence.js';

describe('display names', () => {
  it('takes ordinary names, in any script', () => {
    for (const name of ['Alice', 'Bob (Red Hat)', 'José Ñúñez', '李小龙', 'Ольга', 'سارة', 'guest-1234', "O'Brien", 'a'.repeat(40)]) {
      expect(isValidName(name), name).toBe(true);
      expect(parsePresence({ user: { name } })?.user?.name).toBe(name);
    }
  });

  it('refuses invisible, reordering, blank, edge-spaced and session-like names', () => {
    for (const name of ['', ' ', 'Ali\u200Bce', '\u200E(curator:Xy)', '\u2800', '\u3164', 'a\u0000', 'tab\there', '\u202Eecila', 'x\u2029', 'lone\uD800', ' Alice', 'Alice ', 'contributor:jCts', 'Bob (Curator:abc)', 'a'.repeat(41)]) {
      expect(isValidName(name), JSON.stringify(name)).toBe(false);
      expect(parsePresence({ user: { name } })).toBeNull();
    }
  });

  it('cleans anything a person types into a name presence takes, or into nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (typed) => {
        const cleaned = cleanName(typed);
        expect(cleaned === '' || isValidName(cleaned)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(cleanName('  Ali\u200Bce  ')).toBe('Alice');
    expect(cleanName('Alice (curator:abc)')).toBe('Alice (curator abc)');
  });
});
