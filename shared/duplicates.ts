/** Finds entries already on the pad that name the same Gerrit change, topic, Launchpad bug or blueprint. */
import { entryIdentityKeys } from './links.js';
import type { EntryData, Section } from './schema.js';

export interface Duplicate {
  section: Section;
  entry: EntryData;
  /** The shared identity, e.g. `change:930011` or `bug:2081234`. */
  key: string;
}

type Draft = { launchpad: string; reviews: readonly string[] };
type Sections = ReadonlyArray<{ section: Section; entries: readonly EntryData[] }>;

/**
 * A finder over the pad as it is now: each entry's links are read once, however many drafts are asked about (a
 * paste of 100 entries used to read the whole pad 100 times). Each draft's duplicates come in the pad's order, each
 * with the first of the entry's identities the draft shares.
 */
export function duplicateFinder(sections: Sections): (draft: Draft) => Duplicate[] {
  const indexed = sections.flatMap(({ section, entries }) => entries.map((entry) => ({ section, entry, keys: entryIdentityKeys(entry) })));
  const byKey = new Map<string, number[]>();
  indexed.forEach((e, i) => {
    for (const k of e.keys) {
      const at = byKey.get(k);
      if (at) at.push(i);
      else byKey.set(k, [i]);
    }
  });
  return (draft) => {
    const wanted = new Set(entryIdentityKeys(draft));
    const hits = new Set<number>();
    for (const k of wanted) for (const i of byKey.get(k) ?? []) hits.add(i);
    return [...hits]
      .sort((a, b) => a - b)
      .map((i) => {
        const { section, entry, keys } = indexed[i]!;
        return { section, entry, key: keys.find((k) => wanted.has(k))! };
      });
  };
}

export function findDuplicates(draft: Draft, sections: Sections): Duplicate[] {
  return duplicateFinder(sections)(draft);
}
