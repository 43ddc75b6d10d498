import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cleanName, isValidName, parsePresence } from '../../shared/presence.js';

describe('display names', () => {
  it('takes ordinary names, in any script', () => {
    for (const name of ['Alice', 'Bob (Red Hat)', 'José Ñúñez', '李小龙', 'Ольга', 'سارة', 'guest-1234', "O'Brien", 'a'.repeat(40),
      'Nguye\u0302\u0303n Va\u0306n A', 'हिन्दी', 'สมชาย', 'Zoë', 'Sylvain Bauza', 'Serverless Sam', 'Systemic Sue', '한국어', 'ptlx',
      'Systemsson', 'Ptlak', 'Curatolo', 'Kuratorová', 'McDonald', 'LeBlanc', 'Ольга Иванова', 'Ἀλέξανδρος',
      // the joiners these scripts need: Persian (non-joiner), Sinhala and Devanagari conjuncts (joiner)
      '\u0639\u0644\u06CC\u200C\u0631\u0636\u0627', '\u0DC1\u0DCA\u200D\u0DBB\u0DD3', '\u0915\u094D\u200D\u0937']) {
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

  it('refuses names that pass for a role or the server through lookalikes, and invisible or stacked marks', () => {
    for (const name of [
      '\uFF43\uFF55\uFF52\uFF41\uFF54\uFF4F\uFF52:PTL', // full-width letters
      'curator\uFF1APTL', // full-width colon
      '\u0441urator:x', // Cyrillic es
      'Curator\uA789PTL', // modifier letter colon
      'cur\u0430tor\u2236x', // Cyrillic a, ratio sign
      'server', 'System notice', 'PTL (curator)', 'Bob (PTL)', 'Bob (translating)', 'admin',
      'x\u034F\u034F\u034Fy', // combining grapheme joiner: shows nothing
      'Alice\uFE0F', // a variation selector: shows nothing after a letter
      'z' + '\u0301'.repeat(16), // a stack of accents
      // joined to other words, split at capitals, or drawn in other scripts' letters
      'Nova_PTL', 'NovaPTL', 'gibi (PTL2)', 'ServerNotice', 'CuratorBot', 'curator_bot', '_curator:abc',
      '\u1D18\u1D1B\u029F', '\u1D00\u1D05\u1D0D\u026A\u0274', '\u13E2\u13A2\u13DE', '\uA4D1\uA4D4\uA4E1', 'gibi (P\uA4D4L)',
      'gibi \u{1F17F}\u{1F183}\u{1F17B}',
      // a joiner where no script needs it only hides a difference
      'Ali\u200Dce', '\u041E\u043B\u044C\u200C\u0433\u0430', 'x\u200C', '\u200C\u0639\u0644\u06CC',
    ]) {
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
    expect(cleanName('Alice (curator:abc)')).toBe('Alice ( abc)');
    expect(cleanName('Bob (PTL)')).toBe('Bob');
    expect(cleanName('z' + '\u0301'.repeat(16))).toBe('z\u0301\u0301');
    expect(cleanName('\u0441urator:x')).toBe('');
    // a joiner its script needs is kept; one elsewhere is dropped
    expect(cleanName('\u0639\u0644\u06CC\u200C\u0631\u0636\u0627')).toBe('\u0639\u0644\u06CC\u200C\u0631\u0636\u0627');
    expect(cleanName('Ali\u200Dce')).toBe('Alice');
  });
});
