import { describe, expect, it } from 'vitest';
import { entryLabel } from '../../shared/labels.js';

const entry = (over: Partial<{ title: string; launchpad: string; reviews: string[]; note: string }>) => ({ title: '', launchpad: '', reviews: [], note: '', ...over });

describe('entryLabel: one name for an entry wherever it is named', () => {
  it('its title; else its Launchpad chip, its first review chip, the start of its note; else "an untitled entry"', () => {
    expect(entryLabel(entry({ title: ' Evacuate fails ', launchpad: 'https://bugs.launchpad.net/nova/+bug/2082345' }))).toBe('Evacuate fails');
    expect(entryLabel(entry({ launchpad: 'https://bugs.launchpad.net/nova/+bug/2082345' }))).toBe('#2082345');
    expect(entryLabel(entry({ reviews: ['https://review.opendev.org/c/openstack/nova/+/931122'] }))).toBe('931122');
    expect(entryLabel(entry({ note: 'needs   a second\n+2 from someone who knows the scheduler well' }))).toBe('needs a second +2 from someone who knows…');
    expect(entryLabel(entry({}))).toBe('an untitled entry');
  });
});
