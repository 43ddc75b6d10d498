import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TWO_BUG_LIST } from '../fixtures/two-bug-list.js';
import { chipLabel, entryIdentityKeys, identityKey, MAX_LINE_LENGTH, parseEntryPaste, parseEntryText, parseLink, safeHref } from '../../shared/links.js';

describe('parseLink: every form the team uses', () => {
  it.each([
    ['https://review.opendev.org/c/openstack/nova/+/930011', { type: 'gerrit-change', change: 930011, patchset: null, project: 'openstack/nova' }, '930011'],
    ['https://review.opendev.org/c/openstack/nova/+/930011/4', { type: 'gerrit-change', change: 930011, patchset: 4 }, '930011,4'],
    ['https://review.opendev.org/c/openstack/nova/+/930011/4/nova/compute/manager.py', { type: 'gerrit-change', change: 930011, patchset: 4 }, '930011,4'],
    ['https://review.opendev.org/c/openstack/nova/+/930011/4/nova/compute/manager.py#123', { type: 'gerrit-change', change: 930011, patchset: 4 }, '930011,4'],
    ['https://review.opendev.org/930011', { type: 'gerrit-change', change: 930011, patchset: null, project: null }, '930011'],
    ['https://review.opendev.org/#/c/931234/', { type: 'gerrit-change', change: 931234 }, '931234'],
    ['https://review.opendev.org/#/c/931234/7', { type: 'gerrit-change', change: 931234, patchset: 7 }, '931234,7'],
    ['https://review.openstack.org/c/openstack/nova/+/927701/12', { type: 'gerrit-change', change: 927701, patchset: 12, host: 'review.openstack.org' }, '927701,12'],
    ['https://review.openstack.org/#/c/600123/', { type: 'gerrit-change', change: 600123 }, '600123'],
    ['https://review.opendev.org/q/topic:%22bp/name%22', { type: 'gerrit-topic', topic: 'bp/name' }, 'topic:bp/name'],
    ['https://review.opendev.org/q/topic:bp/unquoted', { type: 'gerrit-topic', topic: 'bp/unquoted' }, 'topic:bp/unquoted'],
    ['https://review.opendev.org/#/q/topic:%22bug/2070257%22', { type: 'gerrit-topic', topic: 'bug/2070257' }, 'topic:bug/2070257'],
    ['topic:"bug/2070257"', { type: 'gerrit-topic', topic: 'bug/2070257', url: 'https://review.opendev.org/q/topic:%22bug%2F2070257%22' }, 'topic:bug/2070257'],
    ['https://bugs.launchpad.net/nova/+bug/2081234', { type: 'launchpad-bug', bug: 2081234, project: 'nova' }, '#2081234'],
    ['https://bugs.launchpad.net/nova/+bug/2081234/comments/3', { type: 'launchpad-bug', bug: 2081234 }, '#2081234'],
    ['https://bugs.launchpad.net/bugs/2081234', { type: 'launchpad-bug', bug: 2081234, project: null }, '#2081234'],
    ['https://launchpad.net/bugs/2081234', { type: 'launchpad-bug', bug: 2081234, project: null }, '#2081234'],
    ['https://blueprints.launchpad.net/nova/+spec/sample-vtpm-live-migration', { type: 'launchpad-blueprint', name: 'sample-vtpm-live-migration', project: 'nova' }, 'sample-vtpm-live-migration'],
  ])('%s', (url, expected, label) => {
    const link = parseLink(url);
    expect(link).toMatchObject(expected);
    expect(chipLabel(link!)).toBe(label);
  });

  it.each(['https://example.com/c/openstack/nova/+/1', 'javascript:alert(1)', 'not a link', 'https://review.opendev.org/admin/repos', 'https://launchpad.net/nova', ''])(
    'is none of them: %j',
    (value) => expect(parseLink(value)).toBeNull(),
  );

  it('the same change is the same item, whatever its form', () => {
    const forms = [
      'https://review.opendev.org/c/openstack/nova/+/931234',
      'https://review.opendev.org/c/openstack/nova/+/931234/3',
      'https://review.opendev.org/931234',
      'https://review.opendev.org/#/c/931234/',
      'https://review.openstack.org/c/openstack/nova/+/931234',
    ];
    expect(new Set(forms.map((f) => identityKey(parseLink(f)!)))).toEqual(new Set(['change:931234']));
    expect(identityKey(parseLink('https://launchpad.net/bugs/2081234')!)).toBe(identityKey(parseLink('https://bugs.launchpad.net/nova/+bug/2081234')!));
  });

  it('safeHref lets only http(s) through', () => {
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref(' JavaScript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,<script>')).toBeNull();
    expect(safeHref('https://bugs.launchpad.net/nova/+bug/1')).toBe('https://bugs.launchpad.net/nova/+bug/1');
  });
});

