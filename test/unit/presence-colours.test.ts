import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { COLOURS, colourIndexOf, coloursFor } from '../../client/src/user.js';

const names = (opts: { minLength?: number; maxLength: number }) => fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40 }), opts);

describe('presence colours', () => {
  it('people present get distinct colours while there are no more of them than colours', () => {
    fc.assert(
      fc.property(names({ minLength: 1, maxLength: COLOURS.length }), (people) => {
        const colours = coloursFor(people);
        expect(new Set(colours.values()).size).toBe(people.length);
        for (const name of people) expect(COLOURS).toContain(colours.get(name));
      }),
    );
  });

  it('every page gives a person the same colour, whatever order it lists people in', () => {
    fc.assert(
      fc.property(names({ maxLength: 20 }), fc.integer(), (people, seed) => {
        const shuffled = [...people].sort((a, b) => ((a.length ^ seed) % 7) - ((b.length ^ seed) % 7));
        expect([...coloursFor(shuffled)].sort()).toEqual([...coloursFor(people)].sort());
      }),
    );
  });

  it('a person alone has the colour their name points at, on every visit (not one drawn from the socket)', () => {
    for (const name of ['guest-1703', 'sean-k-mooney', 'gibi']) expect(coloursFor([name]).get(name)).toBe(COLOURS[colourIndexOf(name)]);
    // two tabs of one person: one name, one colour
    expect(coloursFor(['gibi', 'gibi']).size).toBe(1);
  });

  it('two people whose names point at the same colour do not share it; one alone keeps its own', () => {
    const a = 'alice';
    let b = 'bob';
    for (let i = 0; colourIndexOf(b) !== colourIndexOf(a); i++) b = `bob-${i}`;
    expect(coloursFor([b]).get(b)).toBe(COLOURS[colourIndexOf(a)]);
    const both = coloursFor([b, a]);
    expect(both.get(a)).toBe(COLOURS[colourIndexOf(a)]); // 'alice' comes first in order: it keeps its colour
    expect(both.get(b)).toBe(COLOURS[(colourIndexOf(a) + 1) % COLOURS.length]);
  });

  it('more people than colours: every colour is used before any repeats', () => {
    const people = Array.from({ length: COLOURS.length * 2 + 3 }, (_, i) => `person-${i}`);
    const counts = new Map<string, number>();
    for (const c of coloursFor(people).values()) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(COLOURS.length);
    expect(Math.max(...counts.values()) - Math.min(...counts.values())).toBeLessThanOrEqual(1);
  });
});
