import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { COLOURS, coloursFor } from '../../client/src/user.js';

describe('presence colours', () => {
  it('people present get distinct colours while there are no more of them than colours', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: COLOURS.length }), (ids) => {
        const colours = coloursFor(ids);
        expect(new Set(colours.values()).size).toBe(ids.length);
        for (const id of ids) expect(COLOURS).toContain(colours.get(id));
      }),
    );
  });

  it('every page gives a person the same colour, whatever order it lists people in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 20 }), fc.integer(), (ids, seed) => {
        const shuffled = [...ids].sort((a, b) => ((a ^ seed) % 7) - ((b ^ seed) % 7));
        expect([...coloursFor(shuffled)].sort()).toEqual([...coloursFor(ids)].sort());
      }),
    );
  });

  it('two people whose ids point at the same colour do not share it; one alone keeps its own', () => {
    const a = 3;
    const b = 3 + COLOURS.length;
    expect(coloursFor([a]).get(a)).toBe(COLOURS[3]);
    expect(coloursFor([b]).get(b)).toBe(COLOURS[3]);
    const both = coloursFor([b, a]);
    expect(both.get(a)).toBe(COLOURS[3]);
    expect(both.get(b)).toBe(COLOURS[4]);
  });

  it('more people than colours: every colour is used before any repeats', () => {
    const ids = Array.from({ length: COLOURS.length * 2 + 3 }, (_, i) => i * COLOURS.length);
    const counts = new Map<string, number>();
    for (const c of coloursFor(ids).values()) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(COLOURS.length);
    expect(Math.max(...counts.values()) - Math.min(...counts.values())).toBeLessThanOrEqual(1);
  });
});
