import { cleanName } from '../../shared/presence.js';

/** The person at this browser: a display name they pick (kept in localStorage) and a colour. */
const NAME_KEY = 'cyclepad:name';

export function userName(): string {
  // a name kept by an earlier version may carry what presence no longer takes
  let name = cleanName(localStorage.getItem(NAME_KEY) ?? '');
  if (!name) {
    name = `guest-${Math.floor(Math.random() * 9000 + 1000)}`;
    localStorage.setItem(NAME_KEY, name);
  }
  return name;
}

export function setUserName(name: string): void {
  localStorage.setItem(NAME_KEY, cleanName(name) || userName());
}

/** Chip backgrounds: each has at least 4.5:1 contrast with white text (WCAG AA). */
export const COLOURS = ['#c0392b', '#2471a3', '#1d6f42', '#8a5a00', '#7d3c98', '#117a65', '#a04000', '#2e4053'];

/** The colour a name points at: FNV-1a over its UTF-16 code units, the same on every page and after every reload. */
export function colourIndexOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return hash % COLOURS.length;
}

/**
 * Colours for the people present, by name, distinct while there are no more names than colours: each takes the
 * colour its name points at, or the next free one if a name earlier in order holds it. Every page sees the same
 * people, so every page gives each person the same colour, and so does the next visit (a person's name is kept in
 * their browser; a colour drawn from the socket's id changed on every reload). Two tabs of one person share it.
 */
export function coloursFor(names: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(names)].sort();
  const taken = new Set<number>();
  const colours = new Map<string, string>();
  for (const name of sorted) {
    if (taken.size === COLOURS.length) taken.clear();
    let index = colourIndexOf(name);
    while (taken.has(index)) index = (index + 1) % COLOURS.length;
    taken.add(index);
    colours.set(name, COLOURS[index]!);
  }
  return colours;
}
