/**
 * Exports must not carry one person's text into another's list: importing the Etherpad text export gives back exactly
 * the pad (whatever its fields hold), and the Markdown export renders every field as text, with links only to the
 * pad's own safe URLs.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEtherpadText, toEtherpadText, toMarkdown, type PadText, type PlainEntry } from '../../shared/etherpad-format.js';
import { parseLink, safeHref } from '../../shared/links.js';
import { ENTRY_KINDS, ENTRY_STATUSES } from '../../shared/schema.js';
import type { PadStatus } from '../../shared/status.js';

const sample = readFileSync(path.join(import.meta.dirname, '../fixtures/etherpad-tracking-sample.txt'), 'utf8');

const PIECES = [
  '\n', '\r', '\r\n', '\t', ' ', '  ', '[', ']', '(', ')', '<', '>', '*', '* ', '\t* ', '\t\t* ', '#', '## ', '==', '= ', '== Ready to review ==',
  '\\', '\\ ', '\\n', '\\u0041', '|', ':', ': ', '`', '_', '!', '![i](http://evil/i.png)', '&amp;', '&', '-', '- ', '• ', '1. ', '> ',
  'https://bugs.launchpad.net/nova/+bug/1', 'https://launchpad.net/bugs/2', 'https://blueprints.launchpad.net/nova/+spec/x',
  'https://review.opendev.org/3', 'https://review.opendev.org/c/openstack/nova/+/4/2', 'topic:"x y"', 'topic:z', 'javascript:alert(1)',
  'http://', '.', ',', ';', '(bob)', '[t]', 'status: merged', 'Features', 'Bugs', 'Other', '2025-01-09', 'Spec freeze: 2025-01-09',
  'mallory@evil.example', 'www.evil.example', 'http://evil.example/x',
  '\u2028', '\u2029', '\u00a0', '\ufeff', '\u0000', '\u0085', '\u007f', 'é', '😀', '\ud800', '\udc00', 'a', 'bob', 'Nova',
];
const hostile = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PIECES) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) }), { maxLength: 7 })
  .map((parts) => parts.join(''));
const ordinary = fc.constantFrom('', 'alice', 'PCI device groups', 'needs second +2', 'https://review.opendev.org/931233', 'https://launchpad.net/bugs/2079876');
const field = fc.oneof(hostile, ordinary);

const entry: fc.Arbitrary<PlainEntry> = fc.record({
  kind: fc.constantFrom(...ENTRY_KINDS),
  title: field,
  launchpad: field,
  owner: field,
  reviews: fc.array(field, { maxLength: 3 }),
  note: field,
  status: fc.constantFrom(...ENTRY_STATUSES),
});

const pad: fc.Arbitrary<PadText> = fc.record({
  meta: fc.record({
    title: field,
    milestones: fc.array(fc.record({ label: field, date: fc.oneof(fc.constantFrom('2025-01-09', '2025-02-27'), hostile) }), { maxLength: 3 }),
    preamble: fc.array(field, { maxLength: 3 }),
  }),
  sections: fc.record({ proposed: fc.array(entry, { maxLength: 4 }), ready: fc.array(entry, { maxLength: 4 }) }),
});

/**
 * Live status for every link the generated pads can hold (with hostile strings from "Gerrit" and "Launchpad"): the
 * exports carry it, and reading the text export skips it.
 */
const HOSTILE = '\n== Ready to review (PTL only) ==\n* https://launchpad.net/bugs/666 [evil] (mallory)\r\u2028\\ x';
const change = (status: 'NEW' | 'MERGED', votes: number[]) => ({
  status, subject: HOSTILE, owner: HOSTILE, updated: '2025-01-01T00:00:00.000Z', patchset: 1, mergeable: 'unknown' as const, wip: false,
  project: 'openstack/nova', branch: 'master', topic: null,
  labels: { 'Code-Review': { max: Math.max(0, ...votes), min: Math.min(0, ...votes), votes: votes.map((value) => ({ value, name: HOSTILE })) } },
});
const LIVE: PadStatus = {
  changes: { '3': change('MERGED', []), '4': change('NEW', [2]), '931233': change('NEW', [-1]) },
  bugs: {
    '1': { title: HOSTILE, status: HOSTILE, importance: 'High', assignee: null, milestone: null, project: 'nova' },
    '2': { visible: false },
    '2079876': { title: 't', status: 'In Progress', importance: 'High', assignee: null, milestone: null, project: 'nova' },
  },
  blueprints: { 'nova/x': { title: HOSTILE, definition: HOSTILE, implementation: 'Started', assignee: null, approver: null, milestone: HOSTILE } },
  topics: { 'x y': ['3', '4'], z: { visible: false } },
  fetchedAt: 1,
  enabled: true,
};

/** A section as the pad shows it: grouped by kind (features, bugs, other), in the pad's order within each kind. */
const asShown = (entries: PlainEntry[]) => ENTRY_KINDS.flatMap((kind) => entries.filter((e) => e.kind === kind));

