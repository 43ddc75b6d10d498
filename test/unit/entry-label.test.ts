import { describe, expect, it } from 'vitest';
import { entryLabel, MAX_LABEL_LENGTH } from '../../shared/labels.js';

const entry = (over: Partial<{ title: string; launchpad: string; reviews: string[]; note: string }>) => ({ title: '', launchpad: '', reviews: [], note: '', ...over });

describe('entryLabel: one name for an entry wherever it is named', () => {
  it('its title; else its Launchpad chip, its first review chip, the start of its note; else "an untitled entry"', () => {
    expect(entryLabel(entry({ title: ' Evacuate fails ', launchpad: 'https://bugs.launchpad.net/nova/+bug/2082345' }))).toBe('Evacuate fails');
    expect(entryLabel(entry({ launchpad: 'https://bugs.launchpad.net/nova/+bug/2082345' }))).toBe('#2082345');
    expect(entryLabel(entry({ reviews: ['https://review.opendev.org/c/openstack/nova/+/931122'] }))).toBe('931122');
    expect(entryLabel(entry({ note: 'needs   a second\n+2 from someone who knows the scheduler well' }))).toBe('needs a second +2 from someone who knows…');
    expect(entryLabel(entry({}))).toBe('an untitled entry');
  });

  it('a long title is cut at 120 characters with "…" (as a heading or a menu name it filled screens), never inside a character', () => {
    const label = entryLabel(entry({ title: 't'.repeat(4000) }));
    expect(label).toBe(`${'t'.repeat(MAX_LABEL_LENGTH)}…`);
    const emoji = entryLabel(entry({ title: `${'a'.repeat(MAX_LABEL_LENGTH - 1)}😀 and more` }));
    expect(emoji).toBe(`${'a'.repeat(MAX_LABEL_LENGTH - 1)}…`);
    expect(entryLabel(entry({ title: 'x'.repeat(MAX_LABEL_LENGTH) }))).toBe('x'.repeat(MAX_LABEL_LENGTH));
  });
});