describe('parseEntryText: what a person pastes into "add"', () => {
  it('a Launchpad bug with title after the link and the owner', () => {
    expect(parseEntryText('https://bugs.launchpad.net/nova/+bug/2081234 Evacuate fails when source host is down (carol)')).toEqual({
      kind: 'bug',
      title: 'Evacuate fails when source host is down',
      launchpad: 'https://bugs.launchpad.net/nova/+bug/2081234',
      owner: 'carol',
      reviews: [],
      rest: '',
    });
  });

  it('the team format with [title], and Gerrit links on further lines', () => {
    const draft = parseEntryText(
      '* https://blueprints.launchpad.net/nova/+spec/sample-vtpm-live-migration [vTPM live migration] (alice)\n\t* https://review.opendev.org/c/openstack/nova/+/930011/4\n https://review.opendev.org/931233',
    );
    expect(draft).toMatchObject({
      kind: 'feature',
      title: 'vTPM live migration',
      owner: 'alice',
      launchpad: 'https://blueprints.launchpad.net/nova/+spec/sample-vtpm-live-migration',
      reviews: ['https://review.opendev.org/c/openstack/nova/+/930011/4', 'https://review.opendev.org/931233'],
    });
  });

  it('Gerrit links only, and a title with a separator', () => {
    expect(parseEntryText('https://review.opendev.org/c/openstack/nova/+/930011 - fix the docs')).toMatchObject({
      kind: 'other',
      title: 'fix the docs',
      launchpad: '',
      reviews: ['https://review.opendev.org/c/openstack/nova/+/930011'],
    });
    expect(parseEntryText('topic:"bp/name" (bob)')).toMatchObject({ owner: 'bob', reviews: ['https://review.opendev.org/q/topic:%22bp%2Fname%22'] });
  });

  it('trailing punctuation is not part of a link', () => {
    expect(parseEntryText('see https://launchpad.net/bugs/2081234, please').launchpad).toBe('https://launchpad.net/bugs/2081234');
  });

  it('entry identity keys cover the Launchpad item and every review', () => {
    expect(entryIdentityKeys({ launchpad: 'https://launchpad.net/bugs/1', reviews: ['https://review.opendev.org/2', 'junk'] })).toEqual(['bug:1', 'change:2']);
  });
});

describe('filter and duplicates', async () => {
  const { matchesFilter, NO_FILTER } = await import('../../shared/filter.js');
  const { findDuplicates } = await import('../../shared/duplicates.js');
  const entry = (over: Record<string, unknown>) => ({
    id: 'x', kind: 'bug' as const, title: 'Evacuate fails', launchpad: 'https://launchpad.net/bugs/2081234', owner: 'carol',
    reviews: ['https://review.opendev.org/c/openstack/nova/+/931122'], note: 'needs first review', addedBy: 'c', addedAt: 0,
    status: 'open' as const, rank: null, promotedFrom: null, promotedTo: null, ...over,
  });

  it('filters by kind, owner and every word of the text', () => {
    const e = entry({});
    expect(matchesFilter(e, NO_FILTER)).toBe(true);
    expect(matchesFilter(e, { ...NO_FILTER, kind: 'feature' })).toBe(false);
    expect(matchesFilter(e, { ...NO_FILTER, owner: 'CAR' })).toBe(true);
    expect(matchesFilter(e, { ...NO_FILTER, owner: 'bob' })).toBe(false);
    expect(matchesFilter(e, { ...NO_FILTER, text: 'evacuate review' })).toBe(true);
    expect(matchesFilter(e, { ...NO_FILTER, text: 'evacuate merged' })).toBe(false);
    expect(matchesFilter(e, { ...NO_FILTER, text: '931122' })).toBe(true);
  });

  it('finds the same change or bug in either section, whatever the link form', () => {
    const sections = [
      { section: 'proposed' as const, entries: [entry({ id: 'p1' })] },
      { section: 'ready' as const, entries: [entry({ id: 'r1', launchpad: '', reviews: ['https://review.opendev.org/#/c/555/'] })] },
    ];
    expect(findDuplicates({ launchpad: 'https://bugs.launchpad.net/nova/+bug/2081234', reviews: [] }, sections).map((d) => [d.section, d.entry.id, d.key])).toEqual([['proposed', 'p1', 'bug:2081234']]);
    expect(findDuplicates({ launchpad: '', reviews: ['https://review.opendev.org/555/2'] }, sections).map((d) => [d.section, d.entry.id])).toEqual([['ready', 'r1']]);
    expect(findDuplicates({ launchpad: '', reviews: ['https://review.opendev.org/1'] }, sections)).toEqual([]);
  });
});