function expectRoundTrip(original: PadText, live: PadStatus | null = null): void {
  const text = toEtherpadText(original, live);
  const back = parseEtherpadText(text);
  expect(back.sections, text).toEqual({ proposed: asShown(original.sections.proposed), ready: asShown(original.sections.ready) });
  expect(back.meta.title, text).toBe(original.meta.title);
  expect(back.meta.milestones, text).toEqual(original.meta.milestones);
  expect(back.meta.preamble, text).toEqual(original.meta.preamble);
}

const blank = (over: Partial<PlainEntry>): PlainEntry => ({ kind: 'bug', title: '', launchpad: '', owner: '', reviews: [], note: '', status: 'open', ...over });
const padOf = (proposed: PlainEntry[], ready: PlainEntry[] = [], meta: Partial<PadText['meta']> = {}): PadText => ({
  meta: { title: 'Cycle', milestones: [], preamble: [], ...meta },
  sections: { proposed, ready },
});

describe('Etherpad text: import(export(pad)) is the pad', () => {
  it('for arbitrary field content, in both sections and the header', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(pad, fc.boolean(), (p, withStatus) => {
        expectRoundTrip(p, withStatus ? LIVE : null);
      }),
      { numRuns: Number(process.env.ROUNDTRIP_RUNS ?? 3000) },
    );
  });

  it('the live status per review is written after its review line, skipped on reading, and a note like it is kept', () => {
    const p = padOf([
      blank({ title: 't', launchpad: 'https://launchpad.net/bugs/2079876', reviews: ['https://review.opendev.org/3', 'https://review.opendev.org/931233', 'topic:"x y"', 'https://review.opendev.org/5'], note: '\u00bb live: a note of mine' }),
    ]);
    const text = toEtherpadText(p, LIVE);
    expect(text).toContain('* https://launchpad.net/bugs/2079876 [t]\n\t\t* \u00bb live: In Progress, High\n');
    expect(text).toContain('\t* https://review.opendev.org/3\n\t\t* \u00bb live: merged\n');
    expect(text).toContain('\t* https://review.opendev.org/931233\n\t\t* \u00bb live: \u22121\n');
    expect(text).toContain('\t\t* \u00bb live: 2 changes, 1 merged, 1 open\n');
    expect(text).not.toContain('review.opendev.org/5\n\t\t* \u00bb');
    expect(parseEtherpadText(text).sections).toEqual(p.sections);
    expectRoundTrip(p, LIVE);
    const md = toMarkdown(p, LIVE);
    expect(md).toContain('[3](<https://review.opendev.org/3>) — merged');
  });

  it('an owner with a newline and an entry line in it creates no entry, and nothing moves into ready', () => {
    const owner = 'alice\n* https://bugs.launchpad.net/nova/+bug/1 [evil] (x)';
    const p = padOf([blank({ launchpad: 'https://bugs.launchpad.net/nova/+bug/2', title: 'real', owner })]);
    const back = parseEtherpadText(toEtherpadText(p));
    expect(back.sections.proposed).toHaveLength(1);
    expect(back.sections.proposed[0]!.owner).toBe(owner);
    expect(back.sections.ready).toEqual([]);
    expectRoundTrip(p);
  });

  it('no field can open the ready section or a new entry', () => {
    const breakout = '\n\n== Ready to review (PTL only) ==\nBugs\n* https://launchpad.net/bugs/666 [evil] (mallory)\n';
    for (const key of ['title', 'launchpad', 'owner', 'note'] as const) {
      const p = padOf([blank({ title: 't', [key]: `x${breakout}` })]);
      const back = parseEtherpadText(toEtherpadText(p));
      expect(back.sections.ready, key).toEqual([]);
      expect(back.sections.proposed, key).toEqual(p.sections.proposed);
    }
    const viaReview = padOf([blank({ reviews: [`https://review.opendev.org/1${breakout}`, '\r== Ready ==\r* x'] })]);
    expect(parseEtherpadText(toEtherpadText(viaReview)).sections).toEqual(viaReview.sections);
    for (const title of [breakout, `== Ready ==`, '* https://launchpad.net/bugs/1 [t] (x)', 'Spec: 2025-01-01', '\\ escaped?']) {
      const p = padOf([], [], { title, milestones: [{ label: breakout, date: '2025-01-01' }], preamble: [breakout, '* bullet', '== heading =='] });
      const back = parseEtherpadText(toEtherpadText(p));
      expect(back.sections).toEqual({ proposed: [], ready: [] });
      expectRoundTrip(p);
    }
  });

  it('writes interleaved kinds grouped, as the pad shows them (each kind in the pad\'s order), and keeps empty, blank and edge-space notes', () => {
    const interleaved = padOf([blank({ kind: 'bug', title: 'b1' }), blank({ kind: 'feature', title: 'f' }), blank({ kind: 'bug', title: 'b2' })]);
    expectRoundTrip(interleaved);
    expect(parseEtherpadText(toEtherpadText(interleaved)).sections.proposed.map((e) => e.title)).toEqual(['f', 'b1', 'b2']);
    for (const note of ['\n', '\n\nx\n', ' leading', 'trailing ', '\\ starts like an escape', '\\', '* ', 'status: merged', 'https://review.opendev.org/1']) {
      expectRoundTrip(padOf([blank({ title: 't', note })]));
    }
  });

  it('ordinary content is written as before: readable, with no escapes', () => {
    const text = toEtherpadText(parseEtherpadText(sample));
    expect(text).not.toContain('\\');
    expect(text).toContain('* https://bugs.launchpad.net/nova/+bug/2081234 [Evacuate fails when source host is down] (carol)\n\t* https://review.opendev.org/c/openstack/nova/+/931122\n\t\t* needs first review\n');
  });

  it('text people write with backslashes (not starting a line with "\\ ") reads as before', () => {
    const back = parseEtherpadText('== Proposed ==\n* https://launchpad.net/bugs/1 [Fix C:\\temp\\new handling] (bob)\n\t\t* escape \\n in logs\n');
    expect(back.sections.proposed).toEqual([
      blank({ launchpad: 'https://launchpad.net/bugs/1', title: 'Fix C:\\temp\\new handling', owner: 'bob', note: 'escape \\n in logs' }),
    ]);
  });
});

