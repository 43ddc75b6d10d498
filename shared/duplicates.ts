/** Finds entries already on the pad that name the same Gerrit change, topic, Launchpad bug or blueprint. */
import { entryIdentityKeys } from './links.js';
import type { EntryData, Section } from './schema.js';

export interface Duplicate {
  section: Section;
  entry: EntryData;
  /** The shared identity, e.g. `change:930011` or `bug:2081234`. */
  key: string;
}

export function findDuplicates(
  draft: { launchpad: string; reviews: readonly string[] },
  sections: ReadonlyArray<{ section: Section; entries: readonly EntryData[] }>,
): Duplicate[] {
  const wanted = new Set(entryIdentityKeys(draft));
  if (wanted.size === 0) return [];
  const found: Duplicate[] = [];
  for (const { section, entries } of sections) {
    for (const entry of entries) {
      const key = entryIdentityKeys(entry).find((k) => wanted.has(k));
      if (key) found.push({ section, entry, key });
    }
  }
  return found;
}
