/** The person at this browser: a display name they pick (kept in localStorage) and a colour. */
const NAME_KEY = 'cyclepad:name';

export function userName(): string {
  let name = localStorage.getItem(NAME_KEY);
  if (!name) {
    name = `guest-${Math.floor(Math.random() * 9000 + 1000)}`;
    localStorage.setItem(NAME_KEY, name);
  }
  return name;
}

export function setUserName(name: string): void {
  localStorage.setItem(NAME_KEY, name.trim().slice(0, 40) || userName());
}

const COLOURS = ['#c0392b', '#2471a3', '#1e8449', '#b9770e', '#7d3c98', '#117a65', '#a04000', '#2e4053'];

export function colourFor(seed: number): string {
  return COLOURS[Math.abs(seed) % COLOURS.length]!;
}