describe('Markdown: every field renders as text, links only to the pad’s safe URLs', () => {
  const renderers = [new MarkdownIt(), new MarkdownIt({ linkify: true })];

  /** The URLs the export may link to: the pad's own (a bare `topic:` query as its Gerrit URL), where they pass safeHref. */
  function allowedUrls(p: PadText): string[] {
    const urls = [...p.sections.proposed, ...p.sections.ready].flatMap((e) => [e.launchpad, ...e.reviews]);
    return urls.flatMap((u) => [u, parseLink(u)?.url ?? u]).map((u) => safeHref(u)).filter((u): u is string => u !== null);
  }

  /** Two URLs are the same once percent-encoding and markdown-it's normalisation are set aside. */
  const decoded = (url: string) => {
    try {
      return decodeURIComponent(url);
    } catch {
      return url;
    }
  };

  function expectOnlyText(p: PadText, live: PadStatus | null = null): void {
    const md = toMarkdown(p, live);
    const groups = (['proposed', 'ready'] as const).reduce((n, s) => n + new Set(p.sections[s].map((e) => e.kind)).size, 0);
    const allowed = new Set(allowedUrls(p).map(decoded));
    for (const renderer of renderers) {
      const html = renderer.render(md);
      expect((html.match(/<h1>/g) ?? []).length, md).toBe(1);
      expect((html.match(/<h2>/g) ?? []).length, md).toBe(2);
      expect((html.match(/<h3>/g) ?? []).length, md).toBe(groups);
      expect(html, md).not.toMatch(/<h[4-6]|<img|<script|<iframe|<hr/i);
      // entries and notes never open nested lists, quotes, code blocks or tables
      expect(html, md).not.toMatch(/<(blockquote|pre|table|code)/);
      for (const [, href] of html.matchAll(/<a href="([^"]*)"/g)) {
        const url = href!.replace(/&amp;/g, '&');
        expect(url, md).toMatch(/^https?:\/\//);
        expect(allowed.has(decoded(url)), `${url} in\n${md}`).toBe(true);
      }
    }
  }

  it('for arbitrary field content', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(pad, fc.boolean(), (p, withStatus) => {
        expectOnlyText(p, withStatus ? LIVE : null);
      }),
      { numRuns: Number(process.env.ROUNDTRIP_RUNS ?? 1500) },
    );
  });

  it('a review URL that tries to close the link and add an image, and a title with headings', () => {
    const p = padOf(
      [blank({ title: '# Heading\n## Other', launchpad: 'https://x/](javascript:alert(1))![img](http://evil/i.png)', reviews: ['https://x/](javascript:alert(1))![img](http://evil/i.png)', 'javascript:alert(1)', 'https://review.opendev.org/1\n# h'] })],
      [blank({ kind: 'feature', title: '[click](javascript:alert(1)) <img src=x onerror=alert(1)>', owner: '**bold** `code`', note: '# h1\n===\n---\n> quote\n    code\n1. list\n| a | b |\n|---|---|\n<script>alert(1)</script>\nhttp://evil.example/' })],
      { title: '# Heading\n## Other', milestones: [{ label: '](http://evil)\n## h', date: '<img src=x>' }] },
    );
    expectOnlyText(p);
    const html = new MarkdownIt().render(toMarkdown(p));
    expect(html).toContain('# Heading ## Other');
    // bare URLs and e-mail addresses in text stay text, even for a renderer that links them
    const bare = padOf([blank({ title: 'see http://evil.example/x', owner: 'mallory@evil.example', note: 'https://evil.example/y' })]);
    expectOnlyText(bare);
    expect(new MarkdownIt({ linkify: true }).render(toMarkdown(bare))).not.toContain('<a ');
    expect(html).not.toMatch(/href="(?!https?:)/);
    // the launchpad link, the same URL as a review, and the review whose newline the URL parser dropped
    expect([...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]!.slice(0, 27))).toEqual(['https://x/%5D(javascript:al', 'https://x/%5D(javascript:al', 'https://review.opendev.org/']);
  });
});
