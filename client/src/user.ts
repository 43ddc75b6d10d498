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

/**
 * Colours for the people present, distinct while there are no more people than colours: each takes the colour its id
 * points at, or the next free one if someone with a lower id holds it. Every page sees the same people, so every page
 * gives each person the same colour; a person's colour changes only when someone arrives who would share it.
 */
export function coloursFor(ids: Iterable<number>): Map<number, string> {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const taken = new Set<number>();
  const colours = new Map<number, string>();
  for (const id of sorted) {
    if (taken.size === COLOURS.length) taken.clear();
    let index = Math.abs(id) % COLOURS.length;
    while (taken.has(index)) index = (index + 1) % COLOURS.length;
    taken.add(index);
    colours.set(id, COLOURS[index]!);
  }
  return colours;
}
