import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as Y from 'yjs';
import { createEntry, entriesOf, metaOf, metaToJSON, sectionToJSON, ENTRY_KINDS, ENTRY_STATUSES, type EntryData } from '../../shared/schema.js';
import { escapeHtml, mirrorEntryHtml, mirrorHtml, type MirrorContent } from '../../shared/mirror-html.js';
import { mirrorContent } from '../../server/http/pages.js';
import type { PadExport } from '../../server/pad-export.js';

const HOSTILE = `<img src=x onerror="alert(1)">'&amp;</li><script>`;

/** The markup with every tag the mirror writes (and its known attributes, quoted) taken out: only text is left. */
const textLeft = (markup: string) =>
  markup.replace(/<\/?(?:header|h1|h2|h3|ul|li|p|div|a|span|time|section)(?: (?:class|data-id|href|rel)="[^"<>]*")*>/g, '');

const entry = (fields: Partial<EntryData>): EntryData => ({
  id: 'e1',
  kind: 'bug',
  title: '',
  launchpad: '',
  owner: '',
  reviews: [],
  note: '',
  addedBy: 'ptl',
  addedAt: 0,
  status: 'open',
  rank: null,
  promotedFrom: null,
  promotedTo: null,
  ...fields,
});

describe('the mirror markup (shared by the server page and the live script)', () => {
  it('escapes every field: title, owner, note, id, links and their text, milestones, cycle title', () => {
    const pad: MirrorContent = {
      meta: { title: HOSTILE, milestones: [{ label: HOSTILE, date: HOSTILE }], scrubbedAt: 0 },
      sections: {
        ready: [
          entry({ id: HOSTILE, title: HOSTILE, owner: HOSTILE, note: HOSTILE, status: 'merged', launchpad: `https://bugs.launchpad.net/nova/+bug/1?"><script>` }),
          entry({ id: 'e2', reviews: [HOSTILE, `https://review.opendev.org/c/x/+/1?a="'<b>`, 'javascript:alert(1)'] }),
        ],
        proposed: [entry({ id: 'e3', launchpad: HOSTILE, title: '' })],
      },
    };
    const out = mirrorHtml(pad, { live: HOSTILE });
    expect(out).not.toMatch(/<img|<script|<b>|href="javascript/);
    expect(textLeft(out)).not.toMatch(/[<>"]/);
    // the text reads back as written
    expect(out).toContain(escapeHtml(HOSTILE));
    expect(escapeHtml(HOSTILE)).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;amp;&lt;/li&gt;&lt;script&gt;');
  });

  it('escapes whatever a field holds (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", 'a', ' ', '/', '=', 'é') });
    fc.assert(
      fc.property(text, text, text, text, text, fc.constantFrom(...ENTRY_KINDS), fc.constantFrom(...ENTRY_STATUSES), (id, title, owner, note, review, kind, status) => {
        const out = mirrorEntryHtml(entry({ id, title, owner, note, kind, status, reviews: [review, `https://review.opendev.org/${review}`] }));
        expect(textLeft(out)).not.toMatch(/[<>"]/);
      }),
    );
  });

  it('names links as the editor\'s chips do, says which proposed entries are promoted, and links to the whole URL', () => {
    const out = mirrorEntryHtml(
      entry({
        launchpad: 'https://bugs.launchpad.net/nova/+bug/2082345',
        reviews: ['https://review.opendev.org/c/openstack/nova/+/931122/4', 'https://review.opendev.org/q/topic:%22bp/vtpm%22', 'https://example.org/not-a-review'],
        promotedTo: 'r1',
      }),
    );
    // an untitled entry: its bug's number, not its URL as a title
    expect(out).toContain('<a href="https://bugs.launchpad.net/nova/+bug/2082345" rel="noopener noreferrer">#2082345</a>');
    expect(out).toContain('>931122,4</a>');
    expect(out).toContain('>topic:bp/vtpm</a>');
    expect(out).toContain('href="https://review.opendev.org/q/topic:%22bp/vtpm%22"');
    // a link no parser knows keeps its whole URL as its text
    expect(out).toContain('>https://example.org/not-a-review</a>');
    // promotedTo is the entry's own claim (anyone's to write): it shows nothing by itself
    expect(out).not.toContain('promoted to ready');
  });

  it('shows a link\'s bidirectional controls as U+FFFD where it shows the link whole, and isolates milestone labels', () => {
    // "https://example.com/<RLO>gnp.exe" would read ".../exe.png"; an embedding or isolate reorders it as well
    const spoof = 'https://example.com/files/\u202Egnp.exe';
    const out = mirrorEntryHtml(entry({ title: 'ﻋﻨﻮﺍﻥ \u202Btitle', reviews: [spoof, 'not a link \u2067x\u2069', 'https://review.opendev.org/q/topic:%E2%80%AEgnp.exe'] }));
    // a short label decoded from the link too
    expect(out).toContain('>topic:\uFFFDgnp.exe</a>');
    expect(out).toContain('>https://example.com/files/\uFFFDgnp.exe</a>');
    expect(out).toContain('href="https://example.com/files/%E2%80%AEgnp.exe"');
    expect(out).toContain('<span>not a link \uFFFDx\uFFFD</span>');
    expect(out).not.toMatch(/[\u202E\u2067\u2069]/);
    // a title keeps its own (right-to-left text is written with them): it is isolated by the stylesheet instead
    expect(out).toContain('\u202Btitle');
    expect(mirrorHtml({ meta: { title: 't', milestones: [{ label: 'Spec \u202Efreeze', date: '2025-01-09' }], scrubbedAt: null }, sections: { proposed: [], ready: [] } })).toContain(
      '<li><span class="label">Spec \u202Efreeze</span>: <time>2025-01-09</time></li>',
    );
  });

  it('says "promoted to ready" where the ready list holds a copy (its promotedFrom), never on a proposed entry\'s own claim', () => {
    const html = mirrorHtml({
      meta: { title: '', milestones: [], scrubbedAt: null },
      sections: {
        ready: [entry({ id: 'r1', title: 'copy', promotedFrom: 'p1' }), entry({ id: 'r2', title: 'unrelated' })],
        proposed: [entry({ id: 'p1', title: 'promoted', promotedTo: 'r1' }), entry({ id: 'p2', title: 'forged', promotedTo: 'r2' }), entry({ id: 'p3', title: 'stale', promotedTo: 'gone' })],
      },
    });
    const shown = (id: string) => html.slice(html.indexOf(`data-id="${id}"`)).split('</li>')[0]!;
    expect(shown('p1')).toContain('promoted to ready');
    expect(shown('p2')).not.toContain('promoted to ready');
    expect(shown('p3')).not.toContain('promoted to ready');
    expect(shown('r1')).not.toContain('promoted to ready');
  });

  it('shows at most 200 reviews of an entry and says how many more it has (a peer can write 100,000)', () => {
    const reviews = Array.from({ length: 250 }, (_, i) => `https://review.opendev.org/${900_000 + i}`);
    const out = mirrorEntryHtml(entry({ title: 't', reviews }));
    expect(out.match(/<a /g)).toHaveLength(200);
    expect(out).toContain('<li class="more">and 50 more reviews</li>');
    expect(mirrorEntryHtml(entry({ title: 't', reviews: reviews.slice(0, 200) }))).not.toContain('more reviews');
  });

  it('links only http(s) URLs, and says nothing of updating live unless the script renders it', () => {
    const out = mirrorHtml({ meta: { title: '', milestones: [], scrubbedAt: null }, sections: { ready: [entry({ launchpad: 'javascript:alert(1)' })], proposed: [] } });
    expect(out).not.toContain('href');
    expect(out).not.toMatch(/updates? live|as they are made/);
    expect(out).toContain('No entries yet.');
    expect(mirrorHtml({ meta: { title: '', milestones: [], scrubbedAt: null }, sections: { ready: [], proposed: [] } }, { live: 'live' })).toContain(
      '<span class="live-state">live</span>',
    );
  });

  it('is the same markup from the server (its export) and from the script (its synced documents)', () => {
    const ready = new Y.Doc();
    const proposed = new Y.Doc();
    entriesOf(ready).push([
      createEntry({ id: 'r1', kind: 'feature', title: 'vTPM <live> migration', launchpad: 'https://blueprints.launchpad.net/nova/+spec/vtpm', owner: 'alice', addedBy: 'ptl', status: 'merged' }),
      createEntry({ id: 'r2', kind: 'bug', title: '', launchpad: 'https://bugs.launchpad.net/nova/+bug/2082345', reviews: ['https://review.opendev.org/c/openstack/nova/+/931122'], note: 'needs a +2 & a +W', addedBy: 'ptl' }),
    ]);
    entriesOf(proposed).push([createEntry({ id: 'p1', kind: 'other', title: 'Docs "cleanup"', owner: "o'brien", addedBy: 'bob', status: 'abandoned' })]);
    metaOf(ready).set('title', 'Nova 2025.1 <Epoxy>');
    const milestones = new Y.Array<Y.Map<string>>();
    milestones.push([new Y.Map(Object.entries({ label: 'Feature freeze', date: '2025-02-27' }))]);
    metaOf(ready).set('milestones', milestones);
    metaOf(ready).set('scrubbedAt', Date.UTC(2025, 0, 20));

    // the script: straight from its documents
    const fromScript = mirrorHtml({ meta: metaToJSON(ready), sections: { ready: sectionToJSON(ready), proposed: sectionToJSON(proposed) } });
    // the server: its export (as stored and sent: plain JSON, with the name beside it)
    const exported = JSON.parse(
      JSON.stringify({ name: 'r.abc', sections: { proposed: sectionToJSON(proposed), ready: sectionToJSON(ready) }, meta: metaToJSON(ready) }),
    ) as PadExport;
    expect(String(mirrorContent(exported))).toBe(fromScript);
    expect(fromScript).toContain('Ready list scrubbed on 2025-01-20');
    expect(fromScript.indexOf('Ready to review')).toBeLessThan(fromScript.indexOf('Proposed patches'));
    expect(fromScript).toContain('<span class="status status-merged">merged</span>');
  });
});

describe('times a peer wrote that no date holds', () => {
  it.each([1e300, -1e300, 8.64e15 + 1, Number.MAX_VALUE])('scrubbedAt %s: shown as no date by the mirror and every export, never thrown', async (at) => {
    const { toMarkdown, toEtherpadText } = await import('../../shared/etherpad-format.js');
    const ready = new Y.Doc();
    entriesOf(ready).push([createEntry({ id: 'r1', title: 'kept', addedBy: 'ptl', addedAt: at })]);
    metaOf(ready).set('scrubbedAt', at);
    const meta = metaToJSON(ready);
    expect(meta.scrubbedAt).toBeNull();
    expect(sectionToJSON(ready)[0]!.addedAt).toBe(0);
    const content = { meta: { ...meta, preamble: [] }, sections: { ready: sectionToJSON(ready), proposed: [] } };
    const html = mirrorHtml(content);
    expect(html).toContain('kept');
    expect(html).not.toContain('scrubbed on');
    expect(toMarkdown(content)).toContain('kept');
    expect(toEtherpadText(content)).toContain('kept');
  });

  it('the largest time a date holds is still shown', () => {
    const ready = new Y.Doc();
    metaOf(ready).set('scrubbedAt', 8.64e15);
    expect(mirrorHtml({ meta: metaToJSON(ready), sections: { ready: [], proposed: [] } })).toContain('Ready list scrubbed on +275760-09-13');
  });
});
