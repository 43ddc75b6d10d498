import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { TWO_BUG_LIST } from '../fixtures/two-bug-list.js';
import { headingName, ImportFormatError, milestonesOf, parseEtherpadText, toEtherpadText, toMarkdown, type PadText } from '../../shared/etherpad-format.js';

const sample = readFileSync(path.join(import.meta.dirname, '../fixtures/etherpad-tracking-sample.txt'), 'utf8');

describe('parseEtherpadText on the team sample', () => {
  const pad = parseEtherpadText(sample);

  it('reads the header: title, milestones, and keeps the other lines', () => {
    expect(pad.meta.title).toBe('Nova 2025.1 Epoxy - cycle tracking (features and bugs)');
    expect(pad.meta.milestones).toEqual([
      { label: 'Spec freeze (R-12)', date: '2025-01-09' },
      { label: 'Feature freeze (R-5)', date: '2025-02-27' },
    ]);
    expect(pad.meta.preamble).toEqual([
      'Read-only: https://etherpad.opendev.org/p/r.5b8e2c1d9f0a4b3c7d6e5f4a3b2c1d0e',
      'Format: <launchpad bug/blueprint link> [title] (owner nick)',
      '\tthen nested: <gerrit change or topic link>, then nested: short status note',
    ]);
  });

  it('reads the proposed entries', () => {
    expect(pad.sections.proposed).toEqual([
      {
        kind: 'feature',
        title: 'vTPM live migration',
        launchpad: 'https://blueprints.launchpad.net/nova/+spec/sample-vtpm-live-migration',
        owner: 'alice',
        reviews: ['https://review.opendev.org/q/topic:%22bp/sample-vtpm-live-migration%22'],
        note: 'series of 3, bottom patch needs reviews',
        status: 'open',
      },
      {
        kind: 'feature',
        title: '',
        launchpad: 'https://blueprints.launchpad.net/nova/+spec/sample-image-metadata-props',
        owner: 'bob',
        reviews: ['https://review.opendev.org/c/openstack/nova/+/930011/4'],
        note: 'needs spec approval first',
        status: 'open',
      },
      {
        kind: 'bug',
        title: 'Evacuate fails when source host is down',
        launchpad: 'https://bugs.launchpad.net/nova/+bug/2081234',
        owner: 'carol',
        reviews: ['https://review.opendev.org/c/openstack/nova/+/931122'],
        note: 'needs first review',
        status: 'open',
      },
      {
        kind: 'bug',
        title: '',
        launchpad: 'https://bugs.launchpad.net/nova/+bug/2082345',
        owner: 'dave',
        reviews: ['https://review.opendev.org/931233', 'https://review.opendev.org/#/c/931234/'],
        note: 'WIP',
        status: 'open',
      },
    ]);
  });

  it('reads the ready entries', () => {
    expect(pad.sections.ready.map((e) => [e.kind, e.title, e.owner, e.reviews, e.note])).toEqual([
      ['feature', 'PCI device groups', 'erin', ['https://review.opendev.org/c/openstack/nova/+/928800'], 'has one +2, needs second +2'],
      ['bug', 'Race in resource tracker on resize revert', 'frank', ['https://review.openstack.org/c/openstack/nova/+/927701/12'], 'ready, backport to stable/2024.2 after merge'],
    ]);
  });

  it('loses no line of the sample', () => {
    const text = JSON.stringify(pad);
    for (const line of sample.split('\n').map((l) => l.trim().replace(/^\* /, '')).filter(Boolean)) {
      if (/^==|^(Features|Bugs)$/.test(line)) continue; // structure, not content
      for (const word of line.split(/\s+/).filter((w) => !/^[[(]|[\])]$|^\||^\*$/.test(w))) {
        const piece = word.replace(/[:,]$/, '').replace(/"/g, '\\"');
        expect(text, `"${piece}" of "${line}"`).toContain(piece);
      }
    }
  });
});

describe('messy real-world input', () => {
  it('CRLF, spaces instead of tabs, several reviews, missing titles, stray lines kept as notes', () => {
    const messy = [
      'Cycle X',
      '',
      '== Proposed ==',
      'Bugs',
      '* https://launchpad.net/bugs/1 (zed)',
      '    * https://review.opendev.org/1',
      '    * https://review.opendev.org/2 https://review.opendev.org/3',
      '        * first note',
      '        * second note',
      '    * a comment that is not a link',
      'a stray line under the entry',
      '* just a title with no links',
      'Other',
      'stray text with no entry above',
      '    * topic:"bug/2070257"',
    ].join('\r\n');
    const pad = parseEtherpadText(messy);
    expect(pad.meta.title).toBe('Cycle X');
    expect(pad.sections.ready).toEqual([]);
    expect(pad.sections.proposed).toEqual([
      {
        kind: 'bug',
        title: '',
        launchpad: 'https://launchpad.net/bugs/1',
        owner: 'zed',
        reviews: ['https://review.opendev.org/1', 'https://review.opendev.org/2', 'https://review.opendev.org/3'],
        note: 'first note\nsecond note\na comment that is not a link\na stray line under the entry',
        status: 'open',
      },
      { kind: 'bug', title: 'just a title with no links', launchpad: '', owner: '', reviews: [], note: '', status: 'open' },
      {
        kind: 'other',
        title: 'stray text with no entry above',
        launchpad: '',
        owner: '',
        reviews: ['https://review.opendev.org/q/topic:%22bug%2F2070257%22'],
        note: '',
        status: 'open',
      },
    ]);
  });

  it('curated-list headings by other names go to ready', () => {
    for (const heading of ['== Ready for review ==', '## Curated list', '=== READY TO REVIEW (PTL) ===']) {
      const pad = parseEtherpadText(`${heading}\n* https://launchpad.net/bugs/5 [t] (x)\n`);
      expect(pad.sections.ready).toHaveLength(1);
    }
  });

  it('bullets before any heading are proposed entries', () => {
    expect(parseEtherpadText('* https://launchpad.net/bugs/5 [t] (x)').sections.proposed).toHaveLength(1);
  });

  it('a list without a heading keeps the reviews and notes under its entries (they were read as a header and lost)', () => {
    const pad = parseEtherpadText(['Nova 2025.1 Epoxy', ...TWO_BUG_LIST].join('\n'));
    expect(pad.meta).toEqual({ title: 'Nova 2025.1 Epoxy', milestones: [], preamble: [] });
    expect(pad.sections.proposed.map((e) => [e.title, e.owner, e.reviews, e.note])).toEqual([
      ['Resize to same host loses NUMA topology', 'sean-k-mooney', ['https://review.opendev.org/c/openstack/nova/+/931122'], 'needs rebase'],
      ['Console proxy leaks fds', 'stephenfin', ['https://review.opendev.org/c/openstack/nova/+/931123'], 'needs reviews'],
    ]);
    expect(pad.sections.ready).toEqual([]);
  });
});

describe('export', () => {
  it('round-trips: importing the export gives the same entries', () => {
    const pad = parseEtherpadText(sample);
    pad.sections.ready[0]!.status = 'merged';
    pad.sections.proposed.push({ kind: 'other', title: 'Fix (part 1) [docs]', launchpad: '', owner: '', reviews: [], note: 'line one\n* starred line\nhttps://review.opendev.org/5', status: 'abandoned' });
    pad.sections.proposed.push({ kind: 'other', title: '', launchpad: '', owner: 'x', reviews: ['https://review.opendev.org/6'], note: '', status: 'open' });
    const again = parseEtherpadText(toEtherpadText(pad));
    expect(again.sections).toEqual(pad.sections);
    expect(again.meta.title).toBe(pad.meta.title);
    expect(again.meta.milestones).toEqual(pad.meta.milestones);
    expect(again.meta.preamble).toEqual(pad.meta.preamble);
    // and the export of the export is identical
    expect(toEtherpadText(again)).toBe(toEtherpadText(pad));
  });

  it('refuses its own Markdown export, saying which exports import back, instead of reading its links as notes', () => {
    const pad = parseEtherpadText(sample);
    const md = toMarkdown(pad);
    let error: unknown = null;
    try {
      parseEtherpadText(md);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ImportFormatError);
    const line = (error as ImportFormatError).line;
    expect(md.split('\n')[line - 1]).toContain('](<https://');
    expect((error as Error).message).toMatch(/Markdown export.*JSON export.*text export/);
    // an export without a single link is known by its shape (its milestones and notes became entries)
    const linkless: PadText = {
      meta: { title: 'Cycle Z', milestones: [{ label: 'Feature freeze', date: '2026-03-01' }], preamble: [], scrubbedAt: Date.UTC(2026, 1, 1) },
      sections: { ready: [{ kind: 'other', title: 'Ready thing', launchpad: '', owner: '', reviews: [], note: 'waiting on CI', status: 'open' }], proposed: [] },
    };
    expect(() => parseEtherpadText(toMarkdown(linkless))).toThrow(/Markdown export/);
    expect(() => parseEtherpadText(toMarkdown({ ...linkless, sections: { ready: [], proposed: [] } }))).toThrow(/Markdown export/);
    // Etherpad text with a Markdown-style link of a person's own (no angle brackets) is still read
    expect(parseEtherpadText('* [Fix it](https://bugs.launchpad.net/nova/+bug/1) (x)').sections.proposed).toHaveLength(1);
    // and so is a pad with Markdown-ish headings that is not the export's shape (no "# " title first)
    expect(parseEtherpadText('Nova tracking\n## Ready to review\n* [a] (x)\n## Proposed patches\n* [b] (y)').sections.proposed.length).toBeGreaterThan(0);
  });

  it('writes each kind once per section, however the kinds alternate in the pad', () => {
    const entry = (kind: 'bug' | 'feature', title: string) => ({ kind, title, launchpad: '', owner: '', reviews: [], note: '', status: 'open' as const });
    const pad: PadText = {
      meta: { title: '', milestones: [], preamble: [] },
      sections: { proposed: [entry('bug', 'b1'), entry('feature', 'f1'), entry('bug', 'b2')], ready: [] },
    };
    const text = toEtherpadText(pad);
    expect(text.match(/^Bugs$/gm)).toHaveLength(1);
    expect(text).toContain('Features\n* [f1]\nBugs\n* [b1]\n* [b2]\n');
    expect(parseEtherpadText(text).sections.proposed.map((e) => e.title)).toEqual(['f1', 'b1', 'b2']);
  });

  it('writes the team format with TAB indentation', () => {
    const text = toEtherpadText(parseEtherpadText(sample));
    expect(text).toContain('== Ready to review (PTL only) ==\nFeatures\n* https://blueprints.launchpad.net/nova/+spec/sample-pci-device-groups [PCI device groups] (erin)\n\t* https://review.opendev.org/c/openstack/nova/+/928800\n\t\t* has one +2, needs second +2\n');
  });

  it('writes Markdown for a mailing-list post, escaping what Markdown would read', () => {
    const pad: PadText = {
      meta: { title: 'Nova 2025.1 Epoxy', milestones: [{ label: 'Feature freeze', date: '2025-02-27' }], preamble: [], scrubbedAt: Date.UTC(2025, 0, 20) },
      sections: {
        ready: [{ kind: 'bug', title: 'Race in *resource* tracker', launchpad: 'https://launchpad.net/bugs/2079876', owner: 'sean-k-mooney', reviews: ['https://review.opendev.org/927701'], note: 'needs second +2', status: 'open' }],
        proposed: [],
      },
    };
    expect(toMarkdown(pad)).toBe(
      [
        '# Nova 2025.1 Epoxy',
        '',
        '- **Feature freeze**: 2025-02-27',
        '',
        '_Ready list scrubbed on 2025-01-20_',
        '',
        '## Ready to review',
        '',
        '### Bugs',
        '',
        // a hyphen or a plus inside a word is left as written (a plain-text post shows every backslash)
        '1. [Race in \\*resource\\* tracker](<https://launchpad.net/bugs/2079876>) (sean-k-mooney)',
        '   - [927701](<https://review.opendev.org/927701>)',
        '   - _needs second +2_',
        '',
        '## Proposed patches',
        '',
        '_No entries._',
        '',
      ].join('\n'),
    );
  });
});

describe('Markdown carries no control or bidi characters raw', () => {
  it('shows ESC, BEL, C1 controls, bidi overrides and lone surrogates as U+FFFD, in every field', () => {
    const hostile = 'T\x1b[31mRED\x1b]0;pwned\x07 \x1bc\x9b2J \u202eevil\u2066x\u2069 \ud800';
    const pad: PadText = {
      meta: { title: hostile, milestones: [{ label: hostile, date: hostile }], preamble: [hostile], scrubbedAt: null },
      sections: {
        ready: [{ kind: 'bug', title: hostile, launchpad: 'https://launchpad.net/bugs/1', owner: `o\x1b[2Kx\rFAKE`, reviews: ['https://review.opendev.org/1'], note: hostile, status: 'open' }],
        proposed: [{ kind: 'other', title: hostile, launchpad: '', owner: '', reviews: [hostile], note: '', status: 'open' }],
      },
    };
    const md = toMarkdown(pad);
    // eslint-disable-next-line no-control-regex
    expect(md).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(md).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    // what was there is still seen to have been there, and the rest of the text is kept
    expect(md).toContain('T\uFFFD\\[31mRED\uFFFD\\]0;pwned\uFFFD \uFFFDc\uFFFD2J \uFFFDevil\uFFFDx\uFFFD \uFFFD');
    expect(md).toContain('(o\uFFFD\\[2Kx FAKE)');
  });
});

describe('the linear header readers read as the former patterns did', () => {
  // the former patterns (polynomial backtracking): only ever run here, on short strings
  const FORMER_HEADING = /^(?:=+\s*(.+?)\s*=*|#{1,6}\s+(.+?))\s*$/;
  const FORMER_MILESTONE = /^\s*([^:|]+?)\s*:\s*(\d{4}-\d{2}-\d{2})\s*(.*?)\s*$/;
  const formerHeading = (content: string) => {
    const m = FORMER_HEADING.exec(content);
    return m ? (m[1] ?? m[2] ?? '') : null;
  };
  const formerMilestones = (line: string) => {
    const milestones = [];
    for (const part of line.split('|')) {
      const m = FORMER_MILESTONE.exec(part);
      if (!m) return null;
      milestones.push({ label: m[3] ? `${m[1]} ${m[3]}` : m[1]!, date: m[2]! });
    }
    return milestones.length > 0 ? milestones : null;
  };
  const text = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 14 }).map((a) => a.join(''));

  it('headings', () => {
    const chars = ['=', '=', '#', '#', ' ', '\t', 'a', 'B', '\u2028', '\n', '\u00a0', ':'];
    fc.assert(fc.property(text(chars), (s) => {
      expect(headingName(s)).toBe(formerHeading(s));
    }), { numRuns: 20_000 });
    for (const s of ['== Proposed ==', '## Curated list', '=== READY TO REVIEW (PTL) ===', '==', '= ', '=', '= =', '# ', '#######  x', '#\t\u2028']) {
      expect(headingName(s), JSON.stringify(s)).toBe(formerHeading(s));
    }
  });

  it('milestones', () => {
    const chars = [':', '|', ' ', '\t', '\n', '\u2028', 'a', '2', '0', '-', '2025-01-09', ' (R-5)', 'x'];
    fc.assert(fc.property(text(chars), (s) => {
      expect(milestonesOf(s)).toEqual(formerMilestones(s));
    }), { numRuns: 20_000 });
    const line = 'Spec freeze: 2025-01-09 (R-12) | Feature freeze: 2025-02-27 (R-5)';
    expect(milestonesOf(line)).toEqual(formerMilestones(line));
  });
});

describe('line length', () => {
  it('a line over 4,000 characters is refused with ImportFormatError naming the line', () => {
    const text = `Title\n== Proposed ==\n* ${'x'.repeat(4001)}\n`;
    expect(() => parseEtherpadText(text)).toThrow(ImportFormatError);
    expect(() => parseEtherpadText(text)).toThrow('line 3 is 4003 characters long; a line may have at most 4000 (a pad\'s JSON export imports back whatever its lines)');
    try {
      parseEtherpadText(text);
    } catch (err) {
      expect((err as ImportFormatError).line).toBe(3);
    }
    expect(parseEtherpadText(`* ${'x'.repeat(3998)}`).sections.proposed).toHaveLength(1);
  });
});