describe('the linear link readers read as the former patterns did', () => {
  // the former patterns (polynomial backtracking): only ever run here, on short strings
  const formerGerrit = (path: string) => {
    let m = /^\/c\/(.+?)\/\+\/(\d+)(?:\/(\d+))?(?:\/.*)?$/.exec(path);
    if (m) return { change: Number(m[2]), patchset: m[3] ? Number(m[3]) : null, project: decodeURIComponent(m[1]!) };
    m = /^\/c\/(\d+)(?:\/(\d+))?\/?(?:.*)?$/.exec(path) ?? /^\/(\d+)(?:\/(\d+))?\/?$/.exec(path);
    if (m) return { change: Number(m[1]), patchset: m[2] ? Number(m[2]) : null, project: null };
    return null;
  };
  const pick = (link: ReturnType<typeof parseLink>) =>
    link?.type === 'gerrit-change' ? { change: link.change, patchset: link.patchset, project: link.project } : null;
  const text = (chars: string[], maxLength = 12) => fc.array(fc.constantFrom(...chars), { maxLength }).map((a) => a.join(''));

  it('Gerrit change paths', () => {
    const chars = ['/', '/', 'c', '/c/', '+', '/+/', '1', '2', '0', 'a', 'nova', '.', '-'];
    fc.assert(
      fc.property(text(chars), (p) => {
        const url = `https://review.opendev.org/${p.replace(/^\/+/, '')}`;
        const path = new URL(url.replace(/[.,;]+$/, '')).pathname;
        if (/^\/q\//.test(path)) return;
        expect(pick(parseLink(url))).toEqual(formerGerrit(path));
      }),
      { numRuns: 20_000 },
    );
  });

  /** parseEntryText as it was (link tokens cut by string replacement, the title by `/\[(.*)\]/`). */
  const formerParseEntryText = (text: string) => {
    const draft = { kind: 'other', title: '', launchpad: '', owner: '', reviews: [] as string[], rest: '' };
    let remaining = text.replace(/^[ \t]*[*•-][ \t]+/gm, ' ').replace(/\s+/g, ' ').trim();
    for (const token of remaining.match(/https?:\/\/\S+|topic:(?:"[^"]*"|\S+)/g) ?? []) {
      const link = parseLink(token);
      if (!link) continue;
      if ((link.type === 'launchpad-bug' || link.type === 'launchpad-blueprint') && !draft.launchpad) {
        draft.launchpad = link.url;
        draft.kind = link.type === 'launchpad-bug' ? 'bug' : 'feature';
      } else if (link.type === 'gerrit-change' || link.type === 'gerrit-topic') draft.reviews.push(link.url);
      else continue;
      remaining = remaining.replace(token, ' ');
    }
    remaining = remaining.replace(/\s+/g, ' ').trim();
    const owner = /\(([A-Za-z0-9][A-Za-z0-9._+-]{0,63})\)\s*$/.exec(remaining);
    if (owner) {
      draft.owner = owner[1]!;
      remaining = remaining.slice(0, owner.index).trim();
    }
    const bracketed = /\[(.*)\]/.exec(remaining);
    if (bracketed) {
      draft.title = bracketed[1]!.trim();
      draft.rest = (remaining.slice(0, bracketed.index) + remaining.slice(bracketed.index + bracketed[0].length)).trim();
    } else draft.title = remaining.replace(/^[-–—:|]\s*/, '').trim();
    return draft;
  };

  it('trailing punctuation and the bracketed title', () => {
    const chars = ['.', ',', ';', ' ', '[', ']', 'a', '(', ')', 'bob', 'https://launchpad.net/bugs/7', 'https://review.opendev.org/3', '-'];
    fc.assert(
      fc.property(text(chars, 10), (s) => {
        const url = parseLink(s)?.url;
        if (url !== undefined) expect(url).toBe(s.trim().replace(/[.,;]+$/, ''));
        // where a link's text also occurs earlier (inside other text) the former code cut that earlier copy: fixed
        const collapsed = s.replace(/\s+/g, ' ').trim();
        fc.pre([...collapsed.matchAll(/https?:\/\/\S+|topic:(?:"[^"]*"|\S+)/g)].every((m) => collapsed.indexOf(m[0]) === m.index));
        expect(parseEntryText(s)).toEqual(formerParseEntryText(s));
      }),
      { numRuns: 5_000 },
    );
  });

  it('a bare topic with a lone surrogate does not throw', () => {
    expect(parseLink('topic:z\ud800')).toMatchObject({ type: 'gerrit-topic', url: 'https://review.opendev.org/q/topic:%22z%EF%BF%BD%22' });
  });

  it('a line over the limit is not read for links', () => {
    const long = `https://launchpad.net/bugs/1 ${'x'.repeat(MAX_LINE_LENGTH)}`;
    expect(parseEntryText(long).launchpad).toBe('');
    expect(parseLink(`https://review.opendev.org/1${'/'.repeat(MAX_LINE_LENGTH)}`)).toBeNull();
  });
});

describe('parseEntryPaste: a paste that may hold several entries', () => {
  it('keeps at most 200 reviews of an entry, and says how many it left out', () => {
    const lines = ['* https://bugs.launchpad.net/nova/+bug/2081234 Huge topic bug (carol)', ...Array.from({ length: 250 }, (_, i) => `  * https://review.opendev.org/c/openstack/nova/+/${900_000 + i}`)];
    const [draft] = parseEntryPaste(lines.join('\n'));
    expect(draft!.reviews).toHaveLength(200);
    expect(draft!.reviewsLeftOut).toBe(50);
    expect(parseEntryPaste(lines.slice(0, 201).join('\n'))[0]!.reviewsLeftOut).toBeUndefined();
  });

  const brief = (text: string) => parseEntryPaste(text).map((d) => [d.kind, d.title, d.launchpad, d.owner, d.reviews, d.rest]);

  it('an Etherpad list: an entry per bullet at the margin, its reviews and note from the lines under it', () => {
    expect(
      brief(TWO_BUG_LIST.join('\n')),
    ).toEqual([
      ['bug', 'Resize to same host loses NUMA topology', 'https://bugs.launchpad.net/nova/+bug/2090001', 'sean-k-mooney', ['https://review.opendev.org/c/openstack/nova/+/931122'], 'needs rebase'],
      ['bug', 'Console proxy leaks fds', 'https://bugs.launchpad.net/nova/+bug/2090002', 'stephenfin', ['https://review.opendev.org/c/openstack/nova/+/931123'], 'needs reviews'],
    ]);
  });

  it('a plain list: an entry per line with a Launchpad link, lines without one belong to the entry above', () => {
    expect(
      brief(
        [
          'https://bugs.launchpad.net/nova/+bug/1 First bug (alice)',
          'https://review.opendev.org/c/openstack/nova/+/11',
          'https://blueprints.launchpad.net/nova/+spec/two Second (bob)',
        ].join('\r\n'),
      ),
    ).toEqual([
      ['bug', 'First bug', 'https://bugs.launchpad.net/nova/+bug/1', 'alice', ['https://review.opendev.org/c/openstack/nova/+/11'], ''],
      ['feature', 'Second', 'https://blueprints.launchpad.net/nova/+spec/two', 'bob', [], ''],
    ]);
  });

  it('one entry written over several lines stays one entry (a title line, then its links), as does a single line', () => {
    expect(brief('Evacuate fails when source host is down (carol)\nhttps://bugs.launchpad.net/nova/+bug/2081234\nhttps://review.opendev.org/c/openstack/nova/+/931122')).toEqual([
      ['bug', 'Evacuate fails when source host is down', 'https://bugs.launchpad.net/nova/+bug/2081234', 'carol', ['https://review.opendev.org/c/openstack/nova/+/931122'], ''],
    ]);
    const line = 'https://bugs.launchpad.net/nova/+bug/2081234 Evacuate fails when source host is down (carol) https://review.opendev.org/c/openstack/nova/+/931122';
    expect(parseEntryPaste(line)).toEqual([parseEntryText(line)]);
    // a second bug link under an entry is kept in its note, not lost
    expect(brief('* https://bugs.launchpad.net/nova/+bug/1 [A]\n  * related: https://bugs.launchpad.net/nova/+bug/2')[0]![5]).toBe('https://bugs.launchpad.net/nova/+bug/2\nrelated:');
    expect(parseEntryPaste('  \n\n')).toEqual([]);
  });

  it('keeps at most 200 reviews an entry, each once', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `  * https://review.opendev.org/${900_000 + (i % 300)}`);
    const [draft] = parseEntryPaste(['Title line (x)', ...lines].join('\n'));
    expect(draft!.reviews).toHaveLength(200);
    expect(new Set(draft!.reviews).size).toBe(200);
  });
});
